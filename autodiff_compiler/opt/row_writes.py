"""``rows_written_in_place``: a loop that writes into an array it carries (``y[t] = h``)
writes the row alone, where it copied the whole array at every step.

The IR is functional: ``y[t] = h`` in a loop's body is ``y1 = index_update(y0, t, h)``,
a copy of ``y`` with row ``t`` replaced, so a loop of ``T`` steps filling an array of
``T`` rows copies ``T * T`` rows (quadratic in the length of a sequence). The adjoint
of such a loop does the same: it zeroes row ``t`` of its cotangent of ``y`` at every
step. ``index_update_into(y0, t, h)``, written ``y[t] = h``, writes the row into the
array itself. That is exact wherever no one can see the array change:

- ``y0`` is the value the loop carries, and the body makes its next value by writes
  into it alone, each into the last (``index_update``, and ``index_add`` at a basic
  index: ``g_y[t] = 0`` and ``g_y[t] += g``);
- the array the loop starts from is one the enclosing code made for itself (a
  constructor's, a ufunc's, a product's or a reduction's result: not an argument, a
  constant, a capture or a view), and from the loop on only the loop reads it (what
  else reads it, or a view of it, comes before);
- in the body, nothing reads the array as it was before a write, or a value that may
  be a view of it (any result but a new array's: ``unbroadcast`` hands back what it
  needs not sum), after that write (a read placed after it moves the write after the
  read, when nothing in between reads what the write makes), and no region reads them;
- the body hands on none of them but the last write's result, as the next value: a
  view the tape records is copied (a row, where keeping the array would keep all).

Code generation writes the row in place only where ``y0`` is dead after the write (else
it copies), so what these conditions add is ownership and views, which names do not see.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..ir import primitives as P
from ..ir.builder import building
from ..ir.core import Atom, Eqn, Function, Var, map_regions, reads, regions
from .scatters import basic


def rows_written_in_place(fn: Function) -> Function:
    """``fn`` with each loop's writes into an array it carries and owns made in place."""
    producers = {v: eqn for eqn in fn.eqns for v in eqn.outvars}
    eqns = []
    for at, eqn in enumerate(fn.eqns):
        eqn = map_regions(eqn, rows_written_in_place)
        if eqn.prim is P.loop:
            eqn = _written_in_place(eqn, lambda start, at=at: _owned(start, at, fn, producers))
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


def _written_in_place(loop: Eqn, owned: Callable[[Atom], bool]) -> Eqn:
    body: Function = loop.params["body"]
    eqns, outvars = list(body.eqns), body.outvars
    for param, start, following in zip(body.invars[1:], loop.invars[1:], body.outvars):
        if owned(start):
            eqns, outvars = _in_place(eqns, outvars, param, following) or (eqns, outvars)
    if eqns == list(body.eqns):
        return loop
    body = replace(body, eqns=tuple(eqns), outvars=outvars)
    return replace(loop, params={**loop.params, "body": body})


def _in_place(eqns: list[Eqn], outvars: tuple, param: Var,
              following: Atom) -> tuple[list[Eqn], tuple] | None:
    """``eqns`` with the writes that make ``following`` from ``param`` (a chain of
    ``index_update`` and ``index_add`` at a basic index, each into the last) made in
    place, each after every read of the array as it was before it, and ``outvars``
    handing on copies of the views of the array it handed on (a tape's rows); None
    where that cannot be (see the module's docstring)."""
    chain = _chain(eqns, param, following)
    values = {param, *(w.outvars[0] for w in chain or ())}
    if chain is None or [a for a in outvars if a in values] != [following]:
        return None
    eqns, outvars = _views_copied(eqns, outvars, values)
    for k, write in enumerate(chain):
        before = {param, *(w.outvars[0] for w in chain[:k])}  # the array as it was
        last = _last_reader(eqns, chain[:k + 1], before, outvars)
        if last is None:
            return None
        at = eqns.index(write)
        if any(write.outvars[0] in reads(e) or e.prim.form == "accumulate"
               for e in eqns[at + 1:last + 1]):  # what the write would move past
            return None  # it would come before what it makes, or after another write
        eqns.insert(max(at, last), eqns.pop(at))
    into = {id(w): INTO[w.prim] for w in chain}
    eqns = [Eqn(e.outvars, into[id(e)], e.invars, e.params, e.loc) if id(e) in into else e
            for e in eqns]
    return eqns, outvars


def _views_copied(eqns: list[Eqn], outvars: tuple, values: set[Var]) -> tuple[list, tuple]:
    """Each view of ``values`` (or value that may be one) that ``outvars`` hands on (a
    row the tape records) is copied where it is made, and the copy handed on: a row,
    where the tape would otherwise keep the whole array as it is at every step."""
    family, out, copies = set(values), [], {}
    for eqn in eqns:
        out.append(eqn)
        if not _new_array(eqn.prim) and family.intersection(reads(eqn)) \
                and not regions(eqn):
            family.update(eqn.outvars)
            for v in eqn.outvars:
                if v in outvars:
                    with building(eqn.loc) as b:
                        copies[v] = P.copy(v)
                    out.extend(b.eqns)
    return out, tuple(copies.get(a, a) if isinstance(a, Var) else a for a in outvars)


INTO = {P.index_update: P.index_update_into, P.index_add: P.index_add_into,
        P.window_update: P.window_update_into, P.window_add: P.window_add_into}


def _chain(eqns: list[Eqn], param: Var, following: Atom) -> list[Eqn] | None:
    """The writes, each into the result of the one before, from ``param`` to
    ``following``; None if that is not how ``following`` is made."""
    chain, value = [], param
    while value is not following:
        writes = [e for e in eqns if e.invars and e.invars[0] is value and e.prim in INTO]
        if len(writes) != 1 or (writes[0].prim is P.index_add and not basic(writes[0].invars[1])):
            return None
        chain.append(writes[0])
        value = writes[0].outvars[0]
    return chain or None


# Primitives whose result is always a new array (besides constructors and ufuncs). Any
# other may hand back its operand or a view of it (``unbroadcast`` of a cotangent that
# needs no summing returns it as it is).
NEW_ARRAYS = (P.index_update, P.index_add, P.window_update, P.window_add, P.matmul, P.dot,
              P.outer, P.tensordot, P.concatenate, P.stack, P.reduce_sum, P.reduce_mean,
              P.reduce_prod, P.reduce_max, P.reduce_min)


def _new_array(prim: P.Primitive) -> bool:
    return prim.form == "apply" and not prim.view and \
        (prim.allocates or prim.elementwise or prim in NEW_ARRAYS)


def _owned(start: Atom, at: int, fn: Function, producers: dict[Var, Eqn]) -> bool:
    """``start`` is a new array the enclosing code made, which from the loop at ``at``
    on only the loop reads, once: what else reads it, or a value that may be a view of
    it, comes before the loop (``g_y[0]`` read, then the loop zeroing ``g_y``'s rows)."""
    made = producers.get(start) if isinstance(start, Var) else None
    if made is None or not _new_array(made.prim) or not start.aval.ndim:
        return False
    loop = fn.eqns[at]
    found = _readers(fn.eqns, {id(loop)}, {start})
    if found is None:
        return False
    positions, family = found
    return max(positions, default=-1) < at and \
        sum(a in family for a in reads(loop)) == 1 and \
        not family.intersection(a for a in fn.outvars if isinstance(a, Var))


def _last_reader(eqns: list[Eqn], writes: list[Eqn], before: set[Var],
                 handed_on: tuple) -> int | None:
    """The position of the last equation, other than ``writes``, that reads a value in
    ``before`` or a view of one (-1 for none); None where a region reads one or the
    body hands one on."""
    found = _readers(eqns, {id(w) for w in writes}, before)
    if found is None or found[1].intersection(a for a in handed_on if isinstance(a, Var)):
        return None
    return max(found[0], default=-1)


def _readers(eqns: list[Eqn], skip: set[int], values: set[Var]) -> \
        tuple[list[int], set[Var]] | None:
    """The positions of the equations (but those in ``skip``, by ``id``) that read
    ``values`` or a value that may be a view of one, and all those values; None where
    a region or a write in place reads one."""
    family, positions = set(values), []
    for i, eqn in enumerate(eqns):
        if id(eqn) in skip or not family.intersection(reads(eqn)):
            continue
        if regions(eqn) or eqn.prim.form != "apply":
            return None
        positions.append(i)
        if not _new_array(eqn.prim):  # what it makes may be a view: its readers count too
            family.update(eqn.outvars)
    return positions, family

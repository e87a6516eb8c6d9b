"""Order straight-line code so that large arrays die before new ones are made.

Any topological order of pure equations computes the same values. Code generation
writes a ufunc's result into the array of an operand or of a dead value of the same
shape (``buffers``); that helps only if an array is dead when the next one is needed.
So within each straight-line stretch (a region, a call or an in-place update is a
fixed point), equations keep their order except that one needing a fresh large array
waits while another ready one does not. A gradient summed from several terms
(``g_x = ((a + b) + c) + d``, one term per use of ``x``) adds each term as soon as it
is computed, whatever the order, so that the term's array dies at once.

Functions without large arrays keep their order: only the cost of memory moves it.
"""
from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..errors import Loc
from ..ir import primitives as P
from ..ir.core import Atom, Eqn, Function, Var, map_regions, reads, regions
from . import buffers


def schedule(fn: Function) -> Function:
    """``fn`` with each straight-line stretch of each body reordered (see above)."""
    if not any(buffers.large(v) for eqn in _all_eqns(fn) for v in eqn.outvars):
        return fn
    return _schedule(fn)


def _all_eqns(fn: Function) -> list[Eqn]:
    out = []
    for eqn in fn.eqns:
        out.append(eqn)
        for _, body in regions(eqn):
            out.extend(_all_eqns(body))
    return out


def _schedule(fn: Function) -> Function:
    uses = Counter(v for eqn in fn.eqns for v in reads(eqn))
    uses.update(a for a in fn.outvars if isinstance(a, Var))
    eqns: list[Eqn] = []
    stretch: list[Eqn] = []
    for eqn in fn.eqns:
        if _fixed(eqn):
            eqns.extend(_order(stretch, uses))
            stretch = []
            eqns.append(map_regions(eqn, _schedule))
        else:
            stretch.append(eqn)
    eqns.extend(_order(stretch, uses))
    return replace(fn, eqns=tuple(eqns))


def _fixed(eqn: Eqn) -> bool:
    return bool(regions(eqn)) or eqn.prim.effect \
        or eqn.prim.form in ("call", "accumulate") \
        or "callee" in eqn.params


@dataclass
class _Sum:
    """A gradient summed from terms: the terms still to come, and the sum so far."""

    out: Var
    loc: Loc | None  # of the last addition of the original chain
    waiting: dict[Var, None] = field(default_factory=dict)  # in order: code is deterministic
    total: Atom | None = None


def _sums(stretch: list[Eqn], uses: Counter) -> tuple[list[_Sum], set[int]]:
    """Chains of additions, each read once by the next, into one gradient (``g_x``),
    all of one aval: each as its terms, and the ``id`` of every addition they replace."""
    made = {v: e for e in stretch for v in e.outvars}

    def partial(a: Atom, out: Var) -> bool:
        producer = made.get(a) if isinstance(a, Var) else None
        return producer is not None and producer.prim is P.add and uses[a] == 1 \
            and a.hint == out.hint and a.aval == out.aval

    inner = {a for e in stretch if e.prim is P.add and e.outvars[0].hint
             for a in e.invars if partial(a, e.outvars[0])}
    sums: list[_Sum] = []
    taken: set[Var] = set()
    replaced: set[int] = set()
    for eqn in stretch:
        out = eqn.outvars[0]
        if eqn.prim is not P.add or out in inner or not any(partial(a, out) for a in eqn.invars):
            continue
        chain, terms, todo = [], [], [eqn]
        while todo:
            e = todo.pop()
            chain.append(e)
            for a in e.invars:
                if partial(a, out):
                    todo.append(made[a])
                else:
                    terms.append(a)
        if all(isinstance(t, Var) and t.aval == out.aval for t in terms) \
                and len(set(terms)) == len(terms) and not taken & set(terms):
            sums.append(_Sum(out, eqn.loc, waiting=dict.fromkeys(terms)))
            taken.update(terms)
            replaced.update(id(e) for e in chain)
    return sums, replaced


def _order(stretch: list[Eqn], uses: Counter) -> list[Eqn]:
    """List scheduling: the first ready equation that needs no new large array, else
    the first ready one; each gradient's terms summed as they come."""
    if len(stretch) < 2:
        return stretch
    sums, replaced = _sums(stretch, uses)
    todo = [e for e in stretch if id(e) not in replaced]
    made = {v for e in stretch for v in e.outvars}
    readers_left = Counter(v for e in todo for v in set(reads(e)))
    readers_left.update(t for chain in sums for t in chain.waiting)
    term_of = {t: chain for chain in sums for t in chain.waiting}
    waiting_on = {i: {v for v in reads(e) if v in made} for i, e in enumerate(todo)}
    users: dict[Var, list[int]] = {}
    for i, needs in waiting_on.items():
        for v in needs:
            users.setdefault(v, []).append(i)
    ready = sorted(i for i, needs in waiting_on.items() if not needs)
    out: list[Eqn] = []
    # Large arrays this stretch makes and alone reads: dead after their last reader
    # here, when a later result may take their array.
    local = {v for v in made if buffers.large(v) and uses[v] == readers_left[v]}
    arrays = _Arrays(local, readers_left)

    def emit(eqn: Eqn) -> None:
        out.append(eqn)
        arrays.account(eqn)
        for v in set(reads(eqn)):
            readers_left[v] -= 1
        for v in eqn.outvars:
            for i in users.get(v, ()):
                waiting_on[i].discard(v)
                if not waiting_on[i]:
                    bisect.insort(ready, i)
            if v in term_of:
                _add_term(term_of[v], v, emit)

    for chain in sums:
        for term in [t for t in chain.waiting if t not in made]:
            _add_term(chain, term, emit)
    emitted = 0
    while ready:
        pick = next((i for i in ready if not arrays.allocates(todo[i])), ready[0])
        ready.remove(pick)
        emit(todo[pick])
        emitted += 1
    if emitted != len(todo) or any(chain.waiting for chain in sums):
        raise AssertionError("scheduling lost an equation")  # the IR is a DAG: cannot happen
    return out


def _add_term(chain: _Sum, term: Var, emit: Callable[[Eqn], None]) -> None:
    del chain.waiting[term]
    if chain.total is None:
        chain.total = term
        return
    total = chain.out if not chain.waiting else Var(chain.out.aval, chain.out.hint)
    previous, chain.total = chain.total, total
    emit(Eqn((total,), P.add, (previous, term), {}, chain.loc))


class _Arrays:
    """Which large arrays are dead while scheduling, as ``buffers`` will find them: a
    result takes a dying operand's array, else a dead one's of its shape and dtype."""

    def __init__(self, local: set[Var], readers_left: Counter) -> None:
        self.local, self.readers_left = local, readers_left
        self.dead: Counter = Counter()  # by aval: how many dead arrays are free

    def _dying(self, eqn: Eqn) -> list[Var]:
        return [v for v in dict.fromkeys(reads(eqn))
                if v in self.local and self.readers_left[v] == 1]

    def allocates(self, eqn: Eqn) -> bool:
        """Whether ``eqn`` needs a new large array: no operand of its shape dies here
        and no dead array of its shape is free."""
        return any(buffers.large(v) and not self.dead[v.aval]
                   and not any(a.aval == v.aval for a in self._dying(eqn))
                   for v in eqn.outvars)

    def account(self, eqn: Eqn) -> None:
        """Record ``eqn`` as emitted (before its reads are counted down)."""
        dying = self._dying(eqn)
        for v in eqn.outvars:
            if not buffers.large(v):
                continue
            taken = next((a for a in dying if a.aval == v.aval), None)
            if taken is not None:
                dying.remove(taken)
            elif self.dead[v.aval]:
                self.dead[v.aval] -= 1
        self.dead.update(v.aval for v in dying)

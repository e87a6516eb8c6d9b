"""Values an effect writes in place stay readable as they were.

``ops.assign(p, v)`` is an equation that writes into ``p``'s array (``np.copyto``). The
IR is SSA: ``p`` names the value *before* the write, and reads that come later in the
program — an adjoint reading a forward value, a temporary computed before the write
and used after it — mean that old value. The frontend already gives reads written
after the ``assign`` the new value; this pass keeps the old one for everything else: a
copy of it is taken before the write and later reads use the copy. Where nothing
reads it afterwards (a BatchNorm's moving statistics) no copy is made. A later write
into the same array (``assign(p, v)`` again, also in a branch or a loop's body) names
``p`` as its target, not as a value it reads: it still writes into ``p``'s array.
"""
from __future__ import annotations

from dataclasses import replace

from ..ir import primitives as P
from ..ir.builder import building
from ..ir.core import Eqn, Function, Var, map_regions, regions


def keep_overwritten(fn: Function) -> Function:
    """``fn`` with a copy of each written value taken before the write, where a later
    equation or an output reads the value."""
    eqns = [map_regions(e, keep_overwritten) for e in fn.eqns]
    outvars = fn.outvars
    i = 0
    while i < len(eqns):
        target = _written(eqns[i])
        later = eqns[i + 1:] if target is not None else []
        if target is None or not (any(_reads_value(e, target) for e in later)
                                  or target in outvars):
            i += 1
            continue
        with building(eqns[i].loc) as b:
            saved = P.copy(target)
        saved.hint = f"{target.hint or 'value'}_before"
        rest = [_reads_moved(e, target, saved) for e in later]
        outvars = tuple(saved if a is target else a for a in outvars)
        eqns = [*eqns[:i], *b.eqns, eqns[i], *rest]
        i += len(b.eqns) + 1
    return replace(fn, eqns=tuple(eqns), outvars=outvars)


def _reads_value(eqn: Eqn, target: Var) -> bool:
    """Whether ``eqn`` reads ``target``'s value: a later write into the same array
    (``assign(p, v)`` twice, also in a branch or a loop) reads none of it."""
    if not regions(eqn):
        return any(a is target for i, a in enumerate(eqn.invars)
                   if not (i == eqn.prim.writes and _written(eqn) is target))
    return any(a is target for a in eqn.invars) or any(
        any(_reads_value(e, target) for e in body.eqns) or target in body.outvars
        for _, body in regions(eqn))


def _reads_moved(eqn: Eqn, target: Var, saved: Var) -> Eqn:
    """``eqn`` reading ``saved`` where it read ``target``'s value, in its regions too; a
    write into ``target``'s array still writes there."""
    def body_moved(body: Function) -> Function:
        return replace(body, eqns=tuple(_reads_moved(e, target, saved) for e in body.eqns),
                       outvars=tuple(saved if a is target else a for a in body.outvars))

    eqn = map_regions(eqn, body_moved)
    kept = eqn.prim.writes if _written(eqn) is target else None
    invars = tuple(saved if a is target and i != kept else a for i, a in enumerate(eqn.invars))
    return replace(eqn, invars=invars)


def _written(eqn: Eqn) -> Var | None:
    index = eqn.prim.writes
    if index is None or index >= len(eqn.invars):
        return None
    target = eqn.invars[index]
    return target if isinstance(target, Var) else None


def written_targets(fn: Function) -> set[Var]:
    """The values an effect writes into in place, in ``fn`` or a region in it. Each must
    stay an array of its own: one made equal to another (``w * 1.0`` simplified to
    ``w``, a repeated ``w + 0.0`` merged with the first) would have the write land in
    the other (a Parameter, an argument, a value read later)."""
    found: set[Var] = set()
    for eqn in fn.eqns:
        target = _written(eqn)
        if target is not None:
            found.add(target)
        for _, body in regions(eqn):
            found |= written_targets(body)
    return found

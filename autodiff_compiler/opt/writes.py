"""Values an effect writes in place stay readable as they were.

``ops.assign(p, v)`` is an equation that writes into ``p``'s array (``np.copyto``). The
IR is SSA: ``p`` names the value *before* the write, and reads that come later in the
program — an adjoint reading a forward value, a temporary computed before the write
and used after it — mean that old value. The frontend already gives reads written
after the ``assign`` the new value; this pass keeps the old one for everything else: a
copy of it is taken before the write and later reads use the copy. Where nothing
reads it afterwards (a BatchNorm's moving statistics) no copy is made.
"""
from __future__ import annotations

from dataclasses import replace

from ..ir import primitives as P
from ..ir.builder import building
from ..ir.core import Eqn, Function, Var, map_regions, reads, substitute


def keep_overwritten(fn: Function) -> Function:
    """``fn`` with a copy of each written value taken before the write, where a later
    equation or an output reads the value."""
    eqns = [map_regions(e, keep_overwritten) for e in fn.eqns]
    outvars = fn.outvars
    i = 0
    while i < len(eqns):
        target = _written(eqns[i])
        later = eqns[i + 1:] if target is not None else []
        if target is None or not (any(target in reads(e) for e in later)
                                  or target in outvars):
            i += 1
            continue
        with building(eqns[i].loc) as b:
            saved = P.copy(target)
        saved.hint = f"{target.hint or 'value'}_before"
        rest = substitute(later, {target: saved})
        outvars = tuple(saved if a is target else a for a in outvars)
        eqns = [*eqns[:i], *b.eqns, eqns[i], *rest]
        i += len(b.eqns) + 1
    return replace(fn, eqns=tuple(eqns), outvars=outvars)


def _written(eqn: Eqn) -> Var | None:
    index = eqn.prim.writes
    if index is None or index >= len(eqn.invars):
        return None
    target = eqn.invars[index]
    return target if isinstance(target, Var) else None

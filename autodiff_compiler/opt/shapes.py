"""``shape(x ** 2)`` is ``shape(x)``: a shape read from the value it comes from.

A value whose shape is known at run time only (a mask's selection) has it read at run
time, and the adjoint of a reduction reads its operand's: ``broadcast_to(g,
shape(x ** 2))``. Where nothing else reads the elementwise result (a gradient does not
need the forward value), reading the shape of its one operand that is not 0-d leaves
it dead, and the dead-code pass after this one drops its computation. Where the value
is read anyway, the shape stays its own, as an expert would write it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..ir import primitives as P
from ..ir.core import Eqn, Function, Var, map_regions, ndim_of, reads


def shape_sources(fn: Function) -> Function:
    """Each ``shape`` of an elementwise result read by nothing else, of the operand it
    takes its shape from (following a chain of them)."""
    uses = Counter(v for eqn in fn.eqns for v in reads(eqn))
    uses.update(a for a in fn.outvars if isinstance(a, Var))
    producers: dict[Var, Eqn] = {}
    eqns = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, shape_sources)
        if eqn.prim is P.shape and isinstance(eqn.invars[0], Var):
            operand = eqn.invars[0]
            while uses[operand] == 1 and \
                    (source := _shaping_operand(producers.get(operand))) is not None:
                operand = source
            eqn = replace(eqn, invars=(operand,))
        producers.update((v, eqn) for v in eqn.outvars)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


def _shaping_operand(eqn: Eqn | None) -> Var | None:
    """The operand an elementwise equation takes its shape from, where every other one
    is 0-d."""
    if eqn is None or not eqn.prim.elementwise or eqn.prim.random or len(eqn.outvars) != 1:
        return None
    wide = [a for a in eqn.invars if ndim_of(a) != 0]
    return wide[0] if len(wide) == 1 and isinstance(wide[0], Var) else None

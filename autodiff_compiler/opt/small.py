"""``small_sigmoids``: on arrays of a few values, the calls are the cost.

A NumPy call costs about half a microsecond whatever the size of its operands, so on
the tutorial-sized arrays of a loss (a handful of logits) a gradient costs what its
calls cost. ``sigmoid`` is a helper whose small-array path is
``exp(-logaddexp(0, -x))``: a Python call around four ufunc calls. The derivative of
softplus and of a log-loss with logits asks for ``sigmoid(-z)``, whose ``-z`` the helper
negates back. Written out in the IR, the helper's call goes, and so do both negations
of ``z``: ``exp(-logaddexp(0.0, z))``, three calls where there were six.

Exact: it is the helper's own arithmetic for these sizes (``reference.sigmoid`` up to
64 values), and ``-(-z)`` is ``z`` to the bit. Only float arrays whose size is known
and at most 64, not Python floats (whose result type would change).
"""
from __future__ import annotations

import math
from dataclasses import replace

from ..ir import primitives as P
from ..ir.core import Atom, Const, Eqn, Function, Var, map_regions
from .simplify import same_aval_values

SMALL = 64  # values: reference.sigmoid's small-array path, exp(-logaddexp(0, -x))


def small_sigmoids(fn: Function) -> Function:
    """``sigmoid(x)`` of at most ``SMALL`` floats is ``exp(-logaddexp(0, -x))``, and
    ``sigmoid(-z)`` is ``exp(-logaddexp(0, z))``."""
    producers: dict[Var, Eqn] = {}
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, small_sigmoids)
        written = _written_out(eqn, producers) if eqn.prim is P.sigmoid else None
        for new in written or (eqn,):
            producers.update((v, new) for v in new.outvars)
            eqns.append(new)
    return replace(fn, eqns=tuple(eqns))


def _written_out(eqn: Eqn, producers: dict[Var, Eqn]) -> list[Eqn] | None:
    (x,), (out,) = eqn.invars, eqn.outvars
    aval = out.aval
    if not (isinstance(x, Var) and x.aval.known and not x.aval.weak and aval.known
            and x.aval.dtype.kind == "f" and x.aval == aval
            and math.prod(aval.shape) <= SMALL):
        return None
    made = []
    negated = producers.get(x)
    if negated is not None and negated.prim is P.neg:
        minus_x: Atom = negated.invars[0]
    else:
        made.append(Eqn((Var(aval, ""),), P.neg, (x,), {}, eqn.loc))
        minus_x = made[-1].outvars[0]
    for prim, args in ((P.logaddexp, (Const(0.0), minus_x)), (P.neg, None), (P.exp, None)):
        operands = args if args is not None else (made[-1].outvars[0],)
        (result,) = prim.abstract_eval(list(operands), {})
        if not same_aval_values(result, aval):
            return None
        made.append(Eqn((Var(result, ""),), prim, operands, {}, eqn.loc))
    made[-1] = replace(made[-1], outvars=eqn.outvars)
    return made

"""Optimisation passes, each ``Function -> Function``.

All primitives are pure, so an equation none of whose results is needed can go.
"""
from __future__ import annotations

from dataclasses import replace

from .ir import Function, Var


def dce(fn: Function) -> Function:
    """Dead-code elimination: keep only equations the outputs depend on."""
    live = {a for a in fn.outvars if isinstance(a, Var)}
    kept = []
    for eqn in reversed(fn.eqns):
        if any(v in live for v in eqn.outvars):
            kept.append(eqn)
            live.update(a for a in eqn.invars if isinstance(a, Var))
    return replace(fn, eqns=tuple(reversed(kept)))


def select_outputs(fn: Function, indices: list[int]) -> Function:
    """The same program returning only some of its outputs (then run ``dce``)."""
    return replace(fn, outvars=tuple(fn.outvars[i] for i in indices))


def optimize(fn: Function) -> Function:
    """The default pipeline."""
    return dce(fn)

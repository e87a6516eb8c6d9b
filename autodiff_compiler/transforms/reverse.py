"""Reverse mode: the adjoint program of a ``Function``, as more IR.

The result keeps the forward equations as they are (straight-line code needs no tape:
forward values are simply in scope), then walks them backwards calling each
primitive's VJP rule, which binds adjoint equations stamped "grad of" the primal
line. Only *active* values get adjoints: those that depend on a differentiated input
through differentiable primitives and that reach a seeded output.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import primitives as P
from ..builder import adjoint_loc, building
from ..errors import MissingRuleError, internal_errors_at
from ..ir import Atom, Const, Eqn, Function, Var


def activity(fn: Function, wrt: Sequence[Var], seeds: Sequence[Atom]) -> set[Var]:
    """Values on a differentiable path from ``wrt`` to ``seeds``."""
    varied = {v for v in wrt if v.aval.is_float}
    for eqn in fn.eqns:
        if eqn.prim.differentiable and any(a in varied for a in eqn.invars if isinstance(a, Var)):
            varied.update(v for v in eqn.outvars if v.aval.is_float)
    useful = {v for v in seeds if isinstance(v, Var)}
    for eqn in reversed(fn.eqns):
        if any(v in useful for v in eqn.outvars):
            useful.update(a for a in eqn.invars if isinstance(a, Var))
    return varied & useful


def reverse(fn: Function, wrt: Sequence[int], seeds: Sequence[int], *,
            cotangent_inputs: bool = False) -> Function:
    """The gradient program of ``fn``.

    Its inputs are ``fn``'s (followed by one cotangent per seeded output when
    ``cotangent_inputs``, else each seed is ``ones_like`` its output); its outputs are
    ``fn``'s outputs followed by one gradient per ``wrt`` position, in that order.
    """
    wrt_vars = [fn.invars[i] for i in wrt]
    seed_atoms = [fn.outvars[i] for i in seeds]
    active = activity(fn, wrt_vars, seed_atoms)
    producer = {v: eqn.prim for eqn in fn.eqns for v in eqn.outvars}
    with building(None) as b:
        b.eqns.extend(fn.eqns)
        adjoints = _Adjoints(active, producer)
        ct_inputs = [Var(a.aval, adjoints.name(a)) for a in seed_atoms] if cotangent_inputs else []
        for i, out in enumerate(seed_atoms):
            if out in active:
                adjoints.add(out, ct_inputs[i] if cotangent_inputs else _ones_seed(out))
        for eqn in reversed(fn.eqns):
            if any(v in adjoints for v in eqn.outvars):
                with b.at(adjoint_loc(eqn.loc)), internal_errors_at(eqn.loc):
                    _backward(eqn, adjoints)
        with b.at(None):
            grads = tuple(adjoints.final(v) for v in wrt_vars)
    return Function(f"grad_{fn.name}", fn.invars + tuple(ct_inputs), tuple(b.eqns),
                    fn.outvars + grads, fn.loc)


def _ones_seed(out: Var) -> Any:
    """MindSpore's sensitivity ``ones_like(out)``; a constant when ``out`` is a known scalar."""
    aval = out.aval
    if aval.shape == () and aval.dtype is not None:
        return 1.0 if aval.weak else aval.dtype.type(1)
    return P.ones_like(out)


class _Adjoints:
    """Cotangents of active values, summed where a value fans out."""

    def __init__(self, active: set[Var], producer: dict[Var, P.Primitive]) -> None:
        self.active = active
        self.producer = producer
        self.ct: dict[Var, Any] = {}

    def name(self, v: Atom) -> str:
        """``g_<name>``, after the user's name or else the producing primitive."""
        prim = self.producer.get(v) if isinstance(v, Var) else None
        base = v.hint if isinstance(v, Var) and v.hint else prim.name if prim else "out"
        return f"g_{base}"

    def __contains__(self, v: Var) -> bool:
        return v in self.ct

    def __getitem__(self, v: Var) -> Any:
        return self.ct[v]

    def add(self, v: Var, contribution: Any) -> None:
        total = self.ct[v] + contribution if v in self.ct else contribution
        if isinstance(total, Var) and (not total.hint or v in self.ct):
            total.hint = self.name(v)
        self.ct[v] = total

    def final(self, v: Var) -> Any:
        """The gradient of an input: zeros of its shape and dtype when nothing reached it."""
        if v not in self.ct:
            zeros = P.zeros_like(v)
            zeros.hint = self.name(v)
            return zeros
        g = self.ct[v]
        return g if isinstance(g, Var) else P.zeros_like(v) + g


def _backward(eqn: Eqn, adjoints: _Adjoints) -> None:
    prim = eqn.prim
    args = [a.value if isinstance(a, Const) else a for a in eqn.invars]
    if prim.n_out == 1:
        if prim.vjp is None:
            raise _missing(eqn)
        g, ans = adjoints[eqn.outvars[0]], eqn.outvars[0]
        for arg, rule in zip(eqn.invars, prim.vjp):
            if rule is not None and arg in adjoints.active:
                adjoints.add(arg, rule(g, ans, *args, **eqn.params))
        return
    if prim.vjp_all is None:
        raise _missing(eqn)
    gs = tuple(adjoints[v] if v in adjoints else P.zeros_like(v) for v in eqn.outvars)
    for arg, contribution in zip(eqn.invars, prim.vjp_all(gs, eqn.outvars, *args, **eqn.params)):
        if arg in adjoints.active and contribution is not None:
            adjoints.add(arg, contribution)


def _missing(eqn: Eqn) -> MissingRuleError:
    return MissingRuleError(
        f"no VJP rule for '{eqn.prim.name}', but a gradient flows through it",
        eqn.loc, hint="wrap the value in stop_gradient(...) if it should not be "
                      "differentiated, or register a rule with defvjp")

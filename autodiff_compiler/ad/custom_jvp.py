"""Reverse mode through a ``custom_jvp`` call: the user's JVP rule, transposed.

The rule (``frontend.custom_jvp``) maps (arguments, tangents) to (outputs, tangents of
the outputs), and its tangent outputs are linear in its tangent inputs. The cotangent
of the arguments is therefore the vjp of the rule in its tangents, which is the same
at every tangent point; it is taken at zeros. That is what JAX computes (it linearizes
the rule and transposes the linear part), and what lets one rule serve grad, vjp,
jacrev and value_and_grad.

``vjp_split`` of the rule in its tangents gives forward equations (the rule's primal
part, and its tangent part at zero, which nothing reads and the optimiser removes) and
adjoint equations. They become the same pair a ``custom_vjp`` carries:

- ``custom_forward``: arguments -> (the rule's outputs, residuals), the residuals being
  what the adjoint reads of the forward equations;
- ``custom_backward``: (residuals, arguments, cotangents of the outputs) -> one
  cotangent per float argument;

so ``ad.custom`` binds them exactly as it binds a ``custom_vjp``'s, and a second
derivative differentiates them as code (reaching the rule again where the rule calls
the function, as in JAX). The value is the rule's primal output, as JAX's is.

A rule whose tangent output is not linear in the tangents (``t * t``, or a tangent in
a condition) has an adjoint that reads tangent values: its answer would depend on the
point chosen, so it is refused (JAX's transposition fails on it too).
"""
from __future__ import annotations

from typing import Any

from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Callee, Eqn, Function, Var, reads, substitute
from .control import body_residuals
from .reverse import vjp_split


def transposed(callee: Callee, loc: Loc | None) -> tuple[Function, Function]:
    """``custom_forward`` and ``custom_backward`` of a ``custom_jvp`` call (see above)."""
    rule = callee.derived["custom_jvp"]
    n_args, n_out = len(callee.fn.invars), len(callee.fn.outvars)
    args, t_in = rule.invars[:n_args], rule.invars[n_args:]
    floats = [v for v in args[:callee.derived["custom_arity"]] if v.aval.is_float]
    outs = rule.outvars[:n_out]
    douts = [Var(o.aval, f"g_{o.hint or 'out'}") for o in callee.fn.outvars]
    seeds = [d if o.aval.is_float else None for o, d in zip(callee.fn.outvars, douts)]
    forward, adjoint, cts = vjp_split(rule, t_in, [None] * n_out + seeds)
    _refuse_nonlinear(callee, forward, adjoint, cts, t_in, loc)
    with building(loc) as fb:
        zeros = [P.zeros_like(x) for x in floats]  # the tangent point (any would do)
        fb.eqns.extend(substitute(forward, dict(zip(t_in, zeros))))
    defined = {v for e in forward for v in e.outvars}
    residuals = body_residuals(defined, adjoint, cts)
    fwd = Function(f"{callee.name}_forward", args, tuple(fb.eqns), (*outs, *residuals),
                   rule.loc)
    local = {r: Var(r.aval, r.hint) for r in residuals}
    with building(loc) as bb:  # (the adjoint may read the tangents' shapes)
        shapes = {t: P.zeros_like(x) for t, x in zip(t_in, floats)}
        bb.eqns.extend(substitute(adjoint, local | shapes))
        grads = [as_atom(P.zeros_like(x) if c is None else local.get(c, c))
                 for x, c in zip(floats, cts)]
    bwd = Function(f"{callee.name}_backward", (*local.values(), *args, *douts),
                   tuple(bb.eqns), tuple(grads), rule.loc)
    return fwd, bwd


# Operands read for their shape or dtype only (``unbroadcast(g, x)`` sums ``g`` to
# ``x``'s shape): reading a tangent there does not make the adjoint depend on it.
_SHAPE_ONLY = {P.unbroadcast_to: {1}, P.zeros_like: {0}, P.ones_like: {0}, P.shape: {0},
               P.ndim: {0}, P.size: {0}, P.dtype_of: {0}}


def _refuse_nonlinear(callee: Callee, forward: list[Eqn], adjoint: list[Eqn],
                      cts: list[Any], t_in: tuple[Var, ...], loc: Loc | None) -> None:
    """The adjoint may read the rule's values, and its tangents' shapes, never its
    tangents' values."""
    tangent = depending_on(forward, set(t_in))
    if any(_reads_value(e, tangent) for e in adjoint) or \
            any(isinstance(c, Var) and c in tangent for c in cts):
        raise AutodiffError(f"reverse mode through {callee.derived['custom']}: its tangent "
                            "output is not linear in the tangents, so it has no transpose",
                            loc, hint="make the tangent output linear in the tangents (no "
                                      "product of tangents, no tangent in a condition), or "
                                      "give a reverse rule with custom_vjp")


def _reads_value(eqn: Eqn, values: set[Var]) -> bool:
    """Whether ``eqn`` reads the value (not only the shape) of one of ``values``."""
    shape_only = _SHAPE_ONLY.get(eqn.prim, set())
    operands = [a for i, a in enumerate(eqn.invars) if i not in shape_only]
    captured = reads(eqn)[sum(isinstance(a, Var) for a in eqn.invars):]  # by its regions
    return any(isinstance(a, Var) and a in values for a in [*operands, *captured])


def depending_on(eqns: list[Eqn], sources: set[Var]) -> set[Var]:
    """Values of ``eqns`` computed from ``sources``. An ``if``'s output depends on them
    only if its condition does or some branch computes that output from them (a branch
    giving the tangent leaves the primal value independent); other regions, wholesale."""
    reached = set(sources)
    for e in eqns:
        if not any(a in reached for a in reads(e)):
            continue
        branches = e.params.get("branches") if e.prim is P.cond else None
        if branches is None or any(a in reached for a in e.invars if isinstance(a, Var)):
            reached.update(e.outvars)
            continue
        for i, o in enumerate(e.outvars):
            if any(_branch_output_depends(b, i, reached) for b in branches):
                reached.add(o)
    return reached


def _branch_output_depends(branch: Function, i: int, reached: set[Var]) -> bool:
    inner = depending_on(list(branch.eqns), set(reached))
    out = branch.outvars[i]
    return isinstance(out, Var) and out in inner

"""Derivatives of calls that carry the user's rule (``frontend.custom``,
``frontend.custom_jvp``).

Reverse mode binds the rule's two IR functions where the call was: the forward sweep
gets ``custom_forward`` (the call itself for a ``bprop``, the user's ``fwd`` for a
``custom_vjp``) and keeps its residuals; the backward sweep gets ``custom_backward``
on the residuals and the outputs' cotangents. The rule is then ordinary equations of
the gradient program: a loop tapes what it reads like anything else, and a second
derivative differentiates it as code. That is what MindSpore 2.x computes (grad of
grad through a Cell whose bprop is ``dout * out + x`` is x^2 + x + 1: the bprop's
body is differentiated and ``out`` reaches the Cell's rule again) and what JAX
computes for ``custom_vjp`` (``bwd`` and ``fwd`` differentiated as code).

A ``custom_jvp`` call gets the same two functions, made from its rule transposed
(``ad.custom_jvp``) the first time reverse mode meets it, and in forward mode its
rule is bound in the call's place.

Forward mode. MindSpore's ``jvp`` is two reverse passes: the vjp program with
cotangent ``u`` (``u = ones``) differentiated again with respect to ``u``, with ``v``
as the cotangent. Through a Cell with a ``bprop`` that is the transpose, in ``dout``,
of the bprop: the tangent of the output is ``d/d dout <bprop(x, out, dout), t_x>``.
For a rule linear in ``dout`` (every true gradient is) the transpose is the same
wherever it is taken and is computed here at the call, with the rule's own
derivative; one that is not linear would make the answer depend on the rest of the
function, so it is refused at the call. A ``custom_vjp`` is answered the same way,
with its ``fwd`` in the call's place (JAX refuses forward mode through one; the
transpose gives the tangent its rule implies, which a Hessian of a function whose
``fwd`` calls the function itself needs: that call is the rule's again).
"""
from __future__ import annotations

from typing import Any

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import as_atom, building, current
from ..ir.core import Eqn, Function, Var, reads, renamed, substitute
from . import custom_jvp
from .reverse import is_tape, vjp_split


def is_custom(eqn: Eqn) -> bool:
    """A ``call`` of a function with a custom derivative rule."""
    return "custom" in eqn.params["callee"].derived


def _rule_pair(eqn: Eqn) -> tuple[Function, Function]:
    """The call's ``custom_forward`` and ``custom_backward``: a ``custom_jvp``'s are its
    rule transposed (``ad.custom_jvp``), made when reverse mode first meets it."""
    derived = eqn.params["callee"].derived
    if "custom_forward" not in derived:
        derived["custom_forward"], derived["custom_backward"] = \
            custom_jvp.transposed(eqn.params["callee"], eqn.loc)
    return derived["custom_forward"], derived["custom_backward"]


def _bind(fn: Function, args: list[Any], results: tuple[Var, ...] = ()) -> list[Any]:
    """Emit a copy of ``fn`` on ``args`` whose first outputs are the Vars ``results``
    (the call's own outputs, which later equations read); return all its outputs."""
    env: dict[Var, Any] = {v: as_atom(a) for v, a in zip(fn.invars, args)}
    eqns = renamed(fn.eqns, env)
    outs = [env.get(a, a) if isinstance(a, Var) else a for a in fn.outvars]
    defined = {v for e in eqns for v in e.outvars}
    rename: dict[Var, Var] = {}
    copies = []
    for i, want in enumerate(results):
        got = outs[i]
        if isinstance(got, Var) and got in defined and got not in rename:
            rename[got] = want
        else:  # an argument or a constant passed through, or one value twice
            copies.append(Eqn((want,), P.copy, (got,), {}, fn.loc))
        outs[i] = want
    eqns = [Eqn(tuple(rename.get(v, v) for v in e.outvars), e.prim, e.invars, e.params,
                e.loc) for e in substitute(eqns, rename)]
    current().eqns.extend([*eqns, *copies])
    return [rename.get(a, a) if isinstance(a, Var) else a for a in outs]


def _float_arguments(eqn: Eqn) -> list[Any]:
    """The user's float arguments of the call (captured values follow them and get
    nothing from the rule: a Cell's own Parameters get zero gradient, as in MindSpore)."""
    callee = eqn.params["callee"]
    n = callee.derived["custom_arity"]
    return [a for a, v in zip(eqn.invars[:n], callee.fn.invars[:n]) if v.aval.is_float]


def forward(eqn: Eqn, active: set[Var]) -> list[Any]:
    """The forward sweep: the rule's forward in the call's place; its residuals."""
    _refuse_captured_tangents(eqn, active)
    fwd, _ = _rule_pair(eqn)
    return _bind(fwd, list(eqn.invars), eqn.outvars)[len(eqn.outvars):]


def backward(eqn: Eqn, residuals: list[Any], adjoints: Any) -> None:
    """The backward sweep: the user's rule on the residuals and the cotangents."""
    cts = [adjoints.get_or_zeros(o) for o in eqn.outvars]
    grads = _bind(_rule_pair(eqn)[1], [*residuals, *eqn.invars, *cts])
    floats = _float_arguments(eqn)
    for a, g in zip(floats, grads):
        adjoints.add(a, g)


def jvp(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    """Forward mode: a ``custom_jvp``'s rule; the backward rule transposed in its
    cotangent for a Cell's ``bprop`` (MindSpore's) and a ``custom_vjp``."""
    callee = eqn.params["callee"]
    what = callee.derived["custom"]
    if "custom_jvp" in callee.derived:
        _jvp_by_rule(eqn, tangents)
        return
    bwd = callee.derived["custom_backward"]
    n_out = len(eqn.outvars)
    douts = list(bwd.invars[len(bwd.invars) - n_out:])
    floats = _float_arguments(eqn)
    t_vars = [Var(a.aval, f"t_{a.hint or 'x'}") for a in floats]
    with building(eqn.loc) as b:
        fwd_eqns, adjoint, cts = vjp_split(bwd, douts, [*t_vars])
        b.eqns.extend(fwd_eqns + adjoint)
        t_outs = [as_atom(P.zeros_like(d) if c is None else c) for d, c in zip(douts, cts)]
    if _reads_any(b.eqns, t_outs, set(douts), through_tapes=False):
        raise AutodiffError(f"forward mode (jvp) through {what}: the tangent is the "
                            "backward rule transposed in its cotangent, and this rule is not "
                            "linear in it, so the answer would depend on the rest of the "
                            "function", eqn.loc,
                            hint="write the rule linear in the cotangent (as every true "
                                 "gradient is), or use grad or vjp through it")
    # through a loop's tape only: the tape may hold values of the cotangent that the
    # transpose does not use (a loop summing it); checked when the program runs, below
    reads_cotangent = _reads_any(b.eqns, t_outs, set(douts))
    transposed = Function(f"{callee.name}_transposed", (*bwd.invars, *t_vars), tuple(b.eqns),
                          tuple(t_outs), bwd.loc)
    fwd = callee.derived["custom_forward"]
    if callee.derived["forward_is_the_call"]:  # a bprop: its forward is the call itself
        current().eqns.append(eqn)
        env = dict(zip(fwd.invars, eqn.invars)) | dict(zip(fwd.eqns[0].outvars, eqn.outvars))
        residuals = [env.get(a, a) if isinstance(a, Var) else a for a in fwd.outvars[n_out:]]
    else:  # the user's fwd in the call's place, as in reverse mode: outputs and residuals
        residuals = _bind(fwd, list(eqn.invars), eqn.outvars)[n_out:]
        _check_zero_at_zero(bwd, residuals, eqn, what)
    t_args = [tangents.get(a) if isinstance(a, Var) else None for a in floats]
    t_args = [P.zeros_like(a) if t is None else t for a, t in zip(floats, t_args)]
    ones = [P.ones_like(o) for o in eqn.outvars]  # any point: the transpose ignores it
    outs = _bind(transposed, [*residuals, *eqn.invars, *ones, *t_args])
    if reads_cotangent:  # it ignores it if it gives the same at another point
        twos = [P.mul(2.0, one) for one in ones]
        again = _bind(transposed, [*residuals, *eqn.invars, *twos, *t_args])
        _check_same(outs, again, f"forward mode (jvp) through {what}: the tangent is the "
                                 "backward rule transposed in its cotangent, and this rule "
                                 "is not linear in it, so the answer would depend on the "
                                 "rest of the function")
    for o, t in zip(eqn.outvars, outs):
        if o.aval.is_float:
            if isinstance(t, Var) and all(t is not a for a in t_args):
                t.hint = f"t_{o.hint or 'out'}"  # the output's tangent, not a cotangent
            tangents[o] = t


def _check_zero_at_zero(bwd: Function, residuals: list[Any], eqn: Eqn, what: str) -> None:
    """A custom_vjp's ``bwd`` must give zeros for a zero cotangent: one that does not
    (``2 * x * g + 1``) is affine, not linear, and its transpose would drop the
    constant that ``grad`` keeps. Checked when the program runs (no rule says so
    while compiling); a NaN passes (``0 * inf``: a linear rule at a singular point)."""
    zeros = [P.zeros_like(o) for o in eqn.outvars]
    grads = [g for g in _bind(bwd, [*residuals, *eqn.invars, *zeros]) if g is not None]
    if not grads:
        return
    test = None
    for g in grads:
        zero = P.reduce_all(P.logical_or(P.equal(g, 0), P.isnan(g)))
        test = zero if test is None else P.logical_and(test, zero)
    P.check(test, f"forward mode (jvp) through {what}: its backward rule is not 0 at a 0 "
                  "cotangent (not linear in it, e.g. 2 * x * g + 1), so its transpose would "
                  "drop what grad keeps", exception=ValueError)


def _check_same(outs: list[Any], again: list[Any], message: str) -> None:
    """Raise ``ValueError`` when the program runs unless each of ``outs`` equals the one
    of ``again`` (NaNs alike)."""
    test = None
    for a, b in zip(outs, again):
        if isinstance(a, Var) and isinstance(b, Var):
            same = P.reduce_all(P.logical_or(P.equal(a, b),
                                             P.logical_and(P.isnan(a), P.isnan(b))))
            test = same if test is None else P.logical_and(test, same)
    if test is not None:
        P.check(test, message, exception=ValueError)


def _jvp_by_rule(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    """Forward mode through a ``custom_jvp``: its rule in the call's place; the outputs
    are the rule's primal outputs (as JAX's jvp gives them), with their tangents."""
    _refuse_captured_tangents(eqn, {a for a in eqn.invars if tangents.get(a) is not None})
    floats = _float_arguments(eqn)
    t_args = [tangents.get(a) if isinstance(a, Var) else None for a in floats]
    t_args = [P.zeros_like(a) if t is None else t for a, t in zip(floats, t_args)]
    rule = eqn.params["callee"].derived["custom_jvp"]
    outs = _bind(rule, [*eqn.invars, *t_args], eqn.outvars)
    for o, t in zip(eqn.outvars, outs[len(eqn.outvars):]):
        if o.aval.is_float:
            tangents[o] = t


def _refuse_captured_tangents(eqn: Eqn, varied: set[Var]) -> None:
    """A ``custom_jvp``'s rule gives tangents for its arguments only: a value it reads
    from the enclosing function that is being differentiated would lose its part."""
    callee = eqn.params["callee"]
    if "custom_jvp" not in callee.derived:
        return  # a bprop's or custom_vjp's captured values get zeros, as MindSpore's do
    n = callee.derived["custom_arity"]
    if any(isinstance(a, Var) and a in varied for a in eqn.invars[n:]):
        raise AutodiffError(f"{callee.derived['custom']} reads a value of the enclosing "
                            "function that is being differentiated; the rule gives no "
                            "derivative for it", eqn.loc,
                            hint="pass that value to the custom_jvp function as an argument")


_OF_SHAPE_ONLY = frozenset([P.zeros_like, P.ones_like, P.zeros_like_tape])


def _reads_any(eqns: list[Eqn], outs: list[Any], sources: set[Var],
               through_tapes: bool = True) -> bool:
    """Whether ``outs`` depend on ``sources`` through ``eqns`` (and loops' tapes)."""
    reached = set(sources)
    for e in eqns:
        if e.prim in _OF_SHAPE_ONLY:  # (an accumulator's zeros like the cotangent)
            continue
        if any(a in reached for a in reads(e)):
            reached.update(v for v in e.outvars if through_tapes or not is_tape(v))
    return any(isinstance(o, Var) and o in reached for o in outs)

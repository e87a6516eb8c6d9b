"""Forward mode: the tangent program of a ``Function``, as more IR.

Walks the equations in order; each primitive reached by a tangent contributes
``rule(t, ans, *args, **params)`` per tangent-carrying argument (its JVP rule), and
the contributions are broadcast to the result's shape and summed — the one place
where forward mode deals with NumPy's broadcasting. Regions carry tangents next to
their values (``control``). Forward over a compiled gradient gives Hessian-vector
products.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import AutodiffError, MissingRuleError, internal_errors_at
from ..ir import primitives as P
from ..ir.builder import building, current
from ..ir.core import Const, Eqn, Function, Var, is_python_float, is_python_int, reads
from .reverse import is_tape


def forward(fn: Function, wrt: Sequence[int]) -> Function:
    """The tangent program of ``fn``: inputs are ``fn``'s followed by one tangent per
    ``wrt`` position; outputs are ``fn``'s followed by one tangent per output."""
    tangent_inputs = [Var(fn.invars[i].aval, f"t_{fn.invars[i].hint or 'x'}") for i in wrt]
    tangents: dict[Var, Any] = {fn.invars[i]: t for i, t in zip(wrt, tangent_inputs)
                                if fn.invars[i].aval.is_float}
    with building(None) as b:
        jvp_eqns(fn.eqns, tangents)
        outs = tuple(tangent_or_zeros(a, tangents) for a in fn.outvars)
    return Function(f"jvp_{fn.name}", fn.invars + tuple(tangent_inputs), tuple(b.eqns),
                    fn.outvars + outs, fn.loc)


class RefusedTangent:
    """The tangent of a value whose derivative is refused (``float(x)`` of an active
    ``x``: a Python number, the gradient through it lost): the refusal is raised where a
    computation reads the tangent, and never where nothing does (``if float(s) > 0``
    only picks a branch), as reverse mode raises only where a cotangent reaches it."""

    def __init__(self, error: AutodiffError) -> None:
        self.error = error


def jvp_eqns(eqns: Sequence[Eqn], tangents: dict[Var, Any]) -> None:
    """Emit ``eqns`` and their tangents into the current builder; record new tangents."""
    b = current()
    for eqn in eqns:
        region = REGION_JVPS.get(eqn.prim)
        touched = any(a in tangents for a in reads(eqn))
        refused = [tangents[a] for a in reads(eqn) if isinstance(tangents.get(a), RefusedTangent)]
        if refused and (region is not None or eqn.prim.differentiable):
            raise refused[0].error
        if region is not None and touched:
            with b.at(eqn.loc), internal_errors_at(eqn.loc):
                region(eqn, tangents)
            continue
        b.eqns.append(eqn)
        if eqn.prim is P.getitem and is_tape(eqn.invars[0]):
            _read_tangent(eqn, tangents)
        elif eqn.prim.differentiable and touched:
            with b.at(eqn.loc), internal_errors_at(eqn.loc):
                _push(eqn, tangents)


def _read_tangent(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    """An element read from a tape: its tangent is read from the tape's tangents."""
    tape, ans = eqn.invars[0], eqn.outvars[0]
    if tape in tangents and (ans.aval.is_float or is_tape(ans)):
        t = tangents[ans] = Var(ans.aval, f"t_{ans.hint or 'saved'}")
        current().eqns.append(Eqn((t,), P.getitem, (tangents[tape], *eqn.invars[1:]), {},
                                  eqn.loc))


def _push(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    if eqn.prim.jvp_all is not None:
        _push_all(eqn, tangents)
        return
    if eqn.prim.jvp is None:
        raise MissingRuleError(f"no JVP rule for '{eqn.prim.name}', but a tangent flows "
                               "through it", eqn.loc,
                               hint="register one with defjvp, or use reverse mode (grad)")
    ans = eqn.outvars[0]
    args = [a.value if isinstance(a, Const) else a for a in eqn.invars]
    total = None
    for i, arg in enumerate(eqn.invars):
        rule = P.rule_of(eqn.prim.jvp, i, eqn) if isinstance(arg, Var) and arg in tangents \
            else None
        if rule is not None:
            try:
                t = _broadcast_like(rule(tangents[arg], ans, *args, **eqn.params), ans)
            except AutodiffError as err:
                if not eqn.prim.refuses_derivatives:
                    raise
                tangents[ans] = RefusedTangent(err)  # (raised where it is read)
                return
            total = t if total is None else P.add_tapes(total, t) if is_tape(ans) \
                else total + t
    # (a list's tangent too: a tape reversed or added, vmap's rows unstacked; dropped, the
    # loops reading it saw no tangent, and a Hessian-vector product came out zero)
    if total is not None and (ans.aval.is_float or is_tape(ans)):
        tangents[ans] = _named(_of_dtype(total, ans), ans, eqn)


def _push_all(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    """A multi-output primitive: one rule gives every output's tangent."""
    args = [a.value if isinstance(a, Const) else a for a in eqn.invars]
    ts = [tangents.get(a) if isinstance(a, Var) else None for a in eqn.invars]
    outs = eqn.prim.jvp_all(ts, eqn.outvars, *args, **eqn.params)
    for ans, t in zip(eqn.outvars, outs):
        if t is not None and ans.aval.is_float:
            tangents[ans] = _named(_of_dtype(_broadcast_like(t, ans), ans), ans, eqn)


def _named(t: Any, ans: Var, eqn: Eqn) -> Any:
    """``t``, named ``t_<name of ans>`` unless a rule named it."""
    if isinstance(t, Var) and not t.hint:
        t.hint = f"t_{ans.hint or eqn.prim.name}"
    return t


def _of_dtype(t: Any, ans: Var) -> Any:
    """``t`` in ``ans``'s dtype, where the two are known and differ: float32 operands
    meeting a float64 constant give a float64 value, whose tangent a rule computed from
    the float32 tangents (``a + np.eye(3)``); JAX's tangent is the value's dtype."""
    have, want = getattr(getattr(t, "aval", None), "dtype", None), ans.aval.dtype
    if have is None or want is None or have == want or have.kind not in "fc" \
            or want.kind not in "fc" or ans.aval.weak:
        return t
    return P.astype(t, want)


def _broadcast_like(t: Any, ans: Var) -> Any:
    if is_tape(ans):  # a list's tangent: a list, never broadcast
        return t
    known = getattr(t, "aval", None)
    if known is not None and known.shape is not None and known.shape == ans.aval.shape:
        return t
    return P.broadcast_to(t, P.shape_of(ans))


def tangent_or_zeros(out: Any, tangents: dict[Var, Any]) -> Any:
    """The tangent of ``out``, or zeros of its shape and dtype where none flows."""
    if isinstance(out, Var) and out in tangents:
        if isinstance(tangents[out], RefusedTangent):
            raise tangents[out].error
        return tangents[out]
    if isinstance(out, Const) and out.value is None:  # a branch's stand-in for a tape
        return None
    if is_tape(out):
        return P.zeros_like_tape(out)
    if is_python_float(out) or is_python_int(out):  # a Python number's: 0.0, which does
        return Const(0.0)  # not promote float32 (nor make an int Jacobian)
    return P.zeros_like(out.value if isinstance(out, Const) else out)


REGION_JVPS: dict[P.Primitive, Any] = {}  # filled by ad.control

"""Reverse mode: the adjoint program of a ``Function``, as more IR.

The forward equations stay as they are (straight-line code needs no tape: forward
values are simply in scope), then the equations are walked backwards calling each
primitive's VJP rule, which binds adjoint equations stamped "grad of" the primal
line. Only *active* values get adjoints: those that depend on a differentiated input
through differentiable primitives and that reach a seeded output.

Control-flow regions are transformed by the rules in ``control``: a region rule may
*augment* its forward equation (a loop then also collects the values its adjoint
reads, its tape) in the forward sweep, and emits the adjoint region in the backward
sweep. ``vjp_split`` is the reusable core: region rules call it on their bodies.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import AutodiffError, MissingRuleError, internal_errors_at
from ..ir import primitives as P
from ..ir.builder import adjoint_loc, building
from ..ir.core import Atom, Aval, Const, Eqn, Function, Var, ndim_of, reads
from .integers import (
    as_integer,
    check_casts_to_integers,
    check_integer_paths,
    integer_exact,
    integer_value,
)

TAPE = Aval(None, np.dtype(object))  # a Python list of per-iteration values (a loop's tape)


def is_tape(v: Any) -> bool:
    """A loop's tape (or a list of cotangents or tangents for one): differentiable as a
    whole only by the loop rules, which read and write it one iteration at a time."""
    return isinstance(v, Var) and v.aval.dtype == TAPE.dtype


def differentiable_value(v: Var) -> bool:
    return v.aval.is_float or is_tape(v)


def varied_values(fn: Function, wrt: Sequence[Var], integers: bool = False) -> set[Var]:
    """Float values (and tapes) that depend on ``wrt`` through differentiable primitives;
    with ``integers`` (integer MindSpore Tensors differentiated: ``ad.integers``), also
    integer ones that depend on an integer ``wrt`` through ``INTEGER_EXACT`` ones (a
    loop's counter or an integer a region carries is never one)."""
    varied = {v for v in wrt if differentiable_value(v) or (integers and integer_value(v))}
    for eqn in fn.eqns:
        if eqn.prim.differentiable and any(a in varied for a in reads(eqn)):
            varied.update(v for v in eqn.outvars if differentiable_value(v))
            if integers and integer_exact(eqn) and any(
                    integer_value(a) and a in varied and differentiates(eqn, i)
                    for i, a in enumerate(eqn.invars)):
                varied.update(v for v in eqn.outvars if integer_value(v))
    return varied


def activity(fn: Function, wrt: Sequence[Var], seeds: Sequence[Atom],
             integers: bool = False) -> set[Var]:
    """Values on a differentiable path from ``wrt`` (inputs or captured values) to
    ``seeds``. A value read only by a primitive with no derivative (``x > 0``, ``float(x)``
    that picks a branch) is not on one: no cotangent reaches it, so a loop or branch
    making it is not differentiated for its sake."""
    return varied_values(fn, wrt, integers) & (reaching(fn, seeds) | set(wrt))


def reaching(fn: Function, seeds: Sequence[Atom]) -> set[Var]:
    """Values a cotangent of ``seeds`` can reach: read by primitives with a derivative
    on the way to them."""
    reached = {v for v in seeds if isinstance(v, Var)}
    for eqn in reversed(fn.eqns):
        if eqn.prim.differentiable and any(v in reached for v in eqn.outvars):
            reached.update(reads(eqn))
    return reached


def reverse(fn: Function, wrt: Sequence[int], seeds: Sequence[int], *,
            cotangent_inputs: bool = False) -> Function:
    """The gradient program of ``fn``.

    Its inputs are ``fn``'s (followed by one cotangent per seeded output when
    ``cotangent_inputs``, else each seed is ``ones_like`` its output); its outputs are
    ``fn``'s outputs followed by one gradient per ``wrt`` position, in that order.
    """
    wrt_vars = [fn.invars[i] for i in wrt]
    seeded = [fn.outvars[i] for i in seeds]
    check_integer_paths(fn, wrt_vars, seeded)
    ct_inputs = [Var(a.aval, f"g_{a.hint or 'out'}" if isinstance(a, Var) else "g_out")
                 for a in seeded] if cotangent_inputs else []
    with building(None) as seeds_b:  # (an output seeded twice sums here)
        cts = list(ct_inputs) if cotangent_inputs else [
            _ones_seed(a) if isinstance(a, Var) else None for a in seeded]
        ct_out = _seed_outputs(fn, seeded, cts)
    forward, backward, grads = vjp_split(fn, wrt_vars, ct_out,
                                         integers=any(integer_value(v) for v in wrt_vars))
    with building(None) as b:
        b.eqns.extend(forward + seeds_b.eqns + backward)
        final = tuple(_in_dtype_of(v, g) if isinstance(g, Var) else _zeros(v, g)
                      for v, g in zip(wrt_vars, grads))
    return Function(f"grad_{fn.name}", fn.invars + tuple(ct_inputs), tuple(b.eqns),
                    fn.outvars + final, fn.loc)


def _seed_outputs(fn: Function, seeded: list[Atom], cts: list[Any]) -> list[Any]:
    """One cotangent (or None) per output of ``fn``; an output seeded twice sums."""
    per_output: list[Any] = [None] * len(fn.outvars)
    for atom, ct in zip(seeded, cts):
        if ct is None or not isinstance(atom, Var):
            continue
        i = fn.outvars.index(atom)
        per_output[i] = ct if per_output[i] is None else per_output[i] + ct
    return per_output


def _in_dtype_of(v: Var, g: Var) -> Var:
    """A gradient has its input's float dtype (a safety net under user rules that let a
    float32 value meet a float64 one; and where the cotangent's dtype is known only at
    run time: a branch made it float64 on one path). A real input's gradient through
    complex values is the real part of the complex cotangent (autograd's and JAX's
    convention)."""
    want, have = v.aval.dtype, g.aval.dtype
    if integer_value(v):
        return as_integer(g, v)
    if want is not None and have is not None and have.kind == "c" and want.kind == "f":
        g = P.real(g)
        have = g.aval.dtype
    if want is not None and want != have and v.aval.is_float and not v.aval.weak:
        return P.astype(g, want)
    return g


def _zeros(v: Var, g: Any) -> Atom:
    """The gradient of an input nothing reached: zeros of its shape and dtype (plus the
    constant ``g`` that reached it); of a Python float, a Python float."""
    if v.aval.weak and v.aval.shape == () and v.aval.dtype is not None:
        value = 0 if g is None else g.value if isinstance(g, Const) else g
        return Const(v.aval.dtype.type(value).item())
    zeros = P.zeros_like(v)
    zeros.hint = f"g_{v.hint or 'x'}"
    return zeros if g is None else zeros + g


def _ones_seed(out: Var) -> Any:
    """MindSpore's sensitivity ``ones_like(out)``; a constant when ``out`` is a known scalar."""
    aval = out.aval
    if ndim_of(out) == 0 and aval.dtype is not None:
        return 1.0 if aval.weak else aval.dtype.type(1)
    return P.ones_like(out)


def vjp_split(fn: Function, wrt: Sequence[Var], ct_out: Sequence[Any], *,
              integers: bool = False) -> tuple[list[Eqn], list[Eqn], list[Any]]:
    """Forward equations (regions augmented with their tapes), adjoint equations, and
    the cotangent of each ``wrt`` value (input or captured) — ``None`` where none
    flows. ``ct_out`` holds one cotangent (or ``None``) per output of ``fn``.
    ``integers``: the gradients of integer ``wrt`` are asked for (``ad.integers``; not
    inside a region, where ``check_integer_paths`` lets none pass)."""
    seeds = [o for o, c in zip(fn.outvars, ct_out) if c is not None]
    active = activity(fn, wrt, seeds, integers)
    check_casts_to_integers(fn, active, seeds)
    with building(None) as fb:
        taped = [_forward(eqn, active) for eqn in fn.eqns]
    with building(None) as bb:
        adjoints = _Adjoints(active, {v: e.prim for e in fn.eqns for v in e.outvars})
        for out, ct in zip(fn.outvars, ct_out):
            if ct is not None and out in active:
                adjoints.add(out, ct)
        for eqn, tape in zip(reversed(fn.eqns), reversed(taped)):
            if any(v in adjoints for v in eqn.outvars):
                with bb.at(adjoint_loc(eqn.loc)), internal_errors_at(eqn.loc):
                    _backward(eqn, tape, adjoints)
    return fb.eqns, bb.eqns, [adjoints.ct.get(v) for v in wrt]


def _forward(eqn: Eqn, active: set[Var]) -> Any:
    """Emit ``eqn`` for the forward sweep; a region rule may augment it with a tape."""
    rule = REGION_RULES.get(eqn.prim)
    if rule is not None and any(a in active for a in reads(eqn)):
        with internal_errors_at(eqn.loc):
            return rule.forward(eqn, active)
    from ..ir.builder import current
    current().eqns.append(eqn)
    return None


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

    def get_or_zeros(self, v: Var) -> Any:
        if v in self.ct:
            return self.ct[v]
        return P.zeros_like_tape(v) if is_tape(v) else P.zeros_like(v)

    def add(self, v: Atom, contribution: Any) -> None:
        if not isinstance(v, Var) or v not in self.active or contribution is None:
            return
        if v not in self.ct:
            total = contribution
        elif is_tape(v):  # a tape two loops read: lists are added element by element
            total = P.add_tapes(self.ct[v], contribution)
        else:
            total = self.ct[v] + contribution
        if isinstance(total, Var) and (not total.hint or v in self.ct):
            total.hint = self.name(v)
            total.made_up = not (isinstance(v, Var) and v.hint)
        self.ct[v] = total


def through_ragged_rows(loc: Any) -> AutodiffError:
    """The gradient through vmap's per-example rows of a run-time shape: they are a list
    that the batched program reads in the order it wrote it, which no adjoint loop does."""
    return AutodiffError(
        "the gradient through vmap of values computed example by example, of a shape "
        "known only at run time, is not supported", loc,
        hint="take the gradient inside vmap, vmap(grad(f)) rather than grad of a function "
             "of vmap(f), or loop over the examples in Python")


# primitives whose rules take a tape (or a list of rows) whole
_OF_TAPES = frozenset([P.reversed_tape, P.add_tapes, P.stack_rows, P.unstack_rows])


def _backward(eqn: Eqn, tape: Any, adjoints: _Adjoints) -> None:
    prim = eqn.prim
    rule = REGION_RULES.get(prim)
    if rule is not None:
        rule.backward(eqn, tape, adjoints)
        return
    if prim not in _OF_TAPES and any(is_tape(a) and a in adjoints.active
                                     and differentiates(eqn, i) for i, a in enumerate(eqn.invars)):
        raise AutodiffError(f"'{prim.name}' reads a loop's tape outside the loop that "
                            "reads it by iteration; its derivative is not supported", eqn.loc,
                            hint="differentiate the original function to this order directly")
    args = [a.value if isinstance(a, Const) else a for a in eqn.invars]
    if prim.n_out == 1:
        if prim.vjp is None:
            raise _missing(eqn)
        g, ans = adjoints[eqn.outvars[0]], eqn.outvars[0]
        summed: dict[Var, Any] = {}  # x * x: both slots' parts, added before accumulating
        for i, arg in enumerate(eqn.invars):
            rule_ = P.rule_of(prim.vjp, i, eqn) if arg in adjoints.active else None
            if rule_ is not None:
                part = rule_(g, ans, *args, **eqn.params)
                if part is not None and integer_value(arg):
                    part = as_integer(part, arg)
                if part is not None:
                    summed[arg] = summed[arg] + part if arg in summed else part
        for arg, part in summed.items():
            adjoints.add(arg, part)
        return
    if prim.vjp_all is None:
        raise _missing(eqn)
    gs = tuple(adjoints.get_or_zeros(v) for v in eqn.outvars)
    for arg, contribution in zip(eqn.invars, prim.vjp_all(gs, eqn.outvars, *args, **eqn.params)):
        adjoints.add(arg, contribution)


def differentiates(eqn: Eqn, position: int) -> bool:
    """Whether ``eqn``'s rule gives its operand at ``position`` a cotangent (a slice read
    back from a tape, an index of ``gather_add``, gets none: no tape to answer for)."""
    if eqn.prim.n_out != 1 or eqn.prim.vjp is None:
        return True
    try:
        return P.rule_of(eqn.prim.vjp, position, eqn) is not None
    except AutodiffError:  # (a rule that refuses the call: it would differentiate)
        return True


def _missing(eqn: Eqn) -> MissingRuleError:
    return MissingRuleError(
        f"no VJP rule for '{eqn.prim.name}', but a gradient flows through it",
        eqn.loc, hint="wrap the value in stop_gradient(...) if it should not be "
                      "differentiated, or register a rule with defvjp")


REGION_RULES: dict[P.Primitive, Any] = {}  # filled by ad.control

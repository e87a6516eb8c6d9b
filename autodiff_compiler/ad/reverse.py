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

TAPE = Aval(None, np.dtype(object))  # a Python list of per-iteration values (a loop's tape)


def is_tape(v: Any) -> bool:
    """A loop's tape (or a list of cotangents or tangents for one): differentiable as a
    whole only by the loop rules, which read and write it one iteration at a time."""
    return isinstance(v, Var) and v.aval.dtype == TAPE.dtype


def differentiable_value(v: Var) -> bool:
    return v.aval.is_float or is_tape(v)


def integer_value(v: Any) -> bool:
    return isinstance(v, Var) and v.aval.dtype is not None and v.aval.dtype.kind in "iu"


# Operations of integers whose rules give an integer cotangent exactly as MindSpore's
# bprops compute it, in integers: sums, products and values moved. An integer Tensor
# differentiated (``pipeline.positions``) carries its gradient back through these and
# through MindSpore's casts of it to a float type (``Var.cast``), where the gradient is
# cast back to it, truncated; through anything else its gradient is refused
# (``check_integer_paths``).
INTEGER_EXACT = frozenset({"add", "sub", "neg", "mul", "square", "reduce_sum", "matmul", "dot",
                           "getitem", "reshape", "broadcast_to", "transpose", "T",
                           "expand_dims", "squeeze", "copy"})


def integer_exact(eqn: Eqn) -> bool:
    """``INTEGER_EXACT``, or a power of an integer by a constant whole number (``x ** 2``:
    ``2 x``, as MindSpore computes it)."""
    if eqn.prim.name == "pow":
        y = eqn.invars[1]
        return isinstance(y, Const) and type(y.value) is int and y.value >= 0
    return eqn.prim.name in INTEGER_EXACT


def varied_values(fn: Function, wrt: Sequence[Var]) -> set[Var]:
    """Float values (and tapes) that depend on ``wrt`` through differentiable primitives;
    and integer ones that depend on an integer ``wrt`` through ``INTEGER_EXACT`` ones."""
    varied = {v for v in wrt if differentiable_value(v) or integer_value(v)}
    for eqn in fn.eqns:
        if eqn.prim.differentiable and any(a in varied for a in reads(eqn)):
            varied.update(v for v in eqn.outvars if differentiable_value(v))
            if integer_exact(eqn) and any(
                    integer_value(a) and a in varied and _differentiates(eqn, i)
                    for i, a in enumerate(eqn.invars)):
                varied.update(v for v in eqn.outvars if integer_value(v))
    return varied


# Operations of integers without a derivative here whose MindSpore gradient is zeros
# too (measured on 2.10: floor division); a comparison's, whose result is a bool, is.
_ZERO_IN_MINDSPORE = frozenset({"floor_divide", "sign", "argmax", "argmin", "stop_gradient",
                                "shape", "size", "ndim", "dtype", "zeros_like", "ones_like"})


def check_integer_paths(fn: Function, wrt: Sequence[Var], seeds: Sequence[Atom]) -> None:
    """Refuse the gradient of an integer ``wrt`` (a MindSpore Tensor's) where it would
    pass through anything but ``INTEGER_EXACT`` operations of integers and MindSpore's
    casts of them to a float type (``Var.cast``): there MindSpore's gradient is not the
    derivative truncated at its casts (``sqrt`` of an integer, ``x / 2``: a float one;
    a cast to another integer type passes it on, where ours has no derivative), or
    not known to be (a loop, a branch, a function of its own)."""
    integers = {v for v in wrt if integer_value(v)}
    if not integers:
        return
    varied = varied_values(fn, wrt)
    # What a cotangent may reach in MindSpore: through everything but a comparison (an
    # operation this package lowers to one it does not differentiate, ``trunc`` in an
    # integer mean, may have a MindSpore gradient; a cast to an integer type has one).
    reached = {v for v in seeds if isinstance(v, Var)}
    for eqn in reversed(fn.eqns):
        if any(v in reached for v in eqn.outvars) and not all(
                isinstance(v, Var) and v.aval.dtype == np.bool_ for v in eqn.outvars):
            reached.update(reads(eqn))
    # values cast to an integer type from one a gradient flows to: MindSpore's gradient
    # goes back through the cast, where here none does; fine where they are only
    # indices or compared
    severed: set[Var] = set()
    for eqn in fn.eqns:
        if not any(v in reached for v in eqn.outvars):
            continue
        operands = {a for a in eqn.invars if isinstance(a, Var)}
        if eqn.prim is P.astype_discrete and (eqn.invars[0] in varied or
                                              eqn.invars[0] in integers or
                                              eqn.invars[0] in severed):
            severed.update(eqn.outvars)
            continue
        for group, carried in ((severed, False), (integers, True)):
            read = [i for i, a in enumerate(eqn.invars) if a in group]
            captured = any(a in group and a not in operands for a in reads(eqn))
            if not (read or captured):
                continue
            if not eqn.prim.differentiable and (eqn.prim.name in _ZERO_IN_MINDSPORE or all(
                    isinstance(v, Var) and v.aval.dtype == np.bool_ for v in eqn.outvars)):
                continue  # zero, as MindSpore's (a comparison's)
            read = [i for i in read if _differentiates(eqn, i)]
            if not read and not captured:
                continue  # read as an index only
            if not captured and integer_exact(eqn) and \
                    all(integer_value(v) for v in eqn.outvars):
                group.update(eqn.outvars)
            elif carried and not captured and eqn.prim is P.astype and eqn.outvars[0].cast:
                continue  # a float from here: differentiated as any float
            else:
                raise _integer_refused(eqn, carried)
    if any(v in severed for v in seeds):
        raise _integer_refused(None, False)


def _integer_refused(eqn: Eqn | None, carried: bool) -> AutodiffError:
    if not carried:
        return AutodiffError(
            "cannot differentiate through a cast to an integer type beside an integer "
            "Tensor differentiated: MindSpore's gradient goes through it (cast back), "
            "where here it has no derivative", eqn.loc if eqn is not None else None,
            hint="cast to a float type, or ops.stop_gradient the cast value")
    what = "converted to a float type inside an operation (sqrt, a division " \
        "by or of a Python number, a function of this package)" \
        if eqn.prim is P.astype else f"through '{eqn.prim.name}'"
    return AutodiffError(
        f"cannot differentiate with respect to an integer Tensor {what} here: "
        "MindSpore's gradient there is not the derivative truncated to an integer "
        "at its casts (a float one, or one computed otherwise), and it is not "
        "computed here", eqn.loc,
        hint="pass a float Tensor (x.astype(ms.float32)) for the derivative, or "
             "leave the integer Tensor out of grad_position; MindSpore's own "
             "integer gradient is given through + - * / of Tensors, sums, "
             "products, indexing and ops.cast to a float type")


def activity(fn: Function, wrt: Sequence[Var], seeds: Sequence[Atom]) -> set[Var]:
    """Values on a differentiable path from ``wrt`` (inputs or captured values) to
    ``seeds``. A value read only by a primitive with no derivative (``x > 0``, ``float(x)``
    that picks a branch) is not on one: no cotangent reaches it, so a loop or branch
    making it is not differentiated for its sake."""
    return varied_values(fn, wrt) & (reaching(fn, seeds) | set(wrt))


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
    forward, backward, grads = vjp_split(fn, wrt_vars, ct_out)
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
        return _as_integer(g, v)
    if want is not None and have is not None and have.kind == "c" and want.kind == "f":
        g = P.real(g)
        have = g.aval.dtype
    if want is not None and want != have and v.aval.is_float and not v.aval.weak:
        return P.astype(g, want)
    return g


def _as_integer(part: Any, v: Var) -> Any:
    """An integer value's cotangent in its dtype: computed in integers
    (``INTEGER_EXACT``) or cast back to it (``astype``'s rule), maybe in a wider type
    (a sum of int32 is int64), whose values fit."""
    dtype = part.aval.dtype if isinstance(part, Var) else np.asarray(part).dtype
    if dtype is None or dtype.kind not in "iu":
        raise AutodiffError(f"internal compiler error: the cotangent of an integer value "
                            f"came as {dtype}")
    return part if dtype == v.aval.dtype else P.astype(part, v.aval.dtype)


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


def vjp_split(fn: Function, wrt: Sequence[Var], ct_out: Sequence[Any]
              ) -> tuple[list[Eqn], list[Eqn], list[Any]]:
    """Forward equations (regions augmented with their tapes), adjoint equations, and
    the cotangent of each ``wrt`` value (input or captured) — ``None`` where none
    flows. ``ct_out`` holds one cotangent (or ``None``) per output of ``fn``."""
    seeds = [o for o, c in zip(fn.outvars, ct_out) if c is not None]
    active = activity(fn, wrt, seeds)
    _check_casts_to_integers(fn, active, seeds)
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


def _check_casts_to_integers(fn: Function, active: set[Var], seeds: Sequence[Atom]) -> None:
    """Refuse a derivative through ``astype`` of a float to an integer type (an integer
    Tensor's gradient, cast back to it, differentiated again): MindSpore's passes
    through it, where here an integer value has none, and the gradient would be zeros."""
    reached = None
    for eqn in fn.eqns:
        if eqn.prim is P.astype and integer_value(eqn.outvars[0]) and eqn.invars[0] in active:
            reached = reaching(fn, seeds) if reached is None else reached
            if eqn.outvars[0] in reached:
                raise AutodiffError(
                    "cannot differentiate through a cast of a float value to an integer "
                    "type (the gradient of an integer Tensor, differentiated again): "
                    "MindSpore's gradient passes through the cast, and here it has none",
                    eqn.loc, hint="differentiate with respect to a float Tensor instead")


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
                                     and _differentiates(eqn, i) for i, a in enumerate(eqn.invars)):
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
                    part = _as_integer(part, arg)
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


def _differentiates(eqn: Eqn, position: int) -> bool:
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

"""Gradients of integer MindSpore Tensors, as MindSpore 2.10 computes them.

MindSpore differentiates an integer Tensor (``grad(net, (0, 1))(data, labels)`` with
int32 ``labels``, or ``x`` itself): each operation's gradient rule runs in the dtypes
it sees, so sums, products, indexing and reshapes of integers give integer cotangents,
exactly; where MindSpore casts an integer Tensor to a float type with its ``Cast`` (an
explicit cast, the promotion of ``+ - *`` and of ``/`` of two Tensors: ``Var.cast``),
the gradient is cast back there, truncated toward zero. Operations that convert the
integer inside themselves (``sqrt``, ``x / 2``) give float gradients, which MindSpore
cannot add to integer ones: those, and anything not shown to compute MindSpore's
gradient (a loop, a branch, a function of its own), are refused here
(``check_integer_paths``). Only integer Tensors asked for reach this module's rules
(``pipeline.positions``); NumPy's integer arrays are refused as JAX refuses them.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.core import Atom, Const, Eqn, Function, Var, free_vars, reads


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
                           "expand_dims", "squeeze", "copy", "where"})


def integer_exact(eqn: Eqn) -> bool:
    """``INTEGER_EXACT``, or a power of an integer by a constant whole number (``x ** 2``:
    ``2 x``, as MindSpore computes it)."""
    if eqn.prim.name == "pow":
        y = eqn.invars[1]
        return isinstance(y, Const) and type(y.value) is int and y.value >= 0
    return eqn.prim.name in INTEGER_EXACT


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
    from .reverse import differentiates, varied_values  # (which uses this module's rules)
    varied = varied_values(fn, wrt, integers=True)
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
            read = [i for i in read if differentiates(eqn, i)]
            if not read and not captured:
                continue  # read as an index only
            if not read and _only_a_bound(eqn, group):
                continue  # ``while i < n``: compared only, zero, as MindSpore's
            if not captured and integer_exact(eqn) and \
                    all(integer_value(v) for v in eqn.outvars):
                group.update(eqn.outvars)
            elif carried and not captured and eqn.prim is P.astype and eqn.outvars[0].cast:
                continue  # a float from here: differentiated as any float
            else:
                raise _integer_refused(eqn, carried)
    if any(v in severed for v in seeds):
        raise _integer_refused(None, False)


def _only_a_bound(eqn: Eqn, group: set[Var]) -> bool:
    """``eqn`` is a ``while`` loop whose condition alone reads the values of ``group``:
    a bound it compares, through which no gradient flows."""
    if eqn.prim is not P.while_loop:
        return False
    return not any(v in group for v in free_vars(eqn.params["body"]))


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


def as_integer(part: Any, v: Var) -> Any:
    """An integer value's cotangent in its dtype: computed in integers
    (``INTEGER_EXACT``) or cast back to it (``astype``'s rule), maybe in a wider type
    (a sum of int32 is int64), whose values fit."""
    dtype = part.aval.dtype if isinstance(part, Var) else np.asarray(part).dtype
    if dtype is None or dtype.kind not in "iu":
        raise AutodiffError(f"internal compiler error: the cotangent of an integer value "
                            f"came as {dtype}")
    return part if dtype == v.aval.dtype else P.astype(part, v.aval.dtype)


def check_casts_to_integers(fn: Function, active: set[Var], seeds: Sequence[Atom]) -> None:
    """Refuse a derivative through ``astype`` of a float to an integer type (an integer
    Tensor's gradient, cast back to it, differentiated again): MindSpore's passes
    through it, where here an integer value has none, and the gradient would be zeros."""
    from .reverse import reaching
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

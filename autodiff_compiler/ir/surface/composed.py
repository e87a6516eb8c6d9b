"""NumPy functions written with other primitives, as NumPy itself defines them.

Each builder here computes exactly what NumPy computes (the same operations in the
same order where the result could differ in the last bit) out of primitives that
already have rules, so the VJP, the JVP, grad of grad and code generation come for
free: ``np.diff`` is slices and a subtraction, ``np.kron`` a broadcast product
reshaped, ``np.rot90`` flips and a swap of axes, ``np.rad2deg`` a product.

Some of them depend on the rank or the shape of their operand (``np.kron``,
``np.cross``, ``np.hsplit``, ``np.vstack`` of one array): in shape-generic code, where
neither is known when compiling, they are refused with a located error saying so.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...errors import AutodiffError
from .. import builder
from .. import primitives as P
from ..core import Var, ndim_of
from . import (
    _static,
    _unsupported,
    register,
)
from .arithmetic import ufunc
from .constructors import _asarray
from .shapes import _arrays, _splitter


def _known_rank(x: Any, what: str) -> int:
    rank = ndim_of(x)
    if rank is None:
        raise _unknown(what, "rank")
    return rank


def _known_shape(x: Any, what: str) -> tuple[int, ...]:
    shape = P.shape_of(x)
    if not isinstance(shape, tuple):
        raise _unknown(what, "shape")
    return shape


def _unknown(what: str, which: str) -> AutodiffError:
    """Shape-generic code does not know the operand's shape; nor does shape-specialised
    code where it depends on the data (the branch a run-time ``if`` takes)."""
    return AutodiffError(f"{what} depends on the {which} of its operand, which is not known "
                         "when compiling (shape-generic code, or a value whose shape depends "
                         "on the branch a run-time condition takes)", builder.current().loc,
                         hint="differentiate shape-specialised code (grad's default, "
                              "specialize=True), give the value the same shape on every "
                              "path, or spell the call with explicit axes")


def _along(x: Any, axis: int, index: Any) -> Any:
    """``x`` indexed by ``index`` (an int or a slice) along ``axis``."""
    return P.getitem(x, P.axis_index(axis, index))


# ---------------------------------------------------------------------------- elementwise

DEGREES_PER_RADIAN = 180.0 / math.pi


def _to_degrees(x):
    return P.mul(x, DEGREES_PER_RADIAN)


def _to_radians(x):
    return P.mul(x, math.pi / 180.0)


# sin(y) / y = sum of (-y^2)^n / (2n + 1)!: through n = 6, exact in float64 for
# |y| < 0.1 pi (the next term is below 1e-19), and so are its first derivatives.
_SINC_SERIES = tuple((-1) ** n / math.factorial(2 * n + 1) for n in range(7))
_SINC_SERIES_BELOW = 0.1  # |x| where the series takes over from sin(y) / y


def _sinc(x):
    """NumPy's ``sin(y) / y`` with ``y = pi * x``, and its series near 0.

    The quotient alone is 0 / 0 at 0 (NumPy moves 0 to 1e-20): its derivative there
    came out 0 and the second -pi^2/3 came out 0 too, with digits lost all around 0 (JAX's
    testSincAtZero). Near 0 the series, an even polynomial, has every derivative right;
    further out the quotient's derivatives lose at most a few digits. Each branch is
    given only the values it is for, so neither makes a nan the other's gradient meets.
    """
    small = P.less(P.abs_(x), _SINC_SERIES_BELOW)
    u = P.square(P.mul(math.pi, P.where(small, x, 0.0)))
    series = _SINC_SERIES[-1]
    for c in reversed(_SINC_SERIES[:-1]):
        series = P.add(P.mul(series, u), c)
    y = P.mul(math.pi, P.where(small, 1.0, x))
    return P.where(small, series, P.div(P.sin(y), y))


def _nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    return P.nan_to_num(x, nan=_static(nan, "nan"), posinf=_static(posinf, "posinf"),
                        neginf=_static(neginf, "neginf"))


def _select(condlist, choicelist, default=0):
    """The first choice whose condition holds: ``where`` nested from the last."""
    conditions, choices = _arrays(condlist, "select"), _arrays(choicelist, "select")
    if len(conditions) != len(choices):
        raise ValueError("list of cases must be same length as list of conditions")
    for i, condition in enumerate(conditions):
        dtype = P.dtype_of(condition) if isinstance(condition, Var) else np.asarray(condition).dtype
        if isinstance(dtype, np.dtype) and dtype != np.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    # NumPy makes each choice and the default an array (no weak Python scalars).
    choices = [c if isinstance(c, Var) else np.asarray(_asarray(c)) for c in choices]
    result = default if isinstance(default, Var) else np.asarray(default)
    for condition, choice in reversed(list(zip(conditions, choices))):
        result = P.where(condition, choice, result)
    return result


register("elementwise", ufunc(P.abs_), np.fabs)
register("elementwise", _to_degrees, np.rad2deg, np.degrees)
register("elementwise", _to_radians, np.deg2rad, np.radians)
register("elementwise", _sinc, np.sinc)
register("elementwise", _nan_to_num, np.nan_to_num)
register("elementwise", _select, np.select)

# ---------------------------------------------------------------------------- shapes


def _rot90(m, k=1, axes=(0, 1)):
    """NumPy's: a quarter turn is a flip of the second axis and a swap of the two."""
    k, axes = _static(k, "k") % 4, _static(axes, "axes")
    if len(axes) != 2 or axes[0] == axes[1]:
        raise ValueError("len(axes) must be 2 and the axes must differ")
    first, second = axes
    if k == 0:
        return m
    if k == 2:
        return P.flip(P.flip(m, axis=first), axis=second)
    if k == 1:
        return P.swapaxes(P.flip(m, axis=second), first, second)
    return P.flip(P.swapaxes(m, first, second), axis=second)


def _rollaxis(a, axis, start=0):
    """``np.rollaxis`` is ``np.moveaxis`` to ``start``, or to ``start - 1`` when the axis
    comes from before ``start``."""
    axis, start = _static(axis, "axis"), _static(start, "start")
    rank = ndim_of(a)
    if rank is not None:
        if not -rank <= axis < rank or not -rank <= start <= rank:
            raise ValueError(f"np.rollaxis: axis {axis} or start {start} is out of bounds "
                             f"for an array of dimension {rank}")
        axis, start = axis % rank, start + rank if start < 0 else start
    elif start != 0 and (axis < 0) != (start < 0):
        _known_rank(a, "np.rollaxis with axis and start of opposite signs")
    before = start != 0 and axis < start
    destination = start - 1 if before else start
    return a if destination == axis else P.moveaxis(a, axis, destination)


def _diagonal(a, offset=0, axis1=0, axis2=1):
    offset, axis1, axis2 = (_static(v, n) for v, n in [(offset, "offset"), (axis1, "axis1"),
                                                       (axis2, "axis2")])
    rank = ndim_of(a)
    if axis1 == axis2 or (rank is not None and axis1 % rank == axis2 % rank):
        raise ValueError("axis1 and axis2 cannot be the same")
    if rank == 2 and {axis1 % 2, axis2 % 2} == {0, 1}:
        return P.diag(a if axis1 % 2 == 0 else P.T(a), k=offset)
    b = P.moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = max(-offset, 0), max(offset, 0)
    n = P.maximum(P.minimum(P.dim_of(b, -2) - rows, P.dim_of(b, -1) - cols), 0)
    i = P.arange(n)
    return P.getitem(b, (Ellipsis, P.add(i, rows), P.add(i, cols)))


def _append(arr, values, axis=None):
    arr, values = _asarray(arr), _asarray(values)
    if axis is None:
        return P.concatenate(P.reshape(arr, -1), P.reshape(values, -1), axis=0)
    return P.concatenate(arr, values, axis=_static(axis, "axis"))


def _kron(a, b):
    """NumPy's: both operands get the same rank (ones in front), then axes of length 1
    interleaved so that their product, reshaped, is the block matrix."""
    a, b = _asarray(a), _asarray(b)
    sa, sb = _known_shape(a, "np.kron"), _known_shape(b, "np.kron")
    if not sa or not sb:
        return P.mul(a, b)
    nd = max(len(sa), len(sb))
    sa, sb = (1,) * (nd - len(sa)) + sa, (1,) * (nd - len(sb)) + sb
    a_parts = P.reshape(a, tuple(d for n in sa for d in (n, 1)))
    b_parts = P.reshape(b, tuple(d for n in sb for d in (1, n)))
    return P.reshape(P.mul(a_parts, b_parts), tuple(x * y for x, y in zip(sa, sb)))


def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a = P.moveaxis(a, _static(axisa, "axisa"), -1) if axisa != -1 else a
    b = P.moveaxis(b, _static(axisb, "axisb"), -1) if axisb != -1 else b
    na, nb = _vector_length(a), _vector_length(b)
    a0, a1, a2 = _components(a, na)
    b0, b1, b2 = _components(b, nb)
    if na == nb == 2:
        return a0 * b1 - a1 * b0
    c = P.stack(a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0, axis=-1)
    return c if axisc == -1 else P.moveaxis(c, -1, _static(axisc, "axisc"))


def _vector_length(x: Any) -> int:
    shape = _known_shape(x, "np.cross")
    n = shape[-1] if shape else None
    if n not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 "
                         "or 3)")
    return n


def _components(x: Any, n: int) -> tuple[Any, Any, Any]:
    parts = [P.getitem(x, (Ellipsis, i)) for i in range(n)]
    return (*parts, 0.0) if n == 2 else tuple(parts)


register("shapes", _rot90, np.rot90)
register("shapes", _rollaxis, np.rollaxis)
register("shapes", _diagonal, np.diagonal, methods=("diagonal",))
register("shapes", _append, np.append)
register("linear algebra", _kron, np.kron)
register("linear algebra", _cross, np.cross)

# ---------------------------------------------------------------------------- joining, splitting


def _column_stack(tup):
    """1-D (and 0-d) arrays become columns: ``atleast_2d`` of the transpose, transposed
    back (a matrix is left as it is, whatever the rank)."""
    columns = [P.T(P.atleast_2d(P.T(a))) if ndim_of(a) is None or ndim_of(a) < 2 else a
               for a in (_asarray(a) for a in _arrays(tup, "column_stack"))]
    return P.concatenate(*columns, axis=1)


def _split_along(axis: int, least_rank: int, what: str) -> Any:
    split = _splitter(False, what)

    def build(ary, indices_or_sections):
        rank = ndim_of(ary)
        if rank is not None and rank < least_rank:
            raise ValueError(f"{what} only works on arrays of {least_rank} or more "
                             "dimensions")
        return split(ary, indices_or_sections, axis=axis)
    return build


def _hsplit(ary, indices_or_sections):
    rank = _known_rank(ary, "np.hsplit")
    if rank == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return _splitter(False, "np.hsplit")(ary, indices_or_sections, axis=1 if rank > 1 else 0)


def stacked_rows(x: Var, vertical: bool) -> Any:
    """``np.vstack(x)`` / ``np.hstack(x)`` of one array: NumPy stacks its rows ``x[i]``."""
    what = "np.vstack" if vertical else "np.hstack"
    shape = _known_shape(x, f"{what} of one array")
    if not shape:
        raise TypeError(f"{what} of a 0-d array: it has no rows to stack")
    if len(shape) == 1:
        return P.reshape(x, (-1, 1)) if vertical else P.copy(x)
    if vertical:
        return P.copy(x) if len(shape) == 2 else P.reshape(x, (-1, *shape[2:]))
    if len(shape) == 2:
        return P.reshape(x, -1)
    return P.reshape(P.moveaxis(x, 0, 1), (shape[1], -1, *shape[3:]))


register("shapes", _column_stack, np.column_stack)
register("shapes", _split_along(0, 2, "np.vsplit"), np.vsplit)
register("shapes", _hsplit, np.hsplit)
register("shapes", _split_along(2, 3, "np.dsplit"), np.dsplit)

# ---------------------------------------------------------------------------- partition


def _kth(kth: Any) -> Any:
    """One ``kth`` may be computed at run time (``int(np.ceil(alpha * n))``): the
    result's shape does not depend on it, and NumPy checks its range as it runs."""
    return kth if isinstance(kth, Var) else _static(kth, "kth")


def _partition(a, kth, axis=-1, kind="introselect", order=None):
    """The entries where ``np.argpartition`` puts them, so the gradient follows that
    permutation (NumPy's partition and argpartition place entries alike)."""
    _unsupported("partition", order=order)
    kth = _kth(kth)
    if axis is None:
        a, axis = P.reshape(a, -1), 0
    axis = _static(axis, "axis")
    return P.take_along_axis(a, P.argpartition(a, kth, axis=axis), axis=axis)


def _argpartition(a, kth, axis=-1, kind="introselect", order=None):
    _unsupported("argpartition", order=order)
    if axis is None:
        return P.argpartition(P.reshape(a, -1), _kth(kth), axis=0)
    return P.argpartition(a, _kth(kth), axis=_static(axis, "axis"))


register("shapes", _partition, np.partition)
register("inactive", _argpartition, np.argpartition, methods=("argpartition",))


def _array_equal(a1, a2, equal_nan=False):
    """NumPy's definition: the same shape (known when compiling, else refused) and
    equal entries, NaNs equal on request. One bool, no gradient through it."""
    a1, a2 = _asarray(a1), _asarray(a2)
    if _known_shape(a1, "np.array_equal") != _known_shape(a2, "np.array_equal"):
        return False
    same = P.equal(a1, a2)
    if _static(equal_nan, "equal_nan"):
        same = P.logical_or(same, P.logical_and(P.isnan(a1), P.isnan(a2)))
    return P.reduce_all(same)


def _array_equiv(a1, a2):
    """NumPy's definition: shapes that broadcast together, and equal entries there."""
    a1, a2 = _asarray(a1), _asarray(a2)
    try:
        np.broadcast_shapes(_known_shape(a1, "np.array_equiv"),
                            _known_shape(a2, "np.array_equiv"))
    except ValueError:
        return False
    return P.reduce_all(P.equal(a1, a2))


register("inactive", _array_equal, np.array_equal)
register("inactive", _array_equiv, np.array_equiv)

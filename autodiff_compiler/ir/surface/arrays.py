"""NumPy's array-building functions written with primitives: ``np.tri``, ``np.dstack``,
``np.insert`` and ``np.delete``.

``np.insert`` and ``np.delete`` take their positions (``obj``) when compiling (but for one
position ``np.delete`` takes at run time, ``_all_but``): NumPy
itself, run on the positions ``0..n-1`` of the axis, says where each entry of the result
comes from, and the result is one gather from the operand (joined with the inserted
values), so the gradient of each entry goes back to where it came from and the values
are copies, NumPy's bit for bit. Both need the length of the axis, so shape-generic
code refuses them with a located error. ``np.tri`` is a constant when its sizes are
known when compiling, else NumPy's comparison of two ranges.

``np.block`` is not here: the frontend converts each element of a sequence named
``arrays`` into one array (as ``np.concatenate`` needs), which would stack the rows of
a nested ``np.block([[a, b], [c, d]])`` before a builder sees them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var
from . import _static, register
from .composed import _known_shape
from .constructors import _array, _asarray, _astype
from .shapes import _arrays, _atleast

# ---------------------------------------------------------------------------- constructors


def _tri(N, M=None, k=0, dtype=float, *, like=None):  # noqa: N803 (NumPy's names)
    """Ones at and below the ``k``-th diagonal: ``arange(N)[:, None] >= arange(-k, M - k)``."""
    k = _static(k, "k")
    if not isinstance(N, Var) and not isinstance(M, Var):
        return np.tri(N, M, k, dtype=_static(dtype, "dtype"))
    M = N if M is None else M  # noqa: N806
    rows = P.reshape(P.arange(N), (-1, 1))
    cols = P.arange(P.sub(0, k), P.sub(M, k))
    return _astype(P.greater_equal(rows, cols), dtype)


register("constructors", _tri, np.tri)

# ---------------------------------------------------------------------------- joining


def _dstack(tup):
    """Each array made 3-D (``atleast_3d``), then joined along the third axis."""
    arrays = _arrays(tup, "dstack")
    arrays = [_atleast(P.atleast_3d, 3)(_asarray(a)) for a in arrays]
    return P.concatenate(*arrays, axis=2)


register("shapes", _dstack, np.dstack)

# ---------------------------------------------------------------------------- insert, delete


def _flat_and_axis(arr: Any, axis: Any, what: str) -> tuple[Any, int, tuple[int, ...]]:
    """``arr`` (flattened when ``axis`` is None), the axis made non-negative, its shape."""
    arr = _asarray(arr)
    if axis is None:
        arr = P.reshape(arr, -1)
        axis = 0
    shape = _known_shape(arr, what)
    axis = _static(axis, "axis")
    if not -len(shape) <= axis < len(shape):
        raise np.exceptions.AxisError(axis, len(shape))
    return arr, axis % len(shape), shape


def _positions(obj: Any) -> Any:
    obj = _static(obj, "the positions (obj)")  # (computed from shapes: known too)
    return obj if isinstance(obj, slice) else np.asarray(obj)


def _insert(arr, obj, values, axis=None):
    arr, axis, shape = _flat_and_axis(arr, axis, "np.insert")
    obj, n = _positions(obj), shape[axis]
    indices = np.arange(*obj.indices(n)) if isinstance(obj, slice) else obj
    values = _asarray(values)
    dtype = P.dtype_of(arr)
    if isinstance(values, Var) and isinstance(dtype, np.dtype) and P.dtype_of(values) != dtype:
        values = _astype(values, dtype)
    if np.size(indices) == 1:  # NumPy's: values of arr's rank, their first axis moved
        values = _array(values, dtype, copy=False, ndmin=len(shape))
        if np.ndim(indices) == 0:
            values = P.moveaxis(values, 0, axis) if isinstance(values, Var) else \
                np.moveaxis(values, 0, axis)
        count = _known_shape(values, "np.insert")[axis] if isinstance(values, Var) \
            else np.shape(values)[axis]
    else:
        count = len(indices)
    slot = (*shape[:axis], count, *shape[axis + 1:])
    values = P.broadcast_to(values, slot) if isinstance(values, Var) else \
        np.broadcast_to(np.asarray(values, dtype), slot)
    # Where each entry comes from: arr's positions 0..n-1, then the inserted n..n+count-1.
    source = np.insert(np.arange(n), obj, np.arange(n, n + count))
    joined = P.concatenate(arr, values, axis=axis)
    return P.getitem(joined, P.axis_index(axis, source))


def _delete(arr, obj, axis=None):
    arr, axis, shape = _flat_and_axis(arr, axis, "np.delete")
    n = shape[axis]
    if isinstance(obj, Var) and obj.aval.shape == () and obj.aval.dtype is not None \
            and obj.aval.dtype.kind in "iu" and n > 0:
        return P.getitem(arr, P.axis_index(axis, _all_but(obj, n, axis)))
    kept = np.delete(np.arange(n), _positions(obj))
    return P.getitem(arr, P.axis_index(axis, kept))


def _all_but(position: Var, n: int, axis: int) -> Any:
    """The positions ``0..n-1`` but one known at run time (``np.delete(x, x.argmax())``):
    ``k`` for ``k`` below it, ``k + 1`` from it on, ``n - 1`` of them, so the result's
    shape is known; out of bounds raises NumPy's IndexError."""
    P.check(P.logical_and(P.greater_equal(position, -n), P.less(position, n)),
            f"np.delete: index out of bounds for axis {axis} with size {n}",
            exception=IndexError)
    k = P.arange(n - 1)
    return P.add(k, _astype(P.greater_equal(k, P.mod(position, n)), np.int64))


register("shapes", _insert, np.insert)
register("shapes", _delete, np.delete)

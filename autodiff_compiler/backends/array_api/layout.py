"""The array API backend's helpers for shapes and indices: the adjoints of
broadcasting, joining, tiling and indexing (``unbroadcast``, ``concat_part``,
``untile``, ``index_add``...) and NumPy's shape functions the standard spells
otherwise (``transpose`` of any rank, ``squeeze`` of every unit axis), written with the
standard's functions only. ``index_add`` writes into a copy at a basic index (ints,
slices, ``None``, ``...``): repeated entries of an index array would need NumPy's
``add.at``, which the standard lacks (``spellings.refusal`` refuses those).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .runtime import KINDS, array_namespace, ndim, shape, within

# ---------------------------------------------------------------------------- shapes


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x``, in the float dtype of ``x``: the adjoint of
    implicit broadcasting and type promotion."""
    xp = array_namespace(g, x)
    if hasattr(g, "dtype") and hasattr(x, "dtype") and g.dtype != x.dtype \
            and xp.isdtype(g.dtype, "real floating") and xp.isdtype(x.dtype, "real floating"):
        g = xp.astype(g, x.dtype)
    target = shape(x)
    if shape(g) == target:
        return g
    lead = ndim(g) - len(target)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(target) if n == 1 and shape(g)[lead + i] != 1)
    return xp.reshape(xp.sum(g, axis=axes), target)


def keepdims_like(v: Any, x: Any, axis: Any) -> Any:
    """``v``, a reduction of ``x`` over ``axis``, shaped as ``keepdims=True`` would have
    left it (a 0-d ``x`` has no axis to restore)."""
    if ndim(x) == 0:
        return v
    kept = list(shape(v))
    for a in sorted(a % ndim(x) for a in (axis if isinstance(axis, tuple) else (axis,))):
        kept.insert(a, 1)
    return array_namespace(v).reshape(v, tuple(kept))


def reshape(x: Any, newshape: Any) -> Any:
    """``xp.reshape`` for a shape given as one int too."""
    xp = array_namespace(x)
    return xp.reshape(xp.asarray(x), (newshape,) if isinstance(newshape, int) else
                      tuple(newshape))


def transpose(x: Any, axes: Any = None) -> Any:
    """``np.transpose``: the axes reversed unless given (``x.T`` of any rank)."""
    xp = array_namespace(x)
    return xp.permute_dims(x, tuple(reversed(range(ndim(x)))) if axes is None else
                           tuple(axes))


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    axes = list(range(ndim(x)))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return array_namespace(x).permute_dims(x, tuple(axes))


def squeeze(x: Any, axis: Any = None) -> Any:
    """``np.squeeze``: every axis of length 1 unless given."""
    if axis is None:
        axis = tuple(i for i, n in enumerate(shape(x)) if n == 1)
    return array_namespace(x).squeeze(x, axis=axis)


def atleast_1d(x: Any) -> Any:
    xp = array_namespace(x)
    x = xp.asarray(x)
    return xp.reshape(x, (1,)) if x.ndim == 0 else x


def atleast_2d(x: Any) -> Any:
    xp = array_namespace(x)
    x = xp.asarray(x)
    return xp.reshape(x, (1,) * (2 - x.ndim) + tuple(x.shape)) if x.ndim < 2 else x


def atleast_3d(x: Any) -> Any:
    """NumPy's ``atleast_3d``: (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    xp = array_namespace(x)
    x = xp.asarray(x)
    new = {0: (1, 1, 1), 1: (1, *x.shape, 1), 2: (*x.shape, 1)}.get(x.ndim)
    return x if new is None else xp.reshape(x, new)


def _of_one_kind(xp: Any, arrays: list) -> list:
    """``arrays``, those of a lower kind (bool, integer, float, complex) cast to the
    dtype the highest kind's promote to, as NumPy joins them: ``np.array([total,
    -1.25])`` of a sum that is the int 0 where nothing was added is float64 (fuzz seed
    1010436); the standard leaves joining mixed kinds undefined. (An integer array
    beside float32 ones becomes float32, as ``runtime.promoted_like`` makes it.)"""
    kinds = [next(k for k, name in enumerate(KINDS) if xp.isdtype(a.dtype, name))
             for a in arrays]
    top = max(kinds)
    if min(kinds) == top:
        return arrays
    dtype = xp.result_type(*(a for a, k in zip(arrays, kinds) if k == top))
    return [a if k == top else xp.astype(a, dtype) for a, k in zip(arrays, kinds)]


def concatenate(*arrays: Any, axis: Any = 0) -> Any:
    """``xp.concat(arrays, axis=axis)``, with the arrays as separate arguments."""
    xp = array_namespace(*arrays)
    return xp.concat(_of_one_kind(xp, [xp.asarray(a) for a in arrays]), axis=axis)


def stack(*arrays: Any, axis: int = 0) -> Any:
    xp = array_namespace(*arrays)
    return xp.stack(_of_one_kind(xp, [xp.asarray(a) for a in arrays]), axis=axis)


def hstack(*arrays: Any) -> Any:
    """``np.hstack``: vectors joined along axis 0, anything else along axis 1."""
    arrays = tuple(atleast_1d(a) for a in arrays)
    return concatenate(*arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


def concat_part(g: Any, *arrays: Any, index: int, axis: Any) -> Any:
    """The piece of ``g`` that ``arrays[index]`` became when they were joined along
    ``axis`` (``None``: by ``hstack``)."""
    xp = array_namespace(g, *arrays)
    target = shape(arrays[index])
    if axis is None:
        arrays = tuple(atleast_1d(a) for a in arrays)
        axis = 0 if ndim(arrays[0]) == 1 else 1
    start = sum(shape(a)[axis] for a in arrays[:index])
    stop = start + shape(arrays[index])[axis]
    part = g[(slice(None),) * (axis % ndim(g)) + (slice(start, stop), Ellipsis)]
    return xp.reshape(part, target)


def cumsum(x: Any, axis: int | None = None) -> Any:
    """NumPy's ``cumsum``: of the flattened array unless an axis is given."""
    xp = array_namespace(x)
    return xp.cumulative_sum(xp.reshape(x, (-1,)) if axis is None else x,
                             axis=0 if axis is None else axis)


def cumprod(x: Any, axis: int | None = None) -> Any:
    xp = array_namespace(x)
    return xp.cumulative_prod(xp.reshape(x, (-1,)) if axis is None else x,
                              axis=0 if axis is None else axis)


def untile(g: Any, x: Any, reps: Any) -> Any:
    """Sum ``g`` over the copies ``tile(x, reps)`` made: its adjoint."""
    xp = array_namespace(g, x)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    n = max(ndim(x), len(reps))
    shape_ = (1,) * (n - ndim(x)) + shape(x)
    reps = (1,) * (n - len(reps)) + reps
    interleaved = tuple(d for pair in zip(reps, shape_) for d in pair)
    return xp.reshape(xp.sum(xp.reshape(g, interleaved), axis=tuple(range(0, 2 * n, 2))),
                      shape(x))


def unrepeat(g: Any, x: Any, repeats: Any, axis: Any = None) -> Any:
    """Sum ``g`` over the copies ``repeat(x, repeats, axis)`` made, for a whole number
    of repeats (each entry's copies are next to each other)."""
    xp = array_namespace(g, x)
    if axis is None:
        flat = xp.reshape(xp.asarray(x), (-1,))
        return xp.reshape(unrepeat(g, flat, repeats, 0), shape(x))
    if not isinstance(repeats, int):
        raise NotImplementedError("unrepeat: repeats given per entry")
    axis %= ndim(g)
    split = (*shape(g)[:axis], shape(x)[axis], repeats, *shape(g)[axis + 1:])
    return xp.sum(xp.reshape(g, split), axis=axis + 1)


def _widths(pad_width: Any, n: int) -> list[tuple[int, int]]:
    """NumPy's spellings of ``pad_width`` (``2``, ``(1, 2)``, ``((2,),)``, a pair per
    axis...: ints known when compiling) as a pair per axis, as NumPy broadcasts them."""
    return [(int(lo), int(hi)) for lo, hi in np.broadcast_to(np.asarray(pad_width), (n, 2))]


def pad(x: Any, pad_width: Any, constant_values: Any = 0) -> Any:
    """``np.pad`` in mode ``constant``: the value's blocks joined on each side of each
    axis (the standard has no pad; ``np.cumprod``'s derivative shifts by padding)."""
    xp = array_namespace(x)
    for axis, (before, after) in enumerate(_widths(pad_width, ndim(x))):
        sides = []
        for width in (before, after):
            side = list(shape(x))
            side[axis] = width
            sides.append(xp.full(tuple(side), constant_values, dtype=x.dtype))
        x = xp.concat([sides[0], x, sides[1]], axis=axis)
    return x


def unpad(g: Any, pad_width: Any) -> Any:
    """The inner part of ``g`` that padding surrounded: its adjoint."""
    widths = _widths(pad_width, ndim(g))
    return g[tuple(slice(lo, size_ - hi) for (lo, hi), size_ in zip(widths, shape(g)))]


# ---------------------------------------------------------------------------- indexing


def getitem(x: Any, index: Any) -> Any:
    """``x[index]``, with ``...`` at the end of an array's index (the standard asks for
    it where NumPy assumes it); a tuple (a shape) is indexed as it is."""
    return x[within(index, shape(x))] if hasattr(x, "shape") else x[index]


def tile(x: Any, reps: Any) -> Any:
    """``xp.tile``, for a count given as one int too."""
    return array_namespace(x).tile(x, (reps,) if isinstance(reps, int) else tuple(reps))


def gather(x: Any, *index: Any) -> Any:
    """``x[index]`` for an index whose parts are computed at run time."""
    return x[within(index, shape(x))]


def index_add(x: Any, index: Any, v: Any) -> Any:
    """A copy of ``x`` with ``v`` added at the basic index ``index``, in ``x``'s dtype
    (NumPy casts what it stores; the standard stores only its own dtype)."""
    xp = array_namespace(x, v)
    out = xp.asarray(x, copy=True)
    index = within(index, shape(out))
    if any(i is None for i in index):  # new axes of length 1: not in ``x``, nor written
        index = tuple(i for i in index if i is not None)
        v = xp.reshape(v, shape(out[index])) if hasattr(v, "shape") else v
    total = out[index] + v
    out[index] = total if total.dtype == out.dtype else xp.astype(total, out.dtype)
    return out


def index_update(x: Any, index: Any, v: Any) -> Any:
    """A copy of ``x`` with ``x[index] = v``."""
    xp = array_namespace(x, v)
    out = xp.asarray(x, copy=True)
    if hasattr(v, "dtype") and v.dtype != out.dtype:  # NumPy casts what it stores
        v = xp.astype(v, out.dtype)
    index = within(index, shape(out))
    if any(i is None for i in index):  # new axes of length 1: not in ``x``, nor written
        v = xp.broadcast_to(xp.asarray(v, dtype=out.dtype), shape(out[index]))
        index = tuple(i for i in index if i is not None)
        v = xp.reshape(v, shape(out[index]))
    out[index] = v
    return out


def gather_add(x: Any, v: Any, *index: Any) -> Any:
    """``index_add`` at an index whose parts are computed at run time (a loop's index)."""
    return index_add(x, index, v)


def gather_update(x: Any, v: Any, *index: Any) -> Any:
    """``index_update`` at an index whose parts are computed at run time."""
    return index_update(x, index, v)


def window(x: Any, start: Any, length: int, axis: int) -> Any:
    """``x[start:start + length]`` along ``axis`` (``start`` known to leave room)."""
    return x[within((slice(None),) * axis + (slice(int(start), int(start) + length),),
                    shape(x))]


def window_add(x: Any, v: Any, start: Any, length: int, axis: int) -> Any:
    """A copy of ``x`` with ``v`` added at ``window(x, start, length, axis)``."""
    return index_add(x, (slice(None),) * axis + (slice(int(start), int(start) + length),), v)


def window_update(x: Any, v: Any, start: Any, length: int, axis: int) -> Any:
    """A copy of ``x`` with ``v`` written at ``window(x, start, length, axis)``."""
    return index_update(x, (slice(None),) * axis + (slice(int(start), int(start) + length),),
                        v)


def diag(x: Any, k: int = 0) -> Any:
    """NumPy's ``diag``: a matrix's ``k``-th diagonal, or a vector on one of zeros."""
    xp = array_namespace(x)
    if ndim(x) == 2:
        return xp.linalg.diagonal(x, offset=k)
    n = shape(x)[0] + abs(k)
    return _on_diagonal(x, n, n, k)


def _on_diagonal(v: Any, n_rows: int, n_cols: int, k: int) -> Any:
    """Zeros of shape ``(n_rows, n_cols)`` with ``v`` on the ``k``-th diagonal: entry
    ``(i, i + k)`` holds ``v[i]`` above the main diagonal, ``v[i + k]`` below."""
    xp = array_namespace(v)
    rows = xp.reshape(xp.arange(n_rows), (n_rows, 1))
    cols = xp.reshape(xp.arange(n_cols), (1, n_cols))
    n = n_rows if k >= 0 else n_cols
    values = xp.concat((v, xp.zeros((n - shape(v)[0],), dtype=v.dtype)))
    values = xp.reshape(values, (n, 1) if k >= 0 else (1, n))
    return xp.where(cols - rows == k, values, xp.zeros((), dtype=v.dtype))


def undiag(g: Any, x: Any, k: int = 0) -> Any:
    """The adjoint of ``diag(x, k)``: a diagonal of ``g``, or (for a matrix ``x``) ``g``
    on the ``k``-th diagonal of zeros shaped like ``x``."""
    if ndim(x) == 1:
        return diag(g, k)
    return _on_diagonal(g, *shape(x), k)


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    xp = array_namespace(x)
    rest = [i for i in range(ndim(x)) if i not in (axis1 % ndim(x), axis2 % ndim(x))]
    moved = xp.permute_dims(x, (*rest, axis1 % ndim(x), axis2 % ndim(x)))
    return xp.sum(xp.linalg.diagonal(moved, offset=offset), axis=-1)

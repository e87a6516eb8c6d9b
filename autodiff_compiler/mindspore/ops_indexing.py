"""MindSpore's gathers and scatters beyond ``ops_scatter``: ``gather_nd``, ``take``,
``index_fill``, the ``*_scatter`` embeddings (``diagonal_scatter``, ``slice_scatter``,
``select_scatter``), the searches (``searchsorted``, ``bucketize``) and
``sequence_mask``; with the scatters that write into their Parameter
(``ops_indexing_in_place``) and the sequence ops (``ops_sequence``), re-exported by
``ops``.

NumPy compiled from this source, so the gradients are those of the indexing done:
``gather_nd``'s is the cotangent added back at its indices (repeats accumulating), an
embedding's is the cotangent cut where ``src`` went (and zero there for ``input``).
``index_fill``'s ``value`` gets the sum of the cotangent where it was written
(MindSpore 2.7.1 gives it zero). The searches' results are integers and carry no
gradient. Shapes and dtypes are checked while compiling (MindSpore's ``ValueError`` /
``TypeError``), index values by an ``assert`` that runs with the code (MindSpore raises
``RuntimeError``); the layouts come from the shapes, so these compile in
shape-specialised code (``grad``'s default) only.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .ops_scatter import known_shape
from .tensor import Tensor

__all__ = ["gather_nd", "take", "index_fill", "diagonal_scatter", "slice_scatter",
           "select_scatter", "searchsorted", "bucketize", "sequence_mask", "strided_slice"]


# ---------------------------------------------------------------------------- gathers


def gather_nd(input_x: Any, indices: Any) -> Any:
    """The slices of ``input_x`` at the index vectors along the last axis of
    ``indices``: shape ``indices.shape[:-1] + input_x.shape[indices.shape[-1]:]``.
    An index outside ``input_x`` (negative ones too) fails, as in MindSpore."""
    shape = known_shape(input_x, "ops.gather_nd")
    rows_shape, strides = _nd_layout(shape, np.shape(indices), indices.dtype)
    assert np.all(np.logical_and(indices >= 0, indices < np.array(shape[:len(strides)]))), \
        f"For 'GatherNd', the values of 'indices' must be inside 'input_x' of shape {shape}"
    at = np.sum(indices * strides, axis=-1)
    return np.reshape(input_x, rows_shape)[at]


def slice_(input_x: Any, begin: Any, size: Any) -> Any:
    """``ops.slice``: ``size[i]`` entries of axis ``i`` from ``begin[i]`` (-1: to the
    end). Named so here, not to hide Python's ``slice`` in this module."""
    return input_x[tuple(slice(b, None if n == -1 else b + n) for b, n in zip(begin, size))]


def strided_slice(input_x: Any, begin: Any, end: Any, strides: Any, begin_mask: int = 0,
                  end_mask: int = 0, ellipsis_mask: int = 0, new_axis_mask: int = 0,
                  shrink_axis_mask: int = 0) -> Any:
    """``ops.StridedSlice`` with these masks, called on ``input_x``."""
    from .operations_slicing import StridedSlice
    return StridedSlice(begin_mask, end_mask, ellipsis_mask, new_axis_mask,
                        shrink_axis_mask)(input_x, begin, end, strides)


def _nd_layout(shape: tuple, index_shape: tuple, index_dtype: Any) -> tuple:
    """``gather_nd``'s checks; then ``input_x``'s shape as rows and each index
    component's stride in rows."""
    if np.dtype(index_dtype) not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"For 'GatherNd', the dtype of 'indices' must be int32 or int64, but "
                        f"got {np.dtype(index_dtype)}")
    if len(index_shape) < 1 or index_shape[-1] > len(shape):
        raise ValueError(f"For 'GatherNd', 'indices' must have at least one axis and its last "
                         f"length at most the rank of 'input_x', but got indices of shape "
                         f"{index_shape} and input_x of shape {shape}")
    depth = index_shape[-1]
    strides = tuple(math.prod(shape[i + 1:depth]) for i in range(depth))
    return (math.prod(shape[:depth]), *shape[depth:]), np.array(strides, np.int64)


def take(input: Any, index: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """The entries of ``input`` flattened at ``index`` (of any shape, which the result
    has); a negative index counts from the end. (MindSpore 2.7.1's CPU build has no
    kernel for it.)"""
    n = np.size(input)
    assert np.all(np.logical_and(index >= -n, index < n)), \
        f"For 'Take', the values of 'index' must be in [{-n}, {n})"
    return np.reshape(input, (-1,))[index]


def index_fill(x: Any, axis: int, index: Any, value: Any) -> Any:
    """``x`` with ``value`` (a number or a 0-d Tensor) in every slice along ``axis``
    named in ``index`` (an int32 vector; negative counts from the end), in ``x``'s
    dtype."""
    shape = known_shape(x, "ops.index_fill")
    axis, n, lay = _fill_layout(shape, axis, np.shape(index), index.dtype, np.ndim(value))
    assert np.all(np.logical_and(index >= -n, index < n)), \
        f"For 'IndexFill', the values of 'index' must be in [{-n}, {n})"
    named = np.reshape(np.arange(n), (-1, 1)) == np.reshape(index % n, (1, -1))
    hit = np.reshape(np.any(named, axis=1), lay)
    return np.where(hit, value, x).astype(x.dtype)


def _fill_layout(shape: tuple, axis: Any, index_shape: tuple, index_dtype: Any,
                 value_ndim: int) -> tuple:
    """``index_fill``'s checks; the axis (from 0), its length, and the shape that lays
    a vector along it."""
    rank = len(shape)
    if not isinstance(axis, int) or isinstance(axis, bool) or not -max(rank, 1) <= axis < \
            max(rank, 1):
        raise ValueError(f"For 'IndexFill', 'axis' must be an int in [{-rank}, {rank}), but "
                         f"got {axis!r}")
    if np.dtype(index_dtype) != np.dtype(np.int32):
        raise TypeError(f"For 'IndexFill', the dtype of 'index' must be int32, but got "
                        f"{np.dtype(index_dtype)}")
    if len(index_shape) > 1 or value_ndim != 0:
        raise ValueError(f"For 'IndexFill', 'index' must be a vector and 'value' a number or "
                         f"a 0-d Tensor, but got index of shape {index_shape} and a value of "
                         f"rank {value_ndim}")
    axis %= max(rank, 1)
    lay = tuple(-1 if d == axis else 1 for d in range(rank))
    return axis, (shape[axis] if rank else 1), lay


# ---------------------------------------------------------------------------- embeddings


def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0,  # noqa: A002
                     dim2: int = 1) -> Any:
    """``input`` with its ``offset``-th diagonal in the plane ``(dim1, dim2)`` replaced
    by ``src``, shaped as ``ops.diagonal`` gives that diagonal (its last axis along it)."""
    shape = known_shape(input, "ops.diagonal_scatter")
    rows, cols = _diagonal_places(shape, offset, dim1, dim2, np.shape(src))
    out = np.copy(np.moveaxis(input, (dim1, dim2), (-2, -1)))
    out[..., rows, cols] = src
    return np.moveaxis(out, (-2, -1), (dim1, dim2))


def _diagonal_places(shape: tuple, offset: int, dim1: int, dim2: int, src_shape: tuple) -> tuple:
    """The rows and columns of the diagonal, once ``dim1``, ``dim2`` are the last axes."""
    rank = len(shape)
    if rank < 2 or not (-rank <= dim1 < rank and -rank <= dim2 < rank) or \
            dim1 % rank == dim2 % rank:
        raise ValueError(f"For 'diagonal_scatter', 'dim1' and 'dim2' must name two different "
                         f"axes of 'input' of shape {shape}, but got {dim1} and {dim2}")
    m, n = shape[dim1], shape[dim2]
    length = max(0, min(m + min(offset, 0), n - max(offset, 0)))
    rest = tuple(s for d, s in enumerate(shape) if d not in (dim1 % rank, dim2 % rank))
    if tuple(src_shape) != (*rest, length):
        raise ValueError(f"For 'diagonal_scatter', 'src' must have the shape of the diagonal, "
                         f"{(*rest, length)}, but got {tuple(src_shape)}")
    steps = np.arange(length)
    return steps + max(-offset, 0), steps + max(offset, 0)


def slice_scatter(input: Any, src: Any, axis: int = 0, start: Any = None,  # noqa: A002
                  end: Any = None, step: int = 1) -> Any:
    """``input`` with the slice ``start:end:step`` along ``axis`` replaced by ``src``."""
    cut = _slice_checked(np.shape(input), np.shape(src), axis, start, end, step)
    out = np.copy(np.moveaxis(input, axis, 0))
    out[cut] = np.moveaxis(src, axis, 0)
    return np.moveaxis(out, 0, axis)


def _slice_checked(shape: tuple, src_shape: tuple, axis: int, start: Any, end: Any,
                   step: int) -> slice:
    rank = len(shape)
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise ValueError(f"For 'slice_scatter', 'axis' must be an int in [{-rank}, {rank}), "
                         f"but got {axis!r}")
    if not isinstance(step, int) or step < 1:
        raise ValueError(f"For 'slice_scatter', 'step' must be a positive int, but got {step!r}")
    cut = slice(start, end, step)
    wanted = list(shape)
    wanted[axis] = len(range(*cut.indices(shape[axis])))
    if tuple(src_shape) != tuple(wanted):
        raise ValueError(f"For 'slice_scatter', 'src' must have the slice's shape "
                         f"{tuple(wanted)}, but got {tuple(src_shape)}")
    return cut


def select_scatter(input: Any, src: Any, axis: int, index: int) -> Any:  # noqa: A002
    """``input`` with its slice ``index`` along ``axis`` (that axis removed: ``src``'s
    shape) replaced by ``src``; a negative ``index`` counts from the end."""
    index = _select_checked(np.shape(input), np.shape(src), axis, index)
    out = np.copy(np.moveaxis(input, axis, 0))
    out[index] = src
    return np.moveaxis(out, 0, axis)


def _select_checked(shape: tuple, src_shape: tuple, axis: int, index: int) -> int:
    rank = len(shape)
    if not isinstance(axis, int) or not -rank <= axis < rank:
        raise ValueError(f"For 'select_scatter', 'axis' must be an int in [{-rank}, {rank}), "
                         f"but got {axis!r}")
    n = shape[axis]
    if not isinstance(index, int) or not -n <= index < n:
        raise ValueError(f"For 'select_scatter', 'index' must be an int in [{-n}, {n}), but "
                         f"got {index!r}")
    wanted = shape[:axis % rank] + shape[axis % rank + 1:]
    if tuple(src_shape) != wanted:
        raise ValueError(f"For 'select_scatter', 'src' must have the shape {wanted}, but got "
                         f"{tuple(src_shape)}")
    return index % n


for _helper in (_nd_layout, _fill_layout, _diagonal_places, _slice_checked, _select_checked):
    _helper.__evaluated_when_compiling__ = True  # pure functions of shapes and numbers


# ---------------------------------------------------------------------------- searches


def searchsorted(sorted_sequence: Any, values: Any, *, out_int32: bool = False,
                 right: bool = False, side: Any = None, sorter: Any = None) -> Any:
    """Where each of ``values`` would go in ``sorted_sequence`` to keep it sorted:
    before equal entries, or after them with ``right=True`` / ``side="right"``. A
    sequence of several axes is searched row by row along its last one, ``values``
    having the same leading axes. ``sorter`` sorts an unsorted sequence. int64, or
    int32 with ``out_int32``; 1-d sequences are NumPy's search, rows a count of the
    entries below (no sort needed per row)."""
    after = _side(right, side)
    if sorter is not None:
        sorted_sequence = np.take_along_axis(sorted_sequence, sorter, axis=-1)
    dtype = np.int32 if out_int32 else np.int64
    if np.ndim(sorted_sequence) == 1:
        found = np.searchsorted(sorted_sequence, values, "right" if after else "left")
        return Tensor(np.asarray(found).astype(dtype))
    _check_rows(np.shape(sorted_sequence), np.shape(values))
    seq = np.expand_dims(sorted_sequence, -2)
    v = np.expand_dims(values, -1)
    below = seq <= v if after else seq < v
    return Tensor(np.sum(below, axis=-1).astype(dtype))


def _side(right: bool, side: Any) -> bool:
    if side not in (None, "left", "right"):
        raise ValueError(f"For 'searchsorted', 'side' must be 'left' or 'right', but got "
                         f"{side!r}")
    if side == "left" and right:
        raise ValueError("For 'searchsorted', side='left' contradicts right=True")
    return bool(right) or side == "right"


def _check_rows(seq_shape: tuple, value_shape: tuple) -> None:
    if tuple(seq_shape[:-1]) != tuple(value_shape[:-1]):
        raise ValueError(f"For 'searchsorted', a sequence of several rows needs 'values' with "
                         f"the same leading axes, but got {tuple(seq_shape)} and "
                         f"{tuple(value_shape)}")


def bucketize(input: Any, boundaries: Any, *, right: bool = False) -> Any:  # noqa: A002
    """The bucket of each entry among the sorted ``boundaries`` (a list of numbers):
    ``i`` with ``boundaries[i-1] < x <= boundaries[i]`` (``<= x <`` with ``right``);
    int32."""
    edges = _boundaries(boundaries)
    found = np.searchsorted(edges, input, "right" if right else "left")
    return Tensor(np.asarray(found).astype(np.int32))


def _boundaries(boundaries: Any) -> np.ndarray:
    if not isinstance(boundaries, list | tuple):
        raise TypeError(f"For 'bucketize', 'boundaries' must be a list of numbers, but got "
                        f"{type(boundaries).__name__}")
    return np.array(boundaries, np.float64)


def sequence_mask(lengths: Any, maxlen: Any = None) -> Any:
    """``mask[..., j] = j < lengths[...]``: a bool Tensor with one more axis, of length
    ``maxlen`` (by default the largest length, known at run time only)."""
    if np.dtype(lengths.dtype) not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"For 'sequence_mask', 'lengths' must be int32 or int64 integers, "
                        f"but got {np.dtype(lengths.dtype)}")
    if maxlen is None:
        maxlen = np.max(lengths)
    return Tensor(np.arange(maxlen) < np.expand_dims(lengths, -1))


for _helper in (_side, _check_rows, _boundaries):
    _helper.__evaluated_when_compiling__ = True



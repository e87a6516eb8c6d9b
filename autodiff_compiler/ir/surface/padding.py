"""``np.pad``'s modes that compute entries rather than copy them: "maximum",
"minimum", "mean" and "median" (a statistic of the first or last ``stat_length``
entries along the axis), "linear_ramp" (from ``end_values`` to the edge), and
"reflect" / "symmetric" with ``reflect_type="odd"`` (each reflection is flipped about
the edge: ``2 * edge - entry``).

NumPy pads one axis after another, each over the array the axes before it padded (so a
corner is the statistic, or ramp, of the padded entries next to it); these do the
same. The statistics are the reductions' own, so the gradient of a maximum goes where
``np.max``'s goes. An odd reflection is linear in the entries of its axis, however
many times it reflects (pad widths beyond the axis reflect the reflection, each about
its new edge as NumPy does): the table of its coefficients is ``np.pad`` of the
identity matrix, made while compiling, and the padded axis is that table times the
entries (the same values to rounding).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from . import UnsupportedArgumentError, _static
from .composed import _along, _known_shape
from .constructors import _astype
from .statistics import _dtype, _median

STAT_MODES = ("maximum", "minimum", "mean", "median")
COMPUTING_MODES = (*STAT_MODES, "linear_ramp")


def _as_pairs(value: Any, rank: int, name: str) -> list[tuple[Any, Any]]:
    """NumPy's ``_as_pairs``: one value, one ``(before, after)`` pair, or a pair per axis."""
    if value is None:
        return [(None, None)] * rank
    pairs = np.broadcast_to(np.asarray(_static(value, name), dtype=object), (rank, 2))
    return [tuple(pair) for pair in pairs]


def _statistic(mode: str, chunk: Any, axis: int) -> Any:
    if mode == "maximum":
        return P.reduce_max(chunk, axis=axis, keepdims=True)
    if mode == "minimum":
        return P.reduce_min(chunk, axis=axis, keepdims=True)
    if mode == "mean":
        return P.reduce_mean(chunk, axis=axis, keepdims=True)
    return _median(chunk, axis=axis, keepdims=True)


def _widened(value: Any, shape: tuple[int, ...], axis: int, width: int) -> Any:
    """``value`` (length 1 along ``axis``) repeated ``width`` times along it."""
    return P.broadcast_to(value, (*shape[:axis], width, *shape[axis + 1:]))


def _stat_sides(array: Any, shape: tuple[int, ...], axis: int, before: int, after: int,
                mode: str, lengths: tuple[Any, Any]) -> tuple[Any, Any]:
    n = shape[axis]
    first, last = (n if length is None else min(int(length), n) for length in lengths)
    if (first == 0 or last == 0) and mode in ("maximum", "minimum"):
        raise ValueError("stat_length of 0 yields no value for padding")
    left = _statistic(mode, _along(array, axis, slice(0, first)), axis)
    right = _statistic(mode, _along(array, axis, slice(n - last, n)), axis)
    dtype = _dtype(array)
    if mode in ("mean", "median") and dtype is not None and dtype.kind in "iub":
        left, right = (_astype(P.round_(side), dtype) for side in (left, right))
    return _widened(left, shape, axis, before), _widened(right, shape, axis, after)


def _ramp_sides(array: Any, shape: tuple[int, ...], axis: int, before: int, after: int,
                ends: tuple[Any, Any]) -> tuple[Any, Any]:
    """``end + (edge - end) * i / width`` for ``i`` counting up to the edge."""
    n, rank = shape[axis], len(shape)
    sides = []
    for width, end, edge, rising in ((before, ends[0], 0, True),
                                     (after, ends[1], n - 1, False)):
        steps = np.arange(width) / width if width else np.zeros(0)
        steps = steps if rising else steps[::-1]
        steps = steps.reshape([-1 if i == axis else 1 for i in range(rank)])
        dtype = _dtype(array)
        if dtype is not None:
            steps = steps.astype(dtype)
        edge_value = _along(array, axis, slice(edge, edge + 1))
        ramp = P.add(end, P.mul(P.sub(edge_value, end), steps))
        sides.append(_widened(ramp, shape, axis, width))
    return sides[0], sides[1]


def _padded_axes(widths: np.ndarray, shape: tuple[int, ...]) -> Any:
    """Each axis padded, with its widths before and after; an empty one raises NumPy's
    error (only 'constant' and 'empty' extend it)."""
    for axis, (before, after) in enumerate(widths):
        before, after = int(before), int(after)
        if not (before or after):
            continue
        if shape[axis] == 0:
            raise ValueError(f"can't extend empty axis {axis} using modes other than "
                             "'constant' or 'empty'")
        yield axis, before, after


def computed_pad(array: Any, widths: np.ndarray, mode: str, stat_length: Any,
                 end_values: Any) -> Any:
    """``np.pad`` in one of ``COMPUTING_MODES``."""
    shape = _known_shape(array, f"np.pad(..., mode={mode!r})")
    dtype = _dtype(array)
    if mode == "linear_ramp" and (dtype is None or dtype.kind not in "fc"):
        raise UnsupportedArgumentError("np.pad(..., mode='linear_ramp') of an array not "
                                       "known to be of floats is not supported yet")
    lengths = _as_pairs(stat_length, len(shape), "stat_length")
    ends = _as_pairs(end_values, len(shape), "end_values")
    for axis, before, after in _padded_axes(widths, shape):
        if mode == "linear_ramp":
            left, right = _ramp_sides(array, shape, axis, before, after, ends[axis])
        else:
            left, right = _stat_sides(array, shape, axis, before, after, mode, lengths[axis])
        array = P.concatenate(left, array, right, axis=axis)
        shape = (*shape[:axis], before + shape[axis] + after, *shape[axis + 1:])
    return array


def odd_reflection(array: Any, widths: np.ndarray, mode: str) -> Any:
    """``np.pad(..., mode, reflect_type="odd")`` as one linear map per padded axis."""
    shape = _known_shape(array, f"np.pad(..., mode={mode!r}, reflect_type='odd')")
    dtype = _dtype(array)
    for axis, before, after in _padded_axes(widths, shape):
        table = np.pad(np.eye(shape[axis]), ((before, after), (0, 0)), mode=mode,
                       reflect_type="odd")
        if dtype is not None:
            table = table.astype(dtype)
        moved = P.moveaxis(array, axis, -1)
        array = P.moveaxis(P.matmul(moved, np.ascontiguousarray(table.T)), -1, axis)
        shape = (*shape[:axis], before + shape[axis] + after, *shape[axis + 1:])
    return array

"""MindSpore's ``ops`` on sequences and segments: ``top_k``, ``msort``, ``argwhere``,
``unique_consecutive``, ``cartesian_prod``, ``combinations``, ``reverse_sequence``,
``mirror_pad``, ``unsorted_segment_max`` / ``_min`` / ``_prod``, ``histc`` and
``logspace``; re-exported by ``ops`` (through ``ops_indexing``).

NumPy compiled from this source: each gradient is that of the indexing, sorting or
reduction it does. ``unsorted_segment_max``/``_min`` share the gradient of a tie
evenly, as MindSpore does; an empty segment holds the dtype's lowest (highest) value,
and an empty product 1. ``unique_consecutive``'s values carry the gradient of the
first entry of each run (MindSpore 2.7.1 has no gradient for it, nor for ``histc`` and
``logspace``); ``argwhere`` and ``histc`` count, and carry none. The tables of indices
(``combinations``, ``reverse_sequence``'s reversal) come from shapes and numbers known
when compiling; ``argwhere`` and ``unique_consecutive`` give results as long as the
data says, known at run time only. Index values outside the range (a segment id, a
sequence length) fail an ``assert``, where MindSpore raises ``RuntimeError``.
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir.core import Var
from .ops_special import topk
from .tensor import Tensor

__all__ = ["top_k", "msort", "argwhere", "unique_consecutive", "cartesian_prod",
           "combinations", "reverse_sequence", "mirror_pad", "unsorted_segment_max",
           "unsorted_segment_min", "unsorted_segment_prod", "histc", "logspace"]


def top_k(input_x: Any, k: int, sorted: bool = True) -> tuple:  # noqa: A002 (MindSpore's)
    """``(values, indices)`` of the ``k`` largest along the last axis, largest first
    (the first of equal values first), indices int32. ``sorted=False`` leaves the order
    free, as MindSpore documents: this order is as good as any."""
    _check_k(np.shape(input_x), k)
    return topk(input_x, k)


def _check_k(shape: tuple, k: Any) -> None:
    n = shape[-1] if shape else 1
    if not isinstance(k, int) or isinstance(k, bool) or not 0 <= k <= n:
        raise ValueError(f"For 'TopK', 'k' must be an int in [0, {n}] (the length of the "
                         f"last axis), but got {k!r}")


def msort(input: Any) -> Any:  # noqa: A002
    """``input`` sorted along its first axis (stably)."""
    order = np.argsort(input, axis=0, kind="stable")
    return np.take_along_axis(input, order, axis=0)


def argwhere(input: Any) -> Any:  # noqa: A002
    """The indices of the nonzero entries, one row each: ``(count, rank)`` int64."""
    if np.ndim(input) == 0:
        raise ValueError("For 'argwhere', 'input' must have at least one axis")
    return Tensor(np.argwhere(input).astype(np.int64))


def unique_consecutive(input: Any, return_inverse: bool = False,  # noqa: A002
                       return_counts: bool = False, dim: Any = None) -> Any:
    """The entries (``dim``: the slices along ``dim``) with each run of equal ones kept
    once; with ``return_inverse`` also the run of each entry (slice), with
    ``return_counts`` each run's length (both int64). Without ``dim`` the input is
    flattened, and the inverse has its shape."""
    if dim is None:
        rows = np.reshape(input, (-1,))
        first = np.concatenate((np.array([True]), rows[1:] != rows[:-1]))
    else:
        rows = np.moveaxis(input, dim, 0)
        changed = rows[1:] != rows[:-1]
        first = np.concatenate((np.array([True]), np.reshape(
            np.any(np.reshape(changed, (np.shape(changed)[0], -1)), axis=1), (-1,))))
    out = rows[first]
    if dim is not None:
        out = np.moveaxis(out, 0, dim)
    results = [out]
    if return_inverse:
        runs = np.cumsum(first.astype(np.int64)) - 1
        results.append(Tensor(np.reshape(runs, np.shape(input)) if dim is None else runs))
    if return_counts:
        starts = np.flatnonzero(first)
        ends = np.concatenate((starts[1:], np.array([np.shape(first)[0]])))
        results.append(Tensor((ends - starts).astype(np.int64)))
    return results[0] if len(results) == 1 else tuple(results)


def cartesian_prod(*inputs: Any) -> Any:
    """Every combination of one entry of each vector, in row-major order:
    ``(prod(lengths), len(inputs))``."""
    grids = np.meshgrid(*inputs, indexing="ij")
    return np.stack([np.reshape(g, (-1,)) for g in grids], axis=1)


def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:  # noqa: A002
    """The ``r``-element combinations of a vector's entries, in order, one per row
    (with ``with_replacement`` an entry may repeat); no row at all, shape ``(0,)``,
    when there are fewer than ``r`` entries."""
    picks = _combination_indices(np.shape(input), r, with_replacement)
    if np.shape(picks)[0] == 0:
        return input[:0]
    return input[picks]


def _combination_indices(shape: tuple, r: int, with_replacement: bool) -> np.ndarray:
    if len(shape) != 1:
        raise ValueError(f"For 'combinations', the dimension 'x' must be 1, but got "
                         f"{len(shape)}")
    if not isinstance(r, int) or r < 1:
        raise ValueError(f"For 'combinations', 'r' must be a positive int, but got {r!r}")
    pick = itertools.combinations_with_replacement if with_replacement \
        else itertools.combinations
    return np.array(list(pick(range(shape[0]), r)), np.int64).reshape(-1, r)


def reverse_sequence(x: Any, seq_lengths: Any, seq_dim: int, batch_dim: int = 0) -> Any:
    """For each index ``b`` along ``batch_dim``, the first ``seq_lengths[b]`` entries
    along ``seq_dim`` reversed, the rest as they are."""
    shape = np.shape(x)
    along, lengths = _sequence_layout(shape, np.shape(seq_lengths), seq_lengths.dtype,
                                      seq_dim, batch_dim)
    assert np.all(np.logical_and(seq_lengths >= 0, seq_lengths <= shape[seq_dim])), \
        f"For 'ReverseSequence', 'seq_lengths' must be in [0, {shape[seq_dim]}]"
    n = np.reshape(seq_lengths, lengths)
    j = np.reshape(np.arange(shape[seq_dim]), along)
    source = np.where(j < n, n - 1 - j, j)
    return np.take_along_axis(x, np.broadcast_to(source, shape), axis=seq_dim)


def _sequence_layout(shape: tuple, length_shape: tuple, length_dtype: Any, seq_dim: int,
                     batch_dim: int) -> tuple:
    """The shapes laying a vector along ``seq_dim`` and along ``batch_dim``."""
    rank = len(shape)
    if not (0 <= seq_dim < rank and 0 <= batch_dim < rank) or seq_dim == batch_dim:
        raise ValueError(f"For 'ReverseSequence', 'seq_dim' and 'batch_dim' must be two "
                         f"different axes in [0, {rank}), but got {seq_dim} and {batch_dim}")
    if np.dtype(length_dtype) not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"For 'ReverseSequence', 'seq_lengths' must be int32 or int64, but "
                        f"got {np.dtype(length_dtype)}")
    if tuple(length_shape) != (shape[batch_dim],):
        raise ValueError(f"For 'ReverseSequence', 'seq_lengths' must be a vector of length "
                         f"x.shape[batch_dim] = {shape[batch_dim]}, but got shape "
                         f"{tuple(length_shape)}")
    return tuple(tuple(-1 if d == axis else 1 for d in range(rank))
                 for axis in (seq_dim, batch_dim))


def mirror_pad(input_x: Any, paddings: Any, mode: str) -> Any:
    """``input_x`` padded by its mirror image: ``paddings`` a ``(rank, 2)`` Tensor of
    (before, after) counts per axis, ``mode`` ``"REFLECT"`` (the edge not repeated;
    counts below the axis length) or ``"SYMMETRIC"`` (repeated; up to the length).
    ``paddings`` must be known when compiling (a constant)."""
    widths, numpy_mode = _mirror_widths(np.shape(input_x), known_value(paddings), mode)
    return np.pad(input_x, widths, mode=numpy_mode)


def known_value(paddings: Any) -> Any:
    """``paddings``; compiled, refused at the user's line unless known when compiling
    (the result's shape depends on it)."""
    return paddings


def _compile_known_value(paddings: Any) -> Any:
    if isinstance(paddings, Var) or (isinstance(paddings, list | tuple) and any(
            isinstance(p, Var) for p in np.ravel(np.asarray(paddings, object)))):
        raise AutodiffError("ops.mirror_pad needs 'paddings' when compiling (the result's "
                            "shape depends on it), but this one is known only at run time",
                            builder.current().loc,
                            hint="write it in the call, as a tuple of ints or "
                                 "Tensor(np.array([[1, 1], [2, 1]], np.int32)), or use "
                                 "ops.pad(x, padding, mode='reflect') with a tuple")
    return paddings


surface.FUNCTIONS[known_value] = _compile_known_value
surface.USER_FUNCTIONS.add(known_value)  # tested with this module


def _mirror_widths(shape: tuple, paddings: Any, mode: Any) -> tuple:
    """NumPy's ``pad_width`` and mode, after MindSpore's checks."""
    if mode not in ("REFLECT", "SYMMETRIC"):
        raise ValueError(f"For 'MirrorPad', the 'mode' must be 'REFLECT' or 'SYMMETRIC', but "
                         f"got {mode!r}")
    pads = np.asarray(paddings)
    if pads.dtype.kind not in "iu" or pads.shape != (len(shape), 2) or np.any(pads < 0):
        raise ValueError(f"For 'MirrorPad', 'paddings' must be a ({len(shape)}, 2) Tensor of "
                         f"non-negative ints, but got {pads.tolist()}")
    for n, (before, after) in zip(shape, pads.tolist()):
        if max(before, after) > n or (mode == "REFLECT" and max(before, after) == n):
            raise ValueError(f"For 'MirrorPad', paddings must be less than the axis length "
                             f"(REFLECT) or at most it (SYMMETRIC), but got {before, after} "
                             f"for an axis of {n}")
    return tuple((int(a), int(b)) for a, b in pads.tolist()), mode.lower()


# ---------------------------------------------------------------------------- segments


def unsorted_segment_max(x: Any, segment_ids: Any, num_segments: int) -> Any:
    """The largest of ``x``'s slices (along ``segment_ids``'s axes) in each of
    ``num_segments`` segments; an empty one holds the dtype's lowest value."""
    return _segment_reduce(x, segment_ids, num_segments, np.max, _extreme(x.dtype, -1))


def unsorted_segment_min(x: Any, segment_ids: Any, num_segments: int) -> Any:
    """The smallest in each segment; an empty one holds the dtype's highest value."""
    return _segment_reduce(x, segment_ids, num_segments, np.min, _extreme(x.dtype, 1))


def unsorted_segment_prod(x: Any, segment_ids: Any, num_segments: int) -> Any:
    """The product in each segment; an empty one is 1."""
    return _segment_reduce(x, segment_ids, num_segments, np.prod, 1)


def _segment_reduce(x: Any, segment_ids: Any, num_segments: int, reduce: Any,
                    empty: Any) -> Any:
    """``reduce`` over each segment's slices, the others replaced by ``empty`` (which
    leaves the reduction as it is): segments first, then ``x``'s remaining axes."""
    member, axes = _segment_layout(np.shape(x), np.shape(segment_ids), segment_ids.dtype,
                                   num_segments)
    assert np.all(np.logical_and(segment_ids >= 0, segment_ids < num_segments)), \
        f"For 'UnsortedSegment', the values of 'segment_ids' must be in [0, {num_segments})"
    inside = np.reshape(np.arange(num_segments), member) == segment_ids
    spread = np.where(np.reshape(inside, np.shape(inside) + (1,) * (np.ndim(x) -
                                                                   np.ndim(segment_ids))),
                      x, np.asarray(empty, x.dtype))
    return reduce(spread, axis=axes).astype(x.dtype)


def _segment_layout(shape: tuple, id_shape: tuple, id_dtype: Any, num_segments: Any) -> tuple:
    """The shape laying the segment numbers before ``segment_ids``'s axes, and those
    axes once the segments come first."""
    if np.dtype(id_dtype) not in (np.dtype(np.int32), np.dtype(np.int64)):
        raise TypeError(f"For 'UnsortedSegment', 'segment_ids' must be int32 or int64, but "
                        f"got {np.dtype(id_dtype)}")
    if tuple(shape[:len(id_shape)]) != tuple(id_shape):
        raise ValueError(f"For 'UnsortedSegment', the shape of 'segment_ids' must begin the "
                         f"shape of 'x', but got {tuple(id_shape)} and {tuple(shape)}")
    if not isinstance(num_segments, int) or num_segments < 1:
        raise ValueError(f"For 'UnsortedSegment', 'num_segments' must be a positive int, but "
                         f"got {num_segments!r}")
    return (-1,) + (1,) * len(id_shape), tuple(range(1, len(id_shape) + 1))


def _extreme(dtype: Any, sign: int) -> Any:
    """The dtype's highest value (``sign`` 1) or lowest (``-1``)."""
    info = np.finfo(dtype) if np.dtype(dtype).kind == "f" else np.iinfo(dtype)
    return info.max if sign > 0 else info.min


# ---------------------------------------------------------------------------- counts, grids


def histc(input: Any, bins: int = 100, min: float = 0.0,  # noqa: A002
          max: float = 0.0) -> Any:  # noqa: A002
    """How many entries fall in each of ``bins`` equal bins over ``[min, max]`` (the
    last bin closed; entries outside not counted), in ``input``'s dtype (float16,
    float32 or int32, as MindSpore takes). ``min == max`` means the data's smallest and
    largest; equal ones widen to ``[v - 1, v + 1]``."""
    _check_histc(input.dtype, bins, min, max)
    values = np.reshape(input, (-1,)).astype(np.float64)
    lo, hi = min, max
    if lo == hi:
        lo, hi = np.min(values), np.max(values)
        same = lo == hi
        lo, hi = np.where(same, lo - 1, lo), np.where(same, hi + 1, hi)
    place = np.floor((values - lo) * bins / (hi - lo))
    place = np.where(values == hi, bins - 1, place)
    inside = np.logical_and(values >= lo, values <= hi)
    hits = np.logical_and(np.reshape(place, (-1, 1)) == np.arange(bins),
                          np.reshape(inside, (-1, 1)))
    return np.sum(hits, axis=0).astype(input.dtype)


def _check_histc(dtype: Any, bins: Any, low: Any, high: Any) -> None:
    if np.dtype(dtype) not in (np.dtype(np.float16), np.dtype(np.float32),
                               np.dtype(np.int32)):
        raise TypeError(f"For 'Histogram', 'input' must be float16, float32 or int32, but "
                        f"got {np.dtype(dtype)}")
    if not isinstance(bins, int) or bins < 1:
        raise ValueError(f"For 'Histogram', 'bins' must be a positive int, but got {bins!r}")
    if low > high:
        raise ValueError(f"For 'Histogram', the 'min' should be <= max: {high}, but got {low}")


def logspace(start: Any, end: Any, steps: int, base: int = 10, *,
             dtype: Any = np.float32) -> Any:
    """``steps`` numbers from ``base ** start`` to ``base ** end``, their exponents
    evenly spaced; ``base`` an int, ``dtype`` a float type, as MindSpore takes."""
    _check_logspace(steps, base, dtype)
    exponents = np.linspace(np.asarray(start).astype(np.float64),
                            np.asarray(end).astype(np.float64), steps)
    return Tensor(np.power(float(base), exponents).astype(dtype))


def _check_logspace(steps: Any, base: Any, dtype: Any) -> None:
    if not isinstance(base, int) or isinstance(base, bool):
        raise TypeError(f"For 'LogSpace', the type of 'base' should be 'int', but got type "
                        f"'{type(base).__name__}'")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"For 'LogSpace', 'steps' must be a positive int, but got {steps!r}")
    if np.dtype(dtype).kind != "f":
        raise TypeError(f"For 'LogSpace', the 'dtype' should be one of float16, float32, "
                        f"float64, but got {np.dtype(dtype)}")


for _helper in (_check_k, _combination_indices, _sequence_layout, _mirror_widths, _segment_layout,
                _extreme, _check_histc, _check_logspace):
    _helper.__evaluated_when_compiling__ = True  # pure functions of shapes and numbers

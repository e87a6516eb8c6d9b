"""More of MindSpore's primitive classes: the scatters into a Parameter
(``P.ScatterMax``, ``P.ScatterNdMul``...) and into a copy (``P.TensorScatterMax``...),
the sorted-segment reductions (``P.SegmentSum``...), special functions (``P.BesselI0``,
``P.Igamma``, ``P.Polygamma``...), windows, and counting and indexing helpers
(``P.InTopK``, ``P.EqualCount``...). Each is one of the ``ops`` functions (or NumPy's)
with MindSpore's settings and call order, so the gradient is that function's; call
conventions and result dtypes are MindSpore 2.10's (CPU), compared on the same inputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops, ops_indexing_in_place, ops_scatter
from .operations import PrimitiveOp, stateless_classes
from .tensor import Tensor


def _scatter_sub(input_x: Any, indices: Any, updates: Any) -> Any:
    """``updates`` subtracted from the rows ``indices`` of ``input_x``, in place."""
    return ops_scatter.scatter_add(input_x, indices, -updates)


def _segment_count(segment_ids: Any) -> int:
    return int(np.asarray(segment_ids)[-1]) + 1 if np.size(segment_ids) else 0


def _segment_sizes(x: Any, segment_ids: Any, n: int) -> Any:
    """How many of ``x``'s slices each of ``n`` segments holds, shaped to broadcast."""
    ids = np.asarray(segment_ids)
    count = ops.unsorted_segment_sum(np.ones(ids.shape, x.dtype), segment_ids, n)
    return np.reshape(count, (n,) + (1,) * (np.ndim(x) - ids.ndim))


def _segments(reduce: Any, empty: Any = 0) -> Any:
    """A sorted-segment reduction (``SegmentMax``...): ``ops``' unsorted one over
    ``segment_ids[-1] + 1`` segments, an empty segment holding ``empty`` (MindSpore's
    0; 1 for a product)."""

    def segment(x: Any, segment_ids: Any) -> Any:
        n = _segment_count(segment_ids)
        total = reduce(x, segment_ids, n)
        if empty is None:
            return total
        return np.where(_segment_sizes(x, segment_ids, n) > 0, total, empty)
    return segment


def _segment_mean(x: Any, segment_ids: Any) -> Any:
    """The mean of each sorted segment (0 for an empty one)."""
    n = _segment_count(segment_ids)
    total = ops.unsorted_segment_sum(x, segment_ids, n)
    return total / np.maximum(_segment_sizes(x, segment_ids, n), 1)


def _eps(x: Any) -> Any:
    """The smallest positive normal value of ``x``'s dtype, in its shape."""
    return np.full_like(x, np.finfo(x.dtype).tiny)


def _unravel_index(indices: Any, dims: Any) -> Any:
    """One row per axis of ``dims``: the coordinates of each flat index."""
    found = np.unravel_index(np.asarray(indices), tuple(np.asarray(dims).tolist()))
    return Tensor(np.stack(found).astype(np.asarray(indices).dtype))


def _invert_permutation(x: Any) -> Any:
    """``y`` with ``y[x[i]] = i``, a tuple of ints (MindSpore's takes and gives one)."""
    return tuple(int(i) for i in np.argsort(np.asarray(x)))


def _bincount(array: Any, size: Any, weights: Any) -> Any:
    """How often each of ``0 .. size - 1`` occurs in ``array`` (or the sum of the
    ``weights`` of its entries, when not empty), in ``weights``' dtype; values
    ``>= size`` are not counted."""
    n = int(np.asarray(size))
    kept = np.asarray(array)[np.asarray(array) < n]
    if np.size(weights):
        w = np.asarray(weights)[np.asarray(array) < n]
        return Tensor(np.bincount(kept, w, n).astype(np.asarray(weights).dtype))
    return Tensor(np.bincount(kept, None, n).astype(np.asarray(weights).dtype))


STATELESS = [
    ("ScatterDiv", ops.scatter_div), ("ScatterMax", ops.scatter_max),
    ("ScatterMin", ops.scatter_min), ("ScatterMul", ops.scatter_mul),
    ("ScatterSub", _scatter_sub),
    ("ScatterNdAdd", ops_indexing_in_place.scatter_nd_add),
    ("ScatterNdSub", ops_indexing_in_place.scatter_nd_sub),
    ("ScatterNdMul", ops_indexing_in_place.scatter_nd_mul),
    ("ScatterNdDiv", ops_indexing_in_place.scatter_nd_div),
    ("ScatterNdMax", ops_indexing_in_place.scatter_nd_max),
    ("ScatterNdMin", ops_indexing_in_place.scatter_nd_min),
    ("TensorScatterDiv", ops.tensor_scatter_div), ("TensorScatterMax", ops.tensor_scatter_max),
    ("TensorScatterMin", ops.tensor_scatter_min), ("TensorScatterMul", ops.tensor_scatter_mul),
    ("TensorScatterSub", ops.tensor_scatter_sub),
    ("SegmentSum", _segments(ops.unsorted_segment_sum, None)),
    ("SegmentMax", _segments(ops.unsorted_segment_max)),
    ("SegmentMin", _segments(ops.unsorted_segment_min)),
    ("SegmentProd", _segments(ops.unsorted_segment_prod, None)),
    ("SegmentMean", _segment_mean), ("UnsortedSegmentProd", ops.unsorted_segment_prod),
    ("BesselI0", ops.bessel_i0), ("BesselI0e", ops.bessel_i0e), ("BesselI1", ops.bessel_i1),
    ("BesselI1e", ops.bessel_i1e), ("BesselJ0", ops.bessel_j0), ("BesselJ1", ops.bessel_j1),
    ("BesselK0", ops.bessel_k0), ("BesselK0e", ops.bessel_k0e), ("BesselK1", ops.bessel_k1),
    ("BesselK1e", ops.bessel_k1e), ("BesselY0", ops.bessel_y0), ("BesselY1", ops.bessel_y1),
    ("Igamma", ops.igamma), ("Igammac", ops.igammac), ("Zeta", ops.zeta),
    ("Polygamma", ops.polygamma), ("Eps", _eps),
    ("SquareSumAll", lambda x, y: (np.sum(np.square(x)), np.sum(np.square(y)))),
    ("UnravelIndex", _unravel_index), ("InvertPermutation", _invert_permutation),
    ("Bincount", _bincount), ("BitwiseAnd", ops.bitwise_and), ("BitwiseOr", ops.bitwise_or),
    ("BitwiseXor", ops.bitwise_xor), ("LeftShift", ops.bitwise_left_shift),
    ("RightShift", ops.bitwise_right_shift), ("Polar", ops.polar), ("Ger", ops.ger),
    ("NextAfter", ops.nextafter),
    ("ConjugateTranspose", lambda x, perm: np.conj(np.transpose(x, perm))),
    ("FillV2", lambda shape, value: Tensor(np.full(tuple(np.asarray(shape).tolist()),
                                                   np.asarray(value)))),
    ("ParallelConcat", lambda values: np.concatenate(values, axis=0)),
    ("IdentityN", lambda x: tuple(x)),
]


class TensorScatterElements(PrimitiveOp):
    attributes = (("axis", 0), ("reduction", "none"))

    def apply(self, input_x: Any, indices: Any, updates: Any) -> Any:
        return ops.tensor_scatter_elements(input_x, indices, updates, self.axis,
                                           self.reduction)


class MultiMarginLoss(PrimitiveOp):
    attributes = (("p", 1), ("margin", 1.0), ("reduction", "mean"))

    def apply(self, x: Any, target: Any, weight: Any = None) -> Any:
        return ops.multi_margin_loss(x, target, self.p, self.margin, weight, self.reduction)


class Mvlgamma(PrimitiveOp):
    attributes = (("p", 1),)

    def apply(self, x: Any) -> Any:
        return ops.mvlgamma(x, self.p)


class _Window(PrimitiveOp):
    """A window of the length given (a 0-d or one-entry integer Tensor) in ``dtype``."""

    attributes = (("periodic", True), ("dtype", np.float32))
    window: Any = None

    def apply(self, length: Any) -> Any:
        return self.window(int(np.asarray(length).item()), self.periodic, dtype=self.dtype)


class BartlettWindow(_Window):
    window = staticmethod(ops.bartlett_window)


class BlackmanWindow(_Window):
    window = staticmethod(ops.blackman_window)


class HammingWindow(_Window):
    attributes = (("periodic", True), ("alpha", 0.54), ("beta", 0.46), ("dtype", np.float32))

    def apply(self, length: Any) -> Any:
        return ops.hamming_window(int(np.asarray(length).item()), self.periodic, self.alpha,
                                  self.beta, dtype=self.dtype)


class ReduceStd(PrimitiveOp):
    """``(std, mean)`` over ``axis`` (all axes when empty), unbiased by default."""

    attributes = (("axis", ()), ("unbiased", True), ("keep_dims", False))

    def apply(self, x: Any) -> Any:
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else (self.axis,)
        axis = axis or None
        return (np.std(x, axis=axis, ddof=1 if self.unbiased else 0, keepdims=self.keep_dims),
                np.mean(x, axis=axis, keepdims=self.keep_dims))


class TrilIndices(PrimitiveOp):
    """The (row, column) coordinates of a ``row`` x ``col`` matrix's lower triangle."""

    attributes = (("row", 0), ("col", 0), ("offset", 0), ("dtype", np.int32))
    pick: Any = staticmethod(ops.tril_indices)

    def apply(self) -> Any:
        return self.pick(self.row, self.col, self.offset, dtype=self.dtype)


class TriuIndices(TrilIndices):
    pick = staticmethod(ops.triu_indices)


class Histogram(PrimitiveOp):
    """``bins`` counts of ``x``'s values over ``[min, max]`` (its range when both are
    0), in ``x``'s dtype."""

    attributes = (("bins", 100), ("min", 0.0), ("max", 0.0))

    def apply(self, x: Any) -> Any:
        return ops.histc(x, self.bins, self.min, self.max)


class LogSpace(PrimitiveOp):
    """``steps`` powers of ``base`` from ``start`` to ``end`` (0-d Tensors)."""

    attributes = (("steps", 10), ("base", 10), ("dtype", np.float32))

    def apply(self, start: Any, end: Any) -> Any:
        exponents = np.linspace(np.asarray(start, np.float64), np.asarray(end, np.float64),
                                self.steps)
        return Tensor(np.power(float(self.base), exponents).astype(self.dtype))


class Renorm(PrimitiveOp):
    attributes = (("p", 2), ("dim", 0), ("maxnorm", 1.0))

    def apply(self, x: Any) -> Any:
        return ops.renorm(x, self.p, self.dim, self.maxnorm)


class ChannelShuffle(PrimitiveOp):
    attributes = (("group", 1),)

    def apply(self, x: Any) -> Any:
        return ops.channel_shuffle(x, self.group)


class Pdist(PrimitiveOp):
    attributes = (("p", 2.0),)

    def apply(self, x: Any) -> Any:
        return ops.pdist(x, self.p)


class UniqueConsecutive(PrimitiveOp):
    """``(output, inverse, counts)``, as ``ops.unique_consecutive``."""

    attributes = (("return_inverse", False), ("return_counts", False), ("dim", None))

    def apply(self, x: Any) -> Any:
        return ops.unique_consecutive(x, True, True, self.dim)


class ApproximateEqual(PrimitiveOp):
    """``|x - y| < tolerance``."""

    attributes = (("tolerance", 1e-05),)

    def apply(self, x: Any, y: Any) -> Any:
        return np.abs(x - y) < self.tolerance


class IndexAdd(PrimitiveOp):
    """``y``'s slices along ``axis`` added into the Parameter ``x`` at ``indices``."""

    attributes = (("axis", 0), ("use_lock", True), ("check_index_bound", True))

    def apply(self, x: Any, indices: Any, y: Any) -> Any:
        return ops.index_add(x, indices, y, self.axis, self.use_lock, self.check_index_bound)


class InTopK(PrimitiveOp):
    """Whether each row's target class is among its ``k`` largest predictions: fewer
    than ``k`` values exceed the target's (so values tied with it count alike), the
    target's value finite and its index a class (else False), as MindSpore 2.10 gives
    it. A bool per row, without a gradient."""

    attributes = (("k", 1),)

    def apply(self, x1: Any, x2: Any) -> Any:
        valid = (x2 >= 0) & (x2 < x1.shape[1])
        value = np.take_along_axis(x1, np.where(valid, x2, 0)[:, None], axis=1)
        above = np.sum(x1 > value, axis=1)
        return valid & np.isfinite(value[:, 0]) & (above < self.k)


class EqualCount(PrimitiveOp):
    """How many entries of ``x`` and ``y`` are equal: one value, shape ``(1,)``, in
    their dtype (MindSpore 2.10's)."""

    def apply(self, x: Any, y: Any) -> Any:
        return np.reshape(np.sum(x == y), (1,)).astype(x.dtype)


_made = stateless_classes(STATELESS, __name__)
globals().update(_made)

__all__ = ["TensorScatterElements", "MultiMarginLoss", "Mvlgamma", "BartlettWindow",
           "BlackmanWindow", "HammingWindow", "ReduceStd", "TrilIndices", "TriuIndices",
           "Histogram", "LogSpace", "Renorm", "ChannelShuffle", "Pdist", "UniqueConsecutive",
           "ApproximateEqual", "IndexAdd", "InTopK", "EqualCount", *_made]

"""MindSpore's Cells over the neural-network functions of ``ops_nn_functional`` and a
few older layers of ``nn``: ``LPPool1d``, ``LPPool2d``, ``LRN``, ``Moments``,
``ReduceLogSumExp``, ``MatDet``, ``MatInverse``, ``MatrixDiag``, ``MatrixDiagPart``,
``MatrixSetDiag``, ``ImageGradients``, ``CentralCrop``, ``RReLU``, ``MaxUnpool1d``,
``MaxUnpool2d`` and ``TripletMarginWithDistanceLoss``; re-exported by ``nn`` (the image
similarity measures are in ``image_quality``).

Each ``construct`` is whole-array NumPy (or an ``ops`` function), so a differentiated
function compiles it like user code. Choices, as MindSpore 2.7.1 makes them (measured,
or documented where its CPU build has no kernel):

* ``Moments`` gives the mean and the biased variance.
* ``MatDet`` and ``MatInverse`` are documented for symmetric positive-definite
  matrices (MindSpore goes through a Cholesky factor, and has no CPU kernel for them);
  here they are the determinant and inverse of any square matrix, which agree there.
* ``MatrixDiag`` lays the last axis on a diagonal, ``MatrixDiagPart`` reads the main
  diagonal of the last two axes, ``MatrixSetDiag`` writes it (no CPU kernel either).
* ``RReLU`` multiplies each negative entry by a slope drawn uniformly from
  ``[lower, upper]`` at every call, in training and evaluation alike, as MindSpore 2.7.1
  does (from NumPy's global random state here); the gradient is that slope.
* ``MaxUnpool`` writes each value at its index of the flattened output plane; of values
  sent to one index the last is kept, as MindSpore's kernel does. The write is a
  one-hot contraction, so the gradient of a value is the cotangent at its index, and
  none for a value overwritten by a later one (MindSpore's gradient reads the cotangent
  at the index for it too).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_nn, ops_nn_functional, ops_shape
from .losses import LossBase
from .nn import Cell
from .ops_distances import _p_norm

__all__ = ["LPPool1d", "LPPool2d", "LRN", "Moments", "ReduceLogSumExp", "MatDet",
           "MatInverse", "MatrixDiag", "MatrixDiagPart", "MatrixSetDiag", "ImageGradients",
           "CentralCrop", "RReLU", "MaxUnpool1d", "MaxUnpool2d",
           "TripletMarginWithDistanceLoss"]


# ---------------------------------------------------------------------------- pooling


class LPPool1d(Cell):
    """``ops.lp_pool1d`` with these settings."""

    def __init__(self, norm_type: float, kernel_size: int, stride: Any = None,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type, self.kernel_size = norm_type, kernel_size
        self.stride, self.ceil_mode = stride, ceil_mode

    def construct(self, x: Any) -> Any:
        return ops_nn_functional.lp_pool1d(x, self.norm_type, self.kernel_size, self.stride,
                                           self.ceil_mode)


class LPPool2d(LPPool1d):
    """``ops.lp_pool2d`` with these settings."""

    def construct(self, x: Any) -> Any:
        return ops_nn_functional.lp_pool2d(x, self.norm_type, self.kernel_size, self.stride,
                                           self.ceil_mode)


class LRN(Cell):
    """``ops.lrn`` with these settings."""

    def __init__(self, depth_radius: int = 5, bias: float = 1.0, alpha: float = 1.0,
                 beta: float = 0.5, norm_region: str = "ACROSS_CHANNELS") -> None:
        super().__init__()
        if norm_region != "ACROSS_CHANNELS":
            raise ValueError(f"LRN: norm_region must be 'ACROSS_CHANNELS', not "
                             f"{norm_region!r}")
        self.depth_radius, self.bias, self.alpha, self.beta = depth_radius, bias, alpha, beta
        self.norm_region = norm_region

    def construct(self, input_x: Any) -> Any:
        return ops_nn_functional.lrn(input_x, self.depth_radius, self.bias, self.alpha,
                                     self.beta, self.norm_region)


class MaxUnpool1d(Cell):
    """The inverse of ``max_pool1d`` with indices: each value of ``x`` (N, C, L) or
    (C, L) at its index along a zero output of length ``(L - 1) stride - 2 padding +
    kernel_size`` (or the last entry of ``output_size``)."""

    spatial = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = self._per_axis(kernel_size)
        self.stride = self.kernel_size if stride is None else self._per_axis(stride)
        self.padding = self._per_axis(padding)
        self.cell_name = type(self).__name__

    def _per_axis(self, value: Any) -> tuple:
        values = (value,) * self.spatial if isinstance(value, int) else tuple(value)
        if len(values) != self.spatial:
            raise ValueError(f"{type(self).__name__}: expected {self.spatial} sizes, not "
                             f"{value!r}")
        return values

    def construct(self, x: Any, indices: Any, output_size: Any = None) -> Any:
        sizes = _unpooled_sizes(self.cell_name, np.shape(x), self.kernel_size,
                                self.stride, self.padding, output_size)
        return _unpool(x, indices, sizes)


class MaxUnpool2d(MaxUnpool1d):
    """``MaxUnpool1d`` over the last two axes of (N, C, H, W) or (C, H, W); an index
    counts along the flattened output plane."""

    spatial = 2


def max_unpool2d(x: Any, indices: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 output_size: Any = None) -> Any:
    """``ops.max_unpool2d``: ``MaxUnpool2d(kernel_size, stride, padding)(x, indices,
    output_size)``."""
    return MaxUnpool2d(kernel_size, stride, padding)(x, indices, output_size)


def _unpooled_sizes(name: str, shape: tuple, kernel: tuple, stride: tuple, padding: tuple,
                    output_size: Any) -> tuple:
    """The spatial lengths of an unpooled output: the last of ``output_size``, or
    ``(n - 1) stride - 2 padding + kernel`` each."""
    spatial = len(kernel)
    if len(shape) not in (spatial + 1, spatial + 2):
        raise ValueError(f"{name}: the input must have {spatial + 1} or {spatial + 2} axes, "
                         f"not shape {shape}")
    default = tuple((n - 1) * s - 2 * p + k
                    for n, s, p, k in zip(shape[-spatial:], stride, padding, kernel))
    if output_size is None or not len(output_size):
        return default
    sizes = tuple(int(n) for n in output_size)[-spatial:]
    if any(not d - s < n < d + s for n, d, s in zip(sizes, default, stride)):
        raise ValueError(f"{name}: output_size {tuple(output_size)} must be within the "
                         f"stride {stride} of {default}, exclusive")
    return sizes


_unpooled_sizes.__evaluated_when_compiling__ = True  # a pure function of shapes, settings


def _later(n: int) -> np.ndarray:
    """(n, n): True where the column comes after the row."""
    return np.triu(np.ones((n, n), dtype=bool), 1)


_later.__evaluated_when_compiling__ = True  # a constant of a length known then


def _unpool(x: Any, indices: Any, sizes: tuple) -> Any:
    """Zeros of ``x``'s leading axes and ``sizes``, with each value of ``x`` written at
    its index into the flattened trailing axes; of repeated indices the last wins."""
    lead = np.shape(x)[:np.ndim(x) - len(sizes)]
    values = np.reshape(x, (*lead, -1))
    at = np.reshape(indices, (*lead, -1))
    plane = int(np.prod(sizes))
    assert np.all((at >= 0) & (at < plane)), f"MaxUnpool: an index is outside [0, {plane})"
    hot = np.expand_dims(at, -1) == np.arange(plane)
    repeated = np.any((np.expand_dims(at, -1) == np.expand_dims(at, -2))
                      & _later(np.shape(at)[-1]), axis=-1)
    kept = hot & ~np.expand_dims(repeated, -1)
    out = np.sum(np.expand_dims(values, -1) * kept.astype(x.dtype), axis=-2)
    return np.reshape(out, (*lead, *sizes))


# ---------------------------------------------------------------------------- reductions


class Moments(Cell):
    """``(mean, variance)`` over ``axis`` (every axis if None), the variance biased."""

    def __init__(self, axis: Any = None, keep_dims: Any = None) -> None:
        super().__init__()
        self.axis = tuple(axis) if isinstance(axis, list) else axis
        self.keep_dims = bool(keep_dims)

    def construct(self, x: Any) -> tuple:
        mean = np.mean(x, axis=self.axis, keepdims=True)
        variance = np.mean(np.square(x - mean), axis=self.axis, keepdims=self.keep_dims)
        if not self.keep_dims:
            mean = np.squeeze(mean, axis=self.axis) if self.axis is not None \
                else np.reshape(mean, ())
        return mean, variance


class ReduceLogSumExp(Cell):
    """``log(sum(exp(x)))`` over ``axis`` (``ops.logsumexp``)."""

    def __init__(self, axis: Any, keep_dims: bool = False) -> None:
        super().__init__()
        self.axis = tuple(axis) if isinstance(axis, list) else axis
        self.keep_dims = keep_dims

    def construct(self, x: Any) -> Any:
        return ops_nn.logsumexp(x, self.axis, self.keep_dims)


# ---------------------------------------------------------------------------- matrices


class MatDet(Cell):
    """The determinant of each matrix of the last two axes."""

    def construct(self, a: Any) -> Any:
        return np.linalg.det(a)


class MatInverse(Cell):
    """The inverse of each matrix of the last two axes."""

    def construct(self, a: Any) -> Any:
        return np.linalg.inv(a)


class MatrixDiag(Cell):
    """Each vector of the last axis (..., n) on the diagonal of an (n, n) matrix."""

    def construct(self, input_x: Any) -> Any:
        return ops_shape.diag_embed(input_x)


class MatrixDiagPart(Cell):
    """The main diagonal of each matrix of the last two axes, (..., min(m, n))."""

    def construct(self, input_x: Any) -> Any:
        return np.diagonal(input_x, 0, -2, -1)


class MatrixSetDiag(Cell):
    """Each matrix of the last two axes of ``input_x`` with its main diagonal replaced
    by the vector of ``diagonal`` (..., min(m, n))."""

    def construct(self, input_x: Any, diagonal: Any) -> Any:
        m, n = np.shape(input_x)[-2:]
        k = min(m, n)
        if np.shape(diagonal)[-1] != k:
            raise ValueError(f"MatrixSetDiag: the diagonal's last axis must be {k}, not "
                             f"shape {np.shape(diagonal)}")
        eye = np.eye(m, n, dtype=input_x.dtype)
        laid = np.expand_dims(diagonal, -1) * np.eye(k, n, dtype=input_x.dtype)
        if m > k:
            laid = np.concatenate([laid, np.zeros((*np.shape(laid)[:-2], m - k, n),
                                                  dtype=input_x.dtype)], axis=-2)
        return input_x * (1 - eye) + laid


# ---------------------------------------------------------------------------- images


class ImageGradients(Cell):
    """``(dy, dx)`` of (N, C, H, W) images: the differences to the next row (column),
    0 on the last row (column)."""

    def construct(self, images: Any) -> tuple:
        if np.ndim(images) != 4:
            raise ValueError(f"ImageGradients: images must be (N, C, H, W), not of shape "
                             f"{np.shape(images)}")
        dy = np.pad(images[:, :, 1:] - images[:, :, :-1], ((0, 0), (0, 0), (0, 1), (0, 0)))
        dx = np.pad(images[:, :, :, 1:] - images[:, :, :, :-1],
                    ((0, 0), (0, 0), (0, 0), (0, 1)))
        return dy, dx


class CentralCrop(Cell):
    """The central ``central_fraction`` of the last two axes of (C, H, W) or (N, C, H,
    W) images: ``int((H - H f) / 2)`` rows off the top and as many off the bottom."""

    def __init__(self, central_fraction: float) -> None:
        super().__init__()
        if not 0.0 < central_fraction <= 1.0:
            raise ValueError(f"CentralCrop: central_fraction must be in (0, 1], not "
                             f"{central_fraction}")
        self.central_fraction = central_fraction

    def construct(self, image: Any) -> Any:
        if np.ndim(image) not in (3, 4):
            raise ValueError(f"CentralCrop: the image must be (C, H, W) or (N, C, H, W), not "
                             f"of shape {np.shape(image)}")
        height, width = np.shape(image)[-2:]
        top = int((height - height * self.central_fraction) / 2)
        left = int((width - width * self.central_fraction) / 2)
        return image[..., top:height - top, left:width - left]


# ---------------------------------------------------------------------------- activations


class RReLU(Cell):
    """``x`` above 0, ``a x`` below, ``a`` drawn from ``U(lower, upper)`` per entry at
    each call."""

    def __init__(self, lower: float = 1 / 8, upper: float = 1 / 3) -> None:
        super().__init__()
        if lower > upper:
            raise ValueError(f"RReLU: lower ({lower}) must be at most upper ({upper})")
        self.lower, self.upper = lower, upper

    def construct(self, x: Any) -> Any:
        slope = np.random.uniform(self.lower, self.upper, np.shape(x))
        return np.where(x >= 0, x, x * slope.astype(x.dtype))


# ---------------------------------------------------------------------------- losses


class TripletMarginWithDistanceLoss(LossBase):
    """``max(0, d(x, positive) - d(x, negative) + margin)``; ``d`` is
    ``distance_function``, by default the Euclidean distance of the last axis (of the
    difference plus ``1e-6``); ``swap`` uses the closer of ``d(x, negative)`` and
    ``d(positive, negative)``."""

    def __init__(self, distance_function: Any = None, swap: bool = False,
                 reduction: str = "mean", margin: float = 1.0) -> None:
        super().__init__(reduction)
        if margin < 0:
            raise ValueError(f"TripletMarginWithDistanceLoss: margin must be at least 0, "
                             f"not {margin}")
        self.distance_function, self.swap, self.margin = distance_function, swap, margin

    def distance(self, a: Any, b: Any) -> Any:
        if self.distance_function is None:
            return _p_norm(a - b + 1e-6, 2, -1)
        return self.distance_function(a, b)

    def construct(self, x: Any, positive: Any, negative: Any) -> Any:
        to_positive = self.distance(x, positive)
        to_negative = self.distance(x, negative)
        if self.swap:
            to_negative = np.minimum(to_negative, self.distance(positive, negative))
        return ops_nn.reduce(np.maximum(to_positive - to_negative + self.margin, 0.0),
                             self.reduction)


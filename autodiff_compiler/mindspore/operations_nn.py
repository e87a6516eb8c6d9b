"""MindSpore's neural-network primitive classes (``P.Conv2D``, ``P.MaxPool``,
``P.BatchNorm``, ``P.LayerNorm``, ``P.Dropout``, ``P.SoftmaxCrossEntropyWithLogits``...):
settings at construction, then the call, each one of the ``ops`` functions (``conv2d``,
``max_pool2d``, ``resize_bilinear_v2``) or a formula, so the gradient is theirs. Values as
MindSpore 2.10 gives them (measured).

``BatchNorm`` is what ``nn.BatchNorm1d``/``2d`` hold as ``bn_train`` and ``bn_infer``
(subclasses call them). Training, it normalises with the batch's mean and biased
variance and moves the moving statistics it is given (Parameters) towards the batch's,
``moving = (1 - momentum) * moving + momentum * batch`` with the *unbiased* variance;
its other outputs are the batch's mean and biased variance, twice (``batch_mean``,
``batch_variance``, then the two reserve spaces, which hold them on MindSpore's CPU
kernel; it leaves the first two unwritten). In inference it normalises with the
statistics it is given, and the four other outputs are zeros, as MindSpore's."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.surface import stop_gradient
from . import ops, ops_conv, ops_nn, ops_resize, ops_special, ops_state
from .operations import PrimitiveOp
from .tensor import Parameter


class Conv2D(PrimitiveOp):
    """``conv2d(x, w)``: ``out_channel`` and ``kernel_size`` describe ``w``, which the
    call is given."""

    attributes = (("out_channel", None), ("kernel_size", None), ("mode", 1),
                  ("pad_mode", "valid"), ("pad", 0), ("stride", 1), ("dilation", 1),
                  ("group", 1), ("data_format", "NCHW"))

    def apply(self, x: Any, weight: Any) -> Any:
        return ops_conv.conv2d(x, weight, None, self.stride, self.pad_mode.lower(), self.pad,
                               self.dilation, self.group)


class EmbeddingLookup(PrimitiveOp):
    """Rows ``indices - offset`` of ``input_params``, zeros for an index outside its
    rows (MindSpore's CPU semantics; measured on 2.10). The gradient is the gather's."""

    def apply(self, input_params: Any, input_indices: Any, offset: Any) -> Any:
        rows = input_indices - offset
        inside = (rows >= 0) & (rows < np.shape(input_params)[0])
        picked = input_params[np.where(inside, rows, 0)]
        return picked * np.reshape(inside, np.shape(inside) + (1,) * (np.ndim(input_params) - 1))


class MaxPool(PrimitiveOp):
    """``max_pool2d`` of windows ``kernel_size`` apart by ``strides`` (``valid``:
    windows inside ``x``; ``same``: padded so that the output has ``ceil(n / stride)``)."""

    attributes = (("kernel_size", 1), ("strides", 1), ("pad_mode", "valid"),
                  ("data_format", "NCHW"))

    def apply(self, x: Any) -> Any:
        return ops_conv.max_pool2d(x, self.kernel_size, self.strides, 0,
                                   pad_mode=self.pad_mode.lower())


class ResizeBilinearV2(PrimitiveOp):
    """``x`` resized to ``size`` bilinearly, sampled as TensorFlow's ``resize_bilinear``
    (``ops_resize.resize_bilinear_v2``)."""

    attributes = (("align_corners", False), ("half_pixel_centers", False))

    def apply(self, x: Any, size: Any) -> Any:
        return ops_resize.resize_bilinear_v2(x, size, self.align_corners,
                                             self.half_pixel_centers)


class ResizeNearestNeighbor(PrimitiveOp):
    """``x`` (N, C, H, W) resized to ``size`` (h, w) by its nearest entries, as
    TensorFlow's ``resize_nearest_neighbor``: output row ``i`` reads row ``floor(i H /
    h)``, or, with ``align_corners``, ``round(i (H - 1) / (h - 1))``."""

    attributes = (("size", None), ("align_corners", False))

    def apply(self, x: Any) -> Any:
        rows = _nearest(np.shape(x)[-2], self.size[0], self.align_corners)
        columns = _nearest(np.shape(x)[-1], self.size[1], self.align_corners)
        return x[..., rows[:, None], columns]


def _nearest(m: int, n: int, align_corners: bool) -> np.ndarray:
    """Which of ``m`` source positions each of ``n`` output positions reads."""
    if align_corners and n > 1:
        return np.minimum(np.round(np.arange(n) * ((m - 1) / (n - 1))), m - 1).astype(np.int64)
    return np.minimum(np.floor(np.arange(n) * (m / n)), m - 1).astype(np.int64)


class L2Loss(PrimitiveOp):
    """Half the sum of squares."""

    def apply(self, x: Any) -> Any:
        return np.sum(x * x) / 2


class SigmoidCrossEntropyWithLogits(PrimitiveOp):
    """Each entry's binary cross-entropy of ``sigmoid(logits)`` and ``labels``, written
    as ``max(x, 0) - x z + log(1 + e^-|x|)`` so that no exponential overflows. No
    gradient reaches ``labels`` (MindSpore 2.10's bprop gives them zero, measured)."""

    def apply(self, logits: Any, labels: Any) -> Any:
        labels = stop_gradient(labels)
        return np.maximum(logits, 0) - logits * labels + np.log1p(np.exp(-np.abs(logits)))


class AvgPool(PrimitiveOp):
    """``avg_pool2d`` of windows ``kernel_size`` apart by ``strides`` (``valid`` or
    ``same``, as ``MaxPool``)."""

    attributes = (("kernel_size", 1), ("strides", 1), ("pad_mode", "valid"),
                  ("data_format", "NCHW"))

    def apply(self, x: Any) -> Any:
        return ops_conv.avg_pool2d(x, self.kernel_size, self.strides,
                                   pad_mode=self.pad_mode.lower())


class _Loss(PrimitiveOp):
    """A loss primitive: its ``reduction`` setting, then the ``ops`` loss's inputs."""

    attributes = (("reduction", "mean"),)


class BCEWithLogitsLoss(_Loss):
    def apply(self, logits: Any, label: Any, weight: Any = None, pos_weight: Any = None) -> Any:
        return ops_nn.binary_cross_entropy_with_logits(logits, label, weight, pos_weight,
                                                       self.reduction)


class BinaryCrossEntropy(_Loss):
    def apply(self, logits: Any, labels: Any, weight: Any = None) -> Any:
        return ops_nn.binary_cross_entropy(logits, labels, weight, self.reduction)


class NLLLoss(_Loss):
    """``(loss, total_weight)``: the loss, and the weight of the targets not ignored."""

    attributes = (("reduction", "mean"), ("ignore_index", -100))

    def apply(self, logits: Any, labels: Any, weight: Any) -> Any:
        loss = ops_nn.nll_loss(logits, labels, weight, self.ignore_index, self.reduction)
        kept = labels != self.ignore_index
        return loss, np.sum(np.where(kept, np.take(weight, np.where(kept, labels, 0)), 0.0))


class KLDivLoss(_Loss):
    def apply(self, logits: Any, labels: Any) -> Any:
        return ops_special.kl_div(logits, labels, self.reduction)


class SmoothL1Loss(PrimitiveOp):
    """Each entry's smooth L1 loss (no reduction by default, as MindSpore's primitive)."""

    attributes = (("beta", 1.0), ("reduction", "none"))

    def apply(self, logits: Any, labels: Any) -> Any:
        return ops_nn.smooth_l1_loss(logits, labels, self.beta, self.reduction)


class SoftmaxCrossEntropyWithLogits(PrimitiveOp):
    """``(loss, dlogits)``: per-row cross-entropy of one-hot (or soft) ``labels`` and
    its derivative for the logits, ``softmax(logits) - labels``, as MindSpore returns.
    No gradient reaches ``labels`` (MindSpore 2.10's bprop gives them zero, measured)."""

    def apply(self, logits: Any, labels: Any) -> Any:
        labels = stop_gradient(labels)
        log_p = ops.log_softmax(logits, -1)
        return -np.sum(labels * log_p, axis=-1), np.exp(log_p) - labels


class SparseSoftmaxCrossEntropyWithLogits(PrimitiveOp):
    """The mean cross-entropy of class indices ``labels`` (``is_grad=True``: its
    derivative for the logits instead)."""

    attributes = (("is_grad", False),)

    def apply(self, logits: Any, labels: Any) -> Any:
        log_p = ops.log_softmax(logits, -1)
        hot = ops.one_hot(labels, logits.shape[-1], 1.0, 0.0).astype(log_p.dtype)
        if self.is_grad:
            return (np.exp(log_p) - hot) / logits.shape[0]
        return -np.mean(np.sum(hot * log_p, axis=-1))


class Dropout(PrimitiveOp):
    """``(output, mask)``: each value kept with probability ``keep_prob`` and scaled by
    ``1 / keep_prob``; the mask in the input's dtype. Drawn as ``ops.dropout`` draws
    (the seeds are MindSpore's generator's: NumPy's global state is used)."""

    attributes = (("keep_prob", 0.5), ("Seed0", 0), ("Seed1", 0))

    def apply(self, x: Any) -> Any:
        keep = np.random.random(np.shape(x)) >= 1 - self.keep_prob
        mask = np.zeros_like(x) + keep  # of x's kind and dtype: a Tensor for a Tensor
        return x * mask / self.keep_prob, mask


class Dropout2D(PrimitiveOp):
    """``(output, mask)`` for ``(N, C, H, W)`` input: whole channels kept with
    probability ``keep_prob`` (scaled by ``1 / keep_prob``); the mask boolean."""

    attributes = (("keep_prob", 0.5),)

    def apply(self, x: Any) -> Any:
        shape = np.shape(x)
        keep = np.random.random((shape[0], shape[1], 1, 1)) >= 1 - self.keep_prob
        return x * keep / self.keep_prob, np.broadcast_to(keep, shape)


class L2Normalize(PrimitiveOp):
    """``x / sqrt(max(sum(x ** 2, axis), epsilon))``."""

    attributes = (("axis", 0), ("epsilon", 1e-4))

    def apply(self, x: Any) -> Any:
        squares = np.sum(x * x, axis=self.axis, keepdims=True)
        return x / np.sqrt(np.maximum(squares, self.epsilon))


class BiasAdd(PrimitiveOp):
    """``x + bias`` along the channel axis (1 for NCHW, the last for NHWC)."""

    attributes = (("data_format", "NCHW"),)

    def apply(self, x: Any, bias: Any) -> Any:
        if self.data_format == "NHWC" or np.ndim(x) == 2:
            return x + bias
        return x + np.reshape(bias, (-1,) + (1,) * (np.ndim(x) - 2))


class Elu(PrimitiveOp):
    attributes = (("alpha", 1.0),)

    def apply(self, x: Any) -> Any:
        return ops.elu(x, self.alpha)


class LayerNorm(PrimitiveOp):
    """``(y, mean, variance)``: ``x`` normalised over the axes from ``begin_norm_axis``,
    scaled by ``gamma`` and shifted by ``beta`` (over the axes from
    ``begin_params_axis``); mean and variance keep the normalised axes as length 1."""

    attributes = (("begin_norm_axis", 1), ("begin_params_axis", 1), ("epsilon", 1e-7))

    def apply(self, x: Any, gamma: Any, beta: Any) -> Any:
        rank = np.ndim(x)
        axes = tuple(range(self.begin_norm_axis % rank, rank))
        mean = np.mean(x, axis=axes, keepdims=True)
        variance = np.mean(np.square(x - mean), axis=axes, keepdims=True)
        y = (x - mean) / np.sqrt(variance + self.epsilon)
        return y * gamma + beta, mean, variance


class BatchNorm(PrimitiveOp):
    """``(y, mean, variance, mean, variance)`` of ``x`` normalised per channel
    (axis 1, or the last with ``NHWC``), scaled by ``scale`` and shifted by ``bias``
    (module docstring)."""

    attributes = (("is_training", False), ("epsilon", 1e-5), ("momentum", 0.1),
                  ("data_format", "NCHW"))

    def apply(self, x: Any, scale: Any, bias: Any, mean: Any, variance: Any) -> Any:
        rank = x.ndim
        channel = rank - 1 if self.data_format == "NHWC" else 1
        axes = tuple(i for i in range(rank) if i != channel)
        shape = tuple(-1 if i == channel else 1 for i in range(rank))
        if self.is_training:
            batch_mean, batch_variance = np.mean(x, axis=axes), np.var(x, axis=axes)
            move_running_statistics(mean, variance, batch_mean, batch_variance,
                                    x.size // x.shape[channel], self.momentum)
            used_mean, used_variance = batch_mean, batch_variance
        else:
            used_mean, used_variance = mean, variance
            batch_mean = batch_variance = np.zeros_like(scale)
        y = (x - np.reshape(used_mean, shape)) / np.sqrt(np.reshape(used_variance, shape)
                                                         + self.epsilon)
        return (y * np.reshape(scale, shape) + np.reshape(bias, shape), batch_mean,
                batch_variance, batch_mean, batch_variance)


def move_running_statistics(running_mean: Parameter, running_var: Parameter, mean: Any,
                            var: Any, n: int, weight: float) -> None:
    """The running statistics moved towards a batch's of ``n`` values per channel (its
    unbiased variance), the batch weighing ``weight``: written with ``ops.assign``, which
    no gradient flows through."""
    unbiased = var * (n / (n - 1)) if n > 1 else var
    ops_state.assign(running_mean, (1.0 - weight) * running_mean + weight * stop_gradient(mean))
    ops_state.assign(running_var, (1.0 - weight) * running_var
                     + weight * stop_gradient(unbiased))


__all__ = ["Conv2D", "EmbeddingLookup", "MaxPool", "AvgPool", "ResizeBilinearV2",
           "ResizeNearestNeighbor", "L2Loss",
           "SigmoidCrossEntropyWithLogits", "BCEWithLogitsLoss", "BinaryCrossEntropy",
           "NLLLoss", "KLDivLoss", "SmoothL1Loss", "SoftmaxCrossEntropyWithLogits",
           "SparseSoftmaxCrossEntropyWithLogits", "Dropout", "Dropout2D", "L2Normalize",
           "BiasAdd", "Elu", "LayerNorm", "BatchNorm"]

"""MindSpore's neural-network primitive classes of older code (``P.Conv2D``,
``P.MaxPool``, ``P.ResizeBilinearV2``, ``P.L2Loss``, ``P.SigmoidCrossEntropyWithLogits``):
settings at construction, then the call, each one of the ``ops`` functions (``conv2d``,
``max_pool2d``, ``resize_bilinear_v2``) or a formula, so the gradient is theirs. Values as
MindSpore 2.10 gives them (measured)."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_conv, ops_nn, ops_resize, ops_special
from .operations import PrimitiveOp


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


class L2Loss(PrimitiveOp):
    """Half the sum of squares."""

    def apply(self, x: Any) -> Any:
        return np.sum(x * x) / 2


class SigmoidCrossEntropyWithLogits(PrimitiveOp):
    """Each entry's binary cross-entropy of ``sigmoid(logits)`` and ``labels``, written
    as ``max(x, 0) - x z + log(1 + e^-|x|)`` so that no exponential overflows."""

    def apply(self, logits: Any, labels: Any) -> Any:
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


__all__ = ["Conv2D", "MaxPool", "AvgPool", "ResizeBilinearV2", "L2Loss",
           "SigmoidCrossEntropyWithLogits", "BCEWithLogitsLoss", "BinaryCrossEntropy",
           "NLLLoss", "KLDivLoss", "SmoothL1Loss"]

"""More of MindSpore's neural-network primitive classes: 3-D convolution and pooling
(``P.Conv3D``, ``P.AvgPool3D``, ``P.MaxPool3D``), the transposed 2-D convolution
(``P.Conv2DBackpropInput``/``P.Conv2DTranspose``), adaptive pooling, pooling with
argmax, padding (``P.MirrorPad``, ``P.PadV3``), ``P.LRN``, sampling
(``P.GridSampler2D``, ``P.AffineGrid``, ``P.ResizeLinear1D``) and the depth/space
shuffles. Each is one of the ``ops`` functions (or reshapes), with MindSpore's settings
and call order, so the gradient is that function's; values as MindSpore 2.10 (CPU)
gives them for the same inputs (compared).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops, ops_conv, ops_conv3d
from .operations import PrimitiveOp


def _tuple(value: Any, n: int) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value,) * n


class Conv3D(PrimitiveOp):
    """``conv3d(x, w)``: ``out_channel`` and ``kernel_size`` describe ``w``."""

    attributes = (("out_channel", None), ("kernel_size", None), ("mode", 1),
                  ("pad_mode", "valid"), ("pad", 0), ("stride", 1), ("dilation", 1),
                  ("group", 1), ("data_format", "NCDHW"))

    def apply(self, x: Any, weight: Any, bias: Any = None) -> Any:
        stride, dilation = _tuple(self.stride, 3)[-3:], _tuple(self.dilation, 3)[-3:]
        return ops_conv3d.conv3d(x, weight, bias, stride, self.pad_mode.lower(), self.pad,
                                 dilation, self.group)


class Conv2DBackpropInput(PrimitiveOp):
    """The transposed convolution of ``dout`` with ``weight`` (the gradient of a
    ``Conv2D`` for its input), cut to ``input_size``: the first rows (columns) dropped
    are ``pad``'s, or half the excess in ``same`` mode."""

    attributes = (("out_channel", None), ("kernel_size", None), ("pad_mode", "valid"),
                  ("pad", 0), ("pad_list", None), ("mode", 1), ("stride", 1),
                  ("dilation", 1), ("group", 1), ("data_format", "NCHW"))

    def apply(self, dout: Any, weight: Any, input_size: Any) -> Any:
        stride, dilation = _tuple(self.stride, 2)[-2:], _tuple(self.dilation, 2)[-2:]
        full = ops_conv.transposed_full(dout, weight, stride, dilation, self.group)
        cuts = []
        for axis, target in ((-2, input_size[-2]), (-1, input_size[-1])):
            length = np.shape(full)[axis]
            if self.pad_mode.lower() == "pad":
                first = _tuple(self.pad, 4)[0 if axis == -2 else 2]
            elif self.pad_mode.lower() == "same":
                first = max(length - target, 0) // 2
            else:
                first = 0
            cuts.append((first, length - first - target))
        return ops_conv.crop(full, tuple(cuts))


class Conv2DTranspose(Conv2DBackpropInput):
    pass


class AvgPool3D(PrimitiveOp):
    """The mean of each window (``valid``, ``same`` or ``pad`` mode)."""

    attributes = (("kernel_size", 1), ("strides", 1), ("pad_mode", "valid"), ("pad", 0),
                  ("ceil_mode", False), ("count_include_pad", True), ("divisor_override", 0),
                  ("data_format", "NCDHW"))

    def apply(self, x: Any) -> Any:
        kernel, strides = _tuple(self.kernel_size, 3)[-3:], _tuple(self.strides, 3)[-3:]
        if self.ceil_mode:
            raise ValueError("AvgPool3D: ceil_mode is not supported")
        if self.pad_mode.lower() != "pad":
            return ops_conv.avg_pool(x, kernel, strides, (0, 0, 0), self.count_include_pad,
                                     self.divisor_override, self.pad_mode.lower())
        return ops_conv3d.avg_pool3d(x, kernel, strides, self.pad, self.ceil_mode,
                                     self.count_include_pad, self.divisor_override)


class MaxPool3D(PrimitiveOp):
    """The largest value of each window (``VALID``, ``SAME`` or ``PAD`` mode)."""

    attributes = (("kernel_size", 1), ("strides", 1), ("pad_mode", "VALID"), ("pad_list", 0),
                  ("ceil_mode", None), ("data_format", "NCDHW"))

    def apply(self, x: Any) -> Any:
        kernel, strides = _tuple(self.kernel_size, 3)[-3:], _tuple(self.strides, 3)[-3:]
        if self.pad_mode.upper() != "PAD":
            return ops_conv.max_pool(x, kernel, strides, (0, 0, 0), (1, 1, 1),
                                     self.pad_mode.lower())
        return ops_conv3d.max_pool3d(x, kernel, strides, self.pad_list, 1, bool(self.ceil_mode))


class AdaptiveAvgPool2D(PrimitiveOp):
    attributes = (("output_size", None),)
    pool: Any = staticmethod(ops.adaptive_avg_pool2d)

    def apply(self, x: Any) -> Any:
        return self.pool(x, self.output_size)


class AdaptiveAvgPool3D(AdaptiveAvgPool2D):
    pool = staticmethod(ops.adaptive_avg_pool3d)


class AdaptiveMaxPool2D(AdaptiveAvgPool2D):
    """``(output, argmax)``, the argmax int64 over each channel's flattened plane."""

    def apply(self, x: Any) -> Any:
        return ops.adaptive_max_pool2d(x, self.output_size, True)


class MaxPoolWithArgmax(PrimitiveOp):
    """``(output, argmax)``: the argmax int32, counted over each example's flattened
    channels and plane (channel ``c`` from ``c * H * W``, as MindSpore 2.10 counts it;
    ``MaxPoolWithArgmaxV2`` counts within each plane), ``valid`` windows only."""

    attributes = (("kernel_size", 1), ("strides", 1), ("pad_mode", "valid"),
                  ("data_format", "NCHW"))

    def apply(self, x: Any) -> Any:
        kernel, strides = _tuple(self.kernel_size, 2)[-2:], _tuple(self.strides, 2)[-2:]
        if self.pad_mode.lower() != "valid":
            raise ValueError("MaxPoolWithArgmax: only pad_mode 'valid' is supported")
        out, index = ops_conv.max_pool2d(x, kernel, strides, 0, return_indices=True)
        channels, height, width = x.shape[-3:]
        first = np.arange(channels).reshape(channels, 1, 1) * (height * width)
        return out, (index + first).astype(np.int32)


class MaxPoolWithArgmaxV2(PrimitiveOp):
    """``(output, argmax)`` with padding, dilation and ``ceil_mode``; the argmax of
    ``argmax_type``."""

    attributes = (("kernel_size", 1), ("strides", None), ("pads", 0), ("dilation", (1, 1)),
                  ("ceil_mode", False), ("argmax_type", np.int64))

    def apply(self, x: Any) -> Any:
        out, index = ops_conv.max_pool2d(x, self.kernel_size, self.strides, self.pads,
                                         self.dilation, True, self.ceil_mode)
        return out, index.astype(self.argmax_type)


class MirrorPad(PrimitiveOp):
    """``x`` mirrored outwards by ``paddings`` (a (before, after) row per axis: a
    Tensor, as MindSpore takes it, or nested tuples, which compiled code needs): without
    the edge (``REFLECT``) or with it (``SYMMETRIC``)."""

    attributes = (("mode", "REFLECT"),)

    def apply(self, x: Any, paddings: Any) -> Any:
        pairs = tuple(tuple(int(v) for v in row) for row in np.asarray(paddings))
        return np.pad(x, pairs, mode="reflect" if self.mode == "REFLECT" else "symmetric")


class PadV3(PrimitiveOp):
    """``ops.pad``: ``paddings`` (before, after) pairs from the last axis back (a
    Tensor, or a tuple in compiled code); ``constant`` (with ``value``), ``reflect``,
    ``edge`` or ``circular``."""

    attributes = (("mode", "constant"), ("paddings_contiguous", True))

    def apply(self, x: Any, paddings: Any, value: Any = None) -> Any:
        pads = tuple(int(v) for v in np.asarray(paddings))
        if not self.paddings_contiguous:  # all befores, then all afters
            half = len(pads) // 2
            pads = tuple(v for pair in zip(pads[:half], pads[half:]) for v in pair)
        mode = "replicate" if self.mode == "edge" else self.mode
        if mode == "constant":
            return ops.pad(x, pads, mode, 0 if value is None else float(np.asarray(value)))
        return ops.pad(x, pads, mode)


class LRN(PrimitiveOp):
    attributes = (("depth_radius", 5), ("bias", 1.0), ("alpha", 1.0), ("beta", 0.5),
                  ("norm_region", "ACROSS_CHANNELS"))

    def apply(self, x: Any) -> Any:
        return ops.lrn(x, self.depth_radius, self.bias, self.alpha, self.beta,
                       self.norm_region)


class GridSampler2D(PrimitiveOp):
    attributes = (("interpolation_mode", "bilinear"), ("padding_mode", "zeros"),
                  ("align_corners", False))

    def apply(self, x: Any, grid: Any) -> Any:
        return ops.grid_sample(x, grid, self.interpolation_mode, self.padding_mode,
                               self.align_corners)


class AffineGrid(PrimitiveOp):
    attributes = (("align_corners", False),)

    def apply(self, theta: Any, output_size: Any) -> Any:
        return ops.affine_grid(theta, tuple(output_size), self.align_corners)


class ResizeLinear1D(PrimitiveOp):
    """``x`` (N, C, W) resized to ``size`` linearly: corners aligned
    (``align_corners``) or sampled at pixel centres (``half_pixel``)."""

    attributes = (("coordinate_transformation_mode", "align_corners"),)

    def apply(self, x: Any, size: Any) -> Any:
        length = int(np.asarray(size).reshape(-1)[0])
        aligned = self.coordinate_transformation_mode == "align_corners"
        return ops.interpolate(x, (length,), mode="linear", align_corners=aligned)


class Im2Col(PrimitiveOp):
    """The sliding windows of ``x`` (N, C, H, W) as (N, C, kh * kw, windows)."""

    attributes = (("ksizes", None), ("strides", 1), ("dilations", 1), ("pads", 0))

    def apply(self, x: Any) -> Any:
        cols = ops.unfold(x, self.ksizes, self.dilations, self.pads, self.strides)
        n, c = np.shape(x)[0], np.shape(x)[1]
        return np.reshape(cols, (n, c, -1, np.shape(cols)[-1]))


class DepthToSpace(PrimitiveOp):
    """(N, C b^2, H, W) -> (N, C, H b, W b): channel ``(i b + j) C + c`` becomes pixel
    ``(i, j)`` of channel ``c``'s blocks (TensorFlow's order)."""

    attributes = (("block_size", 2),)

    def apply(self, x: Any) -> Any:
        n, c, h, w = np.shape(x)
        b = self.block_size
        y = np.reshape(x, (n, b, b, c // (b * b), h, w))
        return np.reshape(np.transpose(y, (0, 3, 4, 1, 5, 2)), (n, c // (b * b), h * b, w * b))


class SpaceToDepth(DepthToSpace):
    """(N, C, H, W) -> (N, C b^2, H / b, W / b), ``DepthToSpace``'s inverse."""

    def apply(self, x: Any) -> Any:
        n, c, h, w = np.shape(x)
        b = self.block_size
        y = np.reshape(x, (n, c, h // b, b, w // b, b))
        return np.reshape(np.transpose(y, (0, 3, 5, 1, 2, 4)), (n, c * b * b, h // b, w // b))


__all__ = ["Conv3D", "Conv2DBackpropInput", "Conv2DTranspose", "AvgPool3D", "MaxPool3D",
           "AdaptiveAvgPool2D", "AdaptiveAvgPool3D", "AdaptiveMaxPool2D", "MaxPoolWithArgmax",
           "MaxPoolWithArgmaxV2", "MirrorPad", "PadV3", "LRN", "GridSampler2D", "AffineGrid",
           "ResizeLinear1D", "Im2Col", "DepthToSpace", "SpaceToDepth"]


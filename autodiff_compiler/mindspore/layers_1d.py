"""MindSpore's 1-D convolution and pooling, adaptive average pooling, ``ZeroPad2d``,
``Unflatten`` and ``Upsample``; re-exported by ``nn``.

A 1-D layer is its 2-D twin on a height of 1, as MindSpore builds it: ``Conv1d``'s
weight is (out, in / group, 1, k), and ``x`` (N, C, L) goes through ``conv2d`` (and its
groups) as (N, C, 1, L).
Adaptive pooling averages, for output position ``i`` of ``n`` over a length ``L``, the
entries from ``floor(i L / n)`` to ``ceil((i + 1) L / n)`` (windows may overlap); the
windows are known when compiling, so it is a few slices and means, stacked.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import ops_conv, ops_resize
from .dtype import float32
from .initializer import HeUniform, Uniform, initializer
from .nn import Cell
from .ops_image import adaptive_avg_pool
from .tensor import Parameter


class Conv1d(Cell):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 pad_mode: str = "same", padding: int = 0, dilation: int = 1, group: int = 1,
                 has_bias: bool = False, weight_init: Any = None, bias_init: Any = None,
                 dtype: Any = float32) -> None:
        super().__init__()
        if not isinstance(group, int) or group < 1:
            raise ValueError(f"Conv1d: group must be a positive int, not {group!r}")
        if in_channels % group or out_channels % group:
            raise ValueError(f"Conv1d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be multiples of group ({group})")
        self.in_channels, self.out_channels, self.group = in_channels, out_channels, group
        self.kernel_size, self.stride, self.pad_mode = kernel_size, stride, pad_mode
        self.padding, self.dilation, self.has_bias = padding, dilation, has_bias
        shape = (out_channels, in_channels // group, 1, kernel_size)
        if isinstance(weight_init, np.ndarray) and np.ndim(weight_init) == 3:
            weight_init = np.expand_dims(weight_init, 2)  # (out, in, k): MindSpore adds the 1
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)) if weight_init is None
                                            else weight_init, shape, dtype), name="weight")
        bound = 1 / math.sqrt(in_channels // group * kernel_size)  # the weight's fan-in
        self.bias = Parameter(initializer(Uniform(bound) if bias_init is None else bias_init,
                                          (out_channels,), dtype), name="bias") \
            if has_bias else None

    def construct(self, x: Any) -> Any:
        out = ops_conv.conv2d(np.expand_dims(x, 2), self.weight, self.bias, (1, self.stride),
                              self.pad_mode, (0, 0, self.padding, self.padding),
                              (1, self.dilation), self.group)
        return np.squeeze(out, 2)


class MaxPool1d(Cell):
    def __init__(self, kernel_size: int = 1, stride: int = 1, pad_mode: str = "valid",
                 padding: int = 0, dilation: int = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.pad_mode = kernel_size, stride, pad_mode.lower()
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def construct(self, x: Any) -> Any:
        """2-D max pooling of one row: its indices, counted along the (1, L) plane, are
        the positions along L."""
        out = ops_conv.max_pool2d(np.expand_dims(x, 2), (1, self.kernel_size),
                                  (1, self.stride), (0, self.padding), (1, self.dilation),
                                  self.return_indices, self.ceil_mode, pad_mode=self.pad_mode)
        if self.return_indices:
            return np.squeeze(out[0], 2), np.squeeze(out[1], 2)
        return np.squeeze(out, 2)


class AvgPool1d(Cell):
    def __init__(self, kernel_size: int = 1, stride: int = 1, pad_mode: str = "valid",
                 padding: int = 0, ceil_mode: bool = False,
                 count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.pad_mode = kernel_size, stride, pad_mode.lower()
        self.padding, self.count_include_pad = padding, count_include_pad
        self.ceil_mode = ceil_mode
        if ceil_mode and self.pad_mode == "same":
            raise ValueError("AvgPool1d: ceil_mode needs pad_mode 'pad' or 'valid'")

    def construct(self, x: Any) -> Any:
        out = ops_conv.avg_pool2d(np.expand_dims(x, 2), (1, self.kernel_size),
                                  (1, self.stride), (0, self.padding), self.ceil_mode,
                                  count_include_pad=self.count_include_pad,
                                  pad_mode=self.pad_mode)
        return np.squeeze(out, 2)


class AdaptiveAvgPool1d(Cell):
    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def construct(self, input: Any) -> Any:  # noqa: A002 (MindSpore's name)
        return adaptive_avg_pool(input, self.output_size, -1)


class AdaptiveAvgPool2d(Cell):
    """Over the last two axes; ``output_size`` an int for both, or a pair (None keeps
    that axis)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = (output_size, output_size) if isinstance(output_size, int) \
            else tuple(output_size)

    def construct(self, input: Any) -> Any:  # noqa: A002
        rows, cols = self.output_size
        return adaptive_avg_pool(adaptive_avg_pool(input, rows, -2), cols, -1)


class ZeroPad2d(Cell):
    """Zeros around the last two axes: ``padding`` an int for all four sides, or
    ``(left, right, top, bottom)``."""

    def __init__(self, padding: Any) -> None:
        super().__init__()
        left, right, top, bottom = (padding,) * 4 if isinstance(padding, int) else padding
        self.padding = (left, right, top, bottom)
        self.widths = ((top, bottom), (left, right))

    def construct(self, x: Any) -> Any:
        return np.pad(x, ((0, 0),) * (np.ndim(x) - 2) + self.widths)


class Unflatten(Cell):
    """Axis ``axis`` split into ``unflattened_size``."""

    def __init__(self, axis: int, unflattened_size: Any) -> None:
        super().__init__()
        self.axis, self.unflattened_size = axis, tuple(unflattened_size)

    def construct(self, input_x: Any) -> Any:
        shape = np.shape(input_x)
        axis = self.axis % len(shape)
        return np.reshape(input_x, shape[:axis] + self.unflattened_size + shape[axis + 1:])


class Upsample(Cell):
    """``ops.interpolate`` with these settings; as in MindSpore, they are checked when
    the Cell is called."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: Any = None, recompute_scale_factor: Any = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners, self.recompute_scale_factor = align_corners, recompute_scale_factor

    def construct(self, x: Any) -> Any:
        return ops_resize.interpolate(x, self.size, self.scale_factor, self.mode,
                                      self.align_corners, self.recompute_scale_factor)


LAYERS = ["Conv1d", "MaxPool1d", "AvgPool1d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
          "ZeroPad2d", "Unflatten", "Upsample"]
__all__ = LAYERS

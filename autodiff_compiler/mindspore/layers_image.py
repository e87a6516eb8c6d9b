"""MindSpore's image layers beyond ``layers``/``layers_1d``: ``nn.Conv2dTranspose``,
``Conv1dTranspose``, ``PixelShuffle``, ``PixelUnshuffle``, ``ChannelShuffle``, the
padding layers (``Pad``, ``ConstantPad1d/2d/3d``, ``ReflectionPad1d/2d/3d``,
``ReplicationPad1d/2d/3d``), the channel dropouts ``Dropout1d/2d/3d`` and
``AdaptiveMaxPool1d/2d``; re-exported by ``nn``. Each calls its function in
``ops_image`` (or ``ops.pad``), so it is compiled from NumPy like the rest.

``Conv2dTranspose`` as MindSpore 2.7.1 has it (measured): the weight is
(in, out, kh, kw), drawn from HeUniform(sqrt(5)) over *its* fan-in ``out * kh * kw``,
i.e. U(-1/sqrt(out kh kw), ...), as the bias is (``has_bias=False`` by default). The
output height, with ``f = dilation * (kernel - 1) + 1``, is ``H * stride`` for
``same`` (the ``f - stride`` extra rows of the full output cut off, the smaller half
at the top), ``H * stride + max(f - stride, 0)`` for ``valid``, and
``(H - 1) * stride + f - top - bottom`` for ``pad``. ``output_padding`` (``pad`` only)
adds rows and columns of *zeros* at the bottom and right, after the bias: MindSpore
pads the result rather than computing those rows (unlike ``ops.conv_transpose2d``).
``Conv1dTranspose`` is the 2-D layer on a height of 1 (weight (in, out, 1, k)). With
``group=g`` (measured with MindSpore 2.10) the weight is (in, out / g, kh, kw), each
group of in / g input channels making its out / g output channels, and both bounds
are over the fan-in ``out / g * kh * kw``.

The padding layers take MindSpore's ``padding``: an int for every side, or pairs
(before, after) from the *last* axis backwards, as ``ops.pad``; ``nn.Pad`` instead
takes NumPy-style ``paddings``, one pair per axis from the first, and ``mode``
``CONSTANT``, ``REFLECT`` or ``SYMMETRIC``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import ops_conv, ops_image
from .dtype import float32
from .initializer import HeUniform, Uniform, initializer
from .nn import Cell
from .ops_special import pad
from .tensor import Parameter

__all__ = ["Conv2dTranspose", "Conv1dTranspose", "PixelShuffle", "PixelUnshuffle",
           "ChannelShuffle", "Pad", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
           "ReplicationPad2d", "ReplicationPad3d", "Dropout1d", "Dropout2d", "Dropout3d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]


def _cut(size: int, kernel: int, stride: int, dilation: int, pad_mode: str,
         before: int, after: int) -> tuple[int, int]:
    """Rows cut off the top and bottom of the full transposed output (negative: zero
    rows added), for an input ``size`` rows high."""
    reach = dilation * (kernel - 1) + 1
    if pad_mode == "valid":
        return 0, min(reach - stride, 0)
    if pad_mode == "same":
        total = reach - stride
        top = max(total, 0) // 2
        return top, total - top
    return before, after


_cut.__evaluated_when_compiling__ = True  # a pure function of numbers known then


class Conv2dTranspose(Cell):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 pad_mode: str = "same", padding: Any = 0, output_padding: Any = 0,
                 dilation: Any = 1, group: int = 1, has_bias: bool = False,
                 weight_init: Any = None, bias_init: Any = None, dtype: Any = float32) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(group, int) or group < 1 or in_channels % group \
                or out_channels % group:
            raise ValueError(f"{name}: group={group!r} must be a positive int dividing "
                             f"in_channels ({in_channels}) and out_channels ({out_channels})")
        if pad_mode not in ("same", "valid", "pad"):
            raise ValueError(f"{name}: pad_mode must be 'same', 'valid' or 'pad', "
                             f"not {pad_mode!r}")
        if pad_mode != "pad" and (padding != 0 or output_padding != 0):
            raise ValueError(f"{name}: padding and output_padding need pad_mode='pad'")
        self.in_channels, self.out_channels, self.group = in_channels, out_channels, group
        self.kernel_size = ops_conv._pair(kernel_size)
        self.stride, self.dilation = ops_conv._pair(stride), ops_conv._pair(dilation)
        self.pad_mode, self.has_bias = pad_mode, has_bias
        self.padding = (padding,) * 4 if isinstance(padding, int) else tuple(padding)
        self.output_padding = ops_conv._pair(output_padding)
        shape = (in_channels, out_channels // group, *self.kernel_size)
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)) if weight_init is None
                                            else weight_init, shape, dtype), name="weight")
        bound = 1 / math.sqrt(out_channels // group * self.kernel_size[0]
                              * self.kernel_size[1])
        self.bias = Parameter(initializer(Uniform(bound) if bias_init is None else bias_init,
                                          (out_channels,), dtype), name="bias") \
            if has_bias else None

    def extend_repr(self) -> str:
        return (f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"pad_mode={self.pad_mode}, padding={self.padding}, "
                f"dilation={self.dilation}, group={self.group}, has_bias={self.has_bias}")

    def construct(self, x: Any) -> Any:
        if self.group == 1:
            full = ops_conv.transposed_full(x, self.weight, self.stride, self.dilation)
        else:  # each group's input channels make its own output channels
            step = self.in_channels // self.group
            full = np.concatenate([ops_conv.transposed_full(
                x[:, k * step:(k + 1) * step], self.weight[k * step:(k + 1) * step],
                self.stride, self.dilation) for k in range(self.group)], axis=1)
        top, bottom, left, right = self.padding
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        cut_h = _cut(x.shape[2], kh, sh, dh, self.pad_mode, top, bottom)
        cut_w = _cut(x.shape[3], kw, sw, dw, self.pad_mode, left, right)
        out = ops_conv.crop(full, (cut_h, cut_w))
        if self.bias is not None:
            out = out + self.bias.reshape(1, -1, 1, 1)
        if self.output_padding != (0, 0):  # zeros, after the bias, as MindSpore
            out = np.pad(out, ((0, 0), (0, 0), (0, self.output_padding[0]),
                               (0, self.output_padding[1])))
        return out


class Conv1dTranspose(Conv2dTranspose):
    """``Conv2dTranspose`` on (N, C, L) input seen as (N, C, 1, L)."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1,
                 pad_mode: str = "same", padding: int = 0, dilation: int = 1, group: int = 1,
                 has_bias: bool = False, weight_init: Any = None, bias_init: Any = None,
                 dtype: Any = float32) -> None:
        if not isinstance(padding, int):
            raise TypeError(f"Conv1dTranspose: padding must be an int, not {padding!r}")
        if pad_mode != "pad" and padding != 0:
            raise ValueError("Conv1dTranspose: padding needs pad_mode='pad'")
        super().__init__(in_channels, out_channels, (1, kernel_size), (1, stride), pad_mode,
                         (0, 0, padding, padding) if pad_mode == "pad" else 0, 0,
                         (1, dilation), group, has_bias, weight_init, bias_init, dtype)

    def construct(self, x: Any) -> Any:
        return np.squeeze(Conv2dTranspose.construct(self, np.expand_dims(x, 2)), 2)


# ---------------------------------------------------------------------------- shuffles


class PixelShuffle(Cell):
    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def construct(self, input: Any) -> Any:  # noqa: A002 (MindSpore's name)
        return ops_image.pixel_shuffle(input, self.upscale_factor)


class PixelUnshuffle(Cell):
    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def construct(self, input: Any) -> Any:  # noqa: A002
        return ops_image.pixel_unshuffle(input, self.downscale_factor)


class ChannelShuffle(Cell):
    def __init__(self, groups: int) -> None:
        super().__init__()
        if not isinstance(groups, int) or groups < 1:
            raise ValueError(f"ChannelShuffle: groups must be a positive int, not {groups!r}")
        self.groups = groups

    def construct(self, x: Any) -> Any:
        return ops_image.channel_shuffle(x, self.groups)


# ---------------------------------------------------------------------------- padding


class Pad(Cell):
    """``paddings`` (before, after) for every axis, first axis first."""

    _MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}

    def __init__(self, paddings: Any, mode: str = "CONSTANT") -> None:
        super().__init__()
        if mode.upper() not in self._MODES:
            raise ValueError(f"Pad: mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', "
                             f"not {mode!r}")
        self.paddings = tuple(tuple(pair) for pair in paddings)
        self.mode = mode.upper()
        self.numpy_mode = self._MODES[self.mode]

    def construct(self, x: Any) -> Any:
        if len(self.paddings) != x.ndim:
            raise ValueError(f"Pad: paddings has {len(self.paddings)} pairs, the input "
                             f"{x.ndim} axes")
        return np.pad(x, self.paddings, mode=self.numpy_mode)


class _PadNd(Cell):
    """``padding`` an int for both sides of the last ``_axes`` axes, or pairs from the
    last axis backwards; reflection and replication take ``_axes + 1`` or ``_axes + 2``
    axes of input."""

    _axes = 1
    _mode = "constant"

    def __init__(self, padding: Any, value: float = 0.0) -> None:
        super().__init__()
        name = type(self).__name__
        if isinstance(padding, int):
            padding = (padding,) * (2 * self._axes)
        if not isinstance(padding, tuple) or len(padding) % 2 \
                or len(padding) > 2 * self._axes or not all(isinstance(i, int) for i in padding):
            raise ValueError(f"{name}: padding must be an int or a tuple of at most "
                             f"{2 * self._axes} ints, in pairs, not {padding!r}")
        if self._mode != "constant" and min(padding) < 0:
            raise ValueError(f"{name}: every padding must be >= 0, not {padding!r}")
        self.padding, self.value, self.name = padding, value, name

    def construct(self, x: Any) -> Any:
        if self._mode != "constant" and x.ndim not in (self._axes + 1, self._axes + 2):
            raise ValueError(f"{self.name}: the input must have {self._axes + 1} "
                             f"or {self._axes + 2} dimensions, not {x.ndim}")
        if self._mode == "constant":
            return pad(x, self.padding, "constant", self.value)
        return pad(x, self.padding, self._mode)


class ConstantPad1d(_PadNd):
    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding, value)


class ConstantPad2d(ConstantPad1d):
    _axes = 2


class ConstantPad3d(ConstantPad1d):
    _axes = 3


class ReflectionPad1d(_PadNd):
    _mode = "reflect"

    def __init__(self, padding: Any) -> None:
        super().__init__(padding)


class ReflectionPad2d(ReflectionPad1d):
    _axes = 2


class ReflectionPad3d(ReflectionPad1d):
    _axes = 3


class ReplicationPad1d(ReflectionPad1d):
    _mode = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    _axes = 2


class ReplicationPad3d(ReplicationPad1d):
    _axes = 3


# ---------------------------------------------------------------------------- dropout


class Dropout1d(Cell):
    """Whole channels zeroed with probability ``p`` (the rest scaled by ``1 / (1 - p)``)
    while training; the identity otherwise. The mask is drawn as ``ops.dropout``'s."""

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not isinstance(p, float) or not 0 <= p <= 1:
            raise ValueError(f"{type(self).__name__}: p must be a float in [0, 1], not {p!r}")
        self.p = p
        self.training = False

    def extend_repr(self) -> str:
        return f"p={self.p}"

    def construct(self, x: Any) -> Any:
        return ops_image.dropout1d(x, self.p, self.training)


class Dropout2d(Dropout1d):
    def construct(self, x: Any) -> Any:
        return ops_image.dropout2d(x, self.p, self.training)


class Dropout3d(Dropout1d):
    def construct(self, x: Any) -> Any:
        return ops_image.dropout3d(x, self.p, self.training)


# ---------------------------------------------------------------------------- pooling


class AdaptiveMaxPool1d(Cell):
    """Maxima of ``output_size`` equal windows along the last axis of (N, C, L) input."""

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def construct(self, x: Any) -> Any:
        return ops_image.adaptive_max_pool1d(x, self.output_size)


class AdaptiveMaxPool2d(Cell):
    """Adaptive max pooling over the last two axes (see ``ops_image``)."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def construct(self, input: Any) -> Any:  # noqa: A002
        return ops_image.adaptive_max_pool2d(input, self.output_size, self.return_indices)

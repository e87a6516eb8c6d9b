"""MindSpore's 3-D layers over volumes (N, C, D, H, W), as video and volumetric models
(C3D, 3D-UNet) use them: ``nn.Conv3d``, ``Conv3dTranspose``, ``MaxPool3d``,
``AvgPool3d``, ``AdaptiveAvgPool3d`` and ``AdaptiveMaxPool3d``; re-exported by ``nn``
(``BatchNorm3d`` is in ``normalization``).

Each computes with the rank-generic NumPy of ``ops_conv`` and ``ops_conv3d``, so it is
compiled like the 2-D layers. Settings and defaults are MindSpore 2.10's (measured):

* ``Conv3d`` pads ``same`` and has no bias by default; its weight (out, in / group, kd,
  kh, kw) is drawn from HeUniform(sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
  with ``fan_in = in / group * kd * kh * kw``, as its bias is. ``padding`` is an int or
  six ints ``(head, tail, top, bottom, left, right)``, and only with ``pad_mode='pad'``.
* ``Conv3dTranspose``'s weight is (in, out / group, kd, kh, kw), its fan-in
  ``out / group * kd * kh * kw``. Its output depth is ``D * stride`` for ``same``,
  ``D * stride + max(reach - stride, 0)`` for ``valid`` (``reach = dilation (k - 1) +
  1``) and ``(D - 1) stride + reach - head - tail + output_padding`` for ``pad``, the
  ``output_padding`` entries computed like the others (as MindSpore's Conv3DTranspose
  does; its 2-D layer pads zeros instead). The depth's dilation must be 1, as in
  MindSpore.
* The pooling layers take 4-d (C, D, H, W) input too. ``MaxPool3d`` needs
  ``pad_mode='pad'`` for a dilation other than 1, and at most half a window of
  padding; ``AvgPool3d`` in ``same`` mode counts the padding (unlike MindSpore's 2-D
  pooling, which divides by the entries inside the image).
  ``ceil_mode`` and ``return_indices`` are refused.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import ops_conv
from .dtype import float32
from .initializer import HeUniform, Uniform, initializer
from .layers_image import _cut
from .nn import Cell
from .ops_conv3d import adaptive_avg_pool3d, adaptive_max_pool3d, check_rank, triple
from .tensor import Parameter

__all__ = ["Conv3d", "Conv3dTranspose", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d",
           "AdaptiveMaxPool3d"]


def _positive3(value: Any, what: str, name: str, least: int = 1) -> tuple:
    """MindSpore's check of a 3-D layer's kernel_size, stride or dilation."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * 3
    if not isinstance(value, tuple | list) or len(value) != 3 \
            or not all(isinstance(v, int) and v >= least for v in value):
        raise ValueError(f"For '{name}', the parameter '{what}' must be an positive integer "
                         f"or a tuple of three positive integer, but got {value!r}")
    return tuple(value)


def _padding6(padding: Any, pad_mode: str, name: str) -> Any:
    """An int or six non-negative ints, nonzero only with ``pad_mode='pad'``."""
    if pad_mode not in ("same", "valid", "pad"):
        raise ValueError(f"For '{name}', the 'pad_mode' must be one of 'same', 'valid', "
                         f"'pad', but got {pad_mode!r}.")
    if not isinstance(padding, int | tuple) or isinstance(padding, bool):
        raise TypeError(f"For '{name}', the type of 'padding' must be int or tuple(int), "
                        f"but got {type(padding).__name__}.")
    if isinstance(padding, tuple) and len(padding) != 6:
        raise ValueError(f"For '{name}', the 'padding size' must be int and must = 6, but "
                         f"got '{len(padding)}' with type 'int'.")
    if min(triple(padding, name, "padding", (6,))) < 0:
        raise ValueError(f"For '{name}', every padding must be >= 0, but got {padding!r}.")
    if pad_mode != "pad" and padding not in (0, (0,) * 6):
        raise ValueError(f"For '{name}', the 'pad' must be zero or (0, 0, 0, 0, 0, 0) when "
                         f"'pad_mode' is not \"pad\", but got 'pad' is {padding!r} and "
                         f"'pad_mode' is {pad_mode}.")
    return padding


class _Conv3dBase(Cell):
    """What ``Conv3d`` and ``Conv3dTranspose`` share: the checks and the Parameters."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any,
                 pad_mode: str, padding: Any, dilation: Any, group: int, has_bias: bool,
                 weight_init: Any, bias_init: Any, data_format: str, dtype: Any,
                 weight_shape: tuple) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(group, int) or group < 1 or in_channels % group \
                or out_channels % group:
            raise ValueError("The argument 'group' should be divisible by 'in_channels' "
                             "and 'out_channels'")
        if data_format != "NCDHW":
            raise ValueError(f"For '{name}', only data_format='NCDHW' is supported, but got "
                             f"{data_format!r}.")
        self.in_channels, self.out_channels, self.group = in_channels, out_channels, group
        self.kernel_size = _positive3(kernel_size, "kernel_size", name)
        self.stride = _positive3(stride, "stride", name)
        self.dilation = _positive3(dilation, "dilation", name)
        self.pad_mode, self.padding = pad_mode, _padding6(padding, pad_mode, name)
        self.has_bias, self.format = has_bias, data_format
        shape = (*weight_shape, *self.kernel_size)
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)) if weight_init is None
                                            else weight_init, shape, dtype), name="weight")
        bound = 1 / math.sqrt(math.prod(shape[1:]))  # the weight's fan-in
        self.bias = Parameter(initializer(Uniform(bound) if bias_init is None else bias_init,
                                          (out_channels,), dtype), name="bias") \
            if has_bias else None

    def extend_repr(self) -> str:
        return (f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"pad_mode={self.pad_mode}, padding={self.padding}, "
                f"dilation={self.dilation}, group={self.group}, has_bias={self.has_bias}, "
                f"format={self.format}")


class Conv3d(_Conv3dBase):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 pad_mode: str = "same", padding: Any = 0, dilation: Any = 1, group: int = 1,
                 has_bias: bool = False, weight_init: Any = None, bias_init: Any = None,
                 data_format: str = "NCDHW", dtype: Any = float32) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, pad_mode, padding,
                         dilation, group, has_bias, weight_init, bias_init, data_format,
                         dtype, (out_channels, in_channels // group))

    def construct(self, x: Any) -> Any:
        check_rank(x, (5,), "Conv3d")
        return ops_conv.conv(x, self.weight, self.bias, self.stride, self.pad_mode,
                             self.padding, self.dilation, self.group)


class Conv3dTranspose(_Conv3dBase):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 pad_mode: str = "same", padding: Any = 0, dilation: Any = 1, group: int = 1,
                 output_padding: Any = 0, has_bias: bool = False, weight_init: Any = None,
                 bias_init: Any = None, data_format: str = "NCDHW",
                 dtype: Any = float32) -> None:
        super().__init__(in_channels, out_channels, kernel_size, stride, pad_mode, padding,
                         dilation, group, has_bias, weight_init, bias_init, data_format,
                         dtype, (in_channels, out_channels // group))
        name = type(self).__name__
        if self.dilation[0] != 1:
            raise ValueError(f"For '{name}', the depth of parameter 'dilation' must be 1, "
                             f"but got {self.dilation[0]}.")
        self.output_padding = _positive3(output_padding, "output_padding", name, least=0)
        self.pads = (padding,) * 6 if isinstance(padding, int) else tuple(padding)
        if pad_mode != "pad" and self.output_padding != (0, 0, 0):
            raise ValueError(f"For '{name}', the 'output_padding' must be zero or (0, 0, 0) "
                             f"when 'pad_mode' is not \"pad\", but got 'output_padding' is "
                             f"{self.output_padding} and 'pad_mode' is {pad_mode}.")

    def construct(self, x: Any) -> Any:
        check_rank(x, (5,), "Conv3dTranspose")
        full = ops_conv.transposed_full(x, self.weight, self.stride, self.dilation,
                                        self.group)
        pads = self.pads
        cuts = tuple(_cut(x.shape[2 + i], self.kernel_size[i], self.stride[i],
                          self.dilation[i], self.pad_mode, pads[2 * i],
                          pads[2 * i + 1] - self.output_padding[i]) for i in range(3))
        out = ops_conv.crop(full, cuts)
        if self.bias is not None:
            out = out + self.bias.reshape(1, -1, 1, 1, 1)
        return out


class _Pool3d(Cell):
    def __init__(self, kernel_size: Any, stride: Any, pad_mode: str, padding: Any,
                 ceil_mode: bool) -> None:
        super().__init__()
        name = type(self).__name__
        if ceil_mode and (name != "MaxPool3d" or str(pad_mode).lower() != "pad"):
            raise ValueError(f"{name}: {ops_conv.UNSUPPORTED_POOLING}")
        if not isinstance(pad_mode, str) or pad_mode.upper() not in ("VALID", "SAME", "PAD"):
            raise ValueError(f"For '{name}', the 'pad_mode' must be str and must be in "
                             f"'['VALID', 'SAME', 'PAD']', but got {pad_mode!r}.")
        self.kernel_size = _positive3(kernel_size, "kernel_size", name)
        self.stride = _positive3(stride, "stride", name)
        self.pad_mode = pad_mode.lower()
        self.padding = triple(padding, name, "padding", self._padding_lengths)
        if self.pad_mode != "pad" and self.padding != (0, 0, 0):
            raise ValueError(f"For '{name}', the 'pad_list' must be zero or (0, 0, 0, 0, 0, "
                             f"0) when 'pad_mode' is not \"pad\", but got 'pad_list' is "
                             f"{self.padding} and 'pad_mode' is {self.pad_mode}.")

    def extend_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"pad_mode={self.pad_mode.upper()}")


class MaxPool3d(_Pool3d):
    _padding_lengths = (3,)

    def __init__(self, kernel_size: Any = 1, stride: Any = 1, pad_mode: str = "valid",
                 padding: Any = 0, dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode)
        name = type(self).__name__
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        self.dilation = _positive3(dilation, "dilation", name)
        if (self.dilation != (1, 1, 1) or return_indices) and self.pad_mode != "pad":
            raise ValueError(f"For {name}, the pad_mode must be 'pad' when dilation is not 1 "
                             f"or return_indices is True, but got pad_mode:{pad_mode}.")
        if any(p + p > k for p, k in zip(self.padding, self.kernel_size, strict=True)):
            raise ValueError(f"For '{name}', the summation of padding on head and tail must "
                             f"be smaller than, or equal to the kernel size, but got padding "
                             f"{self.padding} and kernel_size {self.kernel_size}.")

    def construct(self, x: Any) -> Any:
        check_rank(x, (4, 5), "MaxPool3d")
        batch = x if np.ndim(x) == 5 else np.expand_dims(x, 0)  # (C, D, H, W): one
        if self.return_indices or self.ceil_mode:
            out = ops_conv.max_pool_indexed(batch, self.kernel_size, self.stride, self.padding,
                                            self.dilation, self.return_indices,
                                            self.ceil_mode, 3)
            if self.return_indices:
                return out if np.ndim(x) == 5 else (out[0][0], out[1][0])
        else:
            out = ops_conv.max_pool(batch, self.kernel_size, self.stride, self.padding,
                                    self.dilation, self.pad_mode)
        return out if np.ndim(x) == 5 else out[0]


class AvgPool3d(_Pool3d):
    _padding_lengths = (1, 3)

    def __init__(self, kernel_size: Any = 1, stride: Any = 1, pad_mode: str = "valid",
                 padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: Any = None) -> None:
        super().__init__(kernel_size, stride, pad_mode, padding, ceil_mode)
        if divisor_override is not None and divisor_override <= 0:
            raise ValueError(f"For '{type(self).__name__}', the 'divisor_override' must be "
                             f"> 0, but got {divisor_override}.")
        self.count_include_pad, self.divisor = count_include_pad, divisor_override or 0

    def construct(self, x: Any) -> Any:
        check_rank(x, (4, 5), "AvgPool3d")
        batch = x if np.ndim(x) == 5 else np.expand_dims(x, 0)
        out = ops_conv.avg_pool(batch, self.kernel_size, self.stride, self.padding,
                                self.count_include_pad, self.divisor, self.pad_mode)
        return out if np.ndim(x) == 5 else out[0]


class AdaptiveAvgPool3d(Cell):
    """The mean over each of ``output_size`` boxes of the last three axes (an int for
    all three, or three, None keeping that axis)."""

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def construct(self, input: Any) -> Any:  # noqa: A002 (MindSpore's name)
        return adaptive_avg_pool3d(input, self.output_size)


class AdaptiveMaxPool3d(Cell):
    """The maximum over each box, placed as ``AdaptiveAvgPool3d``'s."""

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        if return_indices:
            raise ValueError("AdaptiveMaxPool3d: return_indices is not supported")
        self.output_size, self.return_indices = output_size, return_indices

    def construct(self, input: Any) -> Any:  # noqa: A002
        return adaptive_max_pool3d(input, self.output_size)

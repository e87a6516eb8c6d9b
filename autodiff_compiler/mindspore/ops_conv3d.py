"""MindSpore's 3-D convolution and pooling functions over volumes (N, C, D, H, W):
``ops.conv3d``, ``max_pool3d``, ``avg_pool3d``, ``adaptive_avg_pool3d`` and
``adaptive_max_pool3d``; re-exported by ``ops``, and called by the layers of
``layers_3d``.

Each checks its arguments as MindSpore 2.10 does (measured: the same refusals, as
``ValueError`` or ``TypeError`` with its wording) and then calls the rank-generic
NumPy of ``ops_conv`` (patches of the padded volume contracted with the kernel, or
reduced) or ``ops_image`` (adaptive windows, axis by axis: a box is the product of its
three ranges, so its mean or maximum is taken over depth, then height, then width).
Inside a differentiated function the compiler reads them like user code, so they need
no rule of their own.

Padding: ``ops.conv3d`` and ``max_pool3d`` take an int or one int per axis
(``(d, h, w)``, both sides); ``avg_pool3d`` also six, ``(head, tail, top, bottom,
left, right)``. ``max_pool3d``'s padding may be at most half its window, so that no
window lies in the padding alone. ``ceil_mode`` and ``return_indices`` are refused.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_conv
from .ops_image import adaptive_avg_pool, adaptive_max_boxes

__all__ = ["conv3d", "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d",
           "adaptive_max_pool3d"]


def triple(value: Any, name: str, what: str, lengths: tuple = (3,)) -> tuple:
    """``value`` as a tuple of ints, one per axis (an int for all three), of one of
    ``lengths``; else MindSpore's ``ValueError``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,) * 3
    if not isinstance(value, tuple | list) or len(value) not in lengths \
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValueError(f"For '{name}', the {what} must be an int or a tuple/list of "
                         f"{' or '.join(map(str, lengths))} ints, but got {value!r}.")
    return tuple(value) * (3 if len(value) == 1 else 1)


triple.__evaluated_when_compiling__ = True  # a pure function of settings known then


def check_rank(x: Any, ranks: tuple, name: str) -> None:
    if np.ndim(x) not in ranks:
        raise ValueError(f"For '{name}', the input must have "
                         f"{' or '.join(map(str, ranks))} dimensions (N, C, D, H, W), but "
                         f"got shape {np.shape(x)}.")


def _check_pad_mode(pad_mode: str, padding: Any, name: str) -> None:
    if pad_mode not in ("valid", "same", "pad"):
        raise ValueError(f"For '{name}', the 'pad_mode' must be one of 'valid', 'same', "
                         f"'pad', but got {pad_mode!r}.")
    if pad_mode != "pad" and padding not in (0, (0, 0, 0), (0,) * 6, [0, 0, 0], [0] * 6):
        raise ValueError(f"For '{name}', the 'pad' must be zero or (0, 0, 0, 0, 0, 0) when "
                         f"'pad_mode' is not \"pad\", but got 'pad' is {padding!r} and "
                         f"'pad_mode' is {pad_mode}.")


def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           pad_mode: str = "valid", padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> Any:
    """Cross-correlation of ``input`` (N, C, D, H, W) with ``weight`` (O, C / groups,
    kd, kh, kw), each of ``groups`` slices of the channels with its own filters."""
    check_rank(input, (5,), "conv3d")
    check_rank(weight, (5,), "conv3d's weight")
    _check_pad_mode(pad_mode, padding, "conv3d")
    channels, out_channels = np.shape(input)[1], np.shape(weight)[0]
    if channels % groups or out_channels % groups or channels // groups != np.shape(weight)[1]:
        raise ValueError(f"For 'Conv3D', 'C_in' of input 'x' shape divide by parameter "
                         f"'group' must be equal to 'C_in' of input 'weight' shape: "
                         f"{np.shape(weight)[1]}, but got 'C_in' of input 'x' shape: "
                         f"{channels}, and 'group': {groups}.")
    return ops_conv.conv(input, weight, bias, triple(stride, "conv3d", "stride"), pad_mode,
                         triple(padding, "conv3d", "padding"),
                         triple(dilation, "conv3d", "dilation"), groups)


def check_pool_padding(kernel: tuple, padding: tuple, name: str) -> None:
    """MindSpore's limit for max pooling: at most half a window of padding each side."""
    if any(2 * p > k for p, k in zip(padding, kernel, strict=True)):
        raise ValueError(f"For '{name}', the padding {padding} must be at most half of "
                         f"the kernel_size {kernel}.")


check_pool_padding.__evaluated_when_compiling__ = True


def max_pool3d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The largest value of each window of ``x`` (N, C, D, H, W); padding counts as
    -inf; ``stride`` defaults to the window; ``return_indices`` and ``ceil_mode`` as
    ``max_pool2d``'s (the indices along the flattened (D, H, W) volume)."""
    check_rank(x, (5,), "max_pool3d")
    kernel = triple(kernel_size, "max_pool3d", "kernel_size")
    pads = triple(padding, "max_pool3d", "padding")
    check_pool_padding(kernel, pads, "max_pool3d")
    step = kernel if stride is None else triple(stride, "max_pool3d", "stride")
    spread = triple(dilation, "max_pool3d", "dilation")
    if ceil_mode or return_indices:
        return ops_conv.max_pool_indexed(x, kernel, step, pads, spread, return_indices,
                                         ceil_mode, 3)
    return ops_conv.max_pool(x, kernel, step, pads, spread, "pad")


def avg_pool3d(input_x: Any, kernel_size: Any = 1, stride: Any = 1, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int = 0) -> Any:
    """The mean of each window of ``input_x`` (N, C, D, H, W): padding counts as zeros
    with ``count_include_pad``; a nonzero ``divisor_override`` replaces the count."""
    if ceil_mode:
        raise ValueError("avg_pool3d: " + ops_conv.UNSUPPORTED_POOLING)
    check_rank(input_x, (5,), "avg_pool3d")
    return ops_conv.avg_pool(input_x, triple(kernel_size, "avg_pool3d", "kernel_size"),
                             triple(stride, "avg_pool3d", "stride"),
                             triple(padding, "avg_pool3d", "padding", (3, 6)),
                             count_include_pad, divisor_override or 0, "pad")


def output_size3(output_size: Any, name: str) -> tuple:
    """An int for all three axes, or three (each an int, or None to keep that axis)."""
    if isinstance(output_size, int):
        return (output_size,) * 3
    if not isinstance(output_size, tuple | list) or len(output_size) != 3:
        raise ValueError(f"For '{name}', the length of output_size must be equal to 3, "
                         f"but got {output_size!r}.")
    return tuple(output_size)


output_size3.__evaluated_when_compiling__ = True


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """The mean over each of ``output_size`` boxes of the last three axes of a 4-d or
    5-d input (None keeps an axis); output ``i`` of ``n`` over ``L`` entries averages
    entries ``floor(i L / n)`` to ``ceil((i + 1) L / n)``."""
    check_rank(input, (4, 5), "adaptive_avg_pool3d")
    depth, rows, cols = output_size3(output_size, "adaptive_avg_pool3d")
    return adaptive_avg_pool(adaptive_avg_pool(adaptive_avg_pool(input, depth, -3),
                                               rows, -2), cols, -1)


def adaptive_max_pool3d(input: Any, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """The maximum over each box, placed as ``adaptive_avg_pool3d``'s."""
    if return_indices:
        raise ValueError("adaptive_max_pool3d: return_indices is not supported")
    check_rank(input, (4, 5), "adaptive_max_pool3d")
    depth, rows, cols = output_size3(output_size, "adaptive_max_pool3d")
    return adaptive_max_boxes(input, (depth, rows, cols))

"""Convolution and pooling over NCHW images: ``ops.conv2d``, ``max_pool2d``,
``avg_pool2d``, as MindSpore 2.x computes them.

Each is written once, in NumPy, as whole-array operations: the ``kh * kw`` shifted,
strided views of the padded input (one per kernel position, a comprehension over the
kernel that runs while compiling) are stacked into patches, and a convolution is one
``tensordot`` of the patches with the kernel. No loop runs over pixels. Inside a
differentiated function the compiler reads this source like user code, so the
gradients are those of the slices, ``stack`` and ``tensordot`` (scatter-adds into the
padded input, and a contraction with the patches): no rule of their own.

Padding as MindSpore: ``valid`` none; ``same`` the output is ``ceil(size / stride)``,
the extra row or column going to the bottom or right; ``pad`` the given ``padding``
(an int, or ``(top, bottom, left, right)`` for ``nn.Conv2d``).
"""
from __future__ import annotations

from typing import Any

import numpy as np


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _padding(size: int, kernel: int, stride: int, dilation: int, pad_mode: str,
             padding: Any, axis: int) -> tuple[int, int]:
    """Rows (columns) added before and after along one axis."""
    if pad_mode == "valid":
        return 0, 0
    if pad_mode == "same":
        out = -(-size // stride)  # ceil, in ints: this runs while compiling too
        total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
        return total // 2, total - total // 2
    if pad_mode != "pad":
        raise ValueError(f"pad_mode must be 'valid', 'same' or 'pad', not {pad_mode!r}")
    if isinstance(padding, int):
        return padding, padding
    if len(padding) == 2:
        return padding[axis], padding[axis]
    return padding[2 * axis], padding[2 * axis + 1]


def patches(x: Any, kernel_size: Any, stride: Any, dilation: Any, pad_mode: str, padding: Any,
            fill: float = 0.0) -> Any:
    """The windows of ``x`` (N, C, H, W) as (N, C, kh * kw, Ho, Wo)."""
    blocks = tiles(x, kernel_size, stride, dilation, pad_mode, padding)
    if blocks is not None:
        return blocks
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride)
    dh, dw = _pair(dilation)
    top, bottom = _padding(x.shape[2], kh, sh, dh, pad_mode, padding, 0)
    left, right = _padding(x.shape[3], kw, sw, dw, pad_mode, padding, 1)
    if top or bottom or left or right:
        x = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)
    ho = (x.shape[2] - (kh - 1) * dh - 1) // sh + 1
    wo = (x.shape[3] - (kw - 1) * dw - 1) // sw + 1
    if ho < 1 or wo < 1:
        raise ValueError(f"the window ({kh}, {kw}) dilated by ({dh}, {dw}) is larger than "
                         f"the padded input ({x.shape[2]}, {x.shape[3]})")
    return np.stack([x[:, :, i * dh:i * dh + (ho - 1) * sh + 1:sh,
                       j * dw:j * dw + (wo - 1) * sw + 1:sw]
                     for i in range(kh) for j in range(kw)], axis=2)


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           pad_mode: str = "valid",
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Any:
    """Cross-correlation of ``input`` (N, C, H, W) with ``weight`` (O, C / groups, kh,
    kw): each of ``groups`` slices of the channels with its own slice of the filters."""
    out_channels, channels, kh, kw = weight.shape
    cols = patches(input, (kh, kw), stride, dilation, pad_mode, padding)
    n, _, _, ho, wo = cols.shape
    if groups == 1:
        cols = cols.reshape(n, channels * kh * kw, ho, wo)
        out = np.tensordot(weight.reshape(out_channels, channels * kh * kw), cols,
                           axes=([1], [1]))
        out = out.transpose(1, 0, 2, 3)  # (O, N, Ho, Wo) -> (N, O, Ho, Wo)
    else:
        if cols.shape[1] != channels * groups or out_channels % groups:
            raise ValueError(f"conv2d: {cols.shape[1]} input and {out_channels} output "
                             f"channels do not split into {groups} groups of weight "
                             f"{weight.shape}")
        cols = cols.reshape(n, groups, channels * kh * kw, ho, wo)
        filters = weight.reshape(groups, out_channels // groups, channels * kh * kw)
        out = np.einsum("gok,ngkhw->ngohw", filters, cols).reshape(n, out_channels, ho, wo)
    if bias is not None:
        out = out + bias.reshape(1, out_channels, 1, 1)
    return out


def max_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, return_indices: bool = False, ceil_mode: bool = False,
               pad_mode: str = "pad") -> Any:
    """The largest value of each window (padding counts as -inf)."""
    if return_indices or ceil_mode:
        raise ValueError(UNSUPPORTED_POOLING)
    stride = kernel_size if stride is None else stride
    return np.max(patches(x, kernel_size, stride, dilation, pad_mode, padding, -np.inf),
                  axis=2)


def tiles(x: Any, kernel_size: Any, stride: Any, dilation: Any, pad_mode: str,
          padding: Any) -> Any:
    """What ``patches`` gives, (N, C, kh * kw, Ho, Wo), when the windows tile ``x``
    (stride = kernel, no dilation, no padding: the usual 2x2 pooling), else None.

    The same array, built by reshaping ``x`` into blocks and moving the two offsets
    within a block in front of the block's position: one copy where ``patches`` stacks
    ``kh * kw`` strided slices, and whose gradient is a copy back, where that of the
    slices is one scatter-add per slice. (Reducing the blocks over their own two short
    axes instead, ``max(axis=(3, 5))``, runs ten times slower in NumPy.)"""
    kh, kw = _pair(kernel_size)
    if _pair(stride) != (kh, kw) or _pair(dilation) != (1, 1):
        return None
    if _padding(x.shape[2], kh, kh, 1, pad_mode, padding, 0) != (0, 0) \
            or _padding(x.shape[3], kw, kw, 1, pad_mode, padding, 1) != (0, 0):
        return None
    ho, wo = x.shape[2] // kh, x.shape[3] // kw
    if ho < 1 or wo < 1:
        return None
    if (ho * kh, wo * kw) != (x.shape[2], x.shape[3]):  # 'valid' drops the rest
        x = x[:, :, :ho * kh, :wo * kw]
    n, c = x.shape[0], x.shape[1]
    blocks = x.reshape(n, c, ho, kh, wo, kw).transpose(0, 1, 3, 5, 2, 4)
    return blocks.reshape(n, c, kh * kw, ho, wo)


def avg_pool2d(input_x: Any, kernel_size: Any = 1, stride: Any = 1, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int = 0, pad_mode: str = "pad") -> Any:
    """The mean of each window: padding counts as zeros with ``count_include_pad``,
    except in ``same`` mode, where (as MindSpore) only the values inside count."""
    if ceil_mode:
        raise ValueError(UNSUPPORTED_POOLING)
    cols = patches(input_x, kernel_size, stride, 1, pad_mode, padding)
    if divisor_override:
        return np.sum(cols, axis=2) / divisor_override
    if pad_mode == "same" or not count_include_pad:  # divide by the values in the window
        inside = patches(np.ones((1, 1, *input_x.shape[2:]), input_x.dtype), kernel_size,
                         stride, 1, pad_mode, padding)
        return np.sum(cols, axis=2) / np.sum(inside, axis=2)
    return np.mean(cols, axis=2)


UNSUPPORTED_POOLING = "pooling: return_indices and ceil_mode are not supported"

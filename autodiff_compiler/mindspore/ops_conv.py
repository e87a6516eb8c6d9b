"""Convolution and pooling over images and volumes, (N, C, H, W) or (N, C, D, H, W):
``ops.conv2d``, ``max_pool2d``, ``avg_pool2d`` as MindSpore 2.x computes them, and the
rank-generic ``conv``, ``max_pool`` and ``avg_pool`` that they and the 3-D functions
(``ops_conv3d``) call.

Each is written once, in NumPy, as whole-array operations: the ``prod(kernel)`` shifted,
strided views of the padded input (one per kernel position, a comprehension over the
kernel that runs while compiling) are stacked into patches, and a convolution is one
contraction of the patches with the kernel. No loop runs over pixels. Inside a
differentiated function the compiler reads this source like user code, so the
gradients are those of the slices, ``stack`` and the contraction (scatter-adds into
the padded input, and a contraction with the patches): no rule of their own.

Padding as MindSpore: ``valid`` none; ``same`` the output is ``ceil(size / stride)``,
the extra row or column going to the bottom or right; ``pad`` the given ``padding``
(an int, one int per spatial axis, or (before, after) pairs axis by axis:
``(top, bottom, left, right)`` for ``nn.Conv2d``, ``(head, tail, top, bottom, left,
right)`` for ``nn.Conv3d``).
"""
from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from .ties import first_max


def _pair(value: Any) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def _tuple(value: Any, rank: int) -> tuple:
    """An int repeated for each of ``rank`` axes, or the given sequence as a tuple."""
    return (value,) * rank if isinstance(value, int) else tuple(value)


_tuple.__evaluated_when_compiling__ = True  # a pure function of numbers known then

_MOST = 64  # the compiler differentiates a stack or concatenation of at most 64 pieces


def stacked(pieces: list, axis: int) -> Any:
    """``np.stack(pieces, axis)``, in groups of at most 64 joined by ``np.concatenate``:
    the compiler's variadic primitives take at most 64 operands (a 5x5x5 kernel has
    125 positions)."""
    if len(pieces) <= _MOST:
        return np.stack(pieces, axis=axis)
    return np.concatenate([np.stack(pieces[i:i + _MOST], axis=axis)
                           for i in range(0, len(pieces), _MOST)], axis=axis)


def _padding(size: int, kernel: int, stride: int, dilation: int, pad_mode: str,
             padding: Any, axis: int, rank: int = 2) -> tuple[int, int]:
    """Rows (columns) added before and after along spatial axis ``axis`` of ``rank``."""
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
    if len(padding) == rank:
        return padding[axis], padding[axis]
    return padding[2 * axis], padding[2 * axis + 1]


def _windows(out: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> list:
    """For each kernel position (last axis fastest), the index of the strided view of
    the padded input it multiplies: every batch and channel, ``out`` entries per axis."""
    return [(slice(None), slice(None), *(slice(k * d, k * d + (n - 1) * s + 1, s)
                                         for k, n, s, d in zip(offset, out, stride, dilation,
                                                               strict=True)))
            for offset in itertools.product(*[range(k) for k in kernel])]


def _count(padded: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> tuple:
    """How many windows fit along each (padded) spatial axis."""
    out = tuple((size - (k - 1) * d - 1) // s + 1
                for size, k, s, d in zip(padded, kernel, stride, dilation, strict=True))
    if min(out) < 1:
        raise ValueError(f"the window {kernel} dilated by {dilation} is larger than the "
                         f"padded input {padded}")
    return out


_windows.__evaluated_when_compiling__ = True
_count.__evaluated_when_compiling__ = True


def patches(x: Any, kernel_size: Any, stride: Any, dilation: Any, pad_mode: str, padding: Any,
            fill: float = 0.0) -> Any:
    """The windows of ``x`` (N, C, *spatial) as (N, C, prod(kernel), *out)."""
    blocks = tiles(x, kernel_size, stride, dilation, pad_mode, padding)
    if blocks is not None:
        return blocks
    rank = x.ndim - 2
    kernel, step, spread = _tuple(kernel_size, rank), _tuple(stride, rank), \
        _tuple(dilation, rank)
    widths = tuple(_padding(x.shape[2 + i], kernel[i], step[i], spread[i], pad_mode, padding,
                            i, rank) for i in range(rank))
    if max(max(pair) for pair in widths):
        x = np.pad(x, ((0, 0), (0, 0), *widths), constant_values=fill)
    out = _count(x.shape[2:], kernel, step, spread)
    return stacked([x[index] for index in _windows(out, kernel, step, spread)], 2)


def conv(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
         pad_mode: str = "valid", padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Any:
    """Cross-correlation of ``input`` (N, C, *spatial) with ``weight`` (O, C / groups,
    *kernel): each of ``groups`` slices of the channels with its own slice of the
    filters. The output positions are flattened for the contraction, so one einsum
    serves every rank."""
    out_channels, channels = weight.shape[0], weight.shape[1]
    if np.shape(input)[1] != channels * groups:  # MindSpore names it so
        raise ValueError(f"conv: the input's channels (C_in {np.shape(input)[1]}, shape "
                         f"{np.shape(input)}) must be the weight's ({channels}, shape "
                         f"{np.shape(weight)}) times groups ({groups})")
    taps = math.prod(weight.shape[2:])
    cols = patches(input, weight.shape[2:], stride, dilation, pad_mode, padding)
    n, out = cols.shape[0], cols.shape[3:]
    if groups == 1:
        cols = cols.reshape(n, channels * taps, -1)
        flat = np.tensordot(weight.reshape(out_channels, channels * taps), cols,
                            axes=([1], [1]))
        flat = flat.transpose(1, 0, 2)  # (O, N, P) -> (N, O, P)
    else:
        if cols.shape[1] != channels * groups or out_channels % groups:
            raise ValueError(f"conv: {cols.shape[1]} input and {out_channels} output "
                             f"channels do not split into {groups} groups of weight "
                             f"{weight.shape}")
        cols = cols.reshape(n, groups, channels * taps, -1)
        filters = weight.reshape(groups, out_channels // groups, channels * taps)
        flat = np.einsum("gok,ngkp->ngop", filters, cols)
    result = flat.reshape(n, out_channels, *out)
    if bias is not None:
        result = result + bias.reshape(1, out_channels, *(1,) * len(out))
    return result


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           pad_mode: str = "valid",
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Any:
    """Cross-correlation of ``input`` (N, C, H, W) with ``weight`` (O, C / groups, kh,
    kw): each of ``groups`` slices of the channels with its own slice of the filters."""
    return conv(input, weight, bias, stride, pad_mode, padding, dilation, groups)


def max_pool(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
             pad_mode: str) -> Any:
    """The largest value of each window of any rank (padding counts as -inf); its
    gradient goes to the first of tied ones, as MindSpore's (``ties``)."""
    return first_max(patches(x, kernel_size, stride, dilation, pad_mode, padding,
                             _lowest(x.dtype)), axis=2)


def _lowest(dtype: Any) -> Any:
    """What max pooling's padding counts as: -inf, an integer dtype's least value (an
    int32 input's -inf did not convert)."""
    return np.iinfo(dtype).min if np.issubdtype(dtype, np.integer) else -np.inf


_lowest.__evaluated_when_compiling__ = True


def max_pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, return_indices: bool = False, ceil_mode: bool = False,
               pad_mode: str = "pad") -> Any:
    """The largest value of each window (padding counts as -inf). ``ceil_mode`` adds
    the windows a rounded-up count makes (each starting inside the input or its
    padding before); ``return_indices`` also gives where each maximum is, counted along
    the input's flattened (H, W) plane (the first of tied ones), as ``max_unpool2d``
    takes it."""
    stride = kernel_size if stride is None else stride
    if not (return_indices or ceil_mode):
        return max_pool(x, kernel_size, stride, padding, dilation, pad_mode)
    if pad_mode != "pad":
        raise ValueError("max_pool2d: return_indices and ceil_mode need pad_mode 'pad', as "
                         "MindSpore's")
    return max_pool_indexed(x, kernel_size, stride, padding, dilation, return_indices,
                            ceil_mode, 2)


def max_pool_indexed(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                     return_indices: bool, ceil_mode: bool, rank: int) -> Any:
    """Max pooling over the last ``rank`` axes with ``ceil_mode`` and ``return_indices``
    (where each maximum is, the first of tied ones, counted along the input's flattened
    spatial axes, row-major, as ``max_unpool`` takes it)."""
    kernel, step = _tuple(kernel_size, rank), _tuple(stride, rank)
    spread, sizes = _tuple(dilation, rank), np.shape(x)[2:]
    widths = [_padding(sizes[i], kernel[i], step[i], spread[i], "pad", padding, i, rank)
              for i in range(rank)]
    if ceil_mode:
        widths = [(lo, hi + _rounded_up(sizes[i], kernel[i], step[i], spread[i], lo, hi))
                  for i, (lo, hi) in enumerate(widths)]
    padded = np.pad(x, ((0, 0), (0, 0), *widths), constant_values=_lowest(x.dtype))
    windows = patches(padded, kernel, step, spread, "valid", 0)
    values = first_max(windows, axis=2)
    if not return_indices:
        return values
    tap, out = np.argmax(windows, axis=2), np.shape(values)[2:]
    flat = 0
    for i in range(rank):  # the tap's offset along axis i, then the input's position
        offset = (tap // math.prod(kernel[i + 1:])) % kernel[i]
        start = np.reshape(np.arange(out[i]), (-1, *(1,) * (rank - 1 - i))) * step[i]
        flat = flat * sizes[i] + start + offset * spread[i] - widths[i][0]
    return values, flat.astype(np.int64)


def _rounded_up(size: int, kernel: int, stride: int, dilation: int, before: int,
                after: int) -> int:
    """The rows (columns) ``ceil_mode`` adds after the padding: enough for the windows
    a count rounded up makes, but for one that would start past the input and the
    padding before it."""
    span, reach = size + before + after, (kernel - 1) * dilation + 1
    count = -(-(span - reach) // stride) + 1
    if (count - 1) * stride >= size + before:
        count -= 1
    return max((count - 1) * stride + reach - span, 0)


_rounded_up.__evaluated_when_compiling__ = True  # a pure function of sizes


def _block_layout(spatial: tuple, kernel: tuple) -> tuple:
    """The shape that splits each spatial axis into (blocks, offset), the axes that
    move every offset in front of every block position, the index that keeps the
    whole blocks (None when there is no rest), and the shape of the patches after the
    batch and channel axes: (prod(kernel), *blocks)."""
    rank = len(spatial)
    out = tuple(size // k for size, k in zip(spatial, kernel, strict=True))
    shape = tuple(v for pair in zip(out, kernel, strict=True) for v in pair)
    order = (0, 1, *(3 + 2 * i for i in range(rank)), *(2 + 2 * i for i in range(rank)))
    whole = (slice(None), slice(None), *(slice(0, o * k) for o, k in zip(out, kernel)))
    kept = tuple(o * k for o, k in zip(out, kernel, strict=True))
    return shape, order, None if kept == tuple(spatial) else whole, (math.prod(kernel), *out)


_block_layout.__evaluated_when_compiling__ = True


def tiles(x: Any, kernel_size: Any, stride: Any, dilation: Any, pad_mode: str,
          padding: Any) -> Any:
    """What ``patches`` gives, (N, C, prod(kernel), *out), when the windows tile ``x``
    (stride = kernel, no dilation, no padding: the usual 2x2 pooling), else None.

    The same array, built by reshaping ``x`` into blocks and moving the offsets within
    a block in front of the block's position: one copy where ``patches`` stacks
    ``prod(kernel)`` strided slices, and whose gradient is a copy back, where that of
    the slices is one scatter-add per slice. (Reducing the blocks over their own short
    axes instead, ``max(axis=(3, 5))``, runs ten times slower in NumPy.)"""
    rank = x.ndim - 2
    kernel = _tuple(kernel_size, rank)
    if _tuple(stride, rank) != kernel or _tuple(dilation, rank) != (1,) * rank:
        return None
    if any(_padding(x.shape[2 + i], kernel[i], kernel[i], 1, pad_mode, padding, i, rank)
           != (0, 0) for i in range(rank)):
        return None
    shape, order, whole, layout = _block_layout(x.shape[2:], kernel)
    if min(shape) < 1:
        return None
    if whole is not None:  # 'valid' drops the rest
        x = x[whole]
    n, c = x.shape[0], x.shape[1]
    blocks = x.reshape(n, c, *shape).transpose(order)
    return blocks.reshape(n, c, *layout)


def avg_pool(input_x: Any, kernel_size: Any, stride: Any, padding: Any,
             count_include_pad: bool, divisor_override: int, pad_mode: str) -> Any:
    """The mean of each window of any rank: padding counts as zeros with
    ``count_include_pad`` (in ``same`` mode too: MindSpore's ``AvgPool3d`` counts it,
    its 2-D pooling does not, which ``avg_pool2d`` asks for)."""
    cols = patches(input_x, kernel_size, stride, 1, pad_mode, padding)
    if divisor_override:
        return np.sum(cols, axis=2) / divisor_override
    if not count_include_pad:  # divide by the values in the window
        inside = patches(np.ones((1, 1, *input_x.shape[2:]), input_x.dtype), kernel_size,
                         stride, 1, pad_mode, padding)
        return np.sum(cols, axis=2) / np.sum(inside, axis=2)
    return np.mean(cols, axis=2)


def avg_pool2d(input_x: Any, kernel_size: Any = 1, stride: Any = 1, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int = 0, pad_mode: str = "pad") -> Any:
    """The mean of each window: padding counts as zeros with ``count_include_pad``,
    except in ``same`` mode, where (as MindSpore) only the values inside count.
    ``ceil_mode`` adds the windows a rounded-up count makes, each divided by what it
    covers of the input (and its padding, counted)."""
    if ceil_mode and pad_mode != "same":
        return _avg_pool_rounded_up(input_x, kernel_size, stride, padding, count_include_pad,
                                    divisor_override, pad_mode, 2)
    if ceil_mode:
        raise ValueError("avg_pool2d: ceil_mode needs pad_mode 'pad' or 'valid', as "
                         "MindSpore's")
    return avg_pool(input_x, kernel_size, stride, padding,
                    count_include_pad and pad_mode != "same", divisor_override, pad_mode)


def _avg_pool_rounded_up(x: Any, kernel_size: Any, stride: Any, padding: Any,
                         count_include_pad: bool, divisor_override: int, pad_mode: str,
                         rank: int) -> Any:
    """Average pooling with ``ceil_mode``: the rounded-up windows hang past the padding,
    and what hangs past counts neither as values nor in the divisor (the padding does
    where ``count_include_pad``), as MindSpore (measured) and PyTorch divide."""
    kernel, step, sizes = _tuple(kernel_size, rank), _tuple(stride, rank), np.shape(x)[2:]
    widths = [_padding(sizes[i], kernel[i], step[i], 1, pad_mode, padding, i, rank)
              for i in range(rank)]
    extra = [_rounded_up(sizes[i], kernel[i], step[i], 1, lo, hi)
             for i, (lo, hi) in enumerate(widths)]
    edges = ((0, 0), (0, 0), *((lo, hi + e) for (lo, hi), e in zip(widths, extra)))
    sums = np.sum(patches(np.pad(x, edges), kernel, step, 1, "valid", 0), axis=2)
    if divisor_override:
        return sums / divisor_override
    counted = np.ones((1, 1, *sizes), np.float32)
    if count_include_pad:  # the padding counts, the rounded-up overhang does not
        counted = np.pad(counted, ((0, 0), (0, 0), *widths), constant_values=1.0)
        edges = ((0, 0), (0, 0), *((0, e) for e in extra))
    return sums / np.sum(patches(np.pad(counted, edges), kernel, step, 1, "valid", 0),
                         axis=2).astype(sums.dtype)


# ---------------------------------------------------------------------------- transposed


def transposed_full(x: Any, weight: Any, stride: Any, dilation: Any, groups: int = 1) -> Any:
    """The whole transposed convolution of ``x`` (N, C, *spatial) with ``weight``
    (C, O / groups, *kernel): (N, O, (size - 1) stride + dilation (kernel - 1) + 1, ...),
    nothing cut off. It is the ordinary convolution of the input spread out by the
    stride (``stride - 1`` zeros between entries) and padded by ``dilation (kernel -
    1)`` on each side, with the kernel flipped and, group by group, its two channel
    axes swapped."""
    rank = x.ndim - 2
    step, spread = _tuple(stride, rank), _tuple(dilation, rank)
    split, widths, merged, index, edges = _spread_layout(x.shape, step, spread,
                                                         weight.shape[2:])
    if split is not None:
        x = np.pad(x.reshape(split), widths).reshape(merged)[index]
    if edges is not None:
        x = np.pad(x, edges)
    per_group, outs = weight.shape[0] // groups, weight.shape[1]
    kernel = np.flip(weight, tuple(range(2, rank + 2)))
    kernel = kernel.reshape(groups, per_group, outs, *weight.shape[2:])
    kernel = kernel.transpose(0, 2, 1, *range(3, rank + 3))
    kernel = kernel.reshape(groups * outs, per_group, *weight.shape[2:])
    return conv(x, kernel, None, 1, "valid", 0, spread, groups)


def _spread_layout(shape: tuple, stride: tuple, dilation: tuple, kernel: tuple) -> tuple:
    """How ``transposed_full`` spreads an input of ``shape``: each spatial axis ``n``
    gets a new axis after it, padded from 1 to ``stride`` with zeros; merged, they make
    ``n stride`` entries, of which the first ``(n - 1) stride + 1`` are kept; then
    ``dilation (kernel - 1)`` zeros each side. (None for a step that is not needed.)"""
    spatial = shape[2:]
    split = (*shape[:2], *(v for n in spatial for v in (n, 1)))
    widths = ((0, 0), (0, 0), *(pair for s in stride for pair in ((0, 0), (0, s - 1))))
    merged = (*shape[:2], *(n * s for n, s in zip(spatial, stride, strict=True)))
    index = (slice(None), slice(None),
             *(slice(0, (n - 1) * s + 1) for n, s in zip(spatial, stride, strict=True)))
    edges = ((0, 0), (0, 0), *((d * (k - 1),) * 2 for d, k in zip(dilation, kernel,
                                                                    strict=True)))
    if max(stride) == 1:
        split = None
    return split, widths, merged, index, None if max(max(e) for e in edges) == 0 else edges


def _crop_layout(shape: tuple, cuts: tuple) -> tuple:
    """The zeros ``crop`` adds for negative cuts, and the index that cuts the rest."""
    grow = ((0, 0), (0, 0), *((max(-a, 0), max(-b, 0)) for a, b in cuts))
    sizes = [n + g[0] + g[1] for n, g in zip(shape[2:], grow[2:], strict=True)]
    index = (slice(None), slice(None), *(slice(max(a, 0), n - max(b, 0))
                                         for (a, b), n in zip(cuts, sizes, strict=True)))
    return None if max(max(g) for g in grow) == 0 else grow, index


_spread_layout.__evaluated_when_compiling__ = True
_crop_layout.__evaluated_when_compiling__ = True


def crop(x: Any, cuts: tuple) -> Any:
    """``x`` (N, C, *spatial) with ``cuts[i] = (before, after)`` entries cut off each
    side of spatial axis ``i``; a negative amount adds that many zeros instead."""
    grow, index = _crop_layout(x.shape, tuple(cuts))
    if grow is not None:
        x = np.pad(x, grow)
    return x[index]


UNSUPPORTED_POOLING = ("pooling: return_indices is supported by max pooling only, ceil_mode "
                       "by max pooling and 1-D and 2-D average pooling (ops.max_pool2d, "
                       "ops.max_pool3d, nn.MaxPool1d/2d/3d, ops.avg_pool2d, "
                       "nn.AvgPool1d/2d)")

"""MindSpore's image and normalisation functions beyond ``ops_conv``'s:
``conv_transpose2d``, ``pixel_shuffle``, ``pixel_unshuffle``, ``channel_shuffle``,
``group_norm``, ``layer_norm``, ``batch_norm``, ``rms_norm``, the channel dropouts
``dropout1d/2d/3d``, ``adaptive_max_pool1d/2d``, and the small activations
``hardshrink``, ``softshrink`` (``soft_shrink``), ``fast_gelu``; re-exported by ``ops``.

All are whole-array NumPy, so inside a differentiated function the compiler reads them
like user code and they need no rule of their own:

* A transposed convolution is the ordinary one run on the spread-out input
  (``ops_conv.transposed_full``), which gives the full output; the layers and
  ``conv_transpose2d`` then cut their padding off it (``ops_conv.crop``), or add zero
  rows when a negative crop asks for more.
* The shuffles are a reshape, a transpose and a reshape; the permutation is a pure
  function of the rank, worked out while compiling.
* The normalisations use the biased variance, as MindSpore's kernels do.
* ``dropout1d/2d/3d`` draw one number per (sample, channel) from NumPy's global random
  state, like ``ops.dropout`` (``ops_state``); the gradient is the drawn mask, scaled.
* Adaptive max pooling takes, for output ``i`` of ``n`` over length ``L``, the maximum
  of entries ``floor(i L / n)`` to ``ceil((i + 1) L / n)`` (measured); MindSpore's
  ``adaptive_max_pool1d`` refuses a length that ``n`` does not divide, and so does this.

``fast_gelu`` is MindSpore's ``x / (1 + exp(-1.702 |x|)) exp(0.851 (x - |x|))``, which is
``x sigmoid(1.702 x)`` on both sides of 0 and is written so (no ``|x|``, whose corner
would otherwise need a choice at 0). ``hardshrink`` and ``softshrink`` have derivative
0 at ``+-lambd``, as MindSpore's.

MindSpore 2.7.1's CPU build has no kernel for ``conv_transpose2d`` or ``rms_norm``:
those follow its documented formulas (``conv_transpose2d``'s output has
``(H - 1) stride - 2 padding + dilation (kernel - 1) + output_padding + 1`` rows, the
``output_padding`` rows computed like the others, bias included) and are checked
against finite differences; the rest are measured (``tests/image_layer_cases.py``).
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from ..ir.reference import sigmoid
from ..ir.surface import stop_gradient
from . import ops_conv, ops_state
from .ties import first_max

__all__ = ["conv_transpose2d", "pixel_shuffle", "pixel_unshuffle", "channel_shuffle",
           "group_norm", "layer_norm", "batch_norm", "rms_norm", "dropout1d", "dropout2d",
           "dropout3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_avg_pool2d",
           "hardshrink", "softshrink", "soft_shrink", "fast_gelu"]


# ---------------------------------------------------------------------------- transposed


def conv_transpose2d(input: Any, weight: Any, bias: Any = None,  # noqa: A002 (MindSpore's)
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Any:
    """The transposed convolution of ``input`` (N, C, H, W) with ``weight``
    (C, O, kh, kw): ``padding`` rows (columns) cut off both sides of the full output,
    ``output_padding`` given back at the bottom (right)."""
    if groups != 1:
        raise ValueError("conv_transpose2d: only groups=1 is supported")
    ph, pw = ops_conv._pair(padding)
    oh, ow = ops_conv._pair(output_padding)
    out = ops_conv.crop(ops_conv.transposed_full(input, weight, stride, dilation),
                        ((ph, ph - oh), (pw, pw - ow)))
    if bias is not None:
        out = out + bias.reshape(1, -1, 1, 1)
    return out


# ---------------------------------------------------------------------------- shuffles


def pixel_shuffle(input: Any, upscale_factor: int) -> Any:  # noqa: A002
    """(..., C r^2, H, W) -> (..., C, H r, W r): each group of ``r * r`` channels
    becomes an ``r`` by ``r`` block of pixels."""
    r = upscale_factor
    shape = np.shape(input)
    lead, (c, h, w) = shape[:-3], shape[-3:]
    blocks = np.reshape(input, (*lead, c // (r * r), r, r, h, w))
    blocks = np.transpose(blocks, _shuffle_order(len(lead), (0, 3, 1, 4, 2)))
    return np.reshape(blocks, (*lead, c // (r * r), h * r, w * r))


def pixel_unshuffle(input: Any, downscale_factor: int) -> Any:  # noqa: A002
    """(..., C, H r, W r) -> (..., C r^2, H, W): ``pixel_shuffle`` undone."""
    r = downscale_factor
    shape = np.shape(input)
    lead, (c, h, w) = shape[:-3], shape[-3:]
    blocks = np.reshape(input, (*lead, c, h // r, r, w // r, r))
    blocks = np.transpose(blocks, _shuffle_order(len(lead), (0, 2, 4, 1, 3)))
    return np.reshape(blocks, (*lead, c * r * r, h // r, w // r))


def _shuffle_order(lead: int, last: tuple) -> tuple:
    """The leading ``lead`` axes in place, then the last five permuted as ``last``."""
    return tuple(range(lead)) + tuple(lead + i for i in last)


_shuffle_order.__evaluated_when_compiling__ = True  # a pure function of numbers


def channel_shuffle(x: Any, groups: int) -> Any:
    """Channels (axis 1) dealt out from ``groups`` groups in turn: ``C = g * k`` channels
    in order ``0, k, 2k, ..., 1, k + 1, ...``."""
    shape = np.shape(x)
    grouped = np.reshape(x, (shape[0], groups, shape[1] // groups, *shape[2:]))
    return np.reshape(np.swapaxes(grouped, 1, 2), shape)


# ---------------------------------------------------------------------------- normalisation


def _along_channels(ndim: int) -> tuple:
    """The shape of a per-channel vector laid along axis 1 of an ``ndim``-d input."""
    return (1, -1) + (1,) * (ndim - 2)


_along_channels.__evaluated_when_compiling__ = True


def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None,  # noqa: A002
               eps: float = 1e-5) -> Any:
    """Each sample's channels (axis 1) split into ``num_groups`` groups, each normalised
    over its channels and positions; then ``weight`` and ``bias`` per channel."""
    shape = np.shape(input)
    groups = np.reshape(input, (shape[0], num_groups, -1))
    mean = np.mean(groups, axis=2, keepdims=True)
    centred = groups - mean
    var = np.mean(centred * centred, axis=2, keepdims=True)
    out = np.reshape(centred / np.sqrt(var + eps), shape)
    along = _along_channels(len(shape))
    if weight is not None:
        out = out * np.reshape(weight, along)
    if bias is not None:
        out = out + np.reshape(bias, along)
    return out


def layer_norm(input: Any, normalized_shape: Any, weight: Any = None,  # noqa: A002
               bias: Any = None, eps: float = 1e-5) -> Any:
    """Each sample normalised over its last ``len(normalized_shape)`` axes, then scaled
    by ``weight`` and shifted by ``bias`` (both shaped ``normalized_shape``)."""
    count = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    axes = tuple(range(-count, 0))
    mean = np.mean(input, axis=axes, keepdims=True)
    centred = input - mean
    var = np.mean(centred * centred, axis=axes, keepdims=True)
    out = centred / np.sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def batch_norm(input_x: Any, running_mean: Any, running_var: Any, weight: Any, bias: Any,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Any:
    """Per channel (axis 1): normalised with the batch's statistics while ``training``
    (and the running ones moved towards them, ``running = (1 - momentum) running +
    momentum batch``, the batch's unbiased variance for ``running_var``), with the
    running statistics otherwise."""
    ndim = np.ndim(input_x)
    along = _along_channels(ndim)
    if training:
        axes = (0, *tuple(range(2, ndim)))
        mean = np.mean(input_x, axis=axes)
        var = np.var(input_x, axis=axes)
        n = np.size(input_x) // np.shape(input_x)[1]
        unbiased = var * (n / (n - 1)) if n > 1 else var
        ops_state.assign(running_mean, (1 - momentum) * running_mean
                         + momentum * stop_gradient(mean))
        ops_state.assign(running_var, (1 - momentum) * running_var
                         + momentum * stop_gradient(unbiased))
    else:
        mean, var = running_mean, running_var
    out = (input_x - np.reshape(mean, along)) / np.sqrt(np.reshape(var, along) + eps)
    return out * np.reshape(weight, along) + np.reshape(bias, along)


def rms_norm(x: Any, gamma: Any, epsilon: float = 1e-6) -> Any:
    """``x / sqrt(mean(x^2) + epsilon) * gamma`` over the last axes (as many as
    ``gamma`` has)."""
    axes = tuple(range(-np.ndim(gamma), 0))
    return x / np.sqrt(np.mean(x * x, axis=axes, keepdims=True) + epsilon) * gamma


# ---------------------------------------------------------------------------- dropout


def _channel_dropout(x: Any, p: float, training: bool, ranks: tuple, name: str) -> Any:
    """Whole channels of ``x`` zeroed with probability ``p``, the rest scaled by
    ``1 / (1 - p)``: one draw per (sample, channel), or per channel when ``x`` has the
    smaller of the two ranks (no batch axis)."""
    if np.ndim(x) not in ranks:
        raise ValueError(f"{name}: the input must have {' or '.join(map(str, ranks))} "
                         f"dimensions, not {np.ndim(x)}")
    if not 0 <= p <= 1:
        raise ValueError(f"{name}: p must be in [0, 1], not {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    shape = np.shape(x)
    batch = 2 if np.ndim(x) == ranks[-1] else 1
    keep = np.random.random(shape[:batch] + (1,) * (len(shape) - batch)) >= p
    return x * keep / (1 - p)


def dropout1d(input: Any, p: float = 0.5, training: bool = True) -> Any:  # noqa: A002
    """Channel dropout of (N, C, L) or (C, L) input."""
    return _channel_dropout(input, p, training, (2, 3), "dropout1d")


def dropout2d(input: Any, p: float = 0.5, training: bool = True) -> Any:  # noqa: A002
    """Channel dropout of (N, C, H, W) input."""
    return _channel_dropout(input, p, training, (4,), "dropout2d")


def dropout3d(input: Any, p: float = 0.5, training: bool = True) -> Any:  # noqa: A002
    """Channel dropout of (N, C, D, H, W) input."""
    return _channel_dropout(input, p, training, (5,), "dropout3d")


# ---------------------------------------------------------------------------- pooling


def adaptive_pool(x: Any, size: Any, axis: int, reduce: Any) -> Any:
    """``x`` reduced (``np.max``, ``np.mean``) along ``axis`` over ``size`` windows, as
    PyTorch and MindSpore place them (None: left as it is)."""
    length = np.shape(x)[axis]
    if size is None or size == length:
        return x
    pooled = []
    for i in range(size):
        start, stop = (i * length) // size, -(-((i + 1) * length) // size)
        window = np.take(x, np.arange(start, stop), axis=axis)
        pooled.append(reduce(window, axis=axis))
    return np.stack(pooled, axis=axis)


def adaptive_max_boxes(x: Any, sizes: tuple) -> Any:
    """The maximum over each of ``sizes`` boxes of the last ``len(sizes)`` axes (None
    keeps an axis), placed as ``adaptive_pool`` places windows; its gradient to the
    first of tied entries in the box's row-major order, as MindSpore's (one axis at a
    time would pick the first along each axis in turn: another entry). In shape-generic
    code, whose rank is known only at run time, one axis at a time, ties split."""
    shape = np.shape(x)
    if not isinstance(shape, tuple):
        for axis, size in zip(range(-len(sizes), 0), sizes):
            x = adaptive_pool(x, size, axis, np.max)
        return x
    lead, lengths = shape[:-len(sizes)], shape[-len(sizes):]
    sizes = tuple(n if s is None else s for s, n in zip(sizes, lengths))
    boxes = []
    for at in itertools.product(*(range(s) for s in sizes)):
        box = x[(..., *_box(at, sizes, lengths))]
        boxes.append(first_max(np.reshape(box, (*lead, -1)), -1))
    return np.reshape(np.stack(boxes, -1), (*lead, *sizes))


def _box(at: tuple, sizes: tuple, lengths: tuple) -> tuple:
    return tuple(slice(*_window(i, s, n)) for i, s, n in zip(at, sizes, lengths))


_box.__evaluated_when_compiling__ = True  # a pure function of sizes


def adaptive_avg_pool(x: Any, size: Any, axis: int) -> Any:
    return adaptive_pool(x, size, axis, np.mean)


def adaptive_max_pool1d(input: Any, output_size: int) -> Any:  # noqa: A002
    """The maxima of ``output_size`` equal windows along the last axis of (N, C, L)
    input; as MindSpore, ``L`` must be a multiple of ``output_size``."""
    length = np.shape(input)[-1]
    if np.ndim(input) != 3 or length % output_size:
        raise ValueError(f"adaptive_max_pool1d: the input must be (N, C, L) with L a "
                         f"multiple of output_size {output_size}, not {np.shape(input)}")
    shape = np.shape(input)
    return first_max(np.reshape(input, (*shape[:2], output_size, length // output_size)),
                     axis=3)


def adaptive_max_pool2d(input: Any, output_size: Any,  # noqa: A002
                        return_indices: bool = False) -> Any:
    """Adaptive max pooling over the last two axes; ``output_size`` an int for both or
    a pair (None keeps that axis)."""
    rows, cols = (output_size, output_size) if isinstance(output_size, int) else output_size
    if return_indices:
        return _adaptive_max_with_indices(input, rows, cols)
    return adaptive_max_boxes(input, (rows, cols))


def _window(i: int, size: int, length: int) -> tuple[int, int]:
    """Where window ``i`` of ``size`` starts and stops along an axis of ``length``."""
    return (i * length) // size, -(-((i + 1) * length) // size)


def _adaptive_max_with_indices(x: Any, rows: Any, cols: Any) -> tuple[Any, Any]:
    """The maxima of each rectangle and where each is, counted along the flattened
    (H, W) plane (the first of tied ones), as ``max_unpool2d`` takes them."""
    height, width = np.shape(x)[-2:]
    rows, cols = height if rows is None else rows, width if cols is None else cols
    values, indices = [], []
    for i in range(rows):
        top, bottom = _window(i, rows, height)
        row_values, row_indices = [], []
        for j in range(cols):
            left, right = _window(j, cols, width)
            flat = np.reshape(x[..., top:bottom, left:right], (*np.shape(x)[:-2], -1))
            at = np.argmax(flat, axis=-1)
            row_values.append(first_max(flat, axis=-1))
            row_indices.append((top + at // (right - left)) * width + left + at % (right - left))
        values.append(np.stack(row_values, -1))
        indices.append(np.stack(row_indices, -1))
    return np.stack(values, -2), np.stack(indices, -2).astype(np.int64)


_window.__evaluated_when_compiling__ = True  # a pure function of sizes


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """The mean over each of ``output_size`` bins of the last two axes (None keeps an
    axis): the rows' means, then the columns' (each bin is a rectangle)."""
    rows, cols = (output_size, output_size) if isinstance(output_size, int) else output_size
    return adaptive_avg_pool(adaptive_avg_pool(input, rows, -2), cols, -1)


# ---------------------------------------------------------------------------- activations


def hardshrink(input: Any, lambd: float = 0.5) -> Any:  # noqa: A002
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    return np.where(np.abs(input) > lambd, input, 0.0)


def softshrink(input: Any, lambd: float = 0.5) -> Any:  # noqa: A002
    """``x`` moved ``lambd`` towards 0, and 0 within ``lambd`` of it."""
    return np.where(input > lambd, input - lambd, np.where(input < -lambd, input + lambd, 0.0))


soft_shrink = softshrink


def fast_gelu(x: Any) -> Any:
    """``x sigmoid(1.702 x)``: MindSpore's fast approximation of GELU."""
    return x * sigmoid(1.702 * x)


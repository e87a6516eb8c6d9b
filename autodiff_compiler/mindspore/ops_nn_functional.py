"""MindSpore's remaining neural-network ``ops``: ``conv1d``, ``avg_pool1d``,
``adaptive_avg_pool1d``, ``lp_pool1d``/``lp_pool2d``, ``embedding``, ``unfold`` (im2col)
and ``fold`` (col2im), ``pdist``, ``renorm``, ``lrn`` and ``softmin``; re-exported by
``ops``, with ``ops_nn_sampling``'s ``affine_grid``, ``grid_sample`` and
``gumbel_softmax``.

Each is whole-array NumPy over strided slices of a padded input (one per kernel tap,
a comprehension over the kernel that runs while compiling), so inside a differentiated
function the compiler reads it like user code and it needs no rule of its own:

* ``conv1d`` stacks the ``k`` slices and contracts them with the kernel; ``unfold``
  stacks the ``kh * kw`` slices. A stack of more than 64 pieces is built in groups of
  64 (``stacked``): the compiler's variadic primitives take at most 64 operands.
* Pooling adds the slices instead, rows then columns (``kh + kw`` additions for each
  output, where stacking would copy ``kh * kw`` windows).
* ``ceil_mode`` pooling adds windows at the end that start inside the (padded) input
  but run past it: the input is padded on the right for them, and an average divides
  by the entries of the window that fall inside the padded input (inside the input,
  without ``count_include_pad``), as MindSpore 2.7.1 computes it (measured). ``lp_pool``
  is that average of ``x ** p``, times the window's area, to the power ``1 / p``.
* ``fold`` is the adjoint of ``unfold``: each kernel position's columns added into a
  strided slice of a zero image, whose gradient is that slice read back.
* ``embedding`` gathers rows of ``weight``. Its ``padding_idx`` row gets no gradient and
  ``scale_grad_by_freq`` divides each row's gradient by how often the batch names it;
  both change only the gradient, so they are written as ``v * s + stop_gradient(v - v * s)``
  (the value ``v``, the gradient scaled by ``s``). MindSpore 2.7.1's CPU build has no
  ``embedding`` kernel; this follows its documentation.

Bad arguments raise ``ValueError`` with what was expected, where MindSpore refuses them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.surface import stop_gradient
from . import ops_conv
from .ops_conv import stacked
from .ops_distances import _p_norm
from .ops_image import adaptive_avg_pool
from .ops_nn import softmax
from .tensor import Tensor

__all__ = ["conv1d", "avg_pool1d", "adaptive_avg_pool1d", "lp_pool1d", "lp_pool2d",
           "embedding", "unfold", "fold", "pdist", "renorm", "lrn", "softmin"]


def _single(value: Any, name: str) -> int:
    """An int given as itself or as a one-element tuple or list."""
    if isinstance(value, tuple | list):
        if len(value) != 1:
            raise ValueError(f"{name} must be an int or a tuple of one int, not {value!r}")
        value = value[0]
    return int(value)


_single.__evaluated_when_compiling__ = True  # a pure function of settings


def _check_rank(x: Any, ndim: int, name: str, layout: str) -> None:
    if np.ndim(x) != ndim:
        raise ValueError(f"{name}: the input must be {ndim}-d {layout}, not of shape "
                         f"{np.shape(x)}")


# ---------------------------------------------------------------------------- convolution


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           pad_mode: str = "valid", padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> Any:
    """Cross-correlation of ``input`` (N, C, L) with ``weight`` (O, C / groups, k): the
    ``k`` strided slices of the padded input (one per kernel tap), contracted with the
    kernel, each of ``groups`` slices of the channels with its own filters."""
    _check_rank(input, 3, "conv1d", "(N, C, L)")
    _check_rank(weight, 3, "conv1d's weight", "(out_channels, in_channels / groups, k)")
    n, channels, length = np.shape(input)
    out_channels, per_group, kernel = np.shape(weight)
    if channels % groups or out_channels % groups or channels // groups != per_group:
        raise ValueError(f"conv1d: {channels} input and {out_channels} output channels do "
                         f"not split into {groups} groups of weight {np.shape(weight)}")
    step = _single(stride, "conv1d's stride")
    spread = _single(dilation, "conv1d's dilation")
    pad = _single(padding, "conv1d's padding")
    before, after = ops_conv._padding(length, kernel, step, spread, pad_mode, pad, 0)
    x = np.pad(input, ((0, 0), (0, 0), (before, after))) if before or after else input
    taps = stacked(_lanes(x, kernel, step, spread, -1), 2)  # (N, C, k, Lo)
    cols = np.reshape(taps, (n, groups, per_group * kernel, np.shape(taps)[-1]))
    filters = np.reshape(weight, (groups, out_channels // groups, per_group * kernel))
    out = np.reshape(np.einsum("gok,ngkl->ngol", filters, cols), (n, out_channels, -1))
    return out if bias is None else out + np.reshape(bias, (1, out_channels, 1))


# ---------------------------------------------------------------------------- windows

def _count(size: int, kernel: int, stride: int, dilation: int) -> int:
    """How many windows fit along an axis of ``size`` (already padded)."""
    count = (size - dilation * (kernel - 1) - 1) // stride + 1
    if count < 1:
        raise ValueError(f"the window {kernel} (dilation {dilation}) is larger than the "
                         f"padded input {size}")
    return count


_count.__evaluated_when_compiling__ = True  # a pure function of shapes


def _lanes(x: Any, kernel: int, stride: int, dilation: int, axis: int) -> list:
    """The ``kernel`` strided slices of ``x`` along ``axis`` (-1 or -2), tap by tap."""
    n = _count(np.shape(x)[axis], kernel, stride, dilation)
    if axis == -1:
        return [x[..., t * dilation:t * dilation + (n - 1) * stride + 1:stride]
                for t in range(kernel)]
    return [x[..., t * dilation:t * dilation + (n - 1) * stride + 1:stride, :]
            for t in range(kernel)]


def _window_sums(x: Any, kernel: tuple, stride: tuple) -> Any:
    """The sum of each window of the last two axes of ``x``: the rows' sums, then the
    columns' (``kh + kw`` additions per output, not ``kh * kw``)."""
    rows = sum(_lanes(x, kernel[0], stride[0], 1, -2))
    return sum(_lanes(rows, kernel[1], stride[1], 1, -1))


# ---------------------------------------------------------------------------- pooling


def _windows(size: int, kernel: int, stride: int, padding: int, ceil_mode: bool) -> tuple:
    """(output length, extra padding on the right) along one axis of a pooling."""
    span = size + 2 * padding - kernel
    if span < 0:
        raise ValueError(f"pooling: the window {kernel} is larger than the padded input "
                         f"{size + 2 * padding}")
    if not ceil_mode:
        return span // stride + 1, 0
    out = -(-span // stride) + 1
    if (out - 1) * stride >= size + padding:  # the last window would start in the padding
        out -= 1
    return out, max((out - 1) * stride + kernel - size - 2 * padding, 0)


_windows.__evaluated_when_compiling__ = True  # a pure function of shapes and settings


def _divisors(shape: tuple, kernel: tuple, stride: tuple, padding: tuple, extra: tuple,
              count_include_pad: bool) -> np.ndarray:
    """(1, 1, Ho, Wo): how many entries of each window an average divides by."""
    if count_include_pad:  # the padded input counts, the extra windows' tails not
        inside = np.ones((shape[0] + 2 * padding[0], shape[1] + 2 * padding[1]))
        widths = ((0, extra[0]), (0, extra[1]))
    else:
        inside = np.ones(shape)
        widths = ((padding[0], padding[0] + extra[0]), (padding[1], padding[1] + extra[1]))
    return _window_sums(np.pad(inside, widths)[None, None], kernel, stride)


_divisors.__evaluated_when_compiling__ = True  # a constant of shapes known then


def _avg_pool(x: Any, kernel: tuple, stride: tuple, padding: tuple, ceil_mode: bool,
              count_include_pad: bool) -> Any:
    """The average over each window of the last two axes of ``x`` (N, C, H, W)."""
    bottom = _windows(np.shape(x)[2], kernel[0], stride[0], padding[0], ceil_mode)[1]
    right = _windows(np.shape(x)[3], kernel[1], stride[1], padding[1], ceil_mode)[1]
    widths = ((0, 0), (0, 0), (padding[0], padding[0] + bottom),
              (padding[1], padding[1] + right))
    total = _window_sums(np.pad(x, widths) if bottom or right or padding != (0, 0) else x,
                         kernel, stride)
    if not ceil_mode and count_include_pad:
        return total / (kernel[0] * kernel[1])
    divisors = _divisors(np.shape(x)[2:], kernel, stride, padding, (bottom, right),
                         count_include_pad)
    return total / divisors.astype(x.dtype)


def avg_pool1d(input_x: Any, kernel_size: Any = 1, stride: Any = 1, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True) -> Any:
    """The mean of each window of ``kernel_size`` along the last axis of (N, C, L),
    ``padding`` zeros on both sides."""
    _check_rank(input_x, 3, "avg_pool1d", "(N, C, L)")
    kernel = _single(kernel_size, "avg_pool1d's kernel_size")
    pad = _single(padding, "avg_pool1d's padding")
    if pad > kernel // 2:
        raise ValueError(f"avg_pool1d: padding {pad} must be at most half the kernel "
                         f"size {kernel}")
    out = _avg_pool(np.expand_dims(input_x, 2), (1, kernel),
                    (1, _single(stride, "avg_pool1d's stride")), (0, pad), ceil_mode,
                    count_include_pad)
    return np.squeeze(out, 2)


def adaptive_avg_pool1d(input: Any, output_size: int) -> Any:  # noqa: A002
    """The means of ``output_size`` equal windows along the last axis of (N, C, L); as
    MindSpore, ``L`` must be a multiple of ``output_size``."""
    _check_rank(input, 3, "adaptive_avg_pool1d", "(N, C, L)")
    if np.shape(input)[-1] % output_size:
        raise ValueError(f"adaptive_avg_pool1d: the input's last axis ({np.shape(input)[-1]})"
                         f" must be a multiple of output_size {output_size}")
    return adaptive_avg_pool(input, output_size, -1)


def _lp_pool(x: Any, norm_type: float, kernel: tuple, stride: tuple, ceil_mode: bool) -> Any:
    powered = x * x if norm_type == 2 else x ** norm_type
    total = _avg_pool(powered, kernel, stride, (0, 0), ceil_mode, True) * (kernel[0] * kernel[1])
    return np.sqrt(total) if norm_type == 2 else total ** (1.0 / norm_type)


def lp_pool1d(x: Any, norm_type: float, kernel_size: int, stride: Any = None,
              ceil_mode: bool = False) -> Any:
    """``(sum of x ** norm_type) ** (1 / norm_type)`` over each window along the last
    axis of (N, C, L) (or (C, L)); ``stride`` defaults to the kernel size."""
    if np.ndim(x) not in (2, 3):
        raise ValueError(f"lp_pool1d: the input must be (N, C, L) or (C, L), not of shape "
                         f"{np.shape(x)}")
    kernel = _single(kernel_size, "lp_pool1d's kernel_size")
    step = kernel if stride is None else _single(stride, "lp_pool1d's stride")
    batched = x if np.ndim(x) == 3 else np.expand_dims(x, 0)
    out = np.squeeze(_lp_pool(np.expand_dims(batched, 2), norm_type, (1, kernel), (1, step),
                              ceil_mode), 2)
    return out if np.ndim(x) == 3 else out[0]


def lp_pool2d(x: Any, norm_type: float, kernel_size: Any, stride: Any = None,
              ceil_mode: bool = False) -> Any:
    """``lp_pool1d`` over the last two axes of (N, C, H, W); ``kernel_size`` and
    ``stride`` an int for both axes or a pair."""
    _check_rank(x, 4, "lp_pool2d", "(N, C, H, W)")
    kernel = ops_conv._pair(kernel_size)
    return _lp_pool(x, norm_type, kernel, kernel if stride is None else ops_conv._pair(stride),
                    ceil_mode)


# ---------------------------------------------------------------------------- embeddings


def embedding(input: Any, weight: Any, padding_idx: Any = None,  # noqa: A002
              max_norm: Any = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False) -> Any:
    """The rows of ``weight`` (num_embeddings, dim) that the integer ``input`` names:
    ``input.shape + (dim,)``. ``padding_idx``'s row gets no gradient; with
    ``scale_grad_by_freq`` each row's gradient is divided by its count in ``input``.
    ``max_norm`` (which renormalises ``weight`` in place in MindSpore) is refused."""
    if max_norm is not None:
        raise ValueError("embedding: max_norm (an in-place update of weight) is not "
                         "supported; renormalise the weight with ops.renorm instead")
    if not np.issubdtype(input.dtype, np.integer):
        raise TypeError(f"embedding: input must hold integer indices, not {input.dtype}")
    if np.ndim(weight) != 2:
        raise ValueError(f"embedding: weight must be 2-d (num_embeddings, dim), not of "
                         f"shape {np.shape(weight)}")
    rows = weight[input]
    scale = None
    if padding_idx is not None:
        padding = padding_idx % np.shape(weight)[0]
        scale = np.expand_dims(input % np.shape(weight)[0] != padding, -1).astype(weight.dtype)
    if scale_grad_by_freq:
        counts = np.sum(np.expand_dims(input, -1) == np.reshape(input, (-1,)), axis=-1)
        per_row = np.expand_dims(1.0 / counts, -1).astype(weight.dtype)
        scale = per_row if scale is None else scale * per_row
    if scale is None:
        return rows
    scaled = rows * scale
    return scaled + stop_gradient(rows - scaled)


# ---------------------------------------------------------------------------- im2col


def _pair_of(value: Any, name: str) -> tuple:
    if isinstance(value, int):
        return value, value
    if len(value) == 1:
        return int(value[0]), int(value[0])
    if len(value) != 2:
        raise ValueError(f"{name} must be an int or a pair of ints, not {value!r}")
    return int(value[0]), int(value[1])


_pair_of.__evaluated_when_compiling__ = True  # a pure function of settings


def unfold(input: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0,  # noqa: A002
           stride: Any = 1) -> Any:
    """The sliding windows of ``input`` (N, C, H, W) as columns: (N, C kh kw, L), ``L``
    the number of windows, each column the window's entries channel by channel."""
    _check_rank(input, 4, "unfold", "(N, C, H, W)")
    kh, kw = _pair_of(kernel_size, "unfold's kernel_size")
    ph, pw = _pair_of(padding, "unfold's padding")
    sh, sw = _pair_of(stride, "unfold's stride")
    dh, dw = _pair_of(dilation, "unfold's dilation")
    x = np.pad(input, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else input
    rows = _lanes(x, kh, sh, dh, -2)  # kh arrays (N, C, Ho, W)
    cols = stacked([stacked(_lanes(row, kw, sw, dw, -1), 2) for row in rows], 2)
    n, c, _, _, ho, wo = np.shape(cols)  # (N, C, kh, kw, Ho, Wo)
    return np.reshape(cols, (n, c * kh * kw, ho * wo))


def _size_pair(output_size: Any) -> tuple:
    """``output_size`` (a Tensor, tuple or int) as a pair of ints."""
    sizes = tuple(int(n) for n in np.asarray(output_size).reshape(-1))
    if len(sizes) == 1:
        sizes = sizes * 2
    if len(sizes) != 2:
        raise ValueError(f"fold: output_size must be two ints, not {output_size!r}")
    return sizes


_size_pair.__evaluated_when_compiling__ = True  # the size is a setting, known then


def fold(input: Any, output_size: Any, kernel_size: Any, dilation: Any = 1,  # noqa: A002
         padding: Any = 0, stride: Any = 1) -> Any:
    """The columns of ``input`` (N, C kh kw, L) added back into an image (N, C, H, W) of
    ``output_size``: ``unfold``'s adjoint, overlapping windows summing."""
    _check_rank(input, 3, "fold", "(N, C * kh * kw, L)")
    height, width = _size_pair(output_size)
    kh, kw = _pair_of(kernel_size, "fold's kernel_size")
    dh, dw = _pair_of(dilation, "fold's dilation")
    sh, sw = _pair_of(stride, "fold's stride")
    ph, pw = _pair_of(padding, "fold's padding")
    ho = (height + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (width + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    n, ckk, length = np.shape(input)
    if ckk % (kh * kw) or length != ho * wo or ho < 1 or wo < 1:
        raise ValueError(f"fold: input of shape {np.shape(input)} is not (N, C * {kh * kw}, "
                         f"{max(ho, 0) * max(wo, 0)}) columns of a {height}x{width} image")
    c = ckk // (kh * kw)
    cols = np.reshape(input, (n, c, kh, kw, ho, wo))
    out = np.zeros((n, c, height + 2 * ph, width + 2 * pw), dtype=input.dtype)
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + (ho - 1) * sh + 1:sh,
                j * dw:j * dw + (wo - 1) * sw + 1:sw] += cols[:, :, i, j]
    return Tensor(out[:, :, ph:ph + height, pw:pw + width])  # a Tensor, as the zeros were not


# ---------------------------------------------------------------------------- norms


def _pairs(n: int) -> tuple:
    """The row indices ``(i, j)``, ``i < j``, in row-major order."""
    first, second = np.triu_indices(n, 1)
    return first, second


_pairs.__evaluated_when_compiling__ = True  # a constant of the number of rows


def pdist(input: Any, p: float = 2.0) -> Any:  # noqa: A002
    """The ``p``-norm distance between each pair of rows ``i < j`` of ``input`` (N, M),
    in row-major order: ``N (N - 1) / 2`` values. ``p = 0`` counts the differing
    entries, ``p = inf`` takes the largest difference; at a distance of 0 the gradient
    is 0."""
    _check_rank(input, 2, "pdist", "(N, M)")
    if p < 0:
        raise ValueError(f"pdist: p must be at least 0, not {p}")
    first, second = _pairs(np.shape(input)[0])
    d = input[first] - input[second]
    if p == 0:
        return np.sum(d != 0, axis=-1).astype(input.dtype)
    if p == float("inf"):
        return np.max(np.abs(d), axis=-1)
    return _p_norm(d, p, -1)


def renorm(input: Any, p: int, axis: int, maxnorm: float) -> Any:  # noqa: A002
    """Each slice of ``input`` along ``axis`` whose ``p``-norm exceeds ``maxnorm``
    scaled to norm ``maxnorm`` (divided by its norm plus ``1e-7``); the others as they
    are."""
    ndim = np.ndim(input)
    if not -ndim <= axis < ndim:
        raise ValueError(f"renorm: axis {axis} is out of range for a {ndim}-d input")
    if p <= 0:
        raise ValueError(f"renorm: p must be positive, not {p}")
    others = tuple(a for a in range(ndim) if a != axis % ndim)
    powered = input * input if p == 2 else np.abs(input) ** p
    norms = np.sum(powered, axis=others, keepdims=True) ** (1.0 / p)
    over = norms > maxnorm
    scale = np.where(over, maxnorm / (np.where(over, norms, 1.0) + 1e-7), 1.0)
    return input * scale.astype(input.dtype)


def lrn(x: Any, depth_radius: int = 5, bias: float = 1.0, alpha: float = 1.0,
        beta: float = 0.5, norm_region: str = "ACROSS_CHANNELS") -> Any:
    """Local response normalisation of (N, C, H, W): ``x / (bias + alpha s) ** beta``,
    ``s`` the sum of squares over the channels within ``depth_radius`` of each."""
    _check_rank(x, 4, "lrn", "(N, C, H, W)")
    if norm_region != "ACROSS_CHANNELS":
        raise ValueError(f"lrn: norm_region must be 'ACROSS_CHANNELS', not {norm_region!r}")
    channels = np.shape(x)[1]
    squares = np.pad(x * x, ((0, 0), (depth_radius, depth_radius), (0, 0), (0, 0)))
    total = sum([squares[:, k:k + channels] for k in range(2 * depth_radius + 1)])
    return x * (bias + alpha * total) ** (-beta)


def softmin(x: Any, axis: Any = -1, *, dtype: Any = None) -> Any:
    """``softmax(-x)`` along ``axis``, cast to ``dtype`` first if given."""
    if dtype is not None:
        x = x.astype(dtype)
    return softmax(-x, axis)

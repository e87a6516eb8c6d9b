"""``mint.nn.functional``: activations, losses, normalisation, convolution and pooling
with PyTorch's names and defaults (``leaky_relu``'s slope 0.01, ``smooth_l1_loss``
averaged, ``avg_pool2d``'s stride its kernel, ``pad`` widths from the last axis back),
mostly calls of ``ops``, compiled from this source like user code."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import layers_1d, ops
from ..ops import (  # noqa: F401  (re-exported: the same names and signatures)
    glu,
    group_norm,
    hardshrink,
    hardsigmoid,
    hardswish,
    l1_loss,
    layer_norm,
    logsigmoid,
    mish,
    mse_loss,
    pixel_shuffle,
    selu,
    sigmoid,
    soft_margin_loss,
    softplus,
    softshrink,
    tanh,
)
from ..ops_resize import interpolate_any_scale as interpolate  # (PyTorch's)
from . import linalg

upsample = interpolate  # PyTorch's older name


def grid_sample(input: Any, grid: Any, mode: str = "bilinear",  # noqa: A002
                padding_mode: str = "zeros", align_corners: bool = False) -> Any:
    """``ops.grid_sample`` with PyTorch's default ``align_corners=False``."""
    return ops.grid_sample(input, grid, mode, padding_mode, align_corners)


def relu(input: Any, inplace: bool = False) -> Any:  # noqa: A002 (mint's names)
    """``ops.relu``: derivative 0 at 0 (``np.maximum(x, 0)`` would give a tie's 1/2)."""
    return ops.relu(input)


def relu6(input: Any, inplace: bool = False) -> Any:  # noqa: A002
    return ops.relu6(input)


def silu(input: Any, inplace: bool = False) -> Any:  # noqa: A002
    return ops.silu(input)


def gelu(input: Any, approximate: str = "none") -> Any:  # noqa: A002
    return ops.gelu(input, approximate)


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Any:  # noqa: A002
    return ops.elu(input, alpha)


def leaky_relu(input: Any, negative_slope: float = 0.01) -> Any:  # noqa: A002
    return np.where(input > 0, input, input * negative_slope)


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0,  # noqa: A002
             inplace: bool = False) -> Any:
    return ops.hardtanh(input, min_val, max_val)


def threshold(input: Any, threshold: float, value: float,  # noqa: A002
              inplace: bool = False) -> Any:
    """``input`` where it is above ``threshold``, else ``value``."""
    return np.where(input > threshold, input, value)


def prelu(input: Any, weight: Any) -> Any:  # noqa: A002
    """``x`` where positive, else ``weight * x``: one slope per channel (axis 1) or one
    for all; at 0 the derivative is the slope's, as PyTorch's."""
    shape = [1] * np.ndim(input)
    if np.size(weight) > 1:
        shape[1] = np.size(weight)
    return np.where(input > 0, input, np.reshape(weight, tuple(shape)) * input)


def softmax(input: Any, dim: Any = None, dtype: Any = None) -> Any:  # noqa: A002
    x = input if dtype is None else np.asarray(input).astype(dtype)
    return ops.softmax(x, _softmax_dim(x, dim))


def log_softmax(input: Any, dim: Any = None, *, dtype: Any = None) -> Any:  # noqa: A002
    x = input if dtype is None else np.asarray(input).astype(dtype)
    return ops.log_softmax(x, _softmax_dim(x, dim))


def _softmax_dim(x: Any, dim: Any) -> int:
    """PyTorch's implicit dim: 0 for 0-, 1- and 3-d input, else 1."""
    if dim is not None:
        return dim
    return 0 if np.ndim(x) in (0, 1, 3) else 1


def linear(input: Any, weight: Any, bias: Any = None) -> Any:  # noqa: A002
    """``input @ weight.T + bias``, ``weight`` shaped (out, in)."""
    out = np.matmul(input, np.swapaxes(weight, -1, -2))
    return out if bias is None else out + bias


def dropout(input: Any, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> Any:
    return ops.dropout(input, p, training)


def embedding(input: Any, weight: Any, padding_idx: Any = None, max_norm: Any = None,  # noqa: A002
              norm_type: float = 2.0, scale_grad_by_freq: bool = False) -> Any:
    """The rows of ``weight`` at the indices ``input``; the row ``padding_idx`` gets no
    gradient."""
    if max_norm is not None:
        raise NotImplementedError("embedding with max_norm (it renormalises the table in "
                                  "place) is not supported; renormalise the table instead")
    if padding_idx is None:
        return np.take(weight, input, axis=0)
    rows = np.shape(weight)[0]
    padding = np.arange(rows)[:, None] == padding_idx % rows
    table = np.where(padding, ops.stop_gradient(weight), weight)
    return np.take(table, input, axis=0)


def one_hot(tensor: Any, num_classes: int = -1) -> Any:
    """Rows of the identity (int64), ``num_classes`` wide (one more than the largest
    index if -1: known only from the values, so eagerly only)."""
    if num_classes == -1:
        num_classes = int(np.max(tensor)) + 1
    return ops.one_hot(tensor, num_classes, 1, 0).astype(np.int64)


def pad(input: Any, pad: Any, mode: str = "constant", value: Any = None) -> Any:  # noqa: A002
    return ops.pad(input, pad, mode, value)


def normalize(input: Any, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Any:  # noqa: A002
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``)."""
    return input / np.maximum(linalg.vector_norm(input, p, dim, True), eps)


def batch_norm(input: Any, running_mean: Any, running_var: Any, weight: Any = None,  # noqa: A002
               bias: Any = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-05) -> Any:
    return ops.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
                          eps)


# ---------------------------------------------------------------------------- losses


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean",  # noqa: A002
                   beta: float = 1.0) -> Any:
    return ops.smooth_l1_loss(input, target, beta, reduction)


def cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                  ignore_index: int = -100, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Any:
    return ops.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)


def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean") -> Any:
    return ops.nll_loss(input, target, weight, ignore_index, reduction)


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,  # noqa: A002
                         reduction: str = "mean") -> Any:
    return ops.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     reduction: str = "mean", pos_weight: Any = None) -> Any:
    return ops.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)


def kl_div(input: Any, target: Any, reduction: str = "mean",  # noqa: A002
           log_target: bool = False) -> Any:
    """``target * (log(target) - input)``, ``input`` log-probabilities (and ``target``
    too with ``log_target``); 0 where ``target`` is 0. ``'batchmean'`` divides the sum by
    the first axis's length, ``'mean'`` by the number of entries."""
    if log_target:
        pointwise = np.exp(target) * (target - input)
    else:
        pointwise = ops.xlogy(target, target) - target * input
    if reduction == "none":
        return pointwise
    if reduction == "sum":
        return np.sum(pointwise)
    if reduction == "batchmean":
        return np.sum(pointwise) / np.shape(input)[0]
    return np.mean(pointwise)


# ---------------------------------------------------------------------------- convolution


def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Any:
    """PyTorch's padding: a number or a pair, or ``'valid'``/``'same'``."""
    if isinstance(padding, str):
        return ops.conv2d(input, weight, bias, stride, padding, 0, dilation, groups)
    return ops.conv2d(input, weight, bias, stride, "pad", padding, dilation, groups)


def max_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               dilation: Any = 1, ceil_mode: bool = False, return_indices: bool = False) -> Any:
    return ops.max_pool2d(input, kernel_size, stride, padding, dilation, return_indices,
                          ceil_mode)


def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Any = None) -> Any:
    return ops.avg_pool2d(input, kernel_size, kernel_size if stride is None else stride,
                          padding, ceil_mode, count_include_pad, divisor_override or 0)


def _pair(value: Any, first: Any) -> tuple:
    """A 1-d argument as the 2-d one over a height of 1 (``first`` for the height)."""
    return (first, value[0] if isinstance(value, tuple | list) else value)


def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,  # noqa: A002
           dilation: Any = 1, groups: int = 1) -> Any:
    """A 1-d convolution of ``(N, C, L)``: ``conv2d`` over a height of 1."""
    pad = padding if isinstance(padding, str) else _pair(padding, 0)
    out = conv2d(input[:, :, None, :], weight[:, :, None, :], bias, _pair(stride, 1), pad,
                 _pair(dilation, 1), groups)
    return out[:, :, 0, :]


def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,  # noqa: A002
               ceil_mode: bool = False, count_include_pad: bool = True) -> Any:
    out = avg_pool2d(input[..., None, :], _pair(kernel_size, 1),
                     _pair(kernel_size if stride is None else stride, 1), _pair(padding, 0),
                     ceil_mode, count_include_pad)
    return out[..., 0, :]


def adaptive_avg_pool1d(input: Any, output_size: Any) -> Any:  # noqa: A002
    return layers_1d.adaptive_avg_pool(input, output_size, -1)


def dropout2d(input: Any, p: float = 0.5, training: bool = True,  # noqa: A002
              inplace: bool = False) -> Any:
    """Whole channels zeroed with probability ``p`` while training (the rest scaled)."""
    return ops.dropout2d(input, p, training)


def adaptive_avg_pool2d(input: Any, output_size: Any) -> Any:  # noqa: A002
    """The mean over each of ``output_size`` bins of the last two axes (None keeps an
    axis): the rows' means, then the columns' (each bin is a rectangle)."""
    rows, cols = (output_size, output_size) if isinstance(output_size, int) else output_size
    return layers_1d.adaptive_avg_pool(layers_1d.adaptive_avg_pool(input, rows, -2), cols, -1)

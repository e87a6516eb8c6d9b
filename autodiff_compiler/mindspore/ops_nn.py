"""MindSpore's neural-network ``ops``: activations, losses, ``logsumexp``, ``one_hot``
and ``dense``, written in NumPy like the rest of ``ops`` (which re-exports every name
here).

Where MindSpore's result is piecewise, the gradient follows MindSpore: ``relu`` has
derivative 0 at 0 and ``relu6`` 1 at 6. ``softmax``, ``log_softmax`` and
``logsumexp`` subtract the maximum first (through ``stop_gradient``, which is exact:
they do not depend on the shift), so they neither overflow nor lose precision.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.reference import sigmoid
from ..ir.surface import stop_gradient
from .integer_dtypes import as_float32, in_dtype_of, int_param, integer_mean, integers

__all__ = [
    "dense", "one_hot", "logsumexp", "relu", "relu6", "leaky_relu", "elu", "silu",
    "softplus", "softsign", "softmax", "log_softmax",
    "binary_cross_entropy_with_logits", "binary_cross_entropy", "mse_loss", "l1_loss",
    "cross_entropy", "nll_loss", "smooth_l1_loss",
]


def one_hot(indices: Any, depth: int, on_value: Any = 1, off_value: Any = 0,
            axis: int = -1) -> Any:
    """``on_value`` where the last axis equals ``indices``, ``off_value`` elsewhere. Python
    floats give float32 values (MindSpore's default float; ``Tensor(1.0)`` is float32
    too), Python ints int64, Tensors their own dtype."""
    hot = np.expand_dims(indices, axis) == np.reshape(np.arange(depth),
                                                       _along(axis, np.ndim(indices) + 1))
    dtype = np.result_type(on_value, off_value)
    if dtype == np.float64:  # Python floats: float32; Tensors (float16 too) keep theirs
        dtype = np.result_type(on_value, off_value, np.float32)
    return np.where(hot, on_value, off_value).astype(dtype)


def _along(axis: int, ndim: int) -> tuple:
    """The shape that lays a vector along ``axis`` of an ``ndim``-dimensional array."""
    axis = axis % ndim
    return (1,) * axis + (-1,) + (1,) * (ndim - axis - 1)


def logsumexp(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
              axis: Any = None, keep_dims: Any = None) -> Any:
    """``log(sum(exp(input)))`` over ``dim``, computed after subtracting the maximum
    (MindSpore 2.10's ``dim``/``keepdim``; older releases' ``axis``/``keep_dims`` too)."""
    axis = dim if axis is None else axis
    keep_dims = keepdim if keep_dims is None else keep_dims
    peak = np.max(input, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(peak), stop_gradient(peak), 0.0)
    out = np.log(np.sum(np.exp(input - shift), axis=axis, keepdims=True)) + shift
    return out if keep_dims else np.squeeze(out, axis=axis)


# ---------------------------------------------------------------------------- activations


def relu(input: Any) -> Any:  # noqa: A002
    """``max(input, 0)`` with derivative 0 at 0, as MindSpore's ``ReluGrad`` (mask
    ``y > 0``). ``np.maximum(x, 0)`` differs at 0 (a tie: 1/2), as it does in MindSpore.
    Integers keep their dtype."""
    return in_dtype_of(np.where(input > 0, input, 0.0), input)


def relu6(x: Any) -> Any:
    """Derivative 0 at 0 and 1 at 6, as MindSpore's ``ReLU6Grad`` (``0 < x <= 6``)."""
    return np.where(x > 0, np.where(x <= 6.0, x, 6.0), 0.0)


def leaky_relu(input: Any, alpha: float = 0.2) -> Any:  # noqa: A002
    """MindSpore's ``maximum(alpha * x, x)`` (``minimum`` for ``alpha > 1``): at 0 the
    tie shares its gradient, (1 + alpha) / 2, as MindSpore 2.10 gives it. Of integers,
    ``alpha`` is cast to their dtype first (0.2 is 0), as MindSpore casts it."""
    slope = int_param(alpha, input)
    if alpha <= 1:
        return np.maximum(slope * input, input)
    return np.minimum(slope * input, input)


def elu(input_x: Any, alpha: float = 1.0) -> Any:
    """``alpha * (exp(x) - 1)`` below 0, with derivative ``alpha`` at 0 as MindSpore's
    EluGrad; the untaken branch is finite (``x`` replaced by 0 above 0), so no NaN."""
    return np.where(input_x > 0, input_x, alpha * np.expm1(np.where(input_x > 0, 0.0, input_x)))


def silu(input: Any) -> Any:  # noqa: A002
    return input * sigmoid(input)


def softplus(input: Any, beta: float = 1, threshold: float = 20) -> Any:  # noqa: A002
    """``log(1 + exp(beta * input)) / beta``, computed without overflow; ``input``
    itself where ``beta * input > threshold``, as MindSpore's (derivative 1 there)."""
    scaled = beta * input
    return np.where(scaled > threshold, input, np.logaddexp(0.0, scaled) / beta)


def softsign(x: Any) -> Any:
    return x / (1 + np.abs(x))


def softmax(input: Any, axis: int = -1, *, dtype: Any = None) -> Any:  # noqa: A002
    """``exp(input) / sum(exp(input))`` along ``axis`` (of ``input`` cast to ``dtype``)."""
    if dtype is not None:
        input = input.astype(dtype)  # noqa: A001
    peak = np.max(input, axis=axis, keepdims=True)
    e = np.exp(input - stop_gradient(peak))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(logits: Any, axis: int = -1) -> Any:
    """``log(softmax(logits))`` along ``axis``, without forming the softmax: the logits
    less their peak, less the log of their exponentials' sum, as MindSpore's kernel
    computes it (``logits - logsumexp`` rounds a result of order 1 at the logits'
    magnitude: 3e-5 off at 1e3 in float32). The peak, held constant, cancels in the
    derivative."""
    shifted = logits - stop_gradient(np.max(logits, axis=axis, keepdims=True))
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# ---------------------------------------------------------------------------- losses


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     pos_weight: Any = None, reduction: str = "mean") -> Any:
    """Sigmoid then binary cross-entropy, as MindSpore's kernel evaluates it:
    ``(1 - t) x + (1 + (p - 1) t) softplus(-x)``, times ``weight``. One softplus, so the
    derivative ``(1 - t) - (1 + (p - 1) t) sigmoid(-x)`` needs one sigmoid; neither
    overflows. The positive weight is spelled ``p t + (1 - t)``, so that a ``pos_weight``
    of ``ones_like`` folds away."""
    negative = 1 - target
    log_weight = 1 if pos_weight is None else pos_weight * target + negative
    loss = negative * input + log_weight * np.logaddexp(0, -input)
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)


_BCE_EPSILON = 1e-12  # MindSpore's BinaryCrossEntropy kernel's (see binary_cross_entropy)


def binary_cross_entropy(logits: Any, labels: Any, weight: Any = None,
                         reduction: str = "mean") -> Any:
    """``-weight * (labels log(logits + eps) + (1 - labels) log(1 - logits + eps))`` on
    probabilities ``logits`` (MindSpore's argument name), ``eps = 1e-12``.

    The ``eps`` is MindSpore's kernel's (measured, 2.10 CPU: ``-log(0 + 1e-12) =
    27.631021`` where a label meets the wrong saturated end, ``-log(1.1e-12)`` at
    ``logits = 1e-13``): a Sigmoid that saturates to exactly 0 or 1 in float32, as a
    GAN's discriminator's does, gives a finite loss, and through the Sigmoid a zero
    gradient, where ``log(0)`` would give ``inf`` and ``0 * inf = NaN``. The gradient is
    this function's own derivative; MindSpore's kernel's ``(logits - labels) /
    max(logits (1 - logits), eps)`` drops the ``eps`` terms and gives 0 rather than 1
    at ``logits = labels = 0`` (measured)."""
    loss = -(labels * np.log(logits + _BCE_EPSILON)
             + (1 - labels) * np.log(1 - logits + _BCE_EPSILON))
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Any:  # noqa: A002
    """The squared differences reduced; of integers in float32, as MindSpore's."""
    return reduce(np.square(as_float32(input - target)), reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Any:  # noqa: A002
    return reduce(np.abs(input - target), reduction)


def smooth_l1_loss(input: Any, target: Any, beta: float = 1.0,  # noqa: A002
                   reduction: str = "none") -> Any:
    """``0.5 d^2 / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere, ``d`` the
    difference; continuous, with a continuous derivative, at ``|d| = beta``."""
    distance = np.abs(input - target)
    loss = np.where(distance < beta, 0.5 * distance * distance / beta, distance - 0.5 * beta)
    return reduce(loss, reduction)


def nll_loss(inputs: Any, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean", label_smoothing: float = 0.0) -> Any:
    """Negative log-likelihood of class indices ``target`` under log-probabilities
    ``inputs`` (classes on axis 1); ``reduction="mean"`` divides by the total weight of
    the targets not ignored."""
    classes = np.shape(inputs)[1]
    hot = np.expand_dims(target, 1) == np.reshape(np.arange(classes), _along(1, np.ndim(inputs)))
    kept = (target != ignore_index).astype(inputs.dtype)
    picked = np.sum(np.where(hot, inputs, 0.0), axis=1)
    if weight is None:
        w = kept
    else:
        w = kept * np.sum(np.where(hot, _on_axis1(weight, inputs), 0.0), axis=1)
    loss = -w * picked
    if label_smoothing:
        spread = inputs if weight is None else inputs * _on_axis1(weight, inputs)
        loss = (1 - label_smoothing) * loss - label_smoothing * kept * \
            np.sum(spread, axis=1) / classes
    if reduction == "mean":
        return _mean_over_kept(loss, w, np.sum(kept) == 0)
    return reduce(loss, reduction)


def _mean_over_kept(loss: Any, w: Any, all_ignored: Any) -> Any:
    """``sum(loss) / sum(w)``; where every target is ignored, NaN (0 / 0) with a zero
    gradient, as MindSpore 2.10 gives (measured): a batch of nothing but padding leaves
    the weights as they were, where the gradient of 0 / 0 would be NaN and an
    optimizer's step would make every weight NaN. (Targets kept with weight 0 still
    give NaN gradients, as there.)"""
    mean = np.sum(loss) / (np.sum(w) + all_ignored)  # (over 1 where all are ignored)
    return mean + stop_gradient(np.where(all_ignored, np.nan, 0.0).astype(mean.dtype))


def _on_axis1(vector: Any, like: Any) -> Any:
    """A per-class vector shaped to broadcast along axis 1 of ``like``."""
    return np.reshape(vector, _along(1, np.ndim(like)))


def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Any:
    """Softmax cross-entropy of logits ``input`` (classes on axis 1) against class
    indices (an integer ``target``) or class probabilities (a float ``target``)."""
    log_p = log_softmax(input, 1)
    if np.issubdtype(target.dtype, np.integer):
        return nll_loss(log_p, target, weight, ignore_index, reduction, label_smoothing)
    classes = np.shape(input)[1]
    target = target * (1 - label_smoothing) + label_smoothing / classes
    per_class = -target * log_p
    if weight is not None:
        per_class = per_class * _on_axis1(weight, input)
    loss = np.sum(per_class, axis=1)
    if reduction == "mean":
        return np.sum(loss) / (np.size(loss))
    return reduce(loss, reduction)


def reduce(loss: Any, reduction: str) -> Any:
    """A per-element loss reduced as MindSpore's ``reduction`` option says (the loss
    Cells of ``nn`` share it). Integers stay integers of their dtype, as in MindSpore:
    their sum wraps, their mean rounds toward zero."""
    if reduction == "mean":
        return integer_mean(loss) if integers(loss) else np.mean(loss)
    if reduction == "sum":
        return in_dtype_of(np.sum(loss), loss)
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


def dense(input: Any, weight: Any, bias: Any = None) -> Any:  # noqa: A002
    """``input @ weight.T + bias``, MindSpore's fully connected layer."""
    out = np.matmul(input, np.swapaxes(weight, -1, -2))
    return out if bias is None else out + bias

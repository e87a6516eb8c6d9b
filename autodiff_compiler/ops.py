"""MindSpore's ``ops`` functions, written in NumPy.

Called directly they compute eagerly. Inside a function being differentiated they are
compiled from this very source like user code (or, for the ones aliased to NumPy,
map to primitives), so each has one definition and needs no rule of its own.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .runtime import sigmoid
from .tensor import float32

__all__ = ["matmul", "ones", "zeros", "ones_like", "zeros_like", "stop_gradient", "sum",
           "mean", "reduce_sum", "reduce_mean", "exp", "log", "sigmoid", "tanh", "sin", "cos",
           "sqrt", "square", "abs", "maximum", "minimum", "where", "reshape", "transpose",
           "binary_cross_entropy_with_logits"]

matmul = np.matmul
exp, log, tanh, sin, cos, sqrt, square = np.exp, np.log, np.tanh, np.sin, np.cos, np.sqrt, np.square
abs, maximum, minimum, where = np.abs, np.maximum, np.minimum, np.where  # noqa: A001
sigmoid = sigmoid


def stop_gradient(value: Any) -> Any:
    """The value itself, through which no gradient flows."""
    return value


def ones(shape: Any, dtype: Any = None) -> np.ndarray:
    return np.ones(shape, dtype=float32 if dtype is None else dtype)


def zeros(shape: Any, dtype: Any = None) -> np.ndarray:
    return np.zeros(shape, dtype=float32 if dtype is None else dtype)


def ones_like(input: Any, *, dtype: Any = None) -> np.ndarray:  # noqa: A002 (MindSpore's name)
    return np.ones_like(input, dtype=dtype)


def zeros_like(input: Any, *, dtype: Any = None) -> np.ndarray:  # noqa: A002
    return np.zeros_like(input, dtype=dtype)


def sum(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return np.sum(input, axis=dim, keepdims=keepdim)


def mean(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.mean(input, axis=axis, keepdims=keep_dims)


def reduce_sum(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.sum(input, axis=axis, keepdims=keep_dims)


def reduce_mean(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.mean(input, axis=axis, keepdims=keep_dims)


def reshape(input: Any, shape: Any) -> np.ndarray:  # noqa: A002
    return np.reshape(input, shape)


def transpose(input: Any, input_perm: Any) -> np.ndarray:  # noqa: A002
    return np.transpose(input, input_perm)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                     pos_weight: Any = None, reduction: str = "mean") -> Any:
    """Sigmoid then binary cross-entropy: ``(1 - t) softplus(x) + p t softplus(-x)``,
    times ``weight``. Written with softplus on both sides, neither the loss nor its
    derivative ``(1 - t) sigmoid(x) - p t sigmoid(-x)`` overflows or cancels."""
    positive = target if pos_weight is None else pos_weight * target
    loss = (1 - target) * np.logaddexp(0, input) + positive * np.logaddexp(0, -input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _reduce(loss: Any, reduction: str) -> Any:
    if reduction == "mean":
        return np.mean(loss)
    if reduction == "sum":
        return np.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")


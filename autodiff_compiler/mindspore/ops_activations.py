"""MindSpore's piecewise and smooth activations beyond ``ops_nn``'s: ``celu``, ``selu``,
``hardsigmoid``, ``hardswish``, ``hardtanh``, ``mish``, ``logsigmoid``, ``glu``;
re-exported by ``ops``.

Where the function has corners, the derivative there is MindSpore's (measured with
2.7): ``hardsigmoid`` has 0 at -3 and 3, ``hardswish`` takes its middle branch at both
(``(2x + 3) / 6``), ``hardtanh`` halves the gradient on a bound (a tie of
``maximum``/``minimum``), ``selu`` has ``scale`` at 0. Untaken branches are kept
finite, so no NaN leaks through a ``where``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.reference import sigmoid
from .integer_dtypes import in_dtype_of, int_param
from .ops_nn import softplus

__all__ = ["celu", "selu", "hardsigmoid", "hardswish", "hardtanh", "mish", "logsigmoid",
           "glu"]

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def celu(x: Any, alpha: float = 1.0) -> Any:
    """``x`` above 0, ``alpha (exp(x / alpha) - 1)`` below: continuously differentiable."""
    below = np.where(x > 0, 0.0, x)
    return np.where(x > 0, x, alpha * np.expm1(below / alpha))


def selu(input_x: Any) -> Any:
    """``scale * elu(x, alpha)`` with the self-normalising constants; the derivative at
    0 is ``scale``, as MindSpore's. (Below 0, MindSpore 2.7 gives a wrong, negative
    derivative on the CPU; this is ``scale * alpha * exp(x)``.)"""
    below = np.where(input_x >= 0, 0.0, input_x)
    return SELU_SCALE * np.where(input_x >= 0, input_x, SELU_ALPHA * np.expm1(below))


def hardsigmoid(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``relu6(x + 3) / 6``: 0 up to -3, 1 from 3, linear between."""
    inside = (input > -3.0) & (input < 3.0)
    outside = np.where(input >= 3.0, np.ones_like(input), np.zeros_like(input))  # its dtype
    return np.where(inside, input / 6.0 + 0.5, outside)


def hardswish(input: Any) -> Any:  # noqa: A002
    """``x relu6(x + 3) / 6``: 0 up to -3, ``x`` from 3, ``x (x + 3) / 6`` between (of
    integers in their dtype, rounded toward zero, as MindSpore's)."""
    inside = (input >= -3.0) & (input <= 3.0)
    out = np.where(inside, input * (input + 3.0) / 6.0, np.where(input > 3.0, input, 0.0))
    return in_dtype_of(out, input)


def hardtanh(input: Any, min_val: float = -1.0, max_val: float = 1.0) -> Any:  # noqa: A002
    """``input`` limited to ``[min_val, max_val]`` (for integers, the bounds cast to their
    dtype first: -0.5 is 0, as MindSpore casts them)."""
    return np.minimum(np.maximum(input, int_param(min_val, input)), int_param(max_val, input))


def mish(x: Any) -> Any:
    """``x tanh(softplus(x))``."""
    return x * np.tanh(softplus(x))


def logsigmoid(x: Any) -> Any:
    """``log(sigmoid(x)) = -softplus(-x)``, without overflow at either end."""
    return -softplus(-x)


def glu(x: Any, axis: int = -1) -> Any:
    """The gated linear unit: ``x`` halved along ``axis``, ``a * sigmoid(b)``."""
    a, b = np.split(x, 2, axis=axis)
    return a * sigmoid(b)

"""MindSpore's ``ops`` beyond arithmetic and shapes: ``erf`` and the exact ``gelu``,
masking, clipping by value and by global norm, ``depend`` and ``shape``; re-exported
by ``ops``.

NumPy has no ``erf``, so it is a primitive of its own (registered through ``extend``,
as a user registers a function the compiler cannot read): SciPy's ufunc where SciPy is
installed, else Python's ``math.erf`` per value, the dtype kept either way; its
derivative is ``2 / sqrt(pi) exp(-x^2)``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import extend

__all__ = ["erf", "erfc", "gelu", "masked_fill", "clip_by_value", "clip_by_global_norm",
           "depend", "shape"]

_TWO_OVER_ROOT_PI = 2.0 / math.sqrt(math.pi)
_math_erf = np.frompyfunc(math.erf, 1, 1)


def _erf_values(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``erf`` of every value of ``input``, in its float dtype (float64 for integers).
    SciPy's is a ufunc, so other arrays (dask's) stay lazy through it."""
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:
        if hasattr(input, "map_blocks"):  # a dask array: block by block, lazily
            return input.map_blocks(_erf_values)
        values = np.asarray(input)
        dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
        out = np.asarray(_math_erf(values), dtype=dtype)
        return out[()] if out.ndim == 0 else out
    return scipy_erf(input)


_erf = extend.defprimitive(_erf_values, "ops_erf", elementwise=True)
extend.defelementwise(_erf, lambda d, ans, x: d * (_TWO_OVER_ROOT_PI * np.exp(-(x * x))))


def erf(input: Any) -> Any:  # noqa: A002
    """The error function, ``2 / sqrt(pi)`` times the integral of ``exp(-t^2)`` from 0."""
    return _erf_values(input)


def erfc(input: Any) -> Any:  # noqa: A002
    return 1.0 - _erf_values(input)


def gelu(input_x: Any, approximate: str = "none") -> Any:
    """``x P(X <= x)`` for a standard normal ``X``: ``x (1 + erf(x / sqrt 2)) / 2``;
    ``approximate="tanh"`` is the tanh form MindSpore's ``nn.GELU()`` uses by default."""
    if approximate == "tanh":
        inner = 0.7978845608028654 * (input_x + 0.044715 * input_x * input_x * input_x)
        return 0.5 * input_x * (1.0 + np.tanh(inner))
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', not {approximate!r}")
    return 0.5 * input_x * (1.0 + _erf_values(input_x * 0.7071067811865476))


def gelu_tanh(input_x: Any) -> Any:
    """``gelu(x, approximate="tanh")``: MindSpore's ``GeLU`` operator object."""
    return gelu(input_x, "tanh")


def masked_fill(input_x: Any, mask: Any, value: Any) -> Any:
    """``value`` where ``mask`` holds, ``input_x`` elsewhere, in ``input_x``'s dtype."""
    return np.where(mask, value, input_x).astype(input_x.dtype)


def clip_by_value(x: Any, clip_value_min: Any = None, clip_value_max: Any = None) -> Any:
    """``x`` limited to the bounds (``None``: no bound), as ``maximum`` then ``minimum``:
    a value on a bound gets half the gradient, as in MindSpore 2.7. (MindSpore also
    clips a tuple tensor by tensor: write ``[ops.clip_by_value(t, lo, hi) for t in
    grads]``.)"""
    if clip_value_min is not None:
        x = np.maximum(x, clip_value_min)
    if clip_value_max is not None:
        x = np.minimum(x, clip_value_max)
    return x


def clip_by_global_norm(x: Any, clip_norm: float = 1.0, use_norm: Any = None) -> Any:
    """The tensors of ``x`` (gradients, usually) scaled by ``clip_norm / max(norm,
    clip_norm)``, ``norm`` the 2-norm of all their values together (or ``use_norm``):
    unchanged when that norm is at most ``clip_norm``."""
    if use_norm is None:
        use_norm = np.sqrt(sum([np.sum(np.square(t)) for t in x]))
    scale = clip_norm / np.maximum(use_norm, clip_norm)
    return tuple([(t * scale).astype(t.dtype) for t in x])


def depend(value: Any, expr: Any) -> Any:
    """``value``, once ``expr`` has run: graph mode's way to order a side effect (an
    optimizer's update) before a result. Python runs ``expr`` first anyway."""
    return value


def shape(input_x: Any) -> tuple:
    return np.shape(input_x)

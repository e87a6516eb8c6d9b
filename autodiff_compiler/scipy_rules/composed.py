"""SciPy's ``logsumexp``, ``softmax``, ``log_softmax`` and ``multigammaln``, written in
NumPy and compiled in their place (``surface.DEFINITIONS``), as the user's code is.

SciPy's own are Python functions that reach into its array-API layer, which the
compiler cannot read. These compute the same values the same way -- the maximum along
``axis`` subtracted first, so nothing overflows -- and their gradients follow from the
NumPy operations: the maximum is held constant (``stop_gradient``), which is exact,
since the result does not depend on it, so the gradient of ``logsumexp`` is the
``softmax`` weights, with no tie-breaking between equal maxima. A maximum that is not
finite (all ``-inf`` along the axis) shifts by 0, as SciPy's does.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.special as sp

from ..ir.surface import stop_gradient

_LOG_PI = math.log(math.pi)
# Recent SciPy (1.17) gives a 0-d input's logsumexp with keepdims=True the shape (1,),
# where older versions gave a 0-d result: the installed SciPy's shape is kept.
_KEPT_0D_AXIS = np.shape(sp.logsumexp(np.float64(0.0), keepdims=True)) == (1,)


def _shift(a: Any, axis: Any) -> Any:
    """The maximum along ``axis`` (kept as an axis of 1), 0 where it is not finite."""
    peak = np.max(a, axis=axis, keepdims=True)
    return stop_gradient(np.where(np.isfinite(peak), peak, 0.0))


def logsumexp(a: Any, axis: Any = None, b: Any = None, keepdims: bool = False,
              return_sign: bool = False) -> Any:
    """``log(sum(b * exp(a), axis))``, with the sign of the sum apart when asked."""
    a = np.asarray(a)
    if keepdims and _KEPT_0D_AXIS and np.ndim(a) == 0:
        a = np.reshape(a, (1,))
    shift = _shift(a, axis)
    terms = np.exp(a - shift) if b is None else b * np.exp(a - shift)
    total = np.sum(terms, axis=axis, keepdims=True)
    if return_sign:
        sign = np.sign(total)
        total = np.abs(total)
    out = np.log(total) + shift
    if not keepdims:
        out = np.squeeze(out, axis=axis)
        if return_sign:
            sign = np.squeeze(sign, axis=axis)
    return (out, sign) if return_sign else out


def softmax(x: Any, axis: Any = None) -> Any:
    """``exp(x) / sum(exp(x), axis)``."""
    x = np.asarray(x)
    exps = np.exp(x - _shift(x, axis))
    return exps / np.sum(exps, axis=axis, keepdims=True)


def log_softmax(x: Any, axis: Any = None) -> Any:
    """``x - logsumexp(x, axis)``."""
    x = np.asarray(x)
    shifted = x - _shift(x, axis)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def multigammaln(a: Any, d: int) -> Any:
    """The log of the multivariate gamma function of dimension ``d``:
    ``d (d - 1) / 4 log(pi) + sum_j gammaln(a - j / 2)``."""
    total = 0.25 * d * (d - 1) * _LOG_PI
    for j in range(d):
        total = total + sp.gammaln(a - 0.5 * j)
    return total


DEFINED = ("logsumexp", "softmax", "log_softmax", "multigammaln")

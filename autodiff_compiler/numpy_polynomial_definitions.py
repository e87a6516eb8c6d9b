"""NumPy's polynomial arithmetic on coefficient arrays (highest power first), written
here as NumPy writes it and compiled in its place (``surface.DEFINITIONS``), so values
agree with NumPy's and gradients follow from the operations: ``np.polyadd`` and
``np.polysub`` (the shorter padded with leading zeros), ``np.polymul`` (a
convolution), ``np.polyder`` (each coefficient times its power, ``m`` times) and
``np.polyint`` (each divided by its new power, then the constant of ``k`` appended).

Their lengths and orders must be known when compiling. ``np.poly1d`` objects are not
taken: they are not arrays the compiler follows.

These are compiled, not run: each body must stay within what the frontend lowers.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ir import surface


def _aligned(a1: Any, a2: Any) -> tuple[Any, Any]:
    """Both coefficient arrays at the longer one's length (leading zeros)."""
    a1, a2 = np.atleast_1d(np.asarray(a1)), np.atleast_1d(np.asarray(a2))
    diff = np.shape(a2)[0] - np.shape(a1)[0]
    if diff > 0:
        a1 = np.concatenate((np.zeros(diff, a1.dtype), a1))
    elif diff < 0:
        a2 = np.concatenate((np.zeros(-diff, a2.dtype), a2))
    return a1, a2


def polyadd(a1: Any, a2: Any) -> Any:
    """The sum of two polynomials."""
    a1, a2 = _aligned(a1, a2)
    return a1 + a2


def polysub(a1: Any, a2: Any) -> Any:
    """The difference of two polynomials."""
    a1, a2 = _aligned(a1, a2)
    return a1 - a2


def polymul(a1: Any, a2: Any) -> Any:
    """The product of two polynomials: the convolution of their coefficients."""
    return np.convolve(np.atleast_1d(np.asarray(a1)), np.atleast_1d(np.asarray(a2)))


def polyder(p: Any, m: int = 1) -> Any:
    """The ``m``-th derivative: ``m`` times, each coefficient times its power, the
    constant dropped."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    p = np.asarray(p)
    for _ in range(m):
        n = np.shape(p)[0] - 1
        p = p[:-1] * np.arange(n, 0, -1)
    return p


def polyint(p: Any, m: int = 1, k: Any = None) -> Any:
    """The ``m``-th antiderivative: ``m`` times, each coefficient divided by its new
    power and the next constant of integration (``k``, highest order first) appended."""
    m = int(m)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    if k is None:
        k = np.zeros(m, float)
    k = np.atleast_1d(np.asarray(k))
    if np.shape(k)[0] == 1 and m > 1:
        k = k[0] * np.ones(m, float)
    if np.shape(k)[0] < m:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    p = np.asarray(p)
    for i in range(m):
        p = np.concatenate((p / np.arange(np.shape(p)[0], 0, -1), k[i:i + 1]))
    return p


_DEFINITIONS = {np.polyadd: polyadd, np.polysub: polysub, np.polymul: polymul,
                np.polyder: polyder, np.polyint: polyint}
for _function, _definition in _DEFINITIONS.items():
    surface.DEFINITIONS[_function] = _definition
    surface.FAMILIES.setdefault("linear algebra", []).append(surface.display_name(_function))

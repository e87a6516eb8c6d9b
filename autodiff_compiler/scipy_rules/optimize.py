"""``scipy.optimize``'s test function, Rosenbrock's, and its derivatives (``rosen``,
``rosen_der``, ``rosen_hess``, ``rosen_hess_prod``), written in NumPy and compiled in
SciPy's place (``surface.DEFINITIONS``): optimisation code differentiates ``rosen``,
and checks the result against the others.

``rosen`` sums along the first axis, as SciPy's does, in the same order of
operations (its values are SciPy's bit for bit); the derivatives are written with
concatenations where SciPy assigns into a fresh array, and are of a vector. Integer
points are computed in float64, as SciPy promotes them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

FAMILY = "scipy.optimize"
DEFINED = ("rosen", "rosen_der", "rosen_hess", "rosen_hess_prod")


def _floating(x: Any) -> Any:
    """``x`` as a float array: integers in float64, floats as they are (also where the
    dtype is known at run time only)."""
    return np.asarray(x) * 1.0


def rosen(x: Any) -> Any:
    """``sum(100 (x[i+1] - x[i]^2)^2 + (1 - x[i])^2)`` along the first axis."""
    x = _floating(x)
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2.0) ** 2.0 + (1 - x[:-1]) ** 2.0, axis=0)


def rosen_der(x: Any) -> Any:
    """The gradient of ``rosen``: its ends have one neighbour, its middle two."""
    x = _floating(x)
    middle, before, after = x[1:-1], x[:-2], x[2:]
    first = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0])
    inner = 200 * (middle - before ** 2) - 400 * (after - middle ** 2) * middle \
        - 2 * (1 - middle)
    last = 200 * (x[-1] - x[-2] ** 2)
    return np.concatenate([np.reshape(first, (1,)), inner, np.reshape(last, (1,))])


def _hessian_diagonal(x: Any) -> Any:
    first = 1200 * x[0] ** 2 - 400 * x[1] + 2
    inner = 202 + 1200 * x[1:-1] ** 2 - 400 * x[2:]
    return np.concatenate([np.reshape(first, (1,)), inner, np.full_like(x[:1], 200.0)])


def rosen_hess(x: Any) -> Any:
    """The Hessian of ``rosen``: tridiagonal, ``-400 x[i]`` beside the diagonal."""
    x = _floating(x)
    beside = -400 * x[:-1]
    return np.diag(beside, 1) + np.diag(beside, -1) + np.diag(_hessian_diagonal(x))


def rosen_hess_prod(x: Any, p: Any) -> Any:
    """``rosen_hess(x) @ p`` without the matrix."""
    x = _floating(x)
    p = np.asarray(p).astype(x.dtype)
    beside = -400 * x[:-1]
    below = np.concatenate([np.zeros_like(x[:1]), beside * p[:-1]])
    above = np.concatenate([beside * p[1:], np.zeros_like(x[:1])])
    return below + _hessian_diagonal(x) * p + above

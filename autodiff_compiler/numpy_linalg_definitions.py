"""NumPy's linear-algebra functions that are NumPy's own Python code over ``lstsq``,
``svd``, ``solve`` and ``inv``, written here as NumPy writes them and compiled in their
place (``surface.DEFINITIONS``), so values agree with NumPy's and gradients follow from
the operations: ``np.polyfit``, ``np.linalg.matrix_rank``, ``np.linalg.tensorsolve`` and
``np.linalg.tensorinv``.

``polyfit`` scales the Vandermonde matrix's columns to unit norm before the least
squares solve, as NumPy does for conditioning, so its coefficients match NumPy's to
rounding even for high degrees.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ir import surface

_EPS32, _EPS64 = float(np.finfo(np.float32).eps), float(np.finfo(np.float64).eps)


def polyfit(x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False, w: Any = None,
            cov: bool = False) -> Any:
    """The coefficients, highest power first, of the degree-``deg`` polynomial that fits
    ``y`` (one fit per column of a 2-d ``y``) at ``x`` in least squares, each squared
    residual weighted by ``w ** 2``."""
    if full or cov:
        raise ValueError("np.polyfit(full=True) and np.polyfit(cov=...) are not supported "
                         "in a differentiated function: compute the residuals from the "
                         "coefficients (np.polyval)")
    x, y = np.asarray(x) * 1.0, np.asarray(y) * 1.0
    lhs = np.vander(x, deg + 1)
    rhs = y
    if w is not None:
        w = np.asarray(w) * 1.0
        lhs = lhs * w[:, np.newaxis]
        rhs = rhs * w if np.ndim(rhs) == 1 else rhs * w[:, np.newaxis]
    if rcond is None:  # NumPy's len(x) * eps, written so it is known when compiling
        rcond = np.shape(x)[0] * (_EPS32 if lhs.dtype == np.float32 else _EPS64)
    scale = np.sqrt(np.sum(lhs * lhs, axis=0))
    coefficients = np.linalg.lstsq(lhs / scale, rhs, rcond=rcond)[0]
    return (coefficients.T / scale).T


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *,  # noqa: N803 (NumPy's)
                rtol: Any = None) -> Any:
    """The number of singular values above ``tol`` (by default the largest times
    ``max(M, N) * eps``); of a vector or a number, 1 unless it is all zeros."""
    A = np.asarray(A)  # noqa: N806
    if np.ndim(A) < 2:
        return np.any(A != 0).astype(int)
    singular = np.abs(np.linalg.eigvalsh(A)) if hermitian else \
        np.linalg.svd(A, compute_uv=False)
    if tol is None:
        if rtol is None:
            rtol = max(np.shape(A)[-2:]) * np.finfo(singular.dtype).eps
        tol = np.max(singular, axis=-1, keepdims=True) * rtol
    else:
        tol = np.asarray(tol)[..., np.newaxis]
    return np.sum(singular > tol, axis=-1)


def tensorsolve(a: Any, b: Any, axes: Any = None) -> Any:
    """``x`` with ``tensordot(a, x, x.ndim) == b``: ``a`` flattened to a square matrix
    (``axes`` of ``a`` moved to the end first), one ``solve``."""
    a, b = np.asarray(a), np.asarray(b)
    if axes is not None:
        order = [k for k in range(np.ndim(a)) if k not in axes] + list(axes)
        a = np.transpose(a, order)
    shape = np.shape(a)[np.ndim(b):]
    size = int(np.prod(shape))
    if int(np.prod(np.shape(a)[:np.ndim(b)])) != size:
        raise np.linalg.LinAlgError("Input arrays must satisfy the requirement "
                                    "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])")
    return np.reshape(np.linalg.solve(np.reshape(a, (size, size)), np.ravel(b)), shape)


def tensorinv(a: Any, ind: int = 2) -> Any:
    """The inverse of ``a`` under ``tensordot`` over its first ``ind`` axes."""
    a = np.asarray(a)
    shape = np.shape(a)
    rows = int(np.prod(shape[:ind]))
    return np.reshape(np.linalg.inv(np.reshape(a, (rows, -1))), shape[ind:] + shape[:ind])


_DEFINITIONS = {np.polyfit: polyfit, np.linalg.matrix_rank: matrix_rank,
                np.linalg.tensorsolve: tensorsolve, np.linalg.tensorinv: tensorinv}
for _function, _definition in _DEFINITIONS.items():
    surface.DEFINITIONS[_function] = _definition
    surface.FAMILIES.setdefault("linear algebra", []).append(surface.display_name(_function))

"""``mint.linalg``: vector and matrix norms, ``inv`` and ``qr``, after PyTorch."""
from __future__ import annotations

from typing import Any

import numpy as np


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Any:
    """The ``ord``-norm of the entries over ``dim`` (all of them if None): ``inf`` the
    largest magnitude, ``-inf`` the smallest, 0 the count of nonzero entries."""
    x = x if dtype is None else np.asarray(x).astype(dtype)
    axis = None if dim is None or dim == () else tuple(dim) if isinstance(dim, list) else dim
    if ord == 2:  # NumPy's norm, whose gradient at zero is zero, not NaN
        if axis is None:
            whole = np.linalg.norm(np.reshape(x, (-1,)))
            return np.reshape(whole, (1,) * np.ndim(x)) if keepdim else whole
        if isinstance(axis, int) or len(axis) <= 2:
            return np.linalg.norm(x, axis=axis, keepdims=keepdim)
        return np.sqrt(np.sum(x * x, axis=axis, keepdims=keepdim))
    magnitude = np.abs(x)
    if ord == np.inf:
        return np.max(magnitude, axis=axis, keepdims=keepdim)
    if ord == -np.inf:
        return np.min(magnitude, axis=axis, keepdims=keepdim)
    if ord == 0:
        return np.sum(magnitude != 0, axis=axis, keepdims=keepdim).astype(x.dtype)
    if ord == 1:
        return np.sum(magnitude, axis=axis, keepdims=keepdim)
    return np.sum(magnitude ** ord, axis=axis, keepdims=keepdim) ** (1.0 / ord)


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1),  # noqa: A002, N803
                keepdim: bool = False, *, dtype: Any = None) -> Any:
    A = A if dtype is None else np.asarray(A).astype(dtype)  # noqa: N806
    return np.linalg.norm(A, ord, axis=tuple(dim), keepdims=keepdim)


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, *,  # noqa: A002, N803
         dtype: Any = None) -> Any:
    """A vector norm, or a matrix norm where ``ord`` is a string or ``dim`` two axes."""
    if isinstance(ord, str) or (dim is not None and not isinstance(dim, int) and len(dim) == 2):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim,
                           keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def inv(A: Any) -> Any:  # noqa: N803
    return np.linalg.inv(A)


def qr(A: Any, mode: str = "reduced") -> tuple:  # noqa: N803
    return np.linalg.qr(A, mode=mode)

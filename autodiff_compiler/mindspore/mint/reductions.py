"""``mint``'s reductions: ``dim`` and ``keepdim`` for NumPy's ``axis`` and ``keepdims``,
``correction`` for ``ddof``; ``max``/``min``/``median`` along a ``dim`` give
``(values, indices)``, the indices int64 (PyTorch's)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..tensor import Tensor
from . import linalg

__all__ = ["mean", "prod", "nansum", "max", "min", "amax", "amin", "all", "any", "argmax",
           "argmin", "std", "var", "std_mean", "var_mean", "norm", "logsumexp", "cumsum",
           "cumprod", "count_nonzero", "median"]


def _axes(dim: Any) -> Any:
    """PyTorch's ``dim``: None or ``()`` for every axis, an int, or a tuple of them."""
    if dim is None or dim == ():
        return None
    return tuple(dim) if isinstance(dim, list) else dim



def mean(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002 (mint's names)
         dtype: Any = None) -> Any:
    """The mean over ``dim``; of integers (no ``dtype``), MindSpore's integer mean
    (``ops.mean``: 2.10's ``mint.mean`` gives it too)."""
    if dtype is None and ops.integers(input):
        return ops.integer_mean(input, _axes(dim), keepdim)
    return np.mean(input, axis=_axes(dim), keepdims=keepdim, dtype=dtype)


def prod(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Any:
    return np.prod(input, axis=_axes(dim), keepdims=keepdim, dtype=dtype)


def nansum(input: Any, dim: Any = None, keepdim: bool = False, *,  # noqa: A002
           dtype: Any = None) -> Any:
    return np.nansum(input, axis=_axes(dim), keepdims=keepdim, dtype=dtype)


def max(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """The maximum of all entries; along ``dim``, ``(values, indices)`` (indices int64);
    of two arrays, their elementwise maximum (``mint.max(a, b)``)."""
    if dim is None:
        return np.max(input)
    if not isinstance(dim, int):  # a second array, not an axis
        return np.maximum(input, dim)
    values, index = ops.max(input, dim, keepdim)  # of ties, the first takes the gradient
    return values, _index(index)


def min(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    """The minimum of all entries; along ``dim``, ``(values, indices)``; of two arrays,
    their elementwise minimum."""
    if dim is None:
        return np.min(input)
    if not isinstance(dim, int):
        return np.minimum(input, dim)
    values, index = ops.min(input, dim, keepdim)
    return values, _index(index)


def _index(index: Any) -> Any:
    """Positions as PyTorch gives them: an int64 Tensor."""
    return Tensor(np.asarray(index).astype(np.int64))


def amax(input: Any, dim: Any = (), keepdim: bool = False) -> Any:  # noqa: A002
    return np.max(input, axis=_axes(dim), keepdims=keepdim)


def amin(input: Any, dim: Any = (), keepdim: bool = False) -> Any:  # noqa: A002
    return np.min(input, axis=_axes(dim), keepdims=keepdim)


def all(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return np.all(input, axis=_axes(dim), keepdims=keepdim)


def any(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return np.any(input, axis=_axes(dim), keepdims=keepdim)


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The index of the first maximum, int64 (of the flattened array without ``dim``)."""
    if dim is None:
        return Tensor(np.argmax(input).astype(np.int64))
    return _index(np.argmax(input, axis=dim, keepdims=keepdim))


def argmin(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    if dim is None:
        return Tensor(np.argmin(input).astype(np.int64))
    return _index(np.argmin(input, axis=dim, keepdims=keepdim))


def std(input: Any, dim: Any = None, *, correction: int = 1,  # noqa: A002
        keepdim: bool = False) -> Any:
    """The standard deviation, divided by ``n - correction`` (Bessel's by default)."""
    return np.std(input, axis=_axes(dim), ddof=correction, keepdims=keepdim)


def var(input: Any, dim: Any = None, *, correction: int = 1,  # noqa: A002
        keepdim: bool = False) -> Any:
    return np.var(input, axis=_axes(dim), ddof=correction, keepdims=keepdim)


def std_mean(input: Any, dim: Any = None, *, correction: int = 1,  # noqa: A002
             keepdim: bool = False) -> tuple:
    return std(input, dim, correction=correction, keepdim=keepdim), mean(input, dim, keepdim)


def var_mean(input: Any, dim: Any = None, *, correction: int = 1,  # noqa: A002
             keepdim: bool = False) -> tuple:
    return var(input, dim, correction=correction, keepdim=keepdim), mean(input, dim, keepdim)


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, *,  # noqa: A002
         dtype: Any = None) -> Any:
    """``'fro'`` and numbers: the vector norm of the entries over ``dim`` (all of them
    if None); ``'nuc'``: the nuclear norm of the matrices in the last two axes."""
    x = input if dtype is None else np.asarray(input).astype(dtype)
    if p == "nuc":
        return np.linalg.norm(x, "nuc", axis=(-2, -1) if dim is None else dim,
                              keepdims=keepdim)
    return linalg.vector_norm(x, 2 if p == "fro" else p, dim, keepdim)


def logsumexp(input: Any, dim: Any, keepdim: bool = False) -> Any:  # noqa: A002
    return ops.logsumexp(input, dim, keepdim)


def cumsum(input: Any, dim: int, dtype: Any = None) -> Any:  # noqa: A002
    return np.cumsum(input, axis=dim, dtype=dtype)


def cumprod(input: Any, dim: int, dtype: Any = None) -> Any:  # noqa: A002
    return np.cumprod(input, axis=dim, dtype=dtype)


def count_nonzero(input: Any, dim: Any = None) -> Any:  # noqa: A002
    return np.asarray(np.count_nonzero(input, axis=_axes(dim))).astype(np.int64)


def median(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    """The lower median of all entries; along ``dim``, ``(values, indices)``."""
    if dim is None:
        flat = np.sort(np.reshape(input, (-1,)))
        return flat[(flat.shape[0] - 1) // 2]
    order = np.argsort(input, axis=dim, kind="stable")
    middle = np.take(order, [(np.shape(input)[dim] - 1) // 2], axis=dim)
    values = np.take_along_axis(input, middle, axis=dim)
    if not keepdim:
        values, middle = np.squeeze(values, axis=dim), np.squeeze(middle, axis=dim)
    return values, middle.astype(np.int64)

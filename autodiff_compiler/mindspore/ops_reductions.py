"""MindSpore's reductions in ``ops`` (``sum``, ``mean``, ``max`` with its indices,
``norm``, the ``reduce_*`` spellings...); re-exported by ``ops``.

Most are NumPy's under MindSpore's names and keywords. Where MindSpore computes
otherwise, so do these: the mean of integers stays an integer (rounded toward zero),
``max``/``min`` along an axis give values and indices with the gradient on the first of
tied extremes, ``argmin`` is int32, a running sum of integers keeps their dtype and
their ``norm`` is float32 (the rules of ``integer_dtypes``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ties
from .integer_dtypes import as_float32, integer_mean, integers, summed_in
from .tensor import Tensor

__all__ = [
    "sum", "mean", "prod", "amax", "amin", "max", "min", "argmax", "argmin", "var", "std",
    "cumsum", "cumprod", "norm", "reduce_sum", "reduce_mean", "reduce_max", "reduce_min"
]


def sum(input: Any, dim: Any = None, keepdim: bool = False,  # noqa: A001, A002
        *, dtype: Any = None) -> Any:
    """The sum over ``dim``, of ``input`` cast to ``dtype`` first when given."""
    if dtype is not None:
        input = input.astype(dtype)  # noqa: A001
    return np.sum(input, axis=dim, keepdims=keepdim)


def mean(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    """The mean over ``axis``. Of integers it is MindSpore's (2.10, measured): an integer
    of their dtype, the sum taken in that dtype (wrapping as it does) and divided,
    rounded toward zero (``[1, 2]`` gives 1, ``[-1, -2]`` gives -1)."""
    if integers(input):
        return integer_mean(input, axis, keep_dims)
    return np.mean(input, axis=axis, keepdims=keep_dims)


def prod(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.prod(input, axis=axis, keepdims=keep_dims)


def amax(input: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    return np.max(input, axis=axis, keepdims=keepdims)


def amin(input: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    return np.min(input, axis=axis, keepdims=keepdims)


def max(input: Any, axis: Any = None, keepdims: bool = False) -> tuple:  # noqa: A001, A002
    """MindSpore's ``ops.max``: the maximum values and their indices (Tensors, also for
    the whole array, where NumPy gives scalars). Along an axis the values are read at
    the indices (MindSpore's ``ArgMaxWithValue``), so of tied maxima the first gets the
    whole gradient, as there; over the whole array they share it (``ReduceMax``)."""
    if axis is None:
        return Tensor(np.max(input, keepdims=keepdims)), \
            Tensor(np.argmax(input, keepdims=keepdims))
    return _at_index(input, np.argmax(input, axis=axis, keepdims=True), axis, keepdims)


def min(input: Any, axis: Any = None, keepdims: bool = False) -> tuple:  # noqa: A001, A002
    """MindSpore's ``ops.min``: the minimum values and their indices (Tensors); along an
    axis, of tied minima the first gets the gradient (``ArgMinWithValue``)."""
    if axis is None:
        return Tensor(np.min(input, keepdims=keepdims)), \
            Tensor(np.argmin(input, keepdims=keepdims))
    return _at_index(input, np.argmin(input, axis=axis, keepdims=True), axis, keepdims)


def _at_index(input: Any, indices: Any, axis: int, keepdims: bool) -> tuple:  # noqa: A002
    """The values of ``input`` at ``indices`` (one per line along ``axis``), and the
    indices, without that axis unless ``keepdims``."""
    values = np.take_along_axis(input, indices, axis=axis)
    if not keepdims:
        values, indices = np.squeeze(values, axis=axis), np.squeeze(indices, axis=axis)
    return Tensor(values), Tensor(indices)


def argmax(input: Any, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002
    return Tensor(np.argmax(input, axis=dim, keepdims=keepdim))


def argmin(input: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """The index of the minimum: int32, as MindSpore's ``ops.argmin`` (``argmax`` is
    int64 there, as NumPy's)."""
    return Tensor(np.argmin(input, axis=axis, keepdims=keepdims).astype(np.int32))


def var(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:  # noqa: A002
    return np.var(input, axis=axis, ddof=ddof, keepdims=keepdims)


def std(input: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:  # noqa: A002
    return np.std(input, axis=axis, ddof=ddof, keepdims=keepdims)


def cumsum(x: Any, axis: int, dtype: Any = None) -> Any:
    """In the dtype of the (cast) input, integers too (NumPy's widen int32 to int64)."""
    x = x if dtype is None else x.astype(dtype)
    return np.cumsum(x, axis=axis, dtype=summed_in(x))


def cumprod(input: Any, dim: int) -> Any:  # noqa: A002
    return np.cumprod(input, axis=dim)


def norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A002, N803
    """``np.linalg.norm``; a vector's of order inf (-inf) sends its gradient to the first
    of tied largest (smallest) magnitudes, as MindSpore's. Integers give float32."""
    A = as_float32(A)  # noqa: N806
    along = dim if isinstance(dim, int) else -1 if dim is None and np.ndim(A) == 1 else None
    if along is not None and ord in (np.inf, -np.inf):
        pick = ties.first_max if ord == np.inf else ties.first_min
        out = pick(np.abs(A), along)
        return Tensor(np.expand_dims(out, along) if keepdim else out)
    return Tensor(np.linalg.norm(A, ord=ord, axis=dim, keepdims=keepdim))


def reduce_sum(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.sum(input, axis=axis, keepdims=keep_dims)


def reduce_mean(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return mean(input, axis, keep_dims)


def reduce_max(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.max(input, axis=axis, keepdims=keep_dims)


def reduce_min(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A002
    return np.min(input, axis=axis, keepdims=keep_dims)

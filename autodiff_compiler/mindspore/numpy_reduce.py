"""``mindspore.numpy``'s functions whose arguments or results differ from NumPy's.

MindSpore orders some arguments otherwise than NumPy (``mnp.mean(a, axis, keepdims,
dtype)``, ``mnp.std(x, axis, ddof, keepdims)``, ``mnp.amax(a, axis, keepdims, initial,
where)``: NumPy has ``dtype`` or ``out`` where MindSpore has ``keepdims``), so a call
with positional arguments would mean something else if these were NumPy's functions.
Others return a 0-d Tensor where NumPy returns a NumPy scalar (``argmax`` without an
axis, ``trace``, ``dot`` of vectors, ``norm``). ``take`` defaults to MindSpore's
``mode="clip"``, which (measured) counts a negative index from the end and clips an
index past either end; NumPy's ``clip`` mode sends every negative index to 0.

Integer results follow MindSpore where it is consistent (``count_nonzero``,
``searchsorted``, ``digitize`` and ``argmin`` give int32; ``argmax`` int64, as
measured). Where MindSpore 2.7.1 truncates, NumPy's rule is kept instead and not copied:
``mean``, ``std``, ``var`` of integers are NumPy's float64 (MindSpore truncates
``mnp.mean`` of ints to an int32, and gives float32 for ``std``/``var``).

Inside a differentiated function these compile from this source like user code; the
``Tensor(...)`` around a result is then the array itself (``tensor.install_constructor``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .dtype import int32
from .tensor import Tensor

__all__ = [
    "sum", "mean", "amax", "amin", "max", "min", "std", "var", "nansum", "nanmean",
    "nanmax", "nanmin", "nanstd", "nanvar", "ptp", "argmax", "argmin", "count_nonzero",
    "trace", "norm", "dot", "inner", "take", "searchsorted", "digitize", "array_equal",
    "array_equiv", "clip", "reshape",
]


def sum(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False,  # noqa: A001
        initial: Any = None) -> Any:
    """The sum over ``axis`` (all by default), plus ``initial`` if given; bools and ints
    sum to int64, as in MindSpore."""
    total = np.sum(a, axis=axis, dtype=dtype, keepdims=keepdims)
    return total if initial is None else total + initial


def mean(a: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
    """The mean over ``axis``; of integers (no ``dtype``), MindSpore's integer mean
    (``ops.mean``)."""
    if dtype is None and ops.integers(a):
        return ops.integer_mean(a, axis, keepdims)
    return np.mean(a, axis=axis, dtype=dtype, keepdims=keepdims)


def amax(a: Any, axis: Any = None, keepdims: bool = False, initial: Any = None,
         where: Any = True) -> Any:
    """The maximum over ``axis``; ``initial`` and ``where`` as in NumPy."""
    if initial is None and where is True:
        return np.max(a, axis=axis, keepdims=keepdims)
    return np.max(a, axis=axis, keepdims=keepdims,
                  initial=np._NoValue if initial is None else initial, where=where)


def amin(a: Any, axis: Any = None, keepdims: bool = False, initial: Any = None,
         where: Any = True) -> Any:
    if initial is None and where is True:
        return np.min(a, axis=axis, keepdims=keepdims)
    return np.min(a, axis=axis, keepdims=keepdims,
                  initial=np._NoValue if initial is None else initial, where=where)


max, min = amax, amin  # noqa: A001


def std(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    return np.std(x, axis=axis, ddof=ddof, keepdims=keepdims)


def var(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    return np.var(x, axis=axis, ddof=ddof, keepdims=keepdims)


def nansum(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    return np.nansum(a, axis=axis, dtype=dtype, keepdims=keepdims)


def nanmean(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    return np.nanmean(a, axis=axis, dtype=dtype, keepdims=keepdims)


def nanmax(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    out = np.nanmax(a, axis=axis, keepdims=keepdims)
    return out if dtype is None else out.astype(dtype)


def nanmin(a: Any, axis: Any = None, dtype: Any = None, keepdims: bool = False) -> Any:
    out = np.nanmin(a, axis=axis, keepdims=keepdims)
    return out if dtype is None else out.astype(dtype)


def nanstd(a: Any, axis: Any = None, dtype: Any = None, ddof: int = 0,
           keepdims: bool = False) -> Any:
    return np.nanstd(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)


def nanvar(a: Any, axis: Any = None, dtype: Any = None, ddof: int = 0,
           keepdims: bool = False) -> Any:
    return np.nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims)


def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return np.ptp(x, axis=axis, keepdims=keepdims)


def argmax(a: Any, axis: Any = None) -> Tensor:
    """The index of the first maximum (int64), a Tensor even without an axis."""
    return Tensor(np.argmax(a, axis=axis))


def argmin(a: Any, axis: Any = None) -> Tensor:
    """The index of the first minimum: int32, as MindSpore's ``argmin`` gives."""
    return Tensor(np.argmin(a, axis=axis), int32)


def count_nonzero(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """How many entries are not zero (int32, as MindSpore counts)."""
    return Tensor(np.sum(np.not_equal(x, 0), axis=axis, keepdims=keepdims), int32)


def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Any:
    return Tensor(np.trace(a, offset, axis1, axis2, dtype=dtype))


def norm(x: Any, ord: Any = None, axis: Any = None,  # noqa: A002 (MindSpore's name)
         keepdims: bool = False) -> Tensor:
    return Tensor(np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims))


def dot(a: Any, b: Any) -> Tensor:
    return Tensor(np.dot(a, b))


def inner(a: Any, b: Any) -> Tensor:
    return Tensor(np.inner(a, b))


def take(a: Any, indices: Any, axis: Any = None, mode: str = "clip") -> Any:
    """``a``'s entries at ``indices`` along ``axis`` (of the flattened ``a`` by default).
    MindSpore's ``clip`` counts a negative index from the end and clips the rest into
    range; ``wrap`` wraps; ``raise`` is NumPy's (an error past the ends)."""
    if mode == "raise":
        return np.take(a, indices, axis=axis)
    n = np.size(a) if axis is None else np.shape(a)[axis]
    index = np.asarray(indices)
    if mode == "wrap":
        index = np.mod(index, n)
    else:
        index = np.clip(np.where(index < 0, index + n, index), 0, n - 1)
    return np.take(a, index, axis=axis)


def searchsorted(a: Any, v: Any, side: str = "left", sorter: Any = None) -> Tensor:
    """Where ``v`` would go in the sorted ``a`` (int32)."""
    return Tensor(np.searchsorted(a, v, side=side, sorter=sorter), int32)


def digitize(x: Any, bins: Any, right: bool = False) -> Tensor:
    """The bin of each value of ``x`` (int32)."""
    return Tensor(np.digitize(x, bins, right=right), int32)


def array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> Tensor:
    """One bool Tensor: same shape and values."""
    return Tensor(np.array_equal(a1, a2, equal_nan=equal_nan))


def array_equiv(a1: Any, a2: Any) -> Tensor:
    """One bool Tensor: equal values once broadcast."""
    return Tensor(np.array_equiv(a1, a2))


def clip(x: Any, xmin: Any, xmax: Any, dtype: Any = None) -> Any:
    """``x`` limited to ``[xmin, xmax]`` (``None``: no bound); a value on a bound gets the
    gradient."""
    out = np.clip(x, xmin, xmax)
    return out if dtype is None else out.astype(dtype)


def reshape(x: Any, new_shape: Any) -> Any:
    return np.reshape(x, new_shape)

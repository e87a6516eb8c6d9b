"""MindSpore's reductions and statistics beyond ``ops.py``'s: ``all``/``any``,
``count_nonzero``, ``std_mean``/``var_mean``, ``aminmax``, the NaN-ignoring ones,
``median`` (values *and* indices, as MindSpore returns them), ``quantile``,
``logcumsumexp``, ``cummax``/``cummin``, ``cov``, ``diff``, ``trapz``, ``numel``;
re-exported by ``ops``.

Written in NumPy, so inside a differentiated function each is compiled from this
source. Where MindSpore returns an index with a value, the value is *taken at* that
index (``take_along_axis``), so its gradient goes where the index points, as
MindSpore's gradients do. The conventions, measured on MindSpore 2.7.1:

- ``median`` is the lower median (the ``(n - 1) // 2``-th smallest, no averaging) and
  its index the first of equal values; ``nanmedian`` the same of the values that are not
  NaN (NaN, index 0, where all are). Indices int64.
- ``cummax``/``cummin``: the running extreme and the *last* position holding it;
  indices int64 for ``cummax``, int32 for ``cummin``, as MindSpore gives them. They
  compare every pair of positions (memory ``n^2`` along the axis).
- ``logcumsumexp`` shifts by the maximum along the axis (stopped: the result does not
  depend on it), so an entry more than ~87 (float32) or ~700 (float64) below that
  maximum, early in the axis, underflows to ``-inf``.
- ``quantile``/``nanquantile`` interpolate linearly, as MindSpore documents (its CPU
  build has no kernel for them; they are tested against NumPy and finite differences).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.surface import stop_gradient
from .integer_dtypes import in_dtype_of
from .tensor import Tensor

__all__ = ["all", "any", "count_nonzero", "std_mean", "var_mean", "aminmax", "nansum",
           "nanmean", "median", "nanmedian", "quantile", "nanquantile", "logcumsumexp",
           "cummax", "cummin", "cov", "diff", "trapz", "numel", "size", "rank"]


def all(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A001, A002
    """Whether every entry along ``axis`` (all axes if None) is true."""
    return np.all(input, axis=axis, keepdims=keep_dims)


def any(input: Any, axis: Any = None, keep_dims: bool = False) -> Any:  # noqa: A001, A002
    """Whether some entry along ``axis`` (all axes if None) is true."""
    return np.any(input, axis=axis, keepdims=keep_dims)


def count_nonzero(x: Any, axis: Any = (), keep_dims: bool = False,
                  dtype: Any = np.int32) -> Any:
    """How many entries along ``axis`` are not 0; ``()`` (the default) counts all."""
    axes = None if axis == () else axis
    return np.sum(np.not_equal(x, 0), axis=axes, keepdims=keep_dims).astype(dtype)


def std_mean(input: Any, axis: Any = None, ddof: int = 0,  # noqa: A002
             keepdims: bool = False) -> tuple:
    """``(std, mean)`` along ``axis``, the variance divided by ``n - ddof``."""
    return (np.std(input, axis=axis, ddof=ddof, keepdims=keepdims),
            np.mean(input, axis=axis, keepdims=keepdims))


def var_mean(input: Any, axis: Any = None, ddof: int = 0,  # noqa: A002
             keepdims: bool = False) -> tuple:
    """``(var, mean)`` along ``axis``, the variance divided by ``n - ddof``."""
    return (np.var(input, axis=axis, ddof=ddof, keepdims=keepdims),
            np.mean(input, axis=axis, keepdims=keepdims))


def aminmax(input: Any, *, axis: Any = 0, keepdims: bool = False) -> tuple:  # noqa: A002
    """``(min, max)`` along ``axis`` (MindSpore's default: the first; None: all)."""
    return (np.min(input, axis=axis, keepdims=keepdims),
            np.max(input, axis=axis, keepdims=keepdims))


def nansum(input: Any, axis: Any = None, keepdims: bool = False,  # noqa: A002
           *, dtype: Any = None) -> Any:
    """The sum with NaNs taken as 0 (they get no gradient); of integers in their dtype."""
    total = in_dtype_of(np.nansum(input, axis=axis, keepdims=keepdims), input)
    return total if dtype is None else total.astype(dtype)


def nanmean(input: Any, axis: Any = None, keepdims: bool = False,  # noqa: A002
            *, dtype: Any = None) -> Any:
    """The mean of the entries that are not NaN."""
    average = np.nanmean(input, axis=axis, keepdims=keepdims)
    return average if dtype is None else average.astype(dtype)


def _lower_middle(input: Any, axis: int, keepdims: bool, count: Any) -> tuple:  # noqa: A002
    """The ``(count - 1) // 2``-th smallest along ``axis`` (``count``: how many of each
    lane sort first) and where it is; the first of equal values (a stable sort)."""
    order = np.argsort(input, axis=axis, kind="stable")
    middle = np.maximum((count - 1) // 2, 0)
    index = np.take_along_axis(order, middle, axis=axis)
    values = np.take_along_axis(input, index, axis=axis)
    if not keepdims:
        values, index = np.squeeze(values, axis=axis), np.squeeze(index, axis=axis)
    return values, index.astype(np.int64)


def median(input: Any, axis: int = -1, keepdims: bool = False) -> tuple:  # noqa: A002
    """``(values, indices)``: the lower median along ``axis`` and its position."""
    count = np.sum(np.ones_like(input, dtype=np.int64), axis=axis, keepdims=True)
    return _lower_middle(input, axis, keepdims, count)


def nanmedian(input: Any, axis: int = -1, keepdims: bool = False) -> tuple:  # noqa: A002
    """``median`` of the entries that are not NaN (NaN sorts last)."""
    count = np.sum(np.logical_not(np.isnan(input)).astype(np.int64), axis=axis, keepdims=True)
    return _lower_middle(input, axis, keepdims, count)


def quantile(input: Any, q: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """The ``q``-th quantiles (``q`` in [0, 1], a number or a vector: then the first
    axis of the result), interpolating linearly between the two nearest entries."""
    out = np.quantile(input, q, axis=axis, keepdims=keepdims)
    return Tensor(out.astype(np.asarray(input).dtype))  # NumPy 1.x gives float64 for float32


def nanquantile(input: Any, q: Any, axis: Any = None,  # noqa: A002
                keepdims: bool = False) -> Any:
    """``quantile`` of the entries that are not NaN (NaN where all are)."""
    data = np.reshape(input, (-1,)) if axis is None else np.moveaxis(input, axis, -1)
    ordered = np.sort(data, axis=-1)  # NaN last
    count = np.sum(np.logical_not(np.isnan(data)), axis=-1, keepdims=True)
    place = np.reshape(q, (-1,)) * np.maximum(count - 1, 0)  # (..., q): a lane per q
    below = np.floor(place)
    low = np.take_along_axis(ordered, below.astype(np.int64), axis=-1)
    high = np.take_along_axis(ordered, np.ceil(place).astype(np.int64), axis=-1)
    out = low + (place - below).astype(ordered.dtype) * (high - low)
    out = np.where(count > 0, out, np.nan)  # (..., q)
    if keepdims and axis is None:
        out = np.reshape(out, _kept_all(np.shape(out)[-1], np.ndim(input)))
    elif keepdims:  # the reduced axis back, as length 1, before the q axis moves first
        out = np.moveaxis(np.expand_dims(out, -2), -2, axis if axis >= 0 else axis - 1)
    out = np.moveaxis(out, -1, 0)
    return out[0] if np.ndim(q) == 0 else out


def _kept_all(quantiles: int, ndim: int) -> tuple:
    """All axes reduced and kept, as ones, then the quantiles' axis (moved first)."""
    return (1,) * ndim + (quantiles,)


_kept_all.__evaluated_when_compiling__ = True  # a pure function of shapes


def logcumsumexp(input: Any, axis: int) -> Any:  # noqa: A002
    """``log(cumsum(exp(input)))`` along ``axis``, shifted by the maximum for range."""
    top = stop_gradient(np.max(input, axis=axis, keepdims=True))
    return top + np.log(np.cumsum(np.exp(input - top), axis=axis))


def _running(input: Any, axis: int, larger: bool) -> tuple:  # noqa: A002
    """The running maximum (or minimum) along ``axis`` and the last position of it."""
    lanes = np.moveaxis(input, axis, -1)
    n = np.shape(lanes)[-1]
    seen = np.tril(np.ones((n, n), dtype=bool))  # [i, j]: j is at or before i
    first = lanes[..., :1, None]
    prefix = np.where(seen, lanes[..., None, :], first)  # out-of-prefix: x[0], inert
    best = np.max(prefix, axis=-1) if larger else np.min(prefix, axis=-1)
    hit = np.logical_and(seen, prefix == best[..., None])
    last = n - 1 - np.argmax(np.flip(hit, axis=-1), axis=-1)
    values = np.take_along_axis(lanes, last, axis=-1)
    return np.moveaxis(values, -1, axis), np.moveaxis(last, -1, axis)


def cummax(input: Any, axis: int) -> tuple:  # noqa: A002
    """``(values, indices)``: the maximum so far along ``axis`` and the last place it
    occurs (int64)."""
    values, index = _running(input, axis, True)
    return values, index.astype(np.int64)


def cummin(input: Any, axis: int) -> tuple:  # noqa: A002
    """``(values, indices)``: the minimum so far and its last place (int32)."""
    values, index = _running(input, axis, False)
    return values, index.astype(np.int32)


def cov(input: Any, *, correction: int = 1, fweights: Any = None,  # noqa: A002
        aweights: Any = None) -> Any:
    """The covariance of the rows (variables) over the columns (observations), the
    observations weighted by ``fweights`` (counts) and ``aweights``; a vector is one
    variable. Normalised by ``sum(w) - correction`` (with ``aweights``, by
    ``sum(w) - correction * sum(w * aweights) / sum(w)``), never below 0."""
    data = np.reshape(input, (1, -1)) if np.ndim(input) < 2 else input
    n = np.shape(data)[1]
    if fweights is None and aweights is None:
        mean = np.mean(data, axis=1, keepdims=True)
        norm = max(n - correction, 0)  # a Python int: keeps float32 float32
        centred = data - mean
        out = centred @ np.conj(centred).T / norm
    else:
        w = fweights if aweights is None else (
            aweights if fweights is None else fweights * aweights)
        total = np.sum(w)
        mean = np.sum(data * w, axis=1, keepdims=True) / total
        if correction == 0:
            norm = total
        elif aweights is None:
            norm = total - correction
        else:
            norm = total - correction * np.sum(w * aweights) / total
        centred = data - mean
        out = (centred * w) @ np.conj(centred).T / np.maximum(norm, 0)
    return np.reshape(out, ()) if np.ndim(input) < 2 else out


def diff(x: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """The ``n``-th forward difference along ``axis``, ``prepend``/``append`` joined
    first."""
    if prepend is None and append is None:
        return np.diff(x, n=n, axis=axis)
    if prepend is None:
        return np.diff(x, n=n, axis=axis, append=append)
    if append is None:
        return np.diff(x, n=n, axis=axis, prepend=prepend)
    return np.diff(x, n=n, axis=axis, prepend=prepend, append=append)


def trapz(y: Any, x: Any = None, *, dx: float = 1.0, dim: int = -1) -> Any:
    """The trapezoidal rule along ``dim``: samples ``y`` at ``x`` (a vector along
    ``dim``, or ``y``'s shape), else ``dx`` apart."""
    lanes = np.moveaxis(y, dim, -1)
    middle = (lanes[..., 1:] + lanes[..., :-1]) / 2.0
    if x is None:
        return np.sum(middle, axis=-1) * dx
    steps = np.diff(x) if np.ndim(x) == 1 else np.diff(np.moveaxis(x, dim, -1), axis=-1)
    return np.sum(middle * steps, axis=-1)


def numel(input: Any) -> int:  # noqa: A002
    """The number of entries: a Python int."""
    return int(np.size(input))


def size(input_x: Any) -> int:
    """The number of entries: a Python int."""
    return int(np.size(input_x))


def rank(input_x: Any) -> int:
    """The number of axes: a Python int."""
    return int(np.ndim(input_x))

"""``np.nanquantile`` and ``np.nanpercentile``: the quantiles of the entries that are
not NaN, as NumPy computes them (its 'linear' method on each slice with the NaNs left
out; NaN where a slice has none).

A slice's count of numbers is known only at run time, so each quantile's virtual place
``(k - 1) q`` among the ``k`` numbers, its two neighbours and the weight between them
are computed there: NaN sorts last, so the numbers are the first ``k`` entries of the
sorted slice, read with ``take_along_axis`` (whose rule sends the gradient to the
entries read, by their weights; a NaN entry gets none). The interpolation is NumPy's
``_lerp``, from the side of the nearer neighbour, so values are NumPy's. An array that
cannot hold NaN takes ``np.quantile``. The other methods' places are NumPy's formulas
of a length known when compiling: not supported here yet.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from . import UnsupportedArgumentError, _static, _unsupported, register
from .composed import _known_shape
from .constructors import _asarray
from .statistics import (
    _dtype,
    _may_hold_nan,
    _one_axis,
    _quantile_builder,
    _restored,
)


def _nan_quantile_builder(scale: float, name: str) -> Any:
    what = f"np.{name}"
    plain = _quantile_builder(scale, name[3:])

    def build(a, q, axis=None, out=None, overwrite_input=False, method="linear",
              keepdims=False, *, weights=None):
        _unsupported(name, out=out, weights=weights)
        a = _asarray(a)
        if not _may_hold_nan(a):
            return plain(a, q, axis=axis, method=method, keepdims=keepdims)
        if _static(method, "method") != "linear":
            raise UnsupportedArgumentError(f"method={method!r} is not supported yet: only "
                                           "method='linear' (the default)")
        q = np.true_divide(_static(q, "q"), scale) if scale != 1 else \
            np.asanyarray(_static(q, "q"))
        if not (np.all(q >= 0) and np.all(q <= 1)):
            raise ValueError(f"{name[3:].capitalize()}s must be in the range "
                             f"[0, {scale:g}]")
        if q.ndim > 1:
            raise ValueError("q must be a scalar or 1d")
        if _dtype(a) is not None and _dtype(a).kind == "c":
            raise TypeError("a must be an array of real numbers")
        _known_shape(a, what)
        arr, ax, axes = _one_axis(a, _static(axis, "axis"), what)
        arr = P.moveaxis(arr, ax, -1) if ax != -1 else arr
        quantiles = [_nan_quantile(arr, float(p)) for p in np.ravel(q)]
        result = quantiles[0] if q.ndim == 0 else P.stack(*quantiles, axis=0)
        return _restored(result, axes, _static(keepdims, "keepdims"), lead=q.ndim)
    return build


def _nan_quantile(arr: Any, q: float) -> Any:
    """The quantile ``q`` of each last-axis slice's numbers (NaN where it has none)."""
    ordered = P.sort(arr, axis=-1)
    count = P.reduce_sum(P.logical_not(P.isnan(arr)), axis=-1, keepdims=True)
    virtual = P.mul(P.sub(count, 1), q)
    below = P.floor(virtual)
    last = P.sub(count, 1)
    beyond = P.greater_equal(virtual, last)  # NumPy's _get_indexes: the last place
    previous = P.where(beyond, last, below)
    following = P.where(beyond, last, P.add(below, 1))
    t = P.sub(virtual, previous)
    a, b = (P.take_along_axis(ordered, P.astype(P.maximum(place, 0), np.dtype(np.intp)),
                              axis=-1) for place in (previous, following))
    dtype = _dtype(arr)
    if dtype is not None and dtype != t.aval.dtype:
        t = P.astype(t, dtype)
    diff = P.sub(b, a)
    lerped = P.where(P.greater_equal(t, 0.5), P.sub(b, P.mul(diff, P.sub(1.0, t))),
                     P.add(a, P.mul(diff, t)))
    return P.squeeze(P.where(P.equal(count, 0), np.nan, lerped), axis=-1)


register("reductions", _nan_quantile_builder(1, "nanquantile"), np.nanquantile)
register("reductions", _nan_quantile_builder(100, "nanpercentile"), np.nanpercentile)

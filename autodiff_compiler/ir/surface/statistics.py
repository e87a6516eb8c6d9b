"""NumPy's statistics written with primitives: the NaN-ignoring reductions, ``np.ptp``,
``np.average``, and the order statistics (``np.median``, ``np.percentile``,
``np.quantile``, ``np.nanmedian``).

Each builder follows NumPy's own implementation step by step, so values and dtypes are
NumPy's bit for bit: a NaN-ignoring reduction replaces NaNs by its neutral value
(``where(isnan(x), 0, x)`` for a sum, -inf for a maximum) and divides by the count of
the others where NumPy does. ``where`` sends no gradient to the entries it replaces,
so a NaN entry gets gradient 0. Arrays that cannot hold NaN (integers) take the plain
reduction, as NumPy does.

Order statistics sort (whose rule sends each entry the gradient of the place it is
sorted to; ties follow the sorted order) and read places known when compiling: the
middle of the axis, or a quantile's two neighbours and its interpolation weight, which
NumPy's formulas give from the length of the axis (for every ``method``, from NumPy's
own table of them). They need the operand's shape, so
shape-generic code refuses them with a located error; ``np.nanmedian`` counts the
non-NaN entries at run time and reads the middle with ``take_along_axis``, so it needs
no shape unless ``axis`` is a tuple or ``keepdims`` is set.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import ndim_of
from . import _keepdims, _static, _unsupported, register
from .arithmetic import _masked, _masked_mean, _masked_var, _of_nothing, _with_initial, deviation
from .composed import _along, _known_rank, _known_shape
from .constructors import _asarray, _astype

# ---------------------------------------------------------------------------- helpers


def _dtype(x: Any) -> np.dtype | None:
    dtype = P.dtype_of(x)
    return dtype if isinstance(dtype, np.dtype) else None


def _may_hold_nan(x: Any) -> bool:
    """A float or complex array (or one whose dtype is unknown when compiling)."""
    dtype = _dtype(x)
    return dtype is None or np.issubdtype(dtype, np.inexact)


def _without_nan(x: Any, neutral: float) -> Any:
    """NumPy's ``_replace_nan``: NaNs replaced by ``neutral``, in ``x``'s dtype."""
    return P.where(P.isnan(x), neutral, x) if _may_hold_nan(x) else x


def _divided(total: Any, count: Any) -> Any:
    """NumPy's ``_divide_by_count``: ``total / count`` cast back to ``total``'s dtype
    (a float32 total divided by an integer count stays float32)."""
    quotient = P.div(total, count)
    dtype = _dtype(total)
    if dtype is not None and np.issubdtype(dtype, np.inexact) and _dtype(quotient) != dtype:
        return P.astype(quotient, dtype)
    return quotient


def _axes(axis: Any, rank: int) -> tuple[int, ...]:
    """``axis`` (an int or a tuple) as non-negative axes, NumPy's checks included."""
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if any(not -rank <= a < rank for a in axes):
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {rank}")
    axes = tuple(a % rank for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError("repeated axis")
    return axes


def _reduction_args(a: Any, axis: Any, keepdims: Any) -> tuple[Any, Any, bool]:
    return _asarray(a), _static(axis, "axis"), _keepdims(keepdims)

# ---------------------------------------------------------------------------- NaN-ignoring


def _given(value: Any) -> bool:
    return value is not None and value is not np._NoValue


def _where(where: Any) -> Any:
    """``where=`` as a mask, or None where it leaves every entry in."""
    return None if where is np._NoValue or where is None or where is True else where


def _left_out(a: Any, where: Any) -> Any:
    """The entries a NaN-ignoring reduction leaves out: NaNs, and those ``where`` masks
    (NumPy's ``where=`` takes them out of the count as well as of the sum)."""
    nan = P.isnan(a)
    if where is None:
        return nan
    # the shape check of a masked plain reduction: ``where`` broadcasts to ``a``'s shape;
    # masked as ``any`` is, with False: still booleans (the array API's logical_not
    # takes nothing else)
    return P.logical_not(_masked("any", P.logical_not(nan), where, None))


def _nan_accumulation(prim: P.Primitive, neutral: float, name: str):
    """``np.nansum``/``np.nanprod``: the reduction of ``x`` with NaNs made neutral, as
    NumPy's ``np.sum``/``np.prod`` of ``_replace_nan(x)`` with ``where``/``initial``."""
    plain = name[3:]

    def build(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
              where=np._NoValue):
        _unsupported(name, dtype=dtype, out=out)
        a, axis, keepdims = _reduction_args(a, axis, keepdims)
        values = _masked(plain, _without_nan(a, neutral), _where(where), None)
        total = prim(values, axis=axis, keepdims=keepdims)
        return _with_initial(plain, total, initial) if _given(initial) else total
    return build


def _nan_extremum(prim: P.Primitive, fill: float, name: str):
    """``np.nanmax``/``np.nanmin``: NumPy's ``fmax.reduce``, that is the extremum of the
    entries that are not NaN (nor left out by ``where``, which then needs ``initial``,
    as in NumPy), with ``initial``, and NaN where there is none and no ``initial``."""
    plain = name[3:]

    def build(a, axis=None, out=None, keepdims=np._NoValue, initial=np._NoValue,
              where=np._NoValue):
        _unsupported(name, out=out)
        a, axis, keepdims = _reduction_args(a, axis, keepdims)
        initial, where = (initial if _given(initial) else None), _where(where)
        nothing = None if initial is None else _of_nothing(a, axis, keepdims)
        if nothing is not None:
            return _with_initial(plain, P.full(nothing.shape, initial, dtype=nothing.dtype),
                                 initial)
        if not _may_hold_nan(a):
            result = prim(_masked(plain, a, where, initial), axis=axis, keepdims=keepdims)
            return result if initial is None else _with_initial(plain, result, initial)
        if where is not None and initial is None:
            raise ValueError(f"reduction operation 'f{plain}' does not have an identity, so "
                             "to use a where mask one has to specify 'initial'")
        left_out = _left_out(a, where)
        result = prim(P.where(left_out, fill, a), axis=axis, keepdims=keepdims)
        if initial is not None:  # fmax(initial, -inf) where every entry is left out
            return _with_initial(plain, result, initial)
        return P.where(P.reduce_all(left_out, axis=axis, keepdims=keepdims), np.nan, result)
    return build


def _nanmean(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, *, where=np._NoValue):
    """The sum of the entries that are not NaN (and ``where`` leaves in) over their
    count (NaN where there is none)."""
    _unsupported("nanmean", dtype=dtype, out=out)
    a, axis, keepdims = _reduction_args(a, axis, keepdims)
    where = _where(where)
    if not _may_hold_nan(a):
        if where is not None:
            return _masked_mean(a, where, axis, keepdims)
        return P.reduce_mean(a, axis=axis, keepdims=keepdims)
    left_out = _left_out(a, where)
    count = P.reduce_sum(P.logical_not(left_out), axis=axis, keepdims=keepdims)
    total = P.reduce_sum(P.where(left_out, 0, a), axis=axis, keepdims=keepdims)
    return _divided(total, count)


def _nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *,
            where=np._NoValue, mean=np._NoValue, correction=np._NoValue):
    """NumPy's two passes over the entries that are not NaN (and that ``where`` leaves
    in): their mean, then the sum of squared deviations over ``count - ddof``, NaN where
    that is not positive (whose entries get gradient 0)."""
    _unsupported("nanvar", dtype=dtype, out=out, mean=mean, correction=correction)
    a, axis, keepdims = _reduction_args(a, axis, keepdims)
    ddof = _static(ddof, "ddof")
    where = _where(where)
    if not _may_hold_nan(a):
        if where is not None:
            return _masked_var(a, where, axis, keepdims, ddof)
        return P.var(a, axis=axis, keepdims=keepdims, ddof=ddof)
    nan = _left_out(a, where)
    values = P.where(nan, 0, a)
    count = P.reduce_sum(P.logical_not(nan), axis=axis, keepdims=True)
    centred = P.where(nan, 0, P.sub(values, _divided(
        P.reduce_sum(values, axis=axis, keepdims=True), count)))
    dtype = _dtype(a)
    squares = P.real(P.mul(centred, P.conj(centred))) \
        if dtype is not None and np.issubdtype(dtype, np.complexfloating) \
        else P.mul(centred, centred)
    total = P.reduce_sum(squares, axis=axis, keepdims=keepdims)
    dof = P.sub(count if keepdims else P.squeeze(count, axis=axis), ddof)
    # No degrees of freedom: NaN, and no 0 / 0 in the gradient of the slice.
    bad = P.less_equal(dof, 0)
    return P.where(bad, np.nan, _divided(total, P.where(bad, 1, dof)))


def _nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *,
            where=np._NoValue, mean=np._NoValue, correction=np._NoValue):
    """The square root of ``np.nanvar``, with gradient 0 where it is 0 (as ``np.std``'s
    rule has), not the infinite slope of the square root there."""
    return deviation(_nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean,
                             correction=correction))


register("reductions", _nan_accumulation(P.reduce_sum, 0, "nansum"), np.nansum)
register("reductions", _nan_accumulation(P.reduce_prod, 1, "nanprod"), np.nanprod)
register("reductions", _nan_extremum(P.reduce_max, -np.inf, "nanmax"), np.nanmax)
register("reductions", _nan_extremum(P.reduce_min, np.inf, "nanmin"), np.nanmin)
register("reductions", _nanmean, np.nanmean)
register("reductions", _nanvar, np.nanvar)
register("reductions", _nanstd, np.nanstd)

# ---------------------------------------------------------------------------- ptp, average


def _ptp(a, axis=None, out=None, keepdims=np._NoValue):
    """Peak to peak: the maximum minus the minimum (each sharing its gradient among ties)."""
    _unsupported("ptp", out=out)
    a, axis, keepdims = _reduction_args(a, axis, keepdims)
    return P.sub(P.reduce_max(a, axis=axis, keepdims=keepdims),
                 P.reduce_min(a, axis=axis, keepdims=keepdims))


def _average(a, axis=None, weights=None, returned=False, *, keepdims=np._NoValue):
    """The mean, or ``sum(a * w) / sum(w)`` in NumPy's result dtype; ``returned`` adds
    the sum of the weights (the count without weights), broadcast to the average's shape.

    Weights summing to zero give inf or NaN (as the division does) where NumPy raises
    ``ZeroDivisionError``: their sum is known only at run time."""
    a, axis, keepdims = _reduction_args(a, axis, keepdims)
    if weights is None:
        average = P.reduce_mean(a, axis=axis, keepdims=keepdims)
        scale = P.full_like(average, P.div(P.size(a), P.size(average)))
    else:
        axis = None if axis is None else _axes(axis, _known_rank(a, "np.average(..., axis=...)"))
        dtype = _weighted_dtype(a, weights)
        w = _weights_like(a, _asarray(weights), axis)
        w, a = (w, a) if dtype is None else (_cast(w, dtype), _cast(a, dtype))
        scale = P.reduce_sum(w, axis=axis, keepdims=keepdims)
        average = P.div(P.reduce_sum(P.mul(a, w), axis=axis, keepdims=keepdims), scale)
        shape = P.shape_of(average)
        if not isinstance(shape, tuple) or P.shape_of(scale) != shape:
            scale = P.copy(P.broadcast_to(scale, shape))
    return (average, scale) if _static(returned, "returned") else average


def _cast(x: Any, dtype: np.dtype) -> Any:
    return x if _dtype(x) == dtype else _astype(x, dtype)


def _weighted_dtype(a: Any, weights: Any) -> np.dtype | None:
    """NumPy's: the promotion of both, at least float64 for an integer or boolean ``a``."""
    da, dw = _dtype(a), _dtype(_asarray(weights))
    if da is None or dw is None:
        return None
    if np.issubdtype(da, np.integer) or da == np.bool_:
        return np.result_type(da, dw, "f8")
    return np.result_type(da, dw)


def _weights_like(a: Any, w: Any, axis: tuple[int, ...] | None) -> Any:
    """Weights of ``a``'s shape as they are, or of the shape of the axes averaged over,
    laid along those axes (NumPy's ``_weights_are_valid``)."""
    sa, sw = P.shape_of(a), P.shape_of(w)
    known = isinstance(sa, tuple) and isinstance(sw, tuple)
    if known and sa == sw:
        return w
    if axis is None:
        if known or ndim_of(a) != ndim_of(w):
            raise TypeError("Axis must be specified when shapes of a and weights differ.")
        return w  # shape-generic: NumPy requires the same shape
    rank = _known_rank(a, "np.average(..., weights=...)")
    if known and sw != tuple(sa[ax] for ax in axis):
        raise ValueError("Shape of weights must be consistent with shape of a along "
                         "specified axis.")
    if not known:
        w_rank = _known_rank(w, "np.average(..., weights=...)")
        if w_rank == rank and (len(axis) < rank or list(axis) == sorted(axis)):
            return w  # the same shape as ``a``
        if w_rank == rank:  # the same shape, or that of the axes in their order
            _known_shape(a if not isinstance(sa, tuple) else w,
                         "np.average with weights over all axes in another order")
        elif w_rank != len(axis):
            raise ValueError("Shape of weights must be consistent with shape of a along "
                             "specified axis.")
    order = tuple(int(i) for i in np.argsort(axis))
    w = P.transpose(w, axes=order) if order != tuple(range(len(axis))) else w
    others = tuple(i for i in range(rank) if i not in axis)
    return P.expand_dims(w, axis=others) if others else w


register("reductions", _ptp, np.ptp)
register("reductions", _average, np.average)

# ---------------------------------------------------------------------------- order statistics


def _one_axis(a: Any, axis: Any, what: str) -> tuple[Any, int, tuple[int, ...]]:
    """``a`` with the axes reduced over merged into one (NumPy's ``_ureduce``): the
    array, that axis, and the reduced axes of ``a`` (to restore with ``keepdims``)."""
    rank = _known_rank(a, what)
    if axis is None:
        return P.reshape(a, -1), 0, tuple(range(rank))
    axes = _axes(axis, rank)
    if len(axes) == 1:
        return a, axes[0], axes
    shape = _known_shape(a, f"{what} over several axes")
    kept = [i for i in range(rank) if i not in axes]
    moved = P.moveaxis(a, tuple(kept), tuple(range(len(kept))))
    return P.reshape(moved, (*[shape[i] for i in kept], -1)), len(kept), axes


def _restored(result: Any, axes: tuple[int, ...], keepdims: bool, lead: int = 0) -> Any:
    """``keepdims``: the reduced axes back as length 1 (after ``lead`` axes of quantiles)."""
    if not keepdims or not axes:
        return result
    return P.expand_dims(result, axis=tuple(lead + i for i in axes))


def _nan_propagated(result: Any, ordered: Any, axis: int) -> Any:
    """NumPy's ``_median_nancheck``: NaN sorts last, so a slice whose last entry is NaN
    has NaN as its median or quantile."""
    last = _along(ordered, axis, -1)
    return P.where(P.isnan(last), last, result)


def _median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """The mean of the middle one or two sorted entries (NumPy's order of operations)."""
    _unsupported("median", out=out)
    a, axis = _asarray(a), _static(axis, "axis")
    _known_shape(a, "np.median")
    arr, ax, axes = _one_axis(a, axis, "np.median")
    n = P.shape_of(arr)[ax]
    ordered = P.sort(arr, axis=ax)
    middle = slice(n // 2, n // 2 + 1) if n % 2 else slice(n // 2 - 1, n // 2 + 1)
    result = P.reduce_mean(_along(ordered, ax, middle), axis=ax)
    if _may_hold_nan(a) and n > 0:
        result = _nan_propagated(result, ordered, ax)
    return _restored(result, axes, _static(keepdims, "keepdims"))


def _nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=np._NoValue):
    """The median of the entries that are not NaN: NaN sorts last, so with ``k`` of them
    the middle is at places ``(k - 1) // 2`` and ``k // 2``, read at run time."""
    _unsupported("nanmedian", out=out)
    a, axis, keepdims = _reduction_args(a, axis, keepdims)
    if not _may_hold_nan(a):
        return _median(a, axis, keepdims=keepdims)
    if axis is None or isinstance(axis, int):
        arr, ax, axes = (P.reshape(a, -1), 0, None) if axis is None else (a, axis, None)
    else:
        arr, ax, axes = _one_axis(a, axis, "np.nanmedian over several axes")
    ordered = P.sort(arr, axis=ax)
    count = P.reduce_sum(P.logical_not(P.isnan(arr)), axis=ax, keepdims=True)
    low, high = P.maximum(P.floor_divide(count - 1, 2), 0), P.floor_divide(count, 2)
    below = P.take_along_axis(ordered, low, axis=ax)
    above = P.take_along_axis(ordered, high, axis=ax)
    middle = P.where(P.equal(low, high), above, P.div(P.add(below, above), 2.0))
    if keepdims and isinstance(axis, int):
        return middle
    result = P.squeeze(middle, axis=ax)
    if keepdims and axis is None:
        return P.reshape(result, (1,) * _known_rank(a, "np.nanmedian(..., keepdims=True)"))
    return _restored(result, axes, keepdims)


register("reductions", _median, np.median)
register("reductions", _nanmedian, np.nanmedian)


def _quantile_builder(scale: float, name: str):
    """``np.quantile`` (``scale`` 1) and ``np.percentile`` (``scale`` 100)."""
    what = f"np.{name}"

    def build(a, q, axis=None, out=None, overwrite_input=False, method="linear",
              keepdims=False, *, weights=None):
        _unsupported(name, out=out, weights=weights)
        method = _static(method, "method")
        if method not in _quantile_methods():
            raise ValueError(f"{method!r} is not a valid method. Use one of: "
                             f"{list(_quantile_methods())}")
        weak = type(q) in (int, float)  # a Python number: its dtype yields to ``a``'s
        q = np.true_divide(_static(q, "q"), scale) if scale != 1 else np.asanyarray(_static(q, "q"))
        if not (np.all(q >= 0) and np.all(q <= 1)):
            raise ValueError(f"{name.capitalize()}s must be in the range [0, {scale:g}]")
        if q.ndim > 2:
            raise ValueError("q must be a scalar or 1d")
        a = _asarray(a)
        if _dtype(a) is not None and _dtype(a).kind == "c":
            raise TypeError("a must be an array of real numbers")
        _known_shape(a, what)
        arr, ax, axes = _one_axis(a, _static(axis, "axis"), what)
        result = _quantiles(arr, ax, q, weak, _may_hold_nan(a), method)
        return _restored(result, axes, _static(keepdims, "keepdims"), lead=q.ndim)
    return build


def _quantile_methods() -> dict[str, dict[str, Any]]:
    """NumPy's own table of the quantile methods (its private ``_QuantileMethods``):
    each method's virtual index of a quantile among ``n`` sorted entries and its
    correction of the interpolation weight (``None`` for the methods that pick an
    entry). Reading NumPy's table keeps the places those of the NumPy installed, which
    changed between versions (``closest_observation``); without it, only 'linear'."""
    try:
        from numpy.lib._function_base_impl import _QuantileMethods  # NumPy 2
    except ImportError:
        try:
            from numpy.lib.function_base import _QuantileMethods  # NumPy 1
        except ImportError:
            _QuantileMethods = {"linear": {  # noqa: N806 (NumPy's name)
                "get_virtual_index": lambda n, q: (n - 1) * q,
                "fix_gamma": lambda gamma, _: gamma}}
    return _QuantileMethods


def _quantiles(arr: Any, ax: int, q: np.ndarray, weak: bool, nan: bool,
               method: str = "linear") -> Any:
    """NumPy's ``_quantile``: sorted along the first axis, the quantiles' places and
    weights computed while compiling from its length, by ``method``'s rule. The
    interpolation is linear in the entries, so the gradient goes to the one or two
    entries each quantile reads, by their weights (the weights, and the entries read,
    step with the data only where the order changes)."""
    ordered = P.sort(P.moveaxis(arr, ax, 0) if ax != 0 else arr, axis=0)
    n = P.shape_of(ordered)[0]
    rule = _quantile_methods()[method]
    virtual = np.asanyarray(rule["get_virtual_index"](n, q))
    picks = rule["fix_gamma"] is None or \
        (method == "linear" and np.issubdtype(virtual.dtype, np.integer))
    if picks:  # integer places: entries, no weights
        result = P.getitem(ordered, virtual)
    else:
        result = _interpolated(ordered, virtual, n, weak, rule["fix_gamma"])
    return _nan_propagated(result, ordered, 0) if nan else result


def _interpolated(ordered: Any, virtual: np.ndarray, n: int, weak: bool,
                  fix_gamma: Any = None) -> Any:
    """NumPy's ``_lerp`` between the entries around each virtual index, from the side of
    the nearer one: ``a + (b - a) t`` below ``t = 0.5``, ``b - (b - a)(1 - t)`` from it."""
    previous, following, t = _neighbours(virtual, n)
    if fix_gamma is not None:
        t = np.asanyarray(fix_gamma(np.asanyarray(virtual - previous), virtual),
                          dtype=virtual.dtype)
    a, b = P.getitem(ordered, previous), P.getitem(ordered, following)
    rest = (1,) * (len(P.shape_of(ordered)) - 1)
    t, upper = (float(t), t >= 0.5) if weak else (t.reshape(t.shape + rest), t >= 0.5)
    diff = P.sub(b, a)
    low = P.add(a, P.mul(diff, t)) if not np.all(upper) else None
    high = P.sub(b, P.mul(diff, 1 - t)) if np.any(upper) else None
    if low is None or high is None:
        return high if low is None else low
    return P.where(upper.reshape(upper.shape + rest), high, low)


def _neighbours(virtual: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NumPy's ``_get_indexes`` and ``_get_gamma``: the places below and above each
    virtual index (the last place past the end, the first before the start) and the
    weight of the one above, in the virtual index's dtype."""
    previous = np.array(np.floor(virtual))
    following = np.array(previous + 1)
    for where, place in ((virtual >= n - 1, -1), (virtual < 0, 0)):
        previous[where], following[where] = place, place
    previous, following = previous.astype(np.intp), following.astype(np.intp)
    weight = np.asanyarray(np.asanyarray(virtual - previous), dtype=virtual.dtype)
    return previous, following, weight


register("reductions", _quantile_builder(1, "quantile"), np.quantile)
register("reductions", _quantile_builder(100, "percentile"), np.percentile)

"""NumPy functions that call the user's functions, or are NumPy's own Python code over
functions the compiler knows, written here in NumPy and compiled in NumPy's place
(``surface.DEFINITIONS``), as the user's code is.

- ``np.piecewise`` calls each function on the entries its condition selects, as NumPy
  does (``y[cond] = f(x[cond])``), so a function that is undefined where its
  condition is false (``np.log`` of the negatives) never sees those entries and
  gives them no gradient, not even a NaN one.
- ``np.apply_along_axis`` and ``np.vectorize`` map a function of the user's module
  over slices or entries with ``vmap``: one batched program, control flow in the
  function included, where NumPy loops in Python. A lambda written in the call (a
  function of the compiled code, which ``vmap`` cannot take) is called slice by
  slice, as NumPy calls it.
- ``np.frexp`` reads each exponent from ``log2``, corrected where it rounded, and
  scales exactly: NumPy's mantissas and exponents; the mantissa's derivative is
  ``2**-e``.
- ``np.diagflat``, ``np.broadcast_arrays``, ``np.positive``, ``np.fix``,
  ``np.count_nonzero``, ``np.isin`` and ``np.trim_zeros`` are written over the
  functions they combine.
- ``np.histogram`` and ``np.histogram_bin_edges`` bin as NumPy does; the edges of
  equal bins come from the data's extremes, so they carry a gradient (a histogram is
  not a constant of the data).
- ``np.unwrap``, ``np.logspace``, ``np.geomspace``, ``np.nancumsum``,
  ``np.nancumprod``, ``np.ix_``, ``np.resize``, ``np.choose``, ``np.lexsort``,
  ``np.logaddexp.reduce`` and ``np.logaddexp.accumulate`` follow NumPy's definitions,
  so values agree with NumPy's and gradients follow from the operations: ``unwrap``'s
  corrections are piecewise constant, so its gradient is the identity's.
- ``np.maximum.accumulate`` and ``np.minimum.accumulate`` (running extremes) compare
  by doubling steps: exact, in ``log2(n)`` comparisons; tied entries share the
  gradient as ``np.maximum``'s ties do.

These are compiled, not run: each body must stay within what the frontend lowers.
"""
from __future__ import annotations

import functools
import math
import types
from typing import Any

import numpy as np

from .errors import AutodiffError
from .ir import surface
from .vectorize import vmap


def piecewise(x: Any, condlist: Any, funclist: Any, *args: Any, **kw: Any) -> Any:
    """``y[cond_k] = f_k(x[cond_k], *args, **kw)`` for each condition in order (a later
    one overwrites an earlier); a value in place of a function is written as it is.
    One function more than conditions is the rest's: where no condition holds."""
    x = np.asarray(x)
    if not isinstance(condlist, list | tuple) or \
            (x.ndim != 0 and not isinstance(condlist[0], list | np.ndarray)):
        condlist = [condlist]
    conditions = [np.asarray(c, dtype=bool) for c in condlist]
    if len(funclist) == len(conditions) + 1:
        conditions.append(np.logical_not(np.any(np.stack(conditions), axis=0)))
    elif len(funclist) != len(conditions):
        raise ValueError(f"with {len(conditions)} condition(s), either {len(conditions)} "
                         f"or {len(conditions) + 1} functions are expected")
    y = np.zeros_like(x)
    for condition, function in zip(conditions, funclist):
        if callable(function):
            y[condition] = function(x[condition], *args, **kw)
        else:
            y[condition] = function
    return y


def apply_along_axis(func1d: Any, axis: int, arr: Any, *args: Any, **kwargs: Any) -> Any:
    """``func1d`` of each 1-d slice of ``arr`` along ``axis``; the result's own axes
    take the place of ``axis``, as NumPy places them."""
    arr = np.asarray(arr)
    axis = axis + arr.ndim if axis < 0 else axis
    moved = np.moveaxis(arr, axis, -1)
    outer = moved.shape[:-1]
    rows = np.reshape(moved, (-1, moved.shape[-1]))
    results = _mapped(func1d, [rows], args, kwargs)
    results = np.reshape(results, outer + results.shape[1:])
    own = results.ndim - len(outer)
    return np.moveaxis(results, tuple(range(len(outer), results.ndim)),
                       tuple(range(axis, axis + own)))


def vectorize(pyfunc: Any = None, otypes: Any = None, doc: Any = None, excluded: Any = None,
              cache: bool = False, signature: Any = None) -> Any:
    """``pyfunc`` applied to each entry of its broadcast arguments (a decorator too)."""
    if excluded is not None or signature is not None:
        raise AutodiffError("np.vectorize with excluded= or signature= is not supported",
                            hint="call vmap on the function instead")
    if pyfunc is None:
        return functools.partial(vectorize, otypes=otypes)
    return functools.partial(_vectorized, pyfunc, otypes)


def _vectorized(pyfunc: Any, otypes: Any, *args: Any) -> Any:
    arrays = [np.asarray(a) for a in args]
    shape = np.broadcast_shapes(*[a.shape for a in arrays])
    flat = [np.ravel(np.broadcast_to(a, shape)) for a in arrays]
    out = np.reshape(_mapped(pyfunc, flat, (), {}), shape)
    return out if otypes is None else out.astype(otypes[0])


def _mapped(fn: Any, batches: list, args: tuple, kwargs: dict) -> Any:
    """``fn`` of each row of ``batches`` (with ``args`` and ``kwargs``), stacked: one
    ``vmap``ped program for a function of the user's module; a function written within
    the compiled code (a lambda in the call) is called row by row, as NumPy calls it."""
    if isinstance(fn, types.FunctionType) and not args and not kwargs:
        return vmap(fn)(*batches)
    return np.stack([fn(*[b[i] for b in batches], *args, **kwargs)
                     for i in range(batches[0].shape[0])])


def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: float = 2 * math.pi) -> Any:
    """Each step along ``axis`` larger than ``discont`` corrected by a multiple of
    ``period`` to its equivalent within half a period (NumPy's algorithm)."""
    p = np.asarray(p)
    dd = np.diff(p, axis=axis)
    if discont is None:
        discont = period / 2
    integers = np.issubdtype(dd.dtype, np.integer) and isinstance(period, int)
    if integers:
        interval_high = period // 2
        boundary_ambiguous = period % 2 == 0
    else:
        interval_high = period / 2
        boundary_ambiguous = True
    interval_low = -interval_high
    ddmod = np.mod(dd - interval_low, period) + interval_low
    if boundary_ambiguous:
        ddmod = np.where((ddmod == interval_low) & (dd > 0), interval_high, ddmod)
    correction = np.where(np.abs(dd) < discont, 0, ddmod - dd)
    after_first = tuple(slice(1, None) if k == axis % p.ndim else slice(None)
                        for k in range(p.ndim))
    unwrapped = p * 1.0 if np.issubdtype(p.dtype, np.integer) and not integers else np.copy(p)
    unwrapped[after_first] = p[after_first] + np.cumsum(correction, axis=axis)
    return unwrapped


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
             dtype: Any = None, axis: int = 0) -> Any:
    """``base ** linspace(start, stop, num)``."""
    y = np.power(base, np.linspace(start, stop, num, endpoint=endpoint, axis=axis))
    return y if dtype is None else y.astype(dtype)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Any:
    """Numbers spaced evenly on a log scale from ``start`` to ``stop`` (of one sign),
    the end points exactly ``start`` and ``stop``, as NumPy makes them."""
    start, stop = np.asarray(start) * 1.0, np.asarray(stop) * 1.0
    if np.iscomplexobj(start) or np.iscomplexobj(stop):
        raise AutodiffError("np.geomspace of complex end points is not supported")
    sign = np.sign(start)
    result = logspace(np.log10(start / sign), np.log10(stop / sign), num,
                      endpoint=endpoint, base=10.0, axis=axis)
    if num > 0:
        result[0] = start / sign
        if num > 1 and endpoint:
            result[-1] = stop / sign
    result = result * sign
    return result if dtype is None else result.astype(dtype)


def nancumsum(a: Any, axis: Any = None, dtype: Any = None) -> Any:
    """``cumsum`` with NaNs counted as zeros."""
    a = np.asarray(a)
    return np.cumsum(np.where(np.isnan(a), 0, a), axis=axis, dtype=dtype)


def nancumprod(a: Any, axis: Any = None, dtype: Any = None) -> Any:
    """``cumprod`` with NaNs counted as ones."""
    a = np.asarray(a)
    return np.cumprod(np.where(np.isnan(a), 1, a), axis=axis, dtype=dtype)


def resize(a: Any, new_shape: Any) -> Any:
    """``a``'s entries in order, repeated as often as it takes to fill ``new_shape``; an
    empty ``a`` gives zeros, as NumPy's does."""
    shape = (new_shape,) if isinstance(new_shape, int) else tuple(new_shape)
    flat = np.ravel(a)
    size = int(np.prod(shape))
    if np.size(flat) == 0:
        return np.zeros(shape, dtype=flat.dtype)
    repeats = -(-size // np.size(flat))
    return np.reshape(np.tile(flat, repeats)[:size], shape)


def choose(a: Any, choices: Any, out: Any = None, mode: str = "raise") -> Any:
    """Entry by entry, the ``a``-th of the (broadcast) ``choices``; an index outside
    the choices raises, or with ``mode`` ``"wrap"``/``"clip"`` wraps or clips."""
    if out is not None:
        raise TypeError("out= is not supported: compiled code returns its results "
                        "(assign the result instead of passing an output array)")
    index = np.asarray(a)
    count = len(choices)
    if mode == "wrap":
        index = np.mod(index, count)
    elif mode == "clip":
        index = np.clip(index, 0, count - 1)
    elif mode != "raise":
        raise ValueError(f"np.choose: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    shape = np.broadcast_shapes(np.shape(index), *[np.shape(c) for c in choices])
    stacked = np.stack([np.broadcast_to(c, shape) for c in choices])
    picks = np.broadcast_to(index, shape)[np.newaxis]
    return np.take_along_axis(stacked, picks, axis=0)[0]


def lexsort(keys: Any, axis: int = -1) -> Any:
    """The indices that sort by the last key, ties broken by the one before it and so
    on: a stable sort by each key in turn, the first key first."""
    order = np.argsort(keys[0], axis=axis, kind="stable")
    for key in keys[1:]:
        ranked = np.take_along_axis(key, order, axis=axis)
        order = np.take_along_axis(order, np.argsort(ranked, axis=axis, kind="stable"),
                                   axis=axis)
    return order


def logaddexp_reduce(array: Any, axis: Any = 0, dtype: Any = None, out: Any = None,
                     keepdims: bool = False) -> Any:
    """``np.logaddexp.reduce``: ``log(sum(exp(a)))`` along ``axis``, shifted by the
    largest entry so that nothing overflows (``-inf`` where every entry is)."""
    if out is not None:
        raise TypeError("out= is not supported: compiled code returns its results "
                        "(assign the result instead of passing an output array)")
    a = np.asarray(array) if dtype is None else np.asarray(array).astype(dtype)
    top = np.max(a, axis=axis, keepdims=True)
    shift = np.where(np.isfinite(top), top, 0.0)
    total = np.log(np.sum(np.exp(a - shift), axis=axis, keepdims=True)) + shift
    return total if keepdims else np.squeeze(total, axis=axis)


def _accumulated(array: Any, axis: Any, dtype: Any, out: Any) -> Any:
    """A ufunc's ``accumulate`` operand: ``array`` in ``dtype``, its ``axis`` last."""
    if out is not None:
        raise TypeError("out= is not supported: compiled code returns its results "
                        "(assign the result instead of passing an output array)")
    a = np.asarray(array) if dtype is None else np.asarray(array).astype(dtype)
    if np.ndim(a) == 0:
        raise TypeError("cannot accumulate on a scalar")
    return np.moveaxis(a, axis, -1)


def maximum_accumulate(array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
    """``np.maximum.accumulate``: the running maximum along ``axis`` (``_running``), NaN
    spreading forward as ``np.maximum`` spreads it. Entries tied for a running maximum
    share its gradient as ``np.maximum``'s ties do."""
    return _running(np.maximum, array, axis, dtype, out)


def minimum_accumulate(array: Any, axis: int = 0, dtype: Any = None, out: Any = None) -> Any:
    """``np.minimum.accumulate``: the running minimum, as ``maximum_accumulate``."""
    return _running(np.minimum, array, axis, dtype, out)


def _running(combine: Any, array: Any, axis: int, dtype: Any, out: Any) -> Any:
    """``combine.accumulate`` by doubling steps (each entry combined with the one
    ``step`` before it, ``step`` = 1, 2, 4, ...): ``log2(n)`` calls, exact for an
    idempotent ``combine`` (a maximum: an entry counted twice changes nothing)."""
    running = np.copy(_accumulated(array, axis, dtype, out))
    n = np.shape(running)[-1]
    step = 1
    while step < n:  # (the right side is read whole before it is written)
        running[..., step:] = combine(running[..., step:], running[..., :-step])
        step = 2 * step
    return np.moveaxis(running, -1, axis)


def logaddexp_accumulate(array: Any, axis: int = 0, dtype: Any = None,
                         out: Any = None) -> Any:
    """``np.logaddexp.accumulate``: ``logaddexp`` of the running total and each entry in
    turn, NumPy's own order (so its roundings)."""
    lanes = _accumulated(array, axis, dtype, out)
    running = np.zeros_like(lanes)
    running[..., 0] = lanes[..., 0]
    for i in range(1, np.shape(lanes)[-1]):
        running[..., i] = np.logaddexp(running[..., i - 1], lanes[..., i])
    return np.moveaxis(running, -1, axis)


def frexp(x: Any) -> tuple:
    """``np.frexp``: ``x = m * 2**e`` with ``0.5 <= |m| < 1`` (``m = x``, ``e = 0`` at 0,
    inf and NaN), ``e`` int32. ``e`` is ``floor(log2|x|) + 1``, moved by one where the
    logarithm rounded across a power of two; ``x`` is scaled by ``2**-e`` in two halves
    (``2**-e`` alone overflows for a subnormal ``x``), each exact, so ``m`` is NumPy's.
    ``e`` is piecewise constant, so ``m``'s derivative is ``2**-e`` (1 at 0, inf and NaN,
    passed as they are). Integers give the mantissa of the float type they cast to
    safely, as NumPy's loops (float64 for int32; NumPy refuses int64, which does not)."""
    x = np.asarray(x)
    regular = np.logical_and(np.isfinite(x), np.not_equal(x, 0))
    safe = np.where(regular, x, 1.0)
    e = np.floor(np.log2(np.abs(safe))) + 1.0
    half = np.floor(-e / 2.0)
    m = safe * np.exp2(half) * np.exp2(-e - half)
    above, below = np.abs(m) >= 1.0, np.abs(m) < 0.5
    m = np.where(above, m * 0.5, np.where(below, m * 2.0, m))
    e = np.where(above, e + 1.0, np.where(below, e - 1.0, e))
    # in NumPy's loop's float type (float16 for float16 and int8, float64 for int32):
    # under NumPy 1.x a 0-d float16 beside the Python floats above became float64
    mantissa = np.where(regular, m, x).astype(np.result_type(x.dtype, np.float16))
    return mantissa, np.where(regular, e, 0.0).astype(np.int32)


def ix_(*args: Any) -> tuple:
    """An open mesh of index vectors: the ``k``-th shaped to run along axis ``k``; a
    boolean vector stands for the positions of its true entries."""
    out = []
    for k, new in enumerate(args):
        new = np.asarray(new)
        if new.ndim != 1:
            raise ValueError("Cross index must be 1 dimensional")
        if new.dtype == bool:
            new = np.nonzero(new)[0]
        out.append(np.reshape(new, (1,) * k + (new.size,) + (1,) * (len(args) - k - 1)))
    return tuple(out)


def diagflat(v: Any, k: int = 0) -> Any:
    """The flattened ``v`` on the ``k``-th diagonal of a square matrix."""
    return np.diag(np.ravel(v), k)


def broadcast_arrays(*args: Any, subok: bool = False) -> Any:
    """Each argument broadcast to the shape of them all (a tuple, as NumPy 2 returns;
    NumPy 1 returned a list)."""
    shape = np.broadcast_shapes(*[np.shape(a) for a in args])
    return tuple([np.broadcast_to(a, shape) for a in args])


def positive(x: Any) -> Any:
    """``+x``: a copy of ``x`` (whose derivative is the identity's); of a number, a
    number (``np.asarray`` of one is a 0-d array)."""
    return np.multiply(x, 1)


def fix(x: Any) -> Any:
    """Rounded toward zero: ``floor`` where ``x >= 0`` and ``ceil`` elsewhere, as NumPy
    writes it (piecewise constant: no gradient flows through)."""
    return np.where(np.greater_equal(x, 0), np.floor(x), np.ceil(x))


def count_nonzero(a: Any, axis: Any = None, *, keepdims: bool = False) -> Any:
    """How many entries are not zero (along ``axis``)."""
    return np.sum(np.not_equal(a, 0), axis=axis, keepdims=keepdims)


def isin(element: Any, test_elements: Any, assume_unique: bool = False,
         invert: bool = False, *, kind: Any = None) -> Any:
    """Whether each entry of ``element`` equals some entry of ``test_elements``: each
    compared with all of them (what NumPy's ``kind='table'`` saves is memory)."""
    found = np.any(np.expand_dims(element, -1) == np.ravel(test_elements), axis=-1)
    return np.logical_not(found) if invert else found


def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None,  # noqa: A002
                        weights: Any = None) -> Any:
    """``bins + 1`` equal bins from the smallest entry to the largest (or over
    ``range``; half a unit either side of one value), or the edges given: the edges'
    gradient flows through the extremes."""
    if isinstance(bins, str):
        raise ValueError(f"bins={bins!r}: the estimators' bin counts depend on the data; "
                         "give the number of bins or the edges")
    if np.ndim(bins) != 0:
        return np.asarray(bins)
    a = np.ravel(a)
    first, last = (np.min(a), np.max(a)) if range is None else range
    if range is not None and first > last:
        raise ValueError("max must be larger than min in range parameter.")
    one_value = first == last
    first = np.where(one_value, first - 0.5, first)
    last = np.where(one_value, last + 0.5, last)
    return np.linspace(first, last, bins + 1).astype(np.result_type(a, 0.5))


def histogram(a: Any, bins: Any = 10, range: Any = None, density: Any = None,  # noqa: A002
              weights: Any = None) -> Any:
    """How many entries (or how much weight) fall in each bin, and the edges: entry
    ``e`` is in bin ``i`` when ``edges[i] <= e < edges[i + 1]``, the last bin closed,
    as NumPy bins them. Counted by searching the sorted entries for each edge (NumPy's
    own way for given edges): counts have no gradient, weights' sums carry theirs, and
    a density's carries the edges' through the bins' widths."""
    edges = histogram_bin_edges(a, bins, range)
    order = np.argsort(np.ravel(a), kind="stable")
    ranked = np.ravel(a)[order]
    cut = np.concatenate([np.searchsorted(ranked, edges[:-1], side="left"),
                          np.searchsorted(ranked, edges[-1:], side="right")])
    if weights is None:
        counts = np.diff(cut)
    else:
        weighed = np.ravel(weights)[order]
        running = np.concatenate([np.zeros(1, weighed.dtype), np.cumsum(weighed)])
        counts = np.diff(running[cut])
    if density:
        return counts / np.diff(edges) / np.sum(counts), edges
    return counts, edges


def trim_zeros(filt: Any, trim: str = "fb") -> Any:
    """``filt`` without its leading (``'f'``) and trailing (``'b'``) zeros: a slice of
    run-time length; empty if all are zeros."""
    nonzero = np.not_equal(filt, 0)
    n = np.size(filt)
    start = np.where(np.any(nonzero), np.argmax(nonzero), n) if "f" in trim or "F" in trim \
        else 0
    stop = n - np.argmax(nonzero[::-1]) if "b" in trim or "B" in trim else n
    return filt[start:np.maximum(start, stop)]


_FAMILIES = {"indexing": (piecewise, ix_, choose, lexsort, trim_zeros),
             "shapes": (apply_along_axis, vectorize, resize, diagflat, broadcast_arrays),
             "reductions": (nancumsum, nancumprod, count_nonzero, histogram,
                            histogram_bin_edges),
             "constructors": (logspace, geomspace),
             "elementwise": (unwrap, positive, frexp),
             "inactive": (fix, isin)}

surface.INSTANCE_DEFINITIONS[np.vectorize] = \
    lambda made: vectorize(made.pyfunc, made.otypes or None, excluded=made.excluded or None,
                           signature=made.signature)

surface.DEFINITIONS[np.logaddexp.reduce] = logaddexp_reduce
surface.FAMILIES["reductions"].append("np.logaddexp.reduce")
for _ufunc, _definition in [(np.maximum, maximum_accumulate), (np.minimum, minimum_accumulate),
                            (np.logaddexp, logaddexp_accumulate)]:
    surface.DEFINITIONS[_ufunc.accumulate] = _definition
    surface.FAMILIES["reductions"].append(f"np.{_ufunc.__name__}.accumulate")

for _family, _functions in _FAMILIES.items():
    for _definition in _functions:
        surface.DEFINITIONS[getattr(np, _definition.__name__)] = _definition
        surface.FAMILIES.setdefault(_family, []).append(f"np.{_definition.__name__}")

"""NumPy's signal functions written with primitives: ``np.heaviside``, ``np.interp``,
``np.convolve``, ``np.correlate`` and ``np.pad`` (its modes that compute entries are in
``padding``).

``np.interp`` finds each point's interval by counting the sample points at or below
it (a comparison and a sum: no search primitive needed), reads the interval's ends
with ``getitem`` and interpolates as NumPy's C loop does, so it is differentiable in
``x``, ``xp`` and ``fp`` and needs no shape when compiling. At a sample point the
derivative in ``x`` is the slope of the interval to its right.

Convolution and correlation need the lengths when compiling: a short kernel (up to
``SHORT_KERNEL`` taps) is a sum of shifted slices, term by term in the order NumPy's
dot product adds them for short vectors (so the values are NumPy's bit for bit); a
longer one gathers the (output, tap) table of entries with one static index array
and multiplies it by the kernel, a BLAS product as NumPy's is (with the OpenBLAS NumPy
ships, the same values; with another BLAS, the same to rounding).

``np.pad``'s modes "edge", "reflect", "symmetric" and "wrap" copy entries: along each
axis they gather with the index array NumPy itself gives for ``np.arange(n)`` padded
the same way, so the gradient is the scatter-add of ``getitem``'s rule. They need the
length of each padded axis when compiling.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import ndim_of, same_dtype
from . import UnsupportedArgumentError, _static, register
from .composed import _along, _known_shape
from .constructors import _asarray, _astype
from .padding import COMPUTING_MODES, computed_pad, odd_reflection
from .statistics import _dtype

# ---------------------------------------------------------------------------- heaviside


def _heaviside(x1, x2, **kw):
    """0 below 0, ``x2`` at 0, 1 above (NaN at NaN): a step, so only ``x2`` gets a
    gradient, where ``x1`` is 0."""
    if kw:
        raise UnsupportedArgumentError(f"{next(iter(kw))}=... is not supported yet")
    step = P.where(P.less(x1, 0), 0, P.where(P.equal(x1, 0), x2, 1))
    step = P.where(P.isnan(x1), np.nan, step)
    dtype = _result_dtype(x1, x2)
    return step if dtype is None or _dtype(step) == dtype else _astype(step, dtype)


def _result_dtype(x1: Any, x2: Any) -> np.dtype | None:
    """The ufunc's: the first of its float loops both operands cast to safely (a Python
    number yields to an array's dtype, as NEP 50 has it)."""
    types = [x if isinstance(x, float | int) else _dtype(x) for x in (x1, x2)]
    return None if None in types else np.result_type(*types, np.float16)


register("elementwise", _heaviside, np.heaviside)

# ---------------------------------------------------------------------------- interp


def _interp(x, xp, fp, left=None, right=None, period=None):
    """NumPy's piecewise-linear interpolation, in float64, case by case as its C loop:
    NaN stays NaN, ``left``/``right`` outside, the sample value at the last point, else
    the line through the interval's ends (from its other end if that gives NaN)."""
    if period is not None:
        raise UnsupportedArgumentError("period=... is not supported yet")
    x, xp, fp = (_float64(_asarray(v), name) for v, name in ((x, "x"), (xp, "xp"), (fp, "fp")))
    if ndim_of(xp) not in (1, None) or ndim_of(fp) not in (1, None):
        raise ValueError("Data points must be 1-D sequences")
    n = _sample_count(xp, fp)
    count = P.reduce_sum(P.less_equal(xp, P.expand_dims(x, axis=-1)), axis=-1)
    inner = _inner(x, xp, fp, P.clip(count - 1, 0, n - 2))
    first, last = P.getitem(xp, 0), P.getitem(xp, -1)
    result = P.where(P.equal(count, n), P.getitem(fp, -1), inner)
    result = P.where(P.greater(x, last), P.getitem(fp, -1) if right is None else right, result)
    result = P.where(P.less(x, first), P.getitem(fp, 0) if left is None else left, result)
    if not isinstance(n, int):  # with one sample point NumPy returns its value at NaN
        return P.where(P.isnan(x), P.where(P.equal(n, 1), P.getitem(fp, 0), x), result)
    return P.where(P.isnan(x), x if n > 1 else P.getitem(fp, 0), result)


def _float64(v: Any, name: str) -> Any:
    dtype = _dtype(v)
    if dtype is not None and dtype.kind == "c":
        raise UnsupportedArgumentError(f"a complex {name} is not supported yet")
    return v if same_dtype(dtype, np.dtype(np.float64)) else _astype(v, np.float64)


def _sample_count(xp: Any, fp: Any) -> Any:
    """How many sample points there are: an int when known, else an equation."""
    n, n_fp = P.dim_of(xp, 0), P.dim_of(fp, 0)
    if isinstance(n, int) and isinstance(n_fp, int) and n != n_fp:
        raise ValueError("fp and xp are not of the same length.")
    if isinstance(n, int) and n == 0:
        raise ValueError("array of sample points is empty")
    return n


def _inner(x: Any, xp: Any, fp: Any, j: Any) -> Any:
    """The line through ``(xp[j], fp[j])`` and ``(xp[j + 1], fp[j + 1])`` at ``x``; where
    it is NaN, the same line from the other end, else ``fp[j]`` at the sample point or
    where both values are equal. An interval of length 0 (only ever read where another
    case applies) divides by 1, so no NaN reaches the gradient."""
    x0, x1 = P.getitem(xp, j), P.getitem(xp, j + 1)
    f0, f1 = P.getitem(fp, j), P.getitem(fp, j + 1)
    width = P.sub(x1, x0)
    slope = P.div(P.sub(f1, f0), P.where(P.equal(width, 0), 1.0, width))
    from_left = P.add(P.mul(slope, P.sub(x, x0)), f0)
    from_right = P.add(P.mul(slope, P.sub(x, x1)), f1)
    flat = P.logical_and(P.isnan(from_right), P.equal(f0, f1))
    fallback = P.where(P.logical_or(P.equal(x, x0), flat), f0, from_right)
    return P.where(P.isnan(from_left), fallback, from_left)


register("elementwise", _interp, np.interp)

# ---------------------------------------------------------------------------- convolution

SHORT_KERNEL = 15  # OpenBLAS's dot product adds fewer than 16 terms one after the other


def _convolve(a, v, mode="full"):
    """NumPy's: the correlation of the longer operand with the shorter one reversed."""
    a, v = (_vector(_asarray(u)) for u in (a, v))
    n, m = _length(a, "a", "np.convolve"), _length(v, "v", "np.convolve")
    if m > n:
        a, v, n, m = v, a, m, n
    return _correlation(a, P.flip(v, axis=0), n, m, _mode(mode))


def _correlate(a, v, mode="valid"):
    """NumPy's ``correlate2``: with ``a`` the shorter, the correlation of ``v`` with ``a``
    reversed (the same sums, in the order NumPy adds them)."""
    a, v = _asarray(a), _asarray(v)
    n, m = _length(a, "a", "np.correlate"), _length(v, "v", "np.correlate")
    if n < m:
        return P.flip(_correlation(v, a, m, n, _mode(mode)), axis=0)
    return _correlation(a, v, n, m, _mode(mode))


def _vector(u: Any) -> Any:
    """``np.array(u, ndmin=1)``: a number is a vector of one."""
    return P.reshape(u, (1,)) if ndim_of(u) == 0 else u


def _length(x: Any, name: str, what: str) -> int:
    shape = _known_shape(x, what)
    if len(shape) != 1:
        raise ValueError(f"{name} must be one-dimensional, not of shape {shape}")
    if shape[0] == 0:
        raise ValueError(f"{name} cannot be empty")
    dtype = _dtype(x)
    if dtype is not None and dtype.kind == "c":
        raise UnsupportedArgumentError("complex arrays are not supported yet")
    return shape[0]


def _mode(mode: Any) -> str:
    mode = _static(mode, "mode")
    if mode not in ("valid", "same", "full"):
        raise ValueError(f"mode must be one of 'valid', 'same', or 'full' (got {mode!r})")
    return mode


def _correlation(a: Any, v: Any, n: int, m: int, mode: str) -> Any:
    """``out[k] = sum_j a[start + k + j - (m - 1)] v[j]`` (``a`` zero outside), for the
    ``length`` outputs ``mode`` keeps of the ``n + m - 1``; ``n >= m``."""
    start, length = {"valid": (m - 1, n - m + 1), "same": (m - 1 - m // 2, n),
                     "full": (0, n + m - 1)}[mode]
    before, after = max(m - 1 - start, 0), max(start + length - n, 0)
    padded = P.pad(a, ((before, after),)) if before or after else a
    offset = start - (m - 1) + before
    if m <= SHORT_KERNEL:
        terms = [P.mul(_along(padded, 0, slice(offset + j, offset + j + length)),
                       P.getitem(v, j)) for j in range(m)]
        total = terms[0]
        for term in terms[1:]:
            total = P.add(total, term)
        return total
    table = offset + np.arange(length)[:, None] + np.arange(m)
    return P.matmul(P.getitem(padded, table), v)


register("linear algebra", _convolve, np.convolve)
register("linear algebra", _correlate, np.correlate)

# ---------------------------------------------------------------------------- pad

COPYING_MODES = ("edge", "reflect", "symmetric", "wrap")


def _pad(array, pad_width, mode="constant", *, constant_values=None, reflect_type="even",
         stat_length=None, end_values=0):
    """``np.pad``: ``constant`` (and ``empty``, whose unspecified entries are zeros) is
    the ``pad`` primitive; the modes that copy entries gather along each axis, the
    others are ``padding``'s."""
    mode = _static(mode, "mode")
    if mode in ("constant", "empty"):
        values = _static(constant_values, "constant_values") if mode == "constant" else None
        return P.pad(array, _static(pad_width, "pad_width"),
                     **({} if values is None else {"constant_values": values}))
    if mode not in COPYING_MODES + COMPUTING_MODES:
        modes = ", ".join(map(repr, ("constant", "empty", *COPYING_MODES, *COMPUTING_MODES)))
        raise UnsupportedArgumentError(f"mode={mode!r} is not supported yet: the modes are {modes}")
    array = _asarray(array)
    shape = _known_shape(array, f"np.pad(..., mode={mode!r})")
    widths = _pairs(_static(pad_width, "pad_width"), len(shape))
    if mode in COMPUTING_MODES:
        return computed_pad(array, widths, mode, stat_length, end_values)
    reflect_type = _static(reflect_type, "reflect_type")
    if reflect_type not in ("even", "odd"):
        raise ValueError(f"unsupported reflect_type {reflect_type!r}")
    if reflect_type == "odd" and mode in ("reflect", "symmetric"):
        return odd_reflection(array, widths, mode)
    for axis, (before, after) in enumerate(widths):
        if before or after:
            index = _padded_index(shape[axis], before, after, mode, axis)
            array = P.getitem(array, P.axis_index(axis, index))
    return array


def _pairs(pad_width: Any, rank: int) -> np.ndarray:
    """NumPy's spellings of the widths (``n``, ``(before, after)``, one pair per axis)
    as one ``(before, after)`` row per axis."""
    widths = np.asarray(pad_width)
    if widths.dtype.kind != "i":
        raise TypeError("`pad_width` must be of integral type.")
    if widths.size and widths.min() < 0:
        raise ValueError("index can't contain negative values")
    try:
        return np.broadcast_to(widths, (rank, 2))
    except ValueError:
        raise ValueError(f"unable to broadcast pad_width of shape {widths.shape} to the "
                         f"{rank} axes of the array") from None


def _padded_index(n: int, before: int, after: int, mode: str, axis: int) -> np.ndarray:
    """Which entry each place of the padded axis copies: ``np.arange(n)`` padded."""
    if n == 0:
        raise ValueError(f"can't extend empty axis {axis} using modes other than "
                         "'constant' or 'empty'")
    return np.pad(np.arange(n), (before, after), mode=mode)


register("shapes", _pad, np.pad)

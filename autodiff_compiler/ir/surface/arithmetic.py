"""The NumPy surface of arithmetic: elementwise functions (ufuncs and their Python
spellings), reductions, and norms, each mapped to its primitive."""
from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var, ndim_of
from ..reference import sigmoid
from . import (
    Builder,
    CompileTimeError,
    UnsupportedArgumentError,
    _keepdims,
    _static,
    _unsupported,
    register,
)

# ---------------------------------------------------------------------------- elementwise


def ufunc(prim: P.Primitive) -> Builder:
    """A NumPy ufunc: positional operands only (no ``out=``, ``where=``, ``dtype=``)."""
    def build(*args: Any, **kw: Any) -> Any:
        if kw:
            raise UnsupportedArgumentError(
                f"{prim.name}(..., {next(iter(kw))}=...) is not supported yet")
        return prim(*args)
    return build


ELEMENTWISE = [
    (P.add, [np.add]), (P.sub, [np.subtract]), (P.mul, [np.multiply]),
    (P.div, [np.divide]), (P.power, [np.power, math.pow]), (P.neg, [np.negative]),
    (P.floor_divide, [np.floor_divide]), (P.mod, [np.mod]),
    # math's functions on Python floats are NumPy's ufuncs on 0-d values
    (P.exp, [np.exp, math.exp]), (P.exp2, [np.exp2]), (P.expm1, [np.expm1, math.expm1]),
    (P.log, [np.log]), (P.log2, [np.log2, math.log2]), (P.log10, [np.log10, math.log10]),
    (P.log1p, [np.log1p, math.log1p]), (P.sqrt, [np.sqrt, math.sqrt]), (P.cbrt, [np.cbrt]),
    (P.square, [np.square]), (P.reciprocal, [np.reciprocal]),
    (P.abs_, [np.abs, builtins.abs, math.fabs]),
    (P.sin, [np.sin, math.sin]), (P.cos, [np.cos, math.cos]), (P.tan, [np.tan, math.tan]),
    (P.arcsin, [np.arcsin, math.asin]), (P.arccos, [np.arccos, math.acos]),
    (P.arctan, [np.arctan, math.atan]), (P.arctan2, [np.arctan2, math.atan2]),
    (P.sinh, [np.sinh, math.sinh]), (P.cosh, [np.cosh, math.cosh]),
    (P.tanh, [np.tanh, math.tanh]), (P.arcsinh, [np.arcsinh, math.asinh]),
    (P.arccosh, [np.arccosh, math.acosh]), (P.arctanh, [np.arctanh, math.atanh]),
    (P.hypot, [np.hypot, math.hypot]), (P.maximum, [np.maximum]), (P.minimum, [np.minimum]),
    (P.fmax, [np.fmax]), (P.fmin, [np.fmin]), (P.logaddexp, [np.logaddexp]),
    (P.logaddexp2, [np.logaddexp2]), (P.sigmoid, [sigmoid]), (P.conj, [np.conj]),
]
INACTIVE_ELEMENTWISE = [
    (P.sign, [np.sign]), (P.floor, [np.floor]), (P.ceil, [np.ceil]), (P.trunc, [np.trunc]),
    (P.rint, [np.rint]), (P.isnan, [np.isnan]), (P.isinf, [np.isinf]),
    (P.isfinite, [np.isfinite]), (P.logical_not, [np.logical_not]),
    (P.logical_and, [np.logical_and]), (P.logical_or, [np.logical_or]),
    (P.logical_xor, [np.logical_xor]), (P.bitwise_and, [np.bitwise_and]),
    (P.bitwise_or, [np.bitwise_or]), (P.bitwise_xor, [np.bitwise_xor]), (P.invert, [np.invert]),
    (P.less, [np.less]), (P.greater, [np.greater]),
    (P.less_equal, [np.less_equal]), (P.greater_equal, [np.greater_equal]),
    (P.equal, [np.equal]), (P.not_equal, [np.not_equal]),
]


def _abs(x):
    return P.abs_(x) if isinstance(x, Var) else builtins.abs(x)


def _where(condition, x=None, y=None):
    if x is None and y is None:  # the indices where it holds: np.nonzero
        from .selection import _where_indices
        return _where_indices(condition)
    if x is None or y is None:
        raise ValueError("either both or neither of x and y should be given")
    return P.where(condition, x, y)


def _isclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """NumPy's test, no gradient through it: ``|a - b| <= atol + rtol |b|`` where ``b``
    is finite, equality elsewhere (infinities of one sign), NaNs equal on request."""
    rtol, atol = _static(rtol, "rtol"), _static(atol, "atol")
    within = P.less_equal(P.abs_(P.sub(a, b)), P.add(atol, P.mul(rtol, P.abs_(b))))
    close = P.logical_or(P.logical_and(within, P.isfinite(b)), P.equal(a, b))
    if _static(equal_nan, "equal_nan"):
        close = P.logical_or(close, P.logical_and(P.isnan(a), P.isnan(b)))
    return close


def _allclose(a, b, rtol=1.0e-5, atol=1.0e-8, equal_nan=False):
    """``np.isclose`` at every entry: one bool, no gradient through it."""
    return P.reduce_all(_isclose(a, b, rtol, atol, equal_nan))


def _complex_dtype(x, what: str) -> bool:
    """Whether ``x`` is complex, from its dtype, which must be known when compiling."""
    dtype = P.dtype_of(x)
    if not isinstance(dtype, np.dtype):
        raise CompileTimeError(f"{what} needs the dtype of its argument, which "
                               "shape-generic code learns only at run time")
    return dtype.kind == "c"


def _iscomplexobj(x):
    return _complex_dtype(x, "np.iscomplexobj")


def _isrealobj(x):
    return not _complex_dtype(x, "np.isrealobj")


def _iscomplex(x):
    """Entries with a nonzero imaginary part (none, for a real array)."""
    return P.not_equal(_imag(x), 0)


def _isreal(x):
    return P.equal(_imag(x), 0)


def _real_if_close(a, tol=100):
    """A real array as it is; a complex one would be real or complex depending on its
    values, which are known only at run time."""
    if _complex_dtype(a, "np.real_if_close"):
        raise CompileTimeError("np.real_if_close of a complex array: whether the result "
                               "is real depends on the values, known only at run time "
                               "(use np.real)")
    return a


def _clip(a, a_min=np._NoValue, a_max=np._NoValue, out=None, *, min=np._NoValue,  # noqa: A002
          max=np._NoValue, **kw):  # noqa: A002
    _unsupported("clip", out=out)
    lo = min if a_min is np._NoValue else a_min
    hi = max if a_max is np._NoValue else a_max
    lo, hi = (None if v is np._NoValue else v for v in (lo, hi))
    if lo is None and hi is None:
        raise CompileTimeError("clip needs a lower or an upper bound")
    # One bound: a value on the bound passes its gradient to ``a``, as at a bound of
    # ``clip`` (maximum/minimum would share a tie).
    if lo is None:
        return P.where(P.greater(a, hi), hi, a)
    if hi is None:
        return P.where(P.less(a, lo), lo, a)
    return P.clip(a, lo, hi)


def _round(a, decimals=0, out=None):
    _unsupported("round", out=out)
    if not isinstance(a, Var):
        return builtins.round(a, decimals) if decimals else builtins.round(a)
    return P.round_(a, decimals=_static(decimals, "decimals"))


def _np_round(a, decimals=0, out=None):
    _unsupported("round", out=out)
    return P.round_(a, decimals=_static(decimals, "decimals"))


def _math_log(x, base=None):
    """``math.log(x[, base])``: the natural logarithm, or ``log(x) / log(base)``."""
    return P.log(x) if base is None else P.log(x) / P.log(base)


def _real(x):
    return P.real(x)


def _imag(x):
    """A real array's imaginary part is zeros: nothing to differentiate."""
    dtype = P.dtype_of(x)
    if isinstance(dtype, np.dtype) and not np.issubdtype(dtype, np.complexfloating):
        return P.zeros_like(x)
    return P.imag(x)


def _builtin_pow(base, exp, mod=None):
    """``pow(base, exp)`` is ``base ** exp``; the three-argument form is modular integer
    arithmetic, with nothing to differentiate."""
    _unsupported("pow", mod=mod)
    return base ** exp


for _prim, _fns in ELEMENTWISE + INACTIVE_ELEMENTWISE:
    family = "elementwise" if (_prim, _fns) in ELEMENTWISE else "inactive"
    register(family, _abs if builtins.abs in _fns else ufunc(_prim), *_fns)
register("elementwise", _where, np.where)
register("elementwise", _builtin_pow, builtins.pow)
register("elementwise", _clip, np.clip, methods=("clip",))
register("elementwise", _math_log, math.log)
register("elementwise", _real, np.real, attributes=("real",))
register("elementwise", _imag, np.imag, attributes=("imag",))
register("elementwise", ufunc(P.conj), methods=("conj", "conjugate"))
register("inactive", _np_round, np.round, np.around, methods=("round",))
register("inactive", _round, builtins.round)
register("inactive", _isclose, np.isclose)
register("inactive", _allclose, np.allclose)
register("inactive", _iscomplex, np.iscomplex)
register("inactive", _isreal, np.isreal)
register("inactive", _iscomplexobj, np.iscomplexobj)
register("inactive", _isrealobj, np.isrealobj)
register("elementwise", _real_if_close, np.real_if_close)

# ---------------------------------------------------------------------------- reductions


def _in_dtype(a: Any, dtype: Any) -> Any:
    """``a`` cast to the ``dtype=`` a reduction computes in: NumPy casts each value
    (unsafely: floats summed as ints are truncated first), then reduces in it."""
    if dtype is None:
        return a
    from .constructors import _astype
    return _astype(a, np.dtype(_static(dtype, "dtype")))


# ``keep_dims`` is MindSpore's spelling of a Tensor's ``x.mean(axis, keep_dims=True)``:
# compiled code cannot tell a Tensor's method from an array's, so both take it.


def _kept(keepdims: Any, keep_dims: Any) -> bool:
    return _keepdims(keepdims) if keep_dims is None else bool(_static(keep_dims, "keep_dims"))


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


# MindSpore's methods take ``keepdims`` second (``x.sum(1, True)``, ``x.any(0, True)``),
# and ``x.std(axis, ddof, keepdims)``, where NumPy's take a dtype or ``out``: there a
# bool (an int for ``std``/``var``) is no dtype NumPy would take, so it means
# MindSpore's argument, for arrays and Tensors alike.


# ``initial=`` is one more operand of the reduction: added to a sum, multiplied into a
# product, compared with a maximum or minimum (an empty reduction, which NumPy answers
# with ``initial`` alone, is refused by the reduction as without it).
_WITH_INITIAL = {"sum": P.add, "prod": P.mul, "max": P.maximum, "min": P.minimum}


def _reduction(prim: P.Primitive, name: str) -> Builder:
    def build(a, axis=None, dtype=None, out=None, keepdims=np._NoValue, initial=None,
              where=None, keep_dims=None):
        if _is_flag(dtype) and keepdims is np._NoValue:  # x.sum(1, True)
            dtype, keepdims = None, dtype
        _unsupported(name, out=out, initial=None if name in _WITH_INITIAL else initial)
        axis, keepdims = _static(axis, "axis"), _kept(keepdims, keep_dims)
        if name != "mean":
            axis = _of_a_0d_array(a, axis)
        a = _in_dtype(a, dtype)
        if name == "mean" and where is not None and where is not True:
            return _masked_mean(a, where, axis, keepdims)
        total = prim(_masked(name, a, where, initial), axis=axis, keepdims=keepdims)
        return total if initial is None else _with_initial(name, total, initial)
    return build


def _extremum(prim: P.Primitive, name: str) -> Builder:
    """max/min/all/any: NumPy's signature has no ``dtype`` (``np.max(x, 0, None, True)``
    passes ``out`` and ``keepdims`` by position)."""
    def build(a, axis=None, out=None, keepdims=np._NoValue, initial=None, where=None,
              keep_dims=None):
        if _is_flag(out) and keepdims is np._NoValue:  # x.any(0, True)
            out, keepdims = None, out
        _unsupported(name, out=out, initial=None if name in _WITH_INITIAL else initial)
        axis, keepdims = _of_a_0d_array(a, _static(axis, "axis")), _kept(keepdims, keep_dims)
        if initial is not None:
            nothing = _of_nothing(a, axis, keepdims)
            if nothing is not None:
                return _with_initial(name, P.full(nothing.shape, initial, dtype=nothing.dtype),
                                     initial)
        extremum = prim(_masked(name, a, where, initial), axis=axis, keepdims=keepdims)
        return extremum if initial is None else _with_initial(name, extremum, initial)
    return build


def _of_nothing(a: Any, axis: Any, keepdims: bool) -> np.ndarray | None:
    """Where a maximum or minimum with ``initial`` of an empty array (its shape known
    when compiling) reduces no entries: a stand-in of its result's shape and dtype. It
    is ``initial`` alone there; the reduction itself has no value (NumPy's refuses)."""
    shape, dtype = P.shape_of(a), P.dtype_of(a)
    if not isinstance(shape, tuple) or not isinstance(dtype, np.dtype) or 0 not in shape:
        return None
    return np.asarray(np.sum(np.zeros(shape, dtype), axis=axis, keepdims=keepdims, dtype=dtype))


def _of_a_0d_array(a: Any, axis: Any) -> Any:
    """A ufunc's reduction lets a 0-d array name axis 0 or -1 (``np.sum(s, axis=0)`` is
    ``s``; ``np.mean`` refuses it): that is every axis it has, as ``None`` says to
    every backend (dask's refuses the axis)."""
    rank = a.aval.ndim if isinstance(a, Var) else np.ndim(a)
    return None if rank == 0 and type(axis) is int and axis in (0, -1) else axis


# ``where=`` leaves entries out: they count as the reduction's identity (0 of a sum, 1 of
# a product; ``initial`` of a maximum or minimum, which NumPy then requires), so each
# left out gets no derivative. A mean divides by the number of entries left in.
_IDENTITY = {"sum": 0, "prod": 1, "all": True, "any": False}


def _masked(name: str, a: Any, where: Any, initial: Any) -> Any:
    if where is None or where is True:
        return a
    fill = _IDENTITY.get(name, initial)
    if fill is None:
        raise ValueError("where= needs initial= here, as in NumPy: a maximum or minimum "
                         "of no entries has no value")
    if name in ("max", "min") and isinstance(a, Var) and a.aval.dtype is not None \
            and not isinstance(fill, Var):
        fill = a.aval.dtype.type(fill)  # NumPy casts initial to the array's dtype
    masked = P.where(where, a, fill)
    shape, kept = np.shape(a) if not isinstance(a, Var) else a.aval.shape, \
        masked.aval.shape if isinstance(masked, Var) else np.shape(masked)
    if shape is not None and kept is not None and tuple(shape) != tuple(kept):
        raise ValueError(f"where= of shape broadcasting to {kept} cannot mask an array "
                         f"of shape {shape}")
    return masked


def _counted_dtype(dtype: Any) -> np.dtype:
    """The dtype a mean divides in: a float array's own (the real one of a complex
    array), float64 for integers."""
    inexact = dtype is not None and np.issubdtype(dtype, np.inexact)
    return np.finfo(dtype).dtype if inexact else np.dtype(np.float64)


def _masked_mean(a: Any, where: Any, axis: Any, keepdims: bool) -> Any:
    """The mean of the entries ``where`` leaves in, in NumPy's dtype (a float32 array's
    is float32, an integer array's float64)."""
    dtype = a.aval.dtype if isinstance(a, Var) else np.asarray(a).dtype
    inexact = dtype is not None and np.issubdtype(dtype, np.inexact)
    values = a if inexact else P.astype(a, np.dtype(np.float64))
    ones = P.astype(P.broadcast_to(where, P.shape_of(a)), _counted_dtype(dtype))
    total = P.reduce_sum(_masked("sum", values, where, None), axis=axis, keepdims=keepdims)
    return P.div(total, P.reduce_sum(ones, axis=axis, keepdims=keepdims))


def _with_initial(name: str, reduced: Any, initial: Any) -> Any:
    """``reduced`` combined with ``initial``, which NumPy casts to the result's dtype
    first (``np.sum(ints, initial=0.5)`` is an int)."""
    dtype = reduced.aval.dtype if isinstance(reduced, Var) else np.asarray(reduced).dtype
    if dtype is None:  # known when the program runs: cast there
        initial = P.full_like(reduced, initial)
    elif isinstance(initial, Var):
        from .constructors import _astype
        initial = _astype(initial, dtype)
    else:
        initial = dtype.type(initial)
    return _WITH_INITIAL[name](reduced, initial)


def _moment(prim: P.Primitive, name: str) -> Builder:
    def build(a, axis=None, dtype=None, out=None, ddof=0, keepdims=np._NoValue, *,
              where=None, mean=None, correction=None, keep_dims=None):
        if isinstance(dtype, int | np.integer) and not _is_flag(dtype):  # x.std(1, 1, True)
            dtype, ddof = None, dtype
            if _is_flag(out) and keepdims is np._NoValue:
                out, keepdims = None, out
        _unsupported(name, out=out)
        axis, keepdims, ddof = _static(axis, "axis"), _kept(keepdims, keep_dims), \
            _static(ddof, "ddof")
        if correction is not None and correction is not np._NoValue:
            if ddof != 0:  # the Array API's name for ddof; NumPy takes one or the other
                raise ValueError("ddof and correction can't be provided simultaneously.")
            ddof = _static(correction, "correction")
        a = _in_dtype(a, dtype)
        mean = None if mean is np._NoValue else mean
        if mean is not None or (where is not None and where is not True):
            variance = _masked_var(a, True if where is None else where, axis, keepdims, ddof,
                                   mean)
            return variance if name == "var" else deviation(variance)
        return prim(a, axis=axis, keepdims=keepdims, ddof=ddof)
    return build


def deviation(variance: Any) -> Any:
    """The square root of a variance, with gradient 0 where it is 0 (as ``np.std``'s
    rule has), not the infinite slope of the square root there."""
    zero = P.equal(variance, 0)
    return P.where(zero, 0.0, P.sqrt(P.where(zero, 1.0, variance)))


def _masked_var(a: Any, where: Any, axis: Any, keepdims: bool, ddof: Any,
                mean: Any = None) -> Any:
    """The variance of the entries ``where`` leaves in (of real arrays), about ``mean``
    when given (NumPy's ``mean=``, shaped as ``keepdims=True`` leaves the mean: the
    deviations from it, which then also has a gradient), else about their own mean."""
    dtype = a.aval.dtype if isinstance(a, Var) else np.asarray(a).dtype
    if dtype is not None and np.issubdtype(dtype, np.complexfloating):
        raise UnsupportedArgumentError("where= or mean= of a complex array's var or std "
                                       "is not supported yet")
    centred = P.sub(a, _masked_mean(a, where, axis, True) if mean is None else mean)
    squares = _masked_mean(P.mul(centred, centred), where, axis, keepdims)
    if ddof == 0:
        return squares
    counted = P.reduce_sum(P.astype(P.broadcast_to(where, P.shape_of(a)),
                                    _counted_dtype(dtype)), axis=axis, keepdims=keepdims)
    return P.mul(squares, P.div(counted, P.sub(counted, ddof)))


def _running(prim: P.Primitive, name: str) -> Builder:
    def build(a, axis=None, dtype=None, out=None):
        _unsupported(name, out=out)
        axis = _static(axis, "axis")
        if axis is not None and ndim_of(a) == 0:  # NumPy runs along a 0-d value as (1,)
            a = P.reshape(a, (1,))
        out = prim(_in_dtype(a, dtype), axis=axis)
        if dtype is None or out.aval.dtype == np.dtype(_static(dtype, "dtype")):
            return out
        return _in_dtype(out, dtype)  # NumPy's running sum of int32 is int64, unless asked
    return build


def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _unsupported("trace", dtype=dtype, out=out)
    return P.trace(a, offset=_static(offset, "offset"), axis1=_static(axis1, "axis1"),
                   axis2=_static(axis2, "axis2"))


def _argextremum(prim: P.Primitive) -> Builder:
    def build(a, axis=None, out=None, *, keepdims=np._NoValue):
        _unsupported(prim.name, out=out)
        return prim(a, axis=_static(axis, "axis"), keepdims=_keepdims(keepdims))
    return build


register("reductions", _reduction(P.reduce_sum, "sum"), np.sum, methods=("sum",))
register("reductions", _reduction(P.reduce_mean, "mean"), np.mean, methods=("mean",))
register("reductions", _reduction(P.reduce_prod, "prod"), np.prod, methods=("prod",))
register("reductions", _extremum(P.reduce_max, "max"), np.max, np.amax, methods=("max",))
register("reductions", _extremum(P.reduce_min, "min"), np.min, np.amin, methods=("min",))
register("reductions", _moment(P.var, "var"), np.var, methods=("var",))
register("reductions", _moment(P.std, "std"), np.std, methods=("std",))
register("reductions", _running(P.cumsum, "cumsum"), np.cumsum, methods=("cumsum",))
register("reductions", _running(P.cumprod, "cumprod"), np.cumprod, methods=("cumprod",))
register("reductions", _trace, np.trace, methods=("trace",))
register("inactive", _extremum(P.reduce_all, "all"), np.all, methods=("all",))
register("inactive", _extremum(P.reduce_any, "any"), np.any, methods=("any",))
register("inactive", _argextremum(P.argmax), np.argmax, methods=("argmax",))
register("inactive", _argextremum(P.argmin), np.argmin, methods=("argmin",))

# ---------------------------------------------------------------------------- norms


def _norm(x, ord=None, axis=None, keepdims=False):  # noqa: A002
    return P.norm_of_order(x, _static(ord, "ord"), _static(axis, "axis"),
                           _static(keepdims, "keepdims"))


register("reductions", _norm, np.linalg.norm)


def _matrix_norm(x, *, keepdims=False, ord="fro"):  # noqa: A002
    return _norm(x, ord, (-2, -1), keepdims)


def _vector_norm(x, *, axis=None, keepdims=False, ord=2):  # noqa: A002
    """NumPy's: the norm of ``x`` flattened (``axis=None``), along one axis, or along
    several (moved to the front in the order given and merged into one, as NumPy does)."""
    axis, keepdims = _static(axis, "axis"), _static(keepdims, "keepdims")
    if isinstance(axis, tuple):
        from .composed import _known_shape
        shape = _known_shape(x, "np.linalg.vector_norm(..., axis=tuple)")
        if any(not -len(shape) <= a < len(shape) for a in axis):
            raise ValueError(f"axis {axis} is out of bounds for an array of {len(shape)} "
                             "dimensions")
        axes = tuple(a % len(shape) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError("repeated axis")
        rest = tuple(i for i in range(len(shape)) if i not in axes)
        merged = P.reshape(P.transpose(x, axes=axes + rest),
                           (math.prod(shape[i] for i in axes), *(shape[i] for i in rest)))
        norm = _norm(merged, ord, 0, False)
        return P.expand_dims(norm, axis=axes) if keepdims else norm
    if axis is not None:
        return _norm(x, ord, axis, keepdims)
    flat = _norm(P.reshape(x, -1), ord, 0, False)
    if not keepdims:
        return flat
    rank = ndim_of(x)
    if rank is None:
        raise CompileTimeError("np.linalg.vector_norm(..., keepdims=True) of an array whose "
                               "rank is unknown when compiling")
    return P.reshape(flat, (1,) * rank)


if hasattr(np.linalg, "vector_norm"):  # NumPy 2
    register("reductions", _vector_norm, np.linalg.vector_norm)
    register("reductions", _matrix_norm, np.linalg.matrix_norm)

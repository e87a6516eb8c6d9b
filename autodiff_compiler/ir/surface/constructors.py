"""The NumPy surface, continued: constructors, dtypes, and shape queries.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ... import trees
from ...errors import AutodiffError
from .. import builder
from .. import primitives as P
from ..core import Var, ndim_of
from ..primitives.coercion import asarray
from . import (
    Builder,
    CompileTimeError,
    _dtype,
    _dtype_kw,
    _is_float_dtype,
    _static,
    _unsupported,
    register,
    stop_gradient,
)

# ---------------------------------------------------------------------------- constructors


def _with_dtype(prim: P.Primitive, *args: Any, dtype: Any = None) -> Any:
    """``prim(*args, dtype=dtype)``; a dtype known only at run time (``x.dtype`` in
    shape-generic code) becomes a cast of the result."""
    if isinstance(dtype, Var):
        return P.astype(prim(*args), dtype)
    return prim(*args, **_dtype_kw(dtype))


def _shape(shape: Any) -> Any:
    """A shape: known when compiling, or (in part) computed at run time."""
    return tuple(shape) if isinstance(shape, list) else shape


def _filled(prim: P.Primitive) -> Builder:
    def build(shape, dtype=None, order="C", **kw):
        return _with_dtype(prim, _shape(shape), dtype=dtype)
    return build


def _filled_like(prim: P.Primitive) -> Builder:
    def build(a, dtype=None, order="K", subok=True, shape=None):
        _unsupported(prim.name, shape=shape)
        return _with_dtype(prim, a, dtype=dtype)
    return build


def _empty_like(prototype, dtype=None, order="K", subok=True, shape=None, *, device=None):
    """``np.empty_like``: zeros (its entries are unspecified); a list holding run-time
    values is an array of their shape (NumPy names this argument ``prototype``, which
    the frontend does not convert)."""
    return _filled_like(P.zeros_like)(asarray(prototype), dtype, order, subok, shape)


def _full(shape, fill_value, dtype=None, order="C", **kw):
    return P.full(_shape(shape), fill_value, **_dtype_kw(dtype))


def _full_like(a, fill_value, dtype=None, order="K", subok=True, shape=None):
    _unsupported("full_like", shape=shape)
    return P.full_like(a, fill_value, **_dtype_kw(dtype))


def _eye(N, M=None, k=0, dtype=float, order="C", **kw):  # noqa: N803 (NumPy's names)
    return P.eye(N, M, k=_static(k, "k"), **_dtype_kw(None if dtype is float else dtype))


def _arange(start, stop=None, step=None, *, dtype=None, **kw):
    args = [start] if stop is None else [start, stop] if step is None else [start, stop, step]
    return P.arange(*args, **_dtype_kw(dtype))


def _linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, **kw):
    """NumPy's: the samples along a new first axis, moved to ``axis``; ``retstep`` also
    gives ``(stop - start) / (num - 1)`` (``/ num`` without the endpoint; NaN with no
    interval), in the computation's dtype as NumPy gives it, not ``dtype``."""
    endpoint, axis = _static(endpoint, "endpoint"), _static(axis, "axis")
    samples = P.linspace(start, stop, num, endpoint=endpoint, **_dtype_kw(dtype))
    if axis != 0:
        samples = P.moveaxis(samples, 0, axis)
    if not _static(retstep, "retstep"):
        return samples
    div = _static(num, "num") - 1 if endpoint else _static(num, "num")
    delta = P.sub(P.mul(stop, 1.0), P.mul(start, 1.0)) if div > 0 else None
    step = P.div(delta, div) if delta is not None else np.nan  # NumPy's: a Python float
    return samples, step


def _array(obj, dtype=None, *, copy=True, order="K", ndmin=0, **kw):
    """``np.array``/``np.asarray`` of an array (lists holding arrays arrive stacked:
    ``arguments``); ``order`` is memory layout only."""
    ndmin = _static(ndmin, "ndmin")
    if not isinstance(obj, Var):
        return np.array(obj, dtype=_dtype(dtype), ndmin=ndmin)
    value = _astype(obj, dtype, copy=bool(copy)) if dtype is not None else obj  # (of
    # its own dtype, np.asarray gives the array itself)
    rank = ndim_of(value)
    if ndmin and (rank is None or rank < ndmin):
        return P.copy(value, ndmin=ndmin)  # leading axes of length 1
    if (copy and value is obj and not _fresh(value)) or _number(value):
        return P.copy(value)
    return value


def _number(value: Var) -> bool:
    """A Python or NumPy scalar (a ufunc's, a reduction's result, ``x[0]``), of which
    ``np.asarray`` makes a new 0-d array, not the value itself: ``+=`` writes into it."""
    while value.aval.ndim == 0 and not value.aval.weak:
        eqn = builder.producer_of(value)
        if eqn is None or eqn.prim.form != "apply" or not isinstance(eqn.invars[0], Var):
            return False
        if eqn.prim.scalar_result is not None:
            return bool(eqn.prim.scalar_result)
        value = eqn.invars[0]  # a cast is what it casts
    return value.aval.ndim == 0 and value.aval.weak


def _fresh(value: Var) -> bool:
    """A list the call converted (``np.array([a, b])``): a new array no name holds yet,
    nothing to copy."""
    eqn = builder.producer_of(value)
    return not value.hint and eqn is not None and eqn.prim in (P.stack, P.concatenate)


def _asarray(a, dtype=None, order=None, **kw):
    return _array(a, dtype, copy=False)


def _in_memory_order(a, dtype=None, **kw):
    """``np.ascontiguousarray``/``np.asfortranarray``: the values as they are (memory
    order is the backend's concern), at least 1-d, as NumPy makes a 0-d one."""
    made = _asarray(a, dtype)
    return P.atleast_1d(made) if isinstance(made, Var) else np.atleast_1d(made)


def _required(a, dtype=None, requirements=None, **kw):
    """``np.require``: the values (the flags it asks for are the backend's concern)."""
    return _asarray(a, dtype)


def _astype(x, dtype, order="K", casting="unsafe", subok=True, copy=True):
    if isinstance(dtype, Var):  # known at run time only: assume a float cast
        return P.astype(x, dtype)
    dtype = _dtype(dtype)
    if not isinstance(x, Var):
        return np.asarray(x).astype(dtype, copy=copy)
    if copy is False and x.aval.dtype is not None and np.dtype(dtype) == x.aval.dtype:
        return x  # no copy asked for, none needed: NumPy's array itself
    if _is_float_dtype(dtype):  # (a Tensor's, in the user's code: MindSpore's Cast)
        return builder.mark_cast(x, P.astype(x, dtype))
    return P.astype_discrete(x, dtype)


def _scalar_type(scalar: type) -> Builder:
    """``np.float32(x)``: a cast of a runtime value, the scalar itself of a constant. A
    Python number is made a NumPy value first (a 0-d array, of the scalar's shape and
    dtype), which a Python float cannot be cast as."""
    def build(x=0):
        if not isinstance(x, Var):
            return scalar(x)
        return _astype(P.copy(x) if x.aval.weak else x, scalar)
    return build


def _float(x: Any = 0.0) -> Any:
    """``float(x)``: a Python float; of a value that carries a gradient, refused when
    the gradient is taken (``primitives.scalars``)."""
    return P.to_float(x) if isinstance(x, Var) else builtins.float(x)


def _int(x: Any = 0, *base: Any) -> Any:
    """``int(x)``: truncation, inactive (as ``np.trunc`` is)."""
    return P.to_int(x) if isinstance(x, Var) and not base else builtins.int(x, *base)


def _item(x: Any, *index: Any) -> Any:
    """``x.item()``: the number of a one-element array, as a Python float or int;
    ``x.item(k)`` the ``k``-th in flat order, ``x.item(i, j)`` the one at ``(i, j)``."""
    if len(index) == 1 and isinstance(index[0], tuple):
        index = index[0]
    if index and isinstance(x, Var):
        x = P.getitem(P.reshape(x, (-1,)), index[0]) if len(index) == 1 else \
            P.getitem(x, tuple(index))
    elif index:
        return np.asarray(x).item(*index)
    if not isinstance(x, Var):
        return np.asarray(x).item()
    dtype = P.dtype_of(x)
    if isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.integer):
        return P.to_int(x)
    if isinstance(dtype, np.dtype) and dtype == np.bool_:
        raise ValueError(".item() of a boolean array: compare or use it as a condition")
    if isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.complexfloating):
        raise ValueError(".item() of a complex array is not supported")
    return P.to_float(x)


def _random(size: Any = None) -> Any:
    """``np.random.random(size)``: a fresh draw from NumPy's global random state each
    time the generated code runs (``primitives.effects``); its size known when compiling
    or computed from a shape."""
    return P.random_uniform(() if size is None else size)


def _standard_normal(size: Any = None) -> Any:
    """``np.random.standard_normal(size)``: fresh draws at each run, as ``np.random.random``."""
    return P.random_normal(() if size is None else size)


def _randn(*dims: Any) -> Any:
    return P.random_normal(tuple(dims))


def _draw_shape(size: Any, *params: Any) -> Any:
    """``size``, or the shape the parameters broadcast to (NumPy's default)."""
    if size is not None:
        return size
    shapes = [np.shape(p) if not isinstance(p, Var) else p.aval.shape for p in params]
    if any(s is None for s in shapes):
        raise CompileTimeError("a random draw without size= needs the shapes of its "
                               "parameters, which shape-generic code learns at run time")
    return np.broadcast_shapes(*shapes)


def _random_uniform_between(low: Any = 0.0, high: Any = 1.0, size: Any = None) -> Any:
    """``np.random.uniform``: NumPy computes ``low + (high - low) * random_sample()``
    from the same stream, so the numbers are NumPy's."""
    low, high = _parameter(low), _parameter(high)
    draws = P.random_uniform(_draw_shape(size, low, high))
    return P.add(low, P.mul(P.sub(high, low), draws))


def _random_normal_around(loc: Any = 0.0, scale: Any = 1.0, size: Any = None) -> Any:
    """``np.random.normal``: ``loc + scale * standard_normal()``, NumPy's numbers."""
    loc, scale = _parameter(loc), _parameter(scale)
    return P.add(loc, P.mul(scale, P.random_normal(_draw_shape(size, loc, scale))))


def _parameter(value: Any) -> Any:
    """A distribution's parameter: a list or tuple of numbers is an array, as NumPy
    takes it."""
    if not isinstance(value, list | tuple):
        return value
    made = asarray(value)  # (IR when it holds run-time values)
    return np.asarray(made) if made is value else made


register("inactive", _int, builtins.int)
register("constructors", _random, np.random.random, np.random.random_sample)
register("constructors", _standard_normal, np.random.standard_normal)
register("constructors", _randn, np.random.randn)
register("constructors", _random_uniform_between, np.random.uniform)
register("constructors", _random_normal_around, np.random.normal)
register("constructors", _float, builtins.float)
register("constructors", _item, methods=("item",))
register("constructors", _filled(P.zeros), np.zeros)
# The entries of np.empty are unspecified: zeros are as good as any, and deterministic.
register("constructors", _filled(P.zeros), np.empty)
register("constructors", _filled(P.ones), np.ones)
register("constructors", _full, np.full)
register("constructors", _filled_like(P.zeros_like), np.zeros_like)
register("constructors", _empty_like, np.empty_like)
register("constructors", _filled_like(P.ones_like), np.ones_like)
register("constructors", _full_like, np.full_like)
register("constructors", _eye, np.eye)
register("constructors", lambda n, dtype=float, **kw: _eye(n, dtype=dtype), np.identity)
register("constructors", _arange, np.arange)
register("constructors", _linspace, np.linspace)
register("constructors", _array, np.array)
register("constructors", _asarray, np.asarray, np.asanyarray)
register("constructors", _in_memory_order, np.ascontiguousarray, np.asfortranarray)
register("constructors", _required, np.require)
register("constructors", lambda a, order="K", **kw: P.copy(a), np.copy, methods=("copy",))
register("constructors", _astype, methods=("astype",))
for _scalar in (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64,
                np.uint8, np.uint16, np.uint32, np.uint64, np.bool_):
    # a cast; an integer one passes no gradient (np.int64(w[:, -1]) as an index)
    register("constructors", _scalar_type(_scalar), _scalar)
register("inactive", P.shape, np.shape, attributes=("shape",))
register("inactive", P.size, np.size, attributes=("size",))
register("inactive", P.ndim, np.ndim, attributes=("ndim",))
register("inactive", P.dtype, attributes=("dtype",))


def _itemsize(a):
    """``x.itemsize`` (and ``x.nbytes``, below): from the dtype, known when compiling."""
    dtype = P.dtype_of(a)
    if not isinstance(dtype, np.dtype):
        raise AutodiffError("x.itemsize needs the array's dtype, which shape-generic code "
                            "learns only at run time", builder.current().loc,
                            hint="differentiate shape-specialised code (the default)")
    return dtype.itemsize


register("inactive", _itemsize, attributes=("itemsize",))
register("inactive", lambda a: P.mul(P.size(a), _itemsize(a)), attributes=("nbytes",))


def _result_type(*arrays_and_dtypes: Any) -> Any:
    """``np.result_type``: known when compiling where the operands' dtypes and ranks are
    (worked out on stand-ins, so that Python numbers and 0-d values promote as NumPy
    promotes them), else worked out at run time."""
    known = all(a.aval.dtype is not None and a.aval.shape is not None
                for a in arrays_and_dtypes if isinstance(a, Var))
    if not known:
        return P.result_type(*arrays_and_dtypes)
    return np.result_type(*(a.aval.stand_in() if isinstance(a, Var) else a
                            for a in arrays_and_dtypes))


register("inactive", _result_type, np.result_type)
register("inactive", lambda obj: P.dim_of(obj, 0) if isinstance(obj, Var) else len(obj),
         builtins.len)
def _stop_gradient(value: Any) -> Any:
    """``stop_gradient`` of each array in a tuple, list or dict, which keeps its
    structure (MindSpore's ``a, b = ops.stop_gradient((x, y))``), or of one array."""
    if isinstance(value, tuple | list):
        return trees.like(value, [_stop_gradient(v) for v in value])
    if type(value) is dict:
        return {k: _stop_gradient(v) for k, v in value.items()}
    return P.stop_gradient(value)


register("inactive", _stop_gradient, stop_gradient)

"""The NumPy surface: which Python callables and array methods map to which primitives.

Each entry takes the call's arguments as the user wrote them (symbolic ``Var``s for
runtime values, plain Python for values known when compiling) and builds IR. An
array method and its function form share one entry (``x.sum()`` / ``np.sum(x)``).
Library functions of this package that are not listed here (``ops.*``, ``nn.*``) are
compiled from their own source like user code.
"""
from __future__ import annotations

import builtins
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import primitives as P
from .ir import Var
from .ops import stop_gradient
from .runtime import sigmoid


class CompileTimeError(Exception):
    """An argument that must be known when compiling was not; lowering adds the place."""


def _static(value: Any, what: str) -> Any:
    if isinstance(value, Var):
        raise CompileTimeError(f"{what} must be known when compiling, not computed at run time")
    return tuple(value) if isinstance(value, list) else value


def _unsupported(name: str, **given: Any) -> None:
    for key, value in given.items():
        if value is not None:
            raise CompileTimeError(f"{name}(..., {key}=...) is not supported yet")


def _sum(a, axis=None, dtype=None, out=None, keepdims=False):
    _unsupported("sum", dtype=dtype, out=out)
    return P.reduce_sum(a, axis=_static(axis, "axis"), keepdims=_static(keepdims, "keepdims"))


def _mean(a, axis=None, dtype=None, out=None, keepdims=False):
    _unsupported("mean", dtype=dtype, out=out)
    return P.reduce_mean(a, axis=_static(axis, "axis"), keepdims=_static(keepdims, "keepdims"))


def _reshape(a, *shape, **kw):
    shape = kw.get("shape", kw.get("newshape", shape[0] if len(shape) == 1 else shape))
    return P.reshape(a, shape)


def _transpose(a, *axes, **kw):
    axes = kw.get("axes", axes[0] if len(axes) == 1 else (axes or None))
    return P.transpose(a, axes=_static(axes, "axes"))


def _dtype_kw(dtype):
    return {} if dtype is None else {"dtype": np.dtype(_static(dtype, "dtype"))}


def _filled(prim):
    def build(shape, dtype=None, order="C"):
        shape = shape if isinstance(shape, Var) else _static(shape, "shape")
        return prim(shape, **_dtype_kw(dtype))
    return build


def _filled_like(prim):
    def build(a, dtype=None, order="K", subok=True, shape=None):
        _unsupported(prim.name, shape=shape)
        return prim(a, **_dtype_kw(dtype))
    return build


FUNCTIONS: dict[Any, Callable[..., Any]] = {
    np.add: P.add, np.subtract: P.sub, np.multiply: P.mul, np.divide: P.div,
    np.power: P.power, np.negative: P.neg, np.matmul: P.matmul, np.outer: P.outer,
    np.exp: P.exp, np.log: P.log, np.log1p: P.log1p, np.sin: P.sin, np.cos: P.cos,
    np.tan: P.tan, np.tanh: P.tanh, np.sqrt: P.sqrt, np.abs: P.abs_, np.sign: P.sign,
    np.maximum: P.maximum, np.minimum: P.minimum, np.logaddexp: P.logaddexp,
    np.where: P.where, sigmoid: P.sigmoid,
    np.less: P.less, np.greater: P.greater, np.less_equal: P.less_equal,
    np.greater_equal: P.greater_equal, np.equal: P.equal, np.not_equal: P.not_equal,
    np.sum: _sum, np.mean: _mean, np.reshape: _reshape, np.transpose: _transpose,
    np.broadcast_to: lambda a, shape: P.broadcast_to(a, shape),
    np.expand_dims: lambda a, axis: P.expand_dims(a, axis=_static(axis, "axis")),
    np.swapaxes: lambda a, axis1, axis2: P.swapaxes(a, axis1=axis1, axis2=axis2),
    np.ones: _filled(P.ones), np.zeros: _filled(P.zeros),
    np.ones_like: _filled_like(P.ones_like), np.zeros_like: _filled_like(P.zeros_like),
    np.shape: P.shape, np.size: P.size, np.ndim: P.ndim,
    np.square: lambda x: x * x,
    builtins.abs: P.abs_, stop_gradient: P.stop_gradient,
}

METHODS: dict[str, Callable[..., Any]] = {
    "sum": _sum, "mean": _mean, "reshape": _reshape, "transpose": _transpose,
    "swapaxes": FUNCTIONS[np.swapaxes],
}

ATTRIBUTES: dict[str, Callable[[Var], Any]] = {
    "T": lambda a: P.transpose(a, axes=None),
    "shape": P.shape, "ndim": P.ndim, "size": P.size,
}

# Pure functions of Python values, evaluated while compiling when every argument is known.
STATIC_CALLS = frozenset([
    builtins.len, builtins.range, builtins.int, builtins.float, builtins.bool,
    builtins.tuple, builtins.list, builtins.dict, builtins.min, builtins.max,
    builtins.isinstance, builtins.str, builtins.round, builtins.zip, builtins.enumerate,
    builtins.sum, math.sqrt, math.exp, math.log, math.prod, np.dtype, np.prod,
    np.float16, np.float32, np.float64, np.int32, np.int64,
])


def evaluated_when_compiling(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a pure function of Python values (``grad``) to run while compiling, when a
    compiled function calls it with arguments that are all known then."""
    fn.__evaluated_when_compiling__ = True
    return fn


def is_static_call(func: Any) -> bool:
    if isinstance(func, type) and issubclass(func, BaseException):
        return True  # building the exception a `raise` reached while compiling
    try:
        return func in STATIC_CALLS or getattr(func, "__evaluated_when_compiling__", False)
    except TypeError:
        return False


def lookup(func: Any) -> Callable[..., Any] | None:
    try:
        return FUNCTIONS.get(func)
    except TypeError:  # unhashable callables
        return None

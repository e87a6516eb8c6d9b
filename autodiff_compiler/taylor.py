"""``jet`` and ``derivative``: derivatives of any order of a function along a path.

``jet(fn, primals, series)`` gives ``fn(x(0))`` and the derivatives of ``fn(x(t))`` at
``t = 0`` of orders 1 to n, where the inputs move along the polynomial path
``x(t) = x + s_1 t + s_2 t^2 / 2! + ... + s_n t^n / n!`` (``series[k - 1]`` is ``s_k``,
the path's k-th derivative). Series in and out are derivatives, not Taylor
coefficients: MindSpore's ``ops.jet`` convention, and JAX's. ``derivative(fn, primals,
order)`` is the derivative of one order along ``x + t``, every input moved alike.

Each order is the forward-mode derivative (``jvp``) in ``t``, a scalar, of the order
below, so the transforms compose rather than a new one being written: order k costs
about 2^k evaluations of ``fn``'s linearisation, which is what the orders people ask
for (two to four) can afford; a Taylor-mode pass propagating all n coefficients at
once would cost O(n^2) and needs a rule per primitive. Where ``fn`` branches on its
inputs, the derivatives are those of the branch taken at ``t = 0``, as ``jvp``'s are.

Called inside a compiled function (``grad`` of a loss reading a jet), each order's
function is lowered there, its ``jvp`` inlined, so the derivatives are differentiable.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from .directional import jvp
from .errors import AutodiffError, AutodiffTypeError, AutodiffValueError, Loc, call_site
from .ir import primitives as P
from .ir.core import Var
from .pipeline.library import as_compilable

__all__ = ["jet", "derivative"]


def jet(fn: Callable[..., Any], primals: Any, series: Any) -> tuple[Any, Any]:
    """``(fn(*primals), out_series)``: ``out_series[k - 1]`` is the k-th derivative of
    ``fn`` along the path whose derivatives at 0 are ``series`` (for one input, an array
    of shape ``(n, *primal.shape)``; for a tuple of inputs, a tuple of such arrays). For
    a function of several outputs, one stacked array per output."""
    inputs, steps, order = _inputs(primals, series, call_site())
    t = np.zeros((), _float_dtype(inputs))
    out = fn(*inputs)
    derivatives = [_along(fn, k)(t, inputs, steps) for k in range(1, order + 1)]
    return out, _stacked(out, derivatives)


def derivative(fn: Callable[..., Any], primals: Any, order: int) -> tuple[Any, Any]:
    """``(fn(*primals), d^order/dt^order fn(x + t) at t = 0)``: every input moved by
    ``t`` (MindSpore's ``ops.derivative``)."""
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
        raise AutodiffValueError(f"derivative: order must be an int of at least 1, not "
                                 f"{order!r}", call_site(), hint="e.g. order=2")
    several = isinstance(primals, tuple)
    inputs = primals if several else (primals,)
    unit = tuple(np.concatenate([np.ones((1, *_shape(p))), np.zeros((order - 1, *_shape(p)))])
                 .astype(_float(_dtype(p))) for p in inputs)
    out, out_series = jet(fn, primals, unit if several else unit[0])
    if isinstance(out_series, tuple):
        return out, tuple(s[order - 1] for s in out_series)
    return out, out_series[order - 1]


def lower_jet(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
    """``jet(fn, primals, series)`` inside a compiled function: ``fn`` and each order's
    function lowered there (each order's ``jvp`` inlined), the results stacked."""
    try:
        fn, primals, series = _bound(jet, args, kwargs)
    except TypeError as err:
        raise AutodiffError(f"jet: {err}", loc) from None
    inputs, steps, order = _inputs(primals, series, loc)
    t = np.zeros((), _float_dtype(inputs))
    out = low.call_callable(as_compilable(fn), inputs, {})  # (np.sin: a def calling it)
    derivatives = [low.call_callable(_along(fn, k), (t, inputs, steps), {})
                   for k in range(1, order + 1)]
    return out, _stacked(out, derivatives)


jet.__lower_call__ = lower_jet  # type: ignore[attr-defined]  (frontend.calls)


def _bound(fn: Callable[..., Any], args: list, kwargs: dict) -> tuple:
    import inspect
    bound = inspect.signature(fn).bind(*args, **kwargs)
    return tuple(bound.arguments.values())


def _inputs(primals: Any, series: Any, loc: Loc | None) -> tuple[tuple, tuple, int]:
    """The inputs (integers made floats, as MindSpore computes them in float32), their
    series in their dtypes, and the number of orders, checked: one series per input,
    each of its input's shape behind the orders' axis, as many orders for all."""
    several = isinstance(primals, tuple)
    if several != isinstance(series, tuple) or (several and len(primals) != len(series)):
        raise AutodiffTypeError("jet: series must have the structure of primals (one "
                                "array for one input, a tuple of as many for a tuple)",
                                loc, hint="give one series per input")
    inputs = tuple(_astype(p, _float(_dtype(p))) for p in (primals if several else (primals,)))
    steps = tuple(_astype(_orders_stacked(s), _dtype(p))
                  for s, p in zip(series if several else (series,), inputs))
    shapes = [(_shape(s), _shape(p)) for s, p in zip(steps, inputs)]
    if any(s is None or p is None for s, p in shapes):
        raise AutodiffError("jet needs the shapes of its inputs and series when compiling",
                            loc, hint="compile for the arguments' shapes (the default)")
    orders = [s[0] if s else 0 for s, _ in shapes]
    if min(orders) != max(orders) or orders[0] == 0:
        raise AutodiffValueError("jet: every series needs the same number of orders (its "
                                 "first axis), at least one", loc,
                                 hint="stack the path's derivatives 1..n along axis 0")
    for k, (s, p) in enumerate(shapes):
        if s[1:] != p:
            raise AutodiffValueError(f"jet: series {k} has shape {s}, but its input has "
                                     f"shape {p}", loc,
                                     hint="each series is (orders, *input.shape)")
    return inputs, steps, orders[0]


def _orders_stacked(series: Any) -> Any:
    """One input's series as one array of the orders along axis 0: JAX spells it as a
    list of the orders' arrays (``jet(f, (x,), ([s1, s2],))``), MindSpore as the array."""
    if not isinstance(series, list | tuple):
        return series
    if any(isinstance(s, Var) for s in series):
        return P.stack(*series, axis=0)
    return np.stack([np.asarray(s) for s in series])


def _shape(v: Any) -> tuple | None:
    return v.aval.shape if isinstance(v, Var) else np.shape(v)


def _dtype(v: Any) -> np.dtype | None:
    return v.aval.dtype if isinstance(v, Var) else np.asarray(v).dtype


def _float(dtype: np.dtype | None) -> np.dtype | None:
    """Integers and bools compute in float32 (MindSpore's), floats in their own."""
    return np.dtype(np.float32) if dtype is not None and dtype.kind in "biu" else dtype


def _astype(v: Any, dtype: np.dtype | None) -> Any:
    if dtype is None or _dtype(v) == dtype:
        return v
    if isinstance(v, Var):
        return P.astype(v, dtype)
    return (v if isinstance(v, np.ndarray) else np.asarray(v)).astype(dtype)  # (a Tensor stays one)


def _float_dtype(inputs: tuple) -> np.dtype:
    """The dtype ``t`` takes: the inputs' widest float, so the path adds nothing wider."""
    known = [d for d in map(_dtype, inputs) if d is not None]
    return np.result_type(*known, np.float16) if known else np.dtype(np.float64)


def _stacked(out: Any, derivatives: list) -> Any:
    """The derivatives stacked along a new first axis (per output, for several)."""
    def stack(parts: list) -> Any:
        return P.stack(*parts, axis=0) if any(isinstance(p, Var) for p in parts) \
            else np.stack(parts)
    if isinstance(out, tuple | list):
        return tuple(stack([d[j] for d in derivatives]) for j in range(len(out)))
    return stack(derivatives)


_MADE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _along(fn: Callable[..., Any], order: int) -> Callable[..., Any]:
    """``d^order/dt^order fn(x(t))`` as a function of ``(t, inputs, series)``: the jvp in
    ``t`` of the order below, the inputs and series held constant. Made once per
    function and order, so that each is compiled once, as ``jvp`` compiles a function
    once per kind of arguments."""
    try:
        made = _MADE.setdefault(fn, {})
    except TypeError:  # (not weakly referable: made afresh)
        made = {}
    if order not in made:
        made[order] = _path(fn) if order == 0 else _jvp_in_t(_along(fn, order - 1))
    return made[order]


def _jvp_in_t(lower: Callable[..., Any]) -> Callable[..., Any]:
    def higher(t: Any, inputs: tuple, series: tuple) -> Any:
        return jvp(lower, (t, inputs, series), (np.ones_like(t), None, None))[1]
    return higher


def _path(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn(x(t))`` of ``(t, inputs, series)``, ``x(t) = x + sum_k s_k t^k / k!``."""
    def along(t: Any, inputs: tuple, series: tuple) -> Any:
        moved = []
        for x, s in zip(inputs, series):
            power = np.ones_like(t)
            for k in range(1, s.shape[0] + 1):
                power = power * t / k  # t^k / k!
                x = x + s[k - 1] * power
            moved.append(x)
        return fn(*moved)
    return along

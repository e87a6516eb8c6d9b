"""``np.diff`` and ``np.gradient``: differences along an axis, written with the
slices and arithmetic they are made of, so they agree with NumPy's values and
differentiate through each term (with respect to the coordinates too, for
``np.gradient`` on a grid given as an array).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var, ndim_of
from . import UnsupportedArgumentError, _static, register
from .composed import _along, _known_rank
from .constructors import _asarray


def _diff(a, n=1, axis=-1, prepend=np._NoValue, append=np._NoValue):
    a, n, axis = _asarray(a), _static(n, "n"), _static(axis, "axis")
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if ndim_of(a) == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    pieces = [_edge(prepend, a, axis), a, _edge(append, a, axis)]
    pieces = [p for p in pieces if p is not None]
    a = P.concatenate(*pieces, axis=axis) if len(pieces) > 1 else a
    is_bool = P.dtype_of(a) == np.dtype(np.bool_)
    for _ in range(n):
        later, earlier = _along(a, axis, slice(1, None)), _along(a, axis, slice(None, -1))
        a = P.not_equal(later, earlier) if is_bool else P.sub(later, earlier)
    return a


def _edge(value: Any, a: Any, axis: int) -> Any:
    """``np.diff``'s ``prepend``/``append``: a scalar is broadcast to ``a``'s shape with
    length 1 along ``axis``."""
    if value is np._NoValue:
        return None
    value = _asarray(value)
    if _known_rank(value, "np.diff(..., prepend=/append=)"):
        return value
    return P.add(P.zeros_like(_along(a, axis, slice(0, 1))), value)


def _gradient(f, *varargs, axis=None, edge_order=1):
    """Second-order central differences inside, one-sided at the edges: NumPy's
    uniform formulas, term by term, for a scalar spacing (or coordinates known to be
    evenly spaced, as NumPy checks); its non-uniform ones for coordinates."""
    edge_order = _static(edge_order, "edge_order")
    if edge_order not in (1, 2):
        raise ValueError("'edge_order' greater than 2 not supported")
    axes = _gradient_axes(f, _static(axis, "axis"))
    spacings = _spacings(varargs, len(axes))
    shape = P.shape_of(f)
    out = []
    for ax, dx in zip(axes, spacings):
        if isinstance(shape, tuple) and shape[ax] < edge_order + 1:
            raise ValueError("Shape of array too small to calculate a numerical gradient, "
                             "at least (edge_order + 1) elements are required.")
        if ndim_of(dx) == 1:
            out.append(_gradient_on_a_grid(f, ax, dx, edge_order))
        else:
            out.append(_gradient_along(f, ax, dx, edge_order))
    return out[0] if len(out) == 1 else tuple(out)


def _gradient_axes(f: Any, axis: Any) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(_known_rank(f, "np.gradient without axis=")))
    return (axis,) if isinstance(axis, int) else tuple(axis)


def _spacings(varargs: tuple, n: int) -> list[Any]:
    if not varargs:
        return [1.0] * n
    if len(varargs) == 1 and n != 1:
        varargs = varargs * n
    if len(varargs) != n:
        raise TypeError("invalid number of arguments")
    return [_spacing(dx) for dx in varargs]


def _spacing(dx: Any) -> Any:
    """A scalar spacing, or one axis's coordinates: evenly spaced ones known when
    compiling become their spacing, as NumPy takes them."""
    if (ndim_of(dx) if isinstance(dx, Var) else np.ndim(dx)) in (0, None):
        return dx  # (a rank known at run time only: a scalar, as NumPy 1.x's code took)
    dx = _asarray(dx)
    if ndim_of(dx) != 1:
        raise UnsupportedArgumentError("np.gradient: a spacing is a scalar or a 1-D array of "
                                       "coordinates")
    if not isinstance(dx, Var):
        steps = np.diff(dx)
        if steps.size and (steps == steps[0]).all():
            return steps[0]
    return dx


def _gradient_along(f: Any, axis: int, dx: Any, edge_order: int) -> Any:
    def at(i):
        return _along(f, axis, slice(i, i + 1 if i != -1 else None))
    inner = P.div(P.sub(_along(f, axis, slice(2, None)), _along(f, axis, slice(None, -2))),
                  P.mul(2.0, dx))
    if edge_order == 1:
        first = P.div(P.sub(at(1), at(0)), dx)
        last = P.div(P.sub(at(-1), at(-2)), dx)
    else:
        first = (P.mul(P.div(-1.5, dx), at(0)) + P.mul(P.div(2.0, dx), at(1))
                 + P.mul(P.div(-0.5, dx), at(2)))
        last = (P.mul(P.div(0.5, dx), at(-3)) + P.mul(P.div(-2.0, dx), at(-2))
                + P.mul(P.div(1.5, dx), at(-1)))
    return P.concatenate(first, inner, last, axis=axis)


register("reductions", _diff, np.diff)
register("reductions", _gradient, np.gradient)


def _gradient_on_a_grid(f: Any, axis: int, x: Any, edge_order: int) -> Any:
    """NumPy's formulas for coordinates ``x`` along ``axis``: each entry's weights of
    its neighbours from the two steps around it (``h1`` before, ``h2`` after)."""
    rank = _known_rank(f, "np.gradient with coordinates")

    def lay(v):  # a vector along ``axis``
        return P.reshape(v, tuple(-1 if d == axis % rank else 1 for d in range(rank)))

    def at(i):
        return _along(f, axis, slice(i, i + 1 if i != -1 else None))
    h = P.sub(P.getitem(x, slice(1, None)), P.getitem(x, slice(None, -1)))
    h1, h2 = P.getitem(h, slice(None, -1)), P.getitem(h, slice(1, None))
    a = P.neg(P.div(h2, P.mul(h1, P.add(h1, h2))))
    b = P.div(P.sub(h2, h1), P.mul(h1, h2))
    c = P.div(h1, P.mul(h2, P.add(h1, h2)))
    inner = (P.mul(lay(a), _along(f, axis, slice(None, -2)))
             + P.mul(lay(b), _along(f, axis, slice(1, -1)))
             + P.mul(lay(c), _along(f, axis, slice(2, None))))
    first_step, last_step = P.getitem(h, slice(0, 1)), P.getitem(h, slice(-1, None))
    if edge_order == 1:
        first = P.div(P.sub(at(1), at(0)), lay(first_step))
        last = P.div(P.sub(at(-1), at(-2)), lay(last_step))
    else:
        h1, h2 = P.getitem(h, slice(0, 1)), P.getitem(h, slice(1, 2))
        first = (P.mul(lay(P.neg(P.div(P.add(P.mul(2.0, h1), h2), P.mul(h1, P.add(h1, h2))))),
                       at(0))
                 + P.mul(lay(P.div(P.add(h1, h2), P.mul(h1, h2))), at(1))
                 + P.mul(lay(P.neg(P.div(h1, P.mul(h2, P.add(h1, h2))))), at(2)))
        h1, h2 = P.getitem(h, slice(-2, -1)), P.getitem(h, slice(-1, None))
        last = (P.mul(lay(P.div(h2, P.mul(h1, P.add(h1, h2)))), at(-3))
                + P.mul(lay(P.neg(P.div(P.add(h2, h1), P.mul(h1, h2)))), at(-2))
                + P.mul(lay(P.div(P.add(P.mul(2.0, h2), h1), P.mul(h2, P.add(h1, h2)))),
                        at(-1)))
    return P.concatenate(first, inner, last, axis=axis)

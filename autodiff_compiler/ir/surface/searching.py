"""NumPy's searching and index arithmetic, which give integers (no gradient):
``np.searchsorted``, ``np.digitize``, ``np.nanargmax`` / ``np.nanargmin``,
``np.tril_indices_from`` / ``np.triu_indices_from`` / ``np.diag_indices_from``, and
``np.ravel_multi_index`` / ``np.unravel_index``.

``np.digitize`` is NumPy's own definition on ``searchsorted``: bins rising give
``searchsorted(bins, x, side)``, falling ``len(bins) - searchsorted(bins[::-1], x,
side)``. Which of the two is read off bins known when compiling; bins computed at run
time are tested there, and bins neither rising nor falling fail the run with NumPy's
message (an ``assert``), never a wrong bin.

``np.nanargmax`` is ``np.argmax`` with the NaNs read as -inf (``nanargmin``: +inf), as
NumPy defines it; a slice of NaNs alone fails the run with NumPy's message, never
index 0. ``np.tril_indices_from(a, k)`` and ``np.diag_indices_from(a)`` read only
``a``'s shape, known when compiling shape-specialised code.

``np.ravel_multi_index`` and ``np.unravel_index`` run while compiling (their
arguments, shapes and positions, must then be known); with a run-time argument they are
refused at the user's line. ``np.nonzero``, ``np.bincount`` and the selections built on
them, whose results have the data's length, are in ``selection``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var
from . import CompileTimeError, UnsupportedArgumentError, _static, register
from .composed import _known_shape
from .constructors import _asarray


def _searchsorted(a, v, side="left", sorter=None):
    side = _static(side, "side")
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right' (got {side!r})")
    a = _asarray(a)
    if sorter is not None:
        a = P.getitem(a, _asarray(sorter))  # NumPy's: the search runs on a[sorter]
    return P.searchsorted(a, _asarray(v), side=side)


_NOT_MONOTONIC = "bins must be monotonically increasing or decreasing"


def _digitize(x, bins, right=False):
    side = "left" if _static(right, "right") else "right"
    x, bins = _asarray(x), _asarray(bins)
    dtype = P.dtype_of(x) if isinstance(x, Var) else np.asarray(x).dtype
    if isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.complexfloating):
        raise TypeError("x may not be complex")
    if not isinstance(bins, Var):
        bins = np.asarray(bins)
        if bins.ndim != 1:
            raise ValueError("object too deep for desired array")
        rising, falling = bool(np.all(bins[1:] >= bins[:-1])), \
            bool(np.all(bins[1:] <= bins[:-1]))
        if not rising and not falling:
            raise ValueError(_NOT_MONOTONIC)
        if rising:
            return P.searchsorted(bins, x, side=side)
        return P.sub(len(bins), P.searchsorted(bins[::-1], x, side=side))
    n = _known_shape(bins, "np.digitize of bins computed at run time")
    if len(n) != 1:
        raise ValueError("object too deep for desired array")
    later, earlier = P.getitem(bins, slice(1, None)), P.getitem(bins, slice(None, -1))
    rising = P.reduce_all(P.greater_equal(later, earlier))
    falling = P.reduce_all(P.less_equal(later, earlier))
    P.check(P.logical_or(rising, falling), _NOT_MONOTONIC)
    up = P.searchsorted(bins, x, side=side)
    down = P.sub(n[0], P.searchsorted(P.flip(bins, axis=0), x, side=side))
    return P.where(rising, up, down)


def _nanargextremum(prim: P.Primitive, fill: float) -> Any:
    def build(a, axis=None, out=None, *, keepdims=np._NoValue):
        if out is not None:
            raise UnsupportedArgumentError(f"np.nan{prim.name}(..., out=...) is not "
                                           "supported yet")
        a, axis = _asarray(a), _static(axis, "axis")
        missing = P.isnan(a)
        P.check(P.logical_not(P.reduce_any(P.reduce_all(missing, axis=axis))),
                "All-NaN slice encountered")
        keep = False if keepdims is np._NoValue else bool(_static(keepdims, "keepdims"))
        return prim(P.where(missing, fill, a), axis=axis, keepdims=keep)
    return build


def _indices_from(fn: Any) -> Any:
    """``np.tril_indices_from(a, k)``: ``np.tril_indices`` of ``a``'s two axes."""
    def build(arr, k=0):
        shape = _known_shape(arr, f"np.{fn.__name__}")
        if len(shape) != 2:
            raise ValueError("input array must be 2-d")
        return fn(shape[0], _static(k, "k"), shape[1])
    return build


def _diag_indices_from(arr):
    """``np.diag_indices_from(a)``: ``np.diag_indices`` of ``a``'s (equal) axes."""
    shape = _known_shape(arr, "np.diag_indices_from")
    if len(shape) < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return np.diag_indices(shape[0], len(shape))


def _compile_time_only(fn: Any) -> Any:
    """A pure function of shapes and positions: NumPy's own, run while compiling."""
    def build(*args: Any, **kw: Any) -> Any:
        for value in [*args, *kw.values()]:
            if isinstance(value, Var) or (isinstance(value, list | tuple)
                                          and any(isinstance(v, Var) for v in value)):
                raise CompileTimeError(f"np.{fn.__name__}'s arguments must be known when "
                                       "compiling, not computed at run time")
        return fn(*args, **kw)
    return build


register("inactive", _searchsorted, np.searchsorted, methods=("searchsorted",))
register("inactive", _digitize, np.digitize)
register("inactive", _nanargextremum(P.argmax, -np.inf), np.nanargmax)
register("inactive", _nanargextremum(P.argmin, np.inf), np.nanargmin)
register("inactive", _indices_from(np.tril_indices), np.tril_indices_from)
register("inactive", _indices_from(np.triu_indices), np.triu_indices_from)
register("inactive", _diag_indices_from, np.diag_indices_from)
register("inactive", _compile_time_only(np.ravel_multi_index), np.ravel_multi_index)
register("inactive", _compile_time_only(np.unravel_index), np.unravel_index)

"""NumPy's searching and index arithmetic, which give integers (no gradient):
``np.searchsorted``, ``np.digitize``, and ``np.ravel_multi_index`` /
``np.unravel_index``.

``np.digitize`` is NumPy's own definition on ``searchsorted``: bins rising give
``searchsorted(bins, x, side)``, falling ``len(bins) - searchsorted(bins[::-1], x,
side)``. Which of the two is read off bins known when compiling; bins computed at run
time are tested there, and bins neither rising nor falling fail the run with NumPy's
message (an ``assert``), never a wrong bin.

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
from . import CompileTimeError, _static, register
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
register("inactive", _compile_time_only(np.ravel_multi_index), np.ravel_multi_index)
register("inactive", _compile_time_only(np.unravel_index), np.unravel_index)

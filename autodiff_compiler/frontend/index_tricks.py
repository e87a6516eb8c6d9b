"""``np.r_[...]`` and ``np.c_[...]``: NumPy's concatenation written as indexing.

NumPy's ``AxisConcatenator.__getitem__`` makes each item an array of at least
``ndmin`` dimensions and concatenates them along ``axis``; here the same steps are
primitives, so the gradient reaches every item:

* a slice is a range known when compiling (``np.r_[0:3]``), a constant;
* a (nested) list is converted as ``np.asarray`` converts it;
* an array of lower rank is raised to ``ndmin`` dimensions. ``np.c_`` (``ndmin=2``,
  ``trans1d=0``) puts a vector's axis first, making it a column; ``T(atleast_2d(T(x)))``
  is exactly that for every rank, so it needs no shape known when compiling;
* Python scalars do not widen the result (``np.r_[float32_array, 1.0]`` stays float32):
  NumPy casts every piece to the result type of the arrays and the scalars.

String directives (``np.r_['0,2', ...]``) are refused at the user's line.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ir import primitives as P
from ..ir.core import Var
from ..ir.primitives.coercion import asarray, holds_var


def subscript_builder(obj: Any) -> Callable[[Any], Any] | None:
    """The builder for ``obj[index]`` when ``obj`` is one of NumPy's index tricks."""
    if obj is np.r_ or obj is np.c_:
        return lambda index: _concatenate_items(obj, index)
    return None


def _concatenate_items(concat: Any, index: Any) -> Any:
    items = index if isinstance(index, tuple) else (index,)
    if any(isinstance(item, str) for item in items):
        raise TypeError("string directives in np.r_/np.c_ are not supported; use "
                        "np.concatenate or np.stack with axis=")
    if not any(isinstance(item, Var) or holds_var(item) for item in items):
        return concat[index]  # known when compiling
    pieces = [_piece(concat, item) for item in items]
    scalars = [item for item in items if np.isscalar(item)]
    if scalars:
        dtype = _result_type([p for p in pieces if isinstance(p, Var)], scalars)
        pieces = [p if isinstance(p, Var) else p.astype(dtype) if isinstance(dtype, np.dtype)
                  else P.astype(p, dtype) for p in pieces]
    return P.concatenate(*pieces, axis=concat.axis)


def _piece(concat: Any, item: Any) -> Any:
    if isinstance(item, slice):
        if any(isinstance(b, Var) for b in (item.start, item.stop, item.step)):
            raise TypeError("a slice in np.r_/np.c_ needs bounds known when compiling")
        return concat[item]
    value = asarray(item)
    if not isinstance(value, Var):
        return np.array(value, ndmin=concat.ndmin) if np.isscalar(value) else concat[(value,)]
    if concat.ndmin == 1:
        return P.atleast_1d(value)
    if concat.ndmin == 2 and concat.trans1d == 0:  # np.c_: a vector becomes a column
        return P.T(P.atleast_2d(P.T(value)))
    raise TypeError("this index trick is not supported; use np.concatenate")


def _result_type(arrays: list[Var], scalars: list[Any]) -> Any:
    """NumPy's result type of the arrays and the scalars (Python scalars are weak), known
    when compiling if the arrays' dtypes are, else computed at run time."""
    dtypes = [a.aval.dtype for a in arrays]
    if all(d is not None for d in dtypes):
        return np.result_type(*dtypes, *scalars)
    return P.result_type(*arrays, *scalars)

"""A ufunc's own methods, as the reductions and products they are: ``np.add.reduce``
is ``np.sum`` along axis 0 (its default), ``multiply``/``maximum``/``minimum``/
``logical_and``/``logical_or`` likewise ``prod``/``max``/``min``/``all``/``any``;
``np.add.accumulate`` and ``np.multiply.accumulate`` are ``cumsum`` and ``cumprod``;
``outer`` of every binary ufunc here is the ufunc of ``a`` given ``b``'s axes after its
own, broadcast against ``b`` (``np.multiply.outer`` of vectors is ``np.outer``). Each
computes what NumPy's method computes, by the same loops.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import ndim_of
from ..primitives.coercion import asarray as _asarray  # lists of run-time values stacked
from . import FUNCTIONS, CompileTimeError, UnsupportedArgumentError, _static, _unsupported, register

REDUCE = {np.add: np.sum, np.multiply: np.prod, np.maximum: np.max, np.minimum: np.min,
          np.logical_and: np.all, np.logical_or: np.any}
ACCUMULATE = {np.add: np.cumsum, np.multiply: np.cumprod}


def _reduce(ufunc: np.ufunc, reduction: Any) -> Any:
    def build(array, axis=0, dtype=None, out=None, keepdims=False, initial=np._NoValue,
              where=True):
        _unsupported(f"np.{ufunc.__name__}.reduce", out=out,
                     initial=None if initial is np._NoValue else initial,
                     where=None if where is True else where)
        options = {} if dtype is None else {"dtype": dtype}
        return FUNCTIONS[reduction](_asarray(array), axis=_static(axis, "axis"),
                                    keepdims=_static(keepdims, "keepdims"), **options)
    return build


def _accumulate(ufunc: np.ufunc, running: Any) -> Any:
    def build(array, axis=0, dtype=None, out=None):
        _unsupported(f"np.{ufunc.__name__}.accumulate", out=out)
        return FUNCTIONS[running](_asarray(array), axis=_static(axis, "axis"), dtype=dtype)
    return build


def _outer(ufunc: np.ufunc) -> Any:
    def build(a, b, **kw):
        if kw:
            raise UnsupportedArgumentError(f"{next(iter(kw))}=... is not supported")
        a, b = _asarray(a), _asarray(b)
        rank_a, rank_b = ndim_of(a), ndim_of(b)
        if rank_a is None or rank_b is None:
            raise CompileTimeError("the ranks of the operands are needed when compiling, "
                                   "and shape-generic code does not know them")
        spread = np.expand_dims(a, tuple(range(rank_a, rank_a + rank_b))) if rank_b else a
        return FUNCTIONS[ufunc](spread, b)
    return build


for _ufunc, _reduction in REDUCE.items():
    register("reductions", _reduce(_ufunc, _reduction), _ufunc.reduce)
for _ufunc, _running in ACCUMULATE.items():
    register("reductions", _accumulate(_ufunc, _running), _ufunc.accumulate)
# NumPy's binary ufuncs registered above (not SciPy's, whose rules load later)
OUTER = [f for f in list(FUNCTIONS)
         if isinstance(f, np.ufunc) and f.nin == 2 and f.signature is None]
for _ufunc in OUTER:
    register("linear algebra", _outer(_ufunc), _ufunc.outer)

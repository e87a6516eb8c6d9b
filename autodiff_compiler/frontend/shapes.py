"""Shapes known only at run time are Python tuples, and keep Python's operators.

Where the compiler knows a shape, ``x.shape`` is a tuple when compiling and ``+`` joins it
like any tuple. After a boolean mask or a slice with run-time bounds it is an IR value:
``np.shape(y)``, a tuple of ints when the code runs. The operators written on it are the
tuple's (``y.shape + (n,)`` joins, ``y.shape * 2`` repeats, ``==`` compares the whole),
never the array's that every other run-time value follows (``add`` would add
``y.shape[0]`` to each entry: a wrong value and no error).

A value is such a tuple if the equation that made it is a shape, a tuple built of
run-time ints, one of these operators on tuples, or a slice of one (``x.shape[:2]``).
"""
from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..ir import primitives as P
from ..ir.builder import producer_of
from ..ir.core import Aval, Const, Var

_PYTHON_INT = Aval((), np.dtype(np.int64), weak=True)


def is_runtime_tuple(value: Any) -> bool:
    """Whether ``value`` is an IR value that is a Python tuple when the code runs."""
    if not isinstance(value, Var):
        return False
    eqn = producer_of(value)
    if eqn is None:
        return False
    if eqn.prim in P.RUNTIME_TUPLES:
        return True
    return (eqn.prim is P.getitem and len(eqn.invars) == 2
            and isinstance(eqn.invars[1], Const) and isinstance(eqn.invars[1].value, slice)
            and is_runtime_tuple(eqn.invars[0]))


def entry_of(tuple_: Any, index: Any, item: Any) -> Any:
    """``item``, ``tuple_[index]`` of a run-time tuple at an int: a Python int, known as
    one (unknown, ``n`` in ``s / (1 + y.shape[0])`` made the result's shape unknown, and
    a Hessian of it was refused)."""
    if is_runtime_tuple(tuple_) and _is_int(index) and isinstance(item, Var) \
            and item.aval.shape is None:
        item.aval = _PYTHON_INT
    return item


def _is_tuple(value: Any) -> bool:
    return isinstance(value, tuple) or is_runtime_tuple(value)


def tuple_operator(op: gast.operator, left: Any, right: Any) -> Any:
    """``left op right`` where one side is a run-time tuple: joined by ``+`` with a tuple,
    repeated by ``*`` with an int; any other operator is the ``TypeError`` Python
    raises on a tuple. A tuple repeated by an int known only at run time is a run-time
    tuple too (``(1,) * (np.ndim(y) - 2)``, the rank of a selection ``y = x[mask]``).
    ``NotImplemented`` where neither side is a run-time tuple."""
    if isinstance(op, gast.Mult) and (
            (isinstance(left, tuple) and _is_runtime_int(right))
            or (isinstance(right, tuple) and _is_runtime_int(left))):
        return P.repeat_tuple(left, right)
    if not (is_runtime_tuple(left) or is_runtime_tuple(right)):
        return NotImplemented
    if isinstance(op, gast.Add) and _is_tuple(left) and _is_tuple(right):
        return P.join_tuples(left, right)
    if isinstance(op, gast.Mult):
        times = right if _is_tuple(left) else left
        if not _is_tuple(times) and _is_int(times):
            return P.repeat_tuple(left, right)
    raise TypeError(f"unsupported operand types for a tuple: {type(op).__name__}")


def tuple_equality(equal: bool, left: Any, right: Any) -> Any:
    """``left == right`` (``!=`` with ``equal=False``) where one side is a run-time tuple:
    one truth value, as Python compares tuples (NumPy's ``==`` would compare entries)."""
    if not (is_runtime_tuple(left) or is_runtime_tuple(right)):
        return NotImplemented
    same = P.tuples_equal(left, right)
    return same if equal else P.truth_not(same)


def _is_runtime_int(value: Any) -> bool:
    return isinstance(value, Var) and _is_int(value)


def _is_int(value: Any) -> bool:
    if isinstance(value, Var):
        dtype = value.aval.dtype
        return dtype is not None and dtype.kind in "iu" and value.aval.shape == ()
    return isinstance(value, int) and not isinstance(value, bool)

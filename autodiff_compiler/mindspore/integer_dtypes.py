"""The dtypes MindSpore gives ops, ``nn`` layers and Tensor methods of integer inputs,
as rules shared by families of ops (MindSpore 2.10 on the CPU, measured).

NumPy widens where MindSpore does not: a sum of int32 is int64 in NumPy and int32 in
MindSpore, a float function of int32 is float64 in NumPy and float32 in MindSpore, and a
Python float beside an int32 array makes NumPy compute in floats where MindSpore casts
the float to int32 first. Only the MindSpore surface follows these rules; plain NumPy
code keeps NumPy's promotion. Three families:

* sums and products kept in the integer dtype (``ReduceSum``, ``CumSum``, ``CumProd``,
  ``nansum``, ``trace``, the L1 losses): ``summed_in``, the dtype to accumulate in, or
  the sum cast back with ``in_dtype_of`` (the same values: both wrap); a mean of
  integers is ``integer_mean``, ``x.var()``/``x.std()`` of them ``integer_moment``;
* float functions of integers computed in float32 (``norm``, ``exp2``, ``mse_loss``,
  ``clip_by_norm``): ``as_float32``;
* integer activations and clamps (``relu``, ``leaky_relu``, ``hardtanh``,
  ``clip_by_value``, ``hardswish``, ``addcmul``): their number arguments cast to the
  integer dtype first (``int_param``: ``alpha=0.1`` is 0, ``-0.5`` is 0), their results
  in it (``in_dtype_of``, which rounds toward zero).

Bools are left to NumPy except where MindSpore computes them in float32 too. Each rule
reads the dtype while compiling (``_dtype``), so a differentiated function compiles to
the same dtypes; in shape-generic code, where a dtype is known only at run time, the
rules do nothing and NumPy's promotion decides.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ops_elementwise import _dtype, _kind

__all__ = ["integers", "integer_mean", "integer_moment", "summed_in", "as_float32", "int_param",
           "in_dtype_of", "integer_power"]


def _int_kind(kind: str) -> bool:
    return kind in ("i", "u")


def _float32_if(kind: str) -> Any:
    """float32 for an integer or bool kind, ``None`` (keep the dtype) otherwise."""
    return np.dtype(np.float32) if kind in ("b", "i", "u") else None


_int_kind.__evaluated_when_compiling__ = True  # pure functions of a dtype's kind
_float32_if.__evaluated_when_compiling__ = True


def integers(x: Any) -> bool:
    """Whether ``x`` holds integers (not bools), decided while compiling (a dtype
    shape-generic code knows only at run time counts as not)."""
    return _int_kind(_kind(_dtype(np.asarray(x))))


def integer_mean(input: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """The mean of an integer array as MindSpore computes it: an integer of its dtype,
    the sum taken in that dtype (wrapping as it does) and divided, rounded toward zero
    (``[1, 2]`` gives 1, ``[-1, -2]`` gives -1)."""
    dtype = np.asarray(input).dtype
    total = np.sum(input, axis=axis, dtype=dtype, keepdims=keepdims)
    count = np.size(input) // np.maximum(np.size(total), 1)
    return np.trunc(total / count).astype(dtype)


def summed_in(x: Any) -> Any:
    """The dtype MindSpore sums (or multiplies) ``x`` in: its own integer dtype, where
    NumPy would widen int32 to int64; ``None`` (NumPy's choice) for anything else."""
    return np.asarray(x).dtype if integers(x) else None


def as_float32(x: Any) -> Any:
    """``x`` in float32 if it holds integers or bools (MindSpore's float of integers,
    where NumPy's is float64, or float16 for int8), else ``x`` as it is."""
    target = _float32_if(_kind(_dtype(np.asarray(x))))
    return x if target is None else x.astype(target)


def int_param(value: Any, like: Any) -> Any:
    """A number argument of an op on ``like``: cast to ``like``'s dtype if that holds
    integers (rounding toward zero, as MindSpore casts it), else ``value`` as it is."""
    return np.asarray(value).astype(np.asarray(like).dtype) if integers(like) else value


def in_dtype_of(result: Any, like: Any) -> Any:
    """``result`` in ``like``'s dtype if that holds integers (rounding toward zero),
    else ``result`` as it is."""
    return result.astype(np.asarray(like).dtype) if integers(like) else result


def integer_moment(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False,
                   root: bool = False) -> Any:
    """``x.var()`` (``root``: ``x.std()``) of an integer Tensor as MindSpore computes it:
    the mean taken as an integer (``integer_mean``, rounded toward zero), the squared
    deviations from it in float32, divided by the count less ``ddof``."""
    center = integer_mean(x, axis, True)
    deviation = (x - center).astype(np.float32)
    total = np.sum(deviation * deviation, axis=axis, keepdims=keepdims)
    count = np.size(x) // np.maximum(np.size(total), 1)
    moment = (total / (count - ddof)).astype(np.float32)  # (NumPy 1.x: a float64 scalar)
    return np.sqrt(moment) if root else moment


def integer_power(base: Any, exponent: Any) -> Any:
    """``base ** exponent`` of signed integers with a negative exponent somewhere, as
    MindSpore computes it (where NumPy raises): the power's reciprocal rounded toward
    zero, so 0 for ``|base| > 1`` and ``base ** -exponent`` for ``|base| == 1``; ``0 **
    -n`` is the int32 (int64) minimum, its float infinity cast, wrapping to 0 in int8 and
    int16. ``None`` where the operands are not such integers (NumPy's power then)."""
    dtype = np.result_type(base, exponent)
    if dtype.kind != "i" or np.result_type(exponent).kind not in "iu":
        return None
    exponent = np.asarray(exponent)
    negative = exponent < 0
    if not np.any(negative):
        return None
    base = np.asarray(base).astype(dtype)
    whole = np.power(base, np.where(negative, -exponent, exponent).astype(dtype))
    infinite = np.asarray(np.iinfo(np.int64 if dtype.itemsize == 8 else np.int32).min)
    reciprocal = np.where(base == 0, infinite.astype(dtype),
                          np.where(np.abs(base) == 1, whole, 0))
    return np.where(negative, reciprocal, whole).astype(dtype)

"""MindSpore's elementwise ``ops`` beyond ``ops.py``'s: the spellings NumPy shares
(``absolute``, ``arccos``, ``log2``, ``hypot``...), the ones written from NumPy
(``frac``, ``logit``, ``xlogy``, ``addcmul``, ``addmv``...), and ``fmod``; re-exported
by ``ops``.

Each follows MindSpore 2.7's kernels where they differ from NumPy's function of the
same name, measured on MindSpore 2.7.1 (``tests/ops_math_cases.py``):

- ``signbit(x)`` is ``x < 0`` (False at ``-0.0`` and NaN, as MindSpore documents and
  computes; NumPy's reads the sign bit), and ``copysign(x, other)`` takes the sign of
  ``other < 0`` the same way.
- ``fmax``/``fmin`` give a tie to ``input`` (MindSpore's ``Fmax`` gradient; ``maximum``
  shares a tie), and ignore a NaN as NumPy's do.
- ``xlogy`` is 0 where ``input`` is 0. MindSpore documents that zero but its CPU
  kernel gives NaN at ``(0, y <= 0)``; we keep the documented value, with the gradient
  ``XlogyGrad`` gives there (0). ``xdivy``'s gradient is ``x / y``'s, ``1 / y`` at
  ``x = 0`` too: MindSpore's ``XdivyGrad`` gives 0 there, which is not the derivative
  of a function smooth in ``x`` (tested against finite differences instead).
- ``float_power`` computes in float64 (MindSpore's result dtype) and passes the
  gradient back in each argument's dtype.

``fmod`` is NumPy's ``np.fmod`` (a primitive of the compiler, since writing it from
``trunc`` rounds wrongly where the quotient is near an integer); its derivatives are
``1`` and ``-trunc(x / y)``, as MindSpore's. MindSpore's int-in/float-out dtypes
(``log2`` of an Int64 Tensor) are not copied: NumPy's promotion applies.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .integer_dtypes import as_float32, int_param

__all__ = [
    "absolute", "multiply", "subtract", "divide", "true_divide", "negative", "positive",
    "acos", "arccos", "asin", "arcsin", "atan", "arctan", "arctan2", "acosh", "arccosh",
    "asinh", "arcsinh", "atanh", "arctanh", "log2", "log10", "exp2", "logaddexp",
    "logaddexp2", "hypot", "trunc", "frac", "remainder", "fmod", "floor_divide", "floor_div",
    "floordiv", "floor_mod", "floormod", "float_power", "deg2rad", "rad2deg", "logit", "xlogy",
    "xdivy", "copysign", "sinc", "isinf", "isneginf", "isposinf", "signbit", "logical_xor",
    "addcmul", "addcdiv", "addmv", "addr", "mv", "mm", "dot", "vecdot", "nan_to_num", "fmax",
    "fmin", "heaviside", "tensor_add", "tensor_sub", "tensor_mul",
]

absolute = np.abs
multiply = tensor_mul = np.multiply
tensor_add, tensor_sub = np.add, np.subtract
true_divide, negative = np.true_divide, np.negative
acos = arccos = np.arccos
asin = arcsin = np.arcsin
atan = arctan = np.arctan
arctan2 = np.arctan2
acosh = arccosh = np.arccosh
asinh = arcsinh = np.arcsinh
atanh = arctanh = np.arctanh
log2, log10 = np.log2, np.log10
logaddexp, logaddexp2, hypot = np.logaddexp, np.logaddexp2, np.hypot
trunc, remainder = np.trunc, np.remainder
floor_divide = floor_div = floordiv = np.floor_divide
floor_mod = floormod = np.remainder  # the remainder of the floored quotient: Python's %
deg2rad, rad2deg, sinc, isinf = np.deg2rad, np.rad2deg, np.sinc, np.isinf
logical_xor, heaviside, mm = np.logical_xor, np.heaviside, np.matmul


def fmod(input: Any, other: Any) -> Any:  # noqa: A002
    """``input - trunc(input / other) * other``, computed exactly (NumPy's ``fmod``)."""
    return np.fmod(input, other)


def subtract(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input - alpha * other``."""
    if np.result_type(alpha).kind in "iu" and alpha == 1:
        return np.subtract(input, other)
    return input - alpha * other


def divide(input: Any, other: Any, *, rounding_mode: Any = None) -> Any:  # noqa: A002
    """``input / other``, rounded down (``"floor"``) or toward 0 (``"trunc"``) if asked;
    rounded, integers stay integers (MindSpore 2.10's ``trunc`` of two Int32 Tensors is
    Int32)."""
    if rounding_mode == "floor":
        return np.floor_divide(input, other)
    if rounding_mode == "trunc":
        if _integral(input) and _integral(other):
            return np.floor_divide(input - np.fmod(input, other), other)  # exact
        return np.trunc(input / other)
    return input / other


def _integral(x: Any) -> bool:
    """Whether ``x`` is of a bool or integer dtype (a Python int counts)."""
    return np.asarray(x).dtype.kind in "biu"


def positive(input: Any) -> Any:  # noqa: A002
    """``input`` itself, as MindSpore returns it."""
    return input


def frac(x: Any) -> Any:
    """The fractional part, with ``x``'s sign: ``x - trunc(x)``."""
    return x - np.trunc(x)


def float_power(input: Any, exponent: Any) -> Any:  # noqa: A002
    """``input ** exponent`` in float64, whatever the arguments' dtypes (NumPy's own)."""
    return np.float_power(input, exponent)


def logit(input: Any, eps: Any = None) -> Any:  # noqa: A002
    """``log(x / (1 - x))``, ``x`` first clamped to ``[eps, 1 - eps]`` when ``eps`` is
    given (MindSpore's ``None`` is its ``-1``: no clamp); the gradient is 0 where the
    clamp bites, and passes on a bound, as MindSpore's ``LogitGrad``."""
    if eps is not None and eps >= 0:
        input = np.clip(input, eps, 1.0 - eps)  # noqa: A001
    return np.log(input / (1.0 - input))


def xlogy(input: Any, other: Any) -> Any:  # noqa: A002
    """``input * log(other)``, and 0 where ``input`` is 0 and ``other <= 0`` (see the
    module docstring); elsewhere the derivatives are ``log(other)`` and
    ``input / other``, at ``input = 0`` too."""
    undefined = np.logical_and(input == 0, other <= 0)
    return np.where(undefined, 0.0, input * np.log(np.where(undefined, 1.0, other)))


def xdivy(x: Any, y: Any) -> Any:
    """``x / y``, and 0 where both are 0; the derivatives are those of ``x / y``."""
    undefined = np.logical_and(x == 0, y == 0)
    return np.where(undefined, 0.0, x / np.where(undefined, 1.0, y))


def signbit(input: Any) -> Any:  # noqa: A002
    """Where ``input < 0`` (not at ``-0.0``, as MindSpore computes it)."""
    return np.less(input, 0)


def copysign(x: Any, other: Any) -> Any:
    """``|x|`` with the sign of ``other``: negative where ``other < 0``."""
    magnitude = np.abs(x)
    return np.where(np.less(other, 0), -magnitude, magnitude)


def isneginf(input: Any) -> Any:  # noqa: A002
    return np.logical_and(np.isinf(input), np.less(input, 0))


def isposinf(input: Any) -> Any:  # noqa: A002
    return np.logical_and(np.isinf(input), np.greater(input, 0))


def fmax(input: Any, other: Any) -> Any:  # noqa: A002
    """The larger of the two, a NaN ignored (NaN only where both are); a tie goes to
    ``input``, with the gradient."""
    return np.where(np.logical_or(input >= other, np.isnan(other)), input, other)


def fmin(input: Any, other: Any) -> Any:  # noqa: A002
    """The smaller of the two, as ``fmax``."""
    return np.where(np.logical_or(input <= other, np.isnan(other)), input, other)


def nan_to_num(input: Any, nan: Any = None, posinf: Any = None,  # noqa: A002
               neginf: Any = None) -> Any:
    """NaN as ``nan`` (0), infinities as ``posinf``/``neginf`` (the dtype's largest
    and smallest values); the entries replaced get no gradient."""
    return np.nan_to_num(input, nan=0.0 if nan is None else nan, posinf=posinf, neginf=neginf)


def addcmul(input: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Any:  # noqa: A002
    """``input + value * tensor1 * tensor2``; of integers, ``value`` cast to their dtype
    first (0.5 is 0), as MindSpore casts it."""
    return input + int_param(value, input) * tensor1 * tensor2


def exp2(input: Any) -> Any:  # noqa: A002
    """``2 ** input``; of integers and bools in float32 (MindSpore's; NumPy's is float64,
    float16 for int8)."""
    return np.exp2(as_float32(input))


def addcdiv(input: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Any:  # noqa: A002
    """``input + value * tensor1 / tensor2``."""
    return input + value * tensor1 / tensor2


def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """``beta * input + alpha * (mat @ vec)``."""
    return beta * input + alpha * np.matmul(mat, vec)


def addr(x: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * x + alpha * outer(vec1, vec2)``."""
    return beta * x + alpha * np.outer(vec1, vec2)


def mv(mat: Any, vec: Any) -> Any:
    """The matrix-vector product."""
    return np.matmul(mat, vec)


def dot(input: Any, other: Any) -> Any:  # noqa: A002
    """NumPy's ``dot``: the last axis of ``input`` against the second-to-last of
    ``other`` (MindSpore wants both of rank 2 or more)."""
    return np.dot(input, other)


def vecdot(x: Any, y: Any, *, axis: int = -1) -> Any:
    """The dot product of vectors along ``axis``, ``x`` conjugated."""
    return np.sum(np.conj(x) * y, axis=axis)

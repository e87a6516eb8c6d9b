"""More of NumPy's elementwise functions: ``fmod``, ``copysign``, ``modf``, ``divmod``,
``ldexp``, ``float_power``, ``angle`` and ``signbit``, composed where that computes
NumPy's values.

``fmod`` and ``copysign`` are primitives (``primitives.elementwise_more`` says why
and gives their derivative conventions: ``d copysign(x, y)/dx = sign(x) sign(result)``,
0 at ``x = 0``; nothing flows to ``y``). The others are compositions, exact as NumPy's:

* ``modf(x)`` is ``(x - trunc(x), trunc(x))``; the difference is exact (the fractional
  part has no more significant bits than ``x``); where it is zero (integers, infinities)
  the fraction is ``copysign(0, x)``, NumPy's signed zero. The fraction's gradient is 1
  between integers and 0 at them (where it jumps), the integral part's 0, as
  ``np.trunc``'s.
* ``divmod(x, y)`` is ``(x // y, x % y)``, NumPy's own definition.
* ``ldexp(x, n)`` is ``x * 2.0 ** n`` with the power computed by ``exp2`` of the
  integer exponents (exact) and cast to ``x``'s float dtype: one rounding, as ldexp
  rounds once, for every ``n`` whose power of two is a normal number of that dtype
  (``|n| < 1022`` in float64); beyond, where ldexp would still return a subnormal or a
  finite number from a product that over- or underflows, the two differ. Its gradient
  in ``x`` is ``2.0 ** n``; ``n`` is an integer (NumPy has no loop for a float
  exponent).
* ``float_power(x, y)`` is ``power`` of both operands cast to float64 (complex128 for
  complex ones).
* ``angle(z, deg)`` is NumPy's ``arctan2(z.imag, z.real)`` (``arctan2(0, x)`` of a real
  array, whose gradient is 0; the same values from ``imag`` and ``real`` where the dtype
  is known only at run time), times ``180 / pi`` for degrees.
* ``signbit(x)`` is ``copysign(1, x) < 0``: a mask, no gradient.

``np.frexp`` is not here: its mantissa needs the exponent of each value, which no
primitive reads exactly (a logarithm rounds near powers of two); ``numpy_definitions``
writes it with ``log2`` and a correction by one where that rounded.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var
from . import UnsupportedArgumentError, _static, register
from .constructors import _asarray, _astype


def _dtype_of(x: Any) -> np.dtype | None:
    if isinstance(x, Var):
        dtype = P.dtype_of(x)
        return dtype if isinstance(dtype, np.dtype) else None
    return np.asarray(x).dtype


def _modf(x):
    """The fractional and integral parts, both with ``x``'s sign."""
    whole = P.trunc(x)
    return P.where(P.equal(x, whole), P.copysign(0.0, x), P.sub(x, whole)), whole


def _divmod(x1, x2):
    return P.floor_divide(x1, x2), P.mod(x1, x2)


def _ldexp(x1, x2):
    exponent = _dtype_of(x2)
    if exponent is not None and not np.issubdtype(exponent, np.integer):
        raise TypeError("ufunc 'ldexp' not supported for the input types: the exponent "
                        f"must be an integer, not {exponent}")
    scale = P.exp2(x2) if isinstance(x2, Var) else np.exp2(np.asarray(x2, np.float64))
    mantissa = _dtype_of(x1)
    if mantissa is not None and np.issubdtype(mantissa, np.floating) and \
            mantissa != np.float64 and isinstance(x1, Var):
        scale = _astype(scale, mantissa)  # exact: a power of two of x1's range
    return P.mul(x1, scale)


def _float64(x: Any) -> Any:
    """``x`` as float64, or complex128 if it is complex (NumPy's float_power loops)."""
    dtype = _dtype_of(x)
    target = np.complex128 if dtype is not None and np.issubdtype(dtype, np.complexfloating) \
        else np.float64
    if isinstance(x, Var):
        return x if dtype == target else _astype(x, target)
    return np.asarray(x, dtype=target)[()]


def _float_power(x1, x2):
    return P.power(_float64(x1), _float64(x2))


def _angle(z, deg=False):
    z = _asarray(z)  # NumPy's asanyarray (``z`` is no name the frontend converts)
    if not isinstance(z, Var):
        return np.angle(z, deg=_static(deg, "deg"))
    dtype = _dtype_of(z)
    if dtype is None or np.issubdtype(dtype, np.complexfloating):
        a = P.arctan2(P.imag(z), P.real(z))  # of a real array: zeros and the array
    else:
        a = P.arctan2(0, z)
    return P.mul(a, 180 / np.pi) if _static(deg, "deg") else a


def _signbit(x):
    """Whether the sign bit is set: ``copysign(1, x) < 0`` (True at -0.0 and at a NaN
    whose sign bit is set, where ``x < 0`` is False). A mask: no gradient."""
    return P.less(P.copysign(1.0, x), 0.0)


def _ufunc(build: Any, name: str) -> Any:
    """A ufunc's builder: positional operands only (no ``where=``, ``dtype=``)."""
    def positional(*args: Any, **kw: Any) -> Any:
        if kw:
            raise UnsupportedArgumentError(
                f"np.{name}(..., {next(iter(kw))}=...) is not supported yet")
        return build(*args)
    return positional


register("elementwise", _ufunc(P.fmod, "fmod"), np.fmod)
register("elementwise", _ufunc(P.copysign, "copysign"), np.copysign)
register("elementwise", _ufunc(_modf, "modf"), np.modf)
register("elementwise", _ufunc(_divmod, "divmod"), np.divmod)
register("elementwise", _ufunc(_ldexp, "ldexp"), np.ldexp)
register("elementwise", _ufunc(_float_power, "float_power"), np.float_power)
register("elementwise", _angle, np.angle)
register("inactive", _ufunc(_signbit, "signbit"), np.signbit)

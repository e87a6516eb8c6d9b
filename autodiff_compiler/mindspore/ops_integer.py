"""MindSpore's integer ``ops``: ``gcd``, ``lcm``, the bitwise ops and shifts, ``invert``,
and ``nextafter`` (which steps between floats); re-exported by ``ops``.

The compiler has rules for NumPy's ``bitwise_*`` and ``invert`` (inactive, like every
integer result). NumPy's ``gcd``, ``lcm``, shifts and ``nextafter`` have none, so each is
a primitive of its own here: a private wrapper registered through ``extend`` (the
user's own ``np.gcd`` is untouched), inactive but for ``nextafter``, whose gradient is
MindSpore's, 1 for ``input`` and 0 for ``other`` (the step is constant almost
everywhere). Results run inside a differentiated function as forward values a loss may
use. Python's ``<<`` and ``&`` on values are not compiled; these functions are the way.

Dtypes are MindSpore 2.7.1's: ``gcd``/``lcm`` take int16, int32 and int64, the bitwise
ops bools too, the shifts and ``invert`` integers only, ``nextafter`` float32 or float64
of one dtype; anything else is a ``TypeError`` (while compiling, where the dtype is
known). A shift by a count outside ``[0, bits)`` is NumPy's (0, or the sign bits for a
right shift), where MindSpore's CPU kernel shifts by the count modulo the width (C leaves
it undefined). MindSpore 2.7.1's CPU ``nextafter`` of float32 returns ``input``
unchanged (it steps in float64, then rounds back); this one steps in float32.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import extend
from .ops_elementwise import _check, _dtype, _same_dtypes

__all__ = ["gcd", "lcm", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_left_shift",
           "bitwise_right_shift", "invert", "nextafter"]


def _gcd(a: Any, b: Any) -> Any:
    return np.gcd(a, b)


def _lcm(a: Any, b: Any) -> Any:
    return np.lcm(a, b)


def _left_shift(a: Any, b: Any) -> Any:
    return np.left_shift(a, b)


def _right_shift(a: Any, b: Any) -> Any:
    return np.right_shift(a, b)


def _nextafter(a: Any, b: Any) -> Any:
    return np.nextafter(a, b)


for _fn, _name in ((_gcd, "ops_gcd"), (_lcm, "ops_lcm"), (_left_shift, "ops_left_shift"),
                   (_right_shift, "ops_right_shift")):
    extend.defprimitive(_fn, _name, elementwise=True, differentiable=False)
extend.defelementwise(extend.defprimitive(_nextafter, "ops_nextafter", elementwise=True),
                      lambda d, ans, a, b: d, None)


def _integers(a: Any, b: Any, name: str, kinds: str = "iu", what: str = "integers") -> None:
    _check(_dtype(a), kinds, name, what)
    _check(_dtype(b), kinds, name, what, "other")


def gcd(input: Any, other: Any) -> Any:  # noqa: A002
    """The greatest common divisor (non-negative) of integers, broadcast."""
    _integers(input, other, "gcd", "i", "int16, int32 or int64")
    return _gcd(input, other)


def lcm(input: Any, other: Any) -> Any:  # noqa: A002
    """The least common multiple (non-negative; 0 if either is 0) of integers."""
    _integers(input, other, "lcm", "i", "int16, int32 or int64")
    return _lcm(input, other)


def bitwise_and(input: Any, other: Any) -> Any:  # noqa: A002
    _integers(input, other, "bitwise_and", "biu", "bools or integers")
    return np.bitwise_and(input, other)


def bitwise_or(input: Any, other: Any) -> Any:  # noqa: A002
    _integers(input, other, "bitwise_or", "biu", "bools or integers")
    return np.bitwise_or(input, other)


def bitwise_xor(input: Any, other: Any) -> Any:  # noqa: A002
    _integers(input, other, "bitwise_xor", "biu", "bools or integers")
    return np.bitwise_xor(input, other)


def bitwise_left_shift(input: Any, other: Any) -> Any:  # noqa: A002
    """``input << other``, wrapping around the integer's width."""
    _integers(input, other, "bitwise_left_shift")
    return _left_shift(input, other)


def bitwise_right_shift(input: Any, other: Any) -> Any:  # noqa: A002
    """``input >> other``, the sign kept (floor division by ``2 ** other``)."""
    _integers(input, other, "bitwise_right_shift")
    return _right_shift(input, other)


def invert(x: Any) -> Any:
    """The bitwise NOT of integers (``-x - 1`` for signed ones)."""
    _check(_dtype(x), "iu", "invert", "integers", "x")
    return np.invert(x)


def nextafter(input: Any, other: Any) -> Any:  # noqa: A002
    """The float next to ``input`` towards ``other`` (float32 or float64, one dtype)."""
    dtypes = (_dtype(input), _dtype(other))
    _check(dtypes[0], "f", "nextafter", "float32 or float64")
    _check(dtypes[1], "f", "nextafter", "float32 or float64", "other")
    _same_dtypes(dtypes, "nextafter", "input and other")
    return _nextafter(input, other)

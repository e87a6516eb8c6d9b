"""Elementwise functions no composition of other primitives computes exactly.

``fmod`` (C's remainder, of the truncated quotient, with the dividend's sign) is not
``x - trunc(x / y) * y``: that rounds twice and goes wrong where the quotient is near
an integer; nor ``mod`` corrected by ``y``, which rounds once more. ``copysign`` needs
the sign bit of its second operand, which no comparison reads (``-0.0 < 0`` is false,
and a NaN's sign is not ordered), so it is NumPy's ufunc too.

Derivatives:

* ``fmod(x, y) = x - q y`` with ``q = trunc(x / y)`` constant between jumps: partials
  ``1`` and ``-trunc(x / y)``, the gradient MindSpore gives its ``ops.fmod`` (measured
  in tests/test_mindspore_ops_math.py through this package's ``ops.fmod``).
* ``copysign(x, y) = ±|x|``: ``d/dx = sign(x) * sign(result)``, which is 1 where the
  result keeps ``x``'s sign, -1 where it flips it, and 0 at ``x = 0`` (the subgradient
  ``|x|`` has there, as ``np.abs``'s rule); ``y`` only chooses a sign, so no gradient
  flows to it.
"""
from __future__ import annotations

import numpy as np

from .core import Primitive, defpartials
from .elementwise import sign, trunc

fmod = Primitive("fmod", np.fmod, elementwise=True)
copysign = Primitive("copysign", np.copysign, elementwise=True)

defpartials(fmod, lambda ans, x, y: 1, lambda ans, x, y: -trunc(x / y))
defpartials(copysign, lambda ans, x, y: sign(x) * sign(ans), None)

__all__ = ["copysign", "fmod"]

"""Elementwise arithmetic and transcendental functions.

Each function's derivative is written once, as a seed times its partial derivative
(``defelementwise``, or ``defpartials`` from the partial alone), which gives both the
VJP and the JVP; the VJP of a binary function passes through ``unbroadcast``, the
single place where NumPy's implicit broadcasting is undone.

Conventions where the derivative is not unique (the README lists them with the
reasons): ``d|x|/dx = sign(x)`` (0 at 0); a tie of ``maximum``/``minimum``/``fmax``/
``fmin`` shares the gradient equally between the two arguments, as MindSpore 2.x, JAX
and autograd do; ``clip(x, lo, hi)`` follows MindSpore's ``clamp``: a value on a bound
counts as inside.
Rounding, ``sign``, ``//``, comparisons and logical functions are piecewise constant:
no gradient flows through them.
"""
from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import reference as ref
from ..core import Aval
from .core import (
    Primitive,
    defelementwise,
    defjvp,
    deflinear,
    defpartials,
    defvjp,
    nondifferentiable,
    predicate_avals,
)
from .shape import astype, dtype_of, unbroadcast


def _binop(name: str, op: Callable[[Any, Any], Any]) -> Primitive:
    return Primitive(name, op, elementwise=True)


def _ufunc(name: str, impl: Callable[..., Any] | None = None, **properties: Any) -> Primitive:
    return Primitive(name, impl or getattr(np, name), elementwise=True, **properties)


add, sub, mul, div, power = (_binop(n, op) for n, op in [
    ("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
    ("div", operator.truediv), ("pow", operator.pow)])
less, greater, less_equal, greater_equal, equal, not_equal = (
    _binop(n, op) for n, op in [("less", operator.lt), ("greater", operator.gt),
                                ("less_equal", operator.le), ("greater_equal", operator.ge),
                                ("equal", operator.eq), ("not_equal", operator.ne)])
neg = Primitive("neg", operator.neg, elementwise=True)
exp, log, log1p, sin, cos, tan, tanh, sqrt, abs_, sign, maximum, minimum, logaddexp, where = (
    _ufunc(n) for n in ["exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sqrt", "abs",
                        "sign", "maximum", "minimum", "logaddexp", "where"])
sigmoid = _ufunc("sigmoid", ref.sigmoid, allocates=True)
floor_divide, mod = _binop("floor_divide", operator.floordiv), _binop("mod", operator.mod)
(exp2, expm1, log2, log10, cbrt, square, reciprocal, arcsin, arccos, arctan, sinh, cosh,
 arcsinh, arccosh, arctanh, arctan2, hypot, fmax, fmin, logaddexp2, clip) = (
    _ufunc(n) for n in ["exp2", "expm1", "log2", "log10", "cbrt", "square", "reciprocal",
                        "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh",
                        "arctanh", "arctan2", "hypot", "fmax", "fmin", "logaddexp2", "clip"])
real, imag, conj = _ufunc("real"), _ufunc("imag"), _ufunc("conj")


def _match_complex_avals(args: Any, params: Any) -> list[Aval]:
    """``v``'s shape (``x`` is read for its dtype alone): ``v``'s dtype for a complex
    ``x``, its real counterpart for a real one, unknown while ``x``'s is."""
    v, x = (a.aval for a in args)
    if v.dtype is None or x.dtype is None:
        return [Aval(v.shape, None)]
    dtype = v.dtype if x.dtype.kind == "c" else np.real(np.zeros((), v.dtype)).dtype
    return [Aval(v.shape, dtype, weak=v.weak)]


# Not elementwise: its result has ``v``'s shape, whatever ``x``'s (a cotangent matched
# to a primal it may be smaller than), so it must not be broadcast or fused as a ufunc.
match_complex = Primitive("match_complex", ref.match_complex, aval_rule=_match_complex_avals)
where.scalar_result = False  # np.where gives a 0-d array, not a NumPy scalar
(floor, ceil, trunc, rint, isnan, isinf, isfinite, logical_not, logical_and, logical_or,
 logical_xor) = (_ufunc(n) for n in ["floor", "ceil", "trunc", "rint", "isnan", "isinf",
                                     "isfinite", "logical_not", "logical_and", "logical_or",
                                     "logical_xor"])
round_ = Primitive("round", np.round, elementwise=True, defaults={"decimals": 0})
nan_to_num = Primitive("nan_to_num", np.nan_to_num, elementwise=True,
                       defaults={"nan": 0.0, "posinf": None, "neginf": None})
# ``&``, ``|``, ``^``, ``~``: logical on booleans (masks), bitwise on integers.
bitwise_and, bitwise_or, bitwise_xor, invert = (
    _ufunc(n) for n in ["bitwise_and", "bitwise_or", "bitwise_xor", "invert"])

PREDICATES = (less, greater, less_equal, greater_equal, equal, not_equal, isnan, isinf,
              isfinite, logical_not, logical_and, logical_or, logical_xor)
for _prim in PREDICATES:
    _prim.aval_rule = predicate_avals
nondifferentiable(less, greater, less_equal, greater_equal, equal, not_equal, sign,
                  floor_divide, floor, ceil, trunc, rint, round_, isnan, isinf, isfinite,
                  logical_not, logical_and, logical_or, logical_xor, bitwise_and, bitwise_or,
                  bitwise_xor, invert)

# ---------------------------------------------------------------------------- arithmetic
# One rule per argument serves both modes (``defelementwise``): ``d`` is the tangent or
# the cotangent, and reverse mode sums it back to the argument's shape.

defelementwise(add, lambda d, ans, x, y: d, lambda d, ans, x, y: d)
defelementwise(sub, lambda d, ans, x, y: d, lambda d, ans, x, y: -d)
defelementwise(div, lambda d, ans, x, y: d / y, lambda d, ans, x, y: -d * ans / y)
defelementwise(neg, lambda d, ans, x: -d)
# A product is linear in each factor: its JVP is the product with the tangent in that
# factor's place (``t * y``, ``x * t``), its VJP that product's transpose.
defvjp(mul, lambda g, ans, x, y: unbroadcast(g * y, x),
            lambda g, ans, x, y: unbroadcast(g * x, y))
deflinear(mul, 0, 1)


def _times_power_partial(d, x, y):
    """``d`` times d(x ** y)/dx = y x^(y-1), which is 0 where y is 0 (x ** 0 is 1
    everywhere, even at x = 0, where y x^(y-1) would be 0 * inf), as JAX defines it.

    Only x = y = 0 is set apart: elsewhere on y = 0 the product is computed, so that
    its own derivative along y, x^(y-1) (1 + y log x) = 1/x there, is not lost (the
    mixed second derivative of x ** y at y = 0, JAX's testPowSecondDerivative)."""
    if isinstance(y, int | float):
        return d * 0 if y == 0 else d * y * x ** (y - 1)
    origin = logical_and(equal(y, 0), equal(x, 0))  # x ** 1 there: no 0 ** -1, no warning
    return where(origin, 0, d * y * x ** where(origin, 1, y - 1))


defelementwise(power, lambda d, ans, x, y: _times_power_partial(d, x, y),
                      lambda d, ans, x, y: d * ans * log(where(equal(x, 0), 1, x)))

# ---------------------------------------------------------------------------- transcendental
# The hot ones, each product with the seed spelled as it reads best (``d / x``, not the
# ``d * (1 / x)`` that ``defpartials`` would give).

defelementwise(exp, lambda d, ans, x: d * ans)
defelementwise(log, lambda d, ans, x: d / x)
defelementwise(log1p, lambda d, ans, x: d / (1 + x))
defelementwise(sin, lambda d, ans, x: d * cos(x))
defelementwise(cos, lambda d, ans, x: -d * sin(x))
defelementwise(tan, lambda d, ans, x: d * (1 + ans ** 2))
defelementwise(tanh, lambda d, ans, x: d * (1 - ans ** 2))
defelementwise(sqrt, lambda d, ans, x: d / (2 * ans))
defelementwise(sigmoid, lambda d, ans, x: d * ans * (1 - ans))
# d logaddexp(x, y) / dx = sigmoid(x - y): it needs no forward value, so a gradient
# alone never computes the (costly) logaddexp itself.


def _minus(a, b):
    """``a - b``, or ``a`` where ``b`` is a literal zero (softplus: ``logaddexp(0, x)``)."""
    return a if isinstance(b, int | float) and b == 0 else a - b


defelementwise(logaddexp, lambda d, ans, x, y: d * sigmoid(_minus(x, y)),
                          lambda d, ans, x, y: d * sigmoid(_minus(y, x)))

# ---------------------------------------------------------------------------- piecewise
# Conventions where the derivative is not unique: d|x|/dx = sign(x), so 0 at 0;
# a tie of maximum/minimum/fmax/fmin gives each argument half the gradient.


def _ties_shared(first_wins, second_wins):
    """Both partials of a selection of one of two arguments: each gets 1 where it
    strictly wins and 1/2 where the two tie, in the result's dtype (a boolean times
    0.5 is float64, which made a float32 tangent float64)."""
    def share(wins):
        def partial(ans, x, y):
            dtype = dtype_of(ans)  # (known when compiling, but in shape-generic code)
            if not isinstance(dtype, np.dtype) or dtype == np.float64:
                return wins(ans, x, y) + 0.5 * equal(x, y)
            return astype(wins(ans, x, y), dtype) + 0.5 * astype(equal(x, y), dtype)
        return partial
    return share(first_wins), share(second_wins)


def _kept(ans, kept, other):
    """fmax/fmin kept ``kept``, which differs from ``other`` (NaN-aware: a NaN loses)."""
    return logical_and(equal(ans, kept), not_equal(kept, other))


defpartials(maximum, *_ties_shared(lambda ans, x, y: greater(x, y),
                                   lambda ans, x, y: less(x, y)))
defpartials(minimum, *_ties_shared(lambda ans, x, y: less(x, y),
                                   lambda ans, x, y: greater(x, y)))


def _nan_aware_share(d, ans, kept, other):
    """fmax/fmin's rule: the seed where ``kept`` was kept, half of it at a tie. A NaN
    loses, and its tangent is NaN too: selected by where, not multiplied by 0, so that
    it does not make the kept value's tangent NaN (forward mode)."""
    return where(_kept(ans, kept, other), d, where(equal(kept, other), 0.5 * d, 0))


defelementwise(fmax, lambda d, ans, x, y: _nan_aware_share(d, ans, x, y),
                     lambda d, ans, x, y: _nan_aware_share(d, ans, y, x))
defelementwise(fmin, lambda d, ans, x, y: _nan_aware_share(d, ans, x, y),
                     lambda d, ans, x, y: _nan_aware_share(d, ans, y, x))


def _is_real(x) -> bool:
    """Whether ``x``'s dtype is known when compiling and is not complex."""
    dtype = dtype_of(x)
    return isinstance(dtype, np.dtype) and not np.issubdtype(dtype, np.complexfloating)


def _conj_over_abs(ans, x):
    """conj(z) / |z|, and 0 where z is 0; spelt with conj and a division (not sign(z),
    which is inactive) so that it has its own derivative for a second order."""
    return conj(x) / where(equal(ans, 0), 1, ans)


# d|z| = Re(conj(z) dz) / |z|: for complex z the VJP is g conj(z) / |z| in the convention
# of the complex parts below (a product's VJP takes no conjugate), and the tangent is
# real; for real x both are the seed times sign(x).
defvjp(abs_, lambda g, ans, x: g * sign(x) if _is_real(x) else g * _conj_over_abs(ans, x))
defjvp(abs_, lambda t, ans, x: t * sign(x) if _is_real(x)
       else real(t * _conj_over_abs(ans, x)))
defelementwise(where, None, lambda d, ans, c, x, y: where(c, d, 0),
                            lambda d, ans, c, x, y: where(c, 0, d))

# ---------------------------------------------------------------------------- by partials
# d ans / d arg for each argument, from which defpartials derives both rules.

LN2, LN10 = math.log(2.0), math.log(10.0)

defpartials(mod, lambda ans, x, y: 1, lambda ans, x, y: -floor_divide(x, y))
# nan_to_num passes finite values through and replaces the others by constants: a
# where, not a product with isfinite(x), so that the NaN tangent of a NaN it replaces
# (forward mode) is replaced too, not kept as NaN * 0.
defelementwise(nan_to_num, lambda d, ans, x, **replacements: where(isfinite(x), d, 0),
               sum_unary=True)
defpartials(exp2, lambda ans, x: ans * LN2)
defpartials(expm1, lambda ans, x: ans + 1)
defpartials(log2, lambda ans, x: 1 / (x * LN2))
defpartials(log10, lambda ans, x: 1 / (x * LN10))
defpartials(cbrt, lambda ans, x: 1 / (3 * ans ** 2))
defpartials(square, lambda ans, x: 2 * x)
defpartials(reciprocal, lambda ans, x: -ans ** 2)
defpartials(arcsin, lambda ans, x: 1 / sqrt(1 - x ** 2))
defpartials(arccos, lambda ans, x: -1 / sqrt(1 - x ** 2))
defpartials(arctan, lambda ans, x: 1 / (1 + x ** 2))
defpartials(sinh, lambda ans, x: cosh(x))
defpartials(cosh, lambda ans, x: sinh(x))
defpartials(arcsinh, lambda ans, x: 1 / sqrt(x ** 2 + 1))
defpartials(arccosh, lambda ans, x: 1 / sqrt(x ** 2 - 1))
defpartials(arctanh, lambda ans, x: 1 / (1 - x ** 2))
defpartials(arctan2, lambda ans, y, x: x / (x ** 2 + y ** 2),
                     lambda ans, y, x: -y / (x ** 2 + y ** 2))
# hypot is the 2-norm of (x, y): gradient 0 where it is 0, as linalg.norm's (x = y = 0
# there, so dividing by 1 instead of 0 gives exactly 0).
defpartials(hypot, lambda ans, x, y: x / where(equal(ans, 0), 1, ans),
                   lambda ans, x, y: y / where(equal(ans, 0), 1, ans))
# d logaddexp2(x, y) / dx = 2^x / (2^x + 2^y) = sigmoid((x - y) ln 2), logaddexp's form:
# exp2(x - ans) is inf - inf = NaN for the partial of an infinite argument (y = inf
# beside a finite x has partial 1, as logaddexp's has).
defelementwise(logaddexp2, lambda d, ans, x, y: d * sigmoid(_minus(x, y) * LN2),
                           lambda d, ans, x, y: d * sigmoid(_minus(y, x) * LN2))


def _clip_inside(x, lo, hi):
    """``maximum(x, lo) <= hi``: the upper bound did not bite. With ``x >= lo`` this is
    MindSpore's ``clamp`` rule (``lo <= x <= hi`` gets the gradient, bounds included);
    ``lo > hi`` gives ``hi`` everywhere, and ``hi`` the gradient."""
    return less_equal(maximum(x, lo), hi)


defpartials(clip, lambda ans, x, lo, hi: logical_and(greater_equal(x, lo), _clip_inside(x, lo, hi)),
                  lambda ans, x, lo, hi: logical_and(less(x, lo), _clip_inside(x, lo, hi)),
                  lambda ans, x, lo, hi: logical_not(_clip_inside(x, lo, hi)))

# ---------------------------------------------------------------------------- complex parts
# For a real array, real and conj are the identity and imag is zero. For complex
# inputs the cotangent follows autograd's convention (conj(g) for conj, -1j g for imag),
# kept real for a real input by ``match_complex``.


def _match_complex(v, x):
    """``v``, or its real part when ``x`` is real (decided at run time if unknown)."""
    dtype = dtype_of(x)
    if isinstance(dtype, np.dtype):
        return v if np.issubdtype(dtype, np.complexfloating) else real(v)
    return match_complex(v, x)


def _of_kind(g, x):
    """``real``'s cotangent (real) in its operand's kind: complex for a complex one, as
    every other cotangent of a complex value is (a Python complex's was a real 0-d
    array where nothing after ``real`` made it complex)."""
    dtype = dtype_of(x)
    if isinstance(dtype, np.dtype) and not np.issubdtype(dtype, np.complexfloating):
        return g
    return _match_complex(g + 0j, x)


defvjp(real, lambda g, ans, x: _of_kind(g, x))
defvjp(conj, lambda g, ans, x: conj(g))
defvjp(imag, lambda g, ans, x: _match_complex(-1j * g, x))
defvjp(match_complex, lambda g, ans, v, x: g, None)
for _linear in (real, imag, conj, match_complex):
    deflinear(_linear, 0)

"""Elementwise arithmetic and transcendental functions.

Every binary rule passes its result through ``unbroadcast``, the single place where
NumPy's implicit broadcasting is undone.
"""
from __future__ import annotations

from .core import Primitive, defjvp, deflinear, defvjp, nondifferentiable
from .shape import unbroadcast


def _binop(name: str, symbol: str) -> Primitive:
    return Primitive(name, ("binop", symbol), elementwise=True)


def _ufunc(name: str, spelled: str | None = None) -> Primitive:
    return Primitive(name, ("call", spelled or f"np.{name}"), elementwise=True)


add, sub, mul, div, power = (_binop(n, s) for n, s in [
    ("add", "+"), ("sub", "-"), ("mul", "*"), ("div", "/"), ("pow", "**")])
less, greater, less_equal, greater_equal, equal, not_equal = (
    _binop(n, s) for n, s in [("less", "<"), ("greater", ">"), ("less_equal", "<="),
                              ("greater_equal", ">="), ("equal", "=="), ("not_equal", "!=")])
neg = Primitive("neg", ("unaryop", "-"), elementwise=True)
exp, log, log1p, sin, cos, tan, tanh, sqrt, abs_, sign, maximum, minimum, logaddexp, where = (
    _ufunc(n) for n in ["exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sqrt", "abs",
                        "sign", "maximum", "minimum", "logaddexp", "where"])
sigmoid = _ufunc("sigmoid", "sigmoid")

nondifferentiable(less, greater, less_equal, greater_equal, equal, not_equal, sign)

# ---------------------------------------------------------------------------- arithmetic

defvjp(add, lambda g, ans, x, y: unbroadcast(g, x),
            lambda g, ans, x, y: unbroadcast(g, y))
defvjp(sub, lambda g, ans, x, y: unbroadcast(g, x),
            lambda g, ans, x, y: unbroadcast(-g, y))
defvjp(mul, lambda g, ans, x, y: unbroadcast(g * y, x),
            lambda g, ans, x, y: unbroadcast(g * x, y))
defvjp(div, lambda g, ans, x, y: unbroadcast(g / y, x),
            lambda g, ans, x, y: unbroadcast(-g * ans / y, y))
defvjp(neg, lambda g, ans, x: -g)
defvjp(power, lambda g, ans, x, y: unbroadcast(g * y * x ** (y - 1), x),
              lambda g, ans, x, y: unbroadcast(g * ans * log(where(equal(x, 0), 1, x)), y))

# ---------------------------------------------------------------------------- transcendental

defvjp(exp, lambda g, ans, x: g * ans)
defvjp(log, lambda g, ans, x: g / x)
defvjp(log1p, lambda g, ans, x: g / (1 + x))
defvjp(sin, lambda g, ans, x: g * cos(x))
defvjp(cos, lambda g, ans, x: -g * sin(x))
defvjp(tan, lambda g, ans, x: g * (1 + ans ** 2))
defvjp(tanh, lambda g, ans, x: g * (1 - ans ** 2))
defvjp(sqrt, lambda g, ans, x: g / (2 * ans))
defvjp(sigmoid, lambda g, ans, x: g * ans * (1 - ans))
defvjp(logaddexp, lambda g, ans, x, y: unbroadcast(g * exp(x - ans), x),
                  lambda g, ans, x, y: unbroadcast(g * exp(y - ans), y))

# ---------------------------------------------------------------------------- piecewise
# Conventions where the derivative is not unique: d|x|/dx = sign(x), so 0 at 0;
# ties of maximum/minimum send the whole gradient to the first argument.


def _select_first(g, ans, x, y):
    return unbroadcast(g * equal(ans, x), x)


def _select_second(g, ans, x, y):
    return unbroadcast(g * not_equal(ans, x), y)


defvjp(abs_, lambda g, ans, x: g * sign(x))
defvjp(maximum, _select_first, _select_second)
defvjp(minimum, _select_first, _select_second)
defvjp(where, None, lambda g, ans, c, x, y: unbroadcast(where(c, g, 0), x),
                    lambda g, ans, c, x, y: unbroadcast(where(c, 0, g), y))

# ---------------------------------------------------------------------------- forward mode
# Tangents are broadcast to the result's shape by the forward transform, so these
# rules need no broadcasting of their own.

deflinear(neg, 0)
defjvp(add, lambda t, ans, x, y: t, lambda t, ans, x, y: t)
defjvp(sub, lambda t, ans, x, y: t, lambda t, ans, x, y: -t)
defjvp(mul, lambda t, ans, x, y: t * y, lambda t, ans, x, y: x * t)
defjvp(div, lambda t, ans, x, y: t / y, lambda t, ans, x, y: -t * ans / y)
defjvp(power, lambda t, ans, x, y: t * y * x ** (y - 1),
              lambda t, ans, x, y: t * ans * log(where(equal(x, 0), 1, x)))
defjvp(exp, lambda t, ans, x: t * ans)
defjvp(log, lambda t, ans, x: t / x)
defjvp(log1p, lambda t, ans, x: t / (1 + x))
defjvp(sin, lambda t, ans, x: t * cos(x))
defjvp(cos, lambda t, ans, x: -t * sin(x))
defjvp(tan, lambda t, ans, x: t * (1 + ans ** 2))
defjvp(tanh, lambda t, ans, x: t * (1 - ans ** 2))
defjvp(sqrt, lambda t, ans, x: t / (2 * ans))
defjvp(sigmoid, lambda t, ans, x: t * ans * (1 - ans))
defjvp(logaddexp, lambda t, ans, x, y: t * exp(x - ans), lambda t, ans, x, y: t * exp(y - ans))
defjvp(abs_, lambda t, ans, x: t * sign(x))
defjvp(maximum, lambda t, ans, x, y: t * equal(ans, x), lambda t, ans, x, y: t * not_equal(ans, x))
defjvp(minimum, lambda t, ans, x, y: t * equal(ans, x), lambda t, ans, x, y: t * not_equal(ans, x))
defjvp(where, None, lambda t, ans, c, x, y: where(c, t, 0), lambda t, ans, c, x, y: where(c, 0, t))

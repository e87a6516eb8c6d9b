"""Python's ``operator`` module, written as the operators it names and compiled in its
place (``surface.DEFINITIONS``), as the user's code is.

``functools.reduce(operator.mul, xs)``, ``sorted(pairs, key=operator.itemgetter(0))``
and ``grad(operator.mul)`` are how Python spells a product, a key and an operation
passed as a value: each function is the expression it stands for (``mul(a, b)`` is
``a * b``), so arrays, Python numbers and NumPy scalars follow the operator's own
rules, and the in-place ones write into an array as ``a += b`` does. The getters
(``itemgetter``, ``attrgetter``, ``methodcaller``) are made while compiling from the
names and indices they are given; calling one on run-time values reads them as the
subscript, attribute or method call it stands for.

These are compiled, not run: each body must stay within what the frontend lowers.
"""
from __future__ import annotations

import builtins
import functools
import operator
from typing import Any

from .ir import surface


def add(a, b, /):
    return a + b


def sub(a, b, /):
    return a - b


def mul(a, b, /):
    return a * b


def truediv(a, b, /):
    return a / b


def floordiv(a, b, /):
    return a // b


def mod(a, b, /):
    return a % b


def pow(a, b, /):  # noqa: A001 (the operator module's name)
    return a ** b


def matmul(a, b, /):
    return a @ b


def neg(a, /):
    return -a


def pos(a, /):
    return +a


def abs(a, /):  # noqa: A001
    return builtins.abs(a)


def lt(a, b, /):
    return a < b


def le(a, b, /):
    return a <= b


def gt(a, b, /):
    return a > b


def ge(a, b, /):
    return a >= b


def eq(a, b, /):
    return a == b


def ne(a, b, /):
    return a != b


def getitem(a, b, /):
    return a[b]


def concat(a, b, /):
    return a + b


def iadd(a, b, /):
    a += b
    return a


def isub(a, b, /):
    a -= b
    return a


def imul(a, b, /):
    a *= b
    return a


def itruediv(a, b, /):
    a /= b
    return a


def ipow(a, b, /):
    a **= b
    return a


def items_of(items, obj, /):
    """``operator.itemgetter(*items)(obj)``."""
    if len(items) == 1:
        return obj[items[0]]
    return tuple(obj[item] for item in items)


def attributes_of(names, obj, /):
    """``operator.attrgetter(*names)(obj)`` (dotted names read in turn)."""
    found = []
    for name in names:
        value = obj
        for part in name.split("."):
            value = getattr(value, part)
        found.append(value)
    return found[0] if len(found) == 1 else tuple(found)


def method_called(name, args, kwargs, obj, /):
    """``operator.methodcaller(name, *args, **kwargs)(obj)``."""
    return getattr(obj, name)(*args, **kwargs)


def _methodcaller_parts(made: operator.methodcaller) -> tuple:
    """The name, positional and keyword arguments ``made`` calls with."""
    maker, args = made.__reduce__()
    if isinstance(maker, functools.partial):  # keywords given: partial(methodcaller, name)
        return maker.args[0], args, dict(maker.keywords)
    return args[0], args[1:], {}


_OPERATORS = (add, sub, mul, truediv, floordiv, mod, pow, matmul, neg, pos, abs, lt, le, gt,
              ge, eq, ne, getitem, concat, iadd, isub, imul, itruediv, ipow)
for _definition in _OPERATORS:
    surface.DEFINITIONS[getattr(operator, _definition.__name__)] = _definition

_GETTERS: dict[type, Any] = {
    operator.itemgetter: lambda made: functools.partial(items_of, made.__reduce__()[1]),
    operator.attrgetter: lambda made: functools.partial(attributes_of, made.__reduce__()[1]),
    operator.methodcaller: lambda made: functools.partial(method_called,
                                                          *_methodcaller_parts(made)),
}
surface.INSTANCE_DEFINITIONS.update(_GETTERS)

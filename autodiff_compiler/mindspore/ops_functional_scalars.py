"""MindSpore's ``ops.functional`` helpers on Python numbers, tuples and dicts
(``from mindspore.ops import functional as F``): ``F.tuple_len(shape)``,
``F.make_range(0, n)``, ``F.scalar_add(a, b)``, ``F.tensor_pow(x, 2)``...

MindSpore's own tests and older model-zoo code spell a loss's reduction axes as
``F.make_range(0, F.tuple_len(F.shape(x)))``, and write Python arithmetic on shapes
through these names. Each is the Python (or ``ops``) operation it names, so inside a
differentiated function it is compiled from this source like the user's own code: on
a shape or number known when compiling it is known then too, and the ``tensor_*``
ones are Tensor operators, with their gradients. Values and types as MindSpore 2.10
gives them (measured): ``scalar_div`` divides truly (``scalar_div(4, 2)`` is 2.0),
``tuple_div`` floors each pair, ``make_range(3)`` is ``(0, 1, 2)``, ``tensor_mod`` is
the floored modulus and ``tensor_range`` an int64 Tensor of integers.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["tuple_len", "list_len", "make_range", "tuple_getitem", "list_getitem", "make_tuple",
           "make_list", "tuple_reversed", "tuple_equal", "list_equal", "tuple_div", "shape_mul",
           "dict_getitem", "in_dict", "not_in_dict", "is_", "is_not", "scalar_add", "scalar_sub",
           "scalar_mul", "scalar_div", "scalar_floordiv", "scalar_mod", "scalar_pow", "scalar_log",
           "scalar_uadd", "scalar_usub", "scalar_max", "scalar_min", "scalar_eq", "scalar_ne",
           "scalar_gt", "scalar_ge", "scalar_lt", "scalar_le", "tensor_pow", "tensor_mod",
           "tensor_floordiv", "tensor_exp", "tensor_expm1", "tensor_lt", "tensor_gt", "tensor_le",
           "tensor_ge", "tensor_range"]


def tuple_len(data: Any) -> int:
    return len(data)


list_len = tuple_len


def make_range(start: int, stop: int | None = None, step: int = 1) -> tuple:
    """``tuple(range(...))``: one argument is the stop, as for ``range``."""
    return tuple(range(start)) if stop is None else tuple(range(start, stop, step))


def tuple_getitem(data: Any, index: Any) -> Any:
    return data[index]


list_getitem = dict_getitem = tuple_getitem


def make_tuple(*elements: Any) -> tuple:
    return elements


def make_list(*elements: Any) -> list:
    return list(elements)


def tuple_reversed(data: tuple) -> tuple:
    return tuple(data[::-1])


def tuple_equal(x: Any, y: Any) -> bool:
    return x == y


list_equal = tuple_equal


def tuple_div(x: tuple, y: tuple) -> tuple:
    """Each pair floored, as MindSpore's shape arithmetic divides."""
    return tuple([a // b for a, b in zip(x, y)])


def shape_mul(shape: tuple) -> int:
    """The product of a shape's lengths (1 for ``()``)."""
    return math.prod(shape)


def in_dict(key: Any, data: dict) -> bool:
    return key in data


def not_in_dict(key: Any, data: dict) -> bool:
    return key not in data


def is_(x: Any, y: Any) -> bool:
    return x is y


def is_not(x: Any, y: Any) -> bool:
    return x is not y


def scalar_add(x: Any, y: Any) -> Any:
    return x + y


def scalar_sub(x: Any, y: Any) -> Any:
    return x - y


def scalar_mul(x: Any, y: Any) -> Any:
    return x * y


def scalar_div(x: Any, y: Any) -> Any:
    return x / y


def scalar_floordiv(x: Any, y: Any) -> Any:
    return x // y


def scalar_mod(x: Any, y: Any) -> Any:
    return x % y


def scalar_pow(x: Any, y: Any) -> Any:
    return x ** y


def scalar_log(x: Any) -> float:
    return math.log(x)


def scalar_uadd(x: Any) -> Any:
    return +x


def scalar_usub(x: Any) -> Any:
    return -x


def scalar_max(x: Any, y: Any) -> Any:
    return max(x, y)


def scalar_min(x: Any, y: Any) -> Any:
    return min(x, y)


def scalar_eq(x: Any, y: Any) -> bool:
    return x == y


def scalar_ne(x: Any, y: Any) -> bool:
    return x != y


def scalar_gt(x: Any, y: Any) -> bool:
    return x > y


def scalar_ge(x: Any, y: Any) -> bool:
    return x >= y


def scalar_lt(x: Any, y: Any) -> bool:
    return x < y


def scalar_le(x: Any, y: Any) -> bool:
    return x <= y


def tensor_pow(x: Any, y: Any) -> Any:
    return x ** y


def tensor_mod(x: Any, y: Any) -> Any:
    """The floored modulus (the sign of ``y``), as Python's ``%``."""
    return x % y


def tensor_floordiv(x: Any, y: Any) -> Any:
    return x // y


def tensor_exp(x: Any) -> Any:
    return np.exp(x)


def tensor_expm1(x: Any) -> Any:
    return np.expm1(x)


def tensor_lt(x: Any, y: Any) -> Any:
    return x < y


def tensor_gt(x: Any, y: Any) -> Any:
    return x > y


def tensor_le(x: Any, y: Any) -> Any:
    return x <= y


def tensor_ge(x: Any, y: Any) -> Any:
    return x >= y

def tensor_range(start: int, limit: int, delta: int = 1) -> Tensor:
    """``F.tensor_range``: the integers from ``start`` below ``limit``, int64."""
    return Tensor(list(range(start, limit, delta)), dtype="int64")

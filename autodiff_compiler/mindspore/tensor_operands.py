"""How the operands of a NumPy function on Tensors are made what MindSpore computes
with: NumPy scalars that MindSpore takes for Python numbers, Python numbers given the
arrays' dtype where NEP 50 would (NumPy 1.x too), and integer arrays cast to the float
type MindSpore computes an operation in. ``Tensor.__array_ufunc__`` and
``__array_function__`` call these on every eager operation, so each returns its
operands untouched, quickly, where nothing applies.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.primitives import tensor_promotion as promotion

__all__ = ["numbers_of_numpy_scalars", "weak_numbers", "defers_to", "mindspore_operands"]

_KINDS = {bool: "b", int: "iu", float: "f", complex: "c"}


def numbers_of_numpy_scalars(inputs: tuple) -> tuple:
    """``inputs`` with each NumPy scalar MindSpore takes for a Python number one
    (``promotion.yields_as_a_number``; compiled code: ``ir.builder``)."""
    if not any(isinstance(a, np.generic) for a in inputs):
        return inputs  # (every eager Tensor operation comes here: most have none)
    arrays = [a.dtype for a in inputs if isinstance(a, np.ndarray)]
    return tuple(a.item() if isinstance(a, np.generic) and
                 promotion.yields_as_a_number(a, arrays) else a for a in inputs)


_ORDER = "biufc"  # a number whose kind is no later than the arrays' takes their dtype


def weak_numbers(inputs: tuple) -> tuple:
    """``inputs`` with each Python number given the arrays' dtype where NEP 50 would."""
    arrays = [np.result_type(a) for a in inputs if isinstance(a, np.ndarray | np.generic)]
    if not arrays or all(isinstance(a, np.ndarray | np.generic) for a in inputs):
        return inputs
    dtype = np.result_type(*arrays)
    rank = _ORDER.index(dtype.kind) if dtype.kind in _ORDER else -1
    return tuple(np.asarray(a, dtype) if type(a) in _KINDS and
                 _ORDER.index(_KINDS[type(a)][0]) <= rank else a for a in inputs)


def defers_to(value: Any) -> bool:
    """``value``'s type handles NumPy's ufuncs itself (``__array_ufunc__``), and is not
    an array: the ufunc is its to compute."""
    handler = getattr(type(value), "__array_ufunc__", None)
    return handler is not None and not isinstance(value, np.ndarray | np.generic) \
        and handler is not np.ndarray.__array_ufunc__


def mindspore_operands(name: str, operands: tuple) -> tuple:
    """``operands`` of the operation ``name``, integer arrays cast to the float type
    MindSpore computes it in where that is not NumPy's (``promotion.mixed_float``)."""
    positions = promotion.promoted_positions(name, len(operands))
    kinds = []
    for i in positions:
        a = operands[i]
        if a is None:  # np.clip's missing bound
            continue
        if isinstance(a, np.ndarray | np.generic):
            kinds.append((a.dtype, False))
        elif type(a) in _KINDS:
            kinds.append((np.result_type(type(a)), True))
        else:
            return operands  # a list, another library's array: NumPy's rules
    target = promotion.mixed_float(kinds, name)
    if target is None:
        return operands
    return tuple(a.astype(target) if i in positions and isinstance(a, np.ndarray | np.generic)
                 and a.dtype.kind in "biu" else a for i, a in enumerate(operands))

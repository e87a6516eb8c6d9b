"""MindSpore's dtype for arithmetic that mixes integer and float operands.

NumPy computes ``int32 + float32`` in float64, and so ``int * 1.5`` and ``int / int``;
MindSpore keeps the float operand's type, and makes float32 where the only float is a
Python number (or where none is, in a true division): a position table built as
``ops.arange(T)[:, None] / div`` stays float32, and so does the model it feeds.

Values computed from a MindSpore Tensor (``Var.tensor``) follow MindSpore: the builder
casts their integer and bool operands to that float type before the operation, and
eager Tensors do the same (``mindspore.tensor``), so compiled and eager code agree.
Operations of integers alone, and of floats alone, are NumPy's already.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FLOAT32 = np.dtype(np.float32)

# The primitives (and NumPy's ufuncs of the same meaning) whose operands are promoted;
# ``where``'s first operand is its condition, never promoted.
PROMOTING = frozenset({"add", "sub", "mul", "div", "pow", "floor_divide", "mod", "fmod",
                       "maximum", "minimum", "fmax", "fmin", "arctan2", "hypot", "clip",
                       "where", "sqrt"})
# Of an integer or bool Tensor alone, float32 (NumPy: float64, or float16 for 8 bits);
# MindSpore 2.10's other transcendental functions refuse integers on the CPU.
FLOAT_OF_INTEGERS = frozenset({"sqrt"})
# by the ufunc's name (``np.clip``'s is not a public attribute; ``true_divide`` is NumPy
# 1's name of ``divide``)
UFUNCS = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "div",
          "true_divide": "div", "power": "pow", "floor_divide": "floor_divide",
          "remainder": "mod", "fmod": "fmod", "maximum": "maximum", "minimum": "minimum",
          "fmax": "fmax", "fmin": "fmin", "arctan2": "arctan2", "hypot": "hypot",
          "clip": "clip", "sqrt": "sqrt"}


def mixed_float(operands: Sequence[tuple[np.dtype, bool]], name: str) -> np.dtype | None:
    """The float dtype MindSpore computes the operation ``name`` of ``operands`` (each
    its dtype and whether it is a Python number) in, where NumPy would compute in
    another: the float arrays' type, else float32; ``None`` where NumPy's is MindSpore's
    (no integer array among them, or no float and no true division)."""
    if not any(dtype.kind in "biu" and not number for dtype, number in operands):
        return None
    if any(dtype.kind not in "biuf" for dtype, _ in operands):
        return None  # complex: NumPy's
    floats = [dtype for dtype, number in operands if dtype.kind == "f" and not number]
    if floats:
        return np.result_type(*floats)
    if name == "div" or name in FLOAT_OF_INTEGERS or \
            any(dtype.kind == "f" for dtype, _ in operands):
        return FLOAT32
    return None


def yields_as_a_number(scalar: np.generic, arrays: Sequence[np.dtype]) -> bool:
    """Whether MindSpore takes the NumPy scalar ``scalar`` (``np.sqrt(d)``,
    ``np.float64(0.1)``), among operands of the dtypes ``arrays``, for a Python number
    whose dtype yields to theirs: ``x / np.sqrt(d)`` stays float32, where NumPy 2 makes
    float64. Only where its kind is no later than theirs (a float scalar with float
    arrays): ``mnp.sum(a)`` of a NumPy array is a NumPy scalar too, which MindSpore
    computes with an int Tensor in its own float64. A complex one stays NumPy's."""
    order = "biuf"
    if not arrays or scalar.dtype.kind not in order:
        return False
    latest = max(order.index(d.kind) if d.kind in order else len(order) for d in arrays)
    return order.index(scalar.dtype.kind) <= latest


def promoted_positions(name: str, count: int) -> range:
    """The operands of ``name`` its promotion reads and casts."""
    return range(1, count) if name == "where" else range(count)

"""How MindSpore 2.10 prints a Tensor: ``Tensor(shape=[2], dtype=Float32, value= [...])``.

Measured in MindSpore 2.10 (PyNative): a 0-d float prints as ``%g`` (``value= 2.5``,
``value= -3``), floats in arrays as ``% .8e`` (``% .4e`` for float16) separated by
``", "``, and an array of two or more dimensions starts on the next line.
"""
from __future__ import annotations

import numpy as np


def tensor_repr(array: np.ndarray, dtype_name: str) -> str:
    """MindSpore's ``repr`` of a Tensor holding ``array``."""
    shape = "[" + ", ".join(map(str, array.shape)) + "]"
    return f"Tensor(shape={shape}, dtype={dtype_name}, value={_value(array)})"


def _value(array: np.ndarray) -> str:
    if array.size == 0:
        return " "
    if array.ndim == 0:
        item = array.item()
        return f" {item:g}" if isinstance(item, float) else f" {item}"
    digits = 4 if array.dtype == np.float16 else 8
    text = np.array2string(array, separator=", ", max_line_width=1 << 20, threshold=1000,
                           edgeitems=3,
                           formatter={"float_kind": lambda x: f"{x: .{digits}e}"})
    if array.ndim > 2:  # MindSpore leaves no blank line between blocks
        text = "\n".join(line for line in text.split("\n") if line)
    return ("\n" if array.ndim > 1 else " ") + text

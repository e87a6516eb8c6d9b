"""MindSpore's dtypes (``mindspore.dtype``, ``mindspore.common.dtype as mstype``).

Each is a ``Type`` that prints as MindSpore prints it (``Float32``; its ``repr`` is
``mindspore.float32``) and stands for a NumPy dtype: it has a ``dtype`` attribute, so
NumPy takes it wherever a dtype goes (``np.zeros(3, mstype.float32)``,
``x.astype(mstype.int32)``), and it compares equal to that dtype and to its scalar type
(``t.dtype == np.float32``). A Tensor's ``dtype`` is one of these.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class Type:
    """A MindSpore dtype: its printed name and the NumPy dtype it stands for."""

    __slots__ = ("dtype", "name")

    def __init__(self, name: str, dtype: Any) -> None:
        self.name, self.dtype = name, np.dtype(dtype)

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"mindspore.{self.dtype.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Type):
            return self.dtype == other.dtype
        try:
            return self.dtype == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return NotImplemented

    def __hash__(self) -> int:
        return hash(self.dtype)

    def __getattr__(self, name: str) -> Any:  # kind, itemsize, type, ...: the dtype's
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self.dtype, name)


_NAMES = {"float16": "Float16", "float32": "Float32", "float64": "Float64",
          "int8": "Int8", "int16": "Int16", "int32": "Int32", "int64": "Int64",
          "uint8": "UInt8", "uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64",
          "bool": "Bool", "complex64": "Complex64", "complex128": "Complex128"}
_BY_DTYPE: dict[np.dtype, Type] = {np.dtype(k): Type(v, k) for k, v in _NAMES.items()}

float16, float32, float64 = (_BY_DTYPE[np.dtype(n)] for n in ("float16", "float32", "float64"))
int8, int16, int32, int64 = (_BY_DTYPE[np.dtype(n)] for n in ("int8", "int16", "int32", "int64"))
uint8, uint16, uint32, uint64 = (_BY_DTYPE[np.dtype(n)]
                                 for n in ("uint8", "uint16", "uint32", "uint64"))
complex64, complex128 = _BY_DTYPE[np.dtype("complex64")], _BY_DTYPE[np.dtype("complex128")]
bool_ = _BY_DTYPE[np.dtype(bool)]
# MindSpore's other spellings of the same types
half, single, double = float16, float32, float64
short, intc, long = int16, int32, int64
float_, int_ = float32, int64  # as MindSpore 2.10 prints them: Float, Int (classes there)
byte = int8

__all__ = ["Type", "float16", "float32", "float64", "int8", "int16", "int32", "int64",
           "uint8", "uint16", "uint32", "uint64", "complex64", "complex128", "bool_", "half",
           "single", "double", "short", "intc", "long", "byte", "float_", "int_",
           "of", "dtype_to_nptype", "pytype_to_dtype"]


def of(dtype: Any) -> Type:
    """The MindSpore dtype of a NumPy dtype (or of anything NumPy reads as one)."""
    dtype = dtype if isinstance(dtype, np.dtype) else np.dtype(dtype)
    found = _BY_DTYPE.get(dtype)
    if found is None:
        found = _BY_DTYPE[dtype] = Type(dtype.name.capitalize(), dtype)
    return found


def dtype_to_nptype(dtype: Any) -> type:
    """The NumPy scalar type of a MindSpore dtype (``np.float32`` for ``float32``)."""
    return np.dtype(dtype).type


def pytype_to_dtype(py_type: Any) -> Type:
    """MindSpore's dtype of a Python type: ``float`` is Float64, ``int`` Int64, ``bool`` Bool."""
    return of(py_type)

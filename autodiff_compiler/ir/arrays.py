"""Arrays of libraries other than NumPy, as the compiler sees them: a shape and a dtype.

A backend that speaks the Python array API (``backends.array_api``) takes any
conforming library's arrays; the IR types them with NumPy's dtypes (the standard's
dtypes share NumPy's names). An array is recognised by the standard's marker,
``__array_namespace__``, or as a PyTorch, CuPy or JAX array, whose namespace
array-api-compat supplies.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_LIBRARIES = frozenset(["torch", "cupy", "jax", "jaxlib"])


def is_foreign_array(value: Any) -> bool:
    """An array of another library than NumPy."""
    if isinstance(value, np.ndarray | np.generic | type):
        return False
    kind = type(value)
    if hasattr(kind, "__array_namespace__"):
        return True
    return kind.__module__.partition(".")[0] in _LIBRARIES and hasattr(value, "shape") \
        and hasattr(value, "dtype")


def numpy_dtype(dtype: Any) -> np.dtype:
    """NumPy's dtype of the same name (``array_api_strict.float64``, ``torch.float32``)."""
    if isinstance(dtype, np.dtype):
        return dtype
    return np.dtype(str(dtype).rpartition(".")[2])


def shape_and_dtype(value: Any) -> tuple[tuple[int, ...], np.dtype]:
    return tuple(int(n) for n in value.shape), numpy_dtype(value.dtype)

"""Whose array a value is, and its shape and dtype as the IR types them.

The one place the compiler tells array libraries apart when it looks at an argument:
NumPy's arrays and scalars; dask's arrays (known by their type's module, so dask need
not be imported to ask), typed from their metadata without computing anything; and
any other library's array the Python array API standard covers, recognised by the
standard's marker ``__array_namespace__`` or as a PyTorch, CuPy or JAX array, whose
namespace array-api-compat supplies. The IR types them all with NumPy's dtypes (the
standard's dtypes share NumPy's names).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AutodiffError

_ARRAY_API_LIBRARIES = frozenset(["torch", "cupy", "jax", "jaxlib"])


def array_library(value: Any) -> str | None:
    """``"numpy"``, ``"dask"``, ``"array_api"`` (another library's array), or None
    (not an array)."""
    if isinstance(value, np.ndarray | np.generic):
        return None if isinstance(value, np.dtype) else "numpy"
    kind = type(value)
    if kind is type:
        return None
    if kind.__name__ == "Array" and kind.__module__.startswith("dask.array"):
        return "dask"
    if hasattr(kind, "__array_namespace__"):
        return "array_api"
    if kind.__module__.partition(".")[0] in _ARRAY_API_LIBRARIES and hasattr(value, "shape") \
            and hasattr(value, "dtype"):
        return "array_api"
    return None


def is_foreign_array(value: Any) -> bool:
    """An array of another library than NumPy (dask's included)."""
    return array_library(value) not in (None, "numpy")


def numpy_dtype(dtype: Any) -> np.dtype:
    """NumPy's dtype of the same name (``array_api_strict.float64``, ``torch.float32``)."""
    if isinstance(dtype, np.dtype):
        return dtype
    try:
        return np.dtype(dtype)  # dask's dtypes are NumPy's
    except TypeError:
        return np.dtype(str(dtype).rpartition(".")[2])


def shape_and_dtype(value: Any) -> tuple[tuple[int, ...], np.dtype]:
    """A foreign array's shape and dtype, read from its metadata: nothing is computed. A
    shape with unknown extents (a dask array after boolean indexing) cannot be compiled
    for."""
    shape = tuple(value.shape)
    if not all(isinstance(n, int | np.integer) for n in shape):
        hint = "call x.compute_chunk_sizes() on it first, so its shape is known" \
            if array_library(value) == "dask" else "give the array a known shape"
        raise AutodiffError(f"an array of unknown shape {shape} cannot be differentiated",
                            hint=hint)
    return tuple(int(n) for n in shape), numpy_dtype(value.dtype)

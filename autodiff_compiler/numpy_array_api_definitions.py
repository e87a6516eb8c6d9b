"""The names NumPy 2 took from the Python array API standard, written here over the
functions they rename or combine and compiled in their place (``surface.DEFINITIONS``),
so values agree with NumPy's and gradients follow from the operations:
``np.vecdot``, ``np.matvec``, ``np.vecmat``, ``np.matrix_transpose``, ``np.unstack``,
``np.cumulative_sum``, ``np.cumulative_prod``, ``np.astype`` and the ``np.linalg``
spellings of products
(``vecdot``, ``outer``, ``cross``, ``matmul``, ``tensordot``, ``matrix_transpose``,
``diagonal``, ``trace``), which act on the last axes where the older functions take
axis arguments. Each is registered only where the NumPy installed has it.

These are compiled, not run: each body must stay within what the frontend lowers.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ir import surface


def _no_out(name: str, out: Any) -> None:
    if out is not None:
        raise TypeError(f"np.{name}(..., out=...) is not supported: compiled code returns "
                        "its results (assign the result instead of passing an output array)")


def vecdot(x1: Any, x2: Any, /, *, axis: int = -1, out: Any = None, dtype: Any = None) -> Any:
    """The dot product of vectors along ``axis``, the first conjugated (``sum(conj(x1) *
    x2)``), the operands broadcast against each other."""
    _no_out("vecdot", out)
    x1 = np.asarray(x1)
    if np.iscomplexobj(x1):
        x1 = np.conj(x1)
    product = x1 * x2 if dtype is None else (x1 * x2).astype(dtype)
    return np.sum(product, axis=axis)


def matvec(x1: Any, x2: Any, /, *, out: Any = None, dtype: Any = None) -> Any:
    """Matrices (``..., m, n``) times vectors (``..., n``), the stacks broadcast:
    ``sum(x1 * x2[..., None, :], axis=-1)`` (NumPy 2.2's gufunc)."""
    _no_out("matvec", out)
    product = np.asarray(x1) * np.expand_dims(x2, -2)
    return np.sum(product if dtype is None else product.astype(dtype), axis=-1)


def vecmat(x1: Any, x2: Any, /, *, out: Any = None, dtype: Any = None) -> Any:
    """Vectors (``..., n``), conjugated, times matrices (``..., n, m``), the stacks
    broadcast: ``sum(conj(x1)[..., :, None] * x2, axis=-2)``."""
    _no_out("vecmat", out)
    x1 = np.asarray(x1)
    if np.iscomplexobj(x1):
        x1 = np.conj(x1)
    product = np.expand_dims(x1, -1) * x2
    return np.sum(product if dtype is None else product.astype(dtype), axis=-2)


def matrix_transpose(x: Any, /) -> Any:
    """The last two axes swapped."""
    if np.ndim(x) < 2:
        raise ValueError("Input array must be at least 2-dimensional")
    return np.swapaxes(x, -1, -2)


def unstack(x: Any, /, *, axis: int = 0) -> tuple:
    """The slices of ``x`` along ``axis``, as a tuple."""
    moved = np.moveaxis(x, axis, 0)
    return tuple([moved[i] for i in range(np.shape(moved)[0])])


def _along(x: Any, axis: Any, name: str) -> int:
    """The axis a cumulative function runs along: ``axis``, or 0 of a 1-d array."""
    if axis is None:
        if np.ndim(x) != 1:
            raise ValueError(f"np.{name}: axis must be specified for multi-dimensional "
                             "arrays")
        return 0
    return axis % np.ndim(x)


def cumulative_sum(x: Any, /, *, axis: Any = None, dtype: Any = None, out: Any = None,
                   include_initial: bool = False) -> Any:
    """``np.cumsum`` along ``axis``, with a leading 0 where ``include_initial``."""
    _no_out("cumulative_sum", out)
    return _cumulative(np.cumsum, 0, x, _along(x, axis, "cumulative_sum"), dtype,
                       include_initial)


def cumulative_prod(x: Any, /, *, axis: Any = None, dtype: Any = None, out: Any = None,
                    include_initial: bool = False) -> Any:
    """``np.cumprod`` along ``axis``, with a leading 1 where ``include_initial``."""
    _no_out("cumulative_prod", out)
    return _cumulative(np.cumprod, 1, x, _along(x, axis, "cumulative_prod"), dtype,
                       include_initial)


def _cumulative(running: Any, start: Any, x: Any, axis: int, dtype: Any,
                include_initial: bool) -> Any:
    total = running(x, axis=axis, dtype=dtype)
    if include_initial:
        shape = (*np.shape(total)[:axis], 1, *np.shape(total)[axis + 1:])
        total = np.concatenate([np.full(shape, start, total.dtype), total], axis=axis)
    return total


def astype(x: Any, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Any:
    """``x`` in ``dtype``."""
    return np.asarray(x).astype(dtype)


def linalg_outer(x1: Any, x2: Any, /) -> Any:
    """The outer product of two vectors (of vectors only, unlike ``np.outer``)."""
    if np.ndim(x1) != 1 or np.ndim(x2) != 1:
        raise ValueError("Input arrays must be one-dimensional")
    return np.outer(x1, x2)


def linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """The cross product of 3-vectors along ``axis``."""
    if np.shape(x1)[axis] != 3 or np.shape(x2)[axis] != 3:
        raise ValueError("Both input arrays must be (arrays of) 3-dimensional vectors")
    return np.cross(x1, x2, axis=axis)


def linalg_matmul(x1: Any, x2: Any, /) -> Any:
    return np.matmul(x1, x2)


def linalg_tensordot(x1: Any, x2: Any, /, *, axes: Any = 2) -> Any:
    return np.tensordot(x1, x2, axes=axes)


def linalg_diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """The diagonal of each matrix in the last two axes."""
    return np.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def linalg_trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """The trace of each matrix in the last two axes."""
    total = np.trace(x, offset=offset, axis1=-2, axis2=-1)
    return total if dtype is None else total.astype(dtype)


_TOP = (vecdot, matvec, vecmat, matrix_transpose, unstack, cumulative_sum, cumulative_prod,
        astype)
_LINALG = {"vecdot": vecdot, "matrix_transpose": matrix_transpose, "outer": linalg_outer,
           "cross": linalg_cross, "matmul": linalg_matmul, "tensordot": linalg_tensordot,
           "diagonal": linalg_diagonal, "trace": linalg_trace}
_FAMILY = {"vecdot": "linear algebra", "matvec": "linear algebra", "vecmat": "linear algebra",
           "matrix_transpose": "shapes", "unstack": "shapes",
           "cumulative_sum": "reductions", "cumulative_prod": "reductions",
           "astype": "constructors"}

for _definition in _TOP:
    _function = getattr(np, _definition.__name__, None)
    if _function is not None:
        surface.DEFINITIONS[_function] = _definition
        surface.FAMILIES.setdefault(_FAMILY[_definition.__name__], []).append(
            f"np.{_definition.__name__}")
for _name, _definition in _LINALG.items():
    _function = getattr(np.linalg, _name, None)
    if _function is not None:
        surface.DEFINITIONS[_function] = _definition
        surface.FAMILIES.setdefault("linear algebra", []).append(f"np.linalg.{_name}")

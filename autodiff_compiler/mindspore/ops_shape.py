"""MindSpore's shape ``ops`` beyond ``ops.py``'s: transposing and moving axes,
splitting (``unbind``, ``tensor_split``, ``vsplit``...), stacking (``hstack``,
``dstack``...), ``atleast_*d``, ``expand``, flips and ``rot90``, diagonals
(``diagonal``, ``diag_embed``, ``diagflat``), ``tril_indices``/``triu_indices``,
``repeat_elements``, ``reverse`` and ``range``; re-exported by ``ops``.

Each is NumPy on shapes known when compiling, so the gradient is that of the NumPy
it calls. MindSpore's splits of an uneven length (``vsplit(x, 2)`` of 3 rows) give
``tensor_split``'s pieces (2 and 1), not NumPy's ``ValueError``; ``hsplit`` always
cuts the second axis (MindSpore refuses a vector). ``expand`` takes its ``size`` as
MindSpore does (a Tensor) or as a tuple; a size computed at run time inside a
differentiated function is refused at the user's line (it would be a shape).
``range``'s length depends on its values, so it runs eagerly only.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["t", "ravel", "moveaxis", "movedim", "swapdims", "unbind", "unstack",
           "tensor_split", "vsplit", "hsplit", "dsplit", "hstack", "vstack", "dstack",
           "column_stack", "row_stack", "atleast_1d", "atleast_2d", "atleast_3d", "expand",
           "expand_as", "view_as", "type_as", "flipud", "fliplr", "rot90", "diagonal",
           "diag_embed", "diagflat", "repeat_elements", "reverse", "tril_indices", "triu_indices"]

moveaxis = movedim = np.moveaxis
flipud, fliplr = np.flipud, np.fliplr


def t(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """A matrix transposed; anything else as it is (MindSpore documents 1-d and 2-d
    inputs, and returns a 3-d one unchanged)."""
    return np.transpose(input) if np.ndim(input) == 2 else input


def ravel(input: Any) -> Any:  # noqa: A002
    """The entries as a vector, in row-major order."""
    return np.reshape(input, (-1,))


def swapdims(input: Any, dim0: int, dim1: int) -> Any:  # noqa: A002
    return np.swapaxes(input, dim0, dim1)


def unbind(input: Any, dim: int = 0) -> tuple:  # noqa: A002
    """The slices along ``dim``, that axis removed."""
    return tuple([lane for lane in np.moveaxis(input, dim, 0)])


def unstack(input_x: Any, axis: int = 0) -> tuple:
    """``unbind`` under its older name."""
    return unbind(input_x, axis)


def tensor_split(input: Any, indices_or_sections: Any, axis: int = 0) -> tuple:  # noqa: A002
    """``indices_or_sections`` pieces along ``axis`` (an int: the first ones one longer
    where the length does not divide), or cut before each index listed."""
    return tuple(np.array_split(input, indices_or_sections, axis=axis))


def vsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    """``tensor_split`` along the first axis."""
    return tuple(np.array_split(input, indices_or_sections, axis=0))


def hsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    """``tensor_split`` along the second axis."""
    return tuple(np.array_split(input, indices_or_sections, axis=1))


def dsplit(input: Any, indices_or_sections: Any) -> tuple:  # noqa: A002
    """``tensor_split`` along the third axis."""
    return tuple(np.array_split(input, indices_or_sections, axis=2))


def hstack(tensors: Any) -> Any:
    """Joined along the second axis (the first for vectors)."""
    return np.hstack(tensors)


def vstack(inputs: Any) -> Any:
    """Joined along the first axis, vectors as rows."""
    return np.vstack(inputs)


row_stack = vstack


def dstack(tensors: Any) -> Any:
    """Joined along the third axis, each made at least 3-d first (a vector ``(n,)`` as
    ``(1, n, 1)``, a matrix ``(m, n)`` as ``(m, n, 1)``)."""
    return np.concatenate([np.atleast_3d(x) for x in tensors], axis=2)


def column_stack(tensors: Any) -> Any:
    """Vectors as columns (and matrices as they are), joined along the second axis."""
    return np.column_stack(tensors)


def atleast_1d(inputs: Any) -> Any:
    """The input with at least one axis; a list or tuple of them, each so (a tuple)."""
    if isinstance(inputs, list | tuple):
        return tuple([np.atleast_1d(x) for x in inputs])
    return np.atleast_1d(inputs)


def atleast_2d(inputs: Any) -> Any:
    """The input with at least two axes (a vector as a row); of a list, a tuple."""
    if isinstance(inputs, list | tuple):
        return tuple([np.atleast_2d(x) for x in inputs])
    return np.atleast_2d(inputs)


def atleast_3d(inputs: Any) -> Any:
    """The input with at least three axes (``(n,)`` as ``(1, n, 1)``, ``(m, n)`` as
    ``(m, n, 1)``); of a list, a tuple."""
    if isinstance(inputs, list | tuple):
        return tuple([np.atleast_3d(x) for x in inputs])
    return np.atleast_3d(inputs)


def expand(input_x: Any, size: Any) -> Any:
    """``input_x`` broadcast to ``size``; ``-1`` keeps that axis's length."""
    return np.broadcast_to(input_x, _expanded(np.shape(input_x), size))


def _expanded(shape: tuple, size: Any) -> tuple:
    """``size`` with each ``-1`` replaced by the length it keeps."""
    wanted = tuple(int(n) for n in np.asarray(size).reshape(-1))
    offset = len(wanted) - len(shape)
    return tuple(shape[i - offset] if n == -1 else n for i, n in enumerate(wanted))


_expanded.__evaluated_when_compiling__ = True  # a pure function of shapes


def expand_as(input: Any, other: Any) -> Any:  # noqa: A002
    """``input`` broadcast to ``other``'s shape."""
    return np.broadcast_to(input, np.shape(other))


def view_as(input: Any, other: Any) -> Any:  # noqa: A002
    """``input`` reshaped to ``other``'s shape."""
    return np.reshape(input, np.shape(other))


def type_as(input: Any, other: Any) -> Any:  # noqa: A002
    """``input`` cast to ``other``'s dtype."""
    return input.astype(other.dtype)


def rot90(input: Any, k: int, dims: Any) -> Any:  # noqa: A002
    """Turned ``k`` quarter turns in the plane of the two ``dims``, from the first
    toward the second."""
    return np.rot90(input, k, axes=tuple(dims))


def diagonal(input: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:  # noqa: A002
    """The ``offset``-th diagonal of the plane ``(dim1, dim2)``, as the last axis."""
    return np.diagonal(input, offset, dim1, dim2)


def diag_embed(input: Any, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:  # noqa: A002
    """Each vector along the last axis laid on the ``offset``-th diagonal of a square
    plane made of the axes ``dim1`` and ``dim2`` of the result, zeros elsewhere."""
    n = np.shape(input)[-1]
    places = _diagonal_places(n, offset).astype(input.dtype)
    planes = np.tensordot(input, places, axes=1)  # (..., m, m)
    return np.moveaxis(planes, (-2, -1), (dim1, dim2))


def _diagonal_places(n: int, offset: int) -> np.ndarray:
    """``(n, m, m)`` ones where entry ``k`` of a vector goes on the ``offset``-th
    diagonal of an ``m x m`` plane, ``m = n + |offset|``."""
    m = n + builtins.abs(offset)
    places = np.zeros((n, m, m))
    for k in builtins.range(n):
        places[k, k + builtins.max(-offset, 0), k + builtins.max(offset, 0)] = 1.0
    return places


_diagonal_places.__evaluated_when_compiling__ = True  # a constant of numbers known then


def diagflat(input: Any, offset: int = 0) -> Any:  # noqa: A002
    """The entries, flattened, on the ``offset``-th diagonal of a square matrix."""
    return np.diag(np.reshape(input, (-1,)), offset)


def repeat_elements(x: Any, rep: int, axis: int = 0) -> Any:
    """Each entry ``rep`` times in a row along ``axis``."""
    return np.repeat(x, rep, axis=axis)


def reverse(x: Any, axis: Any) -> Any:
    """``flip`` under its older name: the order along each axis listed reversed."""
    return np.flip(x, axis=tuple(axis))


# ---------------------------------------------------------------------------- eager only


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = np.int64) -> Tensor:
    """The (row, column) indices of the lower triangle of a ``row x col`` matrix, on
    and below the ``offset``-th diagonal: a ``(2, count)`` Tensor."""
    return Tensor(np.stack(np.tril_indices(row, offset, col)).astype(dtype))


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = np.int64) -> Tensor:
    """The indices of the upper triangle, as ``tril_indices``."""
    return Tensor(np.stack(np.triu_indices(row, offset, col)).astype(dtype))


def range(start: Any, end: Any, step: Any, maxlen: int = 1000000) -> Tensor:  # noqa: A001
    """``start, start + step, ...`` below ``end`` (above, for a negative step), in
    ``start``'s dtype (a Python float: float32, an int: int64). Eager only: the length
    is the values'."""
    kind = np.asarray(start).dtype
    dtype = np.float32 if isinstance(start, float) else (
        np.int64 if isinstance(start, int) else kind)
    values = np.arange(np.asarray(start).item(), np.asarray(end).item(),
                       np.asarray(step).item())
    if values.size > maxlen:
        raise ValueError(f"range: {values.size} values are more than maxlen={maxlen}")
    return Tensor(values.astype(dtype))

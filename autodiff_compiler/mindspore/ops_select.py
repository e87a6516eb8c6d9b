"""MindSpore's ``ops`` that cut, pick, repeat and arrange: ``tril``/``triu``, ``roll``,
``chunk``, ``narrow``, ``index_select``, ``repeat_interleave``, ``diag``, ``meshgrid``,
``kron``, ``isclose``, the data-dependent ``masked_select``, ``nonzero``, ``unique``,
and the arithmetic of a few fused forms (``lerp``, ``addmm``, ``baddbmm``); re-exported
by ``ops``.

Written in NumPy like the rest of ``ops``: inside a differentiated function the
compiler reads this source, so each gradient is that of the NumPy it calls. Names and
arguments follow MindSpore 2.x. ``nonzero``, ``unique`` and ``masked_select`` have
outputs whose length is the data's; compiled, they are ``np.nonzero``, ``np.unique``
and boolean indexing, whose results have a shape known at run time only, and
``unique``'s values carry the gradient of the entries they were read from.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["tril", "triu", "roll", "chunk", "narrow", "index_select", "repeat_interleave",
           "diag", "meshgrid", "kron", "isclose", "masked_select", "nonzero", "unique",
           "bincount", "lerp",
           "addmm", "baddbmm"]


def tril(input: Any, diagonal: int = 0) -> Any:  # noqa: A002 (MindSpore's names)
    """The entries on and below the ``diagonal``-th diagonal of the last two axes."""
    return np.tril(input, diagonal)


def triu(input: Any, diagonal: int = 0) -> Any:  # noqa: A002
    """The entries on and above the ``diagonal``-th diagonal of the last two axes."""
    return np.triu(input, diagonal)


def roll(input: Any, shifts: Any, dims: Any = None) -> Any:  # noqa: A002
    """Entries moved ``shifts`` places along ``dims`` (the flattened array if None),
    those pushed off one end coming back at the other."""
    return np.roll(input, shifts, axis=dims)


def chunk(input: Any, chunks: int, axis: int = 0) -> tuple:  # noqa: A002
    """At most ``chunks`` pieces along ``axis``, each ``ceil(n / chunks)`` long but the
    last (so there may be fewer pieces: 6 rows in 4 chunks are 3 pieces of 2)."""
    n = np.shape(input)[axis]
    size = -(-n // chunks)
    return tuple(np.split(input, tuple(range(size, n, size)), axis=axis))


def narrow(input: Any, axis: int, start: int, length: int) -> Any:  # noqa: A002
    """The ``length`` entries from ``start`` along ``axis``."""
    return np.take(input, np.arange(start, start + length), axis=axis)


def index_select(input: Any, axis: int, index: Any) -> Any:  # noqa: A002
    """The entries at ``index`` (a vector) along ``axis``."""
    return np.take(input, index, axis=axis)


def repeat_interleave(input: Any, repeats: Any, axis: Any = None) -> Any:  # noqa: A002
    """Each entry ``repeats`` times in a row along ``axis`` (of the flattened array
    if None)."""
    return np.repeat(input, repeats, axis=axis)


def diag(input: Any) -> Any:  # noqa: A002
    """A vector laid on the diagonal of a square matrix; for an array of any rank, the
    array of twice its rank whose entry ``(i..., i...)`` is ``input[i...]``, zeros
    elsewhere (MindSpore's rule, not NumPy's diagonal of a matrix)."""
    if np.ndim(input) == 1:
        return np.diag(input)
    shape = np.shape(input)
    n = int(np.prod(shape))
    return np.reshape(np.diag(np.reshape(input, (n,))), shape + shape)


def meshgrid(*inputs: Any, indexing: str = "xy") -> tuple:
    """Coordinate arrays of the grid the vectors ``inputs`` span."""
    return tuple(np.meshgrid(*inputs, indexing=indexing))


def kron(input: Any, other: Any) -> Any:  # noqa: A002
    """The Kronecker product: ``other`` scaled by each entry of ``input``, as blocks."""
    return np.kron(input, other)


def isclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Any:
    """Where ``|input - other| <= atol + rtol |other|``."""
    return np.isclose(input, other, rtol, atol, equal_nan)


def masked_select(input: Any, mask: Any) -> Any:  # noqa: A002
    """The entries where ``mask`` (broadcast to ``input``) holds, as a vector."""
    return input[np.broadcast_to(mask, np.shape(input))]


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:  # noqa: A002
    """How often each value of ``input`` (non-negative ints) occurs, or the sum of the
    ``weights`` of its entries, in bins ``0 .. max(input)`` and at least ``minlength``
    of them; float32 either way, as MindSpore gives."""
    return np.bincount(input, weights, minlength).astype(np.float32)


def lerp(input: Any, end: Any, weight: Any) -> Any:  # noqa: A002
    """``input + weight (end - input)``: from ``input`` towards ``end``."""
    return input + weight * (end - input)


def addmm(input: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:  # noqa: A002
    """``beta input + alpha (mat1 @ mat2)``."""
    return beta * input + alpha * (mat1 @ mat2)


def baddbmm(input: Any, batch1: Any, batch2: Any, beta: Any = 1,  # noqa: A002
            alpha: Any = 1) -> Any:
    """``beta input + alpha (batch1 @ batch2)``, a product per batch entry."""
    return beta * input + alpha * np.matmul(batch1, batch2)


# ---------------------------------------------------------------------------- lengths of the data's


def nonzero(input: Any, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The indices of the nonzero entries: one row each, ``(count, rank)`` int64 (or
    one index vector per axis with ``as_tuple``)."""
    found = np.nonzero(np.asarray(input))
    if as_tuple:
        return tuple(Tensor(np.asarray(i, np.int64)) for i in found)
    return Tensor(np.stack(found, axis=-1).astype(np.int64))


def unique(input: Any) -> tuple:  # noqa: A002
    """The distinct entries in order of first appearance, and for each entry of
    ``input`` the position of its value among them (MindSpore's order, not NumPy's
    sorted one)."""
    values = np.asarray(input)
    flat = values.reshape(-1)
    _, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # sorted distinct values -> first-seen order
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    index_dtype = values.dtype if values.dtype.kind in "iu" else np.int32
    return (Tensor(flat[np.sort(first)]),
            Tensor(rank[inverse.reshape(-1)].reshape(values.shape).astype(index_dtype)))

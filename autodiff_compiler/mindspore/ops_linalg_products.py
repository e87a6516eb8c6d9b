"""MindSpore's linear-algebra products and structured matrices: ``batch_dot``,
``addbmm``, ``ger``, ``cross``, ``block_diag``, ``vander``, ``matrix_band_part``, the
diagonal ops (``matrix_diag``, ``matrix_diag_part``, ``matrix_set_diag``) and ``inv``;
re-exported by ``ops_linalg``.

Each is NumPy on shapes known when compiling: ``batch_dot`` moves its contracted
axes into place and is one batched ``matmul``; ``matrix_band_part`` selects with a
mask built from ``arange`` and its band widths, which may be Tensors (compared at run
time, never read as Python ints). The diagonal ops place and pick with one-hot
matrices, so their gradients are those of ``matmul`` and ``where`` (a padding value
gets none). Their diagonal ``k`` decides shapes, so it is a Python int inside a
differentiated function (a Tensor ``k``, which MindSpore's ``matrix_diag_part`` wants,
works eagerly and is refused clearly there); MindSpore's band of diagonals
(``k=(low, high)``, packed by ``align``) is refused: take one diagonal at a time.
``inv`` is MindSpore's element-wise reciprocal (not a matrix inverse: that is
``ops.inverse``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir.core import Var

__all__ = ["batch_dot", "addbmm", "ger", "cross", "block_diag", "vander", "inv",
           "matrix_band_part", "matrix_diag", "matrix_diag_part", "matrix_set_diag"]


def batch_dot(x1: Any, x2: Any, axes: Any = None) -> Any:
    """Per entry ``b`` of the first (batch) axis, ``x1[b]`` and ``x2[b]`` contracted
    over ``axes`` (an int for both, or a pair): by default ``x1``'s last axis with
    ``x2``'s second-to-last (its last when it is a matrix). The result's axes are the
    batch, then ``x1``'s, then ``x2``'s remaining ones; a result of the batch alone is
    ``(B, 1)``."""
    rank1, rank2 = np.ndim(x1), np.ndim(x2)
    if rank1 < 2 or rank2 < 2:
        raise ValueError(f"For 'batch_dot', the inputs x1, x2 should have 'dimension >= 2', "
                         f"but got 'len(x1_shape)': ({rank1}) and 'len(x2_shape)': ({rank2})")
    if x1.dtype != x2.dtype or x1.dtype.kind != "f":
        raise TypeError(f"For 'batch_dot', x1 and x2 must be floats of one dtype, but got "
                        f"{x1.dtype} and {x2.dtype}")
    shape1, shape2 = np.shape(x1), np.shape(x2)
    if shape1[0] != shape2[0]:
        raise ValueError(f"For 'batch_dot', the inputs 'x1', 'x2' should have the same batch "
                         f"sizes, but got 'x1_batch_size': {shape1[0]} and 'x2_batch_size': "
                         f"{shape2[0]}")
    if axes is None:
        axes = (rank1 - 1, rank2 - 1 if rank2 == 2 else rank2 - 2)
    elif isinstance(axes, int | np.integer):
        axes = (axes, axes)
    axis1, axis2 = int(axes[0]) % rank1, int(axes[1]) % rank2
    if axis1 == 0 or axis2 == 0:
        raise ValueError(f"For 'batch_dot', the 'axes' should not be equal to 0 (the batch "
                         f"axis), but got {axes}")
    if shape1[axis1] != shape2[axis2]:
        raise ValueError(f"For 'batch_dot', the contracted axes must have one length, but "
                         f"got {shape1[axis1]} (x1 axis {axis1}) and {shape2[axis2]} "
                         f"(x2 axis {axis2})")
    rest1 = tuple(n for a, n in enumerate(shape1) if a not in (0, axis1))
    rest2 = tuple(n for a, n in enumerate(shape2) if a not in (0, axis2))
    left = np.reshape(np.moveaxis(x1, axis1, -1), (shape1[0], -1, shape1[axis1]))
    right = np.reshape(np.moveaxis(x2, axis2, 1), (shape2[0], shape2[axis2], -1))
    out_shape = (shape1[0], *rest1, *rest2) if rest1 + rest2 else (shape1[0], 1)
    return np.reshape(np.matmul(left, right), out_shape)


def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1,  # noqa: A002
           alpha: Any = 1) -> Any:
    """``beta * input + alpha * Σ_b batch1[b] @ batch2[b]``, ``input`` broadcast to the
    ``(N, P)`` result."""
    if np.ndim(batch1) != 3 or np.ndim(batch2) != 3:
        raise ValueError(f"For 'addbmm', 'batch1' and 'batch2' must be 3-D, but got shapes "
                         f"{np.shape(batch1)} and {np.shape(batch2)}")
    return beta * input + alpha * np.sum(np.matmul(batch1, batch2), axis=0)


def ger(input: Any, vec2: Any) -> Any:  # noqa: A002
    """The outer product of two float vectors: ``input[i] * vec2[j]``."""
    if np.ndim(input) != 1 or np.ndim(vec2) != 1:
        raise ValueError(f"For 'ger', both inputs must be 1-D, but got shapes "
                         f"{np.shape(input)} and {np.shape(vec2)}")
    if input.dtype.kind != "f" or vec2.dtype.kind != "f":
        raise TypeError(f"For 'ger', the inputs must be float tensors, but got {input.dtype} "
                        f"and {vec2.dtype}")
    return np.outer(input, vec2)


def cross(input: Any, other: Any, dim: Any = None) -> Any:  # noqa: A002
    """The cross product of 3-vectors along ``dim`` of the broadcast shape (by default
    its first axis of length 3)."""
    shape = np.broadcast_shapes(np.shape(input), np.shape(other))
    if dim is None:
        lengths = [a for a, n in enumerate(shape) if n == 3]
        if not lengths:
            raise ValueError(f"For 'cross', the inputs need an axis of length 3, but got "
                             f"shapes {np.shape(input)} and {np.shape(other)}")
        dim = lengths[0]
    if not -len(shape) <= dim < len(shape) or shape[dim] != 3:
        raise ValueError(f"For 'cross', axis {dim} of the inputs must have length 3, but "
                         f"got shapes {np.shape(input)} and {np.shape(other)}")
    return np.cross(np.broadcast_to(input, shape), np.broadcast_to(other, shape), axis=dim)


def block_diag(*inputs: Any) -> Any:
    """The inputs (scalars, vectors as rows, matrices) along the diagonal of one
    matrix, zeros elsewhere, in their common dtype (``concatenate`` promotes)."""
    for i, block in enumerate(inputs):
        if np.ndim(block) > 2:
            raise ValueError(f"For 'block_diag', the dimension of each elements in 'inputs' "
                             f"must be 0, 1, or 2, but got {np.ndim(block)} (input {i})")
    blocks = [np.reshape(block, (1, -1)) if np.ndim(block) < 2 else block for block in inputs]
    width = sum([np.shape(block)[1] for block in blocks])
    rows, left = [], 0
    for block in blocks:
        cols = np.shape(block)[1]
        rows.append(np.pad(block, ((0, 0), (left, width - left - cols))))
        left += cols
    return np.concatenate(rows, axis=0)


def vander(x: Any, N: Any = None) -> Any:  # noqa: N803 (MindSpore's name)
    """The Vandermonde matrix of a vector: column ``j`` is ``x ** (N - 1 - j)``
    (``N`` columns, by default ``len(x)``), in ``x``'s dtype."""
    if np.ndim(x) != 1:
        raise ValueError(f"For vander, x must be 1-D, but got dimension = {np.ndim(x)}")
    if N is not None and N <= 0:
        raise ValueError(f"For vander, N must be greater than 0, but got {N}.")
    return np.vander(x, N).astype(x.dtype)  # NumPy's of float32 is float64


def inv(x: Any) -> Any:
    """MindSpore's ``ops.inv``: the element-wise reciprocal ``1 / x`` (integers give
    the integer quotient, as MindSpore's do). ``ops.inverse`` inverts matrices."""
    return np.reciprocal(x)


# ---------------------------------------------------------------------------- band, diagonals


def _check_rank2(x: Any, name: str) -> None:
    if np.ndim(x) < 2:
        raise ValueError(f"For '{name}', the rank of the input must be at least 2, but got "
                         f"shape {np.shape(x)}")


def matrix_band_part(x: Any, lower: Any, upper: Any) -> Any:
    """``x`` with the entries outside the band zeroed: ``lower`` diagonals below the
    main one and ``upper`` above are kept (a negative count keeps that whole triangle)."""
    _check_rank2(x, "matrix_band_part")
    rows, cols = np.shape(x)[-2:]
    below = np.arange(rows)[:, None] - np.arange(cols)[None, :]
    keep = np.logical_and(np.logical_or(lower < 0, below <= lower),
                          np.logical_or(upper < 0, -below <= upper))
    return np.where(keep, x, np.zeros((), x.dtype))


# ---------------------------------------------------------------------------- diagonals


def _diagonal_index(k: Any, name: str) -> int:
    """``k`` (an int, or a Tensor of one int) as a Python int; a band is refused."""
    if np.size(k) != 1:
        raise ValueError(f"For '{name}', only one diagonal is supported: give k as an int "
                         f"(a band of diagonals k=(low, high) is not; take them one at a "
                         f"time), but got k={k!r}")
    return int(np.reshape(np.asarray(k), ()))


def _compile_diagonal_index(k: Any, name: str) -> int:
    if isinstance(k, Var):
        raise AutodiffError(f"ops.{name}'s k decides the result's shape, so inside a "
                            "differentiated function it must be a Python int, not a Tensor",
                            builder.current().loc, hint=f"pass k as an int: ops.{name}(..., 1)")
    return _diagonal_index(k, name)


surface.FUNCTIONS[_diagonal_index] = _compile_diagonal_index
surface.USER_FUNCTIONS.add(_diagonal_index)  # tested with this module


def _placement(length: int, rows: int, cols: int, k: int) -> tuple:
    """0/1 matrices placing entry ``i`` of diagonal ``k`` at its row and at its column:
    ``(length, rows)`` and ``(length, cols)``."""
    at = np.arange(length)[:, None]
    row_of = (at + max(-k, 0) == np.arange(rows)[None, :]).astype(np.float32)
    col_of = (at + max(k, 0) == np.arange(cols)[None, :]).astype(np.float32)
    return row_of, col_of


def _place(diagonal: Any, row_of: Any, col_of: Any) -> Any:
    """The diagonal's values at their places of ``(..., rows, cols)`` matrices (zeros
    elsewhere)."""
    spread = np.expand_dims(diagonal, -1) * row_of.astype(diagonal.dtype)  # (..., L, rows)
    return np.matmul(np.swapaxes(spread, -1, -2), col_of.astype(diagonal.dtype))


def matrix_diag(x: Any, k: Any = 0, num_rows: int = -1, num_cols: int = -1,
                padding_value: Any = 0, align: str = "RIGHT_LEFT") -> Any:
    """Matrices with ``x``'s last axis as their diagonal ``k`` (``k > 0`` above the
    main one) and ``padding_value`` elsewhere: square, of the least size that fits, or
    ``num_rows`` by ``num_cols`` (one of them the least that fits, the other one given
    or the least)."""
    if np.ndim(x) < 1:
        raise ValueError("For 'matrix_diag', 'x' must have rank at least 1, but got a scalar")
    k = _diagonal_index(k, "matrix_diag")
    length = np.shape(x)[-1]
    least_rows, least_cols = length + max(-k, 0), length + max(k, 0)
    square = num_rows == -1 and num_cols == -1
    num_rows = length + abs(k) if square else least_rows if num_rows == -1 else num_rows
    num_cols = length + abs(k) if square else least_cols if num_cols == -1 else num_cols
    too_small = num_rows < least_rows or num_cols < least_cols
    if too_small or (num_rows != least_rows and num_cols != least_cols):
        raise ValueError(f"For 'matrix_diag', the number of rows or columns is not consistent "
                         f"with k={k} and a diagonal of {length}: got {num_rows} rows and "
                         f"{num_cols} columns, where at least {least_rows} and {least_cols}, "
                         "one of them exactly, fit")
    row_of, col_of = _placement(length, num_rows, num_cols, k)
    on = np.matmul(row_of.T, col_of) > 0
    padding = np.asarray(padding_value).astype(x.dtype)
    return np.where(on, _place(x, row_of, col_of), padding)


def matrix_diag_part(x: Any, k: Any, padding_value: Any, align: str = "RIGHT_LEFT") -> Any:
    """Diagonal ``k`` of each matrix of ``x`` (``k > 0`` above the main one), along a
    last axis of its length."""
    _check_rank2(x, "matrix_diag_part")
    k = _diagonal_index(k, "matrix_diag_part")
    rows, cols = np.shape(x)[-2:]
    if k <= -rows or k >= cols:
        raise ValueError(f"For 'matrix_diag_part', k must be in ({-rows}, {cols}) for "
                         f"matrices of shape {(rows, cols)}, but got {k}")
    return np.diagonal(x, offset=k, axis1=-2, axis2=-1)


def matrix_set_diag(x: Any, diagonal: Any, k: Any = 0, align: str = "RIGHT_LEFT") -> Any:
    """``x`` with its diagonal ``k`` replaced by ``diagonal`` (shaped as
    ``matrix_diag_part`` gives it)."""
    _check_rank2(x, "matrix_set_diag")
    k = _diagonal_index(k, "matrix_set_diag")
    rows, cols = np.shape(x)[-2:]
    length = min(rows + min(k, 0), cols - max(k, 0))
    expected = (*np.shape(x)[:-2], length)
    if length <= 0 or tuple(np.shape(diagonal)) != expected:
        raise ValueError(f"For 'matrix_set_diag', diagonal {k} of 'x' of shape "
                         f"{np.shape(x)} needs 'diagonal' of shape {expected}, but got "
                         f"{np.shape(diagonal)}")
    row_of, col_of = _placement(length, rows, cols, k)
    on = np.matmul(row_of.T, col_of) > 0
    return np.where(on, _place(diagonal, row_of, col_of), x)

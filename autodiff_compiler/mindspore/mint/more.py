"""More of ``mint``: PyTorch's signatures over ``ops`` (``index_add(input, dim, index,
source, *, alpha)``, ``cummax(input, dim)``, ``kthvalue(input, k, dim, keepdim)``,
``triangular_solve(b, A, upper, transpose, unitriangular)``...), the comparisons that
give a Python ``bool`` (``allclose``, ``equal``) and ``item``.

As measured on MindSpore 2.10 (``tests/mint_more_cases.py``): ``cummax`` and ``cummin``
give the last place of a tie and int64 indices; ``divide`` of integers with
``rounding_mode="trunc"`` stays integer; ``imag`` of a real Tensor is zeros.
``index_add`` returns a new Tensor and leaves ``input`` as it was, as ``mint``
documents (MindSpore 2.10's CPU kernel writes into ``input`` too). ``empty`` and
``empty_like`` give zeros (MindSpore's contents are whatever the memory held);
``multinomial`` draws from NumPy's global random state, int64, without replacement
unless told.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops, ops_random
from ..dtype import float32
from ..ops import (  # re-exported (in __all__): the same names and signatures
    addbmm,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    divide,
    dstack,
    erfinv,
    gcd,
    histc,
    hstack,
    imag,
    polar,
    real,
    searchsorted,
    unique_consecutive,
)
from ..tensor import Tensor

__all__ = ["addbmm", "allclose", "bitwise_and", "bitwise_not", "bitwise_or", "bitwise_xor",
           "cummax", "cummin", "divide", "dstack", "empty", "empty_like", "equal", "erfinv",
           "fix", "gcd", "histc", "hstack", "imag", "index_add", "inverse", "item", "kthvalue",
           "multinomial", "polar", "real", "searchsorted", "triangular_solve",
           "unique_consecutive", "vdot"]


# ---------------------------------------------------------------------------- elementwise


def bitwise_not(input: Any) -> Any:  # noqa: A002 (mint's names)
    """``~input``: each bit flipped (for bools, logical not)."""
    return np.invert(input)


def fix(input: Any) -> Any:  # noqa: A002
    """Rounded toward zero (``mint.trunc``'s other name)."""
    return ops.trunc(input)


def inverse(input: Any) -> Any:  # noqa: A002
    """The inverse of each matrix in the last two axes."""
    return np.linalg.inv(input)


def vdot(input: Any, other: Any) -> Any:  # noqa: A002
    """The dot product of two vectors, ``input`` conjugated."""
    if np.ndim(input) != 1 or np.ndim(other) != 1:
        raise ValueError(f"For 'vdot', both inputs must be 1-d, but got shapes "
                         f"{np.shape(input)} and {np.shape(other)}")
    return np.sum(np.conj(input) * other)


# ---------------------------------------------------------------------------- comparisons


def allclose(input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """Whether ``|input - other| <= atol + rtol * |other|`` everywhere (a Python bool)."""
    return bool(np.all(ops.isclose(input, other, rtol, atol, equal_nan)))


def equal(input: Any, other: Any) -> bool:  # noqa: A002
    """Whether the two have one shape and equal entries (a Python bool)."""
    return bool(np.array_equal(input, other))


def item(input: Any) -> Any:  # noqa: A002
    """The one entry of ``input`` as a Python number."""
    if np.size(input) != 1:
        raise RuntimeError(f"a Tensor with {np.size(input)} elements cannot be converted to "
                           "Scalar")
    return np.asarray(input).item()


# ---------------------------------------------------------------------------- along a dim


def cummax(input: Any, dim: int) -> tuple:  # noqa: A002
    """``(values, indices)``: the maximum so far along ``dim`` and the last place it
    occurs (int64)."""
    return ops.cummax(input, dim)


def cummin(input: Any, dim: int) -> tuple:  # noqa: A002
    """``(values, indices)``: the minimum so far and its last place (int64)."""
    values, index = ops.cummin(input, dim)
    return values, index.astype(np.int64)


def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> tuple:  # noqa: A002
    """``(values, indices)``: the ``k``-th smallest entry along ``dim`` (counted from 1)
    and its place (int64; of ties, the ``k``-th in a stable sort)."""
    n = np.shape(input)[dim] if np.ndim(input) else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"For 'kthvalue', 'k' must be in [1, {n}], but got {k}")
    order = np.argsort(input, axis=dim, kind="stable")
    place = np.take(order, [k - 1], axis=dim)
    values = np.take_along_axis(input, place, axis=dim)
    if not keepdim:
        values, place = np.squeeze(values, axis=dim), np.squeeze(place, axis=dim)
    return values, place.astype(np.int64)


def index_add(input: Any, dim: int, index: Any, source: Any, *,  # noqa: A002
              alpha: Any = 1) -> Any:
    """A new Tensor: ``input`` with ``alpha * source``'s slices along ``dim`` added at
    the places ``index`` (a vector, int32 or int64) gives, repeats accumulating."""
    rank = np.ndim(input)
    dim = dim % rank
    shape = [1] * rank
    shape[dim] = -1
    at = np.broadcast_to(np.reshape(index, tuple(shape)), np.shape(source))
    added = source if alpha == 1 else source * alpha
    return ops.tensor_scatter_elements(input, at, added, dim, "add")


# ---------------------------------------------------------------------------- linear algebra


def triangular_solve(b: Any, A: Any, upper: bool = True, transpose: bool = False,  # noqa: N803
                     unitriangular: bool = False) -> tuple:
    """``(X, A)``: ``X`` solving ``op(T) X = b`` for ``T`` the upper (or lower) triangle
    of ``A`` (its diagonal taken as ones if ``unitriangular``), ``op`` the transpose if
    asked; stacks of matrices broadcast."""
    t = np.triu(A) if upper else np.tril(A)
    if unitriangular:
        eye = np.eye(np.shape(A)[-1], dtype=np.asarray(A).dtype)
        t = t * (1 - eye) + eye
    if transpose:
        t = np.swapaxes(t, -1, -2)
    return np.linalg.solve(t, b), np.copy(A)


# ---------------------------------------------------------------------------- creation, draws


def empty(*size: Any, dtype: Any = None, device: Any = None, pin_memory: bool = False) -> Tensor:
    """A Tensor of shape ``size`` (ints, or one tuple or list), float32 unless
    ``dtype``: zeros (MindSpore leaves its contents undefined)."""
    shape = tuple(size[0]) if len(size) == 1 and isinstance(size[0], tuple | list) else size
    return Tensor(np.zeros(shape, dtype=float32 if dtype is None else dtype))


def empty_like(input: Any, *, dtype: Any = None, device: Any = None,  # noqa: A002
               pin_memory: bool = False) -> Tensor:
    """Zeros of ``input``'s shape, in its dtype unless ``dtype``."""
    return Tensor(np.zeros(np.shape(input),
                           dtype=np.asarray(input).dtype if dtype is None else dtype))


def multinomial(input: Any, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: Any = None) -> Tensor:
    """``num_samples`` class indices for each row of ``input`` (1-d or 2-d), drawn with
    probabilities proportional to its entries (int64), each class at most once unless
    ``replacement``."""
    if generator is not None:
        raise NotImplementedError("a mint generator is not supported; seed NumPy's global "
                                  "random state with set_seed instead")
    drawn = ops_random.multinomial(input, num_samples, replacement)
    return Tensor(np.asarray(drawn).astype(np.int64))

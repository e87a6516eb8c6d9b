"""Batching rules of products, linear algebra and indexing (see ``batching``).

Products are rewritten as ``einsum`` with one more letter for the batch axis (or, for
``@``, given operands of equal per-example rank so its broadcasting runs over the batch);
``np.linalg`` already maps over leading axes; an index gets a full slice over the batch
axis in front, where NumPy then keeps that axis first.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Var
from . import control as C
from . import decompositions as D
from . import eigen as EIG
from . import elementwise as E
from . import hermitian as HERM
from . import indexing as I
from . import inverses as INV
from . import linalg as L
from . import windows as W
from .batching import (
    NotBatchableError,
    S,
    _all_batched,
    _same,
    _shift,
    broadcast_batch,
    elementwise_rule,
    example_shape,
    lift,
    rank,
)
from .core import defbatch

for _prim in (INV.inv, INV.det, INV.adjugate, INV.cholesky, HERM.eigvalsh, D.svdvals, D.pinv,
              EIG.eigvals):
    defbatch(_prim, _same(_prim, at_least=2))




def _solve(size, dims, a, b):
    """``np.linalg.solve`` broadcasts stacks of matrices; a right-hand side that is one
    vector per example becomes a column (NumPy reads a 2-D ``b`` as matrices)."""
    if rank(a, dims[0]) != 2 or rank(b, dims[1]) not in (1, 2):
        raise NotBatchableError
    if rank(b, dims[1]) == 2:
        return INV.solve(a, b)
    column = S.expand_dims(b, -1)
    out = INV.solve(a, column)
    return S.squeeze(out, axis=-1) if dims[1] or dims[0] else out


def _multi(prim: Any) -> Any:
    def rule(size, dims, x, **params):
        if rank(x, True) < 2:
            raise NotBatchableError
        return prim(x, **params)
    return rule


defbatch(INV.solve, _solve)
for _prim in (INV.slogdet, HERM.eigh, D.svd, D.qr, EIG.eig):
    defbatch(_prim, _multi(_prim))


# ---------------------------------------------------------------------------- products


def _matmul(size, dims, x, y):
    """Vectors become matrices (a unit axis squeezed after), then both operands get
    the same per-example rank so ``@`` broadcasts their leading axes as per example."""
    rx, ry = rank(x, dims[0]), rank(y, dims[1])
    if rx == 0 or ry == 0:
        raise NotBatchableError
    if (dims == (True, False) and rx == 1 and ry == 2) or (not dims[1] and ry == 1):
        return L.matmul(x, y)  # rows of vectors times a matrix; matrices times a vector
    if dims == (False, True) and rx == 2 and ry == 1:
        return L.matmul(y, S.T(x))  # a matrix times each vector: the rows times its transpose
    squeeze = []
    if rx == 1:
        x = S.expand_dims(x, 1 if dims[0] else 0)
        rx, squeeze = 2, [-2]
    if ry == 1:
        y = S.expand_dims(y, -1)
        ry, squeeze = 2, [*squeeze, -1]
    top = max(rx, ry)
    x = lift(x, top) if dims[0] else x
    y = lift(y, top) if dims[1] else y
    out = L.matmul(x, y)
    return S.squeeze(out, axis=tuple(squeeze)) if squeeze else out


def _outer(size, dims, a, b):
    a = S.reshape(a, (size, -1, 1) if dims[0] else (-1, 1))
    b = S.reshape(b, (size, 1, -1) if dims[1] else (1, -1))
    return E.mul(a, b)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"


def _einsum(size, dims, subscripts, *operands):
    """A fresh letter (``Z``) for the batch axis, on batched operands and the result."""
    if dims[0] or not isinstance(subscripts, str) or "..." in subscripts or \
            "->" not in subscripts or "Z" in subscripts:
        raise NotBatchableError
    ins, out = subscripts.split("->")
    specs = ins.split(",")
    specs = ["Z" + s if d else s for s, d in zip(specs, dims[1:])]
    return L.einsum(",".join(specs) + "->Z" + out, *operands)


def _contraction(size, dims, a, b, left: str, right: str, out: str):
    return _einsum(size, (False, *dims), f"{left},{right}->{out}", a, b)


def _dot(size, dims, a, b):
    ra, rb = rank(a, dims[0]), rank(b, dims[1])
    if ra == 0 or rb == 0:
        return elementwise_rule(E.mul)(size, dims, a, b)
    la = _LETTERS[:ra]
    lb = _LETTERS[ra:ra + rb]
    lb = la[-1] if rb == 1 else lb[:-2] + la[-1] + lb[-1]
    out = la[:-1] + "".join(c for c in lb if c != la[-1])
    return _contraction(size, dims, a, b, la, lb, out)


def _inner(size, dims, a, b):
    ra, rb = rank(a, dims[0]), rank(b, dims[1])
    if ra == 0 or rb == 0:
        return elementwise_rule(E.mul)(size, dims, a, b)
    la, lb = _LETTERS[:ra], _LETTERS[ra:ra + rb - 1] + _LETTERS[ra - 1]
    return _contraction(size, dims, a, b, la, lb, la[:-1] + lb[:-1])


def _tensordot(size, dims, a, b, axes=2):
    ra, rb = rank(a, dims[0]), rank(b, dims[1])
    if isinstance(axes, int | np.integer):
        axes_a, axes_b = list(range(ra - axes, ra)), list(range(axes))
    else:
        axes_a, axes_b = axes
        axes_a = [axes_a] if isinstance(axes_a, int | np.integer) else list(axes_a)
        axes_b = [axes_b] if isinstance(axes_b, int | np.integer) else list(axes_b)
        axes_a, axes_b = [x % ra for x in axes_a], [x % rb for x in axes_b]
    la = list(_LETTERS[:ra])
    lb = list(_LETTERS[ra:ra + rb])
    for i, j in zip(axes_a, axes_b):
        lb[j] = la[i]
    out = [c for i, c in enumerate(la) if i not in axes_a] + \
        [c for j, c in enumerate(lb) if j not in axes_b]
    return _contraction(size, dims, a, b, "".join(la), "".join(lb), "".join(out))


def _vdot(size, dims, a, b):
    a = S.reshape(a, (size, -1) if dims[0] else (-1,))
    b = S.reshape(b, (size, -1) if dims[1] else (-1,))
    if a.aval.dtype is None or a.aval.dtype.kind == "c":  # (known only at run time: a
        a = E.conj(a)  # complex one among the examples, fuzz seed 640051)
    return _contraction(size, dims, a, b, "i", "i", "")


for _prim, _rule in [(L.matmul, _matmul), (L.outer, _outer), (L.einsum, _einsum),
                     (L.dot, _dot), (L.inner, _inner), (L.tensordot, _tensordot),
                     (L.vdot, _vdot)]:
    defbatch(_prim, _rule)

# ---------------------------------------------------------------------------- indexing


def _index_parts(index: Any) -> tuple:
    return index if isinstance(index, tuple) else (index,)


def _is_advanced(part: Any) -> bool:
    if isinstance(part, Var):
        return part.aval.dtype is None or part.aval.dtype.kind in "iub"
    return isinstance(part, int | np.integer | np.ndarray | list | bool | np.bool_)


def _batched_index(parts: tuple) -> tuple:
    """``parts`` behind a full slice over the batch axis, when that keeps the batch
    axis first: NumPy moves the axes of separated array indices to the front."""
    arrays = [i for i, p in enumerate(parts) if _is_advanced(p)
              and not (isinstance(p, int | np.integer) or
                       (isinstance(p, Var) and p.aval.ndim == 0))]
    advanced = [i for i, p in enumerate(parts) if _is_advanced(p)]
    if arrays and advanced != list(range(advanced[0], advanced[-1] + 1)):
        raise NotBatchableError
    if any(isinstance(p, Var) and p.aval.dtype is None for p in parts):
        raise NotBatchableError
    return (slice(None), *parts)


def _getitem(size, dims, x, index):
    if dims[1]:
        raise NotBatchableError
    return I.getitem(x, _batched_index(_index_parts(index)))


def _gather(size, dims, x, *parts):
    if not dims[0] and len(parts) == 1 and dims[1] and isinstance(parts[0], Var) and \
            parts[0].aval.dtype is not None and parts[0].aval.dtype.kind in "iu":
        return I.gather(x, parts[0])  # one batched array of row numbers
    if any(dims[1:]):
        raise NotBatchableError
    return I.gather(x, *_batched_index(parts))


def _written_shape(x: Any, parts: tuple) -> int:
    """The per-example rank of ``x[parts]`` for a static index."""
    shape = example_shape(x, True)
    try:
        return np.empty(shape)[parts].ndim
    except Exception:
        raise NotBatchableError from None


def _index_write(prim: Any, by_parts: Any) -> Any:
    """The rule of ``prim(x, index, v)``; an integer known at run time (a loop's step)
    indexes every example's row through ``by_parts`` (``gather_update``, ``gather_add``)."""
    def rule(size, dims, x, index, v):
        if dims[1]:
            raise NotBatchableError
        x = x if dims[0] else S.copy(broadcast_batch(x, size))
        if isinstance(index, Var):
            if index.aval.ndim != 0 or index.aval.dtype is None \
                    or index.aval.dtype.kind not in "iu":
                raise NotBatchableError
            v = lift(v, rank(x, True) - 1) if dims[2] else v
            return by_parts(x, v, slice(None), index)
        parts = _index_parts(index)
        if dims[2]:
            v = lift(v, _written_shape(x, parts))
        return prim(x, _batched_index(parts), v)
    return rule


def _gather_write(prim: Any) -> Any:
    def rule(size, dims, x, v, *parts):
        if any(dims[2:]):
            raise NotBatchableError
        x = x if dims[0] else S.copy(broadcast_batch(x, size))
        if dims[1]:
            if any(isinstance(p, Var) for p in parts):
                raise NotBatchableError
            v = lift(v, _written_shape(x, parts))
        return prim(x, v, *_batched_index(parts))
    return rule


def _window(size, dims, x, start, **params):
    """The same window of every example (a loop's index is the batch's own)."""
    if dims[1]:
        raise NotBatchableError
    return W.window(x, start, length=params["length"], axis=params["axis"] + 1)


def _window_write(prim: Any) -> Any:
    """``window_add``'s and ``window_update``'s rule (and their in-place forms', which
    batch to these)."""
    def rule(size, dims, x, v, start, **params):
        if dims[2]:
            raise NotBatchableError
        x = x if dims[0] else S.copy(broadcast_batch(x, size))
        v = lift(v, rank(x, True)) if dims[1] else v
        return prim(x, v, start, length=params["length"], axis=params["axis"] + 1)
    return rule


def _along_axis(prim: Any) -> Any:
    def rule(size, dims, *args, axis):
        if axis is None:
            raise NotBatchableError
        args = _all_batched(size, dims, args)
        return prim(*args, axis=_shift(axis))
    return rule


for _prim, _rule in [(I.getitem, _getitem), (I.gather, _gather),
                     (I.index_update, _index_write(I.index_update, I.gather_update)),
                     (I.index_add, _index_write(I.index_add, I.gather_add)),
                     (C.index_add_into, _index_write(I.index_add, I.gather_add)),
                     (C.index_update_into, _index_write(I.index_update, I.gather_update)),
                     (I.gather_update, _gather_write(I.gather_update)),
                     (I.gather_add, _gather_write(I.gather_add)),
                     (I.take_along_axis, _along_axis(I.take_along_axis)),
                     (I.add_along_axis, _along_axis(I.add_along_axis)),
                     (W.window, _window), (W.window_add, _window_write(W.window_add)),
                     (W.window_add_into, _window_write(W.window_add)),
                     (W.window_update, _window_write(W.window_update)),
                     (W.window_update_into, _window_write(W.window_update))]:
    defbatch(_prim, _rule)

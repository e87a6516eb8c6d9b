"""What the dask backend's generated code runs in: ``da`` (dask.array), ``np`` (for
NumPy scalars, dtypes and the ufuncs dask arrays dispatch lazily), ``math``, and the
runtime helpers of ``ir.reference`` that stay lazy on dask arrays.

The reference helpers are written with NumPy functions that dask arrays take over
through ``__array_function__``/``__array_ufunc__`` (``np.sum``, ``np.swapaxes``,
``np.tensordot``, ``@``...), so on a dask array they build graph and compute nothing;
on NumPy arrays they are the reference itself. The ones that write into an array
(``sigmoid``'s ``out=``, the scatter-adds' ``np.add.at``) are not lazy: ``sigmoid`` is
mapped over blocks here, the others are refused at compile time (``refusals``).
"""
from __future__ import annotations

import math
from typing import Any

import dask.array as da
import numpy as np

from ...ir import reference
from ..numpy.runtime import EXTENSIONS, SCIPY

# The reference helpers that build only graph on dask arrays (checked by a test that
# calls each on dask arrays with computing forbidden).
LAZY_HELPERS = ("unbroadcast", "keepdims_like", "untile", "unpad", "concatenate", "stack", "hstack",
                "concat_part", "undiag", "matmul_vjp_x", "matmul_vjp_y", "dot_vjp_a",
                "dot_vjp_b", "tensordot_vjp_a", "tensordot_vjp_b", "as_columns",
                "from_columns", "zeros_like_tape", "reversed_tape", "add_tapes",
                "match_complex", "gather", "window")


def sigmoid(x: Any) -> Any:
    """``reference.sigmoid`` block by block: the same values, with no write into the
    dask array (the reference works in place on its own fresh ``-x``)."""
    if not isinstance(x, da.Array):
        return reference.sigmoid(x)
    dtype = reference.sigmoid(np.zeros(1, x.dtype)).dtype
    return x.map_blocks(reference.sigmoid, dtype=dtype)


def index_add(x: Any, index: Any, v: Any) -> Any:
    """``reference.index_add`` at a basic index (``refusals`` lets no other through): a
    copy of ``x`` with ``x[index] + v`` written there by dask's lazy item assignment.
    A basic index names each entry once, so the write adds what ``np.add.at`` adds."""
    if not isinstance(x, da.Array) and not isinstance(v, da.Array):
        return reference.index_add(x, index, v)
    out = da.asarray(x).copy()
    index, v = _without_new_axes(out, index, v)
    if out[index].size:  # (dask refuses writing nothing: an empty window, x[i - 2:i] at 0)
        out[index] = out[index] + v
    return out


def index_update(x: Any, index: Any, v: Any) -> Any:
    """``reference.index_update`` at a basic index: ``x[index] = v`` into a lazy copy."""
    if not isinstance(x, da.Array) and not isinstance(v, da.Array):
        return reference.index_update(x, index, v)
    out = da.asarray(x).copy()
    index, v = _without_new_axes(out, index, v)
    if out[index].size:
        out[index] = v
    return out


def gather_add(x: Any, v: Any, *index: Any) -> Any:
    return index_add(x, index, v)


def gather_update(x: Any, v: Any, *index: Any) -> Any:
    return index_update(x, index, v)


def window_add(x: Any, v: Any, start: Any, length: int, axis: int) -> Any:
    return index_add(x, (slice(None),) * axis + (slice(start, start + length),), v)


def window_update(x: Any, v: Any, start: Any, length: int, axis: int) -> Any:
    return index_update(x, (slice(None),) * axis + (slice(start, start + length),), v)


def _without_new_axes(x: Any, index: Any, v: Any) -> tuple[Any, Any]:
    """``index`` without its ``None`` parts, and ``v`` without the unit axes they make
    in ``x[index]`` (dask's item assignment takes no new axes)."""
    parts = index if isinstance(index, tuple) else (index,)
    if not any(p is None for p in parts):
        return index, v
    v = da.broadcast_to(v, x[index].shape)
    named = sum(p is not None and p is not Ellipsis for p in parts)
    new_axes, axis = [], 0
    for p in parts:
        if p is None:
            new_axes.append(axis)
        if p is Ellipsis:
            axis += x.ndim - named
        elif not isinstance(p, int | np.integer):  # a slice or None makes an axis
            axis += 1
    return tuple(p for p in parts if p is not None), da.squeeze(v, axis=tuple(new_axes))


def pad(x: Any, pad_width: Any, constant_values: Any = 0) -> Any:
    """``np.pad`` in mode ``constant``: NumPy's spellings of the widths (``((2,),)``, one
    pair for every axis) as a pair per axis, which is what ``da.pad`` takes."""
    widths = np.broadcast_to(np.asarray(pad_width), (np.ndim(x), 2))
    return da.pad(x, tuple((int(lo), int(hi)) for lo, hi in widths),
                  constant_values=constant_values)


def cholesky(a: Any) -> Any:
    """``np.linalg.cholesky``: the lower factor (dask's default is the upper one)."""
    return da.linalg.cholesky(a, lower=True)


def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A002
    """``np.linalg.norm``: of every value of an array of any rank when neither ``ord``
    nor ``axis`` is given (``da.linalg.norm`` then takes at most two axes)."""
    if ord is None and axis is None and getattr(x, "ndim", 0) > 2:
        out = da.sqrt(da.sum(abs(x) ** 2))
        return da.reshape(out, (1,) * x.ndim) if keepdims else out
    return da.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)


_EYE_CHUNK = 2048  # the largest side of an identity's square chunks


def eye(n: int, m: int | None = None, k: int = 0, dtype: Any = float) -> Any:
    """``np.eye``, whose second operand is the column count (``da.eye``'s is
    ``chunks``): a size computed at run time reaches it positionally. Square chunks no
    larger than either side: ``da.eye`` loses blocks of a wide matrix whose one chunk
    is taller than the matrix (dask 2026.8)."""
    n, m = int(n), int(n if m is None else m)
    return da.eye(n, M=m, k=k, dtype=dtype, chunks=max(1, min(n, m, _EYE_CHUNK)))


def reshape(a: Any, shape: Any) -> Any:
    """``np.reshape``, whose shape may be one int (``da.reshape`` takes tuples only).
    Dask reshapes only chunks that merge or split evenly: otherwise the axes after the
    first are made whole chunks first (rows stay where they are), then all of them.
    A NumPy value (a number, a seed) is reshaped by NumPy: ``da.reshape`` reads chunks."""
    shape = (shape,) if isinstance(shape, int | np.integer) else shape
    if not isinstance(a, da.Array):
        return np.reshape(a, shape)
    for chunks in ({axis: -1 for axis in range(1, a.ndim)}, -1):
        try:
            return da.reshape(a, shape)
        except NotImplementedError:
            a = a.rechunk(chunks)
    return da.reshape(a, shape)


def polygamma(n: Any, x: Any) -> Any:
    """``scipy.special.polygamma``, a Python function over ufuncs that makes NumPy
    arrays of its operands (computing a dask one): applied block by block instead."""
    special = SCIPY.special
    if not isinstance(n, da.Array) and not isinstance(x, da.Array):
        return special.polygamma(n, x)
    return da.core.elemwise(special.polygamma, n, x, dtype=np.result_type(float, x))


NAMESPACE: dict[str, Any] = {"np": np, "da": da, "math": math, "scipy": SCIPY, "ext": EXTENSIONS,
                             "slice": slice, "sigmoid": sigmoid, "cholesky": cholesky, "norm": norm,
                             "reshape": reshape, "eye": eye, "polygamma": polygamma,
                             "index_add": index_add, "index_update": index_update,
                             "gather_add": gather_add, "gather_update": gather_update,
                             "window_add": window_add, "window_update": window_update,
                             "pad": pad}
NAMESPACE.update((name, getattr(reference, name)) for name in LAZY_HELPERS)

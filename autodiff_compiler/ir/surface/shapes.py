"""The NumPy surface, continued: shapes, joining and splitting, indexing.

Builders for functions that rearrange arrays (``surface`` holds the registry and the
elementwise functions and reductions; see its docstring).
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var, ndim_of, shape_known
from . import (
    Builder,
    CompileTimeError,
    UnsupportedArgumentError,
    _ranks,
    _static,
    _unsupported,
    register,
)

# ---------------------------------------------------------------------------- shapes


def _reshape(a, *shape, order="C", **kw):
    shape = kw.get("shape", shape[0] if len(shape) == 1 else shape)
    order = _static(order, "order")
    if order == "F":  # Fortran order is C order on the reversed axes
        dims = (shape,) if isinstance(shape, int) else _static(shape, "shape")
        return P.T(P.reshape(P.T(a), tuple(reversed(dims))))
    if order != "C":
        raise UnsupportedArgumentError(f"reshape(..., order={order!r}) is not supported yet")
    return P.reshape(a, shape)


def _transpose(a, *listed, axes=None):
    axes = axes if axes is not None else listed[0] if len(listed) == 1 else (listed or None)
    axes = _static(axes, "axes")
    return P.T(a) if axes is None else P.transpose(a, axes=axes)


def _ravel(a, order="C", *, start_dim=0, end_dim=-1):
    """``np.ravel``; as ``x.flatten(start_dim=, end_dim=)`` (MindSpore's, PyTorch's) the
    axes from ``start_dim`` to ``end_dim`` merged into one."""
    order = _static(order, "order")
    if order not in ("C", "F"):
        raise UnsupportedArgumentError(f"ravel(order={order!r}) is not supported yet")
    start, end = _static(start_dim, "start_dim"), _static(end_dim, "end_dim")
    if (start, end) != (0, -1):
        shape = shape_known(a)
        if shape is None:
            raise UnsupportedArgumentError("flatten(start_dim=, end_dim=) of an array whose "
                                           "rank is known at run time only")
        rank = max(len(shape), 1)
        first, last = start % rank, end % rank
        return P.reshape(a, (*shape[:first], -1, *shape[last + 1:]))
    return P.reshape(P.T(a) if order == "F" else a, -1)


def _flatten(a, order="C", *, start_dim=0, end_dim=-1):
    """``x.flatten()``: as ``np.ravel``, into a new array (a view of ``x`` would see a
    later write into it, and NumPy's copy does not)."""
    return P.copy(_ravel(a, order, start_dim=start_dim, end_dim=end_dim))


def _squeeze(a, axis=None):
    return P.squeeze(a, axis=_static(axis, "axis"))


def _moveaxis(a, source, destination):
    return P.moveaxis(a, _static(source, "source"), _static(destination, "destination"))


def _flip(axis):
    return lambda m: P.flip(m, axis=axis)


def _roll(a, shift, axis=None):
    return P.roll(a, _static(shift, "shift"), axis=_static(axis, "axis"))


def _tile(a, reps):
    return P.tile(a, _static(reps, "reps"))


def _repeat(a, repeats, axis=None):
    repeats = repeats if isinstance(repeats, Var) else _static(repeats, "repeats")
    axis = _static(axis, "axis")
    if axis is not None and ndim_of(a) == 0:  # NumPy repeats a 0-d value as (1,)
        a = P.reshape(a, (1,))
    return P.repeat(a, repeats, axis=axis)


def _diag(v, k=0):
    return P.diag(v, k=_static(k, "k"))


def _triangle(prim: P.Primitive) -> Builder:
    """``np.triu``/``np.tril``; of a vector, of the square NumPy broadcasts it to (every
    backend then sees a matrix, as the array API requires, and the broadcast's adjoint
    sums the rows back)."""
    def build(m, k=0):
        shape = shape_known(m)
        if shape is not None and len(shape) == 1:
            m = P.broadcast_to(m, (shape[0], shape[0]))
        return prim(m, k=_static(k, "k"))
    return build


def _meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """One array per vector, each laid along its own axis of the grid (the first two
    axes swapped for ``indexing="xy"``) and, unless ``sparse``, broadcast to it."""
    indexing, sparse = _static(indexing, "indexing"), _static(sparse, "sparse")
    if indexing not in ("xy", "ij"):
        raise ValueError("Valid values for `indexing` are 'xy' and 'ij'.")
    vectors = [P.reshape(x, -1) for x in xi]
    axes = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) > 1:
        axes[0], axes[1] = 1, 0
    lengths = [None] * len(vectors)
    for axis, vector in zip(axes, vectors):
        lengths[axis] = P.dim_of(vector, 0)
    grids = [P.reshape(v, tuple(-1 if i == axis else 1 for i in range(len(vectors))))
             for axis, v in zip(axes, vectors)]
    return grids if sparse else [P.broadcast_to(g, tuple(lengths)) for g in grids]


def _sort(a, axis=-1, kind=None, order=None, *, stable=None):
    _unsupported("sort", order=order)
    if axis is None:
        return P.sort(P.reshape(a, -1), axis=0)
    return P.sort(a, axis=_static(axis, "axis"))


def _argsort(a, axis=-1, kind=None, order=None, *, stable=None):
    _unsupported("argsort", order=order)
    kind = "stable" if stable else kind
    if axis is None:
        return P.argsort(P.reshape(a, -1), axis=0, kind=kind)
    return P.argsort(a, axis=_static(axis, "axis"), kind=kind)


def _atleast(prim: P.Primitive, rank: int) -> Builder:
    def build(*arys):
        out = [a if (n := ndim_of(a)) is not None and n >= rank else prim(a) for a in arys]
        return out[0] if len(out) == 1 else out
    return build


register("shapes", _reshape, np.reshape, methods=("reshape",))
register("shapes", _transpose, np.transpose, methods=("transpose",))
register("shapes", lambda a: P.T(a), attributes=("T",))
register("shapes", lambda a: P.swapaxes(a, -1, -2), attributes=("mT",))  # NumPy 2's too
register("shapes", lambda a, axis1, axis2: P.swapaxes(a, axis1=axis1, axis2=axis2),
         np.swapaxes, methods=("swapaxes",))
register("shapes", _moveaxis, np.moveaxis)
register("shapes", lambda a, axis: P.expand_dims(a, axis=_static(axis, "axis")),
         np.expand_dims)
register("shapes", _squeeze, np.squeeze, methods=("squeeze",))
register("shapes", _ravel, np.ravel, methods=("ravel",))
register("shapes", _flatten, methods=("flatten",))
# ``x.flat[i]`` reads as ``np.ravel(x)[i]``; ``x.flat[i] = v`` writes x (``Scope``)
register("shapes", lambda a: _ravel(a), attributes=("flat",))
register("shapes", lambda a, shape: P.broadcast_to(a, shape), np.broadcast_to)
register("shapes", _atleast(P.atleast_1d, 1), np.atleast_1d)
register("shapes", _atleast(P.atleast_2d, 2), np.atleast_2d)
register("shapes", _atleast(P.atleast_3d, 3), np.atleast_3d)
register("shapes", lambda m, axis=None: P.flip(m, axis=_static(axis, "axis")), np.flip)
register("shapes", _flip(1), np.fliplr)
register("shapes", _flip(0), np.flipud)
register("shapes", _roll, np.roll)
register("shapes", _tile, np.tile)
register("shapes", _repeat, np.repeat, methods=("repeat",))
register("shapes", _diag, np.diag)
register("shapes", _meshgrid, np.meshgrid)
register("shapes", _triangle(P.triu), np.triu)
register("shapes", _triangle(P.tril), np.tril)
register("shapes", _sort, np.sort)
register("inactive", _argsort, np.argsort, methods=("argsort",))

# ---------------------------------------------------------------------------- joining, splitting
# Variadic primitives take the arrays as separate operands (``concatenate(a, b,
# axis=0)`` in generated code, a runtime helper over ``np.concatenate``).


def _arrays(arrays: Any, what: str) -> list[Any]:
    """The arrays a joining function is given: a list or tuple, or one array, whose rows
    NumPy iterates over (``np.stack(x)``, ``np.column_stack(x)``), where the number of
    rows is known when compiling."""
    if isinstance(arrays, Var):
        shape = shape_known(arrays)
        if shape is None or not shape or any(d is None for d in shape[:1]):
            raise CompileTimeError(f"{what} needs a list or tuple of arrays, not one array"
                                   + ("" if shape != () else " (a 0-d array has no rows)")
                                   + (" whose number of rows is unknown when compiling "
                                      "(shape-generic code): pass a list of its rows"
                                      if shape is None or (shape and shape[0] is None)
                                      else ""))
        return [P.getitem(arrays, i) for i in range(shape[0])]
    return list(arrays)


def _concatenate(arrays, axis=0, out=None, *, dtype=None, casting=None):
    _unsupported("concatenate", out=out, dtype=dtype)
    arrays = _arrays(arrays, "concatenate")
    if axis is None:
        return P.concatenate(*(P.reshape(a, -1) for a in arrays), axis=0)
    return P.concatenate(*arrays, axis=_static(axis, "axis"))


def _stack(arrays, axis=0, out=None, *, dtype=None, casting=None):
    _unsupported("stack", out=out, dtype=dtype)
    return P.stack(*_arrays(arrays, "stack"), axis=_static(axis, "axis"))


def _vstack(tup, *, dtype=None, casting=None):
    _unsupported("vstack", dtype=dtype)
    if isinstance(tup, Var):
        from .composed import stacked_rows
        return stacked_rows(tup, vertical=True)
    arrays = [_atleast(P.atleast_2d, 2)(a) for a in _arrays(tup, "vstack")]
    return P.concatenate(*arrays, axis=0)


def _hstack(tup, *, dtype=None, casting=None):
    _unsupported("hstack", dtype=dtype)
    if isinstance(tup, Var):
        from .composed import stacked_rows
        return stacked_rows(tup, vertical=False)
    arrays = _arrays(tup, "hstack")
    ranks = _ranks(arrays)
    if ranks is None:
        return P.hstack(*arrays)
    arrays = [_atleast(P.atleast_1d, 1)(a) for a in arrays]
    return P.concatenate(*arrays, axis=0 if max(ranks[0], 1) == 1 else 1)


def _splitter(uneven: bool, what: str) -> Builder:
    def build(ary, indices_or_sections, axis=0):
        axis = _static(axis, "axis")
        sections = indices_or_sections if isinstance(indices_or_sections, int) \
            else _static(indices_or_sections, "indices")
        bounds = P.split_bounds(P.dim_of(ary, axis), sections, uneven, what)
        return [P.getitem(ary, P.axis_index(axis, slice(lo, hi))) for lo, hi in bounds]
    return build


def _take(a, indices, axis=None, out=None, mode="raise"):
    """``np.take``; ``mode="wrap"`` takes indices modulo the length (periodic
    boundaries), ``"clip"`` clips them to it (a negative one to 0, as NumPy does)."""
    _unsupported("take", out=out)
    mode = _static(mode, "mode")
    if axis is None:
        a, axis = P.reshape(a, -1), 0
    axis = _static(axis, "axis")
    if mode in ("wrap", "clip"):
        indices = indices if isinstance(indices, Var) else np.asarray(indices)
        n = P.dim_of(a, axis)
        indices = P.mod(indices, n) if mode == "wrap" else P.clip(indices, 0, P.sub(n, 1))
    elif mode not in ("raise", None):
        raise UnsupportedArgumentError(f"np.take(..., mode={mode!r}): mode is 'raise', "
                                       "'wrap' or 'clip'")
    return P.getitem(a, P.axis_index(axis, indices))


register("shapes", _concatenate, np.concatenate)
register("shapes", _stack, np.stack)
register("shapes", _vstack, np.vstack)
if hasattr(np, "row_stack"):  # np.vstack's old name (deprecated in NumPy 2.0)
    register("shapes", _vstack, np.row_stack)
register("shapes", _hstack, np.hstack)
register("shapes", _splitter(False, "np.split"), np.split)
register("shapes", _splitter(True, "np.array_split"), np.array_split)
register("indexing", _take, np.take, methods=("take",))
register("indexing", lambda *bounds: slice(*bounds), builtins.slice)  # bounds may be runtime
register("indexing", lambda arr, indices, axis=-1: P.take_along_axis(arr, indices, axis=axis),
         np.take_along_axis)

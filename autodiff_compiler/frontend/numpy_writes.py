"""NumPy calls made for what they write into an array: ``np.copyto``,
``np.fill_diagonal``, ``np.putmask``, ``np.place``, ``np.put``, ``np.put_along_axis``, a
ufunc given ``out=`` (also inside an expression, where its value is the array written),
and the methods ``y.fill(v)`` and ``y.sort()``.

Each is the assignment ``y[...] = new`` it amounts to, so it is lowered as one: the
value NumPy leaves in ``y`` is computed by NumPy code (the functions ending in
``_left``, compiled from their source as the user's code is, so their gradients follow
from the operations), and ``y`` takes it as ``y[i] = v`` would: only an array the
function made itself (the caller's is never written), every other name for it seeing
the new values. ``syntax`` dispatches here.
"""
from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..ir import primitives as P
from ..ir.core import Var
from .aliasing import check_subscript_write, root_name
from .calls import apply_builder, call_value, has_var
from .scope import Scope

_METHODS = ("fill", "sort")  # array methods that write into their array


# ---------------------------------------------------------------------------- the values left


def copyto_left(dst: Any, src: Any) -> Any:
    """``np.copyto(dst, src)``: ``src`` broadcast to ``dst``'s shape, in its dtype."""
    return np.broadcast_to(src, np.shape(dst)).astype(dst.dtype)


def where_left(dst: Any, new: Any, where: Any) -> Any:
    """``np.copyto(dst, new, where=where)`` and ``ufunc(..., out=dst, where=where)``:
    ``new`` where ``where`` holds, ``dst``'s old value elsewhere, in its dtype and shape."""
    return np.where(where, np.broadcast_to(new, np.shape(dst)), dst).astype(dst.dtype)


def putmask_left(a: Any, mask: Any, values: Any) -> Any:
    """``np.putmask(a, mask, values)``: ``a.flat[n] = values.flat[n % values.size]``
    where ``mask.flat[n]``: the values repeated over ``a``'s positions."""
    return np.where(mask, np.resize(values, np.shape(a)), a).astype(a.dtype)


def place_left(arr: Any, mask: Any, vals: Any) -> Any:
    """``np.place(arr, mask, vals)``: the ``k``-th true entry of ``mask`` (in flat
    order) takes ``vals.flat[k % vals.size]``."""
    flat = np.ravel(vals)
    taken = np.cumsum(np.ravel(mask)) - 1  # which value each position would take
    repeated = np.reshape(flat[taken % np.size(flat)], np.shape(arr))
    return np.where(mask, repeated, arr).astype(arr.dtype)


def fill_left(a: Any, value: Any) -> Any:
    """``a.fill(value)``: every entry ``value``, in ``a``'s dtype."""
    return np.full(np.shape(a), value).astype(a.dtype)


def put_left(a: Any, ind: Any, v: Any, mode: str = "raise") -> Any:
    """``np.put(a, ind, v)``: ``a.flat[ind] = v``, the values repeated over the
    positions; ``mode='wrap'`` and ``'clip'`` bring a position out of range back in."""
    positions = np.ravel(ind)
    if mode == "wrap":
        positions = positions % np.size(a)
    elif mode == "clip":
        positions = np.clip(positions, 0, np.size(a) - 1)
    elif mode != "raise":
        raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {mode!r})")
    out = np.copy(a)
    out[_flat_positions(positions, a)] = np.resize(v, np.shape(positions))
    return out


def _flat_positions(positions: Any, a: Any) -> tuple:
    """The index of ``a`` at which ``a.flat[positions]`` lies (negative ones counted
    from the end; one out of range raises, as NumPy's ``raise`` mode does)."""
    positions = np.where(positions < 0, positions + np.size(a), positions)
    if np.any(positions < 0) or np.any(positions >= np.size(a)):
        raise IndexError(f"a position is out of bounds for an array of size {np.size(a)}")
    shape = np.shape(a)
    strides = [int(np.prod(shape[k + 1:])) for k in range(len(shape))]
    return tuple([positions // strides[k] % shape[k] for k in range(len(shape))])


def put_along_axis_left(arr: Any, indices: Any, values: Any, axis: Any) -> Any:
    """``np.put_along_axis``: ``values`` written at ``indices`` along ``axis``, the other
    axes' positions their own (``axis=None``: ``arr`` flattened)."""
    out = np.copy(arr)
    if axis is None:
        if np.ndim(indices) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        out[_flat_positions(indices, arr)] = values
        return out
    if np.ndim(indices) != np.ndim(arr):
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis = axis % np.ndim(arr)
    rank = np.ndim(arr)
    index = tuple([indices if k == axis else
                   np.reshape(np.arange(np.shape(arr)[k]),
                              (1,) * k + (np.shape(arr)[k],) + (1,) * (rank - k - 1))
                   for k in range(rank)])
    out[index] = values
    return out


def sort_left(a: Any, axis: int = -1, kind: Any = None) -> Any:
    """``a.sort(axis)``: ``a`` sorted along ``axis``."""
    return np.sort(a, axis=axis, kind=kind)


# ---------------------------------------------------------------------------- lowering


def write_by_method(scope: Scope, call: gast.Call) -> bool:
    """Lower ``y.fill(v)`` or ``y.sort(...)`` of an array ``y``; say whether it was."""
    func_node = call.func
    if not isinstance(func_node, gast.Attribute) or func_node.attr not in _METHODS:
        return False
    owner = scope.expr(func_node.value)
    if not isinstance(owner, Var):
        return False
    args, kwargs = _arguments(scope, call)
    left = fill_left if func_node.attr == "fill" else sort_left
    _write(scope, call, func_node.value, owner,
           call_value(scope, call, left, [owner, *args], kwargs), f".{func_node.attr}()")
    return True


def write_by_function(scope: Scope, call: gast.Call, func: Any) -> bool:
    """Lower ``call`` of ``func`` if it is one of the writes above; say whether it was."""
    if func is np.copyto:
        _copyto(scope, call)
    elif func is np.putmask or func is np.place:
        left = putmask_left if func is np.putmask else place_left
        target, (array, *args) = _destination(scope, call, func.__name__)
        _write(scope, call, target, array, call_value(scope, call, left, [array, *args], {}),
               f"np.{func.__name__}")
    elif func is np.fill_diagonal:
        _fill_diagonal(scope, call)
    elif func is np.put or func is np.put_along_axis:
        left = put_left if func is np.put else put_along_axis_left
        args, kwargs = _arguments(scope, call)
        first = "a" if func is np.put else "arr"
        target = call.args[0] if call.args else \
            next((k.value for k in call.keywords if k.arg == first), None)
        array = args[0] if args else kwargs.get(first)
        _write(scope, call, target, array, call_value(scope, call, left, args, kwargs),
               f"np.{func.__name__}")
    elif isinstance(func, np.ufunc) and any(k.arg == "out" for k in call.keywords):
        _ufunc_out(scope, call, func)
    else:
        return False
    return True


def _arguments(scope: Scope, call: gast.Call) -> tuple[list, dict]:
    if any(isinstance(a, gast.Starred) for a in call.args) or \
            any(k.arg is None for k in call.keywords):
        raise scope.error(call, "*args and **kwargs in a call that writes into an array",
                          hint="pass the arguments one by one")
    return [scope.expr(a) for a in call.args], {k.arg: scope.expr(k.value) for k in call.keywords}


def _destination(scope: Scope, call: gast.Call, what: str) -> tuple[gast.expr, list]:
    """The node written into (the first argument) and the arguments' values."""
    args, kwargs = _arguments(scope, call)
    if kwargs:
        raise scope.error(call, f"np.{what}(...) with keyword arguments",
                          hint="pass them by position, as NumPy's signature lists them")
    if len(args) != 3:
        raise scope.error(call, f"np.{what} takes 3 arguments, got {len(args)}")
    return call.args[0], args


def _copyto(scope: Scope, call: gast.Call) -> None:
    args, kwargs = _arguments(scope, call)
    names = ["dst", "src", "casting", "where"]
    given = dict(zip(names, args)) | kwargs
    if len(args) > 4 or set(given) - set(names) or not {"dst", "src"} <= set(given):
        raise scope.error(call, "np.copyto(dst, src, casting='same_kind', where=True) takes "
                                "dst and src, and casting and where as NumPy names them")
    dst, src = given["dst"], given["src"]
    target = call.args[0] if args else next(k.value for k in call.keywords if k.arg == "dst")
    casting = given.get("casting", "same_kind")
    if has_var(casting):
        raise scope.error(call, "np.copyto's casting must be known when compiling")
    src_dtype = src.aval.dtype if isinstance(src, Var) else np.asarray(src).dtype
    weak = not isinstance(src, Var | np.ndarray) or (isinstance(src, Var) and src.aval.weak)
    if isinstance(dst, Var) and dst.aval.dtype is not None and src_dtype is not None \
            and not weak and not np.can_cast(src_dtype, dst.aval.dtype, casting):
        raise scope.error(call, f"np.copyto cannot cast {src_dtype} into {dst.aval.dtype} "
                                f"with casting={casting!r}, as NumPy cannot",
                          hint=f"convert the source first: src.astype({dst.aval.dtype})")
    _write(scope, call, target, dst,
           _left(scope, call, dst, src, given.get("where", True), target), "np.copyto")


def _left(scope: Scope, call: gast.Call, dst: Any, new: Any, where: Any,
          target: gast.expr) -> Any:
    """What ``dst`` holds once ``new`` is written into it where ``where`` holds. A
    temporary written into a named array takes its name (``z = x * y`` for
    ``np.multiply(x, y, out=z)``)."""
    if isinstance(new, Var) and not new.hint and isinstance(target, gast.Name):
        new.hint = target.id
    if where is True:
        return call_value(scope, call, copyto_left, [dst, new], {})
    return call_value(scope, call, where_left, [dst, new, where], {})


def _fill_diagonal(scope: Scope, call: gast.Call) -> None:
    """The positions NumPy writes (``a.flat[:end:step]``) are known from ``a``'s shape,
    so the write is an indexed assignment of constant indices."""
    args, kwargs = _arguments(scope, call)
    given = dict(zip(["a", "val", "wrap"], args)) | kwargs
    array, value, wrap = given.get("a"), given.get("val"), given.get("wrap", False)
    if not isinstance(array, Var) or "val" not in given or has_var(wrap):
        raise scope.error(call, "np.fill_diagonal(a, val, wrap=False) writes into an array "
                                "the function made, wrap known when compiling")
    shape = array.aval.shape
    if shape is None or len(shape) < 2 or (len(shape) > 2 and len(set(shape)) != 1):
        raise scope.error(call, f"np.fill_diagonal needs an array of at least 2 dimensions, "
                                f"all of equal length beyond 2 (shape known when compiling), "
                                f"got {'an unknown shape' if shape is None else shape}")
    step = shape[1] + 1 if len(shape) == 2 else 1 + int(np.cumprod(shape[:-1]).sum())
    end = shape[1] * shape[1] if len(shape) == 2 and not wrap else None
    flat = np.arange(int(np.prod(shape)))[:end:step]
    index = tuple(np.unravel_index(flat, shape))
    values = value if not isinstance(value, Var | np.ndarray) or np.ndim(value) == 0 else \
        call_value(scope, call, np.resize, [value, len(flat)], {})
    updated = apply_builder(scope, call, P.setitem, [array, index, values], {},
                            "np.fill_diagonal")
    _write(scope, call, call.args[0], array, updated, "np.fill_diagonal")


def written_by_ufunc(scope: Scope, call: gast.Call, ufunc: np.ufunc) -> Any:
    """``w = np.exp(x, out=z)`` in an expression: the write into ``z``, and ``z``'s new
    value as the call's (NumPy returns the array written)."""
    return _ufunc_out(scope, call, ufunc)


def _ufunc_out(scope: Scope, call: gast.Call, ufunc: np.ufunc) -> Any:
    """``np.multiply(x, y, out=z)``: the call as if without ``out=``, written into ``z``;
    ``z``'s new value."""
    args, kwargs = _arguments(scope, call)
    out_node = next(k.value for k in call.keywords if k.arg == "out")
    out = kwargs.pop("out")
    if isinstance(out_node, gast.Tuple) and len(out_node.elts) == 1:
        out_node, out = out_node.elts[0], out[0]
    if ufunc.nout != 1 or isinstance(out_node, gast.Tuple):
        raise scope.error(call, f"np.{ufunc.__name__}(..., out=...) of a ufunc with "
                                f"{ufunc.nout} outputs", hint="assign its results instead")
    where = kwargs.pop("where", True)
    result = call_value(scope, call, ufunc, args, kwargs)
    updated = _left(scope, call, out, result, where, out_node)
    _write(scope, call, out_node, out, updated, f"np.{ufunc.__name__}(..., out=...)")
    return updated


def _write(scope: Scope, call: gast.Call, target: gast.expr, array: Any, updated: Any,
           what: str) -> None:
    """``target[...] = updated``, where ``array`` is what ``target`` holds."""
    if not isinstance(target, gast.Name | gast.Subscript) or not isinstance(array, Var):
        raise scope.error(call, f"{what} into something other than an array the function "
                                "made and named", hint="copy it first (y = np.zeros(...) or "
                                                       "y = x.copy()), then write into y")
    if isinstance(target, gast.Subscript) and scope.low.aliases.view_of(array) is None:
        return  # an advanced index gave NumPy a copy to write into: the array is unchanged
    if isinstance(target, gast.Name):  # a subscript is checked as ``y[i] = v`` is
        if isinstance(updated, Var):
            updated.hint = target.id
        check_subscript_write(scope, target, array)
        scope.write_in_place(call, array, updated, root_name(target))
    scope.assign(target, updated)

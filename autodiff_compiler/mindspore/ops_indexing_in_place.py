"""MindSpore's scatters that write into their Parameter: ``scatter_nd_update`` /
``_add`` / ``_sub`` / ``_mul`` / ``_div`` / ``_max`` / ``_min``, ``scatter_update`` /
``_max`` / ``_min`` / ``_mul`` / ``_div`` and ``index_add``; re-exported by ``ops``.

As in MindSpore each writes the new value into ``input_x`` (a Parameter, or a Tensor)
and returns it. Compiled, each is an effect, as ``ops.assign`` and ``ops.scatter_add``
are: the write happens once on the forward pass, later reads of the Parameter see it,
and a gradient that would flow through it raises (MindSpore 2.7.1 has no derivative
for the ``scatter_nd_*`` ones, ``scatter_mul`` and ``scatter_div``, and for
``scatter_update``/``_max``/``_min`` passes the cotangent to ``input_x`` whole, also
where it was overwritten). The new value is computed by the functional scatters of
``ops_scatter`` (one primitive when compiled: nothing differentiates it).

``index_add`` differs: MindSpore differentiates it (the cotangent to ``x``, gathered at
``indices`` to ``y``), so its result carries that gradient while the write is made.
Repeated indices: ``update`` keeps the last, the others combine all of them, as in
``ops_scatter``. The checks need the shapes while compiling: shape-specialised code
(``grad``'s default) only.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from .. import extend
from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir import primitives as P
from ..ir.core import Var
from .ops_scatter import (
    _check_dtypes,
    _layout,
    tensor_scatter_add,
    tensor_scatter_div,
    tensor_scatter_max,
    tensor_scatter_min,
    tensor_scatter_mul,
    tensor_scatter_sub,
    tensor_scatter_update,
)

__all__ = ["scatter_nd_update", "scatter_nd_add", "scatter_nd_sub", "scatter_nd_mul",
           "scatter_nd_div", "scatter_nd_max", "scatter_nd_min", "scatter_update",
           "scatter_max", "scatter_min", "scatter_mul", "scatter_div", "index_add"]

# MindSpore's operator name -> (the functional scatter, whether it scatters along the
# first axis, as ``scatter_update`` does, rather than by index vectors)
_IN_PLACE = {
    "ScatterNdUpdate": (tensor_scatter_update, False), "ScatterNdAdd": (tensor_scatter_add, False),
    "ScatterNdSub": (tensor_scatter_sub, False), "ScatterNdMul": (tensor_scatter_mul, False),
    "ScatterNdDiv": (tensor_scatter_div, False), "ScatterNdMax": (tensor_scatter_max, False),
    "ScatterNdMin": (tensor_scatter_min, False), "ScatterUpdate": (tensor_scatter_update, True),
    "ScatterMax": (tensor_scatter_max, True), "ScatterMin": (tensor_scatter_min, True),
    "ScatterMul": (tensor_scatter_mul, True), "ScatterDiv": (tensor_scatter_div, True),
}


def _check_in_place(name: str, shape: tuple, index_shape: tuple, index_dtype: Any,
                    dtype: Any, update_shape: tuple, update_dtype: Any) -> None:
    """MindSpore's checks, under the operator's own name."""
    if _IN_PLACE[name][1]:
        _check_dtypes(name, index_dtype, dtype, update_dtype)
        if len(shape) < 1 or tuple(update_shape) != tuple(index_shape) + tuple(shape[1:]):
            raise ValueError(f"For '{name}', the shape of 'updates' must be indices.shape + "
                             f"input_x.shape[1:], but got input_x {shape}, indices "
                             f"{index_shape} and updates {update_shape}")
    else:
        _layout(name, shape, index_shape, index_dtype, update_shape, dtype, update_dtype)


def _scattered_values(input_x: Any, indices: Any, updates: Any, name: str = "") -> Any:
    """The value an in-place scatter writes (an array: the primitive compiled code runs)."""
    scatter, first_axis = _IN_PLACE[name]
    x, i, u = np.asarray(input_x), np.asarray(indices), np.asarray(updates)
    return np.asarray(scatter(x, i[..., None] if first_axis else i, u))


_scattered = extend.defprimitive(_scattered_values, "ops_scatter_in_place")


def _refuse(*args: Any, **params: Any) -> Any:
    """Either mode's rule, for every operand: a derivative through the write raises at
    the user's line (MindSpore does not differentiate through it)."""
    loc = builder.current().loc
    raise AutodiffError("a gradient would flow through an in-place scatter "
                        "(ops.scatter_nd_add, ops.scatter_update...): MindSpore does not "
                        "differentiate through the write",
                        None if loc is None else replace(loc, adjoint=False),
                        hint="scatter ops.stop_gradient(updates), or use the functional "
                             "ops.tensor_scatter_* for a result with a gradient")


extend.defvjp(_scattered, _refuse, _refuse, _refuse)
extend.defjvp(_scattered, _refuse, _refuse, _refuse)


def _in_place(name: str, input_x: Any, indices: Any, updates: Any) -> Any:
    _check_in_place(name, np.shape(input_x), np.shape(indices), np.asarray(indices).dtype,
                    np.asarray(input_x).dtype, np.shape(updates), np.asarray(updates).dtype)
    input_x[...] = _scattered_values(input_x, indices, updates, name)
    return input_x


def _compile_in_place(name: str) -> Any:
    def build(input_x: Any, indices: Any, updates: Any, use_locking: Any = False) -> Any:
        if not isinstance(input_x, Var):
            raise ValueError(f"ops.{_FUNCTION_NAMES[name]} writes into a Parameter or Tensor: "
                             "give it one")
        shapes = [P.shape_of(a) for a in (input_x, indices, updates)]
        if not all(isinstance(s, tuple) for s in shapes):
            raise AutodiffError(f"ops.{_FUNCTION_NAMES[name]} needs the shapes of its operands "
                                "when compiling, which shape-generic code knows only at run "
                                "time", builder.current().loc,
                                hint="differentiate shape-specialised code (grad's default)")
        _check_in_place(name, shapes[0], shapes[1], P.dtype_of(indices), P.dtype_of(input_x),
                        shapes[2], P.dtype_of(updates))
        new = _scattered(input_x, indices, updates, name=name)
        P.write_into(input_x, new)
        return P.written(P.broadcast_to(new, shapes[0]))
    return build


def scatter_nd_update(input_x: Any, indices: Any, updates: Any, use_locking: bool = True) -> Any:
    """``input_x``'s slices at the index vectors ``indices`` (``(..., N)``) set to
    ``updates``, in place; returns ``input_x``. A repeated index keeps the last."""
    return _in_place("ScatterNdUpdate", input_x, indices, updates)


def scatter_nd_add(input_x: Any, indices: Any, updates: Any, use_locking: bool = False) -> Any:
    """``updates`` added into ``input_x`` at ``indices``, in place; repeats accumulate."""
    return _in_place("ScatterNdAdd", input_x, indices, updates)


def scatter_nd_sub(input_x: Any, indices: Any, updates: Any, use_locking: bool = False) -> Any:
    """``updates`` subtracted from ``input_x`` at ``indices``, in place."""
    return _in_place("ScatterNdSub", input_x, indices, updates)


def scatter_nd_mul(input_x: Any, indices: Any, updates: Any, use_locking: bool = False) -> Any:
    """``input_x`` multiplied by ``updates`` at ``indices``, in place."""
    return _in_place("ScatterNdMul", input_x, indices, updates)


def scatter_nd_div(input_x: Any, indices: Any, updates: Any, use_locking: bool = False) -> Any:
    """``input_x`` divided by ``updates`` at ``indices``, in place."""
    return _in_place("ScatterNdDiv", input_x, indices, updates)


def scatter_nd_max(input_x: Any, indices: Any, updates: Any, use_locking: bool = False) -> Any:
    """``input_x`` raised to ``updates`` where they are larger, at ``indices``, in place."""
    return _in_place("ScatterNdMax", input_x, indices, updates)


def scatter_nd_min(input_x: Any, indices: Any, updates: Any, use_locking: bool = False) -> Any:
    """``input_x`` lowered to ``updates`` where they are smaller, at ``indices``, in place."""
    return _in_place("ScatterNdMin", input_x, indices, updates)


def scatter_update(input_x: Any, indices: Any, updates: Any) -> Any:
    """The rows ``indices`` (of any shape) of ``input_x`` set to ``updates`` (shape
    ``indices.shape + input_x.shape[1:]``), in place; returns ``input_x``."""
    return _in_place("ScatterUpdate", input_x, indices, updates)


def scatter_max(input_x: Any, indices: Any, updates: Any) -> Any:
    """The rows ``indices`` of ``input_x`` raised to ``updates`` where larger, in place."""
    return _in_place("ScatterMax", input_x, indices, updates)


def scatter_min(input_x: Any, indices: Any, updates: Any) -> Any:
    """The rows ``indices`` of ``input_x`` lowered to ``updates`` where smaller, in place."""
    return _in_place("ScatterMin", input_x, indices, updates)


def scatter_mul(input_x: Any, indices: Any, updates: Any) -> Any:
    """The rows ``indices`` of ``input_x`` multiplied by ``updates``, in place."""
    return _in_place("ScatterMul", input_x, indices, updates)


def scatter_div(input_x: Any, indices: Any, updates: Any) -> Any:
    """The rows ``indices`` of ``input_x`` divided by ``updates``, in place."""
    return _in_place("ScatterDiv", input_x, indices, updates)


_FUNCTION_NAMES = {
    "ScatterNdUpdate": "scatter_nd_update", "ScatterNdAdd": "scatter_nd_add",
    "ScatterNdSub": "scatter_nd_sub", "ScatterNdMul": "scatter_nd_mul",
    "ScatterNdDiv": "scatter_nd_div", "ScatterNdMax": "scatter_nd_max",
    "ScatterNdMin": "scatter_nd_min", "ScatterUpdate": "scatter_update",
    "ScatterMax": "scatter_max", "ScatterMin": "scatter_min", "ScatterMul": "scatter_mul",
    "ScatterDiv": "scatter_div"}

for _name, _function in _FUNCTION_NAMES.items():
    _fn = globals()[_function]
    surface.FUNCTIONS[_fn] = _compile_in_place(_name)
    surface.USER_FUNCTIONS.add(_fn)  # tested with this module, as ops.scatter_add
    surface.EFFECTS.add(_fn)


def index_add(x: Any, indices: Any, y: Any, axis: int, use_lock: bool = True,
              check_index_bound: bool = True) -> Any:
    """``y``'s slices along ``axis`` added into ``x`` at ``indices`` (an int32
    vector), in place, repeats accumulating; returns ``x``. Differentiable, as in MindSpore: the
    result's cotangent goes to ``x``, and gathered at ``indices`` to ``y``."""
    axis = _check_index_add(np.shape(x), np.shape(indices), np.asarray(indices).dtype,
                            np.asarray(x).dtype, np.shape(y), np.asarray(y).dtype, axis)
    moved = np.moveaxis(np.asarray(x), axis, 0).copy()
    np.add.at(moved, np.asarray(indices), np.moveaxis(np.asarray(y), axis, 0))
    x[...] = np.moveaxis(moved, 0, axis)
    return x


def _check_index_add(shape: tuple, index_shape: tuple, index_dtype: Any, dtype: Any,
                     y_shape: tuple, y_dtype: Any, axis: Any) -> int:
    rank = len(shape)
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise ValueError(f"For 'IndexAdd', 'axis' must be an int in [{-rank}, {rank}), but "
                         f"got {axis!r}")
    axis %= rank
    if np.dtype(index_dtype) != np.dtype(np.int32):
        raise TypeError(f"For 'IndexAdd', the dtype of 'indices' must be int32, but got "
                        f"{np.dtype(index_dtype)}")
    _check_dtypes("IndexAdd", index_dtype, dtype, y_dtype)
    wanted = (*shape[:axis], *index_shape, *shape[axis + 1:])
    if len(index_shape) != 1 or tuple(y_shape) != wanted:
        raise ValueError(f"For 'IndexAdd', 'indices' must be a vector and 'y' of shape "
                         f"x.shape with indices' length at 'axis', but got x {shape}, "
                         f"indices {index_shape} and y {tuple(y_shape)}")
    return axis


def _compile_index_add(x: Any, indices: Any, y: Any, axis: int, use_lock: Any = True,
                       check_index_bound: Any = True) -> Any:
    """The sum, written into ``x``: the result is the sum itself (which carries the
    gradient), and later reads of ``x`` see it."""
    if not isinstance(x, Var):
        raise ValueError("ops.index_add writes into a Parameter or Tensor: give it one")
    shapes = [P.shape_of(a) for a in (x, indices, y)]
    if all(isinstance(s, tuple) for s in shapes):  # else: shape-generic code
        axis = _check_index_add(shapes[0], shapes[1], P.dtype_of(indices), P.dtype_of(x),
                                shapes[2], P.dtype_of(y), axis)
    new = P.moveaxis(P.index_add(P.moveaxis(x, axis, 0), indices, P.moveaxis(y, axis, 0)),
                     0, axis)
    P.write_into(x, new)
    return new


surface.FUNCTIONS[index_add] = _compile_index_add
surface.USER_FUNCTIONS.add(index_add)
surface.EFFECTS.add(index_add)

"""MindSpore's scatters: ``scatter_nd``, ``tensor_scatter_update`` / ``_add`` / ``_sub``
/ ``_max`` / ``_min`` / ``_mul`` / ``_div``, ``tensor_scatter_elements`` and its
``scatter``, and the in-place ``scatter_add``; re-exported by ``ops``. The Tensor
methods ``x.scatter(...)`` and ``x.scatter_add(...)`` call them (``tensor_methods``).

Written in NumPy like the rest of ``ops``, so a differentiated function compiles them
from this source. Indices ``(..., N)`` address slices of ``input_x``: viewed as rows of
``input_x`` reshaped to ``(prod(shape[:N]), *shape[N:])``, each index vector is one row
number, and each scatter one write or one add at those rows:

* ``update`` writes ``x[rows] = updates``: ``input_x`` gets no gradient where it was
  overwritten, ``updates`` the cotangent gathered at its rows.
* ``add``, ``sub`` and ``scatter_nd`` add with ``np.add.at`` on a copy, which
  compiles to the ``index_add`` primitive, the adjoint of indexing: repeated
  indices accumulate, and the gradient of ``updates`` is indexing again.
* ``mul``, ``div``, ``max`` and ``min`` sort the updates by row and combine the runs of
  one row by a scan (``log2(len(updates))`` steps of shifted pairs), then write each
  row's combination last: the derivative is that of the formula, repeats included.

Repeated indices (MindSpore leaves ``update``'s result unspecified and differentiates
the others as if each update were alone): here ``update`` keeps the last update, which
alone gets a gradient; ``add``/``sub`` accumulate, and each repeat gets the gathered
cotangent; ``mul``/``div`` multiply/divide by all of them, and each gets its exact
derivative (MindSpore's is ``x``'s product with the cotangent, ignoring the others);
``max``/``min`` take the extreme, a tie of equal values sharing the gradient in halves
pairwise (MindSpore shares it evenly). Without repeats both agree, and ``max``/``min``
split a tie between ``input_x`` and an update in halves, as MindSpore does.

Bad shapes and dtypes raise MindSpore's ``ValueError``/``TypeError`` (while compiling,
inside a differentiated function); indices outside ``input_x`` fail an ``assert`` (the
checks on values run with the code: MindSpore raises ``RuntimeError`` or ``ValueError``).
``tensor_scatter_elements`` (and ``scatter``) skip the updates whose index is outside,
as MindSpore documents; a negative index counts from the end there. The layouts are
worked out from the shapes while compiling, so these compile in shape-specialised code
(``grad``'s default) only.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir import primitives as P
from ..ir.core import Var
from .tensor import Tensor
from .tensor_methods import install_source_methods

__all__ = ["scatter_nd", "tensor_scatter_update", "tensor_scatter_add", "tensor_scatter_sub",
           "tensor_scatter_max", "tensor_scatter_min", "tensor_scatter_mul",
           "tensor_scatter_div", "tensor_scatter_elements", "scatter", "scatter_add"]

_INDEX_DTYPES = (np.dtype(np.int32), np.dtype(np.int64))
# MindSpore's operator names (in its messages) -> the ops function
_NAMES = {"ScatterNd": "scatter_nd", "TensorScatterUpdate": "tensor_scatter_update",
          "TensorScatterAdd": "tensor_scatter_add", "TensorScatterSub": "tensor_scatter_sub",
          "TensorScatterMax": "tensor_scatter_max", "TensorScatterMin": "tensor_scatter_min",
          "TensorScatterMul": "tensor_scatter_mul", "TensorScatterDiv": "tensor_scatter_div"}


def _add_at(x: Any, index: Any, v: Any) -> Any:
    """A copy of ``x`` with ``v`` added at ``x[index]``, repeated indices accumulating
    (``np.add.at`` compiles to the ``index_add`` primitive)."""
    out = np.copy(x)
    np.add.at(out, index, v)
    return out


def known_shape(x: Any, what: str) -> tuple:
    """``np.shape(x)``; in shape-generic code, where it is known only at run time,
    ``what`` is refused at the user's line (the index and weight tables of the scatters
    and of ``interpolate`` are worked out from the shapes while compiling)."""
    return np.shape(x)


def _compile_known_shape(x: Any, what: str) -> tuple:
    shape = P.shape_of(x) if isinstance(x, Var) else np.shape(x)
    if not (isinstance(shape, tuple) and all(isinstance(n, int) for n in shape)):
        raise AutodiffError(f"{what} needs the shapes of its operands when compiling, which "
                            "shape-generic code knows only at run time",
                            builder.current().loc,
                            hint="differentiate shape-specialised code (grad's default, "
                                 "specialize=True)")
    return shape


surface.FUNCTIONS[known_shape] = _compile_known_shape
surface.USER_FUNCTIONS.add(known_shape)  # tested with this module (shape-specialised only)


# ---------------------------------------------------------------------------- by index vectors


def scatter_nd(indices: Any, updates: Any, shape: tuple) -> Any:
    """Zeros of ``shape`` (a tuple of positive ints) with ``updates`` added at
    ``indices``; repeated indices sum, as in MindSpore."""
    _check_shape(shape)
    zeros = Tensor(np.zeros(shape, updates.dtype))
    rows, layout = _rows(zeros, indices, updates, "ScatterNd")
    return np.reshape(_add_at(rows, layout[0], layout[1]), shape)


def tensor_scatter_update(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` with the slices at ``indices`` replaced by ``updates``."""
    rows, (at, values) = _rows(input_x, indices, updates, "TensorScatterUpdate")
    out = np.copy(rows)
    out[at] = values
    return np.reshape(out, np.shape(input_x))


def tensor_scatter_add(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` with ``updates`` added at ``indices``; repeats accumulate."""
    rows, (at, values) = _rows(input_x, indices, updates, "TensorScatterAdd")
    return np.reshape(_add_at(rows, at, values), np.shape(input_x))


def tensor_scatter_sub(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` with ``updates`` subtracted at ``indices``; repeats accumulate."""
    rows, (at, values) = _rows(input_x, indices, updates, "TensorScatterSub")
    return np.reshape(_add_at(rows, at, -values), np.shape(input_x))


def tensor_scatter_max(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` where it is at least every update at its place, else their maximum."""
    return _combined(input_x, indices, updates, "TensorScatterMax", np.maximum)


def tensor_scatter_min(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` where it is at most every update at its place, else their minimum."""
    return _combined(input_x, indices, updates, "TensorScatterMin", np.minimum)


def tensor_scatter_mul(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` multiplied by the updates at their places."""
    return _combined(input_x, indices, updates, "TensorScatterMul", np.multiply)


def tensor_scatter_div(input_x: Any, indices: Any, updates: Any) -> Any:
    """``input_x`` divided by the updates at their places (no check against zero)."""
    return _combined(input_x, indices, updates, "TensorScatterDiv", np.divide)


def _combined(input_x: Any, indices: Any, updates: Any, name: str, combine: Any) -> Any:
    """``input_x`` combined with each row's updates, which are combined first (a
    product for ``divide``); the last write of a row holds its whole combination."""
    rows, (at, values) = _rows(input_x, indices, updates, name)
    order = np.argsort(at, kind="stable")
    at, values = at[order], values[order]
    together = np.multiply if combine is np.divide else combine
    for shift in _doublings(np.shape(at)[0]):
        same = np.reshape(at[shift:] == at[:-shift], _first_axis(np.ndim(values)))
        values = np.concatenate((values[:shift], np.where(
            same, together(values[shift:], values[:-shift]), values[shift:])), axis=0)
    out = np.copy(rows)
    out[at] = combine(rows[at], values)
    return np.reshape(out, np.shape(input_x))


def _rows(input_x: Any, indices: Any, updates: Any, name: str) -> tuple:
    """``input_x`` as rows, and (the row of each index vector, its update as a row),
    after MindSpore's checks; the index values are asserted inside ``input_x``."""
    shape = known_shape(input_x, f"ops.{_NAMES[name]}")
    rows_shape, strides, update_rows = _layout(
        name, shape, np.shape(indices), indices.dtype, np.shape(updates), input_x.dtype,
        updates.dtype)
    depth = len(strides)
    assert np.all(np.logical_and(indices >= 0, indices < _bounds(shape, depth))), \
        f"For '{name}', the values of 'indices' must be inside 'input_x' of shape {shape}"
    at = np.reshape(np.sum(indices * strides, axis=-1), (-1,))
    return np.reshape(input_x, rows_shape), (at, np.reshape(updates, update_rows))


def _layout(name: str, shape: tuple, index_shape: tuple, index_dtype: Any,
            update_shape: tuple, dtype: Any, update_dtype: Any) -> tuple:
    """MindSpore's checks of a scatter by index vectors; then the shape of ``input_x``
    as rows, the stride of each index component in rows, and the updates' row shape."""
    _check_dtypes(name, index_dtype, dtype, update_dtype)
    if len(index_shape) < 2:
        raise ValueError(f"For '{name}', the dimension of 'indices' cannot be less than 2, "
                         f"but got {len(index_shape)}")
    depth = index_shape[-1]
    if depth > len(shape):
        raise ValueError(f"For '{name}', the last dimension of 'indices' must be less than "
                         f"or equal to the dimension of 'input_x', but got {depth} and "
                         f"{len(shape)}")
    if tuple(update_shape) != tuple(index_shape[:-1]) + tuple(shape[depth:]):
        raise ValueError(f"For '{name}', updates_shape = indices_shape[:-1] + "
                         f"x_shape[indices_shape[-1]:], but got x_shape: {shape}, "
                         f"indices_shape: {index_shape}, updates_shape: {update_shape}")
    strides = tuple(math.prod(shape[i + 1:depth]) for i in range(depth))
    return ((math.prod(shape[:depth]), *shape[depth:]), np.array(strides, np.int64),
            (-1, *shape[depth:]))


def _check_dtypes(name: str, index_dtype: Any, dtype: Any, update_dtype: Any) -> None:
    """MindSpore's: int32 or int64 indices, updates of the input's dtype."""
    if np.dtype(index_dtype) not in _INDEX_DTYPES:
        raise TypeError(f"For '{name}', the dtype of 'indices' must be int32 or int64, but "
                        f"got {np.dtype(index_dtype)}")
    if np.dtype(dtype) != np.dtype(update_dtype):
        raise TypeError(f"For '{name}', 'input_x' and 'updates' must have the same dtype, "
                        f"but got {np.dtype(dtype)} and {np.dtype(update_dtype)}")


def _check_shape(shape: Any) -> None:
    if not isinstance(shape, tuple):
        raise TypeError(f"For 'ScatterNd', 'shape' must be a tuple of int, but got "
                        f"{type(shape).__name__}")
    if not all(isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape):
        raise ValueError(f"For 'ScatterNd', the input [shape] should be a tuple with all "
                         f"positive item. But got: {shape}")


def _bounds(shape: tuple, depth: int) -> np.ndarray:
    """The length of each axis an index vector addresses."""
    return np.array(shape[:depth], np.int64)


def _doublings(n: int) -> tuple:
    """The shifts of a scan over ``n`` rows: 1, 2, 4... below ``n``."""
    return tuple(2 ** k for k in range(max(n - 1, 0).bit_length()))


def _first_axis(ndim: int) -> tuple:
    """The shape that lays a vector along the first of ``ndim`` axes."""
    return (-1,) + (1,) * (ndim - 1)


for _helper in (_layout, _check_dtypes, _check_shape, _bounds, _doublings, _first_axis):
    _helper.__evaluated_when_compiling__ = True  # pure functions of shapes and dtypes


# ---------------------------------------------------------------------------- along an axis


def tensor_scatter_elements(input_x: Any, indices: Any, updates: Any, axis: int = 0,
                            reduction: str = "none") -> Any:
    """``input_x`` with ``updates[i][j]`` written (``reduction="add"``: added) at
    ``[indices[i][j]][j]`` for ``axis=0``, and so on along other axes. ``indices`` has
    ``input_x``'s rank and no larger shape but along ``axis``; ``updates`` is cut to its
    shape. A negative index counts from the end; an update whose index is outside is
    skipped, as MindSpore documents. Repeats: ``none`` keeps the last, which alone gets
    a gradient (MindSpore gives each the cotangent there); ``add`` sums."""
    shape = known_shape(input_x, "ops.tensor_scatter_elements")
    axis, count, cut = _element_layout(shape, axis, np.shape(indices), indices.dtype,
                                       np.shape(updates), input_x.dtype, updates.dtype,
                                       reduction)
    n = shape[axis]
    index = np.where(indices < 0, indices + n, indices)
    at = index * _stride(shape, axis)
    for other, along in enumerate(_offsets(shape, np.shape(indices), axis)):
        if other != axis:
            at = at + along
    inside = np.logical_and(index >= 0, index < n)
    at = np.reshape(np.where(inside, at, count), (-1,))  # outside: into a spare entry
    flat = np.concatenate((np.reshape(input_x, (-1,)), np.zeros(1, input_x.dtype)))
    values = np.reshape(updates[cut], (-1,))
    if reduction == "add":
        flat = _add_at(flat, at, values)
    else:
        flat = np.copy(flat)
        flat[at] = values
    return np.reshape(flat[:count], shape)


def scatter(input: Any, axis: int, index: Any, src: Any) -> Any:  # noqa: A002 (MindSpore's)
    """``tensor_scatter_elements(input, index, src, axis)``; ``src`` may be a number,
    written at every index."""
    if np.ndim(src) == 0:
        src = np.broadcast_to(np.asarray(src, dtype=input.dtype), np.shape(index))
    return tensor_scatter_elements(input, index, src, axis)


def _element_layout(shape: tuple, axis: Any, index_shape: tuple, index_dtype: Any,
                    update_shape: tuple, dtype: Any, update_dtype: Any,
                    reduction: str) -> tuple:
    """MindSpore's checks of a scatter along an axis; then the axis (from 0), the number
    of entries, and the slices that cut the updates to the indices' shape."""
    name = "TensorScatterElements"
    if reduction not in ("none", "add"):
        raise ValueError(f"For '{name}', 'reduction' must be 'none' or 'add', but got "
                         f"{reduction!r}")
    _check_dtypes(name, index_dtype, dtype, update_dtype)
    rank = len(shape)
    if rank < 1 or len(index_shape) != rank or len(update_shape) != rank:
        raise ValueError(f"For '{name}', 'input_x', 'indices' and 'updates' must have the "
                         f"same rank, at least 1, but got shapes {shape}, {index_shape} and "
                         f"{update_shape}")
    if not isinstance(axis, int) or isinstance(axis, bool) or not -rank <= axis < rank:
        raise ValueError(f"For '{name}', 'axis' must be an int in [{-rank}, {rank}), but "
                         f"got {axis!r}")
    axis %= rank
    for d, (n, i, u) in enumerate(zip(shape, index_shape, update_shape)):
        if (d != axis and i > n) or u < i:
            raise ValueError(f"For '{name}', 'indices' of shape {index_shape} must be no "
                             f"larger than 'input_x' {shape} but along 'axis' {axis}, and "
                             f"no larger than 'updates' {update_shape}")
    return axis, math.prod(shape), tuple(slice(0, i) for i in index_shape)


def _stride(shape: tuple, axis: int) -> int:
    return math.prod(shape[axis + 1:])


def _offsets(shape: tuple, index_shape: tuple, axis: int) -> list:
    """For each axis, the offsets of its positions in the flattened ``input_x``, laid
    along that axis of the indices (the one of ``axis`` is unused)."""
    rank = len(shape)
    return [np.reshape(np.arange(n) * _stride(shape, d), (-1,) + (1,) * (rank - d - 1))
            for d, n in enumerate(index_shape)]


for _helper in (_element_layout, _stride, _offsets):
    _helper.__evaluated_when_compiling__ = True


# ---------------------------------------------------------------------------- in place


def scatter_add(input_x: Any, indices: Any, updates: Any) -> Any:
    """MindSpore's ``ScatterAdd``: ``updates`` added into ``input_x`` itself (a
    Parameter, or a Tensor) at ``indices`` along its first axis, repeats accumulating;
    returns ``input_x``. As in MindSpore no gradient flows through the write (inside a
    differentiated function it is an effect, like ``ops.assign``)."""
    _check_in_place(np.shape(input_x), np.shape(indices), indices.dtype, np.shape(updates))
    np.add.at(input_x, indices, updates)
    return input_x


def _check_in_place(shape: tuple, index_shape: tuple, index_dtype: Any,
                    update_shape: tuple) -> None:
    if np.dtype(index_dtype) not in _INDEX_DTYPES:
        raise TypeError(f"For 'ScatterAdd', the dtype of 'indices' must be int32 or int64, "
                        f"but got {np.dtype(index_dtype)}")
    if len(shape) < 1 or tuple(update_shape) != tuple(index_shape) + tuple(shape[1:]):
        raise ValueError(f"For 'ScatterAdd', the shape of 'updates' must be indices.shape + "
                         f"input_x.shape[1:], but got input_x {shape}, indices "
                         f"{index_shape} and updates {update_shape}")


def _compile_scatter_add(input_x: Any, indices: Any, updates: Any) -> Any:
    """The write, and the value ``input_x`` holds after it (``ops_state.assign``'s way)."""
    if not isinstance(input_x, Var):
        raise ValueError("ops.scatter_add writes into a Parameter or Tensor: give it one")
    shapes = [P.shape_of(a) for a in (input_x, indices, updates)]
    if all(isinstance(shape, tuple) for shape in shapes):  # else: shape-generic code
        _check_in_place(shapes[0], shapes[1], P.dtype_of(indices), shapes[2])
    new = P.index_add(input_x, indices, updates)
    P.write_into(input_x, new)
    return P.written(new)


surface.FUNCTIONS[scatter_add] = _compile_scatter_add
surface.USER_FUNCTIONS.add(scatter_add)  # tested with this module, as known_shape
surface.EFFECTS.add(scatter_add)


# ---------------------------------------------------------------------------- Tensor methods


def scatter_method(self: Any, dim: Any = None, index: Any = None, src: Any = None, *,
                   axis: Any = None) -> Any:
    """``Tensor.scatter(dim, index, src)`` (or ``axis=``): ``ops.scatter``."""
    return scatter(self, dim if axis is None else axis, index, src)


def scatter_add_method(self: Any, *args: Any, **kwargs: Any) -> Any:
    """``Tensor.scatter_add(dim, index, src)``: ``src`` added along ``dim``
    (``tensor_scatter_elements`` with ``"add"``); ``Tensor.scatter_add(indices,
    updates)``: ``tensor_scatter_add``."""
    if len(args) + len(kwargs) == 2 and "dim" not in kwargs:
        return tensor_scatter_add(self, *args, **kwargs)
    return _scatter_add_along(self, *args, **kwargs)


def _scatter_add_along(self: Any, dim: int, index: Any, src: Any) -> Any:
    return tensor_scatter_elements(self, index, src, dim, "add")


install_source_methods(Tensor, {"scatter": scatter_method, "scatter_add": scatter_add_method})

"""Indexing, gathering and sorting.

``x[index]`` with an index known when compiling (ints, slices, ``None``, ``...``) or
one runtime array (integer indices, a boolean mask) is ``getitem``; an index whose
tuple mixes the two (``x[:, i]``, ``x[mask, 0]``, a slice with computed bounds) is
``gather``, which takes the index's parts as separate operands. The adjoint of every
gather adds the cotangent into zeros with ``np.add.at``, so repeated indices
accumulate rather than overwrite. A boolean mask makes the result's shape depend on
the data, so it is unknown when compiling and code after it stays shape-generic.

``sort`` differentiates through the permutation it applies: each entry gets the
gradient of the place it was sorted to. Equal entries keep their order (a stable
sort), so the first of a tie gets the gradient of the first place it occupies.
"""
from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import reference as ref
from ..core import Atom, Aval, Var
from . import stand_ins
from .control import index_add_into, index_update_into
from .core import NONE_FOR_THE_REST, Primitive, defjvp, deflinear, defvjp, nondifferentiable
from .shape import unbroadcast, zeros_like


def _data_dependent(args: Sequence[Atom]) -> bool:
    """An index part that is a boolean mask (or of unknown dtype), or whose own shape is
    the data's (``np.nonzero``'s indices), shapes the result."""
    return any(isinstance(a, Var) and (a.aval.dtype is None or a.aval.dtype == np.bool_
                                       or a.aval.shape is None) for a in args)


class _Indexing(Primitive):
    """A primitive whose result shape is unknown when a boolean mask is among its index
    operands (``first_index`` onwards)."""

    def __init__(self, name: str, impl: Callable[..., Any], first_index: int) -> None:
        super().__init__(name, impl)
        self.first_index = first_index

    def abstract_eval(self, args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
        if _data_dependent(args[self.first_index:]):
            return [Aval(None, args[0].aval.dtype)]
        return super().abstract_eval(args, params)


class _GetItem(_Indexing):
    """``x[index]``: an index with runtime parts inside a tuple or slice binds ``gather``."""

    def __call__(self, x: Any, index: Any) -> Any:
        index = _static_lists(index)
        if isinstance(index, slice | tuple) and _has_var(index):
            parts = index if isinstance(index, tuple) else (index,)
            return gather(x, *(_runtime_slice(p) for p in parts))
        return super().__call__(x, index)


class _IndexAdd(Primitive):
    """``np.add.at(x, index, v)``: an index with runtime parts inside a tuple or slice
    binds ``gather_add``, whose operands keep the parts' shapes (packed into one tuple
    value, they were unknown to the gradient's ``x[index]``: a Jacobian refused)."""

    def __call__(self, x: Any, index: Any, v: Any) -> Any:
        index = _static_lists(index)
        if isinstance(index, slice | tuple) and _has_var(index):
            parts = index if isinstance(index, tuple) else (index,)
            return gather_add(x, v, *(_runtime_slice(p) for p in parts))
        return super().__call__(x, index, v)


def _static_lists(index: Any) -> Any:
    """A list in an index selects entries (``x[[0, 2]]``): it becomes an array, which a
    tuple would not (``x[(0, 2)]`` is ``x[0, 2]``); a list holding runtime values
    (``x[[i, j]]``) becomes a ``stack`` of them; an empty one, an empty integer array
    (``np.asarray([])`` is a float array, which NumPy refuses as an index)."""
    if isinstance(index, tuple):
        return tuple(_static_lists(p) if isinstance(p, list) else p for p in index)
    if isinstance(index, list) and _has_var(tuple(index)):
        from .shape import stack
        return stack(*index, axis=0)
    if isinstance(index, list):  # an empty one selects nothing, by integer, as in NumPy
        return np.asarray(index, dtype=np.intp) if not index else np.asarray(index)
    return index


def _has_var(index: Any) -> bool:
    if isinstance(index, Var):
        return True
    if isinstance(index, slice):
        return any(isinstance(p, Var) for p in (index.start, index.stop, index.step))
    return isinstance(index, tuple) and any(_has_var(p) for p in index)


def _runtime_slice(part: Any) -> Any:
    if isinstance(part, slice) and _has_var(part):
        return make_slice(part.start, part.stop, part.step)
    return part


getitem = _GetItem("getitem", operator.getitem, first_index=1)
index_add = _IndexAdd("index_add", ref.index_add)
gather = _Indexing("gather", ref.gather, first_index=1)
gather_add = Primitive("gather_add", ref.gather_add)
make_slice = Primitive("slice", slice)
take_along_axis = Primitive("take_along_axis", np.take_along_axis)
add_along_axis = Primitive("add_along_axis", ref.add_along_axis)
index_update = Primitive("index_update", ref.index_update)
gather_update = Primitive("gather_update", ref.gather_update)
sort = Primitive("sort", np.sort, defaults={"axis": -1})
argsort = Primitive("argsort", np.argsort, defaults={"axis": -1, "kind": None})
argmax = Primitive("argmax", np.argmax, defaults={"axis": None, "keepdims": False})
argpartition = Primitive("argpartition", np.argpartition, defaults={"axis": -1})
argmin = Primitive("argmin", np.argmin, defaults={"axis": None, "keepdims": False})
for _prim in (gather_add, index_add, add_along_axis, index_update, gather_update,
              index_update_into):
    _prim.aval_rule = lambda args, params: [args[0].aval]


def _positions_rule(prim: Primitive) -> Callable[..., list[Aval]]:
    """Positions are ``intp`` whatever their operand's dtype, also one known only when
    the code runs (``eig``'s vectors), so a ``take_along_axis`` by them keeps its shape."""
    def rule(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
        return [Aval(a.shape, np.dtype(np.intp)) for a in stand_ins.eval_avals(prim, args, params)]
    return rule


for _prim in (argsort, argmax, argpartition, argmin):
    _prim.aval_rule = _positions_rule(_prim)
for _prim in (getitem, gather, argmax, argmin):
    _prim.scalar_result = True  # x[0] of a vector is a NumPy scalar (x[...] is a view)

nondifferentiable(make_slice, argsort, argpartition, argmax, argmin)

# ---------------------------------------------------------------------------- gathers

defvjp(getitem, lambda g, ans, x, idx: index_add(zeros_like(x), idx, g), None)
defvjp(index_add, lambda g, ans, x, idx, v: unbroadcast(g, x), None,
                  lambda g, ans, x, idx, v: unbroadcast(getitem(g, idx), v))
defvjp(gather, lambda g, ans, x, *index: gather_add(zeros_like(x), g, *index),
       NONE_FOR_THE_REST)
defvjp(gather_add, lambda g, ans, x, v, *index: unbroadcast(g, x),
                   lambda g, ans, x, v, *index: unbroadcast(gather(g, *index), v),
                   NONE_FOR_THE_REST)
defvjp(take_along_axis,
       lambda g, ans, x, indices, axis: add_along_axis(zeros_like(x), indices, g, axis=axis),
       None)
defvjp(add_along_axis, lambda g, ans, x, indices, v, axis: unbroadcast(g, x), None,
       lambda g, ans, x, indices, v, axis: unbroadcast(take_along_axis(g, indices, axis=axis), v))

deflinear(getitem, 0)
deflinear(gather, 0)
deflinear(take_along_axis, 0)
# Adding ``v`` into ``x`` is linear in the two together.
deflinear(index_add, 0, 2, jointly=True)
deflinear(gather_add, 0, 1, jointly=True)
deflinear(add_along_axis, 0, 2, jointly=True)

# ---------------------------------------------------------------------------- assignment
# ``x[index] = v`` is ``x = setitem(x, index, v)``: a new value, the IR staying
# functional. With repeated integer indices NumPy keeps the last write, so only the
# last of the values written to one place gets its gradient.


def setitem(x: Any, index: Any, v: Any) -> Any:
    """``x`` with ``x[index] = v``, as a new value; ``x[index] += v`` is
    ``setitem(x, index, getitem(x, index) + v)`` (NumPy's buffered semantics)."""
    index = _static_lists(index)
    if isinstance(index, slice | tuple) and _has_var(index):
        parts = index if isinstance(index, tuple) else (index,)
        return gather_update(x, v, *(_runtime_slice(p) for p in parts))
    return index_update(x, index, v)


def _may_repeat(index: Any) -> bool:
    """An index with an array of integers (or a part of unknown dtype or rank) may
    select a place twice; integers, slices and masks select each place at most once.
    ``index`` is an index, a tuple of them, or ``gather``'s parts."""
    if isinstance(index, Var):
        return index.aval.dtype != np.bool_ and index.aval.ndim != 0
    index = getattr(index, "value", index)  # a Const's
    if isinstance(index, tuple | list):
        return any(_may_repeat(p) for p in index)
    return isinstance(index, np.ndarray) and index.dtype != np.bool_ and index.ndim > 0


def _written(g, x, v, read, write, parts):
    """The cotangent of the values ``v`` written at ``parts``: ``g`` there, but only for
    the last write to each place when the index may repeat one."""
    from .constructors import arange, full
    from .elementwise import equal, where
    from .shape import reshape, shape_of, size
    out = read(g, *parts)
    if _may_repeat(parts):
        region = read(x, *parts)
        ids = reshape(arange(size(region)), shape_of(region))
        owner = read(write(full(shape_of(x), -1), ids, *parts), *parts)
        out = where(equal(owner, ids), out, 0)
    return unbroadcast(out, v)


def _get(x, *parts):
    return getitem(x, parts[0])


def _put(x, v, *parts):
    return index_update(x, parts[0], v)


def _gather_put(x, v, *parts):
    return gather_update(x, v, *parts)


# ``index_update_into`` (the same write, made in place by the optimiser) has these rules
# too, written with ``index_update``: no tangent or cotangent is written in place.
for _prim in (index_update, index_update_into):
    defvjp(_prim, lambda g, ans, x, idx, v: index_update(unbroadcast(g, x), idx, 0), None,
           lambda g, ans, x, idx, v: _written(g, x, v, _get, _put, (idx,)))
defvjp(gather_update, lambda g, ans, x, v, *index: gather_update(unbroadcast(g, x), 0, *index),
       lambda g, ans, x, v, *index: _written(g, x, v, gather, _gather_put, index),
       NONE_FOR_THE_REST)
# Overwriting part of ``x`` with ``v`` is linear in the two together, but not derived
# with ``deflinear(..., jointly=True)``: the tangent of the overwritten places is the
# literal 0 whatever ``v`` is, where the derived rule would write ``v``'s zeros (a
# constant ``v`` of 2.0 would give 0.0, an array ``v`` an array of zeros).
for _prim in (index_update, index_update_into):
    defjvp(_prim, lambda t, ans, x, idx, v: index_update(t, idx, 0), None,
           lambda t, ans, x, idx, v: index_update(zeros_like(x), idx, t))
defjvp(gather_update, lambda t, ans, x, v, *index: gather_update(t, 0, *index),
       lambda t, ans, x, v, *index: gather_update(zeros_like(x), t, *index), NONE_FOR_THE_REST)

# The writes the optimiser makes in place, and what each stands for: a program inlined
# into another is transformed and optimised again as the pure program it is (a write in
# place is proven safe for the program it was made in, not for what its new
# surroundings keep: a tape of a view of the array, say).
FUNCTIONAL_FORM = {index_update_into: index_update, index_add_into: index_add}

# ---------------------------------------------------------------------------- sorting


def _order(x, axis):
    """The stable sorting permutation of ``x`` along ``axis``."""
    return argsort(x, axis=axis, kind="stable")


defvjp(sort, lambda g, ans, x, axis=-1:
       take_along_axis(g, argsort(_order(x, axis), axis=axis), axis=axis))
# Not derived: sorting is linear in ``x`` only for a fixed order (``x``'s), so the
# tangent is permuted by that order rather than sorted itself.
defjvp(sort, lambda t, ans, x, axis=-1: take_along_axis(t, _order(x, axis), axis=axis))



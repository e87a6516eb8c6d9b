"""Tensor methods NumPy's arrays have under the same name with another meaning, given
MindSpore 2.10's meaning on Tensors.

NumPy's ``x.sort()``, ``x.fill(v)`` and ``x.resize(n)`` change ``x`` in place and return
None; MindSpore's return a new Tensor (``sort`` its values and int32 indices) and leave
``x`` as it was. NumPy's ``x.nonzero()`` is a tuple of index arrays, MindSpore's an
``(N, ndim)`` Tensor. ``x.max(1)`` is NumPy's maximum along axis 1, and MindSpore 2.10's
``(values, indices)``, as PyTorch's ``max(dim)``: MindSpore picks its overload by the
arguments, its older ``max(axis=..., keepdims=...)`` when one of that form's keywords is
given, the ``max(dim, keepdim)`` one when the axis comes by position or as ``dim``.
``x.sum(1, True)`` and ``x.std(1, 1)`` take MindSpore's ``keepdims`` and ``ddof`` where
NumPy's would take a dtype (``_reduction``), NumPy's calls unchanged.

``t += 1`` (and the other augmented assignments) writes into ``t`` in NumPy, so every
other name for the Tensor sees the change; in MindSpore it computes ``t + 1`` and
rebinds ``t``, another name keeping the old values (a Parameter's too: the name then
holds a Tensor). The optimizers here update Parameters through plain views.

NumPy's own functions never reach these: ``Tensor.__array_function__`` hands them plain
arrays (``np.unique`` sorts its copy with ``ar.sort()``), so only the user's calls on a
Tensor get MindSpore's meaning. Compiled code keeps NumPy's meaning of a method NumPy
has for plain arrays, and gives a value computed from a Tensor (``Var.tensor``) the
Tensor's ``x.max``/``x.min`` (``tensor_methods_table.TENSOR_COMPILED``); any array
takes MindSpore's meaning where NumPy's gives nothing to use: ``v, i = x.sort()`` as a
value (``x.sort()`` as a statement still sorts ``x``, NumPy's meaning,
``frontend.numpy_writes``).
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..ir.surface import evaluated_when_compiling

_NUMPY_SORT_KEYWORDS = ("kind", "order")
# keywords only MindSpore's older max(axis, keepdims, *, initial, where, return_indices)
# and NumPy's max take: given one, the values come back (the indices too if asked)
_VALUES_KEYWORDS = ("axis", "keepdims", "initial", "where", "return_indices", "out")
_VALUES_ONLY = {"axis", "keepdims", "initial", "where"}  # keywords giving the values


def sort(self: Any, axis: int = -1, descending: bool = False, *, dim: int | None = None,
         stable: bool = False, **numpy_keywords: Any) -> Any:
    """``(values, indices)`` sorted along ``axis`` (or ``dim``), indices int32; ``x``
    unchanged. NumPy's ``x.sort(kind=..., order=...)`` still sorts in place."""
    if numpy_keywords:
        return _numpy_in_place(np.ndarray.sort, self, axis, numpy_keywords)
    from .ops_special import sort as ops_sort
    values, indices = ops_sort(self, axis if dim is None else dim, descending)
    return _tensor(values), _tensor(indices)


def argsort(self: Any, axis: int = -1, descending: bool = False, *, dim: int | None = None,
            stable: bool = False, **numpy_keywords: Any) -> Any:
    """The int32 indices that sort along ``axis`` (or ``dim``), ties in order. NumPy's
    ``x.argsort(axis, kind)`` (a string second) keeps its meaning."""
    if numpy_keywords or isinstance(descending, str):
        kind = descending if isinstance(descending, str) else numpy_keywords.pop("kind", None)
        return _tensor(np.ndarray.argsort(self, axis, kind=kind, **numpy_keywords))
    from .ops_misc import argsort as ops_argsort
    return _tensor(ops_argsort(self, axis if dim is None else dim, descending))


def _numpy_in_place(method: Any, self: Any, axis: int, keywords: dict) -> None:
    unknown = set(keywords) - set(_NUMPY_SORT_KEYWORDS)
    if unknown:
        raise TypeError(f"Tensor.sort() got an unexpected keyword argument {unknown.pop()!r}")
    return method(self, axis, **keywords)


@evaluated_when_compiling
def extremum_plan(name: str, args: tuple, kwargs: dict) -> tuple:
    """Which of MindSpore's ``x.max``/``x.min`` a call is: ``("indices", dim, keepdim)``
    for ``(values, indices)`` (the axis by position or as ``dim``, or
    ``return_indices=True``), else ``("values", keywords)`` for NumPy's reduction."""
    kwargs = dict(kwargs)
    if "dim" in kwargs or "keepdim" in kwargs or (
            args and not set(kwargs) & set(_VALUES_KEYWORDS)
            and isinstance(args[0], int | np.integer) and not isinstance(args[0], bool)):
        dim = kwargs.pop("dim", args[0] if args else None)
        keepdim = kwargs.pop("keepdim", args[1] if len(args) > 1 else False)
        if kwargs or len(args) > 2:
            raise TypeError(f"Tensor.{name}(dim, keepdim) takes no other arguments")
        if dim is None:
            raise TypeError(f"Tensor.{name}(dim=None): give an int dim, or call {name}() "
                            "for the whole Tensor")
        return "indices", dim, keepdim
    if len(args) > 2:
        raise TypeError(f"Tensor.{name}() takes at most 2 positional arguments")
    kwargs.update(zip(("axis", "keepdims"), args))
    if kwargs.pop("return_indices", False):
        return "indices", kwargs.pop("axis", None), kwargs.pop("keepdims", False)
    return "values", kwargs


def _extremum(name: str) -> Any:
    reduce = getattr(np.ndarray, name)  # (the method: no dispatch through np.max)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not args and (not kwargs or kwargs.keys() <= _VALUES_ONLY):  # x.max(axis=1)
            return _tensor(reduce(self.view(np.ndarray), **kwargs))
        plan = extremum_plan(name, args, kwargs)
        if plan[0] == "indices":
            from . import ops
            values, indices = getattr(ops, name)(self, plan[1], plan[2])  # ties: the first
            return _tensor(values), _tensor(indices)
        result = reduce(self.view(np.ndarray), **plan[1])
        return result if plan[1].get("out") is not None else _tensor(result)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = (f"MindSpore's ``Tensor.{name}``: the values over ``axis`` (NumPy's "
                      f"keywords work), or ``(values, indices)`` given ``dim`` (by position "
                      f"or name) or ``return_indices=True``.")
    return method


_MINDSPORE_KEYWORDS = (("keep_dims", "keepdims"), ("keepdim", "keepdims"), ("dim", "axis"))


def _reduction(name: str) -> Any:
    """``x.sum``, ``x.prod``, ``x.all``, ``x.any``, ``x.std``, ``x.var`` with MindSpore's
    arguments as well as NumPy's: ``keepdims`` second (``x.sum(1, True)``), ``x.std(axis,
    ddof, keepdims)``, ``keep_dims=``, ``dim=``/``keepdim=``. Where NumPy's take a dtype
    or ``out`` there, a bool (an int for ``std``/``var``) is none it would take."""
    numpy_method = getattr(np.ndarray, name)
    moment = name in ("std", "var")
    takes_dtype = name not in ("all", "any")

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            for mindspore_name, numpy_name in _MINDSPORE_KEYWORDS:
                if mindspore_name in kwargs:
                    kwargs[numpy_name] = kwargs.pop(mindspore_name)
        if len(args) >= 2:
            second = args[1]
            if moment and isinstance(second, int | np.integer) and not _is_flag(second):
                kwargs["ddof"] = second
                if len(args) >= 3 and _is_flag(args[2]):
                    kwargs["keepdims"] = args[2]
                    args = args[:1] + args[3:]
                else:
                    args = args[:1] + args[2:]
            elif _is_flag(second) and (takes_dtype or len(args) == 2):
                kwargs["keepdims"], args = second, args[:1] + args[2:]
        if args and isinstance(args[0], list):  # x.sum([1, 2]): MindSpore's list of axes
            args = (tuple(args[0]), *args[1:])
        if isinstance(kwargs.get("axis"), list):
            kwargs["axis"] = tuple(kwargs["axis"])
        from .integer_dtypes import integer_moment, integers  # (it imports Tensor)
        if moment and not args[1:] and set(kwargs) <= {"axis", "ddof", "keepdims"} \
                and integers(self):  # MindSpore's: an integer mean, float32 deviations
            return _tensor(integer_moment(self.view(np.ndarray), *args, **kwargs,
                                          root=name == "std"))
        result = numpy_method(self.view(np.ndarray), *args, **kwargs)
        return result if kwargs and kwargs.get("out") is not None else _tensor(result)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = _reduction.__doc__
    return method


def _is_flag(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def fill(self: Any, value: Any) -> Any:
    """A new Tensor of ``x``'s shape and dtype, every entry ``value``; ``x`` unchanged."""
    return _tensor(np.full(self.shape, np.asarray(value), dtype=self.dtype))


def resize(self: Any, *new_shape: Any, **numpy_keywords: Any) -> Any:
    """A new Tensor of ``new_shape`` holding ``x``'s entries in order, cut short or padded
    with zeros (not repeated, as ``np.resize`` would); ``x`` unchanged."""
    if numpy_keywords:  # NumPy's resize(new_shape, refcheck=...) in place
        return np.ndarray.resize(self, *new_shape, **numpy_keywords)
    if len(new_shape) == 1 and isinstance(new_shape[0], tuple | list):
        new_shape = tuple(new_shape[0])
    size = int(np.prod(new_shape, dtype=np.int64))
    flat = np.ravel(self.view(np.ndarray))[:size]
    out = np.zeros(size, self.dtype)
    out[:flat.size] = flat
    return _tensor(out.reshape(new_shape))


def nonzero(self: Any, as_tuple: bool = False) -> Any:
    """The indices of the nonzero entries: an int64 Tensor of one row per entry, ``(N,
    ndim)``, or with ``as_tuple`` one Tensor per axis (NumPy's ``x.nonzero()`` form)."""
    found = np.nonzero(self.view(np.ndarray))
    if as_tuple:
        return tuple(_tensor(i) for i in found)
    return _tensor(np.stack(found, axis=1) if found else np.zeros((0, 0), np.int64))


def trace(self: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None,
          out: Any = None) -> Any:
    """The sum along a diagonal: a Tensor, 0-d for a matrix."""
    result = np.trace(self.view(np.ndarray), offset, axis1, axis2, dtype, out)
    return result if out is not None else _tensor(result)


def round(self: Any, decimals: int = 0, out: Any = None) -> Any:  # noqa: A001
    """Rounded to ``decimals`` places, half to even: a Tensor (NumPy's method gives a
    plain array for ``decimals`` other than 0)."""
    result = np.round(self.view(np.ndarray), decimals, out)
    return result if out is not None else _tensor(result)


def _rebinding(operator_: Any) -> Any:
    def method(self: Any, other: Any) -> Any:  # (the Tensor's own operator: its promotion)
        return _tensor(operator_(self, other))
    method.__name__ = method.__qualname__ = f"__i{operator_.__name__.strip('_')}__"
    method.__doc__ = "A new Tensor, rebound to the name: the Tensor itself is unchanged."
    return method


_AUGMENTED = [operator.add, operator.sub, operator.mul, operator.truediv, operator.floordiv,
              operator.mod, operator.pow, operator.matmul, operator.and_, operator.or_,
              operator.xor, operator.lshift, operator.rshift]


TENSOR: type = np.ndarray  # ``Tensor``, set by ``tensor`` once the class exists


def _tensor(value: Any) -> Any:
    return np.asarray(value).view(TENSOR)


def sort_compiled(self: Any, axis: int = -1, descending: bool = False, *,
                  dim: int | None = None, stable: bool = False) -> Any:
    """``x.sort(...)`` read as a value inside a differentiated function: MindSpore's."""
    order = np.argsort(-self if descending else self,
                       axis=axis if dim is None else dim, kind="stable")
    return np.take_along_axis(self, order, axis=axis if dim is None else dim), \
        order.astype(np.int32)


def argsort_compiled(self: Any, axis: int = -1, descending: Any = False, *,
                     dim: int | None = None, stable: bool = False, kind: Any = None) -> Any:
    """A Tensor's ``x.argsort(...)`` inside a differentiated function, as eagerly:
    MindSpore's int32 indices (``descending``; ties in order), NumPy's where its ``kind``
    is given (by keyword, or a string second)."""
    axis = axis if dim is None else dim
    if kind is not None or isinstance(descending, str):
        return np.argsort(self, axis=axis, kind=descending if kind is None else kind)
    order = np.argsort(-self if descending else self, axis=axis, kind="stable")
    return order.astype(np.int32)


def cumsum(self: Any, axis: Any = None, dtype: Any = None) -> Any:
    """MindSpore's ``x.cumsum(axis, dtype)``: the running sum in the (cast) input's dtype,
    integers too (NumPy's widens int32 to int64), of the flattened Tensor without an
    axis; eagerly and, for a Tensor, in compiled code."""
    from .ops_reductions import cumsum as ops_cumsum
    if axis is None:
        return ops_cumsum(np.ravel(self), 0, dtype)
    return ops_cumsum(self, axis, dtype)


def transpose(self: Any, *axes: Any, dim0: Any = None, dim1: Any = None) -> Any:
    """MindSpore 2.x's (PyTorch's) ``x.transpose(dim0, dim1)``: those two dimensions
    swapped, where NumPy reads two numbers as a permutation (a matrix's ``(0, 1)`` left
    it as it was, a 3-D Tensor's raised); otherwise NumPy's: ``x.transpose()`` reverses
    the axes, a tuple or one number per axis permutes them (measured in MindSpore 2.10;
    inside a differentiated function the same for values computed from Tensors)."""
    if dim0 is not None or dim1 is not None:
        axes = (*axes, *(d for d in (dim0, dim1) if d is not None))
    if len(axes) == 2 and all(isinstance(a, int | np.integer) for a in axes):
        return np.swapaxes(self, axes[0], axes[1])
    return np.transpose(self, axes[0] if len(axes) == 1 else (axes or None))


def fill_compiled(self: Any, value: Any) -> Any:
    """``x.fill(v)`` read as a value inside a differentiated function: MindSpore's."""
    return np.full_like(self, value)


METHODS = {**{f"__i{op.__name__.strip('_')}__": _rebinding(op) for op in _AUGMENTED},
           "sort": sort, "argsort": argsort, "max": _extremum("max"),
           "min": _extremum("min"), "fill": fill, "resize": resize, "trace": trace,
           "round": round, "nonzero": nonzero, "transpose": transpose, "cumsum": cumsum,
           **{name: _reduction(name) for name in ("sum", "prod", "all", "any", "std", "var")}}
COMPILED = {"sort": sort_compiled, "fill": fill_compiled}

"""Attributes read in compiled code: ``x.T``, ``x.shape``, ``x.sum`` of an array (a
value of the program, or one made while compiling), NumPy's attributes of a number
known when compiling (``np.floor(n / 2).astype(int)``), and an object's attributes,
read along their path as globals are (``self.w``), a Cell's cast to its compute
dtype.
"""
from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..ir import surface
from ..ir.core import Var
from .attribute_writes import written
from .calls import BoundArrayMethod
from .cells import compute_dtype_cast, is_cell
from .local_objects import getter_of
from .random_draws import MadeState
from .scope import Scope


def expr_attribute(scope: Scope, node: gast.Attribute) -> Any:
    """``obj.name``: an array's attribute or method, a number's as NumPy has it, or an
    object's, read as a global is."""
    obj = scope.expr(node.value)
    if isinstance(obj, Var):
        return _array_attribute(scope, node, obj)
    if isinstance(obj, MadeState):  # rng.normal of a state made in the function
        try:
            return obj.method(node.attr)
        except AttributeError as err:
            raise scope.error(node, str(err)) from None
    entry = written(scope, obj, node.attr, node)
    if entry is not None:  # set earlier in this call (``self.cache = x``)
        return entry[1]
    getter = getter_of(scope, obj, node.attr)
    if getter is not None:  # a property of an object made in the function: compiled on it
        return scope.low.call_function(getter, (), {}, scope.loc(node), self_obj=obj)
    if isinstance(obj, np.ndarray):
        return _constant_array_attribute(scope, node, obj)
    if isinstance(obj, np.generic) or (isinstance(obj, bool | int | float)
                                       and not hasattr(type(obj), node.attr)):
        return _scalar_attribute(scope, node, obj)
    try:
        value = getattr(obj, node.attr)
    except AttributeError as err:
        raise scope.raised(node, err, str(err)) from None
    path = scope.low.captures.path_of(obj).attr(node.attr)
    read = scope.low.captures.free_value(path, value)
    return compute_dtype_cast(obj, read) if is_cell(obj) else read


def array_hasattr(scope: Scope, node: gast.AST, var: Var, name: str) -> bool:
    """``hasattr(x, name)`` of a run-time array: NumPy's array's answer, or that of
    the Tensor classes for a value computed from Tensors (refused where a Tensor's and a
    Parameter's differ: which one it is is not known when compiling)."""
    classes = surface.TENSOR_CLASSES if var.tensor and surface.TENSOR_CLASSES else [np.ndarray]
    answers = {hasattr(np.zeros(1).view(cls), name) for cls in classes}  # (instances': a
    # Parameter's ``name`` is set on each)
    if len(answers) > 1:
        raise scope.error(node, f"hasattr(..., {name!r}) of a run-time value that may be a "
                                "Tensor or a Parameter, which differ in it",
                          hint="decide outside the differentiated function, or read the "
                               "attribute of an object known there")
    return answers.pop()


def array_getattr(scope: Scope, node: gast.AST, var: Var, name: str, *default: Any) -> Any:
    """``getattr(x, name[, default])`` of a run-time array: ``x.name`` where the array
    has it, else the default (as ``hasattr`` answers)."""
    if default and not array_hasattr(scope, node, var, name):
        return default[0]
    attribute = gast.copy_location(gast.Attribute(value=node, attr=name, ctx=gast.Load()), node)
    return _array_attribute(scope, attribute, var)


def constant_array_getattr(scope: Scope, node: gast.AST, array: np.ndarray, name: str,
                           *default: Any) -> Any:
    """``getattr(c, name[, default])`` of an array made while compiling (a Tensor made
    from constants, given to ``ops.gelu``, which reads its ``dtype`` so): ``c.name``
    where ``hasattr`` finds it, else the default."""
    if default and not hasattr(array, name):
        return default[0]
    attribute = gast.copy_location(gast.Attribute(value=node, attr=name, ctx=gast.Load()), node)
    return _constant_array_attribute(scope, attribute, array)


def _scalar_attribute(scope: Scope, node: gast.Attribute, number: Any) -> Any:
    """An attribute of a number known when compiling that NumPy gave (``np.floor(n /
    2)``, folded to a Python number) or the code made (``np.float64(2.0)``): the NumPy
    scalar's, its methods run while compiling (``.astype(int)``, ``.item()``)."""
    scalar = number if isinstance(number, np.generic) else np.asarray(number)[()]
    try:
        value = getattr(scalar, node.attr)
    except AttributeError as err:
        raise scope.error(node, str(err)) from None
    if not callable(value):
        return value

    @surface.evaluated_when_compiling
    def method(*args: Any, **kwargs: Any) -> Any:
        result = value(*args, **kwargs)
        return result.item() if isinstance(result, np.generic) and not isinstance(
            number, np.generic) else result

    return method


def _constant_array_attribute(scope: Scope, node: gast.Attribute, array: np.ndarray) -> Any:
    """An attribute of an array made while compiling (``np.array([0.25, 2.0])``; an
    array read from a global or an object is a ``Var``): its data (``.T``, ``.shape``)
    is a constant too, its methods are those of any array (a constant Tensor's, as
    ``Tensor(np.array([1, 2])).float()``, those of a Tensor computed at run time)."""
    tensor = isinstance(array, tuple(surface.TENSOR_CLASSES))
    if tensor and node.attr in surface.TENSOR_ATTRIBUTES:
        return surface.TENSOR_ATTRIBUTES[node.attr](array)
    if node.attr in surface.METHODS:
        return BoundArrayMethod(array, node.attr)
    missing = object()
    value = getattr(array, node.attr, missing)
    if (value is missing or callable(value)) and node.attr in surface.ATTRIBUTES:
        return surface.ATTRIBUTES[node.attr](array)
    if value is missing or callable(value):
        raise _unsupported_attribute(scope, node)
    return value


def _array_attribute(scope: Scope, node: gast.Attribute, var: Var) -> Any:
    if var.tensor and node.attr in surface.TENSOR_ATTRIBUTES:
        return surface.TENSOR_ATTRIBUTES[node.attr](var)
    if node.attr in surface.ATTRIBUTES:
        return surface.ATTRIBUTES[node.attr](var)
    if node.attr == "dtype" and var.aval.dtype is not None:
        return var.aval.dtype
    if node.attr in surface.METHODS:
        return BoundArrayMethod(var, node.attr)
    captured = scope.low.captures.captured_object(var)
    if captured is not None and not hasattr(np.ndarray, node.attr):
        path, obj = captured  # a Parameter's own data: ``p.name``, ``p.requires_grad``
        value = getattr(obj, node.attr, None)
        if isinstance(value, str | bool | int | float | type(None)) and \
                hasattr(obj, node.attr):
            return scope.low.captures.free_value(path.attr(node.attr), value)
    raise _unsupported_attribute(scope, node)


# What to write instead of an array method compiled code does not take.
_INSTEAD = {"tolist": "index the array itself (x[0] * x[1]): Python numbers carry no "
                      "gradient",
            "put": "assign by index: y[i] = v (y made with np.zeros or copied)",
            "resize": "make a new array: np.resize(x, shape), or np.pad / concatenate",
            "itemset": "assign by index: y[i] = v", "byteswap": "leave the bytes as they are",
            "tofile": "save the values outside the differentiated function",
            "dump": "save the values outside the differentiated function",
            "strides": "index and reshape instead of reading memory strides"}


def _unsupported_attribute(scope: Scope, node: gast.Attribute) -> Exception:
    hint = _INSTEAD.get(node.attr, "use the NumPy function form, e.g. np.sum(x) for "
                                   "x.sum()" if hasattr(np, node.attr) else
                        "compute with NumPy's functions of the array instead")
    return scope.error(node, f"array attribute '.{node.attr}' is not supported here",
                       hint=hint)

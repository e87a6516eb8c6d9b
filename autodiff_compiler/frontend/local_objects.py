"""Objects of the user's classes made inside a differentiated function: a model fitted
and asked to predict (``Ridge(alpha).fit(X, y).predict(X)``), a layer built from the
arguments (``Affine(w, b)(x)``), a dataclass of parameters.

Such an object lives only while the call runs, so it is made while compiling, once:
its ``__init__`` and methods are compiled with ``self`` bound to it, and what they set
(``self.coef = ...``) is the function's own state (``attribute_writes``: reads see it,
branches merge it), never stored at run time, since nothing outside the call can see
the object. Its class's attributes (methods, constants, properties) are read as any
object's. An object that would outlive the call (returned, or set on an object made
outside) is refused where that happens.
"""
from __future__ import annotations

import builtins
import dataclasses
import inspect
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from ..ir.core import Var

if TYPE_CHECKING:
    from .scope import Scope


def can_make(cls: type) -> bool:
    """A class of the user's whose instances are plain objects: its own ``__init__``
    in Python (or a dataclass's), no ``__new__`` of its own, and not an exception."""
    return isinstance(cls, type) and cls.__new__ is object.__new__ \
        and not issubclass(cls, BaseException) \
        and (dataclasses.is_dataclass(cls) or inspect.isfunction(cls.__init__)
             or cls.__init__ is object.__init__) and cls.__module__ != "builtins"


def make(scope: Scope, node: gast.AST, cls: type, args: list, kwargs: dict) -> Any:
    """``cls(*args, **kwargs)``: the object, its ``__init__`` compiled on it."""
    from .attribute_writes import set_local  # (which imports ``scope``, importing this)
    obj = object.__new__(cls)
    scope.low.made_objects.append(obj)
    if dataclasses.is_dataclass(cls) and not _own_init(cls):
        for name, value in _dataclass_fields(scope, node, cls, args, kwargs).items():
            set_local(scope, obj, name, value)
        post_init = getattr(cls, "__post_init__", None)
        if post_init is not None:
            scope.low.call_function(post_init, (), {}, scope.loc(node), self_obj=obj)
        return obj
    if cls.__init__ is object.__init__:
        if args or kwargs:
            raise scope.error(node, f"{cls.__name__}() takes no arguments")
        return obj
    scope.low.call_function(cls.__init__, tuple(args), kwargs, scope.loc(node), self_obj=obj)
    return obj


def replaced(scope: Scope, node: gast.AST, args: list, changes: dict) -> Any:
    """``dataclasses.replace(obj, **changes)``: a new object of the dataclass, made as
    any object made inside is, from ``obj``'s fields (as this call set them) but for
    ``changes``."""
    if len(args) != 1 or not dataclasses.is_dataclass(args[0]) or isinstance(args[0], type):
        raise scope.error(node, "dataclasses.replace takes one dataclass instance and the "
                                "fields to change by keyword")
    obj, changes, fields = args[0], dict(changes), {}
    for field in dataclasses.fields(obj):
        if not field.init:
            if field.name in changes:
                raise scope.error(node, f"field '{field.name}' is init=False: "
                                        "dataclasses.replace cannot set it")
        elif field.name in changes:
            fields[field.name] = changes.pop(field.name)
        else:
            fields[field.name] = field_value(scope, node, obj, field.name)
    return make(scope, node, type(obj), [], {**fields, **changes})


def field_value(scope: Scope, node: gast.AST, obj: Any, name: str) -> Any:
    """``obj.name`` as this call set it, or as the object holds it (read as any
    attribute is, its arrays captured)."""
    from .object_builtins import getattr_of  # (which imports ``scope``, importing this)
    value = call_on_state(scope, node, builtins.getattr, [obj, name])
    return getattr_of(scope, node, obj, name) if value is NOT_STATE else value


def made_here(scope: Scope, obj: Any) -> bool:
    return any(o is obj for o in scope.low.made_objects)


def has_state(scope: Scope, obj: Any) -> bool:
    """Whether attributes of ``obj`` hold values only the compiled code has: it was made
    in the function, or the function set one of its attributes."""
    return made_here(scope, obj) or any(key[0] == id(obj) for key in scope.low.attributes)


def getter_of(scope: Scope, obj: Any, name: str) -> Any:
    """The getter of ``name`` where it is a property of an object with state of the
    function's (Python, run while compiling, would read the object as the call found
    it), else None."""
    found = inspect.getattr_static(type(obj), name, None)
    if not isinstance(found, property) or found.fget is None or not has_state(scope, obj):
        return None
    return found.fget


_VALUES = (Var, np.ndarray, np.generic, bool, int, float, complex, str, bytes, list, tuple,
           dict, set, type(None))


def python_method(obj: Any, name: str) -> Any:
    """``type(obj).name`` where the class, one of the user's, writes it in Python, else
    None (arrays, numbers and containers keep their own protocols)."""
    if isinstance(obj, _VALUES):
        return None
    method = inspect.getattr_static(type(obj), name, None)
    if not inspect.isfunction(method) or method.__code__.co_filename.startswith("<"):
        return None  # (a dataclass's generated __eq__ has no source: ``_fields_equal``)
    return method


def special_method(scope: Scope, obj: Any, name: str) -> Any:
    """``type(obj).name`` (``__len__``, ``__iter__``...) where it is the user's Python
    and the object has state of the function's: compiled on it, not run while
    compiling."""
    return python_method(obj, name) if has_state(scope, obj) else None


def _own_init(cls: type) -> bool:
    """A dataclass whose ``__init__`` the user wrote (``init=False`` and a ``def``)."""
    init = cls.__dict__.get("__init__")
    return init is not None and inspect.isfunction(init) and \
        not init.__code__.co_filename.startswith("<")


def _dataclass_fields(scope: Scope, node: gast.AST, cls: type, args: list,
                      kwargs: dict) -> dict[str, Any]:
    """What the generated ``__init__`` would set: each field from the call, its
    default or its ``default_factory``."""
    try:
        bound = inspect.signature(cls).bind(*args, **kwargs)
    except TypeError as err:
        raise scope.error(node, f"{cls.__name__}(...): {err}") from None
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in bound.arguments:
            values[f.name] = bound.arguments[f.name]
        elif f.default is not dataclasses.MISSING:
            values[f.name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            made = f.default_factory()  # a list or dict of the object's: the function's own
            values[f.name] = scope.low.new_list(made) if isinstance(made, list | dict) else made
    return values


def call_on_state(scope: Scope, node: gast.AST, func: Any, args: list) -> Any:
    """``len(obj)``, ``hasattr(obj, name)`` and ``getattr(obj, name[, default])`` of an
    object whose attributes the function set (or made), answered from that state, or
    ``NOT_STATE`` where the object holds none (then they run while compiling, and a
    ``hasattr`` is guarded)."""
    from .attribute_writes import written  # (which imports this)
    if not args or not has_state(scope, args[0]):
        return NOT_STATE
    obj = args[0]
    if func is builtins.len and len(args) == 1:
        method = special_method(scope, obj, "__len__")
        if method is not None:
            return scope.low.call_function(method, (), {}, scope.loc(node), self_obj=obj)
        return NOT_STATE
    if func not in (builtins.hasattr, builtins.getattr) or len(args) < 2 \
            or not isinstance(args[1], str):
        return NOT_STATE
    entry = written(scope, obj, args[1], node)
    if entry is not None:
        return True if func is builtins.hasattr else entry[1]
    getter = getter_of(scope, obj, args[1])
    if getter is not None:
        return True if func is builtins.hasattr else \
            scope.low.call_function(getter, (), {}, scope.loc(node), self_obj=obj)
    return NOT_STATE


NOT_STATE = object()

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

import dataclasses
import inspect
from typing import TYPE_CHECKING, Any

import gast

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


def made_here(scope: Scope, obj: Any) -> bool:
    return any(o is obj for o in scope.low.made_objects)


def getter_of(scope: Scope, obj: Any, name: str) -> Any:
    """The getter of ``name`` where it is a property of an object made in the function
    (Python would run it on attributes only the compiled code holds), else None."""
    if not made_here(scope, obj):
        return None
    found = inspect.getattr_static(type(obj), name, None)
    return found.fget if isinstance(found, property) and found.fget is not None else None


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
            values[f.name] = f.default_factory()
    return values

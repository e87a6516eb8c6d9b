"""The builtins that read an object known when compiling: ``getattr``, ``hasattr`` and
``super``. What they read is reached along the object's path and guarded as any value
read from outside the function (``captures``), so a call after the object changed
compiles again. ``calls`` dispatches here."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from ..ir.core import Var

if TYPE_CHECKING:
    from .scope import Scope


def getattr_of(scope: Scope, node: gast.AST, obj: Any, name: str, *default: Any) -> Any:
    """``getattr(obj, "name")`` on an object known when compiling: read as
    ``obj.name`` is, its arrays captured along their path."""
    if isinstance(obj, np.ndarray):  # as ``obj.name`` of an array made while compiling
        from .attributes import constant_array_getattr  # (which imports ``calls``, this)
        return constant_array_getattr(scope, node, obj, name, *default)
    captures = scope.low.captures
    try:
        value = getattr(obj, name)
    except AttributeError as err:
        if default:
            return default[0]
        raise scope.raised(node, err, str(err)) from None
    return captures.free_value(captures.path_of(obj).attr(name), value)


def super_of(scope: Scope, node: gast.AST, args: list) -> Any:
    """``super()`` in a method (its class from the method's ``__class__`` cell, the
    object from its first parameter, as Python finds them), or ``super(C, obj)``: the
    proxy, whose methods are then compiled on the object."""
    if args:
        return super(*args)
    code, fn = scope.fn.__code__, scope.fn
    if "__class__" not in code.co_freevars or not code.co_varnames[:code.co_argcount]:
        raise scope.error(node, "super() outside a method of a class",
                          hint="write super(Class, self)")
    cls = fn.__closure__[code.co_freevars.index("__class__")].cell_contents
    return super(cls, scope.env[code.co_varnames[0]])


def hasattr_of(scope: Scope, obj: Any, name: Any) -> bool:
    """``hasattr(obj, name)``, guarded as a value read from ``obj`` (the compiled code
    may set the attribute when it runs: a lazy initialisation takes the other path at
    the next call)."""
    found = hasattr(obj, name)
    if isinstance(obj, Var | np.ndarray) or not isinstance(name, str):
        return found
    captures = scope.low.captures
    return captures.free_value(captures.path_of(obj).has(name), found)

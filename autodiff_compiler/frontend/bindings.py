"""Statements that bind or unbind names without computing: ``import``, ``from ...
import`` and ``del``.

An import inside the function runs while compiling, as Python runs it at the call: the
module is imported (once, as Python caches it) and what the statement names is read
from it as a global is, so an array held by the module is the program's input, read
at every call, and its guards hold for it. ``del name`` unbinds a local (reading it
again is Python's UnboundLocalError); ``del xs[i]`` and ``del d[key]`` change a list or
dict the function built, at an index known when compiling, as Python does.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

import gast

from .attribute_writes import container_changed
from .calls import has_var
from .captures import Path
from .scope import NOT_RETURNED

if TYPE_CHECKING:
    from .scope import Scope


def _module(scope: Scope, node: gast.AST, name: str, level: int = 0) -> Any:
    package = scope.fn.__globals__.get("__package__") if level else None
    target = "." * level + name
    try:
        return importlib.import_module(target, package)
    except ImportError as err:
        raise scope.raised(node, err, f"importing {target} failed while compiling: {err}") \
            from None


def _stmt_import(scope: Scope, node: gast.Import) -> Any:
    """``import a.b`` binds ``a`` (with ``a.b`` imported); ``import a.b as c`` binds
    ``c`` to ``a.b``."""
    for alias in node.names:
        module = _module(scope, node, alias.name)
        if alias.asname is None:
            top = alias.name.partition(".")[0]
            module = importlib.import_module(top)
        name = alias.asname or alias.name.partition(".")[0]
        scope.assign(gast.Name(name, gast.Store(), None, None),
                     scope.low.captures.free_value(Path.of_object(module, name), module))
    return NOT_RETURNED


def _stmt_import_from(scope: Scope, node: gast.ImportFrom) -> Any:
    """``from m import n as k``: ``m``'s attribute ``n``, or its submodule of that name."""
    module = _module(scope, node, node.module or "", node.level or 0)
    for alias in node.names:
        if alias.name == "*":
            raise scope.error(node, "'from ... import *' inside a function is not Python",
                              hint="import the names you use")
        if not hasattr(module, alias.name):  # a submodule not imported yet
            _module(scope, node, f"{module.__name__}.{alias.name}")
        try:
            value = getattr(module, alias.name)
        except AttributeError:
            message = f"cannot import name '{alias.name}' from '{module.__name__}'"
            raise scope.raised(node, ImportError(message), message) from None
        path = Path.of_object(module, module.__name__).attr(alias.name)
        scope.assign(gast.Name(alias.asname or alias.name, gast.Store(), None, None),
                     scope.low.captures.free_value(path, value))
    return NOT_RETURNED


def _stmt_delete(scope: Scope, node: gast.Delete) -> Any:
    for target in node.targets:
        if isinstance(target, gast.Name):
            if target.id not in scope.env:
                raise scope.error(target, f"local variable '{target.id}' has no value to "
                                          "delete (Python raises UnboundLocalError)")
            del scope.env[target.id]
        elif isinstance(target, gast.Subscript):
            _delete_item(scope, target)
        else:
            raise scope.error(target, "deleting an attribute is not supported",
                              hint="leave the object as it is and use another name")
    return NOT_RETURNED


def _delete_item(scope: Scope, target: gast.Subscript) -> None:
    container = scope.expr(target.value)
    if not isinstance(container, list | dict) or id(container) not in scope.low.own_lists:
        raise scope.error(target, "deleting an item of something the function did not "
                                  "build as a list or dict (an array's items cannot be "
                                  "deleted: NumPy raises ValueError)",
                          hint="build a new value: np.delete(x, i), or a new list")
    index = scope.expr(target.slice)
    if has_var(index):
        raise scope.error(target, "deleting an item at a position computed at run time",
                          hint="use a position known when compiling")
    try:
        del container[index]
    except (IndexError, KeyError, TypeError) as err:
        raise scope.error(target, f"del failed while compiling: {err!r}") from None
    container_changed(scope, container)


STATEMENTS = {gast.Import: _stmt_import, gast.ImportFrom: _stmt_import_from,
              gast.Delete: _stmt_delete}

"""A list's methods called in a function being compiled: ``stack.append(x)``,
``top = stack.pop()``, ``s.insert(0, y)``.

The lists a function builds are Python lists while it compiles, holding the symbolic
arrays it computed; changing one changes what later lines read, so its methods run
then, on that list, whether called for their effect or for their result (``pop``).
What they move are whole values, so no derivative rule is involved: ``top`` is the
very value pushed. A position (``pop(i)``, ``insert(i, x)``) must be known when
compiling. A list the function did not build (an argument, a global) is never
changed: the caller would see it changed by the gradient, not by the function.
"""
from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import gast

from .attribute_writes import container_changed

if TYPE_CHECKING:
    from .scope import Scope

# methods that change the list, and the ones that read it without comparing its items
MUTATORS = frozenset(["append", "extend", "insert", "pop", "remove", "clear", "reverse",
                      "sort"])
_READERS = frozenset(["copy", "index", "count"])
_POSITIONS = {"pop": 0, "insert": 0}  # the argument that is a position, by method
_COMPARING = frozenset(["remove", "sort", "index", "count"])


def is_list_method(func: Any) -> bool:
    """``func`` is a method of a Python list, bound to it (``stack.pop``)."""
    return isinstance(func, types.BuiltinMethodType) and isinstance(func.__self__, list) \
        and func.__name__ in MUTATORS | _READERS


def call_list_method(scope: Scope, node: gast.AST, func: Any, args: list,
                     kwargs: dict) -> Any:
    """Run ``func`` (a list's method) while compiling, as the docstring says."""
    from .calls import has_var  # (calls dispatches here)

    target, name = func.__self__, func.__name__
    if name in MUTATORS and id(target) not in scope.low.own_lists:
        raise scope.error(node, f"changing a list the function did not create (.{name}())",
                          hint="build a new list (ys = xs + [y]) instead of mutating one "
                               "passed in or global; for a list kept on an object "
                               "(self.feats), set it in this function first "
                               "(self.feats = []), then append to it")
    position = _POSITIONS.get(name)
    if position is not None and len(args) > position and has_var(args[position]):
        raise scope.error(node, f".{name}() at a position computed at run time",
                          hint="use a position known when compiling (a literal, a loop "
                               "counter over range(...), len(xs) - 1)")
    if name in _COMPARING and has_var([*target, *args]):
        raise scope.error(node, f".{name}() compares a list's items, and arrays computed "
                                "at run time have no value yet",
                          hint="keep the values in the order you need them, or index the "
                               "list by a position known when compiling")
    try:
        result = func(*args, **kwargs)
    except (IndexError, ValueError, TypeError) as err:
        raise scope.error(node, f".{name}() failed while compiling: {err}") from None
    if name in MUTATORS:
        container_changed(scope, target)  # (an attribute holding it: set again)
    return scope.low.new_list(result) if name == "copy" else result

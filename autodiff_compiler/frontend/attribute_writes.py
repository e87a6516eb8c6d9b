"""``obj.name = value`` inside a compiled function, on an object made outside it: a
layer that keeps its input for its backward pass (``self.cache = (x, w)``), a Cell
that keeps its attention weights, a counter of calls.

Python sets the attribute, and so does the generated code when it runs, with that
call's values (a ``report`` effect: run on the forward values, in the branch taken,
never differentiated), so the object holds them after the call as it would after the
plain function. Later reads in the same call read the value written, as a value of the
program: a gradient flows through it. A read before any write reads what the object
holds, as every attribute is read (at each call).

The values written live in ``Lowering.attributes`` while compiling: a branch decided at
run time lowers each path from the state before it, and the values that differ are
merged as names are (``control``); a loop of run-time length that writes one is
refused (its iterations would have to carry it), and one of known length is unrolled
instead (``loops``).
"""
from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from .. import trees
from ..ir import primitives as P
from ..ir.core import Var
from .aliasing import CURRENT
from .cells import is_cell, is_parameter, parameter_writer, results_as
from .local_objects import made_here

if TYPE_CHECKING:
    from .scope import Scope

# The state of a written attribute that one path of a branch set and another did not,
# on an object without it before: reading it afterwards is reading a name bound on
# some paths only.
SOME_PATHS = object()
_UNWRITTEN = object()
_STORABLE = (type(None), bool, int, float, complex, str, np.generic, np.ndarray)


def written(scope: Scope, obj: Any, name: str, node: gast.AST) -> tuple[Any, Any] | None:
    """``(obj, value)``, the value this call set ``obj.name`` to so far, or ``None``
    if it set none."""
    entry = scope.low.attributes.get((id(obj), name))
    if entry is None:
        return None
    if entry[1] is SOME_PATHS:
        raise scope.error(node, f"'.{name}' was set on some paths of a branch decided at run "
                                "time only, and the object had no such attribute before",
                          hint=f"set .{name} before the branch, or on every path")
    return entry


def assign_attribute(scope: Scope, target: gast.Attribute, value: Any) -> None:
    """``obj.name = value``: the value this call's later reads see, and a ``setattr``
    run where the program runs."""
    set_attribute(scope, target, scope.expr(target.value), target.attr, value)


def stmt_setattr(scope: Scope, call: gast.Call) -> None:
    """``setattr(obj, "name", value)`` as a statement: ``obj.name = value``."""
    if len(call.args) != 3 or call.keywords or \
            any(isinstance(a, gast.Starred) for a in call.args):
        raise scope.error(call, "setattr takes three arguments: the object, the name and the "
                                "value")
    obj, name, value = (scope.expr(a) for a in call.args)
    if not isinstance(name, str):
        raise scope.error(call, "setattr of a name known only at run time",
                          hint="name the attribute when compiling (obj.name = value)")
    set_attribute(scope, call, obj, name, value)


def set_attribute(scope: Scope, target: gast.AST, obj: Any, name: str, value: Any) -> None:
    """``obj.name = value`` (``target``, the user's code that says so). A Cell's
    Parameter given an array takes its values (MindSpore's ``Cell.__setattr__``): the
    Parameter's own writer (``ops.assign``), whose later reads see them."""
    writer = parameter_writer(getattr(obj, name, None)) if is_cell(obj) else None
    if writer is not None and isinstance(target, gast.Attribute) and \
            isinstance(value, Var) and not is_parameter(value):
        from .calls import call_value  # (calls imports this module)
        read = gast.copy_location(gast.Attribute(target.value, target.attr, gast.Load()),
                                  target)
        call_value(scope, target, writer, [scope.expr(read), value], {})
        return
    _check_settable(scope, target, obj, name, value)
    _check_storable(scope, target, obj, name, value,
                    trees.flatten(value, lambda v: isinstance(v, Var))[1])
    _store(scope, obj, name, value)


def _store(scope: Scope, obj: Any, name: str, value: Any) -> None:
    """``obj.name`` holds ``value`` from now on: set when the code runs (but on an object
    made in the function, which nothing outside the call sees)."""
    if made_here(scope, obj):
        set_local(scope, obj, name, value)
        return
    leaves, skeleton = trees.flatten(value, lambda v: isinstance(v, Var))
    as_stored = results_as(obj) if is_cell(obj) else None  # a Cell's arrays are Tensors
    if len(leaves) == 1 and skeleton is trees.LEAF and as_stored is None:
        P.report(setattr, obj, name, leaves[0], sets=name)  # setattr(obj, 'name', value)
    else:
        def store(*values: Any) -> None:
            made = [as_stored(v) for v in values] if as_stored is not None else list(values)
            setattr(obj, name, trees.unflatten(skeleton, made))

        store.__qualname__ = f"set_{name}"
        store.target = obj  # (what it sets: pipeline.replay reads it)
        P.report(store, *leaves, sets=name)
    set_local(scope, obj, name, value)


def container_changed(scope: Scope, container: list | dict) -> None:
    """A list or dict the function built was changed (``self.feats.append(h)`` after
    ``self.feats = []``): every attribute of an object made outside that holds it (at
    any depth) is set again, with what it holds now, where the change is made. The last
    such store is what the object holds after the call, as after the plain function."""
    for (_, name), (obj, value) in list(scope.low.attributes.items()):
        if value is SOME_PATHS or made_here(scope, obj):
            continue
        held, _ = trees.flatten(value, lambda v: v is container)
        if any(v is container for v in held):
            _store(scope, obj, name, value)


def follow_write(scope: Scope, node: gast.AST, old: Var | np.ndarray, new: Var) -> None:
    """``old`` was written in place (``out[0] = v``, ``y += 1``) and is ``new`` now: an
    attribute holding that array holds the new values, as NumPy's shared array would
    (``L.cache = out`` before). One holding an array written through a view of it is
    refused where the object outlives the call (its new values are the base's)."""
    aliases = scope.low.aliases
    for (_, name), (obj, value) in list(scope.low.attributes.items()):
        if value is SOME_PATHS:
            continue
        leaves, skeleton = trees.flatten(value, lambda v: isinstance(v, Var | np.ndarray))
        if any(v is old for v in leaves):
            _store(scope, obj, name, trees.unflatten(skeleton, [new if v is old else v
                                                                for v in leaves]))
        elif aliases.outdated(value) is not CURRENT and not made_here(scope, obj):
            raise scope.error(node, f"this writes into the array '.{name}' holds, through a "
                                    "view of it: NumPy would change the attribute too",
                              hint=f"set .{name} to a copy (obj.{name} = y.copy()), or write "
                                   "before setting it")


def set_local(scope: Scope, obj: Any, name: str, value: Any) -> None:
    """What this call's later reads of ``obj.name`` see."""
    scope.low.attributes[(id(obj), name)] = (obj, value)


def _check_settable(scope: Scope, target: gast.AST, obj: Any, name: str,
                    value: Any) -> None:
    if isinstance(obj, Var):
        raise scope.error(target, f"cannot set the attribute '.{name}' of an array",
                          hint="compute a new array and assign it to a name")
    if isinstance(obj, type | types.ModuleType | types.FunctionType):
        raise scope.error(target, f"setting '.{name}' of {type(obj).__name__} "
                                  f"'{getattr(obj, '__name__', obj)}' inside a differentiated "
                                  "function is not supported",
                          hint="keep the value in a name, or in an attribute of an object")
    old = getattr(obj, name, None)
    if is_parameter(old) or is_cell(old) or is_parameter(value) or is_cell(value):
        raise scope.error(target, f"assigning to '.{name}', which holds or would hold a "
                                  "Parameter or a Cell, inside a differentiated function",
                          hint="update a Parameter's values with ops.assign(param, value); "
                               "set up Cells and Parameters in __init__")
    kind = type(obj)
    if isinstance(getattr(kind, name, None), property) or \
            (kind.__setattr__ is not object.__setattr__ and not is_cell(obj)):
        raise scope.error(target, f"'.{name}' of {kind.__name__} is set by Python code of "
                                  "its class (a property or __setattr__), which a "
                                  "differentiated function cannot run for its effect",
                          hint="keep the value in a name, or in a plain attribute")


def _check_storable(scope: Scope, target: gast.AST, obj: Any, name: str, value: Any,
                    skeleton: Any) -> None:
    """What is not an array of the program must be a value Python can hold as it is
    (a number, a string, a constant array, containers of them). A list or dict the
    function builds is stored as it is when set, and again at each later change of it
    (``container_changed``)."""
    if made_here(scope, obj):
        return
    others, _ = trees.flatten(skeleton, lambda v: not isinstance(v, tuple | list | dict))
    odd = [v for v in others if v is not trees.LEAF and not isinstance(v, _STORABLE)]
    if odd:
        raise scope.error(target, f"'.{name}' would hold a {type(odd[0]).__name__} made "
                                  "while compiling, which the generated code cannot store",
                          hint="store arrays, numbers, strings and tuples, lists or dicts "
                               "of them")


def merge_targets(states: list[dict]) -> list[tuple[int, str]]:
    """The attributes some path of a branch left different from another (each path's
    own copy of a list or dict is the same if it holds the very same values)."""
    def value(state: dict, key: tuple[int, str]) -> Any:
        entry = state.get(key)
        return _UNWRITTEN if entry is None else entry[1]

    keys = dict.fromkeys(k for state in states for k in state)
    return [k for k in keys if any(not same(value(s, k), value(states[0], k)) for s in states)]


def same(a: Any, b: Any) -> bool:
    """The very same value, or containers of the same structure holding the very same
    values (copies of one list for two paths)."""
    return trees.same_holdings(a, b, lambda x: not isinstance(x, tuple | list | dict))


def before_branch(scope: Scope, key: tuple[int, str], states: list[dict]) -> tuple[Any, Any]:
    """``(obj, value)`` for a path that did not write ``obj.name``: what the object holds
    (read at each call, as any attribute), or ``SOME_PATHS`` if it holds nothing."""
    obj = next(state[key][0] for state in states if key in state)
    name = key[1]
    if not hasattr(obj, name):
        return obj, SOME_PATHS
    path = scope.low.captures.path_of(obj).attr(name)
    return obj, scope.low.captures.free_value(path, getattr(obj, name))


def refuse_attributes_in_loop(scope: Scope, node: gast.AST, after: dict,
                              made_before: int) -> None:
    """A loop body lowered once for every iteration left ``after`` set an attribute of
    an object made before it (``made_before``: how many the function had made): each
    iteration would have to carry what the last one set. (A loop of known length is
    unrolled instead: ``loops._region_or_unrolled`` catches this.)"""
    before, made = scope.low.attributes, scope.low.made_objects[made_before:]
    changed = [key for key in after
               if (key not in before or not same(after[key][1], before[key][1]))
               and not any(id(o) == key[0] for o in made)]
    if changed:
        raise scope.error(node, f"'.{changed[0][1]}' is set inside a loop whose number of "
                                "iterations is known only at run time",
                          hint="keep the value in a name the loop carries, and set the "
                               "attribute after the loop")

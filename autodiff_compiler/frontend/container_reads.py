"""Python's reads of containers the compiled function holds, run while compiling:
``d.items()``, ``d.get(k)``, ``xs.index(v)``, ``sorted(d)`` and ``sorted(d.items())``
(by key), ``sorted(pairs, key=...)`` by keys known when compiling,
``next(iter(params.values()))``; an array's rows taken as a list (``sorted(rows, key=...)``,
``next(iter(rows))``) where its length is known. The containers are Python's, known when compiling,
whatever run-time values they hold: the reads take their structure (keys, order,
positions), never a run-time value's, so they need no rule. A list or dict they make
is the function's own (it may change it). (``sorted`` by keys computed at run time is
the one read that is not run here: it is compiled, ``python_builtins.sorted_by_values``.)
"""
from __future__ import annotations

import builtins
import types
from collections.abc import ItemsView, MappingView
from typing import TYPE_CHECKING, Any

import numpy as np

from ..ir.core import Var
from .python_builtins import sorted_by_values

if TYPE_CHECKING:
    from .scope import Scope

NOT_READ = object()  # (what ``read_container`` answers for any other call)

# Methods of Python containers that only read them: called on a container whose items
# may be run-time values (they are moved, never computed on).
_CONTAINER_READS = {dict: {"items", "keys", "values", "get", "copy"},
                    list: {"index", "count", "copy"}, tuple: {"index", "count"}}
# Python's iterators over containers (made while compiling, by ``iter``): ``next`` of one
# takes its next item, whatever it is
_ITERATORS = frozenset(type(it) for it in (iter([]), iter(()), iter({}), iter({}.values()),
                                           iter({}.items()), reversed([]), zip(), enumerate([])))


def read_container(scope: Scope, node: Any, func: Any, args: list, kwargs: dict) -> Any:
    """``func(*args, **kwargs)`` where it reads a container's structure, else
    ``NOT_READ``."""
    from .calls import has_var  # (calls imports this module)
    if func is builtins.sorted and len(args) == 1 and isinstance(args[0], dict | ItemsView) \
            and set(kwargs) <= {"reverse"} and not has_var([*dict(args[0])]) \
            and not has_var(kwargs):  # keys differ: items are ordered by them alone
        by_key = _key if isinstance(args[0], ItemsView) else None
        return scope.low.new_list(sorted(args[0], key=by_key, **kwargs))
    if func is builtins.sorted and len(args) == 1 and \
            isinstance(args[0], list | tuple | dict | MappingView | Var) and \
            set(kwargs) <= {"key", "reverse"} and not has_var(kwargs.get("reverse")):
        items = scope.items_of(node, args[0]) if isinstance(args[0], Var) else args[0]
        return _sorted_by_keys(scope, node, list(items), kwargs.get("key"),
                               bool(kwargs.get("reverse", False)))
    if func is builtins.iter and len(args) == 1 and not kwargs and isinstance(args[0], Var):
        return iter(scope.items_of(node, args[0]))  # an array's rows, as Python's iter
    if func is builtins.next and 1 <= len(args) <= 2 and not kwargs \
            and type(args[0]) in _ITERATORS:  # next(iter(params)): the first item
        return next(*args)
    if _reads_container(func, args, kwargs):
        value = func(*args)
        return scope.low.new_list(value) if isinstance(value, list | dict) else value
    return NOT_READ


def _key(item: tuple) -> Any:
    return item[0]


def _sorted_by_keys(scope: Scope, node: Any, items: list, key: Any, reverse: bool) -> list:
    """``sorted(items, key=key, reverse=reverse)``; ``key`` is compiled as the user's
    code is (a lambda of the function, ``operator.itemgetter``). By keys known when
    compiling (an index, a name, a length), whatever run-time values the items hold,
    the order is Python's, taken now. By keys computed at run time, numbers each, of
    items of one shape: their stable order at run time (``sorted_by_values``)."""
    from .calls import call_value, has_var  # (calls imports this module)
    keys = items if key is None else [call_value(scope, node, key, [item], {})
                                      for item in items]
    if has_var(keys):
        if not (_numbers(keys) and _of_one_shape(items)):
            raise scope.error(node, "sorted() by keys known only when the code runs, of "
                                    "items that are not numbers or arrays of one shape",
                              hint="stack them and sort with np.sort (np.argsort for the "
                                   "order), or sort by keys known when compiling")
        return scope.low.new_list(scope.low.call_function(
            sorted_by_values, (items, keys, reverse), {}, scope.loc(node)))
    order = sorted(range(len(items)), key=keys.__getitem__, reverse=reverse)
    return scope.low.new_list([items[i] for i in order])


def _numbers(values: list) -> bool:
    """Numbers each: Python's or NumPy's, or run-time values of no dimension."""
    return all(v.aval.shape == () if isinstance(v, Var) else
               isinstance(v, int | float | np.number) for v in values)


def _of_one_shape(values: list) -> bool:
    shapes = {v.aval.shape if isinstance(v, Var) else np.shape(v) for v in values}
    return len(shapes) == 1 and None not in shapes


def _reads_container(func: Any, args: list, kwargs: dict) -> bool:
    owner = getattr(func, "__self__", None)
    # d.get(key, default): the default may be a run-time value (it is only handed back)
    keys = args[:1] if isinstance(owner, dict) and func.__name__ == "get" else args
    return isinstance(func, types.BuiltinMethodType) and not kwargs \
        and func.__name__ in _CONTAINER_READS.get(type(owner), ()) \
        and not any(isinstance(a, Var) for a in keys)

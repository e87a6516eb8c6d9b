"""Python's reductions over run-time values, written in Python and compiled like the
user's code: ``max``, ``min``, ``sum``, ``any``, ``all``, ``functools.reduce`` and
``map``.

Each is spelt as CPython runs it -- ``max`` keeps the first item no later one is
greater than (``item > best``), ``sum`` adds from ``start`` left to right -- so the
value is Python's to the last bit, the derivative at a tie follows the item Python
returns, and a comparison on run-time values becomes an ``if`` the adjoint pass
already knows. ``max(a, b)`` of two arrays of several elements fails as Python's
does: the truth value of an array is ambiguous. Items are walked as a ``for`` loop
walks them: a tuple or a list is unrolled, an array's rows are a loop (``max``,
``min`` and ``reduce`` without ``initial`` take the first item apart, so an array's
length must be known when compiling).
"""
from __future__ import annotations

import builtins
import functools
from typing import Any

import numpy as np

_MISSING = object()  # no ``default``/``initial`` given


def max_(*args: Any, key: Any = None, default: Any = _MISSING) -> Any:
    """``max(iterable, *, key, default)`` or ``max(a, b, *rest, key)``."""
    return _extreme(args, key, default, "max", True)


def min_(*args: Any, key: Any = None, default: Any = _MISSING) -> Any:
    """``min(iterable, *, key, default)`` or ``min(a, b, *rest, key)``."""
    return _extreme(args, key, default, "min", False)


def _extreme(args: tuple, key: Any, default: Any, name: str, greatest: bool) -> Any:
    if len(args) == 0:
        raise TypeError(f"{name} expected at least 1 argument, got 0")
    if len(args) > 1 and default is not _MISSING:
        raise TypeError(f"Cannot specify a default for {name}() with multiple positional "
                        "arguments")
    items = args[0] if len(args) == 1 else args
    if len(items) == 0:
        if default is _MISSING:
            raise ValueError(f"{name}() iterable argument is empty")
        return default
    best = items[0]
    best_key = best if key is None else key(best)
    for item in items[1:]:
        item_key = item if key is None else key(item)
        if (item_key > best_key) if greatest else (item_key < best_key):
            best, best_key = item, item_key
    return best


def sum_(iterable: Any, /, start: Any = 0) -> Any:
    """``sum(iterable, start)``: ``start`` plus each item, left to right."""
    total = start
    for item in iterable:
        total = total + item
    return total


def reduce(function: Any, iterable: Any, initial: Any = _MISSING, /) -> Any:
    """``functools.reduce``: ``function`` folded over the items from the left."""
    if initial is _MISSING:
        if len(iterable) == 0:
            raise TypeError("reduce() of empty iterable with no initial value")
        value, rest = iterable[0], iterable[1:]
    else:
        value, rest = initial, iterable
    for item in rest:
        value = function(value, item)
    return value


def any_(iterable: Any, /) -> Any:
    """``any``: whether some item is true (each item's truth, as Python takes it)."""
    found = False
    for item in iterable:
        found = found or bool(item)
    return found


def all_(iterable: Any, /) -> Any:
    """``all``: whether every item is true."""
    holds = True
    for item in iterable:
        holds = holds and bool(item)
    return holds


def map_(function: Any, iterable: Any, /, *iterables: Any) -> Any:
    """``map``: ``function`` of the items, side by side, as long as the shortest; a list,
    which whatever iterates the map object (``list(...)``, a loop, a join) takes alike."""
    if not iterables:
        return [function(item) for item in iterable]
    return [function(*items) for items in zip(iterable, *iterables)]


def enumerate_(iterable: Any, start: int = 0) -> Any:
    """``enumerate`` as a value (``zip(xs, enumerate(ys))``): the numbered items, a list
    as ``map``'s; a ``for`` over ``enumerate(...)`` itself walks it without this."""
    return [(start + i, item) for i, item in enumerate(iterable)]


def sorted_by_values(items: list, keys: list, reverse: bool, /) -> list:
    """``sorted(items, key=...)`` by keys computed at run time, numbers each: the
    stable order of the keys (reversed, equal keys keep their order, as Python's), the
    items taken in it. The derivative follows the items to their places."""
    ranks = np.stack([np.asarray(k) for k in keys])
    order = np.argsort(-ranks if reverse else ranks, kind="stable")
    stacked = np.stack(items)
    return [stacked[order[i]] for i in range(len(items))]


# The callables these stand for, when a call passes them run-time values.
WRITTEN_IN_PYTHON = {builtins.max: max_, builtins.min: min_, builtins.sum: sum_,
                     builtins.any: any_, builtins.all: all_, functools.reduce: reduce,
                     builtins.map: map_, builtins.enumerate: enumerate_}


def needs_length(func: Any, args: tuple) -> bool:
    """Whether the call reads an array whose length it must know when compiling:
    ``max``/``min`` of one array and ``reduce`` without ``initial`` take its first item
    apart, and Python raises for an empty one (``sum`` loops any number of times)."""
    iterable = args[1] if func is functools.reduce and len(args) == 2 else \
        args[0] if func in (builtins.max, builtins.min) and len(args) == 1 else None
    aval = getattr(iterable, "aval", None)
    return aval is not None and aval.shape is None


def python_definition(func: Any) -> Any:
    """The definition above that a call of ``func`` is compiled from, if any."""
    try:
        return WRITTEN_IN_PYTHON.get(func)
    except TypeError:  # unhashable callables
        return None

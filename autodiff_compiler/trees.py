"""Nested Python containers (tuples, lists, dicts) of values: flatten and rebuild.
A dict subclass is a dict; an OrderedDict is rebuilt as one.

Arguments and results of user functions may be nested; compiled code works on the
flat list of leaves, and these functions translate in both directions.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np


class _Leaf:
    def __repr__(self) -> str:
        return "LEAF"


LEAF = _Leaf()
_DESCEND = object()


def is_namedtuple_type(kind: Any) -> bool:
    """``kind`` is a namedtuple class (a tuple subclass with ``_fields``)."""
    return isinstance(kind, type) and issubclass(kind, tuple) and hasattr(kind, "_fields")


def like(node: tuple | list, items: Any) -> tuple | list:
    """A container of ``node``'s type holding ``items``: a namedtuple takes them as its
    fields, a tuple or list (or a subclass, as ``ParameterTuple``) as one iterable."""
    kind = type(node)
    return kind(*items) if is_namedtuple_type(kind) else kind(items)


def _rebuild(node: Any, visit: Callable[[Any], Any]) -> Any:
    """A copy of ``node`` where ``visit`` replaces what it wants (else we descend)."""
    result = visit(node)
    if result is not _DESCEND:
        return result
    if isinstance(node, tuple | list):
        return like(node, [_rebuild(n, visit) for n in node])
    if isinstance(node, dict):
        items = {k: _rebuild(v, visit) for k, v in node.items()}
        return OrderedDict(items) if isinstance(node, OrderedDict) else items
    return node


def flatten(tree: Any, is_leaf: Callable[[Any], bool]) -> tuple[list[Any], Any]:
    """Leaves (where ``is_leaf``) in order, and a skeleton with ``LEAF`` in their places."""
    leaves: list[Any] = []

    def visit(node: Any) -> Any:
        if is_leaf(node):
            leaves.append(node)
            return LEAF
        return _DESCEND

    return leaves, _rebuild(tree, visit)


# What a skeleton may hold besides containers that is compared by value: text, numbers,
# dtypes (and arrays). Anything else (a function, an object) is compared by identity.
_PLAIN = (str, bytes, int, float, complex, np.generic, np.dtype, type(None), type(Ellipsis))


def same_structure(a: Any, b: Any) -> bool:
    """Whether two skeletons are alike: containers of the same types, lengths and keys,
    holding equal text and numbers, and otherwise the very same objects. No ``repr`` is
    asked for: an object made while compiling may not have the attributes its
    ``__repr__`` reads."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(map(same_structure, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same_structure(a[k], b[k]) for k in a)
    if isinstance(a, slice):
        return all(map(same_structure, (a.start, a.stop, a.step), (b.start, b.stop, b.step)))
    if isinstance(a, np.ndarray):
        return a.dtype == b.dtype and a.shape == b.shape and (
            bool(np.array_equal(a, b)) if a.dtype.hasobject else a.tobytes() == b.tobytes())
    return isinstance(a, _PLAIN) and bool(a == b)


def same_holdings(a: Any, b: Any, is_leaf: Callable[[Any], bool]) -> bool:
    """The same structure holding the very same leaves (copies of one list, one for each
    path of a branch)."""
    (la, sa), (lb, sb) = flatten(a, is_leaf), flatten(b, is_leaf)
    return len(la) == len(lb) and all(x is y for x, y in zip(la, lb)) and same_structure(sa, sb)


def unflatten(skeleton: Any, leaves: list[Any]) -> Any:
    """Put ``leaves`` back into the places ``flatten`` marked."""
    it = iter(leaves)
    return _rebuild(skeleton, lambda node: next(it) if node is LEAF else _DESCEND)


def map_leaves(skeleton: Any, fn: Callable[[Any], Any]) -> Any:
    """The skeleton with ``fn`` applied to every value in it that is not a ``LEAF``."""
    def visit(node: Any) -> Any:
        if node is LEAF or isinstance(node, tuple | list | dict):
            return node if node is LEAF else _DESCEND
        return fn(node)

    return _rebuild(skeleton, visit)


def snapshot(tree: Any, keep: Callable[[Any], bool] = lambda leaf: False) -> Any:
    """``tree`` with a copy of each NumPy array in it (but those ``keep`` says): what a
    pullback or a linear map is taken at, unmoved by a write into the caller's arrays
    (an optimiser's step) between taking it and calling it."""
    def visit(node: Any) -> Any:
        if isinstance(node, np.ndarray) and not keep(node):
            return node.copy()
        return _DESCEND if isinstance(node, tuple | list | dict) else node

    return _rebuild(tree, visit)

"""Nested Python containers (tuples, lists, dicts) of values: flatten and rebuild.

Arguments and results of user functions may be nested; compiled code works on the
flat list of leaves, and these two functions translate in both directions.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def flatten(tree: Any, is_leaf: Callable[[Any], bool]) -> tuple[list[Any], Any]:
    """Leaves (where ``is_leaf``) in order, and a skeleton with ``LEAF`` in their places."""
    leaves: list[Any] = []

    def walk(node: Any) -> Any:
        if is_leaf(node):
            leaves.append(node)
            return LEAF
        if isinstance(node, tuple | list):
            return type(node)(walk(n) for n in node) if type(node) in (tuple, list) \
                else type(node)(*(walk(n) for n in node))
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    return leaves, walk(tree)


def unflatten(skeleton: Any, leaves: list[Any]) -> Any:
    """Put ``leaves`` back into the places ``flatten`` marked."""
    it = iter(leaves)

    def walk(node: Any) -> Any:
        if node is LEAF:
            return next(it)
        if isinstance(node, tuple | list):
            return type(node)(walk(n) for n in node) if type(node) in (tuple, list) \
                else type(node)(*(walk(n) for n in node))
        if isinstance(node, dict):
            return {k: walk(v) for k, v in node.items()}
        return node

    return walk(skeleton)


def map_leaves(skeleton: Any, fn: Callable[[Any], Any]) -> Any:
    """The skeleton with ``fn`` applied to every non-``LEAF`` value in it."""
    if skeleton is LEAF:
        return LEAF
    if isinstance(skeleton, tuple | list):
        items = (map_leaves(n, fn) for n in skeleton)
        return type(skeleton)(items) if type(skeleton) in (tuple, list) \
            else type(skeleton)(*items)
    if isinstance(skeleton, dict):
        return {k: map_leaves(v, fn) for k, v in skeleton.items()}
    return fn(skeleton)


class _Leaf:
    def __repr__(self) -> str:
        return "LEAF"


LEAF = _Leaf()

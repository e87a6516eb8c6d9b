"""Objects of the user's classes made on the paths of a branch decided at run time
(``layer = Affine(w * 2.0) if c else Affine(w)``, a helper returning one object on
each path): afterwards, one object of that class, made while compiling as each of them
was (``local_objects``), whose attributes are the paths' merged as any values are
(``layer.w`` is the branch taken's).

Each path's object is first read as ``Fields``, a tuple of its attribute values on
that path, so that the branch merges it leaf by leaf as it merges a tuple; paths that
made objects of different classes, or that set different attributes, give values of
different structure, refused as such. The merged ``Fields`` become the new object.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gast

from .. import trees

if TYPE_CHECKING:
    from .scope import Scope


class Fields(tuple):
    """An object's attribute values on one path. Its type, one per class and attribute
    names in a merge, says whose: values of one type have the same structure."""

    cls: type
    names: tuple[str, ...]


def as_fields(scope: Scope, node: gast.AST, values: list[Any], states: list[dict],
              made: list[Any]) -> list[Any]:
    """Each path's value with the objects made in the branch (``made``) it holds read as
    ``Fields`` of their attributes on that path (``states``: each path's attributes)."""
    if not made:
        return values
    kinds: dict[tuple[type, tuple[str, ...]], type] = {}

    def read(value: Any, state: dict, holding: tuple[int, ...]) -> Any:
        if not any(value is obj for obj in made):
            return value
        if id(value) in holding:
            raise scope.error(node, f"a {type(value).__name__} made on a branch decided at "
                                    "run time holds itself",
                              hint="make the objects of both paths without cycles")
        names = tuple(sorted(name for key, name in state if key == id(value)))
        kind = kinds.setdefault((type(value), names), type(
            f"{type(value).__name__}Fields", (Fields,), {"cls": type(value), "names": names}))
        return kind(trees.map_leaves(state[(id(value), name)][1],
                                     lambda v: read(v, state, (*holding, id(value))))
                    for name in names)

    return [trees.map_leaves(value, lambda v, s=state: read(v, s, ()))
            for value, state in zip(values, states)]


def from_fields(scope: Scope, value: Any) -> Any:
    """``value`` with each merged ``Fields`` made an object of its class again, holding
    the merged attributes."""
    from .attribute_writes import set_local  # (which imports ``scope``, importing this)
    if not _holds_fields(value):
        return value
    if isinstance(value, Fields):
        obj = object.__new__(value.cls)
        scope.low.made_objects.append(obj)
        for name, held in zip(value.names, value):
            set_local(scope, obj, name, from_fields(scope, held))
        return obj
    if isinstance(value, tuple | list):
        return trees.like(value, [from_fields(scope, v) for v in value])
    if isinstance(value, dict):
        return type(value)((k, from_fields(scope, v)) for k, v in value.items())
    return value


def _holds_fields(value: Any) -> bool:
    if isinstance(value, Fields):
        return True
    if isinstance(value, tuple | list):
        return any(map(_holds_fields, value))
    return isinstance(value, dict) and any(map(_holds_fields, value.values()))

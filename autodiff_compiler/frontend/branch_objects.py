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
    """An object's attribute values on one path. Its type says whose: one per object
    in a merge (told by the order its path meets it), its class and its attribute
    names, so values of one type have the same structure and make one object."""

    cls: type
    names: tuple[str, ...]


class BranchObjects:
    """The objects the paths of one branch made (``made``), read as ``Fields`` of their
    attributes on each path (``states``) and made objects again once merged. An object
    is one ``Fields`` type wherever the path holds it (two names, a list and a name),
    told by the order the path first meets it, so the merge makes one object of it; a
    path holding one object where another holds two gives values of other structure."""

    def __init__(self, scope: Scope, node: gast.AST, states: list[dict],
                 made: list[Any]) -> None:
        self.scope, self.node, self.states, self.made = scope, node, states, made
        self.met: list[dict[int, int]] = [{} for _ in states]  # per path: id -> order
        self.kinds: dict[tuple, type] = {}  # (order, class, names) -> its Fields type
        self.objects: dict[type, Any] = {}  # Fields type -> the object made of it

    def read(self, values: list[Any]) -> list[Any]:
        """Each path's value with the objects made on it read as ``Fields``."""
        if not self.made:
            return values
        return [trees.map_leaves(value, lambda v, i=i: self._read(v, i, ()))
                for i, value in enumerate(values)]

    def _read(self, value: Any, path: int, holding: tuple[int, ...]) -> Any:
        if not any(value is obj for obj in self.made):
            return value
        if id(value) in holding:
            raise self.scope.error(self.node, f"a {type(value).__name__} made on a branch "
                                              "decided at run time holds itself",
                                   hint="make the objects of both paths without cycles")
        state, met = self.states[path], self.met[path]
        order = met.setdefault(id(value), len(met))
        names = tuple(sorted(name for key, name in state if key == id(value)))
        key = (order, type(value), names)
        if key not in self.kinds:
            self.kinds[key] = type(f"{type(value).__name__}Fields", (Fields,),
                                   {"cls": type(value), "names": names})
        return self.kinds[key](
            trees.map_leaves(state[(id(value), name)][1],
                             lambda v: self._read(v, path, (*holding, id(value))))
            for name in names)

    def rebuilt(self, value: Any) -> Any:
        """``value`` (merged) with each ``Fields`` an object of its class again, holding
        the merged attributes: one object per ``Fields`` type."""
        from .attribute_writes import set_local  # (which imports ``scope``, importing this)
        if not _holds_fields(value):
            return value
        if isinstance(value, Fields):
            obj = self.objects.get(type(value))
            if obj is None:
                obj = self.objects[type(value)] = object.__new__(value.cls)
                self.scope.low.made_objects.append(obj)
                for name, held in zip(value.names, value):
                    set_local(self.scope, obj, name, self.rebuilt(held))
            return obj
        if isinstance(value, tuple):
            return trees.like(value, [self.rebuilt(v) for v in value])
        if isinstance(value, list):  # the function's own list, as the paths' were
            return self.scope.low.new_list([self.rebuilt(v) for v in value])
        if isinstance(value, dict):
            return self.scope.low.new_list(type(value)((k, self.rebuilt(v))
                                                       for k, v in value.items()))
        return value


def _holds_fields(value: Any) -> bool:
    if isinstance(value, Fields):
        return True
    if isinstance(value, tuple | list):
        return any(map(_holds_fields, value))
    return isinstance(value, dict) and any(map(_holds_fields, value.values()))

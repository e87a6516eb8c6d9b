"""Which list or dict a name holds after a run-time branch: the same object it held
before, wherever every path kept it.

Each path of a branch changes its own copies of the lists and dicts the function built
(``Scope.fork``), and the merged value of a name is built anew from the paths'. Python
changes the one object every holder shares: two names for a list (``b = a``), a list
in a list or a tuple (``r0 = rows[0]``), a helper's parameter and its caller's name. So
a container that every path's value at a place copies from the same object *is* that
object afterwards, written with the merged contents, and every holder still shares it.
Where some paths keep the object and others put a new one there (``if c: b = []``), the
holder's identity is decided at run time: a name holding it is refused when read, if
anything else holds the object too (appending through it would reach the other holder
on some paths only). Likewise an array a container holds, written in place through
another name, is the written value in the container (``containers_hold``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .scope import Scope

UNBOUND = object()


def keep_identities(scope: Scope, node: Any, names: list[str], paths: list[dict],
                    attributes: list[dict]) -> None:
    """Rebind each of ``names`` (merged after a branch whose paths left the envs
    ``paths``) to the containers it held before, written with what the paths merged;
    and so for what the attributes the function set hold (``attributes``: each path's,
    as ``Lowering.attributes`` keeps them: ``bx.items`` and a name for that list)."""
    origin, written, split = scope.low.copy_origin, {}, {}
    for name in names:
        values = [env.get(name, UNBOUND) for env in paths]
        if name in scope.env and not any(v is UNBOUND for v in values):
            scope.env[name] = _restored(scope.env[name], values, origin, written,
                                        split.setdefault(name, {}))
    held = scope.low.attributes
    for key, (obj, value) in list(held.items()):
        values = [path[key][1] if key in path else UNBOUND for path in attributes]
        if not any(v is UNBOUND for v in values):
            held[key] = (obj, _restored(value, values, origin, written, {}))
    for name, objects in split.items():
        if any(_holds(scope.env[other], o) for o in objects.values() for other in scope.env
               if other != name):
            scope.env.pop(name)
            scope.unbound[name] = (
                f"a list or dict that is another name's on some paths of the branch at line "
                f"{scope.loc(node).line} and a new one on others, decided only at run time",
                f"give '{name}' a new list on every path (list(...)), or change the other "
                "one apart")


def _restored(merged: Any, values: list[Any], origin: dict[int, Any], written: dict,
              split: dict[int, Any]) -> Any:
    """``merged`` with each container that copies one object on every path replaced by
    that object, written with the merged contents (once: another holder's merge gave
    the same); objects kept on some paths only are added to ``split``."""
    if isinstance(merged, list | dict) and all(type(v) is type(merged) for v in values):
        sources = [origin.get(id(v)) for v in values]
        if isinstance(merged, list):
            items = [_restored(m, [v[i] for v in values], origin, written, split)
                     if all(len(v) == len(merged) for v in values) else m
                     for i, m in enumerate(merged)]
        else:
            items = {k: _restored(m, [v[k] for v in values], origin, written, split)
                     if all(k in v for v in values) else m for k, m in merged.items()}
        kept = sources[0]
        if kept is not None and all(s is kept for s in sources):
            if id(kept) not in written:
                written[id(kept)] = kept
                if isinstance(kept, list):
                    kept[:] = items
                else:
                    kept.clear()
                    kept.update(items)
            return kept
        split.update((id(s), s) for s in sources if s is not None)
        if isinstance(merged, list):
            merged[:] = items
        else:
            merged.update(items)
        return merged
    if type(merged) is tuple and all(type(v) is tuple and len(v) == len(merged)
                                     for v in values):
        return tuple(_restored(m, [v[i] for v in values], origin, written, split)
                     for i, m in enumerate(merged))
    return merged


def containers_hold(scope: Scope, old: Any, new: Any) -> None:
    """A list or dict the function built holding the array written in place holds its
    new values (``a = lst[0]; a += 1`` changes ``lst[0]``, as in NumPy)."""
    own, seen = scope.low.own_lists, set()
    todo = [v for v in scope.env.values() if isinstance(v, list | dict | tuple)]
    while todo:
        value = todo.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        keys = value.keys() if isinstance(value, dict) else range(len(value))
        for key in keys:
            item = value[key]
            if item is old and id(value) in own:
                value[key] = new
            elif isinstance(item, list | dict | tuple):
                todo.append(item)


def _holds(value: Any, target: Any) -> bool:
    """Whether ``value`` is ``target`` or holds it, in lists, dicts and tuples."""
    if value is target:
        return True
    if isinstance(value, list | tuple):
        return any(_holds(v, target) for v in value)
    if isinstance(value, dict):
        return any(_holds(v, target) for v in value.values())
    return False

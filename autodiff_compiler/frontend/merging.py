"""What the paths of a region give, merged into one value: a branch's names and
result, the attributes its paths set, a loop's carried values.

Values are flattened to leaves (run-time values, numbers, arrays made while
compiling, ``None``) in a skeleton; paths whose skeletons are alike merge leaf by
leaf, one output of the region each, and others are refused as values of different
structure. Lists and dicts the function builds are copied per path and merged like
tuples; objects of the user's classes made on a path are merged by their attributes
(``branch_objects``).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from .. import trees
from ..ir import primitives as P
from ..ir.core import Aval, Eqn, Var, is_python_float, same_dtype
from . import attribute_writes
from .branch_objects import Fields
from .scope import LocalFunction

if TYPE_CHECKING:
    from .captures import Captures
    from .scope import Scope


def join_avals(avals: Sequence[Aval]) -> Aval:
    """What is known of a value that is one of these."""
    first = avals[0]
    shape = first.shape if all(a.shape == first.shape for a in avals) else None
    dtype = first.dtype if all(same_dtype(a.dtype, first.dtype) for a in avals) else None
    return Aval(shape, dtype, weak=all(a.weak for a in avals))


class _Pending:
    """The function's result while no ``return`` has run yet: it takes the structure of
    the value a ``return`` gives, with ``None`` leaves, where the two meet."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()


def is_leaf(value: Any) -> bool:
    """What a branch or loop may produce: run-time values, numbers (flags too), arrays
    made while compiling (``n = Tensor(0)`` a loop counts on), ``None``, and ``PENDING``."""
    return value is None or value is PENDING or \
        isinstance(value, Var | int | float | np.generic | np.ndarray)


def fill_pending(values: list[Any]) -> list[Any]:
    """``PENDING`` among computed results becomes ``stand_in`` of them (never read: the
    flag that says a ``return`` ran selects the computed one)."""
    known = [v for v in values if v is not PENDING]
    if not known or len(known) == len(values):
        return values
    filler = stand_in(known[0])
    return [filler if v is PENDING else v for v in values]


def stand_in(result: Any) -> Any:
    """What stands for the function's result where no ``return`` has run yet (a path
    of a branch, a loop's carry before its first ``return``): ``result``'s structure,
    with zeros of each leaf's shape and dtype where they are known (else None), so the
    merged value, and a loop's carry, has the result's type (a Jacobian needs it). The
    zeros are one read-only number broadcast (no memory, never written); a 0-d one is
    a NumPy scalar, as NumPy's reductions give."""
    leaves, skeleton = trees.flatten(result, is_leaf)
    return trees.unflatten(skeleton, [_zeros(v.aval) if isinstance(v, Var) and v.aval.known
                                      else None for v in leaves])


def _zeros(aval: Aval) -> Any:
    zero = aval.dtype.type(0)
    return zero if aval.shape == () else np.broadcast_to(zero, aval.shape)


def mixes_none(values: list[Any]) -> bool:
    """Whether the paths' values hold ``None`` on some paths where others hold a value
    (``best = None``, then ``best = x`` on one path): no one value stands for both (a
    test ``best is None`` afterwards would be answered once, while compiling)."""
    known = [v for v in values if v is not PENDING]  # (a path that has not returned yet)
    if len(known) < 2:
        return False
    flat = [trees.flatten(v, is_leaf) for v in known]
    if any(len(leaves) != len(flat[0][0]) for leaves, _ in flat):
        return False  # (values of different structure: refused as such)
    return any(any(v is None for v in column) and any(v is not None for v in column)
               for column in zip(*(leaves for leaves, _ in flat)))


def merge_values(scope: Scope, node: gast.AST, values: list[Any], what: str) -> tuple[list, Any]:
    """One output per leaf where region results differ (its value on each path), and the
    skeleton to put them back in. What every path holds the very same of (``None``, a
    value from before the branch) stays in the skeleton as it is."""
    flat = [trees.flatten(v, is_leaf) for v in fill_pending(values)]
    skeleton = flat[0][1]
    if any(not trees.same_structure(s, skeleton) or len(leaves) != len(flat[0][0])
           for leaves, s in flat):
        kinds = " and ".join(dict.fromkeys(_kind(v) for v in values))
        hint = "make every path produce the same kind of value (the same nesting of " \
               "tuples, lists and dicts; objects of one class setting the same attributes)"
        if any(isinstance(v, LocalFunction) for v in values):
            hint = "define one function before the branch, and choose on each path the " \
                   "values it computes with"
        elif any(isinstance(v, Fields) for v in values) and any(map(_is_object, values)):
            hint = "an object made on one path cannot stand for one from before the branch " \
                   "on another: make one on every path, or set the attributes of the one " \
                   "from before"
        elif len(set(map(_kind, values))) == 1 and any(isinstance(v, Fields) for v in values):
            hint = "hold the objects made on the paths alike on every path (one object " \
                   "under two names on one path is two objects on another)"
        raise scope.error(node, f"the branches give {what} of different structure "
                                f"({kinds}), decided only at run time", hint=hint)
    if mixes_none(values):
        raise scope.error(node, f"the branches give {what} holding None on some paths and a "
                                "value on others, decided only at run time",
                          hint="give it a value on every path (zeros where there is none), "
                               "or a flag saying which it holds")
    columns = [list(column) for column in zip(*(leaves for leaves, _ in flat))]
    kept = [c[0] if all(v is c[0] for v in c) else trees.LEAF for c in columns]
    return [c for c, k in zip(columns, kept) if k is trees.LEAF], trees.unflatten(skeleton, kept)


def _kind(value: Any) -> str:
    """How a value's structure reads in a message: ``tuple of 2``, ``array``, ``None``."""
    if value is None:
        return "None"
    if isinstance(value, LocalFunction):
        return "function"
    if isinstance(value, Fields):
        return f"{value.cls.__name__} setting {', '.join(value.names) or 'no attributes'}"
    if isinstance(value, tuple | list | dict):
        return f"{type(value).__name__} of {len(value)}"
    if _is_object(value):
        return f"{type(value).__name__} from before the branch"
    return "array or number" if is_leaf(value) else type(value).__name__


def _is_object(value: Any) -> bool:
    """An object of the user's classes (not made on the paths: those are ``Fields``)."""
    return not isinstance(value, Fields | LocalFunction) and not is_leaf(value) and \
        type(value).__module__ not in ("builtins", "numpy") and \
        not isinstance(value, tuple | list | dict | type)


def containers(scope: Scope) -> list[str]:
    """Names holding lists or dicts the function built: each branch changes its copy."""
    own = scope.low.own_lists

    def holds(value: Any) -> bool:
        if isinstance(value, list | dict):
            return id(value) in own or any(map(holds, _items(value)))
        return type(value) is tuple and any(map(holds, value))

    return [name for name, value in scope.env.items() if holds(value)]


def _items(value: list | dict) -> list:
    return list(value.values()) if isinstance(value, dict) else value


def changed_by_calls(scope: Scope, child: Scope, named: list[str]) -> list[str]:
    """The names of ``scope`` that a region's body (lowered in ``child``) left changed
    other than the ``named`` ones its syntax assigns: a list or dict a call wrote into
    (``add(acc, v)``), a name a call set ``nonlocal``."""
    return [n for n in scope.env if n not in named and n in child.env
            and not same_contents(scope.env[n], child.env[n])]


def same_contents(a: Any, b: Any) -> bool:
    """The same structure holding the very same values."""
    return b is not UNBOUND and trees.same_holdings(a, b, is_leaf)


def own_containers(scope: Scope, value: Any) -> None:
    """The lists and dicts of a merged value are the function's: it may change them."""
    if isinstance(value, list | dict):
        scope.low.new_list(value)
        for item in _items(value):
            own_containers(scope, item)
    elif type(value) is tuple:
        for item in value:
            own_containers(scope, item)


UNBOUND = object()


def merged_attributes(scope: Scope, merge: Callable[[list[Any], str], tuple[list, Any]],
                       states: list[dict]) -> tuple[list[tuple[tuple, Any, Any]], list]:
    """The attributes the paths left different: for each, its key, object and
    skeleton, and the columns of their leaves (one output of the branch each), as
    ``merge`` merges values."""
    written, columns = [], []
    for key in attribute_writes.merge_targets(states):
        entries = [state.get(key) or attribute_writes.before_branch(scope, key, states)
                   for state in states]
        values = [value for _, value in entries]
        if any(v is attribute_writes.SOME_PATHS for v in values):
            written.append((key, entries[0][0], None))
            continue
        cols, skeleton = merge(values, f"'.{key[1]}'")
        written.append((key, entries[0][0], (skeleton, len(cols))))
        columns.extend(cols)
    return written, columns


def bind_attributes(scope: Scope, written: list, outs: list[Var],
                    rebuilt: Callable[[Any], Any], start: int = 0) -> list[Var]:
    """Each merged attribute takes its outputs (those from ``start``; objects made on
    the paths ``rebuilt``); ``outs`` without them."""
    rest = list(outs[start:])
    for key, obj, merged in written:
        if merged is None:
            scope.low.attributes[key] = (obj, attribute_writes.SOME_PATHS)
            continue
        skeleton, n = merged
        scope.low.attributes[key] = (obj, rebuilt(trees.unflatten(skeleton, rest[:n])))
        own_containers(scope, scope.low.attributes[key][1])
        rest = rest[n:]
    return list(outs[:start])


def merged_captures(captures: Captures, paths: list[dict[int, Var]]
                    ) -> tuple[list[int], list[list[Var]]]:
    """The captured arrays some path of a branch assigned (``ops.assign``, a Cell's
    ``self.w -= d`` on a Parameter): their keys, and each one's value on every path
    (one output of the branch), what it entered the program as where a path did not
    assign it. Left to the last path's value, the reads after the branch read a value
    of that path alone."""
    def value(path: dict[int, Var], key: int) -> Var:
        held = path.get(key)
        return captures.before_writes[key] if held is None else held

    keys = [k for k in dict.fromkeys(k for path in paths for k in path)
            if k in captures.before_writes
            and any(value(p, k) is not value(paths[0], k) for p in paths)]
    return keys, [[value(p, k) for p in paths] for k in keys]


def bind_captures(captures: Captures, keys: list[int], outs: list[Var]) -> list[Var]:
    """The merged captured arrays (the last of ``outs``) are what later reads give;
    ``outs`` without them."""
    rest = list(outs[len(outs) - len(keys):])
    for key, out in zip(keys, rest):
        captures.vars[key] = out
    return list(outs[:len(outs) - len(keys)])


def as_numpy_values(atoms: list[list[Any]], lowered: list) -> None:
    """Where one branch gives a Python float and another an array, the float is made a
    NumPy value in its branch (``np.array(v)``, as ``np.exp(x)`` is one in NumPy): the
    merged value is indexed and transposed as an array (``v[None]``), which a float is
    not."""
    for column in atoms:
        if not any(isinstance(a, Var) and not a.aval.weak for a in column):
            continue
        for i, atom in enumerate(column):
            if is_python_float(atom):
                made = Var(Aval((), np.dtype(np.float64)), "value")
                lowered[i][0].append(Eqn((made,), P.copy, (atom,), {}, None))
                column[i] = made


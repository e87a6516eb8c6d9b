"""Augmented assignment (``x += v``, ``y[i] += v``, ``self.total += v``): NumPy writes
the result into the array the target holds, so its other holders (names, views, a
list's items, attributes) see it; Python rebinds a number; a list grows in place; an
object whose class writes ``__iadd__`` changes itself. The value is ``syntax``'s
binary operator's; what the write means for memory is ``aliasing``'s.
"""
from __future__ import annotations

from typing import Any

import gast
import numpy as np

from ..errors import UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir.core import Var
from . import object_protocols
from .aliasing import is_callers, spelt
from .attribute_writes import container_changed
from .calls import has_var
from .local_objects import NOT_STATE
from .scope import NOT_RETURNED, Scope
from .syntax import BINOPS, as_load, binop


def stmt_augassign(scope: Scope, node: gast.AugAssign) -> Any:
    """``x += v`` and ``y[index] += v``: computed, then assigned (NumPy's buffered
    semantics: a repeated index adds once, as ``y[[0, 0]] += 1`` does). Into an array a
    name, an attribute or a list's item holds, NumPy writes: other holders are outdated;
    an object whose class writes ``__iadd__`` changes itself."""
    if not isinstance(node.target, gast.Name | gast.Subscript | gast.Attribute):
        raise UnsupportedSyntaxError("augmented assignment to this target is not supported",
                                     scope.loc(node), hint="compute a new value and assign it")
    if isinstance(node.target, gast.Subscript):  # y[i][j] += v: y[i, j] += v
        node = gast.copy_location(gast.AugAssign(scope.merged_subscript(node.target),
                                                 node.op, node.value), node)
    old = scope.expr(as_load(node.target))
    operand = scope.expr(node.value)
    fn = BINOPS.get(type(node.op))
    changed = NOT_STATE if fn is None else \
        object_protocols.in_place(scope, node, fn.__name__.strip("_"), old, operand)
    if changed is not NOT_STATE:  # acc += Stats(x): its __iadd__
        scope.assign(node.target, changed)
        return NOT_RETURNED
    if isinstance(old, list) and isinstance(node.op, gast.Add | gast.Mult) and \
            not isinstance(node.target, gast.Attribute):
        _change_list(scope, node, old, operand)
        scope.assign(node.target, old)
        return NOT_RETURNED
    value = binop(scope, node, node.op, old, operand)
    what = spelt(node.target)
    if isinstance(old, Var) and old.tensor:  # a MindSpore Tensor's += makes a new Tensor:
        scope.assign(node.target, value)  # its other names keep the old one (measured)
        return NOT_RETURNED
    if isinstance(node.target, gast.Attribute):  # self.total += x: a new value, set
        scope.assign(node.target, value)
        if isinstance(old, Var | np.ndarray):  # NumPy writes into the array: its other
            scope.write_in_place(node, old, value, what, rebinds=True)  # names are old
        return NOT_RETURNED
    if isinstance(old, np.ndarray) and isinstance(value, np.generic | int | float):
        value = np.asarray(value)  # a 0-d array made while compiling, written with numbers
        # known then: the result folds to a NumPy scalar, where NumPy writes the array
    if isinstance(value, Var | np.ndarray) and _held_whole(scope, node.target):
        # (an array made while compiling, np.array(2.0), is written into as any other)
        rebinds = is_callers(scope, old)  # never written into: rebound, as in MindSpore
        if scope.low.aliases.in_place(old) and not rebinds:  # written: it keeps its kind
            value = _stored(scope, node, what, old, value)
        if isinstance(value, Var) and isinstance(node.target, gast.Name):
            value.hint = node.target.id
        scope.assign(node.target, value)  # (then the holders left with the old values)
        scope.write_in_place(node, old, value, what, rebinds)
        return NOT_RETURNED
    scope.assign(node.target, value)
    return NOT_RETURNED


def _held_whole(scope: Scope, target: gast.expr) -> bool:
    """Whether ``target`` is an array as a whole: a name, or an item of a list, tuple or
    dict (``y[i] += v`` into an array is a write of its entries, not this)."""
    if isinstance(target, gast.Name):
        return True
    return isinstance(scope.expr(as_load(target.value)), list | tuple | dict)


def _change_list(scope: Scope, node: gast.AugAssign, items: list, operand: Any) -> None:
    """``xs += ys`` and ``xs *= n`` change the list itself, as Python does: every other
    name for it sees the change. Only a list the function built may change."""
    if id(items) not in scope.low.own_lists:
        raise scope.error(node, "changing a list the function did not create (+= or *=)",
                          hint="build a new list (xs = xs + [y]) instead of changing one "
                               "passed in or global")
    if isinstance(node.op, gast.Mult):
        if has_var(operand) or not isinstance(operand, int | np.integer):
            raise scope.error(node, "repeating a list by a count not known when compiling",
                              hint="repeat it by an int known when compiling")
        items *= int(operand)
    else:
        items += scope.items_of(node.value, operand)
    container_changed(scope, items)


def _stored(scope: Scope, node: gast.AugAssign, name: str, old: Any, value: Any) -> Any:
    """What ``acc += v`` leaves in the array ``acc``: NumPy writes the result into it, so
    the shape stays (a larger result raises) and the dtype too (cast as ``same_kind``)."""
    (shape, want), (got, have) = _layout(old), _layout(value)
    if None not in (shape, got) and shape != got:
        raise scope.error(node, f"the result has shape {got}, which NumPy cannot "
                                f"write into '{name}' of shape {shape}",
                          hint=f"write {name} = {name} {_OPS.get(type(node.op), 'op')} ... "
                               "for a new array of the broadcast shape")
    if have is None or want is None or have == want:
        return value
    if not np.can_cast(have, want, "same_kind"):
        raise scope.error(node, f"the result is {have}, which NumPy cannot write into "
                                f"'{name}' of dtype {want} (casting rule 'same_kind')",
                          hint=f"convert '{name}' first, e.g. {name} = {name}.astype({have})")
    return P.astype(value, want) if isinstance(value, Var) else np.asarray(value, want)


def _layout(value: Any) -> tuple[tuple | None, np.dtype | None]:
    """The shape and dtype of an array of the program or one made while compiling."""
    if isinstance(value, Var):
        return value.aval.shape, value.aval.dtype
    value = np.asarray(value)
    return value.shape, value.dtype


_OPS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
        gast.FloorDiv: "//", gast.Mod: "%", gast.MatMult: "@"}


# The statements handled here, by node type (``Lowering.statements``).
STATEMENTS = {gast.AugAssign: stmt_augassign}

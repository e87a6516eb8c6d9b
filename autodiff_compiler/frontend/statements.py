"""What statements do, read from their syntax alone before they are lowered: the names
they bind, whether they return, jump out of their loop or build Python lists. Nested
functions and classes are their own (not descended into)."""
from __future__ import annotations

from collections.abc import Sequence

import gast

from .list_methods import MUTATORS


def walk(nodes: Sequence[gast.AST]) -> list[gast.AST]:
    """Nodes of these statements, not descending into nested functions or classes."""
    out, todo = [], list(nodes)
    while todo:
        node = todo.pop()
        out.append(node)
        if not isinstance(node, gast.FunctionDef | gast.Lambda | gast.ClassDef):
            todo.extend(gast.iter_child_nodes(node))
    return out


def assigned_names(stmts: Sequence[gast.stmt]) -> list[str]:
    """Names these statements bind, in source order; ``y[i] = v`` binds ``y`` anew."""
    names = []
    for node in walk(stmts):
        if isinstance(node, gast.Subscript) and isinstance(node.ctx, gast.Store):
            base = node.value
            while isinstance(base, gast.Subscript):
                base = base.value
            if isinstance(base, gast.Name):
                names.append(base)
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names.append(node)
    names.sort(key=lambda n: (n.lineno, n.col_offset))
    return list(dict.fromkeys(n.id for n in names))


def defined_names(stmts: Sequence[gast.stmt]) -> list[str]:
    """Names these statements bind by ``def`` and ``class``."""
    return [n.name for n in walk(stmts) if isinstance(n, gast.FunctionDef | gast.ClassDef)]


def contains(stmts: Sequence[gast.stmt], kinds: tuple[type, ...]) -> bool:
    return any(isinstance(n, kinds) for n in walk(stmts))


def jumps(stmts: Sequence[gast.stmt]) -> bool:
    """``break``/``continue`` of this loop (not of loops nested in it)."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Break | gast.Continue):
            return True
        if not isinstance(node, gast.For | gast.While | gast.FunctionDef | gast.Lambda):
            todo.extend(gast.iter_child_nodes(node))
    return False


def builds_lists(stmts: Sequence[gast.stmt]) -> bool:
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
               and n.func.attr in MUTATORS for n in walk(stmts))


def breaks(stmts: Sequence[gast.stmt]) -> bool:
    """``break`` of this loop (not of loops nested in it)."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Break):
            return True
        if not isinstance(node, gast.For | gast.While | gast.FunctionDef | gast.Lambda):
            todo.extend(gast.iter_child_nodes(node))
    return False

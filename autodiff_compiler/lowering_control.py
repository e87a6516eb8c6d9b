"""Lowering of control flow: ``if``, conditional expressions, ``and``/``or``; and
what loops (``lowering_loops``) share with them: regions, merging, the jump flags.

Whatever is decided by values known when compiling is resolved here, the way Python
would run it: the taken branch of a static ``if`` is lowered alone. Everything
decided at run time becomes a region equation (``cond``, ``loop``, ``while_loop``)
whose bodies are lowered in forked scopes; the names a region assigns become its
outputs (the phi values). A ``return`` under a data-dependent ``if`` takes the rest
of the function into both branches, so the ``cond`` computes the return value.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gast
import numpy as np

from . import primitives as P
from . import trees
from .builder import as_atom, building
from .errors import UnsupportedSyntaxError
from .ir import Aval, Eqn, Function, Var
from .lowering import EXPRESSIONS, JUMPED, NOT_RETURNED, STATEMENTS, Scope

_LIST_METHODS = {"append", "extend", "insert", "pop", "remove", "clear"}


class _Break(BaseException):
    """``break`` reached while unrolling a loop."""


# ---------------------------------------------------------------------------- helpers


def _walk(nodes: Sequence[gast.AST]) -> list[gast.AST]:
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
    for node in _walk(stmts):
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


def _contains(stmts: Sequence[gast.stmt], kinds: tuple[type, ...]) -> bool:
    return any(isinstance(n, kinds) for n in _walk(stmts))


def _jumps(stmts: Sequence[gast.stmt]) -> bool:
    """``break``/``continue`` of this loop (not of loops nested in it)."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Break | gast.Continue):
            return True
        if not isinstance(node, gast.For | gast.While | gast.FunctionDef | gast.Lambda):
            todo.extend(gast.iter_child_nodes(node))
    return False


def _builds_lists(stmts: Sequence[gast.stmt]) -> bool:
    return any(isinstance(n, gast.Call) and isinstance(n.func, gast.Attribute)
               and n.func.attr in _LIST_METHODS for n in _walk(stmts))


def _join(avals: Sequence[Aval]) -> Aval:
    """What is known of a value that is one of these."""
    first = avals[0]
    shape = first.shape if all(a.shape == first.shape for a in avals) else None
    dtype = first.dtype if all(a.dtype == first.dtype for a in avals) else None
    return Aval(shape, dtype, weak=all(a.weak for a in avals))


def _is_leaf(value: Any) -> bool:
    """What a branch or loop may produce: run-time values, numbers (flags too), and
    ``None`` (a result not yet computed)."""
    return value is None or isinstance(value, Var | int | float | np.generic)


def _region(scope: Scope, run: Callable[[Scope], Any]) -> tuple[list[Eqn], Scope, Any]:
    """Lower a region body in a forked scope; its equations, final scope and result."""
    child = scope.fork()
    with building(scope.low.builder.loc) as b:
        try:
            result = run(child)
        except _Break:
            raise UnsupportedSyntaxError(
                "'break' under a run-time condition in a loop that is unrolled (it builds a "
                "Python list) is not supported", scope.low.builder.loc,
                hint="preallocate an array instead of appending to a list") from None
    return b.eqns, child, result


def _merge(scope: Scope, node: gast.AST, values: list[Any], what: str) -> tuple[list, Any]:
    """One output per leaf where region results differ: leaves per branch, skeleton."""
    flat = [trees.flatten(v, _is_leaf) for v in values]
    skeleton = flat[0][1]
    if any(repr(s) != repr(skeleton) or len(leaves) != len(flat[0][0]) for leaves, s in flat):
        raise scope.error(node, f"the branches give {what} of different structure",
                          hint="make every branch produce the same kind of value")
    return [list(column) for column in zip(*(leaves for leaves, _ in flat))], skeleton


# ---------------------------------------------------------------------------- if / ifexp


def stmt_if(scope: Scope, node: gast.If) -> Any:
    test = scope.expr(node.test)
    if not isinstance(test, Var):
        return scope.block(node.body if test else node.orelse)
    structured_return = scope.loop_kind == "structured" and _contains(
        node.body + node.orelse, (gast.Return,))
    if scope.in_loop and (_jumps(node.body + node.orelse) or structured_return):
        # the rest of the loop body runs only on the paths that do not jump
        rest = list(scope.continuation[0]) if scope.continuation else []
        _cond(scope, node, test, [lambda c: c.block(node.body + rest),
                                  lambda c: c.block(node.orelse + rest)], returns=False,
              names=assigned_names(node.body + node.orelse + rest))
        return JUMPED
    if _contains(node.body + node.orelse, (gast.Return,)):
        if scope.in_loop:
            raise UnsupportedSyntaxError(
                "'return' inside a loop under a condition known only at run time is not "
                "supported yet", scope.loc(node), hint="set a result variable and break "
                "out of the loop with a condition known when compiling")
        rest = [stmt for block in scope.continuation for stmt in block]
        return _cond(scope, node, test, [lambda c: c.block(node.body + rest),
                                         lambda c: c.block(node.orelse + rest)], returns=True)
    _cond(scope, node, test, [lambda c: c.block(node.body), lambda c: c.block(node.orelse)],
          returns=False)
    return NOT_RETURNED


def expr_ifexp(scope: Scope, node: gast.IfExp) -> Any:
    test = scope.expr(node.test)
    if not isinstance(test, Var):
        return scope.expr(node.body if test else node.orelse)
    return _cond(scope, node, test, [lambda c: c.expr(node.body), lambda c: c.expr(node.orelse)],
                 returns=True)


def _cond(scope: Scope, node: gast.AST, test: Var, branches: list[Callable[[Scope], Any]],
          returns: bool, names: list[str] | None = None) -> Any:
    lowered = [_region(scope, run) for run in branches]
    if returns:
        values = [None if r is NOT_RETURNED else r for _, _, r in lowered]
        columns, skeleton = _merge(scope, node, values, "results")
        outs = _emit_cond(scope, node, test, lowered, columns, ["out"] * len(columns))
        return trees.unflatten(skeleton, outs)
    merged, columns, skeletons = [], [], []
    candidates = assigned_names(node.body + node.orelse) if names is None else names
    candidates = [*candidates, *_flags(scope)]
    for name in candidates:
        values = [child.env.get(name, _UNBOUND) for _, child, _ in lowered]
        if any(v is _UNBOUND for v in values):
            scope.env.pop(name, None)  # bound on some paths only: unusable afterwards
        elif all(v is values[0] for v in values):
            scope.env[name] = values[0]
        else:
            cols, skeleton = _merge(scope, node, values, f"'{name}'")
            merged.append((name, len(cols)))
            columns.extend(cols)
            skeletons.append(skeleton)
    outs = _emit_cond(scope, node, test, lowered, columns,
                      [_hint(name) for name, n in merged for _ in range(n)])
    for (name, n), skeleton in zip(merged, skeletons):
        scope.env[name], outs = trees.unflatten(skeleton, outs[:n]), outs[n:]
    return NOT_RETURNED


_UNBOUND = object()


def _emit_cond(scope: Scope, node: gast.AST, test: Var, lowered: list, columns: list,
               hints: list[str]) -> list[Var]:
    atoms = [[as_atom(v) for v in column] for column in columns]
    outs = [Var(_join([a.aval for a in col]), hint) for col, hint in zip(atoms, hints)]
    for out, column in zip(outs, atoms):
        scope.low.aliases.share(out, *column)  # the memory of the branch taken
    bodies = tuple(Function(f"branch{i}", (), tuple(eqns), tuple(col[i] for col in atoms))
                   for i, (eqns, _, _) in enumerate(lowered))
    scope.low.builder.eqns.append(
        Eqn(tuple(outs), P.cond, (test,), {"branches": bodies}, scope.loc(node)))
    return outs


def expr_boolop(scope: Scope, node: gast.BoolOp) -> Any:
    """``and``/``or`` with Python's semantics; run-time operands become truth ops."""
    is_and = isinstance(node.op, gast.And)
    value: Any = None
    for operand in node.values:
        item = scope.expr(operand)
        if value is None or (not isinstance(value, Var) and not isinstance(item, Var)):
            value = item
        else:
            value = (P.truth_and if is_and else P.truth_or)(value, item)
        if not isinstance(value, Var) and bool(value) != is_and:
            return value
    return value


# ---------------------------------------------------------------------------- flags


# A loop whose body may `break` on a run-time condition carries a stop flag: once set,
# the remaining iterations skip the body (a `while` stops), and `else` runs only if
# it never was. `continue` and `break` end the body's block early: what follows them
# is lowered into the other branch of the `if` that holds them (as for `return`).
# A `return` in such a loop sets the flag too, and keeps its value for after the loop.
STOP, RETURNED, RESULT = "<stop>", "<returned>", "<result>"
_HINTS = {STOP: "stop", RETURNED: "returned", RESULT: "result"}


def _hint(name: str) -> str:
    return _HINTS.get(name, name)


def _flags(scope: Scope) -> list[str]:
    return [n for n in (STOP, RETURNED, RESULT) if n in scope.env]


STATEMENTS.update({gast.If: stmt_if})
EXPRESSIONS.update({gast.IfExp: expr_ifexp, gast.BoolOp: expr_boolop})

from . import lowering_loops as _loops  # noqa: E402,F401  (registers the loop handlers)

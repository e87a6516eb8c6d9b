"""A generator function, compiled as the list of what it yields.

``for W, b in unpack_layers(weights)`` over a generator that slices a flat parameter
vector into layers (autograd's Bayesian network does this) needs no laziness: the loop
takes every item, in order. So the generator's syntax is rewritten before lowering:
``yield v`` appends ``v`` to a list made at its start, ``yield from xs`` extends it,
and ``return`` (or the end) returns the list. What the compiler knows about building
lists holds for it, among others that a list is built only by a loop of a length known
when compiling (else a located refusal). A ``yield`` whose value is read
(``x = yield v``, a coroutine) is left as it is, and refused where it is met.
"""
from __future__ import annotations

import gast


def as_list_builder(node: gast.FunctionDef) -> gast.FunctionDef:
    """``node``, a generator's definition, rewritten as the module docstring says."""
    taken = {n.id for n in gast.walk(node) if isinstance(n, gast.Name)}
    items = "yielded"
    while items in taken:
        items += "_"
    start = gast.Assign([_name(items, gast.Store())], gast.List([], gast.Load()), None)
    end = gast.Return(_name(items))
    for made in (start, end):
        gast.copy_location(made, node.body[0])
    node.body = [start, *_statements(node.body, items), end]
    return gast.fix_missing_locations(node)


def nested_as_list_builders(node: gast.FunctionDef | gast.Lambda) -> None:
    """Each generator ``def`` nested in ``node`` (a helper the function defines),
    rewritten as the module docstring says, once, where the source is parsed."""
    nested = [inner for inner in gast.walk(node)
              if inner is not node and isinstance(inner, gast.FunctionDef) and _yields(inner)]
    for inner in nested:
        as_list_builder(inner)


def _yields(node: gast.FunctionDef) -> bool:
    """A ``yield`` in ``node``'s own body (not in the functions it defines)."""
    todo = list(node.body)
    while todo:
        item = todo.pop()
        if isinstance(item, gast.Yield | gast.YieldFrom):
            return True
        if not isinstance(item, gast.FunctionDef | gast.AsyncFunctionDef | gast.Lambda
                          | gast.ClassDef):
            todo.extend(gast.iter_child_nodes(item))
    return False


def _statements(body: list[gast.stmt], items: str) -> list[gast.stmt]:
    return [_statement(s, items) for s in body]


def _statement(stmt: gast.stmt, items: str) -> gast.stmt:
    if isinstance(stmt, gast.FunctionDef | gast.AsyncFunctionDef | gast.ClassDef):
        return stmt  # its own yields are its own
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Yield | gast.YieldFrom):
        method = "extend" if isinstance(stmt.value, gast.YieldFrom) else "append"
        value = stmt.value.value or gast.Constant(None, None)
        call = gast.Call(gast.Attribute(_name(items), method, gast.Load()), [value], [])
        return gast.copy_location(gast.Expr(gast.copy_location(call, stmt)), stmt)
    if isinstance(stmt, gast.Return):  # a generator's return value ends the iteration
        return gast.copy_location(gast.Return(_name(items)), stmt)
    for field in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field, None)
        if isinstance(block, list):
            setattr(stmt, field, _statements(block, items))
    for handler in getattr(stmt, "handlers", ()):
        handler.body = _statements(handler.body, items)
    return stmt


def _name(name: str, ctx: gast.expr_context | None = None) -> gast.Name:
    return gast.Name(name, ctx or gast.Load(), None, None)

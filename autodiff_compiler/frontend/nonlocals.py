"""``nonlocal`` in a ``def`` written inside the function being compiled.

Such a function is inlined where it is called (``Lowering.call_local``), in a scope of
its own that starts from the caller's names. A name it declares ``nonlocal`` is the
enclosing function's: what the call leaves in it is written back into the caller's
scope when the call ends, as Python's cell would hold it. A loop or branch whose body
makes such a call finds the name changed and carries or merges it like a name it
assigns (``loop_bodies.loop_body``, ``control``), since its syntax does not show it.

Refused, at the ``nonlocal`` statement: a function called from another function than
the one that defined it (the enclosing scope is not the caller's there), and one that
returns from inside a block (its scope's names at the end are one path's).

A ``global`` declaration of names the function only reads changes nothing: they are read
from the module as undeclared names are. One the function assigns is refused: a
differentiated function may not set the module's variables.
"""
from __future__ import annotations

from typing import Any

import gast

from ..errors import Loc, UnsupportedSyntaxError
from .merging import same_contents
from .scope import NOT_RETURNED, LocalFunction, Scope
from .statements import walk


def declared(node: gast.AST) -> list[gast.Nonlocal]:
    """The ``nonlocal`` statements of a ``def``'s own body (not of the functions it
    defines in turn)."""
    if not isinstance(node, gast.FunctionDef):
        return []
    found, todo = [], list(node.body)
    while todo:
        stmt = todo.pop()
        if isinstance(stmt, gast.Nonlocal):
            found.append(stmt)
        elif not isinstance(stmt, gast.FunctionDef | gast.AsyncFunctionDef | gast.ClassDef
                            | gast.Lambda):
            todo.extend(gast.iter_child_nodes(stmt))
    return found


def check(scope: Scope, node: gast.FunctionDef, statements: list[gast.Nonlocal],
          called_where_defined: bool) -> None:
    """Refuse the calls whose ``nonlocal`` writes cannot be given back exactly."""
    where = scope.loc(statements[0])
    if not called_where_defined:
        raise UnsupportedSyntaxError(
            f"'{node.name}' assigns a nonlocal name and is called from another function "
            "than the one that defined it", where,
            hint="call it in the function that defines it, or return the new value")
    returns = [n for n in gast.walk(node) if isinstance(n, gast.Return)]
    last = node.body[-1] if node.body else None
    if any(r is not last for r in returns):
        raise UnsupportedSyntaxError(
            f"'{node.name}' assigns a nonlocal name and returns from inside a block",
            where, hint="return once, at the end of the function")


def write_back(scope: Scope, before: dict[str, Any], caller: Scope | None,
               local: LocalFunction, loc: Loc | None) -> None:
    """Give the caller the names of its own that the call (``scope``) set: those the
    function declares ``nonlocal``, and those a function it defines set so (a name the
    function does not assign nor take is its enclosing one's)."""
    own = set(scope.parsed.assigned_names) | set(local.signature.parameters)
    changed = [n for n, value in before.items() if n not in own and n in scope.env
               and not same_contents(value, scope.env[n])]
    if changed and caller is None:
        raise UnsupportedSyntaxError(
            f"'{local.name}' sets '{changed[0]}' of the function that defined it (nonlocal) "
            "and is called from another function", loc,
            hint="call it in the function that defines it, or return the new value")
    for name in changed:  # as the enclosing function's cell holds it
        caller.env[name] = scope.env[name]


def stmt_nonlocal(scope: Scope, node: gast.Nonlocal) -> Any:
    """A declaration (what it declares is written back by the call): in the function
    being compiled itself, a name of the user's code around it, which it cannot set."""
    if not scope.in_local_call:
        raise UnsupportedSyntaxError(
            "'nonlocal' in the function being differentiated: it would set a variable of "
            "the code around it", scope.loc(node),
            hint="return the new value instead of assigning an enclosing variable")
    return NOT_RETURNED


def stmt_global(scope: Scope, node: gast.Global) -> Any:
    """A declaration of module variables: nothing to do where the function only reads
    them, refused where it assigns one."""
    body = scope.parsed.node.body if isinstance(scope.parsed.node, gast.FunctionDef) else []
    declared = set(node.names)
    for written in walk(body):  # (a nested def's names are its own)
        if isinstance(written, gast.Name) and written.id in declared \
                and isinstance(written.ctx, gast.Store | gast.Del):
            raise UnsupportedSyntaxError(
                f"'{written.id}' is declared global and assigned: a differentiated "
                "function cannot set a variable of its module", scope.loc(written),
                hint="return the new value instead of assigning a global")
    return NOT_RETURNED


# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {gast.Nonlocal: stmt_nonlocal, gast.Global: stmt_global}

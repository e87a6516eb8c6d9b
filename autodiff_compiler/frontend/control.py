"""Lowering of control flow: ``if`` and conditional expressions (``and``/``or`` are
``boolops``'); and what loops (``loops``, ``unrolled``) share with them: regions and
the jump flags (merging what the paths give is ``merging``'s).

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

from .. import trees
from ..errors import UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Eqn, Function, Var
from . import attribute_writes, object_protocols
from .branch_objects import BranchObjects
from .container_identity import keep_identities
from .local_objects import NOT_STATE
from .merging import (
    UNBOUND,
    as_numpy_values,
    bind_attributes,
    bind_captures,
    changed_by_calls,
    containers,
    join_avals,
    merge_values,
    merged_attributes,
    merged_captures,
    mixes_none,
    own_containers,
    same_contents,
)
from .scope import JUMPED, NOT_RETURNED, Scope
from .statements import assigned_names, breaks, contains, defined_names, jumps, walk


class _Break(BaseException):
    """``break`` reached while unrolling a loop."""


# ---------------------------------------------------------------------------- helpers


def _region(scope: Scope, run: Callable[[Scope], Any]) -> tuple[list[Eqn], Scope, Any]:
    """Lower a region body in a forked scope; its equations, final scope and result.
    The attributes the body leaves set are the child's (``child.attributes``); the
    function's are as they were before it (its caller merges or refuses them)."""
    low = scope.low
    before, written = low.attributes, dict(low.written)
    child = scope.fork()  # (low.attributes: the body's copy)
    try:
        with building(low.builder.loc) as b:
            try:
                result = run(child)
            except _Break:
                raise UnsupportedSyntaxError(
                    "'break' in a loop unrolled while compiling (it builds or walks a Python "
                    "list), after a 'continue' on a run-time condition in the same iteration, "
                    "is not supported", low.builder.loc,
                    hint="preallocate an array instead of building a list, so that the loop "
                    "is not unrolled; or break on a flag at the end of the iteration") from None
    finally:  # (what a call in the body wrote is the body's value: its names saw it)
        child.attributes, low.attributes, low.written = low.attributes, before, written
    low.aliases.lowered_region(b.eqns)
    return b.eqns, child, result


# ---------------------------------------------------------------------------- if / ifexp


def stmt_if(scope: Scope, node: gast.If) -> Any:
    test = _test(scope, node, scope.expr(node.test))
    if not isinstance(test, Var):
        return scope.block(node.body if test else node.orelse)
    for raising, other, holds in ((node.body, node.orelse, False),
                                  (node.orelse, node.body, True)):
        if raising and isinstance(raising[-1], gast.Raise) \
                and all(isinstance(s, gast.Assign | gast.AnnAssign) for s in raising[:-1]):
            guard_raise(scope, raising, test if holds else P.truth_not(P.truth(test)))
            return scope.block(other)
    returns = contains(node.body + node.orelse, (gast.Return,))
    if scope.loop_kind == "unrolled" and not returns and jumps(node.body + node.orelse) \
            and merged_break(scope, node, test):
        return after_merged_break(scope)
    if scope.loop_kind == "unrolled" and (returns or breaks(node.body + node.orelse)):
        return _jump_out_of_unrolled(scope, node, test, returns)
    structured_return = scope.loop_kind == "structured" and returns
    if scope.in_loop and (jumps(node.body + node.orelse) or structured_return):
        # the rest of the loop body runs only on the paths that do not jump
        rest, after_iteration = rest_of_loop_body(scope)
        _cond(scope, node, test, [lambda c: c.block(node.body + rest),
                                  lambda c: c.block(node.orelse + rest)], returns=False,
              names=assigned_names(node.body + node.orelse + rest))
        if scope.jump_branch and scope.loop_kind == "unrolled":  # rest of the function
            return lower_rest(scope, after_iteration)
        return JUMPED
    if returns:
        return _rest_in_branches(scope, node, test)
    _cond(scope, node, test, [lambda c: c.block(node.body), lambda c: c.block(node.orelse)],
          returns=False)
    return NOT_RETURNED


def _test(scope: Scope, node: gast.AST, value: Any) -> Any:
    """An ``if``'s test: an object whose attributes the function set is true as its
    class says (``__bool__``, ``__len__``), compiled on it."""
    truth = object_protocols.truth(scope, node, value)
    return value if truth is NOT_STATE else truth


def guard_raise(scope: Scope, branch: list[gast.stmt], passes: Var) -> None:
    """``if test: ...; raise E(message)`` on a run-time ``test``: the code after it
    runs only where ``test`` is false, so it is a check, ``if not passes: raise
    E(message)`` in the generated code, in place of the branch. The branch's other
    statements, assignments (the message's parts), are computed whatever the test
    says; a branch that does more (prints, loops) before raising is not a check."""
    attributes = scope.low.attributes
    child = scope.fork()  # (its copy of what attributes hold: the message's parts only)
    child.block(branch[:-1])
    scope.low.attributes = attributes
    node = branch[-1]
    if node.exc is None:
        raise scope.error(node, "a bare 'raise' outside an 'except' block")
    exc, args = node.exc, []
    if isinstance(exc, gast.Call):
        if exc.keywords or len(exc.args) > 1:
            raise child.error(node, "raise of an exception made with keywords or several "
                                    "arguments on a run-time condition",
                              hint="give the exception one message: raise E(f'...')")
        args = [child.expr(a) for a in exc.args]
        exc = exc.func
    kind = child.expr(exc)
    if isinstance(kind, BaseException):
        kind, args = type(kind), [str(kind)] if str(kind) else []
    if not (isinstance(kind, type) and issubclass(kind, BaseException)):
        raise child.error(node, f"raise of a {type(kind).__name__}: exceptions must derive "
                                "from BaseException")
    message = [a if isinstance(a, Var | str) else str(a) for a in args]
    P.check(passes, *message, exception=kind)


def _rest_in_branches(scope: Scope, node: gast.If, test: Var) -> Any:
    """Each branch takes the rest of the function in; the ``cond`` gives its result."""
    rest = [stmt for block in scope.continuation for stmt in block]

    def branch(stmts: list[gast.stmt]) -> Callable[[Scope], Any]:
        def run(child: Scope) -> Any:
            child.reaches_end, child.jump_branch = True, scope.loop_kind == "unrolled"
            return child.block(stmts + rest)
        return run

    return _cond(scope, node, test, [branch(node.body), branch(node.orelse)], returns=True)


def _jump_out_of_unrolled(scope: Scope, node: gast.If, test: Var, returns: bool) -> Any:
    """``return`` (or a ``break`` that ``merged_break`` could not take) on a run-time
    condition in a loop unrolled while compiling: the rest of the function goes into
    the branches."""
    if not resumable(scope):
        what = "'return'" if returns else "'break'"
        raise UnsupportedSyntaxError(
            f"{what} on a run-time condition in a loop unrolled while compiling (it builds "
            "or walks a Python list), where the rest of the function cannot follow the "
            "jump: after a 'continue' on a run-time condition, or inside a loop of run-time "
            "length, is not supported", scope.loc(node),
            hint="preallocate an array instead of building a list, so that the loop is not "
            "unrolled; or assign a result, break with a flag, and return after the loops")
    return _rest_in_branches(scope, node, test)


def rest_of_loop_body(scope: Scope) -> tuple[list[gast.stmt], list[gast.stmt]]:
    """What is left of the innermost loop's body after the statement being lowered, in
    every block that holds it (an ``if`` known when compiling, a ``with``), and what
    comes after that: the body of a loop region is a scope of its own, so its rest is
    the whole continuation; an unrolled iteration's ends at its ``_Resume``."""
    if scope.loop_kind == "unrolled":
        return split_at_resume(scope)
    return [stmt for block in scope.continuation for stmt in block], []


def expr_ifexp(scope: Scope, node: gast.IfExp) -> Any:
    test = _test(scope, node, scope.expr(node.test))
    if not isinstance(test, Var):
        return scope.expr(node.body if test else node.orelse)
    refuse_binding(scope, [node.body, node.orelse], "in a branch of a conditional expression "
                                                    "on a run-time value: the name would be "
                                                    "bound on one path only")
    return _cond(scope, node, test, [lambda c: c.expr(node.body), lambda c: c.expr(node.orelse)],
                 returns=True, expression=True)


def _refuse_names_set(scope: Scope, node: gast.AST, paths: list[Scope]) -> None:
    """A call on one path of an expression that sets a name of the function (nonlocal,
    or a list or dict it writes into): the expression's paths give a value alone."""
    for path in paths:
        changed = changed_by_calls(scope, path, [])
        if changed:
            raise scope.error(node, f"a call that may not run (a branch of a conditional "
                                    f"expression, or an operand 'and'/'or' may skip) sets "
                                    f"'{changed[0]}' (nonlocal, or a list or dict it writes "
                                    "into)", hint="make the call in an if statement")


def _cond(scope: Scope, node: gast.AST, test: Var, branches: list[Callable[[Scope], Any]],
          returns: bool, names: list[str] | None = None, expression: bool = False) -> Any:
    made_before = len(scope.low.made_objects)
    lowered, stale, attributes, assigned_on_paths = _lower_branches(scope, branches)
    if expression:  # a conditional expression, or an operand ``and``/``or`` may skip
        _refuse_names_set(scope, node, [child for _, child, _ in lowered])
    objects = BranchObjects(scope, node, attributes, scope.low.made_objects[made_before:])

    def merge(values: list[Any], what: str) -> tuple[list, Any]:
        return merge_values(scope, node, objects.read(values), what)

    assigned, assigned_columns = merged_captures(scope.low.captures, assigned_on_paths)
    if returns:
        columns, skeleton = merge([None if r is NOT_RETURNED else r for _, _, r in lowered],
                                  "results")
        written, written_columns = merged_attributes(scope, merge, attributes)
        outs = _emit_cond(scope, node, test, lowered, stale,
                          columns + written_columns + assigned_columns,
                          ["out"] * len(columns) + ["value"] * len(written_columns)
                          + [c[0].hint or "value" for c in assigned_columns])
        outs = bind_captures(scope.low.captures, assigned, outs)
        bind_attributes(scope, written, outs[len(columns):], objects.rebuilt)
        return objects.rebuilt(trees.unflatten(skeleton, outs[:len(columns)]))
    merged, columns, skeletons = [], [], []
    candidates = [*(assigned_names(node.body + node.orelse) if names is None else names),
                  *defined_names(node.body + node.orelse)]
    candidates = list(dict.fromkeys([*candidates, *_flags(scope), *containers(scope)]))
    candidates = list(dict.fromkeys([*candidates, *(  # and those a call set: nonlocal
        n for _, child, _ in lowered for n in changed_by_calls(scope, child, candidates))]))
    for name in candidates:
        values = [child.env.get(name, UNBOUND) for _, child, _ in lowered]
        if any(v is UNBOUND for v in values):
            scope.env.pop(name, None)  # bound on some paths only: unusable afterwards
        elif all(v is values[0] for v in values):
            scope.env[name] = values[0]
        elif all(same_contents(v, values[0]) for v in values):
            if not same_contents(values[0], scope.env.get(name, UNBOUND)):
                scope.env[name] = values[0]  # (else the branches' copies are the original)
        elif mixes_none(read := objects.read(values)):  # read afterwards: refused (Scope.name)
            scope.env.pop(name, None)
            scope.unbound[name] = (
                f"None on some paths of the branch at line {scope.loc(node).line} and a value "
                "on others, decided only at run time",
                f"give '{name}' a value on every path (zeros where there is none), or keep "
                "a flag saying which it holds")
        else:
            cols, skeleton = merge_values(scope, node, read, f"'{name}'")
            merged.append((name, len(cols)))
            columns.extend(cols)
            skeletons.append(skeleton)
    written, written_columns = merged_attributes(scope, merge, attributes)
    outs = _emit_cond(scope, node, test, lowered, stale,
                      columns + written_columns + assigned_columns,
                      [_hint(name) for name, n in merged for _ in range(n)]
                      + ["value"] * len(written_columns)
                      + [c[0].hint or "value" for c in assigned_columns])
    outs = bind_captures(scope.low.captures, assigned, outs)
    outs = bind_attributes(scope, written, outs, objects.rebuilt, len(columns))
    for (name, n), skeleton in zip(merged, skeletons):
        scope.env[name], outs = objects.rebuilt(trees.unflatten(skeleton, outs[:n])), outs[n:]
        own_containers(scope, scope.env[name])
    keep_identities(scope, node, candidates, [child.env for _, child, _ in lowered],
                    attributes)
    return NOT_RETURNED


def _lower_branches(scope: Scope, branches: list[Callable[[Scope], Any]]
                    ) -> tuple[list[tuple[list[Eqn], Scope, Any]], list[dict], list[dict],
                               list[dict]]:
    """Each branch lowered in turn, outdated only by its own in-place writes (what one
    branch writes into is current on the other's path); afterwards, what any of them
    outdated. Also what each outdated, for the values the branches give, the
    attributes of objects each path leaves (``attribute_writes``), each from the state
    before the branch, and what each path's captured arrays hold (a Parameter one
    assigns: ``merging.merged_captures``)."""
    low = scope.low
    before, lowered, stale = low.aliases.stale, [], []
    writes, assigned = low.captures.saved_writes(), []
    for run in branches:
        low.aliases.stale = dict(before)
        low.captures.restore_writes(writes)  # (a Parameter the other path assigned)
        lowered.append(_region(scope, run))
        stale.append(low.aliases.stale)
        assigned.append(dict(low.captures.vars))
    low.captures.restore_writes(writes)
    low.aliases.stale = {v: loc for outdated in stale for v, loc in outdated.items()}
    attributes = [child.attributes for _, child, _ in lowered]
    # what every path left as it was keeps its own object (a list a name holds too);
    # what they left alike, the first path's; what differs, the caller merges
    low.attributes = {key: low.attributes[key] if key in low.attributes and
                      attribute_writes.same(entry[1], low.attributes[key][1]) else entry
                      for key, entry in attributes[0].items()}
    return lowered, stale, attributes, assigned


def _emit_cond(scope: Scope, node: gast.AST, test: Var, lowered: list, stale: list[dict],
               columns: list, hints: list[str]) -> list[Var]:
    atoms = [[as_atom(v) for v in column] for column in columns]
    as_numpy_values(atoms, lowered)
    outs = [Var(join_avals([a.aval for a in col]), hint,
                tensor=any(isinstance(a, Var) and a.tensor for a in col))
            for col, hint in zip(atoms, hints)]
    for out, column in zip(outs, atoms):
        scope.low.aliases.merge(out, column, stale)  # the memory of the branch taken
    bodies = tuple(Function(f"branch{i}", (), tuple(eqns), tuple(col[i] for col in atoms))
                   for i, (eqns, _, _) in enumerate(lowered))
    scope.low.builder.eqns.append(
        Eqn(tuple(outs), P.cond, (test,), {"branches": bodies}, scope.loc(node)))
    return outs


def refuse_binding(scope: Scope, nodes: Sequence[gast.AST], where: str) -> None:
    """Refuse ``(name := value)`` ``where`` the code is lowered as a region whose
    bindings do not reach the code after it (a branch, a loop's test)."""
    for node in walk(nodes):
        if isinstance(node, gast.NamedExpr):
            raise scope.error(node, f"an assignment expression (:=) {where}",
                              hint="assign the name in a statement of its own")


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


# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {gast.If: stmt_if}
# The expressions handled here, by node type (``Lowering.expressions``).
EXPRESSIONS = {gast.IfExp: expr_ifexp}

from .unrolled import (  # noqa: E402
    after_merged_break,
    lower_rest,
    merged_break,
    resumable,
    split_at_resume,
)

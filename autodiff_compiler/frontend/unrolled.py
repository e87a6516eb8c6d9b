"""Loops unrolled while compiling, and ``break``/``continue``.

A loop over a Python sequence, or one whose body builds Python lists, runs while
compiling, one iteration after the other, as Python would run it. Each iteration's
statements are followed by a ``_Resume`` standing for the iterations still to come
(then the loop's ``else``), so the rest is known wherever a jump is. A ``break`` under
a run-time condition is a ``cond`` whose branch that does not break runs the rest of
the loop, and what follows the loop is lowered once, after it. A ``return`` under a
run-time condition takes the rest of the function into the branch that does not
return (so does a ``break`` where the rest of the loop may still ``return``).
"""
from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import gast

from ..errors import AutodiffError, UnsupportedSyntaxError
from ..ir.core import Var
from .control import STOP, _Break, _cond
from .scope import JUMPED, NOT_RETURNED, Scope
from .statements import assigned_names, breaks, builds_lists, contains

_MAX_UNROLLED = 100_000
# How many iterations an unrolling may run: fewer where unrolling is a preference, not
# the only way (``limited_unrolling``)
_LIMIT: ContextVar[int] = ContextVar("unroll_limit", default=_MAX_UNROLLED)


@contextmanager
def limited_unrolling(limit: int) -> Iterator[None]:
    """Unroll at most ``limit`` iterations in the block (more: "loop too long")."""
    token = _LIMIT.set(min(limit, _LIMIT.get()))
    try:
        yield
    finally:
        _LIMIT.reset(token)

_BROKE = object()


@contextmanager
def _unrolling(scope: Scope) -> Iterator[None]:
    saved = scope.in_loop, scope.loop_kind
    scope.in_loop, scope.loop_kind = True, "unrolled"
    try:
        yield
    finally:
        scope.in_loop, scope.loop_kind = saved


class _Resume(gast.Pass):
    """Stands, after an unrolled iteration's statements, for the iterations still to
    come (then the loop's ``else``): where a ``return`` or ``break`` under a run-time
    condition takes the rest of the function into the branch that does not jump."""

    def __init__(self, loop: gast.For | gast.While, items: list | None, start: int,
                 outer: tuple[bool, str | None]) -> None:
        super().__init__()
        self.loop, self.items, self.start, self.outer = loop, items, start, outer
        gast.copy_location(self, loop)


def stmt_resume(scope: Scope, node: _Resume) -> Any:
    """The iterations still to come; what follows is after the loop, and lowered so."""
    scope.in_loop, scope.loop_kind = node.outer
    if node.items is None:
        return _unroll_while(scope, node.loop, scope.expr(node.loop.test))
    return _unroll(scope, node.loop, node.items, node.start)


def resumable(scope: Scope) -> bool:
    """Whether the rest of the function, unrolled iterations included, is known here."""
    return scope.reaches_end and in_iteration(scope)


def in_iteration(scope: Scope) -> bool:
    """Whether the rest of the innermost unrolled loop is known here."""
    return any(isinstance(stmt, _Resume) for stmt in _rest(scope))


def _rest(scope: Scope) -> list[gast.stmt]:
    return [stmt for block in scope.continuation for stmt in block]


def split_at_resume(scope: Scope) -> tuple[list[gast.stmt], list[gast.stmt]]:
    """The rest of the function: what is left of this iteration, and from the next on."""
    rest = _rest(scope)
    at = next(i for i, stmt in enumerate(rest) if isinstance(stmt, _Resume))
    return rest[:at], rest[at:]


def merged_break(scope: Scope, node: gast.If, test: Var) -> bool:
    """``if test: ... break`` (or ``continue``, with a ``break`` after it) in an unrolled
    iteration, as a ``cond`` whose branches run what is left of the iteration and,
    unless they broke, the iterations still to come; its outputs are the names the
    loop binds. Then what follows the loop is lowered once (``after_merged_break``):
    taking it into both branches, as a ``return`` must, doubles it at every ``break``.
    False, and nothing lowered, where the paths cannot merge: the rest of the loop may
    ``return``, or builds lists (whose lengths then differ between the paths), or gives
    a name values of different structure; and where there is no ``break`` to merge."""
    if not in_iteration(scope):
        return False
    rest, (resume, *_) = split_at_resume(scope)
    loop = [*node.body, *node.orelse, *rest, resume.loop]
    if not breaks([*node.body, *node.orelse, *rest]) or contains(loop, (gast.Return,)) \
            or builds_lists(loop):
        return False

    def branch(stmts: list[gast.stmt]) -> Any:
        def run(child: Scope) -> Any:
            if _iteration_of(child, stmts + rest, resume) is not _BROKE:
                stmt_resume(child, resume)
            return NOT_RETURNED
        return run

    env, n_eqns = dict(scope.env), len(scope.low.builder.eqns)
    aliases = scope.low.aliases.saved()
    try:
        _cond(scope, node, test, [branch(node.body), branch(node.orelse)], returns=False,
              names=assigned_names(loop))
    except AutodiffError:  # (if it is not the merge, lowering it otherwise raises it again)
        scope.env.clear()
        scope.env.update(env)
        del scope.low.builder.eqns[n_eqns:]
        scope.low.aliases.restore(aliases)
        return False
    return True


def after_merged_break(scope: Scope) -> Any:
    """The loop ends at a merged ``break``: in a branch holding the rest of the function,
    what follows the loop is lowered here; else it is lowered as after any loop."""
    if scope.jump_branch:
        return _after_loop_of_break(scope)
    raise _Break


def lower_rest(scope: Scope, stmts: list[gast.stmt]) -> Any:
    """Lower the rest of the function, from an iteration's end on: its result."""
    value = scope.block(stmts)
    return None if value is NOT_RETURNED else value


def _after_loop_of_break(scope: Scope) -> Any:
    """``break`` in a branch holding the rest of the function: what follows the loop."""
    _, tail = split_at_resume(scope)
    saved = scope.in_loop, scope.loop_kind
    scope.in_loop, scope.loop_kind = tail[0].outer
    try:
        return lower_rest(scope, tail[1:])
    finally:
        scope.in_loop, scope.loop_kind = saved


def _iteration_of(scope: Scope, body: list[gast.stmt], resume: _Resume) -> Any:
    """One unrolled iteration: ``_BROKE``, the function's result, or ``NOT_RETURNED``."""
    saved = scope.continuation
    scope.continuation = ([resume], *saved)
    try:
        result = scope.block(body)
    except _Break:
        return _BROKE
    finally:
        scope.continuation = saved
    return NOT_RETURNED if result is JUMPED else result


def _unroll(scope: Scope, node: gast.For, items: Any, start: int = 0) -> Any:
    if not isinstance(items, list):  # Python reads the iterable once, at the start
        items = list(itertools.islice(items, _LIMIT.get() + 2))
    outer = scope.in_loop, scope.loop_kind
    with _unrolling(scope):
        for count in range(start, len(items)):
            if count > _LIMIT.get():
                raise scope.error(node, "loop too long to unroll")
            scope.assign(node.target, items[count])
            result = _iteration_of(scope, node.body, _Resume(node, items, count + 1, outer))
            if result is not NOT_RETURNED:
                return NOT_RETURNED if result is _BROKE else result
    return scope.block(node.orelse)


def _unroll_while(scope: Scope, node: gast.While, test: Any) -> Any:
    outer = scope.in_loop, scope.loop_kind
    with _unrolling(scope):
        for _ in range(_LIMIT.get()):
            if isinstance(test, Var):  # (after an iteration; or where the iterations
                # resume after a branch on run-time values, fuzz seed 660448)
                if builds_lists(node.body):  # (why it was unrolled: the README's words)
                    raise UnsupportedSyntaxError(
                        "building a Python list in a while loop whose condition is known "
                        "only at run time is not supported yet", scope.loc(node),
                        hint="preallocate an array, or collect values in a loop of known "
                             "length")
                raise scope.error(node, "this while condition became a run-time value after "
                                        "starting as one known when compiling",
                                  hint="start the loop with a condition on arrays")
            if not test:
                return scope.block(node.orelse)
            result = _iteration_of(scope, node.body, _Resume(node, None, 0, outer))
            if result is not NOT_RETURNED:
                return NOT_RETURNED if result is _BROKE else result
            test = scope.expr(node.test)
    raise scope.error(node, f"while loop ran {_LIMIT.get()} times while compiling")


def stmt_break(scope: Scope, node: gast.Break) -> Any:
    if scope.loop_kind == "structured":  # set the stop flag, end the body here
        scope.env[STOP] = True
        return JUMPED
    if scope.jump_branch:
        return _after_loop_of_break(scope)
    raise _Break


def stmt_continue(scope: Scope, node: gast.Continue) -> Any:
    if scope.jump_branch and scope.loop_kind == "unrolled":  # on with the next iteration
        return lower_rest(scope, split_at_resume(scope)[1])
    return JUMPED


# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {gast.Break: stmt_break, gast.Continue: stmt_continue, _Resume: stmt_resume}

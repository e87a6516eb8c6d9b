"""Lowering of loops: ``for``, ``while``, ``break`` and ``continue``.

A loop over a Python sequence is unrolled, as Python would run it. Any other loop is
a region (``loop``, ``while_loop``) whose carried values are the names its body
reassigns that were defined before it — a loop whose length is known when compiling
too (``for i in range(1000)``; ``while i < n`` on a Python int, which is then carried
at run time), so that compiling takes as long as the source is, not as the loop runs.
Such a loop is unrolled only where its body needs values known when compiling: it
builds Python lists, or it cannot be lowered as a region.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import gast
import numpy as np

from . import primitives as P
from .builder import as_atom
from .errors import UnsupportedSyntaxError
from .ir import Aval, Eqn, Function, Var
from .iteration import Range, Rows, Static, iteration_of
from .lowering import JUMPED, NOT_RETURNED, STATEMENTS, Scope
from .lowering_control import (
    _UNBOUND,
    RESULT,
    RETURNED,
    STOP,
    _Break,
    _builds_lists,
    _cond,
    _contains,
    _flags,
    _hint,
    _is_leaf,
    _join,
    _region,
    assigned_names,
)

_MAX_UNROLLED = 100_000
_INDEX = Aval((), np.dtype(np.int64))


def stmt_for(scope: Scope, node: gast.For) -> Any:
    iteration = iteration_of(scope, node.iter)
    aliases = scope.low.aliases
    walked = iteration.arrays if isinstance(iteration, Rows) else []
    listed = iteration.values if isinstance(iteration, Static) else []
    aliases.walked.append([v for v in walked if isinstance(v, Var)])
    aliases.listed.append(listed)
    try:
        return _for(scope, node, iteration)
    finally:
        aliases.walked.pop()
        aliases.listed.pop()


def _for(scope: Scope, node: gast.For, iteration: Any) -> Any:
    if isinstance(iteration, Static) or (
            iteration.static_count is not None and _builds_lists(node.body)):
        return _unroll(scope, node, iteration.items(scope))
    if iteration.static_count is not None:
        return _region_or_unrolled(scope, lambda: _structured_for(scope, node, iteration),
                                   lambda: _unroll(scope, node, iteration.items(scope)))
    return _structured_for(scope, node, iteration)


def _structured_for(scope: Scope, node: gast.For, iteration: Any) -> Any:
    if _builds_lists(node.body):
        raise UnsupportedSyntaxError(
            "building a Python list in a loop whose length is known only at run time",
            scope.loc(node), hint="preallocate an array, or loop over a range whose bounds "
            "are known when compiling")

    def bind(child: Scope, k: Var) -> None:
        child.assign(node.target, iteration.item(child, k))

    outer_stop = scope.env.pop(STOP, _UNBOUND)  # an enclosing loop's flag is not ours
    stmts = _with_stop_flag(scope, node, node.body)
    carried = [n for n in assigned_names(node.body) if n in scope.env
               and n not in assigned_names([gast.Expr(node.target)])] + _flags(scope)
    index = node.target if isinstance(iteration, Range) else None  # `i` indexes rows
    body = _loop_body(scope, node, carried, bind, stmts, index)
    inits = [as_atom(_loop_value(scope, node, scope.env[n], n)) for n in carried]
    outs = _carried_outs(scope, carried, inits, body)
    scope.low.builder.eqns.append(Eqn(
        tuple(outs), P.loop, (as_atom(iteration.count(scope)), *inits),
        {"body": body, "n_ys": 0, "reverse": iteration.reverse}, scope.loc(node)))
    scope.env.update(zip(carried, outs))
    return _after_loop(scope, node, outer_stop)


def _with_stop_flag(scope: Scope, node: gast.AST, body: list[gast.stmt]) -> list[gast.stmt]:
    """The body, skipped once the stop flag is set; sets up the flags when needed."""
    returns = _contains(body, (gast.Return,))
    if returns:
        if scope.loop_kind == "structured":
            raise UnsupportedSyntaxError(
                "'return' in a loop nested in another loop of run-time length is not "
                "supported yet", scope.loc(node), hint="assign a result, break out of both "
                "loops, and return after them")
        scope.env[RETURNED], scope.env[RESULT] = False, None
    if not (_breaks(body) or returns):
        return body
    scope.env[STOP] = False
    test = gast.copy_location(gast.Name(STOP, gast.Load(), None, None), node)
    return [gast.copy_location(gast.If(test, [gast.copy_location(gast.Pass(), node)], body),
                               node)]


def _after_loop(scope: Scope, node: gast.For | gast.While, outer_stop: Any) -> Any:
    stopped = scope.env.pop(STOP, False)
    returned, result = scope.env.pop(RETURNED, False), scope.env.pop(RESULT, None)
    if outer_stop is not _UNBOUND:
        scope.env[STOP] = outer_stop
    if node.orelse:
        if isinstance(stopped, Var):
            _cond(scope, node, stopped, [lambda c: NOT_RETURNED, lambda c: c.block(node.orelse)],
                  returns=False, names=assigned_names(node.orelse))
        else:
            value = scope.block(node.orelse)
            if value is not NOT_RETURNED:
                return value
    if not isinstance(returned, Var):
        return NOT_RETURNED
    # the rest of the function runs only if the loop did not return
    rest = [stmt for block in scope.continuation for stmt in block]
    return _cond(scope, node, returned, [lambda c: result, lambda c: c.block(rest)],
                 returns=True)


def stmt_return_in_loop(scope: Scope, node: gast.Return) -> Any:
    """``return`` in a loop of run-time length: keep the value, stop the loop."""
    value = None if node.value is None else scope.expr(node.value)
    scope.env[RESULT], scope.env[RETURNED], scope.env[STOP] = value, True, True
    return JUMPED


def _breaks(stmts: Sequence[gast.stmt]) -> bool:
    """``break`` of this loop (not of loops nested in it)."""
    todo = list(stmts)
    while todo:
        node = todo.pop()
        if isinstance(node, gast.Break):
            return True
        if not isinstance(node, gast.For | gast.While | gast.FunctionDef | gast.Lambda):
            todo.extend(gast.iter_child_nodes(node))
    return False


def stmt_while(scope: Scope, node: gast.While) -> Any:
    test = scope.expr(node.test)
    if not isinstance(test, Var):
        return _static_while(scope, node, test)
    return _structured_while(scope, node)


class _NeedsUnrollingError(Exception):
    """A loop of known length whose body needs its values known when compiling."""


def _static_while(scope: Scope, node: gast.While, test: Any) -> Any:
    """A ``while`` whose condition is known when compiling (``i < n``, ``i`` a Python
    int) is a region all the same, its numbers carried at run time: compiling takes as
    long as the source is, not as the loop runs. It is unrolled, as Python would run
    it, only where its body needs values known when compiling: it builds lists, or it
    cannot be lowered as a region."""
    if not test:
        return scope.block(node.orelse)
    if _builds_lists(node.body):
        return _unroll_while(scope, node, test)
    return _region_or_unrolled(scope, lambda: _structured_while(scope, node, True),
                               lambda: _unroll_while(scope, node, test))


def _region_or_unrolled(scope: Scope, region: Callable[[], Any],
                        unrolled: Callable[[], Any]) -> Any:
    """Lower a loop of known length as a region; failing that, unroll it instead (what
    the attempt bound is dropped: it ran in forked scopes and a builder of its own,
    but for the region equation and the names it set)."""
    env, n_eqns = dict(scope.env), len(scope.low.builder.eqns)
    aliases = scope.low.aliases.saved()
    try:
        return region()
    except Exception:  # whatever it was, unrolling runs the loop as Python does
        scope.env.clear()
        scope.env.update(env)
        del scope.low.builder.eqns[n_eqns:]
        scope.low.aliases.restore(aliases)
        return unrolled()


def _structured_while(scope: Scope, node: gast.While, known_length: bool = False) -> Any:
    if _builds_lists(node.body):
        raise UnsupportedSyntaxError(
            "building a Python list in a while loop whose condition is known only at run "
            "time is not supported yet", scope.loc(node),
            hint="preallocate an array, or collect values in a loop of known length")
    outer_stop = scope.env.pop(STOP, _UNBOUND)
    stmts = _with_stop_flag(scope, node, node.body)
    carried = [n for n in assigned_names(node.body) if n in scope.env] + _flags(scope)
    body = _loop_body(scope, node, carried, None, stmts)
    carry = [Var(v.aval, _hint(n)) for v, n in zip(body.invars, carried)]

    def run(child: Scope) -> Any:
        child.env.update(zip(carried, carry))
        test = child.expr(node.test)
        if STOP in carried:
            going = P.truth_not(child.env[STOP])
            test = going if test is True else P.truth_and(going, test)
        if known_length and not isinstance(test, Var):  # it never changes: unroll
            raise _NeedsUnrollingError
        return test

    eqns, _, pred = _region(scope, run)
    cond = Function("cond", tuple(carry), tuple(eqns), (as_atom(pred),))
    inits = [as_atom(_loop_value(scope, node, scope.env[n], n)) for n in carried]
    outs = _carried_outs(scope, carried, inits, body)
    scope.low.builder.eqns.append(Eqn(tuple(outs), P.while_loop, tuple(inits),
                                      {"cond": cond, "body": body, "n_ys": 0}, scope.loc(node)))
    scope.env.update(zip(carried, outs))
    return _after_loop(scope, node, outer_stop)


def _carried_outs(scope: Scope, carried: list[str], inits: list[Any],
                  body: Function) -> list[Var]:
    """The loop's results; each may be the memory of its initial value or its last."""
    outs = [Var(v.aval, _hint(n)) for v, n in zip(body.outvars, carried)]
    for out, init, last in zip(outs, inits, body.outvars):
        scope.low.aliases.share(out, init, last)
    return outs


def _loop_value(scope: Scope, node: gast.AST, value: Any, name: str) -> Any:
    if not _is_leaf(value):
        raise scope.error(node, f"'{name}' changes in a loop whose length is known only at run "
                                f"time, but it is a {type(value).__name__}, not a number or array",
                          hint="keep loop-carried values arrays or numbers")
    return value


def _loop_body(scope: Scope, node: gast.AST, carried: list[str],
               bind: Callable[[Scope, Var], None] | None, stmts: list[gast.stmt],
               target: gast.AST | None = None) -> Function:
    """The body as a region of the carried names; re-lowered until their avals settle."""
    avals = [as_atom(_loop_value(scope, node, scope.env[n], n)).aval for n in carried]
    index_name = target.id if isinstance(target, gast.Name) else "i"
    for _ in range(3):
        k = Var(_INDEX, index_name)
        carry = [Var(a, _hint(n)) for a, n in zip(avals, carried)]
        for c, n in zip(carry, carried):
            scope.low.aliases.share(c, scope.env[n])  # the first iteration's is the same

        def run(child: Scope, k: Var = k, carry: list[Var] = carry) -> Any:
            child.env.update(zip(carried, carry))
            child.in_loop, child.loop_kind = True, "structured"
            if bind is not None:
                bind(child, k)
            if child.block(stmts) not in (NOT_RETURNED, JUMPED):
                raise UnsupportedSyntaxError(
                    "'return' inside a loop whose length is known only at run time is not "
                    "supported yet", scope.loc(node), hint="assign a result and return after "
                    "the loop")
            return [as_atom(_loop_value(scope, node, child.env[n], n)) for n in carried]

        eqns, _, outs = _region(scope, run)
        scope.low.aliases.check_repeated(scope, node, stmts, carried, outs)
        settled = [_join([a, o.aval]) for a, o in zip(avals, outs)]
        if settled == avals:
            break
        avals = settled
    invars = (k, *carry) if bind is not None else tuple(carry)
    return Function("body", invars, tuple(eqns), tuple(outs))


_BROKE = object()


@contextmanager
def _unrolling(scope: Scope) -> Iterator[None]:
    saved = scope.in_loop, scope.loop_kind
    scope.in_loop, scope.loop_kind = True, "unrolled"
    try:
        yield
    finally:
        scope.in_loop, scope.loop_kind = saved


def _iteration_of(scope: Scope, body: list[gast.stmt]) -> Any:
    """One unrolled iteration: ``_BROKE``, the function's result, or ``NOT_RETURNED``."""
    try:
        result = scope.block(body)
    except _Break:
        return _BROKE
    return NOT_RETURNED if result is JUMPED else result


def _unroll(scope: Scope, node: gast.For, items: Any) -> Any:
    with _unrolling(scope):
        for count, item in enumerate(items):
            if count > _MAX_UNROLLED:
                raise scope.error(node, "loop too long to unroll")
            scope.assign(node.target, item)
            result = _iteration_of(scope, node.body)
            if result is not NOT_RETURNED:
                return NOT_RETURNED if result is _BROKE else result
    return scope.block(node.orelse)


def _unroll_while(scope: Scope, node: gast.While, test: Any) -> Any:
    with _unrolling(scope):
        for _ in range(_MAX_UNROLLED):
            if not test:
                return scope.block(node.orelse)
            result = _iteration_of(scope, node.body)
            if result is not NOT_RETURNED:
                return NOT_RETURNED if result is _BROKE else result
            test = scope.expr(node.test)
            if isinstance(test, Var):
                raise scope.error(node, "this while condition became a run-time value after "
                                        "starting as one known when compiling",
                                  hint="start the loop with a condition on arrays")
    raise scope.error(node, f"while loop ran {_MAX_UNROLLED} times while compiling")


def stmt_break(scope: Scope, node: gast.Break) -> Any:
    if scope.loop_kind == "structured":  # set the stop flag, end the body here
        scope.env[STOP] = True
        return JUMPED
    raise _Break


def stmt_continue(scope: Scope, node: gast.Continue) -> Any:
    return JUMPED


STATEMENTS.update({
    gast.For: stmt_for, gast.While: stmt_while,
    gast.Break: stmt_break, gast.Continue: stmt_continue,
})

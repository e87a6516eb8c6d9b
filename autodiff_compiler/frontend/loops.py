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

from collections.abc import Callable
from typing import Any

import gast

from ..errors import AutodiffError, UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir.builder import as_atom
from ..ir.core import Const, Eqn, Function, Var
from .aliasing import CURRENT
from .control import (
    RESULT,
    RETURNED,
    STOP,
    _cond,
    _flags,
    _region,
    refuse_binding,
    rest_of_loop_body,
)
from .iteration import Range, Rows, Static, iteration_of
from .loop_bodies import (
    bind_carried,
    carried_leaves,
    carried_outs,
    hints_of,
    leaf_names,
    loop_body,
    saved_state,
)
from .merging import PENDING, UNBOUND, changed_by_calls
from .scope import JUMPED, NOT_RETURNED, Scope
from .statements import assigned_names, breaks, builds_lists, contains
from .unrolled import _unroll, _unroll_while, limited_unrolling


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
    if hasattr(iteration, "checkpoint"):  # checkpointed(...): a loop, split by reverse mode
        return _structured_for(scope, node, iteration)
    if isinstance(iteration, Static) or iteration.static_count == 1 or (
            iteration.static_count is not None and builds_lists(node.body)):
        return _unroll(scope, node, iteration.items(scope))  # (one trip: its body, once)
    if iteration.static_count is not None:
        rest = _without_first(node, iteration)
        return _region_or_unrolled(
            scope, lambda: _structured_for(scope, node, iteration, settled=rest is not None),
            lambda: _unroll(scope, node, iteration.items(scope)),
            lambda: _peeled(scope, node, iteration, rest))
    return _structured_for(scope, node, iteration)


class _Unsettled(Exception):  # noqa: N818  (a signal, not an error)
    """A carried value's shape or dtype is known before the loop and not after one
    iteration: ``acc = 0.0`` then arrays added to it, which a Jacobian needs known."""


def _without_first(node: gast.For, iteration: Any) -> Range | Rows | None:
    """The range (or the rows of arrays) after its first value, where the loop may be
    lowered as its first iteration and then a loop over the rest: two values or more,
    a body with no jump out of it and no ``else``."""
    jumps = (gast.Break, gast.Continue, gast.Return)
    if not (isinstance(iteration, Range | Rows) and (iteration.static_count or 0) >= 2) \
            or iteration.reverse or node.orelse \
            or any(isinstance(n, jumps) for n in _walk_all(node.body)):
        return None
    if isinstance(iteration, Rows):
        return iteration.after_first()
    return Range(iteration.start + iteration.step, iteration.stop, iteration.step, False)


# A short loop whose carried values still lose their shapes after its first iteration
# (``out = out + x[:, i:i + 8]``: a slice by the index) is unrolled rather than left
# with shapes known only at run time, which Jacobians and unpacking need.
_UNROLLED_TO_KEEP_SHAPES = 16


def _peeled(scope: Scope, node: gast.For, iteration: Range | Rows, rest: Range | Rows) -> Any:
    """The first iteration unrolled, then a loop over the ``rest``: its carried values
    enter it with the shapes and dtypes they keep (a short loop that loses them even
    so raises ``_Unsettled``, and is unrolled)."""
    _unroll(scope, node, [iteration.item(scope, 0)])
    short = (iteration.static_count or 0) <= _UNROLLED_TO_KEEP_SHAPES
    return _structured_for(scope, node, rest, settled=short)


def _structured_for(scope: Scope, node: gast.For, iteration: Any,
                    settled: bool = False) -> Any:
    if builds_lists(node.body):
        raise UnsupportedSyntaxError(
            "building a Python list in a loop whose length is known only at run time",
            scope.loc(node), hint="preallocate an array, or loop over a range whose bounds "
            "are known when compiling")

    def bind(child: Scope, k: Var) -> None:
        if iteration.static_count:
            child.low.counted[k] = iteration.static_count
        child.assign(node.target, iteration.item(child, k))

    outer_stop = scope.env.pop(STOP, UNBOUND)  # an enclosing loop's flag is not ours
    stmts = _with_stop_flag(scope, node, node.body)
    targets = assigned_names([gast.Expr(node.target)])
    first_bound = _first_bound_and_read_later(scope, node, targets)
    if iteration.static_count:  # it runs: what it binds first is bound after it, as in Python
        for name in first_bound:
            scope.env[name] = PENDING  # carried from its first value (until then, None)
    carried = [n for n in assigned_names(node.body) if n in scope.env
               and n not in targets] + _flags(scope)
    index = node.target if isinstance(iteration, Range) else None  # `i` indexes rows
    stale_before = set(scope.low.aliases.stale)
    body, carried = loop_body(scope, node, carried, bind, stmts, index)
    inits, skeletons = carried_leaves(scope, node, carried)
    from_none = _set_from_none(inits, leaf_names(scope, carried))
    if from_none is not None:  # its first iteration apart, then the loop (where it can be)
        raise _Unsettled if settled else _none_before_the_loop(scope, node, from_none)
    outs = carried_outs(scope, hints_of(scope, carried), inits, body, stale_before)
    if settled and any(_less_known(a, o) for a, o in zip(inits, outs)):
        raise _Unsettled
    scope.low.builder.eqns.append(Eqn(
        tuple(outs), P.loop, (as_atom(iteration.count(scope)), *inits),
        {"body": body, "n_ys": 0, "reverse": iteration.reverse,
         **({"checkpoint": iteration.checkpoint} if hasattr(iteration, "checkpoint") else {})},
        scope.loc(node)))
    bind_carried(scope.env, carried, skeletons, outs)
    if not iteration.static_count:
        scope.unbound.update({name: ("bound only inside a loop whose length is known only "
                                     "at run time (it may run no times)",
                                     f"assign '{name}' before the loop as well")
                              for name in first_bound})
    return _after_loop(scope, node, outer_stop)


def _first_bound_and_read_later(scope: Scope, node: gast.For, targets: list[str]) -> list[str]:
    """Names the loop's body binds that were unbound before it and that the code after
    the loop reads (``for row in x: last = f(row)``, then ``last``)."""
    later = [stmt for block in scope.continuation for stmt in block] + list(node.orelse)
    read = {n.id for n in _walk_all(later) if isinstance(n, gast.Name)
            and isinstance(n.ctx, gast.Load)}
    return [n for n in assigned_names(node.body)
            if n not in scope.env and n not in targets and n in read]


def _walk_all(stmts: list[gast.stmt]) -> list[gast.AST]:
    return [n for stmt in stmts for n in gast.walk(stmt)]


def _with_stop_flag(scope: Scope, node: gast.AST, body: list[gast.stmt]) -> list[gast.stmt]:
    """The body, skipped once the stop flag is set; sets up the flags when needed."""
    returns = contains(body, (gast.Return,))
    if returns and RETURNED not in scope.env:  # (else an enclosing loop's, carried on)
        scope.env[RETURNED], scope.env[RESULT] = False, PENDING
    if not (breaks(body) or returns):
        return body
    scope.env[STOP] = False
    test = gast.copy_location(gast.Name(STOP, gast.Load(), None, None), node)
    return [gast.copy_location(gast.If(test, [gast.copy_location(gast.Pass(), node)], body),
                               node)]


def _after_loop(scope: Scope, node: gast.For | gast.While, outer_stop: Any) -> Any:
    stopped = scope.env.pop(STOP, False)
    if outer_stop is not UNBOUND:
        scope.env[STOP] = outer_stop
    if scope.loop_kind == "structured" and contains(node.body, (gast.Return,)):
        return _after_nested_loop(scope, node, stopped)
    returned, result = False, PENDING
    if contains(node.body, (gast.Return,)):  # else the flags are an enclosing loop's
        returned, result = scope.env.pop(RETURNED, False), scope.env.pop(RESULT, PENDING)
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


def _after_nested_loop(scope: Scope, node: gast.For | gast.While, stopped: Any) -> Any:
    """A loop in the body of a loop of run-time length whose ``return`` flags are the
    enclosing loop's: once one ran, the enclosing loop stops too, and the rest of its
    body runs only on the paths that did not return."""
    if node.orelse:
        if isinstance(stopped, Var):
            _cond(scope, node, stopped, [lambda c: NOT_RETURNED, lambda c: c.block(node.orelse)],
                  returns=False, names=assigned_names(node.orelse))
        elif scope.block(node.orelse) is JUMPED:
            return JUMPED
    returned = scope.env[RETURNED]
    if not isinstance(returned, Var):
        if returned:
            scope.env[STOP] = True
        return JUMPED if returned else NOT_RETURNED
    rest, _ = rest_of_loop_body(scope)

    def stop(c: Scope) -> Any:
        c.env[STOP] = True
        return NOT_RETURNED

    _cond(scope, node, returned, [stop, lambda c: c.block(rest)], returns=False,
          names=assigned_names(rest))
    return JUMPED


def stmt_return_in_loop(scope: Scope, node: gast.Return) -> Any:
    """``return`` in a loop of run-time length: keep the value, stop the loop."""
    value = None if node.value is None else scope.expr(node.value)
    scope.env[RESULT], scope.env[RETURNED], scope.env[STOP] = value, True, True
    return JUMPED


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
    if builds_lists(node.body):
        return _unroll_while(scope, node, test)
    return _region_or_unrolled(scope, lambda: _structured_while(scope, node, True),
                               lambda: _unroll_while(scope, node, test))


def _region_or_unrolled(scope: Scope, region: Callable[[], Any],
                        unrolled: Callable[[], Any],
                        peeled: Callable[[], Any] | None = None) -> Any:
    """Lower a loop of known length as a region; where a carried value settles only
    after the first iteration, as that iteration and a region (``peeled``); failing
    that, unroll it instead (what an attempt bound is dropped: it ran in forked scopes
    and a builder of its own, but for the region equation and the names it set)."""
    env, n_eqns = dict(scope.env), len(scope.low.builder.eqns)
    restore_state = saved_state(scope)

    def restore() -> None:
        scope.env.clear()
        scope.env.update(env)
        del scope.low.builder.eqns[n_eqns:]
        restore_state()

    outdated_before = _outdated_holders(scope)
    try:
        result, lowered = region(), region
    except _Unsettled:
        restore()
        try:
            result, lowered = peeled(), peeled
        except Exception:
            restore()
            return unrolled()
    except Exception:  # whatever it was, unrolling runs the loop as Python does
        restore()
        return unrolled()
    if _outdated_holders(scope) <= outdated_before:
        return result
    # The loop wrote in place an array another name, a list or an attribute holds:
    # read after it, that holder would be refused; unrolled, it reads what NumPy shows
    # (a short loop: compiling a long one unrolled would take as long as it runs).
    restore()
    try:
        with limited_unrolling(_PREFERRED_UNROLLING):
            return unrolled()
    except Exception:  # (too long to unroll: the loop as it was lowered)
        restore()
        return lowered()


_PREFERRED_UNROLLING = 64  # iterations: a loop outdating a holder, unrolled where short


def _outdated_holders(scope: Scope) -> set[tuple]:
    """The names, lists and attributes holding a value an in-place write outdated."""
    aliases = scope.low.aliases
    holders = [*((("name", name), value) for name, value in scope.env.items()),
               *((("list", id(held)), held) for held in scope.low.lists),
               *((("attribute", key), value)
                 for key, (_, value) in scope.low.attributes.items())]
    return {key for key, value in holders if aliases.outdated(value) is not CURRENT}


def _set_from_none(inits: list[Any], names: list[str]) -> str | None:
    """The name of a carried value of the user's that is None before the loop (and
    assigned in it, or it would not be carried): ``prev is None`` holds in the first
    iteration only, which a loop of one body cannot say (the body sees a run-time
    value, never None, even where only a path that returns sets it). The function's
    result, None until a ``return`` in the loop runs, is the loop's own: its flag says
    whether it was set."""
    for init, name in zip(inits, names):
        if isinstance(init, Const) and init.value is None \
                and name not in (STOP, RETURNED, RESULT):
            return name
    return None


def _none_before_the_loop(scope: Scope, node: gast.AST, name: str) -> AutodiffError:
    return scope.error(node, f"'{name}' is None before this loop of run-time length and set "
                             "in it: whether it is None differs between iterations",
                       hint=f"give '{name}' a value before the loop (and keep a flag saying "
                            "whether it was set), or loop over a range known when compiling")


def _less_known(before: Any, after: Any) -> bool:
    """A value whose shape or dtype is known before a loop and not after it."""
    known, then = getattr(before, "aval", None), getattr(after, "aval", None)
    return known is not None and then is not None and (
        (known.shape is not None and then.shape is None)
        or (known.dtype is not None and then.dtype is None))


def _structured_while(scope: Scope, node: gast.While, known_length: bool = False) -> Any:
    if builds_lists(node.body):
        raise UnsupportedSyntaxError(
            "building a Python list in a while loop whose condition is known only at run "
            "time is not supported yet", scope.loc(node),
            hint="preallocate an array, or collect values in a loop of known length")
    outer_stop = scope.env.pop(STOP, UNBOUND)
    stmts = _with_stop_flag(scope, node, node.body)
    carried = [n for n in assigned_names(node.body) if n in scope.env] + _flags(scope)
    stale_before = set(scope.low.aliases.stale)
    body, carried = loop_body(scope, node, carried, None, stmts)
    inits, skeletons = carried_leaves(scope, node, carried)
    hints = hints_of(scope, carried)
    from_none = _set_from_none(inits, leaf_names(scope, carried))
    if from_none is not None:
        raise _none_before_the_loop(scope, node, from_none)
    carry = [Var(v.aval, h, tensor=v.tensor) for v, h in zip(body.invars, hints)]

    def run(child: Scope) -> Any:
        bind_carried(child.env, carried, skeletons, carry)
        test = child.expr(node.test)
        if isinstance(test, Var):
            refuse_binding(child, [node.test], "in the condition of a while loop on run-time "
                                               "values: the name would not carry from one "
                                               "test to the next")
        if STOP in carried:
            going = P.truth_not(child.env[STOP])
            test = going if test is True else P.truth_and(going, test)
        if known_length and not isinstance(test, Var):  # it never changes: unroll
            raise _NeedsUnrollingError
        return test

    eqns, tested, pred = _region(scope, run)
    changed = changed_by_calls(scope, tested, carried)
    if changed:
        raise scope.error(node.test, f"a call in this loop's condition sets '{changed[0]}' "
                                     "(nonlocal, or a list or dict it writes into), which "
                                     "the loop would not carry",
                          hint="make the call in the loop's body and test a name it sets")
    cond = Function("cond", tuple(carry), tuple(eqns), (as_atom(pred),))
    outs = carried_outs(scope, hints, inits, body, stale_before)
    scope.low.builder.eqns.append(Eqn(tuple(outs), P.while_loop, tuple(inits),
                                      {"cond": cond, "body": body, "n_ys": 0}, scope.loc(node)))
    bind_carried(scope.env, carried, skeletons, outs)
    return _after_loop(scope, node, outer_stop)




# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {gast.For: stmt_for, gast.While: stmt_while}

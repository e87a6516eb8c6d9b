"""A loop's body as a region of the names it carries (``loops`` lowers the loops).

The carried names' values enter as the region's parameters, one per leaf (a name may
hold a structure, flattened); the body is lowered until their avals settle, and again
when it turns out to carry more than its syntax shows: the structure a ``return`` in
it first gives the function's result, the lists and dicts a call writes into, the
names a call sets ``nonlocal``.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gast

from .. import trees
from ..errors import UnsupportedSyntaxError
from ..ir.builder import as_atom
from ..ir.core import LOOP_INDEX, Function, Var
from .attribute_writes import refuse_attributes_in_loop
from .control import RESULT, _hint, _region
from .merging import PENDING, changed_by_calls, is_leaf, join_avals, stand_in
from .scope import JUMPED, NOT_RETURNED, Scope


def _is_tensor(value: Any) -> bool:
    """A carried value computed from a MindSpore Tensor (``Var.tensor``): so is the
    value the loop carries and leaves."""
    return isinstance(value, Var) and value.tensor


def carried_outs(scope: Scope, hints: list[str], inits: list[Any], body: Function,
                 stale_before: set) -> list[Var]:
    """The loop's results; each may be the memory of its initial value or its last.
    ``stale_before``: what writes had outdated before the loop (``Aliases.carried``)."""
    outs = [Var(last.aval, h, tensor=_is_tensor(init) or _is_tensor(last))
            for init, last, h in zip(inits, body.outvars, hints)]
    for out, init, last in zip(outs, inits, body.outvars):
        scope.low.aliases.carried(out, init, last, stale_before)
    return outs


def _loop_value(scope: Scope, node: gast.AST, value: Any, name: str) -> tuple[list, Any]:
    """The leaves a carried value holds, and its skeleton. Only the function's result
    may be a structure (whatever a ``return`` in the loop gives)."""
    leaves, skeleton = trees.flatten(value, is_leaf)
    if name != RESULT and skeleton is not trees.LEAF:
        raise scope.error(node, f"'{name}' changes in a loop whose length is known only at run "
                                f"time, but it is a {type(value).__name__}, not a number or array",
                          hint="keep loop-carried values arrays or numbers")
    return leaves, skeleton


def carried_leaves(scope: Scope, node: gast.AST, names: list[str]) -> tuple[list, list]:
    """The carried names' values as one flat list of atoms, and each one's skeleton."""
    flat = [_loop_value(scope, node, scope.env[n], n) for n in names]
    return [as_atom(leaf) for leaves, _ in flat for leaf in leaves], [s for _, s in flat]


def leaf_names(scope: Scope, names: list[str]) -> list[str]:
    """The carried name each leaf of the carried values belongs to."""
    return [n for n in names for _ in trees.flatten(scope.env[n], is_leaf)[0]]


def hints_of(scope: Scope, names: list[str]) -> list[str]:
    return [_hint(n) for n in names
            for _ in trees.flatten(scope.env[n], is_leaf)[0]]


def bind_carried(env: dict, names: list[str], skeletons: list, leaves: Sequence[Any]) -> None:
    """Give each carried name its value rebuilt from its leaves."""
    leaves = list(leaves)
    for name, skeleton in zip(names, skeletons):
        n = len(trees.flatten(skeleton, lambda v: v is trees.LEAF)[0])
        env[name], leaves = trees.unflatten(skeleton, leaves[:n]), leaves[n:]


def saved_state(scope: Scope) -> Callable[[], None]:
    """What lowering a loop's body changes outside the region it builds, saved: the
    aliases (which arrays a write outdated), the attributes and lists that hold arrays
    (a write updates the holders), and what ``ops.assign`` wrote. The function returned
    puts it back, for a lowering attempt dropped (the loop is lowered again, or
    unrolled)."""
    low = scope.low
    aliases, attributes = low.aliases.saved(), dict(low.attributes)
    writes, written = low.captures.saved_writes(), dict(low.written)
    contents = [(held, list(held) if isinstance(held, list) else dict(held))
                for held in low.lists]

    def restore() -> None:
        low.aliases.restore(aliases)
        low.attributes = dict(attributes)
        low.captures.restore_writes(writes)
        low.written = dict(written)
        for held, items in contents:
            if isinstance(held, list):
                held[:] = items
            else:
                held.clear()
                held.update(items)

    return restore


def loop_body(scope: Scope, node: gast.AST, carried: list[str],
              bind: Callable[[Scope, Var], None] | None, stmts: list[gast.stmt],
              target: gast.AST | None = None) -> tuple[Function, list[str]]:
    """The body as a region of the carried names' leaves, and those names. Re-lowered
    until their avals settle; once more when a ``return`` in it first gives the
    function's result its structure (until then ``PENDING``, not carried); and once
    more carrying the lists and dicts a call in the body wrote into (``add(acc, v)``
    writing ``acc[0]``) and the names a call set ``nonlocal``: the body's syntax shows
    only the names it assigns."""
    index_name = target.id if isinstance(target, gast.Name) else "i"
    live = [n for n in carried if scope.env[n] is not PENDING]
    avals = None
    restore = saved_state(scope)
    for _ in range(4):
        # (each attempt from the state before the first: an array the last one wrote in
        # place is not outdated for the next, whose carry starts as that array again)
        restore()
        inits, skeletons = carried_leaves(scope, node, live)
        avals = avals or [a.aval for a in inits]
        k = Var(LOOP_INDEX, index_name)
        carry = [Var(a, h, tensor=_is_tensor(init))
                 for a, h, init in zip(avals, hints_of(scope, live), inits)]
        for c, init in zip(carry, inits):
            scope.low.aliases.share(c, init)  # the first iteration's is the same

        def run(child: Scope, k: Var = k, carry: list[Var] = carry, live: list[str] = live,
                skeletons: list = skeletons, carried: list[str] = carried) -> Any:
            bind_carried(child.env, live, skeletons, carry)
            child.in_loop, child.loop_kind = True, "structured"
            if bind is not None:
                bind(child, k)
            if child.block(stmts) not in (NOT_RETURNED, JUMPED):
                raise UnsupportedSyntaxError(
                    "'return' inside a loop whose length is known only at run time is not "
                    "supported yet", scope.loc(node), hint="assign a result and return after "
                    "the loop")
            return {n: child.env[n] for n in carried}

        made, assigned = len(scope.low.made_objects), len(scope.low.memory)
        eqns, child, result = _region(scope, run)
        if len(scope.low.memory) > assigned:  # ops.assign into a Parameter: its value would
            # have to be carried from one iteration to the next (a loop of known length is
            # unrolled instead, ``loops._region_or_unrolled``)
            raise scope.error(node, "writing into a Parameter (ops.assign, assign_add, a "
                                    "scatter) inside a loop whose length is known only at "
                                    "run time",
                              hint="loop a number of times known when compiling, or write "
                                   "the Parameter once after the loop")
        refuse_attributes_in_loop(scope, node, child.attributes, made)
        written = changed_by_calls(scope, child, carried)
        if written:  # a call wrote into a list or dict it was handed, or a nonlocal name
            carried, live, avals = [*carried, *written], [*live, *written], None
            continue
        found = [n for n in carried if n not in live and result[n] is not PENDING]
        if found:  # a return's structure is now known: carry it, from None leaves
            for n in found:
                scope.env[n] = stand_in(result[n])
            live, avals = [n for n in carried if scope.env[n] is not PENDING], None
            continue
        outs = []
        for n, skeleton in zip(live, skeletons):
            leaves, got = _loop_value(scope, node, result[n], n)
            if not trees.same_structure(got, skeleton):
                raise scope.error(node, f"'{_hint(n)}' changes structure in the loop",
                                  hint="make every path produce the same kind of value")
            outs.extend(as_atom(v) for v in leaves)
        scope.low.aliases.check_repeated(scope, node, stmts, carried,
                                         [result[n] for n in carried])
        settled = [join_avals([a, o.aval]) for a, o in zip(avals, outs)]
        if settled == avals:
            break
        avals = settled
    invars = (k, *carry) if bind is not None else tuple(carry)
    return Function("body", invars, tuple(eqns), tuple(outs)), live

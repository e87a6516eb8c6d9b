"""List, dict and generator comprehensions, run while compiling.

A comprehension builds a Python container whose length is its iterations', so it is
unrolled as Python would run it: over a sequence known when compiling, a ``range``
with known bounds, or the rows of an array of known length (``iteration``). Each
element is ordinary code (``[w @ x for w in weights]`` lowers one product per weight).
A generator expression is consumed where it is written (``tuple(g * 2 for g in gs)``,
``sum(...)``), so it is built as the list it yields. The loop variables are the
comprehension's own, as in Python 3: they do not leak into the function.

An ``if`` filter on a run-time value would make the container's length depend on the
data, so it is refused at the user's line -- except where the items are consumed by a
fold with an identity, ``sum`` (0), ``any`` (False) and ``all`` (True): there a
filtered-out item is that identity, so ``sum(v * v for v in x if v > 0)`` is the
conditional expression ``v * v if v > 0 else 0`` per item, the item's expression
evaluated on the kept path only (``np.log(v) ... if v > 0`` takes no log of a negative
``v``), and the value is Python's (adding 0 changes no sum). An iteration count known
only at run time is refused.
"""
from __future__ import annotations

import builtins
from typing import Any

import gast

from ..ir.core import Var
from .control import _cond
from .iteration import iteration_of
from .scope import Scope

_MAX_ITEMS = 100_000
_REFUSED = object()  # the consumer has no identity: a run-time filter is refused

# What a filtered-out item counts as, for the folds that have an identity.
_FOLD_IDENTITIES = ((builtins.sum, 0), (builtins.any, False), (builtins.all, True))


def _targets(node: gast.expr) -> list[str]:
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)]


def folded_items(scope: Scope, node: gast.expr, func: Any) -> Any:
    """``node``, the first argument of a call of ``func``, lowered; a list or generator
    comprehension passed to ``sum``/``any``/``all`` may filter on run-time values."""
    identity = next((value for fold, value in _FOLD_IDENTITIES if func is fold), _REFUSED)
    if identity is _REFUSED or not isinstance(node, gast.ListComp | gast.GeneratorExp):
        return scope.expr(node)
    items = _elements(scope, node, identity)
    return scope.low.new_list(items) if isinstance(node, gast.ListComp) else items


def _elements(scope: Scope, node: gast.ListComp | gast.GeneratorExp | gast.DictComp,
              identity: Any = _REFUSED) -> list[Any]:
    """What the comprehension yields, in order (``(key, value)`` pairs for a dict)."""
    names = {name for gen in node.generators for name in _targets(gen.target)}
    saved = {name: scope.env[name] for name in names if name in scope.env}
    cells = scope.comprehension_cells
    scope.comprehension_cells = {**cells, **{name: {} for name in names}}
    out: list[Any] = []
    try:
        _walk(scope, node, 0, out, (), identity)
    finally:
        scope.comprehension_cells = cells
        for name in names:
            scope.env.pop(name, None)
        scope.env.update(saved)
    return out


def _walk(scope: Scope, node: Any, level: int, out: list[Any],
          guards: tuple[tuple[gast.expr, Var], ...], identity: Any) -> None:
    """Append the items of ``node.generators[level:]``; ``guards``: the run-time filters
    passed on the way down, each with its test's node."""
    if level == len(node.generators):
        if isinstance(node, gast.DictComp):
            out.append((scope.expr(node.key), scope.expr(node.value)))
        else:
            out.append(_guarded(scope, node.elt, guards, identity))
        return
    gen = node.generators[level]
    if gen.is_async:
        raise scope.error(gen, "async comprehensions are not supported")
    iteration = iteration_of(scope, gen.iter)
    if iteration.static_count is None:
        raise scope.error(gen.iter, "a comprehension over a number of items known only at "
                                    "run time", hint="iterate over a range or sequence known "
                                                     "when compiling, or write a for loop")
    for count, item in enumerate(iteration.items(scope)):
        if count >= _MAX_ITEMS:
            raise scope.error(gen.iter, f"comprehension of more than {_MAX_ITEMS} items")
        scope.assign(gen.target, item)
        for name in _targets(gen.target):  # what a function made here reads, last given
            scope.comprehension_cells[name]["value"] = scope.env[name]
        kept = _filters(scope, gen.ifs, identity)
        if kept is not None:
            _walk(scope, node, level + 1, out, guards + kept, identity)


def _filters(scope: Scope, tests: list[gast.expr], identity: Any) -> tuple | None:
    """The run-time ``if`` tests of one generator, with their nodes; ``None`` when a test
    known when compiling drops the item (Python stops at the first false test)."""
    guards = []
    for test in tests:
        value = scope.expr(test)
        if isinstance(value, Var):
            if identity is _REFUSED:
                raise scope.error(test, "a comprehension's `if` on a run-time value: the "
                                        "length of what it builds would depend on the data",
                                  hint="keep every element and select with np.where, or "
                                       "sum/any/all the items (a dropped item counts as "
                                       "their identity there)")
            guards.append((test, value))
        elif not value:
            return None
    return tuple(guards)


def _guarded(scope: Scope, elt: gast.expr, guards: tuple, identity: Any) -> Any:
    """``elt`` where every run-time test in ``guards`` holds, else ``identity``: nested
    conditionals, so ``elt`` runs on the kept path only."""
    if not guards:
        return scope.expr(elt)
    (node, test), rest = guards[0], guards[1:]
    return _cond(scope, node, test, [lambda child: _guarded(child, elt, rest, identity),
                                     lambda child: identity], returns=True)


def _lazy(scope: Scope, node: gast.GeneratorExp, items: list[Any]) -> list[Any]:
    """A generator's items, computed now from the values its names hold, which Python
    computes as they are read (``aliasing.Aliases.lazily``)."""
    read = [scope.env[name] for name in _targets(node) if name in scope.env]
    scope.low.aliases.lazily(items, read)
    return items


# The expressions handled here, by node type (``Lowering.expressions``).
EXPRESSIONS = {
    gast.ListComp: lambda scope, node: scope.low.new_list(_elements(scope, node)),
    gast.GeneratorExp: lambda scope, node: _lazy(scope, node, _elements(scope, node)),
    gast.DictComp: lambda scope, node: scope.low.new_list(dict(_elements(scope, node))),
}

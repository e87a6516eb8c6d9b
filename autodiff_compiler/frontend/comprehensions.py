"""List, dict and generator comprehensions, run while compiling.

A comprehension builds a Python container whose length is its iterations', so it is
unrolled as Python would run it: over a sequence known when compiling, a ``range``
with known bounds, or the rows of an array of known length (``iteration``). Each
element is ordinary code (``[w @ x for w in weights]`` lowers one product per weight).
A generator expression is consumed where it is written (``tuple(g * 2 for g in gs)``,
``sum(...)``), so it is built as the list it yields. The loop variables are the
comprehension's own, as in Python 3: they do not leak into the function.

Refused, at the user's line: an iteration count or an ``if`` filter that is a run-time
value, since the container's length would then depend on the data.
"""
from __future__ import annotations

from typing import Any

import gast

from ..ir.core import Var
from .iteration import iteration_of
from .scope import Scope

_MAX_ITEMS = 100_000


def _targets(node: gast.expr) -> list[str]:
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)]


def _elements(scope: Scope, node: gast.ListComp | gast.GeneratorExp | gast.DictComp) -> list[Any]:
    """What the comprehension yields, in order (``(key, value)`` pairs for a dict)."""
    names = {name for gen in node.generators for name in _targets(gen.target)}
    saved = {name: scope.env[name] for name in names if name in scope.env}
    out: list[Any] = []
    try:
        _walk(scope, node, 0, out)
    finally:
        for name in names:
            scope.env.pop(name, None)
        scope.env.update(saved)
    return out


def _walk(scope: Scope, node: Any, level: int, out: list[Any]) -> None:
    if level == len(node.generators):
        out.append((scope.expr(node.key), scope.expr(node.value))
                   if isinstance(node, gast.DictComp) else scope.expr(node.elt))
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
        if all(_keeps(scope, test) for test in gen.ifs):
            _walk(scope, node, level + 1, out)


def _keeps(scope: Scope, test: gast.expr) -> bool:
    value = scope.expr(test)
    if isinstance(value, Var):
        raise scope.error(test, "a comprehension's `if` on a run-time value: the length of "
                                "what it builds would depend on the data",
                          hint="keep every element and select with np.where, or filter "
                               "on values known when compiling")
    return bool(value)


# The expressions handled here, by node type (``Lowering.expressions``).
EXPRESSIONS = {
    gast.ListComp: lambda scope, node: scope.low.new_list(_elements(scope, node)),
    gast.GeneratorExp: lambda scope, node: _elements(scope, node),
    gast.DictComp: lambda scope, node: scope.low.new_list(dict(_elements(scope, node))),
}

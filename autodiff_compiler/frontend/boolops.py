"""``and``/``or`` with Python's semantics on run-time values: the operand chosen at run
time, a truth operator between truth values, and an operand Python may skip lowered in
the branch that reads it (``control``'s conditional regions)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..ir import primitives as P
from ..ir.core import Var
from .control import _cond, refuse_binding
from .scope import Scope


def expr_boolop(scope: Scope, node: gast.BoolOp) -> Any:
    """``and``/``or`` with Python's semantics: ``a or b`` is ``a`` if ``a`` is true, else
    ``b`` (``and`` the other way round), a run-time choice where ``a`` is a run-time
    value, so the derivative follows the operand chosen. Of truth values (comparisons)
    it is a truth op, ``a and b`` in the generated code. An operand after a run-time
    value that indexes or calls (``i < n and x[i] > 0``) is evaluated only where Python
    evaluates it, in a branch: it may raise otherwise."""
    is_and = isinstance(node.op, gast.And)
    value: Any = None
    for operand in node.values:
        if isinstance(value, Var):
            refuse_binding(scope, [operand], f"in an operand of '{'and' if is_and else 'or'}' "
                                             "after a run-time value, which Python may skip")
            if any(isinstance(n, gast.Subscript | gast.Call) for n in gast.walk(operand)):
                value = _short_circuit(scope, operand, value, is_and)
                continue
        item = scope.expr(operand)
        if value is None or (not isinstance(value, Var) and not isinstance(item, Var)):
            value = item
        elif _is_truth(value) and _is_truth(item):
            value = _truth_op(value, item, is_and)
        else:  # the operand chosen, as a value: both computed already
            value = _choose(scope, operand, value, lambda child, item=item: item, is_and)
        if not isinstance(value, Var) and bool(value) != is_and:
            return value
    return value


def _truth_op(a: Any, b: Any, is_and: bool) -> Any:
    """``a and b`` (``or``) of truth values, one of which may be known when compiling:
    then it decides, or the other does (``x > 3.0 or n > 10`` with ``n`` 11 is true, so
    an ``if`` on it, a recursion's base case, is decided while compiling)."""
    for known, other in ((a, b), (b, a)):
        if not isinstance(known, Var):
            return other if bool(known) == is_and else known
    return (P.truth_and if is_and else P.truth_or)(a, b)


def _is_truth(value: Any) -> bool:
    """A truth value: a bool, or a run-time value of dtype bool."""
    if isinstance(value, Var):
        return value.aval.dtype == np.bool_
    return isinstance(value, bool | np.bool_)


def _short_circuit(scope: Scope, operand: gast.expr, value: Any, is_and: bool) -> Any:
    """``value and operand`` (``or``), ``operand`` lowered in the branch that reads it."""
    return _choose(scope, operand, value, lambda child: child.expr(operand), is_and)


def _choose(scope: Scope, node: gast.AST, value: Any, other: Callable[[Scope], Any],
            is_and: bool) -> Any:
    """``other if value else value`` (``and``) or ``value if value else other`` (``or``),
    decided at run time; ``other`` lowers the operand in its branch. Where ``value`` is
    not a run-time value, Python's choice is made now."""
    if not isinstance(value, Var):
        return other(scope) if bool(value) == is_and else value

    def keep(child: Scope) -> Any:
        return value

    branches = [other, keep] if is_and else [keep, other]
    return _cond(scope, node, P.truth(value), branches, returns=True, expression=True)


EXPRESSIONS = {gast.BoolOp: expr_boolop}

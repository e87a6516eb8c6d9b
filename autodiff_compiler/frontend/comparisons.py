"""Comparisons as Python evaluates them: chained (``a < b < c`` is ``a < b and b < c``,
each operand once), with run-time values (an array of truth values alone, a truth
value in a chain) and membership (``in``: Python's identity-or-equality test over a
list or tuple, NumPy's ``(a == v).any()`` over an array).
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..ir import primitives as P
from ..ir import surface
from ..ir.builder import producer_of
from ..ir.core import Var
from ..ir.primitives.coercion import asarray, holds_var
from . import object_protocols
from .calls import has_var
from .local_objects import NOT_STATE, has_state
from .scope import Scope
from .shapes import tuple_equality

_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    gast.Lt: operator.lt, gast.LtE: operator.le, gast.Gt: operator.gt, gast.GtE: operator.ge,
    gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Is: operator.is_,
    gast.IsNot: operator.is_not, gast.In: lambda a, b: a in b,
    gast.NotIn: lambda a, b: a not in b,
}
_SYMBOLIC_CMP = {gast.Lt: P.less, gast.LtE: P.less_equal, gast.Gt: P.greater,
                 gast.GtE: P.greater_equal, gast.Eq: P.equal, gast.NotEq: P.not_equal}


def expr_compare(scope: Scope, node: gast.Compare) -> Any:
    """Comparisons as Python chains them: ``a < b < c`` is ``a < b and b < c``, each
    operand evaluated once; a run-time comparison is an array (``x < y``) alone, a
    truth value (``and``) in a chain, where each one must be a single value."""
    left, result = scope.expr(node.left), True
    for op, comparator in zip(node.ops, node.comparators):
        right = scope.expr(comparator)
        outcome = _on_objects(scope, node, op, left, right)
        if outcome is NOT_STATE:
            outcome = _compared(scope, node, op, left, right)
        if len(node.ops) == 1:
            return outcome
        result = outcome if result is True else P.truth_and(result, outcome)
        if not isinstance(result, Var) and not result:
            return result  # Python stops at the first false comparison
        left = right
    return result


def _compared(scope: Scope, node: gast.AST, op: gast.cmpop, left: Any, right: Any) -> Any:
    """One comparison of a chain."""
    if type(op) in (gast.In, gast.NotIn) and has_state(scope, right):
        right = object_protocols.iterated(scope, node, right)  # its __iter__'s items
    if type(op) in (gast.Is, gast.IsNot) and _a_truth_value_beside_a_bool(left, right):
        return _identity_with_a_bool(scope, node, isinstance(op, gast.Is), left, right)
    same = tuple_equality(isinstance(op, gast.Eq), left, right) \
        if type(op) in (gast.Eq, gast.NotEq) else NotImplemented
    if same is not NotImplemented:  # a shape known only at run time, as a whole
        return same
    if type(op) in _SYMBOLIC_CMP and (isinstance(left, Var) or isinstance(right, Var)):
        try:
            operands = array_operands(left, right)
        except TypeError:
            raise scope.error(node, "comparison of a Python number with a list",
                              hint="compare arrays, or numbers") from None
        return _SYMBOLIC_CMP[type(op)](*operands)
    if type(op) in (gast.In, gast.NotIn) and (has_var(left) or has_var(right)):
        found = _contains(scope, node, right, left)
        return P.truth_not(found) if isinstance(op, gast.NotIn) else found
    return _CMPOPS[type(op)](left, right)


_OBJECT_CMP = {gast.Lt: "lt", gast.LtE: "le", gast.Gt: "gt", gast.GtE: "ge", gast.Eq: "eq",
               gast.NotEq: "ne"}


def _on_objects(scope: Scope, node: gast.AST, op: gast.cmpop, left: Any, right: Any) -> Any:
    """A comparison, or ``in``, answered by the Python methods of an object whose
    attributes the function set (``object_protocols``); ``NOT_STATE`` otherwise."""
    if type(op) in _OBJECT_CMP:
        return object_protocols.binary(scope, node, _OBJECT_CMP[type(op)], left, right)
    if type(op) in (gast.In, gast.NotIn) and has_state(scope, right):
        method = object_protocols.python_method(right, "__contains__")
        if method is not None:
            found = scope.low.call_function(method, (left,), {}, scope.loc(node),
                                            self_obj=right)
            return found if isinstance(op, gast.In) else (
                P.truth_not(P.truth(found)) if isinstance(found, Var) else not found)
    return NOT_STATE


def _a_truth_value_beside_a_bool(left: Any, right: Any) -> bool:
    return any(b is True or b is False
               for a, b in ((left, right), (right, left)) if isinstance(a, Var))


def _identity_with_a_bool(scope: Scope, node: gast.AST, is_: bool, left: Any,
                          right: Any) -> Any:
    """``flag is True`` of a run-time value. Python's bools are singletons: a Python
    bool when the code runs (``bool(...)``, ``not``, a comparison of Python numbers) is
    ``True`` exactly when it is true, a NumPy bool or an array never is. Where the
    compiler cannot tell which the value will be, it refuses rather than guess."""
    value, singleton = (left, right) if isinstance(left, Var) else (right, left)
    kind = _bool_kind(value)
    if kind == "numpy":
        return not is_
    if kind is None:
        raise scope.error(node, f"'{'is' if is_ else 'is not'} {singleton}' of a run-time "
                                "value that may be a Python bool (identical to True or "
                                "False) or a NumPy bool (never identical): which one is not "
                                "known when compiling",
                          hint=f"test its truth instead: 'if flag:', 'if not flag:' or "
                               f"'bool(flag) is {singleton}'")
    return (P.equal if is_ else P.not_equal)(value, singleton)


_COMPARISONS = ("less", "less_equal", "greater", "greater_equal", "equal", "not_equal")


def _bool_kind(value: Any) -> str | None:
    """``"python"`` where ``value`` is a Python bool when the code runs, ``"numpy"``
    where it is a NumPy value (a NumPy bool, an array, a number of another type), None
    where that is not known when compiling."""
    if not isinstance(value, Var):
        value = getattr(value, "value", value)  # (a constant's)
        return "python" if isinstance(value, bool) else \
            "numpy" if isinstance(value, np.generic | np.ndarray) else None
    aval = value.aval
    if aval.dtype is None or aval.dtype != np.bool_ or aval.shape != ():
        return "numpy" if aval.dtype is not None and aval.shape is not None else None
    if aval.weak:
        return "python"
    made = producer_of(value)
    if made is None:
        return None
    if made.prim.name in ("truth", "truth_not"):  # bool(x), not x
        return "python"
    if made.prim.name in _COMPARISONS:  # Python's numbers give Python's bool
        weak = list(map(_python_number, made.invars))
        return "python" if all(weak) else "numpy"  # (a NumPy value beside: NumPy's)
    if made.prim.name in ("truth_and", "truth_or"):  # one of its operands
        kinds = {_bool_kind(a) for a in made.invars}
        return kinds.pop() if len(kinds) == 1 else None
    return None


def _python_number(operand: Any) -> bool:
    """Whether an equation's operand is a Python number when the code runs."""
    if isinstance(operand, Var):
        return operand.aval.weak and operand.aval.shape == ()
    value = getattr(operand, "value", operand)  # (a constant's)
    return isinstance(value, int | float | complex) and not isinstance(value, np.generic)


def _contains(scope: Scope, node: gast.AST, container: Any, item: Any) -> Any:
    """``item in container`` with run-time values: an array holds it if any entry
    equals it (NumPy's ``(container == item).any()``); a list or tuple if one of its
    items is it or equals it (Python's test, item by item, stopping at the first); a
    dict if one of its keys does."""
    if isinstance(container, Var):
        return surface.FUNCTIONS[np.any](P.equal(container, item))
    if isinstance(container, dict):  # its keys, known when compiling, whatever it holds
        container = list(container)
    if not isinstance(container, list | tuple):
        raise scope.error(node, f"'in' of a run-time value and a {type(container).__name__}",
                          hint="test membership in a list, a tuple or an array")
    found: Any = False
    for candidate in container:
        if candidate is item:
            return True
        equal = P.equal(*array_operands(candidate, item)) \
            if isinstance(candidate, Var) or isinstance(item, Var) else candidate == item
        found = equal if found is False else P.truth_or(found, equal)
        if found is True:
            return True
    return found


def array_operands(left: Any, right: Any) -> tuple[Any, Any]:
    """An array operator converts a list or tuple on its other side with ``np.asarray``
    (``x * [a, b]``, ``[a, b] @ W``); a list and a Python value keep Python's meaning
    (``[a] + [b]`` joins, ``2 * [a]`` repeats, ``0.5 * [a]`` raises)."""
    if _is_array(left) and holds_var(right):
        return left, asarray(right)
    if _is_array(right) and holds_var(left):
        return asarray(left), right
    for scalar, sequence in ((left, right), (right, left)):
        if isinstance(scalar, Var) and isinstance(sequence, list | tuple):
            raise TypeError  # a Python number and a list: Python refuses (or repeats it
            # by an int known only at run time, which a compiled list cannot follow)
    return left, right


def _is_array(value: Any) -> bool:
    """An ndarray or NumPy scalar (not a Python scalar) when the code runs."""
    if isinstance(value, Var):
        return not value.aval.weak
    return isinstance(value, np.ndarray | np.generic)

"""Python's protocols on objects whose attributes the function sets or that it made
(``local_objects``): operators (``a + b``, ``-a``, ``a < b``, ``a += b``), truth,
``in``, iteration and unpacking. Each runs the class's Python method compiled on the
object, on the attributes as this call set them: run as Python while compiling, it
would read the object as the call found it (an object made inside has no attributes
outside the function's state).

Each answer is ``NOT_STATE`` where no operand holds such state: then Python's own
protocol runs while compiling, as for any value known then.
"""
from __future__ import annotations

import dataclasses
import inspect
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from ..ir import primitives as P
from ..ir.core import Var
from .local_objects import NOT_STATE, has_state, python_method, special_method

if TYPE_CHECKING:
    from .scope import Scope

_REFLECTED = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
def _call(scope: Scope, node: gast.AST, method: Any, obj: Any, *args: Any) -> Any:
    return scope.low.call_function(method, args, {}, scope.loc(node), self_obj=obj)


def binary(scope: Scope, node: gast.AST, name: str, left: Any, right: Any) -> Any:
    """``left op right`` (``name``: ``add``, ``lt``...) where an operand has state of the
    function's: the left's ``__op__``, else the right's reflected one, written in Python
    (the other operand may be any object: ``OUTSIDE + Made(x)``)."""
    if not (has_state(scope, left) or has_state(scope, right)):
        return NOT_STATE
    reflected = f"__{_REFLECTED[name]}__" if name in _REFLECTED else f"__r{name}__"
    for obj, other, dunder in ((left, right, f"__{name}__"), (right, left, reflected)):
        method = python_method(obj, dunder)
        if method is not None:
            result = _call(scope, node, method, obj, other)
            if result is not NotImplemented:
                return result
    if name == "ne":  # Python's: the inverse of __eq__
        equal = binary(scope, node, "eq", left, right)
        return P.truth_not(P.truth(equal)) if isinstance(equal, Var) else not equal
    if name == "eq":  # a dataclass's generated one, else the object's own: identity
        return _fields_equal(scope, node, left, right)
    raise scope.error(node, f"operator {name} of an object whose attributes the function "
                            "sets, and whose class has no such method in Python",
                      hint="compute on its attributes (obj.w + other.w)")


def _fields_equal(scope: Scope, node: gast.AST, left: Any, right: Any) -> Any:
    """``left == right`` as a dataclass's generated ``__eq__`` answers it (its fields
    compared as tuples: each the same object, or equal values), else identity."""
    from .local_objects import field_value  # (the attributes as this call set them)
    kind = type(left)
    if left is right or not (dataclasses.is_dataclass(kind) and type(right) is kind
                             and kind.__dataclass_params__.eq):
        return left is right
    for field in dataclasses.fields(kind):
        if not field.compare:
            continue
        a, b = (field_value(scope, node, obj, field.name) for obj in (left, right))
        if a is b:
            continue
        if isinstance(a, Var | np.ndarray) or isinstance(b, Var | np.ndarray):
            raise scope.error(node, f"comparing {kind.__name__} objects whose field "
                                    f"'{field.name}' holds arrays (Python's == on them "
                                    "raises unless they are the very same array)",
                              hint="compare the fields themselves (np.array_equal(a.w, b.w))")
        if a != b:
            return False
    return True


def in_place(scope: Scope, node: gast.AST, name: str, target: Any, value: Any) -> Any:
    """``target op= value`` where the target's class writes ``__iop__`` in Python: it
    changes the object itself (every other name for it sees the change), compiled on
    it, object made outside or inside alike. ``NOT_STATE`` where it has none (then
    ``target = target op value``, as Python falls back)."""
    method = python_method(target, f"__i{name}__")
    if method is None:
        return NOT_STATE
    result = _call(scope, node, method, target, value)
    return NOT_STATE if result is NotImplemented else result


def unary(scope: Scope, node: gast.AST, dunder: str, value: Any) -> Any:
    """``-obj``, ``+obj``, ``~obj``, ``abs(obj)`` (``__neg__``...)."""
    if not has_state(scope, value):
        return NOT_STATE
    method = python_method(value, dunder)
    if method is None:
        raise scope.error(node, f"{dunder} of a {type(value).__name__} whose attributes the "
                                "function sets: its class has no such method in Python",
                          hint="compute on its attributes")
    return _call(scope, node, method, value)


def truth(scope: Scope, node: gast.AST, value: Any) -> Any:
    """``if obj:``, ``not obj``, ``bool(obj)``: its ``__bool__``, else whether its
    ``__len__`` is not 0, else true, as Python asks (a run-time value where those
    compute one)."""
    if not has_state(scope, value):
        return NOT_STATE
    method = python_method(value, "__bool__")
    if method is not None:
        return _call(scope, node, method, value)
    method = special_method(scope, value, "__len__")
    if method is not None:
        length = _call(scope, node, method, value)
        return length != 0
    return True


def iterated(scope: Scope, node: gast.AST, obj: Any) -> Any:
    """What iterating over an object with state of the function's goes through (a
    ``for``, unpacking, ``list(obj)``, ``in``): its ``__iter__`` compiled on it (``return
    iter(self.layers)``), whose items must be known while compiling. ``obj`` itself
    where it has no such state."""
    if not has_state(scope, obj):
        return obj
    method = python_method(obj, "__iter__")
    hint = "iterate over the attribute that holds the items (for v in obj.items)"
    if method is None or inspect.isgeneratorfunction(method):
        how = "its class has no __iter__ in Python" if method is None else \
            "its __iter__ is a generator"
        raise scope.error(node, f"iterating over a {type(obj).__name__} whose attributes the "
                                f"function sets: {how}",
                          hint=f"{hint}, or return iter(self.items) from __iter__")
    items = _call(scope, node, method, obj)
    try:
        return list(items)
    except TypeError:
        raise scope.error(node, f"{type(obj).__name__}.__iter__ returned a "
                                f"{type(items).__name__}, not an iterator", hint=hint) from None


# Builtins that iterate over their arguments: an object's items are its __iter__'s.
_ITERATING = (list, tuple, set, frozenset, sum, min, max, any, all, sorted, enumerate, zip,
              iter, reversed)


def builtin_call(scope: Scope, node: gast.AST, func: Any, args: list) -> tuple[Any, list]:
    """``abs(obj)``, ``bool(obj)`` of an object with state of the function's, answered
    by its class (the answer, else ``NOT_STATE``); and the arguments a builtin iterates
    over (``list(obj)``, ``sum(obj)``, ``zip(a, obj)``) as the items they give."""
    if len(args) == 1 and func is abs:
        return unary(scope, node, "__abs__", args[0]), args
    if len(args) == 1 and func is bool:
        return truth(scope, node, args[0]), args
    if any(func is f for f in _ITERATING):
        return NOT_STATE, [iterated(scope, node, a) for a in args]
    return NOT_STATE, args

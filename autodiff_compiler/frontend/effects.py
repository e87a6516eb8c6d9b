"""Statements run for what they do to the function's own state, lowered as the values
they leave: ``np.add.at(y, index, v)`` (a write into ``y``) and ``with`` of the context
managers that change no value (``np.errstate``, ``contextlib.nullcontext``), whose body
is lowered as it is, or that stop the gradient of what the body binds (MindSpore's
``_no_grad``). ``syntax`` dispatches to them.
"""
from __future__ import annotations

import contextlib
from typing import Any

import gast
import numpy as np

from .. import trees
from ..ir import primitives as P
from ..ir.core import Var
from ..ir.primitives.coercion import asarray
from .aliasing import check_subscript_write, root_name
from .calls import apply_builder, has_var
from .scope import NOT_RETURNED, Scope

# ---------------------------------------------------------------------------- ufunc.at


def is_ufunc_at(func: Any) -> bool:
    return getattr(func, "__name__", None) == "at" and \
        isinstance(getattr(func, "__self__", None), np.ufunc)


def stmt_ufunc_at(scope: Scope, call: gast.Call, ufunc: np.ufunc) -> Any:
    """``np.add.at(y, index, v)`` (and ``np.subtract.at``): ``v`` added into ``y`` at
    ``index``, a repeated index adding each time (the ``index_add`` primitive, whose
    adjoint is indexing). Written into ``y`` as ``y[index] += v`` is: an array the
    function made itself, the caller's never."""
    if ufunc not in (np.add, np.subtract) or call.keywords or len(call.args) != 3:
        raise scope.error(call, f"np.{ufunc.__name__}.at(...) is not supported yet",
                          hint="np.add.at(a, indices, b) and np.subtract.at(a, indices, b) "
                               "are; or build the result with np.where or indexing")
    target = call.args[0]
    array, index, values = (scope.expr(a) for a in call.args)
    if not isinstance(target, gast.Name | gast.Subscript) or not isinstance(array, Var):
        raise scope.error(call, f"np.{ufunc.__name__}.at into something other than an array "
                                "the function made and named",
                          hint="copy it first (y = np.zeros(...) or y = x.copy()), then "
                               "write into y")
    check_subscript_write(scope, target, array)
    if isinstance(index, list):  # NumPy takes a list as an array of indices, here too
        index = asarray(index) if has_var(index) else np.asarray(index)
    if ufunc is np.subtract:
        values = apply_builder(scope, call, P.neg, [values], {}, "np.subtract.at")
    updated = apply_builder(scope, call, P.index_add, [array, index, values], {},
                            f"np.{ufunc.__name__}.at")
    scope.write_in_place(call, array, updated, root_name(target))
    scope.assign(target, updated)
    return NOT_RETURNED


# ---------------------------------------------------------------------------- with


def stmt_with(scope: Scope, node: gast.With) -> Any:
    """``with np.errstate(...)`` and ``with contextlib.nullcontext(value) as name``: the
    body, as it is. Neither changes a value: ``np.errstate`` that only silences or shows
    floating-point warnings (the generated code may show some the body silenced), a
    ``nullcontext`` nothing at all; and MindSpore's ``_no_grad()``, after whose body each
    name it bound (and what it returned) carries no gradient. Any other manager -- one
    that opens a resource, catches exceptions, or makes NumPy raise -- is refused."""
    stops = False
    for item in node.items:
        manager = _context_manager(scope, item.context_expr)
        if getattr(manager, "__stops_gradients__", False) and item.optional_vars is None:
            stops = True
        elif isinstance(manager, contextlib.nullcontext):
            if item.optional_vars is not None:
                scope.assign(item.optional_vars, manager.enter_result)
        elif isinstance(manager, np.errstate) and item.optional_vars is None:
            if not _only_warnings(manager):
                raise scope.error(item.context_expr, "np.errstate that makes NumPy raise (or "
                                                     "call a function) inside a differentiated "
                                                     "function", hint="check the values with "
                                                     "an assert, or set np.errstate around "
                                                     "the call of the gradient")
        else:
            raise scope.error(item.context_expr, f"'with' of a {type(manager).__name__}: only "
                                                 "np.errstate and contextlib.nullcontext are "
                                                 "compiled", hint="open resources and catch "
                                                 "exceptions outside the differentiated "
                                                 "function")
    result = scope.block(node.body)
    if stops:  # (MindSpore's ``_no_grad``): what the block bound carries no gradient
        for name in _names_bound(node.body):
            if name in scope.env:
                target = gast.Name(name, gast.Store(), None, None)
                scope.assign(target, apply_builder(scope, node, _stopped, [scope.env[name]],
                                                   {}, "_no_grad"))
        if result is not NOT_RETURNED:
            result = apply_builder(scope, node, _stopped, [result], {}, "_no_grad")
    return result


def _stopped(value: Any) -> Any:
    """``value`` with the gradient of each array in it stopped (in a tuple, list or
    dict, keeping the structure); anything else (a number, a function) as it is."""
    if isinstance(value, Var):
        return P.stop_gradient(value)
    if isinstance(value, tuple | list):
        return trees.like(value, [_stopped(v) for v in value])
    if type(value) is dict:
        return {k: _stopped(v) for k, v in value.items()}
    return value


def _names_bound(body: list[gast.stmt]) -> list[str]:
    """The names a block assigns (not inside a function or class it defines)."""
    names: dict[str, None] = {}
    stack: list[gast.AST] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
            names[node.id] = None
        if not isinstance(node, gast.FunctionDef | gast.Lambda | gast.ClassDef):
            stack.extend(gast.iter_child_nodes(node))
    return list(names)


def _context_manager(scope: Scope, node: gast.expr) -> Any:
    """The manager ``node`` gives, made while compiling where it is one of those
    compiled (any other call is not made: it could open a file)."""
    if not isinstance(node, gast.Call):
        return scope.expr(node)
    func = scope.expr(node.func)
    if getattr(func, "__stops_gradients__", False) and not node.args and not node.keywords:
        return func()
    if func not in (np.errstate, contextlib.nullcontext):
        name = getattr(func, "__qualname__", type(func).__name__)
        raise scope.error(node, f"'with' of {name}(...): only np.errstate and "
                                "contextlib.nullcontext are compiled",
                          hint="open resources and catch exceptions outside the "
                               "differentiated function")
    args = [scope.expr(a) for a in node.args]
    kwargs = {kw.arg: scope.expr(kw.value) for kw in node.keywords if kw.arg is not None}
    settings = [*args, *kwargs.values()]
    if len(kwargs) != len(node.keywords) or (func is np.errstate and has_var(settings)):
        raise scope.error(node, "the settings of np.errstate must be known when compiling")
    return func(*args, **kwargs)


_ERRSTATE_KINDS = ("all", "divide", "over", "under", "invalid")


def _only_warnings(manager: np.errstate) -> bool:
    """Whether ``np.errstate`` only ignores, warns or prints (NumPy 1 keeps its settings
    in ``kwargs``, NumPy 2 in attributes)."""
    settings = getattr(manager, "kwargs", None)
    if settings is None:
        settings = {kind: getattr(manager, f"_{kind}", None) for kind in _ERRSTATE_KINDS}
    call = getattr(manager, "call", getattr(manager, "_call", None))
    return callable(call) is False and all(
        value in (None, "ignore", "warn", "print") for key, value in settings.items()
        if key != "call")

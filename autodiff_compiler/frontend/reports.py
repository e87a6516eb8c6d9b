"""Calls that report what the program is doing: ``print``, ``logging`` and
``warnings.warn``. MindSpore's PyNative mode runs them inside a differentiated
function, and so does the generated code: once per call, on the forward values, as
effects (kept, kept in order, never differentiated). ``calls`` dispatches here.
"""
from __future__ import annotations

import logging
import warnings
from typing import TYPE_CHECKING, Any

import gast

from .. import trees
from ..ir import primitives as P
from ..ir.core import Var

if TYPE_CHECKING:
    from .scope import Scope

_LOG_CALLS = frozenset({"debug", "info", "warning", "warn", "error", "exception",
                        "critical", "fatal", "log"})


def lower_print(scope: Scope, node: gast.AST, args: list, kwargs: dict) -> None:
    """``print(...)`` as the ``print`` primitive, which every backend writes as a
    statement. Values known when compiling are printed as the text they would print."""
    from .calls import has_var  # (calls dispatches here)
    if set(kwargs) - {"sep", "end", "flush"}:
        raise scope.error(node, f"print(..., {sorted(set(kwargs) - {'sep', 'end', 'flush'})[0]}"
                                "=...) is not supported inside a differentiated function",
                          hint="print to the standard output (sep=, end= and flush= are taken)")
    if has_var(list(kwargs.values())):
        raise scope.error(node, "print's sep=, end= and flush= must be known when compiling")
    operands = []
    for value in args:
        if isinstance(value, Var):
            operands.append(value)
        elif has_var(value):
            raise scope.error(node, f"print of a {type(value).__name__} holding array values "
                                    "is not supported inside a differentiated function",
                              hint="print the arrays as separate arguments")
        else:
            operands.append(str(value))
    P.print_(*operands, **kwargs)


def is_report(func: Any) -> bool:
    """``logger.info(...)`` (a ``Logger``'s or ``LoggerAdapter``'s), ``logging.warning
    (...)`` and ``warnings.warn(...)``. Compiled from their source they would fail (their
    ``try``, locks and handlers), and there is nothing in them to differentiate."""
    if func is warnings.warn:
        return True
    name = getattr(func, "__name__", None)
    if name not in _LOG_CALLS:
        return False
    owner = getattr(func, "__self__", None)
    if isinstance(owner, logging.Logger | logging.LoggerAdapter):
        return True
    return getattr(logging, name, None) is func


def get_logger(scope: Scope, node: gast.AST, args: list, kwargs: dict) -> logging.Logger:
    """``logging.getLogger(name)`` inside the function: the logger, found while
    compiling, as at every call (a name that is an array's value has no logger)."""
    from .calls import has_var  # (calls dispatches here)
    if has_var([args, kwargs]):
        raise scope.error(node, "logging.getLogger(...) of an array value",
                          hint="name the logger with a string")
    return logging.getLogger(*args, **kwargs)


def lower_report(scope: Scope, node: gast.AST, func: Any, args: list, kwargs: dict) -> None:
    """A report called as Python when the program runs (the ``report`` effect), with the
    arrays' values where the function has array values: what ``logger.info("loss %s",
    loss)`` logs is the loss of that call. It gives nothing back, so no gradient flows
    through it."""
    leaves, skeleton = trees.flatten((args, kwargs), lambda v: isinstance(v, Var))

    def report(*values: Any) -> None:
        given, keywords = trees.unflatten(skeleton, list(values))
        func(*given, **keywords)

    report.__qualname__ = getattr(func, "__qualname__", "report")
    P.report(report, *leaves)

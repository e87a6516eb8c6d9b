"""Calls that report what the program is doing: ``print``, ``logging`` and
``warnings.warn``. MindSpore's PyNative mode runs them inside a differentiated
function, and so does the generated code: once per call, on the forward values, as
effects (kept, kept in order, never differentiated). ``calls`` dispatches here.
"""
from __future__ import annotations

import logging
import os
import sys
import types
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
    unflatten = trees.unflatten  # (a cell: the code runs with the user's globals)
    func = _warn_from_users_frames if func is warnings.warn else func

    def report(*values: Any) -> None:
        func(*(call := unflatten(skeleton, list(values)))[0], **call[1])

    P.report(_at_users_line(report, scope, node), *leaves)


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _warn_from_users_frames(message: Any, category: Any = None, stacklevel: int = 1,
                            source: Any = None) -> None:
    """``warnings.warn`` from the (relocated) report's frame, the user's line; with a
    ``stacklevel`` above 1, from the user's frames above it, the generated code and
    this package's skipped (the caller of the differentiated function is its caller,
    as when the plain function runs)."""
    if stacklevel <= 1:
        warnings.warn(message, category, stacklevel=2, source=source)
        return
    frame = _outside_package(sys._getframe(2))  # the differentiated function's caller
    for _ in range(stacklevel - 2):
        frame = frame and _outside_package(frame.f_back)
    if frame is None:
        warnings.warn(message, category, stacklevel=2, source=source)
        return
    if isinstance(message, Warning):
        category = message.__class__
    module_globals = frame.f_globals
    warnings.warn_explicit(message, category or UserWarning, frame.f_code.co_filename,
                           frame.f_lineno, module=module_globals.get("__name__"),
                           registry=module_globals.setdefault("__warningregistry__", {}),
                           module_globals=module_globals, source=source)


def _outside_package(frame: Any) -> Any:
    """``frame``, or the first above it that is neither generated code nor this
    package's own."""
    while frame is not None and frame.f_code.co_filename.startswith(("<autodiff_compiler",
                                                                      _PACKAGE)):
        frame = frame.f_back
    return frame


def _at_users_line(report: types.FunctionType, scope: Scope, node: gast.AST
                   ) -> types.FunctionType:
    """``report`` with its frame read as the user's line, in the user's function and
    module: a log record's ``%(filename)s:%(lineno)d %(funcName)s`` and a warning's
    place, module and filters are the user's, as when the plain function runs (the
    call is ``report``'s one line; its code object is relocated there)."""
    loc, fn = scope.loc(node), scope.fn
    name = getattr(fn, "__name__", "report")
    moved = {"co_filename": loc.file, "co_name": name,
             "co_firstlineno": max(loc.line - 1, 1)}
    if sys.version_info >= (3, 11):
        moved["co_qualname"] = getattr(fn, "__qualname__", name)
    code = report.__code__.replace(**moved)
    return types.FunctionType(code, getattr(fn, "__globals__", report.__globals__), name,
                              report.__defaults__, report.__closure__)

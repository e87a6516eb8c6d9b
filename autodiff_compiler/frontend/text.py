"""Text: f-strings, ``str.format``, ``format()``, ``str()`` and ``repr()``. Text when every
value is known while compiling; with run-time values (``print(f"loss {loss:.4f}")``,
``log.info("{:.3f}".format(v))``, an ``assert``'s message), a template formatted where
the program runs (``format_text``; under ``vmap``, ``format_batch``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gast

from ..ir import primitives as P
from ..ir.core import Var
from .calls import has_var

if TYPE_CHECKING:
    from .scope import Scope


def expr_joinedstr(scope: Scope, node: gast.JoinedStr) -> Any:
    """An f-string: text when compiling; with run-time values, ``str.format`` of a
    template at run time (for ``print`` and ``assert`` messages)."""
    template, values = [], []
    for part in node.values:
        if isinstance(part, gast.FormattedValue):
            value = scope.expr(part.value)
            if isinstance(value, Var):
                spec = "" if part.format_spec is None else scope.expr(part.format_spec)
                if not isinstance(spec, str):
                    raise scope.error(part, "a format spec computed at run time",
                                      hint="write the spec as a literal")
                conversion = {115: "!s", 114: "!r", 97: "!a"}.get(part.conversion, "")
                template.append("{" + conversion + (":" + spec if spec else "") + "}")
                values.append(value)
                continue
            if has_var(value):
                raise scope.error(part, "an f-string of a list or tuple holding array values",
                                  hint="format the arrays one by one")
            text = expr_formatted(scope, part)
        else:
            text = str(scope.expr(part))
        template.append(text.replace("{", "{{").replace("}", "}}"))
    text = "".join(template)
    return P.format_text(text, *values) if values else text.replace("{{", "{").replace("}}", "}")


def expr_formatted(scope: Scope, node: gast.FormattedValue) -> Any:
    value = scope.expr(node.value)
    if isinstance(value, Var):
        return value
    spec = "" if node.format_spec is None else scope.expr(node.format_spec)
    conversion = {115: str, 114: repr, 97: ascii}.get(node.conversion, lambda v: v)
    return format(conversion(value), spec)


def formatted(func: Any, args: list, kwargs: dict) -> Any:
    """``"{:.2f}".format(v)``, ``format(v, ".2f")``, ``str(v)``, ``repr(v)`` of run-time
    values: the text, formatted where the program runs; ``None`` for other calls."""
    if kwargs or not has_var(args):
        return None
    spec = args[1] if len(args) == 2 else ""
    if func is format and len(args) in (1, 2) and isinstance(spec, str):
        return P.format_text("{:" + spec.replace("{", "{{").replace("}", "}}") + "}", args[0])
    if func in (str, repr) and len(args) == 1:
        return P.format_text("{!s}" if func is str else "{!r}", args[0])
    if getattr(func, "__name__", None) == "format" and isinstance(
            getattr(func, "__self__", None), str):
        return P.format_text(func.__self__, *args)
    return None


# The expressions handled here, by node type (``Lowering.expressions``).
EXPRESSIONS = {gast.JoinedStr: expr_joinedstr, gast.FormattedValue: expr_formatted}

"""Short constructors of syntax-tree nodes, for Python written outside ``codegen``.

The pipeline writes two small functions of its own besides the gradient: the fast call
path (``pipeline.entry``) and the guard check (``pipeline.guards``). They are built as
syntax trees from these constructors and printed by ``pywriter.source``, the printer
generated gradients go through, so no text is ever pieced together by hand: a string
is a ``const`` and the printer quotes it; a name is checked to read back as itself
(``spelt_as_is``) before it becomes a ``Name``, ``Attribute`` or parameter, and
anything else is refused. A name or key of the user's can therefore never change what
the printed code runs.

The nodes are Python's own ``ast`` ones, not gast's as in ``codegen``: these few kinds
are the same in every Python the package supports, and converting gast to ``ast``
costs as much again as printing, paid at each first call (the entry is written then).
Each constructor builds the node Python's parser builds for the same text (``a and b
and c`` is one ``BoolOp``), so printing and reading back gives the same tree.
"""
from __future__ import annotations

import ast
import keyword
import unicodedata
from collections.abc import Sequence
from typing import Any


def spelt_as_is(text: str) -> bool:
    """A name Python reads back as itself: an identifier, not a keyword, NFKC-normal
    (the parser normalises identifiers, so ``ﬁ`` would be read as ``fi``)."""
    return text.isidentifier() and not keyword.iskeyword(text) \
        and unicodedata.normalize("NFKC", text) == text


def _identifier(text: str) -> str:
    if not (isinstance(text, str) and spelt_as_is(text)):
        raise ValueError(f"not a name Python reads back as itself: {text!r}")
    return text


# ---------------------------------------------------------------------------- expressions


def name(text: str) -> ast.Name:
    """A name read."""
    return ast.Name(_identifier(text), ast.Load())


def store(text: str) -> ast.Name:
    """A name assigned (an assignment's or a walrus's target, a loop variable)."""
    return ast.Name(_identifier(text), ast.Store())


def const(value: Any) -> ast.Constant:
    """A literal: the printer writes its ``repr`` (strings quoted and escaped)."""
    return ast.Constant(value)


def attr(value: ast.expr, *names: str) -> ast.expr:
    """``value.a.b...``."""
    for text in names:
        value = ast.Attribute(value, _identifier(text), ast.Load())
    return value


def item(value: ast.expr, index: ast.expr) -> ast.Subscript:
    """``value[index]``."""
    return ast.Subscript(value, index, ast.Load())


def call(func: ast.expr, *args: ast.expr) -> ast.Call:
    """``func(*args)`` (a ``starred`` argument is unpacked)."""
    return ast.Call(func, list(args), [])


def call_with(func: ast.expr, args: Sequence[ast.expr], mapping: ast.expr) -> ast.Call:
    """``func(*args, **mapping)``."""
    return ast.Call(func, list(args), [ast.keyword(None, mapping)])


def starred(value: ast.expr) -> ast.Starred:
    return ast.Starred(value, ast.Load())


def tuple_of(elements: Sequence[ast.expr]) -> ast.Tuple:
    return ast.Tuple(list(elements), ast.Load())


def list_of(elements: Sequence[ast.expr]) -> ast.List:
    return ast.List(list(elements), ast.Load())


def walrus(target: str, value: ast.expr) -> ast.NamedExpr:
    """``(target := value)``."""
    return ast.NamedExpr(store(target), value)


def is_(left: ast.expr, right: ast.expr) -> ast.Compare:
    return ast.Compare(left, [ast.Is()], [right])


def is_not(left: ast.expr, right: ast.expr) -> ast.Compare:
    return ast.Compare(left, [ast.IsNot()], [right])


def equal(left: ast.expr, right: ast.expr) -> ast.Compare:
    return ast.Compare(left, [ast.Eq()], [right])


def not_(operand: ast.expr) -> ast.UnaryOp:
    return ast.UnaryOp(ast.Not(), operand)


def all_of(terms: Sequence[ast.expr]) -> ast.expr:
    """``a and b and ...`` as one ``BoolOp`` (one term: itself; none: ``True``)."""
    return _boolop(ast.And(), terms)


def any_of(terms: Sequence[ast.expr]) -> ast.expr:
    """``a or b or ...`` as one ``BoolOp``."""
    return _boolop(ast.Or(), terms)


def _boolop(op: ast.boolop, terms: Sequence[ast.expr]) -> ast.expr:
    if not terms:
        return const(True)
    return terms[0] if len(terms) == 1 else ast.BoolOp(op, list(terms))


def filtered(element: str, items: ast.expr, keep: ast.expr) -> ast.ListComp:
    """``[element for element in items if keep]``."""
    loop = ast.comprehension(store(element), items, [keep], 0)
    return ast.ListComp(name(element), [loop])


# ---------------------------------------------------------------------------- statements


def assign(target: str, value: ast.expr) -> ast.Assign:
    return ast.Assign([store(target)], value)


def do(value: ast.expr) -> ast.Expr:
    """An expression evaluated for its effect (a call)."""
    return ast.Expr(value)


def returns(value: ast.expr) -> ast.Return:
    return ast.Return(value)


def reraise() -> ast.Raise:
    """A bare ``raise``."""
    return ast.Raise(None, None)


def if_(test: ast.expr, body: list[ast.stmt]) -> ast.If:
    return ast.If(test, body, [])


def try_(body: list[ast.stmt], *handlers: ast.ExceptHandler) -> ast.Try:
    return ast.Try(body, list(handlers), [], [])


def except_(kind: ast.expr, body: list[ast.stmt], as_name: str | None = None
            ) -> ast.ExceptHandler:
    """``except kind [as as_name]: body`` (``body`` empty: ``pass``)."""
    return ast.ExceptHandler(kind, None if as_name is None else _identifier(as_name),
                             body or [ast.Pass()])


def parameters(positional_only: Sequence[str] = (), either: Sequence[str] = (),
               keyword_only: Sequence[str] = (), *, defaults: Sequence[ast.expr] = (),
               keyword_defaults: Sequence[ast.expr] = (), rest: str | None = None,
               mapping: str | None = None) -> ast.arguments:
    """A parameter list: ``positional_only, /, either, *rest, keyword_only, **mapping``;
    ``defaults`` belong to the last positional parameters, ``keyword_defaults`` to the
    keyword-only ones, one each."""
    def params(names: Sequence[str]) -> list[ast.arg]:
        return [ast.arg(_identifier(p)) for p in names]

    def one(text: str | None) -> ast.arg | None:
        return params([text])[0] if text is not None else None

    return ast.arguments(params(positional_only), params(either), one(rest),
                         params(keyword_only), list(keyword_defaults), one(mapping),
                         list(defaults))


def function(title: str, params: ast.arguments, body: list[ast.stmt]) -> ast.FunctionDef:
    """``def title(params): body``."""
    return ast.FunctionDef(name=_identifier(title), args=params, body=body,
                           decorator_list=[], returns=None, type_comment=None)

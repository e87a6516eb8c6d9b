"""Writing generated code: the statement tree as indented Python text.

Each statement kind has a small writer; comments (``# grad of: <line>  (file:line)``)
open each adjoint block, and every line that computes something records the user's
source location it came from, for runtime errors.

Text from outside (file paths, qualified names, source lines) only ever enters
generated code through ``string_literal`` and ``comment``, which escape it: no name
or path can end a string or a comment early, or add a line.

``source`` prints whole trees, compound statements and all: the pipeline's fast call
path and guard check are built with ``syntax`` and printed there, by the same printer
as every statement here, so they too are never text pieced together.
"""
from __future__ import annotations

import ast
from typing import Any

import astor
import gast

from ...errors import Loc
from ...ir.core import Var
from .naming import Append, Assign, Check, Effect, For, If, InPlace, Moves, NewList, While

_INPLACE = {"+": gast.Add, "-": gast.Sub, "*": gast.Mult, "/": gast.Div, "**": gast.Pow}


def _to_source(node: gast.stmt) -> str:
    return source(gast.gast_to_ast(gast.Module([node], [])).body).rstrip("\n")


def source(nodes: list[ast.stmt]) -> str:
    """Python's syntax tree, compound statements too, as text (each line ended by a
    newline): names as they are, constants as their ``repr``; long lines not folded."""
    return astor.to_source(ast.Module(nodes, []), pretty_source="".join)


def _comment(loc: Loc) -> str:
    return comment(f"grad of: {loc.source.strip()}  ({loc})")


def comment(text: str) -> str:
    """A one-line comment: characters that are not printable (line breaks among
    them) are written as their escapes."""
    return "# " + "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def string_literal(text: str, multiline: bool = False) -> str:
    """``text`` as a Python string literal (for a docstring): between triple quotes
    when nothing in it needs escaping, else as ``repr`` writes it. ``multiline``
    allows line breaks (``\n``) between the quotes."""
    plain = all(c.isprintable() or (multiline and c == "\n") for c in text)
    if plain and "\\" not in text and '"' not in text:
        return f'"""{text}"""'
    return repr(text)


def _name(names: dict[Var, str], v: Var, ctx: Any = None) -> gast.Name:
    return gast.Name(names[v], ctx or gast.Store(), None, None)


class Writer:
    """Writes the statement tree as indented lines, with comments and line origins."""

    def __init__(self, names: dict[Var, str]) -> None:
        self.names = names
        self.lines: list[str] = []
        self.line_locs: dict[int, Loc] = {}

    def add(self, indent: int, text: str, loc: Loc | None = None) -> None:
        self.lines.append("    " * indent + text)
        if loc is not None:
            self.line_locs[len(self.lines)] = loc

    def block(self, stmts: list[Any], indent: int, empty_ok: bool = False,
              frees: dict[int, list[str]] | None = None) -> None:
        """Write ``stmts``; ``frees[i]`` are names to ``del`` after statement ``i``."""
        start, prev = len(self.lines), None
        for i, s in enumerate(stmts):
            loc = getattr(s, "loc", None)
            if loc is not None and loc.adjoint and (loc.file, loc.line) != prev:
                self.add(indent, _comment(loc))
            prev = (loc.file, loc.line) if loc is not None and loc.adjoint else prev
            WRITERS[type(s)](self, s, indent)
            if frees and frees.get(i):
                self.add(indent, f"del {', '.join(frees[i])}")
        if len(self.lines) == start and not empty_ok:
            self.add(indent, "pass")

    def statement(self, node: gast.stmt, indent: int, loc: Loc | None = None) -> None:
        self.add(indent, _to_source(node), loc)


def _write_assign(w: Writer, s: Assign, indent: int) -> None:
    target = [_name(w.names, v) for v in s.targets]
    lhs = target[0] if len(target) == 1 else gast.Tuple(target, gast.Store())
    w.statement(gast.Assign([lhs], s.expr, None), indent, s.loc)


def _write_moves(w: Writer, s: Moves, indent: int) -> None:
    pairs = [(t, e) for t, e in zip(s.targets, s.exprs)
             if not (isinstance(e, gast.Name) and e.id == w.names[t])]
    if not pairs:
        return
    lhs = [_name(w.names, t) for t, _ in pairs]
    rhs = [e for _, e in pairs]
    if len(pairs) == 1:
        w.statement(gast.Assign(lhs, rhs[0], None), indent)
    else:
        w.statement(gast.Assign([gast.Tuple(lhs, gast.Store())],
                                gast.Tuple(rhs, gast.Load()), None), indent)


def _write_inplace(w: Writer, s: InPlace, indent: int) -> None:
    same = w.names[s.target] == w.names[s.base]  # the old value is dead: update it in place
    if s.op is None:  # a call writing into base (``np.exp(t, out=t)``), returning it
        target = [] if same else [_name(w.names, s.target)]
        node = gast.Assign(target, s.expr, None) if target else gast.Expr(s.expr)
        w.statement(node, indent, s.loc)
        return
    if s.index is not None:  # base[index] += expr (or = expr), or a copy with it written
        if same:
            target = gast.Subscript(_name(w.names, s.base, gast.Load()), s.index, gast.Store())
            w.statement(gast.Assign([target], s.expr, None) if s.op == "=" else
                        gast.AugAssign(target, _INPLACE[s.op](), s.expr), indent, s.loc)
        else:
            w.statement(gast.Assign([_name(w.names, s.target)], s.otherwise, None), indent,
                        s.loc)
        return
    op = _INPLACE[s.op]()
    if same:
        w.statement(gast.AugAssign(_name(w.names, s.target), op, s.expr), indent, s.loc)
    else:
        value = gast.BinOp(_name(w.names, s.base, gast.Load()), op, s.expr)
        w.statement(gast.Assign([_name(w.names, s.target)], value, None), indent, s.loc)


def _write_newlist(w: Writer, s: NewList, indent: int) -> None:
    w.add(indent, f"{w.names[s.target]} = []")


def _write_append(w: Writer, s: Append, indent: int) -> None:
    call = gast.Call(gast.Attribute(_name(w.names, s.target, gast.Load()), "append",
                                    gast.Load()), [s.expr], [])
    w.statement(gast.Expr(call), indent)


def _write_check(w: Writer, s: Check, indent: int) -> None:
    if s.exception is None:
        w.statement(gast.Assert(s.test, s.message), indent, s.loc)
        return
    fails = s.test.operand if isinstance(s.test, gast.UnaryOp) \
        and isinstance(s.test.op, gast.Not) else gast.UnaryOp(gast.Not(), s.test)
    if isinstance(fails, gast.Call) and isinstance(fails.func, gast.Name) \
            and fails.func.id == "bool" and len(fails.args) == 1:
        fails = fails.args[0]  # an if tests the truth of its condition itself
    w.add(indent, f"if {_expr_source(fails)}:", s.loc)
    made = gast.Call(s.exception, [] if s.message is None else [s.message], [])
    w.statement(gast.Raise(made, None), indent + 1, s.loc)


def _write_effect(w: Writer, s: Effect, indent: int) -> None:
    w.statement(gast.Expr(s.expr), indent, s.loc)


def _write_if(w: Writer, s: If, indent: int) -> None:
    w.add(indent, f"if {_expr_source(s.test)}:", s.loc)
    w.block(s.branches[0], indent + 1)
    mark = len(w.lines)
    w.add(indent, "else:")
    w.block(s.branches[1], indent + 1)
    if w.lines[mark + 1:] == ["    " * (indent + 1) + "pass"]:
        del w.lines[mark:]


def _write_for(w: Writer, s: For, indent: int) -> None:
    count = _expr_source(s.count)
    span = f"reversed(range({count}))" if s.reverse else f"range({count})"
    w.add(indent, f"for {w.names[s.index]} in {span}:", s.loc)
    w.block(s.body, indent + 1)


def _write_while(w: Writer, s: While, indent: int) -> None:
    if not s.cond:
        w.add(indent, f"while {_expr_source(s.test)}:", s.loc)
    else:
        w.add(indent, "while True:", s.loc)
        w.block(s.cond, indent + 1)
        w.add(indent + 1, f"if not ({_expr_source(s.test)}):")
        w.add(indent + 2, "break")
    w.block(s.body, indent + 1)


def _expr_source(expr: gast.expr) -> str:
    return _to_source(gast.Expr(expr))


WRITERS = {Assign: _write_assign, Moves: _write_moves, NewList: _write_newlist,
           InPlace: _write_inplace,
           Append: _write_append, Check: _write_check, Effect: _write_effect,
           If: _write_if, For: _write_for,
           While: _write_while}

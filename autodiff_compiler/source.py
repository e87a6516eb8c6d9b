"""Reading a function's source: parse once per code object, and build ``Loc``s.

Lambdas are found by their line and parameter names inside the source lines
``inspect`` returns, so ``check_grads(lambda x: x ** 2, x)`` compiles like a ``def``.
"""
from __future__ import annotations

import functools
import inspect
import linecache
import textwrap
import types
from dataclasses import dataclass

import gast

from .errors import AutodiffError, Loc, UnsupportedSyntaxError


@dataclass(frozen=True)
class ParsedFunction:
    """A function's syntax tree and how its line/column numbers map to the file."""

    node: gast.FunctionDef | gast.Lambda
    file: str
    line_offset: int
    col_offset: int
    name: str

    def loc(self, node: gast.AST) -> Loc:
        line = getattr(node, "lineno", 1) + self.line_offset
        col = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        same_line = getattr(node, "end_lineno", None) == getattr(node, "lineno", None)
        shift = self.col_offset
        return Loc(self.file, line, col + shift, (end + shift) if end and same_line else None,
                   linecache.getline(self.file, line).rstrip("\n"), self.name)


def definition_loc(fn: types.FunctionType) -> Loc:
    code = fn.__code__
    return Loc(code.co_filename, code.co_firstlineno, 0, None,
               linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n"),
               fn.__qualname__)


@functools.lru_cache(maxsize=512)
def _parse_code(code: types.CodeType, qualname: str) -> ParsedFunction:
    loc = Loc(code.co_filename, code.co_firstlineno, 0, None,
              linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n"), qualname)
    try:
        lines, first = inspect.findsource(code)
        block = inspect.getblock(lines[first:])
    except (OSError, TypeError):
        raise AutodiffError(f"cannot read the source of '{qualname}'", loc,
                            hint="define the function in a .py file (not in an interactive "
                                 "prompt or with exec) so its source can be compiled") from None
    indent = len(block[0]) - len(block[0].lstrip())
    tree = _parse(textwrap.dedent("".join(block)), loc)
    node = _find_function(tree, code, loc)
    return ParsedFunction(node, code.co_filename, first, indent, qualname)


def parse_function(fn: types.FunctionType) -> ParsedFunction:
    return _parse_code(fn.__code__, fn.__qualname__)


def _parse(text: str, loc: Loc) -> gast.AST:
    try:
        return gast.parse(text)
    except SyntaxError:  # e.g. a lambda in the middle of a multi-line expression
        raise UnsupportedSyntaxError("cannot isolate the source of this function", loc,
                                     hint="give the lambda its own line, or use a def") from None


def _find_function(tree: gast.AST, code: types.CodeType, loc: Loc) -> gast.AST:
    params = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    kinds = (gast.Lambda,) if code.co_name == "<lambda>" else (gast.FunctionDef,)
    found = [n for n in gast.walk(tree) if isinstance(n, kinds)
             and (isinstance(n, gast.Lambda) or n.name == code.co_name)
             and [a.id for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs] == params]
    if len(found) != 1:
        what = "lambdas" if kinds[0] is gast.Lambda else "definitions"
        raise UnsupportedSyntaxError(f"found {len(found)} matching {what} on this line", loc,
                                     hint="give the function its own line, or use a def")
    return found[0]

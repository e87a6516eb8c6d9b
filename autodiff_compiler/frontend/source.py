"""Reading a function's source: parse once per code object, and build ``Loc``s.

Lambdas are found by their line and parameter names inside the source lines
``inspect`` returns, so ``check_grads(lambda x: x ** 2, x)`` compiles like a ``def``;
a lambda whose lines do not parse alone (one entry of a dict spread over several lines)
is found by its line in the whole file.

The text read is checked against the code object Python runs: the file as it is now
is compiled and must hold an equal code object at the function's line (a file edited
after import would otherwise have its new text differentiated while the old code
runs). Each file's text is compiled once.

Turning text into Python ``ast`` objects holds ``AST_LOCK``: CPython 3.11 keeps the
AST constructor's recursion depth per interpreter, so two threads parsing at once can
fail with "AST constructor recursion depth mismatch" (python/cpython#106905).
"""
from __future__ import annotations

import ast
import functools
import inspect
import linecache
import textwrap
import threading
import types
from dataclasses import dataclass
from typing import Any

import gast

from ..errors import AutodiffError, Loc, UnsupportedSyntaxError
from .generators import as_list_builder, nested_as_list_builders
from .match_statements import matches_as_branches

AST_LOCK = threading.Lock()


@dataclass(frozen=True)
class ParsedFunction:
    """A function's syntax tree and how its line/column numbers map to the file."""

    node: gast.FunctionDef | gast.Lambda
    file: str
    line_offset: int
    col_offset: int
    name: str

    @functools.cached_property
    def assigned_names(self) -> frozenset[str]:
        """The names the function's own code assigns (not a nested function's, class's
        or comprehension's, nor those declared ``global``/``nonlocal``): Python takes
        each for a local everywhere in the function, before its assignment too."""
        if isinstance(self.node, gast.Lambda):
            return frozenset()
        assigned, declared = set(), set()
        todo: list[gast.AST] = list(self.node.body)
        while todo:
            node = todo.pop()
            if isinstance(node, gast.Global | gast.Nonlocal):
                declared.update(node.names)
            elif isinstance(node, gast.FunctionDef | gast.AsyncFunctionDef | gast.ClassDef):
                assigned.add(node.name)
            elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store):
                assigned.add(node.id)
            elif not isinstance(node, gast.Lambda | gast.ListComp | gast.SetComp
                                | gast.DictComp | gast.GeneratorExp):
                todo.extend(gast.iter_child_nodes(node))
        return frozenset(assigned - declared)

    def loc(self, node: gast.AST) -> Loc:
        line = getattr(node, "lineno", 1) + self.line_offset
        col = getattr(node, "col_offset", 0)
        end = getattr(node, "end_col_offset", None)
        same_line = getattr(node, "end_lineno", None) == getattr(node, "lineno", None)
        shift = self.col_offset
        return Loc(self.file, line, col + shift, (end + shift) if end and same_line else None,
                   linecache.getline(self.file, line).rstrip("\n"), self.name)


def code_signature(fn: Any) -> inspect.Signature:
    """The parameters ``fn``'s own code takes: a ``functools.wraps`` wrapper's
    ``(*args, **kwargs)``, not the wrapped function's, which ``inspect.signature``
    reports and the wrapper's body does not bind."""
    return inspect.signature(fn, follow_wrapped=False)


def definition_loc(fn: types.FunctionType) -> Loc:
    code = fn.__code__
    return Loc(code.co_filename, code.co_firstlineno, 0, None,
               linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n"),
               fn.__qualname__)


class UnreadableSourceError(AutodiffError):
    """A function's text is not where its code says (an interactive prompt, ``exec``, a
    frozen module of the standard library): it cannot be compiled from its source."""


@functools.lru_cache(maxsize=512)
def _parse_code(code: types.CodeType, filename: str, qualname: str) -> ParsedFunction:
    """(``filename``: equal code objects from two files are not the same function.)"""
    loc = Loc(code.co_filename, code.co_firstlineno, 0, None,
              linecache.getline(code.co_filename, code.co_firstlineno).rstrip("\n"), qualname)
    try:
        lines, first = inspect.findsource(code)
        block = inspect.getblock(lines[first:])
    except (OSError, TypeError):
        raise UnreadableSourceError(
            f"cannot read the source of '{qualname}'", loc,
            hint="define the function in a .py file (not in an interactive prompt or with "
                 "exec) so its source can be compiled") from None
    if not _runs_this_text(code, "".join(lines)):
        raise AutodiffError(
            f"the source of '{qualname}' has changed since it was imported: "
            f"{code.co_filename} no longer holds the code Python runs", loc,
            hint="re-import the module (importlib.reload) or restart the interpreter, "
                 "then differentiate again")
    indent = len(block[0]) - len(block[0].lstrip())
    try:
        tree = _parse(textwrap.dedent("".join(block)), loc)
    except UnsupportedSyntaxError:
        if code.co_name != "<lambda>":
            if not indent:
                raise
            # A line inside brackets less indented than the ``def`` (a long literal's
            # rows from column 0) keeps the block from dedenting: parse it where it
            # stands, under an ``if`` (the columns are the file's, the lines one down).
            tree = _parse("if 1:\n" + "".join(block), loc)
            first, indent = first - 1, 0
        else:
            # A lambda inside a longer expression (a dict of cases over several lines):
            # its lines alone do not parse, so find it in the whole file, by its line.
            tree = _parse("".join(lines), loc)
            node = _find_function(tree, code, loc, line=first + 1)
            return ParsedFunction(node, code.co_filename, 0, 0, qualname)
    node = _find_function(tree, code, loc, shift=(first, indent))
    matches_as_branches(node)  # (in the functions it defines too)
    if code.co_flags & inspect.CO_GENERATOR:  # the list of what it yields
        node = as_list_builder(node)
    nested_as_list_builders(node)  # (generators the function defines, likewise)
    return ParsedFunction(node, code.co_filename, first, indent, qualname)


def parse_function(fn: types.FunctionType) -> ParsedFunction:
    code = fn.__code__
    if code.co_flags & (inspect.CO_COROUTINE | inspect.CO_ASYNC_GENERATOR):
        raise UnsupportedSyntaxError(f"{fn.__qualname__} is an async function: it returns a "
                                     "coroutine, which has no derivative",
                                     definition_loc(fn), hint="differentiate a plain def")
    return _parse_code(code, code.co_filename, fn.__qualname__)


def _runs_this_text(code: types.CodeType, text: str) -> bool:
    """Whether compiling ``text`` gives ``code`` (equal code objects: same bytecode,
    constants, names and positions) at its line."""
    rewritten = any(name.startswith("@py") for name in code.co_names)  # by pytest
    found = _code_objects(code.co_filename, text, rewritten)
    candidates = found.get((code.co_name, code.co_firstlineno))
    return candidates is not None and any(c == code for c in candidates)


@functools.lru_cache(maxsize=64)
def _code_objects(filename: str, text: str, rewritten: bool = False
                  ) -> dict[tuple[str, int], list[types.CodeType]]:
    """Every code object compiling ``text`` gives, by name and first line
    (``rewritten``: as pytest compiles a test module, its asserts rewritten)."""
    try:
        if rewritten:
            from _pytest.assertion.rewrite import rewrite_asserts
            with AST_LOCK:
                tree = ast.parse(text, filename)
                rewrite_asserts(tree, text.encode(), filename)
                module = compile(tree, filename, "exec", dont_inherit=True)
        else:
            module = compile(text, filename, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, ImportError):
        return {}
    found: dict[tuple[str, int], list[types.CodeType]] = {}
    todo = [module]
    while todo:
        code = todo.pop()
        found.setdefault((code.co_name, code.co_firstlineno), []).append(code)
        todo.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return found


def _parse(text: str, loc: Loc) -> gast.AST:
    try:
        with AST_LOCK:
            return gast.parse(text)
    except SyntaxError:  # e.g. a lambda in the middle of a multi-line expression
        raise UnsupportedSyntaxError("cannot isolate the source of this function", loc,
                                     hint="give the lambda its own line, or use a def") from None


def _find_function(tree: gast.AST, code: types.CodeType, loc: Loc,
                   line: int | None = None, shift: tuple[int, int] = (0, 0)) -> gast.AST:
    """The definition or lambda of ``code`` in ``tree`` (starting on ``line`` if given;
    ``tree`` is of the file's text moved up ``shift[0]`` lines and left ``shift[1]``
    columns)."""
    kinds = (gast.Lambda,) if code.co_name == "<lambda>" else (gast.FunctionDef,)
    found = [n for n in gast.walk(tree) if isinstance(n, kinds)
             and (line is None or n.lineno == line)
             and (isinstance(n, gast.Lambda) or n.name == code.co_name)
             and _parameter_names(n.args) == _code_parameters(code)]
    if len(found) > 1:  # two lambdas on a line: the one whose text the code's is in,
        found = [n for n in found if _holds_code_of(n, code, shift)]  # the innermost
        found = [n for n in found if not any(o is not n and _within(o, n) for o in found)]
    if len(found) != 1:
        what = "lambdas" if kinds[0] is gast.Lambda else "definitions"
        raise UnsupportedSyntaxError(f"found {len(found)} matching {what} on this line", loc,
                                     hint="give the function its own line, or use a def")
    return found[0]


def _parameter_names(args: gast.arguments) -> list[str | None]:
    """The parameters a definition names, in the order its code lists them: positional
    and keyword-only ones, then ``*args`` and ``**kwargs`` (None where absent)."""
    named = [a.id for a in args.posonlyargs + args.args + args.kwonlyargs]
    return [*named, *(None if a is None else a.id for a in (args.vararg, args.kwarg))]


def _code_parameters(code: types.CodeType) -> list[str | None]:
    """``_parameter_names`` of the definition ``code`` was compiled from."""
    n = code.co_argcount + code.co_kwonlyargcount
    names = list(code.co_varnames[:n])
    for flag in (inspect.CO_VARARGS, inspect.CO_VARKEYWORDS):
        names.append(code.co_varnames[n] if code.co_flags & flag else None)
        n += bool(code.co_flags & flag)
    return names


def _within(inner: gast.AST, outer: gast.AST) -> bool:
    """Whether ``inner``'s text lies within ``outer``'s."""
    return (outer.lineno, outer.col_offset) <= (inner.lineno, inner.col_offset) and \
        (inner.end_lineno, inner.end_col_offset) <= (outer.end_lineno, outer.end_col_offset)


def _holds_code_of(node: gast.AST, code: types.CodeType, shift: tuple[int, int]) -> bool:
    """Whether every instruction of ``code`` comes from text within ``node`` (Python
    3.11 and later record each instruction's columns; before, nothing is known)."""
    positions = getattr(code, "co_positions", None)
    if positions is None:
        return True
    lines, cols = shift
    start = (node.lineno + lines, node.col_offset + cols)
    end = (node.end_lineno + lines, node.end_col_offset + cols)
    spans = [(line, col, end_line, end_col) for line, end_line, col, end_col in positions()
             if None not in (line, end_line, col, end_col) and (line, col) != (end_line, end_col)]
    return bool(spans) and all(start <= (line, col) and (end_line, end_col) <= end
                               for line, col, end_line, end_col in spans)


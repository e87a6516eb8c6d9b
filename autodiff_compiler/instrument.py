"""Instrumented copies of a generated function, for the profiler (``profiling``).

The generated source is parsed again and rewritten; the copy runs in a copy of the
real function's globals, so the code the user calls is never touched or slowed down.
Statements keep their line numbers, so a traceback (and ``note_user_line``) still
points at the generated line and through it at the user's.

Each statement is attributed through ``where(lineno)``: the user's line it came from
(its row) and whether it is forward or adjoint code, or None for the generated code's
own bookkeeping (carry moves, tape reads, frees, the ``return``). Two copies:

- ``timed``: every simple statement runs between two clock reads and adds the
  difference to its slot (``slot(row, adjoint)``). Bookkeeping inside a loop or a
  branch (tape appends and reads, carry moves, a loop's sum of a gradient over its
  iterations) counts for the line of that loop or branch; elsewhere (creating tape
  lists, frees, the ``return``) it has slot 0. An ``if`` has its test hoisted into a
  timed statement of its own; a loop is not timed as a whole, only the statements in
  it, so no time is counted twice. A nested ``def`` (a recursive callee) is timed as
  part of the statement that calls it. The clock reads of an empty window
  (``calibration``) are what the profiler subtracts per statement run.
- ``taping``: follows which row made the value each local name holds, and records the
  values adjoint statements read that forward statements made (residuals) and the
  values appended to loop tapes, each object once, with the row that made it.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from typing import Any

Where = Callable[[int], "tuple[int, bool] | None"]

OTHER = 0  # the slot of the generated code's bookkeeping


def slot(row: int, adjoint: bool) -> int:
    """Where the time of row ``row``'s forward or adjoint statements accumulates."""
    return 1 + 2 * row + int(adjoint)


def prefix_for(source: str) -> str:
    """A prefix for the names instrumentation adds that no name in ``source`` starts with."""
    prefix = "_adc_"
    while prefix in source:
        prefix += "_"
    return prefix


def _parse(text: str) -> list[ast.stmt]:
    return ast.parse(text).body


def _function(module: ast.Module) -> ast.FunctionDef:
    fn = module.body[0]
    assert isinstance(fn, ast.FunctionDef)
    return fn


def _located(stmts: list[ast.stmt], like: ast.AST) -> list[ast.stmt]:
    """``stmts`` (added code) placed on ``like``'s line, for tracebacks."""
    for s in stmts:
        for node in ast.walk(s):
            ast.copy_location(node, like)
    return stmts


def _plain(s: ast.stmt) -> bool:
    """A statement that does no work worth a clock: control words, nested defs, the
    docstring."""
    return isinstance(s, ast.Pass | ast.Break | ast.Continue | ast.FunctionDef) or (
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))


# ---------------------------------------------------------------------------- timing


def timed(source: str, where: Where, p: str) -> ast.Module:
    """The generated function with each statement timed into ``{p}time[slot]`` (and
    counted in ``{p}count[slot]``), reading the clock ``{p}clock``."""
    module = ast.parse(source)
    fn = _function(module)
    fn.body = _timed_block(fn.body, where, p, OTHER)
    return ast.fix_missing_locations(module)


def _window(body: list[ast.stmt], at: int, p: str, like: ast.AST) -> list[ast.stmt]:
    start = _parse(f"{p}t = {p}clock()")
    end = _parse(f"{p}time[{at}] += {p}clock() - {p}t\n{p}count[{at}] += 1")
    return _located(start, like) + body + _located(end, like)


def _timed_block(stmts: list[ast.stmt], where: Where, p: str, outer: int
                 ) -> list[ast.stmt]:
    """``stmts`` timed; ``outer`` is the slot of the loop or branch they are in."""
    out: list[ast.stmt] = []
    for s in stmts:
        place = where(s.lineno)
        at = outer if place is None else slot(*place)
        if _plain(s):
            out.append(s)
        elif isinstance(s, ast.For | ast.While):
            s.body = _timed_block(s.body, where, p, at)
            s.orelse = _timed_block(s.orelse, where, p, at)
            out.append(s)
        elif isinstance(s, ast.If):
            test = _located(_parse(f"{p}c = 0"), s)
            test[0].value = s.test
            out += _window(test, at, p, s)
            s.test = ast.copy_location(ast.Name(f"{p}c", ast.Load()), s.test)
            s.body = _timed_block(s.body, where, p, at)
            s.orelse = _timed_block(s.orelse, where, p, at)
            out.append(s)
        elif isinstance(s, ast.Return) and s.value is not None:
            value = _located(_parse(f"{p}r = 0"), s)
            value[0].value = s.value
            out += _window(value, at, p, s)
            out += _located(_parse(f"return {p}r"), s)
        else:
            out += _window([s], at, p, s)
    return out


def calibration(windows: int, p: str) -> ast.Module:
    """A function ``{p}empty()`` running ``windows`` timed windows around nothing."""
    body = "\n".join(f"    {p}t = {p}clock()\n    {p}time[0] += {p}clock() - {p}t\n"
                     f"    {p}count[0] += 1" for _ in range(windows))
    return ast.parse(f"def {p}empty():\n{body}\n")


# ---------------------------------------------------------------------------- taping


def taping(source: str, where: Where, p: str) -> ast.Module:
    """The generated function recording residuals and taped values: ``{p}made`` maps a
    local name to the row whose forward statement gave it its value; ``{p}reads(names,
    locals())`` (before an adjoint statement) and ``{p}tape(value, row)`` (after a tape
    append) record the values the backward pass keeps."""
    module = ast.parse(source)
    fn = _function(module)
    fn.body = _taping_block(fn.body, where, p, None)
    return ast.fix_missing_locations(module)


def _stored(node: ast.AST) -> list[str]:
    """Names ``node`` binds, deletes or writes into (``out=name``)."""
    names = [n.id for n in ast.walk(node)
             if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store | ast.Del)]
    names += [k.value.id for n in ast.walk(node) if isinstance(n, ast.Call)
              for k in n.keywords if k.arg == "out" and isinstance(k.value, ast.Name)]
    return list(dict.fromkeys(names))


def _loaded(node: ast.AST | None) -> list[str]:
    """Names ``node`` reads (``a *= b`` reads ``a`` too)."""
    if node is None:
        return []
    names = [n.target.id for n in ast.walk(node)
             if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name)]
    names += [n.id for n in ast.walk(node)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)]
    return list(dict.fromkeys(names))


def _reads(node: ast.AST | None, p: str, like: ast.AST) -> list[ast.stmt]:
    names = _loaded(node)
    return _located(_parse(f"{p}reads({tuple(names)!r}, locals())"), like) if names else []


def _made(names: list[str], row: int | None, p: str, like: ast.AST) -> list[ast.stmt]:
    if not names:
        return []
    text = "\n".join(f"{p}made[{n!r}] = {row}" if row is not None else
                     f"{p}made.pop({n!r}, None)" for n in names)
    return _located(_parse(text), like)


def _names(node: ast.expr) -> list[str] | None:
    """``a`` or ``a, b``: the names; None for anything else."""
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    return [n.id for n in items] if all(isinstance(n, ast.Name) for n in items) else None


def _append(s: ast.stmt) -> ast.Call | None:
    """``tape.append(value)``: the call."""
    if isinstance(s, ast.Expr) and isinstance(s.value, ast.Call):
        func = s.value.func
        if isinstance(func, ast.Attribute) and func.attr == "append" and \
                isinstance(func.value, ast.Name) and len(s.value.args) == 1:
            return s.value
    return None


def _taping_block(stmts: list[ast.stmt], where: Where, p: str, loop_row: int | None
                  ) -> list[ast.stmt]:
    out: list[ast.stmt] = []
    for s in stmts:
        place = where(s.lineno)
        adjoint = place is not None and place[1]
        if _plain(s):
            out.append(s)
        elif isinstance(s, ast.For | ast.While | ast.If):
            header = s.iter if isinstance(s, ast.For) else s.test
            out += _reads(header, p, s) if adjoint else []
            inner = place[0] if isinstance(s, ast.For | ast.While) and place is not None \
                and not adjoint else loop_row
            s.body = _taping_block(s.body, where, p, inner)
            s.orelse = _taping_block(s.orelse, where, p, inner)
            out.append(s)
        elif isinstance(s, ast.Return):
            out += [*(_reads(s.value, p, s) if adjoint else []), s]
        elif place is None:
            out += _bookkeeping(s, p, loop_row)
        elif adjoint:
            out += [*_reads(s, p, s), s, *_made(_stored(s), None, p, s)]
        else:
            out += [s, *_made(_stored(s), place[0], p, s)]
    return out


def _bookkeeping(s: ast.stmt, p: str, loop_row: int | None) -> list[ast.stmt]:
    """A statement no user line maps to: a move passes on where its values came from;
    an append records the value taped; anything else (a tape read) unsets what it binds."""
    call = _append(s)
    if call is not None:
        value = call.args[0]
        if isinstance(value, ast.Name):
            return [s, *_located(_parse(f"{p}tape({value.id}, {p}made.get({value.id!r}))"), s)]
        hold = _located(_parse(f"{p}v = 0"), s)
        hold[0].value = value
        call.args = [ast.Name(f"{p}v", ast.Load())]
        return [*hold, s, *_located(_parse(f"{p}tape({p}v, {loop_row})"), s)]
    if isinstance(s, ast.Assign) and len(s.targets) == 1:
        targets, sources = _names(s.targets[0]), _names(s.value)
        if targets and sources and len(targets) == len(sources):
            rows = ", ".join(f"{p}made.get({n!r})" for n in sources)
            lhs = ", ".join(f"{p}made[{n!r}]" for n in targets)
            before = _located(_parse(f"{p}moved = ({rows},)"), s)
            after = _located(_parse(f"{lhs}, = {p}moved"), s)
            return [*before, s, *after]
    return [s, *_made(_stored(s), None, p, s)]


def namespace(p: str, made: dict[str, int], kept: dict[int, tuple[Any, int]],
              arguments: Sequence[Any]) -> dict[str, Any]:
    """The helpers the taping copy calls, over ``made`` and ``kept`` (``id(value)`` ->
    the value, held so its id stays its own, and the row that made it). ``arguments``
    are never kept, even where a line hands one on as it is (``np.asarray(x)``)."""
    given = {id(a) for a in arguments}

    def tape(value: Any, row: int | None) -> None:
        if row is not None and id(value) not in given:
            kept.setdefault(id(value), (value, row))

    def reads(names: tuple[str, ...], scope: dict[str, Any]) -> None:
        for name in names:
            if name in scope:
                tape(scope[name], made.get(name))

    return {f"{p}made": made, f"{p}reads": reads, f"{p}tape": tape}

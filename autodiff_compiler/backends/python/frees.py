"""When generated code frees its large arrays: right after their last use (``del``),
rather than when the function returns, so the peak memory of a gradient matches a
hand-written one. A decision on the statement tree, after names are given."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...ir.core import Var
from ...opt import buffers
from .naming import Assign, For, If, InPlace, Moves, NewList, While, blocks


def frees_after_last_use(body: list[Any], names: dict[Var, str], params: Sequence[Var],
                         returned: Sequence[Var]) -> dict[int, list[str]]:
    """Large arrays to free (``del``) right after their last use, rather than when the
    function returns: the peak memory of a gradient then matches a hand-written one.
    A name is freed after the last statement that reads it when every value it holds
    (several, where one array is updated in place) is a large array that every path
    defines, and none is an argument or read by the return."""
    values: dict[str, list[Var]] = {}
    for v, name in names.items():
        values.setdefault(name, []).append(v)
    last: dict[str, int] = {}
    for i, stmt in enumerate(body):
        for v in _reads_within(stmt):
            if v in names:
                last[names[v]] = i
    keep = set(params) | set(returned)
    defined = _defined_on_every_path(body)
    frees: dict[int, list[str]] = {}
    for name, i in last.items():
        if i == len(body) - 1 or any(v in keep or v not in defined or not buffers.large(v)
                                         for v in values[name]):
            continue
        frees.setdefault(i, []).append(name)
    return {i: sorted(names) for i, names in frees.items()}


def _defined_on_every_path(stmts: list[Any]) -> set[Var]:
    """The values every path through ``stmts`` assigns (one branch's are not)."""
    out: set[Var] = set()
    for s in stmts:
        if isinstance(s, Assign | Moves):
            out.update(s.targets)
        elif isinstance(s, InPlace | NewList):
            out.add(s.target)
        elif isinstance(s, For | While):
            out.update(s.outs)
        elif isinstance(s, If) and len(s.branches) > 1:
            out |= set.intersection(*(_defined_on_every_path(b) for b in s.branches))
    return out


def _reads_within(stmt: Any) -> list[Var]:
    """The values a statement reads, in the blocks it holds too."""
    out = list(getattr(stmt, "reads", []))
    for block in blocks(stmt):
        for inner in block:
            out.extend(_reads_within(inner))
    return out

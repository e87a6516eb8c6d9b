"""Shrink a failing program to a minimal one that fails the same way.

Delta debugging over statements, greedy and to a fixed point: drop a statement,
replace a block by its body, drop an ``else``, a helper, a term of the returned sum,
the auxiliary output or the second-order check; keep each change under which the
program still fails with the same signature (category, check, exception type).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from .checker import Outcome
from .program import Program, Stmt

Body = tuple[Stmt, ...]


def shrink(program: Program, fails_same: Callable[[Program], bool],
           budget: int = 150) -> Program:
    """The smallest variant of ``program`` found for which ``fails_same`` holds."""
    changed = True
    while changed and budget > 0:
        changed = False
        for candidate in _candidates(program):
            budget -= 1
            if budget <= 0:
                break
            if fails_same(candidate):
                program, changed = candidate, True
                break
    return program


def same_failure(outcome: Outcome) -> Callable[[Outcome], bool]:
    return lambda other: other.signature == outcome.signature


def _candidates(p: Program) -> Iterator[Program]:
    for body in _smaller_bodies(p.body):
        yield p.without(body=body)
    for i in range(len(p.helpers)):
        yield p.without(helpers=p.helpers[:i] + p.helpers[i + 1:])
    if len(p.terms) > 1:
        for i in range(len(p.terms)):
            yield p.without(terms=p.terms[:i] + p.terms[i + 1:])
    if p.aux:
        yield p.without(aux=None)
    if p.hessian:
        yield p.without(hessian=False)


def _smaller_bodies(body: Body) -> Iterator[Body]:
    """Each way of making ``body`` smaller: halves and quarters first, then one step."""
    for parts in (2, 4):
        size = len(body) // parts
        if size >= 2:
            for start in range(0, len(body) - size + 1, size):
                if not any(s.keep for s in body[start:start + size]):
                    yield body[:start] + body[start + size:]
    for i in reversed(range(len(body))):
        if not body[i].keep:
            yield body[:i] + body[i + 1:]
    for i, stmt in enumerate(body):
        if stmt.body is None:
            continue
        # a while's step would run once, not loop; a match's cases are no statements
        if not stmt.text.startswith(("while", "match", "case")):
            inlined = tuple(s for s in stmt.body if s.text not in ("break", "continue"))
            yield body[:i] + inlined + body[i + 1:]
        if stmt.orelse is not None:
            yield body[:i] + stmt.orelse + body[i + 1:]
            yield (*body[:i], replace(stmt, orelse=None), *body[i + 1:])
        for smaller in _smaller_bodies(stmt.body):
            yield (*body[:i], replace(stmt, body=smaller), *body[i + 1:])
        for smaller in _smaller_bodies(stmt.orelse or ()):
            yield (*body[:i], replace(stmt, orelse=smaller), *body[i + 1:])

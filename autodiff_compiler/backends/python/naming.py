"""Python statements of generated code, and the names of their values.

Codegen turns IR into a small tree of statements (assignments, parallel moves,
``if``/``for``/``while`` blocks, tape lists). Naming then gives each SSA value a
Python name: the user's name where it is free, reused once a value is dead
(``x = x + 1``), like register allocation over live intervals. Values that are one
Python variable across a region — a loop's carried value before, inside and after
the loop; a branch's result and the ``if``'s output — are *coalesced* into one name
when their lifetimes allow, so no copy (``h = h_1``) is needed.
"""
from __future__ import annotations

import bisect
import builtins
import keyword
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import gast

from ...errors import Loc
from ...ir.core import Var, python_name

# Never given to a value: keywords and builtins; the backend adds what its generated
# code calls (``np``, its helpers).
RESERVED = frozenset(keyword.kwlist) | frozenset(dir(builtins)) | {"self"}


@dataclass
class Assign:
    targets: tuple[Var, ...]
    expr: gast.expr
    reads: list[Var]
    loc: Loc | None
    default_name: str


@dataclass
class Moves:
    """Parallel copies ``a, b = x, y`` into loop-carried values or branch results."""

    targets: list[Var]
    exprs: list[gast.expr]
    reads: list[Var]
    sources: list[Any]  # the source Var of each copy (None for constants)


@dataclass
class InPlace:
    """``target = base + expr``, written ``base += expr`` when both get one name; with
    no ``op``, ``expr`` is a call that writes into ``base`` and returns it. With an
    ``index``: ``base[index] += expr`` (``base[index] = expr`` for the op ``=``) when
    both get one name, else ``target = otherwise`` (a call that writes into a copy)."""

    target: Var
    base: Var
    op: str | None
    expr: gast.expr
    reads: list[Var]
    loc: Loc | None
    index: gast.expr | None = None
    otherwise: gast.expr | None = None


@dataclass
class Check:
    """``assert test, message`` (``message`` may be None); with an ``exception``,
    ``if not test: raise exception(message)``, which ``python -O`` keeps."""

    test: gast.expr
    message: gast.expr | None
    reads: list[Var]
    loc: Loc | None
    exception: gast.expr | None = None


@dataclass
class Effect:
    """A call made for what it does (``print(...)``), as a statement."""

    expr: gast.expr
    reads: list[Var]
    loc: Loc | None


@dataclass
class NewList:
    target: Var


@dataclass
class Append:
    target: Var
    expr: gast.expr
    reads: list[Var]


@dataclass
class If:
    test: gast.expr
    reads: list[Var]
    branches: list[list[Any]]
    loc: Loc | None


@dataclass
class For:
    index: Var
    count: gast.expr
    reads: list[Var]
    reverse: bool
    body: list[Any]
    loc: Loc | None
    carry: list[Var] = field(default_factory=list)
    outs: list[Var] = field(default_factory=list)


@dataclass
class While:
    cond: list[Any]
    test: gast.expr
    reads: list[Var]
    body: list[Any]
    loc: Loc | None
    carry: list[Var] = field(default_factory=list)
    outs: list[Var] = field(default_factory=list)


# ---------------------------------------------------------------------------- liveness


@dataclass
class _Live:
    defs: dict[Var, list[float]] = field(default_factory=lambda: defaultdict(list))
    uses: list[tuple[Var, float, tuple[list[float], ...]]] = field(default_factory=list)
    flows: list[tuple[Var, float, float]] = field(default_factory=list)
    tick: float = 0.0

    def next(self) -> float:
        self.tick += 1
        return self.tick


def _walk(stmts: list[Any], live: _Live, loops: tuple[list[float], ...]) -> None:
    for s in stmts:
        if isinstance(s, For | While):
            start = live.next()
            span = [start, start]
            inner = (*loops, span)
            if isinstance(s, For):  # its count, read once
                live.uses.extend((v, start, loops) for v in s.reads)
                live.defs[s.index].append(start)
            for v in s.carry:
                live.defs[v].append(start)
            if isinstance(s, While):  # its test, read each time after what computes it
                _walk(s.cond, live, inner)
                test = live.next()
                live.uses.extend((v, test, inner) for v in s.reads)
            _walk(s.body, live, inner)
            span[1] = live.next()
            for v in s.carry:  # the end-of-body copy flows to the next iteration
                live.flows.append((v, span[1] - 0.5, span[1]))
            for v in s.outs:
                live.defs[v].append(span[1])
            continue
        p = live.next()
        live.uses.extend((v, p, loops) for v in getattr(s, "reads", []))
        if isinstance(s, If):
            for branch in s.branches:
                _walk(branch, live, loops)
            continue
        targets = s.targets if isinstance(s, Assign | Moves) else (s.target,) \
            if isinstance(s, NewList | InPlace) else ()
        for v in targets:
            live.defs[v].append(p)


def _pieces(live: _Live) -> dict[Var, list[tuple[float, float]]]:
    """Live intervals of each value: from each definition to its last use before the
    next one (a use inside a loop the value is not defined in lasts the whole loop)."""
    uses: dict[Var, list[float]] = defaultdict(list)
    for v, p, loops in live.uses:
        for span in loops:
            if not any(span[0] <= d <= span[1] for d in live.defs.get(v, ())):
                p = max(p, span[1])
                break
        uses[v].append(p)
    pieces: dict[Var, list[tuple[float, float]]] = {}
    for v, ds in live.defs.items():
        ds = sorted(ds)
        out = []
        for i, d in enumerate(ds):
            until = ds[i + 1] if i + 1 < len(ds) else float("inf")
            # a statement reads before it writes: a use where the next def is belongs here
            last = max([u for u in uses[v] if d < u <= until], default=d)
            out.append((d, max(last, d + 0.5)))
        pieces[v] = out
    for v, start, end in live.flows:
        pieces.setdefault(v, []).append((start, end))
    return pieces


# ---------------------------------------------------------------------------- names


class _Groups:
    """Union-find of values that must share one Python name, with the stretches of
    code where each group's values live (to ask whether two groups may share one)."""

    def __init__(self, pieces: dict[Var, list[tuple[float, float]]]) -> None:
        self.parent: dict[Var, Var] = {}
        self.pieces = pieces
        self.spans: dict[Var, _Spans] = {}  # of each group's representative

    def find(self, v: Var) -> Var:
        while (up := self.parent.get(v, v)) is not v:
            self.parent[v] = self.parent.get(up, up)  # (path halving)
            v = up
        return v

    def union(self, a: Var, b: Var) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra is rb:
            return
        big, small = self._spans(ra), self._spans(rb)
        if len(big) < len(small):
            big, small = small, big
        for span in small:  # the smaller into the larger: each span moves O(log n) times
            big.add(span)
        self.parent[rb] = ra
        self.spans[ra] = big
        del self.spans[rb]

    def meet(self, a: Var, b: Var) -> bool:
        """Whether the values of ``a``'s group and of ``b``'s are ever alive at once."""
        sa, sb = self._spans(self.find(a)), self._spans(self.find(b))
        small, big = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
        return any(big.overlaps(span) for span in small)

    def _spans(self, rep: Var) -> _Spans:
        if rep not in self.spans:
            spans = self.spans[rep] = _Spans()
            for span in self.pieces.get(rep, ()):
                spans.add(span)
        return self.spans[rep]


def assign_names(params: list[Var], body: list[Any], returned: list[Var],
                 default_names: dict[Var, str], fixed: dict[Var, str] | None = None,
                 reserved: frozenset[str] = frozenset()) -> dict[Var, str]:
    """A Python name for every value: free names first, the user's names if possible.
    ``fixed`` names values of an enclosing function (a nested def reads them), and
    neither they nor ``reserved`` names are given to anything else."""
    fixed = fixed or {}
    blocked = RESERVED | reserved | frozenset(fixed.values())
    live = _Live()
    for v in params:
        live.defs[v].append(0.0)
    _walk(body, live, ())
    end = live.next()
    live.uses.extend((v, end, ()) for v in returned)
    pieces = _pieces(live)
    groups = _Groups(pieces)
    carried: set[Var] = set()
    _force_groups(body, groups, carried)
    _coalesce(body, groups)
    members: dict[Var, list[Var]] = defaultdict(list)
    for v in pieces:
        members[groups.find(v)].append(v)
    order = sorted(members, key=lambda g: min(p for v in members[g] for p, _ in pieces[v]))
    taken: dict[str, _Spans] = defaultdict(_Spans)
    names: dict[Var, str] = {}
    for rep in order:
        spans = [span for v in members[rep] for span in pieces[v]]
        # a parameter keeps its name; a loop's variable is named as the user named it;
        # an array updated in place keeps the user's name of a value it held, else is
        # named after what it is returned as (``g_y``, not the ``g_t`` it started as)
        ranked = sorted(members[rep], key=lambda v: (v not in params, v not in carried,
                                                     not _users_value(v), v not in returned))
        base = _identifier(_hint(ranked, default_names))
        name, n = base, 0
        while name in blocked or any(taken[name].overlaps(span) for span in spans):
            n += 1
            name = f"{base}_{n}"
        for span in spans:
            taken[name].add(span)
        for v in members[rep]:
            names[v] = name
    return {**names, **fixed}


def _users_value(v: Var) -> bool:
    """A value the user named (not a gradient, not a name the compiler made up)."""
    return bool(v.hint) and not v.made_up and not v.hint.startswith("g_")


def _hint(vs: list[Var], default_names: dict[Var, str]) -> str:
    for v in vs:
        if v.hint:
            return v.hint
    return next((default_names[v] for v in vs if v in default_names), "t")


class _Spans:
    """The stretches of code where a name holds a value (each of positive length):
    sorted, overlapping ones merged, so asking whether a span is free costs a
    bisection, not a scan (a loop unrolled 10,000 times reuses one name 10,000 times)."""

    def __init__(self) -> None:
        self.starts: list[float] = []
        self.ends: list[float] = []

    def __len__(self) -> int:
        return len(self.starts)

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return zip(self.starts, self.ends)

    def overlaps(self, span: tuple[float, float]) -> bool:
        i = bisect.bisect_left(self.starts, span[1])  # the spans starting before it ends
        return i > 0 and self.ends[i - 1] > span[0]

    def add(self, span: tuple[float, float]) -> None:
        start, end = span
        lo = bisect.bisect_right(self.ends, start)  # the spans ending before it starts
        hi = bisect.bisect_left(self.starts, end)  # ... and those starting before it ends
        if lo < hi:  # lo..hi overlap it
            start, end = min(start, self.starts[lo]), max(end, self.ends[hi - 1])
        self.starts[lo:hi] = [start]
        self.ends[lo:hi] = [end]


def _identifier(text: str) -> str:
    return python_name(text)


def _force_groups(stmts: list[Any], groups: _Groups, carried: set[Var]) -> None:
    """A loop's carried value and its result are one Python variable, named as the
    user named the variable the loop updates."""
    for s in stmts:
        if isinstance(s, For | While):
            carried.update(s.carry)
            for c, o in zip(s.carry, s.outs):
                groups.union(c, o)
        for block in blocks(s):
            _force_groups(block, groups, carried)


def blocks(s: Any) -> Iterable[list[Any]]:
    """The statement lists a statement holds (branches, loop bodies)."""
    if isinstance(s, If):
        return s.branches
    if isinstance(s, For):
        return [s.body]
    if isinstance(s, While):
        return [s.cond, s.body]
    return []


def _coalesce(stmts: list[Any], groups: _Groups) -> None:
    """Let a copy's source take its target's name when their lifetimes do not meet,
    which turns the copy into nothing (``h = np.tanh(...)`` ends a loop body)."""
    for s in stmts:
        for block in blocks(s):
            _coalesce(block, groups)
        if isinstance(s, InPlace):
            if groups.find(s.base) is not groups.find(s.target) \
                    and not groups.meet(s.base, s.target):
                groups.union(s.base, s.target)
            continue
        if not isinstance(s, Moves):
            continue
        var_sources = [src for src in s.sources if isinstance(src, Var)]
        for target, src in zip(s.targets, s.sources):
            if isinstance(src, Var) and var_sources.count(src) == 1 \
                    and groups.find(src) is not groups.find(target) \
                    and not groups.meet(src, target):
                groups.union(target, src)

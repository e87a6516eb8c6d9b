"""``match`` statements, rewritten as the ``if`` chains they mean before lowering.

Each case's pattern becomes a test of the subject and assignments of the names it
captures, run before the case's body:

- a value pattern ``case 1`` or ``case Mode.FAST`` tests ``subject == value``, and
  ``None``, ``True`` and ``False`` test ``subject is value``;
- a sequence pattern ``case [a, *rest, b]`` tests that the subject is a sequence (not a
  string) of the length the pattern needs, then each item in its place;
- a mapping pattern ``case {"k": v}`` tests that each key is there, then its value;
- a class pattern ``case Point(x=0)`` tests ``isinstance`` and each attribute named
  (``case float(v)``, one positional pattern of a built-in type, the subject itself);
- ``|`` tests each alternative in turn, ``as`` and a bare name capture, ``_`` matches.

A guard reads what the pattern captured in its place in the subject, so the case's test
is the pattern's and the guard's together and the chain stays an ``if ... elif``: a
subject known when compiling picks its case then, a run-time one branches as an ``if``
on it does. The subject is evaluated once, into a name of its own. What the rewrite
cannot express (a mapping's ``**rest``, a class's positional sub-patterns other than a
built-in type's one, alternatives that capture names) leaves the statement as it is,
refused where it is lowered, at its line.
"""
from __future__ import annotations

import builtins
import collections.abc
import copy

import gast

# Built-in classes whose one positional sub-pattern matches the subject itself (PEP 634).
_SELF_MATCHING = {c.__name__ for c in (bool, bytearray, bytes, dict, float, frozenset, int,
                                       list, set, str, tuple)}


class _UnsupportedPatternError(Exception):
    """A pattern the rewrite does not express: the statement is left as it is."""


def matches_as_branches(function: gast.AST) -> None:
    """Rewrite, in place, every ``match`` statement of ``function`` (and of the functions
    it defines) that can be written as an ``if`` chain."""
    taken = {n.id for n in gast.walk(function) if isinstance(n, gast.Name)}
    _Rewriter(taken).visit(function)


class _Rewriter(gast.NodeTransformer):
    def __init__(self, taken: set[str]) -> None:
        self.taken = taken

    def visit_Match(self, node: gast.Match) -> gast.AST | list[gast.stmt]:  # noqa: N802
        self.generic_visit(node)  # (matches in the cases' bodies first)
        subject = self._fresh("subject")
        try:
            cases = [_case(c, subject) for c in node.cases]
        except _UnsupportedPatternError:
            return node
        chain: list[gast.stmt] = []
        for test, bindings, body in reversed(cases):
            then = [*bindings, *body]
            chain = then if test is None else [_located(gast.If(test, then, chain), node)]
        start = gast.Assign([_name(subject, gast.Store())], node.subject, None)
        return [_located(start, node), *chain]

    def _fresh(self, base: str) -> str:
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        return name


def _case(case: gast.match_case, subject: str
          ) -> tuple[gast.expr | None, list[gast.stmt], list[gast.stmt]]:
    """The case's test (None: it always matches), its assignments and its body."""
    tests: list[gast.expr] = []
    captured: dict[str, gast.expr] = {}
    _pattern(case.pattern, _name(subject), tests, captured)
    if case.guard is not None:
        tests.append(_Substituted(captured).visit(copy.deepcopy(case.guard)))
    tests = [copy.deepcopy(t) for t in tests]  # (no node in two places)
    bindings = [_located(gast.Assign([_name(name, gast.Store())], copy.deepcopy(value), None),
                         case.pattern) for name, value in captured.items()]
    test = None if not tests else tests[0] if len(tests) == 1 else \
        gast.BoolOp(gast.And(), tests)
    return (None if test is None else _located(test, case.pattern)), bindings, case.body


def _pattern(pattern: gast.pattern, at: gast.expr, tests: list[gast.expr],
             captured: dict[str, gast.expr]) -> None:
    """Append to ``tests`` what ``pattern`` tests of the value ``at`` reads, and to
    ``captured`` the names it binds, each to the expression reading its value."""
    if isinstance(pattern, gast.MatchValue):
        tests.append(gast.Compare(at, [gast.Eq()], [pattern.value]))
    elif isinstance(pattern, gast.MatchSingleton):
        tests.append(gast.Compare(at, [gast.Is()], [gast.Constant(pattern.value, None)]))
    elif isinstance(pattern, gast.MatchAs):
        if pattern.pattern is not None:
            _pattern(pattern.pattern, at, tests, captured)
        if pattern.name is not None:
            captured[pattern.name] = at
    elif isinstance(pattern, gast.MatchOr):
        alternatives = []
        for alternative in pattern.patterns:
            inner: list[gast.expr] = []
            binds: dict[str, gast.expr] = {}
            _pattern(alternative, at, inner, binds)
            if binds:
                raise _UnsupportedPatternError
            if not inner:
                return  # an alternative that always matches: the whole one does
            alternatives.append(inner[0] if len(inner) == 1 else gast.BoolOp(gast.And(), inner))
        tests.append(gast.BoolOp(gast.Or(), alternatives))
    elif isinstance(pattern, gast.MatchSequence):
        _sequence(pattern, at, tests, captured)
    elif isinstance(pattern, gast.MatchMapping):
        if pattern.rest is not None:
            raise _UnsupportedPatternError
        tests.append(_call(builtins.isinstance, at, gast.Constant(collections.abc.Mapping,
                                                                   None)))
        for key, value in zip(pattern.keys, pattern.patterns):
            tests.append(gast.Compare(key, [gast.In()], [at]))
            _pattern(value, _item(at, key), tests, captured)
    elif isinstance(pattern, gast.MatchClass):
        _class(pattern, at, tests, captured)
    else:
        raise _UnsupportedPatternError


def _sequence(pattern: gast.MatchSequence, at: gast.expr, tests: list[gast.expr],
              captured: dict[str, gast.expr]) -> None:
    """A sequence, not a string, as long as the pattern (at least, with a star); then
    its items: before the star from the front, after it from the back."""
    items = pattern.patterns
    stars = [i for i, p in enumerate(items) if isinstance(p, gast.MatchStar)]
    tests.append(_call(builtins.isinstance, at,
                       gast.Constant(collections.abc.Sequence, None)))
    tests.append(gast.UnaryOp(gast.Not(), _call(builtins.isinstance, at,
                                                gast.Constant((str, bytes, bytearray), None))))
    length = _call(builtins.len, at)
    if not stars:
        tests.append(gast.Compare(length, [gast.Eq()], [gast.Constant(len(items), None)]))
        for i, item in enumerate(items):
            _pattern(item, _item(at, gast.Constant(i, None)), tests, captured)
        return
    star = stars[0]
    after = len(items) - star - 1
    tests.append(gast.Compare(length, [gast.GtE()], [gast.Constant(len(items) - 1, None)]))
    for i, item in enumerate(items[:star]):
        _pattern(item, _item(at, gast.Constant(i, None)), tests, captured)
    for j, item in enumerate(items[star + 1:]):
        _pattern(item, _item(at, gast.Constant(j - after, None)), tests, captured)
    name = items[star].name
    if name is not None:  # the items between, always a list
        stop = gast.Constant(-after, None) if after else None
        rest = gast.Subscript(at, gast.Slice(gast.Constant(star, None), stop, None),
                              gast.Load())
        captured[name] = _call(builtins.list, rest)


def _class(pattern: gast.MatchClass, at: gast.expr, tests: list[gast.expr],
           captured: dict[str, gast.expr]) -> None:
    """``isinstance``, then each keyword's attribute; a positional sub-pattern only of a
    built-in type named as such, which matches the subject itself."""
    tests.append(_call(builtins.isinstance, at, pattern.cls))
    if pattern.patterns:
        if not (len(pattern.patterns) == 1 and isinstance(pattern.cls, gast.Name)
                and pattern.cls.id in _SELF_MATCHING):
            raise _UnsupportedPatternError
        _pattern(pattern.patterns[0], at, tests, captured)
    for attribute, sub in zip(pattern.kwd_attrs, pattern.kwd_patterns):
        tests.append(_call(builtins.hasattr, at, gast.Constant(attribute, None)))
        _pattern(sub, gast.Attribute(at, attribute, gast.Load()), tests, captured)


class _Substituted(gast.NodeTransformer):
    """A guard reading each captured name in its place in the subject."""

    def __init__(self, captured: dict[str, gast.expr]) -> None:
        self.captured = captured

    def visit_Name(self, node: gast.Name) -> gast.expr:  # noqa: N802
        value = self.captured.get(node.id)
        if value is None or not isinstance(node.ctx, gast.Load):
            return node
        return gast.copy_location(copy.deepcopy(value), node)


def _name(name: str, ctx: gast.expr_context | None = None) -> gast.Name:
    return gast.Name(name, ctx or gast.Load(), None, None)


def _item(at: gast.expr, key: gast.expr) -> gast.Subscript:
    return gast.Subscript(at, key, gast.Load())


def _call(function: object, *args: gast.expr) -> gast.Call:
    """A call of the Python ``function`` itself (a constant: no user's name shadows it)."""
    return gast.Call(gast.Constant(function, None), list(args), [])


def _located(node: gast.AST, where: gast.AST) -> gast.AST:
    """``node`` and what it holds without a position at ``where``'s."""
    for inner in gast.walk(node):
        if "lineno" in inner._attributes and not hasattr(inner, "lineno"):
            gast.copy_location(inner, where)
    return node

"""What a ``for`` loop walks: a Python sequence (unrolled), a ``range`` whose bounds
may be run-time ints, or the rows of arrays (``for row in xs``, ``enumerate``, ``zip``).
Each kind says how many iterations there are and what the loop variable is at
iteration ``k``.
"""
from __future__ import annotations

import builtins
from typing import Any

import gast
import numpy as np

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.core import Var
from . import object_protocols
from .scope import Scope


class Static:
    """Iteration over a Python sequence known when compiling: unrolled."""

    static_count = 0
    reverse = False

    def __init__(self, values: Any) -> None:
        self.values = values

    def items(self, scope: Scope) -> Any:
        return self.values


class Range:
    """``range``/``reversed(range)`` with bounds that may be run-time ints."""

    def __init__(self, start: Any, stop: Any, step: Any, reverse: bool) -> None:
        self.start, self.stop, self.step, self.reverse = start, stop, step, reverse
        static = not any(isinstance(v, Var) for v in (start, stop, step))
        self.static_count = len(range(start, stop, step)) if static else None

    def count(self, scope: Scope) -> Any:
        if self.static_count is not None:
            return self.static_count
        if self.step != 1:
            raise AutodiffError("a range with a step needs bounds known when compiling",
                                scope.low.builder.loc)
        return self.stop - self.start  # range() of a negative count is empty, as needed

    def item(self, scope: Scope, k: Var) -> Any:
        return k * self.step + self.start if (self.step, self.start) != (1, 0) else k

    def items(self, scope: Scope) -> Any:
        values = range(self.start, self.stop, self.step)
        return reversed(values) if self.reverse else values


class Rows:
    """Rows of an array (its first axis), optionally enumerated; or of several arrays
    side by side (``zip``), as long as the shortest."""

    reverse = False

    def __init__(self, arrays: Var | list[Any], enumerated: bool, start: int = 0) -> None:
        self.zipped = isinstance(arrays, list)
        self.arrays = arrays if self.zipped else [arrays]
        self.enumerated, self.start = enumerated, start  # (rows from ``start`` on)
        self.counted_from = 0  # enumerate(..., start=n): the first row's number
        counts = [_length(a) for a in self.arrays]
        self.static_count = None if None in counts else max(min(counts) - start, 0)

    def after_first(self) -> Rows:
        """The rows after the first (a loop lowered as its first iteration, then these)."""
        arrays = self.arrays if self.zipped else self.arrays[0]
        rest = Rows(arrays, self.enumerated, self.start + 1)
        rest.counted_from = self.counted_from
        return rest

    def count(self, scope: Scope) -> Any:
        if self.static_count is not None:
            return self.static_count
        if self.start:
            raise AssertionError("rows from an offset are taken of known lengths only")
        counts = [c if c is not None else P.getitem(P.shape(a), 0)
                  for a, c in zip(self.arrays, (_length(a) for a in self.arrays))]
        total = counts[0]
        for c in counts[1:]:
            total = P.minimum(total, c)
        return total

    def item(self, scope: Scope, k: Var) -> Any:
        at = k + self.start if self.start else k
        rows = tuple(P.getitem(a, at) for a in self.arrays)
        row = rows if self.zipped else rows[0]
        return (at + self.counted_from if self.counted_from else at, row) \
            if self.enumerated else row

    def items(self, scope: Scope) -> Any:
        at = range(self.start, self.start + self.static_count)
        rows = [tuple(P.getitem(a, i) for a in self.arrays) if self.zipped
                else P.getitem(self.arrays[0], i) for i in at]
        return list(zip((i + self.counted_from for i in at), rows)) if self.enumerated \
            else rows


def _length(value: Any) -> int | None:
    """The length of what a loop walks: known for arrays of known shape and sequences."""
    if isinstance(value, Var):
        return value.aval.shape[0] if value.aval.shape else None
    return len(value)


def iteration_of(scope: Scope, node: gast.expr) -> Any:
    """How a ``for`` iterates: statically, over a range, or over an array's rows."""
    if isinstance(node, gast.Call) and getattr(scope.expr(node.func), "__checkpoint_loop__",
                                               False):
        return _checkpointed(scope, node)
    counted = _enumerate_start(scope, node)
    if counted is not None:  # enumerate(xs, start=n): enumerate(xs), numbered from n
        inner, start = counted
        if isinstance(inner, Static):
            return Static([(i + start, v) for i, v in inner.values])
        inner.counted_from = start
        return inner
    node = _zip_checked(scope, node)
    call = node if isinstance(node, gast.Call) and not node.keywords else None
    func = scope.expr(call.func) if call is not None else None
    if func is builtins.range:
        return Range(*_range_args([scope.expr(a) for a in call.args]), reverse=False)
    if func is builtins.reversed and len(call.args) == 1:
        inner = iteration_of(scope, call.args[0])
        if isinstance(inner, Range):
            return _reversed_range(inner)
    if func is builtins.zip and call.args:
        values = [v for a in call.args for v in (  # zip(*pairs): the items, as arguments
            scope.items_of(a, scope.expr(a.value)) if isinstance(a, gast.Starred)
            else (scope.expr(a),))]
        # an iterator (reversed(xs), a map) is listed: it can be read only once
        values = [v if isinstance(v, Var | np.ndarray | list | tuple)
                  else _sequence(scope, node, v) for v in values]
        if any(isinstance(v, Var) for v in values) and \
                not any(isinstance(v, list | tuple) for v in values):
            return Rows(values, enumerated=False)
        # beside a list, an array's rows are as many as its first axis is long
        return Static(list(zip(*(scope.items_of(node, v) if isinstance(v, Var)
                                 else _sequence(scope, node, v) for v in values))))
    if func is builtins.enumerate and len(call.args) == 1:
        if _calls(scope, call.args[0], builtins.zip):  # enumerate(zip(xs, ys))
            return _enumerated(iteration_of(scope, call.args[0]))
        inner = scope.expr(call.args[0])
        if isinstance(inner, Var):
            return Rows(inner, enumerated=True)
        return Static(list(enumerate(_sequence(scope, node, inner))))
    value = scope.expr(node)
    if isinstance(value, Var):
        return Rows(value, enumerated=False)
    return Static(_sequence(scope, node, value))


def _zip_checked(scope: Scope, node: gast.expr) -> gast.expr:
    """``zip(..., strict=True)``: the lengths, known when compiling, checked as Python
    checks them (ValueError), then the plain ``zip``."""
    if not (isinstance(node, gast.Call) and [k.arg for k in node.keywords] == ["strict"]
            and scope.expr(node.func) is builtins.zip):
        return node
    strict = scope.expr(node.keywords[0].value)
    if not isinstance(strict, bool):
        raise scope.error(node, "zip(..., strict=...) needs True or False known when "
                                "compiling")
    if strict and not any(isinstance(a, gast.Starred) for a in node.args):
        lengths = [_length_of(scope, node, scope.expr(a)) for a in node.args]
        if all(isinstance(n, int) for n in lengths) and len(set(lengths)) > 1:
            raise scope.error(node, f"zip(..., strict=True) of lengths {lengths}: Python "
                                    "raises ValueError", hint="give the iterables one length")
        for other in lengths[1:]:  # lengths known at run time only: checked then
            if isinstance(other, Var) or isinstance(lengths[0], Var):
                P.check(P.equal(lengths[0], other), "zip() arguments have different "
                        "lengths (strict=True)", exception=ValueError)
    plain = gast.Call(node.func, node.args, [])
    return gast.copy_location(plain, node)


def _length_of(scope: Scope, node: gast.expr, value: Any) -> Any:
    """How many items iterating ``value`` gives: an int, or an equation's result."""
    if isinstance(value, Var):
        length = P.dim_of(value, 0)
        if isinstance(length, Var):
            length.hint = "length"
        return length
    return len(_sequence(scope, node, value))


def _enumerate_start(scope: Scope, node: gast.expr) -> tuple[Any, int] | None:
    """``enumerate(xs, n)`` or ``enumerate(xs, start=n)`` with ``n`` known when compiling:
    the iteration of ``enumerate(xs)``, and ``n``."""
    if not (isinstance(node, gast.Call) and len(node.args) in (1, 2)
            and all(k.arg == "start" for k in node.keywords)
            and len(node.args) + len(node.keywords) == 2
            and scope.expr(node.func) is builtins.enumerate):
        return None
    start = scope.expr(node.args[1] if len(node.args) == 2 else node.keywords[0].value)
    if not isinstance(start, int) or isinstance(start, bool):
        return None
    plain = gast.Call(node.func, node.args[:1], [])
    return iteration_of(scope, gast.copy_location(plain, node)), start


def _checkpointed(scope: Scope, node: gast.Call) -> Range | Rows:
    """``checkpointed(it, ...)``: the iteration of ``it``, marked so that its loop
    is lowered as a loop (never unrolled) that reverse mode splits into segments."""
    from .remat import loop_schedule
    inner_node, schedule = loop_schedule(scope, node)
    inner = iteration_of(scope, inner_node)
    if isinstance(inner, Static):
        raise AutodiffError("checkpointed(...) marks a loop over a range or over the rows "
                            "of arrays, not over a Python sequence (which is unrolled)",
                            scope.loc(node), hint="loop over range(len(...)) instead")
    inner.checkpoint = schedule  # type: ignore[union-attr]
    return inner


def _calls(scope: Scope, node: gast.expr, fn: Any) -> bool:
    return isinstance(node, gast.Call) and not node.keywords and scope.expr(node.func) is fn


def _enumerated(inner: Rows | Static) -> Rows | Static:
    if isinstance(inner, Static):
        return Static(list(enumerate(inner.values)))
    inner.enumerated = True
    return inner


def _reversed_range(inner: Range) -> Range:
    if inner.static_count is not None:
        values = range(inner.start, inner.stop, inner.step)[::-1]
        return Range(values.start, values.stop, values.step, reverse=False)
    return Range(inner.start, inner.stop, inner.step, reverse=True)


def _range_args(args: list[Any]) -> tuple[Any, Any, Any]:
    if len(args) == 1:
        return 0, args[0], 1
    return args[0], args[1], args[2] if len(args) > 2 else 1


def _sequence(scope: Scope, node: gast.AST, value: Any) -> Any:
    scope.low.captures.listed(value)  # (a CellList's Cells: guarded)
    value = object_protocols.iterated(scope, node, value)
    try:
        return list(value)
    except TypeError:
        raise scope.error(node, f"cannot iterate over a {type(value).__name__}") from None

"""``np.asarray`` on symbolic values: a (nested) list or tuple holding run-time values.

NumPy turns every array-like argument into an array before it computes; a list such
as ``[x, x + 2]`` or ``[1, a * a, 2]`` is stacked along a new first axis. The compiler
does the same, as a ``stack`` of the elements (each converted first, so nested lists
give nested stacks), which is differentiable in each element. The result is the one
NumPy's coercion would give:

* every element must have the same shape: a ragged list is an error (NumPy refuses it
  too, since 1.24), never a broadcast;
* the dtype is NumPy's promotion of the elements, with Python scalars counted as
  float64/int64 as array coercion counts them (``np.stack`` of the elements converted
  one by one gives exactly that);
* a sub-list holding no run-time value is a constant array.

A sequence with no run-time value is left to NumPy at run time (no gradient to keep).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..core import Var
from .core import MAX_OPERANDS


def holds_var(value: Any) -> bool:
    """Whether a (nested) list or tuple holds a run-time value."""
    return isinstance(value, list | tuple) and \
        any(isinstance(v, Var) or holds_var(v) for v in value)


def asarray(value: Any) -> Any:
    """``np.asarray(value)`` as IR when ``value`` is a sequence holding run-time values;
    anything else is returned unchanged."""
    if not holds_var(value):
        return value
    items = [_element(v) for v in value]
    _check_homogeneous(items)
    return _stack_all(items)


def _element(value: Any) -> Any:
    if isinstance(value, Var):
        return value
    if isinstance(value, list | tuple):
        return asarray(value) if holds_var(value) else np.asarray(value)
    return value  # a scalar known when compiling


def _shape(value: Any) -> tuple[int, ...] | None:
    return value.aval.shape if isinstance(value, Var) else np.shape(value)


def _check_homogeneous(items: list[Any]) -> None:
    """Refuse a ragged list when compiling, as ``np.asarray`` refuses it."""
    shapes = [_shape(v) for v in items]
    known = {s for s in shapes if s is not None}
    if len(known) > 1:
        listed = ", ".join("?" if s is None else str(s) for s in shapes)
        raise ValueError("setting an array element with a sequence: the list's elements "
                         f"have different shapes ({listed}); NumPy refuses such a ragged "
                         "list (stack or broadcast the elements explicitly)")


def _stack_all(items: list[Any]) -> Any:
    """``stack(*items)``; a longer list than one equation takes is stacked in pieces
    that are joined again."""
    from .shape import concatenate, stack
    if len(items) <= MAX_OPERANDS:
        return stack(*items, axis=0)
    pieces = [_stack_all(items[i:i + MAX_OPERANDS]) for i in range(0, len(items), MAX_OPERANDS)]
    while len(pieces) > MAX_OPERANDS:
        pieces = [concatenate(*pieces[i:i + MAX_OPERANDS], axis=0)
                  for i in range(0, len(pieces), MAX_OPERANDS)]
    return concatenate(*pieces, axis=0)

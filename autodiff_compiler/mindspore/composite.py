"""MindSpore's ``MultitypeFuncGraph``, ``HyperMap``, ``Map`` and ``Partial``
(``ops.composite``, ``ops.Partial``), as model-zoo code uses them to clip or scale every
gradient of a tuple:

    clip = C.MultitypeFuncGraph("clip")
    @clip.register("Number", "Tensor")
    def _clip(value, grad): ...
    grads = C.HyperMap()(F.partial(clip, 1.0), grads)

A ``MultitypeFuncGraph`` calls the first function registered for the kinds of its
arguments; ``HyperMap`` applies a function to the elements of tuples and lists (the
same position of each), recursively, and to anything else directly; ``Map`` applies
it to the elements of the sequences, one level only. ``Partial()(fn, *args)`` is
``functools.partial``, as ``ops.partial`` is. ``ForiLoop()(lower, upper, body, init)``
and ``WhileLoop()(cond, body, init)`` are the loops they name, written as Python loops
and compiled as the user's are (a gradient flows through them, as MindSpore's does
with ``unroll=True``).
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["MultitypeFuncGraph", "HyperMap", "Map", "Partial", "ForiLoop", "WhileLoop"]

# MindSpore's type names, and what each accepts here; any other name matches nothing.
_KINDS: dict[str, Callable[[Any], bool]] = {
    "Tensor": lambda v: isinstance(v, np.ndarray),
    "Number": lambda v: isinstance(v, int | float | np.number) and not isinstance(v, bool),
    "Bool": lambda v: isinstance(v, bool | np.bool_),
    "Tuple": lambda v: isinstance(v, tuple),
    "List": lambda v: isinstance(v, list),
    "String": lambda v: isinstance(v, str),
    "Function": callable,
    "Int": lambda v: isinstance(v, int | np.integer) and not isinstance(v, bool),
    "Float": lambda v: isinstance(v, float | np.floating),
    "None": lambda v: v is None,
    "Dictionary": lambda v: isinstance(v, dict),
}
_NOTHING = lambda v: False  # a kind this package never has (RowTensor...)


class MultitypeFuncGraph:
    def __init__(self, name: str, read_value: bool = False) -> None:
        self.name = name
        self.entries: list[tuple[tuple[str, ...], Callable[..., Any]]] = []

    def register(self, *kinds: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def add(fn: Callable[..., Any]) -> Callable[..., Any]:
            self.entries.append((kinds, fn))
            return fn
        return add

    def __call__(self, *args: Any) -> Any:
        for kinds, fn in self.entries:
            if len(kinds) == len(args) and all(_KINDS.get(k, _NOTHING)(a)
                                               for k, a in zip(kinds, args)):
                return fn(*args)
        raise TypeError(f"MultitypeFuncGraph {self.name!r} has no function registered for "
                        f"({', '.join(type(a).__name__ for a in args)})")


class HyperMap:
    def __init__(self, ops: Any = None, reverse: bool = False) -> None:
        self.ops = ops

    def __call__(self, *args: Any) -> Any:
        fn, seqs = (self.ops, args) if self.ops is not None else (args[0], args[1:])
        return _mapped(fn, seqs)


class Map(HyperMap):
    def __call__(self, *args: Any) -> Any:
        fn, seqs = (self.ops, args) if self.ops is not None else (args[0], args[1:])
        out = [fn(*items) for items in zip(*seqs)]
        return tuple(out) if isinstance(seqs[0], tuple) else out


class Partial:
    """MindSpore's ``ops.Partial()``: called with a function and leading arguments."""

    def __call__(self, fn: Callable[..., Any], *args: Any) -> functools.partial:
        return functools.partial(fn, *args)


def _mapped(fn: Callable[..., Any], seqs: tuple) -> Any:
    if seqs and isinstance(seqs[0], tuple | list):
        out = [_mapped(fn, items) for items in zip(*seqs)]
        return tuple(out) if isinstance(seqs[0], tuple) else out
    return fn(*seqs)


class ForiLoop:
    """``ForiLoop()(lower, upper, loop_func, init_val)``: ``val = loop_func(i, val)`` for
    ``i`` from ``lower`` to ``upper``, from ``init_val``."""

    def __call__(self, lower: int, upper: int, loop_func: Callable[..., Any], init_val: Any,
                 unroll: bool = True) -> Any:
        val = init_val
        for i in range(lower, upper):
            val = loop_func(i, val)
        return val


class WhileLoop:
    """``WhileLoop()(cond_func, loop_func, init_val)``: ``val = loop_func(val)`` while
    ``cond_func(val)``, from ``init_val``."""

    def __call__(self, cond_func: Callable[..., Any], loop_func: Callable[..., Any],
                 init_val: Any) -> Any:
        val = init_val
        while cond_func(val):
            val = loop_func(val)
        return val

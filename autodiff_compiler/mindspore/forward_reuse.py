"""A gradient that reuses the forward pass a ``set_grad()`` Cell's call recorded.

In MindSpore's PyNative mode a Cell marked with ``set_grad()`` (``TrainOneStepCell``
marks its network) records its forward pass when called, and the first gradient of
that Cell taken next, on the very same input objects, reuses the recorded pass rather
than running it again. Measured in MindSpore 2.10, for ``GradOperation``, ``grad`` and
``value_and_grad`` alike; equal but other tensors, a second gradient, or a Cell never
marked run the forward pass again. What shows is the forward pass's effects: a model
zoo's train step, ``loss = self.network(*inputs)`` then ``self.grad(self.network,
weights)(*inputs, sens)``, moves BatchNorm's statistics once, and its gradient sees the
Dropout mask the call drew.

Here every gradient runs its own forward pass, so to give the same results a marked
Cell's call records, before and after, what its forward pass changes without being
differentiated: the Cell's Parameters that take no gradient (moving statistics), and
NumPy's random state, which Dropout draws from. The gradient taken next on the same
inputs first puts those Parameters back as they were before the call (each one that
still holds what the call left: one written since is kept) and runs with the random
state the call started from, which is then put back as it was: its forward pass makes
the call's changes again, from the same state, and draws the same mask, so they are
made once. MindSpore's graph mode shares the forward pass the same way inside a ``@jit``
function (``graph_mode``), whether or not the Cell is marked.
"""
from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ir.core import Var


@dataclass
class ForwardRecord:
    """What a marked Cell's call started from and left, for the next gradient."""

    inputs: tuple  # the call's arguments, matched by identity, parameter by parameter
    keywords: dict
    buffers: list  # the Parameters taking no gradient
    before: list[np.ndarray]
    after: list[np.ndarray]
    random_state: Any

    def replayed(self, cell: Any, run: Callable[[], Any], args: tuple,
                 kwargs: dict | None = None) -> Any:
        """``run()``, the gradient of ``cell`` on ``args``: from the state the call
        started from where the call was on these very inputs (module docstring)."""
        object.__setattr__(cell, "__forward_record__", None)  # reused once
        given, recorded = _bound(cell, args, kwargs or {}), \
            _bound(cell, self.inputs, self.keywords)
        if given is None or recorded is None or given.keys() != recorded.keys() or \
                any(given[k] is not recorded[k] for k in given):
            return run()
        for param, old, left in zip(self.buffers, self.before, self.after):
            if np.array_equal(param, left, equal_nan=True):
                param[...] = old
        now = np.random.get_state()
        np.random.set_state(self.random_state)
        try:
            return run()
        finally:
            np.random.set_state(now)


_GRAPH = threading.local()  # inside a ``@jit`` function: its depth of nesting


@contextmanager
def graph_mode() -> Iterator[None]:
    """A ``@jit`` function's call: MindSpore compiles it to one graph, where a Cell's call
    and a gradient of that Cell taken next on the same inputs share the forward pass
    (measured in 2.10, without ``set_grad()``), as a marked Cell's do in PyNative mode."""
    _GRAPH.depth = getattr(_GRAPH, "depth", 0) + 1
    try:
        yield
    finally:
        _GRAPH.depth -= 1


def marked(cell: Any) -> bool:
    """Whether a call of ``cell`` is recorded for the next gradient: it is marked with
    ``set_grad()``, or called inside a ``@jit`` function."""
    return bool(cell.__dict__.get("requires_grad")) or getattr(_GRAPH, "depth", 0) > 0


def recorded_call(cell: Any, run: Callable[[], Any], args: tuple, kwargs: dict) -> Any:
    """``run()``, a call of ``cell``; recorded for the next gradient if ``cell`` is
    ``marked``."""
    if not marked(cell) or any(isinstance(a, Var) for a in args):
        return run()  # (symbolic arguments: a call being compiled, not a forward pass)
    buffers = [p for p in cell.get_parameters() if not p.requires_grad]
    before = [np.array(p) for p in buffers]
    random_state = np.random.get_state()
    out = run()
    record = ForwardRecord(tuple(args), dict(kwargs), buffers, before,
                           [np.array(p) for p in buffers], random_state)
    object.__setattr__(cell, "__forward_record__", record)
    return out


def _bound(cell: Any, args: tuple, kwargs: dict) -> dict | None:
    """A call's arguments by ``construct``'s parameter names (by position or keyword
    alike), or ``None`` if they do not bind."""
    try:
        bound = inspect.signature(cell.construct).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None
    return dict(bound.arguments)

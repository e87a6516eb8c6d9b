"""A Cell's hooks, as MindSpore 2.x's PyNative mode runs them.

- ``register_forward_pre_hook(hook)``: ``hook(cell, inputs)`` before ``construct``;
  ``None`` keeps the inputs, a tuple replaces them, anything else is the one input.
  With ``with_kwargs=True``: ``hook(cell, args, kwargs)`` returning ``None`` or
  ``(args, kwargs)``.
- ``register_forward_hook(hook)``: ``hook(cell, inputs, output)`` after it (with
  ``with_kwargs``: ``hook(cell, args, kwargs, output)``); ``None`` keeps the output,
  anything else replaces it. ``inputs`` are those ``construct`` received.
- ``register_backward_pre_hook(hook)``: ``hook(cell, grad_output)`` when the output's
  cotangents reach the Cell; ``None`` keeps them, a tuple replaces them.
- ``register_backward_hook(hook)``: ``hook(cell, grad_input, grad_output)`` once the
  inputs' cotangents are known; ``None`` keeps them, a tuple of as many replaces them
  (anything else is an error, as MindSpore's "return value size" check).

``grad_input``/``grad_output`` are tuples (one entry per input of ``construct``, one
per output), gradients of the Cell's own Parameters are not among them, and the
backward hooks see ``construct``'s derivative only: forward pre-hooks run outside it.

Inside a differentiated function the compiler runs every hook from its source
(``frontend.cells``): the forward ones on the forward pass, the backward ones in the
adjoint; one it cannot compile (it prints a Tensor, stores it) runs as Python when the
program runs (``frontend.hooks``). It reads them through the ``__cell_hooks__``
protocol attribute, a tuple that registering or removing replaces, so a gradient
compiled before a hook was added is recompiled rather than run without it.
"""
from __future__ import annotations

import itertools
from typing import Any

from ..frontend.hooks import forward_hooked, pre_hooked

_IDS = itertools.count()


class HookHandle:
    """What ``register_*_hook`` returns: ``remove()`` takes the hook off its Cell."""

    def __init__(self, cell: Any, hook_id: int) -> None:
        self._cell, self.handle_id = cell, hook_id

    def remove(self) -> None:
        """Take the hook off. Called inside a compiled function (``self.handle.remove()``
        in a ``construct``, as MindSpore's hook tests do) it runs while compiling, before
        the call's gradient is taken, as it runs before MindSpore's backward pass; a
        hook registered again later is not removed by that compiled call."""
        hooks = self._cell.__cell_hooks__
        object.__setattr__(self._cell, "__cell_hooks__",
                           tuple(h for h in hooks if h[3] != self.handle_id))

    remove.__evaluated_when_compiling__ = True  # type: ignore[attr-defined]


def register(cell: Any, kind: str, hook: Any, prepend: bool = False,
             with_kwargs: bool = False) -> HookHandle:
    """Add ``hook`` to ``cell``'s hooks of ``kind`` (first of them with ``prepend``)."""
    if not callable(hook):
        raise TypeError(f"register_{kind}_hook takes a function, not "
                        f"{type(hook).__name__}")
    entry = (kind, hook, bool(with_kwargs), next(_IDS))
    hooks = cell.__cell_hooks__
    object.__setattr__(cell, "__cell_hooks__", (entry, *hooks) if prepend else (*hooks, entry))
    return HookHandle(cell, entry[3])


def call(cell: Any, args: tuple, kwargs: dict) -> Any:
    """A hooked Cell called outside a gradient: forward hooks around ``construct``
    (backward hooks have nothing to act on)."""
    hooks = cell.__cell_hooks__
    args, kwargs = pre_hooked(cell, hooks, args, kwargs, _run)
    return forward_hooked(cell, hooks, args, kwargs, cell.construct(*args, **kwargs), _run)


def _run(hook: Any, *args: Any) -> Any:
    return hook(*args)

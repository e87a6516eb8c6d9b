"""MindSpore's ``ops.HookBackward`` and ``ops.InsertGradientOf``: the identity on the
forward pass, a function of the gradient on the backward one (measured in 2.10):

- ``HookBackward(hook_fn)(*inputs)`` returns its input (a tuple of several), and
  ``hook_fn(grads)`` is given the tuple of their gradients when they are known; ``None``
  keeps them, a tuple of as many replaces them.
- ``InsertGradientOf(f)(x)`` returns ``x``; the gradient that flows on is ``f(dx)``.

Each is an identity Cell with a backward pre-hook (``hooks``), so it runs as a Cell's
hooks run: compiled from its source inside a differentiated function, or, where the
function cannot be compiled (it prints a Tensor, logs, stores), as Python when the
program runs.
"""
from __future__ import annotations

from typing import Any

from .nn import Cell


class _Identity(Cell):
    """Its input, or a tuple of its inputs: what a backward pre-hook stands on."""

    def construct(self, *inputs: Any) -> Any:
        return inputs[0] if len(inputs) == 1 else inputs


class HookBackward(_Identity):
    def __init__(self, hook_fn: Any, cell_id: str = "") -> None:
        super().__init__()
        if not callable(hook_fn):
            raise TypeError(f"HookBackward takes a function, not {type(hook_fn).__name__}")
        object.__setattr__(self, "hook_fn", hook_fn)
        self.register_backward_pre_hook(_gradients_to(hook_fn))


class InsertGradientOf(_Identity):
    def __init__(self, f: Any) -> None:
        super().__init__()
        if not callable(f):
            raise TypeError(f"InsertGradientOf takes a function, not {type(f).__name__}")
        object.__setattr__(self, "f", f)
        self.register_backward_pre_hook(_gradient_through(f))


def _gradients_to(hook_fn: Any) -> Any:
    def hook(cell: Any, grad_output: tuple) -> Any:
        return hook_fn(grad_output)
    return hook


def _gradient_through(f: Any) -> Any:
    def hook(cell: Any, grad_output: tuple) -> tuple:
        return (f(grad_output[0]),)
    return hook


__all__ = ["HookBackward", "InsertGradientOf"]

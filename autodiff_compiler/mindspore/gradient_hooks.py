"""MindSpore's ``ops.HookBackward`` and ``ops.InsertGradientOf``: the identity on the
forward pass, a function of the gradient on the backward one (measured in 2.10):

- ``HookBackward(hook_fn)(*inputs)`` returns its input (a tuple of several), and
  ``hook_fn(grads)`` is given the tuple of their gradients when they are known; ``None``
  keeps them, a tuple of as many replaces them.
- ``InsertGradientOf(f)(x)`` returns ``x``; the gradient that flows on is ``f(dx)``.
- ``y.register_hook(f)`` (a statement in a differentiated function) is ``y =
  InsertGradientOf(f)(y)`` for every name holding ``y``; it must come before ``y`` is
  used, since the hook acts on all of ``y``'s gradient. ``f`` may be a lambda written
  there. Eagerly, on a leaf (a Tensor passed in, a Parameter), it runs on the leaf's
  gradient (``pipeline.leaf_hooks``).

Each is an identity Cell with a backward pre-hook (``hooks``), so it runs as a Cell's
hooks run: compiled from its source inside a differentiated function, or, where the
function cannot be compiled (it prints a Tensor, logs, stores), as Python when the
program runs.
"""
from __future__ import annotations

from typing import Any

from ..frontend.calls import call_value
from ..frontend.hooks import RECEIVER_STATEMENTS
from ..frontend.scope import LocalFunction
from .nn import Cell


def _is_hook(f: Any) -> bool:
    """A function, or one defined inside a function being compiled (a lambda there)."""
    return callable(f) or isinstance(f, LocalFunction)


class _Identity(Cell):
    """Its input, or a tuple of its inputs: what a backward pre-hook stands on."""

    def construct(self, *inputs: Any) -> Any:
        return inputs[0] if len(inputs) == 1 else inputs


class HookBackward(_Identity):
    def __init__(self, hook_fn: Any, cell_id: str = "") -> None:
        super().__init__()
        if not _is_hook(hook_fn):
            raise TypeError(f"HookBackward takes a function, not {type(hook_fn).__name__}")
        object.__setattr__(self, "hook_fn", hook_fn)
        self.register_backward_pre_hook(_gradients_to(hook_fn))


class InsertGradientOf(_Identity):
    def __init__(self, f: Any) -> None:
        super().__init__()
        if not _is_hook(f):
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


def _register_hook(scope: Any, node: Any, array: Any, args: list, kwargs: dict) -> Any:
    """``array.register_hook(hook)`` in compiled code: the array through the hook."""
    if len(args) != 1 or kwargs:
        raise TypeError("Tensor.register_hook takes one function: the hook")
    return call_value(scope, node, InsertGradientOf(args[0]), [array], {})


RECEIVER_STATEMENTS["register_hook"] = _register_hook

__all__ = ["HookBackward", "InsertGradientOf"]

"""MindSpore's deprecated ``nn.grad.Vjp`` and ``nn.grad.Jvp`` Cells (also ``nn.Vjp`` and
``nn.Jvp``), which MindSpore 2.10 still ships and its ``tests/st/gradient`` tests use.

``Vjp(fn)(*inputs, v)`` returns ``(fn(*inputs), gradients)`` and ``Jvp(fn)(*inputs, v)``
``(fn(*inputs), tangent)``; as in MindSpore, the gradients are one Tensor for a single
input and a tuple for several, and ``v`` is the output's cotangent (``Vjp``) or the
inputs' tangent (``Jvp``, a tuple for several inputs). They are the package's ``vjp``
and ``jvp`` in a Cell, so ``fn`` is compiled as those compile it.
"""
from __future__ import annotations

from typing import Any

from ..directional import jvp, vjp
from .nn import Cell

__all__ = ["Vjp", "Jvp"]


class _OfFunction(Cell):
    """A Cell holding the function it differentiates."""

    def __init__(self, fn: Any) -> None:
        super().__init__()
        self.fn = fn


class Vjp(_OfFunction):
    """``(fn(*inputs), v`` pulled back to the inputs``)``: MindSpore's ``nn.grad.Vjp``."""

    def construct(self, *args: Any) -> tuple:
        inputs, v = args[:-1], args[-1]
        output, vjp_fn = vjp(self.fn, *inputs)
        grads = vjp_fn(v)
        return output, grads[0] if len(inputs) == 1 else tuple(grads)


class Jvp(_OfFunction):
    """``(fn(*inputs), v`` pushed forward to the output``)``: MindSpore's ``nn.grad.Jvp``."""

    def construct(self, *args: Any) -> tuple:
        inputs, v = args[:-1], args[-1]
        if len(inputs) == 1:
            return jvp(self.fn, inputs[0], v)
        return jvp(self.fn, tuple(inputs), tuple(v))

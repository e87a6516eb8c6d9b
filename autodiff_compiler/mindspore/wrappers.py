"""MindSpore's training wrappers: a network with its loss, and one optimizer step.

``WithLossCell(backbone, loss_fn)`` is ``loss_fn(backbone(data), label)``;
``WithEvalCell`` also returns the outputs and labels metrics need;
``TrainOneStepCell(network, optimizer)`` computes the loss and its gradient with
respect to ``optimizer.parameters`` in one compiled program (``value_and_grad``),
applies the optimizer and returns the loss, as MindSpore's does. ``sens`` scales the
gradient (the loss's cotangent), as MindSpore's loss scaling does; ``return_grad=True``
returns ``(loss, {name: gradient})`` by the Parameters' names. Like MindSpore's,
the wrappers leave the names of the Parameters they wrap as they are
(``auto_prefix=False``), so a checkpoint of the network reads the same either way.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..api import value_and_grad
from .gradop import GradOperation
from .nn import Cell
from .ops_misc import identity
from .precision import float32_if_floating


class WithLossCell(Cell):
    def __init__(self, backbone: Cell, loss_fn: Cell) -> None:
        super().__init__(auto_prefix=False)
        self._backbone, self._loss_fn = backbone, loss_fn

    @property
    def backbone_network(self) -> Cell:
        return self._backbone

    def construct(self, data: Any, label: Any) -> Any:
        return self._loss_fn(self._backbone(data), label)


class WithEvalCell(Cell):
    """``(loss, outputs, label)``; ``add_cast_fp32`` (``Model``'s at O2/O3) casts the
    outputs to float32 and a floating label too, as MindSpore's does."""

    def __init__(self, network: Cell, loss_fn: Cell, add_cast_fp32: bool = False) -> None:
        super().__init__(auto_prefix=False)
        self._network, self._loss_fn = network, loss_fn
        self.add_cast_fp32 = add_cast_fp32

    def construct(self, data: Any, label: Any) -> tuple[Any, Any, Any]:
        outputs = self._network(data)
        if self.add_cast_fp32:
            label = float32_if_floating(label)
            outputs = np.asarray(outputs).astype(np.float32)
        return self._loss_fn(outputs, label), outputs, label


class TrainOneStepCell(Cell):
    def __init__(self, network: Cell, optimizer: Any, sens: float | None = None,
                 return_grad: bool = False) -> None:
        super().__init__(auto_prefix=False)
        self.network, self.optimizer = network, optimizer
        network.set_grad()  # as MindSpore's: a subclass's call, then gradient, run once
        self.weights = optimizer.parameters
        self.sens = 1.0 if sens is None else sens
        self.return_grad = return_grad
        self.grad_fn = value_and_grad(network, None, self.weights)
        # what a subclass's construct uses, as in MindSpore's model zoo: the gradient
        # with the loss's cotangent given, and the reducer of one device's gradients
        self.grad = GradOperation(get_by_list=True, sens_param=True)
        self.grad_no_sens = GradOperation(get_by_list=True)
        self.grad_reducer, self.reducer_flag = identity, False

    def construct(self, *inputs: Any) -> Any:
        loss, grads = self.grad_fn(*inputs)
        if self.sens != 1.0:
            grads = tuple(g * self.sens for g in grads)
        self.optimizer(grads)
        if self.return_grad:  # MindSpore's: a dict of each Parameter's name to its gradient
            return loss, {p.name: g for p, g in zip(self.weights, grads)}
        return loss

    def __call__(self, *inputs: Any) -> Any:  # an optimizer step is eager, never compiled
        return self.construct(*inputs)

"""MindSpore's ``LossBase`` and its common losses (``MSELoss``, ``L1Loss``, ``BCELoss``,
``CrossEntropyLoss``, ``NLLLoss``, ``SmoothL1Loss``, ``SoftmaxCrossEntropyWithLogits``):
Cells over ``ops``' functional losses, each with MindSpore's default reduction.
``losses_extra`` holds the rarer ones; ``nn`` re-exports both.
"""
from __future__ import annotations

from typing import Any

from . import ops, ops_nn
from .integer_dtypes import int_param
from .nn import Cell

__all__ = ["LossBase", "MSELoss", "SmoothL1Loss", "L1Loss", "L1LossExt", "BCELoss",
           "CrossEntropyLoss", "NLLLoss", "SoftmaxCrossEntropyWithLogits"]


class LossBase(Cell):
    """MindSpore's base of losses: ``reduction`` and ``get_loss``, which weights a
    per-element loss and reduces it (subclass it and call ``self.get_loss``)."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none', not {reduction!r}")
        self.reduction = reduction

    def get_loss(self, x: Any, weights: Any = 1.0) -> Any:
        return ops_nn.reduce(x * int_param(weights, x), self.reduction)  # (MindSpore's cast)


class MSELoss(LossBase):
    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.mse_loss(logits, labels, self.reduction)


class SmoothL1Loss(LossBase):
    """Squared below ``beta``, absolute above; MindSpore's default reduction here is
    ``"none"``."""

    def __init__(self, beta: float = 1.0, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.beta = beta

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.smooth_l1_loss(logits, labels, self.beta, self.reduction)


class L1Loss(LossBase):
    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.l1_loss(logits, labels, self.reduction)


class L1LossExt(L1Loss):
    """MindSpore's ``nn.L1LossExt`` (documented for Ascend only: MindSpore 2.10 has no
    CPU kernel for it): the documented loss, ``L1Loss``'s, the operands broadcast."""


class BCELoss(LossBase):
    """Binary cross-entropy of probabilities; see ``ops.binary_cross_entropy``."""

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.binary_cross_entropy(logits, labels, self.weight, self.reduction)


class CrossEntropyLoss(LossBase):
    """Softmax cross-entropy of logits; see ``ops.cross_entropy``."""

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.weight, self.ignore_index, self.label_smoothing = weight, ignore_index, \
            label_smoothing

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.cross_entropy(logits, labels, self.weight, self.ignore_index,
                                 self.reduction, self.label_smoothing)


class NLLLoss(CrossEntropyLoss):
    """Negative log-likelihood of log-probabilities; see ``ops.nll_loss``."""

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.nll_loss(logits, labels, self.weight, self.ignore_index, self.reduction,
                            self.label_smoothing)


class SoftmaxCrossEntropyWithLogits(LossBase):
    """``-sum(labels * log_softmax(logits))`` over the last axis; with ``sparse=True`` the
    labels are class indices. MindSpore's default reduction here is ``"none"``. No
    gradient reaches ``labels``, as in MindSpore 2.10 (measured: its primitive's bprop)."""

    def __init__(self, sparse: bool = False, reduction: str = "none") -> None:
        super().__init__(reduction)
        self.sparse = sparse

    def construct(self, logits: Any, labels: Any) -> Any:
        if self.sparse:
            labels = ops.one_hot(labels, logits.shape[-1], 1.0, 0.0)
        loss = -ops.sum(ops.stop_gradient(labels) * ops.log_softmax(logits, -1), -1)
        return ops_nn.reduce(loss, self.reduction)

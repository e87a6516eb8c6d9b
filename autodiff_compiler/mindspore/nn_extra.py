"""MindSpore's activation and loss Cells beyond ``nn``'s first ones: each a thin
Cell over the ``ops`` function of the same maths (``ops_activations``,
``ops_distances``), so the derivative choices at corners are the ones measured there.
Re-exported by ``nn``; the activations are also known to ``nn.get_activation`` (and so
to ``Dense(..., activation="hswish")``) by MindSpore's names.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .losses import LossBase
from .nn import Cell


class _Unary(Cell):
    """An activation with no settings: ``construct`` applies ``function``."""

    function: Any = None

    def construct(self, x: Any) -> Any:
        return self.function(x)


class ReLU6(_Unary):
    function = staticmethod(ops.relu6)


class HSigmoid(_Unary):
    function = staticmethod(ops.hardsigmoid)


class HSwish(_Unary):
    function = staticmethod(ops.hardswish)


class Mish(_Unary):
    function = staticmethod(ops.mish)


class SeLU(_Unary):
    function = staticmethod(ops.selu)


class LogSigmoid(_Unary):
    function = staticmethod(ops.logsigmoid)


class Softsign(_Unary):
    function = staticmethod(ops.softsign)


class Tanhshrink(Cell):
    def construct(self, x: Any) -> Any:
        return x - np.tanh(x)


class CELU(Cell):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def construct(self, x: Any) -> Any:
        return ops.celu(x, self.alpha)


class Hardtanh(Cell):
    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        self.min_val, self.max_val = min_val, max_val

    def construct(self, x: Any) -> Any:
        return ops.hardtanh(x, self.min_val, self.max_val)


class GLU(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Any) -> Any:
        return ops.glu(x, self.axis)


class Softmin(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Any) -> Any:
        return ops.softmax(-x, self.axis)


class Threshold(Cell):
    """``x`` where it is above ``threshold``, ``value`` elsewhere."""

    def __init__(self, threshold: float, value: float) -> None:
        super().__init__()
        self.threshold, self.value = threshold, value

    def construct(self, input_x: Any) -> Any:
        return np.where(input_x > self.threshold, input_x, self.value).astype(input_x.dtype)


ACTIVATIONS = {"relu6": ReLU6, "hsigmoid": HSigmoid, "hswish": HSwish, "mish": Mish,
               "selu": SeLU, "logsigmoid": LogSigmoid, "softsign": Softsign,
               "tanhshrink": Tanhshrink, "celu": CELU, "hardtanh": Hardtanh, "glu": GLU,
               "softmin": Softmin}


# ---------------------------------------------------------------------------- losses


class HuberLoss(LossBase):
    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.huber_loss(logits, labels, self.reduction, self.delta)


class KLDivLoss(LossBase):
    """``labels (log labels - logits)``, ``logits`` being log-probabilities."""

    def __init__(self, reduction: str = "mean") -> None:
        Cell.__init__(self)
        if reduction not in ("mean", "sum", "none", "batchmean"):
            raise ValueError(f"reduction must be 'mean', 'batchmean', 'sum' or 'none', not "
                             f"{reduction!r}")
        self.reduction = reduction

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.kl_div(logits, labels, self.reduction)


class MarginRankingLoss(LossBase):
    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def construct(self, input1: Any, input2: Any, target: Any) -> Any:
        return ops.margin_ranking_loss(input1, input2, target, self.margin, self.reduction)


class CosineEmbeddingLoss(LossBase):
    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def construct(self, logits_x1: Any, logits_x2: Any, labels: Any) -> Any:
        return ops.cosine_embedding_loss(logits_x1, logits_x2, labels, self.margin,
                                         self.reduction)


class TripletMarginLoss(LossBase):
    def __init__(self, p: int = 2, swap: bool = False, eps: float = 1e-06,
                 reduction: str = "mean", margin: float = 1.0) -> None:
        super().__init__(reduction)
        self.p, self.swap, self.eps, self.margin = p, swap, eps, margin

    def construct(self, x: Any, positive: Any, negative: Any, margin: Any = None) -> Any:
        margin = self.margin if margin is None else margin
        return ops.triplet_margin_loss(x, positive, negative, margin, self.p, self.eps,
                                       self.swap, self.reduction)


CELLS = [*(cell.__name__ for cell in ACTIVATIONS.values()), "Threshold", "HuberLoss",
         "KLDivLoss", "MarginRankingLoss", "CosineEmbeddingLoss", "TripletMarginLoss"]
__all__ = CELLS

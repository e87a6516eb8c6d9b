"""MindSpore's loss Cells beyond ``nn``'s and ``nn_extra``'s: focal, Dice, margin and
likelihood losses, ``RMSELoss``, ``MAELoss`` and ``L1Regularizer``; re-exported by
``nn``.

Each is a ``LossBase`` whose ``construct`` is NumPy (or an ``ops`` function of
``ops_losses``), compiled from this source inside a differentiated function, with
MindSpore 2.7.1's argument names and defaults (``MultiClassDiceLoss``'s
``ignore_indiex`` is MindSpore's spelling). Checks MindSpore makes when a Cell is built
(a positive ``smooth``, a float ``gamma``...) are made in ``__init__``, with its
exception types, so that ``construct`` holds only the maths.

Shapes as MindSpore gives them, measured: ``FocalLoss`` takes logits ``[N, C, ...]``
(2 to 4 axes; MindSpore checks the ranks, this does not) and labels of the same rank,
either class indices (axis 1 of length 1)
or per-class targets (length C); its ``"none"`` result is ``[N]`` for indices and
``[N, C]`` for per-class targets. ``DiceLoss`` is one number over all entries;
``MultiClassDiceLoss`` averages the Dice loss of each class (axis 1) after its
activation (MindSpore's ``nn.Softmax``, on the *last* axis), each class's loss times
its row of ``weights`` (shape ``[C, k]``: the result has shape ``[k]``).
``MultilabelMarginLoss`` has no CPU kernel in MindSpore 2.7.1; it follows the
documented formula (``ops_losses``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import ops
from .integer_dtypes import as_float32
from .losses import LossBase
from .nn import Cell, get_activation
from .ops_nn import log_softmax, reduce

__all__ = ["CTCLoss", "FocalLoss", "DiceLoss", "MultiClassDiceLoss", "SoftMarginLoss",
           "MultiMarginLoss", "MultiLabelSoftMarginLoss", "MultilabelMarginLoss",
           "PoissonNLLLoss", "GaussianNLLLoss", "HingeEmbeddingLoss", "RMSELoss", "MAELoss",
           "L1Regularizer"]


class FocalLoss(LossBase):
    """``-(1 - p)^gamma log p`` of the softmax over axis 1, ``p`` the probability of the
    labelled class (times ``weight`` of that class), averaged over the spatial axes."""

    def __init__(self, weight: Any = None, gamma: float = 2.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if not isinstance(gamma, float):
            raise TypeError(f"For 'FocalLoss', the type of 'gamma' must be float, but got "
                            f"{type(gamma).__name__}.")
        if weight is not None and np.ndim(weight) != 1:
            raise ValueError(f"For 'FocalLoss', the dimension of 'weight' must be 1, but got "
                             f"{np.ndim(weight)}.")
        self.weight, self.gamma = weight, gamma

    def construct(self, logits: Any, labels: Any) -> Any:
        for name, value in (("logits", logits), ("labels", labels)):
            if np.ndim(value) < 2 or np.ndim(value) > 4:
                raise ValueError(f"For 'FocalLoss', the dimensions of '{name}' must be in [2, 4], "
                                 f"but got dimension of '{name}' {np.ndim(value)}.")
        n, classes = np.shape(logits)[0], np.shape(logits)[1]
        log_p = log_softmax(np.reshape(logits, (n, classes, -1)), 1)
        labels = np.reshape(labels, (n, np.shape(labels)[1], -1))
        indices = np.shape(labels)[1] == 1
        hot = labels == np.reshape(np.arange(classes), (1, -1, 1))  # read with indices only
        if indices:
            log_p = np.sum(np.where(hot, log_p, 0.0), axis=1)
        p = np.exp(log_p)
        if self.weight is not None:
            w = np.reshape(self.weight, (1, -1, 1))
            log_p = log_p * (np.sum(np.where(hot, w, 0.0), axis=1) if indices else w)
        focus = (1.0 - p) ** self.gamma
        if indices:
            loss = np.mean(-focus * log_p, axis=1)
        else:
            loss = np.mean(-focus * labels * log_p, axis=-1)
        return self.get_loss(loss)


class DiceLoss(LossBase):
    """``1 - 2 sum(x y) / (sum(x^2) + sum(y^2) + smooth)`` over all entries."""

    def __init__(self, smooth: float = 1e-5) -> None:
        super().__init__()
        if not isinstance(smooth, float) or smooth <= 0:
            raise ValueError(f"For 'DiceLoss', 'smooth' must be a positive float, but got "
                             f"{smooth!r}.")
        self.smooth = smooth

    def construct(self, logits: Any, label: Any) -> Any:
        intersection = np.sum(logits * label)
        union = np.sum(logits * logits) + np.sum(label * label)
        return 1 - 2 * intersection / (union + self.smooth)


class MultiClassDiceLoss(LossBase):
    """The mean over classes (axis 1) of each class's Dice loss, after ``activation``;
    the class ``ignore_indiex`` counts as 0 (still in the mean, as MindSpore counts it)."""

    def __init__(self, weights: Any = None, ignore_indiex: int | None = None,
                 activation: Any = "softmax") -> None:
        super().__init__()
        known = ("softmax", "logsoftmax", "relu", "relu6", "tanh", "sigmoid")
        if isinstance(activation, str) and activation not in known:
            raise ValueError(f"For 'MultiClassDiceLoss', the 'activation' must be in {list(known)}"
                             f", but got {activation}.")
        if weights is not None and np.ndim(weights) != 2:
            raise ValueError(f"For 'MultiClassDiceLoss', the dimension of 'weights' must be 2, "
                             f"but got {np.ndim(weights)}.")
        self.weights, self.ignore_indiex = weights, ignore_indiex
        self.activation = get_activation(activation) if isinstance(activation, str) \
            else activation
        self.smooth = 1e-5

    def construct(self, logits: Any, label: Any) -> Any:
        if self.activation is not None:
            logits = self.activation(logits)
        classes = np.shape(label)[1]
        logits = np.reshape(np.swapaxes(logits, 0, 1), (classes, -1))  # a row per class
        label = np.reshape(np.swapaxes(label, 0, 1), (classes, -1))
        intersection = np.sum(logits * label, axis=1)
        union = np.sum(logits * logits, axis=1) + np.sum(label * label, axis=1)
        dice = 1 - 2 * intersection / (union + self.smooth)
        if self.ignore_indiex is not None:
            dice = np.where(np.arange(classes) != self.ignore_indiex, dice, 0.0)
        if self.weights is not None:
            return np.sum(np.expand_dims(dice, -1) * self.weights, axis=0) / classes
        return np.mean(dice)  # not np.sum(dice) / classes: float64 on NumPy 1.x


class CTCLoss(LossBase):
    """MindSpore's ``nn.CTCLoss(blank, reduction, zero_infinity)``: ``ops.ctc_loss``'s
    loss, of ``(log_probs, targets, input_lengths, target_lengths)``."""

    def __init__(self, blank: int = 0, reduction: str = "mean",
                 zero_infinity: bool = False) -> None:
        super().__init__(reduction)
        self.blank, self.zero_infinity = blank, zero_infinity

    def construct(self, log_probs: Any, targets: Any, input_lengths: Any,
                  target_lengths: Any) -> Any:
        loss, _ = ops.ctc_loss(log_probs, targets, input_lengths, target_lengths,
                               self.blank, self.reduction, self.zero_infinity)
        return loss


class SoftMarginLoss(LossBase):
    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.soft_margin_loss(logits, labels, self.reduction)


class MultiMarginLoss(LossBase):
    """See ``ops.multi_margin_loss``; a ``weight`` given to ``construct`` is used only
    when the Cell has none, as in MindSpore."""

    def __init__(self, p: int = 1, margin: float = 1.0, reduction: str = "mean",
                 weight: Any = None) -> None:
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"For 'MultiMarginLoss', 'p' must be 1 or 2, but got {p}.")
        self.p, self.margin, self.weight = p, margin, weight

    def construct(self, x: Any, target: Any, weight: Any = None) -> Any:
        weight = weight if self.weight is None else self.weight
        return ops.multi_margin_loss(x, target, self.p, self.margin, weight, self.reduction)


class MultiLabelSoftMarginLoss(LossBase):
    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.weight = weight

    def construct(self, x: Any, target: Any) -> Any:
        return ops.multilabel_soft_margin_loss(x, target, self.weight, self.reduction)


class MultilabelMarginLoss(LossBase):
    def construct(self, x: Any, target: Any) -> Any:
        return ops.multilabel_margin_loss(x, target, self.reduction)


class PoissonNLLLoss(LossBase):
    """``exp(x) - t x`` of log-rates (``log_input``), else ``x - t log(x + eps)``; with
    ``full``, Stirling's ``t log t - t + log(2 pi t) / 2`` where ``t > 1``."""

    def __init__(self, log_input: bool = True, full: bool = False, eps: float = 1e-08,
                 reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def construct(self, input: Any, target: Any) -> Any:  # noqa: A002 (MindSpore's name)
        target = np.asarray(target).astype(input.dtype)
        if self.log_input:
            loss = np.exp(input) - target * input
        else:
            loss = input - target * np.log(input + self.eps)
        if self.full:
            t = np.maximum(target, self.eps)
            stirling = (t + 0.5) * np.log(t) - t + 0.5 * math.log(2 * math.pi)
            loss = loss + np.where(t > 1, stirling, 0.0)
        return self.get_loss(loss)


class GaussianNLLLoss(LossBase):
    """See ``ops.gaussian_nll_loss``; its options are keyword-only, as in MindSpore."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if not isinstance(eps, float) or eps <= 0:
            raise ValueError(f"For 'GaussianNLLLoss', 'eps' must be a positive float, but got "
                             f"{eps!r}.")
        if not isinstance(full, bool):
            raise TypeError(f"For 'GaussianNLLLoss', 'full' must be a bool, but got "
                            f"{type(full).__name__}.")
        self.full, self.eps = full, eps

    def construct(self, logits: Any, labels: Any, var: Any) -> Any:
        return ops.gaussian_nll_loss(logits, labels, var, self.full, self.eps, self.reduction)


class HingeEmbeddingLoss(LossBase):
    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if not isinstance(margin, float | int) or isinstance(margin, bool):
            raise TypeError(f"For 'HingeEmbeddingLoss', 'margin' must be a float or int, but "
                            f"got {type(margin).__name__}.")
        self.margin = margin

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.hinge_embedding_loss(logits, labels, self.margin, self.reduction)


class RMSELoss(LossBase):
    """The root of the mean squared error (no ``reduction``: always one number). Of
    integers MindSpore takes that mean in their dtype (rounding toward zero), then the
    root in float32."""

    def __init__(self) -> None:
        super().__init__()

    def construct(self, logits: Any, label: Any) -> Any:
        return np.sqrt(as_float32(reduce(np.square(logits - label), "mean")))


class MAELoss(LossBase):
    def construct(self, logits: Any, label: Any) -> Any:
        return self.get_loss(np.abs(logits - label))


class L1Regularizer(Cell):
    """``scale * sum(|weights|)``, ``scale`` a positive, finite number (float32, as
    MindSpore keeps it)."""

    def __init__(self, scale: float) -> None:
        super().__init__()
        if not isinstance(scale, int | float) or isinstance(scale, bool):
            raise TypeError(f"For 'L1Regularizer', 'scale' must be an int or float, but got "
                            f"{type(scale).__name__}.")
        if scale <= 0:
            raise ValueError(f"For 'L1Regularizer', the 'scale' must be greater than 0, but "
                             f"got {scale}.")
        if math.isinf(scale) or math.isnan(scale):
            raise ValueError(f"For 'L1Regularizer', the 'scale' can not be INF or NAN, but got "
                             f"{scale}.")
        self.scale = np.float32(scale)

    def construct(self, weights: Any) -> Any:
        return self.scale * np.sum(np.abs(weights))

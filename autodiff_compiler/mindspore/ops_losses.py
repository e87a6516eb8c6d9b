"""MindSpore's functional margin and likelihood losses: ``soft_margin_loss``,
``multi_margin_loss``, ``multilabel_soft_margin_loss``, ``multilabel_margin_loss``,
``gaussian_nll_loss``, ``hinge_embedding_loss``; re-exported by ``ops`` (the loss
Cells over them are in ``losses_extra``, which imports ``nn`` and so cannot be
imported by ``ops``).

Written in NumPy like the rest of ``ops``, so inside a differentiated function each
gradient is that of the NumPy below. Hinges are ``np.where(gap > 0, gap, 0)``: the
derivative is 0 where the margin is met exactly, as MindSpore's ``MultiMarginLoss``
kernel gives it (``np.maximum`` would share it, 1/2). ``hinge_embedding_loss`` is
written in MindSpore with ``clip_by_value``, whose gradient at the bound is halved
(measured): there the hinge is ``np.maximum(gap, 0)``, which shares a tie equally.

MindSpore 2.7.1 has no CPU kernel for ``SoftMarginLoss`` nor ``MultilabelMarginLoss``
(both raise at run time); those two follow MindSpore's documented formulas and are
checked against finite differences (and the documented examples' values) instead.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .ops_nn import reduce

__all__ = ["soft_margin_loss", "multi_margin_loss", "multilabel_soft_margin_loss",
           "multilabel_margin_loss", "gaussian_nll_loss", "hinge_embedding_loss"]


def soft_margin_loss(input: Any, target: Any, reduction: str = "mean") -> Any:  # noqa: A002
    """``log(1 + exp(-target * input))`` per element, ``target`` being 1 or -1; written
    as a ``logaddexp`` so that it neither overflows nor loses small values."""
    return reduce(np.logaddexp(0.0, -target * input), reduction)


def multi_margin_loss(input: Any, target: Any, p: int = 1, margin: Any = 1,  # noqa: A002
                      weight: Any = None, reduction: str = "mean") -> Any:
    """Per row of ``input`` (``[N, C]``): ``sum over i != y of w[y] max(0, margin -
    x[y] + x[i]) ** p / C``, ``y`` the row's class index in ``target``. The picked score
    is a sum over a one-hot mask, so no integer indexing reaches the gradient."""
    classes = np.shape(input)[-1]
    hot = np.expand_dims(target, -1) == np.arange(classes)
    picked = np.sum(np.where(hot, input, 0.0), axis=-1, keepdims=True)
    gap = margin - picked + input
    gap = np.where(np.logical_and(gap > 0, np.logical_not(hot)), gap, 0.0)
    terms = gap if p == 1 else gap * gap
    if weight is not None:
        terms = terms * np.sum(np.where(hot, weight, 0.0), axis=-1, keepdims=True)
    return reduce(np.sum(terms, axis=-1) / classes, reduction)


def multilabel_soft_margin_loss(input: Any, target: Any, weight: Any = None,  # noqa: A002
                                reduction: str = "mean") -> Any:
    """The logistic loss of each class, ``target`` 1 or 0, times ``weight``, averaged
    over the classes (the last axis), then reduced over the samples."""
    loss = target * np.logaddexp(0.0, -input) + (1 - target) * np.logaddexp(0.0, input)
    if weight is not None:
        loss = loss * weight
    return reduce(np.mean(loss, axis=-1), reduction)


def multilabel_margin_loss(input: Any, target: Any, reduction: str = "mean") -> Any:  # noqa: A002
    """Per row: ``sum over target classes j, other classes i of max(0, 1 - (x[j] -
    x[i])) / C``. The target classes of a row are the entries of ``target`` before its
    first negative one (the rest is padding)."""
    classes = np.shape(input)[-1]
    listed = np.cumsum(target < 0, axis=-1) == 0  # the prefix before the first -1
    hot = np.logical_and(np.expand_dims(target, -1) == np.arange(classes),
                         np.expand_dims(listed, -1))  # [..., J, C]
    is_target = np.any(hot, axis=-2)  # [..., C]
    picked = np.sum(np.where(hot, np.expand_dims(input, -2), 0.0), axis=-1)  # x[y_j]
    gap = 1.0 - np.expand_dims(picked, -1) + np.expand_dims(input, -2)  # [..., J, C]
    counted = np.logical_and(np.expand_dims(listed, -1),
                             np.expand_dims(np.logical_not(is_target), -2))
    terms = np.where(np.logical_and(counted, gap > 0), gap, 0.0)
    return reduce(np.sum(np.sum(terms, axis=-1), axis=-1) / classes, reduction)


def gaussian_nll_loss(x: Any, target: Any, var: Any, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Any:
    """``0.5 (log(max(var, eps)) + (x - target)^2 / max(var, eps))``, plus ``0.5
    log(2 pi)`` when ``full``. A ``var`` shaped as ``x`` without its last axis is
    widened by one axis first, as MindSpore widens it."""
    if np.shape(x)[:-1] == np.shape(var):  # (then the shapes differ: one axis fewer)
        var = np.expand_dims(var, -1)
    clamped = np.maximum(var, eps)
    loss = 0.5 * (np.log(clamped) + np.square(x - target) / clamped)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce(loss, reduction)


def hinge_embedding_loss(inputs: Any, targets: Any, margin: float = 1.0,
                         reduction: str = "mean") -> Any:
    """``x`` where the target is 1, ``max(0, margin - x)`` where it is -1 (0 where it is
    neither, as in MindSpore)."""
    gap = margin - inputs
    loss = np.where(targets > 0, inputs, 0.0) + \
        np.where(targets < 0, np.maximum(gap, 0.0), 0.0)
    return reduce(loss, reduction)

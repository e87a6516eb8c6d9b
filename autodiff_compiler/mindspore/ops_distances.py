"""MindSpore's distances and the losses built on them: ``cosine_similarity``,
``cdist``, ``dist``, ``huber_loss``, ``margin_ranking_loss``,
``cosine_embedding_loss``, ``triplet_margin_loss``; re-exported by ``ops``.

A Euclidean norm has no derivative at 0 (two equal points): there the gradient is 0,
as MindSpore gives it, through ``_norm_root``, which never takes the root of 0 itself
(its derivative would be infinite, and 0 times infinity is NaN).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.surface import stop_gradient
from .ops_nn import reduce

__all__ = ["cosine_similarity", "cdist", "dist", "huber_loss", "margin_ranking_loss",
           "cosine_embedding_loss", "triplet_margin_loss"]


def _norm_root(total: Any, p: float) -> Any:
    """``total ** (1 / p)`` of a sum of ``|d| ** p``, 0 with derivative 0 where it is 0."""
    positive = total > 0
    safe = np.where(positive, total, 1.0)
    root = np.sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return np.where(positive, root, 0.0)


def _p_norm(d: Any, p: float, axis: Any) -> Any:
    """The ``p``-norm of ``d`` along ``axis`` (all of it if None): the largest ``|d|``
    for ``p = inf``, the number of entries not 0 for ``p = 0``."""
    if p == 1:
        return np.sum(np.abs(d), axis=axis)
    if p == np.inf:  # each coordinate tied for the largest gets the whole gradient
        magnitude = np.abs(d)  # (MindSpore 2.10's cdist, measured)
        top = stop_gradient(np.max(magnitude, axis=axis, keepdims=True))
        ties = np.where(magnitude == top, magnitude - stop_gradient(magnitude), 0.0)
        return np.squeeze(top, axis=axis) + np.sum(ties, axis=axis)
    if p == 0:
        return np.sum((d != 0).astype(d.dtype), axis=axis)
    powered = d * d if p == 2 else np.abs(d) ** p
    return _norm_root(np.sum(powered, axis=axis), p)


def cosine_similarity(x1: Any, x2: Any, dim: int = 1, eps: float = 1e-08) -> Any:
    """``x1 . x2 / max(|x1| |x2|, eps)`` along ``dim``, as MindSpore computes it: the
    product of the two norms, not the root of the product of their squares, which
    overflows first (float16: norms of 16 and 17 make 73984, past its largest finite
    65504)."""
    w12 = np.sum(x1 * x2, axis=dim)
    norm1 = _norm_root(np.sum(x1 * x1, axis=dim), 2)
    norm2 = _norm_root(np.sum(x2 * x2, axis=dim), 2)
    return w12 / np.maximum(norm1 * norm2, eps)


def cdist(x1: Any, x2: Any, p: float = 2.0) -> Any:
    """The ``p``-norm distance between each row of ``x1`` (``[..., P, M]``) and each of
    ``x2`` (``[..., R, M]``): ``[..., P, R]``."""
    d = np.expand_dims(x1, -2) - np.expand_dims(x2, -3)
    return _p_norm(d, p, -1)


def dist(input: Any, other: Any, p: float = 2) -> Any:  # noqa: A002 (MindSpore's name)
    """The ``p``-norm of ``input - other``, all entries together."""
    return _p_norm(input - other, p, None)


def huber_loss(input: Any, target: Any, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0) -> Any:
    """``0.5 d^2`` where ``|d| < delta``, ``delta (|d| - 0.5 delta)`` elsewhere."""
    distance = np.abs(input - target)
    loss = np.where(distance < delta, 0.5 * distance * distance,
                    delta * (distance - 0.5 * delta))
    return reduce(loss, reduction)


def margin_ranking_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0,
                        reduction: str = "mean") -> Any:
    """``max(0, margin - target (input1 - input2))``: ``target`` 1 asks ``input1`` to
    rank higher, -1 lower."""
    return reduce(np.maximum(margin - target * (input1 - input2), 0.0), reduction)


def cosine_embedding_loss(input1: Any, input2: Any, target: Any, margin: float = 0.0,
                          reduction: str = "mean") -> Any:
    """Per row: ``1 - cos`` where ``target`` is 1, ``max(0, cos - margin)`` where -1, 0
    where it is neither (as MindSpore selects the two parts)."""
    cos = cosine_similarity(input1, input2, dim=-1, eps=1e-12)
    dissimilar = np.where(target == -1, np.maximum(cos - margin, 0.0), 0.0)
    loss = np.where(target == 1, 1.0 - cos, dissimilar)
    return reduce(loss, reduction)


def triplet_margin_loss(anchor: Any, positive: Any, negative: Any, margin: float = 1.0,
                        p: int = 2, eps: float = 1e-06, swap: bool = False,
                        reduction: str = "mean") -> Any:
    """``max(0, |a - p| - |a - n| + margin)`` per row, distances ``p``-norms of the
    last axis of the differences plus ``eps``; ``swap`` uses the closer of
    ``|a - n|`` and ``|p - n|``."""
    to_positive = _p_norm(anchor - positive + eps, p, -1)
    to_negative = _p_norm(anchor - negative + eps, p, -1)
    if swap:
        to_negative = np.minimum(to_negative, _p_norm(positive - negative + eps, p, -1))
    return reduce(np.maximum(to_positive - to_negative + margin, 0.0), reduction)

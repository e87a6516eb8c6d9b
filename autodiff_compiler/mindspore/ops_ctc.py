"""MindSpore's connectionist temporal classification loss, ``ops.ctc_loss`` (and
``nn.CTCLoss`` on it), written in NumPy and compiled like any ``ops`` function.

The forward variable of Graves et al. (2006), in log space and over the batch at
once: the targets are spread over ``2 S + 1`` states (a blank before, between and
after the labels), and each time step moves every state's log-probability on from
itself, the state before it, and, past a blank between two different labels, the one
before that. An example's steps past its own input length leave its states as they
are. Its loss is minus the log-sum of its last two states.

An impossible alignment (a target longer than its input allows) is ``-inf`` in log
space; here it is a large negative number instead, whose exponentials are exactly 0,
so the gradient of every other state stays finite (``exp(-inf - -inf)`` would be NaN).
A loss that large is reported as ``inf`` with a NaN gradient, or with ``zero_infinity``
a zero gradient, as MindSpore 2.10 reports them. The gradient comes from
differentiating this program: with respect to ``log_probs`` it is minus the
posterior of each label. MindSpore 2.10 returns ``exp(log_probs)`` minus it there
(PyTorch's convention, the gradient of the logits under a ``log_softmax``), which is
not the derivative of its loss; through the ``log_softmax`` a network applies, the
two give the same gradient (measured), so training is the same.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.surface import stop_gradient

__all__ = ["ctc_loss"]

_IMPOSSIBLE = -1.0e30  # a log-probability no alignment has (exp of it is 0)


def _log_sum_exp3(a: Any, b: Any, c: Any) -> Any:
    """log(e^a + e^b + e^c), from the largest (held constant: it cancels)."""
    top = stop_gradient(np.maximum(np.maximum(a, b), c))
    return top + np.log(np.exp(a - top) + np.exp(b - top) + np.exp(c - top))


def ctc_loss(log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any,
             blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> Any:
    """``(loss, log_alpha)`` for ``log_probs`` of shape (T, N, C) (log-softmax over C),
    ``targets`` (N, S), and each example's input and target lengths; ``reduction``
    ``"mean"`` divides each loss by its target length (at least 1) first."""
    steps, batch = log_probs.shape[0], log_probs.shape[1]
    # class ids and lengths: no gradient (MindSpore's is int zeros), also where the
    # lengths divide (``"mean"``) or a loop reads them
    labels = stop_gradient(np.asarray(targets).astype(np.int64))
    states = 2 * labels.shape[1] + 1
    spread = np.full((batch, states), blank, np.int64)
    spread[:, 1::2] = labels
    before_two = np.concatenate([np.full((batch, 2), blank, np.int64), spread[:, :-2]], axis=1)
    may_skip = (spread != blank) & (spread != before_two)
    lengths = stop_gradient(np.asarray(input_lengths).astype(np.int64))
    target_len = stop_gradient(np.asarray(target_lengths).astype(np.int64))
    impossible = np.full((batch, states), _IMPOSSIBLE, log_probs.dtype)
    first = np.take_along_axis(log_probs[0], spread, axis=1)
    alpha = np.where(np.arange(states) < 2, first, impossible)
    alpha = np.where((np.arange(states) == 1) & (target_len[:, None] == 0), impossible, alpha)
    log_alpha = np.zeros((steps, batch, states), log_probs.dtype)
    log_alpha[0] = alpha
    edge = np.full((batch, 1), _IMPOSSIBLE, log_probs.dtype)
    for t in range(1, steps):
        one_back = np.concatenate([edge, alpha[:, :-1]], axis=1)
        two_back = np.where(may_skip, np.concatenate([edge, edge, alpha[:, :-2]], axis=1),
                            impossible)
        moved = _log_sum_exp3(alpha, one_back, two_back) \
            + np.take_along_axis(log_probs[t], spread, axis=1)
        alpha = np.where((t < lengths)[:, None], moved, alpha)
        log_alpha[t] = alpha
    last = np.take_along_axis(alpha, (2 * target_len)[:, None], axis=1)[:, 0]
    before_last = np.take_along_axis(alpha, np.maximum(2 * target_len - 1, 0)[:, None],
                                     axis=1)[:, 0]
    before_last = np.where(target_len > 0, before_last, _IMPOSSIBLE)
    loss = -np.logaddexp(last, before_last)
    # an unreachable target's loss is inf, as MindSpore 2.10 reports it; its gradient is
    # NaN, or 0 with zero_infinity (measured: MindSpore leaves the loss inf even then)
    unreachable = loss > -_IMPOSSIBLE / 2
    loss = np.where(unreachable, np.inf, loss) if zero_infinity else \
        loss * np.where(unreachable, np.inf, 1.0)
    loss = loss.astype(log_probs.dtype)
    if reduction == "mean":
        loss = np.mean(loss / np.maximum(target_len, 1).astype(log_probs.dtype))
    elif reduction == "sum":
        loss = np.sum(loss)
    return loss, np.transpose(log_alpha, (1, 0, 2))

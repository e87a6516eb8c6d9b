"""MindSpore's ``P.CTCLoss``, the primitive class CRNN, CNN-CTC and DeepSpeech training
scripts call: TensorFlow's CTC loss on unnormalised ``inputs`` (time, batch, classes),
the blank the last class, the labels sparse (``labels_indices`` rows ``[example,
position]`` in row-major order, ``labels_values`` the labels there).

It is ``ops.ctc_loss`` of ``log_softmax(inputs)``: the sparse labels are laid out as
dense targets as wide as there are labels in all (enough for any one example), each
example's target length counted from its rows. It returns the per-example losses and
their gradient with respect to ``inputs``, which is zero past an example's sequence
length; both as MindSpore 2.10 (CPU) gives them (measured). The gradient is computed
by differentiating the loss, so it is the loss's own; the loss itself differentiates
as usual (``loss, _ = self.ctc_loss(...)``). ``preprocess_collapse_repeated`` merges
an example's runs of a repeated label first; ``ctc_merge_repeated=False`` (a path
emitting each repeat) is refused. A target no alignment reaches (longer than its
sequence allows) has an ``inf`` loss; its gradient is zero with
``ignore_longer_outputs_than_inputs``, as MindSpore 2.10 gives (measured), and NaN
without it, where MindSpore raises ``ValueError``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..api import grad
from ..ir.surface import stop_gradient
from .operations import PrimitiveOp
from .ops_ctc import ctc_loss
from .ops_nn import log_softmax

__all__ = ["CTCLoss"]


class CTCLoss(PrimitiveOp):
    """``(loss, gradient)`` of ``inputs`` (T, N, C) against sparse labels."""

    attributes = (("preprocess_collapse_repeated", False), ("ctc_merge_repeated", True),
                  ("ignore_longer_outputs_than_inputs", False))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.ctc_merge_repeated:
            raise ValueError("CTCLoss(ctc_merge_repeated=False) is not supported: it scores "
                             "paths that emit every repeat of a label; use the default "
                             "ctc_merge_repeated=True (standard CTC)")

    def apply(self, inputs: Any, labels_indices: Any, labels_values: Any,
              sequence_length: Any) -> tuple:
        settings = (self.preprocess_collapse_repeated, self.ignore_longer_outputs_than_inputs)
        loss = _sparse_ctc(inputs, labels_indices, labels_values, sequence_length, *settings)
        gradient = grad(_summed_sparse_ctc)(stop_gradient(inputs), labels_indices,
                                            labels_values, sequence_length, *settings)
        return loss, stop_gradient(gradient)


def _summed_sparse_ctc(inputs: Any, indices: Any, values: Any, lengths: Any, collapse: bool,
                       ignore_longer: bool) -> Any:
    return np.sum(_sparse_ctc(inputs, indices, values, lengths, collapse, ignore_longer))


def _sparse_ctc(inputs: Any, indices: Any, values: Any, lengths: Any, collapse: bool,
                ignore_longer: bool) -> Any:
    """The per-example CTC losses of sparse labels, the blank the last class."""
    batch, classes, count = inputs.shape[1], inputs.shape[2], values.shape[0]
    example = indices[:, 0].astype(np.int64)
    kept = np.ones(count, bool)
    if collapse:  # a label equal to the one before it in the same example is dropped
        kept[1:] = (example[1:] != example[:-1]) | (values[1:] != values[:-1])
    same = example[None, :] == example[:, None]  # (i, j): rows i and j, one example
    earlier = np.arange(count)[None, :] <= np.arange(count)[:, None]
    position = np.sum(same & earlier & kept[None, :], axis=1) - 1  # among its kept rows
    targets = np.full((batch, count + 1), classes - 1, np.int64)  # (a spare column:
    targets[example, np.where(kept, position, count)] = values  # where dropped ones go)
    target_lengths = np.sum((example[None, :] == np.arange(batch)[:, None]) & kept[None, :],
                            axis=1)
    loss, _ = ctc_loss(log_softmax(inputs, -1), targets[:, :count], lengths, target_lengths,
                       blank=classes - 1, reduction="none", zero_infinity=ignore_longer)
    return loss

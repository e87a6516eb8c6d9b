"""Losses of a boolean-mask selection, ``loss(logits[mask], labels[mask])`` as masked
token and padded-batch losses write them: the selection's rank is known only when the
code runs, and the losses that build a class axis's shape from it (``(1,) * (ndim - 2)``)
were refused. Loss values and gradients as MindSpore 2.10 (CPU, PYNATIVE) gave them."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

X = Tensor(np.array([[[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [0.0, 0.7, 0.1]],
                     [[-0.4, 0.9, 0.3], [1.1, -0.6, 0.8], [0.2, 0.2, -1.2]]], np.float32))
T = Tensor(np.array([[2, 0, 1], [1, 2, 0]], np.int32))
M = Tensor(np.array([[True, False, True], [True, True, False]]))
W = Tensor(np.array([0.5, 1.0, 2.0], np.float32))
LOSSES = {
    "ops.cross_entropy": lambda x, t, m: ops.cross_entropy(x[m], t[m]),
    "ops.cross_entropy weight": lambda x, t, m: ops.cross_entropy(x[m], t[m], W,
                                                                  label_smoothing=0.1),
    "nn.CrossEntropyLoss": lambda x, t, m: nn.CrossEntropyLoss()(x[m], t[m]),
    "SoftmaxCrossEntropyWithLogits": lambda x, t, m: nn.SoftmaxCrossEntropyWithLogits(
        sparse=True, reduction="mean")(x[m], t[m]),
    "ops.nll_loss": lambda x, t, m: ops.nll_loss(ops.log_softmax(x[m], -1), t[m], W),
    "ops.one_hot": lambda x, t, m: (ops.one_hot(t[m], 3, Tensor(1.0), Tensor(0.0))
                                    * x[m] ** 2).sum(),
}
# (name, loss, gradient with respect to the logits): measured on MindSpore 2.10
MEASURED = [
    ("ops.cross_entropy", 0.6276559,
     [[[0.043823, 0.009778, -0.053601], [0.0, 0.0, 0.0], [0.060695, -0.127774, 0.067079]],
      [[0.037408, -0.112739, 0.075331], [0.129971, 0.023744, -0.153715], [0.0, 0.0, 0.0]]]),
    ("ops.cross_entropy weight", 0.6513965,
     [[[0.053218, 0.006939, -0.060156], [0.0, 0.0, 0.0], [0.03836, -0.072714, 0.034353]],
      [[0.022577, -0.062523, 0.039946], [0.163297, 0.024783, -0.18808], [0.0, 0.0, 0.0]]]),
    ("nn.CrossEntropyLoss", 0.6276559,
     [[[0.043823, 0.009778, -0.053601], [0.0, 0.0, 0.0], [0.060695, -0.127774, 0.067079]],
      [[0.037408, -0.112739, 0.075331], [0.129971, 0.023744, -0.153715], [0.0, 0.0, 0.0]]]),
    ("SoftmaxCrossEntropyWithLogits", 0.6276563,
     [[[0.043823, 0.009778, -0.053601], [0.0, 0.0, 0.0], [0.060695, -0.127774, 0.067079]],
      [[0.037408, -0.112739, 0.075331], [0.129971, 0.023744, -0.153715], [0.0, 0.0, 0.0]]]),
    ("ops.nll_loss", 0.6176811,
     [[[0.05843, 0.013037, -0.071468], [0.0, 0.0, 0.0], [0.040464, -0.085183, 0.044719]],
      [[0.024939, -0.075159, 0.05022], [0.173295, 0.031658, -0.204953], [0.0, 0.0, 0.0]]]),
    ("ops.one_hot", 5.94,
     [[[0.0, 0.0, 4.0], [0.0, 0.0, 0.0], [0.0, 1.4, 0.0]],
      [[0.0, 1.8, 0.0], [0.0, 0.0, 1.6], [0.0, 0.0, 0.0]]]),
]


@pytest.mark.parametrize("name, loss, grad", MEASURED, ids=[m[0] for m in MEASURED])
def test_a_loss_of_a_masked_selection_is_mindspores(name, loss, grad):
    value, g = ms.value_and_grad(LOSSES[name])(X, T, M)
    np.testing.assert_allclose(value.asnumpy(), loss, rtol=2e-6)
    np.testing.assert_allclose(g.asnumpy(), grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss", [
    lambda x: nn.CrossEntropyLoss(ignore_index=1)(x, Tensor(np.array([1, 1], np.int32))),
    lambda x: nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.1)(
        x, Tensor(np.array([1, 1], np.int32))),
    lambda x: ops.nll_loss(ops.log_softmax(x, 1), Tensor(np.array([1, 1], np.int32)),
                           ignore_index=1),
], ids=["cross_entropy", "label_smoothing", "nll_loss"])
def test_a_batch_of_only_ignored_targets_has_a_nan_mean_and_a_zero_gradient(loss):
    """MindSpore 2.10 (measured): the mean over no targets is NaN (0 / 0) and the
    gradient zero, so an optimizer's step leaves the weights as they were."""
    x = Tensor(np.array([[1.0, 2.0, 0.5], [0.3, -1.0, 2.0]], np.float32))
    value, grad = ms.value_and_grad(loss)(x)
    assert np.isnan(float(value)) and value.dtype == np.float32
    np.testing.assert_array_equal(grad, np.zeros((2, 3)))
    kept = Tensor(np.array([1, 2], np.int32))  # (and with targets kept, the mean as before)
    value = nn.CrossEntropyLoss(ignore_index=1)(x, kept)
    np.testing.assert_allclose(value, -np.log(np.exp(2.0) / np.exp([0.3, -1.0, 2.0]).sum()),
                               rtol=1e-6)

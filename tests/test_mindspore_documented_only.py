"""Names MindSpore 2.10 documents but cannot run on its CPU (no kernel), checked against
their documentation's examples: ``nn.L1LossExt`` (Ascend only), and its gradient
against finite differences."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn

# (reduction, logits, labels, the documented result)
CASES = [
    ("mean", [1, 2, 3], [1, 2, 2], 0.33333334),
    ("none", [1, 2, 3], [[1, 1, 1], [1, 2, 2]], [[0.0, 1.0, 2.0], [0.0, 0.0, 1.0]]),
    ("sum", [1, 2, 3], [[1, 1, 1], [1, 2, 2]], 4.0),
]


@pytest.mark.parametrize("reduction, logits, labels, expected", CASES, ids=str)
def test_l1_loss_ext_as_documented(reduction, logits, labels, expected):
    loss = nn.L1LossExt(reduction=reduction)
    out = loss(Tensor(np.array(logits), ms.float32), Tensor(np.array(labels), ms.float32))
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6)


def test_l1_loss_ext_gradient_matches_finite_differences():
    loss = nn.L1LossExt()
    labels = Tensor(np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]], np.float32))
    x = np.array([1.0, -2.0, 0.7], np.float64)
    grad = ms.grad(lambda a: loss(a, labels))(Tensor(x.astype(np.float32))).asnumpy()
    eps, numeric = 1e-4, np.zeros(3)
    target = labels.asnumpy().astype(np.float64)
    for i in range(3):
        step = np.eye(3)[i] * eps
        numeric[i] = (np.abs(x + step - target).mean()
                      - np.abs(x - step - target).mean()) / (2 * eps)
    np.testing.assert_allclose(grad, numeric, rtol=1e-4)

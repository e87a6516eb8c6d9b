"""MindSpore's cross-entropy and KL primitives give their labels (targets) no gradient:
``SoftmaxCrossEntropyWithLogits`` (``ops`` primitive and ``nn`` loss),
``SigmoidCrossEntropyWithLogits``, ``KLDivLoss`` (``ops.kl_div``, ``nn.KLDivLoss``), each
measured with MindSpore 2.10 (PyNative). Soft labels computed from what is trained (a
distillation teacher's ``softmax``) so got a gradient here that MindSpore never gives:
the losses' values agreed, their gradients silently did not. ``ops.cross_entropy``,
``binary_cross_entropy(_with_logits)`` and ``mse_loss`` differentiate their targets in
MindSpore too, and still do."""
import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

X = Tensor(np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]], np.float32))
Y = Tensor(np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], np.float32))
ZERO = np.zeros((2, 3), np.float32)


@pytest.mark.parametrize("loss", [
    lambda y: ops.SoftmaxCrossEntropyWithLogits()(X, y)[0].sum(),
    lambda y: ops.SoftmaxCrossEntropyWithLogits()(X, y)[1].sum(),
    lambda y: nn.SoftmaxCrossEntropyWithLogits()(X, y).sum(),
    lambda y: ops.SigmoidCrossEntropyWithLogits()(X, y).sum(),
    lambda y: ops.kl_div(ops.log_softmax(X, 1), y, reduction="mean"),
    lambda y: nn.KLDivLoss(reduction="batchmean")(ops.log_softmax(X, 1), y),
    lambda y: ops.KLDivLoss(reduction="sum")(ops.log_softmax(X, 1), y),
], ids=["sce", "sce_dlogits", "nn_sce", "sigmoid_ce", "kl_div", "nn_kl", "P_kl"])
def test_labels_get_no_gradient_as_in_mindspore(loss):
    np.testing.assert_array_equal(ms.grad(loss)(Y).asnumpy(), ZERO)


@pytest.mark.parametrize("loss, measured", [
    (lambda y: ops.cross_entropy(X, y),
     [[0.49938747, 1.2493875, 0.29938748], [0.17606741, 0.8260674, 1.1260674]]),
    (lambda y: ops.binary_cross_entropy_with_logits(X, y, Tensor([1.0, 1.0, 1.0]),
                                                    Tensor([1.0, 1.0, 1.0])),
     [[-0.05, 0.2, -0.11666667], [-0.25, -0.03333333, 0.06666663]]),
    (lambda y: ops.mse_loss(X, y),
     [[-0.03333334, 0.5666667, -0.13333333], [-0.46666667, -0.03333334, 0.40000004]]),
], ids=["cross_entropy", "bce_with_logits", "mse"])
def test_targets_mindspore_differentiates_keep_their_gradient(loss, measured):
    np.testing.assert_allclose(ms.grad(loss)(Y).asnumpy(), measured, rtol=1e-5, atol=1e-6)


class Distill(nn.Cell):
    """A student fitting a trained teacher's soft labels: only the student's logits carry
    the gradient of the KL and cross-entropy terms."""

    def __init__(self):
        super().__init__()
        self.student = nn.Dense(3, 3, weight_init=Tensor(np.eye(3, dtype=np.float32)),
                                bias_init=Tensor(np.zeros(3, np.float32)))
        self.teacher = nn.Dense(3, 3, weight_init=Tensor(np.full((3, 3), 0.5, np.float32)),
                                bias_init=Tensor(np.array([0.1, -0.2, 0.3], np.float32)))
        self.ce = nn.SoftmaxCrossEntropyWithLogits(reduction="mean")

    def construct(self, x):
        soft = ops.softmax(self.teacher(x), -1)
        s = self.student(x)
        return self.ce(s, soft) + ops.kl_div(ops.log_softmax(s, -1), soft, "batchmean")


def test_a_teacher_behind_soft_labels_gets_no_gradient():
    net = Distill()
    grads = ms.grad(net, None, net.trainable_params())(X)
    names = [p.name for p in net.trainable_params()]
    by_name = dict(zip(names, grads))
    np.testing.assert_array_equal(by_name["teacher.weight"].asnumpy(), np.zeros((3, 3)))
    np.testing.assert_array_equal(by_name["teacher.bias"].asnumpy(), np.zeros(3))
    # measured on MindSpore 2.10 (PyNative)
    np.testing.assert_allclose(by_name["student.weight"].asnumpy(),
                               [[0.5576233, 0.03622485, -0.12471774],
                                [-0.13804393, 0.18979402, -0.09415273],
                                [-0.41958135, -0.22601971, 0.21887136]], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(by_name["student.bias"].asnumpy(),
                               [0.39634562, -0.22635178, -0.16999477], rtol=1e-5, atol=1e-6)

"""``ops.ctc_loss`` and ``nn.CTCLoss`` (a CRNN's loss): the values and gradient sums
MindSpore 2.10 printed for the same log-probabilities, and the gradient against central
differences in float64."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

LOGITS = np.random.default_rng(3).standard_normal((6, 3, 5)).astype(np.float32)
TARGETS = [[1, 2, 2], [3, 0, 0], [4, 1, 0]]


# (reduction, blank, targets, input lengths, target lengths, zero_infinity,
#  MindSpore's loss, and the sum of |gradient| of its sum with respect to the logits)
CASES = [
    ("mean", 0, TARGETS, [6, 5, 4], [3, 1, 2], False, 4.69118, 3.99653),
    ("sum", 0, TARGETS, [6, 5, 4], [3, 1, 2], False, 21.13864, 18.92085),
    ("none", 0, TARGETS, [6, 5, 4], [3, 1, 2], False, [8.02965, 9.68501, 3.42399], 18.92085),
    ("none", 4, [[1, 2, 2], [3, 0, 0], [0, 1, 0]], [6, 6, 3], [3, 0, 2], False,
     [9.76442, 12.37227, 1.84807], 20.18643),
    # the second target cannot fit in two steps: inf, with a zero gradient ...
    ("none", 0, [[1, 1, 1], [3, 3, 0], [2, 0, 0]], [6, 2, 5], [3, 2, 1], True,
     [8.878, np.inf, 6.78631], 13.85057),
    # ... or a NaN one without zero_infinity
    ("none", 0, [[1, 1, 1], [3, 3, 0], [2, 0, 0]], [6, 2, 5], [3, 2, 1], False,
     [8.878, np.inf, 6.78631], np.nan),
]


def ctc_total(z, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    loss, _ = ops.ctc_loss(ops.log_softmax(z, axis=-1), targets, input_lengths,
                           target_lengths, blank, reduction, zero_infinity)
    return loss.sum()


@pytest.mark.parametrize("reduction, blank, targets, lengths, target_lengths, zero_inf, "
                         "loss, gradient", CASES,
                         ids=["mean", "sum", "none", "blank_4", "zero_infinity", "infinite"])
def test_ctc_loss_as_mindspore(reduction, blank, targets, lengths, target_lengths, zero_inf,
                               loss, gradient):
    t, a, b = (Tensor(np.array(v, np.int32)) for v in (targets, lengths, target_lengths))
    got, log_alpha = ops.ctc_loss(ops.log_softmax(Tensor(LOGITS), axis=-1), t, a, b, blank,
                                  reduction, zero_inf)
    np.testing.assert_allclose(got, loss, rtol=2e-5)
    assert log_alpha.shape == (3, 6, 2 * len(targets[0]) + 1)
    g = ms.grad(ctc_total)(Tensor(LOGITS), t, a, b, blank, reduction, zero_inf)
    np.testing.assert_allclose(np.abs(g).sum(), gradient, rtol=2e-5)


def test_the_cell_and_its_gradient_against_central_differences():
    """nn.CTCLoss as a CRNN uses it (MindSpore's repro: loss 3.85041, |grad| sum 4.17207)
    and, in float64, the gradient of every logit against central differences."""
    logits = np.random.default_rng(0).standard_normal((5, 2, 4)).astype(np.float32)
    t = Tensor(np.array([[1, 2], [3, 0]], np.int32))
    a, b = Tensor(np.array([5, 5], np.int32)), Tensor(np.array([2, 1], np.int32))
    ctc = nn.CTCLoss(blank=0, reduction="mean")
    loss, g = ms.value_and_grad(lambda z: ctc(ops.log_softmax(z, axis=-1), t, a, b))(
        Tensor(logits))
    assert float(loss) == pytest.approx(3.850410, rel=2e-6)
    assert float(np.abs(g).sum()) == pytest.approx(4.172074, rel=2e-6)
    z64 = logits.astype(np.float64)

    def f(z):
        return ctc_total(z, t, a, b, 0, "mean", False)

    np.testing.assert_allclose(ms.grad(f)(z64), central_differences(f, z64), rtol=1e-6,
                               atol=1e-9)


class LogitsCTC(nn.Cell):
    def __init__(self):
        super().__init__()
        self.loss = nn.CTCLoss(blank=0, reduction="mean")

    def construct(self, logits, targets, input_lengths, target_lengths):
        return self.loss(ops.log_softmax(logits, axis=-1), targets, input_lengths,
                         target_lengths)


def test_targets_and_lengths_among_all_inputs_get_int_zeros():
    """``GradOperation(get_all=True)`` on a CTC net differentiates the int32 targets and
    lengths too (MindSpore's CTC op tests do): int32 zeros there, measured on MindSpore
    2.10, and the logits' gradient as ``grad`` gives it. They were refused, the lengths
    being cast, divided by and read in the loop over time."""
    logits = Tensor(np.random.default_rng(0).standard_normal((5, 2, 4)).astype(np.float32))
    t = Tensor(np.array([[1, 2], [3, 0]], np.int32))
    a, b = Tensor(np.array([5, 4], np.int32)), Tensor(np.array([2, 1], np.int32))
    net = LogitsCTC()
    g_logits, g_t, g_a, g_b = ops.GradOperation(get_all=True)(net)(logits, t, a, b)
    for g, shape in ((g_t, (2, 2)), (g_a, (2,)), (g_b, (2,))):
        assert g.dtype == np.int32 and g.shape == shape and not np.asarray(g).any()
    np.testing.assert_allclose(g_logits, ms.grad(net)(logits, t, a, b), rtol=1e-6)


# P.CTCLoss as CRNN and CNN-CTC scripts call it: unnormalised inputs (T, N, C), the blank
# the last class, sparse labels; MindSpore 2.10's losses and gradient (measured)
SPARSE_X = np.random.RandomState(5).standard_normal((6, 2, 4)).astype(np.float32)
SPARSE = (Tensor(np.array([[0, 0], [0, 1], [0, 2], [1, 0], [1, 1]], np.int64)),
          Tensor(np.array([1, 1, 2, 0, 2], np.int32)), Tensor(np.array([6, 5], np.int32)))


@pytest.mark.parametrize("collapse, loss, first_row", [
    (False, [6.23944, 4.083691], [0.107827, -0.792246, 0.788449, -0.104029]),
    (True, [5.477306, 4.083691], [0.107827, -0.277719, 0.788449, -0.618556]),
], ids=["plain", "preprocess_collapse_repeated"])
def test_the_ctc_loss_primitive_of_sparse_labels_is_mindspores(collapse, loss, first_row):
    op = ops.operations.CTCLoss(preprocess_collapse_repeated=collapse)
    values, gradient = op(Tensor(SPARSE_X), *SPARSE)
    np.testing.assert_allclose(values, loss, rtol=1e-5)
    np.testing.assert_allclose(gradient[0, 0], first_row, atol=2e-6)
    np.testing.assert_array_equal(gradient[5, 1], 0.0)  # past the second's length
    grad = ms.grad(lambda x: op(x, *SPARSE)[0].sum())(Tensor(SPARSE_X))
    np.testing.assert_allclose(grad, gradient, atol=1e-6)


def test_the_ctc_loss_primitive_gradient_against_central_differences():
    op = ops.operations.CTCLoss(preprocess_collapse_repeated=True)
    x = SPARSE_X.astype(np.float64)

    def loss(x):
        return (op(x, *SPARSE)[0] * np.array([1.0, -0.5])).sum()

    np.testing.assert_allclose(ms.grad(loss)(x), central_differences(loss, x), rtol=1e-6,
                               atol=1e-8)


def test_the_ctc_loss_primitive_refuses_unmerged_repeats():
    with pytest.raises(ValueError, match="ctc_merge_repeated=False"):
        ops.operations.CTCLoss(ctc_merge_repeated=False)

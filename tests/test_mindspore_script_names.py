"""Names MindSpore training scripts and model zoos use, each an AttributeError before:
``ops.Print``, the summary operators and ``SummaryCollector`` (accepted; nothing is
written for MindInsight), the auto-parallel context on one device, ``ops.constexpr``,
and the primitive classes ``MatrixInverse``, ``ReverseSequence`` and
``ResizeNearestNeighbor`` (values against their definitions, gradients against central
differences)."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, context, nn, ops, train

RNG = np.random.default_rng(4)


class Logged(nn.Cell):
    def __init__(self):
        super().__init__()
        self.print = ops.Print()
        self.loss_summary = ops.ScalarSummary()
        self.histogram = ops.HistogramSummary()

    def construct(self, x):
        loss = (x ** 2).sum()
        self.print("loss:", loss)
        self.loss_summary("loss", loss)
        self.histogram("x", x)
        return loss


def test_print_and_summaries_inside_a_differentiated_construct(capsys):
    x = np.array([1.0, -2.0])
    value, grad = ms.value_and_grad(Logged())(Tensor(x))
    np.testing.assert_allclose([float(value), *grad.asnumpy()], [5.0, 2.0, -4.0])
    assert capsys.readouterr().out == "loss:\n5.0\n"


def test_a_summary_collector_leaves_training_as_it_is(tmp_path):
    def trained(callbacks):
        ms.set_seed(1)
        net = nn.Dense(3, 1)
        model = train.Model(net, nn.MSELoss(), nn.SGD(net.trainable_params(), 0.1))
        data = ms.dataset.NumpySlicesDataset(
            {"x": RNG.standard_normal((8, 3)).astype(np.float32),
             "y": np.ones((8, 1), np.float32)}, shuffle=False).batch(4)
        model.train(2, data, callbacks=callbacks)
        return net.weight.asnumpy()

    state = RNG.bit_generator.state
    plain = trained([])
    RNG.bit_generator.state = state
    collected = trained([train.SummaryCollector(str(tmp_path / "summary"), collect_freq=1)])
    np.testing.assert_array_equal(collected, plain)
    assert not any(tmp_path.iterdir())  # (nothing written)


def test_the_auto_parallel_context_on_one_device():
    context.set_auto_parallel_context(parallel_mode=context.ParallelMode.DATA_PARALLEL,
                                      gradients_mean=True, device_num=1)
    try:
        assert ms.get_auto_parallel_context("parallel_mode") == "data_parallel"
        assert ms.get_auto_parallel_context("gradients_mean") is True
        with pytest.raises(RuntimeError, match="one device"):
            ms.set_auto_parallel_context(device_num=8)
        with pytest.raises(ValueError, match="parallel_mode"):
            ms.set_auto_parallel_context(parallel_mode="everywhere")
        with pytest.raises(ValueError, match="not recognized"):
            ms.set_auto_parallel_context(gradient_mean=True)
    finally:
        ms.reset_auto_parallel_context()
    assert ms.get_auto_parallel_context("parallel_mode") == ms.ParallelMode.STAND_ALONE


@ops.constexpr
def _halved(n):
    return n // 2


def test_constexpr_functions_are_called_as_written():
    x = np.arange(6.0)
    np.testing.assert_allclose(ms.grad(lambda v: (v[:_halved(v.shape[0])] ** 2).sum())(x),
                               [0.0, 2.0, 4.0, 0.0, 0.0, 0.0])


def _nearest_by_definition(x, size, align_corners):
    (m, k), (n, j) = x.shape[-2:], size
    def at(count, length, i):
        if align_corners and count > 1:
            return min(int(np.round(i * (length - 1) / (count - 1))), length - 1)
        return min(int(np.floor(i * length / count)), length - 1)
    out = np.empty((*x.shape[:-2], n, j))
    for r in range(n):
        for c in range(j):
            out[..., r, c] = x[..., at(n, m, r), at(j, k, c)]
    return out


SQUARE = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
IMAGE = RNG.standard_normal((1, 2, 3, 4))
SEQUENCES = RNG.standard_normal((3, 4, 2))
PRIMITIVES = {  # name: (the op, its argument, its definition)
    "MatrixInverse": (lambda a: ops.MatrixInverse()(a), SQUARE, np.linalg.inv),
    "MatrixInverse-adjoint": (lambda a: ops.MatrixInverse(adjoint=True)(a), SQUARE,
                              lambda a: np.linalg.inv(np.swapaxes(a, -1, -2))),
    "ReverseSequence": (lambda a: ops.ReverseSequence(seq_dim=1)(a, Tensor(np.array([2, 4, 1]))),
                        SEQUENCES, lambda a: np.stack([np.concatenate([s[:n][::-1], s[n:]])
                                                       for s, n in zip(a, [2, 4, 1])])),
    "ResizeNearestNeighbor": (lambda a: ops.ResizeNearestNeighbor((5, 3))(a), IMAGE,
                              lambda a: _nearest_by_definition(a, (5, 3), False)),
    "ResizeNearestNeighbor-corners": (
        lambda a: ops.ResizeNearestNeighbor((5, 7), align_corners=True)(a), IMAGE,
        lambda a: _nearest_by_definition(a, (5, 7), True)),
}


@pytest.mark.parametrize("name", PRIMITIVES)
def test_primitive_matches_its_definition_and_finite_differences(name):
    op, x, definition = PRIMITIVES[name]
    np.testing.assert_allclose(op(Tensor(x)).asnumpy(), definition(x), rtol=1e-12)
    weights = np.linspace(-1.0, 2.0, definition(x).size).reshape(definition(x).shape)
    loss = lambda a: (op(a) * Tensor(weights)).sum()
    np.testing.assert_allclose(ms.grad(loss)(Tensor(x)).asnumpy(),
                               central_differences(lambda a: float(loss(Tensor(a))), x),
                               rtol=1e-6, atol=1e-8)

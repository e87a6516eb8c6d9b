"""``mindspore.nn.probability.distribution`` (``Normal``, ``Categorical``, ``Bernoulli``),
which policy-gradient and variational programs import as ``msd``, against what MindSpore
2.10 (CPU) gave for the same calls (``distribution_cases``,
``data/mindspore_distribution.json``): values, shapes and dtypes, the refusals, and a
gradient through every method a loss uses."""
from __future__ import annotations

import json
from pathlib import Path

import distribution_cases
import numpy as np
import pytest
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_distribution.json")
                      .read_text())
# MindSpore's CPU softmax/log_softmax leave 5e-5 relative in this KL (0.0880195 against
# 0.2 ln(2/3) + 0.5 ln(5/3) + 0.3 ln(3/4) = 0.0880152, the package's)
LOOSER = {"cat_kl": 1e-4}

ours = measured_fixture(lambda: distribution_cases.measure(ms))


@pytest.mark.parametrize("case", [k for k in MEASURED if k != "mindspore"])
def test_distribution_calls_give_mindspores_results(ours, case):
    theirs, mine = MEASURED[case], ours[case]
    if isinstance(theirs, dict):
        assert mine == theirs
        return
    assert [(a["shape"], a["dtype"]) for a in mine] == \
        [(a["shape"], a["dtype"]) for a in theirs]
    if case != "sample_dtypes":  # (random draws)
        for a, b in zip(mine, theirs):
            np.testing.assert_allclose(np.array(a["v"], float), np.array(b["v"], float),
                                       rtol=LOOSER.get(case, 1e-5), atol=1e-6)


class Policy(nn.Cell):
    """A Cell calling its distributions by method name, inside value_and_grad."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Dense(2, 2)
        self.fc.weight.set_data(Tensor(np.array([[0.5, -0.2], [0.1, 0.3]], np.float32)))
        self.fc.bias.set_data(Tensor(np.zeros(2, np.float32)))
        self.normal = nn.probability.distribution.Normal(dtype=ms.float32)
        self.bernoulli = nn.probability.distribution.Bernoulli(dtype=ms.int32)

    def construct(self, x, a):
        mu = self.fc(x)
        return (self.normal("log_prob", a, mu, Tensor(np.float32(0.7))).sum()
                + self.bernoulli("log_prob", (a > 0).astype(ms.int32), ops.sigmoid(mu)).sum()
                + self.normal("kl_loss", "Normal", Tensor(np.float32(0.0)),
                              Tensor(np.float32(1.0)), mu, Tensor(np.float32(0.8))).sum())


def test_a_cell_calling_distributions_by_name_trains_as_mindspores():
    net = Policy()
    x = Tensor(np.array([[1.0, 2.0], [0.5, -1.0]], np.float32))
    a = Tensor(np.array([[0.2, -0.1], [0.4, 0.9]], np.float32))
    loss, (g_weight, g_bias) = ms.value_and_grad(net, None, net.trainable_params())(x, a)
    # measured on MindSpore 2.10 (CPU, PYNATIVE)
    np.testing.assert_allclose(loss.asnumpy(), -6.7760572, rtol=1e-6)
    np.testing.assert_allclose(g_weight.asnumpy(), [[1.14776242, 0.820885181],
                                                    [-0.271283507, -5.86079788]], rtol=1e-5)
    np.testing.assert_allclose(g_bias.asnumpy(), [1.51642227, 1.05827415], rtol=1e-5)


def test_the_module_imports_by_mindspores_path():
    import autodiff_compiler.nn.probability.distribution as msd
    assert msd.Normal is nn.probability.distribution.Normal
    from autodiff_compiler.nn.probability.distribution import Categorical
    assert Categorical(Tensor(np.array([0.5, 0.5], np.float32))).get_dist_type() == \
        "Categorical"

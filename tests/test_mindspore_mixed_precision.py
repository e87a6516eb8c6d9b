"""Mixed precision as MindSpore 2.10 runs it on CPU: ``to_float(float16)`` and
``amp.auto_mixed_precision`` at O1 and O2 compute in float16 (inputs cast on entry,
float32 Parameters read as float16 inside each Cell, float32 outputs), and gradients
come back float32. Every number below was printed by MindSpore 2.10 for the same
network and data; they were refused here before."""
import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, amp, nn


def network():
    """Dense(6, 8) -> BatchNorm1d -> ReLU -> Dense(8, 3), weights from a fixed seed."""
    r = np.random.default_rng(1)
    d1, d2 = nn.Dense(6, 8), nn.Dense(8, 3)
    d1.weight.set_data(Tensor((r.standard_normal((8, 6)) / 3).astype(np.float32)))
    d1.bias.set_data(Tensor(np.zeros(8, np.float32)))
    d2.weight.set_data(Tensor((r.standard_normal((3, 8)) / 3).astype(np.float32)))
    d2.bias.set_data(Tensor(np.zeros(3, np.float32)))
    return nn.SequentialCell([d1, nn.BatchNorm1d(8), nn.ReLU(), d2])


DATA = np.random.default_rng(0)
X = DATA.standard_normal((16, 6)).astype(np.float32)
Y = DATA.integers(0, 3, 16).astype(np.int32)
EVAL = [0.08105469, -0.06665039, 0.08502197, 0.13842773, 0.2133789, 0.046539307]


@pytest.mark.parametrize("level", ["O1", "O2", "O3"])
def test_levels_compute_in_float16_with_float32_outputs(level):
    net = amp.auto_mixed_precision(network(), level)
    out = net(Tensor(X[:2]))
    assert out.dtype == np.float32 and isinstance(out, Tensor)
    np.testing.assert_allclose(out.asnumpy().ravel(), EVAL, rtol=1e-6)
    # the same through compiled code, and its gradient float32 for float32 Parameters
    value, grads = ms.value_and_grad(lambda x: net(x).sum(), None, net.trainable_params())(
        Tensor(X[:2]))
    np.testing.assert_allclose(value, np.sum(EVAL), rtol=1e-5)
    assert all(g.dtype == np.float32 for g in grads)


def test_to_float16_gives_float16_outputs():
    net = network()
    net.to_float(ms.float16)
    out = net(Tensor(X[:2]))
    assert out.dtype == np.float16
    np.testing.assert_allclose(out.astype(np.float32).ravel(),
                               [0.08105, -0.06665, 0.085, 0.1384, 0.2134, 0.04654], rtol=1e-3)
    assert all(p.dtype == np.float32 for p in net.trainable_params())  # kept float32
    net.to_float(ms.float32)
    assert net(Tensor(X[:2])).dtype == np.float32


@pytest.mark.parametrize("level, train, losses, checksum", [
    # never set_train: BatchNorm normalises with its moving statistics
    ("O1", False, [1.1741394, 1.1569573, 1.1283227, 1.0937946], -0.80429608),
    ("O2", False, [1.1741394, 1.1569573, 1.1283227, 1.0937946], -0.80429608),
    ("O2", True, [1.3137362, 1.2628090, 1.1784203, 1.0955616], -0.68009508),
])
def test_momentum_training_in_mixed_precision_follows_mindspore(level, train, losses,
                                                                checksum):
    net = amp.auto_mixed_precision(network(), level)
    net.set_train(train)
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    step = ms.value_and_grad(lambda x, y: loss_fn(net(x), y), None, opt.parameters)
    got = []
    for _ in range(4):
        loss, grads = step(Tensor(X), Tensor(Y))
        opt(grads)
        got.append(float(loss))
    np.testing.assert_allclose(got, losses, rtol=2e-5)
    np.testing.assert_allclose(float(net.trainable_params()[0].asnumpy().sum()), checksum,
                               rtol=1e-4)


def test_model_trains_at_amp_level_o2_as_mindspore():
    """Model(amp_level="O2", loss_scale_manager=None): MindSpore's first weight sums to
    0.1927 after two epochs (O3 trains the same on CPU)."""
    def batches():
        for i in range(4):
            yield X[i * 4:(i + 1) * 4], Y[i * 4:(i + 1) * 4]

    for level in ("O2", "O3"):
        net = network()
        model = ms.train.Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True,
                                                                     reduction="mean"),
                               nn.Momentum(net.trainable_params(), 0.1, 0.9),
                               amp_level=level, loss_scale_manager=None)
        model.train(2, ms.dataset.GeneratorDataset(batches, ["x", "y"], shuffle=False))
        assert net.trainable_params()[0].dtype == np.float32
        np.testing.assert_allclose(float(net.trainable_params()[0].asnumpy().sum()), 0.1927,
                                   atol=6e-5)


@pytest.mark.parametrize("level", ["O2", "O3"])
def test_a_model_at_o2_keeps_its_network_float16_and_casts_for_the_loss(level):
    """MindSpore 2.10 (measured): ``build_train_network`` at O2/O3 turns the network
    itself to float16 (``net(x)`` and ``Model.predict`` give float16); only its loss
    cell, and ``Model``'s ``WithEvalCell(add_cast_fp32=True)``, cast to float32."""
    net = network()
    model = ms.Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"),
                     nn.Momentum(net.trainable_params(), 0.05, 0.9), metrics={"loss"},
                     amp_level=level,
                     loss_scale_manager=ms.FixedLossScaleManager(1.0, drop_overflow_update=False))
    assert net(Tensor(X[:2])).dtype == np.float16
    assert model.predict(Tensor(X[:2])).dtype == np.float16
    assert model.eval_network.add_cast_fp32
    loss, outputs, label = model.eval_network(Tensor(X[:2]), Tensor(Y[:2]))
    assert outputs.dtype == np.float32 and loss.dtype == np.float32 and label.dtype == np.int32
    step_loss = model.train_network(Tensor(X[:4]), Tensor(Y[:4]))
    assert step_loss.dtype == np.float32

"""What an optimizer holds, and so what its checkpoint holds, against MindSpore 2.10
(CPU): ``global_step`` an int32 Parameter of shape [1] a schedule can be called with,
the learning rate as a Parameter (a list of rates as one, a schedule as none), the
network's Parameters it updates under their own names, then its state
(``beta1_power``, ``moment1.fc.weight``...). The names, shapes, dtypes and values
(to 5 decimals) below were printed by MindSpore after one step with all-ones gradients; a checkpoint
MindSpore wrote (``data/mindspore_adam_after_3_steps.ckpt``) resumes training here with
MindSpore's losses. Also the names a Cell's Parameters get when it is held by several
parents, as MindSpore gives them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

F32, I32 = "float32", "int32"
NET = [("fc.weight", (2, 3), F32), ("fc.bias", (2,), F32), ("bn.gamma", (2,), F32),
       ("bn.beta", (2,), F32)]


def _each(prefix: str, value: float) -> list:
    return [(f"{prefix}.{name}", shape, F32, value) for name, shape, _ in NET]


ADAM = [("beta1_power", (), F32, 0.9), ("beta2_power", (), F32, 0.999),
        *_each("moment1", 0.1), *_each("moment2", 0.001)]
MOMENTUM = [("momentum", (), F32, 0.9), *_each("moments", 1.0)]
SGD = [("momentum", (), F32, 0.0), *_each("accum", 0.0), *_each("stat", 1.0)]
SGD_MOMENTUM = [("momentum", (), F32, 0.9), *_each("accum", 1.0), *_each("stat", 0.0)]
RMSPROP_CENTERED = [*_each("mean_grad", 0.1), *_each("mean_square", 1.0),
                    *_each("moment", 0.1005)]
OPTIMIZERS = {
    "Adam": (lambda ps, lr: nn.Adam(ps, lr), ADAM),
    "Momentum": (lambda ps, lr: nn.Momentum(ps, lr, 0.9), MOMENTUM),
    "SGD": (lambda ps, lr: nn.SGD(ps, lr), SGD),
    "SGD-momentum": (lambda ps, lr: nn.SGD(ps, lr, momentum=0.9), SGD_MOMENTUM),
    "RMSProp-centered": (lambda ps, lr: nn.RMSProp(ps, lr, centered=True), RMSPROP_CENTERED),
}
RATES = {  # the rate given, and the entries MindSpore writes for it before / after the rest
    "float": (0.1, [("learning_rate", (), F32, 0.1)], []),
    "list": ([0.1, 0.05, 0.02], [], [("learning_rate", (3,), F32, 0.1)]),
    "schedule": (nn.ExponentialDecayLR(0.1, 0.9, 1), [], []),
}


class Net(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Dense(3, 2)
        self.bn = nn.BatchNorm1d(2)

    def construct(self, x):
        return self.bn(self.fc(x))


@pytest.mark.parametrize("rate", list(RATES))
@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_an_optimizers_checkpoint_holds_what_mindspore_writes(kind, rate, tmp_path):
    make, state = OPTIMIZERS[kind]
    lr, before, after = RATES[rate]
    opt = make(Net().trainable_params(), lr)
    opt(tuple(ops.ones_like(p) for p in opt.parameters))
    path = str(tmp_path / "opt.ckpt")
    ms.save_checkpoint(opt, path)
    saved = ms.load_checkpoint(path)
    want = [("global_step", (1,), I32, 1), *before, *[(*entry, None) for entry in NET],
            *state, *after]
    assert [(k, tuple(v.shape), str(np.asarray(v).dtype)) for k, v in saved.items()] == \
        [entry[:3] for entry in want]
    for name, _, _, value in want:
        if value is not None:
            np.testing.assert_allclose(np.asarray(saved[name]).reshape(-1)[0], value,
                                       rtol=0, atol=5e-6)  # MindSpore's, to 5 decimals


def test_global_step_is_a_parameter_a_schedule_is_called_with():
    net = nn.Dense(2, 1)
    opt = nn.SGD(net.trainable_params(), learning_rate=nn.ExponentialDecayLR(0.1, 0.9, 1))
    opt(tuple(ops.ones_like(p) for p in net.trainable_params()))
    assert isinstance(opt.global_step, ms.Parameter)
    assert opt.global_step.dtype == np.int32 and opt.global_step.asnumpy().tolist() == [1]
    rate = opt.learning_rate(opt.global_step)  # MindSpore 2.10: [0.09], shape [1]
    assert rate.shape == (1,)
    np.testing.assert_allclose(rate.asnumpy(), [0.09], rtol=1e-6)
    assert opt.learning_rate(Tensor(np.int32(2))).shape == ()


def test_a_list_of_rates_is_a_cell_holding_them_as_one_parameter():
    opt = nn.Adam(nn.Dense(2, 1).trainable_params(), [0.1, 0.05])
    opt(tuple(ops.ones_like(p) for p in opt.parameters))
    np.testing.assert_allclose(opt.learning_rate(opt.global_step).asnumpy(), [0.05])
    np.testing.assert_allclose(float(opt.get_lr()), 0.05)
    assert [n for n, _ in opt.cells_and_names()] == ["", "learning_rate"]


def _adam():
    net = nn.Dense(3, 2, weight_init="ones", bias_init="zeros")
    opt = nn.Adam(net.trainable_params(), learning_rate=0.1)
    step = ms.value_and_grad(lambda x, y: ((net(x) - y) ** 2).mean(), None, opt.parameters)
    return net, opt, step


RNG = np.random.default_rng(0)
X = RNG.standard_normal((5, 4, 3)).astype(np.float32)
Y = RNG.standard_normal((5, 4, 2)).astype(np.float32)
LOSSES = [4.300465, 4.465123, 2.44144, 3.139314, 2.45782]  # MindSpore 2.10, steps 0-4


def _train(step, opt, steps) -> list[float]:
    losses = []
    for s in steps:
        loss, grads = step(Tensor(X[s]), Tensor(Y[s]))
        opt(grads)
        losses.append(float(loss))
    return losses


def test_a_checkpoint_mindspore_wrote_resumes_adam_with_its_losses():
    """MindSpore's Adam checkpoint after three steps holds the weights too: loading it
    into a fresh optimizer restores the network and the moments and powers."""
    _, opt, step = _adam()
    saved = ms.load_checkpoint(str(Path(__file__).parent / "data"
                                   / "mindspore_adam_after_3_steps.ckpt"))
    assert ms.load_param_into_net(opt, saved) == ([], [])
    np.testing.assert_allclose(_train(step, opt, range(3, 5)), LOSSES[3:], rtol=1e-5)


def test_our_checkpoint_resumes_adam_with_mindspores_losses(tmp_path):
    _, opt, step = _adam()
    np.testing.assert_allclose(_train(step, opt, range(3)), LOSSES[:3], rtol=1e-5)
    ms.save_checkpoint(opt, str(tmp_path / "opt.ckpt"))
    _, opt, step = _adam()
    assert ms.load_param_into_net(opt, ms.load_checkpoint(str(tmp_path / "opt.ckpt"))) == \
        ([], [])
    np.testing.assert_allclose(_train(step, opt, range(3, 5)), LOSSES[3:], rtol=1e-5)


class Wrap(nn.Cell):
    def __init__(self, model):
        super().__init__()
        self.model = model


class Problem(nn.Cell):  # MindFlow's pattern: one model held by the loss and its grad
    def __init__(self, model):
        super().__init__()
        self.model = model
        self.grad1 = Wrap(model)


class Two(nn.Cell):
    def __init__(self, a, b):
        super().__init__()
        self.a, self.b = a, b


class NoPrefix(nn.Cell):
    def __init__(self, model):
        super().__init__(auto_prefix=False)
        self.inner = model


def _problem():
    seq = nn.SequentialCell([nn.Dense(2, 2), nn.ReLU(), nn.Dense(2, 1)])
    Problem(seq)
    return seq


def _named(make):
    def build():
        d = nn.Dense(2, 1)
        make(d)
        return d
    return build


NAMINGS = [  # a layout, the names MindSpore 2.10 gives the inner Parameters
    (_problem, ["grad1.model.0.weight", "grad1.model.0.bias", "grad1.model.2.weight",
                "grad1.model.2.bias"]),
    (_named(lambda d: Two(d, d)), ["b.weight", "b.bias"]),
    (_named(lambda d: Wrap(Wrap(d))), ["model.model.weight", "model.model.bias"]),
    (_named(lambda d: NoPrefix(Wrap(d))), ["model.weight", "model.bias"]),
    (_named(lambda d: Wrap(NoPrefix(d))), ["model.inner.weight", "model.inner.bias"]),
    (_named(lambda d: Wrap(nn.CellList([d]))), ["model.0.weight", "model.0.bias"]),
]


@pytest.mark.parametrize("build, names", NAMINGS)
def test_a_cell_held_by_several_parents_is_named_by_the_last_path(build, names):
    assert [p.name for p in build().get_parameters()] == names

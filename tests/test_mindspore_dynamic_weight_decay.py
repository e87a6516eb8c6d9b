"""A Cell given as an optimizer's ``weight_decay`` (MindSpore's dynamic weight decay,
from its optimizer tutorial): called with the global step before each step advances it.
The package raised a TypeError multiplying the Cell by the loss scale. Values are
MindSpore 2.10's (CPU, PYNATIVE mode)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops


class ExpDecay(nn.Cell):
    def __init__(self, weight_decay, decay_rate, decay_steps):
        super().__init__()
        self.weight_decay, self.decay_rate, self.decay_steps = weight_decay, decay_rate, decay_steps

    def construct(self, global_step):
        p = global_step / self.decay_steps
        return self.weight_decay * ops.pow(self.decay_rate, p)


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([1.0, -2.0], np.float32)), name="w")
        self.gamma = Parameter(Tensor(np.array([0.5], np.float32)), name="gamma")

    def construct(self, x):
        return ((x * self.w).sum() * self.gamma).sum() ** 2


class DecayingOptimizer(nn.Optimizer):
    def __init__(self, params, lr, weight_decay):
        super().__init__(lr, params, weight_decay)

    def construct(self, gradients):
        gradients = self.decay_weight(gradients)
        lr = self.get_lr()
        for p, g in zip(self.parameters, gradients):
            ops.assign(p, p - lr * g)
        self.assignadd(self.global_step, self.global_step_increase_tensor)
        return True


def _trained(make):
    net = Net()
    opt = make(net)
    step = ms.value_and_grad(net, None, opt.parameters)
    x = Tensor(np.array([0.3, 0.4], np.float32))
    for _ in range(3):
        _, grads = step(x)
        opt(grads)
    return [p.asnumpy() for p in net.trainable_params()]


@pytest.mark.parametrize("make, expected", [
    (lambda n: nn.Momentum(n.trainable_params(), 0.1, 0.9, weight_decay=ExpDecay(0.5, 0.1, 2)),
     ([0.8683480620384216, -1.613904356956482], [0.3767814636230469])),
    (lambda n: nn.Momentum([{"params": [n.w], "weight_decay": ExpDecay(0.5, 0.1, 2)},
                            {"params": [n.gamma]}], 0.1, 0.9),
     ([0.8683480620384216, -1.613904356956482], [0.3767814636230469])),
    (lambda n: nn.Adam(n.trainable_params(), 0.1, weight_decay=ExpDecay(0.5, 0.1, 2),
                       loss_scale=4.0),
     ([0.7465637922286987, -1.741963267326355], [0.2060626596212387])),
    (lambda n: DecayingOptimizer(n.trainable_params(), 0.1, ExpDecay(0.5, 0.1, 2)),
     ([0.9496058225631714, -1.834873080253601], [0.43523597717285156])),
])
def test_weight_decay_cell_follows_the_global_step(make, expected):
    for got, want in zip(_trained(make), expected):
        np.testing.assert_allclose(got, want, rtol=1e-5)


def test_weight_decay_cell_value_and_sgd_refusal():
    opt = nn.Momentum(Net().trainable_params(), 0.1, 0.9, weight_decay=ExpDecay(0.5, 0.1, 2))
    np.testing.assert_allclose(opt.get_weight_decay().asnumpy(), [0.5])
    with pytest.raises(TypeError):  # MindSpore's SGD refuses a dynamic weight decay
        nn.SGD(Net().trainable_params(), 0.1, weight_decay=ExpDecay(0.5, 0.1, 2))

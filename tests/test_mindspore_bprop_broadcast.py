"""A Cell's ``bprop`` that returns an input's gradient in the broadcast shape (``dout * x``
for a Parameter ``w`` that ``x * w`` broadcast): MindSpore (PYNATIVE mode) sums it down
to the input's shape; the package refused the call. Values are MindSpore 2.10's (CPU,
PYNATIVE mode)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn
from autodiff_compiler.errors import AutodiffError


class ScaleGrad(nn.Cell):
    def construct(self, x, y):
        return x * y

    def bprop(self, x, y, out, dout):
        return dout * y * 0.5, dout * x


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.m = ScaleGrad()
        self.g = Parameter(Tensor(np.array([1.0, 2.0], np.float32)), name="g")

    def construct(self, x):
        return self.m(x, self.g)


class WrongShape(nn.Cell):
    def construct(self, x):
        return x * 2

    def bprop(self, x, out, dout):
        return (dout[:1],)


X = Tensor(np.arange(6, dtype=np.float32).reshape(3, 2))


def test_bprop_gradient_of_a_broadcast_parameter_is_summed():
    net = Net()
    gx, (gw,) = ms.grad(net, 0, net.trainable_params())(X)
    np.testing.assert_allclose(gx.asnumpy(), [[0.5, 1.0]] * 3)
    np.testing.assert_allclose(gw.asnumpy(), [6.0, 9.0])


def test_bprop_gradient_of_a_broadcast_argument_is_summed():
    ga, gb = ms.grad(lambda a, b: ScaleGrad()(a, b), (0, 1))(X, Tensor(np.array([1.0, 2.0],
                                                                              np.float32)))
    np.testing.assert_allclose(ga.asnumpy(), [[0.5, 1.0]] * 3)
    np.testing.assert_allclose(gb.asnumpy(), [6.0, 9.0])
    assert gb.shape == (2,)


def test_bprop_gradient_that_does_not_broadcast_is_refused():
    with pytest.raises(AutodiffError, match="shape"):
        ms.grad(lambda a: WrongShape()(a).sum())(X)

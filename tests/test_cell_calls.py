"""A Cell's call compiled as Python runs it: where its class writes its own
``__call__`` (around ``super().__call__``, or ``construct`` itself), that is what a
transform of the Cell, or a call of it in a differentiated function, compiles. The
override was skipped for ``construct``: a gradient of another function than the
one the Cell computes when called."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import nn

X = np.array([0.5, -1.0, 2.0])


class Cubes(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = ms.Parameter(ms.Tensor(np.array([1.5, -0.5, 0.25])), name="w")

    def construct(self, a):
        return (self.w * a ** 3).sum()


class Doubled(Cubes):
    def __call__(self, *args):
        return super().__call__(*args) * 2


class Shifted(Cubes):
    def __call__(self, a):
        return self.construct(a + 1.0)


class Explicit(Cubes):
    def __call__(self, a):
        return nn.Cell.__call__(self, a * a)


class Inherited(Doubled):
    pass


@pytest.mark.parametrize("cls", [Doubled, Shifted, Explicit, Inherited])
def test_a_cells_own_call_is_what_is_differentiated(cls):
    net = cls()
    eager = lambda a: float(net(ms.Tensor(a)))
    for fn, scale in ((net, 1.0), (lambda a: net(a), 1.0), (lambda a: 3.0 * net(a), 3.0)):
        value, grad = ms.value_and_grad(fn)(ms.Tensor(X))
        np.testing.assert_allclose(float(value), scale * eager(X))
        np.testing.assert_allclose(grad.asnumpy(), scale * central_differences(eager, X),
                                   rtol=1e-6, atol=1e-8)
    (w_grad,) = ms.grad(net, None, net.trainable_params())(ms.Tensor(X))
    w = net.w.asnumpy().copy()

    def of_w(v):
        net.w.set_data(ms.Tensor(v))
        return eager(X)

    expected = central_differences(of_w, w)
    net.w.set_data(ms.Tensor(w))
    np.testing.assert_allclose(w_grad.asnumpy(), expected, rtol=1e-6, atol=1e-8)


def test_a_cell_without_its_own_call_runs_construct():
    net = Cubes()
    np.testing.assert_allclose(ms.grad(net)(ms.Tensor(X)).asnumpy(),
                               3 * net.w.asnumpy() * X ** 2)

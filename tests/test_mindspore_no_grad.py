"""MindSpore's ``_no_grad`` (``from mindspore import _no_grad``): what a ``with
_no_grad():`` block binds, and what a ``@_no_grad()`` function returns, carries no
gradient. Values measured on MindSpore 2.10 (PyNative), for x = 2 and w = b = 5."""
from __future__ import annotations

import numpy as np
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, _no_grad, nn, ops

X = Tensor(np.array([2.0], np.float32))


class Network(nn.Cell):
    """z = m * y with y = w x + b and m = y w under ``_no_grad``: dz/dx = m w = 375."""

    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([5.0], np.float32)), name="w")
        self.b = Parameter(Tensor(np.array([5.0], np.float32)), name="b")

    def construct(self, x):
        y = self.w * x + self.b
        with _no_grad():
            m = y * self.w
        return m * y


class Nested(nn.Cell):
    def __init__(self):
        super().__init__()
        self.network = Network()

    def construct(self, x):
        y = x * x
        with _no_grad():
            z = self.network(y)
        return y + z


class Doubled(nn.Cell):
    @_no_grad()
    def construct(self, x):
        y = x * x
        return y + y


class Decorated(nn.Cell):
    def __init__(self):
        super().__init__()
        self.network = Doubled()

    def construct(self, x):
        y = x * x
        return y + self.network(y)


def test_what_the_block_binds_carries_no_gradient_as_in_mindspore():
    net = Network()
    np.testing.assert_allclose(ops.grad(net)(X), [375.0])
    g_w, g_b = ops.grad(net, None, net.trainable_params())(X)
    np.testing.assert_allclose([g_w.asnumpy(), g_b.asnumpy()], [[150.0], [75.0]])
    np.testing.assert_allclose(ops.grad(Nested())(X), [4.0])
    np.testing.assert_allclose(ops.grad(Decorated())(X), [4.0])


def test_numbers_functions_and_tuples_bound_in_the_block_stay_usable():
    """Only arrays lose their gradient: a count, a lambda and a tuple's other items are
    as they were. f = sum(a x) + 3 sum(g(x)) + sum(b[0]) with a = x^2 + 1 and b[0] = x + 1
    held constant: df/dx = x^2 + 1 + 6."""
    def f(x):
        with _no_grad():
            n = 3
            a, b = x * x, (x + 1, "tag")
            g = lambda t: t * 2
            for i in range(2):
                a = a + i
        return (a * x).sum() + g(x).sum() * n + b[0].sum()

    x = np.array([2.0, 3.0])
    np.testing.assert_allclose(ms.grad(f)(Tensor(x)), x * x + 7)
    frozen = x * x + 1  # the stopped parts, constants for the differences

    def held(x):
        return (frozen * x).sum() + 6 * x.sum()

    np.testing.assert_allclose(ms.grad(f)(Tensor(x)), central_differences(held, x), rtol=1e-6)
    with _no_grad():  # eagerly, nothing to stop
        assert float(f(Tensor(x))) == float(((x * x + 1) * x).sum() + 6 * x.sum() + (x + 1).sum())

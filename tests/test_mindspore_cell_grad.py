"""MindSpore's deprecated ``nn.grad.Vjp`` / ``nn.grad.Jvp`` Cells (``nn.Vjp``, ``nn.Jvp``),
as its ``tests/st/gradient`` tests call them, against MindSpore 2.10's numbers and
central finite differences."""
from __future__ import annotations

import importlib

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn

X = np.array([[1, 2], [3, 4]], np.float32)
Y = np.array([[0.5, -1], [2, 0.1]], np.float32)
V = np.array([[1, 0.5], [-1, 2]], np.float32)
OUT2 = [[0.9794255495071411, -8.841470718383789], [54.909297943115234, 6.499833583831787]]
CASES = [  # inputs, MindSpore 2.10's output, Vjp's gradients and Jvp's tangent (v everywhere)
    ((X,), [[1, 8], [27, 64]], [[[3, 6], [-27, 96]]], [[3, 6], [-27, 96]]),
    ((X, Y), OUT2, [[[1.5, -6.0], [-54.0, 9.600000381469727]],
                    [[1.8775825500488281, 4.270151138305664],
                     [-26.583852767944336, 129.99000549316406]]],
     [[3.377582550048828, -1.729848861694336], [-80.58385467529297, 139.5900115966797]]),
]


class Cube(nn.Cell):
    def construct(self, x):
        return x ** 3


class Mixed(nn.Cell):
    def construct(self, x, y):
        return x ** 3 * y + ms.ops.sin(y)


def _net(n: int) -> nn.Cell:
    return Cube() if n == 1 else Mixed()


def _fd_jvp(fn, inputs, tangents, eps=1e-6):
    up = [np.asarray(a, np.float64) + eps * t for a, t in zip(inputs, tangents)]
    down = [np.asarray(a, np.float64) - eps * t for a, t in zip(inputs, tangents)]
    return (np.asarray(fn(*up)) - np.asarray(fn(*down))) / (2 * eps)


@pytest.mark.parametrize("inputs, out, grads, tangent", CASES)
def test_vjp_cell_matches_mindspore(inputs, out, grads, tangent):
    output, got = nn.grad.Vjp(_net(len(inputs)))(*map(Tensor, inputs), Tensor(V))
    np.testing.assert_allclose(output.asnumpy(), out, rtol=1e-6)
    got = (got,) if len(inputs) == 1 else got
    assert len(got) == len(inputs)
    for g, want, i in zip(got, grads, range(len(inputs))):
        np.testing.assert_allclose(g.asnumpy(), want, rtol=1e-6)
        for j in np.ndindex(X.shape):  # <V, J e_j> by central differences
            e = [np.zeros_like(X, dtype=np.float64) for _ in inputs]
            e[i][j] = 1.0
            fd = (_fd_jvp(_net(len(inputs)), inputs, e) * V).sum()
            np.testing.assert_allclose(g.asnumpy()[j], fd, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("inputs, out, grads, tangent", CASES)
def test_jvp_cell_matches_mindspore(inputs, out, grads, tangent):
    v = Tensor(V) if len(inputs) == 1 else (Tensor(V), Tensor(V))
    output, got = nn.grad.Jvp(_net(len(inputs)))(*map(Tensor, inputs), v)
    np.testing.assert_allclose(output.asnumpy(), out, rtol=1e-6)
    np.testing.assert_allclose(got.asnumpy(), tangent, rtol=1e-6)
    fd = _fd_jvp(_net(len(inputs)), inputs, [V.astype(np.float64)] * len(inputs))
    np.testing.assert_allclose(got.asnumpy(), fd, rtol=1e-4, atol=1e-4)


def test_mindspores_import_paths():
    from autodiff_compiler.mindspore import aliases
    aliases.register("autodiff_compiler")
    module = importlib.import_module("autodiff_compiler.nn.grad")
    assert module.Vjp is nn.Vjp and module.Jvp is nn.Jvp
    assert importlib.import_module("autodiff_compiler.nn.grad.cell_grad").Vjp is nn.Vjp


class FrozenFactor(nn.Cell):
    def __init__(self):
        super().__init__()
        self.p1 = Parameter(Tensor(np.array([2.0], np.float32)), name="p1", requires_grad=False)
        self.p3 = Parameter(Tensor(np.array([1.0], np.float32)), name="p3")

    def construct(self, x):
        return self.p1 * x * self.p3


def test_a_listed_parameter_without_requires_grad_gets_zeros_as_of_the_call():
    """MindSpore 2.10 (measured): a Parameter listed in the weights whose requires_grad
    is False gets a zero gradient, decided when the gradient is called."""
    net, x = FrozenFactor(), Tensor(np.array([3.0], np.float32))
    weights = [net.p1, net.p3]
    grad_fn = ms.grad(net, None, weights)
    np.testing.assert_allclose([g.asnumpy() for g in grad_fn(x)], [[0.0], [6.0]])
    value, (g1, g3) = ms.value_and_grad(net, None, weights)(x)
    np.testing.assert_allclose([value.asnumpy(), g1.asnumpy(), g3.asnumpy()],
                               [[6.0], [0.0], [6.0]])
    g_x, (g1, g3) = ms.grad(net, 0, weights)(x)
    np.testing.assert_allclose([g_x.asnumpy(), g1.asnumpy(), g3.asnumpy()],
                               [[2.0], [0.0], [6.0]])
    net.p1.requires_grad = True  # after compiling: the same compiled gradient, in full
    np.testing.assert_allclose([g.asnumpy() for g in grad_fn(x)], [[3.0], [6.0]])

"""An integer Parameter among the weights. MindSpore 2.10 differentiates it and casts
the derivative to the Parameter's dtype, truncated (measured: ``w * x + b`` with int64
``w`` and ``b`` and float32 ``x = [2.5, 2.0]`` gives ``[2, 2]`` and ``[1, 1]``, int64),
and so does the package (``ad.reverse.check_integer_paths``). Where no derivative
reaches it (an index, a count), its gradient is zeros, as MindSpore's is (measured on
2.10 too: int32 [0, 0] and [4.5])."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops


class Affine(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter([1, 2], name="w")
        self.b = Parameter([1, 2], name="b")

    def construct(self, x, y):
        return self.w * x + self.b + y


class Indexed(nn.Cell):
    def __init__(self):
        super().__init__()
        self.idx = Parameter(Tensor(np.array([1, 0], np.int32)), name="idx")
        self.scale = Parameter(Tensor(np.array([3.0], np.float32)), name="scale")

    def construct(self, x, y):
        return (x[self.idx] * self.scale).sum() + y.sum()


X = Tensor(np.array([2.5, 2.0], np.float32))
Y = Tensor(np.array([1.0, 2.0], np.float32))


# measured on MindSpore 2.10 (PyNative): each call's gradients of (w, b), int64
@pytest.mark.parametrize("call", [
    lambda net: ms.grad(net, None, (net.w, net.b))(X, Y),
    lambda net: ms.grad(net, (0, 1), net.trainable_params())(X, Y)[1],
    lambda net: ms.value_and_grad(net, None, net.trainable_params())(X, Y)[1],
    lambda net: ops.GradOperation(get_by_list=True)(net, net.trainable_params())(X, Y),
], ids=["grad", "grad-positions", "value_and_grad", "GradOperation"])
def test_a_derivative_reaching_an_integer_parameter_is_truncated_to_its_dtype(call):
    g_w, g_b = call(Affine())
    for g, want in ((g_w, [2, 2]), (g_b, [1, 1])):
        assert g.dtype == ms.int64
        np.testing.assert_array_equal(g.asnumpy(), want)


def test_the_float_inputs_beside_an_integer_parameter_keep_their_gradients():
    net = Affine()
    (g_x, g_y), _ = ms.grad(net, (0, 1), net.trainable_params())(X, Y)
    np.testing.assert_allclose(g_x.asnumpy(), [1.0, 2.0])  # measured on 2.10: [1, 2], [1, 1]
    np.testing.assert_allclose(g_y.asnumpy(), [1.0, 1.0])


def test_an_integer_parameter_no_derivative_reaches_gets_zeros():
    net = Indexed()
    g_idx, g_scale = ms.grad(net, None, net.trainable_params())(X, Y)
    assert g_idx.dtype == ms.int32
    np.testing.assert_array_equal(g_idx.asnumpy(), [0, 0])
    np.testing.assert_allclose(g_scale.asnumpy(), [4.5])  # d/ds of s * (2.0 + 2.5)

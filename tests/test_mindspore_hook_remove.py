"""``handle.remove()`` called inside a ``construct`` (MindSpore's hook tests do so for a
Parameter's ``register_hook``): the hook is off before the gradient is taken. It raised
"cannot differentiate a call to 'next'" (the method was compiled as user code). Values
are MindSpore 2.10's (CPU, PYNATIVE mode)."""
from __future__ import annotations

import numpy as np
from autodiff_compiler.ops import GradOperation

from autodiff_compiler import Parameter, ParameterTuple, Tensor, nn


def double(g):
    return g * 2


def triple_inputs(cell, grad_in, grad_out):
    return tuple(g * 3 for g in grad_in)


class LeafRemove(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([1., 2., 3.], np.float32)), name="w")
        self.handle = self.w.register_hook(double)

    def construct(self, x):
        y = x * self.w
        self.handle.remove()
        return y * self.w


class CellRemove(nn.Cell):
    def __init__(self):
        super().__init__()
        self.mul = nn.MatMul()
        self.handle = self.mul.register_backward_hook(triple_inputs)

    def construct(self, x, y):
        self.handle.remove()
        return self.mul(x, y) * y


def test_parameter_hook_removed_in_construct():
    net = LeafRemove()
    grad = GradOperation(get_by_list=True)(net, ParameterTuple(net.trainable_params()))
    x = Tensor(np.array([1., 2., 3.], np.float32))
    for _ in range(2):
        np.testing.assert_allclose(grad(x)[0].asnumpy(), [2., 8., 18.])


def test_cell_backward_hook_removed_in_construct():
    a = Tensor(np.array([[1., 2.], [3., 4.]], np.float32))
    b = Tensor(np.array([[0.5, -1.], [2., 1.]], np.float32))
    ga, gb = GradOperation(get_all=True)(CellRemove())(a, b)
    np.testing.assert_allclose(ga.asnumpy(), [[1.25, 0.], [0., 5.]])
    np.testing.assert_allclose(gb.asnumpy(), [[11., 3.], [18.5, 3.]])

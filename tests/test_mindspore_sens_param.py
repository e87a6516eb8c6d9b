"""``ops.grad`` / ``ops.value_and_grad`` with ``sens_param=True``: the output's cotangent
passed after the arguments (MindSpore's gradient tests call ``grad(function,
grad_position=(1, 2), sens_param=True)(x, y, z, (v, v))``). Expected values are
MindSpore 2.10's (CPU, GRAPH and PYNATIVE mode agree), and ``mindspore.common``'s
re-exports (``from mindspore.common import mutable``)."""
from __future__ import annotations

import numpy as np
from autodiff_compiler.common import dtype as mstype
from autodiff_compiler.common import jit as common_jit
from autodiff_compiler.common import mutable

from autodiff_compiler import Tensor, jit, nn, ops

X = Tensor(np.array([1., 2.], np.float32))
Y = Tensor(np.array([3., 4.], np.float32))
V = Tensor(np.array([10., 100.], np.float32))


def two_outputs(x, y):
    return x * x * y, x + y


def one_output(x, y):
    return x * x * y


def close(got, want):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            close(g, w)
    else:
        np.testing.assert_allclose(np.asarray(got.asnumpy()), want, rtol=1e-5)


def test_grad_sens_weighs_each_output():
    got = ops.grad(two_outputs, (0, 1), sens_param=True)(X, Y, (V, V))
    close(got, (np.array([70., 1700.]), np.array([20., 500.])))
    close(ops.grad(one_output, 0, sens_param=True)(X, Y, V), np.array([60., 1600.]))


def test_value_and_grad_sens_returns_the_unweighted_value():
    close(ops.value_and_grad(one_output, 0, sens_param=True)(X, Y, V),
          (np.array([3., 16.]), np.array([60., 1600.])))
    close(ops.value_and_grad(two_outputs, (0, 1), sens_param=True)(X, Y, (V, V)),
          ((np.array([3., 16.]), np.array([4., 6.])),
           (np.array([70., 1700.]), np.array([20., 500.]))))


def test_sens_with_has_aux_weighs_the_first_output():
    close(ops.grad(two_outputs, 0, has_aux=True, sens_param=True)(X, Y, V),
          (np.array([60., 1600.]), (np.array([4., 6.]),)))
    close(ops.value_and_grad(two_outputs, 0, has_aux=True, sens_param=True)(X, Y, V),
          ((np.array([3., 16.]), np.array([4., 6.])), np.array([60., 1600.])))


def test_sens_with_return_ids():
    got = ops.grad(one_output, 0, return_ids=True, sens_param=True)(X, Y, V)
    assert got[0] == 0
    close(got[1], np.array([60., 1600.]))


class SensInConstruct(nn.Cell):
    def construct(self, x, y, v):
        value, grads = ops.value_and_grad(two_outputs, (0, 1), sens_param=True)(x, y, (v, v))
        return value, grads, ops.grad(one_output, 0, sens_param=True)(x, y, v)


def test_sens_inside_a_compiled_function():
    close(SensInConstruct()(X, Y, V),
          ((np.array([3., 16.]), np.array([4., 6.])),
           (np.array([70., 1700.]), np.array([20., 500.])), np.array([60., 1600.])))
    close(jit(lambda x, y, v: ops.grad(one_output, 0, sens_param=True)(x, y, v))(X, Y, V),
          np.array([60., 1600.]))


def test_common_reexports():
    t = (X, Y)
    assert mutable(t) is t
    assert common_jit is jit
    assert mstype.float32 == __import__("autodiff_compiler.common", fromlist=["x"]).float32

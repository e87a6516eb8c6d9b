"""A Tensor made from constants inside a differentiated function takes MindSpore's
methods as a run-time Tensor does: ``Tensor(np.array([1, -2, 3], np.int32)).float()``
was refused ("array attribute '.float' is not supported here"), and so was a method of
what such a method gave (``c.int().double()``); NumPy's array has no ``.float``. And
``getattr`` of such a Tensor (``ops.gelu(c, approximate='tanh')`` reads its dtype so)
was refused. A Tensor's ``x.argsort(...)`` compiled is MindSpore's, as eagerly: int32,
``descending`` taken (it was NumPy's: int64, and ``descending`` refused)."""
import numpy as np

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops


class ConstantMethods(nn.Cell):
    def construct(self, x):
        c = Tensor(np.array([1, -2, 3], np.int32))
        f = Tensor(np.array([[1.0, 2.0, 3.0]], np.float32))
        y = x * c.float() + x * x * c.int().double().float() + x * f.view(3) + x * f.flatten()
        m = Tensor(np.array([[1.0, 5.0, 0.5], [3.0, 2.0, 4.0]], np.float32)).max(1)
        return (y * y).sum() + (x[:2] * m[0]).sum() + c.numel()


def test_methods_of_a_constant_tensor_compile_as_a_tensors():
    x = Tensor(np.array([0.5, -1.0, 2.0], np.float32))
    net = ConstantMethods()
    loss, g = ms.value_and_grad(net)(x)
    # measured on MindSpore 2.10 (PyNative): 920.5625, [19, -44, 1260]
    np.testing.assert_allclose(float(loss), 920.5625, rtol=1e-6)
    np.testing.assert_allclose(g.asnumpy(), [19.0, -44.0, 1260.0], rtol=1e-6)
    assert g.dtype == np.float32


def test_a_constant_tensors_float_of_an_int_one_gives_float32():
    def f(x):
        c = Tensor(np.array([1, 2, 3], np.int32))
        return (x * c.float()).sum(), (c.double() * 1).sum()

    x = Tensor(np.array([0.5, -1.0, 2.0], np.float32))
    g, (aux,) = ms.grad(f, has_aux=True)(x)
    np.testing.assert_allclose(g.asnumpy(), [1.0, 2.0, 3.0])
    assert aux.dtype == np.float64 and float(aux) == 6.0


class GeluOfConstantAndArgsort(nn.Cell):
    def construct(self, x):
        i = x.argsort(axis=0, descending=True)
        j = x.argsort(-1, True)
        c = Tensor(np.array([[0.3, -1.2, 0.7], [1.5, 0.2, -0.4]], np.float32))
        y = x * ops.gelu(c, approximate='tanh') + x * ops.GeLU()(c)
        return (y * ops.cast(i + j, ms.float32)).sum(), (i, j, x.argsort())


def test_gelu_of_a_constant_tensor_and_a_tensors_argsort_compile_as_eagerly():
    x = Tensor(np.array([[0.5, -1.0, 2.0], [0.1, 0.7, -3.0]], np.float32))
    (loss, (i, j, k)), g = ms.value_and_grad(GeluOfConstantAndArgsort(), has_aux=True)(x)
    # measured on MindSpore 2.10 (PyNative)
    np.testing.assert_allclose(float(loss), 5.810544, rtol=1e-6)
    np.testing.assert_allclose(g.asnumpy(), [[0.74148375, -0.2765945, 1.0611403],
                                             [5.598286, 0.0, -0.8270329]], rtol=1e-6)
    assert i.dtype == j.dtype == k.dtype == np.int32
    np.testing.assert_array_equal(i.asnumpy(), [[0, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(j.asnumpy(), [[2, 0, 1], [1, 0, 2]])
    np.testing.assert_array_equal(k.asnumpy(), [[1, 0, 2], [2, 0, 1]])


X_INT = np.array([[3, -1, 2], [1, 0, -4]], np.int32)
F = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -4.0]], np.float32)


class CumulativeSums(nn.Cell):
    def construct(self, f):
        c = f.cumsum(1) * f.cumsum(0)
        return c.sum(), (f.cumsum(), Tensor(X_INT).cumsum(0))


def test_a_tensors_cumsum_keeps_integers_and_flattens_without_an_axis():
    """``x.cumsum`` was NumPy's: int32 summed to int64 (MindSpore 2.10 keeps int32)."""
    x = Tensor(X_INT)
    assert x.cumsum(0).dtype == np.int32 and x.cumsum(1, ms.float32).dtype == np.float32
    # measured on MindSpore 2.10 (PyNative)
    np.testing.assert_array_equal(x.cumsum(0).asnumpy(), [[3, -1, 2], [4, -1, -2]])
    np.testing.assert_array_equal(x.cumsum().asnumpy(), [3, 2, 4, 5, 5, 1])
    (loss, (flat, ints)), g = ms.value_and_grad(CumulativeSums(), has_aux=True)(Tensor(F))
    np.testing.assert_allclose(float(loss), 9.9375)
    np.testing.assert_allclose(g.asnumpy(), [[3.5, 2.25, 1.25], [0.75, -1.0, -4.25]])
    np.testing.assert_allclose(flat.asnumpy(), [0.5, -0.5, 1.5, 3.0, 3.25, -0.75])
    assert ints.dtype == np.int32

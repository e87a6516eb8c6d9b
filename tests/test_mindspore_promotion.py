"""MindSpore's dtype where integer and float operands meet: the float operand's type,
float32 for a Python float or a true division of integers (NumPy computes all of
these in float64); a NumPy scalar is a Python number to it (to NumPy 2 it is not).
Eager Tensors and compiled code agree, so a position table built from ``ops.arange``
keeps a model float32 in both. The dtypes are MindSpore 2.10's (CPU); the values are
NumPy's in float64, rounded to the dtype."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, ops

I32 = Tensor(np.array([7, -3, 5], np.int32))
I64 = Tensor(np.array([7, -3, 5], np.int64))
U8 = Tensor(np.array([7, 3, 5], np.uint8))
MASK = Tensor(np.array([True, False, True]))
F16 = Tensor(np.array([0.5, 1.5, -2.0], np.float16))
F64 = Tensor(np.array([0.5, 1.5, -2.0], np.float64))

# name: (the expression of x, a float32 Tensor; the dtype MindSpore gives)
CASES = {
    "int / python int": (lambda x: I32 / 2, np.float32),
    "int * python float": (lambda x: I32 * 1.5, np.float32),
    "int64 - python float": (lambda x: I64 - 0.25, np.float32),
    "uint8 + python float": (lambda x: U8 + 0.5, np.float32),
    "bool * python float": (lambda x: MASK * 1.5, np.float32),
    "int32 + float32": (lambda x: I32 + x, np.float32),
    "float32 * int64": (lambda x: x * I64, np.float32),
    "int64 / int32": (lambda x: I64 / I32, np.float32),
    "int32 // python float": (lambda x: I32 // 2.0, np.float32),
    "int32 % float32": (lambda x: I32 % x, np.float32),
    "float32 ** int32": (lambda x: x ** I32, np.float32),
    "int64 / float16": (lambda x: I64 / F16, np.float16),
    "int32 + float64": (lambda x: I32 + F64, np.float64),
    "maximum(int32, float32)": (lambda x: ops.maximum(I32, x), np.float32),
    "where(mask, int32, float32)": (lambda x: ops.where(x > 0, I32, x), np.float32),
    "ops.div(int32, python int)": (lambda x: ops.div(I32, 2), np.float32),
    "clamp(int32, python floats)": (lambda x: ops.clamp(I32, -1.5, 2.5), np.float32),
    "clamp(int32, min=python float)": (lambda x: ops.clamp(I32, min=0.5), np.float32),
    "int32.clip(python floats)": (lambda x: I32.clip(-1.5, 2.5), np.float32),
    "fmod(int32, python float)": (lambda x: ops.fmod(I32, 1.5), np.float32),
    "fmod(float16, int32)": (lambda x: ops.fmod(F16, I32), np.float16),
    "arange / python int": (lambda x: ops.arange(4) / 2, np.float32),
    "arange of python floats": (lambda x: ops.arange(0, 1, 0.25), np.float32),
    "arange of one python float": (lambda x: ops.arange(5.0), np.float32),
    "arange to a float tensor": (lambda x: ops.arange(Tensor(3.0)), np.float32),
    "constant int tensor / python int": (lambda x: Tensor(np.arange(3)) / 3, np.float32),
    "constant int tensor * float32": (lambda x: Tensor([1, 2, 3]) * x, np.float32),
    "sqrt(int32)": (lambda x: ops.sqrt(I32 * I32), np.float32),
    "sqrt(uint8) (NumPy: float16)": (lambda x: ops.sqrt(U8), np.float32),
    "int64.sqrt() times float32": (lambda x: (I64 * I64).sqrt() * x, np.float32),
    # a NumPy scalar is a number to MindSpore (attention's ``scores / np.sqrt(d)``)
    "float32 * np.float64": (lambda x: x * np.float64(0.1), np.float32),
    "np.float64 * float32": (lambda x: np.float64(0.1) * x, np.float32),
    "float32 / np.sqrt(python int)": (lambda x: x / np.sqrt(4), np.float32),
    "float16 * np.float64": (lambda x: F16 * np.float64(2.0), np.float16),
    "float32 ** np.int64": (lambda x: x ** np.int64(2), np.float32),
    "int32 * np.int64": (lambda x: I32 * np.int64(3), np.int32),
    "int32 + np.float32": (lambda x: I32 + np.float32(0.5), np.float32),
    "float32 * np.bool_": (lambda x: x * np.bool_(True), np.float32),
    "maximum(float32, np.float64)": (lambda x: ops.maximum(x, np.float64(1.0)), np.float32),
    "where(mask, float32, np.float64)": (lambda x: ops.where(x > 0, x, np.float64(0.25)),
                                         np.float32),
    "float64 * np.float32": (lambda x: F64 * np.float32(2.0), np.float64),
    # NumPy's already: integers alone, floats alone, an int with a float Tensor
    "int32 * python int": (lambda x: I32 * 2, np.int32),
    "int32 // python int": (lambda x: I32 // 2, np.int32),
    "float32 * python int": (lambda x: x * 3, np.float32),
    "float16 + python float": (lambda x: F16 + 0.5, np.float16),
}
X = Tensor(np.array([0.5, 1.5, -2.0], np.float32))


def _in_float64(expression):
    """The expression on plain float64 arrays: the value every dtype rounds."""
    widened = {name: np.asarray(value, np.float64) for name, value in
               {"I32": I32, "I64": I64, "U8": U8, "MASK": MASK, "F16": F16, "F64": F64}.items()}
    saved = {name: globals()[name] for name in widened}
    globals().update({name: Tensor(value) for name, value in widened.items()})
    try:
        return np.asarray(expression(Tensor(np.asarray(X, np.float64))), np.float64)
    finally:
        globals().update(saved)


@pytest.mark.parametrize("name", CASES)
def test_eager_dtype_is_mindspores_and_the_value_numpys(name):
    expression, dtype = CASES[name]
    got = expression(X)
    assert isinstance(got, Tensor) and got.dtype == dtype
    np.testing.assert_allclose(np.asarray(got, np.float64), _in_float64(expression),
                               rtol=1e-3 if dtype == np.float16 else 1e-6)


@pytest.mark.parametrize("name", CASES)
def test_compiled_code_computes_the_same_dtype_and_value(name):
    expression, dtype = CASES[name]

    def loss(x):
        out = expression(x)
        return ops.sum(x * x), out

    (_, compiled), _ = ms.value_and_grad(loss, grad_position=0, has_aux=True)(X)
    assert compiled.dtype == dtype
    np.testing.assert_array_equal(compiled, expression(X))


def increments(x):
    i = I32
    i += 1.5
    j = F16
    j *= I64
    return i, j, i * x


def test_augmented_assignments_promote_as_the_operators_do():
    """``i += 1.5`` rebinds ``i`` to a new Tensor: float32, eagerly as in compiled code
    (eagerly it computed on plain views, float64)."""
    eager = increments(X)

    def loss(x):
        return ops.sum(x * x), increments(x)

    (_, compiled), _ = ms.value_and_grad(loss, grad_position=0, has_aux=True)(X)
    for e, c, dtype in zip(eager, compiled, (np.float32, np.float16, np.float32)):
        assert e.dtype == c.dtype == dtype
        np.testing.assert_array_equal(e, c)


def plain_numpy_through_ops(x, labels):
    return ops.one_hot(labels, 3) * 0.5 * x[:, None], ops.cumsum(labels, 0) / 2


def test_plain_numpy_arrays_keep_numpys_promotion_through_mindspore_functions():
    """MindSpore's functions given NumPy arrays give NumPy arrays eagerly, promoted as
    NumPy does: so in compiled code (they were taken for Tensors there: float32)."""
    x, labels = np.array([0.5, 1.5, -2.0]), np.array([0, 2, 1])
    eager = plain_numpy_through_ops(x, labels)

    def loss(x):
        return np.sum(x * x), plain_numpy_through_ops(x, labels)

    _, compiled = adc_value_and_aux(loss, x)
    for e, c in zip(eager, compiled):
        assert e.dtype == c.dtype == np.float64
        np.testing.assert_array_equal(e, c)


def adc_value_and_aux(loss, x):
    (value, aux), _ = ms.value_and_grad(loss, grad_position=0, has_aux=True)(x)
    return value, aux


def test_a_position_table_from_arange_keeps_the_model_float32():
    """``arange(T)[:, None] / div``: float64 here before, so the activations, the loss
    and every value after it were float64 where MindSpore's are float32."""
    net = ms.nn.Dense(4, 2)
    position = ops.arange(3).unsqueeze(1)
    div = ops.pow(10000.0, ops.arange(0, 4, 2) / 4)
    table = ops.cat([ops.sin(position / div), ops.cos(position / div)], -1)

    def loss(x):
        return ((net(x + table)) ** 2).mean()

    value, grads = ms.value_and_grad(loss, None, net.trainable_params())(
        Tensor(np.ones((3, 4), np.float32)))
    assert table.dtype == np.float32 and value.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads)


def test_one_hot_keeps_its_float16_on_and_off_values():
    hot = ops.one_hot(Tensor(np.array([1], np.int32)), 3, Tensor(1.0, ms.float16),
                      Tensor(0.0, ms.float16))
    assert hot.dtype == np.float16
    np.testing.assert_array_equal(hot, [[0.0, 1.0, 0.0]])
    assert ops.one_hot(Tensor(np.array([1], np.int32)), 3, 1.0, 0.0).dtype == np.float32


class _ScaledAttention(ms.nn.Cell):
    def __init__(self):
        super().__init__()
        self.q = ms.nn.Dense(4, 4)
        self.dk = 4

    def construct(self, x):
        q = self.q(x)
        scores = ops.matmul(q, q.swapaxes(-1, -2)) / np.sqrt(self.dk)
        return ops.matmul(ops.softmax(scores, -1), x)


def test_attention_scaled_by_a_numpy_square_root_stays_float32_in_training():
    """``scores / np.sqrt(self.dk)``: float64 here before (NumPy 2 promotes to the
    scalar's dtype), so the output and the loss were float64 where MindSpore's are
    float32; the trained weights stay float32 and match the eager step's."""
    net = _ScaledAttention()
    x = Tensor(np.linspace(-1.0, 1.0, 24, dtype=np.float32).reshape(2, 3, 4))
    assert net(x).dtype == np.float32
    step = ms.nn.TrainOneStepCell(ms.nn.WithLossCell(net, ms.nn.MSELoss()),
                                  ms.nn.SGD(net.trainable_params(), 0.1))
    before = net.q.weight.asnumpy().copy()
    loss = step(x, Tensor(np.zeros((2, 3, 4), np.float32)))
    assert loss.dtype == np.float32 and net.q.weight.dtype == np.float32
    assert not np.array_equal(net.q.weight.asnumpy(), before)

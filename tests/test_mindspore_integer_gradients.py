"""Gradients with respect to integer MindSpore Tensors, as MindSpore gives them.

MindSpore differentiates an integer Tensor like any other: operations of integers
(``+ - *``, sums, ``matmul``, indexing, ``x ** 2``) compute the gradient in integers,
and where MindSpore casts the integer Tensor to a float type (``ops.cast``,
``x.astype``, or the promotion of ``+ - *`` and of ``/`` of two Tensors) the float
gradient is cast back to the integer type there, truncated toward zero. Where an
operation converts the integer inside (``sqrt``, ``x / 2``, ``2 / x``) MindSpore's
gradient is a float one, or computed otherwise (``Tensor.mean``, ``nn.ReLU``): refused.

Every expected value below was measured on MindSpore 2.10 (CPU, PyNative; GRAPH_MODE
and ``ms.jit`` give the same on every case here), values and dtypes.
"""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops


def t(values, dtype=np.int32):
    return Tensor(np.array(values, dtype))


X = t([1, 2, 3])
J = t([2, 5, 7])
F = t([0.5, 1.5, 2.5], np.float32)
A = t([[1, 2], [3, 4]])
B = t([[5, 6], [7, 8]])
COLUMN = t([[1.5], [2.5]], np.float32)


def square_sum(x):
    return (x * x).sum()


def square(x):
    return x * x


def times_1_5(x):
    return (x * 1.5).sum()


def times_0_4(x):
    return (x * 0.4).sum()


def times_1_5_unsummed(x):
    return x * 1.5


def left_times(x):
    return (2.5 * x).sum()


def plus_float(x):
    return (x + 1.5).sum()


def minus_then_scaled(x):
    return (x - 0.5).sum() * 1.5


def negated(x):
    return (-x * 2.5).sum()


def divided(x, y):
    return (x / y).sum()


def floor_divided(x, y):
    return (x // y).sum()


def added(x, y):
    return (x + y).sum()


def multiplied(x, y):
    return (x * y).sum()


def minus_scaled(x, y):
    return (x - y * 0.7).sum()


def total(x):
    return x.sum()


def matmul_sum(a, b):
    return ops.matmul(a, b).sum()


def matmul_half(a, b):
    return (ops.matmul(a, b) * 0.5).sum()


def times_square(x, y):
    return (x * y * y).sum()


def times_0_3(x, y):
    return (x * y * 0.3).sum()


def cast_times_1_5(x):
    return (ops.cast(x, ms.float32) * 1.5).sum()


def cast_times_0_4(x):
    return (ops.cast(x, ms.float32) * 0.4).sum()


def cast_squared(x):
    return (ops.cast(x, ms.float32) ** 2 * 0.3).sum()


def cast_float16(x):
    return (ops.cast(x, ms.float16) * 1.5).sum()


def cast_float64(x):
    return (ops.cast(x, ms.float64) * 1.5).sum()


def astype_times(x):
    return (x.astype(ms.float32) * 1.5).sum()


def float_method(x):
    return (x.float() * 1.5).sum()


def cast_halved(x):
    return ops.cast(x, ms.float32) / 2


def cast_tanh(x):
    return ops.tanh(ops.cast(x, ms.float32)).sum()


def cast_mean(x):
    return ops.cast(x, ms.float32).mean()


def abs_scaled(x):
    return ops.abs(x * 1.5).sum()


def relu_scaled(x):
    return ops.relu(x * 1.5).sum()


def item_scaled(x):
    return x[1] * 2.5


def ops_square(x):
    return ops.square(x).sum()


def squared(x):
    return (x ** 2).sum()


def cubed(x):
    return (x ** 3).sum()


def power_zero(x):
    return (x ** 0 * 2).sum() + (x * 1).sum()


def squared_halved(x):
    return (x ** 2 * 0.5).sum()


def broadcast_float(x):
    return (x * COLUMN).sum()


def ops_add(x):
    return ops.add(x, 1.5).sum()


def ops_mul(x, y):
    return ops.mul(x, y).sum()


def true_divide(x, y):
    return ops.true_divide(x, y).sum()


def scaled_plus_self(x):
    return (x * 1.5 + x).sum()


def addcmul(x):
    return ops.addcmul(x * 1.0, x * 1.0, x * 1.0, Tensor(np.float32(0.5))).sum()


def mm_self(x):
    return ops.mm(x, x).sum()


# name: (function, arguments, grad_position, MindSpore 2.10's gradient(s) and dtype(s))
MEASURED = {
    "x * x": (square_sum, (X,), 0, ([2, 4, 6], np.int32)),
    "x * x, an int output (ones as its sensitivity)": (square, (X,), 0, ([2, 4, 6], np.int32)),
    "x * 1.5": (times_1_5, (X,), 0, ([1, 1, 1], np.int32)),
    "x * 0.4": (times_0_4, (X,), 0, ([0, 0, 0], np.int32)),
    "x * 1.5, unsummed": (times_1_5_unsummed, (X,), 0, ([1, 1, 1], np.int32)),
    "2.5 * x": (left_times, (X,), 0, ([2, 2, 2], np.int32)),
    "x + 1.5": (plus_float, (X,), 0, ([1, 1, 1], np.int32)),
    "(x - 0.5).sum() * 1.5": (minus_then_scaled, (X,), 0, ([1, 1, 1], np.int32)),
    "-x * 2.5 (toward zero)": (negated, (X,), 0, ([-2, -2, -2], np.int32)),
    "x * 2.5, x negative": (left_times, (t([-1, -2, 3]),), 0, ([2, 2, 2], np.int32)),
    "x / y, both int": (divided, (J, X), (0, 1),
                        (([1, 0, 0], np.int32), ([-2, -1, 0], np.int32))),
    "x / y, y float": (divided, (J, F), (0, 1),
                       (([2, 0, 0], np.int32), ([-8.0, -2.2222222, -1.12], np.float32))),
    "x / 0-d int Tensor": (divided, (X, t(2)), (0, 1),
                           (([0, 0, 0], np.int32), (-1, np.int32))),
    "x / 0-d float Tensor": (divided, (X, t(2.0, np.float32)), (0, 1),
                             (([0, 0, 0], np.int32), (-1.5, np.float32))),
    "x * 0-d float Tensor": (multiplied, (X, t(1.5, np.float32)), (0, 1),
                             (([1, 1, 1], np.int32), (6.0, np.float32))),
    "x // y": (floor_divided, (J, X), (0, 1),
               (([0, 0, 0], np.int32), ([0, 0, 0], np.int32))),
    "x + float Tensor": (added, (X, F), (0, 1),
                         (([1, 1, 1], np.int32), ([1.0, 1.0, 1.0], np.float32))),
    "x * float Tensor": (multiplied, (X, F), (0, 1),
                         (([0, 1, 2], np.int32), ([1.0, 2.0, 3.0], np.float32))),
    "x - float Tensor * 0.7": (minus_scaled, (X, F), (0, 1),
                               (([1, 1, 1], np.int32), ([-0.7, -0.7, -0.7], np.float32))),
    "int (3,) + int (2, 1)": (added, (X, t([[1], [2]])), (0, 1),
                              (([2, 2, 2], np.int32), ([[3], [3]], np.int32))),
    "int16 * int32": (multiplied, (t([1, 2, 3], np.int16), X), (0, 1),
                      (([1, 2, 3], np.int16), ([1, 2, 3], np.int32))),
    "x.sum()": (total, (X,), 0, ([1, 1, 1], np.int32)),
    "matmul": (matmul_sum, (A, B), (0, 1),
               (([[11, 15], [11, 15]], np.int32), ([[4, 4], [6, 6]], np.int32))),
    "matmul * 0.5 (truncated at the cast, before the product's rule)": (
        matmul_half, (A, B), (0, 1), (([[0, 0], [0, 0]], np.int32), ([[0, 0], [0, 0]], np.int32))),
    "mm(x, x)": (mm_self, (A,), 0, ([[7, 11], [9, 13]], np.int32)),
    "float x * int y * int y": (times_square, (F, X), (0, 1),
                                (([1.0, 4.0, 9.0], np.float32), ([0, 6, 14], np.int32))),
    "float x * int y * 0.3": (times_0_3, (F, X), (0, 1),
                              (([0.3, 0.6, 0.9], np.float32), ([0, 0, 0], np.int32))),
    "ops.cast(x, float32) * 1.5": (cast_times_1_5, (X,), 0, ([1, 1, 1], np.int32)),
    "ops.cast(x, float32) * 0.4": (cast_times_0_4, (X,), 0, ([0, 0, 0], np.int32)),
    "ops.cast(x, float32) ** 2 * 0.3": (cast_squared, (X,), 0, ([0, 1, 1], np.int32)),
    "ops.cast(x, float16) * 1.5": (cast_float16, (X,), 0, ([1, 1, 1], np.int32)),
    "ops.cast(x, float64) * 1.5": (cast_float64, (X,), 0, ([1, 1, 1], np.int32)),
    "x.astype(float32) * 1.5": (astype_times, (X,), 0, ([1, 1, 1], np.int32)),
    "x.float() * 1.5": (float_method, (X,), 0, ([1, 1, 1], np.int32)),
    "ops.cast(x, float32) / 2": (cast_halved, (X,), 0, ([0, 0, 0], np.int32)),
    "tanh(ops.cast(x, float32))": (cast_tanh, (X,), 0, ([0, 0, 0], np.int32)),
    "ops.cast(x, float32).mean()": (cast_mean, (X,), 0, ([0, 0, 0], np.int32)),
    "abs(x * 1.5)": (abs_scaled, (t([-1, 2, -3]),), 0, ([-1, 1, -1], np.int32)),
    "relu(x * 1.5)": (relu_scaled, (t([-1, 2, -3]),), 0, ([0, 1, 0], np.int32)),
    "x[1] * 2.5": (item_scaled, (X,), 0, ([0, 2, 0], np.int32)),
    "ops.square(x)": (ops_square, (X,), 0, ([2, 4, 6], np.int32)),
    "x ** 2": (squared, (X,), 0, ([2, 4, 6], np.int32)),
    "x ** 3": (cubed, (X,), 0, ([3, 12, 27], np.int32)),
    "x ** 0 * 2 + x": (power_zero, (X,), 0, ([1, 1, 1], np.int32)),
    "x ** 2 * 0.5": (squared_halved, (X,), 0, ([0, 0, 0], np.int32)),
    "x (3,) * float (2, 1): summed in float, then truncated": (
        broadcast_float, (X,), 0, ([4, 4, 4], np.int32)),
    "ops.add(x, 1.5)": (ops_add, (X,), 0, ([1, 1, 1], np.int32)),
    "ops.mul(x, float Tensor)": (ops_mul, (X, F), (0, 1),
                                 (([0, 1, 2], np.int32), ([1.0, 2.0, 3.0], np.float32))),
    "ops.true_divide(x, y), both int": (true_divide, (J, X), (0, 1),
                                        (([1, 0, 0], np.int32), ([-2, -1, 0], np.int32))),
    "x * 1.5 + x": (scaled_plus_self, (X,), 0, ([2, 2, 2], np.int32)),
    "addcmul": (addcmul, (X,), 0, ([1, 3, 3], np.int32)),
    **{f"x * x, {np.dtype(d).name}": (square_sum, (t([1, 2, 3], d),), 0, ([2, 4, 6], d))
       for d in (np.int64, np.int8, np.uint8, np.int16)},
    **{f"x * 1.5, {np.dtype(d).name}": (times_1_5, (t([1, 2, 3], d),), 0, ([1, 1, 1], d))
       for d in (np.int64, np.int8, np.uint8, np.int16)},
}


def _check(got, want):
    values, dtype = want
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    if np.dtype(dtype).kind == "f":
        np.testing.assert_allclose(np.asarray(got), values, rtol=1e-6)
    else:
        np.testing.assert_array_equal(np.asarray(got), values)


@pytest.mark.parametrize("name", list(MEASURED))
def test_the_gradient_mindspore_gives(name):
    fn, args, position, want = MEASURED[name]
    got = ms.grad(fn, position)(*args)
    if isinstance(position, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _check(g, w)
    else:
        _check(got, want)


def test_value_and_grad():
    value, g = ms.value_and_grad(square_sum)(X)  # measured: (14 Int64, [2, 4, 6] Int32)
    assert int(value) == 14
    _check(g, ([2, 4, 6], np.int32))
    value, g = ms.value_and_grad(times_1_5)(X)  # (9.0 Float32, [1, 1, 1] Int32)
    assert value.dtype == np.float32 and float(value) == 9.0
    _check(g, ([1, 1, 1], np.int32))
    value, (g_x, g_y) = ms.value_and_grad(lambda x, y: (x * 1.5 + y).sum(), (0, 1))(X, F)
    assert float(value) == 13.5
    _check(g_x, ([1, 1, 1], np.int32))
    _check(g_y, ([1.0, 1.0, 1.0], np.float32))


class Scaled(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(t([0.5, 1.5, 2.5], np.float32), name="w")
        self.n = Parameter(t([2, 3, 4]), name="n")

    def construct(self, x):
        return (self.w * self.n * x).sum()


def test_an_integer_parameter_among_the_weights():
    net = Scaled()
    g_w, g_n = ms.grad(net, None, net.trainable_params())(F)
    _check(g_w, ([1.0, 4.5, 10.0], np.float32))  # measured on MindSpore 2.10
    _check(g_n, ([0, 2, 6], np.int32))
    g_x, (g_w, g_n) = ms.grad(net, 0, net.trainable_params())(F)
    _check(g_x, ([1.0, 4.5, 10.0], np.float32))
    _check(g_n, ([0, 2, 6], np.int32))


def test_a_graph_cell_with_integer_inputs():
    class Net(nn.Cell):
        def construct(self, x, y):
            return (x * y * y).sum()
    g_x, g_y = ops.GradOperation(get_all=True)(Net())(F, X)  # as "float x * int y * int y"
    _check(g_x, ([1.0, 4.0, 9.0], np.float32))
    _check(g_y, ([0, 6, 14], np.int32))


def test_the_float_gradients_beside_an_integer_one_are_the_derivatives():
    """The float operand's gradient is the true derivative (finite differences)."""
    g = ms.grad(divided, (0, 1))(J, F)[1]
    numeric = central_differences(
        lambda v: np.sum(np.array([2, 5, 7], np.float64) / v), np.array(F, np.float64))
    np.testing.assert_allclose(np.asarray(g), numeric, rtol=1e-5)
    g = ms.grad(times_square, (0, 1))(F, X)[0]
    numeric = central_differences(lambda v: np.sum(v * np.array([1, 4, 9.0])),
                                  np.array(F, np.float64))
    np.testing.assert_allclose(np.asarray(g), numeric, rtol=1e-5)
    g = ms.grad(minus_scaled, (0, 1))(X, F)[1]
    numeric = central_differences(lambda v: np.sum(np.array([1, 2, 3.0]) - v * 0.7),
                                  np.array(F, np.float64))
    np.testing.assert_allclose(np.asarray(g), numeric, rtol=1e-5)


def test_the_truncated_gradient_is_the_float_one_truncated_at_the_cast():
    """Where the cast is the first thing done to the integer, the gradient is the
    derivative with respect to its float value, truncated toward zero."""
    x = t([-3, 1, 4])

    def loss(v):
        return (ops.sin(v * 0.7) * 3.0).sum()

    float_grad = ms.grad(loss)(x.astype(np.float32))
    np.testing.assert_array_equal(np.asarray(ms.grad(loss)(x)),
                                  np.trunc(np.asarray(float_grad)).astype(np.int32))


def halved(x):
    return (x / 2).sum()


def divides(x):
    return (2 / x).sum()


def root(x):
    return ops.sqrt(x).sum()


def mean(x):
    return x.mean()


def mean_times(x):
    return x.mean() * 3


def ops_div(x):
    return ops.div(x, 2).sum()


def int_cast(x):
    return (ops.cast(x, ms.int64) * 3).sum()


def maximum(x):
    return ops.maximum(x, 2).sum() * 1.5


# MindSpore 2.10 there: x / 2: float32 [0.5, 0.5, 0.5]; 2 / x: float32 [-2, -0.5,
# -0.222]; sqrt: float32 [0.5, 0.354, 0.289] (float gradients of an int input, which
# fail MindSpore itself beside an int one); x.mean(): float32 1/3 in PyNative, int32 0 in
# graph mode; x.mean() * 3: float32 1 / int32 1; ops.div(x, 2): int32 0 (where x / 2 is
# not truncated); a cast to int64: int32 [3, 3, 3]; maximum: int32 [0, 0, 1];
# nn.ReLU: int32 [1, 0] (test_mindspore_programs_surface).
REFUSED = {
    "x / 2": (halved, "converted to a float type inside an operation"),
    "2 / x": (divides, "converted to a float type inside an operation"),
    "sqrt(x)": (root, "converted to a float type inside an operation"),
    "x.mean()": (mean, "cast to an integer type"),
    "x.mean() * 3": (mean_times, "cast to an integer type"),
    "ops.div(x, 2)": (ops_div, "converted to a float type inside an operation"),
    "ops.cast(x, int64)": (int_cast, "cast to an integer type"),
    "maximum(x, 2)": (maximum, "through 'maximum'"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_where_mindspore_computes_it_otherwise_it_is_refused(name):
    fn, match = REFUSED[name]
    with pytest.raises(ms.AutodiffError, match=match):
        ms.grad(fn)(X)


def test_a_loop_carrying_an_integer_gradient_is_refused():
    def loss(x, n):
        s = x * 0
        for _ in range(n):
            s = s + x
        return (s * 1.5).sum()

    with pytest.raises(ms.AutodiffError, match="integer Tensor"):
        ms.grad(loss)(X, t(3))


class RepeatedScaling(nn.Cell):
    def construct(self, x, n):
        i = 0
        while i < n:  # n only bounds the loop
            x = x * 1.5
            i = i + 1
        return x.sum()


def test_an_integer_only_bounding_a_while_loop_gets_int_zero():
    """Compared only, in the loop's condition: its gradient is zero (MindSpore 2.10 gives
    an int64 0 for ``Tensor(3)``); it was refused as a gradient through the loop."""
    g_x, g_n = ops.GradOperation(get_all=True)(RepeatedScaling())(F, t(3, np.int64))
    np.testing.assert_allclose(np.asarray(g_x), np.full(3, 1.5 ** 3), rtol=1e-6)
    _check(g_n, (0, np.int64))


def test_a_bool_tensor_is_refused():
    with pytest.raises(ms.AutodiffError, match="has dtype bool"):
        ms.grad(times_1_5)(t([True, False, True], np.bool_))


def test_a_numpy_integer_array_is_refused_as_jax_refuses_it():
    with pytest.raises(ms.AutodiffError, match="has dtype int32"):
        ms.grad(square_sum)(np.array([1, 2, 3], np.int32))


def test_labels_no_derivative_reaches_still_get_int_zeros():
    def loss(x, labels):
        return (x[labels] * 2.0).sum()

    g_x, g_labels = ms.grad(loss, (0, 1))(F, t([2, 0]))
    np.testing.assert_allclose(np.asarray(g_x), [2.0, 0.0, 2.0])
    _check(g_labels, ([0, 0], np.int32))


def test_an_integer_gradient_differentiated_again_is_refused():
    """MindSpore 2.10 passes the outer gradient through the cast back to the integer
    type (``grad`` over ``x`` of ``grad(h, 1)(x, y).sum()``, ``h = (x * y * y).sum()``,
    gives float32 [2, 4, 6] there); here a cast to an integer has no derivative, and
    the answer would be zeros."""
    def inner(x, y):
        return ms.grad(times_square, 1)(x, y).sum() * 1.0

    with pytest.raises(ms.AutodiffError, match="cast of a float value to an integer"):
        ms.grad(inner, 0)(F, X)


ROWS = t([[0.5, 1.5, 2.5], [1.0, 2.0, 3.0]], np.float32)


def picked_by_cast_labels(x, labels):
    return (x[0][ops.cast(labels, ms.int64)] * 2.0).sum()


def cast_labels_counted(x, labels):
    return (x[0][labels] * 2.0).sum() + (ops.cast(labels, ms.int64) * 3).sum()


def test_labels_cast_to_another_integer_type_and_read_as_indices_get_int_zeros():
    g_x, g_labels = ms.grad(picked_by_cast_labels, (0, 1))(ROWS, t([2, 0]))
    np.testing.assert_allclose(np.asarray(g_x), [[2.0, 0.0, 2.0], [0.0, 0.0, 0.0]])
    _check(g_labels, ([0, 0], np.int32))  # measured on MindSpore 2.10


def test_a_gradient_through_a_cast_to_another_integer_type_is_refused():
    """MindSpore 2.10 passes it back through the cast: int32 [3, 3] here, and [1, 1]
    for ``ops.cast(labels, int64)`` as the output; the package has no derivative there."""
    with pytest.raises(ms.AutodiffError, match="cast to an integer type"):
        ms.grad(cast_labels_counted, (0, 1))(ROWS, t([2, 0]))
    with pytest.raises(ms.AutodiffError, match="cast to an integer type"):
        ms.grad(lambda labels: ops.cast(labels, ms.int64))(t([2, 0]))


class Scattered(nn.Cell):
    """``ops.scatter`` (lowered with a ``where`` on the indices) times weights."""

    def construct(self, x, index, updates):
        return ops.scatter(x, 1, index, updates) * Tensor(np.array([[1.0, 2, 3], [4, 5, 6]]))


class GatheredD(nn.Cell):
    def construct(self, x, index):
        return ops.operations.GatherD()(x, 1, index) * 2.0


def test_integer_indices_among_all_inputs_get_int_zeros():
    """``GradOperation(get_all=True)`` on an indexing Cell differentiates its index
    too, as MindSpore's own op tests do: int32 zeros, measured on MindSpore 2.10 with
    these values. GatherD's index (through ``take_along_axis``) and a scatter's (through
    a ``where`` on the indices) were refused."""
    grad_all = ops.GradOperation(get_all=True)
    x = Tensor(np.arange(6.0).reshape(2, 3))
    g_x, g_index, g_updates = grad_all(Scattered())(x, t([[0, 2], [1, 0]]),
                                                    Tensor(np.array([[1.0, 2], [3, 4]])))
    np.testing.assert_allclose(np.asarray(g_x), [[0, 2, 0], [0, 0, 6]])
    _check(g_index, ([[0, 0], [0, 0]], np.int32))
    np.testing.assert_allclose(np.asarray(g_updates), [[1, 3], [5, 4]])
    g_x, g_index = grad_all(GatheredD())(x, t([[0, 0], [2, 1]]))
    np.testing.assert_allclose(np.asarray(g_x), [[4, 0, 0], [0, 2, 2]])
    _check(g_index, ([[0, 0], [0, 0]], np.int32))


def test_an_integer_selected_by_where_gets_its_gradient_in_integers():
    def f(x):
        return (ops.where(x > 1, x, t([0, 0, 0])) * 3).sum()

    _check(ms.grad(f)(X), ([0, 3, 3], np.int32))  # measured on MindSpore 2.10

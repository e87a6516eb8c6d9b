"""MindSpore's leaves: ``Tensor.register_hook`` on an input or a Parameter itself, one
Tensor passed at several differentiated positions, and integer Tensors differentiated.
What each test asserts is what MindSpore 2.10 returned for the same program (PyNative,
CPU)."""
import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops
from autodiff_compiler.pipeline import leaf_hooks


def square_sum(x):
    return (x * x).sum()


def product_with_square(a, b):
    return (a * b * b).sum()


class Linear(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([1.0, 3.0], np.float32)), name="w")
        self.b = Parameter(Tensor(np.array([0.5], np.float32)), name="b")

    def construct(self, x):
        return ((self.w * x).sum() + self.b).sum()


def tensor(*values):
    return Tensor(np.array(values, np.float32))


@pytest.fixture(autouse=True)
def no_hooks_left():
    yield
    leaf_hooks.HOOKED.clear()


def test_a_hook_on_an_input_changes_its_gradient_until_removed():
    x, seen = tensor(1.0, 2.0), []
    handle = x.register_hook(lambda g: seen.append(g.asnumpy().copy()) or g * 10)
    grad = ms.grad(square_sum)
    np.testing.assert_allclose(grad(x), 10 * 2 * x.asnumpy())
    np.testing.assert_allclose(seen[0], 2 * x.asnumpy())  # the hook is given the gradient
    handle.remove()
    handle.remove()  # a second time: nothing
    for _ in range(3):  # the fast path, once compiled, as well
        np.testing.assert_allclose(grad(x), 2 * x.asnumpy())


def test_a_hook_registered_after_the_fast_path_is_taken_still_runs():
    x, y = tensor(1.0, 2.0), tensor(3.0, 4.0)
    grad = ms.grad(square_sum)
    for _ in range(3):
        grad(x)
    y.register_hook(lambda g: g + 1)
    np.testing.assert_allclose(grad(y), 2 * y.asnumpy() + 1)
    np.testing.assert_allclose(grad(x), 2 * x.asnumpy())  # another Tensor: no hook


@pytest.mark.parametrize("hooks, expected", [
    ([lambda g: None], lambda g: g),  # None keeps the gradient
    ([lambda g: g * 2, lambda g: g + 1], lambda g: g * 2 + 1),  # in the order registered
])
def test_hooks_compose_in_order_and_none_keeps_the_gradient(hooks, expected):
    z = tensor(1.0, 2.0)
    for hook in hooks:
        z.register_hook(hook)
    want = expected(2 * z.asnumpy())
    np.testing.assert_allclose(ms.grad(square_sum)(z), want)
    value, grad = ms.value_and_grad(square_sum)(z)
    np.testing.assert_allclose(value, 5.0)
    np.testing.assert_allclose(grad, want)
    np.testing.assert_allclose(ms.grad(square_sum)(z * 1), 2 * z.asnumpy())  # a new Tensor


def test_a_hook_on_a_parameter_changes_its_gradient_and_training():
    net = Linear()
    x = tensor(1.0, 2.0)
    net.w.register_hook(lambda g: g * 0.5)
    w_grad, b_grad = ms.grad(net, grad_position=None, weights=net.trainable_params())(x)
    np.testing.assert_allclose(w_grad, 0.5 * x.asnumpy())
    np.testing.assert_allclose(b_grad, [1.0])
    np.testing.assert_allclose(ms.grad(net)(x), net.w.asnumpy())  # the input's: no hook
    op = ops.GradOperation(get_all=True, get_by_list=True)(net, net.trainable_params())
    (x_grad,), (w_grad, _) = op(x)
    np.testing.assert_allclose(x_grad, net.w.asnumpy())
    np.testing.assert_allclose(w_grad, 0.5 * x.asnumpy())
    train = nn.TrainOneStepCell(net, nn.SGD(net.trainable_params(), learning_rate=0.1))
    loss = train(x)
    np.testing.assert_allclose(loss, 7.5)
    np.testing.assert_allclose(net.w.asnumpy(), [1.0 - 0.1 * 0.5, 3.0 - 0.1 * 1.0])
    np.testing.assert_allclose(net.b.asnumpy(), [0.4])


def test_one_tensor_at_two_positions_is_one_leaf_with_the_whole_gradient():
    """d/da of sum(a b^2) is b^2, d/db is 2ab: at b = a each position gets a^2 + 2a^2."""
    a, c = tensor(1.0, 2.0), tensor(1.0, 2.0)
    grad = ms.grad(product_with_square, grad_position=(0, 1))
    for _ in range(2):  # (the fast path of distinct Tensors, then the same one)
        ga, gc = grad(a, c)
        np.testing.assert_allclose(ga, c.asnumpy() ** 2)
        np.testing.assert_allclose(gc, 2 * a.asnumpy() * c.asnumpy())
        for g in grad(a, a):
            np.testing.assert_allclose(g, 3 * a.asnumpy() ** 2)
    a.register_hook(lambda g: g * 3)  # run once, on the whole
    for g in grad(a, a):
        np.testing.assert_allclose(g, 9 * a.asnumpy() ** 2)


def test_numpy_arrays_at_two_positions_keep_each_positions_gradient():
    """NumPy arrays in, JAX's meaning: each position's partial derivative."""
    a = np.array([1.0, 2.0])
    ga, gb = ms.grad(product_with_square, grad_position=(0, 1))(a, a)
    np.testing.assert_allclose(ga, a ** 2)
    np.testing.assert_allclose(gb, 2 * a * a)


def test_a_dropped_tensor_takes_its_hooks_with_it():
    x = tensor(1.0)
    x.register_hook(lambda g: g)
    assert leaf_hooks.HOOKED
    del x
    assert not leaf_hooks.HOOKED


def cross_entropy_of_dense(x, labels):
    return ops.cross_entropy(DENSE(x), labels)


def picked_and_counted(x, idx):
    return x[idx].sum() + (idx > 0).sum()


def scaled_by_count(x, n):
    return (x * n).sum()


def squared_integers(x, n):
    return (x * x).sum() + (n * n).sum()


DENSE = nn.Dense(3, 4)


class WithLoss(nn.Cell):
    def __init__(self):
        super().__init__()
        self.loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")

    def construct(self, x, labels):
        return self.loss(DENSE(x), labels)


def test_integer_labels_differentiated_get_int_zeros():
    """``GradOperation(get_all=True)(net)(data, labels)``: the labels' gradient is int32
    zeros where they are read only as indices or compared (MindSpore's)."""
    x = Tensor(np.ones((2, 3), np.float32))
    labels = Tensor(np.array([1, 3], np.int32))
    x_grad, labels_grad = ops.GradOperation(get_all=True)(WithLoss())(x, labels)
    expected_x = ms.grad(cross_entropy_of_dense)(x, labels)
    np.testing.assert_allclose(x_grad, expected_x, rtol=1e-6)
    assert abs(expected_x.asnumpy()).sum() > 0.1
    for grads in ((x_grad, labels_grad), ms.grad(cross_entropy_of_dense, (0, 1))(x, labels),
                  ms.grad(picked_and_counted, (0, 1))(x, Tensor(np.array([1, 0], np.int32)))):
        assert grads[1].dtype == np.int32
        np.testing.assert_array_equal(grads[1].asnumpy(), np.zeros(grads[1].shape))
    picked = ms.grad(picked_and_counted, (0, 1))(x, Tensor(np.array([1, 0], np.int32)))[0]
    np.testing.assert_allclose(picked, np.ones((2, 3)))


@pytest.mark.parametrize(("fn", "want"), [(scaled_by_count, 6), (squared_integers, 4)])
def test_an_integer_tensor_a_derivative_reaches_gets_it_truncated(fn, want):
    """MindSpore truncates such a gradient to an integer at each cast, and so does the
    package (measured on MindSpore 2.10: int32 6 and 4, and float32 2s for ``x``)."""
    x = Tensor(np.ones((2, 3), np.float32))
    g_x, g_n = ms.grad(fn, (0, 1))(x, Tensor(np.array(2, np.int32)))
    np.testing.assert_allclose(g_x.asnumpy(), np.full((2, 3), 2.0))
    assert g_n.dtype == np.int32 and g_n.shape == ()
    assert int(g_n) == want


def test_numpy_integer_arrays_are_refused_as_before():
    with pytest.raises(ms.AutodiffError, match="dtype int64"):
        ms.grad(picked_and_counted, (0, 1))(np.ones((2, 3)), np.array([1, 0]))

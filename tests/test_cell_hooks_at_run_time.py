"""Hooks the compiler cannot compile -- they print a Tensor, call ``.asnumpy()``, store
what they are given in a list -- run as Python when the gradient runs, as MindSpore's
PyNative mode runs every hook; and ``ops.HookBackward``/``ops.InsertGradientOf``, the
identity with a hook on the gradient. What MindSpore 2.10 gives (measured): for
``b(tanh(a(x)))`` of two Dense layers of ones at x = [[0.1, 0.2]], the gradient is
[[1.830274, 1.830274]] and a's grad_output is [[1, 1]] times 1 - tanh(0.3)^2; a
backward hook of b doubling grad_input doubles the gradient; ``HookBackward``'s
function is given a tuple of gradients, one per input, and may return a tuple of
replacements; ``InsertGradientOf(f)`` passes ``f(dx)`` on."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import AutodiffError, Tensor, nn, ops

X = Tensor(np.array([[0.1, 0.2]], np.float32))
SLOPE = 1.0 - np.tanh(0.3) ** 2  # tanh'(a(x)): a(x) = 0.1 + 0.2 in both units
GRAD = 2.0 * SLOPE  # b's weights (ones) through tanh, then a's (ones): per input


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a = nn.Dense(2, 2, weight_init="ones", bias_init="zeros")
        self.b = nn.Dense(2, 1, weight_init="ones", bias_init="zeros")

    def construct(self, x):
        return self.b(ops.tanh(self.a(x)))


def test_a_backward_hook_that_logs_runs_at_each_gradient_with_the_values():
    seen = []
    net = Net()
    net.b.register_backward_hook(
        lambda cell, grad_input, grad_output: seen.append(grad_output[0].asnumpy().copy()))
    for calls in (1, 2):
        np.testing.assert_allclose(ms.grad(net)(X), [[GRAD, GRAD]], rtol=1e-6)
        assert len(seen) == calls and isinstance(seen[0], np.ndarray)
    np.testing.assert_array_equal(seen[0], [[1.0]])


def test_a_backward_hook_run_as_python_may_replace_the_gradient():
    def doubled(cell, grad_input, grad_output):
        print("grad_input of", type(cell).__name__, grad_input[0].asnumpy())  # not compiled
        return (grad_input[0] * 2.0,)

    net = Net()
    net.b.register_backward_hook(doubled)
    np.testing.assert_allclose(ms.grad(net)(X), [[2 * GRAD, 2 * GRAD]], rtol=1e-6)


def test_a_forward_hook_that_stores_the_output_leaves_the_gradient_as_it_is():
    features = []
    net = Net()
    net.a.register_forward_hook(lambda cell, inputs, out: features.append(out.asnumpy()))
    value, grad = ms.value_and_grad(net)(X)
    np.testing.assert_allclose(grad, [[GRAD, GRAD]], rtol=1e-6)
    np.testing.assert_allclose(features[0], [[0.3, 0.3]], rtol=1e-6)
    np.testing.assert_allclose(value, 2 * np.tanh(0.3), rtol=1e-6)


def test_a_hook_returning_the_wrong_structure_at_run_time_says_so():
    net = Net()
    net.b.register_backward_hook(functools.partial(lambda cell, gi, go: gi[0] * 2.0))
    with pytest.raises(ValueError, match="must return None or as many"):
        ms.grad(net)(X)


def test_a_second_derivative_through_a_hook_run_as_python_is_refused():
    net = Net()
    net.b.register_backward_pre_hook(
        lambda cell, grad_output: (grad_output[0] * float(grad_output[0].asnumpy().sum()),))
    with pytest.raises(AutodiffError):
        ms.grad(lambda x: ms.grad(net)(x).sum())(X)


@pytest.mark.parametrize("replace", [False, True], ids=["observes", "replaces"])
def test_hook_backward_gives_its_function_the_gradients_of_its_inputs(replace):
    seen = []

    def hook_fn(grads):
        seen.append(tuple(g.asnumpy() for g in grads))
        return tuple(g * 10.0 for g in grads) if replace else None

    hook = ops.HookBackward(hook_fn)
    x, y = Tensor(np.array([1.0, 2.0], np.float32)), Tensor(np.array([3.0, 4.0], np.float32))

    def f(x, y):
        a, b = hook(x * 2.0, y)
        return (a * b).sum()

    gx, gy = ms.grad(f, (0, 1))(x, y)
    scale = 10.0 if replace else 1.0
    np.testing.assert_allclose(gx, scale * 2.0 * np.array([3.0, 4.0]))
    np.testing.assert_allclose(gy, scale * np.array([2.0, 4.0]))
    np.testing.assert_allclose(seen[0][0], [3.0, 4.0])
    np.testing.assert_allclose(seen[0][1], [2.0, 4.0])
    assert hook(x) is x  # the identity outside a gradient


def test_insert_gradient_of_passes_its_function_of_the_gradient_on():
    clip = ops.InsertGradientOf(lambda dx: ops.clip_by_value(dx, -0.01, 0.01))
    net = Net()
    g = ms.grad(lambda x: net.b(clip(ops.tanh(net.a(x)))).sum())(X)
    np.testing.assert_allclose(g, [[0.02 * SLOPE, 0.02 * SLOPE]], rtol=1e-6)
    times3 = ops.InsertGradientOf(lambda d: d * 3)
    x = Tensor(np.array([1.0, 2.0], np.float32))
    np.testing.assert_allclose(ms.grad(lambda x: (times3(x * 2.0) ** 2).sum())(x), [24, 48])


def hooked_square(a):
    b = a * 2
    b.register_hook(lambda g: g * 10)  # MindSpore 2.10: grad 80 a = [80, 160, 240]
    return (b ** 2).sum()


def hooked_twice_named(a):
    b = a * 2
    c = b
    c.register_hook(lambda g: ops.clip_by_value(g, -1.0, 1.0))
    return (b ** 2).sum() + (c * 3).sum()  # both names are the hooked array


def hooked_after_use(a):
    b = a * 2
    c = b * 3
    b.register_hook(lambda g: g * 10)
    return (b ** 2).sum() + c.sum()


def test_register_hook_passes_its_function_of_the_gradient_on_as_mindspore():
    """Tensor.register_hook was missing (MindSpore 2.x's hook on an intermediate
    gradient); a hook lambda written in the function is compiled with it."""
    x = Tensor(np.array([1.0, 2.0, 3.0], np.float32))
    np.testing.assert_allclose(ms.grad(hooked_square)(x), [80.0, 160.0, 240.0])
    np.testing.assert_allclose(ms.grad(hooked_twice_named)(x), [2.0, 2.0, 2.0])
    handle = (x * 2).register_hook(lambda g: g)  # eagerly: a handle, no gradient flows
    assert handle.remove() is None
    with pytest.raises(AutodiffError, match="already used") as err:
        ms.grad(hooked_after_use)(x)
    assert "right where the array is made" in str(err.value)


def test_hook_classes_are_in_the_operations_module_as_in_mindspore():
    """MindSpore's tests spell them ``P.HookBackward`` (``mindspore.ops.operations``):
    a Cell holding one, in front of a ReLU, differentiated with ``GradOperation``. For x
    = [[0.5, -1], [2, -0.3]], relu((2x)^2)'s gradient is 8x, doubled by the hook."""
    operations = ops.operations
    assert operations.HookBackward is ops.HookBackward
    assert operations.InsertGradientOf is ops.InsertGradientOf

    class VarHook(nn.Cell):
        def __init__(self):
            super().__init__()
            self.relu = nn.ReLU()
            self.hook = operations.HookBackward(lambda grads: (grads[0] * 2,))

        def construct(self, x):
            x = x + x
            x = x * x
            return self.relu(self.hook(x))

    x = np.array([[0.5, -1.0], [2.0, -0.3]], np.float32)
    (g,) = ops.GradOperation(get_all=True)(VarHook())(Tensor(x))
    np.testing.assert_allclose(g, 2 * 8 * x, rtol=1e-6)

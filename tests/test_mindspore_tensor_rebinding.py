"""A MindSpore Tensor's ``+=``, ``-=``, ``*=`` and ``/=`` make a new Tensor: the name is
rebound and every other name for the old Tensor keeps its values (measured with
MindSpore 2.10). Compiled gradients took them for NumPy's writes into the array, so
``out = y; out += x`` changed ``y`` too: a residual block's loss under
``value_and_grad`` was 7.0 for MindSpore's 4.5, and its gradients wrong, silently."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops


class Residual(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(Tensor(np.array([[0.5, -0.2], [0.1, 0.3]], np.float32)), name="w")

    def construct(self, x):
        y = ops.matmul(x, self.w)
        out = y
        out += x
        return (out + y).sum()


def test_residual_added_through_a_second_name_leaves_the_first_as_mindspore_does():
    net = Residual()
    x = Tensor(np.array([[1.0, 2.0], [-1.0, 0.5]], np.float32))
    loss, (g_x, (g_w,)) = ms.value_and_grad(net, 0, net.trainable_params())(x)
    # MindSpore 2.10: forward 4.5, value_and_grad 4.5, these gradients
    assert float(net(x)) == pytest.approx(4.5)
    assert float(loss) == pytest.approx(4.5)
    np.testing.assert_allclose(g_x.asnumpy(), [[1.6, 1.8], [1.6, 1.8]], rtol=1e-6)
    np.testing.assert_allclose(g_w.asnumpy(), [[0.0, 0.0], [5.0, 5.0]], rtol=1e-6)


def scaled_through_an_alias(a, b):
    c = b
    c *= 3.0
    return (b + c).sum()


def subtracted_through_an_alias(a, b):
    c = b
    c -= a
    return (b * a).sum()


def list_item_named_and_added(a, b):
    items = [a * 1.0, b * 2.0]
    first = items[0]
    first += items[1]
    return (items[0] + first * a).sum()


def accumulated_through_an_alias_in_a_loop(a, b):
    acc = b
    for _ in range(3):
        acc += a
    return (acc * b).sum()


def divided_through_an_alias(a, b):
    s = a * b
    t = s
    t /= 2.0
    return (s * t).sum()


def argument_incremented_through_an_alias(a, b):
    h = a
    h += ops.sin(a) * b
    return (h * a).sum()


@pytest.mark.parametrize("fn", [scaled_through_an_alias, subtracted_through_an_alias,
                                list_item_named_and_added,
                                accumulated_through_an_alias_in_a_loop,
                                divided_through_an_alias,
                                argument_incremented_through_an_alias])
def test_augmented_assignment_on_a_tensor_rebinds_in_compiled_code_as_eagerly(fn):
    a = Tensor(np.array([0.5, -1.5, 2.0]))
    b = Tensor(np.array([1.25, 0.75, -0.5]))
    value, (g_a, g_b) = ms.value_and_grad(fn, grad_position=(0, 1))(a, b)
    assert float(value) == pytest.approx(float(fn(a, b)), rel=1e-12)
    a_, b_ = a.asnumpy(), b.asnumpy()
    np.testing.assert_allclose(
        g_a.asnumpy(), central_differences(lambda v: float(fn(Tensor(v), b)), a_), rtol=1e-6)
    np.testing.assert_allclose(
        g_b.asnumpy(), central_differences(lambda v: float(fn(a, Tensor(v))), b_), rtol=1e-6)

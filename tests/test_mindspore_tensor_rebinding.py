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


class StepCounter(nn.Cell):
    """A step counter and a running mean kept in Parameters, set in construct."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Dense(2, 1, weight_init=Tensor(np.array([[0.5, -0.5]], np.float32)),
                           bias_init="zeros")
        self.counter = Parameter(Tensor(np.zeros((), np.float32)), name="counter",
                                 requires_grad=False)
        self.mean = Parameter(Tensor(np.zeros((1, 1), np.float32)), name="mean",
                              requires_grad=False)

    def construct(self, x):
        self.counter += 1.0
        out = self.fc(x)
        self.mean = self.mean * 0.9 + ops.stop_gradient(out) * 0.1
        return out


def test_a_parameter_set_in_construct_takes_the_values_as_mindspore_does():
    """``self.counter += 1.0`` and ``self.mean = ...`` on a Cell's Parameters set their
    values, eagerly and in compiled training steps (they were refused there; eagerly the
    Parameter was replaced by a Tensor). MindSpore 2.10's losses, counter and weight
    after three SGD steps."""
    net = StepCounter()
    counter = net.counter
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()),
                               nn.SGD(net.trainable_params(), 0.1))
    x = Tensor(np.array([[1.0, 2.0]], np.float32))
    y = Tensor(np.array([[1.0]], np.float32))
    losses = [float(step(x, y)) for _ in range(3)]
    np.testing.assert_allclose(losses, [2.25, 0.09, 0.0036], rtol=1e-4)
    assert net.counter is counter and float(net.counter) == 3.0
    np.testing.assert_allclose(net.fc.weight.asnumpy(), [[0.752, 0.004]], rtol=1e-5)
    outs = [-0.5, 1.3, 0.94]  # the network's output at each step, before its update
    np.testing.assert_allclose(net.mean.asnumpy()[0, 0], sum(
        0.1 * o * 0.9 ** (2 - i) for i, o in enumerate(outs)), rtol=1e-5)
    net(x)
    assert isinstance(net.counter, Parameter) and float(net.counter) == 4.0


def test_a_parameter_given_anything_but_a_tensor_is_refused_as_mindspore_does():
    net = StepCounter()
    with pytest.raises(TypeError, match="already exists in network"):
        net.counter = 3.0
    net.counter = Tensor(np.array(2.0, np.float64))  # cast to the Parameter's float32
    assert isinstance(net.counter, Parameter) and net.counter.dtype == np.float32

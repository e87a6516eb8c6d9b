"""A gradient of a ``set_grad()`` Cell right after its call reuses that call's forward
pass, as MindSpore's PyNative mode does (``mindspore.forward_reuse``). The table is
what MindSpore 2.10 gives (measured on CPU): how many times a BatchNorm's moving mean
moved after a call of the net and then one gradient."""
import functools

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(2, momentum=0.9)

    def construct(self, x):
        return (self.bn(x) ** 2).sum() + self.bn.gamma.sum()


X = np.array([[0.0, 1.0], [2.0, 3.0]], np.float32)  # the batch's mean: [1, 2]
ONCE, TWICE = [0.1, 0.2], [0.19, 0.38]


def gradop(net, x):
    ops.GradOperation(get_by_list=True)(net, net.trainable_params())(x)


def gradop_sens(net, x):
    ops.GradOperation(get_by_list=True, sens_param=True)(net, net.trainable_params())(
        x, Tensor(1.0, ms.float32))


def functional_grad(net, x):
    ms.grad(net, None, net.trainable_params())(x)


def value_and_grad(net, x):
    ms.value_and_grad(net, None, net.trainable_params())(x)


def called_again(net, x):
    net(x)


GRADIENTS = [gradop, gradop_sens, functional_grad, value_and_grad]


@pytest.mark.parametrize("then", [*GRADIENTS, called_again], ids=lambda f: f.__name__)
@pytest.mark.parametrize("marked", [True, False], ids=["set_grad", "unmarked"])
def test_the_forward_pass_runs_once_where_mindspore_reuses_it(then, marked):
    net = Net()
    net.set_train()
    if marked:
        net.set_grad()
    x = Tensor(X)
    net(x)
    then(net, x)
    reused = marked and then is not called_again
    np.testing.assert_allclose(net.bn.moving_mean, ONCE if reused else TWICE, rtol=1e-6)


@pytest.mark.parametrize("then", GRADIENTS, ids=lambda f: f.__name__)
def test_equal_but_other_inputs_or_a_second_gradient_run_it_again(then):
    net = Net()
    net.set_train()
    net.set_grad()
    net(Tensor(X))
    then(net, Tensor(X.copy()))
    np.testing.assert_allclose(net.bn.moving_mean, TWICE, rtol=1e-6)
    net, x = Net(), Tensor(X)
    net.set_train()
    net.set_grad()
    net(x)
    then(net, x)
    then(net, x)
    np.testing.assert_allclose(net.bn.moving_mean, TWICE, rtol=1e-6)


class TrainStep(nn.TrainOneStepCell):
    """A model zoo's train step: the loss from a call, then the gradient."""

    def construct(self, *inputs):
        loss = self.network(*inputs)
        sens = ops.fill(loss.dtype, loss.shape, self.sens)
        grads = self.grad(self.network, self.weights)(*inputs, sens)
        self.optimizer(grads)
        return loss


def test_a_train_step_calling_then_differentiating_moves_statistics_once():
    net = Net()
    step = TrainStep(net, nn.SGD(net.trainable_params(), 0.0))  # marks the net
    step.set_train()
    step(Tensor(X))
    np.testing.assert_allclose(net.bn.moving_mean, ONCE, rtol=1e-6)
    step(Tensor(X))  # each step moves them once, from where the last left them
    np.testing.assert_allclose(net.bn.moving_mean, TWICE, rtol=1e-6)


class Dropped(nn.Cell):
    def __init__(self):
        super().__init__()
        self.drop = nn.Dropout(p=0.5)

    def construct(self, x):
        return (self.drop(x) * Tensor(np.arange(1.0, 7.0, dtype=np.float32))).sum()


def test_the_gradient_sees_the_calls_dropout_mask_and_draws_nothing_more():
    net = Dropped()
    net.set_train()
    net.set_grad()
    x = Tensor(np.ones(6, np.float32))
    np.random.seed(7)
    loss = net(x)
    drawn_between = np.random.random(3)
    (g,) = ops.GradOperation(get_all=True)(net)(x)
    after = np.random.random(3)
    kept = np.asarray(g) != 0  # the gradient's mask: 2 * weights where kept
    np.testing.assert_allclose(loss, np.sum(2.0 * np.arange(1.0, 7.0) * kept), rtol=1e-6)
    np.random.seed(7)
    np.random.random(6)  # the call's mask
    np.testing.assert_array_equal(np.random.random(3), drawn_between)
    np.testing.assert_array_equal(np.random.random(3), after)


def test_a_buffer_written_between_the_call_and_the_gradient_is_kept():
    net = Net()
    net.set_train()
    net.set_grad()
    x = Tensor(X)
    net(x)
    ops.assign(net.bn.moving_mean, Tensor(np.array([5.0, 5.0], np.float32)))
    gradop(net, x)
    np.testing.assert_allclose(net.bn.moving_mean, [4.6, 4.7], rtol=1e-6)


def test_a_cached_gradient_reuses_the_call_of_every_step():
    """Its second call takes the fast path, which hands a marked Cell's arguments back
    by name: they are matched parameter by parameter, not as they were passed."""
    net = Net()
    net.set_train()
    net.set_grad()
    gradient = ms.grad(net, None, net.trainable_params())
    x = Tensor(X)
    for want in (ONCE, TWICE):
        net(x)
        gradient(x)
        np.testing.assert_allclose(net.bn.moving_mean, want, rtol=1e-6)


@ms.jit
def jitted_step(net, x):
    loss = net(x)
    ops.GradOperation(get_by_list=True)(net, net.trainable_params())(x)
    return loss


class JittedStep(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.net = net

    @ms.jit
    def step(self, x):
        loss = self.net(x)
        ms.grad(self.net, None, self.net.trainable_params())(x)
        return loss

    def construct(self, x):
        return self.net(x)


def test_inside_jit_a_call_and_its_gradient_share_the_forward_pass():
    """MindSpore's graph mode (@jit, measured in 2.10) does so without set_grad(): a
    function or a Cell's method; the statistics move once a step."""
    for step in (lambda net, x: jitted_step(net, x), lambda net, x: JittedStep(net).step(x)):
        net = Net()
        net.set_train()
        x = Tensor(X)
        loss = step(net, x)
        np.testing.assert_allclose(net.bn.moving_mean, ONCE, rtol=1e-6)
        np.testing.assert_allclose(loss, net(x), rtol=1e-6)  # (a call of its own: moves)
    assert jitted_step.__name__ == "jitted_step"


@ms.jit
def doubled(x):
    return x * 2.0


def test_a_jit_function_is_compiled_as_the_function_itself():
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(ms.grad(lambda x: np.sum(doubled(x) * x))(x), 4 * x)
    np.testing.assert_allclose(ms.grad(lambda x: np.sum(doubled(x)))(x), [2.0, 2.0])
    np.testing.assert_allclose(doubled(x), 2 * x)


@ms.jit
def cubed_sum(x, *, scale=2.0):
    return np.sum(x ** 3) * scale


class JitMethod(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = ms.Parameter(ms.Tensor(np.array([1.0, -2.0])), name="w")

    @ms.jit
    def step(self, x, scale=1.0):
        return (self.w * x * scale).sum()

    def construct(self, x):
        return self.step(x)


def test_a_jit_function_is_what_transforms_take():
    """MindSpore's training step is a ``@jit`` function handed to ``value_and_grad``:
    ``inspect`` read the wrapper, an object with ``__get__``, as a builtin without a
    signature (a ValueError from inside the compiler)."""
    x = np.array([0.5, -1.5])
    np.testing.assert_allclose(ms.grad(cubed_sum)(x), 6 * x ** 2)
    value, grad = ms.value_and_grad(cubed_sum)(x, scale=3.0)
    np.testing.assert_allclose([value, *np.asarray(grad)], [3 * np.sum(x ** 3), *(9 * x ** 2)])
    np.testing.assert_allclose(ms.vmap(cubed_sum)(np.stack([x, 2 * x])),
                               [2 * np.sum(x ** 3), 16 * np.sum(x ** 3)])
    np.testing.assert_allclose(ms.jacrev(cubed_sum)(x), 6 * x ** 2)
    np.testing.assert_allclose(ms.jvp(cubed_sum, ms.Tensor(x), ms.Tensor(np.ones(2)))[1],
                               np.sum(6 * x ** 2))
    net = JitMethod()
    np.testing.assert_allclose(ms.grad(net.step)(x, 2.0), 2 * net.w.asnumpy())
    (w_grad,) = ms.grad(net.step, None, net.trainable_params())(x, 2.0)
    np.testing.assert_allclose(w_grad, 2 * x)
    np.testing.assert_allclose(ms.grad(functools.partial(net.step, scale=5.0))(x),
                               5 * net.w.asnumpy())

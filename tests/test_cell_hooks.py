"""A Cell's hooks run inside differentiated functions as MindSpore's PyNative mode runs
them (MindSpore 2.10, measured; GRAPH_MODE does not run hooks with Python effects).

What MindSpore answered, for x = [1, 2], y = [3, 4] and ``construct`` = x * x * y:
- forward pre-hook doubling x: value 76, grad (8xy, 4x^2) = ([24, 64], [4, 16]): the
  hook is differentiated with the Cell;
- forward hook adding 1: value 21 (+2), gradient unchanged;
- backward hook multiplying grad_input by 10: ([60, 160], [10, 40]); grad_input is the
  cotangent of construct's inputs (after a forward pre-hook: of the hooked inputs);
- backward pre-hook multiplying grad_output by 10: the backward hook then sees 10s;
- a Parameter's gradient is not in grad_input and not changed by the hook;
- a Cell called twice runs its backward hook once per call;
- a hook returning a tuple of the wrong size: TypeError "The backward hook return value
  size is 1 not equal to expect grad input size 2"; we raise a located AutodiffError.
"""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, Parameter, nn, ops

X = np.array([1.0, 2.0])
Y = np.array([3.0, 4.0])


class Net(nn.Cell):
    def construct(self, x, y):
        return x * x * y


class Two(nn.Cell):
    def construct(self, x):
        return x * 2, x * x


def double_x(cell, inputs):
    return (inputs[0] * 2, inputs[1])


def add_one(cell, inputs, output):
    return output + 1


def times_ten(cell, grad_input, grad_output):
    return tuple(g * 10 for g in grad_input)


def out_times_ten(cell, grad_output):
    return (grad_output[0] * 10,)


def keep(cell, grad_input, grad_output):
    return None


def double_first(cell, grad_input, grad_output):
    return (grad_input[0] * 2, grad_input[1])


def with_kwargs(cell, args, kwargs):
    return (args[0] + 1,), kwargs


def one_call(net, x, y):
    return net(x, y).sum()


def two_calls(net, x, y):
    return (net(x, y) + net(y, x)).sum()


# (hooks to register, loss of (x, y) given the hooked Cell, expected value, expected grads)
CASES = {
    "forward pre-hook": ([("register_forward_pre_hook", double_x)],
                         one_call, 76.0, (8 * X * Y, 4 * X ** 2)),
    "forward hook": ([("register_forward_hook", add_one)],
                     one_call, 21.0, (2 * X * Y, X ** 2)),
    "backward hook": ([("register_backward_hook", times_ten)],
                      one_call, 19.0, (20 * X * Y, 10 * X ** 2)),
    "backward pre-hook": ([("register_backward_pre_hook", out_times_ten)],
                          one_call, 19.0, (20 * X * Y, 10 * X ** 2)),
    "backward hook keeping": ([("register_backward_hook", keep)],
                              one_call, 19.0, (2 * X * Y, X ** 2)),
    "called twice": ([("register_backward_hook", double_first)],
                     two_calls, 60.0,
                     (4 * X * Y + Y ** 2, X ** 2 + 4 * X * Y)),
    "pre-hook then backward hook": ([("register_forward_pre_hook", double_x),
                                     ("register_backward_hook", double_first)],
                                    one_call, 76.0,
                                    (16 * X * Y, 4 * X ** 2)),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("differentiate", ["function", "cell"])
def test_hooks_act_as_in_mindspore(name, differentiate):
    hooks, loss, value, expected = CASES[name]
    net = Net()
    for register, hook in hooks:
        getattr(net, register)(hook)
    if differentiate == "cell":
        if name == "called twice":
            pytest.skip("the Cell itself is called once")
        got = adc.grad(net, grad_position=(0, 1))(X, Y)
        # the gradient of the Cell is seeded with ones: the same as of its sum
    else:
        got = adc.grad(lambda x, y: loss(net, x, y), grad_position=(0, 1))(X, Y)
    assert loss(net, X, Y) == pytest.approx(value)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(g, e, rtol=1e-12)


def test_forward_pre_hook_with_kwargs():
    net = Net()
    net.register_forward_pre_hook(with_kwargs, with_kwargs=True)
    np.testing.assert_allclose(net(X, y=Y), [12.0, 36.0])
    got = adc.grad(lambda x, y: net(x, y=y).sum(), grad_position=(0, 1))(X, Y)
    np.testing.assert_allclose(got[0], 2 * (X + 1) * Y)
    np.testing.assert_allclose(got[1], (X + 1) ** 2)


def test_backward_pre_hook_sees_every_output():
    two = Two()
    two.register_backward_pre_hook(lambda cell, go: (go[0] * 0, go[1]))
    got = adc.grad(lambda x: (lambda o: (o[0] + o[1]).sum())(two(x)))(X)
    np.testing.assert_allclose(got, 2 * X)  # MindSpore: [2, 4]


class Lin(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(np.array([[1.0, 2.0], [3.0, 4.0]]), name="w")

    def construct(self, x):
        return ops.matmul(x, self.w)


def test_parameter_gradient_is_not_hooked():
    lin = Lin()
    lin.register_backward_hook(lambda cell, gi, go: (gi[0] * 2,))
    gx, gw = adc.grad(lambda x: (lin(x) ** 2).sum(), grad_position=0,
                      weights=lin.trainable_params())(X)
    np.testing.assert_allclose(gx, [108.0, 244.0])  # MindSpore's numbers
    np.testing.assert_allclose(gw[0], [[14.0, 20.0], [28.0, 40.0]])


def test_hook_registered_after_compiling_recompiles_and_remove_undoes_it():
    net = Net()
    g = adc.grad(lambda x, y: net(x, y).sum(), grad_position=(0, 1))
    np.testing.assert_allclose(g(X, Y)[0], 2 * X * Y)
    handle = net.register_backward_hook(times_ten)
    np.testing.assert_allclose(g(X, Y)[0], 20 * X * Y)
    handle.remove()
    np.testing.assert_allclose(g(X, Y)[0], 2 * X * Y)


def test_eager_call_runs_forward_hooks_in_order_and_prepend_first():
    net = Net()
    net.register_forward_hook(lambda cell, inputs, out: out * 10)
    net.register_forward_hook(lambda cell, inputs, out: out + 1, prepend=True)
    np.testing.assert_allclose(net(X, Y), (X * X * Y + 1) * 10)


def test_generated_source_shows_the_hooks():
    net = Net()
    net.register_backward_hook(times_ten)
    source = adc.gradient_source(lambda x, y: net(x, y).sum(), (0, 1), args=(X, Y))
    assert "def Net_construct_grad_input(" in source and "* 10" in source


def test_hook_returning_the_wrong_number_is_a_located_error():
    net = Net()
    net.register_backward_hook(lambda cell, gi, go: (gi[0],))
    with pytest.raises(AutodiffError, match=r"returned 1 value.*2 grad_input") as err:
        adc.grad(lambda x, y: net(x, y).sum(), grad_position=(0, 1))(X, Y)
    assert "test_cell_hooks.py" in str(err.value)


def test_forward_mode_through_a_backward_hook_is_refused():
    net = Net()
    net.register_backward_hook(times_ten)
    with pytest.raises(AutodiffError, match="forward mode"):
        adc.jvp(lambda x: net(x, Y).sum(), X, np.ones(2))


def test_a_hook_that_is_not_a_function_runs_as_python_and_may_not_replace_the_output():
    """A functools.partial has no source to compile: it runs when the program runs
    (``test_cell_hooks_at_run_time``), where a forward hook may look at the output but
    not replace it (its replacement would have no derivative)."""
    import functools
    net = Net()
    net.register_forward_hook(functools.partial(add_one))
    with pytest.raises(ValueError, match="may look at the Cell's output but not replace"):
        adc.grad(lambda x, y: net(x, y).sum())(X, Y)


def test_registering_a_non_callable_is_a_type_error():
    with pytest.raises(TypeError, match="takes a function"):
        Net().register_forward_hook(3)


def test_second_derivative_through_a_backward_hook_is_refused_at_the_call():
    net = Net()
    net.register_backward_hook(times_ten)

    def loss(x):
        return net(x, Y).sum()

    with pytest.raises(AutodiffError, match="second derivative through Cell 'Net' with a "
                                            "backward hook"):
        adc.grad(lambda x: adc.grad(loss)(x).sum())(X)


def test_second_derivative_through_forward_hooks_differentiates_them():
    net = Net()
    net.register_forward_hook(lambda cell, inputs, out: out * 2)

    def loss(x):
        return net(x, Y).sum()

    np.testing.assert_allclose(adc.grad(lambda x: adc.grad(loss)(x).sum())(X), 4 * Y)

"""Arrays reached through a Python container: a list, tuple, dict or ``ParameterTuple``
held by a Cell or a global, iterated, unpacked, zipped, listed by
``trainable_params()`` or read with ``getattr``. Each is read at every call and, if it
is a Parameter, differentiated: before, one taken out of a container by iteration or
unpacking became a constant of the compiled code, with a zero gradient and a value
that went stale when the array was updated in place."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, ParameterTuple, nn


class Layers(nn.Cell):
    def __init__(self, forward):
        super().__init__()
        self.w0 = Parameter(np.array([[0.3, -0.2], [0.5, 0.1]]), name="w0")
        self.w1 = Parameter(np.array([[0.2, 0.4], [-0.3, 0.6]]), name="w1")
        self.b = Parameter(np.array([0.1, -0.2]), name="b")
        self.ws = [self.w0, self.w1]
        self.biases = (self.b, np.array([0.3, 0.0]))
        self.pairs = [(self.w0, self.b), (self.w1, self.b)]
        self.named = {"first": self.w0, "second": self.w1}
        self.layers = {"w0": self.w0, "w1": self.w1}
        self.tuple_of_params = ParameterTuple([self.w0, self.w1])
        self.forward = forward

    def construct(self, x):
        return self.forward(self, x)


def iterate(self, x):
    for w in self.ws:
        x = np.tanh(x @ w)
    return np.sum(x) + np.sum(self.b)


def zipped(self, x):
    for w, b in zip(self.ws, self.biases):
        x = np.tanh(x @ w + b)
    return np.sum(x)


def enumerated(self, x):
    for i, w in enumerate(self.ws):
        x = np.tanh(x @ w) * (i + 1.0)
    return np.sum(x * self.b)


def unpacked(self, x):
    first, second = self.ws
    (w, b), _ = self.pairs
    return np.sum(np.tanh(x @ first @ second) + w[0] * b)


def nested_pairs(self, x):
    for w, b in self.pairs:
        x = np.sin(x @ w + b)
    return np.sum(x)


def comprehension(self, x):
    return sum(np.sum(np.tanh(x @ w)) for w in self.ws) + sum([np.sum(w * self.b) for w in self.ws])


def dict_items(self, x):
    for _, w in self.named.items():
        x = np.tanh(x @ w)
    return np.sum(x * self.named.get("first")[0]) + np.sum(self.b)


def parameter_tuple(self, x):
    for w in self.tuple_of_params:
        x = np.tanh(x @ w)
    return np.sum(x + self.b)


def by_getattr(self, x):
    for i in range(2):
        x = np.tanh(x @ getattr(self, f"w{i}"))
    return np.sum(x * self.b)


def by_formatted_key(self, x):  # (a run-time key made the dict a constant holding Vars)
    for i in range(2):
        x = np.tanh(x @ self.layers[f"w{i}"])
    return np.sum(x * self.b)


def weight_decay(self, x):
    loss = np.sum(np.tanh(x @ self.w0 @ self.w1 + self.b))
    return loss + 0.5 * sum(np.sum(p * p) for p in self.trainable_params())


def named_decay(self, x):
    loss = np.sum(np.tanh(x @ self.w0) @ self.w1)
    for name, p in self.parameters_and_names():
        loss = loss + (0.1 if name == "b" else 0.2) * np.sum(p * p)
    return loss


FORWARDS = [iterate, zipped, enumerated, unpacked, nested_pairs, comprehension, dict_items,
            parameter_tuple, by_getattr, by_formatted_key, weight_decay, named_decay]
X = np.array([[1.0, -0.5], [0.3, 0.8], [-1.2, 0.4]])


def numeric_gradient(cell, param, eps=1e-6):
    return numeric_gradient_at(cell, param, X, eps)


@pytest.mark.parametrize("forward", FORWARDS, ids=[f.__name__ for f in FORWARDS])
def test_parameters_in_containers_get_their_gradients(forward):
    cell = Layers(forward)
    params = cell.trainable_params()
    value, grads = ms.value_and_grad(cell, None, params)(X)
    np.testing.assert_allclose(float(value), float(cell(X)), rtol=1e-12)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(np.asarray(g), numeric_gradient(cell, p),
                                   rtol=1e-6, atol=1e-9, err_msg=p.name)


@pytest.mark.parametrize("forward", [iterate, zipped, parameter_tuple],
                         ids=["iterate", "zipped", "parameter_tuple"])
def test_parameters_in_containers_are_read_at_each_call(forward):
    cell = Layers(forward)
    grad_fn = ms.value_and_grad(cell, None, cell.trainable_params())
    grad_fn(X)
    cell.w1.set_data(cell.w1.asnumpy() * 2.0)
    value, grads = grad_fn(X)
    np.testing.assert_allclose(float(value), float(cell(X)), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(grads[1]), numeric_gradient(cell, cell.w1),
                               rtol=1e-6, atol=1e-9)


SCALES = [np.array(2.0), np.array(3.0)]


def scaled_sum(x):
    total = 0.0
    for s in SCALES:
        total = total + np.sum(x * s)
    return total


def test_an_array_in_a_global_list_updated_in_place_is_seen():
    x = np.array([0.3, 0.7])
    grad_fn = ms.value_and_grad(scaled_sum)
    np.testing.assert_allclose(grad_fn(x)[0], 5.0)
    SCALES[0][...] = 10.0
    try:
        value, grad = grad_fn(x)
    finally:
        SCALES[0][...] = 2.0
    np.testing.assert_allclose(value, 13.0)
    np.testing.assert_allclose(grad, [13.0, 13.0])


class HeldInATuple(nn.Cell):
    """Parameters held only by a ``ParameterTuple`` attribute (MindSpore's
    ``tests/st/gradient`` nets): listed under their own names, as MindSpore 2.10 lists
    them, so an optimizer built on ``trainable_params()`` updates them."""

    def __init__(self):
        super().__init__()
        self.ws = ParameterTuple([Parameter(np.array([1.0, 2.0]), name="a"),
                                  Parameter(np.array([3.0, 4.0]), name="b")])
        self.unnamed = ParameterTuple([Parameter(np.array([0.5]))])
        self.plain = [Parameter(np.array([5.0]), name="c")]  # a list: not registered

    def construct(self, x):
        return np.sum(x * self.ws[0] + self.ws[1] ** 2) * self.unnamed[0][0]


class Holder(nn.Cell):
    def __init__(self):
        super().__init__()
        self.inner = HeldInATuple()

    def construct(self, x):
        return self.inner(x)


@pytest.mark.parametrize("make, prefix", [(HeldInATuple, ""), (Holder, "inner.")],
                         ids=["own", "sub_cell"])
def test_a_parameter_tuple_attribute_registers_its_parameters(make, prefix):
    cell, x = make(), np.array([1.0, 1.0])
    params = cell.trainable_params()
    names = [prefix + n for n in ("a", "b", "unnamed.0")]
    assert [p.name for p in params] == names
    assert [n for n, _ in cell.parameters_and_names()] == names
    grads = ms.grad(cell, None, params)(x)
    for p, g in zip(params, grads):
        np.testing.assert_allclose(np.asarray(g), numeric_gradient_at(cell, p, x),
                                   rtol=1e-6, atol=1e-9, err_msg=p.name)


def numeric_gradient_at(cell, param, x, eps=1e-6):
    base, out = param.asnumpy().copy(), np.zeros(param.shape)
    for i in np.ndindex(param.shape):
        step = np.zeros(param.shape)
        step[i] = eps
        param.set_data(base + step)
        up = float(cell(x))
        param.set_data(base - step)
        down = float(cell(x))
        out[i] = (up - down) / (2 * eps)
    param.set_data(base)
    return out

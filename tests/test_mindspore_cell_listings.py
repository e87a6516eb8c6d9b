"""A Cell's listings inside ``construct``: its Parameters by name (``p.name``), its
sub-Cells (``self.cells()``, ``name_cells()``, ``cells_and_names()``, ``reversed`` and
``len`` of a CellList), each run while compiling; and the guard on them: a Cell
appended, inserted or removed, or a Parameter frozen, after the gradient was compiled
recompiles it (it was reused, stale). Checked against central differences of the
eager network in float64."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

X = np.array([[0.1, -0.2, 0.3]])


def _dense(n_in=3, n_out=3, scale=0.4):
    weight = scale * np.cos(np.arange(n_in * n_out, dtype=np.float64)).reshape(n_out, n_in)
    return nn.Dense(n_in, n_out, weight_init=Tensor(weight),
                    bias_init=Tensor(np.linspace(-0.1, 0.2, n_out)))


class DecayByName(nn.Cell):
    """An L2 term over the weights, biases left out by their names."""

    def __init__(self):
        super().__init__()
        self.fc = _dense()

    def construct(self, x):
        reg = 0.0
        for p in self.trainable_params():
            if "weight" in p.name:
                reg = reg + (p ** 2).sum()
        return self.fc(x).sum() + 0.1 * reg


class Reversed(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([_dense(scale=0.4), _dense(scale=-0.7)])

    def construct(self, x):
        for layer in reversed(self.layers):
            x = ops.tanh(layer(x))
        return x.sum()


class OverCells(nn.Cell):
    def __init__(self):
        super().__init__()
        self.a, self.b = _dense(scale=0.4), _dense(scale=-0.7)

    def construct(self, x):
        for cell in self.cells():
            x = ops.tanh(cell(x))
        for name, cell in self.name_cells().items():
            x = x + (0.5 if name == "a" else 0.25) * cell(x)
        for name, _cell in self.cells_and_names():
            if name:
                x = x * 0.9
        return (x ** 2).sum()


@pytest.mark.parametrize("make", [DecayByName, Reversed, OverCells], ids=lambda m: m.__name__)
def test_listings_in_construct_differentiate_as_the_eager_network(make):
    """Each was refused (``p.name`` not an array attribute; ``reversed`` of a CellList
    and ``self.cells()`` with no derivative rule)."""
    net = make()
    got = ms.grad(net)(Tensor(X))
    np.testing.assert_allclose(got, central_differences(lambda v: net(Tensor(v)), X), rtol=1e-7)
    weights = net.trainable_params()
    _, grads = ms.value_and_grad(net, None, weights)(Tensor(X))
    for p, g in zip(weights, grads):
        def moved(value, p=p):
            saved = p.asnumpy().copy()
            p.set_data(Tensor(value))
            try:
                return net(Tensor(X))
            finally:
                p.set_data(Tensor(saved))
        np.testing.assert_allclose(g, central_differences(moved, p.asnumpy()), rtol=1e-6,
                                   atol=1e-10)


def test_a_parameter_name_read_in_construct_is_mindspores():
    """MindSpore 2.10: 6.4, and the weight's gradient x + 0.2 w (w ones, x [1, 2])."""
    net = DecayByName()
    net.fc.weight.set_data(Tensor(np.ones((3, 3))))
    net.fc.bias.set_data(Tensor(np.zeros(3)))
    value, (g_weight, g_bias) = ms.value_and_grad(net, None, net.trainable_params())(
        Tensor(np.array([[1.0, 2.0, 0.0]])))
    assert float(value) == pytest.approx(9.0 + 0.9)
    np.testing.assert_allclose(g_weight, np.tile([[1.2, 2.2, 0.2]], (3, 1)))
    np.testing.assert_allclose(g_bias, np.ones(3))


class Stack(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([_dense(scale=0.4)])
        self.head = nn.SequentialCell([_dense(scale=0.3)])
        self.extra = None

    def construct(self, x):
        for i in range(len(self.layers)):
            x = ops.tanh(self.layers[i](x))
        for cell in self.cells():
            if cell is self.head:
                x = cell(x) * len(self.head)
        for name, cell in self.name_cells().items():
            if name == "extra":
                x = x + cell(x)
        reg = 0.0
        for p in self.trainable_params():
            reg = reg + 0.01 * (p ** 2).sum()
        return (x ** 2).sum() * (1.0 + reg)


def _append(net):
    net.layers.append(_dense(scale=-0.5))


def _append_to_sequential(net):
    net.head.append(_dense(scale=0.6))


def _insert_child(net):
    net.insert_child_to_cell("extra", _dense(scale=0.2))


def _freeze(net):
    net.layers[0].weight.requires_grad = False


def _delete_item(net):
    net.layers.append(_dense(scale=-0.5))
    ms.grad(net)(Tensor(X))  # compiled with two, then one again
    del net.layers[0]


class Looped(nn.Cell):
    """A CellList iterated by a for loop: compiled before as well, and reused stale."""

    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([_dense(scale=0.4)])

    def construct(self, x):
        for layer in self.layers:
            x = ops.tanh(layer(x))
        return (x ** 2).sum()


@pytest.mark.parametrize("make, change", [
    (Stack, _append), (Stack, _append_to_sequential), (Stack, _insert_child),
    (Stack, _freeze), (Stack, _delete_item), (Looped, _append), (Looped, _delete_item)],
    ids=lambda c: c.__name__.strip("_"))
def test_a_listing_changed_after_compiling_recompiles(make, change):
    net = make()
    gradient = ms.grad(net)
    before = gradient(Tensor(X))
    np.testing.assert_allclose(before, central_differences(lambda v: net(Tensor(v)), X),
                               rtol=1e-6, atol=1e-10)
    change(net)
    after = gradient(Tensor(X))
    np.testing.assert_allclose(after, central_differences(lambda v: net(Tensor(v)), X),
                               rtol=1e-6, atol=1e-10)
    assert not np.allclose(after, before)


def test_training_steps_change_no_listing():
    """Setting a Python number on a Cell in construct (``self.calls += 1``) and the
    optimizer's writes leave the listings' version alone: no step recompiles."""
    from autodiff_compiler.mindspore.tensor import STRUCTURE

    class Counted(nn.Cell):
        def __init__(self):
            super().__init__()
            self.layers = nn.CellList([_dense(), nn.BatchNorm1d(3), _dense(3, 2)])
            self.calls = 0

        def construct(self, x):
            self.calls += 1
            for layer in self.layers:
                x = layer(x)
            return x

    net = Counted()
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()),
                               nn.Adam(net.trainable_params(), 0.01))
    step.set_train()
    data, target = Tensor(np.ones((4, 3))), Tensor(np.zeros((4, 2)))
    step(data, target)
    version = STRUCTURE.version
    for _ in range(3):
        step(data, target)
    assert STRUCTURE.version == version and net.calls == 4

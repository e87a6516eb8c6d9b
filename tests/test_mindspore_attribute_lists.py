"""A list or dict a Cell's ``construct`` sets on ``self`` and then changes
(``self.feats = []`` then ``self.feats.append(h)``, ``+=``, item assignment, ``del``,
in a branch decided at run time), read back in the same call: the gradient agrees with
central differences of the eager network in float64, and after a differentiated call
the Cell holds what the eager call leaves (Tensors), as MindSpore's does (the harness
program of this shape matched MindSpore 2.10). A list made outside the call (in
``__init__``) and changed in it is refused at its line, with what to do instead."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

X = np.array([[0.3, -0.7, 0.5], [1.1, 0.2, -0.4]])


def _dense():
    w = 0.4 * np.cos(np.arange(9, dtype=np.float64)).reshape(3, 3)
    return nn.Dense(3, 3, weight_init=Tensor(w), bias_init=Tensor(np.linspace(-0.1, 0.2, 3)))


class Appended(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = _dense()

    def construct(self, x):
        self.feats = []
        h = self.fc(x)
        self.feats.append(h)
        self.feats.append(ops.tanh(h))
        return (self.feats[0] * self.feats[1]).sum()


class ExtendedAndDeleted(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = _dense()

    def construct(self, x):
        self.feats = [x]
        h = self.fc(x)
        self.feats += [h, h * h]
        del self.feats[0]
        self.feats.insert(0, ops.sin(h))
        return sum(f.sum() for f in self.feats)


class DictItems(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = _dense()

    def construct(self, x):
        self.stats = {}
        h = self.fc(x)
        self.stats["mean"] = h.mean()
        self.stats["sq"] = (h ** 2).sum()
        return self.stats["mean"] + self.stats["sq"]


class InBranch(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = _dense()

    def construct(self, x):
        self.feats = []
        h = self.fc(x)
        if h.sum() > 0:
            self.feats.append(h * 2.0)
        else:
            self.feats.append(h - 1.0)
        self.feats.append(ops.exp(h))
        return (self.feats[0] + self.feats[-1]).sum()


class Nested(nn.Cell):
    """A list inside a tuple on the Cell, changed after it was set."""

    def __init__(self):
        super().__init__()
        self.fc = _dense()

    def construct(self, x):
        inner = []
        self.record = (inner, "tag")
        h = self.fc(x)
        inner.append(h)
        inner.append(h * h)
        return self.record[0][1].sum() + self.record[0][0].sum()


CASES = [Appended, ExtendedAndDeleted, DictItems, InBranch, Nested]
ATTRIBUTE = {Appended: "feats", ExtendedAndDeleted: "feats", DictItems: "stats",
             InBranch: "feats", Nested: "record"}


def _arrays(value):
    if isinstance(value, dict):
        return [np.asarray(v.asnumpy()) for v in value.values()]
    if isinstance(value, tuple):
        return _arrays(value[0])
    return [np.asarray(v.asnumpy()) for v in value]


@pytest.mark.parametrize("cls", CASES, ids=lambda c: c.__name__)
def test_gradient_and_what_the_cell_holds_after_the_call(cls):
    net = cls()
    eager = float(net(Tensor(X)).asnumpy())
    held = _arrays(getattr(net, ATTRIBUTE[cls]))
    setattr(net, ATTRIBUTE[cls], None)
    value, grads = ms.value_and_grad(net, None, net.trainable_params())(Tensor(X))
    np.testing.assert_allclose(float(value.asnumpy()), eager, rtol=1e-12)
    after = getattr(net, ATTRIBUTE[cls])
    for got, want in zip(_arrays(after), held, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    leaves = after.values() if isinstance(after, dict) else \
        after[0] if isinstance(after, tuple) else after
    assert all(isinstance(v, Tensor) for v in leaves)
    weight = net.fc.weight
    numeric = central_differences(lambda: net(Tensor(X)).asnumpy(), weight.asnumpy().copy(),
                                  move=lambda w: weight.set_data(Tensor(w)))
    np.testing.assert_allclose(grads[0].asnumpy(), numeric, rtol=1e-6, atol=1e-8)


class KeptFromInit(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = _dense()
        self.feats = []

    def construct(self, x):
        h = self.fc(x)
        self.feats.append(h)
        return h.sum()


def test_a_list_made_outside_the_call_is_refused_with_a_way_out():
    net = KeptFromInit()
    with pytest.raises(ms.AutodiffError, match=r"did not create \(\.append\(\)\)") as info:
        ms.grad(net, None, net.trainable_params())(Tensor(X))
    assert "self.feats = []" in str(info.value)
    assert "test_mindspore_attribute_lists.py" in str(info.value)

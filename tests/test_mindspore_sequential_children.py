"""``SequentialCell``'s sequence is its children, as in MindSpore 2.10: a child added by
``insert_child_to_cell`` or an attribute counts in ``len``, indexing, slicing (which
keeps the children's names) and the next ``append``'s name, and ``construct`` runs the
children as they were at the last ``append``/``extend``/item assignment/deletion.
Each row is MindSpore 2.10's (CPU): ``len``, the output's shape, the Cells' names."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn

X = Tensor(np.ones((1, 2), np.float32))


def inserted():
    s = nn.SequentialCell([nn.Dense(2, 2)])
    s.insert_child_to_cell("extra", nn.Dense(2, 3))
    return s


def inserted_then_appended():
    s = inserted()
    s.append(nn.ReLU())
    return s


def attribute():
    s = nn.SequentialCell([nn.Dense(2, 2)])
    s.head = nn.Dense(2, 4)
    return s


def attribute_then_appended():
    s = attribute()
    s.append(nn.ReLU())
    return s


def sliced():
    return attribute_then_appended()[1:]


# (how the SequentialCell is made, len, output shape, cells_and_names, MindSpore 2.10)
CASES = [
    (inserted, 2, (1, 2), ["", "0", "extra"]),
    (inserted_then_appended, 3, (1, 3), ["", "0", "extra", "2"]),
    (attribute, 2, (1, 2), ["", "0", "head"]),
    (attribute_then_appended, 3, (1, 4), ["", "0", "head", "2"]),
    (sliced, 2, None, ["", "head", "2"]),
]


@pytest.mark.parametrize("make, length, shape, names", CASES,
                         ids=[c[0].__name__ for c in CASES])
def test_children_are_the_sequence_as_in_mindspore(make, length, shape, names):
    s = make()
    assert len(s) == length
    assert [n for n, _ in s.cells_and_names()] == names
    if shape is not None:
        assert s(X).shape == shape
        assert ms.jit(s)(X).shape == shape


def test_indexing_reaches_an_inserted_child_and_its_parameters_keep_their_names():
    s = inserted()
    assert isinstance(s[1], nn.Dense) and s[1].weight.shape == (3, 2)
    assert [p.name for p in s.trainable_params()] == ["0.weight", "0.bias", "weight", "bias"]


def test_the_gradient_runs_the_appended_sequence():
    s = inserted_then_appended()
    grads = ms.grad(lambda x: s(x).sum(), grad_position=None,
                    weights=s.trainable_params())(X)
    assert [g.shape for g in grads] == [(2, 2), (2,), (3, 2), (3,)]
    assert np.abs(grads[2].asnumpy()).sum() > 0  # the inserted Dense is differentiated

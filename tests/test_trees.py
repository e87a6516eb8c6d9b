"""``trees.same_structure``: when two skeletons are alike (the branches of a run-time
``if`` merge values leaf by leaf only then). Text and numbers compare by value, other
objects by identity, and no object's ``repr`` is asked for."""
import dataclasses

import numpy as np
import pytest

from autodiff_compiler import trees


@dataclasses.dataclass
class Fields:
    w: float


def _made_while_compiling() -> Fields:
    return object.__new__(Fields)  # no attribute yet: its repr raises


SHARED, OTHER = _made_while_compiling(), _made_while_compiling()
LEAF = trees.LEAF

ALIKE = [
    ((LEAF, "mean"), (LEAF, "mean")),
    ([LEAF, {"a": LEAF, "b": 2}], [LEAF, {"a": LEAF, "b": 2}]),
    ((np.int64(3), np.float32(0.5), np.dtype("float32")),
     (np.int64(3), np.float32(0.5), np.dtype("float32"))),
    (slice(0, 2, None), slice(0, 2, None)),
    (np.array([1.0, np.nan]), np.array([1.0, np.nan])),
    ((SHARED, LEAF), (SHARED, LEAF)),
    ((None, ...), (None, ...)),
]
UNLIKE = [
    ((LEAF, "mean"), (LEAF, "sum")),
    ((LEAF,), [LEAF]),
    ({"a": LEAF, "b": LEAF}, {"b": LEAF, "a": LEAF}),
    ((LEAF, LEAF), (LEAF,)),
    ((SHARED,), (OTHER,)),
    ((np.float64(1.0),), (np.float32(1.0),)),
    (slice(0, 2), slice(1, 3)),
    (np.array([1.0, 2.0]), np.array([1.0, 2.5])),
    (np.array([1.0, 2.0]), np.array([1.0, 2.0], np.float32)),
    ((np.sin,), (np.cos,)),
]


@pytest.mark.parametrize("a, b", ALIKE, ids=range(len(ALIKE)))
def test_alike_skeletons(a, b):
    assert trees.same_structure(a, b) and trees.same_structure(b, a)


@pytest.mark.parametrize("a, b", UNLIKE, ids=range(len(UNLIKE)))
def test_unlike_skeletons(a, b):
    assert not trees.same_structure(a, b) and not trees.same_structure(b, a)


def test_same_holdings_asks_for_the_very_same_leaves():
    x, y = np.zeros(2), np.zeros(2)
    def is_leaf(v):
        return isinstance(v, np.ndarray)

    assert trees.same_holdings([x, {"k": "a"}], [x, {"k": "a"}], is_leaf)
    assert not trees.same_holdings([x], [y], is_leaf)  # equal, but another array
    assert not trees.same_holdings([x, "a"], [x, "b"], is_leaf)

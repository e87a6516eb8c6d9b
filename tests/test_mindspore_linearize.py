"""``ops.linearize(fn, inputs)`` in MindSpore's spelling: one Tensor or a tuple/list of
inputs, and ``jvp_fn(v)`` taking the tangents the same way. Values are MindSpore
2.10's (CPU); the Cell's tangent against finite differences (MindSpore 2.10's CPU
``tanh(6)`` rounds to 1.0, so its tangent there is 0.4239 where the exact one is 0.4242)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

X = Tensor(np.array([1.0, 2.0], np.float32))
Y = Tensor(np.array([3.0, 4.0], np.float32))


def pair(a, b):
    return a * b, a + b


def square(a):
    return a * a


# (fn, inputs, tangents, MindSpore 2.10's output, MindSpore 2.10's tangent)
CASES = [
    (pair, (X, Y), (X, Y), ([3.0, 8.0], [4.0, 6.0]), ([6.0, 16.0], [4.0, 6.0])),
    (pair, (X, Y), [X, Y], ([3.0, 8.0], [4.0, 6.0]), ([6.0, 16.0], [4.0, 6.0])),
    (square, [X], X, [1.0, 4.0], [2.0, 8.0]),
    (square, X, X, [1.0, 4.0], [2.0, 8.0]),
]


@pytest.mark.parametrize("fn, inputs, tangents, value, tangent", CASES,
                         ids=["tuple", "list-tangents", "list-inputs", "one-tensor"])
def test_linearize_matches_mindspore(fn, inputs, tangents, value, tangent):
    out, jvp_fn = ops.linearize(fn, inputs)
    np.testing.assert_allclose(np.array([np.asarray(o) for o in out] if isinstance(out, tuple)
                                        else np.asarray(out)), value)
    got = jvp_fn(tangents)
    np.testing.assert_allclose(np.array([np.asarray(t) for t in got] if isinstance(got, tuple)
                                        else np.asarray(got)), tangent)


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = ms.Parameter(Tensor(np.array([2.0, 3.0], np.float32)))

    def construct(self, a):
        return ops.tanh(a * self.w).sum()


def test_linearize_of_a_cell_is_its_directional_derivative():
    net = Net()
    out, jvp_fn = ops.linearize(net, X)
    exact = np.tanh(np.array([2.0, 6.0]))
    np.testing.assert_allclose(float(out.asnumpy()), exact.sum(), rtol=1e-6)
    eps, x, y = 1e-3, X.asnumpy().astype(np.float64), Y.asnumpy().astype(np.float64)
    numeric = (np.tanh((x + eps * y) * [2, 3]).sum()
               - np.tanh((x - eps * y) * [2, 3]).sum()) / (2 * eps)
    np.testing.assert_allclose(float(jvp_fn(Y).asnumpy()), numeric, rtol=1e-4)


def test_inputs_that_are_not_tensors_are_refused():
    with pytest.raises(TypeError, match="a Tensor or a tuple or list"):
        ops.linearize(square, 3.0)

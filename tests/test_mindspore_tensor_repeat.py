"""``Tensor.repeat`` as MindSpore 2.10 documents it (its CPU has no kernel: the
documentation's examples are the reference): ``x.repeat(*repeats)`` or
``x.repeat(repeats=(...))`` tiles the Tensor, leading axes added for extra entries,
fewer entries than axes refused; ``axis=`` (older MindSpore's and NumPy's spelling)
repeats each entry. Eagerly, and inside a differentiated function, whose gradient sums
the copies (against central differences)."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor

A = Tensor(np.array([[0, 1, 2], [3, 4, 5]]))

# (call, the documentation's result)
CASES = [
    (lambda a: a.repeat(3, 2), [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]] * 3),
    (lambda a: a.repeat([3, 2]), [[0, 1, 2, 0, 1, 2], [3, 4, 5, 3, 4, 5]] * 3),
    (lambda a: a.repeat(2, 1, 3), [[[0, 1, 2] * 3, [3, 4, 5] * 3]] * 2),
    (lambda a: a.repeat(repeats=(2, 1, 3)), [[[0, 1, 2] * 3, [3, 4, 5] * 3]] * 2),
    (lambda a: a.repeat(2, axis=0), [[0, 1, 2], [0, 1, 2], [3, 4, 5], [3, 4, 5]]),
]


@pytest.mark.parametrize("call, expected", CASES, ids=["ints", "list", "new_axis",
                                                       "keyword", "numpy_axis"])
def test_repeat_as_documented(call, expected):
    out = call(A)
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.asnumpy(), expected)


def test_fewer_repetitions_than_axes_is_refused():
    with pytest.raises(RuntimeError, match="one per axis"):
        A.repeat(2)


WEIGHTS = np.arange(24.0).reshape(4, 6)


def tiled_loss(x):
    return (x.repeat(2, 2) * Tensor(WEIGHTS)).sum()


def test_compiled_repeat_tiles_and_its_gradient_sums_the_copies():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    np.testing.assert_allclose(float(ms.jit(tiled_loss)(Tensor(x)).asnumpy()),
                               (np.tile(x, (2, 2)) * WEIGHTS).sum())
    grad = ms.grad(tiled_loss)(Tensor(x)).asnumpy()
    numeric = central_differences(lambda v: tiled_loss(Tensor(v)).asnumpy(), x)
    np.testing.assert_allclose(grad, numeric, rtol=1e-6)

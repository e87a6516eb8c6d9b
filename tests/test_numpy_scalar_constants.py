"""A NumPy scalar constant (``np.float64(2.0)``) is strong in NumPy 2's promotion, a
Python float weak: ``float32_array * np.float64(2.0)`` is float64, ``* 2.0`` float32.
The compiled values have NumPy's dtypes, and float32 inputs get float32 gradients."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.opt import buffers
from tests import numpy_scalar_cases as cases

CASES = [
    ("float64", cases.times_float64),
    ("float32", cases.times_float32),
    ("int64", cases.times_int64),
    ("python_float", cases.times_python_float),
    ("folded_sum", cases.plus_folded_sum),
    ("python_float_plus_int64", cases.python_float_plus_int64),
    ("compared_to_float64", cases.compared_to_float64),
]


@pytest.mark.parametrize("fn", [c[1] for c in CASES], ids=[c[0] for c in CASES])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=["0d", "vector", "matrix"])
def test_numpy_scalar_constant_gives_numpy_dtype(fn, shape):
    x = np.linspace(-1.0, 1.5, int(np.prod(shape))).reshape(shape).astype(np.float32)

    def loss(x):
        return np.sum(fn(x) ** 2)

    value, vjp_fn = adc.vjp(fn, x)
    want = fn(x)
    assert np.asarray(value).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(value, want, rtol=1e-6)
    assert np.asarray(vjp_fn(np.ones_like(want))[0]).dtype == np.float32
    total, grad = adc.value_and_grad(loss)(x)
    assert np.asarray(total).dtype == np.asarray(loss(x)).dtype
    assert grad.dtype == np.float32
    adc.check_grads(loss, x.astype(np.float64))


def test_folded_constant_written_into_an_array_is_a_plain_literal():
    """Constant folding gives NumPy scalars (``np.float64(0.5)``); where the result is
    written into an array of that dtype (``t *= 0.5``, ``np.divide(2.0, t, out=t)``)
    the literal means the same and reads as an expert writes it."""
    x = np.linspace(0.1, 1.0, buffers.LARGE)  # large enough to be written in place
    source = adc.grad(cases.chain_with_folded_constants).source(x)
    assert "*= 0.5" in source and "np.divide(2.0" in source
    assert "np.float64(" not in source


def widened_on_one_branch(x, y, c):
    if c > 0:  # noqa: SIM108 (a statement: the branch under test)
        b = np.sum(x * np.ones(3))  # float64: np.ones is
    else:
        b = np.sum(x)  # float32
    return np.sum(y * b)


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_gradient_whose_dtype_a_branch_decides_is_the_inputs(c):
    """Past the branch the cotangent's dtype is known only at run time (float64 on one
    path): the gradient of a float32 input is cast to float32 there too."""
    x, y = np.array([0.1, 0.2, 0.3], np.float32), np.array([0.5, -0.4, 0.1], np.float32)
    gx, gy = adc.grad(widened_on_one_branch, (0, 1))(x, y, np.float32(c))
    assert gx.dtype == gy.dtype == np.float32
    np.testing.assert_allclose(gy, np.full(3, np.sum(x)), rtol=1e-6)
    np.testing.assert_allclose(gx, np.full(3, np.sum(y)), rtol=1e-6)

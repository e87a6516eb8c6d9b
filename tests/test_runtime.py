"""The helpers generated code calls besides NumPy."""
import warnings

import numpy as np
import pytest

from autodiff_compiler.ir.reference import sigmoid


def _reference(x):
    """The logistic function in long double, each tail by its own exact form."""
    x = np.asarray(x, np.longdouble)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@pytest.mark.parametrize("n", [1, 64, 65, 20_001], ids=lambda n: f"n{n}")
@pytest.mark.parametrize("dtype, ulps", [(np.float64, 20), (np.float32, 8), (np.float16, 4)])
def test_sigmoid_is_accurate_in_both_tails_without_warnings(n, dtype, ulps):
    finfo = np.finfo(dtype)
    x = np.linspace(-2 * np.log(finfo.max), 2 * np.log(finfo.max), n).astype(dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sigmoid(x)
    assert got.dtype == dtype and got.shape == x.shape
    want = _reference(x)
    normal = want >= finfo.smallest_normal
    np.testing.assert_allclose(got[normal], want[normal], rtol=ulps * finfo.eps, atol=0)
    assert np.all(got[~normal] <= finfo.smallest_normal)  # underflow, never a wrong big value


@pytest.mark.parametrize("n", [3, 100], ids=["few", "many"])
def test_sigmoid_of_infinities_is_zero_and_one(n):
    x = np.resize(np.array([-np.inf, np.inf]), n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = sigmoid(x)
    np.testing.assert_allclose(got, (x > 0).astype(float), atol=np.finfo(float).smallest_normal)


@pytest.mark.parametrize("x", [-3.0, 0.0, 40.0])
def test_sigmoid_of_a_python_float_is_a_float(x):
    assert float(sigmoid(x)) == pytest.approx(float(_reference(x)), rel=1e-15)


def test_sigmoid_does_not_touch_its_input():
    x = np.linspace(-5, 5, 101)
    kept = x.copy()
    sigmoid(x)
    np.testing.assert_array_equal(x, kept)


@pytest.mark.parametrize("n", [3, 100], ids=["few", "many"])
def test_sigmoid_of_integers_is_computed_in_float64(n):
    x = np.arange(n) - n // 2
    got = sigmoid(x)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, _reference(x), rtol=1e-14)

"""Reductions over nothing and copies of nothing: NumPy answers (nan, an empty array)
and so must the gradient — never a ZeroDivisionError or a reshape error."""
import warnings

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads


def mean_all(x):
    return np.mean(x)


def mean_rows(x):
    return np.sum(np.mean(x, axis=1))


def mean_columns(x):
    return np.sum(np.mean(x, axis=0))


def var_all(x):
    return np.var(x)


def std_all(x):
    return np.std(x)


def repeat_none(x):
    return np.sum(np.repeat(x, 0))


def repeat_axis(x):
    return np.sum(np.repeat(x, 0, axis=-1))


def repeat_twice(x):
    return np.sum(np.repeat(x, 2) ** 2)


@pytest.mark.parametrize("fn, shape", [
    (mean_all, (0,)), (mean_all, (0, 3)), (mean_rows, (0, 3)), (mean_rows, (3, 0)),
    (mean_columns, (0, 3)), (var_all, (0,)), (std_all, (0,)), (repeat_twice, (0,)),
], ids=lambda v: getattr(v, "__name__", str(v)))
@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
def test_gradient_over_zero_elements_is_an_empty_array(fn, shape, specialize):
    x = np.ones(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # NumPy's "mean of empty slice"
        if specialize:
            g = adc.grad(fn)(x)
        else:
            g = adc.vjp(fn, x, specialize=False)[1](np.float64(1.0))[0]
    assert g.shape == shape and g.dtype == np.float64


@pytest.mark.parametrize("fn, shape", [
    (repeat_none, (3,)), (repeat_none, (2, 3)), (repeat_axis, (2, 3)),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_repeat_zero_times_gradient_is_zero(fn, shape):
    np.testing.assert_array_equal(adc.grad(fn)(np.ones(shape)), np.zeros(shape))


def test_repeat_gradient_sums_the_copies():
    np.testing.assert_array_equal(adc.grad(repeat_twice)(np.arange(3.0)), [0.0, 4.0, 8.0])


@pytest.mark.parametrize("x", [np.array([2.0]), 2.0], ids=["one-element", "python-float"])
def test_var_without_degrees_of_freedom_has_nan_gradient_as_numpy(x):
    def var_ddof1(x):
        return np.var(x, ddof=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(var_ddof1(x))
        assert np.all(np.isnan(adc.grad(var_ddof1)(x)))


def test_var_gradient_with_degrees_of_freedom():
    def var_ddof1(x):
        return np.var(x, ddof=1)
    x = np.array([1.0, 2.0, 4.0])
    np.testing.assert_allclose(adc.grad(var_ddof1)(x), (x - x.mean()), rtol=1e-14)


def empty_list_index(x):
    return np.sum(x[[]] ** 2) + np.sum(x)


def tuple_of_empty_list(x):
    return np.sum(x[([],)] ** 2) + np.sum(x * x[[0]])


@pytest.mark.parametrize("fn", [empty_list_index, tuple_of_empty_list], ids=lambda f: f.__name__)
def test_an_empty_list_index_selects_nothing(fn):
    """``x[[]]`` is an empty integer index in NumPy (shape (0, 4)); it was made a float
    array, which NumPy refused inside the generated code (JAX's TupleOfEmptyList)."""
    x = np.arange(12.0).reshape(3, 4) / 7.0
    assert adc.grad(fn)(x).shape == x.shape
    check_grads(fn, x, order=2)

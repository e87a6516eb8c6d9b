"""Python floats at the edges: the code generated for them (``math``, Python's
operators) must give what NumPy gives a 0-d array — inf or nan, never
ZeroDivisionError, OverflowError or a math domain error."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, math.inf, -math.inf, math.nan,
         1e308, -1e308, 1e-308, -1e-308, 5e-324, 710.0, -710.0, 1e154, 3.0]
EDGE_FLOATS = st.sampled_from(EDGES) | st.floats(allow_nan=True, allow_infinity=True)


def _unary(fn):
    def f(a):
        return fn(a)
    f.__qualname__ = f"{fn.__name__}_of"
    return f


def _binary(fn):
    def f(a, b):
        return fn(a, b)
    f.__qualname__ = f"{fn.__name__}_of"
    return f


def div(a, b):
    return a / b


def power(a, b):
    return a ** b


def mod(a, b):
    return a % b


def add(a, b):
    return a + b


def sub(a, b):
    return a - b


def mul(a, b):
    return a * b


def square_by_power(a):
    return a ** 2


def half_power(a):
    return a ** 0.5


def inverse_power(a):
    return a ** -1.0


def zeroth_power(a):
    return np.power(a, 0.0)


def sigmoid(a):
    return adc.ops.sigmoid(a)


UNARY = [_unary(getattr(np, name)) for name in [
    "sin", "cos", "tan", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt",
    "cbrt", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh",
    "arctanh", "abs", "square", "reciprocal", "negative", "real"]] + [
    square_by_power, half_power, inverse_power, zeroth_power, sigmoid]
BINARY_POWER = _binary(np.power)
BINARY = [_binary(getattr(np, name)) for name in [
    "arctan2", "hypot", "logaddexp", "logaddexp2", "maximum", "minimum", "fmax", "fmin",
    "divide"]] + [BINARY_POWER, div, power, mod, add, sub, mul]


def _same(fast, numpy, rtol=1e-13):
    """Equal as NumPy compares results: inf to inf, nan to nan, and to the last few
    ulp (``math`` and NumPy round some functions differently), or a few eps apart
    where a derivative cancels: ``1 - tanh(9)^2`` magnifies one ulp between
    ``math.tanh`` and ``np.tanh`` to a relative 4e-9."""
    for a, b in zip(fast, numpy):
        np.testing.assert_allclose(np.asarray(a, float), np.asarray(b, float), rtol=rtol,
                                   atol=4 * np.finfo(float).eps, equal_nan=True)


def _both_paths(fn, args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        positions = tuple(range(len(args)))
        numpy = adc.value_and_grad(fn, positions)(*(np.array(a) for a in args))
        fast = adc.value_and_grad(fn, positions)(*args)
    return _flat(*fast), _flat(*numpy)


def _flat(value, grads):
    return [value, *(grads if isinstance(grads, tuple) else (grads,))]


@pytest.mark.parametrize("fn", UNARY, ids=lambda f: f.__qualname__)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=EDGE_FLOATS)
def test_python_float_gradient_equals_numpy_at_edges_unary(fn, a):
    _same(*_both_paths(fn, (a,)))


@pytest.mark.parametrize("fn", BINARY, ids=lambda f: f.__qualname__)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=EDGE_FLOATS, b=EDGE_FLOATS)
def test_python_float_gradient_equals_numpy_at_edges_binary(fn, a, b):
    # NumPy itself disagrees there: (-inf) ** 0.5 is inf on float64 scalars (C's pow)
    # but nan on 0-d arrays (which take the square root for an exponent of 0.5)
    assume(not (fn in (power, BINARY_POWER) and a == -math.inf and b == 0.5))
    _same(*_both_paths(fn, (a, b)))


def test_arcsin_gradient_of_python_float_at_one_is_inf_with_numpy_warning():
    with pytest.warns(RuntimeWarning, match="divide by zero"):
        assert adc.grad(_unary(np.arcsin))(1.0) == math.inf


def test_arcsin_gradient_of_python_float_outside_domain_is_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(adc.grad(_unary(np.arcsin))(2.0))
        assert adc.grad(_unary(np.arcsin))(-1.0) == math.inf


def test_python_float_edge_then_ordinary_value_takes_the_fast_path_again():
    f = _unary(np.arcsin)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert adc.grad(f)(1.0) == math.inf
    assert adc.grad(f)(0.6) == pytest.approx(1.25, rel=1e-14)
    assert "math.asin" not in adc.grad(f).source(0.6)  # the derivative reads as written


@pytest.mark.parametrize("x", [0.0, np.array(0.0), np.array([0.0, 2.0])],
                         ids=["python-float", "0-d", "vector"])
def test_power_zero_gradient_is_zero_at_zero(x):
    np.testing.assert_array_equal(adc.grad(zeroth_power)(x), np.zeros_like(x))


def test_power_with_zero_exponent_array_gradient_is_zero_there():
    gx = adc.grad(_binary(np.power))(np.array([0.0, 2.0]), np.array([0.0, 3.0]))
    np.testing.assert_array_equal(gx, [0.0, 12.0])


def power_of_x(x, y):  # (not ``power``: the edge test's assume names that one)
    return x ** y


@pytest.mark.parametrize("x, y", [(4.0, 0.0), (np.array([4.0, 0.5]), np.array([0.0, 0.0])),
                                  (np.array([[2.0], [3.0]]), np.array([0.0, 1.5]))],
                         ids=["floats", "vector", "broadcast"])
def test_mixed_second_derivative_of_power_at_a_zero_exponent_is_one_over_x(x, y):
    """d/dy (d/dx x ** y) = x^(y-1) (1 + y log x): 1/x at y = 0, where the first
    derivative along x is set to 0 only at x = y = 0 (it was set to 0 all along y = 0,
    so the mixed derivative there came out 0: JAX's testPowSecondDerivative)."""
    x, y = np.broadcast_arrays(x, y) if isinstance(x, np.ndarray) else (x, y)
    gy = adc.grad(lambda x, y: np.sum(adc.grad(power_of_x, 0)(x, y)), 1)(x, y)
    want = np.power(x, np.subtract(y, 1.0)) * (1.0 + np.multiply(y, np.log(x)))
    np.testing.assert_allclose(gy, want, rtol=1e-12)
    check_grads(power_of_x, x, np.asarray(y, float) + 0.0, order=2)


def test_negative_python_float_to_fractional_power_is_nan_not_complex():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value, grad = adc.value_and_grad(half_power)(-4.0)
    assert math.isnan(value) and math.isnan(grad)


def test_python_float_path_keeps_math_where_it_cannot_raise():
    assert "math.tanh" in adc.grad(_unary(np.tanh)).source(0.5)


def test_genuine_error_in_python_float_path_is_still_raised():
    def f(a, v):
        return a * np.sum(v)
    with pytest.raises(TypeError):
        adc.grad(f)(0.5, "text")


# Outer operations of composites: ``%`` is left out, as a last-ulp difference between
# ``math`` and NumPy (``math.cbrt`` and ``np.cbrt``) in a huge operand changes it by
# as much as the divisor.
OUTER = [fn for fn in BINARY if fn is not mod]


def _composite(outer, left, right):
    def f(a, b):
        return outer(left(a), right(b)) * a
    f.__qualname__ = f"{outer.__qualname__}({left.__qualname__}, {right.__qualname__})"
    return f


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(outer=st.sampled_from(OUTER), left=st.sampled_from(UNARY),
       right=st.sampled_from(UNARY), a=st.sampled_from(EDGES), b=st.sampled_from(EDGES))
def test_python_float_gradient_equals_numpy_at_edges_composite(outer, left, right, a, b):
    with np.errstate(all="ignore"):  # where NumPy disagrees with itself (see above)
        assume(not (outer in (power, BINARY_POWER) and left(np.float64(a)) == -math.inf
                    and right(np.float64(b)) == 0.5))
    _same(*_both_paths(_composite(outer, left, right), (a, b)), rtol=1e-9)


def _squares(x):
    return np.real(np.sum(x ** 2))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.longdouble, np.clongdouble])
def test_every_float_dtype_compiles_and_keeps_its_dtype(dtype):
    """autograd's test_dtypes: a long double has no Python number to spell it as a
    literal (its ``item()`` is itself; an internal error once, recursing)."""
    x = (np.arange(6.0).reshape(2, 3) / 7 + (0.5j if np.dtype(dtype).kind == "c" else 0))
    x = x.astype(dtype)
    got = adc.grad(_squares)(x)
    assert got.dtype == dtype
    want = adc.grad(_squares)(x.astype(np.complex128 if np.dtype(dtype).kind == "c"
                                       else np.float64))
    np.testing.assert_allclose(got.astype(want.dtype), want,
                               rtol=1e-3 if dtype == np.float16 else 1e-6)


@pytest.mark.parametrize("x, y", [(1.0, math.inf), (math.inf, 1.0), (math.inf, -math.inf),
                                  (-math.inf, 2.0), (0.5, -0.25), (-3.0, 40.0)])
def test_logaddexp2_partials_at_an_infinite_argument_are_their_limits(x, y):
    """d logaddexp2(x, y) / dx = 2^x / (2^x + 2^y): 1 for an infinite argument beside a
    finite one and 0 for the other, as logaddexp's partials are (exp2(x - result) was
    inf - inf = NaN for the infinite one), in both modes."""
    def share(a, b):  # 2^a / (2^a + 2^b), the limit where either is infinite
        return 1.0 if a == math.inf or b == -math.inf else (
            0.0 if b == math.inf or a == -math.inf else 1.0 / (1.0 + 2.0 ** (b - a)))
    want = (share(x, y), share(y, x))
    fn = _binary(np.logaddexp2)
    for args in [(x, y), (np.array([x]), np.array([y]))]:
        got = adc.grad(fn, (0, 1))(*args)
        np.testing.assert_allclose(np.ravel(got), want, rtol=1e-14)
        _, tangent = adc.jvp(fn, args, (np.ones_like(args[0]), np.zeros_like(args[1])))
        np.testing.assert_allclose(np.ravel(tangent), want[0], rtol=1e-14)

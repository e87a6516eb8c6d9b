"""NumPy functions compiled from the package's definitions (``numpy_definitions``):
``np.piecewise``, ``np.apply_along_axis``, ``np.vectorize``, ``np.unwrap``,
``np.logspace``, ``np.geomspace``, ``np.nancumsum``, ``np.nancumprod``, ``np.ix_``,
``np.resize``, ``np.choose``, ``np.lexsort``, ``np.logaddexp.reduce`` and ``np.frexp``;
and from
``numpy_linalg_definitions``: ``np.polyfit``, ``np.linalg.matrix_rank``,
``np.linalg.tensorsolve`` and ``np.linalg.tensorinv``; and from
``numpy_polynomial_definitions``: ``np.polyadd``, ``np.polysub``, ``np.polymul``,
``np.polyder`` and ``np.polyint``.

Each case's value must equal NumPy's, and its derivatives must match central finite
differences (reverse and forward mode), on several shapes, 0-d where NumPy takes it.
"""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads

RNG = np.random.default_rng(7)


def uniform(*shape, low=-2.0, high=2.0):
    return RNG.uniform(low, high, shape)


def wave(t):
    """A function with control flow on its argument: one branch per call."""
    if np.sum(t) > 0:
        return t * 3.0
    return t ** 2


def row_stats(r):
    return np.array([np.sum(r ** 2), np.max(r) * np.min(r)])


def soft_step(t):
    return t ** 2 if t > 0.5 else np.sin(t)


def piecewise_log(x):
    """log where it is defined: the other entries never reach it (no NaN gradient)."""
    return np.piecewise(x, [x > 0], [np.log, lambda t: -t])


def piecewise_three(x):
    return np.piecewise(x, [x > 0.5, x < -1], [wave, lambda t: np.exp(t), 0.25])


def piecewise_one_condition(x):
    return np.piecewise(x, x > 1, [lambda t: t ** 3, 2.0])


def piecewise_with_arguments(x):
    return np.piecewise(x, [x < 0, x >= 0], [lambda t, k: k * t, lambda t, k: t ** k], 2.0)


def along_rows(a):
    return np.apply_along_axis(row_stats, -1, a)


def along_first_axis(a):
    return np.apply_along_axis(lambda r: np.sum(r ** 3), 0, a)


def along_with_arguments(a):
    return np.apply_along_axis(lambda r, p: np.sum(np.abs(r) ** p), 1, a, 1.5)


def vectorized(x):
    return np.vectorize(soft_step)(x)


def vectorized_inline(x):
    return np.vectorize(lambda s, t: s * t if s > t else s + t)(x, x[::-1] * 0.5)


@np.vectorize
def decorated(t):
    return np.cos(t) if t < 0 else t ** 3


def vectorized_decorated(x):
    return decorated(x) + 1.0


def unwrapped(p):
    return np.unwrap(p * 3.0)


def unwrapped_axis0(p):
    return np.unwrap(p * 4.0, axis=0, discont=4.0)


def unwrapped_period(p):
    return np.unwrap(p * 5.0, period=4.0)


def log_spaced(x):
    return np.logspace(x[0], x[1], 4) + np.logspace(0.5, x[1], 4, base=2.0, endpoint=False)


def geom_spaced(x):
    return np.geomspace(np.exp(x[0]), np.exp(x[1]) + 2.0, 6)


def geom_spaced_negative(x):
    return np.geomspace(-np.exp(x[0]), -np.exp(x[1]) - 2.0, 4, endpoint=False)


def nan_cumulative_sum(x):
    return np.nancumsum(np.where(x > 1.0, np.nan, x))


def nan_cumulative_product(x):
    return np.nancumprod(np.where(x > 1.0, np.nan, x), axis=-1)


def open_mesh(a):
    return a[np.ix_([0, 2], [1, 3, 3])] ** 3


def open_mesh_of_a_mask(a):
    return a[np.ix_(np.array([True, False, True]), [0, 3])] * 2.0


def resized(x):
    return np.resize(x * 2.0, (3, 5))


def chosen(a):
    index = np.array([[0, 1, 2, 1], [2, 2, 0, 1], [1, 0, 0, 3]])
    return np.choose(index, [a, a ** 2, np.sin(a), 2.0], mode="clip")


def chosen_wrapped(x):
    return np.choose(np.arange(np.size(x)) % 3 + 1, [x, -x, x * x], mode="wrap")


def lexsorted(a):
    return a[0][np.lexsort((a[1], np.round(a[0])))] * np.arange(np.shape(a)[-1] * 1.0)


def log_added(a):
    return np.logaddexp.reduce(a, axis=-1) + np.logaddexp.reduce(a.ravel()) * 2.0


SAMPLE_X = np.linspace(-1.0, 1.5, 7)


def fitted(y):
    return np.polyfit(SAMPLE_X, y, 3)


def fitted_weighted_columns(y):
    return np.polyfit(SAMPLE_X, np.stack([y, y ** 2], axis=1), 2, w=SAMPLE_X ** 2 + 0.5)


def rank_times(a):
    return np.linalg.matrix_rank(a) * a + np.linalg.matrix_rank(a[0]) * a


def tensor_solved(a):
    square = np.reshape(a, (6, 2, 3)) + 3.0 * np.reshape(np.eye(6), (6, 2, 3))
    return np.linalg.tensorsolve(square, np.arange(6.0))


def tensor_inverted(a):
    return np.linalg.tensorinv(np.reshape(a, (6, 2, 3)) + 3.0 * np.reshape(np.eye(6), (6, 2, 3)),
                               ind=1)


def polynomial_arithmetic(p):
    """Sums and differences of polynomials of other lengths (and of a number), a
    product, and both ways round of differentiation and integration."""
    q = np.array([0.5, -1.0])
    product = np.polymul(np.polyadd(p, q), np.polysub(2.0, p))
    there_and_back = np.polyint(np.polyder(np.polyadd(q, p ** 2), 2), 2, k=[0.3, -0.2])
    return np.polysub(np.polyadd(product, there_and_back),
                      np.polyder(np.polyint(p, 3, k=0.5), 1))


def mantissa_and_exponent(x):
    """The mantissa of 8x (derivative 8 * 2**-e) and x times its exponent."""
    mantissa, exponent = np.frexp(x * 8.0)
    return mantissa * 2.0 + exponent * x


CASES = [
    (piecewise_log, [(5,), (2, 3), ()]),
    (piecewise_three, [(6,), (3, 2)]),
    (piecewise_one_condition, [(7,), ()]),
    (piecewise_with_arguments, [(5,)]),
    (along_rows, [(3, 4), (2, 3, 4)]),
    (along_first_axis, [(3, 4), (4,)]),
    (along_with_arguments, [(3, 4)]),
    (vectorized, [(5,), (2, 3), ()]),
    (vectorized_inline, [(4,)]),
    (vectorized_decorated, [(2, 3), ()]),
    (unwrapped, [(6,), (2, 5)]),
    (unwrapped_axis0, [(5, 2)]),
    (unwrapped_period, [(6,)]),
    (log_spaced, [(2,)]),
    (geom_spaced, [(2,)]),
    (geom_spaced_negative, [(2,)]),
    (nan_cumulative_sum, [(6,), (2, 3)]),
    (nan_cumulative_product, [(2, 4)]),
    (open_mesh, [(3, 4)]),
    (open_mesh_of_a_mask, [(3, 4)]),
    (resized, [(4,), (2, 3), (20,)]),
    (chosen, [(3, 4), (4,)]),
    (chosen_wrapped, [(5,)]),
    (lexsorted, [(2, 5)]),
    (log_added, [(3, 4), (5,)]),
    (mantissa_and_exponent, [(6,), (2, 3), ()]),
    (polynomial_arithmetic, [(4,), (2,), (1,)]),
    (fitted, [(7,)]),
    (fitted_weighted_columns, [(7,)]),
    (rank_times, [(3, 4), (4, 2)]),
    (tensor_solved, [(36,)]),
    (tensor_inverted, [(36,)]),
]
SHAPED = [(fn, shape) for fn, shapes in CASES for shape in shapes]
IDS = [f"{fn.__name__}-{'x'.join(map(str, shape)) or '0d'}" for fn, shape in SHAPED]


def _sample(fn, shape):
    """Arguments away from the kinks: the conditions' edges, ties, the NaN threshold."""
    while True:
        x = uniform(*shape) if shape else np.float64(RNG.uniform(-2.0, 2.0))
        edges = np.array([0.0, 0.5, 1.0, -1.0])
        if np.min(np.abs(np.asarray(x)[..., None] - edges)) > 0.05:
            return np.asarray(x)


@pytest.mark.parametrize(("fn", "shape"), SHAPED, ids=IDS)
def test_values_are_numpys(fn, shape):
    x = _sample(fn, shape)
    got, _ = adc.vjp(fn, x)
    want = fn(x)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("fn", "shape"), SHAPED, ids=IDS)
def test_derivatives_match_finite_differences(fn, shape):
    x = _sample(fn, shape)
    check_grads(fn, x, generic=False)


def test_piecewise_gives_no_nan_where_a_function_is_undefined():
    x = np.array([2.0, -1.0, 0.5, -3.0])
    gradient = adc.grad(lambda x: np.sum(piecewise_log(x)))(x)
    np.testing.assert_allclose(gradient, np.where(x > 0, 1 / x, -1.0))


def unwrap_with_a_float(x, p):
    return x * 2.0, np.unwrap(p)


def unwrap_with_an_int_period(x, p):
    return x * 2.0, np.unwrap(p, period=6)


@pytest.mark.parametrize("fn", [unwrap_with_a_float, unwrap_with_an_int_period])
def test_unwrap_of_integers_keeps_numpys_dtype(fn):
    p = np.array([0, 5, 11, 2, 9])
    (_, got), _ = adc.vjp(fn, 1.0, p)
    want = fn(1.0, p)[1]
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)


def test_vectorize_with_a_signature_is_refused_at_the_users_line():
    def f(x):
        return np.sum(np.vectorize(np.sum, signature="(n)->()")(x))
    with pytest.raises(adc.AutodiffError, match="signature= is not supported") as info:
        adc.grad(f)(np.ones((2, 3)))
    assert "test_numpy_definitions.py" in str(info.value)


def scaled_or_applied(x, g):
    return np.sum(g(x) if callable(g) else x * g)


@pytest.mark.parametrize(("g", "want"), [(np.sin, np.cos), (2.5, lambda x: 2.5 + 0 * x)],
                         ids=["function", "number"])
def test_callable_is_answered_when_compiling(g, want):
    """``callable`` (which ``np.piecewise`` asks of its functions) of a function, a
    lambda or a number is known when compiling; of an array it is False."""
    x = uniform(4)
    np.testing.assert_allclose(adc.grad(scaled_or_applied)(x, g), want(x))


def frexp_of(x, s):
    mantissa, exponent = np.frexp(x)
    return mantissa * s, exponent


POWERS = np.ldexp(1.0, np.arange(-1074, 1024))  # every power of two, subnormals included


@pytest.mark.parametrize("x", [
    np.array([0.0, -0.0, 0.1, -3.0, 1e300, -1e-310, 5e-324, np.inf, -np.inf, np.nan,
              np.finfo(np.float64).max, np.finfo(np.float64).tiny]),
    np.concatenate([POWERS, np.nextafter(POWERS, 0.0), np.nextafter(POWERS, np.inf)]),
    np.array([1e-40, 3.4e38, 0.1, -2.0], dtype=np.float32),
    np.float16(3.5),
], ids=["edges", "powers-of-two-and-neighbours", "float32", "float16"])
def test_frexp_equals_numpys_bit_for_bit_and_its_mantissa_has_derivative_two_to_minus_e(x):
    """The exponent comes from a rounded log2, corrected where it rounded across a power
    of two; the mantissa from two exact scalings (2**-e alone overflows for subnormals)."""
    (mantissa, exponent), pullback = adc.vjp(frexp_of, x, 1.0)
    want_m, want_e = np.frexp(x)
    np.testing.assert_array_equal(mantissa, want_m)
    np.testing.assert_array_equal(np.signbit(mantissa), np.signbit(want_m))
    np.testing.assert_array_equal(exponent, want_e)
    # (times s = 1.0, as frexp_of: a 0-d float16's product is float64 under NumPy 1.x)
    assert np.asarray(mantissa).dtype == np.asarray(want_m * 1.0).dtype and \
        np.asarray(exponent).dtype == np.int32
    regular = np.isfinite(x) & (x != 0)
    gx = pullback((np.ones_like(mantissa), np.zeros(np.shape(exponent))))[0]
    np.testing.assert_array_equal(np.asarray(gx)[regular],
                                  np.ldexp(np.ones_like(x), -want_e)[regular])

"""NumPy functions written over others (``numpy_definitions``,
``numpy_array_api_definitions``), the writes ``np.put`` and ``np.put_along_axis``,
reductions' ``initial=`` and ``where=``, ``np.histogram``, ``np.trim_zeros``, builtin
``pow``, ``slogdet``'s named result and ``x.item(k)``.

Each case's value must equal NumPy's, and its derivatives must match central finite
differences (reverse and forward mode), on several shapes, 0-d where NumPy takes it.
NumPy 2's array-API names are tested where the NumPy installed has them.
"""
from __future__ import annotations

import zlib

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads


def diagonal_matrix(x):
    return np.diagflat(x * 2.0, k=1) @ np.ones(np.size(x) + 1)


def broadcast_pair(x):
    a, b = np.broadcast_arrays(x, np.sum(x, axis=-1, keepdims=True))
    return a * b


def positive(x):
    return np.positive(x) * x


def toward_zero(x):
    return np.fix(x * 3.0) * x


def counted(x):
    return x * np.count_nonzero(x > 0) + np.count_nonzero(x, axis=-1, keepdims=True)


def member(x):
    return np.where(np.isin(np.round(x), [0.0, 1.0]), x ** 2, -x)


def builtin_power(x):
    return pow(x, 3) + pow(2.0, x)


def summed_from(x):
    return np.sum(x ** 2, axis=-1, initial=1.5)


def product_from(x):
    return np.prod(x, initial=2.0)


def largest_from(x):
    return np.max(x, axis=0, initial=0.25) + np.min(x * 2.0, initial=-0.75)


def log_determinant(x):
    result = np.linalg.slogdet(np.outer(x, x) + 3.0 * np.eye(np.size(x)))
    return result.sign * result.logabsdet


def scaled_by_the_first_in_order(x):
    return x * np.argsort(x, axis=None).item(0) + x.item(1) * 0.0 + x


def largest_zeroed(x):
    y = x * 2.0
    np.put_along_axis(y, np.argmax(y, axis=-1, keepdims=True), 0.5, axis=-1)
    return y * x


def put_in_place(x):
    y = x * 2.0
    np.put(y, [0, 2], np.ravel(x)[:2] ** 2)
    np.put(y, [-1, 7], 3.0, mode="clip")
    return y


def summed_where(x):
    return np.sum(np.sin(x), axis=0, where=x > 0) + np.sum(x ** 2, where=x < 1.0,
                                                          keepdims=True)


def product_where(x):
    return np.prod(x, axis=-1, where=np.abs(x) > 0.3) * x.prod(where=x > 0, initial=0.5)


def extremum_where(x):
    return np.max(x, axis=-1, where=x < 1.0, initial=-5.0) + \
        np.min(x * 2.0, where=x > -1.0, initial=4.0)


def mean_where(x):
    return np.mean(x ** 2, axis=-1, where=x > -0.5) + x.mean(where=np.abs(x) < 1.5)


def moments_where(x):
    return np.var(x, axis=0, where=x > -1.0) + np.std(x ** 2, where=x < 1.2, ddof=1)


def binned(x):
    counts, edges = np.histogram(x, bins=3)
    return np.sum(counts * edges[:-1]) + np.sum(np.histogram_bin_edges(x, 4) ** 2)


def binned_density(x):
    counts, edges = np.histogram(x, bins=4, density=True)
    return np.sum(counts * np.sin(edges[1:]))


def binned_weights(x):
    counts, _ = np.histogram(x, bins=np.array([-1.0, 0.0, 0.5, 2.0]), weights=x ** 2)
    weighed, _ = np.histogram(x, bins=2, range=(-1.0, 1.0), weights=np.cos(x))
    return counts * np.sum(weighed)


def trimmed(x):
    y = np.where(np.abs(x) < 0.5, 0.0, x)
    return np.sum(np.trim_zeros(y) ** 2) + np.sum(np.trim_zeros(y, "b")) * np.size(
        np.trim_zeros(y, "f"))


CASES = [
    (binned, [(7,), (3, 4)]),
    (binned_density, [(9,)]),
    (binned_weights, [(8,), (2, 3)]),
    (trimmed, [(9,)]),
    (summed_where, [(4,), (2, 3)]),
    (product_where, [(4,), (2, 3)]),
    (extremum_where, [(5,), (3, 4)]),
    (mean_where, [(6,), (3, 4)]),
    (moments_where, [(6,), (4, 3)]),
    (diagonal_matrix, [(3,), (2, 2)]),
    (broadcast_pair, [(4,), (2, 3)]),
    (positive, [(3,), (2, 2), ()]),
    (toward_zero, [(5,), ()]),
    (counted, [(4,), (2, 3)]),
    (member, [(6,), ()]),
    (builtin_power, [(3,), ()]),
    (summed_from, [(3,), (2, 4), ()]),
    (product_from, [(4,), (2, 2)]),
    (largest_from, [(3,), (2, 3)]),
    (log_determinant, [(3,)]),
    (largest_zeroed, [(3, 4), (5,)]),
    (put_in_place, [(4,), (2, 3)]),
]


def cumulative(x):
    return np.cumulative_sum(x, axis=0, include_initial=True) * \
        np.cumulative_prod(x, axis=0)[:1]


def cumulative_flat(x):
    return np.cumulative_sum(x) + np.cumulative_prod(x, include_initial=True)[1:]


def vector_products(x):
    return np.vecdot(x, x[..., ::-1]) + np.linalg.vecdot(x, np.sin(x), axis=-1)


def matrix_vector_products(x):
    """Stacks broadcast: each row of x times a matrix of x's, a vector times a stack."""
    square = np.outer(np.ravel(x)[:3], np.ravel(x)[-3:])
    rows = np.reshape(x, (-1, 3))
    return np.matvec(square, rows) + np.vecmat(rows, np.sin(square) ** 2)


def transposed(x):
    return np.matrix_transpose(x) @ x + np.linalg.matrix_transpose(x * 2.0)


def unstacked(x):
    rows = np.unstack(x)
    return rows[0] * np.unstack(x, axis=-1)[-1]


def cast(x):
    return np.astype(x, np.float64) * x


def linalg_products(x):
    v = np.ravel(x)[:3]
    return np.sum(np.linalg.outer(v, v)) + np.sum(np.linalg.cross(v, v[::-1] ** 2)) + \
        np.sum(np.linalg.matmul(np.linalg.outer(v, v), v)) + \
        np.linalg.tensordot(v, v ** 2, axes=1)


def linalg_diagonals(x):
    return np.sum(np.linalg.diagonal(x, offset=1)) + np.sum(np.linalg.trace(x ** 2))


def moments_about_a_mean(x):
    """NumPy 2's mean= (the deviations are from it, and it has a gradient too) and
    correction= (the Array API's ddof): both were refused as unsupported."""
    centre = np.mean(x, axis=-1, keepdims=True) * 0.5
    return np.var(x, axis=-1, mean=centre, ddof=1) + np.std(x, correction=1) \
        + np.var(x, axis=-1, correction=0.5, where=x > -1.5)


NUMPY2_CASES = [
    (moments_about_a_mean, [(3, 4), (5,)], "concat"),
    (cumulative, [(3, 2), (4,)], "cumulative_sum"),
    (cumulative_flat, [(5,)], "cumulative_sum"),
    (vector_products, [(4,), (2, 3)], "vecdot"),
    (matrix_vector_products, [(3,), (2, 3), (2, 2, 3)], "matvec"),
    (transposed, [(3, 3), (2, 3, 3)], "matrix_transpose"),
    (unstacked, [(3, 3)], "unstack"),
    (cast, [(3,), ()], "astype"),
    (linalg_products, [(3,), (2, 2)], "vecdot"),
    (linalg_diagonals, [(3, 3), (2, 3, 4)], "vecdot"),
]
SHAPED = [pytest.param(fn, shape, id=f"{fn.__name__}-{'x'.join(map(str, shape)) or '0d'}")
          for fn, shapes in CASES for shape in shapes]
SHAPED += [pytest.param(fn, shape, id=f"{fn.__name__}-{'x'.join(map(str, shape)) or '0d'}",
                        marks=pytest.mark.skipif(not hasattr(np, needs),
                                                 reason=f"NumPy {np.__version__} has no "
                                                        f"np.{needs}"))
           for fn, shapes, needs in NUMPY2_CASES for shape in shapes]


def _sample(fn, shape):
    """Arguments away from the kinks: rounding's and truncation's steps, ties; drawn
    from a stream of the case's own, so that the draw is the same whichever tests ran
    before it in the process (with a shared stream, a draw left a column of
    ``moments_where`` with no entry its mask keeps: a NaN value, and no derivative)."""
    rng = np.random.default_rng(zlib.crc32(f"{fn.__name__}{shape}".encode()))
    while True:
        x = rng.uniform(-2.0, 2.0, shape)
        thirds = np.asarray(x) * 3.0
        if np.min(np.abs(thirds - np.round(thirds))) > 0.05 and \
                np.min(np.abs(x - np.round(x) - 0.5), initial=1.0) > 0.05 and \
                np.min(np.abs(np.asarray(x) - 0.25)) > 0.05 and np.unique(x).size == x.size:
            return x


@pytest.mark.parametrize(("fn", "shape"), SHAPED)
def test_values_are_numpys(fn, shape):
    x = _sample(fn, shape)
    got, _ = adc.vjp(fn, x)
    want = fn(x)
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("fn", "shape"), SHAPED)
def test_derivatives_match_finite_differences(fn, shape):
    check_grads(fn, _sample(fn, shape), generic=False)


def test_initial_is_cast_to_the_result_dtype_as_numpy_casts_it():
    def f(x):
        counts = np.sum(np.arange(4) * (x > 0), initial=0.5)
        return x * counts

    x = np.array([0.5, -1.0, 2.0, 3.0])
    np.testing.assert_array_equal(adc.vjp(f, x)[0], f(x))
    np.testing.assert_array_equal(adc.grad(lambda x: np.sum(f(x)))(x), np.full(4, 5.0))


def extremes_of_nothing(x):
    """Reductions of an axis of length 0: ``initial`` alone, in the array's dtype."""
    return np.max(x, axis=1, initial=0.5) + np.min(x, axis=1, keepdims=True, initial=-2.0).T \
        + np.nanmax(x, axis=(0, 1), initial=1.5) + np.amin(np.arange(0), initial=3)


@pytest.mark.parametrize("shape", [(2, 0), (3, 0)])
def test_a_maximum_of_no_entries_is_its_initial_value(shape):
    """NumPy gives ``initial`` where a maximum or minimum reduces no entries; the
    compiled reduction raised NumPy's 'zero-size array' error (an internal error)."""
    x = np.zeros(shape)
    value, vjp = adc.vjp(extremes_of_nothing, x)
    np.testing.assert_array_equal(value, extremes_of_nothing(x))
    assert np.asarray(value).dtype == extremes_of_nothing(x).dtype
    np.testing.assert_array_equal(vjp(np.ones(np.shape(value)))[0], np.zeros(shape))
    _, tangent = adc.jvp(extremes_of_nothing, (x,), (np.ones(shape),))
    np.testing.assert_array_equal(tangent, np.zeros(np.shape(value)))


def test_an_item_that_depends_on_the_input_is_refused():
    with pytest.raises(adc.AutodiffError, match=r"\.item\(\)") as info:
        adc.grad(lambda x: x.item(1) * np.sum(x))(np.array([1.0, 2.0]))
    assert "test_numpy_more_definitions.py" in str(info.value)


def test_modular_pow_is_refused():
    with pytest.raises(adc.AutodiffError, match="mod"):
        adc.grad(lambda x: np.sum(x) * pow(3, 4, 5))(np.array([1.0, 2.0]))


def test_where_of_a_maximum_needs_initial_and_must_fit_the_array():
    """NumPy's own refusals: an extremum of no entries has no value without
    ``initial``, and a mask cannot give the array more axes."""
    with pytest.raises(adc.AutodiffError, match="where= needs initial="):
        adc.grad(lambda x: np.max(x, where=x > 0))(np.array([1.0, 2.0]))
    with pytest.raises(adc.AutodiffError, match="cannot mask an array of shape"):
        adc.grad(lambda x: np.sum(x, where=np.ones((2, 2), bool)))(np.array([1.0, 2.0]))


def test_a_mean_where_keeps_numpys_dtype():
    def f(x):
        return np.mean(x, where=x > 0)

    x32 = np.array([0.5, -1.0, 2.0], np.float32)
    value, grad = adc.value_and_grad(f)(x32)
    assert value.dtype == f(x32).dtype == np.float32 and grad.dtype == np.float32
    ints = np.array([1, -2, 4])
    value = adc.vjp(lambda x, k: f(k) * x, 1.0, ints)[0]
    assert value == f(ints) and np.asarray(value).dtype == np.float64


def test_a_where_still_unsupported_names_a_way_round_it():
    with pytest.raises(adc.AutodiffError, match="not supported yet") as info:
        adc.grad(lambda x: np.var(x * 1j, where=x > 0).real)(np.array([1.0, 2.0]))
    assert "np.where(mask, x, ...)" in str(info.value)


@pytest.mark.parametrize("trim", ["fb", "f", "b", "FB"])
@pytest.mark.parametrize("x", [np.zeros(3), np.array([0.0, 0.0, 1.5, 0.0, -2.0, 0.0]),
                               np.array([1.0, 0.0, 2.0]), np.array([0.0])])
def test_trim_zeros_keeps_numpys_slice(x, trim):
    got = adc.vjp(lambda x: np.trim_zeros(x, trim) * 2.0, x)[0]
    np.testing.assert_array_equal(got, np.trim_zeros(x, trim) * 2.0)


@pytest.mark.parametrize("bins", [4, 2, np.array([0.0, 0.5, 1.0])])
def test_histogram_bins_as_numpy_does_on_the_edges(bins):
    x = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.5])
    counts, edges = adc.vjp(lambda x: np.histogram(x, bins), x)[0]
    want = np.histogram(x, bins)
    np.testing.assert_array_equal(counts, want[0])
    np.testing.assert_array_equal(edges, want[1])


def test_a_histogram_of_one_value_spans_a_unit_in_the_arrays_dtype():
    x32 = np.full(3, 0.5, np.float32)
    counts, edges = adc.vjp(lambda x: np.histogram(x, 2), x32)[0]
    want = np.histogram(x32, 2)
    np.testing.assert_array_equal(counts, want[0])
    np.testing.assert_array_equal(edges, want[1])
    assert edges.dtype == want[1].dtype == np.float32
    with pytest.raises(adc.AutodiffError, match="give the number of bins or the edges"):
        adc.grad(lambda x: np.sum(np.histogram(x, "auto")[1]))(np.array([0.0, 0.25]))


def test_a_mean_of_no_entries_is_nan_and_passes_no_nan_back():
    def f(x):
        m = np.mean(x, where=x > 10.0)
        return np.sum(x) + np.where(np.isnan(m), 0.0, m)

    x = np.array([0.5, -1.0, 2.0])
    with np.errstate(invalid="ignore"):
        assert np.isnan(adc.vjp(lambda x: np.mean(x, where=x > 10.0), x)[0])
        np.testing.assert_array_equal(adc.grad(f)(x), np.ones(3))

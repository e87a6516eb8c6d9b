"""Small functions spelling one NumPy call each, for test_surface_more.py.

The compiler reads functions from source, so each spelling with arguments known when
compiling (an exponent, positions, an axis) is a ``def`` of its own.
"""
import numpy as np

# ---------------------------------------------------------------------------- elementwise


def fmod_fn(x, y):
    return np.fmod(x, y)


def copysign_fn(x, y):
    return np.copysign(x, y)


def copysign_constant(x):
    return np.copysign(x, -1.0)


def modf_parts(x):
    frac, whole = np.modf(x)
    return frac * 2.0 + whole * x


def divmod_parts(x, y):
    quotient, remainder = np.divmod(x, y)
    return quotient * x + remainder


def ldexp_fn(x):
    return np.ldexp(x, np.array([-3, 0, 2, 5]))


def ldexp_scalar_exponent(x):
    return np.ldexp(x, 3)


def float_power_fn(x, y):
    return np.float_power(x, y)


def float_power_constant(x):
    return np.float_power(x, 2.5)


def angle_real(x):
    return np.angle(x) + x


def angle_degrees_of_complex(x, y):
    return np.angle(x + 1j * y, deg=True)


# ---------------------------------------------------------------------------- numeric

trapezoid = getattr(np, "trapezoid", None) or np.trapz  # NumPy 1.x has the old name only


def trapezoid_fn(y):
    return trapezoid(y)


def trapezoid_dx_axis0(y):
    return trapezoid(y, dx=0.5, axis=0)


def trapezoid_points(y, x):
    return trapezoid(y, x)


def trapezoid_points_axis0(y, x):
    return trapezoid(y, x, axis=0)


def polyval_fn(p, x):
    return np.polyval(p, x)


def polyval_list(x):
    return np.polyval([x[0], 2.0, x[1]], x)


def cov_fn(m):
    return np.cov(m)


def cov_columns_biased(m):
    return np.cov(m, rowvar=False, bias=True)


def cov_vector_ddof0(m):
    return np.cov(m, ddof=0)


def cov_two(m, y):
    return np.cov(m, y)


def corrcoef_fn(m):
    return np.corrcoef(m)


def corrcoef_columns(m):
    return np.corrcoef(m, rowvar=False)


def corrcoef_two(m, y):
    return np.corrcoef(m, y)


# ---------------------------------------------------------------------------- arrays


def tri_times(x):
    return x * np.tri(3, 4, 1)


def tri_square_below(x):
    return x * np.tri(3, k=-1)


def dstack_fn(x, y):
    return np.dstack([x, y])


def dstack_vectors(x, y):
    return np.dstack((x, y))


def dilated(x):  # numpy-ml's utils.dilate: positions computed from the shape
    rows, cols = x.shape
    x = np.insert(x, np.repeat(np.arange(1, rows), 2), 0, axis=0)
    return np.insert(x, np.repeat(np.arange(1, cols), 1), 0, axis=1) * 2.0


def insert_scalar(x):
    return np.insert(x, 1, 7.0)


def insert_list_axis1(x, v):
    return np.insert(x, [0, 2, 2], v, axis=1)


def insert_column(x, v):
    return np.insert(x, 2, v, axis=1)


def insert_slice(x, v):
    return np.insert(x, slice(0, 3), v, axis=0)


def insert_negative(x, v):
    return np.insert(x, -1, v)


def delete_fn(x):
    return np.delete(x, 1)


def delete_axis1(x):
    return np.delete(x, [0, 2], axis=1)


def delete_slice(x):
    return np.delete(x, slice(None, None, 2), axis=0)


def delete_mask(x):
    return np.delete(x, [True, False, True, False], axis=-1)


def delete_at_run_time(x):  # one position the data decides (the independent fuzzer's 15)
    return np.delete(x, np.argmax(x[0]), axis=1) * np.delete(x, -np.argmin(x[1]) - 1, axis=1)


# ---------------------------------------------------------------------------- linear algebra


def matrix_power_0(a):
    return np.linalg.matrix_power(a, 0)


def matrix_power_1(a):
    return np.linalg.matrix_power(a, 1)


def matrix_power_3(a):
    return np.linalg.matrix_power(a, 3)


def matrix_power_5(a):
    return np.linalg.matrix_power(a, 5)


def matrix_power_minus_2(a):
    return np.linalg.matrix_power(a, -2)


def matrix_power_minus_6(a):
    return np.linalg.matrix_power(a, -6)


def multi_dot_two(a, b):
    return np.linalg.multi_dot([a, b])


def multi_dot_three(a, b, c):
    return np.linalg.multi_dot([a, b, c])


def multi_dot_vectors(v, a, b, w):
    return np.linalg.multi_dot([v, a, b, w])


def multi_dot_four(a, b, c, d):
    return np.linalg.multi_dot((a, b, c, d))


def cond_fn(a):
    return np.linalg.cond(a)


def cond_minus_2(a):
    return np.linalg.cond(a, -2)


def cond_fro(a):
    return np.linalg.cond(a, "fro")


def cond_1(a):
    return np.linalg.cond(a, 1)


# ---------------------------------------------------------------------------- inactive


def searchsorted_weights(x, a):
    return x * np.searchsorted(a, x) + x * np.searchsorted(a, x, side="right")


def searchsorted_method(x, a):
    return x * a.searchsorted(x)


def digitize_rising(x):
    return x * np.digitize(x, [-0.5, 0.0, 0.5])


def digitize_falling_right(x):
    return x * np.digitize(x, [0.5, 0.0, -0.5], right=True)


def digitize_runtime_bins(x, bins):
    return x * np.digitize(x, bins)


def nanargmax_picks(x):
    """The NaNs are skipped: the entry picked is the largest number of its row."""
    return np.take_along_axis(x, np.nanargmax(x, axis=1, keepdims=True), 1) \
        + x.ravel()[np.nanargmin(x)]


def triangle_from(x):
    return x[np.triu_indices_from(x, 1)] * np.sum(x[np.tril_indices_from(x, -1)])


def diagonal_from(x):
    return x[np.diag_indices_from(x)] * np.sum(x[:, 0, :][np.diag_indices_from(x[0])])


def signbit_mask(x):
    return np.where(np.signbit(x), x ** 2, 3.0 * x)


def unravel_and_ravel(x):
    i, j = np.unravel_index(5, (2, 3))
    flat = np.ravel_multi_index((1, 2), (2, 3))
    return x[i, j] * flat + x


def tri_of_run_time_size(x):
    return x * np.tri(x.shape[0], x.shape[1], -1)


def searchsorted_sorter(x, a):
    return x * np.searchsorted(a, x, sorter=np.argsort(a))


def ldexp_float32_scalar_exponent(x):
    return np.ldexp(x, 3) + np.ldexp(2.0, np.array([1, -2]))[0]


# ---------------------------------------------------------------------------- selections
# Results whose length is the data's (np.nonzero and what is built on it, np.unique,
# np.bincount): the gradient reaches the entries selected.


def nonzero_picks(x):
    rows, cols = np.nonzero(x > 0)
    return x[rows, cols] * (rows + 1) + cols


def nonzero_method(x):
    return x[(x > 0).nonzero()] ** 2


def where_indices(x):
    return x[np.where(x > 0.2)] * 3.0


def flatnonzero_picks(x):
    return np.ravel(x)[np.flatnonzero(x < 0)] * 3.0


def argwhere_picks(x):
    at = np.argwhere(x > 0)
    return x[at[:, 0], at[:, 1]] ** 2 * (at[:, 1] + 1)


def compress_flat(x):
    return np.compress(np.ravel(x) > 0, x) ** 3


def compress_rows(x):
    return np.compress(x[:, 0] > 0, x, axis=0) * x[0, 1]


def compress_columns_method(x):
    return x.compress(np.array([True, False, True]), axis=1) ** 2


def extract_fn(x):
    return np.extract(x > -0.2, x) ** 2


def unique_values(x):
    return np.unique(x) ** 2


def unique_parts(x):
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True)
    # inverse has x's shape in NumPy 2, is flat in NumPy 1.x
    return (values * counts + np.ravel(x)[first]) * np.sum(np.reshape(values[inverse], x.shape) * x)


def bincount_weights(x):
    return np.bincount(np.array([0, 2, 2, 1, 4, 0]), weights=x) ** 2


def bincount_minlength(x):
    bins = np.bincount(np.array([3, 1, 1]), x, minlength=6)
    return bins * np.bincount(np.array([3, 1, 1]), minlength=6)


def selection_indices(x):
    """The integer results themselves, for their values and dtypes."""
    rows, cols = np.nonzero(x > 0)
    values, first, inverse, counts = np.unique(np.round(x), return_index=True,
                                               return_inverse=True, return_counts=True)
    return (rows, cols, np.flatnonzero(x > 0), np.argwhere(x > 0), np.where(x < 0),
            values, first, inverse, counts, np.bincount(np.ravel(cols)))


def argwhere_of_scalar(x):
    return np.argwhere(x[0, 0] > 0), np.argwhere(x[0, 0] > 10.0)

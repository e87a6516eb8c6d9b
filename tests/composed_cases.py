"""Functions spelling the NumPy calls of test_composed_rules.py, one call each.

The compiler reads functions from source, so each spelling with arguments known when
compiling (an axis, an order, a spacing) is a ``def`` of its own.
"""
import numpy as np

# ---------------------------------------------------------------------------- elementwise


def degrees_radians(x):
    return np.rad2deg(x) + np.degrees(x) * 2.0 + np.deg2rad(x) * 3.0 + np.radians(x)


def nan_to_num_fn(x):
    return np.nan_to_num(x * 2.0, nan=1.0, posinf=3.0, neginf=-3.0)


def select_fn(x):
    return np.select([x < -0.5, x > 0.5], [x ** 2, np.sin(x)], default=0.5)


def select_broadcast(x, y):
    return np.select([x > 0, y < 0], [y, x * y])


# ---------------------------------------------------------------------------- differences


def diff_fn(x):
    return np.diff(x)


def diff_twice_axis0(x):
    return np.diff(x, n=2, axis=0)


def diff_zero(x):
    return np.diff(x, n=0) * 2.0


def diff_prepend_append(x):
    return np.diff(x, prepend=0.5, append=2.0)


def diff_prepend_array(x):
    return np.diff(x, axis=0, prepend=x[:1] * 3.0)


def gradient_fn(x):
    return np.gradient(x)


def gradient_axis(x):
    return np.gradient(x, 0.5, axis=1, edge_order=2)


def gradient_spacings(x):
    rows, cols = np.gradient(x, 2.0, 0.5)
    return rows * cols


def gradient_runtime_spacing(x, h):
    return np.gradient(x, h, axis=0)


GRID = np.array([0.0, 0.3, 0.5, 1.1, 1.6])


def gradient_on_a_grid(y):
    """Coordinates unevenly spaced, known when compiling; both edge orders."""
    return np.gradient(y, GRID) + np.gradient(y, GRID, edge_order=2)


def gradient_on_a_moving_grid(y, x):
    """The coordinates differentiated too (a mesh that moves)."""
    return np.gradient(y, x, edge_order=2) * np.arange(1.0, 6.0)


def gradient_on_a_grid_per_axis(m, x):
    """Coordinates along the rows, a spacing along the columns."""
    rows, columns = np.gradient(m, x, 0.5)
    return rows * 2.0 + columns


def gradient_on_an_even_grid(y):
    """Evenly spaced coordinates take NumPy's uniform formulas, as NumPy checks."""
    return np.gradient(y, np.linspace(0.0, 2.0, 5))


# ---------------------------------------------------------------------------- shapes


def rot90_fn(x):
    return np.rot90(x) * np.arange(1.0, 13.0).reshape(4, 3)


def rot90_twice(x):
    return np.rot90(x, 2, axes=(1, 2))


def rot90_thrice(x):
    return np.rot90(x, 3, axes=(0, 2))


def rot90_negative(x):
    return np.rot90(x, -1) + np.rot90(x, 4).T


def rollaxis_fn(x):
    return np.rollaxis(x, 2)


def rollaxis_forward(x):
    return np.rollaxis(x, 0, 3)


def rollaxis_negative(x):
    return np.rollaxis(x, -1, -2)


def diagonal_fn(x):
    return np.diagonal(x) * 2.0


def diagonal_method_offset(x):
    return x.diagonal(1) * 2.0 + x.diagonal(-1).sum()


def diagonal_transposed_axes(x):
    return np.diagonal(x, 1, 1, 0)


def diagonal_3d(x):
    return np.diagonal(x, -1, 2, 0)


def append_flat(x):
    return np.append(x, x[:1] * 2.0) + 1.0


def append_axis(x):
    return np.append(x, x[:1] * 2.0, axis=0)


def append_constant(x):
    return np.append(x, [1.0, 2.0])


def kron_fn(x, y):
    return np.kron(x, y)


def cross_fn(x, y):
    return np.cross(x, y)


def cross_axes(x, y):
    return np.cross(x, y, axisa=0, axisb=0, axisc=0)


def cross_axis(x, y):
    return np.cross(x, y, axis=0)


def column_stack_fn(x, y):
    return np.column_stack([x, y])


def vsplit_fn(x):
    top, rest = np.vsplit(x, [1])
    return top.sum() * rest


def hsplit_fn(x):
    left, right = np.hsplit(x, 2)
    return left * right


def hsplit_vector(x):
    first, second = np.hsplit(x, [2])
    return first.sum() * second


def dsplit_fn(x):
    front, back = np.dsplit(x, [1])
    return front.sum() * back


def vstack_one_array(x):
    return np.vstack(x) * 2.0


def hstack_one_array(x):
    return np.hstack(x) * 2.0


def column_stack_one_array(x):  # NumPy iterates over the array's rows
    return np.column_stack(x) * 2.0


def stack_one_array(x):
    return np.stack(x, axis=-1) * 2.0


def concatenate_one_array(x):
    return np.concatenate(x, axis=-1) * 2.0


def partition_fn(x):
    return np.partition(x, 2) * np.arange(1.0, 6.0)


def partition_axis(x):
    return np.partition(x, (0, 2), axis=0) * np.arange(1.0, 5.0)


def partition_flat(x):
    return np.partition(x, 3, axis=None) * np.arange(1.0, 13.0)


def take_wrapped(x):
    """Periodic boundaries: index 5 and -1 of 4 entries wrap round."""
    return np.take(x, np.array([0, 5, -1, 3, 9]), mode="wrap") * np.arange(1.0, 6.0)


def take_clipped_rows(m):
    """Rows past either end clipped to the first or the last (-1 to the first)."""
    return np.take(m, [-1, 0, 7, 1], axis=0, mode="clip") * 2.0


def partition_kth_of_a_share(x, share=0.4):
    """The largest ``share`` of the entries, ``kth`` computed from a float argument (a
    run-time value): the conditional value at risk's tail."""
    k = int(np.ceil(share * x.shape[0]))
    return np.partition(-x, k)[:k] * np.arange(1.0, k + 1.0)


def argpartition_fn(x):
    return np.sum(x * np.argpartition(x, 1) + x * x.argpartition(2))


# ---------------------------------------------------------------------------- decompositions


def svd_reduced(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return (np.sum((u * u) * np.arange(1.0, u.shape[-1] + 1.0)) + np.sum(s ** 2)
            + np.sum(vh[..., 0, :] ** 3 * vh[..., 0, :]))


def svd_reconstructed(x):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    return (u * s[..., None, :]) @ vh


def svd_values(x):
    return np.linalg.svd(x, compute_uv=False)


def svd_full_values(x):
    _, s, _ = np.linalg.svd(x)
    return s * 2.0


def svd_full_vectors(x):
    u, s, vh = np.linalg.svd(x)
    return u[:, 0] ** 2 + vh[1] ** 2 + s


def svd_full_determined_vectors(x):
    u, s, vh = np.linalg.svd(x)
    k = s.shape[-1]
    return np.sum(u[:, :k] * np.arange(1.0, k + 1.0)) + np.sum(vh[:k] ** 3) + np.sum(s)


def svd_full_extra_vector(x):
    u, _, _ = np.linalg.svd(x)
    return np.sum(u[:, -1] ** 2 * np.arange(1.0, u.shape[0] + 1.0))


def decompositions_by_name(x):
    svd = np.linalg.svd(x, full_matrices=False)
    eigh = np.linalg.eigh(x @ x.T)
    return (np.sum(svd.U[:, 0] ** 2 * svd.S[0]) + np.sum(svd.Vh[-1] ** 3)
            + np.sum(eigh.eigenvalues) + np.sum(eigh.eigenvectors[:, -1] ** 4))


def eigh_fn(x):
    w, v = np.linalg.eigh(x)
    return np.sum(w * np.arange(1.0, w.shape[-1] + 1.0)) + np.sum((v * v) @ np.arange(3.0))


def eigh_upper(x):
    w, v = np.linalg.eigh(x, UPLO="U")
    return w + (v ** 2)[..., 0, :]


def eigvalsh_fn(x):
    return np.linalg.eigvalsh(x) * np.arange(1.0, 4.0)


def eigvalsh_sum(x):
    return np.sum(np.linalg.eigvalsh(x))


def eigvalsh_upper(x):
    return np.linalg.eigvalsh(x, UPLO="U")


def pinv_fn(x):
    return np.linalg.pinv(x)


def norm_spectral(x):
    return np.linalg.norm(x, 2) + np.linalg.norm(x, -2) * 2.0 + np.linalg.norm(x, "nuc")


def norm_spectral_axes(x):
    return (np.linalg.norm(x, 2, axis=(1, 2), keepdims=True)
            * np.linalg.norm(x, "nuc", axis=(2, 1))[:, None, None])


def nuclear_norm(x):
    return np.linalg.norm(x, "nuc", axis=(0, 1))


def numpy2_norms(x):
    return (np.linalg.vector_norm(x) + np.linalg.vector_norm(x, ord=1, axis=0)
            + np.linalg.vector_norm(x, keepdims=True) + np.linalg.matrix_norm(x)
            + np.linalg.matrix_norm(x, ord="nuc", keepdims=True) + np.linalg.svdvals(x)[0])


def vector_norms_over_axes(x):
    """Over several axes, in the order given: they were refused as unsupported."""
    return (np.linalg.vector_norm(x, axis=(1, 0)) * np.linalg.vector_norm(x, ord=3, axis=(0, -1))
            + np.linalg.vector_norm(x, ord=np.inf, axis=(0, 1, 2), keepdims=True)[0, 0])


def svd_vectors_used(x):
    u, _, _ = np.linalg.svd(x, full_matrices=False)
    return np.sum(u[:, 0])


def meshgrid_xy(x, y):
    gx, gy = np.meshgrid(x, y)
    return gx * gy + gx


def meshgrid_ij_three(x, y):
    gx, gy, gz = np.meshgrid(x, y, x * 2.0, indexing="ij")
    return gx * gy - gz


def meshgrid_sparse(x, y):
    gx, gy = np.meshgrid(x, y, sparse=True)
    return gx * gy


def where_isclose(x, y):
    return np.where(np.isclose(x, y, atol=0.3), x * y, x - y)


def upper_triangle_entries(x):
    return x[np.triu_indices(3, 1)] * x[np.tril_indices(3)][:3] + x[np.diag_indices(3)]


# ---------------------------------------------------------------------------- constructors


def empty_filled(x):
    y = np.empty(x.shape[0])
    for i in range(x.shape[0]):
        y[i] = x[i] ** 2
    return y


def empty_like_filled(x):
    y = np.empty_like(x)
    y[:] = x * 2.0
    return y


# ---------------------------------------------------------------------------- statistics


def nansum_fn(x):
    return np.nansum(x, axis=1)


def nanprod_fn(x):
    return np.nanprod(x, axis=0, keepdims=True)


def nanmax_fn(x):
    return np.nanmax(x, axis=1)


def nanmin_fn(x):
    return np.nanmin(x)


def nanmean_fn(x):
    return np.nanmean(x, axis=0)


def nanvar_fn(x):
    return np.nanvar(x, axis=1, ddof=1, keepdims=True)


def nanstd_fn(x):
    return np.nanstd(x, axis=(0, 1))


# ``where=`` of the NaN-ignoring reductions, for a (3, 4) argument whose [0, 1] and [2, 3]
# are NaN: each row keeps two or three entries that are not NaN.
KEPT = np.array([[True, True, False, True], [True, False, True, True],
                 [False, True, True, True]])


def nansum_where(x):
    return np.nansum(x, axis=1, where=KEPT)


def nanprod_where_initial(x):
    return np.nanprod(x, axis=0, where=KEPT, initial=1.5, keepdims=True)


def nanmax_where_initial(x):
    return np.nanmax(x, axis=1, where=KEPT, initial=-5.0)


def nanmin_initial(x):
    return np.nanmin(x, axis=0, initial=0.25)


def nanmean_where(x):
    return np.nanmean(x, axis=1, where=KEPT)


def nanvar_where(x):
    return np.nanvar(x, axis=1, ddof=1, where=KEPT)


def nanstd_where(x):
    return np.nanstd(x, where=KEPT)


def nanmedian_fn(x):
    return np.nanmedian(x, axis=1)


def nanquantile_rows(x):
    return np.nanquantile(x, [0.0, 0.3, 0.5, 1.0], axis=1, keepdims=True)


def nanpercentile_all(x):
    return np.nanpercentile(x, 37.0) + np.nanquantile(x, 0.8, axis=0)


def nanmedian_all(x):
    return np.nanmedian(x)


def nanmedian_axes_keepdims(x):
    return np.nanmedian(x, axis=(0, 1), keepdims=True)


def ptp_fn(x):
    return np.ptp(x, axis=0)


def ptp_keepdims(x):
    return np.ptp(x, axis=1, keepdims=True)


def average_fn(x):
    return np.average(x, axis=1)


def average_weighted(x, w):
    return np.average(x, weights=w)


def average_weights_along_axis(x, w):
    return np.average(x, axis=1, weights=w)


def average_returned(x, w):
    avg, total = np.average(x, axis=0, weights=w, returned=True, keepdims=True)
    return avg * total


def average_returned_count(x):
    avg, count = np.average(x, axis=1, returned=True)
    return avg * count


def median_fn(x):
    return np.median(x)


def median_axis(x):
    return np.median(x, axis=0)


def median_axes_keepdims(x):
    return np.median(x, axis=(0, 2), keepdims=True)


def percentile_fn(x):
    return np.percentile(x, [10, 50, 90], axis=1)


def quantile_fn(x):
    return np.quantile(x, 0.3, axis=0, keepdims=True)


def quantile_ends(x):
    return np.quantile(x, [0, 1])


# ---------------------------------------------------------------------------- signal


def heaviside_fn(x, y):
    return np.heaviside(x, y)


def interp_fn(x, xp, fp):
    return np.interp(x, xp, fp)


def interp_bounds(x, fp):
    return np.interp(x, [-0.5, 0.0, 0.5], fp, left=-1.0, right=2.0)


def convolve_fn(a, v):
    return np.convolve(a, v)


def convolve_same(a, v):
    return np.convolve(a, v, mode="same")


def convolve_valid(a, v):
    return np.convolve(a, v, "valid")


def correlate_fn(a, v):
    return np.correlate(a, v)


def correlate_full(a, v):
    return np.correlate(a, v, mode="full")


def correlate_same(a, v):
    return np.correlate(a, v, "same")


def pad_edge(x):
    return np.pad(x, 2, mode="edge")


def pad_reflect(x):
    return np.pad(x, ((1, 2), (3, 0)), mode="reflect")


def pad_reflect_wide(x):
    return np.pad(x, 7, "reflect")


def pad_symmetric(x):
    return np.pad(x, (1, 3), mode="symmetric")


def pad_wrap(x):
    return np.pad(x, ((5, 0),), mode="wrap")


def pad_maximum(x):
    return np.pad(x, ((1, 2), (3, 0)), mode="maximum")


def pad_minimum_of_the_nearest(x):
    return np.pad(x, 2, mode="minimum", stat_length=((1, 2), (2, 9)))


def pad_mean(x):
    return np.pad(x, (2, 1), mode="mean", stat_length=2)


def pad_median(x):
    return np.pad(x, 1, mode="median")


def pad_linear_ramp(x):
    return np.pad(x, ((2, 1), (0, 3)), mode="linear_ramp", end_values=((0.5, -1.0), (2.0, 0.0)))


def pad_reflect_odd_wide(x):
    return np.pad(x, (7, 4), mode="reflect", reflect_type="odd")


def pad_symmetric_odd(x):
    return np.pad(x, ((1, 2), (5, 0)), mode="symmetric", reflect_type="odd")


def pad_empty_inner(x):
    return np.pad(x, 1, mode="empty")[1:-1, 1:-1]


# ---------------------------------------------------------------------- type and closeness tests


def allclose_branch(x, y):
    return np.sum(x * y) if np.allclose(x, y, atol=0.5) else np.sum(x - y)


def equal_arrays_branch(x, y):  # numpy-ml's losses test their labels so
    nan = np.array([1.0, np.nan])
    scale = 2.0 if np.array_equal(nan, nan, equal_nan=True) else 5.0
    signs = np.sign(x), np.sign(y)  # (equal or not in a neighbourhood: differences)
    if np.array_equal(*signs) and np.array_equiv(signs[0][None], signs[1]) \
            and not np.array_equal(x, y[:1]):
        return np.sum(x * y) * scale
    return np.sum(x - y)


def complex_entry_tests(x):
    z = np.where(x > 0, x * (1 + 1j), x + 0j)
    return np.sum(x * np.iscomplex(z)) + np.sum(np.isreal(z) * x ** 2)


def complex_object_tests(x):
    return np.sum(x) if np.isrealobj(x) and not np.iscomplexobj(x * 1j) else np.sum(x * x)


def real_if_close_fn(x):
    return np.sum(np.real_if_close(x) ** 2)


def row_stack_fn(x, y):
    return np.sum(np.row_stack([x, y]) ** 2)


def qr_reduced(x):
    q, r = np.linalg.qr(x)
    return np.sum(q * np.arange(1.0, q.shape[-1] + 1.0)) + np.sum(r * r)


def qr_r_only(x):
    return np.linalg.qr(x, mode="r") * 2.0


def qr_q_only(x):
    return np.linalg.qr(x)[0]


def qr_complete(x):
    q, r = np.linalg.qr(x, mode="complete")
    return np.sin(q) + r


def qr_raw(x):
    return np.linalg.qr(x, mode="raw")[0]


def lstsq_solution(a, b):
    return np.linalg.lstsq(a, b, rcond=None)[0]


def lstsq_unpacked(a, b):
    x, _residuals, rank, _singular_values = np.linalg.lstsq(a, b)
    return np.sin(x) * rank


def lstsq_residuals(a, b):
    return np.linalg.lstsq(a, b, rcond=None)[1]


def ediff1d_fn(x):
    return np.ediff1d(x)


def ediff1d_ends(x):
    return np.ediff1d(x, to_end=x[:2] * 2.0, to_begin=3.0)


def vander_fn(x):
    return np.vander(x)


def vander_increasing(x):
    return np.vander(x, 3, increasing=True)


def block_2d(m):
    return np.block([[m, m * 2.0], [np.ones((1, m.shape[1])), m[:1]]])


def block_of_vectors_and_numbers(m):
    return np.block([m[0], 1.5, m[1]])


def block_stacked(m):
    return np.block([[m], [m]])


def eigvals_moduli(x):
    return np.abs(np.linalg.eigvals(x)) * np.arange(1.0, x.shape[-1] + 1)


def eig_values_real_parts(x):
    values, _ = np.linalg.eig(x)
    return np.real(values * (1.0 + 2.0j)) + np.imag(values) ** 2

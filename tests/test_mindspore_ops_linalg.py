"""``ops`` linear algebra (``ops_linalg``, ``ops_linalg_products``): outputs, dtypes and
gradients against MindSpore 2.7.1's on the same draws (``data/mindspore_ops_linalg.json``,
written by ``data/measure_mindspore_ops_linalg.py`` from ``ops_linalg_cases``); gradients
against central finite differences in float64 on single and stacked matrices
(shape-specialised code, through ``check_grads``: the ops' checks read shapes);
``eig``/``eigvals`` against NumPy; integer results
inactive; eager results Tensors; bad input refused with MindSpore's errors."""
from __future__ import annotations

import numpy as np
import ops_linalg_cases
import pytest
from differences import central_differences
from measured_cases import assert_measured, compared, load_measured
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, ops

MEASURED = load_measured("ops_linalg")


ours = measured_fixture(lambda: ops_linalg_cases.measure(ms))


# MindSpore's gradient of cholesky_inverse does not match central differences of its
# own values (ours is checked against them below).
NOT_COMPARED = {"cholesky_inverse.grad0", "cholesky_inverse_full.grad0"}


@pytest.mark.parametrize("name", compared(MEASURED, NOT_COMPARED))
def test_matches_mindspore(ours, name):
    assert_measured(ours, MEASURED, name, rtol=2e-4, atol=2e-5)


def test_every_case_was_measured(ours):
    assert sorted(ours) == compared(MEASURED)


# ---------------------------------------------------------------- finite differences

RNG = np.random.default_rng(3)
A = RNG.standard_normal((2, 3, 3))
SPD = A @ np.swapaxes(A, -1, -2) + 3.0 * np.eye(3)
RHS = RNG.standard_normal((2, 3, 2))
TALL = RNG.standard_normal((2, 4, 3))
W = np.linspace(-1.0, 2.0, 200)


def weigh(y):
    """A weighted sum of ``y`` that differs per entry (so no gradient cancels)."""
    return ops.sum(y * np.reshape(W[:y.size], y.shape))


def sym(x):
    return (x + np.swapaxes(x, -1, -2)) * 0.5 + 3.0 * np.eye(3)


SQUARE = {  # name: a loss of a stack of square matrices (used at (3, 3) and (2, 3, 3))
    "cholesky": lambda a: weigh(ops.cholesky(sym(a))),
    "cholesky_upper": lambda a: weigh(ops.cholesky(sym(a), True)),
    "cholesky_solve": lambda a: weigh(ops.cholesky_solve(a[..., :2] + 0.5, a + 3.0 * np.eye(3))),
    "cholesky_solve_upper": lambda a: weigh(ops.cholesky_solve(a[..., :2], a + 3.0 * np.eye(3),
                                                               True)),
    "cholesky_inverse": lambda a: weigh(ops.cholesky_inverse(a + 2.0 * np.eye(3))),
    "cholesky_inverse_upper": lambda a: weigh(ops.cholesky_inverse(a + 2.0 * np.eye(3), True)),
    "matrix_determinant": lambda a: weigh(ops.matrix_determinant(a)),
    "slogdet": lambda a: weigh(ops.slogdet(a)[1]) + weigh(ops.log_matrix_determinant(a)[1]),
    "logdet": lambda a: weigh(ops.logdet(sym(a))),
    "matrix_power": lambda a: weigh(ops.matrix_power(a, 3)) + weigh(ops.matrix_power(a, -2)),
    "matrix_solve": lambda a: weigh(ops.matrix_solve(a, a[..., :2] ** 2)),
    "matrix_solve_adjoint": lambda a: weigh(ops.matrix_solve(a, a[..., 1:] ** 2, True)),
    "pinv_hermitian": lambda a: weigh(ops.pinv(sym(a), hermitian=True)),
    "eigvals": lambda a: weigh(np.real(ops.eigvals(sym(a) + a * 0.1)) ** 2),
    "eig_values": lambda a: weigh(np.imag(ops.eig(a)[0]) ** 2 + np.real(ops.eig(a)[0])),
    "band_part": lambda a: weigh(ops.matrix_band_part(a, 1, 0) ** 2),
    "band_part_tensor": lambda a: weigh(ops.matrix_band_part(a, Tensor(np.int32(-1)),
                                                             Tensor(np.int32(0))) ** 3),
    "matrix_diag": lambda a: weigh(ops.matrix_diag(a[..., 0, :] ** 2, k=-1, num_cols=6)),
    "matrix_diag_part": lambda a: weigh(ops.matrix_diag_part(a, 1, 0.0) ** 2),
    "matrix_set_diag": lambda a: weigh(ops.matrix_set_diag(a, np.sin(a[..., :2, 0]), -1) ** 2),
    "matrix_set_diag_main": lambda a: weigh(ops.matrix_set_diag(a ** 2, a[..., 0]) * a),
    "cross": lambda a: weigh(ops.cross(a, a ** 2)),
    "cross_dim": lambda a: weigh(ops.cross(a, np.cos(a), -1)),
}


@pytest.mark.parametrize("name", sorted(SQUARE))
@pytest.mark.parametrize("batched", [False, True], ids=["matrix", "stack"])
def test_square_gradients_match_finite_differences(name, batched):
    a = A if batched else A[0]
    ms.check_grads(SQUARE[name], a, generic=False)


RECTANGULAR = {  # name: a loss of a stack of (4, 3) matrices
    "pinv": lambda a: weigh(ops.pinv(a)),
    "pinv_wide": lambda a: weigh(ops.pinv(np.swapaxes(a, -1, -2))),
    "pinv_rtol": lambda a: weigh(ops.pinv(a, rtol=0.2)),
    "pinv_atol": lambda a: weigh(ops.pinv(a, atol=0.3)),
    "svd_values": lambda a: weigh(ops.svd(a, compute_uv=False)),
    "svd": lambda a: weigh(ops.svd(a)[0]) + weigh(ops.svd(a)[1] @ np.swapaxes(ops.svd(a)[2],
                                                                           -1, -2)),
    "qr": lambda a: weigh(ops.qr(a)[0]) + weigh(ops.qr(a)[1]),
    "qr_complete_square": lambda a: weigh(ops.qr(a[..., 1:, :], "complete")[0]),
    "vector_norm": lambda a: ops.vector_norm(a) + weigh(ops.vector_norm(a, 3, -1, True)),
    "vector_norm_axes": lambda a: weigh(ops.vector_norm(a, 1, (0, -1))),
    "vector_norm_inf": lambda a: weigh(ops.vector_norm(a, float("inf"), -2)),
    "vector_norm_p": lambda a: weigh(ops.vector_norm(a, 0.5, -1)) + weigh(
        ops.vector_norm(a, -2, -2)),
    "matrix_norm": lambda a: weigh(ops.matrix_norm(a)) + weigh(ops.matrix_norm(a, "nuc")),
    "matrix_norm_2": lambda a: weigh(ops.matrix_norm(a, 2)) + weigh(ops.matrix_norm(a, -2)),
    "matrix_norm_1_inf": lambda a: weigh(ops.matrix_norm(a, 1, keepdims=True))
    + weigh(ops.matrix_norm(a, -float("inf"))),
    "band_part": lambda a: weigh(ops.matrix_band_part(a, 0, 1)),
}


@pytest.mark.parametrize("name", sorted(RECTANGULAR))
@pytest.mark.parametrize("batched", [False, True], ids=["matrix", "stack"])
def test_rectangular_gradients_match_finite_differences(name, batched):
    a = TALL if batched else TALL[0]
    ms.check_grads(RECTANGULAR[name], a, generic=False)


PIVOTS = np.array([[3, 2, 3], [1, 3, 3]], np.int32)  # LAPACK's, counted from 1


@pytest.mark.parametrize("batched", [False, True], ids=["matrix", "stack"])
def test_lu_solve_gradients_match_finite_differences(batched):
    def loss(b, lu):
        return weigh(ops.lu_solve(b, lu + 3.0 * np.eye(3), PIVOTS if batched else PIVOTS[0]))

    ms.check_grads(loss, RHS[0] if not batched else RHS, A if batched else A[0], generic=False)


def test_lu_solve_solves_with_lapacks_factorisation():
    scipy_linalg = pytest.importorskip("scipy.linalg")
    factors = [scipy_linalg.lu_factor(a) for a in A]
    lu = np.stack([f[0] for f in factors])
    pivots = np.stack([f[1] + 1 for f in factors]).astype(np.int32)
    np.testing.assert_allclose(ops.lu_solve(RHS, lu, pivots), np.linalg.solve(A, RHS))
    np.testing.assert_allclose(ops.lu_solve(RHS[0], lu, pivots),
                               np.linalg.solve(A, np.broadcast_to(RHS[0], RHS.shape)))


PRODUCTS = [  # (name, loss of two arrays, shapes)
    ("batch_dot", lambda x, y: weigh(ops.batch_dot(x, y)), ((2, 3, 4), (2, 4, 5))),
    ("batch_dot_rows", lambda x, y: weigh(ops.batch_dot(x, y)), ((3, 4), (3, 4))),
    ("batch_dot_axes", lambda x, y: weigh(ops.batch_dot(x, y, (1, 2))), ((2, 3, 4), (2, 4, 3))),
    ("batch_dot_4d", lambda x, y: weigh(ops.batch_dot(x, y)), ((2, 2, 3, 4), (2, 4, 3))),
    ("addbmm", lambda x, y: weigh(ops.addbmm(x[0, :, :2], x, y, beta=0.5, alpha=2.0)),
     ((2, 3, 4), (2, 4, 2))),
    ("addbmm_broadcast", lambda x, y: weigh(ops.addbmm(y[0, 0], x, y)), ((2, 3, 4), (2, 4, 2))),
    ("ger", lambda x, y: weigh(ops.ger(x, y)), ((3,), (4,))),
    ("cross_broadcast", lambda x, y: weigh(ops.cross(x, y)), ((4, 3), (3,))),
    ("cross_0d_axis", lambda x, y: weigh(ops.cross(x, y, 0)), ((3, 2), (3, 1))),
    ("block_diag", lambda x, y: weigh(ops.block_diag(x, y, x[0, 0], y[:, 0])), ((2, 3), (3, 2))),
    ("vander", lambda x, y: weigh(ops.vander(x) * y), ((3,), (3, 3))),
    ("vander_n", lambda x, y: weigh(ops.vander(x, 4) * y), ((3,), (3, 4))),
    ("inv", lambda x, y: weigh(ops.inv(x * x + 0.5) * y), ((2, 3), (2, 3))),
]


@pytest.mark.parametrize("name,fn,shapes", PRODUCTS, ids=[p[0] for p in PRODUCTS])
def test_product_gradients_match_finite_differences(name, fn, shapes):
    rng = np.random.default_rng(7)
    ms.check_grads(fn, *(rng.standard_normal(s) for s in shapes), generic=False)


def test_cholesky_solve_reads_one_triangle():
    """Its value and gradient ignore the other triangle of the factor."""
    factor = np.linalg.cholesky(SPD[0])
    noisy = factor + np.triu(np.full((3, 3), 5.0), 1)
    np.testing.assert_allclose(ops.cholesky_solve(RHS[0], noisy),
                               np.linalg.solve(SPD[0], RHS[0]))
    grad = ms.grad(lambda c: weigh(ops.cholesky_solve(RHS[0], c)))(noisy)
    assert np.all(np.triu(grad, 1) == 0.0) and np.any(np.tril(grad) != 0.0)
    upper = ops.cholesky_solve(RHS, np.swapaxes(np.linalg.cholesky(SPD), -1, -2), True)
    np.testing.assert_allclose(upper, np.linalg.solve(SPD, RHS))


def test_factorisations_rebuild_their_input():
    s, u, v = ops.svd(TALL)
    np.testing.assert_allclose(u * s[..., None, :] @ np.swapaxes(v, -1, -2), TALL, atol=1e-12)
    assert [x.shape for x in ops.svd(TALL, full_matrices=True)] == [(2, 3), (2, 4, 4), (2, 3, 3)]
    q, r = ops.qr(TALL, "complete")
    assert q.shape == (2, 4, 4) and r.shape == (2, 4, 3)
    np.testing.assert_allclose(q @ r, TALL, atol=1e-12)
    np.testing.assert_allclose(ops.cholesky(SPD) @ np.swapaxes(ops.cholesky(SPD), -1, -2), SPD)
    np.testing.assert_allclose(ops.cholesky_inverse(np.linalg.cholesky(SPD)),
                               np.linalg.inv(SPD))
    np.testing.assert_allclose(ops.pinv(TALL) @ TALL, np.broadcast_to(np.eye(3), (2, 3, 3)),
                               atol=1e-12)


def test_eig_is_complex_and_follows_numpy():
    sym_a = (A + np.swapaxes(A, -1, -2)).astype(np.float32)  # real eigenvalues
    values, vectors = ops.eig(sym_a)
    assert values.dtype == np.complex64 and vectors.dtype == np.complex64
    assert ops.eigvals(A).dtype == np.complex128
    np.testing.assert_allclose(values, np.linalg.eigvals(sym_a), rtol=1e-5)
    np.testing.assert_allclose(sym_a @ vectors, vectors * values[..., None, :], atol=1e-5)
    np.testing.assert_allclose(ops.eigvals(A), np.linalg.eigvals(A))


def test_logdet_is_nan_at_a_negative_determinant_and_its_gradient_the_inverse():
    flipped = A[0] * np.array([[-1.0], [1.0], [1.0]]) * np.sign(np.linalg.det(A[0]))
    assert np.linalg.det(flipped) < 0 and np.isnan(ops.logdet(flipped))
    assert ops.logdet(np.zeros((2, 2))) == -np.inf
    grad = ms.grad(lambda a: ops.logdet(a) * 0.0 + ops.slogdet(a)[1])(flipped)
    np.testing.assert_allclose(grad, np.linalg.inv(flipped).T)


def test_matrix_band_part_keeps_the_band():
    x = np.arange(1.0, 21.0).reshape(4, 5)
    below = np.subtract.outer(np.arange(4), np.arange(5))  # row - column
    for lower, upper in [(1, 0), (0, 2), (-1, 0), (0, -1), (-1, -1), (2, 1)]:
        expected = np.where((below <= lower) | (lower < 0), x, 0.0)
        expected = np.where((-below <= upper) | (upper < 0), expected, 0.0)
        np.testing.assert_array_equal(ops.matrix_band_part(x, lower, upper), expected)
    ints = ops.matrix_band_part(np.ones((3, 3), np.int32), 0, 0)
    assert ints.dtype == np.int32 and ints.tolist() == np.eye(3, dtype=int).tolist()


def test_batch_dot_shapes_follow_mindspore():
    def shape(a, b, axes=None):
        return ops.batch_dot(np.ones(a), np.ones(b), axes).shape
    assert shape((2, 3), (2, 3)) == (2, 1)
    assert shape((2, 4), (2, 4, 5)) == (2, 5)
    assert shape((2, 3, 4), (2, 4)) == (2, 3)
    assert shape((2, 3, 4, 6), (2, 6, 5)) == (2, 3, 4, 5)
    assert shape((2, 3, 4), (2, 3, 5), 1) == (2, 4, 5)
    np.testing.assert_allclose(ops.batch_dot(TALL, TALL, (1, 1)),
                               np.swapaxes(TALL, -1, -2) @ TALL)


def test_norms_of_integers_are_float32_and_dtype_casts():
    assert ops.vector_norm(np.arange(3)).dtype == np.float32
    np.testing.assert_allclose(ops.vector_norm(np.arange(3)), np.sqrt(5.0), rtol=1e-6)
    assert ops.vector_norm(TALL.astype(np.float32), dtype=np.float64).dtype == np.float64
    assert ops.vector_norm(np.float32(-2.0)) == 2.0
    assert ops.vector_norm(TALL, 2, (0, 2), True).shape == (1, 4, 1)
    assert ops.matrix_norm(TALL, "nuc", keepdims=True).shape == (2, 1, 1)


# ---------------------------------------------------------------- inactive results


def test_integer_results_carry_no_gradient():
    def loss(a):
        count = ops.vector_norm(a, 0, -1)  # the non-zeros: a step function
        sign = ops.slogdet(a[..., :3, :])[0]
        return ops.sum(count * ops.sum(a, -1)) + ops.sum(sign * ops.sum(a[..., 0, :], -1))

    grad = ms.grad(loss)(TALL)
    np.testing.assert_allclose(grad, central_differences(loss, TALL), atol=1e-6)
    counts = np.count_nonzero(TALL, -1)[..., None] * np.ones(3)
    np.testing.assert_allclose(grad[..., 1:, :], counts[..., 1:, :])


def test_vander_of_integers_stays_integer_inside_a_differentiated_function():
    def loss(x):
        return ops.sum(ops.vander(np.array([1, 2, 3]), 3) @ x)

    grad = ms.grad(loss)(np.ones(3))
    np.testing.assert_array_equal(grad, [14.0, 6.0, 3.0])
    assert ops.vander(np.array([1, 2, 3])).dtype == np.int64


# ---------------------------------------------------------------- eager results and errors

F32 = Tensor(A[0].astype(np.float32))
EAGER = {
    "matrix_determinant": lambda: ops.matrix_determinant(F32),
    "slogdet": lambda: ops.slogdet(F32)[1], "logdet": lambda: ops.logdet(F32 @ F32.T),
    "vector_norm": lambda: ops.vector_norm(F32), "matrix_norm": lambda: ops.matrix_norm(F32),
    "svd": lambda: ops.svd(F32)[2], "cross": lambda: ops.cross(F32, F32.T),
    "batch_dot": lambda: ops.batch_dot(F32, F32), "ger": lambda: ops.ger(F32[0], F32[1]),
    "block_diag": lambda: ops.block_diag(F32, F32[0]), "pinv": lambda: ops.pinv(F32),
    "matrix_band_part": lambda: ops.matrix_band_part(F32, 0, 1),
}


@pytest.mark.parametrize("name", sorted(EAGER))
def test_eager_results_are_float32_tensors(name):
    result = EAGER[name]()
    assert type(result) is Tensor and result.dtype == np.float32


ERRORS = [
    (lambda: ops.cholesky(np.ones((2, 3))), ValueError, "square"),
    (lambda: ops.cholesky_solve(np.ones(3), np.eye(3)), ValueError, "rank 2 or 3"),
    (lambda: ops.matrix_solve(np.eye(3), np.ones(3)), ValueError, "rhs"),
    (lambda: ops.lu_solve(np.ones(3), np.eye(3), PIVOTS[0]), ValueError, "b"),
    (lambda: ops.lu_solve(np.ones((3, 1)), np.eye(3), PIVOTS[:, :2]), ValueError, "LU_pivots"),
    (lambda: ops.matrix_power(np.eye(2), 1.5), TypeError, "'n' must be an int"),
    (lambda: ops.qr(np.eye(2), "r"), TypeError, "'reduced' or 'complete'"),
    (lambda: ops.matrix_norm(np.eye(2), 3), ValueError, "ord mode"),
    (lambda: ops.svd(np.ones(3)), ValueError, "at least 2"),
    (lambda: ops.batch_dot(np.ones((2, 3)), np.ones((3, 3))), ValueError, "batch sizes"),
    (lambda: ops.batch_dot(np.ones((2, 3, 4)), np.ones((2, 3, 4)), 0), ValueError, "axes"),
    (lambda: ops.batch_dot(np.ones(3), np.ones(3)), ValueError, "dimension >= 2"),
    (lambda: ops.batch_dot(np.ones((2, 3), np.int32), np.ones((2, 3), np.int32)), TypeError,
     "floats"),
    (lambda: ops.ger(np.ones((2, 2)), np.ones(2)), ValueError, "1-D"),
    (lambda: ops.ger(np.ones(2, np.int32), np.ones(2, np.int32)), TypeError, "float"),
    (lambda: ops.cross(np.ones((2, 4)), np.ones((2, 4))), ValueError, "length 3"),
    (lambda: ops.cross(np.ones((3, 4)), np.ones((3, 4)), 1), ValueError, "length 3"),
    (lambda: ops.block_diag(np.ones((1, 2, 3))), ValueError, "0, 1, or 2"),
    (lambda: ops.vander(np.ones((2, 2))), ValueError, "1-D"),
    (lambda: ops.vander(np.ones(3), 0), ValueError, "greater than 0"),
    (lambda: ops.matrix_band_part(np.ones(3), 1, 1), ValueError, "at least 2"),
    (lambda: ops.matrix_diag(np.ones(3), k=1, num_rows=5, num_cols=5), ValueError,
     "not consistent"),
    (lambda: ops.matrix_diag(np.ones(3), k=(0, 1)), ValueError, "one diagonal"),
    (lambda: ops.matrix_diag_part(np.ones((3, 4)), 4, 0.0), ValueError, r"k must be in \(-3, 4\)"),
    (lambda: ops.matrix_set_diag(np.ones((2, 3, 3)), np.ones(3)), ValueError, r"\(2, 3\)"),
    (lambda: ops.addbmm(np.ones((2, 2)), np.ones((2, 2)), np.ones((2, 2))), ValueError, "3-D"),
]


@pytest.mark.parametrize("index", range(len(ERRORS)))
def test_bad_input_is_refused_clearly(index):
    call, kind, message = ERRORS[index]
    with pytest.raises(kind, match=message):
        call()


def test_inv_is_the_elementwise_reciprocal():
    """MindSpore's ``ops.inv`` (``ops.inverse`` inverts matrices): integers stay
    integers, ``1 // x`` rounded toward zero."""
    np.testing.assert_allclose(ops.inv(F32), 1.0 / A[0].astype(np.float32), rtol=1e-6)
    ints = ops.inv(np.array([2, 3, -1, 1], np.int32))
    assert ints.dtype == np.int32 and ints.tolist() == [0, 0, -1, 1]


K = Tensor(np.array(1, np.int32))


def diagonal_of_a_tensor_k(x):
    return ops.sum(ops.matrix_diag_part(x, K, 0.0))


def test_diagonal_ops_take_a_tensor_k_eagerly_and_refuse_it_clearly_when_differentiated():
    np.testing.assert_array_equal(ops.matrix_diag_part(TALL, K, Tensor(np.float32(0))),
                                  np.diagonal(TALL, 1, -2, -1))
    expected = TALL[0].copy()
    expected[[0, 1], [1, 2]] = 0.0
    np.testing.assert_array_equal(ops.matrix_set_diag(TALL[0], np.zeros(2), K), expected)
    with pytest.raises(ms.AutodiffError, match=r"k decides the result's shape.*Python int"):
        ms.grad(diagonal_of_a_tensor_k)(TALL)


def test_matrix_diag_sizes_follow_mindspore():
    x = np.array([1.0, 2.0])
    assert ops.matrix_diag(x, k=0, num_rows=3).shape == (3, 2)
    assert ops.matrix_diag(x, k=1, num_cols=4).shape == (2, 4)
    assert ops.matrix_diag(x, k=1, num_rows=3).shape == (3, 3)
    np.testing.assert_array_equal(ops.matrix_diag(x, k=-1, padding_value=7.0),
                                  [[7.0, 7.0, 7.0], [1.0, 7.0, 7.0], [7.0, 2.0, 7.0]])


def test_adjoint_is_the_conjugate_transpose_of_each_matrix():
    """MindSpore's docstring example, then a real batch (transposed only) and its
    gradient, a transpose back."""
    x = Tensor(np.array([[0 + 0j, 1 + 1j], [2 + 2j, 3 + 3j]]))
    np.testing.assert_array_equal(ops.adjoint(x), [[0 - 0j, 2 - 2j], [1 - 1j, 3 - 3j]])
    real = np.arange(12.0).reshape(2, 2, 3)
    np.testing.assert_array_equal(ops.adjoint(Tensor(real)), np.swapaxes(real, -1, -2))
    weights = np.arange(12.0).reshape(2, 3, 2)
    np.testing.assert_array_equal(ms.grad(lambda a: (ops.adjoint(a) * weights).sum())(real),
                                  np.swapaxes(weights, -1, -2))

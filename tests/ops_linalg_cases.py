"""``ops`` linear algebra (``ops_linalg``, ``ops_linalg_products``) measured against
MindSpore: one table, run by MindSpore (``data/measure_mindspore_ops_linalg.py`` writes
``data/mindspore_ops_linalg.json``) and by this package (``test_mindspore_ops_linalg.py``)
on the same draws, with ``measured_cases``' loop.

Factorisations are compared through what does not depend on the sign (or phase) each
library picks for a singular vector: ``s`` and ``u vᵀ`` of ``svd``. MindSpore 2.7.1's
CPU build has no gradient for ``cholesky`` (no ``CholeskyGrad`` kernel), ``qr`` or
``lu_solve`` (their bprops are not defined), no kernel for ``matrix_exp`` (left out here), and
orders and scales ``eig``'s results otherwise than LAPACK: their values are measured
where they agree (``cholesky``, ``qr``'s ``|R|`` and ``Q R``), and their gradients, and
``eig``/``eigvals``, are left to ``test_mindspore_ops_linalg``'s finite-difference and
NumPy checks. ``cholesky_solve``'s gradient is compared on the factor's triangle (the
case takes ``tril`` of it): MindSpore's is dense, though the op reads one triangle.
MindSpore's ``cholesky_inverse`` of a stack of matrices computes neither ``inv(L Lᵀ)``
nor ``inv(Lᵀ L)`` (nor its gradient runs), and its gradient of one matrix does not match
central differences of its own values: its values are compared on single matrices and
its gradients left to finite differences. ``cross`` of broadcast operands is left out
(MindSpore's values differ from the cross products there).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    square, stack = normal(3, 3), normal(2, 3, 3)
    spd = square @ square.T + 3.0 * np.eye(3, dtype=np.float32)
    spds = stack @ np.swapaxes(stack, -1, -2) + 3.0 * np.eye(3, dtype=np.float32)
    flipped = stack.copy()
    flipped[1, 0] *= -1.0 if np.linalg.det(stack[1]) > 0 else 1.0  # one negative determinant
    flipped[0, 0] *= -1.0 if np.linalg.det(stack[0]) < 0 else 1.0  # and one positive
    return {
        "a": square, "a2": stack, "spd": spd, "spd2": spds.astype(np.float32),
        "chol": np.linalg.cholesky(spd), "chol2": np.linalg.cholesky(spds).astype(np.float32),
        "mixed": flipped, "b": normal(3, 2), "b2": normal(2, 3, 2), "tall": normal(4, 3),
        "tall2": normal(2, 4, 3), "wide": normal(2, 4), "x3": normal(2, 3, 4),
        "y3": normal(2, 4, 5), "z3": normal(2, 3, 5), "m": normal(3, 4), "v3": normal(3),
        "v4": normal(4), "c3": normal(4, 3), "d3": normal(4, 3),
        "ints": np.array([1.0, 2.0, 3.0], np.float32), "m35": normal(3, 5),
        "b245": normal(2, 4, 5), "b234": normal(2, 3, 4), "v5": normal(5), "d23": normal(2, 3),
        "lu": square + 3.0 * np.eye(3, dtype=np.float32), "piv": np.array([3, 2, 3], np.int32),
        "lu2": stack + 3.0 * np.eye(3, dtype=np.float32),
        "piv2": np.array([[2, 3, 3], [1, 3, 3]], np.int32),
    }


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated)."""
    ops = ms.ops
    inf = float("inf")
    # MindSpore's matrix_diag_part takes k and its padding as Tensors; inside a
    # differentiated function ours takes k as an int (it decides the result's shape)
    ours = ms.__name__ == "autodiff_compiler"
    k1, k_1 = (1, -1) if ours else (ms.Tensor(np.array(k, np.int32)) for k in (1, -1))
    pad = ms.Tensor(np.array(0.0, np.float32))

    def mT(x):  # noqa: N802 (each matrix transposed)
        return ops.swapaxes(x, -1, -2)

    def polar(fn):
        """``s`` and ``u vᵀ`` of an ``svd``, which its vectors' signs do not change."""
        def case(a):
            s, u, v = fn(a)
            k = s.shape[-1]
            return s, ops.matmul(u[..., :k], mT(v[..., :k]))
        return case

    def qr_parts(mode):
        def case(a):
            q, r = ops.qr(a, mode)
            return ops.abs(r), ops.matmul(q, r)
        return case

    return [
        # Cholesky
        ("cholesky", ops.cholesky, ("spd",), ()),
        ("cholesky_upper", lambda a: ops.cholesky(a, True), ("spd2",), ()),
        ("cholesky_solve", lambda b, c: ops.cholesky_solve(b, ops.tril(c)), ("b", "chol"),
         (0, 1)),
        ("cholesky_solve_batched", lambda b, c: ops.cholesky_solve(b, ops.tril(c)),
         ("b2", "chol2"), (0, 1)),
        ("cholesky_solve_upper", lambda b, c: ops.cholesky_solve(b, ops.triu(mT(c)), True),
         ("b", "chol"), (0, 1)),
        ("cholesky_inverse", ops.cholesky_inverse, ("chol",), (0,)),
        ("cholesky_inverse_full", ops.cholesky_inverse, ("a",), (0,)),
        ("cholesky_inverse_upper", lambda a: ops.cholesky_inverse(a, True), ("a",), (0,)),
        # determinants
        ("matrix_determinant", ops.matrix_determinant, ("a",), (0,)),
        ("matrix_determinant_batched", ops.matrix_determinant, ("a2",), (0,)),
        ("log_matrix_determinant", ops.log_matrix_determinant, ("mixed",), (0,)),
        ("slogdet", ops.slogdet, ("a",), (0,)),
        ("slogdet_batched", ops.slogdet, ("mixed",), (0,)),
        ("logdet", ops.logdet, ("spd",), (0,)),
        ("logdet_mixed", ops.logdet, ("mixed",), (0,)),
        # powers, solves, inverses
        ("matrix_power_3", lambda a: ops.matrix_power(a, 3), ("a",), (0,)),
        ("matrix_power_neg", lambda a: ops.matrix_power(a, -2), ("a2",), (0,)),
        ("matrix_power_0", lambda a: ops.matrix_power(a, 0), ("a2",), (0,)),
        ("matrix_power_1", lambda a: ops.matrix_power(a, 1), ("a",), (0,)),
        ("matrix_solve", ops.matrix_solve, ("a", "b"), (0, 1)),
        ("matrix_solve_adjoint", lambda a, b: ops.matrix_solve(a, b, True), ("a2", "b2"),
         (0, 1)),
        ("lu_solve", ops.lu_solve, ("b", "lu", "piv"), ()),
        ("lu_solve_batched", ops.lu_solve, ("b", "lu2", "piv2"), ()),
        ("pinv", ops.pinv, ("tall",), (0,)),
        ("pinv_wide_batched", lambda a: ops.pinv(mT(a)), ("tall2",), (0,)),
        ("pinv_rtol", lambda a: ops.pinv(a, rtol=0.3), ("tall",), (0,)),
        ("pinv_atol", lambda a: ops.pinv(a, atol=0.8), ("tall",), (0,)),
        ("pinv_hermitian", lambda a: ops.pinv(a, hermitian=True), ("spd",), (0,)),
        # factorisations
        ("svd", polar(ops.svd), ("tall",), (0,)),
        ("svd_batched_wide", polar(lambda a: ops.svd(mT(a))), ("tall2",), (0,)),
        ("svd_full", polar(lambda a: ops.svd(a, full_matrices=True)), ("tall",), (0,)),
        ("svd_values", lambda a: ops.svd(a, compute_uv=False), ("tall2",), (0,)),
        ("qr", qr_parts("reduced"), ("tall",), ()),
        ("qr_complete", qr_parts("complete"), ("tall2",), ()),
        # norms
        ("vector_norm", ops.vector_norm, ("m",), (0,)),
        ("vector_norm_axis", lambda a: ops.vector_norm(a, 2, 1), ("m",), (0,)),
        ("vector_norm_axes_keep", lambda a: ops.vector_norm(a, 3, (0, 2), True), ("x3",), (0,)),
        ("vector_norm_1", lambda a: ops.vector_norm(a, 1, 0), ("m",), (0,)),
        ("vector_norm_inf", lambda a: ops.vector_norm(a, inf, -1), ("m",), (0,)),
        ("vector_norm_neg_inf", lambda a: ops.vector_norm(a, -inf, 0), ("m",), (0,)),
        ("vector_norm_0", lambda a: ops.vector_norm(a, 0, 1), ("m",), ()),
        ("vector_norm_half", lambda a: ops.vector_norm(a, 0.5), ("m",), (0,)),
        ("vector_norm_neg1", lambda a: ops.vector_norm(a, -1, 1, True), ("m",), (0,)),
        ("matrix_norm", ops.matrix_norm, ("x3",), (0,)),
        ("matrix_norm_nuc", lambda a: ops.matrix_norm(a, "nuc"), ("x3",), (0,)),
        ("matrix_norm_2", lambda a: ops.matrix_norm(a, 2, keepdims=True), ("x3",), (0,)),
        ("matrix_norm_neg2", lambda a: ops.matrix_norm(a, -2), ("m",), (0,)),
        ("matrix_norm_1", lambda a: ops.matrix_norm(a, 1, (0, 2)), ("x3",), (0,)),
        ("matrix_norm_neg1", lambda a: ops.matrix_norm(a, -1), ("m",), (0,)),
        ("matrix_norm_inf", lambda a: ops.matrix_norm(a, inf), ("x3",), (0,)),
        ("matrix_norm_neg_inf", lambda a: ops.matrix_norm(a, -inf), ("m",), (0,)),
        # products
        ("batch_dot", ops.batch_dot, ("x3", "y3"), (0, 1)),
        ("batch_dot_rows", ops.batch_dot, ("m", "m"), (0, 1)),
        ("batch_dot_axes", lambda a, b: ops.batch_dot(a, b, 1), ("x3", "z3"), (0, 1)),
        ("batch_dot_pair", lambda a, b: ops.batch_dot(a, b, (-2, 1)), ("x3", "b234"), (0, 1)),
        ("batch_dot_vector", ops.batch_dot, ("wide", "y3"), (0, 1)),
        ("batch_dot_matrix_right", ops.batch_dot, ("x3", "wide"), (0, 1)),
        ("addbmm", lambda a, b, c: ops.addbmm(a, b, c, beta=0.5, alpha=2.0), ("m35", "b234",
                                                                               "b245"), (0, 1, 2)),
        ("addbmm_broadcast", lambda a, b, c: ops.addbmm(a, b, c), ("v5", "b234", "b245"),
         (1, 2)),
        ("ger", ops.ger, ("v3", "v4"), (0, 1)),
        ("cross", ops.cross, ("c3", "d3"), (0, 1)),
        ("cross_first_axis", ops.cross, ("a", "spd"), (0, 1)),
        ("block_diag", ops.block_diag, ("m", "v3", "b"), (0, 1, 2)),
        ("vander", ops.vander, ("v4",), (0,)),
        ("vander_n", lambda a: ops.vander(a, 2), ("ints",), (0,)),
        ("inv", ops.inv, ("m",), (0,)),
        # band and diagonals
        ("matrix_band_part", lambda a: ops.matrix_band_part(a, 1, 0), ("m",), (0,)),
        ("matrix_band_part_lower", lambda a: ops.matrix_band_part(a, -1, 0), ("x3",), (0,)),
        ("matrix_band_part_upper", lambda a: ops.matrix_band_part(a, 0, -1), ("m",), (0,)),
        ("matrix_band_part_wide", lambda a: ops.matrix_band_part(a, 2, 1), ("m35",), (0,)),
        ("matrix_diag", ops.matrix_diag, ("m",), (0,)),
        ("matrix_diag_k", lambda a: ops.matrix_diag(a, k=1), ("v3",), (0,)),
        ("matrix_diag_shape", lambda a: ops.matrix_diag(a, k=-1, num_rows=4, num_cols=5,
                                                        padding_value=9), ("v3",), (0,)),
        ("matrix_diag_rows", lambda a: ops.matrix_diag(a, num_rows=5), ("v3",), (0,)),
        ("matrix_diag_cols", lambda a: ops.matrix_diag(a, k=1, num_cols=6), ("m",), (0,)),
        ("matrix_diag_part", lambda a: ops.matrix_diag_part(a, k1, pad), ("x3",), (0,)),
        ("matrix_diag_part_below", lambda a: ops.matrix_diag_part(a, k_1, pad), ("m35",), (0,)),
        ("matrix_set_diag", ops.matrix_set_diag, ("a2", "d23"), (0, 1)),
        ("matrix_set_diag_k", lambda a, d: ops.matrix_set_diag(a, d, k1), ("m", "v3"),
         (0, 1)),
    ]


def measure(ms: Any) -> dict[str, Any]:
    """Outputs, their dtypes and gradients of each case, by name, computed with the
    library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    return measure_cases(ms, _cases(ms), _draws(np.random.default_rng(11)))

"""Products and linear algebra of complex arrays: a real loss of ``z = xr + i xi``
(and of a second complex operand made from it) differentiated with respect to the real
and imaginary parts, against central finite differences in float64, forward and
reverse, to second order. ``vdot`` conjugates its first operand, ``det``'s adjugate
needs conjugate transposes, and a complex matrix's ``slogdet`` sign moves with it:
each gave wrong derivatives of complex arrays while every real case was right."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

W = np.array([[0.7 - 0.2j, 1.1 + 0.4j, -0.3 + 0.9j],
              [0.2 + 0.5j, -0.8 - 0.1j, 0.6 + 0.3j],
              [1.3 - 0.7j, 0.1 + 0.2j, -0.5 - 0.6j]])


def _loss(value):
    """A real function of a complex value that reads both parts, not holomorphic."""
    return np.sum(np.real(value) ** 2 + 0.7 * np.imag(value) + 0.3 * np.abs(value))


def _z(xr, xi):
    return xr + 1j * xi


# name: (the complex function of z, the shapes of xr and xi)
CASES = {
    "vdot": (lambda z: np.vdot(z, W[:2].reshape(-1)[:z.size].reshape(z.shape) + z * z),
             [(3,), (2, 3)]),
    "vdot_of_itself": (lambda z: np.vdot(z * (1 - 2j), z + 0.5), [(3,), ()]),
    "vdot_second": (lambda z: np.vdot(W[0, :z.size], z), [(3,)]),
    "dot": (lambda z: np.dot(W, z) * np.sum(np.dot(z.T, z)), [(3,), (3, 2)]),
    "inner": (lambda z: np.inner(z, np.conj(z) + W[1]), [(3,), (2, 3)]),
    "matmul": (lambda z: (W @ z) @ np.conj(z).T, [(3, 2)]),
    "outer": (lambda z: np.outer(z, W[2] * z), [(3,)]),
    "tensordot": (lambda z: np.tensordot(z, W[:2, :2] * z[0, 0], axes=1), [(2, 2)]),
    "einsum": (lambda z: np.einsum("ij,jk,k->i", W, z, np.conj(z[0])), [(3, 3)]),
    "kron": (lambda z: np.kron(z, W[0]), [(2,)]),
    "trace": (lambda z: np.trace(W @ z), [(3, 3)]),
    "cross": (lambda z: np.cross(z, W[1]), [(3,), (2, 3)]),
    "det": (lambda z: np.linalg.det(z + W), [(3, 3), (2, 3, 3)]),
    "det_times": (lambda z: np.linalg.det(z) * np.conj(z[0, 0]), [(3, 3)]),
    "slogdet": (lambda z: np.linalg.slogdet(z + W)[1] + np.linalg.slogdet(z + W)[0], [(3, 3)]),
    "inv": (lambda z: np.linalg.inv(z + 2 * W), [(3, 3)]),
    "solve": (lambda z: np.linalg.solve(z + 2 * W, W[:, :1] * z[:, :1]), [(3, 3)]),
    "matrix_power": (lambda z: np.linalg.matrix_power(z, 3), [(3, 3)]),
}
# Shape-specialised code alone: their rules need the operands' shapes.
SPECIALISED = {"cross", "kron"}


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_products_and_linear_algebra_match_finite_differences(name):
    fn, shapes = CASES[name]
    rng = np.random.default_rng(3)
    for shape in shapes:
        xr, xi = rng.standard_normal(shape), rng.standard_normal(shape)
        check_grads(lambda xr, xi: _loss(fn(_z(xr, xi))), xr, xi, order=2,
                    generic=name not in SPECIALISED)


def vdot_of_a_run_time_dtype(x, y):
    """Fuzz seed 640051: ``q`` is the Python float 0.5 where no row passes the filter,
    else float32 (of ``x``), a dtype known only at run time; under ``vmap`` the batched ``vdot``
    took it for real and did not conjugate (0.325 came out -0.175)."""
    acc, count = 0.0, 0
    while count < 3:
        acc = acc + np.tanh(np.max(x))
        count += 1
    rows = np.broadcast_to(acc, (4, 2))
    q = sum([np.sum(np.tanh(row) * row) for row in rows if np.sum(row) < 0.4], 0.5)
    return np.real(np.vdot(np.array([1.0, 0.5j]) * q, np.array([0.3 - 1j, 2.0]) * q + 1j))


def test_vmap_of_vdot_conjugates_a_value_whose_dtype_the_run_decides():
    xs = np.array([[[0.56, -0.7, 0.41], [0.74, 0.37, 0.16]],
                   [[-0.3, -0.1, -0.5], [-0.2, -0.4, -0.9]]], np.float32)
    y = -0.08
    np.testing.assert_allclose(adc.vmap(vdot_of_a_run_time_dtype, (0, None))(xs, y),
                               [vdot_of_a_run_time_dtype(x, y) for x in xs], rtol=1e-6)
    gradient = adc.grad(vdot_of_a_run_time_dtype)
    np.testing.assert_allclose(adc.vmap(gradient, (0, None))(xs, y),
                               [gradient(x, y) for x in xs], rtol=1e-6)

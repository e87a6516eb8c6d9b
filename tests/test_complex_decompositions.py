"""``np.linalg.eigh``, ``eigvalsh`` and ``svd`` of complex matrices: a real loss of
``z = xr + i xi`` against central finite differences in float64 with respect to both
parts, reverse and forward mode, shape-specialised and shape-generic code, single and
stacked matrices, to second order; the gradient with respect to ``z`` itself in JAX's
convention (``∂/∂x - i ∂/∂y``) against JAX's numbers; and under ``vmap``.

LAPACK fixes no phase of a complex eigenvector, nor of a pair of singular vectors (it
turns ``u_k`` and ``v_k`` together), so the losses read no phase: moduli, and products
such as ``v_k conj(v_k)ᵀ`` or ``U Vᴴ`` that the phases cancel in. ``eigh`` reads the
lower triangle (``UPLO="U"``: the upper) and the real part of the diagonal, so a
random matrix is fine: finite differences see the same reading."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

WEIGHTS = np.arange(9.0).reshape(3, 3)


def _z(xr, xi):
    return xr + 1j * xi


def eigh_values(xr, xi):
    return np.sum(np.linalg.eigh(_z(xr, xi))[0] * np.arange(1.0, xr.shape[-1] + 1))


def eigh_vector_moduli(xr, xi):
    values, vectors = np.linalg.eigh(_z(xr, xi))
    n = vectors.shape[-1]
    return np.sum(np.abs(vectors) ** 2 * np.linspace(0.0, 1.0, n * n).reshape(n, n)) \
        + np.sum(values ** 2)


def eigh_upper_projector(xr, xi):
    """The first eigenvector's projector ``v conj(v)ᵀ``, of the upper triangle."""
    vectors = np.linalg.eigh(_z(xr, xi), UPLO="U")[1]
    first = vectors[..., :, :1]
    projector = first * np.conj(first).swapaxes(-1, -2)
    return np.sum(np.real(projector) * np.arange(vectors.shape[-1]) + np.imag(projector) ** 2)


def eigvalsh_cubed(xr, xi):
    return np.sum(np.linalg.eigvalsh(_z(xr, xi)) ** 3)


def svd_vector_moduli(xr, xi):
    u, s, vh = np.linalg.svd(_z(xr, xi), full_matrices=False)
    return np.sum(np.abs(u) ** 2 * 0.7) + np.sum(np.abs(vh) * 0.3) + np.sum(s)


def svd_polar_factor(xr, xi):
    u, s, vh = np.linalg.svd(_z(xr, xi), full_matrices=False)
    polar = u @ vh
    weights = np.arange(polar.shape[-2] * polar.shape[-1]).reshape(polar.shape[-2:])
    return np.sum(np.real(polar) * weights / weights.size + np.imag(polar) ** 2) \
        + np.sum(s ** 2)


def svd_left_vectors(xr, xi):
    u = np.linalg.svd(_z(xr, xi), full_matrices=False)[0]
    return np.sum(np.abs(u[..., :2]) ** 3)


# name: (loss, shapes)
CASES = {
    "eigh_values": (eigh_values, [(3, 3), (2, 3, 3)]),
    "eigh_vector_moduli": (eigh_vector_moduli, [(3, 3), (2, 4, 4), (1, 1)]),
    "eigh_upper_projector": (eigh_upper_projector, [(3, 3), (2, 3, 3)]),
    "eigvalsh": (eigvalsh_cubed, [(3, 3), (2, 3, 3)]),
    "svd_vector_moduli": (svd_vector_moduli, [(3, 3), (4, 2), (2, 4), (2, 3, 2)]),
    "svd_polar_factor": (svd_polar_factor, [(3, 3), (4, 2), (2, 4), (2, 2, 3)]),
    "svd_left_vectors": (svd_left_vectors, [(4, 3), (3, 5)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_complex_decompositions_match_finite_differences(name):
    fn, shapes = CASES[name]
    rng = np.random.default_rng(7)
    for shape in shapes:
        check_grads(fn, rng.standard_normal(shape), rng.standard_normal(shape), rtol=1e-6)


@pytest.mark.parametrize("name", ["eigh_vector_moduli", "eigvalsh", "svd_polar_factor"])
def test_second_order(name):
    fn, shapes = CASES[name]
    rng = np.random.default_rng(8)
    check_grads(fn, rng.standard_normal(shapes[0]), rng.standard_normal(shapes[0]),
                order=2, rtol=1e-5)


def hermitian_eigh_loss(z):
    values, vectors = np.linalg.eigh(z + np.conj(z.T))
    return np.sum(np.abs(vectors) ** 2 * WEIGHTS) + np.sum(values * np.array([1.0, 2.0, 3.0]))


def svd_loss(z):
    u, s, vh = np.linalg.svd(z, full_matrices=False)
    return np.sum(np.abs(u) * WEIGHTS) + np.sum(np.real(u @ vh) * WEIGHTS) + np.sum(s)


def test_gradient_with_respect_to_a_complex_matrix_is_jaxs():
    """``jax.grad`` (JAX 0.4, x64) of the same losses, at
    ``default_rng(5)``'s ``standard_normal((3, 3)) + 1j * standard_normal((3, 3))``."""
    rng = np.random.default_rng(5)
    z = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    jax_eigh = np.array([
        [2.508953537283, -0.563847213261 - 0.904649734114j, -0.454507320212 - 0.128713667601j],
        [-0.563847213261 + 0.904649734114j, 5.354768143657, -0.631247826109 - 0.451080059075j],
        [-0.454507320212 + 0.128713667601j, -0.631247826109 + 0.451080059075j, 4.13627831906]])
    jax_svd = np.array([
        [-1.072112139001 - 1.475162681778j, 0.275291317195 - 0.659317073791j,
         1.387207647838 - 0.99020434629j],
        [-0.86487770897 - 0.837774437167j, 1.499053951521 - 0.279321519694j,
         0.603905344774 - 1.161058280987j],
        [2.65589777755 + 0.204026718478j, 0.756844244548 - 0.200736770368j,
         5.109750633835 + 1.350950720082j]])
    np.testing.assert_allclose(adc.grad(hermitian_eigh_loss)(z), jax_eigh, atol=1e-10)
    np.testing.assert_allclose(adc.grad(svd_loss)(z), jax_svd, atol=1e-10)


def test_vmap_of_gradients_and_tangents_is_each_examples():
    rng = np.random.default_rng(9)
    zs = rng.standard_normal((3, 3, 3)) + 1j * rng.standard_normal((3, 3, 3))
    for fn in (hermitian_eigh_loss, svd_loss):
        gradient = adc.grad(fn)
        np.testing.assert_allclose(adc.vmap(gradient)(zs), [gradient(z) for z in zs],
                                   rtol=1e-10, atol=1e-12)
        tangents = adc.vmap(lambda z, d, fn=fn: adc.jvp(fn, z, d)[1])(zs, zs[::-1])
        np.testing.assert_allclose(tangents, [adc.jvp(fn, z, d)[1]
                                              for z, d in zip(zs, zs[::-1])], rtol=1e-10)

"""``np.linalg.eig`` and ``np.linalg.eigvals`` of general matrices: values and dtypes
as NumPy gives them (complex, or real when every eigenvalue of a real matrix is real),
the eigenvalues' and eigenvectors' derivatives in both modes (the vectors' in LAPACK's
gauge: unit norm, largest component real), of real and complex matrices, single and
stacked, to second order and under ``vmap``.

The losses of the vectors that are checked against finite differences of random
matrices are gauge-invariant (moduli, products of a column with its own conjugate):
LAPACK may flip a real eigenvector's sign, or turn a complex one, between two nearby
matrices, which a loss that reads the phase sees as a jump."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

RNG = np.random.default_rng(11)
GENERAL = RNG.standard_normal((4, 4))  # two complex pairs or a mix
_BASIS = RNG.standard_normal((3, 3)) + 2 * np.eye(3)
REAL = _BASIS @ np.diag([1.0, 2.5, -1.5]) @ np.linalg.inv(_BASIS)  # real, distinct, dense
STACK = np.stack([GENERAL, GENERAL.T + 0.5 * np.eye(4)])
MATRICES = {"general": GENERAL, "real_eigenvalues": REAL, "stack": STACK}


def weighted_moduli(a):
    return np.sum(np.abs(np.linalg.eigvals(a)) * np.arange(1.0, a.shape[-1] + 1))


def spectral_radius(a):
    return np.max(np.abs(np.linalg.eigvals(a)))


def vector_moduli(a):
    return np.sum(np.abs(np.linalg.eig(a)[1]) * np.arange(a.shape[-1] ** 2).reshape(
        a.shape[-2:]))


def vectors_times_values(a):
    values, vectors = np.linalg.eig(a)
    return np.real(np.sum(vectors * values[..., None, :] * (1.0 - 0.5j)))


def _difference(fn, a, d, eps=1e-6):
    return (fn(a + eps * d) - fn(a - eps * d)) / (2 * eps)


@pytest.mark.parametrize("name", MATRICES)
def test_values_and_dtypes_are_numpys(name):
    a = MATRICES[name]
    (values, vectors), _ = adc.jvp(lambda a: np.linalg.eig(a), a, np.ones_like(a))
    want_values, want_vectors = np.linalg.eig(a)
    assert values.dtype == want_values.dtype and vectors.dtype == want_vectors.dtype
    np.testing.assert_array_equal(values, want_values)
    np.testing.assert_array_equal(vectors, want_vectors)


@pytest.mark.parametrize("fn", [weighted_moduli, spectral_radius], ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", MATRICES)
def test_eigenvalue_gradient_matches_finite_differences(fn, name):
    a = MATRICES[name]
    d = RNG.standard_normal(a.shape)
    want = _difference(fn, a, d)
    np.testing.assert_allclose(np.sum(adc.grad(fn)(a) * d), want, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(adc.jvp(fn, a, d)[1], want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn", [vector_moduli, vectors_times_values], ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", MATRICES)
def test_eigenvector_tangent_matches_numpys_finite_differences(fn, name):
    """LAPACK's gauge (unit norm, largest component real) is the tangent's too, so
    even a loss that reads the vectors' phase matches NumPy's differences."""
    a = MATRICES[name]
    d = RNG.standard_normal(a.shape)
    np.testing.assert_allclose(adc.jvp(fn, a, d)[1], _difference(fn, a, d), rtol=1e-6,
                               atol=1e-8)


def vector_products(a):
    """Each column times its own conjugate in reverse order, weighted by the eigenvalues'
    real parts: invariant under each column's phase, as JAX's eig tests' losses are."""
    values, vectors = np.linalg.eig(a)
    pairs = np.real(vectors * np.conj(vectors[..., ::-1, :]))
    return np.sum(pairs * np.real(values)[..., None, :])


def squared_vector_moduli(a):
    vectors = np.linalg.eig(a)[1]
    return np.sum(np.real(vectors * np.conj(vectors)) * np.linspace(0.5, 2.0, a.shape[-1]))


VECTOR_LOSSES = [vector_moduli, vector_products, squared_vector_moduli]
SMALL = {"1x1": RNG.standard_normal((1, 1)), "2x2": np.array([[0.3, -1.2], [0.8, 0.1]]),
         "stack_of_3": RNG.standard_normal((3, 3, 3)) + np.diag([0.0, 1.0, 3.0])}


@pytest.mark.parametrize("fn", VECTOR_LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", [*MATRICES, *SMALL])
def test_eigenvector_gradient_matches_finite_differences(fn, name):
    """Reverse mode is the transpose of forward mode's tangent, gauge steps included;
    both modes, shape-specialised and shape-generic code."""
    check_grads(fn, {**MATRICES, **SMALL}[name], rtol=1e-6)


def test_gradient_that_reads_the_phase_is_lapacks():
    """Where LAPACK's gauge moves smoothly, even a loss that reads the phase has the
    gradient of NumPy's own differences."""
    for name in MATRICES:
        a = MATRICES[name]
        d = RNG.standard_normal(a.shape)
        np.testing.assert_allclose(np.sum(adc.grad(vectors_times_values)(a) * d),
                                   _difference(vectors_times_values, a, d), rtol=1e-6)


def test_eigenvector_gradient_matches_jax():
    """``jax.grad`` with ``enable_eigvec_derivs=True`` (JAX 0.4) of
    ``sum(|V|^2 * arange(16).reshape(4, 4))`` at ``default_rng(0).standard_normal((4, 4))``."""
    a = np.random.default_rng(0).standard_normal((4, 4))
    jax_grad = np.array([[-2.02127277, -0.94363359, -2.96083712, 3.53411099],
                         [0.5088243, -0.28685091, 0.43029116, -5.56791418],
                         [0.64114003, -1.88597101, 1.96903963, -2.32329135],
                         [-1.41229723, 0.24293263, -2.52755833, 0.33908405]])
    got = adc.grad(lambda a: np.sum(np.abs(np.linalg.eig(a)[1]) ** 2
                                    * np.arange(16.0).reshape(4, 4)))(a)
    np.testing.assert_allclose(got, jax_grad, rtol=1e-7, atol=1e-8)


def test_second_order_through_the_eigenvectors():
    check_grads(vector_products, GENERAL, order=2, rtol=1e-5)
    hessian = adc.hessian(squared_vector_moduli)(REAL)
    d = RNG.standard_normal(REAL.shape)
    want = _difference(adc.grad(squared_vector_moduli), REAL, d)
    np.testing.assert_allclose(np.tensordot(hessian, d, axes=2), want, rtol=1e-6, atol=1e-8)


def _complex_loss(fn):
    def loss(xr, xi):
        return fn(xr + 1j * xi)
    return loss


@pytest.mark.parametrize("fn", [*VECTOR_LOSSES, weighted_moduli], ids=lambda f: f.__name__)
@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3), (1, 1)], ids=str)
def test_complex_matrix_derivatives_match_finite_differences(fn, shape):
    """A complex matrix's eigendecomposition (LAPACK's zgeev: the same gauge), with
    respect to its real and imaginary parts."""
    rng = np.random.default_rng(sum(shape))
    check_grads(_complex_loss(fn), rng.standard_normal(shape), rng.standard_normal(shape),
                rtol=1e-6)


def test_vmap_of_the_eigenvector_gradient_is_each_examples():
    per_example = adc.vmap(adc.grad(vector_products))(STACK)
    np.testing.assert_allclose(per_example, [adc.grad(vector_products)(a) for a in STACK],
                               rtol=1e-10, atol=1e-12)
    tangents = adc.vmap(lambda a, d: adc.jvp(vector_products, a, d)[1])(STACK, STACK[::-1])
    np.testing.assert_allclose(tangents, [adc.jvp(vector_products, a, d)[1]
                                          for a, d in zip(STACK, STACK[::-1])], rtol=1e-10)


def test_repeated_eigenvalues_give_no_finite_vector_gradient():
    """The identity's eigenvectors are any basis: no number would be right."""
    with np.errstate(all="ignore"):
        gradient = adc.grad(vector_products)(np.eye(3))
    assert not np.all(np.isfinite(gradient))


def test_float32_matrix_gets_a_float32_gradient():
    gradient = adc.grad(weighted_moduli)(GENERAL.astype(np.float32))
    assert gradient.dtype == np.float32
    np.testing.assert_allclose(gradient, adc.grad(weighted_moduli)(GENERAL), rtol=1e-3,
                               atol=1e-4)


def test_vmap_of_eigenvalues_is_each_examples():
    got = adc.vmap(lambda a: np.abs(np.linalg.eigvals(a)))(STACK)
    np.testing.assert_allclose(got, np.abs(np.linalg.eigvals(STACK)), rtol=1e-12)

"""``np.linalg.eig`` and ``np.linalg.eigvals`` of general real matrices: values and
dtypes as NumPy gives them (complex, or real when every eigenvalue is real), the
eigenvalues' derivatives in both modes, the eigenvectors' in forward mode (in LAPACK's
gauge: unit norm, largest component real), and a clear refusal of the eigenvectors'
gradient."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc

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


def test_eigenvector_gradient_is_refused_at_the_users_line():
    with pytest.raises(adc.AutodiffError, match="eigenvectors is not supported") as info:
        adc.grad(vector_moduli)(GENERAL)
    assert "test_eig.py" in str(info.value) and "np.linalg.eigh" in str(info.value)


def test_float32_matrix_gets_a_float32_gradient():
    gradient = adc.grad(weighted_moduli)(GENERAL.astype(np.float32))
    assert gradient.dtype == np.float32
    np.testing.assert_allclose(gradient, adc.grad(weighted_moduli)(GENERAL), rtol=1e-3,
                               atol=1e-4)


def test_vmap_of_eigenvalues_is_each_examples():
    got = adc.vmap(lambda a: np.abs(np.linalg.eigvals(a)))(STACK)
    np.testing.assert_allclose(got, np.abs(np.linalg.eigvals(STACK)), rtol=1e-12)

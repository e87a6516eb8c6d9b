"""``scipy.linalg.sqrtm`` and ``scipy.linalg.logm`` (``scipy_rules/matrix_functions``):
values are SciPy's, derivatives against central finite differences in float64 in
reverse and forward mode (shape-specialised and shape-generic code), of single and
stacked matrices, of real matrices with a real root and with a complex one, and of
complex matrices; to second order (which runs the rules of the Sylvester solver the
first-order rules are written with), and under ``vmap``."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

la = pytest.importorskip("scipy.linalg")
RNG = np.random.default_rng(4)


def _definite(*shape):
    a = RNG.standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])


MATRICES = {
    "definite": _definite(3, 3),
    "stack": _definite(2, 3, 3),
    "shifted": RNG.standard_normal((3, 3)) + 3.0 * np.eye(3),
    "complex_root": np.array([[-1.0, 0.4, 0.2], [0.3, 2.0, -0.5], [0.1, 0.6, 1.5]]),
    "1x1": np.array([[2.0]]),
}


def _weights(a):
    n = a.shape[-1]
    return np.arange(1.0, n * n + 1).reshape(n, n) / (n * n)


def weighted_root(a):
    return np.sum(np.real(la.sqrtm(a)) * _weights(a))


def root_moduli(a):
    return np.sum(np.abs(la.sqrtm(a)) ** 2)


def weighted_logarithm(a):
    logarithm = la.logm(a)
    return np.sum(np.real(logarithm) * _weights(a) + np.imag(logarithm) ** 2)


FUNCTIONS = [weighted_root, root_moduli, weighted_logarithm]


@pytest.mark.parametrize("name", MATRICES)
def test_values_are_scipys(name):
    a = MATRICES[name]
    for fn in (la.sqrtm, la.logm):
        got, _ = adc.jvp(lambda a, fn=fn: fn(a), a, np.zeros_like(a))
        want = fn(a)
        assert got.dtype == want.dtype
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("name", MATRICES)
def test_derivatives_match_finite_differences(fn, name):
    check_grads(fn, MATRICES[name], rtol=1e-6)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_complex_matrix(fn):
    xr, xi = RNG.standard_normal((3, 3)) + 3.0 * np.eye(3), RNG.standard_normal((3, 3))
    check_grads(lambda xr, xi: fn(xr + 1j * xi), xr, xi, rtol=1e-6)


@pytest.mark.parametrize("fn", [weighted_root, weighted_logarithm], ids=lambda f: f.__name__)
def test_second_order(fn):
    check_grads(fn, MATRICES["definite"], order=2, rtol=1e-5)
    a = MATRICES["shifted"]
    d = RNG.standard_normal(a.shape)
    eps = 1e-5
    want = (adc.grad(fn)(a + eps * d) - adc.grad(fn)(a - eps * d)) / (2 * eps)
    np.testing.assert_allclose(np.tensordot(adc.hessian(fn)(a), d, axes=2), want,
                               rtol=1e-6, atol=1e-8)


def test_gradient_of_the_root_solves_the_sylvester_equation():
    """``Ā`` of ``sum(C ∘ sqrtm(A))`` solves ``Sᵀ Ā + Ā Sᵀ = C``."""
    a, c = MATRICES["shifted"], RNG.standard_normal((3, 3))
    gradient = adc.grad(lambda a: np.sum(c * la.sqrtm(a)))(a)
    s = la.sqrtm(a)
    np.testing.assert_allclose(s.T @ gradient + gradient @ s.T, c, atol=1e-12)


@pytest.mark.parametrize("fn", [weighted_root, weighted_logarithm], ids=lambda f: f.__name__)
def test_vmap_is_each_examples(fn):
    stack = MATRICES["stack"]
    gradient = adc.grad(fn)
    np.testing.assert_allclose(adc.vmap(gradient)(stack), [gradient(a) for a in stack],
                               rtol=1e-10, atol=1e-12)
    tangents = adc.vmap(lambda a, d: adc.jvp(fn, a, d)[1])(stack, stack[::-1])
    np.testing.assert_allclose(tangents, [adc.jvp(fn, a, d)[1]
                                          for a, d in zip(stack, stack[::-1])], rtol=1e-10)


def test_disp_is_refused():
    with pytest.raises(adc.AutodiffError, match="disp"):
        adc.grad(lambda a: np.sum(la.sqrtm(a, disp=False)[0]))(MATRICES["definite"])

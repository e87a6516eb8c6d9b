"""``scipy.signal``'s convolutions and ``scipy.linalg.expm``, compiled from the package's
definitions (``scipy_rules/signal.py``, ``scipy_rules/linalg.py``): values against
SciPy's, derivatives against central finite differences (reverse and forward mode)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads

sg = pytest.importorskip("scipy.signal")
la = pytest.importorskip("scipy.linalg")
RNG = np.random.default_rng(23)


def normal(*shape):
    return RNG.normal(size=shape)


def convolve(mode):
    return lambda a, b: sg.convolve(a, b, mode=mode)


def correlate(mode):
    return lambda a, b: sg.correlate(a, b, mode=mode)


def convolve2d(mode):
    return lambda a, b: sg.convolve2d(a, b, mode=mode)


def correlate2d(mode):
    return lambda a, b: sg.correlate2d(a, b, mode=mode)


SIGNAL = [
    ("convolve_full_1d", convolve("full"), (7,), (3,)),
    ("convolve_full_kernel_first", convolve("full"), (3,), (7,)),
    ("convolve_valid_1d", convolve("valid"), (7,), (3,)),
    ("convolve_valid_swapped", convolve("valid"), (3,), (7,)),
    ("convolve_same_1d", convolve("same"), (6,), (3,)),
    ("convolve_same_even_kernel", convolve("same"), (3,), (4,)),
    ("convolve_full_2d", convolve("full"), (4, 5), (2, 3)),
    ("convolve_same_3d", convolve("same"), (3, 4, 2), (2, 2, 2)),
    ("convolve_valid_2d", convolve("valid"), (5, 4), (3, 2)),
    ("convolve_fft_sized", convolve("same"), (200,), (150,)),
    ("correlate_full_1d", correlate("full"), (6,), (3,)),
    ("correlate_valid_swapped", correlate("valid"), (3,), (6,)),
    ("correlate_same_2d", correlate("same"), (4, 5), (3, 2)),
    ("convolve2d_full", convolve2d("full"), (4, 5), (3, 2)),
    ("convolve2d_same", convolve2d("same"), (5, 4), (2, 3)),
    ("correlate2d_valid", correlate2d("valid"), (5, 4), (2, 3)),
    ("correlate2d_full", correlate2d("full"), (3, 3), (2, 4)),
]


@pytest.mark.parametrize(("name", "fn", "shape1", "shape2"), SIGNAL, ids=[c[0] for c in SIGNAL])
def test_convolutions_match_scipy_and_finite_differences(name, fn, shape1, shape2):
    a, b = normal(*shape1), normal(*shape2)
    compiled = adc.jvp(fn, (a, b), (np.zeros_like(a), np.zeros_like(b)))[0]
    np.testing.assert_allclose(compiled, fn(a, b), rtol=1e-10, atol=1e-12)
    check_grads(lambda u, v: fn(u, v) * np.cos(fn(u, v)), a, b, generic=False)


def test_complex_correlation_conjugates_as_scipy_does():
    a = normal(5) + 1j * normal(5)
    b = normal(3) + 1j * normal(3)
    for mode in ("full", "valid", "same"):
        got = adc.jvp(correlate(mode), (a, b), (np.zeros_like(a), np.zeros_like(b)))[0]
        np.testing.assert_allclose(got, sg.correlate(a, b, mode=mode), rtol=1e-12)


def test_a_boundary_other_than_zero_fill_is_refused_at_the_users_line():
    def wrapped(a):
        return np.sum(sg.convolve2d(a, np.ones((2, 2)), boundary="wrap"))
    with pytest.raises(adc.AutodiffError, match=r"test_scipy_signal_expm\.py:\d+.*wrap"):
        adc.grad(wrapped)(np.ones((3, 3)))


def expm(a):
    return la.expm(a)


def expm_scaled(a):
    return la.expm(a * 4.0)  # a 1-norm above 5.37: scaled, then squared


@pytest.mark.parametrize(("fn", "shape"), [(expm, (3, 3)), (expm_scaled, (3, 3)),
                                           (expm, (2, 3, 3)), (expm, (1, 1))],
                         ids=["small", "squared", "stacked", "1x1"])
def test_expm_matches_scipy_and_finite_differences(fn, shape):
    a = normal(*shape)
    compiled = adc.jvp(fn, (a,), (np.zeros_like(a),))[0]
    np.testing.assert_allclose(compiled, fn(a), rtol=1e-12, atol=1e-12)
    check_grads(fn, a, generic=False)


def test_expm_gradient_is_the_adjoint_of_its_frechet_derivative():
    """d/dt tr(C^T expm(A + t E)) at 0 equals <C, L(A, E)> with SciPy's Frechet
    derivative: the vector-Jacobian product taken against an independent reference."""
    a, e, c = normal(4, 4), normal(4, 4), normal(4, 4)
    grad = adc.grad(lambda m: np.sum(c * la.expm(m)))(a)
    frechet = la.expm_frechet(a, e, compute_expm=False)
    np.testing.assert_allclose(np.sum(grad * e), np.sum(c * frechet), rtol=1e-10)

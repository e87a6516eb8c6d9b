"""Real inputs whose derivatives pass through complex values: the gradient is the real
part of the complex cotangent, in the convention where a product's VJP takes no
conjugate and ``abs``'s takes one (``g conj(z) / |z|``), as autograd and JAX define
them. Checked against central finite differences in float64, in reverse and forward
mode, to second order, on several shapes (0-d and broadcasting included)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

ROTATION = np.array([1.0 - 0.5j, 0.3 + 2.0j, -1.2 + 0.1j])

CASES = {
    "abs_of_imaginary_multiple": lambda x: np.sum(np.abs(x * 1j + 2.0)),
    "abs_of_complex_product": lambda x: np.sum(np.abs(x * (1.0 + 2.0j) - 0.5j)),
    "abs_squared": lambda x: np.sum(np.abs(x * (0.5 - 1.5j) + 1.0) ** 2),
    "abs_of_complex_sum": lambda x: np.sum(np.abs(x + 2.0j)),
    "abs_of_a_broadcast_product": lambda x: np.sum(np.abs(x[..., None] * ROTATION + 1.0)),
    "abs_of_exp": lambda x: np.sum(np.abs(np.exp(x * (0.3 + 1.0j))) * np.cos(x)),
    "real_and_imag": lambda x: np.sum(np.real(x * (1 + 2j)) ** 2 + np.imag(x * x * 1j)),
    "conjugate_product": lambda x: np.sum(np.real(np.conj(x * (2 - 1j)) * (x + 1j))),
}
SHAPES = [(3,), (2, 3), ()]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_derivatives_through_complex_values_match_finite_differences(name, shape):
    x = np.linspace(-1.3, 0.9, int(np.prod(shape))).reshape(shape)
    check_grads(CASES[name], x, order=2)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_real_input_gets_a_real_gradient_without_a_warning(name):
    x = np.array([0.3, -1.2, 0.8])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning: imaginary part discarded
        gradient = adc.grad(CASES[name])(x)
    assert gradient.dtype == np.float64


def test_gradient_of_abs_at_a_complex_input_is_the_conjugate_direction():
    """autograd's and JAX's ``grad(abs)(z)``: ``conj(z) / |z|``."""
    z = np.array([3.0 + 4.0j, -1.0 + 0.0j, 0.5j])
    np.testing.assert_allclose(adc.grad(lambda z: np.sum(np.abs(z)))(z), np.conj(z) / np.abs(z))

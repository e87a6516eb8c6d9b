"""``vmap`` of the function ``vjp`` returns: the Jacobian by rows, JAX's
``vmap(pullback)(basis)`` (it was refused, blaming a call to ``iter`` in the package)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError

A = np.random.default_rng(7).standard_normal((4, 3))


def single(x):
    return np.tanh(A @ x)


def pair(x, y):
    return np.sin(x) * y, x * y ** 2


def with_aux(x):
    return np.exp(A @ x), "aux"


def test_rows_of_the_jacobian_of_one_output():
    x = np.linspace(0.1, 0.9, 3)
    _, pullback = adc.vjp(single, x)
    (rows,) = adc.vmap(pullback)(np.eye(4))
    np.testing.assert_allclose(rows, (1.0 - np.tanh(A @ x) ** 2)[:, None] * A, rtol=1e-12)


def test_two_outputs_and_two_inputs():
    x, y = np.array([0.3, -1.2]), np.array([2.0, 0.5])
    _, pullback = adc.vjp(pair, x, y)
    basis = np.eye(2)
    gx, gy = adc.vmap(pullback)((basis, np.zeros((2, 2))))
    np.testing.assert_allclose(gx, np.diag(np.cos(x) * y))
    np.testing.assert_allclose(gy, np.diag(np.sin(x)))
    gx, gy = adc.vmap(pullback)((np.zeros((2, 2)), basis))
    np.testing.assert_allclose(gx, np.diag(y ** 2))
    np.testing.assert_allclose(gy, np.diag(2 * x * y))


def test_with_aux_and_under_grad():
    x = np.array([0.2, -0.4, 0.1])
    _, pullback, _ = adc.vjp(with_aux, x, has_aux=True)
    (rows,) = adc.vmap(pullback)(np.eye(4))
    np.testing.assert_allclose(rows, np.exp(A @ x)[:, None] * A, rtol=1e-12)


def test_a_pullback_of_integer_outputs_is_refused_inside_a_transform():
    x = np.array([0.2, 0.4])
    _, pullback = adc.vjp(lambda v: (v * 2.0, np.argmax(v)), x)
    with pytest.raises(AutodiffError, match="float array outputs"):
        adc.vmap(pullback)((np.eye(2), np.zeros((2,), np.int64)))

"""Transforms of NumPy's and SciPy's own functions, handed over directly:
``grad(np.sin)``, ``vmap(np.dot)``, ``hessian(scipy.special.logsumexp)``, as JAX users
write ``jax.grad(jnp.sin)``. Each is checked against finite differences or the value
the transform must give."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, check_grads

X = np.linspace(0.3, 1.7, 4)
M = np.arange(6.0).reshape(2, 3) / 5.0
SQUARE = np.eye(3) + 0.1 * np.outer(X[:3], X[1:])

FINITE_DIFFERENCES = [  # (function, arguments): check_grads to second order
    (np.sin, (0.5,)), (np.tanh, (X,)), (np.exp, (M,)), (np.arctan2, (X, X[::-1])),
    (np.sum, (M,)), (np.prod, (X,)), (np.dot, (X, X[::-1])), (np.matmul, (M, M.T)),
    (np.linalg.norm, (M,)), (np.linalg.det, (SQUARE,)),
    (np.mean, (M, 0)), (np.hypot, (X, 0.5)),
]


@pytest.mark.parametrize("fn, args", FINITE_DIFFERENCES,
                         ids=[f"{f.__name__}-{len(a)}" for f, a in FINITE_DIFFERENCES])
def test_a_numpy_function_itself_matches_finite_differences(fn, args):
    check_grads(fn, *args, order=2)


def test_every_transform_takes_a_numpy_function():
    np.testing.assert_allclose(adc.grad(np.sin)(0.5), np.cos(0.5))
    np.testing.assert_allclose(adc.grad(adc.grad(np.sin))(0.5), -np.sin(0.5))
    np.testing.assert_allclose(adc.jacrev(np.tanh)(X), np.diag(1.0 - np.tanh(X) ** 2))
    np.testing.assert_allclose(adc.jacfwd(np.sin)(X), np.diag(np.cos(X)))
    np.testing.assert_allclose(adc.vmap(np.dot)(M, M), np.sum(M * M, axis=1))
    np.testing.assert_allclose(adc.vmap(adc.grad(np.sin))(X), np.cos(X))
    value, tangent = adc.jvp(np.exp, (X,), (X,))
    np.testing.assert_allclose(tangent, np.exp(X) * X)
    value, vjp_fn = adc.vjp(np.exp, X)
    np.testing.assert_allclose(vjp_fn(X)[0], np.exp(X) * X)
    value, (gx, gy) = adc.value_and_grad(np.dot, grad_position=(0, 1))(X, 2.0 * X)
    assert value == pytest.approx(2.0 * X @ X)
    np.testing.assert_allclose(gx, 2.0 * X)
    np.testing.assert_allclose(gy, X)
    np.testing.assert_allclose(adc.grad(np.sum)(M, 0), np.ones_like(M))  # options positionally


def test_a_numpy_function_is_named_as_numpy_names_it():
    assert repr(adc.grad(np.sin)) == "<gradient of np.sin>"
    source = adc.gradient_source(np.tanh, args=(X,))
    assert source.startswith("def grad_tanh(x):")
    assert "g_x = 1.0 - np.tanh(x) ** 2" in source


def test_a_numpy_function_without_a_rule_is_refused_at_the_users_call():
    with pytest.raises(AutodiffError, match=r"np\.frexp has no derivative rule") as err:
        adc.grad(np.frexp)(X)
    assert "test_transform_library_functions.py" in str(err.value)


def test_every_transform_takes_a_scipy_function():
    sp = pytest.importorskip("scipy.special")
    np.testing.assert_allclose(adc.grad(sp.gammaln)(1.5), sp.psi(1.5))
    softmax = sp.softmax(X)
    np.testing.assert_allclose(adc.grad(sp.logsumexp)(X), softmax)
    np.testing.assert_allclose(adc.hessian(sp.logsumexp)(X),
                               np.diag(softmax) - np.outer(softmax, softmax), atol=1e-15)
    check_grads(sp.xlogy, X, X[::-1], order=2)

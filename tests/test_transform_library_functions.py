"""Transforms of callables that are not plain ``def``s: NumPy's and SciPy's own
functions handed over directly (``grad(np.sin)``, ``vmap(np.dot)``,
``hessian(scipy.special.logsumexp)``, as JAX users write ``jax.grad(jnp.sin)``), and
``functools.partial`` objects (``grad(partial(loss, x=data))``), differentiated or
called inside compiled code. Each is checked against finite differences or the value
the transform must give."""
from __future__ import annotations

import functools

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, check_grads
from autodiff_compiler import nn as ms_nn

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


def test_python_builtins_are_differentiated_as_a_function_calling_them():
    """grad(max) raised 'no signature found for builtin', grad(sum) asked for 'start'."""
    x = np.array([1.0, 3.0, 2.0])
    np.testing.assert_array_equal(adc.grad(max)(x), [0.0, 1.0, 0.0])
    np.testing.assert_array_equal(adc.grad(min)(x), [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(adc.grad(sum)(x), np.ones(3))
    np.testing.assert_array_equal(adc.grad(abs)(-x), -np.ones(3))
    assert adc.grad(pow, grad_position=(0, 1))(2.0, 3.0) == pytest.approx((12.0, 8 * np.log(2)))
    np.testing.assert_array_equal(adc.jacrev(max)(x), [0.0, 1.0, 0.0])


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
    with pytest.raises(AutodiffError, match=r"np\.i0 has no derivative rule") as err:
        adc.grad(np.i0)(X)
    assert "test_transform_library_functions.py" in str(err.value)


def test_every_transform_takes_a_scipy_function():
    sp = pytest.importorskip("scipy.special")
    np.testing.assert_allclose(adc.grad(sp.gammaln)(1.5), sp.psi(1.5))
    softmax = sp.softmax(X)
    np.testing.assert_allclose(adc.grad(sp.logsumexp)(X), softmax)
    np.testing.assert_allclose(adc.hessian(sp.logsumexp)(X),
                               np.diag(softmax) - np.outer(softmax, softmax), atol=1e-15)
    check_grads(sp.xlogy, X, X[::-1], order=2)


# ---------------------------------------------------------------------------- functools.partial


def loss(w, x, scale=1.0):
    return np.sum((x @ w) ** 2) * scale


DATA = np.arange(6.0).reshape(2, 3) / 4.0
W = np.array([0.5, -1.0, 2.0])


def expected_grad(w, x=DATA, scale=1.0):
    return 2.0 * scale * x.T @ (x @ w)


def partial_inside(w):
    total = functools.partial(np.sum, axis=0)
    bound = functools.partial(loss, x=DATA * 1.0, scale=2.0)
    return np.sum(total(w * w)) + bound(w)


def partial_of_a_run_time_value(w):
    at_w = functools.partial(loss, w)
    return at_w(DATA)


def test_transforms_of_a_partial_take_its_keywords_as_arguments():
    """JAX's idiom ``grad(partial(loss, x=data))``: the keywords are arguments (read at
    every call, not compiled in), so new data reaches the same compiled code."""
    grad_fn = adc.grad(functools.partial(loss, x=DATA, scale=2.0))
    np.testing.assert_allclose(grad_fn(W), expected_grad(W, scale=2.0))
    np.testing.assert_allclose(grad_fn(W, scale=3.0), expected_grad(W, scale=3.0))
    other = DATA[::-1] * 2.0
    np.testing.assert_allclose(adc.grad(functools.partial(loss, x=other))(W),
                               expected_grad(W, x=other))
    np.testing.assert_allclose(adc.jacrev(functools.partial(loss, x=DATA))(W), expected_grad(W))
    batch = np.stack([W, 2.0 * W])
    np.testing.assert_allclose(adc.vmap(functools.partial(loss, x=DATA))(batch),
                               [loss(W, DATA), loss(2.0 * W, DATA)])  # keywords not batched
    np.testing.assert_allclose(adc.grad(functools.partial(np.sum, axis=0))(DATA),
                               np.ones_like(DATA))
    check_grads(functools.partial(loss, x=DATA, scale=2.0), W, order=2)


def gathering(w, **options):
    return loss(w, options["x"], options.get("scale", 1.0))


class Scaled(ms_nn.Cell):
    def construct(self, w, x, scale=1.0):
        return loss(w, x, scale)


@pytest.mark.parametrize("target", [gathering, Scaled()], ids=["kwargs", "cell"])
def test_a_partial_keyword_that_gathering_parameters_take_is_passed(target):
    """``partial(f, scale=3.0)`` of a function taking ``**options``, or of a Cell
    (whose call takes ``*args, **kwargs``): the keyword is no parameter of the partial,
    so it came in no argument; it was dropped, and the gradient was of ``scale=1``."""
    bound = functools.partial(target, x=DATA, scale=3.0)
    np.testing.assert_allclose(adc.grad(bound)(W), expected_grad(W, scale=3.0))
    value, grad = adc.value_and_grad(bound)(W)
    np.testing.assert_allclose(value, loss(W, DATA, 3.0))
    np.testing.assert_allclose(np.asarray(grad), expected_grad(W, scale=3.0))
    np.testing.assert_allclose(adc.jacrev(bound)(W), expected_grad(W, scale=3.0))
    np.testing.assert_allclose(adc.vmap(bound)(np.stack([W, -W])),
                               [loss(W, DATA, 3.0), loss(-W, DATA, 3.0)])
    bound.keywords["scale"] = 0.5  # a partial's keywords are read at every call
    np.testing.assert_allclose(adc.grad(bound)(W), expected_grad(W, scale=0.5))


def test_a_partial_called_inside_compiled_code():
    np.testing.assert_allclose(adc.grad(partial_inside)(W), 2.0 * W + expected_grad(W, scale=2.0))
    np.testing.assert_allclose(adc.grad(partial_of_a_run_time_value)(W), expected_grad(W))
    check_grads(partial_of_a_run_time_value, W)


def layers_loss(x, params):
    for w, b in params:
        x = np.tanh(x @ w + b)
    return np.sum(x ** 2)


def test_what_a_partial_holds_by_position_is_read_at_every_call():
    """``grad(partial(loss, w))``, and JAX's ``vmap(partial(loss, params))``: an array
    held by position, or a list of them, is read from the partial at each call, so
    replacing or adding a layer is seen (it was compiled in and went stale)."""
    w = W.copy()
    grad_x = adc.grad(functools.partial(loss, w), grad_position=0)
    np.testing.assert_allclose(grad_x(DATA), 2.0 * np.outer(DATA @ w, w))
    w *= 3.0  # written in place: the next call reads it
    np.testing.assert_allclose(grad_x(DATA), 2.0 * np.outer(DATA @ w, w))
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((3, 2)), rng.standard_normal(2))]
    per_example = adc.vmap(functools.partial(layers_loss, params=params))
    held = adc.vmap(functools.partial(lambda p, x: layers_loss(x, p), params))
    for change in (lambda: params.__setitem__(0, (params[0][0] * 2.0, params[0][1])),
                   lambda: params.append((rng.standard_normal((2, 2)),
                                          rng.standard_normal(2))), lambda: None):
        expected = [layers_loss(x, params) for x in DATA]
        np.testing.assert_allclose(per_example(DATA), expected, rtol=1e-12)
        np.testing.assert_allclose(held(DATA), expected, rtol=1e-12)
        change()


def test_options_by_keyword_to_a_library_function_are_refused_with_how_to_bind_them():
    """autograd's stat_check calls ``grad(np.sum)(x, axis=0)``: its wrapper takes
    operands and options by position, and said so only as a bare TypeError."""
    with pytest.raises(TypeError, match="by position only") as err:
        adc.grad(np.sum)(DATA, axis=0)
    assert "functools.partial(np.sum, axis=...)" in err.value.hint
    np.testing.assert_allclose(adc.grad(np.sum)(DATA, 0), np.ones_like(DATA))


def test_an_array_a_partial_of_a_library_function_holds_is_read_at_every_call():
    data = DATA.copy()
    grad_w = adc.grad(functools.partial(np.dot, b=data))
    np.testing.assert_allclose(grad_w(W[:2]), data.sum(axis=1))
    data += 1.0
    np.testing.assert_allclose(grad_w(W[:2]), data.sum(axis=1))


class ScaledSquares:
    """A callable object whose ``__call__`` has a default."""

    def __init__(self, weight):
        self.weight = weight

    def __call__(self, w, scale=2.0):
        return np.sum(w * w * self.weight) * scale


def test_a_callable_object_with_defaults_is_transformed_as_python_calls_it():
    """Its defaults were read off the object (which has none), so binding raised."""
    squares = ScaledSquares(1.5)
    np.testing.assert_allclose(adc.grad(squares)(W), 6.0 * W)
    np.testing.assert_allclose(adc.grad(squares)(W, scale=1.0), 3.0 * W)
    np.testing.assert_allclose(adc.grad(adc.grad(lambda v: squares(v)))(0.5), 6.0)
    squares.weight = 0.5  # read at every call, as a method reads self
    np.testing.assert_allclose(adc.grad(squares)(W), 2.0 * W)

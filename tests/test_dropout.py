"""``nn.Dropout`` and ``ops.dropout`` while training, inside differentiated functions
(issue 12): the mask is drawn on the forward pass, fresh each call, from NumPy's global
random state (so a seed repeats it, eagerly and compiled alike), and the adjoint reads
that mask as a constant: the gradient is ``mask / (1 - p)`` times the upstream one."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops
from autodiff_compiler.errors import AutodiffError

X = Tensor(np.linspace(0.5, 2.0, 24, dtype=np.float32).reshape(4, 6))
UP = Tensor(np.arange(1.0, 25.0, dtype=np.float32).reshape(4, 6))


def _mask(seed, shape, p):
    np.random.seed(seed)
    return np.random.random(shape) >= p


def training_dropout(p):
    layer = nn.Dropout(p=p)
    layer.set_train()
    return layer


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_gradient_is_the_drawn_mask_scaled(p):
    layer = training_dropout(p)

    def loss(x):
        y = layer(x)
        return (y * UP).sum(), y

    ms.set_seed(11)
    (value, y), g = ms.value_and_grad(loss, has_aux=True)(X)
    keep = _mask(11, X.shape, p)
    assert keep.any() and not keep.all()
    np.testing.assert_allclose(y, np.asarray(X) * keep / (1 - p), rtol=1e-6)
    np.testing.assert_allclose(g, np.asarray(UP) * keep / (1 - p), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(y) == 0, np.asarray(g) == 0)  # same zeros
    assert float(value) == pytest.approx(float(np.sum(np.asarray(y) * UP)), rel=1e-6)
    assert g.dtype == np.float32


def test_each_call_draws_a_fresh_mask_and_a_seed_repeats_it():
    layer = training_dropout(0.5)
    grad = ms.grad(lambda x: (layer(x) * UP).sum())
    ms.set_seed(3)
    first, second = grad(X), grad(X)
    assert not np.array_equal(np.asarray(first) == 0, np.asarray(second) == 0)
    ms.set_seed(3)
    np.testing.assert_array_equal(grad(X), first)
    ms.set_seed(3)
    eager = layer(X)  # the eager layer draws the same numbers
    np.testing.assert_array_equal(np.asarray(eager) == 0, np.asarray(first) == 0)


def test_eval_mode_is_the_identity():
    layer = nn.Dropout(p=0.5)  # not training until set_train()
    g = ms.grad(lambda x: (layer(x) * UP).sum())(X)
    np.testing.assert_array_equal(g, UP)
    assert "random" not in ms.gradient_source(lambda x: (layer(x) * UP).sum(), args=(X,))


def test_ops_dropout_in_a_function_and_its_training_flag():
    def loss(x, training):
        return (ops.dropout(x, p=0.25, training=training) * UP).sum()

    ms.set_seed(5)
    g = ms.grad(loss)(X, True)
    np.testing.assert_allclose(g, np.asarray(UP) * _mask(5, X.shape, 0.25) / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(ms.grad(loss)(X, False), UP)


def test_jvp_tangent_is_the_mask_scaled():
    layer = training_dropout(0.4)
    ms.set_seed(8)
    _, tangent = ms.jvp(lambda x: layer(x) * 2.0, (X,), (Tensor(np.ones((4, 6), np.float32)),))
    np.testing.assert_allclose(tangent, 2.0 * _mask(8, X.shape, 0.4) / 0.6, rtol=1e-6)


def test_vmap_draws_a_mask_per_example():
    def loss(x):
        return np.sum(ops.dropout(x, p=0.5) * np.arange(1.0, 7.0))

    ms.set_seed(4)
    gs = ms.vmap(ms.grad(loss))(np.ones((4, 6)))
    keep = _mask(4, (4, 6), 0.5)  # the rows drawn one example after another
    np.testing.assert_allclose(gs, keep * np.arange(1.0, 7.0) / 0.5)
    assert len({tuple(row) for row in keep}) > 1


def test_dropout_in_a_loop_draws_each_iteration():
    def loss(x):
        s = 0.0
        for _ in range(3):
            s = s + np.sum(ops.dropout(x, p=0.5))
        return s

    ms.set_seed(2)
    g = ms.grad(loss)(np.ones(5))
    np.random.seed(2)
    masks = [np.random.random(5) >= 0.5 for _ in range(3)]
    np.testing.assert_allclose(g, sum(masks) / 0.5)


def test_checkpointed_dropout_is_refused():
    block = ms.checkpoint(lambda x: np.sin(ops.dropout(x, p=0.5)))
    with pytest.raises(AutodiffError, match="draws random numbers") as err:
        ms.grad(lambda x: np.sum(block(x)))(np.ones(4))
    assert "test_dropout.py" in str(err.value)


@pytest.mark.parametrize("jacobian", [ms.jacrev, ms.jacfwd])
def test_a_jacobian_sees_one_mask_for_every_basis_vector(jacobian):
    x = np.linspace(0.1, 1.0, 5)
    ms.set_seed(1)
    jac = jacobian(lambda x: np.sin(ops.dropout(x, p=0.5)))(x)
    keep = _mask(1, (5,), 0.5)
    np.testing.assert_allclose(jac, np.diag(np.cos(keep * x / 0.5) * keep / 0.5))


def _nested_dropout(x, n):
    if n <= 0:
        return x
    return np.sin(ops.dropout(_nested_dropout(x, n - 1), p=0.5))


def test_recursion_on_a_run_time_depth_tapes_each_mask():
    ms.set_seed(0)
    g = ms.grad(lambda x, k: np.sum(_nested_dropout(x, np.sum(k))))(np.ones(6), np.array([2]))
    np.random.seed(0)
    inner, outer = np.random.random(6) >= 0.5, np.random.random(6) >= 0.5
    a1 = inner / 0.5
    a2 = outer * np.sin(a1) / 0.5
    np.testing.assert_allclose(g, np.cos(a2) * outer / 0.5 * np.cos(a1) * inner / 0.5)


IMAGES = Tensor(np.linspace(0.5, 1.5, 24, dtype=np.float32).reshape(2, 3, 2, 2))


def test_primitive_dropout_returns_the_mask_it_scaled_by():
    drop = ops.Dropout(keep_prob=0.6)

    def loss(x):
        out, mask = drop(x)
        return (out * 2.0).sum(), mask

    ms.set_seed(0)
    (_, mask), g = ms.value_and_grad(loss, has_aux=True)(IMAGES)
    assert mask.dtype == np.float32  # MindSpore 2.10: the mask in the input's dtype
    np.testing.assert_array_equal(mask, _mask(0, IMAGES.shape, 0.4))
    np.testing.assert_allclose(g, 2.0 * np.asarray(mask) / 0.6, rtol=1e-6)


def test_primitive_dropout2d_drops_whole_channels():
    drop = ops.Dropout2D(keep_prob=0.6)

    def loss(x):
        out, mask = drop(x)
        return (out * 2.0).sum(), mask

    ms.set_seed(1)
    (_, mask), g = ms.value_and_grad(loss, has_aux=True)(IMAGES)
    keep = _mask(1, (2, 3, 1, 1), 0.4)
    assert mask.dtype == np.bool_ and mask.shape == IMAGES.shape
    np.testing.assert_array_equal(mask, np.broadcast_to(keep, IMAGES.shape))
    np.testing.assert_allclose(g, 2.0 * np.broadcast_to(keep, IMAGES.shape) / 0.6, rtol=1e-6)


# Normal draws (a VAE's reparameterisation, a GAN's noise) compile the same way: fresh
# draws from the global state on the forward pass, constants of the adjoint.


def reparameterised(mu, logvar):
    eps = ops.randn(mu.shape)
    return ((mu + ops.exp(0.5 * logvar) * eps) ** 2).sum()


def noisy_sum(x):
    return np.sum(x * np.random.standard_normal(x.shape) + np.random.normal(1.0, 2.0, x.shape)
                  * x + np.random.uniform(-1.0, 3.0, size=3) * x ** 2)


def test_reparameterised_gradient_uses_the_draw_of_the_forward_pass():
    mu = np.array([0.3, -0.2, 0.5])
    logvar = np.array([0.1, -0.4, 0.2])
    np.random.seed(5)
    g_mu, g_logvar = ms.grad(reparameterised, (0, 1))(mu, logvar)
    np.random.seed(5)
    eps = np.random.standard_normal(3).astype(np.float32)  # ops.randn: float32 draws
    z = mu + np.exp(0.5 * logvar) * eps
    np.testing.assert_allclose(g_mu, 2 * z, rtol=1e-6)
    np.testing.assert_allclose(g_logvar, z * np.exp(0.5 * logvar) * eps, rtol=1e-6)


def test_normal_and_uniform_draws_are_numpys_numbers_and_fresh_each_call():
    x = np.array([0.5, 1.0, 2.0])
    np.random.seed(3)
    value, gradient = ms.value_and_grad(noisy_sum)(x)
    np.random.seed(3)
    a, b = np.random.standard_normal(3), np.random.normal(1.0, 2.0, 3)
    c = np.random.uniform(-1.0, 3.0, size=3)
    np.testing.assert_allclose(value, np.sum(x * a + b * x + c * x ** 2), rtol=1e-14)
    np.testing.assert_allclose(gradient, a + b + 2 * c * x, rtol=1e-14)
    assert not np.array_equal(ms.grad(noisy_sum)(x), gradient)  # the next call draws anew


def two_draws_in_one_expression(x):
    return np.sum(x * np.random.uniform([0.0, 1.0], 2.0) + np.random.normal([0.0, 1.0], [1.0, 2.0])
                  * x + x * x * np.random.random(2))


def test_draws_happen_in_the_order_python_makes_them():
    """Generated code used to fold a draw into the expression using it, where Python
    evaluated a later draw first: with a seed, the compiled numbers differed from the
    eager ones (found while adding the normal draws)."""
    x = np.array([0.5, 2.0])
    np.random.seed(7)
    gradient = ms.grad(two_draws_in_one_expression)(x)
    np.random.seed(7)
    u = np.random.uniform([0.0, 1.0], 2.0)
    n = np.random.normal([0.0, 1.0], [1.0, 2.0])
    r = np.random.random(2)
    np.testing.assert_allclose(gradient, u + n + 2 * x * r, rtol=1e-14)

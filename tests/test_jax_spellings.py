"""JAX's keywords where a JAX user types them: ``argnums`` and ``holomorphic`` on the
gradient and Jacobian transforms, ``axis_name`` on ``vmap``, ``prevent_cse`` on
``checkpoint``; the ones with no counterpart here are refused at the user's line with
what to write instead (they were bare ``TypeError``s)."""
import functools

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

X = np.array([0.3, -1.2, 0.8])
Y = np.array([[0.5, 2.0], [-0.7, 0.1]])


def loss(x, y):
    return np.sum(np.sin(x) ** 2) * np.sum(y * y) + np.sum(x[:2] @ y)


def test_argnums_is_grad_position_and_a_tuple_of_one_gives_a_tuple_as_jaxs():
    gx = central_differences(lambda x: loss(x, Y), X)
    gy = central_differences(lambda y: loss(X, y), Y)
    np.testing.assert_allclose(adc.grad(loss, argnums=0)(X, Y), gx, rtol=1e-7)
    np.testing.assert_allclose(adc.grad(loss, argnums=1)(X, Y), gy, rtol=1e-7)
    both = adc.grad(loss, argnums=(1, 0))(X, Y)
    np.testing.assert_allclose(both[0], gy, rtol=1e-7)
    np.testing.assert_allclose(both[1], gx, rtol=1e-7)
    one = adc.grad(loss, argnums=(0,))(X, Y)  # JAX: a 1-tuple; MindSpore's (0,): bare
    assert isinstance(one, tuple) and len(one) == 1
    np.testing.assert_allclose(one[0], gx, rtol=1e-7)
    assert not isinstance(adc.grad(loss, grad_position=(0,))(X, Y), tuple)
    value, (g,) = adc.value_and_grad(loss, argnums=[0])(X, Y)
    np.testing.assert_allclose(value, loss(X, Y), rtol=1e-14)
    np.testing.assert_allclose(g, gx, rtol=1e-7)


@pytest.mark.parametrize("transform", [adc.jacfwd, adc.jacrev])
def test_jacobians_take_argnums(transform):
    def f(x, y):
        return np.tanh(x) * np.sum(y)
    jac = transform(f, argnums=(1,))(X, Y)
    assert isinstance(jac, tuple) and len(jac) == 1
    want = np.stack([central_differences(lambda y, i=i: f(X, y)[i], Y) for i in range(3)])
    np.testing.assert_allclose(jac[0], want, rtol=1e-7)
    np.testing.assert_allclose(transform(f, argnums=1)(X, Y), want, rtol=1e-7)


def test_hessian_takes_argnums():
    h = adc.hessian(loss, argnums=0)(X, Y)
    want = np.stack([central_differences(lambda x, i=i: adc.grad(loss)(x, Y)[i], X)
                     for i in range(3)])
    np.testing.assert_allclose(h, want, rtol=1e-6)


def nonholomorphic(z):
    return z * np.conj(z) + z ** 2


# JAX 0.4's jax.grad(f, holomorphic=True)(0.3 + 0.7j), measured
@pytest.mark.parametrize("fn, jaxs", [(np.sin, 1.199108751098743 - 0.22417681233754294j),
                                      (nonholomorphic, 1.2 + 0j)],
                         ids=["sin", "nonholomorphic"])
def test_holomorphic_gives_jaxs_values(fn, jaxs):
    z = np.array(0.3 + 0.7j)
    for flag in (True, False):
        np.testing.assert_allclose(adc.grad(fn, holomorphic=flag)(z), jaxs, rtol=1e-14)
    zs = np.array([0.3 + 0.7j, -0.2 + 0.1j])
    np.testing.assert_allclose(adc.jacfwd(np.sin, holomorphic=True)(zs), np.diag(np.cos(zs)),
                               rtol=1e-14)


def test_vmap_takes_an_axis_name():
    got = adc.vmap(adc.grad(loss), in_axes=(0, None), axis_name="batch")(np.stack([X, -X]), Y)
    np.testing.assert_allclose(got, [adc.grad(loss)(X, Y), adc.grad(loss)(-X, Y)],
                               rtol=1e-14)


def block(x):
    return np.sin(x) * np.exp(x)


def through_a_checkpoint(x):
    return np.sum(adc.checkpoint(block, prevent_cse=False)(x) ** 2)


def test_checkpoint_takes_prevent_cse_and_still_recomputes():
    want = central_differences(lambda x: np.sum(block(x) ** 2), X)
    np.testing.assert_allclose(adc.grad(through_a_checkpoint)(X), want, rtol=1e-7)
    outside = adc.checkpoint(block, prevent_cse=True)
    np.testing.assert_allclose(adc.grad(lambda x: np.sum(outside(x) ** 2))(X), want,
                               rtol=1e-7)
    source = adc.gradient_source(through_a_checkpoint, args=(X,))
    assert source.count("np.sin(") >= 2  # the forward value, and again going back


@pytest.mark.parametrize("make, match", [
    (lambda: adc.grad(loss, grad_position=1, argnums=0), "both given"),
    (lambda: adc.grad(loss, holomorphic="yes"), "holomorphic must be True or False"),
    (lambda: adc.jacrev(loss, argnums=0, holomorphic=1), "holomorphic must be True or False"),
    (lambda: adc.checkpoint(block, policy=lambda *a: True), "policy"),
    (lambda: adc.checkpoint(block, static_argnums=(0,)), "static_argnums"),
], ids=["both positions", "holomorphic not a bool", "jacrev holomorphic", "policy",
        "static_argnums"])
def test_jax_keywords_without_a_counterpart_are_refused_at_the_users_line(make, match):
    with pytest.raises(adc.AutodiffError, match=match) as info:
        make()
    assert "test_jax_spellings.py" in str(info.value)


def test_custom_vjp_nondiff_argnums_is_refused_at_the_def():
    with pytest.raises(adc.AutodiffError, match="nondiff_argnums is not supported") as info:
        @functools.partial(adc.custom_vjp, nondiff_argnums=(0,))
        def scaled(k, x):
            return k * x
    assert "test_jax_spellings.py" in str(info.value) and ".scaled" in str(info.value)

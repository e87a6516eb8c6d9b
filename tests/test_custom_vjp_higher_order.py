"""Second derivatives and forward mode through ``custom_vjp``, as JAX answers them.

JAX 0.10 (measured): grad of grad differentiates ``bwd`` and ``fwd``'s body (fwd
``(x*x, (x, x*x))``, bwd ``g * out + x``: [3, 5, 7] = 2x + 1 at x = [1, 2, 3], where
a Cell's bprop would give MindSpore's x^2 + x + 1), and jvp raises "can't apply
forward-mode autodiff (jvp) to a custom_vjp function" (its documentation: the
decorator "precludes the use of forward-mode automatic differentiation").
"""
from __future__ import annotations

import numpy as np
import pytest
from custom_cases import X, Y, sin_times_loss
from test_custom_higher_order import ONES, numeric_grad

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, ops


@adc.custom_vjp
def reads_out(x):
    return x * x


def reads_out_fwd(x):
    return x * x, (x, x * x)


def reads_out_bwd(res, g):
    x, out = res
    return (g * out + x,)


reads_out.defvjp(reads_out_fwd, reads_out_bwd)


@adc.custom_vjp
def tripled_sin(x):
    return np.sin(x)


def tripled_sin_fwd(x):
    return np.sin(x), (np.cos(x),)


def tripled_sin_bwd(res, g):
    return (g * res[0] * 3.0,)


tripled_sin.defvjp(tripled_sin_fwd, tripled_sin_bwd)


def reads_out_loss(x):
    return ops.sum(reads_out(x))


def tripled_loss(x):
    return ops.sum(tripled_sin(x) ** 2)


@pytest.mark.parametrize("loss, want", [
    (reads_out_loss, 2 * X + 1),  # JAX: [3, 5, 7] (fwd's body, not the rule, for out)
    (tripled_loss, [-2.49688102, -3.92186173, 5.76102172]),  # JAX
], ids=["reads_out", "tripled"])
def test_grad_of_grad_through_custom_vjp_is_jaxs(loss, want):
    inner = adc.grad(loss)

    def summed(x):
        return ops.sum(inner(x))
    np.testing.assert_allclose(adc.grad(summed)(X), want, rtol=1e-8)
    np.testing.assert_allclose(adc.jvp(inner, X, ONES)[1], want, rtol=1e-8)  # fwd over rev


@adc.custom_vjp
def passthrough(x, k):
    return x


def passthrough_fwd(x, k):
    return x, (k,)  # the output is the argument itself


def passthrough_bwd(res, g):
    return (g * res[0], None)


passthrough.defvjp(passthrough_fwd, passthrough_bwd)


def test_custom_vjp_whose_output_is_its_argument():
    def loss(x):
        return ops.sum(passthrough(x, 3.0) ** 2)
    inner = adc.grad(loss)
    np.testing.assert_allclose(inner(X), 6.0 * X)  # 2x from the square, times the rule's 3

    def summed(x):
        return ops.sum(inner(x))
    np.testing.assert_allclose(adc.grad(summed)(X), 6.0 * ONES)  # fwd's body: identity


def test_second_derivatives_through_a_true_custom_vjp_agree_with_finite_differences():
    g = adc.grad(sin_times_loss, grad_position=(0, 1))

    def mixed(x, y):
        gx, gy = g(x, y)
        return ops.sum(gx * gy)
    got = adc.grad(mixed, grad_position=(0, 1))(X, Y)
    np.testing.assert_allclose(got[0], numeric_grad(mixed, X, Y, position=0), rtol=1e-6)
    np.testing.assert_allclose(got[1], numeric_grad(mixed, X, Y, position=1), rtol=1e-6)


def test_jvp_through_custom_vjp_is_refused_at_the_call_as_jax_refuses_it():
    def calls(x):
        return tripled_sin(x) * 2.0
    with pytest.raises(AutodiffError, match=r"can't apply forward-mode autodiff \(jvp\) to "
                                            "the custom_vjp rule of 'tripled_sin'") as info:
        adc.jvp(calls, X, ONES)
    assert "tripled_sin(x)" in info.value.loc.source
    assert info.value.loc.file.endswith("test_custom_vjp_higher_order.py")

"""Second derivatives and forward mode through ``custom_vjp``.

JAX 0.10 (measured): grad of grad differentiates ``bwd`` and ``fwd``'s body (fwd
``(x*x, (x, x*x))``, bwd ``g * out + x``: [3, 5, 7] = 2x + 1 at x = [1, 2, 3], where
a Cell's bprop would give MindSpore's x^2 + x + 1), and the function called in its
own ``fwd`` is the custom call again, whose derivative is the rule (its
``test_invariance``). Its jvp raises "can't apply forward-mode autodiff (jvp) to a
custom_vjp function"; ours answers with the tangent the rule implies, ``bwd``
transposed in its cotangent, as for a Cell's bprop (refused where ``bwd`` is not
linear in it).
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


def test_jvp_through_custom_vjp_is_the_tangent_its_rule_implies():
    def calls(x):
        return tripled_sin(x) * 2.0
    v = np.array([0.5, -1.0, 2.0])
    value, tangent = adc.jvp(calls, X, v)
    np.testing.assert_allclose(value, 2.0 * np.sin(X), rtol=1e-12)
    np.testing.assert_allclose(tangent, 2.0 * 3.0 * np.cos(X) * v, rtol=1e-12)  # the rule's
    jacobian = adc.jacfwd(calls)(X)
    np.testing.assert_allclose(jacobian, adc.jacrev(calls)(X), rtol=1e-12)


@adc.custom_vjp
def clipped_identity(x):
    return x


clipped_identity.defvjp(lambda x: (x, ()), lambda res, g: (np.clip(g, -1.0, 1.0),))


def test_jvp_through_a_rule_not_linear_in_its_cotangent_is_refused_at_the_call():
    def calls(x):
        return clipped_identity(x) * 2.0
    with pytest.raises(AutodiffError, match="this rule is not linear in it") as info:
        adc.jvp(calls, X, ONES)
    assert "clipped_identity(x)" in info.value.loc.source
    assert info.value.loc.file.endswith("test_custom_vjp_higher_order.py")


@adc.custom_vjp
def cos_halved(x):
    return np.cos(2 * x) / 2.0


def cos_halved_fwd(x):
    return cos_halved(x), x  # the function called in its own rule: the rule's call again


cos_halved.defvjp(cos_halved_fwd, lambda x, g: (g * 3.0,))  # its derivative is 3, by rule


def value_of(x):
    y, _ = adc.value_and_grad(cos_halved)(x)
    return y


def value_times_gradient(x):
    y, g = adc.value_and_grad(cos_halved)(x)
    return y * g


@pytest.mark.parametrize("transform", [
    lambda f: adc.grad(f),
    lambda f: lambda x: adc.jvp(f, (x,), (1.0,))[1],
    lambda f: lambda x: adc.jacrev(f)(np.array(x)),
], ids=["grad", "jvp", "jacrev"])
def test_the_value_of_an_inner_gradient_has_the_rules_derivative(transform):
    """JAX's test_invariance: the value ``value_and_grad(f)`` gives is f's, computed by
    ``fwd``, whose call of f is the custom call: its derivative is the rule's (3), not
    that of f's body (-sin 2 at 1); times the rule's gradient, 3 * 3."""
    assert float(transform(value_of)(1.0)) == pytest.approx(3.0, rel=1e-12)
    assert float(transform(value_times_gradient)(1.0)) == pytest.approx(9.0, rel=1e-12)


@adc.custom_vjp
def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def logistic_fwd(x):
    out = logistic(x)
    return out, out


logistic.defvjp(logistic_fwd, lambda out, g: (g * out * (1.0 - out),))


def test_hessian_through_a_rule_reading_its_own_output_matches_differences():
    def loss(x):
        return ops.sum(logistic(x) * x)
    got = adc.hessian(loss)(X)
    gradient = adc.grad(loss)
    want = np.stack([(gradient(X + 1e-6 * e) - gradient(X - 1e-6 * e)) / 2e-6
                     for e in np.eye(3)], axis=-1)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(adc.jacrev(gradient)(X), want, rtol=1e-6, atol=1e-9)


def test_vjp_of_a_custom_vjp_function_inside_a_gradient_uses_its_rule():
    def value(x):
        y, _ = adc.vjp(tripled_sin, x)
        return ops.sum(y)
    np.testing.assert_allclose(adc.grad(value)(X), 3.0 * np.cos(X), rtol=1e-12)


def squared(x):
    return x ** 2


@adc.custom_vjp
def through_a_pullback(x):
    return squared(x)


def through_a_pullback_fwd(x):
    y, pullback = adc.vjp(squared, x)
    return y, pullback  # JAX's test_nestable_vjp: the pullback as the residual


through_a_pullback.defvjp(through_a_pullback_fwd, lambda pullback, g: pullback(g))


def test_a_pullback_among_the_forward_rules_residuals_is_refused_clearly():
    with pytest.raises(AutodiffError, match="fwd returns a vjp_fn among its "
                                            "residuals"):
        adc.grad(lambda x: ops.sum(through_a_pullback(x)))(X)


@adc.custom_vjp
def affine_rule(x):
    return x * x


affine_rule.defvjp(lambda x: (x * x, x), lambda x, g: (2.0 * x * g + 1.0,))


def test_jvp_through_a_rule_not_zero_at_a_zero_cotangent_raises_when_run():
    """2 x g + 1 is affine in g: grad keeps the 1 (2.2 at 0.6), the transpose would
    drop it (1.2), so forward mode raises, at the call, when the program runs."""
    def calls(x):
        return affine_rule(x) * 1.0
    assert adc.grad(calls)(0.6) == pytest.approx(2.2)
    with pytest.raises(ValueError, match="its backward rule is not 0 at a 0 cotangent"):
        adc.jvp(calls, (0.6,), (1.0,))


@adc.custom_vjp
def sine_by_thirds(x):
    return np.sin(x)


def _sine_by_thirds_bwd(c, g):
    acc = g * 0.0
    for _ in range(3):
        acc = acc + g * c / 3.0  # linear in g, summed in a loop
    return (acc,)


sine_by_thirds.defvjp(lambda x: (np.sin(x), np.cos(x)), _sine_by_thirds_bwd)


@adc.custom_vjp
def sine_squared_rule(x):
    return np.sin(x)


def _squared_in_a_loop_bwd(c, g):
    acc = g * 0.0
    for _ in range(2):
        acc = acc + g * g * c  # not linear in g
    return (acc,)


sine_squared_rule.defvjp(lambda x: (np.sin(x), np.cos(x)), _squared_in_a_loop_bwd)


def test_jvp_through_a_rule_summing_its_cotangent_in_a_loop_is_its_transpose():
    """The transpose's accumulator is zeros like the cotangent, which read only its
    shape: the rule was refused as not linear in it."""
    def loss(x):
        return np.sum(sine_by_thirds(x) ** 2)
    v = np.array([0.3, -1.0, 2.0])
    _, tangent = adc.jvp(loss, X, v)
    assert tangent == pytest.approx(float(adc.grad(loss)(X) @ v), rel=1e-12)
    assert tangent == pytest.approx(float(2 * np.sin(X) * np.cos(X) @ v), rel=1e-12)


def test_jvp_through_a_rule_not_linear_in_its_cotangent_in_a_loop_is_refused():
    def loss(x):
        return np.sum(sine_squared_rule(x) * 2.0)
    with pytest.raises((adc.AutodiffError, ValueError), match="not linear in it"):
        adc.jvp(loss, X, ONES)


@adc.custom_vjp
def sine_tanh_rule(x):
    return np.sin(x)


def _tanh_in_a_loop_bwd(c, g):
    acc = g * c
    for _ in range(2):
        acc = np.tanh(acc) + g  # not linear in g, seen only through the loop's tape
    return (acc,)


sine_tanh_rule.defvjp(lambda x: (np.sin(x), np.cos(x)), _tanh_in_a_loop_bwd)


def test_jvp_through_a_rule_not_linear_in_its_cotangent_through_a_tape_raises_when_run():
    def loss(x):
        return np.sum(sine_tanh_rule(x) * 2.0)
    with pytest.raises(ValueError, match="not linear in it"):
        adc.jvp(loss, X, ONES)

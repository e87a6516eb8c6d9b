"""``custom_jvp`` under second derivatives, Jacobians and vmap, as JAX answers them.

JAX 0.10 (x64, measured): a rule that calls the function itself (``ans = f(x)``) has
the rule applied again at the next order ("each application of a differentiation
transform will use the custom JVP rule if and only if the rule calls the original
f"): ``doubled_exp``, whose rule is twice the derivative, has grad of grad 4 exp(x),
not the 2 exp(x) that differentiating its body would give. vmap batches the function
itself, and a derivative inside vmap batches the rule.
"""
from __future__ import annotations

import numpy as np
import pytest
from custom_jvp_cases import (
    assert_same,
    calls_custom,
    doubled_exp,
    log1pexp,
    nested,
    python_if,
    sin_times,
    tripled_sin,
    where_rule,
)
from differences import central_differences

import autodiff_compiler as adc

X = np.array([0.3, -1.2, 2.0])
NESTED_JACOBIAN = np.diag([2.6183495904330765, 0.07046338176142006, -1.8544365735162485])


def second(fn):
    return adc.grad(adc.grad(fn))


# (name, computed, JAX's value)
HIGHER_ORDER = [
    ("log1pexp_grad_grad_at_3", lambda: second(log1pexp)(3.), 0.04517665973091213),
    ("log1pexp_grad_grad_at_100", lambda: second(log1pexp)(100.), 3.7200759760208356e-44),
    ("rule_applied_again", lambda: second(doubled_exp)(0.5), 6.594885082800513),
    ("jvp_of_grad", lambda: adc.jvp(adc.grad(doubled_exp), 0.5, 1.),
     (3.2974425414002564, 6.594885082800513)),
    ("hessian_of_rule_applied_again", lambda: adc.hessian(lambda x: np.sum(doubled_exp(x)))(X),
     np.diag([5.399435230304013, 1.2047768476488085, 29.5562243957226])),
    ("tripled_grad_grad", lambda: second(tripled_sin)(0.4), -1.1682550269259515),
    ("calling_others_grad", lambda: adc.grad(calls_custom)(X),
     [7.284878820124865, -0.16356599930748497, 2.358465859422174]),
    ("calling_others_hessian", lambda: adc.hessian(calls_custom)(X),
     np.diag([18.481263081178, 2.102581038286747, -38.08614376150074])),
    ("jacfwd", lambda: adc.jacfwd(nested)(X), NESTED_JACOBIAN),
    ("jacrev", lambda: adc.jacrev(nested)(X), NESTED_JACOBIAN),
    ("vmap", lambda: adc.vmap(nested)(X),
     [0.25247923840753844, -0.2453895502089348, 1.9340101674848402]),
    ("grad_of_vmap", lambda: adc.grad(lambda x: np.sum(adc.vmap(nested)(x)))(X),
     np.diag(NESTED_JACOBIAN)),
    ("vmap_of_grad", lambda: adc.vmap(adc.grad(log1pexp))(np.arange(3.)),
     [0.5, 0.7310585786300049, 0.8807970779778824]),
    ("vmap_of_grad_where", lambda: adc.vmap(adc.grad(where_rule))(X), [2.0, 3.0, 2.0]),
    ("vmap_of_grad_python_if", lambda: adc.vmap(adc.grad(python_if))(X), [2.0, 3.0, 2.0]),
    ("vmap_unbatched_argument", lambda: adc.vmap(sin_times, in_axes=(0, None))(X, 2.0),
     2.0 * np.sin(X)),
    ("vmap_of_grad_two_args", lambda: adc.vmap(adc.grad(sin_times, grad_position=(0, 1)),
                                               in_axes=(0, None))(X, 2.0),
     (2.0 * np.cos(X), np.sin(X))),
]


@pytest.mark.parametrize("compute, want", [c[1:] for c in HIGHER_ORDER],
                         ids=[c[0] for c in HIGHER_ORDER])
def test_higher_order_and_batched_derivatives_are_jaxs(compute, want):
    assert_same(compute(), want)


def true_rule_loss(x, y):
    return np.sum(sin_times(x, y) ** 2 * log1pexp(x))


@pytest.mark.parametrize("x, y", [(X, np.array([[1.5], [-0.5]])), (np.array(0.7), np.array(-1.3))],
                         ids=["broadcast", "0d"])
def test_second_derivatives_of_a_true_rule_agree_with_finite_differences(x, y):
    grad_x = adc.grad(true_rule_loss)

    def summed(x_):
        return np.sum(grad_x(x_, y))
    numeric = central_differences(summed, x)
    np.testing.assert_allclose(adc.grad(summed)(x), numeric, rtol=1e-6, atol=1e-8)
    hessian = adc.hessian(lambda x_: true_rule_loss(x_, y))(x)
    np.testing.assert_allclose(np.sum(hessian.reshape(np.size(x), np.size(x)), axis=0),
                               np.ravel(numeric), rtol=1e-6, atol=1e-8)


def test_jacobians_of_a_two_argument_rule_in_both_modes_are_the_derivative():
    y = np.array([0.5, 2.0, -1.0])
    jx, jy = adc.jacrev(sin_times, grad_position=(0, 1))(X, y)
    fx, fy = adc.jacfwd(sin_times, grad_position=(0, 1))(X, y)
    for got in (jx, fx):
        np.testing.assert_allclose(got, np.diag(np.cos(X) * y), rtol=1e-12)
    for got in (jy, fy):
        np.testing.assert_allclose(got, np.diag(np.sin(X)), rtol=1e-12)

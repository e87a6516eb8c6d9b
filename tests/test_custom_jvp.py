"""``custom_jvp``: first derivatives in both modes, and what is refused.

Expected numbers are JAX 0.10's (x64), measured on the same functions written with
``jax.numpy`` (``custom_jvp_cases.py`` holds them as JAX's notebook writes them):
forward mode applies the rule, reverse mode its transpose in the tangents, and a rule
whose tangent output is not linear works in forward mode only (JAX: "Transpose rule
... for 'min' not implemented" under grad of a clipped tangent). Second derivatives,
vmap and Jacobians are in test_custom_jvp_higher_order.py.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest
from custom_jvp_cases import (
    assert_same,
    clip_tangent,
    log1pexp,
    masked,
    power,
    python_if,
    right_derivative,
    safe_sqrt,
    scaled,
    sin_cos,
    sin_times,
    square_times,
    where_rule,
)

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError

X = np.array([0.3, -1.2, 2.0])
Y = np.array([[1.5], [-0.5]])


def both(fn):
    return adc.grad(fn, grad_position=(0, 1))


# (name, computed, JAX's value)
FIRST_ORDER = [
    ("value", lambda: sin_times(2., 3.), 2.727892280477045),
    ("jvp_value", lambda: adc.jvp(sin_times, (2., 3.), (1., 0.))[0], 2.727892280477045),
    ("jvp_tangent", lambda: adc.jvp(sin_times, (2., 3.), (1., 0.))[1], -1.2484405096414273),
    ("grad_two_args", lambda: both(sin_times)(2., 3.), (-1.2484405096414273, 0.9092974268256817)),
    ("grad_0d_arrays", lambda: both(sin_times)(np.array(2.), np.array(3.)),
     (-1.2484405096414273, 0.9092974268256817)),
    ("grad_broadcasting", lambda: both(lambda x, y: np.sum(sin_times(x, y) ** 2))(X, Y),
     ([1.411606183487588, -1.6886579513778772, -1.8920062382698204],
      [[5.3485525822427675], [-1.7828508607475895]])),
    ("jvp_broadcasting", lambda: adc.jvp(sin_times, (X, Y), (np.ones(3), np.full((2, 1), .5)))[1],
     [[1.5807648370190788, 0.07751708873139729, -0.16957154140787278],
      [-0.3299081412321332, -0.64719842022195, 0.662722131686412]]),
    ("log1pexp_grad_at_100", lambda: adc.grad(log1pexp)(100.), 1.0),
    ("log1pexp_jvp_at_100", lambda: adc.jvp(log1pexp, 100., 1.)[1], 1.0),
    ("log1pexp_value_and_grad", lambda: adc.value_and_grad(log1pexp)(3.),
     (3.048587351573742, 0.9525741268224333)),
    ("log1pexp_vjp", lambda: adc.vjp(log1pexp, X)[1](np.ones(3))[0],
     [0.574442516811659, 0.23147521650098238, 0.8807970779778824]),
    ("right_derivative_at_0", lambda: adc.grad(right_derivative)(0.), 1.0),
    ("defjvps_none_is_zero", lambda: both(square_times)(2., 3.), (12.0, 0.0)),
    ("where_rule", lambda: adc.grad(lambda x: np.sum(where_rule(x)))(X), [2.0, 3.0, 2.0]),
    ("python_if_positive", lambda: adc.grad(python_if)(1.), 2.0),
    ("python_if_negative", lambda: adc.grad(python_if)(-1.), 3.0),
    ("safe_sqrt_at_0", lambda: adc.grad(lambda x: np.sum(safe_sqrt(x)))(np.array([0., 1., 4.])),
     [0.0, 0.5, 0.25]),
    ("masked_gradient", lambda: adc.grad(lambda x: np.sum(np.sin(masked(x))))(
        np.array([-1., 0.5, 0.7, 2.])), [0.0, 0.8775825618903728, 0.7648421872844885, 0.0]),
    ("clip_tangent_jvp", lambda: adc.jvp(clip_tangent, 2., 3.), (2.0, 0.75)),
    ("two_outputs", lambda: adc.grad(lambda x: np.sum(sin_cos(x)[0] * 2. + sin_cos(x)[1]))(X),
     2 * np.cos(X) - np.sin(X)),
    ("int_argument", lambda: adc.grad(power)(X, 3), 3 * X ** 2),
    ("default_argument", lambda: adc.grad(lambda x: np.sum(scaled(x)))(X), np.full(3, 3.0)),
    ("keyword_argument", lambda: both(lambda x, k: np.sum(scaled(x, k=k)))(X, 2.0),
     (np.full(3, 2.0), np.sum(X))),
]


@pytest.mark.parametrize("compute, want", [c[1:] for c in FIRST_ORDER],
                         ids=[c[0] for c in FIRST_ORDER])
def test_first_derivatives_are_jaxs(compute, want):
    assert_same(compute(), want)


def test_the_rule_wins_over_the_functions_own_derivative():
    # differentiated as written, log1pexp at 100 is exp(100) * (1 / (1 + exp(100))): nan
    # once exp overflows, 1.0 only by luck here; at 1000 the body gives nan, the rule 1
    assert adc.grad(log1pexp)(1000.) == 1.0
    assert adc.grad(lambda x: np.log(1. + np.exp(x)))(1000.) != 1.0


def true_rule_loss(x, y):
    return np.sum(sin_times(x, y) ** 2 + log1pexp(x * y))


@pytest.mark.parametrize("x, y", [(X, Y), (np.array(0.7), np.array(-1.3)), (X, X[::-1])],
                         ids=["broadcast", "0d", "same_shape"])
def test_a_true_rule_agrees_with_finite_differences(x, y):
    adc.check_grads(true_rule_loss, x, y, modes=("rev", "fwd"))


def test_called_outside_a_transform_it_is_the_function():
    np.testing.assert_allclose(log1pexp(X), np.log1p(np.exp(X)))
    assert clip_tangent(2.5) == 2.5


def test_generated_gradient_is_the_rule_transposed_and_nothing_else():
    # the value (log) is not needed by the gradient and is left out; the rule's
    # tangent part at zero is dead code too
    source = adc.gradient_source(log1pexp, args=(3.0,))
    assert source.splitlines()[-1].strip() == "return 1.0 - 1.0 / (1.0 + math.exp(x))"
    assert "grad of: ans_dot = (1 - 1/(1 + np.exp(x))) * x_dot" in \
        adc.gradient_source(log1pexp)


def test_reverse_mode_through_a_nonlinear_rule_is_refused_at_the_rule():
    """JAX can't transpose a clipped tangent either; its jvp works (FIRST_ORDER)."""
    with pytest.raises(AutodiffError, match="not linear in the tangents") as info:
        adc.grad(clip_tangent)(2.)
    assert info.value.loc.file.endswith("custom_jvp_cases.py")
    assert "clip_tangent.defjvp" in info.value.loc.source
    assert "custom_vjp" in info.value.hint


def test_reverse_mode_error_points_at_the_call_inside_a_function():
    def loss(x):
        return np.sum(clip_tangent(x) * 2.0)
    with pytest.raises(AutodiffError, match="not linear") as info:
        adc.grad(loss)(X)
    assert "clip_tangent(x)" in info.value.loc.source
    assert info.value.loc.file.endswith("test_custom_jvp.py")


def _product(x):
    return x * x


def _product_jvp(primals, tangents):
    return _product(primals[0]), tangents[0] * tangents[0]


def _not_a_pair(primals, tangents):
    return primals[0] * 2.0


def _wrong_shape(primals, tangents):
    return primals[0] * 2.0, np.sum(tangents[0])


def _wrong_structure(primals, tangents):
    return primals[0] * 2.0, (tangents[0], tangents[0])


def _wrapped(rule):
    fn = adc.custom_jvp(lambda x: x * 2.0)
    fn.defjvp(rule)
    return fn


# (name, function, message, where the error points: the rule's def or the call)
REFUSED_RULES = [
    ("product_of_tangents", _wrapped(_product_jvp), "not linear in the tangents", "fn(x)"),
    ("not_a_pair", _wrapped(_not_a_pair), r"must return a pair \(primal_out, tangent_out\)",
     "def _not_a_pair"),
    ("tangent_shape", _wrapped(_wrong_shape),
     r"tangent of shape \(\) for an output of shape \(3,\)", "def _wrong_shape"),
    ("tangent_structure", _wrapped(_wrong_structure), "tangent output has another structure",
     "def _wrong_structure"),
]


@pytest.mark.parametrize("fn, message, where", [c[1:] for c in REFUSED_RULES],
                         ids=[c[0] for c in REFUSED_RULES])
def test_bad_rules_are_refused_at_the_users_line(fn, message, where):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(lambda x: np.sum(fn(x)))(X)
    assert info.value.loc.file.endswith("test_custom_jvp.py")
    assert where in info.value.loc.source


def test_nondiff_argnums_is_refused_where_the_function_is_wrapped():
    with pytest.raises(AutodiffError, match="nondiff_argnums is not supported") as info:
        @functools.partial(adc.custom_jvp, nondiff_argnums=(0,))
        def app(f, x):
            return f(x)
    assert "nondiff_argnums=(0,)" in info.value.loc.source
    assert "ordinary argument" in info.value.hint


def test_a_function_without_rule_is_refused():
    fn = adc.custom_jvp(lambda x: x * 2.0)
    with pytest.raises(AutodiffError, match="before its rule is given"):
        adc.grad(fn)(1.0)


def test_a_second_rule_is_refused():
    fn = _wrapped(_product_jvp)
    with pytest.raises(AutodiffError, match="already given"):
        fn.defjvps(None)


def test_defjvps_needs_one_rule_per_argument():
    fn = adc.custom_jvp(lambda x, y: x * y)
    fn.defjvps(lambda t, ans, x, y: t * y)
    with pytest.raises(AutodiffError, match="got 1 rules for 2 arguments"):
        adc.grad(fn)(1.0, 2.0)


def test_an_array_twice_in_a_container_argument_gets_both_parts():
    # (test_custom_containers.py has JAX's namedtuple examples)
    fn = adc.custom_jvp(lambda pair: pair[0] * pair[1])
    fn.defjvp(lambda p, t: (fn(p[0]), t[0][0] * p[0][1] + p[0][0] * t[0][1] * 3.0))
    np.testing.assert_allclose(adc.grad(lambda x: fn((x, x)))(X), 4.0 * X)
    np.testing.assert_allclose(adc.jvp(lambda x: fn((x, x)), X, np.ones(3))[1], 4.0 * X)


def jvp_rule_made_inside(x, w):
    def f0(z, c):
        return np.sin(z) * c
    return np.sum(adc.custom_jvp(f0)(x, w) * x)


def vjp_rule_made_inside(x, w):
    def f0(z):
        return np.sin(z) * w
    return np.sum(adc.custom_vjp(f0)(x))


@pytest.mark.parametrize("fn, name", [(jvp_rule_made_inside, "custom_jvp"),
                                      (vjp_rule_made_inside, "custom_vjp")])
def test_a_custom_rule_made_inside_a_compiled_function_is_refused_with_a_hint(fn, name):
    """It called the class's __lower_call__ unbound: an internal error."""
    with pytest.raises(AutodiffError, match=rf"{name}\(\.\.\.\) made inside a compiled") as err:
        adc.grad(fn, 1)(X, X)
    assert "at module level" in str(err.value)

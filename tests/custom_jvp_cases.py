"""``custom_jvp`` functions the tests share: the examples of JAX's notebook "Custom
derivative rules for JAX-transformable Python functions", written as it writes them
(with ``np`` for ``jnp``), and a few whose rule is deliberately not the derivative, so
that the numbers show which rule was applied at which order."""
from __future__ import annotations

import numpy as np

import autodiff_compiler as adc


@adc.custom_jvp
def sin_times(x, y):
    return np.sin(x) * y


@sin_times.defjvp
def sin_times_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    primal_out = sin_times(x, y)
    tangent_out = np.cos(x) * x_dot * y + np.sin(x) * y_dot
    return primal_out, tangent_out


@adc.custom_jvp
def log1pexp(x):
    return np.log(1. + np.exp(x))


@log1pexp.defjvp
def log1pexp_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    ans = log1pexp(x)
    ans_dot = (1 - 1/(1 + np.exp(x))) * x_dot
    return ans, ans_dot


@adc.custom_jvp
def right_derivative(x):
    return x / (1 + np.sqrt(x))


right_derivative.defjvps(lambda t, ans, x: ((np.sqrt(x) + 2) / (2 * (np.sqrt(x) + 1)**2)) * t)


@adc.custom_jvp
def square_times(x, y):
    return x ** 2 * y


square_times.defjvps(lambda x_dot, primal_out, x, y: 2 * x * y * x_dot,
                     None)


@adc.custom_jvp
def where_rule(x):
    return np.where(x > 0, np.sin(x), np.cos(x))


@where_rule.defjvp
def where_rule_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return where_rule(x), np.where(x > 0, 2 * x_dot, 3 * x_dot)


@adc.custom_jvp
def python_if(x):
    if x > 0:
        return np.sin(x)
    else:
        return np.cos(x)


@python_if.defjvp
def python_if_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    ans = python_if(x)
    if x > 0:
        return ans, 2 * x_dot
    else:
        return ans, 3 * x_dot


@adc.custom_jvp
def safe_sqrt(x):
    return np.sqrt(x)


@safe_sqrt.defjvp
def safe_sqrt_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    pos = x > 0
    return safe_sqrt(x), np.where(pos, 0.5 / np.sqrt(np.where(pos, x, 1.0)) * x_dot, 0.0)


@adc.custom_jvp
def masked(x):
    """The identity, whose derivative passes only inside [-0.75, 0.75]: gradient
    clipping by value, written as a JVP (linear in the tangent)."""
    return x


@masked.defjvp
def masked_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return x, np.where(np.abs(x) <= 0.75, x_dot, 0.0)


@adc.custom_jvp
def clip_tangent(x):
    """The identity with the tangent clipped: forward mode only (not linear)."""
    return x


@clip_tangent.defjvp
def clip_tangent_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return x, np.clip(x_dot, -0.75, 0.75)


@adc.custom_jvp
def doubled_exp(x):
    return np.exp(x)


@doubled_exp.defjvp
def doubled_exp_jvp(primals, tangents):
    """Twice the derivative, through the function's own output: a second derivative
    that applies the rule again gives 4 exp(x), one that differentiates the body 2."""
    x, = primals
    x_dot, = tangents
    ans = doubled_exp(x)
    return ans, 2.0 * ans * x_dot


@adc.custom_jvp
def tripled_sin(x):
    return np.sin(x)


@tripled_sin.defjvp
def tripled_sin_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return tripled_sin(x), 3.0 * np.cos(x) * x_dot


@adc.custom_jvp
def nested(x):
    """A custom_jvp function calling two others, in its body and in its rule."""
    return tripled_sin(x) * log1pexp(x)


@nested.defjvp
def nested_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    a, b = tripled_sin(x), log1pexp(x)
    da = 3.0 * np.cos(x)
    db = 1 - 1 / (1 + np.exp(x))
    return nested(x), (da * b + a * db) * x_dot


def calls_custom(x):
    return np.sum(nested(x) + doubled_exp(x) * tripled_sin(x))


@adc.custom_jvp
def sin_cos(x):
    return np.sin(x), np.cos(x)


@sin_cos.defjvp
def sin_cos_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return sin_cos(x), (np.cos(x) * x_dot, -np.sin(x) * x_dot)


@adc.custom_jvp
def power(x, n):
    return x ** n


@power.defjvp
def power_jvp(primals, tangents):
    x, n = primals
    x_dot, _ = tangents  # an int's tangent: zeros, read by no one
    return power(x, n), n * x ** (n - 1) * x_dot


@adc.custom_jvp
def scaled(x, k=3.0):
    return x * k


@scaled.defjvp
def scaled_jvp(primals, tangents):
    x, k = primals
    x_dot, k_dot = tangents
    return scaled(x, k), k * x_dot + x * k_dot


def assert_same(got, want):
    """``got`` equals ``want`` (JAX's numbers), both a tuple of as many or one array."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-300)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-300)

"""``jvp`` inside a differentiated function (reverse over forward: ``grad`` or ``vjp``
of a function that takes a ``jvp``), through branches and loops, against central
differences in float64."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc

X = np.array([0.3, -1.0, 2.0])
V = np.array([1.0, 0.5, -2.0])


def branch(x):
    if np.sum(x) > 0:
        return np.sin(x) * x
    return np.cos(x)


def loop(x):
    acc = x
    for _ in range(3):
        acc = np.tanh(acc) * x
    return acc


def until(x):
    acc = x * 1.0
    k = 0
    while k < 4:
        acc = acc + np.sin(acc)
        k += 1
    return acc


@pytest.mark.parametrize("inner", [branch, loop, until], ids=lambda f: f.__name__)
def test_grad_of_a_jvp_matches_finite_differences(inner):
    def outer(x, v):
        _, tangent = adc.jvp(inner, (x,), (v,))
        return np.sum(tangent * tangent)

    gx, gv = adc.grad(outer, (0, 1))(X, V)
    eps = 1e-6
    for g, i in ((gx, 0), (gv, 1)):
        d = np.random.default_rng(i).normal(size=3)
        args_up = [X, V]
        args_down = [X, V]
        args_up[i] = args_up[i] + eps * d
        args_down[i] = args_down[i] - eps * d
        numeric = (outer(*args_up) - outer(*args_down)) / (2 * eps)
        np.testing.assert_allclose(np.dot(g, d), numeric, rtol=1e-6)


def test_vjp_of_a_jvp_is_the_second_derivative_along_v():
    def g(x):
        return np.sin(x) * x

    _, vjp_fn = adc.vjp(lambda x: adc.jvp(g, x, V)[1], X)
    np.testing.assert_allclose(vjp_fn(np.ones(3))[0], (-np.sin(X) * X + 2 * np.cos(X)) * V)


def jvp_of_a_tuple(x):
    return adc.jvp(branch, ((x, x),), ((x, x),))[1].sum()


def test_jvp_of_containers_inside_is_differentiated():
    """It was refused ('jvp takes float arrays'): the tuple's tangent is given in its
    structure, as outside a compiled function (where branch sees it as an array)."""
    h = 1e-6
    want = [(jvp_of_a_tuple(X + h * e) - jvp_of_a_tuple(X - h * e)) / (2 * h)
            for e in np.eye(3)]
    np.testing.assert_allclose(adc.grad(jvp_of_a_tuple)(X), want, rtol=1e-7)

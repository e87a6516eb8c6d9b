"""vmap of gradients whose residual is a selection of run-time length (``y[y > c]``) that
only one branch of an ``if`` records: the branch gives each example's row as it is, so
rows of different lengths no longer have to be stacked (a ValueError at run time, or a
list taken for an array, TypeError, in the nested case; fuzz seed 1081074). Against a
Python loop over the examples, and the gradients against central differences."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc


def returns_in_a_loop(x, y):  # the loop's `if stop:` is the same for every example
    for r in x:
        return r * np.sum(np.compress(np.ravel(y) > -0.2, np.ravel(y)) ** 3)
    return np.sum(x)


def branch_per_example(x, y):  # an if on a condition that differs between examples
    if np.sum(x) > 0:
        return np.sum(y[y > -0.2] ** 3) * x[0]
    return np.sum(x ** 2) + np.sum(y)


X = np.array([[-0.3, -0.07, -0.9], [0.5, 0.2, 0.1], [0.3, -0.4, 0.2]])
Y = np.array([[[-0.13, 1.32, 1.26], [0.99, -0.29, 1.05]],
              [[0.13, -1.32, -1.26], [-0.99, 0.29, -1.05]],
              [[0.5, -0.6, 0.7], [-0.8, 0.9, -0.1]]])


@pytest.mark.parametrize("fn", [returns_in_a_loop, branch_per_example])
def test_vmap_of_the_gradient_is_each_examples(fn):
    grad = adc.grad(fn, grad_position=(0, 1))
    got = adc.vmap(grad)(X, Y)
    for k, (x, y) in enumerate(zip(X, Y)):
        want = grad(x, y)
        for g, w in zip(got, want):
            np.testing.assert_allclose(g[k], w, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(want[1], central_differences(lambda v, x=x: fn(x, v), y),
                                   rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("fn", [returns_in_a_loop, branch_per_example])
def test_vmap_of_the_gradient_through_vmap_is_each_examples(fn):
    mapped = adc.vmap(fn)

    def total(xs, ys):
        return np.sum(mapped(xs, ys))

    grad_total = adc.grad(total, grad_position=(0, 1))
    outer = [(X, Y), (X * 1.01, Y * 0.99)]
    got = adc.vmap(grad_total)(np.stack([o[0] for o in outer]), np.stack([o[1] for o in outer]))
    for k, (xs, ys) in enumerate(outer):
        for g, w in zip(got, grad_total(xs, ys)):
            np.testing.assert_allclose(g[k], w, rtol=1e-13, atol=1e-15)

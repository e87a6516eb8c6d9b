"""Comprehensions inside differentiated functions run while compiling, as Python runs
them: over sequences, ranges and array rows of known length. Gradients are checked
against central finite differences (float64)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError
from autodiff_compiler.testing import check_grads

RNG = np.random.default_rng(0)
WEIGHTS = [RNG.normal(size=(3, 3)) for _ in range(3)]


def list_over_globals(x):
    return sum([np.tanh(w @ x).sum() for w in WEIGHTS])


def generator_into_tuple(x):
    parts = tuple(x[i] * (i + 1) for i in range(3))
    return parts[0] * parts[1] + parts[2]


def nested_with_filter(x):
    return sum(x[i] * x[j] for i in range(3) for j in range(3) if i < j)


def rows_of_an_array(x):
    m = np.outer(x, x)
    return sum([np.sin(row).sum() for row in m])


def dict_comprehension(x):
    d = {k: x * k for k in (1.0, 2.0) if k > 0}
    return (d[1.0] * d[2.0]).sum()


def enumerate_and_zip(x):
    ys = [x * 2, x ** 2]
    return sum([(i + 1) * (a * b).sum() for i, (a, b) in enumerate(zip(ys, ys[::-1]))])


def zero_d(x):
    return sum([x * k for k in range(4)])


CASES = [
    (list_over_globals, (RNG.normal(size=3),)),
    (generator_into_tuple, (RNG.normal(size=3),)),
    (nested_with_filter, (RNG.normal(size=3),)),
    (rows_of_an_array, (RNG.normal(size=3),)),
    (dict_comprehension, (RNG.normal(size=(2, 3)),)),
    (enumerate_and_zip, (RNG.normal(size=4),)),
    (zero_d, (np.float64(0.7),)),
]


@pytest.mark.parametrize("fn, args", CASES, ids=[c[0].__name__ for c in CASES])
def test_comprehension_gradients_match_finite_differences(fn, args):
    if fn is rows_of_an_array:  # rows of an array need its length: no shape-generic code
        (x,) = args
        eps = 1e-6
        numeric = [(fn(x + eps * e) - fn(x - eps * e)) / (2 * eps) for e in np.eye(x.size)]
        np.testing.assert_allclose(adc.grad(fn)(x), numeric, rtol=1e-6)
        return
    check_grads(fn, *args)


def test_loop_variable_does_not_leak():
    def f(x):
        k = x * 3
        total = sum([x * k for k in range(2)])
        return (total + k).sum()

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(adc.grad(f)(x), np.ones(2) + 3)


def test_filter_on_a_run_time_value_is_refused_at_its_line():
    def f(x):
        return sum([v for v in x if v > 0])

    with pytest.raises(AutodiffError, match="comprehension's `if` on a run-time value") as err:
        adc.grad(f)(np.array([1.0, -1.0]))
    assert "test_comprehensions.py" in str(err.value)


def test_count_known_only_at_run_time_is_refused():
    def f(x):
        n = np.sum(x > 0)
        return sum([x * i for i in range(n)])

    with pytest.raises(AutodiffError, match="known only at run time"):
        adc.grad(f)(np.array([1.0, 2.0]))

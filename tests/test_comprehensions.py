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


# Filters on run-time values, where the items are folded: a dropped item is the fold's
# identity (sum 0, any False, all True), the item computed on the kept path only.
def sum_of_kept_items(x):
    return sum(np.log(v) * v for v in x if v > 0)


def sum_of_a_filtered_list_with_start(x):
    return sum([v * v for v in x if v < 0.5], 1.5)


def sum_of_kept_rows(x):
    m = np.outer(x, x) - 0.5
    return np.sum(sum(np.sin(row) for row in m if np.sum(row) > 0))


def nested_filters_known_and_run_time(x):
    return sum(a * b for i, a in enumerate(x) if a > 0
               for j, b in enumerate(x) if i != j if b < 1)


def any_and_all_of_kept_items(x):
    ok = all(v > -5 for v in x if v < 0) and any(v > 0.5 for v in x if v != 0)
    return np.sum(x * x) if ok else np.sum(x)


def count_of_kept_items(x):
    return np.sum(x) * sum(1 for v in x if v > 0)


CASES = [
    (list_over_globals, (RNG.normal(size=3),)),
    (generator_into_tuple, (RNG.normal(size=3),)),
    (nested_with_filter, (RNG.normal(size=3),)),
    (rows_of_an_array, (RNG.normal(size=3),)),
    (dict_comprehension, (RNG.normal(size=(2, 3)),)),
    (enumerate_and_zip, (RNG.normal(size=4),)),
    (zero_d, (np.float64(0.7),)),
    (sum_of_kept_items, (np.array([0.5, -1.0, 2.0, 0.3]),)),
    (sum_of_a_filtered_list_with_start, (np.array([0.7, -1.2, 0.2]),)),
    (sum_of_kept_rows, (np.array([0.9, -0.4, 1.3]),)),
    (nested_filters_known_and_run_time, (np.array([0.5, -1.0, 0.8, 2.0]),)),
    (any_and_all_of_kept_items, (np.array([0.5, -1.0, 0.8]),)),
    (any_and_all_of_kept_items, (np.array([0.1, -7.0, 0.2]),)),
    (count_of_kept_items, (np.array([0.5, -1.0, 0.8]),)),
]
# Rows of an array and run-time filters need the array's length: no shape-generic code.
SPECIALISED_ONLY = {rows_of_an_array, sum_of_kept_items, sum_of_a_filtered_list_with_start,
                    sum_of_kept_rows, nested_filters_known_and_run_time,
                    any_and_all_of_kept_items, count_of_kept_items}


@pytest.mark.parametrize("fn, args", CASES,
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_comprehension_gradients_match_finite_differences(fn, args):
    if fn in SPECIALISED_ONLY:
        (x,) = args
        eps = 1e-6
        numeric = [(fn(x + eps * e) - fn(x - eps * e)) / (2 * eps) for e in np.eye(x.size)]
        value, gradient = adc.value_and_grad(fn)(x)
        assert value == fn(x)  # Python's value to the last bit
        np.testing.assert_allclose(gradient, numeric, rtol=1e-6, atol=1e-9)
        return
    check_grads(fn, *args)


def test_loop_variable_does_not_leak():
    def f(x):
        k = x * 3
        total = sum([x * k for k in range(2)])
        return (total + k).sum()

    x = np.array([1.0, 2.0])
    np.testing.assert_allclose(adc.grad(f)(x), np.ones(2) + 3)


def kept_as_a_list(x):
    return np.sum(np.stack([v for v in x if v > 0]))


def greatest_kept_item(x):
    return max(v for v in x if v > 0)


@pytest.mark.parametrize("fn", [kept_as_a_list, greatest_kept_item], ids=lambda f: f.__name__)
def test_filter_on_a_run_time_value_is_refused_at_its_line(fn):
    """Only a fold with an identity can stand a dropped item in (``max`` has none)."""
    with pytest.raises(AutodiffError, match="comprehension's `if` on a run-time value") as err:
        adc.grad(fn)(np.array([1.0, -1.0]))
    assert "test_comprehensions.py" in str(err.value)


def test_count_known_only_at_run_time_is_refused():
    def f(x):
        n = np.sum(x > 0)
        return sum([x * i for i in range(n)])

    with pytest.raises(AutodiffError, match="known only at run time"):
        adc.grad(f)(np.array([1.0, 2.0]))

"""Code a scientific program writes around its arrays, on values known when compiling:
copies of a global list written into (``c = list(COEFFS); c[0] = v``), an entry of an
array a dict or list the function built holds (``grads["W"][i] = row``), window
functions and combinations of indices (``np.hanning(4)``, ``itertools.combinations``),
a parameter dict walked in order (``sorted(p.items())``, ``next(iter(p.values()))``),
and a generator the function defines. Each was refused (a list "the function did not
create", a write the aliasing analysis read as its own reader, calls "without a
derivative rule", a ``yield`` read as a call for its side effects); gradients against
central differences."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

COEFFS = [2.0, 3.0]


def list_of_a_global(x):
    c = list(COEFFS)
    c[0] = x[0]
    return c[0] * c[1] * np.sum(x)


def slice_of_a_global(x):
    c = COEFFS[:]
    c[1] = np.sum(x)
    c.append(x[1])
    return c[0] * c[1] * c[2]


def sorted_copy(x):
    c = sorted(COEFFS, reverse=True)
    c[0] = x[2]
    return c[0] * c[1]


def entries_of_held_arrays(x):
    grads = {"W": np.zeros((2, 2))}
    rows = [np.zeros(3)]
    for i in range(2):
        grads["W"][i] = x[:2] * (i + 1.0)
    rows[0][1] = x[2]
    return np.sum(grads["W"] ** 2) + np.sum(rows[0] ** 3)


def windowed(x):
    return np.sum(x * np.hanning(3)) + np.sum(x * adc.stop_gradient(np.kaiser(3, 2.0)))


def pairwise(x):
    return sum(x[i] * x[j] for i, j in itertools.combinations(range(3), 2))


def walked_in_order(x):
    p = {"w2": x * 2.0, "w1": np.sin(x)}
    first = next(iter(p.values()))
    total = sum(np.sum(v) * len(k) for k, v in sorted(p.items()))
    return total + np.sum(first ** 2) + sum(np.sum(p[k]) for k in sorted(p.keys()))


def defines_a_generator(x):
    def steps(v):
        yield v
        for k in range(2):
            yield np.sin(v) * k
    return sum(np.sum(s ** 2) for s in steps(x))


@pytest.mark.parametrize("fn", [list_of_a_global, slice_of_a_global, sorted_copy,
                                entries_of_held_arrays, windowed, pairwise, walked_in_order,
                                defines_a_generator])
def test_gradient_matches_finite_differences(fn):
    x = np.array([0.7, -1.2, 0.4])
    value, grad = adc.value_and_grad(fn)(x)
    np.testing.assert_allclose(value, fn(x.copy()), rtol=1e-12)
    np.testing.assert_allclose(grad, central_differences(fn, x), rtol=1e-6, atol=1e-9)
    assert COEFFS == [2.0, 3.0]


def test_an_entry_written_while_another_name_holds_the_array_shows_in_both():
    """NumPy writes the one array the list and the name hold (this was refused)."""
    def aliased(x):
        buf = [np.zeros(2)]
        alias = buf[0]
        buf[0][1] = x[0]
        return np.sum(alias * x) + np.sum(buf[0])

    x = np.array([1.0, 2.0])
    value, grad = adc.value_and_grad(aliased)(x)
    assert value == pytest.approx(aliased(x.copy()))
    np.testing.assert_allclose(grad, central_differences(aliased, x), rtol=1e-6)

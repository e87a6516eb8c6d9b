"""Loops of a length known when compiling are regions, not unrolled: compiling takes
as long as the source is, whatever the trip count. A ``while`` on a Python int
(``i = 0; while i < n: ...; i += 1``) carries the int at run time; a loop is unrolled
only where its body needs values known when compiling (it builds lists, or indexes a
Python list of functions)."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads

X = np.array([0.3, -0.8, 0.5])


def counted_while(n):
    def relax(x):
        i = 0
        while i < n:
            x = x * 0.999 + 0.001 * np.sin(x)
            i += 1
        return np.sum(x ** 2)
    return relax


def stepped_while(n):
    def integrate(x):
        t, dt = 0.0, 1.0 / n
        while t < 1.0 - dt / 2:
            x = x + dt * np.cos(x)
            t = t + dt
        return np.sum(x)
    return integrate


def static_range(n):
    def relax(x):
        for i in range(n):
            x = x * 0.999 + 0.0001 * np.sin(x * i)
        return np.sum(x ** 2)
    return relax


def true_with_break(n):
    def halve(x):
        k = 0
        while True:
            x = np.sin(x) * 0.9
            k += 1
            if k >= n:
                break
        return np.sum(x)
    return halve


LOOPS = [("while_counter", counted_while), ("while_float_step", stepped_while),
         ("for_static_range", static_range), ("while_true_break", true_with_break)]


def _ir_lines(fn) -> int:
    return len(adc.gradient_ir(fn, args=(X,)).splitlines())


@pytest.mark.parametrize("make", [m for _, m in LOOPS], ids=[n for n, _ in LOOPS])
def test_loop_of_known_length_compiles_to_the_same_ir_whatever_its_trip_count(make):
    assert _ir_lines(make(10)) == _ir_lines(make(10_000))
    assert "while" in adc.gradient_source(make(10_000), args=(X,)) or \
        "for " in adc.gradient_source(make(10_000), args=(X,))


@pytest.mark.parametrize("make", [m for _, m in LOOPS], ids=[n for n, _ in LOOPS])
def test_loop_of_known_length_gradient_matches_finite_differences(make):
    check_grads(make(7), X)


def test_long_loop_of_known_length_gradient_is_right():
    f = counted_while(10_000)
    expected = adc.grad(f)(X)
    x = X.copy()  # the same recurrence by hand, forward and backward
    xs = []
    for _ in range(10_000):
        xs.append(x)
        x = x * 0.999 + 0.001 * np.sin(x)
    g = 2 * x
    for x in reversed(xs):
        g = g * (0.999 + 0.001 * np.cos(x))
    np.testing.assert_allclose(expected, g, rtol=1e-10)


@pytest.mark.parametrize("make", [counted_while, true_with_break], ids=["counter", "break"])
def test_second_derivative_through_a_loop_of_known_length(make):
    check_grads(make(4), X, order=2)


FNS = [np.sin, np.tanh, np.cos]


def calls_listed_functions(x):
    i = 0
    while i < 3:
        x = FNS[i](x) * 1.5
        i += 1
    return np.sum(x)


def builds_a_list(x):
    hs = []
    i = 0
    while i < 3:
        x = np.tanh(x) + i
        hs.append(x)
        i += 1
    return np.sum(hs[0] * hs[2])


@pytest.mark.parametrize("fn", [calls_listed_functions, builds_a_list],
                         ids=["indexes_functions", "builds_list"])
def test_loop_needing_values_known_when_compiling_is_unrolled(fn):
    check_grads(fn, X)
    assert "while" not in adc.gradient_source(fn, args=(X,))


def test_while_false_when_compiling_runs_its_else_clause():
    def f(x):
        n = 0
        while n > 0:
            x = x * 2.0
        else:
            x = x * 3.0
        return np.sum(x)
    np.testing.assert_allclose(adc.grad(f)(X), np.full(3, 3.0))

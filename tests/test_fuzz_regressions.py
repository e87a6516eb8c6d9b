"""Causes the fuzzer found, each guarded by the smallest program that showed it."""
import numpy as np
import pytest

import autodiff_compiler as adc


def loop_taping_a_broadcast(x, y):
    acc = x * 1.0
    for _ in range(3):
        acc = acc + np.tanh(np.broadcast_to(y, (2, 3)))
    return np.sum(np.sin(acc))


def test_loop_tape_value_read_only_by_the_adjoint_is_written():
    """Simplified, the loop's tape holds ``broadcast_to(tanh(y))``, read by nothing but
    the tape: codegen folded it into the append, which it had written before the body
    (``KeyError`` naming the value)."""
    x, y = np.linspace(-1.0, 1.0, 6).reshape(2, 3), np.array([0.3, -0.7, 1.1])
    g_x, g_y = adc.grad(loop_taping_a_broadcast, (0, 1))(x, y)
    acc = x + 3 * np.tanh(y)
    np.testing.assert_allclose(g_x, np.cos(acc))
    np.testing.assert_allclose(g_y, 3 * np.sum(np.cos(acc), axis=0) / np.cosh(y) ** 2)
    adc.check_grads(loop_taping_a_broadcast, x, y)


def nan_on_a_dead_path(x, y):
    v = np.sqrt(x - 10.0)  # NaN for these x, and read only by code whose result is dead
    acc = y
    for _ in range(2):
        t = x * 1.0
        j = 0
        while j < 3:
            t = t + np.tanh(v)
            j += 1
        acc = acc * 0.5 + np.cos(acc)
    return acc


def test_nan_on_a_dead_path_does_not_reach_the_gradient():
    """Fuzz seed 1620: a value only dead code read got a zero cotangent, which met the
    NaN of its own derivative (0 / nan); dead code is removed before differentiating."""
    x, y = np.array([1.0, 2.0]), 0.3
    with np.errstate(invalid="ignore"):
        gx, gy = adc.grad(nan_on_a_dead_path, grad_position=(0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.zeros(2))
    assert np.isfinite(gy)
    adc.check_grads(lambda y: nan_on_a_dead_path(np.array([11.0, 12.0]), y), y)


def closure_reading_a_loop_carried_name(x):
    scale = lambda u: u * np.sum(x)  # reads x when called, as Python does
    j = 0
    while j < 3:
        x = np.tanh(scale(x))
        j += 1
    return np.sum(x) + np.sum(scale(x))


def test_closure_reads_names_as_they_are_when_called():
    """Fuzz seed 10056: a lambda called in a loop read the name ``x`` as it was before
    the loop; Python's closures read the enclosing function's current binding."""
    x = np.array([0.3, -0.2, 0.5])
    value, _ = adc.value_and_grad(closure_reading_a_loop_carried_name)(x)
    assert value == pytest.approx(closure_reading_a_loop_carried_name(x.copy()))
    adc.check_grads(closure_reading_a_loop_carried_name, x)

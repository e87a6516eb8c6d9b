"""``and``/``or`` as values: ``a or b`` is ``a`` if ``a`` is true, else ``b``, so the
derivative is the chosen operand's (it was zero: the result was lowered as a truth
value, right only as an ``if``/``while`` test). Against central differences and, under
``vmap``, against a loop over the examples."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc


def either(x, y):
    return (x or y) * 2.0


def both(x, y):
    return ((x > 0.5) and y) * 3.0


def chosen(x, y):
    return ((x > 0.5 and np.sin(x)) or np.cos(y)) + y


def zero_or(x, y):
    return (x * (y > 0.5) or y * y) * x


def three(x, y):
    return x * (x > 1.0 or y > 1.0 or x + y > 0.0) + (y and x)


def indexed(x, y):
    z = np.array([x, y])
    return ((x > 0.5 and z[1]) or z[0]) * y


FUNCTIONS = [either, both, chosen, zero_or, three, indexed]
# x = 0.0 picks y by its truth, where the functions jump: no derivative in x there
POINTS = [(0.0, 5.0), (2.0, 5.0), (0.7, 0.2), (0.3, 0.9), (-1.5, 2.5)]


@pytest.mark.parametrize("point", POINTS, ids=str)
@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_gradient_follows_the_chosen_operand(fn, point):
    value, grads = adc.value_and_grad(fn, grad_position=(0, 1))(*point)
    assert value == pytest.approx(fn(*point))
    for i, g in enumerate(grads):
        assert isinstance(g, float)
        if point[0] == 0.0 and i == 0:
            continue
        def along(v, i=i):
            moved = list(point)
            moved[i] = float(v)
            return fn(*moved)
        assert g == pytest.approx(float(central_differences(along, np.float64(point[i]))),
                                  rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_vmap_and_its_gradient_choose_per_example(fn):
    xs = np.array([p[0] for p in POINTS])
    ys = np.array([p[1] for p in POINTS])
    np.testing.assert_allclose(adc.vmap(fn)(xs, ys), [fn(x, y) for x, y in POINTS])
    per_example = adc.vmap(adc.grad(fn, grad_position=(0, 1)))(xs, ys)
    expected = [adc.grad(fn, grad_position=(0, 1))(x, y) for x, y in POINTS]
    np.testing.assert_allclose(np.stack(per_example, axis=1), expected, rtol=1e-12)


def test_truth_values_stay_truth_ops():
    """Comparisons joined by ``and`` read as Python's ``and`` in the generated code."""
    def test(x, y):
        if x > 0.0 and y > 0.0:
            return x * y
        return x
    source = adc.gradient_source(test, (0, 1), args=(1.0, 2.0))
    assert "x > 0.0 and y > 0.0" in source


def halved_until(a, n):
    if a > 3.0 or n > 10:  # decided while compiling once n passes 10, whatever a is
        return a
    return halved_until(a * a + 0.5, n + 1) * 0.5


def test_a_truth_value_known_when_compiling_decides_or_and_and():
    """``x or True`` is true and ``x and False`` false, whatever ``x``: a recursion whose
    base case reads so stops where Python's does (it was unrolled to the depth limit
    and refused)."""
    grad = adc.grad(halved_until)(0.3, 0)
    assert grad == pytest.approx(central_differences(lambda a: halved_until(a, 0), 0.3),
                                 rel=1e-6)

    def mixed(x, n):
        a, b = x > 0.5 or n > 1, x > 0.5 and n > 1
        c, d = n > 1 or x > 0.5, n > 1 and x > 0.5
        return x * a + x * x * b + 3.0 * x * c + 4.0 * x * x * d

    for n in (0, 2):
        for x in (0.25, 0.75):
            value, slope = adc.value_and_grad(mixed)(x, n)
            assert value == pytest.approx(mixed(x, n))
            assert slope == pytest.approx(central_differences(lambda v, n=n: mixed(v, n), x))

"""Every operand of a primitive has a derivative rule, or none declared on purpose:
variadic primitives (joining arrays, ``einsum``) cover any number of operands, and an
operand no rule covers raises rather than getting a zero derivative."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads, extend


def stacked(x):
    return np.sum(np.stack([x * float(i) for i in range(70)]) ** 2)


def concatenated(x):
    return np.sum(np.concatenate([np.sin(x * i) for i in range(66)]) ** 2)


def hstacked(x):
    return np.sum(np.hstack([x[:2] * float(i) for i in range(65)]) ** 3)


def array_of_a_long_list(x):
    return np.sum(np.array([x[i % 3] * i for i in range(150)]) ** 2)


@pytest.mark.parametrize("fn", [stacked, concatenated, hstacked, array_of_a_long_list],
                         ids=lambda f: f.__name__)
def test_joining_more_than_64_arrays_differentiates_every_piece(fn):
    x = np.array([0.3, -0.7, 1.1])
    check_grads(fn, x, generic=False)


def test_the_65th_piece_gets_its_share():
    x = np.array([0.5, 2.0])
    want = 2.0 * x * sum(i * i for i in range(70))
    np.testing.assert_allclose(adc.grad(stacked)(x), want, rtol=1e-12)


def scaled_sum(x, y):
    """A function the compiler is not to read: x * y, summed."""
    return np.sum(x * y)


SCALED_SUM = extend.defprimitive(scaled_sum)
extend.defvjp(SCALED_SUM, lambda g, ans, x, y: g * y)  # no rule for y
extend.defjvp(SCALED_SUM, lambda t, ans, x, y: np.sum(t * y))


def uses_scaled_sum(x, y):
    return scaled_sum(x, y * 2.0)


@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_an_operand_without_a_rule_raises_instead_of_getting_zero(mode):
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    np.testing.assert_allclose(adc.grad(uses_scaled_sum)(x, y), 2.0 * y)  # x has its rule
    with pytest.raises(adc.AutodiffError, match=r"no derivative rule for its operand 1"):
        if mode == "grad":
            adc.grad(uses_scaled_sum, grad_position=1)(x, y)
        else:
            adc.jvp(lambda b: uses_scaled_sum(x, b), (y,), (np.ones(2),))

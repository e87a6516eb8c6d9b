"""A loop whose carried value changes shape or dtype in its first iteration
(``acc = 0.0`` and then arrays added to it; tangent's ``iter_third_pow1`` starts from
``out = 1``): lowered as that iteration, then a loop over the rest, so the value
keeps the shape and dtype a Jacobian or a Hessian needs (they were refused, saying
the shapes were unknown)."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads


def power_from_a_python_one(a):
    out = 1
    for _ in range(3):
        out = out * a
    return out


def sum_from_a_python_zero(xs):
    acc = 0.0
    for t in range(1, 6, 2):
        acc = acc + np.sin(xs[t]) * t
    return acc


def total_of_powers(a):
    return np.sum(power_from_a_python_one(a))


X = np.array([0.5, -1.0, 2.0])
XS = np.random.default_rng(0).uniform(-1.0, 1.0, (6, 3))


@pytest.mark.parametrize("fn, x, want", [
    (power_from_a_python_one, X, np.diag(3 * X ** 2)),
    (sum_from_a_python_zero, XS, None),
], ids=["power", "sum_of_rows"])
def test_jacobians_of_a_loop_whose_carry_settles_after_one_iteration(fn, x, want):
    rows = [adc.vjp(fn, x)[1](e)[0] for e in np.eye(fn(x).size)]
    want = np.array(rows) if want is None else want
    np.testing.assert_allclose(adc.jacrev(fn)(x), want, rtol=1e-12)
    np.testing.assert_allclose(adc.jacfwd(fn)(x), want, rtol=1e-12)
    check_grads(lambda v: np.sum(fn(v) ** 2), x, order=2)


@pytest.mark.parametrize("x, want", [(0.5, 3.0), (X, np.diag(6 * X))], ids=["float", "vector"])
def test_hessian_of_a_loop_from_a_python_number(x, want):
    fn = power_from_a_python_one if np.ndim(x) == 0 else total_of_powers
    np.testing.assert_allclose(adc.hessian(fn)(x), want, rtol=1e-12)


def test_the_first_iteration_is_lowered_on_its_own_and_the_rest_loops():
    source = adc.gradient_source(sum_from_a_python_zero, args=(XS,))
    loops = [line.strip() for line in source.splitlines() if line.strip().startswith("for ")]
    assert len(loops) == 2 and all("range(2)" in line for line in loops), source

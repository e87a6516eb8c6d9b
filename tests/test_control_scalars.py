"""Loops carrying 0-d values (Python floats, NumPy scalars, 0-d arrays, float32, mixed
with arrays) under ``grad`` itself — whose seed is the constant 1.0, not an input as
under ``vjp`` — in shape-specialised and shape-generic code, optimised or not."""
import math

import numpy as np
import pytest
import scalar_loop_cases as cases

import autodiff_compiler as adc
from autodiff_compiler.api import compile_gradient
from autodiff_compiler.options import grad_spec
from autodiff_compiler.pipeline.kinds import abstract

ROWS = np.array([[0.2, -0.5, 0.9], [0.4, 0.1, -0.3], [0.7, 0.3, 0.2]])
BIG_ROWS = np.array([[0.9, 0.5, 0.9], [0.8, 0.7, 0.6], [0.7, 0.3, 0.2]])

CASES = [
    ("python_float_argument", cases.halve_float, (2.0,)),
    ("numpy_scalar_argument", cases.halve_float, (np.float64(2.0),)),
    ("zero_d_array_argument", cases.halve_float, (np.array(2.0),)),
    ("float_over_rows", cases.sum_of_cubed_rows, (ROWS,)),
    ("numpy_scalar_over_rows", cases.numpy_scalar_accumulator, (ROWS,)),
    ("zero_d_array_over_rows", cases.zero_d_array_accumulator, (ROWS,)),
    ("float32_over_float32_rows", cases.float32_accumulator, (ROWS.astype(np.float32),)),
    ("float_and_array", cases.float_and_array_carried, (ROWS,)),
    ("float_over_zip", cases.zipped_products, (ROWS, ROWS[::-1] * 2.0)),
    ("float_over_enumerate", cases.enumerated_weights, (ROWS,)),
    ("while_on_python_float", cases.while_halving, (3.0,)),
    ("while_on_zero_d_array", cases.while_halving, (np.array(3.0),)),
    ("break_and_continue", cases.float_with_break_and_continue, (ROWS,)),
    ("break_taken", cases.float_with_break_and_continue, (BIG_ROWS * 2,)),
    ("early_return_taken", cases.float_with_early_return, (BIG_ROWS,)),
    ("early_return_not_taken", cases.float_with_early_return, (ROWS - 1.0,)),
    ("power_series_of_float", cases.scalar_argument_power_series, (0.7,)),
    ("float_over_range_of_shape", cases.float_carried_over_runtime_range, (ROWS,)),
    ("numpy_scalar_over_enumerate_zip", cases.enumerated_zip, (ROWS, ROWS * 2.0)),
    ("nested_float_loops", cases.nested_float_loops, (ROWS,)),
    ("while_in_for", cases.while_in_for, (ROWS,)),
    ("branch_in_counted_while_true", cases.branch_in_counted_while, (np.array([0.3, 0.4]),)),
    ("branch_in_counted_while_false", cases.branch_in_counted_while, (np.array([-0.3, -0.4]),)),
]


def _moved(args, i, k, step):
    """``args`` with element ``k`` of argument ``i`` moved by ``step``, kind kept."""
    moved = np.array(args[i], np.float64)
    moved[k] += step
    new = list(args)
    new[i] = moved if isinstance(args[i], np.ndarray) else type(args[i])(moved[()])
    return new


def _numeric_grads(fn, args, positions, eps=1e-6):
    grads = []
    for i in positions:
        g = np.zeros(np.shape(args[i]))
        for k in np.ndindex(g.shape):
            plus, minus = fn(*_moved(args, i, k, eps)), fn(*_moved(args, i, k, -eps))
            g[k] = (float(plus) - float(minus)) / (2 * eps)
        grads.append(g)
    return grads


def _pipelines(fn, args, positions):
    """The gradient from each pipeline: specialised or generic, optimised or not."""
    spec = grad_spec(positions, None, False, False, False)
    for specialize in (True, False):
        for optimize in (True, False):
            abstract_args = [abstract(a, specialize) for a in args]
            compiled = compile_gradient(fn, spec, abstract_args, optimize=optimize)
            yield f"specialize={specialize}, optimize={optimize}", \
                compiled.finish(compiled.run(tuple(args)))


@pytest.mark.parametrize("fn, args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_zero_d_loop_carry_gradient_matches_finite_differences(fn, args):
    positions = tuple(range(len(args)))
    expected = _numeric_grads(fn, args, positions)
    got = adc.grad(fn, positions)(*args)
    got = got if isinstance(got, tuple) else (got,)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.asarray(g, np.float64), e, rtol=1e-4, atol=1e-6)
    for how, grads in _pipelines(fn, args, positions):
        grads = grads if isinstance(grads, tuple) else (grads,)
        for g, e in zip(grads, expected):
            np.testing.assert_allclose(np.asarray(g, np.float64), e, rtol=1e-4, atol=1e-6,
                                       err_msg=how)


@pytest.mark.parametrize("arg", [2.0, np.float64(2.0), np.array(2.0), np.float32(2.0)],
                         ids=["float", "float64_scalar", "zero_d_array", "float32_scalar"])
def test_zero_d_loop_carry_gradient_keeps_the_argument_kind(arg):
    g = adc.grad(cases.halve_float)(arg)
    assert g == pytest.approx(0.125)
    assert np.ndim(g) == 0


def test_zero_d_loop_carry_source_is_a_loop():
    source = adc.gradient_source(cases.sum_of_cubed_rows, args=(ROWS,))
    assert "for " in source and "KeyError" not in source


def cosine_weighted_recurrence(x):
    h = 0.0
    for t in range(3):
        h = np.tanh(h + x * math.cos(t) + math.exp(-t))
    return h


def summed_recurrence(x):
    return np.sum(cosine_weighted_recurrence(x))


@pytest.mark.parametrize("x", [np.float32(0.37), np.array([0.3, -0.2], np.float32)])
def test_math_of_a_loop_index_is_a_python_float_and_keeps_float32(x):
    """``math.cos(t)`` of a rolled loop's index ran as ``np.cos(t)``, a float64 scalar
    that made a float32 computation float64 (value, gradient and tangent), where Python
    gives a float, which NumPy does not promote by (found by a stress round)."""
    eager = np.asarray(summed_recurrence(x)).dtype  # float32 (NumPy 1: of a float32
    value, grad = adc.value_and_grad(summed_recurrence)(x)  # scalar, float64)
    assert np.asarray(value).dtype == eager and np.asarray(grad).dtype == np.float32
    assert value == pytest.approx(float(summed_recurrence(x)), rel=1e-6)
    tangent = adc.jvp(cosine_weighted_recurrence, x, np.ones_like(x))[1]
    assert np.asarray(tangent).dtype == np.asarray(cosine_weighted_recurrence(x)).dtype
    adc.check_grads(summed_recurrence, x.astype(np.float64))

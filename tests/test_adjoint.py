"""The reverse pass on composite programs: fan-out, constants, broadcasting, activity."""
import adjoint_cases as cases
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autodiff_compiler as adc
from autodiff_compiler import check_grads

FLOATS = st.floats(-2.0, 2.0, allow_nan=False, width=64)


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                 max_side=3), data=st.data())
def test_broadcasting_chain_matches_finite_differences(shapes, data):
    x_shape, y_shape = shapes.input_shapes
    x = data.draw(hnp.arrays(np.float64, x_shape, elements=FLOATS))
    y = data.draw(hnp.arrays(np.float64, y_shape, elements=FLOATS))
    check_grads(cases.broadcast_chain, x, y)


@settings(max_examples=15, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4),
                    elements=FLOATS))
def test_fanout_accumulates_adjoints(x):
    check_grads(cases.fanout, x)
    a = np.tanh(x)
    expected = (3 * a ** 2 + 2 * a) * (1 - a ** 2)
    np.testing.assert_allclose(adc.grad(cases.fanout)(x), expected, rtol=1e-12, atol=1e-12)


def test_constant_paths_get_no_adjoint_and_unused_input_gets_zeros():
    x, y = np.array([1.0, 2.0]), np.array([[3.0]])
    gx, gy = adc.grad(cases.constant_paths, (0, 1))(x, y)
    np.testing.assert_array_equal(gx, [3.0, 3.0])
    np.testing.assert_array_equal(gy, [[0.0]])
    source = adc.grad(cases.constant_paths, (0, 1)).source(x, y)
    assert "g_y = np.zeros_like(y)" in source


@pytest.mark.parametrize("a_shape, b_shape", [((3,), (3, 2)), ((2, 3), (3,)), ((4, 2, 3), (3, 2)),
                                              ((2, 3), (3, 4)), ((2, 2, 3), (2, 3, 1))])
def test_mean_of_matmul_in_rank_combinations(a_shape, b_shape):
    rng = np.random.default_rng(1)
    check_grads(cases.mean_of_matmul, rng.normal(size=a_shape) * 0.5,
                rng.normal(size=b_shape) * 0.5)


@pytest.mark.parametrize("shape", [(2, 3), (1, 1), (4, 1)])
def test_reductions_with_axis_and_keepdims(shape):
    check_grads(cases.reductions, np.random.default_rng(2).normal(size=shape))


def test_float32_program_gives_float32_gradients_close_to_float64():
    x = np.linspace(-1, 1, 6).reshape(2, 3)
    y = np.array([0.5, -0.25, 1.5])
    g64 = adc.grad(cases.broadcast_chain, (0, 1))(x, y)
    g32 = adc.grad(cases.broadcast_chain, (0, 1))(x.astype(np.float32), y.astype(np.float32))
    for a, b in zip(g32, g64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_second_order_of_composite():
    check_grads(cases.fanout, np.array([0.3, -0.6]), order=2)


def test_dead_code_is_eliminated():
    source = adc.grad(cases.constant_paths, 0).source(np.ones(2), np.ones(1))
    code = [line for line in source.splitlines() if not line.strip().startswith("#")]
    assert not any("zeros_like(y)" in line for line in code)  # y's term cannot matter

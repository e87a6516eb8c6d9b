"""Slices at a loop's index that select a known number of entries: windows.

``x[t:t + 2]`` in a loop over a range known when compiling selects two entries at
every step where the array leaves room; the compiler proves it step by step and reads
a window of known shape (``frontend.windows``), so the loop's carry keeps its shape,
its adjoint adds into a basic slice and vmap batches it as any array. Where a step
would select fewer entries, or wrap around from a negative start, the slice stays
NumPy's at run time. Both are checked against finite differences in float64, in
forward and reverse mode, at second order and under vmap.
"""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads


def sliding_sum(x):
    acc = np.zeros(2)
    for t in range(30):
        acc = acc * 0.5 + np.sin(x[t:t + 2])
    return np.sum(acc ** 2)


def columns_and_rows(x):
    acc = np.zeros(3)
    for t in range(5):  # a window on the second axis, beside a slice and an int
        acc = acc + np.tanh(x[:3, 2 * t:2 * t + 2]).sum(axis=1) * x[t, t + 1:t + 4]
    return np.sum(acc * acc)


def shifted_by_a_counter_read_backwards(x):
    acc = 0.0
    for t in reversed(range(20)):
        s = 19 - t
        acc = acc + np.sum(np.cos(x[s + 1:s + 4]) * x[2 * t:2 * t + 3])
    return acc


def clipped_at_the_end(x):  # the last steps select fewer entries: NumPy's slice
    acc = 0.0
    for t in range(30):
        acc = acc + np.sum(np.sin(x[t:t + 15]))
    return acc


def wrapping_at_the_first_step(x):  # x[-1:1] selects nothing: that step is peeled off
    acc = 0.0  # (a loop's first step runs apart), the others are windows
    for t in range(20):
        acc = acc + np.sum(np.cos(x[t - 1:t + 1]) ** 2)
    return acc


def wrapping_at_the_start(x):  # x[-3:-1], x[-2:0], x[-1:1]: NumPy's slice
    acc = 0.0
    for t in range(20):
        acc = acc + np.sum(np.cos(x[t - 3:t - 1]) ** 2)
    return acc


def windows_written_in_place(x):
    y = np.zeros_like(x)
    for t in range(20):
        y[t:t + 3] += np.tanh(x[t:t + 3]) * (t + 1.0)
    return np.sum(y * x)


def recurrence_written_into_rows(x):  # y[t + 1:t + 3] reads what the last step wrote
    y = np.zeros((x.shape[0] + 2, 3))
    for t in range(20):
        y[t + 1:t + 3] = np.sin(y[t:t + 2]) * 0.5 + x[t:t + 2]
    return np.sum(y ** 2)


def columns_written(x):
    y = np.zeros((2, 30))
    for t in range(10):
        y[:, 2 * t:2 * t + 3] += x[:, t:t + 3] * np.cos(x[:, t + 1:t + 4])
    return np.sum(y * y)


CASES = [(sliding_sum, (40,)), (columns_and_rows, (6, 12)),
         (shifted_by_a_counter_read_backwards, (45,)), (clipped_at_the_end, (40,)),
         (wrapping_at_the_first_step, (40,)), (wrapping_at_the_start, (40,)),
         (windows_written_in_place, (25,)), (recurrence_written_into_rows, (22, 3)),
         (columns_written, (2, 14))]
PROVEN = {sliding_sum, columns_and_rows, shifted_by_a_counter_read_backwards,
          wrapping_at_the_first_step, windows_written_in_place, recurrence_written_into_rows,
          columns_written}


@pytest.mark.parametrize("fn, shape", CASES, ids=[f.__name__ for f, _ in CASES])
def test_gradients_match_finite_differences(fn, shape):
    x = np.random.default_rng(1).normal(size=shape)
    check_grads(fn, x, order=2, modes=("fwd", "rev"))
    gradient = adc.grad(fn)
    source, ir = gradient.source(x), str(gradient.compiled_for((x,)).ir)
    assert ("window " in ir) == (fn in PROVEN), ir
    if fn in PROVEN:  # every shape known: nothing summed back to one at run time
        assert "unbroadcast" not in source and "gather" not in source, source


@pytest.mark.parametrize("fn, shape", CASES, ids=[f.__name__ for f, _ in CASES])
def test_vmap_of_the_gradient_matches_each_example(fn, shape):
    xs = np.random.default_rng(2).normal(size=(4, *shape))
    gradient = adc.grad(fn)
    np.testing.assert_allclose(adc.vmap(gradient)(xs), np.stack([gradient(x) for x in xs]),
                               rtol=1e-12)
    hessian_vector = adc.grad(lambda x, v: np.sum(gradient(x) * v))
    vs = np.random.default_rng(3).normal(size=(4, *shape))
    np.testing.assert_allclose(adc.vmap(hessian_vector)(xs, vs),
                               np.stack([hessian_vector(x, v) for x, v in zip(xs, vs)]),
                               rtol=1e-10)


def test_a_window_keeps_the_carry_s_shape_and_dtype():
    """The carry keeps shape (2,) and float32: the loop is not peeled nor made generic."""
    x = np.linspace(0.0, 1.0, 40, dtype=np.float32)
    g = adc.grad(sliding_sum)(x)
    assert g.dtype == np.float32 and g.shape == (40,)
    want = adc.grad(sliding_sum)(x.astype(np.float64))
    np.testing.assert_allclose(g, want, rtol=1e-4)


def test_the_window_is_proven_for_the_loop_s_own_range_only():
    """A bound read from the data (not the counter) is never taken for a window."""
    def by_data(x, n):
        acc = 0.0
        for t in range(5):
            acc = acc + np.sum(x[n + t:n + t + 2])
        return acc

    x = np.arange(10.0)
    assert "window(" not in adc.grad(by_data).source(x, 7)
    np.testing.assert_array_equal(adc.grad(by_data)(x, 7), [0, 0, 0, 0, 0, 0, 0, 1, 2, 2])


@pytest.mark.parametrize("backend", ["numba", "dask", "array_api"])
@pytest.mark.parametrize("fn, shape", [(sliding_sum, (40,)),
                                       (recurrence_written_into_rows, (22, 3)),
                                       (columns_written, (2, 14))],
                         ids=["read", "rows_written", "columns_written"])
def test_other_backends_run_windows(backend, fn, shape):
    pytest.importorskip({"numba": "numba", "dask": "dask.array",
                         "array_api": "array_api_strict"}[backend])
    x = np.random.default_rng(4).normal(size=shape)
    arg = x
    if backend == "dask":
        import dask.array as da
        arg = da.from_array(x, chunks=5)
    elif backend == "array_api":
        import array_api_strict as xp
        arg = xp.asarray(x)
    got = adc.grad(fn, backend=backend)(arg)
    got = got.compute() if backend == "dask" else got
    np.testing.assert_allclose(np.asarray(got), adc.grad(fn)(x), rtol=1e-12)

"""Calls that have no derivative rule and need none, lowered instead of refused: a
clock read when the code runs, a memoized helper compiled through to the function it
wraps, a SciPy or NumPy function of numbers alone computed while compiling; and a
function whose text Python does not have refused at the line that calls it."""
from __future__ import annotations

import functools
import os
import time

import numpy as np
import pytest
import scipy.special
from differences import central_differences

import autodiff_compiler as adc

X = np.array([0.3, -1.4, 2.1])


def timed(fn):
    @functools.wraps(fn)
    def wrapper(*args):
        start = time.perf_counter()
        out = fn(*args)
        return out, time.perf_counter() - start
    return wrapper


@timed
def timed_loss(x):
    return np.sum(np.sin(x) * x)


def test_a_timing_decorator_reads_the_clock_when_the_code_runs():
    """``time.perf_counter()`` was refused as a call with no derivative rule. Read while
    compiling, the elapsed time would be the compilation's: it is read at each call."""
    gradient = adc.grad(timed_loss, has_aux=True)
    before = time.perf_counter()
    for _ in range(2):
        g, (elapsed,) = gradient(X)  # (has_aux: the outputs after the first, a tuple)
        np.testing.assert_allclose(g, np.sin(X) + X * np.cos(X), rtol=1e-12)
        assert isinstance(elapsed, float) and 0.0 <= elapsed < time.perf_counter() - before


def stamped(x):
    return np.sum(x * x), (time.time(), time.perf_counter_ns())


def test_each_call_reads_the_clock_anew():
    gradient = adc.grad(stamped, has_aux=True)
    _, ((first, first_ns),) = gradient(X)
    time.sleep(0.01)
    _, ((second, second_ns),) = gradient(X)
    assert isinstance(first_ns, int) and second - first >= 0.01
    assert second_ns - first_ns >= 10_000_000


@functools.lru_cache(maxsize=16)
def difference_operator(n):
    return np.diag(np.ones(n - 1), 1) - np.eye(n)


@functools.cache
def weights(n, scale):
    return scale * np.arange(1.0, n + 1)


def smoothness(x):
    d = difference_operator(x.shape[0])
    return np.sum((d @ x) ** 2) + np.sum(weights(x.shape[0], 0.5) * x)


def test_a_memoized_helper_is_compiled_through_to_the_function_it_wraps():
    np.testing.assert_allclose(adc.grad(smoothness)(X),
                               central_differences(smoothness, X), rtol=1e-7)


def memoized_of_an_array(x):
    return np.sum(difference_operator(x))


def test_a_memoized_helper_of_an_array_is_refused_as_python_raises():
    with pytest.raises(TypeError):
        memoized_of_an_array(X)
    with pytest.raises(adc.AutodiffError, match="lru_cache") as err:
        adc.grad(memoized_of_an_array)(X)
    assert "test_library_calls.py" in str(err.value)


def binomial_weighted(x):
    return np.sum(x ** 2) * scipy.special.comb(5, 2) + scipy.special.factorial(3) * x[0]


def test_scipy_of_numbers_alone_is_computed_while_compiling():
    np.testing.assert_allclose(adc.grad(binomial_weighted)(X),
                               central_differences(binomial_weighted, X), rtol=1e-7)


def reads_the_environment(x):
    return float(os.environ.get("ADC_TEST_SCALE", "2.0")) * np.sum(x ** 2)


def test_a_function_without_its_text_is_refused_at_the_line_calling_it():
    """``os.environ.get`` is ``Mapping.get`` of a frozen module: the error named
    ``<frozen _collections_abc>:771``, no line of the user's."""
    with pytest.raises(adc.AutodiffError, match=r"Mapping\.get") as err:
        adc.grad(reads_the_environment)(X)
    message = str(err.value)
    assert "test_library_calls.py" in message and "os.environ.get" in message
    assert "pass it in" in message

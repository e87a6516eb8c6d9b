"""The numba backend's own float64 maths (``runtime.fast_sin``, ``fast_cos``,
``fast_exp``, ``fast_sigmoid``, ``fast_tanh``) and the kernels that use them.

Their constants are checked against pi and ln 2 computed here to 256 bits; their values
against the C library's (``math.exp``, ``math.tanh``; NumPy's float64 ``sin``/``cos``
are the C library's) on families of inputs and on any float hypothesis draws in range:
sine, cosine and the exponential within 2 ulp (1 measured for the exponential), tanh
within 4, the logistic function within 4 of its value in long double; and a kernel
given arguments outside the range (huge, infinite, nan) must answer as the NumPy
backend does, through its twin.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

pytest.importorskip("numba")

import math
import re

import numba

import autodiff_compiler as adc
from autodiff_compiler.backends.numba import kernels, runtime

ULPS = 2


def _pi(bits: int) -> Fraction:
    """pi to ``bits`` bits, by Machin's formula pi = 16 atan(1/5) - 4 atan(1/239)."""
    one = 1 << (bits + 16)  # guard bits

    def atan_inverse(n: int) -> int:
        total, power, k = 0, one // n, 0
        while power:
            total += (-1) ** k * (power // (2 * k + 1))
            power //= n * n
            k += 1
        return total

    return Fraction(16 * atan_inverse(5) - 4 * atan_inverse(239), one)


def _ln2(bits: int) -> Fraction:
    """ln 2 to ``bits`` bits, by ln 2 = sum over k >= 1 of 1 / (k 2^k)."""
    one = 1 << (bits + 16)
    return Fraction(sum(one // (k << k) for k in range(1, bits + 17)), one)


def _significant_bits(x: float) -> int:
    mantissa = Fraction(x)
    while mantissa.denominator != 1:
        mantissa *= 2
    return int(mantissa.numerator).bit_length() - (
        (int(mantissa.numerator) & -int(mantissa.numerator)).bit_length() - 1)


def test_the_split_of_pi_over_2_is_exact_to_well_beyond_float64() -> None:
    half_pi = _pi(256) / 2
    split = Fraction(runtime.PIO2_1) + Fraction(runtime.PIO2_2) + Fraction(runtime.PIO2_3)
    assert abs(split - half_pi) < Fraction(1, 2 ** 120)
    # k * PIO2_1 and k * PIO2_2 are exact for |k| < 2^20: 33 + 20 bits fit in 53
    assert _significant_bits(runtime.PIO2_1) <= 33 and _significant_bits(runtime.PIO2_2) <= 33
    two_over_pi = 1 / (half_pi)
    assert abs(Fraction(runtime.TWO_OVER_PI) - two_over_pi) <= \
        Fraction(np.spacing(runtime.TWO_OVER_PI)) / 2
    assert runtime.SINCOS_LIMIT / runtime.PIO2_1 <= 2 ** 19


def test_the_split_of_ln_2_is_exact_to_well_beyond_float64() -> None:
    ln2 = _ln2(256)
    assert abs(Fraction(runtime.LN2_HI) + Fraction(runtime.LN2_LO) - ln2) < Fraction(1, 2 ** 85)
    # k * LN2_HI is exact for |k| <= 2^21: 32 + 21 bits fit in 53
    assert _significant_bits(runtime.LN2_HI) <= 32
    assert abs(Fraction(runtime.LOG2_E) - 1 / ln2) <= Fraction(np.spacing(runtime.LOG2_E)) / 2
    # within the limit, k = round(x / ln 2) keeps 2^k and e^x normal
    assert runtime.EXP_LIMIT / math.log(2) + 0.5 < 1023
    assert math.exp(-runtime.EXP_LIMIT) > np.finfo(float).tiny


def _over_arrays(fn):
    """``fn`` (a ``runtime`` function) evaluated over an array, in a compiled loop as a
    kernel evaluates it."""
    @numba.njit(error_model="numpy")
    def over(x):
        out = np.empty_like(x)
        for i in range(x.size):
            out[i] = fn(x[i])
        return out
    return over


_SIN, _COS, _EXP, _SIGMOID, _TANH = map(_over_arrays, (
    runtime.fast_sin, runtime.fast_cos, runtime.fast_exp, runtime.fast_sigmoid,
    runtime.fast_tanh))


def _fast_both(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _SIN(x), _COS(x)


def _ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    return np.abs(got - want) / np.spacing(np.maximum(np.abs(want), np.finfo(float).tiny))


_RNG = np.random.default_rng(0)
FAMILIES = {
    "normal": _RNG.standard_normal(100_000),
    "|x| < 1e5": _RNG.uniform(-1e5, 1e5, 100_000),
    "|x| < limit": _RNG.uniform(-runtime.SINCOS_LIMIT, runtime.SINCOS_LIMIT, 100_000),
    "near k pi/2": np.arange(-50_000, 50_000) * (np.pi / 2),
    "near k pi/4": np.arange(-50_000, 50_000) * (np.pi / 4),
    "tiny": _RNG.standard_normal(10_000) * 1e-9,
    "subnormal": np.array([5e-324, -5e-324, 1e-310, -2.2e-308]),
}


@pytest.mark.parametrize("family", list(FAMILIES))
def test_within_2_ulp_of_the_c_library(family: str) -> None:
    x = FAMILIES[family]
    sine, cosine = _fast_both(x)
    assert _ulps(sine, np.sin(x)).max() <= ULPS
    assert _ulps(cosine, np.cos(x)).max() <= ULPS


@settings(max_examples=300, deadline=None)
@given(st.floats(-runtime.SINCOS_LIMIT, runtime.SINCOS_LIMIT))
def test_any_float_in_range_is_within_2_ulp(x: float) -> None:
    sine, cosine = _fast_both(np.array([x]))
    assert _ulps(sine, np.sin([x]))[0] <= ULPS
    assert _ulps(cosine, np.cos([x]))[0] <= ULPS


def test_signed_zeros_are_kept() -> None:
    sine, cosine = _fast_both(np.array([0.0, -0.0]))
    np.testing.assert_array_equal(np.signbit(sine), [False, True])
    np.testing.assert_array_equal(cosine, [1.0, 1.0])


def _fast_exp_sigmoid(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return _EXP(x), _SIGMOID(x)


def _sigmoid_long(x: np.ndarray) -> np.ndarray:
    """The logistic function in long double, rounded to float64 once."""
    x = x.astype(np.longdouble)
    return (1 / (1 + np.exp(-x))).astype(np.float64)


_C_EXP = np.vectorize(math.exp, otypes=[float])
_LIMIT = runtime.EXP_LIMIT
EXP_FAMILIES = {
    "normal": _RNG.standard_normal(100_000),
    "|x| < limit": _RNG.uniform(-_LIMIT, _LIMIT, 100_000),
    "near k ln(2)/2": np.arange(-2000, 2000) * (math.log(2) / 2),
    "near the limit": np.concatenate([np.linspace(_LIMIT - 1, _LIMIT, 1000),
                                      np.linspace(-_LIMIT, 1 - _LIMIT, 1000)]),
    "tiny": _RNG.standard_normal(10_000) * 1e-9,
    "zeros and subnormal": np.array([0.0, -0.0, 5e-324, -5e-324, 1e-310, -2.2e-308]),
}
_LONG_DOUBLE = np.finfo(np.longdouble).eps < np.finfo(np.float64).eps


@pytest.mark.parametrize("family", list(EXP_FAMILIES))
def test_exp_within_2_ulp_and_sigmoid_within_4(family: str) -> None:
    x = EXP_FAMILIES[family]
    exp, sigmoid = _fast_exp_sigmoid(x)
    assert _ulps(exp, _C_EXP(x)).max() <= ULPS
    if _LONG_DOUBLE:
        assert _ulps(sigmoid, _sigmoid_long(x)).max() <= 4


@settings(max_examples=300, deadline=None)
@given(st.floats(-runtime.EXP_LIMIT, runtime.EXP_LIMIT))
def test_any_float_in_range_of_exp_is_within_2_ulp(x: float) -> None:
    exp, sigmoid = _fast_exp_sigmoid(np.array([x]))
    assert _ulps(exp, np.array([math.exp(x)]))[0] <= ULPS
    if _LONG_DOUBLE:
        assert _ulps(sigmoid, _sigmoid_long(np.array([x])))[0] <= 4


_C_TANH = np.vectorize(math.tanh, otypes=[float])
TANH_ULPS = 4  # the C library's own tanh is up to 2.3 ulp from the true value
TANH_FAMILIES = {
    "normal": _RNG.standard_normal(100_000),
    "|x| < 25": _RNG.uniform(-25, 25, 100_000),
    "|x| < 0.5": _RNG.uniform(-0.5, 0.5, 100_000),
    "tiny": _RNG.standard_normal(10_000) * 1e-9,
    "zeros, subnormal, saturated": np.array([0.0, -0.0, 5e-324, -1e-310, 19.06, -20.0, 1e300,
                                             np.inf, -np.inf]),
}


@pytest.mark.parametrize("family", list(TANH_FAMILIES))
def test_tanh_within_4_ulp_of_the_c_library(family: str) -> None:
    x = TANH_FAMILIES[family]
    got, want = _TANH(x), _C_TANH(x)
    assert _ulps(got, want).max() <= TANH_ULPS
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False))
def test_tanh_of_any_float_is_within_4_ulp(x: float) -> None:
    assert _ulps(_TANH(np.array([x])), np.array([math.tanh(x)]))[0] <= TANH_ULPS


def waves(x):
    return np.sum(np.sin(3 * x) * np.cos(x) + np.cos(x + 1))


def softplus_growth(x):
    """Its gradient is ``sigmoid(x) + exp(x / 4) / 4``: both fast in a kernel."""
    return np.sum(np.logaddexp(0.0, x) + np.exp(x / 4))


def saturating(x):
    """tanh everywhere in range but at nan: its kernel's twin answers only for nan."""
    return np.sum(np.tanh(x * 3.0) + x)


OUTSIDE = [800.0, -800.0, 1e7, -1e300, np.inf, -np.inf, np.nan]
RANGED = [(waves, "fast_sin("), (softplus_growth, "fast_sigmoid("), (saturating, "fast_tanh(")]


@pytest.mark.parametrize("fn,fast", RANGED, ids=[fn.__name__ for fn, _ in RANGED])
@pytest.mark.parametrize("bad", OUTSIDE, ids=repr)
@pytest.mark.parametrize("shape", [(7,), (4, 5), (513, 512)], ids=str)
def test_a_kernel_given_arguments_out_of_range_answers_as_numpy(fn, fast: str, bad: float,
                                                                 shape: tuple) -> None:
    x = np.random.default_rng(1).normal(size=shape)
    x.flat[-1] = bad  # one argument outside, in the last iteration (of a parallel nest)
    vg = adc.value_and_grad(fn, backend="numba")
    source = vg.compiled_for((x,)).source
    assert fast in source and "_exact(" in source
    with np.errstate(all="ignore"):
        value, grad = vg(x)
        want_value, want_grad = adc.value_and_grad(fn)(x)
    np.testing.assert_array_equal(np.isnan(grad), np.isnan(want_grad))
    # terms of magnitude up to 4 cancel in ``waves``' gradient: an absolute bound too
    eps = np.finfo(float).eps
    np.testing.assert_allclose(grad, want_grad, rtol=8 * eps, atol=32 * eps)
    assert np.isnan(value) == np.isnan(want_value)


@pytest.mark.parametrize("fn", [waves, softplus_growth, saturating])
def test_in_range_the_kernel_agrees_with_numpy_in_parallel_nests(fn) -> None:
    x = np.linspace(-20, 20, kernels.PARALLEL_MIN * 2).reshape(-1, 512)
    vg = adc.value_and_grad(fn, backend="numba")
    assert "prange(" in vg.compiled_for((x,)).source
    value, grad = vg(x)
    want_value, want_grad = adc.value_and_grad(fn)(x)
    scale = np.max(np.abs(want_grad))
    np.testing.assert_allclose(grad, want_grad, rtol=0, atol=8 * np.finfo(float).eps * scale)
    assert abs(value - want_value) <= x.size * np.finfo(float).eps * np.sum(np.abs(want_grad))


@pytest.mark.parametrize("fn", [waves, softplus_growth, saturating])
def test_float32_keeps_the_c_library(fn) -> None:
    x = np.linspace(-2, 2, 24, dtype=np.float32)
    source = adc.grad(fn, backend="numba").compiled_for((x,)).source
    assert not re.search(r"\bfast_\w+\(", source) and "_exact" not in source


def split_sums(x):
    """Sums of every form in nests with fast functions: over the innermost axis (four
    partial sums), keeping it, a maximum, a mean; the gradient adds its own."""
    e = np.exp(x * 0.5)
    inner = np.sum(np.tanh(x), axis=-1)
    return (np.sum(e) + np.sum(np.max(np.sin(x), axis=-1)) + np.sum(np.mean(e, axis=0) * 2.0)
            + np.sum(inner ** 2))


@pytest.mark.parametrize("shape", [(13,), (3, 11), (5, 16), (2, 3, 9), (6,)], ids=str)
def test_split_loops_sum_as_numpy_does(shape: tuple) -> None:
    x = np.random.default_rng(2).normal(size=shape)
    vg = adc.value_and_grad(split_sums, backend="numba")
    source = vg.compiled_for((x,)).source
    kernels = source.split("@numba.njit")[1:]
    loops = [k.count(" in range(") for k in kernels]
    exact = sum(n for k, n in zip(kernels, loops) if "_exact(" in k.split("\n")[1])
    assert sum(loops) - exact > exact  # the fast kernels sum in loops of their own
    assert ("range(0, " in source) == (shape[-1] >= 8)  # partial sums from 8 terms
    value, grad = vg(x)
    want_value, want_grad = adc.value_and_grad(split_sums)(x)
    bound = 8 * x.size * np.finfo(float).eps
    assert abs(value - want_value) <= bound * (abs(want_value) + x.size)
    np.testing.assert_allclose(grad, want_grad, rtol=bound, atol=bound)


def test_an_argument_is_checked_once_against_its_tightest_limit() -> None:
    x = np.random.default_rng(3).normal(size=(3, 11))
    source = adc.value_and_grad(split_sums, backend="numba").compiled_for((x,)).source
    first = next(line for line in source.splitlines() if "outside += " in line)
    # x feeds tanh (in range but for nan) and sin (|x| < SINCOS_LIMIT): one check
    assert first.count("abs(x[i0, i1])") == 1 and "SINCOS_LIMIT" in first
    assert "TANH_LIMIT" not in first

"""What kernels call besides NumPy: compiled by numba with them, and imported by each
kernel module by name (so numba's on-disk cache of a kernel stays valid: the kernel's
file names its version of this module, see ``cache``)."""
from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic, overload


def item(x):
    """A 0-d operand's value: the element of a 0-d array, a NumPy scalar as it is
    (either reaches a kernel where the compiler knows only "a 0-d float32")."""
    return x[()] if isinstance(x, np.ndarray) else x


@overload(item)
def _item(x):
    if isinstance(x, numba.types.Array):
        return lambda x: x[()]
    return lambda x: x


@numba.njit(cache=True, error_model="numpy")
def sigmoid(x):
    """``1 / (1 + e^-x)`` never overflowing: through ``e^x`` for negative ``x``."""
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)
    return z / (1 + z)


@numba.njit(cache=True, error_model="numpy")
def floor_divide(a, b):
    """NumPy's ``a // b`` of floats (its ``npy_divmod``): through ``fmod``, so that
    ``inf // 0.5`` is nan and ``-5 // inf`` is -1, where numba's ``floor(a / b)``
    gives inf and -0."""
    if b == 0:
        return a / b
    mod = np.fmod(a, b)
    div = (a - mod) / b
    if mod != 0 and (b < 0) != (mod < 0):
        div -= 1
    if div == 0:
        return np.copysign(div * 0, a / b)
    floored = np.floor(div)
    return floored + 1 if div - floored > 0.5 else floored


@numba.njit(cache=True, error_model="numpy")
def mod(a, b):
    """NumPy's ``a % b`` of floats: a zero result takes the divisor's sign (``2 %
    -0.5`` is -0.0), where numba's is always +0."""
    remainder = np.fmod(a, b)
    if b == 0:
        return remainder
    if remainder == 0:
        return np.copysign(remainder * 0, b)
    return remainder + b if (b < 0) != (remainder < 0) else remainder


# ---------------------------------------------------------------- sine and cosine
#
# The C library's ``sin`` and ``cos`` take about 11 ns a value here, one value at a
# time, and NumPy's float64 ufuncs call them too. These take about 0.4 ns: straight-line
# arithmetic, no branch and no call, so the compiler evaluates a loop of them several
# values at a time in SIMD registers. Both reduce ``x`` to ``r`` in [-pi/4, pi/4] with
# ``x = k pi/2 + r`` (Cody and Waite's split of pi/2 into three parts, the first two of
# 33 significant bits, so ``k * PIO2_1`` and ``k * PIO2_2`` are exact for |k| < 2^20),
# then evaluate sine and cosine of ``r`` by their Taylor series (terms to r^17 and r^16:
# the first omitted is below 2^-60 on [-pi/4, pi/4]) and pick by the quadrant ``k mod 4``.
# Measured against the C library on 10^6 values each of normal deviates, |x| < 1e5 and
# |x| < SINCOS_LIMIT: at most 2 ulp apart. Beyond SINCOS_LIMIT (or for inf and nan) the
# reduction is not exact: a kernel counts such arguments and then evaluates everything
# again with the C library's functions (see ``kernels``).

PIO2_1 = float.fromhex("0x1.921fb54400000p+0")  # pi/2 = PIO2_1 + PIO2_2 + PIO2_3
PIO2_2 = float.fromhex("0x1.0b4611a600000p-34")
PIO2_3 = float.fromhex("0x1.3198a2e037073p-69")
TWO_OVER_PI = float.fromhex("0x1.45f306dc9c883p-1")
SINCOS_LIMIT = 2.0 ** 19 * PIO2_1
_ROUND = 1.5 * 2.0 ** 52  # (v + _ROUND) - _ROUND is v rounded to an integer, |v| < 2^51
_TINY = 2.0 ** -27  # below it sin(r) rounds to r (r^3/6 < half an ulp), -0.0 included


def _taylor(first: int) -> tuple[float, ...]:
    """The Taylor coefficients (-1)^n / (2n + first)! for n = 1..8."""
    return tuple((-1) ** n / math.factorial(2 * n + first) for n in range(1, 9))


_S1, _S2, _S3, _S4, _S5, _S6, _S7, _S8 = _taylor(1)
_C2, _C3, _C4, _C5, _C6, _C7, _C8 = _taylor(0)[1:]  # 1 - r^2/2 is written out


@numba.njit(inline="always", error_model="numpy")
def _reduced(x):
    """``r`` and ``k`` with ``x = k pi/2 + r``, |r| <= pi/4 (for |x| < SINCOS_LIMIT)."""
    k = (x * TWO_OVER_PI + _ROUND) - _ROUND
    r = ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_3
    return r, np.int64(k)


@numba.njit(inline="always", error_model="numpy")
def _sine_cosine(r):
    """sin(r) and cos(r) for |r| <= pi/4. The cosine adds ``1 - r^2/2`` last and
    carries the rounding error of that subtraction, as fdlibm's kernel does."""
    z = r * r
    sine = r + r * z * (_S1 + z * (_S2 + z * (_S3 + z * (_S4 + z * (_S5 + z * (
        _S6 + z * (_S7 + z * _S8)))))))
    sine = r if abs(r) < _TINY else sine
    half = 0.5 * z
    w = 1.0 - half
    cosine = w + (((1.0 - w) - half) + z * z * (_C2 + z * (_C3 + z * (_C4 + z * (
        _C5 + z * (_C6 + z * (_C7 + z * _C8)))))))
    return sine, cosine


@numba.njit(inline="always", error_model="numpy")
def fast_sin(x):
    """sin(x) for |x| < SINCOS_LIMIT, in SIMD registers (see above)."""
    r, k = _reduced(x)
    sine, cosine = _sine_cosine(r)
    value = cosine if k & 1 else sine
    return -value if k & 2 else value


@numba.njit(inline="always", error_model="numpy")
def fast_cos(x):
    """cos(x) for |x| < SINCOS_LIMIT, in SIMD registers (see above)."""
    r, k = _reduced(x)
    sine, cosine = _sine_cosine(r)
    value = sine if k & 1 else cosine
    return -value if (k + 1) & 2 else value


# ---------------------------------------------------------------- exponential
#
# NumPy's float64 ``exp`` is SIMD code (about 1 ns a value here); the C library's, which
# a kernel would call, takes several. This one is straight-line arithmetic like the sine:
# ``x = k ln 2 + r`` with |r| <= ln(2)/2 (Cody and Waite: ln 2 split into LN2_HI of 32
# significant bits, so ``k * LN2_HI`` is exact, and LN2_LO), ``e^r`` by its Taylor
# series to r^13 (the first omitted term is below 2^-57, under a 20th of an ulp of
# e^r), and ``2^k`` built from its bits. For |x| <= EXP_LIMIT the result and ``2^k``
# are normal numbers; beyond it (and for inf and nan) a kernel answers through its twin
# with the C library's ``exp``.

LN2_HI = float.fromhex("0x1.62e42fee00000p-1")  # ln 2 = LN2_HI + LN2_LO
LN2_LO = float.fromhex("0x1.a39ef35793c76p-33")
LOG2_E = float.fromhex("0x1.71547652b82fep+0")
EXP_LIMIT = 708.0
_E2, _E3, _E4, _E5, _E6, _E7, _E8, _E9, _E10, _E11, _E12, _E13 = (
    1 / math.factorial(n) for n in range(2, 14))


@intrinsic
def _float64_from_bits(typingctx, bits):
    """The float64 whose IEEE 754 encoding is the int64 ``bits`` (a bit cast, which
    LLVM vectorises; numba has no spelling of its own for it)."""
    if bits != numba.types.int64:
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return numba.types.float64(numba.types.int64), codegen


@numba.njit(inline="always", error_model="numpy")
def _exp_parts(x):
    """``e^r - 1`` and ``2^k`` with ``e^x = (1 + (e^r - 1)) 2^k`` (see above)."""
    k = (x * LOG2_E + _ROUND) - _ROUND
    r = (x - k * LN2_HI) - k * LN2_LO
    p = _E2 + r * (_E3 + r * (_E4 + r * (_E5 + r * (_E6 + r * (_E7 + r * (
        _E8 + r * (_E9 + r * (_E10 + r * (_E11 + r * (_E12 + r * _E13))))))))))
    return r * (1.0 + r * p), _float64_from_bits((np.int64(k) + 1023) << 52)


@numba.njit(inline="always", error_model="numpy")
def fast_exp(x):
    """e^x for |x| <= EXP_LIMIT, in SIMD registers (see above)."""
    em1, scale = _exp_parts(x)
    return (1.0 + em1) * scale


@numba.njit(inline="always", error_model="numpy")
def fast_sigmoid(x):
    """``1 / (1 + e^-x)`` for |x| <= EXP_LIMIT: through ``e^-|x|``, which never
    overflows, and ``e^x / (1 + e^x)`` for negative ``x``."""
    e = fast_exp(-abs(x))
    s = 1.0 / (1.0 + e)
    return s if x >= 0 else e * s


# The hyperbolic tangent, ``tanh|x| = m / (m + 2)`` with ``m = e^(2|x|) - 1``, for
# which ``2|x|`` is reduced with k rounded down: ``2|x| = k ln 2 + r``, 0 <= r < ln 2,
# so that ``m = 2^k (e^r - 1) + (2^k - 1)`` adds two terms of one sign and nothing
# cancels. ``e^r - 1`` is its Taylor series to r^16 (the first omitted term is below
# 2^-57). Past |x| = 20 tanh rounds to 1, so
# ``2|x|`` is capped at 40 and every argument but nan is in range (TANH_LIMIT is inf:
# nan alone sends a kernel to its twin). Where tanh > 0.46, ``1 - 2 / (m + 2)`` is the
# more accurate spelling.

TANH_LIMIT = math.inf
_TANH_CAP = 40.0
_F = tuple(1 / math.factorial(n) for n in range(2, 17))  # 1/2!, ..., 1/16!


@numba.njit(inline="always", error_model="numpy")
def _expm1_nonnegative(y):
    """e^y - 1 for 0 <= y <= _TANH_CAP (see above)."""
    k = math.floor(y * LOG2_E)
    r = (y - k * LN2_HI) - k * LN2_LO
    p = _F[0] + r * (_F[1] + r * (_F[2] + r * (_F[3] + r * (_F[4] + r * (_F[5] + r * (
        _F[6] + r * (_F[7] + r * (_F[8] + r * (_F[9] + r * (_F[10] + r * (_F[11] + r * (
            _F[12] + r * (_F[13] + r * _F[14])))))))))))))
    scale = _float64_from_bits((np.int64(k) + 1023) << 52)  # 2^k
    return scale * (r * (1.0 + r * p)) + (scale - 1.0)


@numba.njit(inline="always", error_model="numpy")
def fast_tanh(x):
    """tanh(x), in SIMD registers (see above)."""
    y = 2.0 * abs(x)
    m = _expm1_nonnegative(_TANH_CAP if y > _TANH_CAP else y)
    t = m / (m + 2.0) if y < 1.0 else 1.0 - 2.0 / (m + 2.0)
    return math.copysign(t, x)

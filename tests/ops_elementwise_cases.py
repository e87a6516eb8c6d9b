"""``ops``' remaining elementwise functions (``ops_elementwise``, ``ops_integer``,
``ops_special_functions``) measured against MindSpore: one table, run by MindSpore
(``data/measure_mindspore_ops_elementwise.py`` writes
``data/mindspore_ops_elementwise.json``) and by this package
(``test_mindspore_ops_elementwise.py``) on the same draws.

Each case records every output (as float64 values) and its dtype, and, for the
arguments listed as differentiated, the gradient of a weighted sum of the float
outputs. Left to the finite-difference checks of ``test_mindspore_ops_elementwise``:
``swiglu`` and ``accumulate_n`` (no CPU kernel in MindSpore 2.7.1), the gradients of
complex results (MindSpore's CPU gradient of ``polar`` fails), ``nextafter`` of float32
(MindSpore's CPU kernel returns ``input``: it steps in float64 and rounds back), the
shifts by counts outside ``[0, bits)`` (MindSpore's take the count modulo the width),
and the derivatives with respect to ``zeta``'s ``x`` and ``igamma``'s ``a`` (refused
here)."""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    m = normal(3, 4)
    return {
        "m": m, "n": normal(3, 4), "x3": normal(2, 3, 4), "v3": normal(3),
        "w1": np.array([0.25], np.float32),
        "pos": (np.abs(m) + 0.3).astype(np.float32),
        "pos2": (np.abs(normal(3, 4)) + 0.2).astype(np.float32),
        "unit": (0.9 * np.tanh(m)).astype(np.float32),
        "exps": rng.integers(-3, 4, (3, 4)).astype(np.int32),
        "ints": np.array([12, -18, 0, 7, -5, 9], np.int32),
        "ints2": np.array([8, 12, 5, 0, -15, 6], np.int32),
        "divisors": np.array([5, -4, 3, 2, 7, -2], np.int32),
        "counts": np.array([0, 1, 3, 31, 2, 5], np.int32),
        "i64": np.array([[3, -40], [1 << 40, -7]], np.int64),
        "u8": np.array([200, 7, 0, 255], np.uint8),
        "f64": np.array([1.0, 0.0, -1.0, 3.5, -0.0], np.float64),
        "f64_to": np.array([2.0, -1.0, -2.0, 3.0, 1.0], np.float64),
        "neg": np.array([-1.5, -0.2, 0.4, 2.5], np.float32),
        "half": np.array([0.5, 1.5, 3.0], np.float16),
    }


def _cases(ms: Any, ops: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated)."""
    t = ms.Tensor
    one = t(np.array(1, np.int64))
    return [
        # differentiable
        ("tanhshrink", ops.tanhshrink, ("m",), (0,)),
        ("threshold", lambda a: ops.threshold(a, 0.3, 20.0), ("m",), (0,)),
        ("prelu_channels", ops.prelu, ("x3", "v3"), (0, 1)),
        ("prelu_one", ops.prelu, ("m", "w1"), (0, 1)),
        ("bias_add", ops.bias_add, ("x3", "v3"), (0, 1)),
        ("addn", lambda a, b: ops.addn([a, b, a]), ("m", "n"), (0, 1)),
        ("sgn", ops.sgn, ("m",), (0,)),
        ("truncate_div", ops.truncate_div, ("m", "n"), ()),
        ("truncate_div_int", ops.truncate_div, ("ints", "divisors"), ()),
        ("truncate_mod", ops.truncate_mod, ("m", "n"), (0, 1)),
        ("truncate_mod_int", ops.truncate_mod, ("ints", "divisors"), ()),
        ("ldexp", ops.ldexp, ("m", "exps"), (0,)),
        ("ldexp_float", ops.ldexp, ("m", "n"), (0, 1)),
        ("ldexp_ints", ops.ldexp, ("exps", "exps"), ()),
        ("deepcopy", ops.deepcopy, ("m",), (0,)),
        # special functions
        ("lgamma", ops.lgamma, ("m",), (0,)),
        ("lgamma_int", ops.lgamma, ("ints2",), ()),
        ("lgamma_half", ops.lgamma, ("half",), ()),
        ("digamma", ops.digamma, ("pos",), (0,)),
        ("polygamma", lambda a: ops.polygamma(one, a), ("pos",), (0,)),
        ("polygamma_3", lambda a: ops.polygamma(t(np.array(3, np.int32)), a), ("pos",), (0,)),
        ("zeta", lambda a, b: ops.zeta(a + 1.0, b), ("pos", "pos2"), (1,)),
        ("igamma", ops.igamma, ("pos", "pos2"), (1,)),
        ("igammac", ops.igammac, ("pos", "pos2"), (1,)),
        ("erfinv", ops.erfinv, ("unit",), (0,)),
        ("mvlgamma", lambda a: ops.mvlgamma(a + 1.0, 3), ("pos",), (0,)),
        ("i0", ops.i0, ("m",), (0,)),
        ("bessel_i0", ops.bessel_i0, ("m",), (0,)),
        ("bessel_i0e", ops.bessel_i0e, ("m",), (0,)),
        ("bessel_i1", ops.bessel_i1, ("m",), (0,)),
        ("bessel_i1e", ops.bessel_i1e, ("m",), (0,)),
        ("bessel_j0", ops.bessel_j0, ("m",), (0,)),
        ("bessel_j1", ops.bessel_j1, ("m",), (0,)),
        ("bessel_j0_half", ops.bessel_j0, ("half",), ()),
        ("bessel_y0", ops.bessel_y0, ("pos",), (0,)),
        ("bessel_y1", ops.bessel_y1, ("pos",), (0,)),
        ("bessel_k0", ops.bessel_k0, ("pos",), (0,)),
        ("bessel_k0e", ops.bessel_k0e, ("pos",), (0,)),
        ("bessel_k1", ops.bessel_k1, ("pos",), (0,)),
        ("bessel_k1e", ops.bessel_k1e, ("pos",), (0,)),
        ("bessel_negative", lambda a: (ops.bessel_y0(a), ops.bessel_y1(a), ops.bessel_k0(a),
                                       ops.bessel_k0e(a), ops.bessel_k1(a), ops.bessel_k1e(a)),
         ("neg",), ()),
        # complex parts (values only)
        ("polar", lambda r, a: ops.view_as_real(ops.polar(r, a)), ("pos", "m"), ()),
        ("complex_parts", lambda r, a: (ops.real(ops.polar(r, a)), ops.imag(ops.polar(r, a)),
                                        ops.angle(ops.polar(r, a)),
                                        ops.view_as_real(ops.conj(ops.polar(r, a))),
                                        ops.view_as_real(ops.sgn(ops.polar(r, a) * (r > 1.0))),
                                        ops.isreal(ops.polar(r, a * (a > 0.5)))),
         ("pos", "m"), ()),
        ("real_parts_of_reals", lambda a: (ops.real(a), ops.imag(a), ops.conj(a), ops.isreal(a)),
         ("m",), ()),
        # integers
        ("gcd", ops.gcd, ("ints", "ints2"), ()),
        ("lcm", ops.lcm, ("ints", "ints2"), ()),
        ("gcd_int64", lambda a: ops.gcd(a, t(np.array([6], np.int32))), ("i64",), ()),
        ("bitwise", lambda a, b: (ops.bitwise_and(a, b), ops.bitwise_or(a, b),
                                  ops.bitwise_xor(a, b), ops.invert(a)), ("ints", "ints2"), ()),
        ("bitwise_bool", lambda a, b: ops.bitwise_xor(a > 0, b > 0), ("ints", "ints2"), ()),
        ("bitwise_uint8", lambda a: (ops.bitwise_and(a, a), ops.invert(a),
                                     ops.bitwise_left_shift(a, a % 3)), ("u8",), ()),
        ("shifts", lambda a, b: (ops.bitwise_left_shift(a, b), ops.bitwise_right_shift(a, b)),
         ("ints", "counts"), ()),
        ("shifts_int64", lambda a: (ops.bitwise_left_shift(a, 3), ops.bitwise_right_shift(a, 2)),
         ("i64",), ()),
        ("nextafter", ops.nextafter, ("f64", "f64_to"), (0, 1)),
    ]


def measure(ms: Any, ops: Any = None) -> dict[str, Any]:
    """Outputs, their dtypes and gradients of each case, by name, computed with the
    library ``ms`` (``mindspore`` or ``autodiff_compiler``), whose ``ops`` are ``ops``
    (by default ``ms.ops``)."""
    return measure_cases(ms, _cases(ms, ms.ops if ops is None else ops),
                         _draws(np.random.default_rng(11)))

"""``ops``' remaining elementwise functions (``ops_elementwise``, ``ops_integer``,
``ops_special_functions``): outputs, dtypes and gradients against MindSpore 2.7.1's on
the same draws (``data/mindspore_ops_elementwise.json``, written by
``data/measure_mindspore_ops_elementwise.py`` from ``ops_elementwise_cases``),
gradients against central finite differences in float64 (several shapes, 0-d and
broadcasting, through ``check_grads``), integer and boolean results inside a
differentiated function, MindSpore's refusals, and the error without SciPy."""
from __future__ import annotations

import sys

import numpy as np
import ops_elementwise_cases
import pytest
from differences import central_differences
from measured_cases import assert_measured, compared, load_measured
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor
from autodiff_compiler import ops as E  # every op of the three modules

MEASURED = load_measured("ops_elementwise")


ours = measured_fixture(lambda: ops_elementwise_cases.measure(ms, E))


@pytest.mark.parametrize("name", compared(MEASURED))
def test_matches_mindspore(ours, name):
    assert_measured(ours, MEASURED, name, rtol=2e-5, atol=2e-6)


def test_every_case_was_measured(ours):
    assert sorted(ours) == compared(MEASURED)


# ---------------------------------------------------------------- finite differences

X = np.array([[-1.3, 0.2, 0.7, 1.9], [2.1, -0.4, 0.05, -0.8], [0.6, -1.7, 1.1, 0.3]])
Y = np.array([[0.9, -1.1, 0.45, 1.6], [-0.75, 1.3, -2.2, 0.35], [1.4, 0.8, -0.6, -1.9]])


# sgn branches on complex input: its dtype is needed while compiling (shape-specialised)
SPECIALISED = {"sgn", "complex_parts"}


def positive(x):
    return x * x + 0.4


UNARY = {  # name: a loss of one array, defined at every entry of X (of any shape)
    "tanhshrink": lambda x: E.tanhshrink(x) * x,
    "threshold": lambda x: E.threshold(x, 0.5, -2.0) * x,
    "deepcopy": lambda x: E.deepcopy(x) ** 3,
    "sgn": lambda x: E.sgn(x) * x ** 2,
    "lgamma": lambda x: E.lgamma(x + 2.5) * E.lgamma(positive(x)),
    "digamma": lambda x: E.digamma(positive(x)),
    "polygamma": lambda x: E.polygamma(2, positive(x)) + E.polygamma(Tensor(np.array(0)), x + 3),
    "zeta": lambda x: E.zeta(np.float64(2.5), positive(x)),
    "igamma": lambda x: E.igamma(np.float64(1.5), positive(x)) * E.igammac(np.float64(0.7), x + 3),
    "erfinv": lambda x: E.erfinv(0.9 * np.tanh(x)),
    "mvlgamma": lambda x: E.mvlgamma(positive(x) + 1.0, 3),
    "bessel_i": lambda x: E.i0(x) + E.bessel_i0e(x) * E.bessel_i1(x) + E.bessel_i1e(x)
    + E.bessel_i0(x) ** 2,
    "bessel_j": lambda x: E.bessel_j0(x) * E.bessel_j1(x),
    "bessel_y": lambda x: E.bessel_y0(positive(x)) * E.bessel_y1(positive(x)),
    "bessel_k": lambda x: E.bessel_k0(positive(x)) + E.bessel_k0e(positive(x))
    * E.bessel_k1(positive(x)) + E.bessel_k1e(positive(x)),
    "swiglu": lambda x: E.swiglu(np.stack([x, x * x - 0.3])[..., None], 0),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(3, 4), (4,), ()], ids=str)
def test_unary_gradients_match_finite_differences(name, shape):
    x = X.ravel()[:int(np.prod(shape))].reshape(shape)
    ms.check_grads(lambda v: np.sum(UNARY[name](v)), x, generic=name not in SPECIALISED)


BINARY = {  # name: a loss of two arrays, broadcast against each other
    "truncate_div": lambda x, y: E.truncate_div(x, y) * x + y,
    "truncate_mod": lambda x, y: E.truncate_mod(x, y) ** 2,
    "ldexp": lambda x, y: E.ldexp(x, y) ** 2,
    "ldexp_int": lambda x, y: E.ldexp(x * y, np.array([1, -2, 3, 0])) ** 2,
    "addn": lambda x, y: E.addn((x * y, x * y, np.sin(x * y))) ** 2,
    "polar": lambda x, y: np.real(E.polar(x, y)) * 2.0 + np.imag(E.polar(x, y)) * 3.0,
    "complex_parts": lambda x, y: E.angle(E.polar(positive(x), y)) * x
    + E.imag(E.conj(E.polar(x, y))) + E.real(E.sgn(E.polar(positive(x), y))) * y
    + np.sum(E.view_as_real(E.polar(x, y)) * np.array([0.5, -1.5]), -1),
    "nextafter": lambda x, y: E.nextafter(x, y) * y,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((1, 4), (3, 1)),
                                    ((), (4,))], ids=str)
def test_binary_gradients_match_finite_differences(name, shapes):
    x = X.ravel()[:int(np.prod(shapes[0]))].reshape(shapes[0])
    y = Y.ravel()[:int(np.prod(shapes[1]))].reshape(shapes[1])
    if name in ("polar", "addn", "complex_parts"):  # MindSpore refuses broadcasting there
        y = np.broadcast_to(y, np.broadcast_shapes(x.shape, y.shape)) + 0.0
        x = np.broadcast_to(x, y.shape) + 0.0
    ms.check_grads(lambda a, b: np.sum(BINARY[name](a, b)), x, y,
                   generic=name not in SPECIALISED)


CHANNELS = {  # name: a loss of an (N, C, L) array and a weight of C values
    "prelu": lambda x, w: E.prelu(x, w) ** 2,
    "prelu_one": lambda x, w: E.prelu(x, w[:1]) * x,
    "bias_add": lambda x, w: E.bias_add(x, w) ** 3,
}
X3 = np.linspace(-2.05, 1.9, 24).reshape(2, 3, 4)


@pytest.mark.parametrize("name", sorted(CHANNELS))
def test_channel_gradients_match_finite_differences(name):
    """Shape-specialised code: the channel axis needs the rank when compiling."""
    ms.check_grads(lambda a, b: np.sum(CHANNELS[name](a, b)), X3, np.array([0.3, -0.2, 1.1]),
                   generic=False)


def test_prelu_gradient_at_zero_goes_to_the_weight_side():
    gx, gw = ms.grad(lambda x, w: np.sum(E.prelu(x, w)), (0, 1))(np.array([0.0, -2.0, 1.0]),
                                                                 np.array([0.25]))
    np.testing.assert_array_equal(gx, [0.25, 0.25, 1.0])
    np.testing.assert_array_equal(gw, [-2.0])


def test_rank_and_dtype_dependent_ops_are_refused_in_shape_generic_code():
    for fn, what in ((lambda x: np.sum(E.prelu(x, np.array([0.2]))), "rank"),
                     (lambda x: np.sum(E.bias_add(x, np.array([1.0, 2.0]))), "rank"),
                     (lambda x: np.sum(E.sgn(x)), "dtype")):
        with pytest.raises(ms.AutodiffError, match=f"needs the {what} of its input"):
            ms.vjp(fn, np.ones((2, 2)), specialize=False)


def test_derivatives_without_a_rule_are_refused_at_the_users_line():
    a, q = np.array([2.5, 3.0]), np.array([1.5, 2.0])
    with pytest.raises(ms.AutodiffError, match=r"zeta.*with respect to x"):
        ms.grad(lambda u, v: np.sum(E.zeta(u, v)), (0, 1))(a, q)
    with pytest.raises(ms.AutodiffError, match="gammainc"):
        ms.grad(lambda u, v: np.sum(E.igamma(u, v)))(a, q)


# ---------------------------------------------------------------- integer results

def integer_loss(x):
    k = (x * 4.0 + 0.5).astype(np.int32)  # no entry on an integer: smooth in x
    m = (E.gcd(k, 6) + E.lcm(k, 4) + E.bitwise_and(k, 3) + E.bitwise_or(k, 1)
         + E.bitwise_xor(k, 5) + E.bitwise_left_shift(k, 2) + E.bitwise_right_shift(k, 1)
         + E.invert(k) + E.truncate_div(k, 3) + E.truncate_mod(k, 3))
    flags = E.isreal(x) * 1.0 + E.bitwise_and(x > 0, x < 1)
    return np.sum(x * m) + np.sum(flags * x ** 2)


def test_integer_results_are_forward_values_inside_a_differentiated_function():
    k = (X * 4.0 + 0.5).astype(np.int32)
    m = (np.gcd(k, 6) + np.lcm(k, 4) + (k & 3) + (k | 1) + (k ^ 5) + (k << 2) + (k >> 1) + ~k
         + np.trunc(k / 3).astype(int) + np.fmod(k, 3))
    flags = 1.0 + ((X > 0) & (X < 1))
    np.testing.assert_allclose(ms.grad(integer_loss)(X), m + 2 * flags * X)
    np.testing.assert_allclose(ms.grad(integer_loss)(X), central_differences(integer_loss, X),
                               rtol=1e-6, atol=1e-6)


def test_nextafter_steps_in_the_inputs_dtype():
    x = np.array([1.0, 0.0, -1.0], np.float32)
    towards = np.array([2.0, -1.0, -2.0], np.float32)
    assert E.nextafter(x, towards).tolist() == np.nextafter(x, towards).tolist()
    assert E.nextafter(Tensor(x), Tensor(towards)).dtype == np.float32


def test_shifts_and_scalars_as_mindspore():
    v = Tensor(np.array([5, 2], np.int32))
    assert E.bitwise_left_shift(v, 2).tolist() == [20, 8]
    assert E.bitwise_left_shift(2, v).tolist() == [64, 8]
    assert E.bitwise_left_shift(2, v).dtype == np.int32
    assert E.bitwise_and(v, 3).tolist() == [1, 2]


# ---------------------------------------------------------------- eager results and refusals

F32 = Tensor(X.astype(np.float32))
Z = Tensor(np.array([3 + 4j, -1j, 0j], np.complex64))


def test_predicates_are_python_bools():
    assert E.is_complex(Z) is True and E.is_complex(F32) is False
    assert E.is_floating_point(F32) is True and E.is_floating_point(Z) is False
    assert E.is_floating_point(Tensor(np.ones(2, np.float16))) is True
    assert E.is_floating_point(Tensor(np.ones(2, np.int32))) is False
    assert E.is_tensor(F32) is True and E.is_tensor(X) is False and E.is_tensor(1.0) is False


def test_eager_results_are_tensors_in_mindspores_dtype():
    results = [(E.tanhshrink(Tensor(np.array([1, 2], np.int32))), np.float32),
               (E.lgamma(Tensor(np.array([1, 5], np.int32))), np.float32),
               (E.polygamma(Tensor(np.array(1)), F32), np.float32),
               (E.bessel_k0(Tensor(np.array([1.5], np.float16))), np.float16),
               (E.ldexp(Tensor(np.array([1.5], np.float16)), Tensor(np.array([2]))), np.float32),
               (E.ldexp(F32, Tensor(np.array([2.0]))), np.float64),
               (E.truncate_div(Tensor(np.array([5], np.int32)), F32[0, :1]), np.float32),
               (E.threshold(Tensor(np.array([1, 2], np.int32)), 1.5, 5.5), np.int32),
               (E.angle(Z), np.float32), (E.polar(F32, F32), np.complex64),
               (E.view_as_real(Z), np.float32), (E.swiglu(F32), np.float32),
               (E.addn([F32, F32]), np.float32)]
    for result, dtype in results:
        assert type(result) is Tensor and result.dtype == dtype


def test_values_of_the_small_ops():
    np.testing.assert_allclose(E.swiglu(np.array([[1.0, -2.0, 3.0, 0.5]])),
                               [[1 / (1 + np.exp(-1.0)) * 3.0, -2 / (1 + np.exp(2.0)) * 0.5]])
    assert E.truncate_div(np.array([-7, 7, -7, 7]), np.array([2, -2, -2, 2])).tolist() == \
        [-3, -3, 3, 3]
    assert E.truncate_mod(np.array([-7, 7]), np.array([2, -2])).tolist() == [-1, 1]
    assert E.sgn(np.array([np.nan, -0.0, -3.0])).tolist() == [0.0, 0.0, -1.0]
    np.testing.assert_allclose(E.sgn(Z), [0.6 + 0.8j, -1j, 0])
    assert E.bessel_y0(np.array([-1.0])).tolist() == [-np.inf]
    assert E.bessel_k1e(np.array([-1.0])).tolist() == [np.inf]


REFUSED = {  # what MindSpore refuses, and the error
    "angle_of_reals": (lambda: E.angle(F32), TypeError),
    "view_as_real_of_reals": (lambda: E.view_as_real(F32), TypeError),
    "polar_dtypes": (lambda: E.polar(F32, Tensor(X)), TypeError),
    "polar_broadcast": (lambda: E.polar(F32, F32[0]), ValueError),
    "prelu_weight_length": (lambda: E.prelu(F32, Tensor(np.ones(2, np.float32))), ValueError),
    "prelu_int": (lambda: E.prelu(Tensor(np.ones(2, np.int32)), Tensor(np.ones(1))), TypeError),
    "bias_add_rank": (lambda: E.bias_add(F32[0], F32[0]), ValueError),
    "bias_add_length": (lambda: E.bias_add(F32, Tensor(np.ones(3, np.float32))), ValueError),
    "addn_shapes": (lambda: E.addn([F32, F32[0]]), ValueError),
    "addn_dtypes": (lambda: E.addn([F32, Tensor(X)]), TypeError),
    "addn_empty": (lambda: E.addn([]), ValueError),
    "swiglu_odd": (lambda: E.swiglu(F32, 0), ValueError),
    "swiglu_int": (lambda: E.swiglu(Tensor(np.ones(2, np.int32))), TypeError),
    "digamma_int": (lambda: E.digamma(Tensor(np.ones(2, np.int32))), TypeError),
    "bessel_int": (lambda: E.bessel_j0(Tensor(np.ones(2, np.int32))), TypeError),
    "polygamma_float_order": (lambda: E.polygamma(Tensor(np.array(1.0)), F32), TypeError),
    "polygamma_vector_order": (lambda: E.polygamma(Tensor(np.array([1, 2])), F32), ValueError),
    "zeta_dtypes": (lambda: E.zeta(F32, Tensor(X)), TypeError),
    "igamma_int": (lambda: E.igamma(Tensor(np.ones(2, np.int32)), F32[0, :2]), TypeError),
    "mvlgamma_p": (lambda: E.mvlgamma(F32, 0), ValueError),
    "mvlgamma_domain": (lambda: E.mvlgamma(Tensor(np.array([1.0, 3.0])), 3), ValueError),
    "gcd_float": (lambda: E.gcd(F32, F32), TypeError),
    "bitwise_float": (lambda: E.bitwise_and(F32, 1), TypeError),
    "shift_float": (lambda: E.bitwise_left_shift(F32, 1), TypeError),
    "invert_bool": (lambda: E.invert(Tensor(np.array([True]))), TypeError),
    "nextafter_dtypes": (lambda: E.nextafter(F32, Tensor(X)), TypeError),
    "nextafter_int": (lambda: E.nextafter(Tensor(np.ones(1, np.int32)), 2), TypeError),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_as_mindspore_refuses(name):
    fn, error = REFUSED[name]
    with pytest.raises(error, match=r"ops\.\w+"):
        fn()


def test_mvlgamma_domain_is_checked_when_the_code_runs_compiled():
    with pytest.raises(ValueError, match=r"greater than \(p - 1\) / 2"):
        ms.grad(lambda x: np.sum(E.mvlgamma(x, 2)))(np.array([0.4, 2.0]))


def test_without_scipy_the_special_functions_say_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.special", None)  # `import scipy.special` fails
    with pytest.raises(ImportError, match="pip install scipy"):
        E.lgamma(F32)
    with pytest.raises(ImportError, match="pip install scipy"):
        E.zeta(F32 + 2.0, F32 * F32 + 1.0)


@pytest.mark.parametrize("fn", [E.erf, E.erfc, E.gelu, ms.nn.GELU(approximate=False)],
                         ids=["erf", "erfc", "gelu", "GELU"])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_the_error_function_keeps_a_float_dtype(fn, dtype):
    """SciPy's erf has no float16 loop: its float32 result is cast back (MindSpore 2.10
    keeps float16), in the value and the gradient, eagerly and compiled."""
    x = np.array([0.3, -0.5, 1.2], dtype)
    assert fn(x).dtype == dtype

    def loss(a):
        return E.sum(fn(a))

    value, g = ms.value_and_grad(loss)(x)
    assert np.asarray(value).dtype == dtype and g.dtype == dtype
    np.testing.assert_allclose(value, loss(x.astype(np.float64)),
                               rtol=1e-2 if dtype == np.float16 else 1e-6)


def test_float16_erfc_and_tanh_gelu_round_once():
    """MindSpore 2.10 (measured): erfc(3.1) in float16 is 1.168e-05, tanh-GELU(-4) is
    -7.02e-05; 1 - erf and float16 steps cancelled both to 0."""
    x = np.array([3.1, -4.0], np.float16)
    assert E.erfc(x)[0] == np.float16(1.1682510375976562e-05)
    assert E.gelu(x, approximate="tanh")[1] == np.float16(-7.021427154541016e-05)
    assert ms.nn.GELU()(x).dtype == np.float16

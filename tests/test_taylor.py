"""``jet`` and ``derivative``: each order against central differences along the path,
MindSpore 2.10's own values, derivatives through them, and the errors."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import ops
from autodiff_compiler.errors import AutodiffError


def exp_of_sin(x):
    return np.exp(np.sin(x))


def cubic(x):
    return x ** 3 - 2.0 * x


def two_inputs(x, y):
    return x * np.sin(y) + y * y


def two_outputs(x):
    return np.sin(x), x * np.tanh(x)


def reduced(x):
    return np.sum(x ** 2 * np.tanh(x))


def layer(x, w):
    return np.tanh(x @ w)


def _path_value(fn, primals, series, t):
    """``fn`` at ``x(t) = x + sum_k s_k t^k / k!``."""
    moved = [p + sum(s[k] * t ** (k + 1) / np.prod(np.arange(1.0, k + 2)) for k in range(len(s)))
             for p, s in zip(primals, series)]
    return fn(*moved)


def _differences(fn, primals, series, order, h=1e-3):
    """The order-th derivative of ``fn(x(t))`` at 0 by central differences in ``t``."""
    def g(t):
        out = _path_value(fn, primals, series, t)
        return np.stack(out) if isinstance(out, tuple) else out
    if order == 1:
        return (g(h) - g(-h)) / (2 * h)
    if order == 2:
        return (g(h) - 2 * g(0.0) + g(-h)) / h ** 2
    return (g(2 * h) - 2 * g(h) + 2 * g(-h) - g(-2 * h)) / (2 * h ** 3)


RNG = np.random.default_rng(3)
CASES = [
    ("exp-of-sin", exp_of_sin, (RNG.normal(size=(2, 3)),)),
    ("exp-of-sin-0d", exp_of_sin, (np.array(0.7),)),
    ("cubic", cubic, (RNG.normal(size=4),)),
    ("two-inputs", two_inputs, (RNG.normal(size=3), RNG.normal(size=3))),
    ("two-inputs-broadcast", two_inputs, (RNG.normal(size=(2, 3)), RNG.normal(size=3))),
    ("two-outputs", two_outputs, (RNG.normal(size=3),)),
    ("reduced", reduced, (RNG.normal(size=(3, 2)),)),
    ("layer", layer, (RNG.normal(size=(2, 3)), 0.5 * RNG.normal(size=(3, 4)))),
]


@pytest.mark.parametrize("order", [1, 2, 3])
@pytest.mark.parametrize("name, fn, primals", CASES, ids=[c[0] for c in CASES])
def test_each_order_matches_central_differences_along_the_path(name, fn, primals, order):
    rng = np.random.default_rng(order)
    series = tuple(rng.normal(size=(order, *np.shape(p))) for p in primals)
    one = len(primals) == 1
    out, out_series = adc.jet(fn, primals[0] if one else primals, series[0] if one else series)
    want_out = fn(*primals)
    for got, want in zip(out if isinstance(out, tuple) else (out,),
                         want_out if isinstance(want_out, tuple) else (want_out,)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    for k in range(1, order + 1):
        want = _differences(fn, primals, [s[:k] for s in series], k)
        got = np.stack([s[k - 1] for s in out_series]) if isinstance(out_series, tuple) \
            else out_series[k - 1]
        np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_an_order_is_the_path_derivative_of_the_order_below_in_closed_form():
    """``cubic`` along ``x + s t``: 3 x^2 s - 2 s, 6 x s^2, 6 s^3, then 0."""
    x, s = np.array([0.5, -1.5]), np.array([2.0, 0.25])
    series = np.stack([s, np.zeros(2), np.zeros(2), np.zeros(2)])
    _, out_series = adc.jet(cubic, x, series)
    np.testing.assert_allclose(out_series, [3 * x ** 2 * s - 2 * s, 6 * x * s ** 2,
                                            6 * s ** 3, np.zeros(2)], atol=1e-12)


# Measured on MindSpore 2.10 (CPU, PyNative): ops.jet and ops.derivative of these float32
# inputs, x = [[1, 2], [3, 4]].
X = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
UNIT3 = np.stack([np.ones((2, 2)), np.zeros((2, 2)), np.zeros((2, 2))]).astype(np.float32)
MEASURED = [
    ("exp-of-sin", lambda: ops.jet(exp_of_sin, X, UNIT3)[1],
     [[[1.2533808, -1.0331169], [-1.1400385, -0.3066661]],
      [[-1.2748204, -1.8274732], [0.966121, 0.55551493]],
      [[-4.0515366, 3.6724353], [0.5053504, -0.520614]]]),
    ("scaled-series", lambda: ops.jet(exp_of_sin, X, np.stack(
        [np.full((2, 2), 0.5), np.full((2, 2), 2.0)]).astype(np.float32))[1],
     [[[0.6266904, -0.51655847], [-0.57001925, -0.15333305]],
      [[2.1880565, -2.5231018], [-2.0385468, -0.47445354]]]),
    ("two-inputs", lambda: ops.jet(two_inputs, (X, X * 0.5), (UNIT3, UNIT3 * 2))[1],
     [[[4.2345905, 7.00268], [7.421918, 5.580123]],
      [[9.5926285, 3.4294415], [-3.6869917, -8.2133465]],
      [[-12.7737665, -18.742487], [-13.667633, 2.4051297]]]),
    ("derivative", lambda: ops.derivative(exp_of_sin, X, 3)[1],
     [[-4.0515366, 3.6724353], [0.5053504, -0.520614]]),
    ("derivative-of-two", lambda: ops.derivative(two_inputs, (X, X * 0.5), 2)[1],
     [[3.2757397, 1.3976626], [-0.85101056, -2.4694834]]),
]


@pytest.mark.parametrize("name, run, measured", MEASURED, ids=[m[0] for m in MEASURED])
def test_mindsporess_values(name, run, measured):
    got = run()
    assert np.asarray(got).dtype == np.float32
    np.testing.assert_allclose(got, measured, rtol=2e-6, atol=2e-6)


def test_a_cell_and_integer_inputs_as_mindspore_takes_them():
    """A Cell's construct, Tensors in and out; an int32 input computed in float32."""
    class Net(adc.nn.Cell):
        def construct(self, x):
            return ops.exp(ops.sin(x))

    x = adc.Tensor(np.array([[1, 2], [3, 4]], np.int32))
    out, out_series = ops.jet(Net(), x, UNIT3)
    assert isinstance(out, adc.Tensor) and out_series.dtype == np.float32
    np.testing.assert_allclose(out_series, MEASURED[0][2], rtol=2e-6, atol=2e-6)


def test_derivatives_of_a_jet_inside_a_differentiated_function():
    """The second derivative along ``x + t``, elementwise, differentiated in ``x``: the
    third (the jet's orders are lowered there, each order's jvp inlined)."""
    x = np.array([[0.3, -1.2], [2.0, 0.7]])
    unit = np.stack([np.ones_like(x), np.zeros_like(x), np.zeros_like(x)])

    def second(x):
        return np.sum(adc.jet(exp_of_sin, x, unit)[1][1])

    np.testing.assert_allclose(adc.grad(second)(x), adc.jet(exp_of_sin, x, unit)[1][2],
                               rtol=1e-12)
    np.testing.assert_allclose(adc.value_and_grad(second)(x)[0],
                               np.sum(adc.derivative(exp_of_sin, x, 2)[1]), rtol=1e-12)


@pytest.mark.parametrize("primals, series, error, match", [
    ((X, X), UNIT3, TypeError, "structure of primals"),
    (X, (UNIT3,), TypeError, "structure of primals"),
    ((X, X), (UNIT3, UNIT3[:2]), ValueError, "same number of orders"),
    (X, UNIT3[:, :1], ValueError, "series 0 has shape"),
    (X, np.zeros((0, 2, 2), np.float32), ValueError, "at least one"),
], ids=["tuple-and-array", "array-and-tuple", "orders", "shape", "no-order"])
def test_mismatched_series_are_refused_naming_the_call(primals, series, error, match):
    with pytest.raises(error, match=match) as info:
        adc.jet(exp_of_sin, primals, series)
    assert isinstance(info.value, AutodiffError) and "test_taylor.py" in str(info.value)


@pytest.mark.parametrize("order", [0, -1, 1.5, True])
def test_derivative_takes_a_positive_int_order(order):
    with pytest.raises(ValueError, match="order must be an int"):
        adc.derivative(exp_of_sin, X, order)


def three_tanh_layers(x):
    h = x
    for _ in range(3):
        h = np.tanh(h * 1.5 + 0.1)
    return h


def _first_two_orders(x):
    return adc.jet(three_tanh_layers, x, np.stack([np.ones_like(x), np.zeros_like(x)]))[1]


def test_vmap_of_a_jet_is_each_examples():
    xs = np.array([[0.3, -0.2], [1.0, 0.5], [-0.8, 0.05]])
    got = adc.vmap(_first_two_orders)(xs)
    np.testing.assert_allclose(got, np.stack([_first_two_orders(x) for x in xs]), rtol=1e-12)
    for x, g in zip(xs, got):
        series = (np.stack([np.ones_like(x)]), np.stack([np.ones_like(x), np.zeros_like(x)]))
        for k, s in enumerate(series, start=1):
            np.testing.assert_allclose(g[k - 1], _differences(three_tanh_layers, (x,), (s,), k),
                                       rtol=2e-5, atol=2e-6)


def test_series_as_jax_spells_it_a_list_of_the_orders_arrays():
    """``jet(f, (x,), ([s1, s2],))``: each input's orders as a list, stacked as
    MindSpore's one array is (they were read as an array and failed inside)."""
    x, s1, s2 = np.array([0.3, -1.1]), np.array([1.0, 0.5]), np.array([0.2, -0.4])
    want = adc.jet(exp_of_sin, (x,), (np.stack([s1, s2]),))
    for series in (([s1, s2],), ((s1, s2),), ([list(s1), list(s2)],)):
        got = adc.jet(exp_of_sin, (x,), series)
        np.testing.assert_allclose(got[0], want[0], rtol=1e-15)
        np.testing.assert_allclose(got[1], want[1], rtol=1e-15)
    np.testing.assert_allclose(adc.jet(exp_of_sin, x, [s1, s2])[1], want[1], rtol=1e-15)
    scalar = adc.jet(np.sin, (0.5,), ((1.0, 0.0),))[1]
    np.testing.assert_allclose(scalar, [np.cos(0.5), -np.sin(0.5)], rtol=1e-15)


def _second_order_of_sin_along_x_t_squared(x):
    return np.sum(adc.jet(np.sin, (x,), ([np.ones_like(x), x],))[1][1])


def test_a_numpy_function_jetted_inside_a_differentiated_function():
    """``jet(np.sin, ...)`` in compiled code (it was 'cannot compile <ufunc 'sin'>'),
    the path's second order series read from ``x`` too, against central differences."""
    x = np.array([0.3, 0.9, -1.4])
    got = adc.grad(_second_order_of_sin_along_x_t_squared)(x)
    eps, want = 1e-6, np.zeros_like(x)
    for i in range(x.size):
        e = np.eye(x.size)[i] * eps
        want[i] = (_second_order_of_sin_along_x_t_squared(x + e)
                   - _second_order_of_sin_along_x_t_squared(x - e)) / (2 * eps)
    np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9)

"""``ops``' math, statistics and shape functions (``ops_math``, ``ops_stats``,
``ops_shape``): outputs, dtypes and gradients against MindSpore 2.7.1's on the same
draws (``data/mindspore_ops_math.json``, written by
``data/measure_mindspore_ops_math.py`` from ``ops_math_cases``), gradients against
central finite differences in float64 (several shapes, 0-d and broadcasting, both
shape-specialised and shape-generic code through ``check_grads``), the integer and
boolean results inactive, and eager results Tensors where MindSpore's are."""
from __future__ import annotations

import numpy as np
import ops_math_cases
import pytest
from differences import central_differences
from measured_cases import assert_measured, compared, load_measured
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, ops

MEASURED = load_measured("ops_math")


ours = measured_fixture(lambda: ops_math_cases.measure(ms))


# MindSpore's XdivyGrad is 0 at x = 0, where x / y (y != 0) has derivative 1 / y; ours
# is the derivative (checked against finite differences below).
NOT_COMPARED = {"xdivy.grad0"}


@pytest.mark.parametrize("name", compared(MEASURED, NOT_COMPARED))
def test_matches_mindspore(ours, name):
    assert_measured(ours, MEASURED, name, rtol=2e-5, atol=2e-6)


def test_every_case_was_measured(ours):
    assert sorted(ours) == compared(MEASURED)


# ---------------------------------------------------------------- finite differences

X = np.array([[-1.3, 0.2, 0.7, 1.9], [2.0, -0.4, 0.05, -0.8], [0.6, -1.7, 1.1, 0.3]])
Y = np.array([[0.9, -1.1, 0.45, 1.6], [-0.7, 1.3, -2.2, 0.35], [1.4, 0.8, -0.6, -1.9]])

UNARY = {  # name: a loss of one array, defined at every entry of X (of any shape)
    "arccos": lambda x: ops.sum(ops.arccos(np.tanh(x) * 0.9)),
    "asinh_atan": lambda x: ops.sum(ops.asinh(x) * ops.atan(x)),
    "acosh": lambda x: ops.sum(ops.acosh(x * x + 1.5)),
    "atanh": lambda x: ops.sum(ops.atanh(np.tanh(x) * 0.8)),
    "log2_log10": lambda x: ops.sum(ops.log2(x * x + 0.5) + ops.log10(x * x + 1.0)),
    "exp2": lambda x: ops.sum(ops.exp2(x)),
    "frac": lambda x: ops.sum(ops.frac(x * 1.3) ** 2),
    "float_power": lambda x: ops.sum(ops.float_power(x * x + 0.5, 1.7)),
    "deg_rad": lambda x: ops.sum(ops.deg2rad(x) * ops.rad2deg(x)),
    "logit": lambda x: ops.sum(ops.logit(0.5 + 0.4 * np.tanh(x))),
    "logit_eps": lambda x: ops.sum(ops.logit(0.5 + 0.45 * np.tanh(x), 0.1)),
    "sinc": lambda x: ops.sum(ops.sinc(x)),
    "nan_to_num": lambda x: ops.sum(ops.nan_to_num(x) ** 2),
    "copysign": lambda x: ops.sum(ops.copysign(x, 0.5 - x) ** 3),
    "std_mean": lambda x: ops.std_mean(x)[0] + ops.std_mean(x)[1] ** 2,
    "var_mean": lambda x: ops.var_mean(x)[0] * ops.var_mean(x)[1],
    "aminmax": lambda x: ops.sum(ops.aminmax(x, axis=None)[0] * ops.aminmax(x, axis=None)[1]),
    "nansum_nanmean": lambda x: ops.nansum(x ** 2) + ops.nanmean(x) ** 2,
    "logcumsumexp": lambda x: ops.sum(ops.logcumsumexp(x, 0) ** 2),
    "positive": lambda x: ops.sum(ops.positive(x) ** 2),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(3, 4), (4,), ()], ids=str)
def test_unary_gradients_match_finite_differences(name, shape):
    x = X.ravel()[:int(np.prod(shape))].reshape(shape)
    ms.check_grads(UNARY[name], x)


BINARY = {  # name: a loss of two arrays, broadcast against each other
    "arctan2": lambda x, y: ops.sum(ops.arctan2(x, y)),
    "hypot": lambda x, y: ops.sum(ops.hypot(x, y)),
    "logaddexp": lambda x, y: ops.sum(ops.logaddexp(x, y) * ops.logaddexp2(y, x)),
    "remainder": lambda x, y: ops.sum(ops.remainder(x, y) ** 2),
    "fmod": lambda x, y: ops.sum(ops.fmod(x, y) ** 2),
    "subtract": lambda x, y: ops.sum(ops.subtract(x, y, alpha=0.5) ** 2),
    "multiply": lambda x, y: ops.sum(ops.multiply(x, y) ** 2),
    "true_divide": lambda x, y: ops.sum(ops.true_divide(x, y * y + 0.5)),
    "xlogy": lambda x, y: ops.sum(ops.xlogy(x, y * y + 0.1)),
    "xdivy": lambda x, y: ops.sum(ops.xdivy(x, y)),
    "fmax_fmin": lambda x, y: ops.sum(ops.fmax(x, y) * 2.0 + ops.fmin(x, y)),
    "addcmul": lambda x, y: ops.sum(ops.addcmul(x, y, x, 0.5) ** 2),
    "addcdiv": lambda x, y: ops.sum(ops.addcdiv(y, x, y * y + 1.0, 2.0) ** 2),
    "heaviside": lambda x, y: ops.sum(ops.heaviside(x, y) * x),
    "float_power": lambda x, y: ops.sum(ops.float_power(x * x + 0.5, y)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((1, 4), (3, 1)),
                                    ((), (4,))], ids=str)
def test_binary_gradients_match_finite_differences(name, shapes):
    x = X.ravel()[:int(np.prod(shapes[0]))].reshape(shapes[0])
    y = Y.ravel()[:int(np.prod(shapes[1]))].reshape(shapes[1])
    ms.check_grads(BINARY[name], x, y)


def test_xlogy_and_xdivy_at_zero():
    """Both are 0 where ``x`` is 0 (``xlogy`` also for ``y <= 0``); the derivatives are
    those of ``x log y`` and ``x / y`` (``log y``, ``1 / y`` at ``x = 0``)."""
    x, y = np.zeros(3), np.array([2.0, -1.0, 0.0])
    assert np.array_equal(ops.xlogy(x, y), np.zeros(3))
    assert np.array_equal(ops.xdivy(x, y), np.zeros(3))
    gx, gy = ms.grad(lambda a, b: ops.sum(ops.xlogy(a, b)), (0, 1))(x, y)
    np.testing.assert_array_equal(gx, [np.log(2.0), 0.0, 0.0])
    np.testing.assert_array_equal(gy, [0.0, 0.0, 0.0])
    gx = ms.grad(lambda a, b: ops.sum(ops.xdivy(a, b)))(x, y)
    np.testing.assert_array_equal(gx, [0.5, -1.0, 0.0])


MATRIX = {  # name: a loss of a matrix-shaped argument
    "addmv": lambda m: ops.sum(ops.addmv(m[:, 0], m, m[0], beta=0.5, alpha=2.0) ** 2),
    "addr": lambda m: ops.sum(ops.addr(m, m[:, 1], m[1], beta=2.0, alpha=0.5) ** 2),
    "mv_mm_dot": lambda m: ops.sum(ops.mv(m, m[0]) ** 2)
    + ops.sum(ops.mm(m, m.T) * ops.dot(m, m.T)),
    "vecdot": lambda m: ops.sum(ops.vecdot(m, m * m, axis=0)),
    "median": lambda m: ops.sum(ops.median(m, 0)[0] * np.arange(1.0, 5.0)),
    "nanmedian": lambda m: ops.sum(ops.nanmedian(m, 1, True)[0] ** 3),
    "nanquantile": lambda m: ops.sum(ops.nanquantile(m, 0.35, 0, True) ** 2),
    "cummax_cummin": lambda m: ops.sum(ops.cummax(m, 1)[0] * m) + ops.sum(ops.cummin(m, 0)[0] ** 2),
    "cov": lambda m: ops.sum(ops.cov(m) * np.arange(9.0).reshape(3, 3)),
    "cov_weights": lambda m: ops.sum(ops.cov(m, fweights=np.array([1, 2, 1, 3]),
                                             aweights=np.array([0.5, 1.0, 2.0, 1.5])) ** 2),
    "diff_trapz": lambda m: ops.sum(ops.diff(m, 1, 0) ** 2) + ops.sum(
        ops.trapz(m, np.array([0.0, 1.0, 3.0, 4.0])) ** 2) + ops.sum(ops.trapz(m, dx=0.5) ** 2),
    "splits": lambda m: ops.sum(ops.tensor_split(m, 3, 1)[0] ** 3)
    + ops.sum(ops.vsplit(m, 2)[1] ** 2) + ops.sum(ops.hsplit(m, (1, 3))[2] ** 3),
    "stacks": lambda m: ops.sum(ops.dstack((m, m * 2)) ** 2) + ops.sum(ops.hstack((m, m)) ** 3)
    + ops.sum(ops.column_stack((m[:, 0], m)) ** 3) + ops.sum(ops.vstack((m[0], m)) ** 3),
    "diagonals": lambda m: ops.sum(ops.diag_embed(m, -1, 0, 2) ** 2 * 0.5)
    + ops.sum(ops.diagflat(m, 1) ** 2) + ops.sum(ops.diagonal(m, 1) ** 3),
    "turns": lambda m: ops.sum(ops.rot90(m, 1, (0, 1)) * np.arange(12.0).reshape(4, 3))
    + ops.sum(ops.reverse(m, [1]) * m) + ops.sum(ops.t(m) ** 3) + ops.sum(ops.flipud(m) * m),
    "expand": lambda m: ops.sum(ops.expand(m[:, :1], (2, 3, -1)) ** 2)
    + ops.sum(ops.expand_as(m[0], m) * m) + ops.sum(ops.view_as(m, m.T) ** 3),
    "atleast": lambda m: ops.sum(ops.atleast_3d(m) ** 3) + ops.sum(ops.atleast_2d(m[0]) ** 2)
    + ops.sum(ops.ravel(m) ** 3) + ops.sum(ops.swapdims(m, 0, 1) ** 2),
    "repeat_elements": lambda m: ops.sum(ops.repeat_elements(m, 2, 1) ** 3),
}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix_gradients_match_finite_differences(name):
    ms.check_grads(MATRIX[name], X)


def test_a_nan_is_skipped_by_the_nan_reductions():
    """Finite differences at the entries that are not NaN."""
    m = X.copy()
    m[0, 1] = m[2, 3] = np.nan

    def loss(v):
        return (ops.nansum(v ** 2) + ops.sum(ops.nanmedian(v, 1)[0] ** 3)
                + ops.sum(ops.nanquantile(v, np.array([0.2, 0.9]), 1) ** 2))

    grad = ms.grad(loss)(m)
    numeric = central_differences(loss, m)
    finite = ~np.isnan(m)
    np.testing.assert_allclose(grad[finite], numeric[finite], rtol=1e-6, atol=1e-8)


def quantiles_squared(m):
    return ops.sum(ops.quantile(m, np.array([0.2, 0.7]), 1) ** 2)


def test_quantile_gradient_matches_finite_differences_and_generic_code_refuses_it():
    """NumPy's ``quantile`` needs the operand's shape: shape-specialised code only."""
    np.testing.assert_allclose(ms.grad(quantiles_squared)(X),
                               central_differences(quantiles_squared, X), rtol=1e-6, atol=1e-8)
    with pytest.raises(ms.AutodiffError, match=r"test_mindspore_ops_math\.py"):
        ms.vjp(quantiles_squared, X, specialize=False)


def test_quantiles_follow_numpy():
    m = X.copy()
    m[1, 2] = np.nan
    q = np.array([0.1, 0.5, 0.95])
    np.testing.assert_allclose(ops.quantile(X, q, 1, True), np.quantile(X, q, 1, keepdims=True))
    for axis in (None, 0, 1):
        np.testing.assert_allclose(ops.nanquantile(m, q, axis, True),
                                   np.nanquantile(m, q, axis, keepdims=True))
    all_nan = np.full((2, 3), np.nan)
    assert np.all(np.isnan(ops.nanquantile(all_nan, 0.5, 1)))


# ---------------------------------------------------------------- inactive results

INACTIVE = {  # name: an integer or boolean result, multiplied into the loss
    "isinf": lambda x: ops.isinf(x),
    "isneginf": lambda x: ops.isneginf(x),
    "isposinf": lambda x: ops.isposinf(x),
    "signbit": lambda x: ops.signbit(x),
    "logical_xor": lambda x: ops.logical_xor(x > 0, x < 1),
    "all": lambda x: ops.all(x > 0, 0),
    "any": lambda x: ops.any(x > 0, 1, True),
    "count_nonzero": lambda x: ops.count_nonzero(x > 0),
    "median_index": lambda x: ops.median(x, 0)[1],
    "cummax_index": lambda x: ops.cummax(x, 0)[1],
    "cummin_index": lambda x: ops.cummin(x, 1)[1],
    "trunc": lambda x: ops.trunc(x * 1.3),
    "floor_divide": lambda x: ops.floor_divide(x, 0.45),
}


@pytest.mark.parametrize("name", sorted(INACTIVE))
def test_integer_and_boolean_results_carry_no_gradient(name):
    fn = INACTIVE[name]

    def loss(x):
        return ops.sum(x * 2.0) + ops.sum(fn(x) * x)

    marks = np.asarray(fn(X)).astype(float)
    grad = ms.grad(loss)(X)
    if np.ndim(marks) == 2 and np.shape(marks)[1] in (1, 4):  # broadcast against x
        np.testing.assert_array_equal(grad, 2.0 + np.broadcast_to(marks, X.shape))
    np.testing.assert_allclose(grad, central_differences(loss, X), atol=1e-6)


# ---------------------------------------------------------------- eager results

F32 = Tensor(X.astype(np.float32))
EAGER = {
    "fmod": lambda: ops.fmod(F32, 0.7), "xlogy": lambda: ops.xlogy(F32, F32 * F32),
    "float_power": lambda: ops.float_power(F32, 2.0), "copysign": lambda: ops.copysign(F32, -1.0),
    "signbit": lambda: ops.signbit(F32), "fmax": lambda: ops.fmax(F32, 0.0),
    "logit": lambda: ops.logit(F32, 0.1), "nan_to_num": lambda: ops.nan_to_num(F32),
    "all": lambda: ops.all(F32 > 0), "count_nonzero": lambda: ops.count_nonzero(F32),
    "median": lambda: ops.median(F32)[1], "nanquantile": lambda: ops.nanquantile(F32, 0.5),
    "cummin": lambda: ops.cummin(F32, 0)[0], "cov": lambda: ops.cov(F32),
    "trapz": lambda: ops.trapz(F32), "unbind": lambda: ops.unbind(F32)[0],
    "diag_embed": lambda: ops.diag_embed(F32), "dstack": lambda: ops.dstack((F32, F32)),
    "tril_indices": lambda: ops.tril_indices(3, 4), "expand": lambda: ops.expand(F32, (2, 3, 4)),
    # reductions of the whole array, which NumPy gives as scalars
    "det": lambda: ops.det(F32[:3, :3]), "norm": lambda: ops.norm(F32),
    "argmax": lambda: ops.argmax(F32), "argmin": lambda: ops.argmin(F32),
    "max_values": lambda: ops.max(F32)[0], "min_indices": lambda: ops.min(F32)[1],
    "quantile": lambda: ops.quantile(F32, 0.5),
    "cumsum_int32": lambda: ops.cumsum(Tensor(np.array([1, 2, 3], np.int32)), 0),
}
EAGER_DTYPES = {"cumsum_int32": np.int32, "float_power": np.float64, "signbit": np.bool_,
                "all": np.bool_,
                "count_nonzero": np.int32, "median": np.int64, "tril_indices": np.int64,
                "argmax": np.int64, "argmin": np.int32, "min_indices": np.int64}


@pytest.mark.parametrize("name", sorted(EAGER))
def test_eager_results_are_tensors_in_mindspores_dtype(name):
    result = EAGER[name]()
    assert type(result) is Tensor
    assert result.dtype == EAGER_DTYPES.get(name, np.float32)


def test_numel_size_and_rank_are_python_ints():
    assert [ops.numel(F32), ops.size(F32), ops.rank(F32)] == [12, 12, 2]
    assert all(type(n) is int for n in (ops.numel(F32), ops.size(F32), ops.rank(F32)))


def test_range_runs_eagerly_in_the_dtype_of_start():
    from autodiff_compiler.mindspore.ops_shape import range as ms_range
    values = ms_range(Tensor(np.float32(0.0)), Tensor(np.float32(1.0)), Tensor(np.float32(0.3)))
    assert values.dtype == np.float32 and values.shape == (4,)
    assert ms_range(0, 5, 2).tolist() == [0, 2, 4] and ms_range(0, 5, 2).dtype == np.int64
    with pytest.raises(ValueError, match="maxlen"):
        ms_range(0, 10, 1, maxlen=3)


def expand_to_a_run_time_size(x, size):
    return ops.sum(ops.expand(x, size) * 2.0)


def test_expand_to_a_size_given_at_run_time_sums_the_gradient_back():
    """The size is an array argument: NumPy broadcasts at run time, and the gradient
    is summed back to ``x``'s shape, which is known."""
    grad = ms.grad(expand_to_a_run_time_size)(np.ones((3, 1)), np.array([2, 3, 4]))
    np.testing.assert_array_equal(grad, np.full((3, 1), 16.0))


def unbound(m):
    return ops.sum(ops.unbind(m, 1)[0] * ops.unstack(m, 1)[2]) + ops.sum(ops.unbind(m)[1] ** 3)


def test_unbind_differentiates_in_shape_specialised_code_and_generic_code_refuses_it():
    """One piece per entry along the axis: a count shape-generic code does not know."""
    np.testing.assert_allclose(ms.grad(unbound)(X), central_differences(unbound, X),
                               rtol=1e-6, atol=1e-8)
    with pytest.raises(ms.AutodiffError, match=r"test_mindspore_ops_math\.py.*known only at run"):
        ms.vjp(unbound, X, specialize=False)

"""MindSpore's Tensor methods from ``mindspore/tensor_methods_table.py``: outputs, dtypes
and gradients against MindSpore 2.7.1's on the same draws
(``data/mindspore_tensor_methods.json``, written by
``data/measure_mindspore_tensor_methods.py`` from ``tensor_method_cases``); eagerly
against the ``ops`` function or NumPy (values, dtypes, Tensor results); gradients inside
``grad`` against central finite differences in float64 on several shapes (0-d and
broadcasting where they mean something), in shape-specialised and shape-generic code;
the in-place methods writing into the Tensor eagerly and refused (at the user's line)
inside a differentiated function, as the eager-only ones are."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import tensor_method_cases
from differences import central_differences
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import AutodiffError, Tensor, check_grads, ops
from autodiff_compiler.mindspore import tensor_methods_table

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_tensor_methods.json")
                      .read_text())


def _measured() -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the cases divide by zero for infs
        return tensor_method_cases.measure(ms)


ours = measured_fixture(_measured)


@pytest.mark.parametrize("name", sorted(k for k in MEASURED if k != "mindspore"))
def test_matches_mindspore(ours, name):
    if ".dtype" in name:
        assert ours[name] == MEASURED[name]
    else:
        np.testing.assert_allclose(ours[name], MEASURED[name], rtol=2e-5, atol=2e-6)


def test_every_case_was_measured(ours):
    assert set(ours) == set(MEASURED) - {"mindspore"}


# ---------------------------------------------------------------- eagerly

A = np.array([[-1.3, 0.2, 0.7, 1.9], [2.0, -0.4, 0.05, -0.8], [0.6, -1.7, 1.1, 0.3]],
             np.float32)
B = np.array([[0.9, -1.1, 0.45, 1.6], [-0.7, 1.3, -2.2, 0.35], [1.4, 0.8, -0.6, -1.9]],
             np.float32)
INDEX = np.array([2, 0, 2], np.int32)

EAGER = {  # name: (the method's call, the same by ops or NumPy)
    "matmul": (lambda x: x.matmul(B.T), lambda x: np.matmul(x, B.T)),
    "clamp": (lambda x: x.clamp(-0.5, 1.0), lambda x: ops.clamp(x, -0.5, 1.0)),
    "clamp_max": (lambda x: x.clamp(max=0.5), lambda x: np.minimum(x, 0.5)),
    "masked_fill": (lambda x: x.masked_fill(x > 0, 0.0), lambda x: np.where(x > 0, 0.0, x)),
    "permute": (lambda x: x.permute(1, 0), lambda x: np.transpose(x)),
    "where": (lambda x: x.where(x > 0, 2.0), lambda x: np.where(x > 0, x, 2.0)),
    "roll": (lambda x: x.roll(1, 1), lambda x: np.roll(x, 1, axis=1)),
    "roll_flat": (lambda x: x.roll(2), lambda x: np.roll(x, 2)),
    "clone": (lambda x: x.clone(), lambda x: x),
    "select": (lambda x: x.select(1, 2), lambda x: x[:, 2]),
    "select_negative": (lambda x: x.select(0, -1), lambda x: x[-1]),
    "masked_select": (lambda x: x.masked_select(x > 0), lambda x: x[x > 0]),
    "addcdiv": (lambda x: x.addcdiv(B, np.abs(B) + 1, value=1.5),
                lambda x: ops.addcdiv(x, B, np.abs(B) + 1, 1.5)),
    "softmax_dtype": (lambda x: x.softmax(1, ms.float64),
                      lambda x: ops.softmax(x.astype(np.float64), 1)),
    "index_add_repeats": (lambda x: x.index_add(1, INDEX, B[:, :3], alpha=2.0),
                          lambda x: x + 2.0 * np.stack([B[:, 1], 0 * B[:, 0], B[:, 0] + B[:, 2],
                                                        0 * B[:, 0]], axis=1)),
    "index_fill": (lambda x: x.index_fill(0, np.array([1]), 9.0),
                   lambda x: np.concatenate([x[:1], np.full((1, 4), 9.0, np.float32), x[2:]])),
    "quantile": (lambda x: x.quantile(0.3, 1), lambda x: ops.quantile(x, 0.3, 1)),
    "nanquantile": (lambda x: x.nanquantile(0.3), lambda x: ops.nanquantile(x, 0.3)),
    "det": (lambda x: x[:, :3].det(), lambda x: np.linalg.det(x[:, :3])),
    "to_device": (lambda x: x.to("cpu"), lambda x: x),
}


@pytest.mark.parametrize("name", sorted(EAGER))
def test_method_eagerly_matches_ops(name):
    method, reference = EAGER[name]
    x = Tensor(A)
    out, expected = method(x), reference(A)
    assert type(out) is Tensor
    assert out.dtype == np.asarray(expected).dtype
    np.testing.assert_allclose(out.asnumpy(), expected, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("call, dtype", [
    ("float", np.float32), ("double", np.float64), ("half", np.float16), ("int", np.int32),
    ("long", np.int64), ("short", np.int16), ("bool", np.bool_), ("byte", np.uint8),
], ids=lambda v: v if isinstance(v, str) else "")
def test_conversions_cast_to_a_new_tensor(call, dtype):
    x = Tensor(A * 3)
    out = getattr(x, call)()
    assert type(out) is Tensor and out.dtype == dtype and out.shape == x.shape
    np.testing.assert_array_equal(out.asnumpy(), (A * 3).astype(dtype))
    assert out.ctypes.data != x.ctypes.data


def test_queries():
    x, i = Tensor(A), Tensor(INDEX)
    assert (x.numel(), x.nelement(), x.dim(), x.ndimension()) == (12, 12, 2, 2)
    assert type(x.numel()) is int and type(x.dim()) is int
    assert (x.is_floating_point(), i.is_floating_point()) == (True, False)
    assert (x.is_complex(), x.is_signed(), i.is_signed()) == (False, True, True)
    assert (x.bool().is_signed(), x.byte().is_signed()) == (False, False)
    assert x.is_contiguous() and not Tensor(A).t().is_contiguous()
    assert (x.type(), i.type(), x.half().type()) == ("Float32", "Int32", "Float16")
    assert x.type(ms.int64).dtype == np.int64 and x.to(ms.float64).dtype == np.float64
    assert x.type_as(i).dtype == np.int32
    assert x.allclose(x + 1e-7) is True and x.allclose(x + 1.0) is False
    array = x.numpy()
    assert type(array) is np.ndarray and np.shares_memory(array, x)


def test_split_family_returns_tuples_of_tensors():
    x = Tensor(A)
    for pieces, shapes in [
            (x.split(3, 1), [(3, 3), (3, 1)]), (x.split([1, 3], dim=1), [(3, 1), (3, 3)]),
            (x.split(2, axis=0), [(2, 4), (1, 4)]), (x.chunk(2, 1), [(3, 2), (3, 2)]),
            (x.tensor_split(3, 1), [(3, 2), (3, 1), (3, 1)]), (x.unbind(1), [(3,)] * 4)]:
        assert isinstance(pieces, tuple) and all(type(p) is Tensor for p in pieces)
        assert [p.shape for p in pieces] == shapes


def test_numpy_methods_keep_numpys_meaning():
    """Names NumPy's arrays have (``repeat``, ``view``, ``sum``) are left alone: compiled
    code sees plain arrays, where they mean NumPy's."""
    x = Tensor(A)
    np.testing.assert_array_equal(x.repeat(2, axis=0).asnumpy(), np.repeat(A, 2, axis=0))
    assert x.sum(axis=1, keepdims=True).shape == (3, 1)


def test_unique_runs_eagerly():
    values, index = Tensor(np.array([3, 1, 3, 2], np.int32)).unique()
    assert values.tolist() == [3, 1, 2] and index.tolist() == [0, 1, 0, 2]


# ---------------------------------------------------------------- in place

IN_PLACE = {  # name: (call, new values of A); each returns the Tensor, written in place
    "add_": (lambda x: x.add_(B), A + B),
    "sub_": (lambda x: x.sub_(B, alpha=2.0), A - 2.0 * B),
    "mul_": (lambda x: x.mul_(2.0), A * 2.0),
    "div_": (lambda x: x.div_(B), A / B),
    "zero_": (lambda x: x.zero_(), np.zeros_like(A)),
    "fill_": (lambda x: x.fill_(2.5), np.full_like(A, 2.5)),
    "copy_": (lambda x: x.copy_(Tensor(B)), B),
    "clamp_": (lambda x: x.clamp_(-0.5, 0.5), np.clip(A, -0.5, 0.5)),
    "masked_fill_": (lambda x: x.masked_fill_(x > 0, 1.0), np.where(A > 0, 1.0, A)),
    "exp_": (lambda x: x.exp_(), np.exp(A)),
    "log_": (lambda x: x.abs().log_(), np.log(np.abs(A))),
    "floor_": (lambda x: x.floor_(), np.floor(A)),
    "sigmoid_": (lambda x: x.sigmoid_(), 1 / (1 + np.exp(-A))),
    "tanh_": (lambda x: x.tanh_(), np.tanh(A)),
}


@pytest.mark.parametrize("name", sorted(IN_PLACE))
def test_in_place_methods_write_into_the_tensor(name):
    call, expected = IN_PLACE[name]
    x = Tensor(A)
    out = call(x)
    assert type(out) is Tensor and out.dtype == np.float32
    np.testing.assert_allclose(out.asnumpy(), expected.astype(np.float32), rtol=1e-6)
    if name != "log_":  # x.abs() is a new Tensor
        assert out is x


def test_in_place_keeps_the_dtype():
    x = Tensor(np.array([1, 2, 3], np.int32))
    assert x.add_(1.7) is x and x.dtype == np.int32 and x.tolist() == [2, 3, 4]


def _adds_in_place(x):
    y = x.add_(1.0)
    return (x * y).sum()


def _multiplies_in_place(x):
    y = x.mul_(x)
    return (x * y).sum()


def _zeros_in_place(x):
    y = x * 2.0
    z = y.zero_()
    return (x * z).sum()


def _copies_in_place(x):
    y = x.copy_(x * 2.0)
    return (x * y).sum()


def _fills_in_place(x):
    y = x.masked_fill_(x > 0, 0.0)
    return (x * y).sum()


@pytest.mark.parametrize("name, fn", [("add_", _adds_in_place), ("mul_", _multiplies_in_place),
                                      ("zero_", _zeros_in_place), ("copy_", _copies_in_place),
                                      ("masked_fill_", _fills_in_place)],
                         ids=["add_", "mul_", "zero_", "copy_", "masked_fill_"])
def test_in_place_methods_are_refused_inside_grad(name, fn):
    """Even on an array the function made (``y.zero_()``): never a silently wrong
    gradient through a write another name may read."""
    with pytest.raises(AutodiffError, match=rf"x\.{name}\(\) writes into x in place") as err:
        ms.grad(fn)(Tensor(A.astype(np.float64)))
    assert f".{name}(" in str(err.value) and "test_tensor_methods_more.py" in str(err.value)


def test_eager_only_methods_are_refused_inside_grad_at_the_users_line():
    def f(x):
        return x.sum() if x.is_contiguous() else x.mean()

    with pytest.raises(AutodiffError, match=r"x\.is_contiguous\(\) runs eagerly only") as err:
        ms.grad(f)(Tensor(A.astype(np.float64)))
    assert "x.is_contiguous()" in str(err.value)
    assert "test_tensor_methods_more.py" in str(err.value)


def test_unique_compiles_and_its_values_carry_the_gradient_of_their_first_entry():
    def f(x):
        values, positions = x.unique()  # MindSpore's order: as first seen
        return (values * values).sum() + (values[positions] * x).sum()

    x = np.array([[2.0, -1.0], [2.0, 0.5]])
    value, grads = ms.value_and_grad(f)(Tensor(x))
    np.testing.assert_allclose(value, 4.0 + 1.0 + 0.25 + np.sum(x * x))
    # values[positions] is x read through the values, so x's gradient is its direct
    # part values[positions] (= x) everywhere, and at each value's first entry the
    # value's own part: 2 v from sum(v^2), plus the x of every entry holding v (2 + 2
    # for the value 2, at [0, 0] only)
    np.testing.assert_allclose(grads, [[2.0 + 4.0 + 4.0, -1.0 - 2.0 - 1.0],
                                       [2.0, 0.5 + 1.0 + 0.5]])


def test_numpy_inside_grad_carries_no_gradient():
    def f(x):
        return (x.numpy() * x).sum()

    x = A.astype(np.float64)
    np.testing.assert_allclose(ms.grad(f)(Tensor(x)), x)


# ---------------------------------------------------------------- finite differences

X = np.array([[-1.3, 0.2, 0.7, 1.9], [2.0, -0.4, 0.05, -0.8], [0.6, -1.7, 1.1, 0.3]])


def _t(x):
    return Tensor(np.asarray(x))


ELEMENTWISE = {  # name: a loss of one float64 array of any shape
    "asin_acos": lambda x: (_t(np.tanh(x) * 0.9).asin() * _t(np.tanh(x) * 0.8).acos()).sum(),
    "atan_asinh": lambda x: (_t(x).atan() + _t(x).asinh() * 2.0).sum(),
    "acosh_atanh": lambda x: (_t(x * x + 1.5).acosh() + _t(np.tanh(x) * 0.9).atanh()).sum(),
    "log2_log10": lambda x: (_t(x * x + 0.5).log2() * _t(x * x + 0.3).log10()).sum(),
    "rsqrt_erf": lambda x: (_t(x * x + 0.5).rsqrt() + _t(x).erf() * _t(x).erfc()).sum(),
    "sinc_frac": lambda x: (_t(x).sinc() + _t(x * 3.1).frac()).sum(),
    "xlogy_hypot": lambda x: (_t(x).xlogy(x * x + 0.5) + _t(x).hypot(x + 0.3)).sum(),
    "atan2_logaddexp": lambda x: (_t(x).atan2(x - 0.25) * _t(x).logaddexp(-x)).sum(),
    "float_power": lambda x: _t(x * x + 0.5).float_power(x).sum(),
    "logit": lambda x: _t(1 / (1 + np.exp(-x))).logit().sum(),
    "deg2rad_absolute": lambda x: (_t(x).deg2rad() * _t(x).absolute()).sum(),
    "shrinks": lambda x: (_t(x).hardshrink(0.33) * _t(x).soft_shrink(0.11)).sum(),
    "clamp": lambda x: (_t(x).clamp(-0.5, 1.0) ** 2).sum(),
    "lerp_where": lambda x: (_t(x).lerp(x * x, 0.3) * _t(x).where(x > 0, x * 2.0)).sum(),
    "multiply_divide": lambda x: (_t(x).multiply(x).divide(x * x + 1.0)).sum(),
    "subtract_true_divide": lambda x: (_t(x).subtract(x * x, alpha=2.0)
                                       .true_divide(x * x + 2.0)).sum(),
    "remainder_fmod": lambda x: (_t(x * 3.0).remainder(1.37) * _t(x * 3.0).fmod(1.13)).sum(),
    "addcmul_addcdiv": lambda x: (_t(x).addcmul(x, x, value=0.5)
                                  * _t(x).addcdiv(x, x * x + 1.0, value=2.0)).sum(),
    "masked_fill": lambda x: (_t(x).masked_fill(x > 0.5, 0.25) * x).sum(),
    "double_nan_to_num": lambda x: (_t(x).double().nan_to_num() * x).sum(),
    "clone_contiguous": lambda x: (_t(x).clone().contiguous() * x).sum(),
}
SHAPES = [(3, 4), (4,), ()]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_gradients_match_finite_differences(name, shape):
    x = X.ravel()[:int(np.prod(shape))].reshape(shape)
    ms.check_grads(ELEMENTWISE[name], x)


MATRIX = {  # name: a loss of one (3, 4) float64 array
    "matmul_broadcast": lambda x: (_t(x).matmul(np.ones((2, 4, 3)) * x[0, :3]) ** 2).sum(),
    "mm_outer_inner": lambda x: (_t(x).mm(x.T).sum() + _t(x[0]).outer(x[1]).sum()
                                 + _t(x).inner(x * 2.0).sum()),
    "bmm": lambda x: (_t(np.stack([x, x * x])).bmm(np.stack([x.T, x.T + 1.0])) ** 2).sum(),
    "addmm_addmv": lambda x: (_t(x[:, :3]).addmm(x, x.T, beta=0.5, alpha=2.0).sum()
                              + _t(x[:, 0]).addmv(x, x[0], beta=2.0).sum()),
    "softmax_logsumexp": lambda x: (_t(x).softmax(1) * x).sum() + _t(x).logsumexp(0).sum(),
    "permute_t_flip": lambda x: (_t(x).t().permute(1, 0).flip((0,)) * x).sum(),
    "rot90_roll_tile": lambda x: ((_t(x).rot90(1, (0, 1)) ** 2).sum()
                                  + (_t(x).roll(1, 1) * x).sum() + _t(x).tile((2, 1)).sum()),
    "expand_broadcast": lambda x: ((_t(x[0]).expand(3, -1) * x).sum()
                                   + (_t(x[:, :1]).broadcast_to(3, 4) * x).sum()
                                   + (_t(x[0]).expand_as(x) * x * x).sum()),
    "view_reshape_as": lambda x: (_t(x).view_as(x.T) * x.T).sum() + (_t(x).reshape_as(x.T)
                                                                     ** 3).sum(),
    "split_chunk": lambda x: (_t(x).split(3, 1)[0] ** 2).sum() + (_t(x).chunk(2, 0)[1]
                                                                  ** 3).sum(),
    "unbind_narrow": lambda x: (_t(x).unbind(1)[2] ** 2).sum() + (_t(x).narrow(1, 1, 2)
                                                                  ** 3).sum(),
    "moveaxis_swapdims": lambda x: (_t(x[None]).moveaxis(0, 2).swapdims(0, 1) ** 3).sum(),
    "gather_index_select": lambda x: ((_t(x).gather(1, np.array([[0, 3], [1, 1]])) ** 2).sum()
                                      + (_t(x).gather(np.array([2, 0, 2]), 1) ** 3).sum()
                                      + (_t(x).index_select(0, np.array([1, 1])) ** 2).sum()),
    "select_forms": lambda x: ((_t(x).select(1, 2) ** 2).sum()
                               + (_t(x).select(x > 0, x * x) ** 2).sum()),
    "tril_triu_diag": lambda x: ((_t(x).tril(1) ** 2).sum() + (_t(x).triu() ** 3).sum()
                                 + (_t(x[0]).diag() * 2.0).sum() + _t(x[1]).diagflat(1).sum()),
    "topk_msort": lambda x: ((_t(x).topk(2)[0] ** 2).sum() + (_t(x).top_k(1)[0] ** 3).sum()
                             + (_t(x).msort() * np.arange(12.0).reshape(3, 4)).sum()),
    "repeat_interleave": lambda x: (_t(x).repeat_interleave(2, 1) * np.arange(8.0)).sum(),
    "index_add_fill": lambda x: ((_t(x).index_add(1, np.array([2, 0, 2]), x[:, :3] * x[:, 1:])
                                  ** 2).sum() + (_t(x).index_fill(1, np.array([1]), 0.5)
                                                 ** 3).sum()),
    "amax_amin_ptp": lambda x: (_t(x).amax(1) * _t(x).amin(0)[:3]).sum() + _t(x).ptp(0).sum(),
    "aminmax_median": lambda x: (_t(x).aminmax(axis=1)[1] ** 2).sum() + (_t(x).median(0)[0]
                                                                         ** 2).sum(),
    "nansum_nanmean": lambda x: (_t(x).nansum(1) ** 2).sum() + (_t(x).nanmean() ** 2),
    "cummax_logcumsumexp": lambda x: ((_t(x).cummax(1)[0] ** 2).sum()
                                      + (_t(x).cummin(0)[0] ** 2).sum()
                                      + _t(x).logcumsumexp(1).sum()),
    "diff_cov": lambda x: (_t(x).diff() ** 2).sum() + (_t(x).cov() ** 2).sum(),
    "argmax_with_value": lambda x: ((_t(x).argmax_with_value(1)[0] ** 2).sum()
                                    + (_t(x).argmin_with_value(0)[0] ** 3).sum()),
    "inverse_det": lambda x: ((_t(x[:, :3] + 3.0 * np.eye(3)).inverse() ** 2).sum()
                              + _t(x[:, 1:] + 3.0 * np.eye(3)).det()),
    "quantile": lambda x: (_t(x).quantile(0.3, 1) ** 2).sum(),
}
# Layouts worked out from the shapes while compiling (pieces, the axes an index lies
# along): shape-generic code refuses these at the user's line, so only shape-specialised
# code is checked against finite differences.
SPECIALISED_ONLY = {"gather_index_select", "index_add_fill", "quantile", "split_chunk",
                    "unbind_narrow"}


@pytest.mark.parametrize("name", sorted(set(MATRIX) - SPECIALISED_ONLY))
def test_matrix_gradients_match_finite_differences(name):
    ms.check_grads(MATRIX[name], X)


@pytest.mark.parametrize("name", sorted(SPECIALISED_ONLY))
def test_shape_specialised_gradients_match_finite_differences(name):
    loss = MATRIX[name]
    numeric = central_differences(loss, X)
    np.testing.assert_allclose(ms.grad(loss)(X), numeric, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(SPECIALISED_ONLY))
def test_shape_generic_code_refuses_clearly(name):
    with pytest.raises(AutodiffError, match=r"test_tensor_methods_more\.py") as err:
        ms.gradient_source(MATRIX[name])  # shape-generic
    assert "hint:" in str(err.value)


# ---------------------------------------------------------------- methods forwarded to ops

SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
POSITIVE = np.array([[0.5, 1.5, 2.5], [3.0, 0.7, 1.2]])
INTS = np.array([[12, 18, 7], [5, 30, 9]], np.int32)
OTHER_INTS = np.array([[8, 12, 3], [10, 4, 2]], np.int32)
FORWARDED = {  # method: (the Tensor's values, the arguments after it)
    "addbmm": (SPD, (np.ones((2, 3, 4)), np.ones((2, 4, 3)))),
    "addr": (SPD, (np.arange(3.0), np.arange(3.0) + 1)),
    "angle": (POSITIVE - 1.0 + 1j * POSITIVE, ()),
    "argwhere": (POSITIVE > 1.0, ()),
    "baddbmm": (np.ones((2, 3, 3)), (np.ones((2, 3, 4)), np.ones((2, 4, 3)))),
    "bitwise_and": (INTS, (OTHER_INTS,)),
    "bitwise_left_shift": (INTS, (np.int32(2),)),
    "bitwise_or": (INTS, (OTHER_INTS,)),
    "bitwise_right_shift": (INTS, (np.int32(1),)),
    "bitwise_xor": (INTS, (OTHER_INTS,)),
    "cholesky": (SPD, ()),
    "cholesky_inverse": (np.linalg.cholesky(SPD), ()),
    "cholesky_solve": (np.ones((3, 2)), (np.linalg.cholesky(SPD),)),
    "copysign": (POSITIVE, (POSITIVE - 1.0,)),
    "cross": (SPD, (POSITIVE[:1].repeat(3, 0),)),
    "diagonal_scatter": (SPD, (np.arange(3.0),)),
    "digamma": (POSITIVE, ()),
    "eigvals": (SPD, ()),
    "erfinv": (POSITIVE / 4.0, ()),
    "fmax": (POSITIVE, (POSITIVE[::-1],)),
    "fold": (np.arange(72.0).reshape(1, 8, 9), ((4, 4), 2)),
    "fmin": (POSITIVE, (POSITIVE[::-1],)),
    "gather_nd": (SPD, (np.array([[0, 1], [2, 2]], np.int32),)),
    "gcd": (INTS, (OTHER_INTS,)),
    "ger": (np.arange(3.0), (np.arange(2.0) + 1,)),
    "heaviside": (POSITIVE - 1.0, (np.array(0.5),)),
    "histc": (POSITIVE.astype(np.float32), (4, 0.0, 4.0)),
    "i0": (POSITIVE, ()),
    "igamma": (POSITIVE, (POSITIVE[::-1],)),
    "igammac": (POSITIVE, (POSITIVE[::-1],)),
    "inv": (POSITIVE, ()),
    "invert": (INTS, ()),
    "isreal": (POSITIVE, ()),
    "lcm": (INTS, (OTHER_INTS,)),
    "ldexp": (POSITIVE, (np.array([1, 2, 3], np.int32),)),
    "lgamma": (POSITIVE, ()),
    "log_matrix_determinant": (SPD, ()),
    "logaddexp2": (POSITIVE, (POSITIVE[::-1],)),
    "logdet": (SPD, ()),
    "lu_solve": (np.ones((3, 2)), (np.triu(SPD) + np.tril(SPD, -1) * 0.25,  # LU in one
                                   np.array([1, 2, 3], np.int32))),        # (no pivoting)
    "matrix_determinant": (SPD, ()),
    "matrix_power": (SPD, (3,)),
    "mvlgamma": (POSITIVE + 1.0, (2,)),
    "nextafter": (POSITIVE, (POSITIVE[::-1],)),
    "renorm": (POSITIVE, (2, 0, 1.0)),
    "reverse": (POSITIVE, ([1],)),
    "reverse_sequence": (POSITIVE, (np.array([2, 3], np.int32), 1)),
    "select_scatter": (SPD, (np.arange(3.0), 0, 1)),
    "slice_scatter": (SPD, (np.ones((1, 3)), 0, 1, 2)),
    "slogdet": (SPD, ()),
    "svd": (SPD, ()),
    "unfold": (np.arange(32.0).reshape(1, 2, 4, 4), (2,)),
    "unique_consecutive": (np.array([1.0, 1.0, 2.0, 2.0, 3.0, 1.0]), ()),
    "unsorted_segment_max": (POSITIVE, (np.array([1, 0], np.int32), 2)),
    "unsorted_segment_min": (POSITIVE, (np.array([1, 0], np.int32), 2)),
    "unsorted_segment_prod": (POSITIVE, (np.array([1, 0], np.int32), 2)),
    "xdivy": (POSITIVE, (POSITIVE[::-1],)),
}


def _values(out):
    return [np.asarray(o) for o in out] if isinstance(out, tuple) else [np.asarray(out)]


def test_every_forwarded_method_has_a_case():
    assert set(FORWARDED) == set(tensor_methods_table._FORWARDED)


@pytest.mark.parametrize("name", sorted(FORWARDED))
def test_forwarded_method_is_the_ops_function_of_the_tensor(name):
    values, rest = FORWARDED[name]
    got = getattr(Tensor(values), name)(*rest)
    want = getattr(ops, name)(Tensor(values), *rest)
    for g, w in zip(_values(got), _values(want)):
        np.testing.assert_array_equal(g, w)


def chosen_methods(values):
    x = Tensor(values)
    spd = x @ x.T + 3.0 * np.eye(3)
    return (x.lgamma().sum() + spd.cholesky().sum() + spd.logdet() + x.digamma().sum()
            + x.xdivy(x + 1.0).sum() + x.renorm(2, 0, 1.0).sum())


def test_forwarded_methods_compile_and_differentiate():
    check_grads(chosen_methods, POSITIVE[:, :3].repeat(2, 0)[:3] + 0.2, generic=False)


XA = Tensor(np.array([3.0, -4.0], np.float32))
YA = Tensor(np.array([2.0, 3.0], np.float32))


def _with_options(x, y):
    a = 2
    return (x.add(y, alpha=a) * x.sub(y) + x.div(y, rounding_mode="trunc")
            + x.add(y) * x.div(y)).sum()


def _alpha_at_run_time(x, y, a):
    return (x.add(y, alpha=a) * x.sub(y, alpha=a)).sum()


def test_add_sub_div_take_mindspores_options_eagerly_and_compiled():
    """Measured in MindSpore 2.10: ``x.add(y, alpha=2)`` is ``x + 2 y``, ``x.div(y,
    rounding_mode=...)`` rounds; here they were NumPy's ufuncs, which refuse both."""
    np.testing.assert_allclose(XA.add(YA, alpha=2), [7.0, 2.0])
    np.testing.assert_allclose(XA.sub(YA, alpha=2), [-1.0, -10.0])
    np.testing.assert_allclose(XA.div(YA, rounding_mode="floor"), [1.0, -2.0])
    gx, gy = ms.grad(_with_options, (0, 1))(XA, YA)  # MindSpore 2.10's numbers
    np.testing.assert_allclose(gx, [12.0, -6.6666667], rtol=1e-6)
    np.testing.assert_allclose(gy, [-7.25, -17.777779], rtol=1e-6)
    grads = ms.grad(_alpha_at_run_time, (0, 1, 2))(XA, YA, 0.5)  # a float alpha: an input
    for position, base in enumerate((XA, YA, 0.5)):
        def moved(value, position=position):
            args = [XA.astype(np.float64), YA.astype(np.float64), 0.5]
            args[position] = value
            return _alpha_at_run_time(*args)
        np.testing.assert_allclose(grads[position], central_differences(
            moved, np.float64(base) if position == 2 else base.astype(np.float64)), rtol=1e-4)


def _row_norms(x):
    return x.norm(dim=1).sum()


def test_norm_and_flatten_take_mindspores_arguments():
    x = Tensor(np.array([[0.6, 0.8], [1.0, 0.0]], np.float32))
    np.testing.assert_allclose(ms.grad(_row_norms)(x), [[0.6, 0.8], [1.0, 0.0]], rtol=1e-6)
    z = Tensor(np.ones((2, 3, 4), np.float32))
    assert z.flatten().shape == (24,) and z.flatten(start_dim=1).shape == (2, 12)
    assert z.flatten(start_dim=0, end_dim=1).shape == (6, 4)
    assert np.unique(z).shape == (1,)  # NumPy's own calls of flatten() are NumPy's

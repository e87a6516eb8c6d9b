"""MindSpore's dtypes and values for integer inputs of ops, nn layers and Tensor methods,
eagerly and inside a differentiated function.

The expected dtypes and values were measured on MindSpore 2.10 (CPU) with
``x = Tensor([[1, -2, 3], [4, 5, -6]], int32)`` and ``y = x * 2``; they are facts about
MindSpore, hard-coded here. NumPy itself would widen int32 sums to int64, float results
of integers to float64, and clamps with float bounds to floats.
"""
import importlib.util
import sys

import numpy as np
import pytest

import autodiff_compiler as mindspore
from autodiff_compiler import Tensor, nn, ops

X = np.array([[1, -2, 3], [4, 5, -6]])

# (expression of x and y, MindSpore's dtype for int32 input, MindSpore's values)
CASES = [
    ("ops.ReduceSum()(x)", "int32", 5),
    ("ops.ReduceSum(keep_dims=True)(x, 1)", "int32", [[2], [3]]),
    ("ops.CumSum()(x, 0)", "int32", [[1, -2, 3], [5, 3, -3]]),
    ("ops.CumProd()(x, 0)", "int32", [[1, -2, 3], [4, -10, -18]]),
    ("x.nansum()", "int32", 5),
    ("ops.trace(x)", "int32", 6),
    ("nn.L1Loss('sum')(x, y)", "int32", 21),
    ("nn.L1Loss()(x, y)", "int32", 3),  # 21 / 6, rounded toward zero
    ("ops.l1_loss(x, y)", "int32", 3),
    ("nn.MAELoss()(x, y)", "int32", 3),
    ("ops.norm(x)", "float32", 9.539392),
    ("x.std()", "float32", 3.8944404),  # the mean taken as an integer (0) first
    ("x.var()", "float32", 15.166667),
    ("x.var(axis=0)", "float32", [2.5, 12.5, 20.5]),
    ("x.std(ddof=1)", "float32", 4.2661457),
    ("ops.mse_loss(x, y)", "float32", 15.166667),
    ("ops.exp2(x)", "float32", [[2.0, 0.25, 8.0], [16.0, 32.0, 0.015625]]),
    ("nn.RMSELoss()(x, y)", "float32", 3.8729835),  # sqrt(15): the mean in int32
    ("ops.clip_by_norm(x, 1.0)", "float32", [[1 / 9, -2 / 9, 3 / 9], [4 / 9, 5 / 9, -6 / 9]]),
    ("ops.leaky_relu(x, 0.1)", "int32", [[1, 0, 3], [4, 5, 0]]),
    ("nn.LeakyReLU(0.2)(x)", "int32", [[1, 0, 3], [4, 5, 0]]),
    ("ops.leaky_relu(x, 1.5)", "int32", [[1, -2, 3], [4, 5, -6]]),  # alpha cast: 1
    ("ops.hardtanh(x, -0.5, 0.5)", "int32", [[0, 0, 0], [0, 0, 0]]),
    ("ops.hardtanh(x, -2.7, 2.7)", "int32", [[1, -2, 2], [2, 2, -2]]),
    ("ops.clip_by_value(x, -0.5, 0.5)", "int32", [[0, 0, 0], [0, 0, 0]]),
    ("ops.clip_by_value(x, Tensor(-2.5), Tensor(2.5))", "int32", [[1, -2, 2], [2, 2, -2]]),
    ("ops.ReLU()(x)", "int32", [[1, 0, 3], [4, 5, 0]]),
    ("nn.HSwish()(x)", "int32", [[0, 0, 3], [4, 5, 0]]),
    ("x.addcmul(x, x, value=0.5)", "int32", [[1, -2, 3], [4, 5, -6]]),  # value cast: 0
    ("x.addcmul(x, x, value=1.5)", "int32", [[2, 2, 12], [20, 30, 30]]),
]


def _check(result, dtype, expected):
    got = np.asarray(result)
    assert got.dtype == np.dtype(dtype)
    if expected is not None:
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize(("expression", "dtype", "expected"), CASES)
def test_eager(expression, dtype, expected):
    x = Tensor(X.astype(np.int32))
    y = x * 2
    _check(eval(expression, {"ops": ops, "nn": nn, "Tensor": Tensor, "x": x, "y": y}),
           dtype, expected)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    """A module of functions ``f_i(w, x, y)``, one per case, each returning ``w * 2`` and
    the case's expression (the int Tensors arguments, not differentiated)."""
    path = tmp_path_factory.mktemp("integer_dtypes") / "integer_cases.py"
    lines = ["from autodiff_compiler import Tensor, nn, ops", ""]
    for i, (expression, _, _) in enumerate(CASES):
        lines += [f"def f_{i}(w, x, y):", f"    return w * 2.0, {expression}", ""]
    path.write_text("\n".join(lines))
    spec = importlib.util.spec_from_file_location("integer_cases", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["integer_cases"] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules["integer_cases"]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_compiled(compiled, case):
    _, dtype, expected = CASES[case]
    x = Tensor(X.astype(np.int32))
    step = mindspore.value_and_grad(getattr(compiled, f"f_{case}"), 0, has_aux=True)
    (value, result), grad = step(Tensor(np.float32(1.5)), x, x * 2)
    assert float(value) == 3.0
    assert float(grad) == 2.0
    _check(result, dtype, expected)


@pytest.mark.parametrize(("dtype", "wraps"), [("int64", "int64"), ("int8", "int8")])
def test_other_integer_dtypes_are_kept(dtype, wraps):
    """Measured for int64 and int8 too: the same values, each in the input's dtype."""
    x = Tensor(X.astype(dtype))
    _check(ops.ReduceSum()(x), wraps, 5)
    _check(ops.CumProd()(x, 0), wraps, [[1, -2, 3], [4, -10, -18]])
    _check(ops.leaky_relu(x, 0.1), wraps, [[1, 0, 3], [4, 5, 0]])
    _check(ops.exp2(x), "float32", [[2.0, 0.25, 8.0], [16.0, 32.0, 0.015625]])
    _check(x.var(), "float32", 15.166667)


def test_uint8_sum_wraps_in_its_dtype():
    """MindSpore sums uint8 in uint8: 1 + 254 + 3 + 4 + 5 + 250 = 517 = 5 (mod 256)."""
    _check(ops.ReduceSum()(Tensor(X.astype(np.uint8))), "uint8", 5)


def test_floats_and_numpy_keep_their_dtypes():
    """The rules touch integers only: float32 stays float32, and NumPy's own functions
    on plain arrays keep NumPy's promotion."""
    f = Tensor(X.astype(np.float32))
    _check(ops.leaky_relu(f, 0.1), "float32", [[1, -0.2, 3], [4, 5, -0.6]])
    _check(ops.ReduceSum()(f), "float32", 5)
    assert np.sum(X.astype(np.int32)).dtype == np.int64
    assert np.exp2(X.astype(np.int32)).dtype == np.float64


def test_clip_by_norm():
    """float32 of integers, as MindSpore's, scaled by ``1 / trunc(norm)``: MindSpore's
    norm of integers rounds toward zero (sqrt(91) -> 9, sqrt(26) -> 5, sqrt(2) -> 1)."""
    got = ops.clip_by_norm(Tensor(X.astype(np.int32)), 1.0)
    assert np.asarray(got).dtype == np.float32
    np.testing.assert_allclose(got, [[0.1111111, -0.2222222, 0.3333333],
                                     [0.4444444, 0.5555555, -0.6666666]], rtol=1e-5)
    small = ops.clip_by_norm(Tensor(np.array([[3, 4], [0, 1]], np.int16)), 1.0)
    assert np.asarray(small).dtype == np.float32
    np.testing.assert_allclose(small, [[0.6, 0.8], [0.0, 0.2]], rtol=1e-5)
    l1 = ops.clip_by_norm(Tensor(np.array([[3, 4], [0, 1]], np.int32)), 2.0, norm_type=1.0)
    np.testing.assert_allclose(l1, [[0.75, 1.0], [0.0, 0.25]], rtol=1e-5)


# MindSpore 2.10, p = Tensor([-3, -2, -1, 0, 1, 2], dtype): NumPy raises for these.
POWERS = [
    ("p ** -1", "int32", [0, 0, -1, -2147483648, 1, 0]),
    ("2 ** p", "int32", [0, 0, 0, 1, 2, 4]),
    ("(-1) ** p", "int32", [-1, 1, -1, 1, -1, 1]),
    ("p ** p", "int32", [0, 0, -1, 1, 1, 4]),
    ("ops.pow(p, Tensor(np.array(-2, np.int32)))", "int32", [0, 0, 1, -2147483648, 1, 0]),
    ("p ** -1", "int64", [0, 0, -1, -9223372036854775808, 1, 0]),
    ("p ** -1", "int8", [0, 0, -1, 0, 1, 0]),  # int32's minimum, wrapped
    ("2 ** p", "int16", [0, 0, 0, 1, 2, 4]),
]


@pytest.mark.parametrize(("expression", "dtype", "expected"), POWERS)
def test_negative_integer_powers(expression, dtype, expected):
    p = Tensor(np.array([-3, -2, -1, 0, 1, 2], dtype))
    result = eval(expression, {"ops": ops, "Tensor": Tensor, "np": np, "p": p})
    assert isinstance(result, Tensor)
    assert result.dtype == np.dtype(dtype)
    assert result.tolist() == expected


def test_plain_numpy_integer_powers_still_raise():
    with pytest.raises(ValueError, match="negative integer powers"):
        np.power(np.array([2, 3]), -1)

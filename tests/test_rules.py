"""Every derivative rule against finite differences, one table row per NumPy spelling.

Each ``Row`` names the function, method, attribute or operator it exercises and the
primitives it covers; the meta-tests at the end keep the tables honest against
``surface`` and ``primitives.REGISTRY``. The compiler reads functions from source, so
the function under test is a ``def`` in this file or a lambda on its own line, and it
reaches the row's callable through a closure variable.
"""
from __future__ import annotations

import math
import re
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads, scipy_rules
from autodiff_compiler.backends.numpy.spellings import own_spelling
from autodiff_compiler.ir import surface
from autodiff_compiler.ir.primitives import REGISTRY

PY_FLOAT = "pyfloat"  # in a shape list: a Python float instead of an array
NP_SCALAR = "npscalar"  # in a shape list: an np.float64 scalar instead of an array


@dataclass(frozen=True)
class Row:
    """One spelling under test.

    ``lims`` is the range inputs are drawn from, or one range per argument. ``shapes``
    gives the argument shapes in tables whose rows each need their own. ``surface`` is
    the entry of ``surface.FUNCTIONS`` (a callable) or of ``METHODS``/``ATTRIBUTES``
    (``".name"``) that ``fn`` exercises, when ``fn`` is not that callable itself.
    ``generic=False``: ``fn`` needs what shape-generic code does not know (a dtype).
    """

    name: str
    fn: Callable[..., Any]
    lims: tuple = (-2.0, 2.0)
    covers: tuple[str, ...] = ()
    shapes: tuple = ()
    surface: Any = None
    generic: bool = True


@dataclass(frozen=True)
class Exact:
    """A gradient known exactly: ``expected`` holds one gradient per argument."""

    name: str
    fn: Callable[..., Any]
    args: tuple
    expected: tuple
    covers: tuple[str, ...] = ()
    surface: Any = None


def sample(lims: tuple, shape: Any) -> Any:
    """A uniform random input of ``shape``, or a Python float / NumPy scalar."""
    if shape == PY_FLOAT:
        return float(np.random.uniform(*lims))
    if shape == NP_SCALAR:
        return np.float64(np.random.uniform(*lims))
    return np.asarray(np.random.uniform(*lims, size=shape))


def sample_args(row: Row, shapes: tuple) -> list[Any]:
    per_arg = row.lims if isinstance(row.lims[0], tuple) else (row.lims,) * len(shapes)
    return [sample(lims, shape) for lims, shape in zip(per_arg, shapes)]


def gradients(fn: Callable[..., Any], args: list[Any]) -> tuple:
    """``adc.grad`` of ``fn`` with respect to every argument, always as a tuple."""
    if len(args) == 1:
        return (adc.grad(fn)(*args),)
    return adc.grad(fn, grad_position=tuple(range(len(args))))(*args)


def scaled(fn: Callable[..., Any], arity: int) -> Callable[..., Any]:
    """``3 * fn``, as a ``def`` the compiler can read, closing over ``fn``."""

    def unary(a):
        return fn(a) * 3.0

    def binary(a, b):
        return fn(a, b) * 3.0

    def ternary(a, b, c):
        return fn(a, b, c) * 3.0

    def quaternary(a, b, c, d):
        return fn(a, b, c, d) * 3.0

    return {1: unary, 2: binary, 3: ternary, 4: quaternary}[arity]


def shape_id(shape: Any) -> str:
    return shape if isinstance(shape, str) else "x".join(map(str, shape)) or "0d"


def shapes_id(shapes: tuple, sep: str = "-") -> str:
    return sep.join(shape_id(s) for s in shapes)


def names(rows: list) -> list[str]:
    return [row.name for row in rows]


# ---------------------------------------------------------------------------- spellings
# Operators, methods and attributes have no NumPy callable of their own; these defs
# spell them so a row can hold them.


def op_add(x, y):
    return x + y


def op_sub(x, y):
    return x - y


def op_mul(x, y):
    return x * y


def op_div(x, y):
    return x / y


def op_pow(x, y):
    return x ** y


def op_matmul(x, y):
    return x @ y


def op_neg(x):
    return -x


def radd_const(x):
    return 1.5 + x


def rsub_const(x):
    return 2.0 - x


def rmul_const(x):
    return 2.5 * x


def rdiv_const(x):
    return 1.0 / x


def rpow_const(x):
    return 2.0 ** x


def pow_const(x):
    return x ** 3.0


def pow_int(x):
    return x ** 2


def pow_half(x):
    return np.power(x, 0.5)


def where_positive(x, y):
    return np.where(x > 0.0, x, y)


def where_compare_args(x, y):
    return np.where(x < y, x * y, y)


def method_sum(x, axis=None, keepdims=False):
    return x.sum(axis=axis, keepdims=keepdims)


def method_mean(x, axis=None, keepdims=False):
    return x.mean(axis=axis, keepdims=keepdims)


def sum_positional_axis(x):
    return np.sum(x, 1)


def method_sum_no_args(x):
    return x.sum()


def method_mean_positional_axis(x):
    return x.mean(0)


def mean_tuple_axis_keepdims(x):
    return np.mean(x, axis=(0, 1), keepdims=True)


def sum_times_scalar(x, y):
    return np.sum(x) * y


def sin_of_last_axis_sum(x):
    return np.sin(np.sum(x, axis=-1))


def reshape_fn(x):
    return np.reshape(x, (4, 6))


def reshape_infer(x):
    return np.reshape(x, (2, -1))


def reshape_0d(x):
    return np.reshape(x, (1, 1))


def method_reshape_args(x):
    return x.reshape(6, 4)


def method_reshape_tuple(x):
    return x.reshape((3, 8))


def method_reshape_flat(x):
    return x.reshape(-1)


def transpose_fn(x):
    return np.transpose(x)


def transpose_axes(x):
    return np.transpose(x, (2, 0, 1))


def transpose_negative_axes(x):
    return np.transpose(x, (-1, 0, 1))


def method_transpose(x):
    return x.transpose()


def method_transpose_args(x):
    return x.transpose(1, 2, 0)


def method_transpose_tuple(x):
    return x.transpose((2, 1, 0))


def attr_t(x):
    return x.T


def attr_mt(x):  # (a Tensor's: NumPy 1's arrays have no .mT, and MindSpore runs on it)
    return np.sin(adc.Tensor(x).mT) * 2.0


def attr_flat(x):
    return x.flat[[0, 5, 2, 5]] * x.flat[3]


def attr_flat_slice(x):
    return x.flat[1:4]


def swapaxes_fn(x):
    return np.swapaxes(x, 0, 2)


def method_swapaxes(x):
    return x.swapaxes(-1, 1)


def broadcast_to_fn(x):
    return np.broadcast_to(x, (4, 2, 3))


def broadcast_to_inner(x):
    return np.broadcast_to(x, (2, 3, 4))


def expand_dims_fn(x):
    return np.expand_dims(x, 1)


def expand_dims_negative(x):
    return np.expand_dims(x, -1)


def expand_dims_tuple(x):
    return np.expand_dims(x, (0, 2))


def mean_by_size(x):
    return np.sum(x) / x.size


def mean_by_np_size(x):
    return np.sum(x) / np.size(x)


def scale_by_rows(x):
    return x * x.shape[0]


def scale_by_np_shape(x):
    return x * np.shape(x)[-1]


def scale_by_ndim(x):
    return x * x.ndim


def scale_by_itemsize(x):
    return x * x.itemsize


def scale_by_nbytes(x):
    return x / x.nbytes


def scale_by_np_ndim(x):
    return x * np.ndim(x)


def cast_to_result_types(x):
    """np.result_type is known when compiling (float64 for an int with a float)."""
    return (x * 3).astype(np.result_type(x, 1.0)) * np.ones(2, np.result_type(x))


def times_ones_like(x):
    return x * np.ones_like(x)


def plus_zeros_like(x):
    return x * x + np.zeros_like(x)


def times_ones(x):
    return x * np.ones((2, 3))


def plus_zeros_dtype(x):
    return x * x + np.zeros((2, 3), dtype=np.float64)


def times_ones_of_runtime_shape(x):
    return x * np.ones(x.shape)


def index_int(x):
    return x[1]


def index_negative(x):
    return x[-1]


def index_ints(x):
    return x[1, -2]


def index_scalar(x):
    return x[0, 1, 2]


def index_slice(x):
    return x[1:]


def index_slice_int(x):
    return x[1:, 0]


def index_step(x):
    return x[::2]


def index_negative_step(x):
    return x[::-1, 1:3]


def index_slice_step_negative_int(x):
    return x[:, 1:4:2, -1]


def windows_at_a_loop_index(x):
    # a loop of 20 steps: each slice at its index selects as many entries at every step
    acc = x[0:2, 0] * 0.0
    for t in range(20):
        acc = acc * 0.5 + np.sin(x[t:t + 2, 1]) * np.sum(x[t + 2:t + 5, 1:])
    return acc


def windows_written_at_a_loop_index(x):
    y = x * 1.0
    for t in range(20):
        y[t + 1:t + 3] = np.sin(y[t:t + 2]) * 0.5 + x[t:t + 2]
    return y


def index_none(x):
    return x[None]


def index_none_int(x):
    return x[:, None, 0]


def index_ellipsis(x):
    return x[..., 1]


def index_int_ellipsis_none(x):
    return x[1, ..., None]


def index_ellipsis_only(x):
    return x[...]


def index_repeated(x):
    return x[0] * x[0] + x[-3]  # x[0] and x[-3] are the same row: contributions add up


def square_of_slice(x):
    return x[1:, 0] ** 2


def cube_of_item(x):
    return x[-1, 2] ** 3


# ---------------------------------------------------------------------------- unary

UNARY = [
    Row("exp", np.exp, (-2, 2), covers=("exp",)),
    Row("log", np.log, (0.1, 4), covers=("log",)),
    Row("log1p", np.log1p, (-0.5, 3), covers=("log1p",)),
    Row("sin", np.sin, (-3, 3), covers=("sin",)),
    Row("cos", np.cos, (-3, 3), covers=("cos",)),
    Row("tan", np.tan, (-1.2, 1.2), covers=("tan",)),
    Row("tanh", np.tanh, (-2, 2), covers=("tanh",)),
    Row("sqrt", np.sqrt, (0.1, 4), covers=("sqrt",)),
    Row("abs", np.abs, (-2, 2), covers=("abs",)),
    Row("builtin_abs", abs, (-2, 2), covers=("abs",)),
    Row("sigmoid", adc.ops.sigmoid, (-4, 4), covers=("sigmoid",)),
    Row("negative", np.negative, (-2, 2), covers=("neg",)),
    Row("neg_op", op_neg, (-2, 2), covers=("neg",), surface="-x"),
    Row("square", np.square, (-2, 2), covers=("square",)),
    Row("radd_const", radd_const, (-2, 2), covers=("add",), surface="1.5 + x"),
    Row("rsub_const", rsub_const, (-2, 2), covers=("sub",), surface="2.0 - x"),
    Row("rmul_const", rmul_const, (-2, 2), covers=("mul",), surface="2.5 * x"),
    Row("rdiv_const", rdiv_const, (0.5, 2), covers=("div",), surface="1.0 / x"),
    Row("rpow_const", rpow_const, (-2, 2), covers=("pow",), surface="2.0 ** x"),
    Row("pow_const", pow_const, (-2, 2), covers=("pow",), surface="x ** 3.0"),
    Row("pow_int", pow_int, (-2, 2), covers=("pow",), surface="x ** 2"),
    Row("pow_half", pow_half, (0.1, 4), covers=("pow",), surface=np.power),
]
UNARY_SHAPES = [(), PY_FLOAT, NP_SCALAR, (4,), (2, 3)]

# The math module's functions, on the Python floats they take.
MATH = [
    Row(f"math_{fn.__name__}", fn, lims, covers=(prim,)) for fn, lims, prim in [
        (math.exp, (-2, 2), "exp"), (math.expm1, (-2, 2), "expm1"), (math.log2, (0.1, 4), "log2"),
        (math.log10, (0.1, 4), "log10"), (math.log1p, (-0.5, 3), "log1p"),
        (math.sqrt, (0.1, 4), "sqrt"), (math.fabs, (0.2, 2), "abs"), (math.sin, (-3, 3), "sin"),
        (math.cos, (-3, 3), "cos"), (math.tan, (-1.2, 1.2), "tan"),
        (math.asin, (-0.9, 0.9), "arcsin"), (math.acos, (-0.9, 0.9), "arccos"),
        (math.atan, (-2, 2), "arctan"), (math.sinh, (-2, 2), "sinh"),
        (math.cosh, (-2, 2), "cosh"), (math.tanh, (-2, 2), "tanh"),
        (math.asinh, (-2, 2), "arcsinh"), (math.acosh, (1.2, 3), "arccosh"),
        (math.atanh, (-0.9, 0.9), "arctanh"), (math.atan2, ((-2, 2), (0.5, 2)), "arctan2"),
        (math.log, (0.1, 4), "log"), (math.pow, ((0.5, 2), (-2, 2)), "pow"),
        (math.hypot, ((-2, 2), (0.5, 2)), "hypot"),
    ]
] + [Row("math_log_base", math.log, ((0.1, 4), (1.5, 4)), covers=("log", "div"))]


@pytest.mark.parametrize("row", MATH, ids=names(MATH))
def test_math_function_on_python_floats_matches_finite_differences(row):
    fn = row.fn
    if isinstance(row.lims[0], tuple):
        check_grads(lambda a, b: fn(a, b) * 3.0, *sample_args(row, (PY_FLOAT, PY_FLOAT)))
    else:
        check_grads(lambda a: fn(a) * 3.0, sample(row.lims, PY_FLOAT))


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=[shape_id(s) for s in UNARY_SHAPES])
@pytest.mark.parametrize("row", UNARY, ids=names(UNARY))
def test_unary_rule_matches_finite_differences(row, shape):
    fn, x = row.fn, sample(row.lims, shape)
    check_grads(lambda a: fn(a) * 3.0, x)


# ---------------------------------------------------------------------------- binary

POSITIVE_BASE = ((0.5, 2.0), (-2.0, 2.0))
POSITIVE_DIVISOR = ((-2.0, 2.0), (0.5, 2.0))
BINARY = [
    Row("add", np.add, covers=("add",)),
    Row("add_op", op_add, covers=("add",), surface="x + y"),
    Row("subtract", np.subtract, covers=("sub",)),
    Row("sub_op", op_sub, covers=("sub",), surface="x - y"),
    Row("multiply", np.multiply, covers=("mul",)),
    Row("mul_op", op_mul, covers=("mul",), surface="x * y"),
    Row("divide", np.divide, POSITIVE_DIVISOR, covers=("div",)),
    Row("div_op", op_div, POSITIVE_DIVISOR, covers=("div",), surface="x / y"),
    Row("power", np.power, POSITIVE_BASE, covers=("pow",)),
    Row("pow_op", op_pow, POSITIVE_BASE, covers=("pow",), surface="x ** y"),
    Row("builtin_pow", pow, POSITIVE_BASE, covers=("pow",)),
    Row("maximum", np.maximum, covers=("maximum",)),
    Row("minimum", np.minimum, covers=("minimum",)),
    Row("logaddexp", np.logaddexp, covers=("logaddexp",)),
    Row("where", where_positive, covers=("where", "greater"), surface=np.where),
    Row("where_compare_args", where_compare_args, covers=("where", "less")),
]
BINARY_SHAPES = [
    ((), ()), (PY_FLOAT, PY_FLOAT), (PY_FLOAT, (3,)), ((2, 3), PY_FLOAT),
    ((3,), (3,)), ((2, 3), (2, 3)), ((3, 1), (4,)), ((2, 3), ()), ((), (2, 3)),
    ((1, 3), (2, 1)), ((2, 1, 3), (4, 1)),
]


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=[shapes_id(s) for s in BINARY_SHAPES])
@pytest.mark.parametrize("row", BINARY, ids=names(BINARY))
def test_binary_rule_matches_finite_differences(row, shapes):
    fn, (x, y) = row.fn, sample_args(row, shapes)
    check_grads(lambda a, b: fn(a, b) * 3.0, x, y)


# ---------------------------------------------------------------------------- reductions

REDUCTIONS = [
    Row("sum", np.sum, covers=("reduce_sum",)),
    Row("mean", np.mean, covers=("reduce_mean",)),
    Row("method_sum", method_sum, covers=("reduce_sum",), surface=".sum"),
    Row("method_mean", method_mean, covers=("reduce_mean",), surface=".mean"),
]
AXES = [  # (input shape, axis, keepdims)
    ((2, 3, 4), None, False), ((2, 3, 4), 1, False), ((2, 3, 4), -1, False),
    ((2, 3, 4), (0, 2), False), ((2, 3, 4), (-1, 0), False), ((2, 3, 4), 1, True),
    ((2, 3, 4), None, True), ((2, 3, 4), (0, -1), True), ((5,), 0, False),
    ((5,), -1, True), ((), None, False),
]
AXES_IDS = [f"{shape_id(s)}-axis{a}{'-keepdims' if k else ''}".replace(" ", "")
            for s, a, k in AXES]


@pytest.mark.parametrize("shape, axis, keepdims", AXES, ids=AXES_IDS)
@pytest.mark.parametrize("row", REDUCTIONS, ids=names(REDUCTIONS))
def test_reduction_rule_matches_finite_differences(row, shape, axis, keepdims):
    fn, x = row.fn, sample(row.lims, shape)
    check_grads(lambda a: fn(a, axis=axis, keepdims=keepdims) * 3.0, x)


REDUCTION_SPELLINGS = [
    Row("sum_positional_axis", sum_positional_axis, covers=("reduce_sum",),
        shapes=((2, 3, 4),)),
    Row("method_sum_no_args", method_sum_no_args, covers=("reduce_sum",), shapes=((2, 3),),
        surface=".sum"),
    Row("method_mean_positional_axis", method_mean_positional_axis, covers=("reduce_mean",),
        shapes=((4, 3),), surface=".mean"),
    Row("mean_tuple_axis_keepdims", mean_tuple_axis_keepdims, covers=("reduce_mean",),
        shapes=((2, 3, 4),), surface=np.mean),
]


@pytest.mark.parametrize("row", REDUCTION_SPELLINGS, ids=names(REDUCTION_SPELLINGS))
def test_reduction_spelling_matches_finite_differences(row):
    check_grads(row.fn, *sample_args(row, row.shapes))


# ---------------------------------------------------------------------------- matmul

MATMUL = [
    Row("matmul", np.matmul, covers=("matmul",)),
    Row("matmul_op", op_matmul, covers=("matmul",), surface="x @ y"),
]
MATMUL_SHAPES = [
    ((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (3,)),
    ((3,), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES,
                         ids=[shapes_id(s, "@") for s in MATMUL_SHAPES])
@pytest.mark.parametrize("row", MATMUL, ids=names(MATMUL))
def test_matmul_rule_matches_finite_differences(row, shapes):
    fn, (x, y) = row.fn, sample_args(row, shapes)
    check_grads(lambda a, b: fn(a, b) * 3.0, x, y)


# np.outer flattens its operands first: (2, 3) x (4,) -> (6, 4).
OUTER = [
    Row("outer", np.outer, covers=("outer",), shapes=((3,), (4,))),
    Row("outer_flattens", np.outer, covers=("outer",), shapes=((2, 3), (4,))),
    Row("outer_0d", np.outer, covers=("outer",), shapes=((), (3,))),
]


@pytest.mark.parametrize("row", OUTER, ids=names(OUTER))
def test_outer_rule_matches_finite_differences(row):
    check_grads(scaled(row.fn, 2), *sample_args(row, row.shapes))


# ---------------------------------------------------------------------------- shapes

X3 = ((2, 3, 4),)
SHAPE_OPS = [
    Row("reshape", reshape_fn, covers=("reshape",), shapes=X3, surface=np.reshape),
    Row("reshape_infer", reshape_infer, covers=("reshape",), shapes=X3),
    Row("reshape_0d", reshape_0d, covers=("reshape",), shapes=((),)),
    Row("method_reshape_args", method_reshape_args, covers=("reshape",), shapes=X3,
        surface=".reshape"),
    Row("method_reshape_tuple", method_reshape_tuple, covers=("reshape",), shapes=X3),
    Row("method_reshape_flat", method_reshape_flat, covers=("reshape",), shapes=X3),
    Row("transpose", transpose_fn, covers=("transpose",), shapes=X3, surface=np.transpose),
    Row("transpose_axes", transpose_axes, covers=("transpose",), shapes=X3),
    Row("transpose_negative_axes", transpose_negative_axes, covers=("transpose",),
        shapes=X3),
    Row("method_transpose", method_transpose, covers=("transpose",), shapes=X3,
        surface=".transpose"),
    Row("method_transpose_args", method_transpose_args, covers=("transpose",), shapes=X3),
    Row("method_transpose_tuple", method_transpose_tuple, covers=("transpose",), shapes=X3),
    Row("T_1d", attr_t, covers=("T",), shapes=((4,),), surface=".T"),
    Row("T_2d", attr_t, covers=("T",), shapes=((2, 3),), surface=".T"),
    Row("T_3d", attr_t, covers=("T",), shapes=X3, surface=".T"),
    Row("mT_2d", attr_mt, covers=("swapaxes",), shapes=((2, 3),), surface=".mT"),
    Row("mT_3d", attr_mt, covers=("swapaxes",), shapes=X3, surface=".mT"),
    Row("flat_indices", attr_flat, covers=("reshape", "getitem"), shapes=X3, surface=".flat"),
    Row("flat_slice", attr_flat_slice, covers=("reshape", "getitem"), shapes=((2, 3),)),
    Row("swapaxes", swapaxes_fn, covers=("swapaxes",), shapes=X3, surface=np.swapaxes),
    Row("method_swapaxes", method_swapaxes, covers=("swapaxes",), shapes=X3,
        surface=".swapaxes"),
    Row("broadcast_to", broadcast_to_fn, covers=("broadcast_to",), shapes=((2, 3),),
        surface=np.broadcast_to),
    Row("broadcast_to_inner", broadcast_to_inner, covers=("broadcast_to",),
        shapes=((3, 1),)),
    Row("expand_dims", expand_dims_fn, covers=("expand_dims",), shapes=((2, 3),),
        surface=np.expand_dims),
    Row("expand_dims_negative", expand_dims_negative, covers=("expand_dims",),
        shapes=((2, 3),)),
    Row("expand_dims_tuple", expand_dims_tuple, covers=("expand_dims",), shapes=((2, 3),)),
]


@pytest.mark.parametrize("row", SHAPE_OPS, ids=names(SHAPE_OPS))
def test_shape_op_rule_matches_finite_differences(row):
    check_grads(row.fn, *sample_args(row, row.shapes))


# Shape queries are not differentiable, but a function may use their values.
SHAPE_QUERIES = [
    Row("size", mean_by_size, covers=("size",), shapes=((2, 3),), surface=".size"),
    Row("np_size", mean_by_np_size, covers=("size",), shapes=((2, 3),), surface=np.size),
    Row("shape", scale_by_rows, covers=("shape",), shapes=((2, 3),), surface=".shape"),
    Row("np_shape", scale_by_np_shape, covers=("shape",), shapes=((2, 3),),
        surface=np.shape),
    Row("ndim", scale_by_ndim, covers=("ndim",), shapes=((2, 3),), surface=".ndim"),
    Row("np_ndim", scale_by_np_ndim, covers=("ndim",), shapes=((2, 3),), surface=np.ndim),
    Row("itemsize", scale_by_itemsize, covers=("mul",), shapes=((2, 3),), surface=".itemsize",
        generic=False),
    Row("nbytes", scale_by_nbytes, covers=("size",), shapes=((2, 3),), surface=".nbytes",
        generic=False),
    Row("np_result_type", cast_to_result_types, covers=("mul",), shapes=((2, 2),),
        surface=np.result_type),
]
# Constructors are not differentiable; their values enter a differentiable function.
CONSTRUCTORS = [
    Row("ones_like", times_ones_like, covers=("ones_like",), shapes=((2, 3),),
        surface=np.ones_like),
    Row("zeros_like", plus_zeros_like, covers=("zeros_like",), shapes=((2, 3),),
        surface=np.zeros_like),
    Row("ones", times_ones, covers=("ones",), shapes=((3,),), surface=np.ones),
    Row("zeros_dtype", plus_zeros_dtype, covers=("zeros",), shapes=((3,),),
        surface=np.zeros),
    Row("ones_of_runtime_shape", times_ones_of_runtime_shape, covers=("ones", "shape"),
        shapes=((2, 3),)),
]


@pytest.mark.parametrize("row", SHAPE_QUERIES + CONSTRUCTORS,
                         ids=names(SHAPE_QUERIES + CONSTRUCTORS))
def test_shape_query_and_constructor_rows_match_finite_differences(row):
    check_grads(row.fn, *sample_args(row, row.shapes), generic=row.generic)


# ---------------------------------------------------------------------------- indexing

X_INDEXED = ((3, 4, 5),)
INDEXING = [
    Row("int", index_int, covers=("getitem",), shapes=X_INDEXED),
    Row("negative_int", index_negative, covers=("getitem",), shapes=X_INDEXED),
    Row("ints", index_ints, covers=("getitem",), shapes=X_INDEXED),
    Row("scalar", index_scalar, covers=("getitem",), shapes=X_INDEXED),
    Row("negative_int_1d", index_negative, covers=("getitem",), shapes=((5,),)),
    Row("slice", index_slice, covers=("getitem",), shapes=X_INDEXED),
    Row("slice_int", index_slice_int, covers=("getitem",), shapes=X_INDEXED),
    Row("step", index_step, covers=("getitem",), shapes=X_INDEXED),
    Row("negative_step", index_negative_step, covers=("getitem",), shapes=X_INDEXED),
    Row("slice_step_negative_int", index_slice_step_negative_int, covers=("getitem",),
        shapes=X_INDEXED),
    Row("none", index_none, covers=("getitem",), shapes=X_INDEXED),
    Row("none_int", index_none_int, covers=("getitem",), shapes=X_INDEXED),
    Row("ellipsis", index_ellipsis, covers=("getitem",), shapes=X_INDEXED),
    Row("int_ellipsis_none", index_int_ellipsis_none, covers=("getitem",),
        shapes=X_INDEXED),
    Row("ellipsis_only", index_ellipsis_only, covers=("getitem",), shapes=X_INDEXED),
    Row("repeated", index_repeated, covers=("getitem",), shapes=X_INDEXED),
    Row("windows", windows_at_a_loop_index, covers=("window", "getitem"), shapes=((24, 3),)),
    Row("window_writes", windows_written_at_a_loop_index, covers=("window", "window_update"),
        shapes=((24, 2),)),
]


@pytest.mark.parametrize("row", INDEXING, ids=names(INDEXING))
def test_getitem_rule_matches_finite_differences(row):
    check_grads(row.fn, *sample_args(row, row.shapes))


# ---------------------------------------------------------------------------- second order
# Some rows cover primitives that only gradient code contains; the first-order
# shape-generic gradient of such a row contains them, so order 2 differentiates their
# rules (test_second_order_rows_contain_what_they_cover checks that claim).

SECOND_ORDER = [
    Row("sin", np.sin, covers=("sin", "cos"), shapes=((2, 3),)),
    Row("exp", np.exp, covers=("exp",), shapes=((3,),)),
    Row("tanh", np.tanh, covers=("tanh",), shapes=((),)),
    Row("mul", np.multiply, covers=("mul",), shapes=((2, 3), (2, 3))),
    # Shape-generic gradients undo broadcasting with the `unbroadcast` runtime helper.
    Row("mul_broadcast", op_mul, covers=("mul", "unbroadcast"), shapes=((3, 1), (4,))),
    Row("div", np.divide, POSITIVE_DIVISOR, covers=("div",), shapes=((3,), (3,))),
    Row("pow_const", pow_const, covers=("pow",), shapes=((3,),)),
    Row("logaddexp", np.logaddexp, covers=("logaddexp",), shapes=((3,), (2, 3))),
    # Shape-generic matmul gradients call the `matmul_vjp_x` / `matmul_vjp_y` helpers.
    Row("matmul_2d", np.matmul, covers=("matmul", "matmul_vjp_x", "matmul_vjp_y"),
        shapes=((2, 3), (3, 4))),
    # The adjoint of x[idx] is `index_add(zeros_like(x), idx, g)`.
    Row("getitem_slice", square_of_slice, covers=("getitem", "index_add"),
        shapes=X_INDEXED),
    Row("getitem_item", cube_of_item, covers=("getitem", "index_add"), shapes=X_INDEXED),
    # The gradient of x is a broadcast view of y, which is `copy`-ed before it is returned.
    Row("sum_times_scalar", sum_times_scalar, covers=("reduce_sum", "copy"),
        shapes=((3,), ())),
    # Restoring a reduced axis where the rank is unknown (none to restore of a 0-d array).
    Row("last_axis_sum_0d", sin_of_last_axis_sum, covers=("reduce_sum", "keepdims_like"),
        shapes=((),)),
    Row("last_axis_sum_2d", sin_of_last_axis_sum, covers=("reduce_sum", "keepdims_like"),
        shapes=((2, 3),)),
]


@pytest.mark.parametrize("row", SECOND_ORDER, ids=names(SECOND_ORDER))
def test_second_order_matches_finite_differences(row):
    check_grads(scaled(row.fn, len(row.shapes)), *sample_args(row, row.shapes), order=2)


@pytest.mark.parametrize("row", SECOND_ORDER, ids=names(SECOND_ORDER))
def test_second_order_rows_contain_what_they_cover(row):
    positions = tuple(range(len(row.shapes)))
    ir = adc.gradient_ir(scaled(row.fn, len(row.shapes)), grad_position=positions)
    used = set(re.findall(r"= (\w+)", ir))
    assert set(row.covers) <= used, f"{sorted(set(row.covers) - used)} not in\n{ir}"


# ---------------------------------------------------------------------------- float32

FLOAT32_CASES = (
    [(row, ((2, 3),)) for row in UNARY]
    + [(row, ((2, 3), (3,))) for row in BINARY]
    + [(row, ((5, 2, 3), (3, 4))) for row in MATMUL]
    + [(row, ((3,), (3, 4))) for row in MATMUL]
    + [(row, row.shapes) for row in REDUCTION_SPELLINGS + OUTER + SHAPE_OPS + INDEXING]
)


@pytest.mark.parametrize("row, shapes", FLOAT32_CASES,
                         ids=[f"{row.name}-{shapes_id(s)}" for row, s in FLOAT32_CASES])
def test_float32_gradient_is_float32_and_matches_float64(row, shapes):
    args32 = [a.astype(np.float32) for a in sample_args(row, shapes)]
    args64 = [a.astype(np.float64) for a in args32]
    fn = scaled(row.fn, len(shapes))
    for g32, g64 in zip(gradients(fn, args32), gradients(fn, args64)):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------- exact values


def sum_x_gt0(x):
    return np.sum(x * (x > 0))


def sum_x_np_greater(x):
    return np.sum(x * np.greater(x, 0.5))


def sum_x_lt(x):
    return np.sum(x * (x < 0.5))


def sum_x_np_less(x):
    return np.sum(x * np.less(x, 0.0))


def sum_x_ge(x):
    return np.sum(x * (x >= 0.5))


def sum_x_np_greater_equal(x):
    return np.sum(x * np.greater_equal(x, 1.0))


def sum_x_le(x):
    return np.sum(x * (x <= 0))


def sum_x_np_less_equal(x):
    return np.sum(x * np.less_equal(x, 0.5))


def sum_x_eq(x):
    return np.sum(x * (x == 1.0))


def sum_x_np_equal(x):
    return np.sum(x * np.equal(x, 0.0))


def sum_x_ne(x):
    return np.sum(x * (x != 1.0))


def sum_x_np_not_equal(x):
    return np.sum(x * np.not_equal(x, 0.0))


def sum_x_sign(x):
    return np.sum(x * np.sign(x))


def sum_x_stopped_x(x):
    return np.sum(x * adc.stop_gradient(x))


def sum_stopped_x_y(x, y):
    return np.sum(adc.stop_gradient(x) * y)


def sum_x_times_int_of_sum(x):
    return np.sum(x * int(np.sum(x)))  # int truncates: a zero derivative through it


def sum_x_times_float_count(x):
    return np.sum(x * float(np.sum(x > 0)))


def sum_x_times_stopped_item(x):
    return np.sum(x * adc.stop_gradient(np.sum(x)).item())


def sum_x_times_random_keep(x):
    return np.sum(x * (np.random.random(np.shape(x)) >= 0.0))  # every draw kept


def sum_x_times_random_sample_keep(x):
    return np.sum(x * (np.random.random_sample(x.shape) < 1.0))


def sum_x_times_normal_keep(x):
    return np.sum(x * (np.abs(np.random.standard_normal(x.shape)) >= 0.0))


def sum_x_times_randn_keep(x):
    return np.sum(x * (np.random.randn(5) < np.inf))


def sum_x_times_uniform_keep(x):
    return np.sum(x * (np.random.uniform(-1.0, 1.0, size=5) <= 1.0))


def sum_x_times_normal_around_keep(x):
    return np.sum(x * (np.random.normal(0.0, 2.0, size=np.shape(x)) < np.inf))


_ASSIGNED = adc.Parameter(np.zeros(5), name="assigned", requires_grad=False)


def sum_x_after_assign(x):
    adc.ops.assign(_ASSIGNED, adc.stop_gradient(x) * 3.0)
    return np.sum(x * _ASSIGNED)


def sum_x_after_assign_add(x):
    """The Parameter ends at 3x whatever it held: the rule does not depend on how many
    calls came before."""
    adc.ops.assign_add(_ASSIGNED, adc.stop_gradient(x) * 3.0 - _ASSIGNED)
    return np.sum(x * _ASSIGNED)


def sum_x_after_assign_sub(x):
    adc.ops.assign_sub(_ASSIGNED, _ASSIGNED - adc.stop_gradient(x) * 3.0)
    return np.sum(x * _ASSIGNED)


def sum_where_doubled(x):
    return np.sum(np.where(x > 0.5, x, 2.0 * x))


def sum_abs(x):
    return np.sum(np.abs(x))


def builtin_abs(x):
    return abs(x)


def sum_maximum(x, y):
    return np.sum(np.maximum(x, y))


def sum_minimum(x, y):
    return np.sum(np.minimum(x, y))


def sum_hypot(x, y):
    return np.sum(np.hypot(x, y))


def sum_relu(x):
    return np.sum(np.maximum(x, 0.0))


def sum_relu_swapped(x):
    return np.sum(np.maximum(0.0, x))


def sum_maximum_of_x_and_x(x):
    return np.sum(np.maximum(x, x))


def relu_0d(x):
    return np.maximum(x, 0.0) * 3.0


def sum_clip_above(x):
    return np.sum(np.minimum(x, 1.0))


def sum_where_log1p(x):
    return np.sum(np.where(x > 0, np.log1p(x), x ** 3))


def sum_where_huge_branch(x):
    return np.sum(np.where(x < 3.0, x, np.exp(100.0 * x)))


def where_0d(x):
    return np.where(x > 0, x * x, -x)


X = np.array([-1.5, 0.0, 0.5, 1.0, 2.0])

# Comparisons, sign and stop_gradient carry no gradient: only the other factor does.
NONDIFFERENTIABLE = [
    Exact("greater_op", sum_x_gt0, (X,), ([0.0, 0, 1, 1, 1],), ("greater",), ">"),
    Exact("np_greater", sum_x_np_greater, (X,), ([0.0, 0, 0, 1, 1],), ("greater",),
          np.greater),
    Exact("less_op", sum_x_lt, (X,), ([1.0, 1, 0, 0, 0],), ("less",), "<"),
    Exact("np_less", sum_x_np_less, (X,), ([1.0, 0, 0, 0, 0],), ("less",), np.less),
    Exact("greater_equal_op", sum_x_ge, (X,), ([0.0, 0, 1, 1, 1],), ("greater_equal",),
          ">="),
    Exact("np_greater_equal", sum_x_np_greater_equal, (X,), ([0.0, 0, 0, 1, 1],),
          ("greater_equal",), np.greater_equal),
    Exact("less_equal_op", sum_x_le, (X,), ([1.0, 1, 0, 0, 0],), ("less_equal",), "<="),
    Exact("np_less_equal", sum_x_np_less_equal, (X,), ([1.0, 1, 1, 0, 0],),
          ("less_equal",), np.less_equal),
    Exact("equal_op", sum_x_eq, (X,), ([0.0, 0, 0, 1, 0],), ("equal",), "=="),
    Exact("np_equal", sum_x_np_equal, (X,), ([0.0, 1, 0, 0, 0],), ("equal",), np.equal),
    Exact("not_equal_op", sum_x_ne, (X,), ([1.0, 1, 1, 0, 1],), ("not_equal",), "!="),
    Exact("np_not_equal", sum_x_np_not_equal, (X,), ([1.0, 0, 1, 1, 1],), ("not_equal",),
          np.not_equal),
    Exact("sign", sum_x_sign, (X,), ([-1.0, 0, 1, 1, 1],), ("sign",), np.sign),
    Exact("stop_gradient", sum_x_stopped_x, (X,), (X,), ("stop_gradient",),
          adc.stop_gradient),
    Exact("stop_gradient_other_arg", sum_stopped_x_y, (X, X + 1.0), (np.zeros(5), X),
          ("stop_gradient",)),
    Exact("builtin_int", sum_x_times_int_of_sum, (X,), (np.full(5, 2.0),), ("int",), int),
    Exact("builtin_float", sum_x_times_float_count, (X,), (np.full(5, 3.0),), ("float",),
          float),
    Exact("item_of_stopped", sum_x_times_stopped_item, (X,), (np.full(5, 2.0),),
          ("float",), ".item"),
    Exact("np_random_random", sum_x_times_random_keep, (X,), (np.ones(5),),
          ("random_uniform",), np.random.random),
    Exact("np_random_random_sample", sum_x_times_random_sample_keep, (X,), (np.ones(5),),
          ("random_uniform",), np.random.random_sample),
    Exact("np_random_standard_normal", sum_x_times_normal_keep, (X,), (np.ones(5),),
          ("random_normal",), np.random.standard_normal),
    Exact("np_random_randn", sum_x_times_randn_keep, (X,), (np.ones(5),),
          ("random_normal",), np.random.randn),
    Exact("np_random_uniform", sum_x_times_uniform_keep, (X,), (np.ones(5),),
          ("random_uniform",), np.random.uniform),
    Exact("np_random_normal", sum_x_times_normal_around_keep, (X,), (np.ones(5),),
          ("random_normal",), np.random.normal),
    Exact("ops_assign", sum_x_after_assign, (X,), (3 * X,), ("assign", "written"),
          adc.ops.assign),
    Exact("ops_assign_add", sum_x_after_assign_add, (X,), (3 * X,), ("assign",),
          adc.ops.assign_add),
    Exact("ops_assign_sub", sum_x_after_assign_sub, (X,), (3 * X,), ("assign",),
          adc.ops.assign_sub),
    Exact("where_condition", sum_where_doubled, (X,), ([2.0, 2, 2, 1, 1],),
          ("where", "greater")),
]

# Conventions where the derivative is not unique.
CONVENTIONS = [
    # d|x|/dx = sign(x): 0 at 0.
    Exact("abs_at_zero", sum_abs, (X,), ([-1.0, 0, 1, 1, 1],), ("abs",)),
    Exact("builtin_abs_at_zero_0d", builtin_abs, (np.array(0.0),), (0.0,), ("abs",)),
    Exact("builtin_abs_at_zero_float", builtin_abs, (0.0,), (0.0,), ("abs",)),
    # A tie of maximum/minimum shares the gradient equally (MindSpore 2.x, JAX).
    Exact("maximum_tie", sum_maximum, (np.array([1.0, 2, 3]), np.array([1.0, 0, 5])),
          ([0.5, 1, 0], [0.5, 0, 1]), ("maximum",)),
    Exact("minimum_tie", sum_minimum, (np.array([1.0, 2, 3]), np.array([1.0, 0, 5])),
          ([0.5, 0, 1], [0.5, 1, 0]), ("minimum",)),
    Exact("maximum_tie_broadcast", sum_maximum, (np.array([1.0, 2, 2]), np.array(2.0)),
          ([0.0, 0.5, 0.5], 2.0), ("maximum",)),
    Exact("maximum_same_operand_sums_to_one", sum_maximum_of_x_and_x, (X,), (np.ones(5),),
          ("maximum",)),
    # So maximum(x, 0) has derivative 1/2 at 0, in either order (ops.relu has 0).
    Exact("maximum_with_zero_shares_tie", sum_relu, (X,), ([0.0, 0.5, 1, 1, 1],),
          ("maximum",)),
    Exact("maximum_with_zero_first_shares_tie", sum_relu_swapped, (X,),
          ([0.0, 0.5, 1, 1, 1],), ("maximum",)),
    Exact("maximum_0d_tie", relu_0d, (np.array(0.0),), (1.5,), ("maximum",)),
    Exact("maximum_float_tie", relu_0d, (0.0,), (1.5,), ("maximum",)),
    Exact("minimum_tie_constant", sum_clip_above, (X,), ([1.0, 1, 1, 0.5, 0],),
          ("minimum",)),
    # hypot, a 2-norm, has gradient 0 where it is 0 (as linalg.norm).
    Exact("hypot_at_origin", sum_hypot, (np.array([0.0, 3.0]), np.array([0.0, 4.0])),
          ([0.0, 0.6], [0.0, 0.8]), ("hypot",)),
    # np.where: the untaken branch is finite, so the gradient is finite.
    Exact("where_finite_untaken", sum_where_log1p, (np.array([-0.5, 0.0, 0.5, 2.0]),),
          ([0.75, 0.0, 1 / 1.5, 1 / 3.0],), ("where", "log1p", "pow")),
    Exact("where_huge_untaken", sum_where_huge_branch, (np.array([1.0, 5.0]),),
          ([1.0, 100.0 * np.exp(500.0)],), ("where", "exp")),
    Exact("where_0d", where_0d, (np.array(-2.0),), (-1.0,), ("where", "neg")),
]


@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
@pytest.mark.parametrize("case", NONDIFFERENTIABLE + CONVENTIONS,
                         ids=names(NONDIFFERENTIABLE + CONVENTIONS))
def test_gradient_equals_exact_value(case, specialize):
    for got in assert_exact_gradient(case, specialize):
        assert np.all(np.isfinite(got))


@pytest.mark.parametrize("case", CONVENTIONS, ids=names(CONVENTIONS))
def test_forward_mode_follows_the_same_convention(case):
    assert_exact_forward(case)


def assert_exact_forward(case: Exact) -> None:
    """Forward mode at the kinks: one tangent per input entry gives the same gradient."""
    for i, arg in enumerate(case.args):
        got = np.zeros(np.shape(arg))
        for j in np.ndindex(np.shape(arg)):
            tangents = [np.zeros(np.shape(a)) if np.ndim(a) else 0.0 for a in case.args]
            if np.ndim(arg):
                tangents[i][j] = 1.0
            else:
                tangents[i] = 1.0
            got[j] = np.sum(adc.jvp(case.fn, case.args, tangents)[1])
        # the convention is exact; a value such as alpha * e^x may round apart by an ulp
        np.testing.assert_allclose(got, case.expected[i], rtol=4 * np.finfo(float).eps, atol=0)


def assert_exact_gradient(case: Exact, specialize: bool) -> tuple:
    """``case``'s gradient, checked against its exact value in shape and value."""
    _, vjp_fn = adc.vjp(case.fn, *case.args, specialize=specialize)
    grads = vjp_fn(1.0)
    assert len(grads) == len(case.expected)
    for got, want in zip(grads, case.expected):
        assert np.shape(got) == np.shape(want)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=0)
    return grads


# ---------------------------------------------------------------------------- meta

FD_ROWS = (UNARY + MATH + BINARY + REDUCTIONS + REDUCTION_SPELLINGS + MATMUL + OUTER + SHAPE_OPS
           + SHAPE_QUERIES + CONSTRUCTORS + INDEXING + SECOND_ORDER)
ALL_ROWS = FD_ROWS + NONDIFFERENTIABLE + CONVENTIONS

# Primitives no row covers, each with the reason why.
# Non-differentiable primitives (comparisons, sign, stop_gradient, shape queries,
# constructors) have rows that check the gradient of a function using them. Internal
# primitives that only gradient code contains are covered by the SECOND_ORDER rows whose
# first-order shape-generic gradient contains them (which
# test_second_order_rows_contain_what_they_cover checks), so order 2 runs their rules:
#   unbroadcast                 <- "mul_broadcast"
#   matmul_vjp_x, matmul_vjp_y  <- "matmul_2d"
#   index_add                   <- "getitem_slice" (x[1:, 0]), "getitem_item" (x[-1, 2])
#   copy                        <- "sum_times_scalar"
#   keepdims_like               <- "last_axis_sum_0d", "last_axis_sum_2d"
# broadcast_to, expand_dims and getitem, which rules also emit, have user spellings
# (np.broadcast_to, np.expand_dims, x[...]) with rows of their own.
NOT_COVERED: dict[str, str] = {
    "stack_rows": "vmap's stacking of rows of run-time shape, which only vmap emits: "
                  "its tangent, its gradient and the gradient's tangent are checked in "
                  "test_data_dependent_shapes",
    "unstack_rows": "the transpose of stack_rows, which only its VJP emits: checked with "
                    "it in test_data_dependent_shapes",
    "host_call": "a Cell hook run as Python when the program runs, with no derivative: "
                 "checked in test_cell_hooks_at_run_time",
    "draw": "a random draw, nondifferentiable: the gradients around it (reparameterised, "
            "zero for integers, refused) are checked in test_random_draws",
    "random_state": "np.random.RandomState(seed) made in the function, no derivative: "
                    "its draws are checked in test_random_draws",
    "default_rng": "np.random.default_rng(seed) made in the function, no derivative: "
                   "its draws are checked in test_random_draws",
    "join_tuples": "a run-time shape's +: Python's tuples, no derivative (test_runtime_shapes)",
    "repeat_tuple": "a run-time shape's *: Python's tuples, no derivative (test_runtime_shapes)",
    "tuples_equal": "a run-time shape's ==: one truth value (test_runtime_shapes)",
    "window_add": "the adjoint of a window at a loop's index, of an array of known shape "
                  "(never in shape-generic code): its rules at second order and under vmap "
                  "are checked in test_windows",
    "window_add_into": "window_add added into a loop's running sum in place, which only "
                       "the optimiser writes: checked with it in test_windows",
    "window_update_into": "window_update written in place into an array a loop owns, which "
                          "only the optimiser writes: checked with it in test_windows",
}


def _all_rows() -> list:
    """The rows of this module and of test_surface_rules, test_composed_rules, test_fft,
    test_ufunc_methods and (with SciPy installed, its rules registered)
    test_scipy_rules, which import this one."""
    import test_composed_rules
    import test_fft
    import test_surface_rules
    import test_ufunc_methods
    rows = ALL_ROWS + test_surface_rules.ALL_ROWS + test_composed_rules.ALL_ROWS \
        + test_fft.ALL_ROWS + test_ufunc_methods.ALL_ROWS
    if scipy_rules.installed():
        import test_scipy_rules
        scipy_rules.load()
        rows += test_scipy_rules.ALL_ROWS
    return rows


def test_every_primitive_is_covered():
    covered = {name for row in _all_rows() for name in row.covers}
    assert not covered - set(REGISTRY), "rows name primitives that do not exist"
    assert not set(NOT_COVERED) - set(REGISTRY), "NOT_COVERED names unknown primitives"
    assert not set(NOT_COVERED) & covered, "a covered primitive is still in NOT_COVERED"
    assert sorted(set(REGISTRY) - covered - set(NOT_COVERED) - _extension_primitives()
                  - CONTROL_FLOW) == []


# Control flow and truth values are covered by tests/test_control.py (a tape's zero
# cotangent, a tape read backwards and the cotangents of a tape two loops read, by
# tests/test_second_order.py at third and fourth order), assert statements (``check``) by
# tests/test_assert.py, print (and f-strings of run-time values, under vmap too:
# ``format_batch``) by tests/test_print.py,
# logs and attributes set (``report``) by tests/test_print.py and
# tests/test_attribute_writes.py, ``bool(x)`` (``truth``) by
# tests/test_unpacking_and_builtins.py.
CONTROL_FLOW = {"cond", "loop", "while_loop", "call", "make_tuple", "truth_and", "truth_or",
                "truth_not", "truth", "add_into", "index_add_into", "index_update_into",
                "zeros_like_tape", "reversed_tape", "add_tapes", "check",
                "print", "report",
                "format_text", "format_batch"}


def _extension_primitives() -> set[str]:
    """Primitives tests register through ``extend`` (test_extend.py covers them)."""
    return {name for name, prim in REGISTRY.items()
            if own_spelling(prim)[1].startswith("ext.")}


def test_every_surface_entry_has_a_row():
    spelled = []
    for row in _all_rows():
        given = row.fn if row.surface is None else row.surface
        spelled.extend(given if isinstance(given, tuple) else (given,))
    functions = [getattr(f, "__name__", repr(f)) for f in surface.FUNCTIONS
                 if f not in surface.USER_FUNCTIONS and not any(_same(f, s) for s in spelled)]
    members = [f".{m}" for m in [*surface.METHODS, *surface.ATTRIBUTES]
               if m not in surface.USER_METHODS
               and not any(f".{m}" == s for s in spelled if isinstance(s, str))]
    assert (functions, members) == ([], [])


def _same(entry, spelled) -> bool:
    """The same callable: a ufunc's method (``np.add.reduce``) is a new object at each
    access, equal to the others."""
    return entry is spelled or (isinstance(entry, types.BuiltinMethodType)
                                and isinstance(spelled, types.BuiltinMethodType)
                                and entry == spelled)


def test_row_names_are_unique_within_each_test():
    for table in (UNARY, BINARY, REDUCTIONS, REDUCTION_SPELLINGS, MATMUL, OUTER, SHAPE_OPS,
                  SHAPE_QUERIES + CONSTRUCTORS, INDEXING, SECOND_ORDER,
                  NONDIFFERENTIABLE + CONVENTIONS):
        assert len(set(names(table))) == len(table)

"""The rest of the NumPy surface against finite differences, one table row per spelling.

Rows are ``test_rules.Row``s (inputs drawn from ``lims`` for each shape) or ``Case``s
(fixed inputs: well-conditioned matrices, index arrays, masks). Every check runs in
reverse and forward mode, in shape-specialised and shape-generic code; the float32
test then checks that float32 inputs give float32 gradients equal to float64's. The
meta-tests in test_rules.py count these rows too.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import surface_cases as S
import tensor_method_cases as TM
import test_surface_more
from numpy_version import only_on_numpy_1, only_on_numpy_2
from test_rules import (
    BINARY_SHAPES,
    PY_FLOAT,
    UNARY_SHAPES,
    Exact,
    Row,
    assert_exact_forward,
    assert_exact_gradient,
    names,
    sample,
    sample_args,
    scaled,
    shape_id,
    shapes_id,
)

import autodiff_compiler as adc
from autodiff_compiler import Tensor, check_grads, ops


@dataclass(frozen=True)
class Case:
    """A spelling checked at fixed arguments; ``modes`` are the derivative modes."""

    name: str
    fn: Callable[..., Any]
    args: tuple
    covers: tuple[str, ...] = ()
    surface: Any = None
    modes: tuple[str, ...] = ("rev", "fwd")


RNG = np.random.RandomState(1)


def uniform(*shape: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return RNG.uniform(lo, hi, shape)


def well_conditioned(*shape: int) -> np.ndarray:
    return uniform(*shape) + 3.0 * np.eye(shape[-1])


# ---------------------------------------------------------------------------- elementwise

UNIT = (-0.9, 0.9)
UNARY = [
    Row("exp2", np.exp2, covers=("exp2",)),
    Row("expm1", np.expm1, covers=("expm1",)),
    Row("log2", np.log2, (0.1, 4), covers=("log2",)),
    Row("log10", np.log10, (0.1, 4), covers=("log10",)),
    Row("cbrt", np.cbrt, (0.2, 3), covers=("cbrt",)),
    Row("cbrt_negative", np.cbrt, (-3, -0.2), covers=("cbrt",)),
    Row("square", np.square, covers=("square",)),
    Row("reciprocal", np.reciprocal, (0.5, 2), covers=("reciprocal",)),
    Row("arcsin", np.arcsin, UNIT, covers=("arcsin",)),
    Row("arccos", np.arccos, UNIT, covers=("arccos",)),
    Row("arctan", np.arctan, covers=("arctan",)),
    Row("sinh", np.sinh, covers=("sinh", "cosh")),
    Row("cosh", np.cosh, covers=("cosh", "sinh")),
    Row("arcsinh", np.arcsinh, covers=("arcsinh",)),
    Row("arccosh", S.arccosh_shifted, (0.0, 2.0), covers=("arccosh",), surface=np.arccosh),
    Row("arctanh", np.arctanh, UNIT, covers=("arctanh",)),
    Row("conj", np.conj, covers=("conj",)),
    Row("real", np.real, covers=("real",)),
    Row("attr_real", S.attr_real, covers=("real",), surface=".real"),
    Row("imag", np.imag, covers=("imag", "zeros_like")),
    Row("attr_imag", S.attr_imag, covers=("imag",), surface=".imag"),
    Row("clip_constants", S.clip_constants, covers=("clip",), surface=np.clip),
    Row("clip_lower_only", S.clip_lower_only, covers=("maximum",)),
    Row("clip_upper_keyword", S.clip_upper_keyword, covers=("minimum",)),
]

# x % y and x // y with quotients away from integers, so finite differences are smooth.
QUOTIENTS = ((2.2, 2.8), (1.0, 1.05))
BINARY = [
    Row("arctan2", np.arctan2, covers=("arctan2",)),
    Row("hypot", np.hypot, covers=("hypot",)),
    Row("fmax", np.fmax, covers=("fmax",)),
    Row("fmin", np.fmin, covers=("fmin",)),
    Row("logaddexp2", np.logaddexp2, covers=("logaddexp2",)),
    Row("mod", np.mod, QUOTIENTS, covers=("mod", "floor_divide")),
    Row("mod_op", S.mod_op, QUOTIENTS, covers=("mod",), surface="x % y"),
    Row("floordiv_op", S.floordiv_op, QUOTIENTS, covers=("floor_divide",), surface="x // y"),
    Row("floor_divide", S.np_floor_divide, QUOTIENTS, covers=("floor_divide",),
        surface=np.floor_divide),
]


# Array methods: Python floats have none.
METHODS = [
    Row("method_conj", S.method_conj, covers=("conj",), surface=".conj"),
    Row("method_conjugate", S.method_conjugate, covers=("conj",), surface=".conjugate"),
    Row("clip_method", S.clip_method, covers=("clip",), surface=".clip"),
    # MindSpore's Tensor methods NumPy lacks (mindspore/tensor_methods.py)
    *[Row(f"tensor_{name}", getattr(TM, f"m_{name}"), lims, surface=f".{name}")
      for name, lims in [
          ("abs", (-2, 2)), ("exp", (-2, 2)), ("log", (0.2, 3)), ("log1p", (-0.5, 2)),
          ("expm1", (-2, 2)), ("sqrt", (0.2, 3)), ("square", (-2, 2)), ("sin", (-2, 2)),
          ("cos", (-2, 2)), ("tan", (-1, 1)), ("tanh", (-2, 2)), ("sinh", (-2, 2)),
          ("cosh", (-2, 2)), ("arcsin", UNIT), ("arccos", UNIT), ("arctan", (-2, 2)),
          ("sigmoid", (-2, 2)), ("neg", (-2, 2)), ("negative", (-2, 2)),
          ("reciprocal", (0.5, 2)), ("pow", (-2, 2)), ("add", (-2, 2)), ("sub", (-2, 2)),
          ("mul", (-2, 2)), ("div", (-2, 2)), ("maximum", (0.2, 2)), ("minimum", (0.2, 2)),
          ("expand_dims", (-2, 2)), ("unsqueeze", (-2, 2)), ("floor", (0.1, 0.9)),
          ("ceil", (0.1, 0.9)), ("sign", (0.2, 2)), ("isnan", (-2, 2))]],
    Row("tensor_constructor", TM.tensor_copy, surface=Tensor),
]
UNARY_CASES = ([(row, shape) for row in UNARY for shape in UNARY_SHAPES]
               + [(row, shape) for row in METHODS for shape in UNARY_SHAPES if shape != PY_FLOAT])


@pytest.mark.parametrize("row, shape", UNARY_CASES,
                         ids=[f"{row.name}-{shape_id(s)}" for row, s in UNARY_CASES])
def test_unary_rule_matches_finite_differences(row, shape):
    fn, x = row.fn, sample(row.lims, shape)
    check_grads(lambda a: fn(a) * 3.0, x)


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=[shapes_id(s) for s in BINARY_SHAPES])
@pytest.mark.parametrize("row", BINARY, ids=names(BINARY))
def test_binary_rule_matches_finite_differences(row, shapes):
    fn, (x, y) = row.fn, sample_args(row, shapes)
    check_grads(lambda a, b: fn(a, b) * 3.0, x, y)


CLIP_SHAPES = [((), (), ()), ((4,), (4,), (4,)), ((2, 3), (3,), ()), ((3, 1), (1, 2), (2,)),
               (PY_FLOAT, (), PY_FLOAT)]
CLIP = Row("clip", S.clip_fn, ((-2, 2), (-1.5, -0.3), (0.3, 1.5)), covers=("clip",))


@pytest.mark.parametrize("shapes", CLIP_SHAPES, ids=[shapes_id(s) for s in CLIP_SHAPES])
def test_clip_rule_matches_finite_differences(shapes):
    check_grads(CLIP.fn, *sample_args(CLIP, shapes))


# ---------------------------------------------------------------------------- reductions

REDUCTIONS = [
    Row("prod", np.prod, (0.5, 1.5), covers=("reduce_prod",)),
    Row("max", np.max, covers=("reduce_max",)),
    Row("amax", np.amax, covers=("reduce_max",)),
    Row("min", np.min, covers=("reduce_min",)),
    Row("amin", np.amin, covers=("reduce_min",)),
    Row("var", np.var, covers=("var",)),
    Row("std", np.std, covers=("std",)),
    Row("norm", np.linalg.norm, covers=("norm",)),
]
REDUCTION_AXES = [  # (input shape, axis, keepdims)
    ((2, 3, 4), None, False), ((2, 3, 4), 1, False), ((2, 3, 4), -1, True),
    ((2, 3, 4), (0, 2), False), ((2, 3, 4), (0, -1), True), ((2, 3, 4), None, True),
    ((5,), 0, False), ((5,), -1, True), ((), None, False),
]


@pytest.mark.parametrize("shape, axis, keepdims", REDUCTION_AXES,
                         ids=[f"{shape_id(s)}-axis{a}{'-keepdims' if k else ''}".replace(" ", "")
                              for s, a, k in REDUCTION_AXES])
@pytest.mark.parametrize("row", REDUCTIONS, ids=names(REDUCTIONS))
def test_reduction_rule_matches_finite_differences(row, shape, axis, keepdims):
    fn, x = row.fn, sample(row.lims, shape)
    check_grads(lambda a: fn(a, axis=axis, keepdims=keepdims) * 3.0, x)


X = ((3, 4),)
X3 = ((2, 3, 4),)
REDUCTION_SPELLINGS = [
    Row("prod_method", S.prod_method, (0.5, 1.5), covers=("reduce_prod",), shapes=X,
        surface=".prod"),
    Row("max_method", S.max_method, covers=("reduce_max",), shapes=X, surface=".max"),
    Row("min_method", S.min_method, covers=("reduce_min",), shapes=X, surface=".min"),
    Row("var_method", S.var_method, covers=("var",), shapes=X3, surface=".var"),
    Row("var_ddof", S.sum_ddof1_var, covers=("var",), shapes=X),
    Row("std_ddof_method", S.std_ddof1_method, covers=("std",), shapes=X, surface=".std"),
    Row("amax_axis", S.amax_axis, covers=("reduce_max",), shapes=X),
    Row("amin_axis", S.amin_axis, covers=("reduce_min",), shapes=X),
    Row("cumsum", S.cumsum_fn, covers=("cumsum", "flip"), shapes=X, surface=np.cumsum),
    Row("cumsum_1d", S.cumsum_fn, covers=("cumsum",), shapes=((5,),)),
    Row("cumsum_axis", S.cumsum_axis, covers=("cumsum",), shapes=X3),
    Row("cumsum_negative_axis", S.cumsum_negative_axis, covers=("cumsum",), shapes=X),
    Row("cumsum_method", S.cumsum_method, covers=("cumsum",), shapes=X, surface=".cumsum"),
    Row("cumprod", S.cumprod_fn, (0.5, 1.5), covers=("cumprod",), shapes=X,
        surface=np.cumprod),
    Row("cumprod_axis", S.cumprod_axis, (0.5, 1.5), covers=("cumprod",), shapes=X3),
    Row("cumprod_method", S.cumprod_method, (-1.5, -0.5), covers=("cumprod",), shapes=X,
        surface=".cumprod"),
    Row("trace", S.trace_fn, covers=("trace", "eye"), shapes=((3, 3),), surface=np.trace),
    Row("trace_rectangular", S.trace_fn, covers=("trace",), shapes=X),
    Row("trace_offset", S.trace_offset, covers=("trace",), shapes=X),
    Row("trace_negative_offset", S.trace_negative_offset, covers=("trace",), shapes=X),
    Row("trace_batched", S.trace_fn, covers=("trace", "moveaxis"), shapes=X3),
    Row("trace_axes", S.trace_axes, covers=("trace",), shapes=((2, 3, 3),)),
    Row("trace_method", S.trace_method, covers=("trace",), shapes=X, surface=".trace"),
    Row("norm_vector", S.norm_fn, covers=("norm",), shapes=((4,),)),
    Row("norm_axis", S.norm_axis, covers=("norm",), shapes=X),
    Row("norm_keepdims", S.norm_keepdims, covers=("norm",), shapes=X3),
    Row("norm_fro", S.norm_fro, covers=("norm",), shapes=X),
    Row("norm_ord1_vector", S.norm_ord1, covers=("reduce_sum", "abs"), shapes=((5,),)),
    Row("norm_ord1_matrix", S.norm_ord1, covers=("reduce_max", "abs"), shapes=X),
    Row("norm_inf_vector", S.norm_ord_inf, covers=("reduce_max",), shapes=((5,),)),
    Row("norm_inf_matrix", S.norm_ord_inf, covers=("reduce_max",), shapes=X),
    Row("norm_minus_inf_axis", S.norm_ord_minus_inf_axis, covers=("reduce_min",), shapes=X),
    Row("norm_ord3_axis", S.norm_ord3_axis, covers=("pow",), shapes=X),
    Row("norm_ord2_axis", S.norm_ord2_axis, covers=("norm",), shapes=X),
    Row("matrix_norm_ord1", S.matrix_norm_ord1, covers=("reduce_max", "squeeze"), shapes=X),
    Row("matrix_norm_inf_keepdims", S.matrix_norm_inf_keepdims, covers=("reduce_max",),
        shapes=X3),
    Row("matrix_norm_minus1", S.matrix_norm_minus1, covers=("reduce_min",), shapes=X3),
]


@pytest.mark.parametrize("row", REDUCTION_SPELLINGS, ids=names(REDUCTION_SPELLINGS))
def test_reduction_spelling_matches_finite_differences(row):
    check_grads(row.fn, *sample_args(row, row.shapes))


# ---------------------------------------------------------------------------- products

PRODUCT_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 3, 4), (4,)),
    ((2, 3, 4), (5, 4, 2)), ((), (3,)), ((2, 3), ()),
]
INNER_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((2, 3), (4, 3)), ((2, 3, 4), (5, 4)),
                ((3,), ())]
PRODUCTS = [
    Row("dot", np.dot, covers=("dot",), shapes=PRODUCT_SHAPES),
    Row("method_dot", S.method_dot, covers=("dot",), shapes=PRODUCT_SHAPES[:6],
        surface=".dot"),
    Row("inner", np.inner, covers=("inner",), shapes=INNER_SHAPES),
    Row("vdot", np.vdot, covers=("vdot",), shapes=[((3,), (3,)), ((2, 3), (3, 2))]),
    Row("tensordot", S.tensordot_2, covers=("tensordot",),
        shapes=[((2, 3, 4), (3, 4, 5)), ((3, 4), (3, 4))], surface=np.tensordot),
    Row("tensordot_pairs", S.tensordot_pairs, covers=("tensordot",),
        shapes=[((2, 3, 4), (5, 4, 3))]),
    Row("tensordot_unordered", S.tensordot_unordered, covers=("tensordot", "transpose"),
        shapes=[((2, 3, 4), (5, 4, 2))]),
    Row("tensordot_outer", S.tensordot_outer, covers=("tensordot",),
        shapes=[((3,), (2, 2)), ((), (2,))]),
    Row("einsum", S.einsum_matmul, covers=("einsum",), shapes=[((2, 3), (3, 4))],
        surface=np.einsum),
    Row("einsum_implicit", S.einsum_implicit, covers=("einsum",), shapes=[((2, 3), (3, 4))]),
    Row("einsum_outer", S.einsum_outer, covers=("einsum",), shapes=[((2,), (3,))]),
    Row("einsum_batched", S.einsum_batched, covers=("einsum", "unbroadcast"),
        shapes=[((4, 2, 3), (3, 2)), ((2, 3), (5, 3, 2))]),
    # Only one operand has an ellipsis: the other's adjoint sums over its axes.
    Row("einsum_one_side_ellipsis", S.einsum_one_side_ellipsis, covers=("einsum",),
        shapes=[((4, 2, 3), (3, 2)), ((2, 3), (3, 5)), ((2, 4, 2, 3), (3, 1))]),
    # An ellipsis after some letters, operands of different ranks: in shape-generic
    # code (the ranks unknown) the adjoint sums the extra axes in the middle.
    Row("einsum_inner_ellipsis", S.einsum_inner_ellipsis, covers=("einsum", "moveaxis"),
        shapes=[((2, 2), (2, 2, 2)), ((2, 2, 2), (2, 2)), ((2, 3, 4), (5, 2, 3)),
                ((2, 1, 4), (5, 2, 3))]),
    Row("einsum_trailing_ellipsis", S.einsum_trailing_ellipsis, covers=("einsum",),
        shapes=[((3, 2), (2, 3, 4)), ((3, 2, 4), (2, 3))]),
    Row("einsum_three", S.einsum_three, covers=("einsum",), shapes=[((2, 3), (3, 4))]),
    Row("einsum_interleaved", S.einsum_interleaved, covers=("einsum",),
        shapes=[((2, 3), (3, 4))]),
    Row("einsum_interleaved_implicit", S.einsum_interleaved_implicit, covers=("einsum",),
        shapes=[((2, 3), (3, 4))]),
    Row("einsum_interleaved_ellipsis", S.einsum_interleaved_ellipsis, covers=("einsum",),
        shapes=[((4, 2, 3), (3, 2)), ((2, 3), (3, 5))]),
]
PRODUCT_CASES = [(row, shapes) for row in PRODUCTS for shapes in row.shapes]


@pytest.mark.parametrize("row, shapes", PRODUCT_CASES,
                         ids=[f"{r.name}-{shapes_id(s, '.')}" for r, s in PRODUCT_CASES])
def test_product_rule_matches_finite_differences(row, shapes):
    check_grads(scaled(row.fn, 2), *sample_args(row, shapes))


# ---------------------------------------------------------------------------- fixed arguments

A, A4, B, V = well_conditioned(3, 3), well_conditioned(4, 3, 3), uniform(3, 2), uniform(3)
M, M3, W = uniform(3, 4), uniform(3, 4, 5), uniform(5)
SPD = A @ A.T
INDEX = np.array([0, 2, 2])
MASK = np.array([[True, False, True, True], [False, False, True, False],
                 [True, True, False, True]])

SINGLE = [
    Case("einsum_trace", S.einsum_trace, (A,), ("einsum", "eye", "ones")),
    Case("einsum_diagonal", S.einsum_diagonal, (A,), ("einsum", "eye")),
    Case("einsum_total", S.einsum_total, (B,), ("einsum", "ones")),
    Case("einsum_repeated_operand", S.einsum_repeated_operand, (V,), ("einsum",)),
    Case("einsum_batch_total", S.einsum_batch_total, (M3,), ("einsum", "ones_like")),
    Case("inv", np.linalg.inv, (A,), ("inv",)),
    Case("inv_batched", np.linalg.inv, (A4,), ("inv",)),
    Case("det", np.linalg.det, (A,), ("det", "adjugate")),
    Case("det_batched", np.linalg.det, (A4,), ("det", "adjugate")),
    # Forward mode through a multi-output primitive waits for the forward transform.
    Case("slogdet", S.slogdet_logdet, (A,), ("slogdet",), np.linalg.slogdet, ("rev",)),
    Case("slogdet_batched", S.slogdet_logdet, (A4,), ("slogdet",), modes=("rev",)),
    Case("solve", np.linalg.solve, (A, B), ("solve",)),
    Case("solve_vector", np.linalg.solve, (A, V), ("solve",)),
    *only_on_numpy_2(Case("solve_batched_vector", np.linalg.solve, (A4, V), ("solve",)),
                     Case("solve_batched", np.linalg.solve, (A4, B), ("solve",))),
    *only_on_numpy_1(Case("solve_stacked_vectors", np.linalg.solve, (A4, uniform(4, 3)),
                          ("solve",))),  # NumPy 1.x: b of one axis fewer than a is vectors
    Case("cholesky", np.linalg.cholesky, (SPD,), ("cholesky", "tril")),
    Case("cholesky_batched", np.linalg.cholesky, (np.einsum("bij,bkj->bik", A4, A4),),
         ("cholesky",)),
    Case("cholesky_of_gram", S.cholesky_of_gram, (uniform(3, 3),), ("cholesky",)),
    *only_on_numpy_2(Case("cholesky_upper", S.cholesky_upper, (uniform(3, 3),),
                          ("cholesky", "swapaxes"))),  # upper= is NumPy 2's
    *only_on_numpy_2(Case("cholesky_upper_reads_its_triangle", S.cholesky_upper_reads_upper,
                          (uniform(3, 3),), ("cholesky", "swapaxes"))),
    # shapes
    Case("moveaxis", S.moveaxis_fn, (M3,), ("moveaxis",), np.moveaxis),
    Case("moveaxis_many", S.moveaxis_many, (M3,), ("moveaxis",)),
    Case("squeeze", S.squeeze_fn, (uniform(3, 1, 2, 1),), ("squeeze",), np.squeeze),
    Case("squeeze_axis", S.squeeze_axis, (uniform(3, 1, 2),), ("squeeze",)),
    Case("squeeze_method", S.squeeze_method, (uniform(1, 4),), ("squeeze",), ".squeeze"),
    Case("ravel", S.ravel_fn, (uniform(2, 3, 4),), ("reshape",), np.ravel),
    Case("ravel_method", S.ravel_method, (M,), ("reshape",), ".ravel"),
    Case("flatten_method", S.flatten_method, (M,), ("reshape",), ".flatten"),
    Case("tile", S.tile_fn, (M,), ("tile", "untile"), np.tile),
    Case("tile_more_dims", S.tile_more_dims, (M,), ("tile",)),
    Case("tile_vector", S.tile_fn, (W,), ("tile",)),
    Case("repeat", S.repeat_fn, (M,), ("repeat",), np.repeat),
    Case("repeat_axis", S.repeat_axis, (M,), ("repeat", "unrepeat")),
    Case("repeat_counts", S.repeat_counts, (M,), ("repeat", "unrepeat")),
    Case("repeat_method", S.repeat_method, (M,), ("repeat",), ".repeat"),
    Case("flip", S.flip_fn, (M,), ("flip",), np.flip),
    Case("flip_axis", S.flip_axis, (M,), ("flip",)),
    Case("fliplr_flipud", S.fliplr_flipud, (M,), ("flip",), (np.fliplr, np.flipud)),
    Case("roll", S.roll_fn, (M,), ("roll",), np.roll),
    Case("roll_flat", S.roll_flat, (M,), ("roll",)),
    Case("pad", S.pad_fn, (M,), ("pad", "getitem", "unpad"), np.pad),
    Case("pad_widths", S.pad_widths, (M,), ("pad",)),
    Case("diag_of_vector", S.diag_of_vector, (W,), ("diag",), np.diag),
    Case("diag_offset_vector", S.diag_offset_vector, (W,), ("diag",)),
    Case("diag_of_matrix", S.diag_of_matrix, (M,), ("diag", "undiag")),
    Case("diag_below_of_matrix", S.diag_below_of_matrix, (M.T,), ("diag", "undiag")),
    Case("triu_tril", S.triu_tril, (M,), ("triu", "tril"), (np.triu, np.tril)),
    Case("sort", S.sort_fn, (uniform(4),), ("sort", "take_along_axis", "argsort"), np.sort),
    Case("sort_axis", S.sort_axis, (M,), ("sort",)),
    Case("sort_flat", S.sort_flat, (M,), ("sort",)),
    Case("atleast_1d", S.atleast_1d_fn, (1.5,), ("atleast_1d",), np.atleast_1d),
    Case("atleast_2d", S.atleast_2d_fn, (W,), ("atleast_2d",), np.atleast_2d),
    Case("atleast_3d", S.atleast_3d_fn, (M,), ("atleast_3d",), np.atleast_3d),
    Case("take", S.take_fn, (M,), ("gather", "gather_add"), np.take),
    Case("take_flat", S.take_flat, (M,), ("getitem", "index_add")),
    Case("take_method", S.take_method, (M,), ("gather",), ".take"),
    Case("take_along_axis", S.take_along_axis_fn, (M,), ("take_along_axis", "add_along_axis"),
         np.take_along_axis),
    Case("swapaxes_method", S.swapaxes_method, (M,), ("swapaxes",)),
    Case("fliplr", np.fliplr, (M,), ("flip",)),
    Case("flipud", np.flipud, (M,), ("flip",)),
    # indexing
    Case("int_array", S.index_int_array, (M, INDEX), ("getitem", "index_add")),
    Case("static_list", S.index_static_list, (M,), ("getitem",)),
    Case("rows_then_slice", S.index_rows_then_slice, (M, INDEX), ("gather", "gather_add")),
    Case("slice_then_array", S.index_slice_then_array, (M, INDEX), ("gather",)),
    Case("int_ellipsis_array", S.index_int_ellipsis_array, (M3, INDEX), ("gather",)),
    Case("mask", S.index_mask, (M, MASK), ("getitem",)),
    Case("comparison_mask", S.index_comparison_mask, (M,), ("getitem", "greater")),
    Case("mask_and_int", S.index_mask_and_int, (M, MASK[:, 0]), ("gather",)),
    Case("argmax_index", S.index_argmax, (W,), ("getitem", "argmax")),
    Case("list_of_runtime_ints", S.index_list_of_runtime_ints, (M,), ("getitem", "stack")),
    Case("slice_object", S.index_slice_object, (M,), ("getitem", "gather", "slice"), slice),
    # constructors
    Case("full", S.full_fn, (1.5,), ("full",), np.full),
    Case("full_vector", S.full_fn, (uniform(3),), ("full",)),
    Case("full_like", S.full_like_fn, (M, 0.5), ("full_like",), np.full_like),
    Case("eye", S.eye_fn, (M,), ("eye",), np.eye),
    Case("eye_offset", S.eye_offset, (A,), ("eye",)),
    Case("identity", S.identity_fn, (M,), ("eye",), np.identity),
    Case("arange", S.arange_fn, (M,), ("arange",), np.arange),
    Case("arange_runtime", S.arange_runtime, (M,), ("arange",)),
    Case("linspace", S.linspace_fn, (0.5, 2.0), ("linspace",), np.linspace),
    Case("linspace_arrays", S.linspace_fn, (uniform(3), uniform(3)), ("linspace",)),
    Case("linspace_open", S.linspace_open, (0.5, uniform(2)), ("linspace",)),
    Case("linspace_axis_retstep", S.linspace_along_an_axis_with_its_step,
         (uniform(2, 3), uniform(3)), ("linspace", "moveaxis")),
    Case("array_of_scalars", S.array_of_scalars, (0.5, 2.0), ("stack",), np.array),
    Case("array_of_arrays", S.array_of_arrays, (W, W + 1.0), ("stack",)),
    Case("array_copy", S.array_copy, (M,), ("copy",)),
    Case("asarray", S.asarray_fn, (M,), ("mul",), np.asarray),
    Case("asanyarray", np.asanyarray, (M,), ("mul",)),
    Case("ascontiguousarray", S.contiguous_fn, (M,), ("mul",),
         (np.ascontiguousarray, np.asfortranarray)),
    Case("ascontiguousarray_0d", S.contiguous_of_0d, (M,), ("atleast_1d",)),
    Case("require", S.require_fn, (M,), ("mul",), np.require),
    Case("copy", S.copy_fn, (M,), ("copy",), (np.copy, ".copy")),
    Case("astype_float64", S.astype_float64, (M,), ("astype",), ".astype"),
    Case("float64", S.float64_cast, (M,), ("astype",), np.float64),
    Case("zeros_like_dtype", S.zeros_like_float, (M,), ("zeros_like",)),
]

PAIRS = [
    Case("concatenate", S.concatenate_fn, (M, M[:, :2]), ("concatenate", "concat_part"),
         np.concatenate),
    Case("concatenate_default", S.concatenate_default, (M, M[:1]), ("concatenate",)),
    Case("concatenate_negative", S.concatenate_negative, (M, M[:, :1]), ("concatenate",)),
    Case("concatenate_flat", S.concatenate_flat, (M, W), ("concatenate",)),
    Case("stack", S.stack_fn, (M, M), ("stack",), np.stack),
    Case("stack_axis", S.stack_axis, (W, W), ("stack",)),
    Case("stack_negative", S.stack_negative, (M, M), ("stack",)),
    Case("hstack", S.hstack_fn, (M, M[:, :2]), ("concatenate", "hstack", "concat_part"),
         np.hstack),
    Case("hstack_vectors", S.hstack_fn, (W, V), ("concatenate", "hstack")),
    Case("hstack_scalars", S.hstack_fn, (1.5, W), ("atleast_1d", "hstack")),
    Case("vstack", S.vstack_fn, (M, M[:1]), ("concatenate",), np.vstack),
    Case("vstack_vectors", S.vstack_fn, (W, W), ("atleast_2d", "concatenate")),
    Case("split", S.split_fn, (M,), ("getitem", "gather", "slice"), np.split),
    Case("split_indices", S.split_indices, (W,), ("getitem",)),
    Case("array_split", S.array_split_fn, (M,), ("getitem", "gather", "slice"),
         np.array_split),
]
FIXED = SINGLE + PAIRS


@pytest.mark.parametrize("case", FIXED, ids=names(FIXED))
def test_fixed_argument_rule_matches_finite_differences(case):
    check_grads(scaled(case.fn, len(case.args)), *case.args, modes=case.modes)


# ---------------------------------------------------------------------------- second order
# Primitives only gradient code contains (the helpers shape-generic gradients call)
# are covered by differentiating that gradient again.

SECOND_ORDER = [
    Case("tile", S.tile_fn, (M,), ("tile", "untile")),
    Case("repeat_counts", S.repeat_counts, (M,), ("repeat", "unrepeat")),
    Case("pad", S.pad_widths, (M,), ("pad", "unpad")),
    Case("diag_of_matrix", S.diag_of_matrix, (M,), ("diag", "undiag")),
    Case("concatenate", S.concatenate_fn, (M, M[:, :2]), ("concatenate", "concat_part")),
    Case("hstack", S.hstack_fn, (M, M[:, :2]), ("hstack", "concat_part")),
    Case("dot", np.dot, (M3, uniform(5, 2)), ("dot", "dot_vjp_a", "dot_vjp_b")),
    Case("tensordot", S.tensordot_2, (M3, uniform(4, 5, 2)),
         ("tensordot", "tensordot_vjp_a", "tensordot_vjp_b")),
    Case("solve", np.linalg.solve, (A, V), ("solve", "as_columns", "from_columns")),
    Case("take_along_axis", S.take_along_axis_fn, (M,), ("take_along_axis", "add_along_axis")),
    Case("take_along_axis_broadcast", S.take_along_axis_broadcast_index, (M,),
         ("take_along_axis", "add_along_axis")),
    Case("mixed_index", S.index_rows_then_slice, (M, INDEX), ("gather", "gather_add")),
    Case("setitem", S.assigned_rows, (M, INDEX, uniform(3, 4)),
         ("index_update", "arange", "full")),
    Case("setitem_mixed", S.assigned_columns, (M, INDEX, uniform(3)),
         ("gather_update", "gather")),
    Case("imag", S.attr_imag, (M,), ("imag", "match_complex")),
    Case("max", np.max, (W,), ("reduce_max", "result_type", "astype")),
    Case("prod", np.prod, (W,), ("reduce_prod",)),
    Case("std", np.std, (W,), ("std",)),
    Case("cumprod", S.cumprod_fn, (W + 2.0,), ("cumprod", "cumsum")),
    Case("cholesky", np.linalg.cholesky, (SPD,), ("cholesky",)),
    Case("det", np.linalg.det, (A,), ("det", "adjugate")),
    Case("det_at_the_identity", np.linalg.det, (np.eye(3),), ("det", "adjugate")),
    Case("einsum_trace", S.einsum_trace, (A,), ("einsum",)),
    Case("sort", S.sort_fn, (uniform(4),), ("sort", "take_along_axis")),
    Case("arcsin", np.arcsin, (uniform(3, lo=-0.5, hi=0.5),), ("arcsin", "sqrt")),
    Case("hypot", np.hypot, (W, W[::-1]), ("hypot",)),
]


@pytest.mark.parametrize("case", SECOND_ORDER, ids=names(SECOND_ORDER))
def test_second_order_matches_finite_differences(case):
    check_grads(scaled(case.fn, len(case.args)), *case.args, order=2)


@pytest.mark.parametrize("case", SECOND_ORDER, ids=names(SECOND_ORDER))
def test_second_order_rows_contain_what_they_cover(case):
    positions = tuple(range(len(case.args)))
    ir = adc.gradient_ir(scaled(case.fn, len(case.args)), grad_position=positions, value=True)
    used = set(re.findall(r"= (\w+)", ir))
    assert set(case.covers) <= used, f"{sorted(set(case.covers) - used)} not in\n{ir}"


# ---------------------------------------------------------------------------- float32


def _float32_args(args: tuple) -> list[Any]:
    return [np.float32(a) if isinstance(a, float) else
            a.astype(np.float32) if np.issubdtype(np.asarray(a).dtype, np.floating) else a
            for a in args]


FLOAT32 = (
    [(row.name, row.fn, ((2, 3),), row.lims) for row in UNARY + METHODS]
    + [(row.name, row.fn, ((2, 3), (3,)), row.lims) for row in BINARY]
    + [(row.name, row.fn, row.shapes, row.lims) for row in REDUCTION_SPELLINGS]
    + [(f"{row.name}-{shapes_id(s, '.')}", row.fn, s, row.lims) for row, s in PRODUCT_CASES
       if () not in s]
)
FIXED_FLOAT = [c for c in FIXED if any(isinstance(a, np.ndarray) and a.dtype == np.float64
                                       for a in c.args)]


def _assert_float32_matches(fn: Callable[..., Any], args32: list[Any], rtol: float) -> None:
    args64 = [a.astype(np.float64) if isinstance(a, np.ndarray | np.floating)
              and np.issubdtype(a.dtype, np.floating) else a for a in args32]
    positions = [i for i, a in enumerate(args32)
                 if isinstance(a, np.ndarray | np.floating) and a.dtype == np.float32]
    grad32 = adc.grad(fn, grad_position=tuple(positions))(*args32)
    grad64 = adc.grad(fn, grad_position=tuple(positions))(*args64)
    for g32, g64 in zip(grad32, grad64):
        assert np.asarray(g32).dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=rtol, atol=1e-5)


@pytest.mark.parametrize("name, fn, shapes, lims", FLOAT32, ids=[c[0] for c in FLOAT32])
def test_float32_gradient_is_float32_and_matches_float64(name, fn, shapes, lims):
    row = Row(name, fn, lims)
    args32 = [np.asarray(a, np.float32) for a in sample_args(row, shapes)]
    _assert_float32_matches(scaled(fn, len(shapes)), args32, rtol=1e-4)


@pytest.mark.parametrize("case", FIXED_FLOAT, ids=names(FIXED_FLOAT))
def test_float32_fixed_argument_gradient_is_float32(case):
    _assert_float32_matches(scaled(case.fn, len(case.args)), _float32_args(case.args),
                            rtol=2e-4)


@pytest.mark.parametrize("fn", [np.maximum, np.minimum, np.fmax, np.fmin],
                         ids=lambda f: f.__name__)
def test_a_float32_selection_has_a_float32_tangent(fn):
    """The partials of maximum & co. were a boolean plus 0.5 times one: float64, so a
    float32 tangent came out float64 (the cotangent was cast back)."""
    a = np.array([1.0, -2.0, 3.0, 0.5], np.float32)
    b = np.array([0.5, -1.0, 4.0, 0.5], np.float32)
    ta, tb = np.array([1.0, 2.0, 3.0, 4.0], np.float32), np.full(4, 10.0, np.float32)
    value, tangent = adc.jvp(lambda x, y: fn(x, y), (a, b), (ta, tb))
    assert value.dtype == tangent.dtype == np.float32
    np.testing.assert_allclose(tangent, np.where(a == b, (ta + tb) / 2,
                                                 np.where(fn(a, b) == a, ta, tb)))


# ---------------------------------------------------------------------------- exact values


def floor_ceil_round(x):
    return np.sum(x * (np.floor(x) + np.ceil(x) + np.trunc(x) + np.rint(x) + np.round(x, 1)
                       + np.around(x) + x.round()))


def round_builtin(x):
    return x * round(2.6) + round(x)  # x a NumPy scalar: Python's round works on it


def float_predicates(x):
    return np.sum(x * (np.isnan(x) + np.isinf(x) + np.isfinite(x)))


def logical(x):
    return np.sum(x * (1.0 * np.logical_and(x > 0, x < 1) + 1.0 * np.logical_or(x < 0, x > 1)
                       + 1.0 * np.logical_xor(x > 0, x > 1) + 1.0 * np.logical_not(x > 0)))


def bitwise(x):
    return np.sum(x * (1.0 * np.bitwise_and(x > 0, x < 1) + 1.0 * np.bitwise_or(x < 0, x > 1)
                       + 1.0 * np.bitwise_xor(x > 0, x > 1) + 1.0 * np.invert(x > 0)))


def all_any(x):
    return np.sum(x * (1.0 * np.all(x > -2) + 1.0 * np.any(x > 1.5) + 1.0 * (x > 0).all()
                       + 1.0 * (x > 5).any()))


def arg_functions(x):
    return np.sum(x * (np.argmax(x) + np.argmin(x) + x.argmax() + x.argmin()
                       + np.argsort(x) + x.argsort()))


def astype_int(x):
    return np.sum(x * x.astype(int))


def astype_float32(x):
    return np.sum(x.astype(np.float32)) * 2.0


def float32_scalar(x):
    return np.sum(np.float32(x)) * 2.0


def integer_scalars(x):
    return np.sum(x * (np.int64(x) + np.int32(x) + np.int16(x) + np.int8(x)))


def unsigned_and_bool_scalars(x):
    a = np.abs(x)
    return np.sum(x * (np.uint8(a) + np.uint16(a) + np.uint32(a) + np.uint64(a))
                  + x * np.bool_(x) + np.float16(x) * 2.0)


def dtype_attribute(x):
    return np.sum(x * np.ones(3, dtype=x.dtype))


def length(x):
    return np.sum(x * len(x))


def max_with_ties(x):
    return np.max(x)


def min_with_ties_on_axis(x):
    return np.sum(np.min(x, axis=1))


def sort_with_ties(x):
    return np.sum(np.sort(x) * np.array([1.0, 2.0, 3.0, 4.0]))


def std_of_constant(x):
    return np.std(x)


def norm_at_zero(x):
    return np.linalg.norm(x)


def std_of_one_selected(x):  # where= leaves one entry: std 0, as np.std of a constant
    return np.std(x, where=x > 0.5) + np.std(x, axis=0, where=np.array([True, False, False]))


def prod_with_zeros(x):
    return np.sum(np.prod(x, axis=1))


def clip_at_bounds(x):
    return np.sum(np.clip(x, 0.0, 1.0))


def clip_lower_at_bound(x):
    return np.sum(np.clip(x, 0.0, None))


def clip_upper_at_bound(x):
    return np.sum(x.clip(None, 1.0))


def clip_bounds_at_ties(x, lo, hi):
    return np.sum(np.clip(x, lo, hi))


def clamp_at_bounds(x):
    return np.sum(ops.clamp(x, 0.0, 1.0) + ops.clamp(x, min=0.0) + ops.clamp(x, max=1.0))


def relu_ops_and_maximum(x):
    return np.sum(ops.relu(x) * 2.0 + np.maximum(x, 0.0))


def relu6_at_kinks(x):
    return np.sum(ops.relu6(x))


def elu_at_zero(x):
    return np.sum(ops.elu(x, 0.5))


def fmax_tie(x, y):
    return np.sum(np.fmax(x, y))


def fmin_tie(x, y):
    return np.sum(np.fmin(x, y))


def where_sqrt_double_where(x):
    safe = np.where(x > 0, x, 1.0)
    return np.sum(np.where(x > 0, np.sqrt(safe), 0.0))


T = np.array([-1.5, 0.0, 0.5, 1.0, 2.0])
EXACT = [
    Exact("floor_ceil_round", floor_ceil_round, (T,),
          (np.floor(T) + np.ceil(T) + np.trunc(T) + np.rint(T) + np.round(T, 1) + np.round(T)
           * 2,), ("floor", "ceil", "trunc", "rint", "round"),
          (np.floor, np.ceil, np.trunc, np.rint, np.round, np.around, ".round")),
    Exact("round_builtin", round_builtin, (np.float64(1.7),), (3.0,), ("round",), round),
    Exact("float_predicates", float_predicates, (T,), (np.ones(5),),
          ("isnan", "isinf", "isfinite"), (np.isnan, np.isinf, np.isfinite)),
    Exact("logical", logical, (T,), ([2.0, 1, 2, 1, 1],),
          ("logical_and", "logical_or", "logical_xor", "logical_not"),
          (np.logical_and, np.logical_or, np.logical_xor, np.logical_not)),
    Exact("bitwise", bitwise, (T,), ([2.0, 1, 2, 1, 1],),
          ("bitwise_and", "bitwise_or", "bitwise_xor", "invert"),
          (np.bitwise_and, np.bitwise_or, np.bitwise_xor, np.invert)),
    Exact("all_any", all_any, (T,), (np.full(5, 2.0),), ("reduce_all", "reduce_any"),
          (np.all, np.any, ".all", ".any")),
    Exact("arg_functions", arg_functions, (T,), (4 + 0 + 4 + 0 + 2 * np.argsort(T),),
          ("argmax", "argmin", "argsort"),
          (np.argmax, np.argmin, np.argsort, ".argmax", ".argmin", ".argsort")),
    Exact("astype_int", astype_int, (T,), (np.trunc(T),), ("astype_discrete",)),
    Exact("astype_float32", astype_float32, (T,), (np.full(5, 2.0),), ("astype",), ".astype"),
    Exact("float32_scalar", float32_scalar, (T,), (np.full(5, 2.0),), ("astype",),
          np.float32),
    # Integer scalar types cast (autograd's test_cast_to_int: np.int64(w[:, -1])), and
    # pass no gradient; np.float16 passes it back.
    Exact("integer_scalars", integer_scalars, (T,), (4 * np.trunc(T),), ("astype_discrete",),
          (np.int64, np.int32, np.int16, np.int8)),
    Exact("unsigned_and_bool_scalars", unsigned_and_bool_scalars, (T,),
          (4 * np.trunc(np.abs(T)) + (T != 0) + 2.0,), ("astype_discrete", "astype"),
          (np.uint8, np.uint16, np.uint32, np.uint64, np.bool_, np.float16)),
    Exact("dtype_attribute", dtype_attribute, (T[:3],), (np.ones(3),), ("dtype",), ".dtype"),
    Exact("len", length, (T,), (np.full(5, 5.0),), ("mul",), len),
    # Ties of max/min share the gradient equally.
    Exact("max_ties_share", max_with_ties, (np.array([1.0, 3.0, 3.0]),), ([0.0, 0.5, 0.5],),
          ("reduce_max",)),
    Exact("min_ties_share_on_axis", min_with_ties_on_axis, (np.array([[1.0, 1.0, 2.0],
                                                                        [0.0, 3.0, 0.0]]),),
          ([[0.5, 0.5, 0.0], [0.5, 0.0, 0.5]],), ("reduce_min",)),
    # Sort ties: the first of equal entries gets the gradient of the first place.
    Exact("sort_ties_are_stable", sort_with_ties, (np.array([2.0, 1.0, 2.0, 0.0]),),
          ([3.0, 2.0, 4.0, 1.0],), ("sort",)),
    # std and norm have gradient 0 where they are 0 (a subgradient).
    Exact("std_of_constant", std_of_constant, (np.full(3, 2.0),), (np.zeros(3),), ("std",)),
    Exact("norm_at_zero", norm_at_zero, (np.zeros(3),), (np.zeros(3),), ("norm",)),
    Exact("std_where_of_one_entry", std_of_one_selected, (np.array([0.1, 0.7, 0.2]),),
          (np.zeros(3),), ("sqrt",)),
    # prod is exact with zeros: the gradient is the product of the other entries.
    Exact("prod_with_zeros", prod_with_zeros, (np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0],
                                                          [1.0, 2.0, 4.0]]),),
          ([[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]],), ("reduce_prod",)),
    # A value on a clip bound counts as inside (MindSpore's clamp), with one bound too;
    # a bound gets the gradient only where it bites strictly.
    Exact("clip_at_bounds", clip_at_bounds, (np.array([-1.0, 0.0, 0.5, 1.0, 2.0]),),
          ([0.0, 1.0, 1.0, 1.0, 0.0],), ("clip",)),
    Exact("clip_lower_only_at_bound", clip_lower_at_bound, (np.array([-1.0, 0.0, 2.0]),),
          ([0.0, 1.0, 1.0],), ("where",)),
    Exact("clip_upper_only_at_bound", clip_upper_at_bound, (np.array([-1.0, 1.0, 2.0]),),
          ([1.0, 1.0, 0.0],), ("where",)),
    Exact("clip_bound_gradients_at_ties", clip_bounds_at_ties,
          (np.array([-1.0, 0.0, 0.5, 1.0, 2.0]), np.zeros(5), np.ones(5)),
          ([0.0, 1, 1, 1, 0], [1.0, 0, 0, 0, 0], [0.0, 0, 0, 0, 1]), ("clip",)),
    Exact("clamp_at_bounds", clamp_at_bounds, (np.array([-1.0, 0.0, 0.5, 1.0, 2.0]),),
          ([1.0, 3, 3, 3, 1],), ("clip", "where")),
    # ops.relu has derivative 0 at 0 (MindSpore's ReluGrad); np.maximum(x, 0) shares
    # the tie (1/2), as MindSpore's Maximum does.
    Exact("relu_zero_at_zero_maximum_shares_tie", relu_ops_and_maximum,
          (np.array([-1.0, 0.0, 2.0]),), ([0.0, 0.5, 3.0],), ("maximum", "where")),
    # relu6 and elu follow MindSpore's kernels: ReLU6Grad passes 0 < x <= 6, EluGrad
    # gives alpha at 0.
    Exact("relu6_at_kinks", relu6_at_kinks,
          (np.array([-1.0, 0.0, 3.0, 6.0, 7.0]),), ([0.0, 0, 1, 1, 0],), ("where",)),
    Exact("elu_at_zero", elu_at_zero, (np.array([-1.0, 0.0, 2.0]),),
          ([0.5 * np.exp(-1.0), 0.5, 1.0],), ("expm1", "where")),
    Exact("fmax_tie_shared", fmax_tie, (np.array([1.0, 2.0, 4.0, np.nan]),
                                        np.array([1.0, 3.0, np.nan, 5.0])),
          ([0.5, 0.0, 1.0, 0.0], [0.5, 1.0, 0.0, 1.0]), ("fmax",)),
    Exact("fmin_tie_shared", fmin_tie, (np.array([1.0, 2.0, 4.0]), np.array([1.0, 3.0, np.nan])),
          ([0.5, 1.0, 1.0], [0.5, 0.0, 0.0]), ("fmin",)),
    # The double-where pattern keeps an infinite derivative out of the untaken branch.
    Exact("where_double_where", where_sqrt_double_where, (np.array([0.0, 4.0]),),
          ([0.0, 0.25],), ("where", "sqrt")),
]


@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
@pytest.mark.parametrize("case", EXACT, ids=names(EXACT))
def test_gradient_equals_exact_value(case, specialize):
    assert_exact_gradient(case, specialize)


KINKS = [case for case in EXACT
         if case.name.startswith(("clip", "clamp", "relu", "elu", "fmax", "fmin"))]


@pytest.mark.parametrize("case", KINKS, ids=names(KINKS))
def test_forward_mode_follows_the_same_convention(case):
    assert_exact_forward(case)


ALL_ROWS = (UNARY + METHODS + BINARY + [CLIP] + REDUCTIONS + REDUCTION_SPELLINGS + PRODUCTS
            + FIXED + SECOND_ORDER + EXACT)
# The rows of test_surface_more (more of NumPy's functions), counted by the meta-tests too.
ALL_ROWS += test_surface_more.ALL_ROWS


def test_row_names_are_unique_within_each_test():
    for table in (UNARY + METHODS, BINARY, REDUCTIONS, REDUCTION_SPELLINGS, PRODUCTS, FIXED,
                  SECOND_ORDER, EXACT):
        assert len(set(names(table))) == len(table)


def det_total(a):
    return np.sum(np.linalg.det(a))


def cofactors(a):
    """adj(a)^T entry by entry, from minors: the gradient of det by its definition."""
    out = np.zeros_like(a)
    for i, j in np.ndindex(a.shape):
        minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
        out[i, j] = (-1) ** (i + j) * np.linalg.det(minor)
    return out


@pytest.mark.parametrize("a", [
    np.array([[50.0, -30.0, 45.0], [-30.0, 90.0, -81.0], [45.0, -81.0, 81.0]]),  # corank 1
    np.outer([1.0, 2.0, -1.0], [3.0, 0.5, 1.0]),  # corank 2
    np.zeros((3, 3)),
    np.eye(3),
    np.diag([2.0, 2.0, 3.0]),  # a repeated singular value
], ids=["corank1", "corank2", "zeros", "identity", "repeated"])
def test_det_gradient_is_the_cofactor_matrix_also_where_singular(a):
    """np.linalg.det's gradient is its cofactor matrix everywhere: it raised
    LinAlgError at singular matrices (det(a) inv(a); JAX's testDetGradOfSingularMatrix
    cases), forward and reverse."""
    np.testing.assert_allclose(adc.grad(det_total)(a), cofactors(a), rtol=1e-10, atol=1e-9)
    direction = np.arange(9.0).reshape(3, 3) / 9.0
    np.testing.assert_allclose(adc.jvp(det_total, (a,), (direction,))[1],
                               np.sum(cofactors(a) * direction), rtol=1e-10, atol=1e-9)



def take_rows_along(x):
    return np.take_along_axis(x, np.array([[1], [2], [1]]), -1) * np.arange(1.0, 4.0)[:, None]


def take_from_broadcast(x):
    return np.take_along_axis(x, np.array([[[0, 2]], [[1, 1]]]), 2)


def take_flattened(x):
    return np.take_along_axis(x, np.array([5, 0, 5, 2]), axis=None) * np.arange(1.0, 5.0)


@pytest.mark.parametrize("fn, shape", [(take_rows_along, (1, 3)),
                                       (take_from_broadcast, (1, 3, 3)),
                                       (take_flattened, (2, 3))],
                         ids=["row_read_by_every_index", "two_axes_broadcast", "axis_none"])
def test_take_along_axis_of_an_array_that_broadcasts_against_its_indices(fn, shape):
    """take_along_axis broadcasts the array's other axes against the indices' (x (1, 3)
    with indices (3, 1)); its reverse mode raised IndexError there (JAX's
    testTakeAlongAxisIssue1521). With axis=None it reads the flattened array: its
    reverse mode raised TypeError (the adjoint took the axis modulo the rank)."""
    x = np.random.default_rng(0).uniform(-1.0, 1.0, shape)
    check_grads(fn, x, order=2)


def product_hessian(x):
    """d2 prod / dx_i dx_j: the product of the entries but i and j (0 on the diagonal)."""
    n = x.size
    return np.array([[0.0 if i == j else np.prod(np.delete(x, [i, j])) for j in range(n)]
                     for i in range(n)])


def total_product(x):
    return np.prod(x)


def nan_product(x):
    return np.nanprod(x)


@pytest.mark.parametrize("x", [[1.0, 0.0, 2.0], [0.0, -1.0, 0.0, 2.0], [0.0, 0.0, 3.0, 0.0],
                               [1.5, -2.0, 0.5], [0.0]],
                         ids=["one_zero", "two_zeros", "three_zeros", "none", "only_zero"])
@pytest.mark.parametrize("fn", [total_product, nan_product], ids=["prod", "nanprod"])
def test_prod_hessian_is_exact_with_zeros(x, fn):
    """The gradient of prod was exact at zeros, but its derivative was not: branches
    that were right in value only (0 for a nonzero entry beside a zero) gave hvp
    [0, 102, 0] for [20, 102, 10] at [1, 0, 2], and all zeros with two zeros."""
    x = np.array(x)
    want = product_hessian(x)
    np.testing.assert_allclose(adc.hessian(fn)(x), want, atol=1e-12)
    direction = np.arange(1.0, x.size + 1.0)

    def along(a):
        return np.sum(adc.grad(fn)(a) * direction)

    np.testing.assert_allclose(adc.grad(along)(x), want @ direction, atol=1e-12)
    np.testing.assert_allclose(adc.hvp(fn, (x,), (direction,)), want @ direction, atol=1e-12)


def product_third_derivative(x):
    """d3 prod / dx_i dx_j dx_k: the product of the entries but i, j and k (0 where two
    of them are one entry)."""
    n = x.size
    return np.array([[[0.0 if len({i, j, k}) < 3 else np.prod(np.delete(x, [i, j, k]))
                       for k in range(n)] for j in range(n)] for i in range(n)])


def columns_product(x):
    return np.sum(np.prod(np.stack([x, x]).T, axis=0))


def cube_by_a_product(x):
    return np.sum(np.prod(np.broadcast_to(x, (3, x.size)), axis=0))


@pytest.mark.parametrize("x", [[1.0, 0.0, 2.0, 0.0], [0.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0],
                               [1.5, -2.0, 0.5, 2.0]],
                         ids=["two_zeros", "three_zeros", "four_zeros", "none"])
@pytest.mark.parametrize("fn, times", [(total_product, 1), (columns_product, 2)],
                         ids=["prod", "prod_axis_0"])
def test_prod_third_derivative_is_exact_with_zeros(x, fn, times):
    """Fuzz seed 970594: the partial of a zero entry, beside two more zeros, was the
    constant 0 (exact to second order only), so a third derivative through three zeros
    of one product missed their term: np.prod of x repeated three times (x ** 3 at 0:
    6, here 0)."""
    x, u, v = np.array(x), np.array([0.3, -0.7, 0.5, 0.2]), np.array([0.2, 0.4, -0.6, 1.0])
    want = times * np.einsum("ijk,j,k->i", product_third_derivative(x), u, v)
    np.testing.assert_allclose(_third_along(fn, x, u, v), want, atol=1e-12)
    np.testing.assert_allclose(_third_along(cube_by_a_product, x, u, v), 6 * u * v,
                               atol=1e-12)


def _third_along(fn, x, u, v):
    """The gradient of ``<d2 fn(x) u, v>``."""
    gradient = adc.grad(fn)
    hessian_u = adc.grad(lambda a, u: np.sum(gradient(a) * u))
    return adc.grad(lambda a, u, v: np.sum(hessian_u(a, u) * v))(x, u, v)


def rows_product(m):
    return np.sum(np.prod(m, axis=1, keepdims=True) * np.array([[1.0], [-2.0], [0.5]]))


def test_prod_along_an_axis_is_exact_to_second_order_with_zeros():
    m = np.array([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0], [1.5, 2.0, -1.0]])
    check_grads(rows_product, m, order=2)


def running_products(x, axis):
    return np.sum(np.sin(np.cumprod(x, axis=axis)))


@pytest.mark.parametrize("x, axis", [
    ([1.0, 0.0, 2.0, 3.0], -1), ([0.0, 0.0, 2.0, 3.0, 0.5], 0), ([2.0, 3.0, 0.5, 0.0], 0),
    ([0.0], 0), ([1.5, -2.0, 0.5, 0.7, 1.1, -0.9, 1.3], 0), (0.0, None), (0.0, 0),
    ([[1.0, 0.0, 2.0], [0.5, 2.0, 0.0]], 1), ([[1.0, 0.0, 2.0], [0.0, 2.0, -1.0]], 0),
    ([[1.0, 0.0], [2.0, 3.0]], None)],
    ids=["one_zero", "leading_zeros", "last_zero", "only_zero", "none", "0d_flat", "0d_axis",
         "rows", "columns", "flattened"])
def test_cumprod_is_exact_to_second_order_with_zeros(x, axis):
    """cumprod's rule divided by ``x``: NaN where it held a zero. Its derivatives now
    run the products' scan level by level, with products only: exact at every order.
    Shape-generic code, with the length unknown, still divides (a loud NaN)."""
    x = np.array(x)
    check_grads(running_products, x, axis, order=2, generic=False)
    if 0.0 in x:
        _, pullback = adc.vjp(running_products, x, axis, specialize=False)
        assert np.isnan(pullback(1.0)[0]).any()
    hessian = np.reshape(adc.hessian(running_products)(x, axis), (x.size, x.size))
    gradient = adc.grad(running_products)
    steps = np.eye(x.size).reshape(x.size, *x.shape) * 1e-6
    numeric = [(gradient(x + step, axis) - gradient(x - step, axis)).reshape(-1) / 2e-6
               for step in steps]
    np.testing.assert_allclose(hessian, numeric, atol=1e-6)


PAD_WIDTHS = [1, (2,), (1, 2), ((1, 2),), ((0,), (1,)), ((1, 0), (0, 2)), ((2, 1), (1,))]


@pytest.mark.parametrize("shape", [(3,), (2, 3)], ids=str)
@pytest.mark.parametrize("widths", PAD_WIDTHS, ids=str)
def test_pad_takes_every_spelling_of_its_widths_as_numpy(widths, shape):
    """The constant pad's fast path took a width per axis as a (before, after) pair:
    ((0,), (1,)) and (1, 2) of a matrix raised inside the compiled code."""
    x = np.linspace(-1.0, 1.0, int(np.prod(shape))).reshape(shape)
    try:
        want = np.pad(x, widths, constant_values=0.5)
    except ValueError:
        return  # NumPy refuses it too (a pair per axis of another rank)

    def padded(a):
        return np.pad(a, widths, constant_values=0.5)

    np.testing.assert_array_equal(adc.value_and_grad(lambda a: np.sum(padded(a) ** 2))(x)[0],
                                  np.sum(want ** 2))
    np.testing.assert_array_equal(adc.jacfwd(padded)(x).sum(axis=tuple(range(want.ndim))),
                                  np.ones(shape))
    check_grads(lambda a: np.sum(np.sin(padded(a))), x)

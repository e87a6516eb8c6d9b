"""NumPy functions written with other primitives, and the matrix decompositions, against
finite differences in float64, one table row per spelling.

Every check runs in reverse and forward mode, in shape-specialised code and (where the
function does not depend on its operand's rank or shape) in shape-generic code; a
function that does is checked to be refused in shape-generic code with a located
error. The meta-tests in test_rules.py count these rows too.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import composed_cases as C
import numpy as np
import pytest
from differences import central_differences
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_rules import (
    UNARY_SHAPES,
    Exact,
    Row,
    assert_exact_gradient,
    names,
    sample,
    scaled,
    shape_id,
)

import autodiff_compiler as adc
from autodiff_compiler import check_grads
from autodiff_compiler.errors import AutodiffError


@dataclass(frozen=True)
class Spec:
    """A spelling checked at fixed arguments. ``generic``: shape-generic code can compile
    it (else it must refuse it); ``modes``: the derivative modes checked."""

    name: str
    fn: Callable[..., Any]
    args: tuple
    covers: tuple[str, ...] = ()
    surface: Any = None
    generic: bool = True
    modes: tuple[str, ...] = ("rev", "fwd")


def check_specialised(fn: Callable[..., Any], *args: Any, modes: tuple[str, ...]) -> None:
    """``check_grads``' inner-product test, in shape-specialised code only."""
    rng = np.random.default_rng(0)
    directions = [rng.standard_normal(np.shape(a)) for a in args]
    cotangent = rng.standard_normal(np.shape(fn(*args)))
    eps = 1e-6

    def moved(step):
        return np.sum(cotangent * fn(*(a + step * d for a, d in zip(args, directions))))

    numeric = (moved(eps) - moved(-eps)) / (2 * eps)
    if "rev" in modes:
        grads = adc.vjp(fn, *args)[1](cotangent)
        reverse = sum(np.sum(g * d) for g, d in zip(grads, directions))
        np.testing.assert_allclose(reverse, numeric, rtol=1e-5, atol=1e-8)
    if "fwd" in modes:
        tangent = adc.jvp(fn, args, directions)[1]
        np.testing.assert_allclose(np.sum(cotangent * tangent), numeric, rtol=1e-5, atol=1e-8)


RNG = np.random.RandomState(7)


def uniform(*shape: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return RNG.uniform(lo, hi, shape)


# ---------------------------------------------------------------------------- elementwise

ELEMENTWISE = [
    Row("fabs", np.fabs, (0.2, 2.0), covers=("abs",)),
    Row("fabs_negative", np.fabs, (-2.0, -0.2), covers=("abs",)),
    Row("degrees_radians", C.degrees_radians, covers=("mul",),
        surface=(np.rad2deg, np.degrees, np.deg2rad, np.radians)),
    Row("sinc", np.sinc, (-2.5, 2.5), covers=("sin", "where", "div")),
    Row("nan_to_num", C.nan_to_num_fn, covers=("nan_to_num",), surface=np.nan_to_num),
    Row("select", C.select_fn, covers=("where",), surface=np.select),
]
ELEMENTWISE_CASES = [(row, shape) for row in ELEMENTWISE for shape in UNARY_SHAPES]


@pytest.mark.parametrize("row, shape", ELEMENTWISE_CASES,
                         ids=[f"{row.name}-{shape_id(s)}" for row, s in ELEMENTWISE_CASES])
def test_elementwise_rule_matches_finite_differences(row, shape):
    fn, x = row.fn, sample(row.lims, shape)
    check_grads(lambda a: fn(a) * 3.0, x)


# ---------------------------------------------------------------------------- fixed arguments

M, M3, W, V3 = uniform(3, 4), uniform(2, 3, 4), uniform(5), uniform(4, 3)
SQUARE, TALL, WIDE, BATCH = uniform(3, 3), uniform(4, 3), uniform(3, 5), uniform(2, 4, 3)
SYMMETRIC = SQUARE + SQUARE.T + np.diag([3.0, 0.0, -3.0])
SYMMETRIC_BATCH = np.stack([SYMMETRIC, SYMMETRIC @ SYMMETRIC])
X_NAN = M.copy()
X_NAN[0, 1] = X_NAN[2, 3] = np.nan  # each row and column keeps entries that are not NaN
POSITIVE, POSITIVE_ROW = uniform(3, 4, lo=0.5, hi=2.0), uniform(4, lo=0.5, hi=2.0)
XP, FP = np.array([-0.8, -0.3, 0.1, 0.6, 0.9]), uniform(5)

SPECS = [
    Spec("select_broadcast", C.select_broadcast, (M, W[:4]), ("where",)),
    Spec("diff", C.diff_fn, (M,), ("getitem", "sub"), np.diff),
    Spec("diff_vector", C.diff_fn, (W,), ("sub",)),
    Spec("diff_twice_axis0", C.diff_twice_axis0, (uniform(4, 3),), ("sub",)),
    Spec("diff_zero", C.diff_zero, (M,), ("mul",)),
    Spec("diff_prepend_append", C.diff_prepend_append, (M,), ("concatenate",)),
    Spec("diff_prepend_array", C.diff_prepend_array, (M,), ("concatenate",), generic=False),
    Spec("gradient", C.gradient_fn, (W,), ("concatenate",), np.gradient, generic=False),
    Spec("gradient_axis_edge_order_2", C.gradient_axis, (M,), ("concatenate",)),
    Spec("gradient_spacings", C.gradient_spacings, (M,), ("concatenate",), generic=False),
    Spec("gradient_runtime_spacing", C.gradient_runtime_spacing, (M, 0.7), ("div",)),
    Spec("gradient_on_a_grid", C.gradient_on_a_grid, (W,), ("concatenate",), generic=False),
    Spec("gradient_on_a_moving_grid", C.gradient_on_a_moving_grid, (W, C.GRID),
         ("concatenate",), generic=False),
    Spec("gradient_on_a_grid_per_axis", C.gradient_on_a_grid_per_axis,
         (uniform(5, 3), C.GRID), ("concatenate",), generic=False),
    Spec("gradient_on_an_even_grid", C.gradient_on_an_even_grid, (W,), ("concatenate",),
         generic=False),
    Spec("rot90", C.rot90_fn, (M,), ("flip", "swapaxes"), np.rot90),
    Spec("rot90_twice", C.rot90_twice, (M3,), ("flip",)),
    Spec("rot90_thrice", C.rot90_thrice, (M3,), ("flip", "swapaxes")),
    Spec("rot90_negative", C.rot90_negative, (M,), ("flip", "swapaxes")),
    Spec("rollaxis", C.rollaxis_fn, (M3,), ("moveaxis",), np.rollaxis),
    Spec("rollaxis_forward", C.rollaxis_forward, (M3,), ("moveaxis",)),
    Spec("rollaxis_negative", C.rollaxis_negative, (M3,), ("moveaxis",)),
    Spec("diagonal", C.diagonal_fn, (M,), ("diag",), np.diagonal),
    Spec("diagonal_method_offset", C.diagonal_method_offset, (M,), ("diag",), ".diagonal"),
    Spec("diagonal_transposed_axes", C.diagonal_transposed_axes, (M,), ("diag", "T")),
    Spec("diagonal_3d", C.diagonal_3d, (M3,), ("moveaxis", "getitem", "arange")),
    Spec("append_flat", C.append_flat, (M,), ("concatenate", "reshape"), np.append),
    Spec("append_axis", C.append_axis, (M,), ("concatenate",)),
    Spec("append_constant", C.append_constant, (W,), ("concatenate",)),
    Spec("kron", C.kron_fn, (uniform(2, 3), uniform(3, 2)), ("reshape", "mul"), np.kron,
         generic=False),
    Spec("kron_vector_matrix", C.kron_fn, (uniform(3), uniform(2, 2)), ("reshape",),
         generic=False),
    Spec("kron_3d", C.kron_fn, (uniform(2, 1, 2), uniform(2, 3)), ("reshape",), generic=False),
    Spec("kron_0d", C.kron_fn, (np.array(1.5), uniform(2, 3)), ("mul",), generic=False),
    Spec("cross", C.cross_fn, (V3, V3[::-1].copy()), ("stack", "getitem"), np.cross,
         generic=False),
    Spec("cross_broadcast", C.cross_fn, (uniform(3), V3), ("stack",), generic=False),
    Spec("cross_2d_vectors", C.cross_fn, (uniform(4, 2), uniform(4, 2)), ("sub",),
         generic=False),
    Spec("cross_axes", C.cross_axes, (V3.T.copy(), uniform(3, 4)), ("moveaxis",),
         generic=False),
    Spec("cross_axis", C.cross_axis, (V3.T.copy(), uniform(3, 4)), ("moveaxis",),
         generic=False),
    Spec("column_stack", C.column_stack_fn, (W, uniform(5, 2)), ("concatenate", "atleast_2d"),
         np.column_stack),
    Spec("vsplit", C.vsplit_fn, (M,), ("getitem",), np.vsplit),
    Spec("hsplit", C.hsplit_fn, (M,), ("getitem",), np.hsplit, generic=False),
    Spec("hsplit_vector", C.hsplit_vector, (W,), ("getitem",), generic=False),
    Spec("dsplit", C.dsplit_fn, (M3,), ("getitem",), np.dsplit),
    Spec("vstack_one_matrix", C.vstack_one_array, (M,), ("copy",), generic=False),
    Spec("vstack_one_vector", C.vstack_one_array, (W,), ("reshape",), generic=False),
    Spec("vstack_one_3d", C.vstack_one_array, (M3,), ("reshape",), generic=False),
    Spec("hstack_one_matrix", C.hstack_one_array, (M,), ("reshape",), generic=False),
    Spec("hstack_one_vector", C.hstack_one_array, (W,), ("copy",), generic=False),
    Spec("hstack_one_3d", C.hstack_one_array, (M3,), ("moveaxis", "reshape"), generic=False),
    Spec("column_stack_one_vector", C.column_stack_one_array, (W,), ("getitem", "concatenate"),
         generic=False),
    Spec("column_stack_one_matrix", C.column_stack_one_array, (M,), ("getitem", "concatenate"),
         generic=False),
    Spec("stack_one_matrix", C.stack_one_array, (M,), ("getitem", "stack"), generic=False),
    Spec("concatenate_one_3d", C.concatenate_one_array, (M3,), ("getitem", "concatenate"),
         generic=False),
    Spec("meshgrid_xy", C.meshgrid_xy, (W, uniform(3)), ("reshape", "broadcast_to"),
         np.meshgrid),
    Spec("meshgrid_ij_three", C.meshgrid_ij_three, (uniform(2), uniform(3)), ("broadcast_to",)),
    Spec("meshgrid_sparse", C.meshgrid_sparse, (W, uniform(3)), ("reshape",)),
    Spec("isclose", C.where_isclose, (W, W[::-1] + 0.1), ("less_equal", "where"), np.isclose),
    Spec("allclose", C.allclose_branch, (W, W[::-1] + 0.1), ("reduce_all",), np.allclose),
    Spec("allclose_far", C.allclose_branch, (W, W + 2.0), ("reduce_all",)),
    Spec("array_equal", C.equal_arrays_branch, (W, W.copy()), ("reduce_all",),
         (np.array_equal, np.array_equiv), generic=False),
    Spec("array_equal_differs", C.equal_arrays_branch, (W, -W), ("reduce_all",),
         generic=False),
    Spec("iscomplex_isreal", C.complex_entry_tests, (W,), ("imag", "not_equal"),
         (np.iscomplex, np.isreal)),
    Spec("iscomplexobj_isrealobj", C.complex_object_tests, (W,), ("reduce_sum",),
         (np.iscomplexobj, np.isrealobj), generic=False),
    Spec("real_if_close", C.real_if_close_fn, (W,), ("square",), np.real_if_close,
         generic=False),
    *([Spec("row_stack", C.row_stack_fn, (M, M[:1]), ("concatenate",), np.row_stack)]
      if hasattr(np, "row_stack") else []),  # np.vstack's old name
    Spec("index_constructors", C.upper_triangle_entries, (uniform(3, 3),), ("getitem",),
         (np.triu_indices, np.tril_indices, np.diag_indices)),
    Spec("partition", C.partition_fn, (W,), ("argpartition", "take_along_axis"),
         np.partition),
    Spec("take_wrap", C.take_wrapped, (uniform(4),), ("mod", "getitem")),
    Spec("take_clip", C.take_clipped_rows, (uniform(3, 2),), ("clip", "getitem")),
    Spec("partition_kth_at_run_time", C.partition_kth_of_a_share, (W,), ("argpartition",)),
    Spec("partition_axis", C.partition_axis, (uniform(3, 4),), ("argpartition",)),
    Spec("partition_flat", C.partition_flat, (M,), ("argpartition",)),
    # constructors
    Spec("empty_filled", C.empty_filled, (W,), ("zeros", "index_update"), np.empty),
    Spec("empty_like_filled", C.empty_like_filled, (M,), ("zeros_like", "index_update"),
         np.empty_like),
    # statistics: NaN entries are replaced, so they get gradient 0
    Spec("nansum", C.nansum_fn, (X_NAN,), ("isnan", "where", "reduce_sum"), np.nansum),
    Spec("nansum_without_nan", C.nansum_fn, (M,), ("reduce_sum",)),
    Spec("nanprod", C.nanprod_fn, (X_NAN,), ("reduce_prod",), np.nanprod),
    Spec("nanmax", C.nanmax_fn, (X_NAN,), ("reduce_max", "reduce_all"), np.nanmax),
    Spec("nanmin", C.nanmin_fn, (X_NAN,), ("reduce_min", "reduce_all"), np.nanmin),
    Spec("nanmin_0d", C.nanmin_fn, (np.array(0.7),), ("reduce_min",)),
    Spec("nanmean", C.nanmean_fn, (X_NAN,), ("logical_not", "div"), np.nanmean),
    Spec("nanvar", C.nanvar_fn, (X_NAN,), ("sub", "less_equal"), np.nanvar),
    Spec("nanstd", C.nanstd_fn, (X_NAN,), ("sqrt", "equal"), np.nanstd),
    # where= leaves entries out as a NaN does (a mean or variance does not count them)
    Spec("nansum_where", C.nansum_where, (X_NAN,), ("logical_not",)),
    Spec("nanprod_where_initial", C.nanprod_where_initial, (X_NAN,), ("reduce_prod", "mul")),
    Spec("nanmax_where_initial", C.nanmax_where_initial, (X_NAN,), ("reduce_max", "maximum")),
    Spec("nanmin_initial", C.nanmin_initial, (X_NAN,), ("reduce_min", "minimum")),
    Spec("nanmean_where", C.nanmean_where, (X_NAN,), ("logical_not", "div")),
    Spec("nanvar_where", C.nanvar_where, (X_NAN,), ("less_equal",)),
    Spec("nanstd_where", C.nanstd_where, (X_NAN,), ("sqrt",)),
    Spec("nanmedian", C.nanmedian_fn, (X_NAN,), ("sort", "take_along_axis", "floor_divide"),
         np.nanmedian),
    Spec("nanmedian_all", C.nanmedian_all, (X_NAN,), ("sort", "squeeze")),
    Spec("nanquantile", C.nanquantile_rows, (X_NAN,), ("sort", "take_along_axis"),
         np.nanquantile, generic=False),
    Spec("nanpercentile", C.nanpercentile_all, (X_NAN,), ("sort", "take_along_axis"),
         np.nanpercentile, generic=False),
    Spec("nanmedian_axes_keepdims", C.nanmedian_axes_keepdims, (X_NAN,), ("moveaxis",),
         generic=False),
    Spec("ptp", C.ptp_fn, (M,), ("reduce_max", "reduce_min"), np.ptp),
    Spec("ptp_keepdims", C.ptp_keepdims, (M,), ("sub",)),
    Spec("average", C.average_fn, (M,), ("reduce_mean",), np.average),
    Spec("average_weighted", C.average_weighted, (M, POSITIVE), ("mul", "div")),
    Spec("average_weighted_0d", C.average_weighted, (np.array(1.5), np.array(2.0)), ("div",)),
    Spec("average_weights_along_axis", C.average_weights_along_axis, (M, POSITIVE_ROW),
         ("expand_dims",), generic=False),
    Spec("average_returned", C.average_returned, (M, POSITIVE[:, 0].copy()),
         ("broadcast_to", "copy"), generic=False),
    Spec("average_returned_count", C.average_returned_count, (M,), ("full_like", "size")),
    Spec("median", C.median_fn, (M,), ("sort", "reduce_mean"), np.median, generic=False),
    Spec("median_0d", C.median_fn, (np.array(0.4),), ("sort",), generic=False),
    Spec("median_axis_even", C.median_axis, (M3,), ("sort", "isnan"), generic=False),
    Spec("median_axis_odd", C.median_axis, (uniform(5, 2),), ("sort",), generic=False),
    Spec("median_axes_keepdims", C.median_axes_keepdims, (M3,), ("moveaxis", "expand_dims"),
         generic=False),
    Spec("percentile", C.percentile_fn, (M,), ("sort", "getitem", "where"), np.percentile,
         generic=False),
    Spec("quantile", C.quantile_fn, (uniform(5, 3),), ("sort", "moveaxis"), np.quantile,
         generic=False),
    Spec("quantile_ends", C.quantile_ends, (M,), ("sort", "getitem"), generic=False),
    Spec("quantile_ends_0d", C.quantile_ends, (np.array(0.4),), ("sort",), generic=False),
    # signal
    Spec("heaviside", C.heaviside_fn, (M, W[:4]), ("where", "less"), np.heaviside),
    Spec("heaviside_0d", C.heaviside_fn, (np.array(0.3), np.array(0.5)), ("where",)),
    Spec("interp", C.interp_fn, (M, XP, FP), ("less_equal", "clip", "getitem"), np.interp),
    Spec("interp_0d", C.interp_fn, (np.array(0.2), XP, FP), ("getitem",)),
    Spec("interp_bounds", C.interp_bounds, (M, FP[:3].copy()), ("where", "greater")),
    Spec("convolve", C.convolve_fn, (W, uniform(3)), ("pad", "getitem", "mul"), np.convolve,
         generic=False),
    Spec("convolve_longer_kernel", C.convolve_fn, (uniform(3), W), ("flip",), generic=False),
    Spec("convolve_same", C.convolve_same, (W, uniform(2)), ("pad",), generic=False),
    Spec("convolve_valid_0d", C.convolve_valid, (W, np.array(1.5)), ("reshape",),
         generic=False),
    Spec("convolve_long_kernel", C.convolve_same, (uniform(40), uniform(20)),
         ("matmul", "getitem"), generic=False),
    Spec("correlate", C.correlate_fn, (W, uniform(3)), ("getitem", "add"), np.correlate,
         generic=False),
    Spec("correlate_full", C.correlate_full, (W, uniform(2)), ("pad",), generic=False),
    Spec("correlate_same_shorter_first", C.correlate_same, (uniform(4), uniform(7)), ("flip",),
         generic=False),
    Spec("correlate_long_kernel", C.correlate_full, (uniform(30), uniform(17)), ("matmul",),
         generic=False),
    Spec("pad_edge", C.pad_edge, (M,), ("getitem",), generic=False),
    Spec("pad_edge_0d", C.pad_edge, (np.array(1.5),), ("mul",), generic=False),
    Spec("pad_reflect", C.pad_reflect, (M,), ("getitem",), generic=False),
    Spec("pad_reflect_wide", C.pad_reflect_wide, (uniform(3),), ("getitem",), generic=False),
    Spec("pad_symmetric", C.pad_symmetric, (M,), ("getitem",), generic=False),
    Spec("pad_wrap", C.pad_wrap, (M,), ("getitem",), generic=False),
    Spec("pad_maximum", C.pad_maximum, (M,), ("reduce_max", "concatenate"), generic=False),
    Spec("pad_minimum_stat_length", C.pad_minimum_of_the_nearest, (M,), ("reduce_min",),
         generic=False),
    Spec("pad_mean", C.pad_mean, (M,), ("reduce_mean",), generic=False),
    Spec("pad_median", C.pad_median, (M,), ("sort",), generic=False),
    Spec("pad_linear_ramp", C.pad_linear_ramp, (M,), ("getitem", "mul"), generic=False),
    Spec("pad_reflect_odd_wide", C.pad_reflect_odd_wide, (uniform(3),), ("matmul",),
         generic=False),
    Spec("pad_symmetric_odd", C.pad_symmetric_odd, (M,), ("matmul",), generic=False),
    Spec("pad_empty_inner", C.pad_empty_inner, (M,), ("pad", "getitem")),
    # decompositions
    Spec("svd_reduced_square", C.svd_reduced, (SQUARE,), ("svd",), np.linalg.svd),
    Spec("svd_reduced_tall", C.svd_reduced, (TALL,), ("svd",)),
    Spec("svd_reduced_wide", C.svd_reduced, (WIDE,), ("svd",)),
    Spec("svd_reduced_batched", C.svd_reduced, (BATCH,), ("svd",)),
    Spec("svd_reconstructed_wide", C.svd_reconstructed, (WIDE,), ("svd",)),
    Spec("svd_reconstructed_batched", C.svd_reconstructed, (BATCH,), ("svd",)),
    Spec("svd_values", C.svd_values, (TALL,), ("svdvals",)),
    Spec("svd_values_batched", C.svd_values, (BATCH,), ("svdvals",)),
    Spec("svd_full_values_tall", C.svd_full_values, (TALL,), ("svd", "getitem")),
    Spec("svd_full_values_wide", C.svd_full_values, (WIDE,), ("svd",)),
    Spec("svd_full_vectors_square", C.svd_full_vectors, (SQUARE,), ("svd",)),
    Spec("svd_full_determined_vectors_tall", C.svd_full_determined_vectors, (TALL,),
         ("svd", "concatenate", "reduce_any")),
    Spec("svd_full_determined_vectors_wide", C.svd_full_determined_vectors, (WIDE,),
         ("svd",)),
    Spec("decompositions_by_name", C.decompositions_by_name, (SQUARE,), ("svd", "eigh")),
    Spec("eigh", C.eigh_fn, (SYMMETRIC,), ("eigh",), np.linalg.eigh),
    Spec("eigh_reads_lower_triangle", C.eigh_fn, (SQUARE,), ("eigh", "tril")),
    Spec("eigh_upper", C.eigh_upper, (SQUARE,), ("eigh", "triu")),
    Spec("eigh_batched", C.eigh_fn, (SYMMETRIC_BATCH,), ("eigh",)),
    Spec("eigvalsh", C.eigvalsh_fn, (SQUARE,), ("eigvalsh", "eigh"), np.linalg.eigvalsh),
    Spec("eigvalsh_upper", C.eigvalsh_upper, (SQUARE,), ("eigvalsh",)),
    Spec("eigvalsh_batched", C.eigvalsh_fn, (SYMMETRIC_BATCH,), ("eigvalsh",)),
    Spec("eigvals", C.eigvals_moduli, (SQUARE,), ("eigvals", "eig"), np.linalg.eigvals),
    Spec("eigvals_real", C.eigvals_moduli, (SYMMETRIC,), ("eigvals",)),
    Spec("eigvals_batched", C.eigvals_moduli, (SYMMETRIC_BATCH,), ("eigvals",)),
    Spec("eig_values", C.eig_values_real_parts, (SQUARE,), ("eig",), np.linalg.eig),
    Spec("pinv_tall", C.pinv_fn, (TALL,), ("pinv",), np.linalg.pinv),
    Spec("pinv_wide", C.pinv_fn, (WIDE,), ("pinv",)),
    Spec("pinv_batched", C.pinv_fn, (BATCH,), ("pinv",)),
    Spec("qr", C.qr_reduced, (TALL,), ("qr",), np.linalg.qr),
    Spec("qr_square", C.qr_reduced, (SQUARE,), ("qr",)),
    Spec("qr_r", C.qr_r_only, (TALL,), ("qr",)),
    Spec("qr_q_only", C.qr_q_only, (TALL,), ("qr",)),
    Spec("qr_complete_square", C.qr_complete, (SQUARE,), ("qr",), generic=False),
    Spec("qr_batched", C.qr_reduced, (BATCH,), ("qr",)),
    Spec("ediff1d", C.ediff1d_fn, (M,), ("sub",), np.ediff1d),
    Spec("ediff1d_ends", C.ediff1d_ends, (uniform(4),), ("concatenate",)),
    Spec("vander", C.vander_fn, (uniform(4),), ("mul", "flip"), np.vander, generic=False),
    Spec("vander_increasing", C.vander_increasing, (uniform(4),), ("mul",)),
    # a grid through 0: the powers are products (np.polyfit on such a grid too)
    Spec("vander_through_zero", C.vander_fn, (np.array([-1.0, 0.0, 0.5, 2.0]),), ("mul",),
         generic=False),
    Spec("block_2d", C.block_2d, (M,), ("concatenate",), np.block, generic=False),
    Spec("block_of_vectors_and_numbers", C.block_of_vectors_and_numbers, (M,),
         ("concatenate",), generic=False),
    Spec("block_stacked", C.block_stacked, (M,), ("concatenate",), generic=False),
    Spec("lstsq_tall", C.lstsq_solution, (TALL, uniform(4)), ("lstsq", "pinv"),
         np.linalg.lstsq),
    Spec("lstsq_wide_minimum_norm", C.lstsq_solution, (WIDE, uniform(3)), ("lstsq",)),
    Spec("lstsq_matrix_right_side", C.lstsq_unpacked, (TALL, uniform(4, 2)), ("lstsq",)),
    Spec("norm_2_minus2_nuc", C.norm_spectral, (TALL,), ("svdvals", "reduce_max", "reduce_min"),
         generic=False),
    Spec("norm_2_minus2_nuc_wide", C.norm_spectral, (WIDE,), ("svdvals",), generic=False),
    Spec("norm_spectral_axes_keepdims", C.norm_spectral_axes, (BATCH,), ("svdvals",)),
    *([Spec("numpy2_norms", C.numpy2_norms, (TALL,), ("norm", "svdvals"),
            (np.linalg.vector_norm, np.linalg.matrix_norm, np.linalg.svdvals), generic=False)]
      if hasattr(np.linalg, "vector_norm") else []),  # NumPy 2's
    *([Spec("vector_norm_over_axes", C.vector_norms_over_axes, (uniform(3, 3, 3),),
            ("transpose", "reshape", "norm"), generic=False)]
      if hasattr(np.linalg, "vector_norm") else []),
]


@pytest.mark.parametrize("spec", SPECS, ids=names(SPECS))
def test_rule_matches_finite_differences(spec):
    fn = scaled(spec.fn, len(spec.args))
    if spec.generic:
        check_grads(fn, *spec.args, modes=spec.modes)
    else:
        check_specialised(fn, *spec.args, modes=spec.modes)


def test_polyfit_and_vander_on_a_grid_through_zero_to_second_order():
    """``np.linspace(-1, 1, 7)`` holds 0: vander's derivative was NaN there."""
    grid, weights = np.linspace(-1.0, 1.0, 7), np.array([1.0, -2.0, 0.5, 3.0])
    values = np.cos(grid)

    def fit(x, k):
        return np.polyfit(x, values, 2)[k]

    def powers(x):
        return np.sum(np.vander(x, 4) @ weights)

    for k in range(3):
        np.testing.assert_allclose(adc.grad(fit)(grid, k),
                                   central_differences(lambda x, k=k: fit(x, k), grid),
                                   atol=1e-8)
    # d2/dx_i2 of sum_k w_k x_i^(3-k): 6 w_0 x_i + 2 w_1
    np.testing.assert_allclose(adc.hessian(powers)(grid),
                               np.diag(6 * weights[0] * grid + 2 * weights[1]), atol=1e-12)


SHAPE_DEPENDENT = [spec for spec in SPECS if not spec.generic]


@pytest.mark.parametrize("spec", SHAPE_DEPENDENT, ids=names(SHAPE_DEPENDENT))
def test_shape_dependent_function_is_refused_in_shape_generic_code(spec):
    with pytest.raises(AutodiffError, match=r"shape-generic|unknown when compiling") as info:
        adc.vjp(spec.fn, *spec.args, specialize=False)
    assert "composed_cases.py" in str(info.value)


def test_values_equal_numpy_exactly():
    for spec in SPECS:
        want = spec.fn(*spec.args)
        got = adc.vjp(spec.fn, *spec.args)[0]
        np.testing.assert_array_equal(got, want, err_msg=spec.name)


# ---------------------------------------------------------------------------- float32


def summed(fn: Callable[..., Any], arity: int) -> Callable[..., Any]:
    def unary(a):
        return np.sum(fn(a))

    def binary(a, b):
        return np.sum(fn(a, b))

    def ternary(a, b, c):
        return np.sum(fn(a, b, c))

    return {1: unary, 2: binary, 3: ternary}[arity]


@pytest.mark.parametrize("spec", SPECS, ids=names(SPECS))
def test_float32_gradient_is_float32_and_matches_float64(spec):
    arrays = tuple(i for i, a in enumerate(spec.args) if isinstance(a, np.ndarray))
    args32 = [a.astype(np.float32) if i in arrays else a for i, a in enumerate(spec.args)]
    grad = adc.grad(summed(spec.fn, len(spec.args)), grad_position=arrays)

    def gradients(args):  # one array when there is one position
        grads = grad(*args)
        return grads if isinstance(grads, tuple) else (grads,)

    for g32, g64 in zip(gradients(args32), gradients(spec.args)):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=2e-3, atol=2e-4)


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("mode", ["rev", "fwd"])
def test_svd_full_matrices_derivative_reaching_extra_vectors_is_nan(mode):
    """The extra columns of a full SVD's U are any completion: no derivative, NaN."""
    if mode == "rev":
        derivative = adc.grad(C.svd_full_extra_vector)(TALL)
    else:
        derivative = adc.jvp(C.svd_full_extra_vector, (TALL,), (np.ones_like(TALL),))[1]
    assert np.all(np.isnan(derivative))


def select_of_numbers(x):
    return np.select([x * 1.0], [x])


def diff_of_0d(x):
    return np.diff(x)


def diagonal_of_one_axis(x):
    return np.sum(np.diagonal(x, 0, 1, -1))


def percentile_out_of_range(x):
    return np.percentile(x, 150)


def convolve_of_matrices(x):
    return np.convolve(x, x)


def average_of_weights_of_another_shape(x):
    return np.average(x, weights=x[0])


def average_of_weights_along_wrong_axis(x):
    return np.average(x, axis=0, weights=x[0])


def pad_with_negative_width(x):
    return np.pad(x, -1, mode="edge")


def nanmax_where_without_initial(x):
    return np.nanmax(x, where=x > 0)


@pytest.mark.parametrize("fn, arg, message", [
    (select_of_numbers, np.array(1.5), "should be boolean"),
    (diff_of_0d, np.array(1.5), "at least one dimensional"),
    (diagonal_of_one_axis, M, "cannot be the same"),
    (percentile_out_of_range, M, r"range \[0, 100\]"),
    (convolve_of_matrices, M, "one-dimensional"),
    (average_of_weights_of_another_shape, M, "Axis must be specified"),
    (average_of_weights_along_wrong_axis, M, "consistent with shape of a"),
    (pad_with_negative_width, M, "negative"),
    (nanmax_where_without_initial, M, "one has to specify 'initial'"),
], ids=["select_of_numbers", "diff_of_0d", "diagonal_of_one_axis", "percentile_out_of_range",
        "convolve_of_matrices", "average_of_weights_of_another_shape",
        "average_of_weights_along_wrong_axis", "pad_with_negative_width",
        "nanmax_where_without_initial"])
def test_call_numpy_rejects_is_rejected_at_its_line(fn, arg, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(arg)
    assert "test_composed_rules.py" in str(info.value)


def quantile_of_an_unknown_method(x):
    return np.quantile(x, 0.5, method="closest")


def quantile_of_run_time_q(x):
    return np.quantile(x, x[0, 0])


def interp_periodic(x):
    return np.interp(x, [0.0, 1.0], [1.0, 2.0], period=1.0)


def pad_with_a_function(x):
    return np.pad(x, 1, mode=np.sum)


def pad_ramp_of_integers(x):
    return np.pad(np.arange(3), 1, mode="linear_ramp") * x


@pytest.mark.parametrize("fn, message", [
    (quantile_of_an_unknown_method, "np.quantile: 'closest' is not a valid method"),
    (quantile_of_run_time_q, "q must be known when compiling"),
    (interp_periodic, r"np.interp: period=\.\.\. is not supported"),
    (pad_with_a_function, "np.pad: mode=.* is not supported"),
    (pad_ramp_of_integers, "np.pad: .*mode='linear_ramp'.* not known to be of floats"),
], ids=lambda v: getattr(v, "__name__", "message"))
def test_unsupported_argument_is_refused_at_its_line_naming_it(fn, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(M)
    assert "test_composed_rules.py" in str(info.value)


@pytest.mark.parametrize("fn, x, message", [
    (C.qr_reduced, WIDE, "qr of a matrix with fewer rows than columns"),
    (C.qr_complete, TALL, "mode='complete'.* more rows than columns"),
    (C.qr_raw, TALL, "mode='raw'.* is not supported"),
], ids=["wide", "complete-tall", "raw"])
def test_qr_without_a_rule_is_refused_at_its_line(fn, x, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(x)
    assert "composed_cases.py" in str(info.value)


def test_lstsq_residuals_derivative_is_refused_and_their_tangent_nan():
    a, b = TALL, uniform(4)
    with pytest.raises(AutodiffError, match="lstsq's residuals or singular values") as info:
        adc.grad(lambda x: np.sum(C.lstsq_residuals(x, b)))(a)
    assert "composed_cases.py" in str(info.value)
    value, tangent = adc.jvp(C.lstsq_residuals, (a, b), (a, b))
    np.testing.assert_allclose(value, np.linalg.lstsq(a, b, rcond=None)[1])
    assert np.isnan(tangent).all() and tangent.shape == value.shape


# ---------------------------------------------------------------------------- second order

SECOND_ORDER = [
    Spec("sinc", np.sinc, (uniform(4, lo=0.2, hi=1.5),), ("sin", "div")),
    Spec("svd_values", C.svd_values, (TALL,), ("svdvals", "svd")),
    Spec("eigvalsh", C.eigvalsh_fn, (SYMMETRIC,), ("eigvalsh", "eigh")),
    Spec("pinv", C.pinv_fn, (WIDE,), ("pinv",)),
    Spec("svd_reduced", C.svd_reduced, (TALL,), ("svd",)),
    Spec("qr", C.qr_reduced, (TALL,), ("qr",)),
    Spec("lstsq", C.lstsq_solution, (TALL, uniform(4)), ("lstsq",)),
]


@pytest.mark.parametrize("spec", SECOND_ORDER, ids=names(SECOND_ORDER))
def test_second_order_matches_finite_differences(spec):
    check_grads(scaled(spec.fn, len(spec.args)), *spec.args, order=2, modes=("rev",))


# ---------------------------------------------------------------------------- exact values


def sinc_at_zero(x):
    return np.sum(np.sinc(x))


def nan_to_num_at_non_finite(x):
    return np.sum(np.nan_to_num(x) * 0.5)


def nansum_total(x):
    return np.nansum(x)


def nanmean_rows(x):
    return np.sum(np.nanmean(x, axis=1))


def nanmax_rows(x):
    return np.sum(np.nanmax(x, axis=1))


def nanvar_rows(x):
    return np.sum(np.nanvar(x, axis=1, ddof=1))


def nanstd_rows(x):
    return np.sum(np.nanstd(x, axis=1))


def nanmedian_rows(x):
    return np.sum(np.nanmedian(x, axis=1))


def ptp_total(x):
    return np.ptp(x)


def heaviside_total(x, y):
    return np.sum(np.heaviside(x, y))


def interp_total(x, xp, fp):
    return np.sum(np.interp(x, xp, fp))


NAN = np.nan
EXACT = [
    # sinc is 1 at 0 with derivative 0; cos(pi)/1 - sin(pi)/pi at 1 is -1.
    Exact("sinc_at_zero_and_one", sinc_at_zero, (np.array([0.0, 1.0]),), ([0.0, -1.0],),
          ("sin",)),
    # Non-finite entries are replaced by constants: no gradient reaches them.
    Exact("nan_to_num_at_non_finite", nan_to_num_at_non_finite,
          (np.array([1.0, np.nan, np.inf, -np.inf]),), ([0.5, 0.0, 0.0, 0.0],),
          ("nan_to_num",)),
    Exact("argpartition_is_constant", C.argpartition_fn, (np.array([3.0, 1.0, 2.0]),),
          (np.argpartition([3.0, 1.0, 2.0], 1) + np.argpartition([3.0, 1.0, 2.0], 2),),
          ("argpartition",), (np.argpartition, ".argpartition")),
    # At repeated singular values the values' gradient is finite (U V^T at the identity).
    Exact("nuclear_norm_at_identity", C.nuclear_norm, (np.eye(3),), (np.eye(3),),
          ("svdvals",)),
    Exact("eigvalsh_sum_at_identity", C.eigvalsh_sum, (np.eye(3),), (np.eye(3),),
          ("eigvalsh",)),
    # NaN entries get gradient 0, also in slices with no entry that is not NaN.
    Exact("nansum_at_nan", nansum_total, (np.array([1.0, NAN, 2.0]),), ([1.0, 0.0, 1.0],),
          ("where", "isnan")),
    Exact("nanmean_all_nan_row", nanmean_rows, (np.array([[NAN, NAN], [1.0, 3.0]]),),
          ([[0.0, 0.0], [0.5, 0.5]],), ("div",)),
    Exact("nanmax_ties_and_all_nan_row", nanmax_rows,
          (np.array([[NAN, NAN, NAN], [1.0, 3.0, 3.0]]),), ([[0.0, 0, 0], [0, 0.5, 0.5]],),
          ("reduce_max",)),
    # No degrees of freedom: a NaN variance, and gradient 0 (not 0 / 0).
    Exact("nanvar_without_degrees_of_freedom", nanvar_rows,
          (np.array([[NAN, 2.0, NAN], [1.0, 2.0, 4.0]]),),
          ([[0.0, 0.0, 0.0], [-4 / 3, -1 / 3, 5 / 3]],), ("var",)),
    # A standard deviation of 0 has gradient 0, as np.std's.
    Exact("nanstd_at_zero", nanstd_rows, (np.array([[2.0, NAN, 2.0], [1.0, 3.0, NAN]]),),
          ([[0.0, 0.0, 0.0], [-0.5, 0.5, 0.0]],), ("sqrt",)),
    Exact("nanmedian_odd_and_even_counts", nanmedian_rows,
          (np.array([[3.0, NAN, 1.0, 2.0], [4.0, 1.0, NAN, NAN]]),),
          ([[0.0, 0.0, 0.0, 1.0], [0.5, 0.5, 0.0, 0.0]],), ("take_along_axis",)),
    Exact("ptp_shares_ties", ptp_total, (np.array([1.0, 3.0, 3.0, 0.0]),),
          ([0.0, 0.5, 0.5, -1.0],), ("reduce_max", "reduce_min")),
    # A step: no gradient in x1; x2 is read where x1 is 0.
    Exact("heaviside_at_zero", heaviside_total,
          (np.array([-1.0, 0.0, 2.0]), np.array([5.0, 6.0, 7.0])),
          ([0.0, 0.0, 0.0], [0.0, 1.0, 0.0]), ("where", "equal")),
    # Outside the sample points nothing moves with x; at a sample point the slope is the
    # one of the interval to its right.
    Exact("interp_at_sample_points_and_outside", interp_total,
          (np.array([-1.0, 0.0, 0.25, 2.0]), np.array([0.0, 0.5, 1.0]),
           np.array([1.0, 2.0, 0.0])),
          ([0.0, 2.0, 2.0, 0.0], [-3.0, -1.0, 0.0], [2.5, 0.5, 1.0]), ("getitem", "where")),
]


@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
@pytest.mark.parametrize("case", EXACT, ids=names(EXACT))
def test_gradient_equals_exact_value(case, specialize):
    assert_exact_gradient(case, specialize)


def median_total(x):
    return np.median(x)


def percentile_30(x):
    return np.percentile(x, 30)


# Order statistics read places known from the shape: shape-specialised code only.
EXACT_SPECIALISED = [
    Exact("median_even_count", median_total, (np.array([3.0, 1.0, 4.0, 2.0]),),
          ([0.5, 0.0, 0.0, 0.5],), ("sort",)),
    # The 30th percentile of 0..4 lies at 1.2: 0.8 of the second smallest, 0.2 of the third.
    Exact("percentile_weights", percentile_30, (np.array([4.0, 0.0, 3.0, 1.0, 2.0]),),
          ([0.0, 0.0, 0.0, 0.8, 0.2],), ("sort", "getitem")),
]


@pytest.mark.parametrize("case", EXACT_SPECIALISED, ids=names(EXACT_SPECIALISED))
def test_order_statistic_gradient_equals_exact_value(case):
    assert_exact_gradient(case, specialize=True)


# sqrt(-1)'s tangent is NaN as its value is. A function that replaces that NaN drops its
# tangent with it: forward mode must not keep NaN * 0, which made the whole Jacobian NaN
# (every column's tangent is NaN there). Reverse mode multiplies the zero cotangent by
# sqrt's NaN partial at that entry, as JAX's does: a NaN there, loud.
NAN_DROPPED = [
    ("nan_to_num", lambda x: np.nan_to_num(np.sqrt(x)), [[0.0, 0.0], [0.0, 0.25]]),
    ("fmax", lambda x: np.fmax(np.sqrt(x), 0.25 * x), [[0.25, 0.0], [0.0, 0.25]]),
    ("fmin", lambda x: np.fmin(np.sqrt(x), x), [[1.0, 0.0], [0.0, 0.25]]),
]


@pytest.mark.parametrize("name, fn, jacobian", NAN_DROPPED, ids=[c[0] for c in NAN_DROPPED])
def test_a_replaced_nan_takes_its_tangent_with_it(name, fn, jacobian):
    x = np.array([-1.0, 4.0])
    with np.errstate(invalid="ignore"):
        got = adc.jacfwd(fn)(x)
        _, tangent = adc.jvp(fn, (x,), (np.ones(2),))
    np.testing.assert_array_equal(got, jacobian)
    np.testing.assert_array_equal(tangent, np.sum(jacobian, axis=1))


def test_singular_vector_gradient_at_repeated_singular_values_is_not_finite():
    """Documented: the vectors are not unique there, so their gradient is inf or NaN."""
    grad = adc.grad(C.svd_vectors_used)(np.eye(3))
    assert not np.all(np.isfinite(grad))


ALL_ROWS = ELEMENTWISE + SPECS + SECOND_ORDER + EXACT + EXACT_SPECIALISED


def test_row_names_are_unique_within_each_test():
    for table in (ELEMENTWISE, SPECS, SECOND_ORDER, EXACT, EXACT_SPECIALISED):
        assert len(set(names(table))) == len(table)


# ---------------------------------------------------------------------------- random arguments
# The composed functions against NumPy itself, on random shapes and arguments: the same
# value, bit for bit, and a gradient that matches finite differences.


def _check_against_numpy(fn: Callable[..., Any], *args: Any) -> None:
    np.testing.assert_array_equal(adc.vjp(fn, *args)[0], fn(*args))
    check_specialised(scaled(fn, len(args)), *args, modes=("rev", "fwd"))


@st.composite
def _array_and_axis(draw, min_dims=1, min_side=1):
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=min_side, max_side=4))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    return np.random.default_rng(draw(st.integers(0, 99))).uniform(-1, 1, shape), axis


@settings(max_examples=20, deadline=None)
@given(case=_array_and_axis(), n=st.integers(0, 3))
def test_diff_on_random_arguments_matches_numpy(case, n):
    x, axis = case

    def fn(a):
        return np.diff(a, n=n, axis=axis)

    _check_against_numpy(fn, x)


@settings(max_examples=20, deadline=None)
@given(case=_array_and_axis(min_dims=2), k=st.integers(-5, 5), swap=st.booleans())
def test_rot90_on_random_arguments_matches_numpy(case, k, swap):
    x, axis = case
    other = (axis + 1) % x.ndim
    axes = (other, axis) if swap else (axis, other)

    def fn(a):
        return np.rot90(a, k, axes=axes)

    _check_against_numpy(fn, x)


@settings(max_examples=20, deadline=None)
@given(case=_array_and_axis(), data=st.data())
def test_rollaxis_diagonal_partition_on_random_arguments_match_numpy(case, data):
    x, axis = case
    start = data.draw(st.integers(-x.ndim, x.ndim))
    kth = data.draw(st.integers(0, x.shape[axis] - 1))

    def rolled(a):
        return np.rollaxis(a, axis, start)

    def partitioned(a):
        return np.partition(a, kth, axis=axis) * 1.0

    _check_against_numpy(rolled, x)
    _check_against_numpy(partitioned, x)
    if x.ndim >= 2:
        offset = data.draw(st.integers(-3, 3))
        second = (axis + 1) % x.ndim

        def diagonal(a):
            return np.diagonal(a, offset, axis, second)

        _check_against_numpy(diagonal, x)


@settings(max_examples=20, deadline=None)
@given(a=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3),
       b=hnp.array_shapes(min_dims=0, max_dims=3, max_side=3), seed=st.integers(0, 99))
def test_kron_on_random_shapes_matches_numpy(a, b, seed):
    rng = np.random.default_rng(seed)
    _check_against_numpy(C.kron_fn, rng.uniform(-1, 1, a), rng.uniform(-1, 1, b))


@settings(max_examples=20, deadline=None)
@given(case=_array_and_axis(), data=st.data())
def test_median_quantile_on_random_arguments_match_numpy(case, data):
    x, axis = case
    q = data.draw(st.lists(st.floats(0, 1), min_size=1, max_size=3) | st.floats(0, 1))
    keepdims = data.draw(st.booleans())

    def median(a):
        return np.median(a, axis=axis, keepdims=keepdims)

    def quantile(a):
        return np.quantile(a, q, axis=axis, keepdims=keepdims)

    _check_against_numpy(median, x)
    _check_against_numpy(quantile, x)


QUANTILE_METHODS = ["inverted_cdf", "averaged_inverted_cdf", "closest_observation",
                    "interpolated_inverted_cdf", "hazen", "weibull", "median_unbiased",
                    "normal_unbiased", "lower", "higher", "midpoint", "nearest"]


@settings(max_examples=30, deadline=None)
@given(case=_array_and_axis(), method=st.sampled_from(QUANTILE_METHODS), data=st.data())
def test_quantile_methods_on_random_arguments_match_numpy(case, method, data):
    """Every method of np.quantile and np.percentile, NumPy's values bit for bit (its
    own table of places and weights, as the NumPy installed has it) and derivatives:
    they were refused but for 'linear'."""
    x, axis = case
    q = data.draw(st.lists(st.sampled_from([0.0, 0.1, 0.25, 0.37, 0.5, 0.8, 1.0]),
                           min_size=1, max_size=3) | st.floats(0, 1))

    def quantile(a):
        return np.quantile(a, q, axis=axis, method=method)

    def percentile(a):
        return np.percentile(a, 63.0, axis=axis, method=method, keepdims=True)

    _check_against_numpy(quantile, x)
    _check_against_numpy(percentile, x)


@settings(max_examples=20, deadline=None)
@given(case=_array_and_axis(), data=st.data())
def test_nan_reductions_on_random_arguments_match_numpy(case, data):
    x, axis = case
    x = x.copy()
    x.ravel()[data.draw(st.integers(0, x.size - 1))] = np.nan
    ddof = data.draw(st.integers(0, 1))

    def reductions(a):
        return (np.nansum(a, axis=axis) + np.nanmean(a, axis=axis)
                + np.nanmax(a, axis=axis) * np.nanmin(a, axis=axis))

    def variance(a):
        return np.nanvar(a, axis=axis, ddof=ddof) + np.nanstd(a, axis=axis) * 2.0

    def median(a):
        return np.nanmedian(a, axis=axis)

    for fn in (reductions, variance, median):
        want = fn(x)
        np.testing.assert_array_equal(adc.vjp(fn, x)[0], want)
        if np.all(np.isfinite(want)):
            check_specialised(scaled(fn, 1), x, modes=("rev", "fwd"))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 20), m=st.integers(1, 20), mode=st.sampled_from(["full", "same", "valid"]),
       seed=st.integers(0, 99))
def test_convolve_correlate_on_random_lengths_match_numpy(n, m, mode, seed):
    rng = np.random.default_rng(seed)
    a, v = rng.uniform(-1, 1, n), rng.uniform(-1, 1, m)

    def convolve(x, y):
        return np.convolve(x, y, mode=mode)

    def correlate(x, y):
        return np.correlate(x, y, mode=mode)

    _check_against_numpy(convolve, a, v)
    _check_against_numpy(correlate, a, v)


@settings(max_examples=20, deadline=None)
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
       mode=st.sampled_from(["edge", "reflect", "symmetric", "wrap"]), data=st.data())
def test_pad_modes_on_random_arguments_match_numpy(shape, mode, data):
    widths = data.draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)),
                                min_size=len(shape), max_size=len(shape))) if shape else 2
    x = np.random.default_rng(data.draw(st.integers(0, 99))).uniform(-1, 1, shape)

    def padded(a):
        return np.pad(a, widths, mode=mode)

    _check_against_numpy(padded, x)


@settings(max_examples=20, deadline=None)
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
       mode=st.sampled_from(["maximum", "minimum", "mean", "median", "linear_ramp",
                             "reflect-odd", "symmetric-odd"]), data=st.data())
def test_computed_pad_modes_on_random_arguments_match_numpy(shape, mode, data):
    """The modes that compute entries: statistics of the nearest ``stat_length``
    entries, ramps, odd reflections (their tables of coefficients make the values
    NumPy's to rounding, not bit for bit)."""
    widths = data.draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)),
                                min_size=len(shape), max_size=len(shape)))
    x = np.random.default_rng(data.draw(st.integers(0, 99))).uniform(-1, 1, shape)
    mode, _, reflect_type = mode.partition("-")
    kw = {"reflect_type": reflect_type} if reflect_type else \
        {"end_values": 0.5} if mode == "linear_ramp" else \
        {"stat_length": data.draw(st.one_of(st.none(), st.integers(1, 5)))}

    def padded(a):
        return np.pad(a, widths, mode=mode, **kw)

    np.testing.assert_allclose(adc.vjp(padded, x)[0], padded(x), rtol=1e-13, atol=1e-13)
    check_specialised(scaled(padded, 1), x, modes=("rev", "fwd"))


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 6), data=st.data())
def test_interp_on_random_arguments_matches_numpy(n, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 99)))
    xp = np.sort(rng.choice(np.linspace(-1, 1, 9), n, replace=data.draw(st.booleans())))
    fp, x = rng.uniform(-1, 1, n), rng.uniform(-1.5, 1.5, (2, 3))
    x[0, : min(n, 3)] = xp[:3]  # some points exactly at sample points

    def interpolated(a, b, c):
        return np.interp(a, b, c)

    np.testing.assert_array_equal(adc.vjp(interpolated, x, xp, fp)[0], interpolated(x, xp, fp))


def sinc_scalar(x):
    return np.sinc(x)


@pytest.mark.parametrize("x", [0.0, 1e-8, -1e-5, 1e-3, 0.0999999, 0.1, -0.1000001, 0.4],
                         ids=str)
def test_sinc_has_every_derivative_near_zero(x):
    """The second and fourth derivatives of sinc against its series (sin(y)/y is 0/0 at
    0: the quotient's derivatives came out 0 there, and lost digits all around it;
    JAX's testSincAtZero), on both sides of where the series takes over."""
    second = adc.grad(adc.grad(sinc_scalar))(x)
    fourth = adc.grad(adc.grad(adc.grad(adc.grad(sinc_scalar))))(x)
    y = np.pi * x
    terms = [(-1) ** n / math.factorial(2 * n + 1) for n in range(12)]  # of sin(y)/y
    want2 = np.pi ** 2 * sum(c * math.perm(2 * n, 2) * y ** (2 * n - 2)
                             for n, c in enumerate(terms) if n >= 1)
    want4 = np.pi ** 4 * sum(c * math.perm(2 * n, 4) * y ** (2 * n - 4)
                             for n, c in enumerate(terms) if n >= 2)
    assert second == pytest.approx(want2, rel=1e-12)
    assert fourth == pytest.approx(want4, rel=1e-9)

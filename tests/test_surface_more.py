"""More of the NumPy surface (``surface.elementwise_more``, ``numeric``, ``arrays``,
``linalg_more``, ``searching``) against finite differences in float64 and NumPy's values.

Every gradient check runs in reverse and forward mode, in shape-specialised code and,
where the function does not depend on its operand's shape, in shape-generic code; a
function that does is checked to be refused there with an error at the user's line.
Values must equal NumPy's bit for bit, dtype included. The meta-tests in test_rules.py
count these rows (test_surface_rules.ALL_ROWS takes them in).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
import surface_more_cases as C
from test_composed_rules import check_specialised
from test_rules import (
    Exact,
    Row,
    assert_exact_forward,
    assert_exact_gradient,
    names,
    sample,
    scaled,
)

import autodiff_compiler as adc
from autodiff_compiler import check_grads
from autodiff_compiler.errors import AutodiffError


@dataclass(frozen=True)
class Spec:
    """A spelling checked at fixed arguments. ``generic``: shape-generic code compiles
    it (else it must refuse it); ``order``: the highest derivative checked."""

    name: str
    fn: Callable[..., Any]
    args: tuple
    covers: tuple[str, ...] = ()
    surface: Any = None
    generic: bool = True
    order: int = 1


RNG = np.random.RandomState(11)
WITH_NAN = np.array([[np.nan, 0.3, -0.2, 0.9], [0.1, np.nan, 0.7, -0.4], [0.5, -0.6, 0.2, 0.8]])


def uniform(*shape: int, lo: float = -1.0, hi: float = 1.0) -> np.ndarray:
    return RNG.uniform(lo, hi, shape)


# ---------------------------------------------------------------------------- elementwise
# Each on several shapes: 0-d, equal shapes and broadcasting ones.

BINARY_SHAPES = [((), ()), ((3,), ()), ((2, 3), (3,)), ((2, 1), (1, 4))]
ELEMENTWISE = [
    Row("fmod", C.fmod_fn, ((-3.0, 3.0), (0.4, 1.3)), covers=("fmod", "trunc"),
        surface=np.fmod),
    Row("fmod_negative_divisor", C.fmod_fn, ((-3.0, 3.0), (-1.3, -0.4)), covers=("fmod",)),
    Row("copysign", C.copysign_fn, ((0.2, 2.0), (-1.0, 1.0)), covers=("copysign", "sign"),
        surface=np.copysign),
    Row("copysign_negative", C.copysign_fn, ((-2.0, -0.2), (-1.0, 1.0)),
        covers=("copysign",)),
    Row("divmod", C.divmod_parts, ((-3.0, 3.0), (0.5, 1.5)), covers=("floor_divide", "mod"),
        surface=np.divmod),
    Row("float_power", C.float_power_fn, ((0.5, 2.0), (-1.5, 1.5)), covers=("pow",),
        surface=np.float_power),
]
UNARY = [
    Row("modf", C.modf_parts, (-3.0, 3.0), covers=("trunc", "copysign", "where"),
        surface=np.modf),
    Row("copysign_constant", C.copysign_constant, covers=("copysign",)),
    Row("ldexp_scalar_exponent", C.ldexp_scalar_exponent, covers=("mul",), surface=np.ldexp),
    Row("float_power_constant", C.float_power_constant, (0.5, 2.0), covers=("pow",)),
    Row("angle_real", C.angle_real, covers=("arctan2",), surface=np.angle),
]
UNARY_SHAPES = [(), (3,), (2, 3)]
BINARY_CASES = [(row, s) for row in ELEMENTWISE for s in BINARY_SHAPES]
UNARY_CASES = [(row, s) for row in UNARY for s in UNARY_SHAPES]


def _shapes_id(shapes: tuple) -> str:
    return "-".join("x".join(map(str, s)) or "0d" for s in shapes)


@pytest.mark.parametrize("row, shapes", BINARY_CASES,
                         ids=[f"{r.name}-{_shapes_id(s)}" for r, s in BINARY_CASES])
def test_binary_elementwise_matches_finite_differences(row, shapes):
    args = [sample(lims, s) for lims, s in zip(row.lims, shapes)]
    check_grads(scaled(row.fn, 2), *args)


@pytest.mark.parametrize("row, shape", UNARY_CASES,
                         ids=[f"{r.name}-{_shapes_id((s,))}" for r, s in UNARY_CASES])
def test_unary_elementwise_matches_finite_differences(row, shape):
    check_grads(scaled(row.fn, 1), sample(row.lims, shape))


# ---------------------------------------------------------------------------- fixed arguments

M, W, SQUARE = uniform(3, 6), uniform(6), uniform(3, 3) + 3.0 * np.eye(3)
SORTED = np.sort(uniform(4))
SPECS = [
    Spec("ldexp_exponents", C.ldexp_fn, (uniform(3, 4),), ("mul", "exp2")),
    Spec("angle_of_complex_degrees", C.angle_degrees_of_complex, (W, W[::-1]),
         ("arctan2", "imag", "real")),
    Spec("trapezoid", C.trapezoid_fn, (M,), ("reduce_sum", "getitem"), C.trapezoid),
    Spec("trapezoid_dx_axis0", C.trapezoid_dx_axis0, (M,), ("reduce_sum",)),
    Spec("trapezoid_points", C.trapezoid_points, (M, np.sort(W)), ("sub", "reshape"),
         generic=False),
    Spec("trapezoid_points_axis0", C.trapezoid_points_axis0, (M, uniform(3, 6)), ("sub",),
         generic=False),
    Spec("polyval", C.polyval_fn, (uniform(4), uniform(2, 3)), ("mul", "add"), np.polyval,
         generic=False),
    Spec("polyval_list", C.polyval_list, (uniform(3),), ("mul", "add"), generic=False),
    Spec("cov", C.cov_fn, (M,), ("dot", "reduce_mean"), np.cov, generic=False),
    Spec("cov_columns_biased", C.cov_columns_biased, (M.T,), ("dot",), generic=False),
    Spec("cov_vector_ddof0", C.cov_vector_ddof0, (W,), ("dot",), generic=False),
    Spec("cov_two", C.cov_two, (uniform(2, 6), W), ("concatenate",), generic=False),
    Spec("corrcoef", C.corrcoef_fn, (M,), ("sqrt", "clip"), np.corrcoef, generic=False),
    Spec("corrcoef_columns", C.corrcoef_columns, (M.T,), ("sqrt",), generic=False),
    Spec("corrcoef_two", C.corrcoef_two, (W, uniform(6)), ("div",), generic=False),
    Spec("tri", C.tri_times, (uniform(3, 4),), ("mul",), np.tri),
    Spec("tri_below", C.tri_square_below, (uniform(3, 3),), ("mul",)),
    Spec("tri_of_run_time_size", C.tri_of_run_time_size, (uniform(3, 4),),
         ("greater_equal", "arange")),
    Spec("dstack", C.dstack_fn, (uniform(2, 3), uniform(2, 3)), ("concatenate",), np.dstack),
    Spec("dstack_vectors", C.dstack_vectors, (uniform(3), uniform(3)), ("atleast_3d",)),
    Spec("insert_positions_from_the_shape", C.dilated, (uniform(3, 4),), ("getitem",),
         generic=False),
    Spec("insert_scalar", C.insert_scalar, (uniform(2, 3),), ("getitem",), np.insert,
         generic=False),
    Spec("insert_list_axis1", C.insert_list_axis1, (uniform(2, 3), uniform(2, 3)),
         ("concatenate", "getitem"), generic=False),
    Spec("insert_column", C.insert_column, (uniform(2, 3), uniform(2)), ("moveaxis",),
         generic=False),
    Spec("insert_slice", C.insert_slice, (uniform(4, 2), uniform(2)), ("broadcast_to",),
         generic=False),
    Spec("insert_negative", C.insert_negative, (uniform(5), uniform(2)), ("getitem",),
         generic=False),
    Spec("delete", C.delete_fn, (uniform(2, 3),), ("getitem",), np.delete, generic=False),
    Spec("delete_axis1", C.delete_axis1, (uniform(2, 4),), ("getitem",), generic=False),
    Spec("delete_slice", C.delete_slice, (uniform(5, 2),), ("getitem",), generic=False),
    Spec("delete_mask", C.delete_mask, (uniform(2, 4),), ("getitem",), generic=False),
    Spec("delete_at_run_time", C.delete_at_run_time, (uniform(2, 4),), ("getitem",),
         generic=False),
    Spec("matrix_power_0", C.matrix_power_0, (SQUARE,), ("eye", "zeros_like"),
         np.linalg.matrix_power),
    Spec("matrix_power_1", C.matrix_power_1, (SQUARE,), ()),
    Spec("matrix_power_3", C.matrix_power_3, (SQUARE / 3,), ("matmul",), order=2),
    Spec("matrix_power_5", C.matrix_power_5, (SQUARE / 3,), ("matmul",)),
    Spec("matrix_power_minus_2", C.matrix_power_minus_2, (SQUARE,), ("inv", "matmul"),
         order=2),
    Spec("matrix_power_minus_6_stack", C.matrix_power_minus_6,
         (np.stack([SQUARE, SQUARE.T]),), ("inv",)),
    Spec("multi_dot_two", C.multi_dot_two, (uniform(2, 3), uniform(3, 4)), ("dot",),
         np.linalg.multi_dot, order=2),
    Spec("multi_dot_three", C.multi_dot_three, (uniform(2, 3), uniform(3, 4), uniform(4, 2)),
         ("dot",), generic=False),
    Spec("multi_dot_three_right_first", C.multi_dot_three,
         (uniform(5, 1), uniform(1, 4), uniform(4, 6)), ("dot",), generic=False),
    Spec("multi_dot_vectors", C.multi_dot_vectors,
         (uniform(3), uniform(3, 4), uniform(4, 2), uniform(2)), ("dot",), generic=False),
    Spec("multi_dot_four", C.multi_dot_four,
         (uniform(2, 5), uniform(5, 3), uniform(3, 6), uniform(6, 2)), ("dot",),
         generic=False),
    Spec("cond", C.cond_fn, (SQUARE,), ("svdvals",), np.linalg.cond, order=2),
    Spec("cond_minus_2_tall", C.cond_minus_2, (uniform(4, 3),), ("svdvals",)),
    Spec("cond_fro", C.cond_fro, (SQUARE,), ("norm", "inv")),
    Spec("cond_1", C.cond_1, (SQUARE,), ("norm", "inv")),
    Spec("searchsorted", C.searchsorted_weights, (uniform(5), SORTED), ("searchsorted",),
         np.searchsorted),
    Spec("searchsorted_method", C.searchsorted_method, (uniform(5), SORTED),
         ("searchsorted",), ".searchsorted"),
    Spec("searchsorted_sorter", C.searchsorted_sorter, (uniform(5), uniform(4)),
         ("searchsorted", "argsort")),
    Spec("digitize_rising", C.digitize_rising, (uniform(6),), ("searchsorted",),
         np.digitize),
    Spec("digitize_falling_right", C.digitize_falling_right, (uniform(6),),
         ("searchsorted",)),
    Spec("digitize_runtime_bins", C.digitize_runtime_bins,
         (uniform(6), np.array([0.5, 0.0, -0.5])), ("searchsorted", "where"), generic=False),
    Spec("nanargmax_nanargmin", C.nanargmax_picks, (WITH_NAN,), ("argmax", "argmin"),
         (np.nanargmax, np.nanargmin)),
    Spec("tril_triu_indices_from", C.triangle_from, (uniform(3, 4),), ("getitem",),
         (np.tril_indices_from, np.triu_indices_from), generic=False),
    Spec("diag_indices_from", C.diagonal_from, (uniform(3, 3, 3),), ("getitem",),
         np.diag_indices_from, generic=False),
    Spec("signbit", C.signbit_mask, (uniform(6),), ("copysign", "less"), np.signbit),
    Spec("unravel_and_ravel_index", C.unravel_and_ravel, (uniform(2, 3),), ("getitem",),
         (np.unravel_index, np.ravel_multi_index)),
    Spec("nonzero", C.nonzero_picks, (uniform(3, 4),), ("nonzero", "gather"), np.nonzero,
         generic=False),
    Spec("nonzero_method", C.nonzero_method, (uniform(5),), ("flatnonzero",), ".nonzero",
         generic=False),
    Spec("where_indices", C.where_indices, (uniform(6),), ("flatnonzero",), generic=False),
    Spec("flatnonzero", C.flatnonzero_picks, (uniform(2, 3),), ("flatnonzero",),
         np.flatnonzero),
    Spec("argwhere", C.argwhere_picks, (uniform(3, 4),), ("nonzero", "stack"), np.argwhere,
         generic=False),
    Spec("compress", C.compress_flat, (uniform(2, 3),), ("flatnonzero",), np.compress),
    Spec("compress_rows", C.compress_rows, (uniform(4, 3),), ("flatnonzero",)),
    Spec("compress_columns_method", C.compress_columns_method, (uniform(2, 3),),
         ("getitem",), ".compress"),
    Spec("extract", C.extract_fn, (uniform(2, 3),), ("flatnonzero",), np.extract),
    Spec("unique", C.unique_values, (uniform(2, 3),), ("argsort", "getitem"), np.unique,
         order=2),
    Spec("unique_index_inverse_counts", C.unique_parts, (uniform(7),),
         ("index_update", "cumsum", "bincount")),
    Spec("bincount_weights", C.bincount_weights, (uniform(6),), ("bincount",), np.bincount,
         order=2),
    Spec("bincount_minlength", C.bincount_minlength, (uniform(3),), ("bincount",)),
]


@pytest.mark.parametrize("spec", SPECS, ids=names(SPECS))
def test_rule_matches_finite_differences(spec):
    fn = scaled(spec.fn, len(spec.args))
    if spec.generic:
        check_grads(fn, *spec.args)
    else:
        check_specialised(fn, *spec.args, modes=("rev", "fwd"))


SHAPE_DEPENDENT = [spec for spec in SPECS if not spec.generic]


@pytest.mark.parametrize("spec", SHAPE_DEPENDENT, ids=names(SHAPE_DEPENDENT))
def test_shape_dependent_function_is_refused_in_shape_generic_code(spec):
    with pytest.raises(AutodiffError, match=r"shape-generic|unknown when compiling") as info:
        adc.vjp(spec.fn, *spec.args, specialize=False)
    assert "surface_more_cases.py" in str(info.value)


SECOND_ORDER = [spec for spec in SPECS if spec.order == 2]


@pytest.mark.parametrize("spec", SECOND_ORDER, ids=names(SECOND_ORDER))
def test_second_order_matches_finite_differences(spec):
    check_grads(scaled(spec.fn, len(spec.args)), *spec.args, order=2)


# ---------------------------------------------------------------------------- values

VALUE_ROWS = [(f"{row.name}-{_shapes_id(shapes)}", row.fn,
               tuple(sample(lims, s) for lims, s in zip(row.lims, shapes)))
              for row, shapes in BINARY_CASES]
VALUE_ROWS += [(row.name, row.fn, (sample(row.lims, (2, 3)),)) for row in UNARY]
VALUE_ROWS += [(spec.name, spec.fn, spec.args) for spec in SPECS]
# Corners: signed zeros, infinities and NaNs keep NumPy's values (and signs).
CORNERS = np.array([-np.inf, -2.0, -1.5, -0.0, 0.0, 0.5, 3.0, np.inf, np.nan])
VALUE_ROWS += [
    ("modf_corners", C.modf_parts, (CORNERS,)),
    ("copysign_signed_zeros", C.copysign_fn, (CORNERS, CORNERS[::-1])),
    ("fmod_corners", C.fmod_fn, (CORNERS, np.array([1.5, -1.5, 0.0, 1.0, 1.0, 1.0, -2.0, 1.0,
                                                    1.0]))),
    ("float_power_float32", C.float_power_fn, (uniform(3, lo=0.5).astype(np.float32),
                                               np.float32(1.5))),
    ("ldexp_float32", C.ldexp_fn, (uniform(2, 4).astype(np.float32),)),
    ("ldexp_float32_scalar_exponent", C.ldexp_float32_scalar_exponent,
     (uniform(3).astype(np.float32),)),
    ("angle_float32", C.angle_real, (uniform(4).astype(np.float32),)),
    ("cov_float32", C.cov_fn, (M.astype(np.float32),)),
    ("trapezoid_float32", C.trapezoid_fn, (M.astype(np.float32),)),
    ("polyval_float32", C.polyval_fn, (uniform(3).astype(np.float32),
                                       uniform(4).astype(np.float32))),
    ("matrix_power_float32", C.matrix_power_5, ((SQUARE / 3).astype(np.float32),)),
    ("corrcoef_of_one_variable", C.corrcoef_fn, (W,)),
    ("cov_without_degrees_of_freedom", C.cov_fn, (uniform(2, 1),)),
    ("cond_singular", C.cond_fn, (np.array([[1.0, 2.0], [2.0, 4.0]]),)),
    ("digitize_at_bin_edges", C.digitize_falling_right, (np.array([0.5, 0.0, -0.5, 2.0]),)),
    ("signbit_of_signed_zeros_and_nans", C.signbit_mask,
     (np.array([-0.0, 0.0, np.nan, -np.nan, -1.0, 2.0]),)),
    ("nanargmax_nanargmin_values", C.nanargmax_picks, (WITH_NAN,)),
    ("selection_indices", C.selection_indices, (2 * uniform(3, 4),)),
    ("selection_of_nothing", C.selection_indices, (-np.ones((2, 3)),)),
    ("selection_of_empty", C.selection_indices, (np.ones((0, 3)),)),
    ("argwhere_of_scalar", C.argwhere_of_scalar, (uniform(2, 2) + 1.0,)),
    ("unique_nans_and_ties", C.unique_parts, (np.array([np.nan, 1.0, -0.0, np.nan, 0.0, 1.0]),)),
    ("unique_float32", C.unique_parts, (uniform(2, 3).astype(np.float32).round(1),)),
    ("delete_at_run_time_values", C.delete_at_run_time, (uniform(2, 4),)),
    ("bincount_float32_weights", C.bincount_weights, (uniform(6).astype(np.float32),)),
]


def _assert_same(got: Any, want: Any, name: str) -> None:
    if isinstance(want, tuple):
        for g, w in zip(got, want):
            _assert_same(g, w, name)
        return
    assert np.asarray(got).dtype == np.asarray(want).dtype, name
    assert np.shape(got) == np.shape(want), name
    np.testing.assert_array_equal(got, want, err_msg=name)
    signs = np.signbit(np.asarray(want)) == np.signbit(np.asarray(got))
    assert np.all(signs | np.isnan(want)), f"{name}: signs of zeros differ"


@pytest.mark.parametrize("name, fn, args", VALUE_ROWS, ids=[r[0] for r in VALUE_ROWS])
@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
def test_values_equal_numpy_bit_for_bit(name, fn, args, specialize):
    with np.errstate(all="ignore"):
        want = fn(*args)
        try:
            got = adc.vjp(fn, *args, specialize=specialize)[0]
        except AutodiffError:
            assert not specialize  # shape-dependent: refused in shape-generic code only
            return
    _assert_same(got, want, name)


# ---------------------------------------------------------------------------- conventions


def copysign_at_kinks(x, y):
    return np.sum(np.copysign(x, y))


def modf_fraction(x):
    return np.sum(np.modf(x)[0])


def fmod_divisor(x, y):
    return np.sum(np.fmod(x, y))


EXACT = [
    # d copysign(x, y)/dx = sign(x) sign(result): 1 kept, -1 flipped, 0 at x = 0; y gets 0.
    Exact("copysign_sign_convention", copysign_at_kinks,
          (np.array([2.0, 2.0, -2.0, -2.0, 0.0]), np.array([1.0, -1.0, 1.0, -1.0, -1.0])),
          ([1.0, -1.0, -1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0, 0.0]), ("copysign",)),
    # The fraction's gradient is 1 between integers, 0 at them (where it jumps).
    Exact("modf_fraction_at_integers", modf_fraction, (np.array([-2.0, -1.5, 0.0, 0.25, 3.0]),),
          ([0.0, 1.0, 0.0, 1.0, 0.0],), ("copysign", "where")),
    # fmod(x, y) = x - trunc(x / y) y: d/dy = -trunc(x / y).
    Exact("fmod_partials", fmod_divisor, (np.array([7.0, -7.0, 1.0]), np.array([2.0, 2.0, -3.0])),
          ([1.0, 1.0, 1.0], [-3.0, 3.0, 0.0]), ("fmod",)),
]


@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
@pytest.mark.parametrize("case", EXACT, ids=names(EXACT))
def test_gradient_equals_exact_value(case, specialize):
    assert_exact_gradient(case, specialize)


@pytest.mark.parametrize("case", EXACT, ids=names(EXACT))
def test_forward_mode_follows_the_same_convention(case):
    assert_exact_forward(case)


# ---------------------------------------------------------------------------- float32


FLOAT32 = [("fmod", C.fmod_fn, (uniform(3, lo=-3, hi=3), uniform(3, lo=0.5, hi=1.5))),
           ("copysign", C.copysign_fn, (uniform(3), uniform(3))),
           ("modf", C.modf_parts, (uniform(3, lo=-3, hi=3),)),
           ("ldexp", C.ldexp_fn, (uniform(2, 4),)),
           ("trapezoid", C.trapezoid_fn, (M,)),
           ("matrix_power_3", C.matrix_power_3, (SQUARE / 3,))]


@pytest.mark.parametrize("name, fn, args", FLOAT32, ids=[r[0] for r in FLOAT32])
def test_float32_gradient_is_float32_and_matches_float64(name, fn, args):
    def total(*a):
        return np.sum(fn(*a))
    positions = tuple(range(len(args)))
    grad64 = adc.grad(total, grad_position=positions)(*args)
    grad32 = adc.grad(total, grad_position=positions)(*(a.astype(np.float32) for a in args))
    for g32, g64 in zip(grad32, grad64):
        assert g32.dtype == np.float32
        np.testing.assert_allclose(g32, g64, rtol=1e-4, atol=1e-5)


# ---------------------------------------------------------------------------- refusals


def insert_at_run_time_position(x):
    return np.insert(x, int(x[0] > 0), 1.0)


def delete_at_run_time_positions(x):
    return np.delete(x, np.argsort(x)[:1])


def matrix_power_of_a_float(x):
    return np.linalg.matrix_power(x, 1.5)


def unravel_run_time_index(x):
    return x * np.unravel_index(np.argmax(x), (2, 3))[0]


def digitize_unsorted_bins(x):
    return x * np.digitize(x, [0.0, 1.0, 0.5])


def ldexp_float_exponent(x):
    return np.ldexp(x, x)


def bessel_i0(x):
    return np.i0(x)


def unique_rows(x):
    return np.unique(x, axis=0)


def nonzero_of_a_scalar(x):
    return x[0, 0] * np.nonzero(np.sum(x))[0]


def block_of_blocks(x):
    return np.block([[x, x], [x, x]])


def multi_dot_of_one(x):
    return np.linalg.multi_dot([x])


@pytest.mark.parametrize("fn, message", [
    (insert_at_run_time_position, "must be known when compiling"),
    (delete_at_run_time_positions, "must be known when compiling"),
    (matrix_power_of_a_float, "exponent must be an integer"),
    (unravel_run_time_index, "must be known when compiling"),
    (digitize_unsorted_bins, "monotonically increasing or decreasing"),
    (ldexp_float_exponent, "exponent must be an integer"),
    (bessel_i0, "np.i0 has no derivative rule"),
    (multi_dot_of_one, "at least two arrays"),
    (unique_rows, r"np.unique\(\.\.\., axis=\.\.\.\) is not supported"),
    (nonzero_of_a_scalar, "nonzero on 0d arrays is not allowed"),
], ids=lambda v: getattr(v, "__name__", "message"))
def test_refused_at_the_users_line(fn, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(lambda x: np.sum(fn(x)))(uniform(3, 3))
    assert "test_surface_more.py" in str(info.value)


def test_runtime_bins_neither_rising_nor_falling_fail_the_run_not_silently():
    with pytest.raises(AssertionError, match="monotonically"):
        adc.grad(lambda x, b: np.sum(C.digitize_runtime_bins(x, b)))(
            uniform(4), np.array([0.0, 1.0, 0.5]))


# ---------------------------------------------------------------------------- backends


BACKEND_ROWS = [("fmod", C.fmod_fn, (uniform(2, 3, lo=-3, hi=3), uniform(3, lo=0.5, hi=1.5))),
                ("copysign", C.copysign_fn, (uniform(2, 3), uniform(3))),
                ("modf", C.modf_parts, (uniform(2, 3, lo=-3, hi=3),)),
                ("searchsorted", C.searchsorted_weights, (uniform(5), SORTED))]


@pytest.mark.parametrize("name, fn, args", BACKEND_ROWS, ids=[r[0] for r in BACKEND_ROWS])
def test_numba_backend_matches_numpy(name, fn, args):
    pytest.importorskip("numba")

    def total(*a):
        return np.sum(fn(*a))
    want = adc.value_and_grad(total)(*args)
    got = adc.value_and_grad(total, backend="numba")(*args)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-14)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-14)


@pytest.mark.parametrize("name, fn, args, outcome", [
    (*row, "refused" if row[0] == "fmod" else "passes") for row in BACKEND_ROWS],
    ids=[r[0] for r in BACKEND_ROWS])
def test_array_api_backend_matches_numpy_or_refuses_fmod(name, fn, args, outcome):
    xs = pytest.importorskip("array_api_strict")

    def total(*a):
        return np.sum(fn(*a))
    positions = tuple(range(len(args)))
    value_and_grad = adc.value_and_grad(total, grad_position=positions, backend="array_api")
    strict = [xs.asarray(a) for a in args]
    if outcome == "refused":
        with pytest.raises(AutodiffError, match="'fmod' has no spelling") as info:
            value_and_grad(*strict)
        assert "surface_more_cases.py" in str(info.value)
        return
    value, grads = value_and_grad(*strict)
    want_value, want_grads = adc.value_and_grad(total, grad_position=positions)(*args)
    np.testing.assert_allclose(np.from_dlpack(value), want_value, rtol=1e-14)
    if len(args) == 1:  # a lone gradient comes bare
        grads, want_grads = (grads,), (want_grads,)
    for got, want in zip(grads, want_grads):
        np.testing.assert_allclose(np.from_dlpack(got), want, rtol=1e-14)


@pytest.mark.parametrize("name, fn, args", BACKEND_ROWS, ids=[r[0] for r in BACKEND_ROWS])
def test_dask_backend_matches_numpy(name, fn, args):
    da = pytest.importorskip("dask.array")

    def total(*a):
        return np.sum(fn(*a))
    positions = tuple(range(len(args)))
    want = adc.value_and_grad(total, grad_position=positions)(*args)
    got = adc.value_and_grad(total, grad_position=positions, backend="dask")(
        *(da.from_array(a, chunks=2) for a in args))
    np.testing.assert_allclose(np.asarray(got[0]), want[0], rtol=1e-14)
    for g, w in zip(got[1] if len(args) > 1 else (got[1],),
                    want[1] if len(args) > 1 else (want[1],)):
        np.testing.assert_allclose(np.asarray(g), w, rtol=1e-14)


# ---------------------------------------------------------------------------- meta

ALL_ROWS = ELEMENTWISE + UNARY + SPECS + EXACT


def test_row_names_are_unique_within_each_test():
    for table in (ELEMENTWISE + UNARY, SPECS, EXACT, VALUE_ROWS, FLOAT32):
        table_names = [r[0] if isinstance(r, tuple) else r.name for r in table]
        assert len(set(table_names)) == len(table_names)

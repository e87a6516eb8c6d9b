"""Lists and tuples of arrays where NumPy converts them with ``np.asarray``, and calls
NumPy would reject (issue 10, items 1 and 4).

Every differentiable case runs against finite differences (both modes, specialised and
shape-generic code) and its value against plain NumPy; refusals are checked for the
user's line and NumPy's reason.
"""
from __future__ import annotations

import inspect
import re

import arraylike_cases as L
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from refusals import assert_refused_at_first_line

import autodiff_compiler as adc
from autodiff_compiler import check_grads
from autodiff_compiler.errors import AutodiffError
from autodiff_compiler.frontend import arguments
from autodiff_compiler.ir import surface

X = np.array([0.3, -0.9])
A = np.array([[0.5, 1.5], [2.0, -1.0]])

DIFFERENTIABLE = [
    (L.mean_of_list, X), (L.mean_of_list, A), (L.mean_of_list, np.float64(0.7)),
    (L.sum_of_tuple, A), (L.sum_of_tuple, X),
    (L.norm_of_list, X), (L.norm_of_list, np.float64(-1.3)),
    (L.max_of_list, X), (L.prod_of_list, X), (L.prod_of_list, A),
    (L.exp_of_list, X), (L.dot_of_lists, X), (L.add_of_list, X), (L.add_of_list, A),
    (L.where_of_lists, X),
    (L.sum_of_scalars_list, 1.5), (L.sum_of_scalars_list, np.float64(-0.5)),
    (L.sum_of_scalars_list, np.array(0.8)),
    (L.sum_of_nested_list, X), (L.mixed_zero_d_and_floats, X),
    (L.r_of_array_and_constant, X), (L.c_of_arrays, X), (L.r_of_scalars_and_slice, X),
    (L.concatenate_of_inner_list, X), (L.einsum_of_list, X), (L.atleast_2d_of_list, X),
    (L.long_list, X), (L.sigmoid_of_list, X),
    (L.dot_method_of_list, X), (L.clip_method_of_list, X), (L.mul_by_list, X),
    (L.list_plus_array, X), (L.list_matmul_matrix, X), (L.matrix_matmul_list, X),
    (L.list_plus_list_joins, X), (L.int_times_list_repeats, X),
]


def _id(case: tuple) -> str:
    fn, arg = case
    return f"{fn.__name__}-{type(arg).__name__}{np.shape(arg)}"


@pytest.mark.parametrize("case", DIFFERENTIABLE, ids=[_id(c) for c in DIFFERENTIABLE])
def test_list_argument_gradient_matches_finite_differences(case):
    fn, arg = case
    check_grads(fn, arg)
    value, _ = adc.value_and_grad(fn)(arg)
    np.testing.assert_allclose(value, fn(arg), rtol=1e-12)


@pytest.mark.parametrize("fn", [L.mean_of_list, L.sum_of_scalars_list, L.r_of_array_and_constant],
                         ids=lambda f: f.__name__)
def test_list_argument_gradient_is_not_zero(fn):
    grad = adc.grad(fn)(X if fn is not L.sum_of_scalars_list else 1.5)
    assert np.all(np.asarray(grad) != 0)


@pytest.mark.parametrize("fn", [L.array_and_python_float, L.float32_and_float64,
                                L.scalar_and_python_int, L.nested_with_ints],
                         ids=lambda f: f.__name__)
def test_list_conversion_keeps_numpy_dtype(fn):
    x = np.array([0.5, 1.5], dtype=np.float32)
    value, _ = adc.value_and_grad(fn)(x)
    assert value.dtype == fn(x).dtype
    np.testing.assert_allclose(value, fn(x), rtol=1e-6)
    check_grads(fn, x.astype(np.float64))


@pytest.mark.parametrize("fn, reason", [
    (L.python_float_argument_times_list, "operator Mult is not supported"),
    (L.python_float_argument_below_list, "comparison of a Python number with a list"),
], ids=lambda v: getattr(v, "__name__", "reason"))
def test_list_with_python_number_argument_is_refused_not_zero(fn, reason):
    with pytest.raises(AutodiffError, match=reason):
        adc.grad(fn)(X, 2.0)
    with pytest.raises(TypeError):
        fn(X, 2.0)



@pytest.mark.parametrize("fn, reason", [
    (L.ragged_list, "different shapes ((2,), ())"),
    (L.float_times_list, "operator Mult is not supported"),
    (L.math_of_list, "math.exp needs a real number, not a list"),
    (L.math_of_vector, "math.sin needs a real number, not an array of shape (2,)"),
], ids=lambda v: getattr(v, "__name__", "reason"))
def test_list_python_rejects_is_refused_at_the_users_line(fn, reason):
    assert_refused_at_first_line(fn, reason, X)
    with pytest.raises((TypeError, ValueError)):
        fn(X)  # Python and NumPy refuse it too


# ---------------------------------------------------------------------------- the vocabulary


def _documented_types(fn) -> dict[str, str]:
    """``name : type`` lines of a NumPy docstring's parameter list."""
    types: dict[str, str] = {}
    for match in re.finditer(r"^\s*([\w*][\w*, .]*?) : (.*)$", fn.__doc__ or "", re.M):
        for name in match.group(1).split(","):
            types.setdefault(name.strip().lstrip("*"), match.group(2))
    return types


# Documented ``array_like`` but read as something else on purpose: a shape or option
# (a list of them holds no gradient and stays a tuple), or handled by the builder.
NOT_CONVERTED = {"like", "where", "reps", "pad_width", "axes", "tup", "a1", "operands",
                 "start", "stop", "repeats", "constant_values", "mean",
                 # compile-time parameters of a primitive (a replacement value, a cutoff)
                 "nan", "posinf", "neginf", "rcond", "rtol", "atol",
                 # quantiles known when compiling; np.empty_like converts its prototype
                 "q", "prototype",
                 # an output array, refused for every function (np.ptp documents it)
                 "out",
                 # refused weights of np.cov; np.ravel_multi_index's indices known then
                 "fweights", "aweights", "multi_index",
                 # np.array_equal's and np.array_equiv's second operand: the builder's
                 "a2"}
# A name converted elsewhere that one function documents as something else:
# np.linalg.cond's p is a norm's order (np.polyval's p, the coefficients, converts);
# np.iscomplexobj's x is "any" object (its dtype is read, nothing converted).
OTHER_MEANING = {(np.linalg.cond, "p"), (np.iscomplexobj, "x"), (np.isrealobj, "x")}


def _numpy_surface():
    for fn in surface.FUNCTIONS:
        if isinstance(fn, (np.ufunc, type)) or not arguments._converts(fn) or fn.__doc__ is None:
            continue
        yield fn


@pytest.mark.parametrize("fn", list(_numpy_surface()), ids=surface.display_name)
def test_arraylike_vocabulary_covers_numpy_documented_array_likes(fn):
    types = _documented_types(fn)
    for name in arguments.numpy_signature(fn).parameters:
        documented = types.get(name, "")
        # a sequence's elements convert (SEQUENCE_NAMES), np.block's nesting's leaves
        if "array_like" in documented and not documented.startswith(("sequence", "list",
                                                                      "nested list")):
            assert name in arguments.ARRAY_NAMES or name in NOT_CONVERTED, \
                f"{surface.display_name(fn)}({name}=...) is array_like: add it to ARRAY_NAMES"
        if name in arguments.ARRAY_NAMES and documented and (fn, name) not in OTHER_MEANING:
            numbers = "sequence of float" in documented  # np.interp's xp, fp
            assert "array" in documented or "scalar" in documented or numbers, \
                f"{surface.display_name(fn)}({name}=...) is documented as {documented!r}"


# ---------------------------------------------------------------------------- np.asarray

_NUMBERS = st.floats(-2, 2, allow_nan=False, width=32) | st.integers(-2, 2)
_LEAVES = st.integers(0, 2) | st.lists(_NUMBERS, min_size=2, max_size=2) | _NUMBERS
LAYOUTS = st.recursive(_LEAVES, lambda items: st.lists(items, min_size=1, max_size=3).map(tuple),
                       max_leaves=6).filter(lambda layout: isinstance(layout, tuple))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=LAYOUTS, dtype=st.sampled_from([np.float32, np.float64]))
def test_list_conversion_matches_numpy_asarray(layout, dtype):
    """Random nestings of rows, number lists and numbers: compiled exactly when NumPy
    converts them, to NumPy's value and dtype, with the gradient of the rows."""
    x = np.arange(6.0, dtype=dtype).reshape(3, 2) / 4
    fn = L.asarray_of(layout)
    try:
        wanted = fn(x)
    except ValueError:  # ragged: NumPy refuses it, and so does the compiler (NumPy itself
        # when the list holds no run-time value)
        with pytest.raises((AutodiffError, ValueError), match=r"different shapes|inhomogeneous"):
            adc.value_and_grad(fn)(x)
        return
    value, _ = adc.value_and_grad(fn)(x)
    assert value.dtype == wanted.dtype
    np.testing.assert_allclose(value, wanted, rtol=1e-6)
    if dtype is np.float64:
        check_grads(fn, x)


@pytest.mark.parametrize("fn", [L.mean_of_list, L.norm_of_list, L.c_of_arrays,
                                L.sum_of_nested_list, L.list_matmul_matrix],
                         ids=lambda f: f.__name__)
def test_list_argument_second_derivative_matches_finite_differences(fn):
    check_grads(fn, X, order=2)


def test_list_to_a_registered_non_numpy_function_is_refused_not_zero():
    """A registered function that is not NumPy's may not convert a list: the list's
    gradient cannot flow through it, so the call is refused (it used to give zeros)."""
    from autodiff_compiler import extend
    prim = extend.defprimitive(L.doubled)
    extend.defvjp(prim, lambda g, ans, v: g * 2.0)
    extend.defjvp(prim, lambda t, ans, v: t * 2.0)
    with pytest.raises(AutodiffError, match="given a list or tuple holding arrays") as info:
        adc.grad(L.registered_function_of_list)(X)
    line = inspect.getsourcelines(L.registered_function_of_list)[1] + 1
    assert f"arraylike_cases.py:{line}:" in str(info.value)

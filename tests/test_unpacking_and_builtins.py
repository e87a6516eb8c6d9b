"""Unpacking (``a, *rest = x``, ``f(*xs, **options)``), assignment expressions,
comparisons, Python's ``max``/``min``/``sum``/``any``/``all``/``functools.reduce`` on
run-time values, ``np.add.at`` and ``with np.errstate(...)``: gradients against finite
differences, values against Python's, and the refusals at the user's line where
Python's (or NumPy's) semantics cannot be kept."""
from __future__ import annotations

import numpy as np
import pytest
import unpacking_cases as C
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import check_grads
from autodiff_compiler.directional import vjp
from autodiff_compiler.errors import AutodiffError

RNG = np.random.default_rng(7)
X = np.array([0.3, -1.2, 2.0, 0.7])
M = RNG.normal(size=(3, 2))

# Work in shape-generic code too (check_grads checks both kinds of code).
GENERIC = [
    (C.starred_tuple_of_arrays, (X, X[::-1] * 0.5)),
    (C.starred_loop_target, (X,)),
    (C.double_star_in_call, (X,)),
    (C.double_star_in_dict, (X,)),
    (C.dict_of_keywords, (X,)),
    (C.walrus_in_if, (X,)),
    (C.walrus_in_if, (-X,)),
    (C.walrus_in_expression, (X,)),
    (C.max_min_of_two, (X,)),
    (C.max_with_key, (X,)),
    (C.min_of_dict_values, (X,)),
    (C.max_default, (X,)),
    (C.tuple_indexed_in_a_loop, (X[:3],)),
    (C.chained_comparison, (X,)),
    (C.chained_comparison, (X * 2.0,)),
    (C.chained_three, (np.array([1.0, 0.5, 2.0, 0.3]),)),
    (C.chained_three, (X,)),
    (C.item_in_tuple, (X + 1.0,)),  # (membership itself holds at single points)
    (C.item_not_in_array, (X,)),
    (C.any_of_list, (X,)),
    (C.any_of_list, (-X,)),
    (C.truth_of_a_value, (X,)),
    (C.truth_of_a_value, (-X,)),
    (C.add_at_repeated, (X,)),
    (C.subtract_at_array_index, (X,)),
    (C.add_at_rows, (M,)),
    (C.add_at_diagonal_assembly, (X,)),
    (C.errstate_around_a_log, (X,)),
    (C.errstate_returning, (X,)),
    (C.errstate_in_a_loop_with_break, (X,)),
    (C.nullcontext_binding, (X,)),
    # items walked by a loop: any number of them
    (C.sum_of_array, (X,)),
    (C.sum_of_rows, (M,)),
    (C.reduce_with_initial, (X,)),
    (C.all_of_array, (X,)),
    (C.all_of_array, (X * 2.0,)),
    (C.dict_get_with_a_run_time_default, (X,)),
    (C.sorted_keys_of_a_dict, (X,)),
]

# Need the length of an array when compiling: shape-specialised code only.
SPECIALISED = [
    (C.starred_first, (X,)),
    (C.starred_last, (X,)),
    (C.starred_middle, (X,)),
    (C.starred_only, (X,)),
    (C.starred_rows, (M,)),
    (C.rows, (M,)),
    (C.starred_list_grows, (X,)),
    (C.star_in_display, (X,)),
    (C.star_in_call, (M,)),
    (C.walrus_in_comprehension, (X,)),
    (C.max_min_of_array, (X,)),
    (C.sum_of_generator, (X,)),
    (C.reduce_product, (X,)),
    (C.sum_of_array, (X,)),  # (in both tables: this one checks values and jvp too)
    (C.sum_of_rows, (M,)),
    (C.reduce_with_initial, (X,)),
    (C.all_of_array, (X,)),
    (C.all_of_array, (X * 2.0,)),
    (C.isinstance_of_an_array, (X,)),  # (the rank tells an array from a NumPy scalar)
    (C.reversed_rows, (X,)),
    (C.zip_of_starred_call, (M,)),
    (C.map_of_a_recursion, (M,)),
    (C.map_of_two_sequences, (M,)),
    (C.enumerate_beside_rows, (M,)),
    (C.enumerate_listed, (M,)),
    (C.rows_sorted_by_a_key, (M,)),
    (C.entries_sorted, (M,)),
    (C.rows_through_iter_and_next, (M,)),
    (C.generator_of_layers, (RNG.normal(size=(4, 2)),)),
    (C.generator_with_yield_from, (M,)),
]


def numeric(f, args):
    """d f / d args[0], the other arguments held."""
    return central_differences(lambda a: f(a, *args[1:]), np.asarray(args[0], np.float64))


@pytest.mark.parametrize(("fn", "args"), GENERIC, ids=lambda v: getattr(v, "__name__", ""))
def test_gradients_in_both_kinds_of_code(fn, args):
    check_grads(fn, *args)
    np.testing.assert_allclose(adc.grad(fn)(*args), numeric(fn, args),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("fn", "args"), SPECIALISED, ids=lambda v: getattr(v, "__name__", ""))
def test_gradients_in_shape_specialised_code(fn, args):
    np.testing.assert_allclose(adc.grad(fn)(*args), numeric(fn, args),
                               rtol=1e-6, atol=1e-8)
    value, _ = adc.value_and_grad(fn)(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-14)
    tangent = RNG.normal(size=np.shape(args[0]))
    _, forward = adc.jvp(lambda a: fn(a, *args[1:]), (args[0],), (tangent,))
    np.testing.assert_allclose(forward, np.sum(numeric(fn, args) * tangent),
                               rtol=1e-6, atol=1e-8)


def test_a_hessian_through_np_add_at_with_a_tuple_of_index_arrays():
    """Refused before: 'a Jacobian needs the shapes ... known only when the code runs'."""
    x = np.asarray(X, np.float64)
    hessian = adc.hessian(C.add_at_diagonal_assembly)(x)
    gradient = adc.grad(C.add_at_diagonal_assembly)
    for i in range(x.size):
        np.testing.assert_allclose(hessian[i], central_differences(
            lambda a, i=i: gradient(a)[i], x), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("fn", [C.starred_first, C.rows, C.max_min_of_array],
                         ids=lambda f: f.__name__)
def test_unpacking_an_array_is_refused_in_shape_generic_code(fn):
    args = (M,) if fn is C.rows else (X,)
    with pytest.raises(AutodiffError, match="known only when the code runs"):
        vjp(fn, *args, specialize=False)


def test_tuple_indexed_in_a_loop_keeps_its_gradient_in_shape_generic_code():
    """The loop is unrolled: a tuple of arrays indexed by the loop's run-time counter
    used to lose the gradient of the item taken (the adjoint loop did nothing)."""
    x = np.array([0.5, 1.5, -0.3])
    _, pullback = vjp(C.tuple_indexed_in_a_loop, x, specialize=False)
    np.testing.assert_allclose(pullback(1.0)[0], [2.0, 3.0, np.cos(-0.3)], rtol=1e-14)


@pytest.mark.parametrize("fn", [C.chained_comparison, C.chained_three, C.item_in_tuple,
                                C.item_not_in_array, C.any_of_list, C.all_of_array,
                                C.truth_of_a_value], ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [X, X * 2.0, np.array([0.3, 0.5, 0.3, 2.0]),
                               np.array([1.0, 0.5, 2.0, 0.3])], ids=str)
def test_comparisons_take_pythons_branch(fn, x):
    value, _ = adc.value_and_grad(fn)(x)
    assert value == fn(x)


def test_ties_go_to_the_item_python_returns():
    x = np.array([1.5, 0.0, 0.0, 0.0])
    np.testing.assert_array_equal(adc.grad(C.max_at_a_tie)(x), [1.0, 0.0, 0.0, 0.0])
    assert C.max_at_a_tie(x) == adc.value_and_grad(C.max_at_a_tie)(x)[0]


REFUSED = [
    (C.walrus_in_while_test, (X,), "condition of a while loop"),
    (C.walrus_in_run_time_branch, (X,), "branch of a conditional expression"),
    (C.walrus_after_run_time_and, (X,), "operand of 'and'"),
    (C.unpack_too_many, (X,), "expected 2 values to unpack, got 4"),
    (C.unpack_zero_d, (X,), "cannot unpack a 0-d array"),
    (C.double_star_array, (X,), r"\*\*array in a call"),
    (C.keyword_given_twice, (X,), "multiple values for keyword argument 'c'"),
    (C.tuple_indexed_by_argument, (X, 1), "run-time index"),
    (C.add_at_into_argument, (X,), "the caller's array"),
    (C.add_at_into_view, (X,), "writing into a view"),
    (C.multiply_at, (X,), r"np.multiply.at\(...\) is not supported yet"),
    (C.errstate_that_raises, (X,), "np.errstate that makes NumPy raise"),
    (C.with_a_lock, (X,), "only np.errstate and contextlib.nullcontext"),
    (C.isinstance_of_an_item, (X,), "a 0-d value may be a NumPy scalar or an array"),
    (C.range_of_a_run_time_count, (X,), r"range\(\) of a run-time value"),
]


@pytest.mark.parametrize(("fn", "args", "message"), REFUSED,
                         ids=lambda v: getattr(v, "__name__", ""))
def test_refused_at_the_users_line(fn, args, message):
    with pytest.raises(AutodiffError, match=message) as info:
        adc.grad(fn)(*args) if fn is not C.tuple_indexed_by_argument else \
            adc.grad(fn, grad_position=0)(X, np.int64(1))
    assert "unpacking_cases.py:" in str(info.value)


def test_max_of_arrays_fails_as_python_does():
    with pytest.raises(ValueError, match="truth value"):
        C.max_of_arrays(M)
    with pytest.raises((ValueError, TypeError, AutodiffError), match="truth value"):
        adc.grad(C.max_of_arrays)(M)


def test_every_array_of_a_mindspore_program_is_a_tensor():
    """``isinstance(x, Tensor)`` in a ``construct`` holds for the arrays compiled code
    computes on, as in MindSpore; a Parameter is not every array."""
    def scaled(x):
        if isinstance(x, adc.Tensor) and not isinstance(x, adc.Parameter):
            return np.sum(x * 3.0)
        return np.sum(x)

    np.testing.assert_allclose(adc.grad(scaled)(X), np.full(4, 3.0))

"""In-place writes (``acc += v``, ``acc[i] = v``) into memory that something still
alive reads — another name, a view, the array a loop walks — are refused at the user's
line; writes nobody else sees keep working, with exact gradients."""
import numpy as np
import pytest

import autodiff_compiler as adc
from tests import aliasing_cases as cases

X = np.array([[0.3, -0.8, 0.5], [1.1, 0.2, -0.4]])

REFUSED = [
    ("loop_over_reshape", cases.loop_over_reshape_written, "while a loop iterates"),
    ("loop_over_rows", cases.loop_over_rows_written, "while a loop iterates"),
    ("loop_over_transpose", cases.loop_over_transpose_written, "while a loop iterates"),
    ("loop_over_slice_subscript", cases.loop_over_slice_subscript_written,
     "while a loop iterates"),
    ("loop_over_ravel", cases.loop_over_ravel_written, "while a loop iterates"),
    ("zip_over_view", cases.zip_over_view_written, "while a loop iterates"),
    ("view_name_in_loop", cases.loop_over_view_name_written, "'rows' shares memory"),
    ("view_name_after", cases.view_name_read_after_write, "'v' shares memory"),
    ("view_name_next_iteration", cases.view_name_read_in_next_iteration, "'v' shares memory"),
    ("view_after_subscript_write", cases.view_read_after_subscript_write, "'v' shares memory"),
    ("base_after_view_written", cases.base_read_after_view_written, "'acc' shares memory"),
    ("view_after_branch_write", cases.view_read_after_write_in_branch, "'v' shares memory"),
    ("view_in_branch_then_written", cases.view_taken_in_branch_then_written,
     "'v' shares memory"),
    ("argument_view_read_after", cases.argument_view_read_after_augmented,
     "'v' shares memory"),
    ("zero_d_where_read_after", cases.zero_d_where_read_after_write, "'picked' shares memory"),
    ("zero_d_astype_read_after", cases.zero_d_astype_read_after_write, "'cast' shares memory"),
    ("zero_d_zeros_read_after", cases.zero_d_zeros_read_after_write, "'kept' shares memory"),
    ("zero_d_attribute_written", cases.zero_d_attribute_written_and_name_read,
     "'acc' shares memory"),
    ("made_array_view_read_after", cases.made_array_view_read_after_write,
     "'row' shares memory"),
    ("made_array_written_by_a_helper", cases.made_array_written_by_a_helper,
     "'made' shares memory"),
    ("made_array_carried_by_a_loop", cases.made_array_carried_by_a_loop,
     "'start' shares memory"),
    ("zero_d_where_of_numbers", cases.zero_d_where_of_numbers_read_after_write,
     "'picked' shares memory"),
    ("view_written_by_a_helper", cases.view_written_by_a_helper, "'grid' shares memory"),
    ("view_of_a_base_a_helper_wrote", cases.view_of_a_base_a_helper_wrote,
     "'last' shares memory"),
    # a name for an array a global, an attribute or a dict holds, written through; the
    # array read again from there would show NumPy the new values (the compiled code
    # gave the old ones, silently)
    ("attribute_after_alias_written", cases.Running().attribute_read_after_alias_written,
     "'self.total' shares memory"),
    ("item_after_alias_written", cases.Running().item_read_after_alias_written,
     r"'self.parameters\[...\]' shares memory"),
    ("global_after_alias_written", cases.global_read_after_alias_written,
     "'RUNNING' shares memory"),
    ("global_item_after_alias_written", cases.global_item_read_after_alias_written,
     r"'CACHE\[...\]' shares memory"),
    ("chained_write_through_a_slice", cases.chained_write_through_a_slice,
     r"writing into a view \(getitem"),
    # the memory a run-time branch's value may be: each path's
    ("zero_d_on_one_path", cases.zero_d_on_one_path_read_after_write, "'picked' shares memory"),
    ("zero_d_on_one_path_kept", cases.zero_d_on_one_path_kept_on_an_attribute,
     "'picked' shares memory"),
    ("view_from_either_branch", cases.view_from_either_branch_written, "'acc' shares memory"),
    ("view_of_reshape_from_branch", cases.view_of_a_reshape_from_a_branch_written,
     "'acc' shares memory"),
    ("view_from_branch_by_index", cases.view_from_one_branch_written_by_index,
     r"writing into a view \(getitem"),
    ("argument_from_branch_by_index", cases.argument_from_one_branch_written_by_index,
     "the caller passed in"),
    ("view_carried_out_of_loop", cases.view_carried_out_of_a_loop_written,
     "'acc' shares memory"),
    ("asarray_of_a_scalar", cases.asarray_of_a_scalar_read_after_write, "'kept' shares memory"),
    ("partial_of_an_array_written", cases.partial_of_an_array_written, "'times_y' shares"),
    ("bound_method_of_an_array_written", cases.bound_method_of_an_array_written,
     "'total' shares"),
    ("generator_over_an_array_written", cases.generator_over_an_array_written,
     "'squares' shares"),
    ("map_over_an_array_written", cases.map_over_an_array_written, "'exps' shares"),
    ("view_method_written", cases.view_method_written, "'y' shares"),
    ("view_of_an_array_a_helper_wrote", cases.view_of_an_array_a_helper_wrote_by_index,
     "'head' shares"),
    ("argument_written_by_a_helper", cases.argument_written_by_a_helper, "the caller passed in"),
    ("buffer_a_helper_wrote_in_its_branch", cases.buffer_a_helper_wrote_in_its_branch,
     "'out' shares memory"),
    ("columns_swapped_through_views", cases.columns_swapped_through_views,
     "an earlier target of the assignment wrote"),
    ("named_view_unpacked", cases.named_view_unpacked_after_its_row_written,
     "an earlier target of the assignment wrote"),
]


@pytest.mark.parametrize("fn, message", [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_in_place_write_seen_elsewhere_is_refused_at_the_line(fn, message):
    x = X.copy()
    with pytest.raises(adc.AutodiffError, match=message) as err:
        adc.value_and_grad(fn)(x)
    assert "copy it first" in str(err.value)
    assert "aliasing_cases.py:" in str(err.value)
    np.testing.assert_array_equal(x, X)


def test_a_write_into_an_array_made_from_constants_is_refused_at_its_line():
    """The array is part of the compiled code (so is the view taken of it): a write
    would have to show through both. Refused, naming what to write instead."""
    with pytest.raises(adc.AutodiffError, match="array made from constants") as err:
        adc.grad(cases.constant_array_written)(X.copy())
    line = cases.constant_array_written.__code__.co_firstlineno + 3
    assert f"aliasing_cases.py:{line}:" in str(err.value)
    assert "np.zeros" in str(err.value)


ALLOWED = [
    ("fresh_accumulator", cases.fresh_accumulator),
    ("rebound_while_iterating", cases.rebound_while_iterating),
    ("view_dead_before_write", cases.view_dead_before_write),
    ("scalar_names_rebound", cases.scalar_names_rebound),
    ("element_copied_before_write", cases.element_copied_before_write),
    ("iterating_over_a_copy", cases.iterating_over_a_copy),
    ("view_taken_after_write", cases.view_taken_after_write),
    ("view_read_before_write", cases.view_read_before_write),
    ("written_in_the_branch_taken", cases.written_in_the_branch_taken),
    ("written_in_the_branch_not_taken", cases.written_in_the_branch_not_taken),
    ("zero_d_scalars_rebound", cases.zero_d_scalars_rebound),
    ("columns_swapped_through_copies", cases.columns_swapped_through_copies),
    ("columns_swapped_by_fancy_indexing", cases.columns_swapped_by_fancy_indexing),
    ("names_swapped", cases.names_swapped),
    ("zero_d_array_made_and_written", cases.zero_d_array_made_and_written),
    ("chained_index_writes", cases.chained_index_writes),
    ("made_arrays_written", cases.made_arrays_written_nobody_else_reads),
    ("flattened_copy", cases.flattened_copy_read_after_write),
    ("fresh_from_either_branch", cases.fresh_from_either_branch_written),
    ("scalar_from_either_branch", cases.scalar_from_either_branch_rebound),
    ("write_into_a_copy_by_list", cases.write_into_a_copy_by_list),
    ("write_into_a_copy_by_mask", cases.write_into_a_copy_by_mask),
    ("write_through_a_row_and_a_dict", cases.write_through_an_integer_row_and_a_dict),
    ("asarray_of_scalars_written", cases.asarray_of_scalars_written),
    ("readers_of_arrays_nobody_writes", cases.readers_of_arrays_nobody_writes),
    ("view_method_read", cases.view_method_read),
    ("list_item_named_and_written", cases.list_item_named_and_written),
    ("buffer_filled_by_a_helper", cases.buffer_filled_by_a_helper),
    ("asarray_of_its_own_dtype", cases.asarray_of_its_own_dtype_written),
    # another name for the very array written (not a view): NumPy shows it the write,
    # and so does the compiled code now (these were refused)
    ("alias_name_after", cases.alias_name_read_after_write),
    ("zero_d_array_read_after", cases.zero_d_array_read_after_write),
    ("made_array_read_after", cases.made_array_read_after_write),
    ("list_item_written", cases.list_item_written_and_array_read),
    ("dict_item_written", cases.dict_item_written_and_array_read),
    ("cast_without_copy", cases.cast_without_copy_read_after_write),
    # an array made from constants that a loop writes into: the loop's result is that
    # array, written (these were refused)
    ("made_zero_d_accumulated_in_a_for", cases.made_zero_d_accumulated_in_a_for),
    ("made_zero_d_accumulated_in_a_while", cases.made_zero_d_accumulated_in_a_while),
    ("made_vector_written_by_index", cases.made_vector_written_by_index_in_a_loop),
    ("made_zero_d_written_then_rebound", cases.made_zero_d_written_then_rebound_in_a_loop),
    ("attribute_of_a_zero_d_accumulator",
     cases.attribute_of_a_zero_d_accumulator_a_loop_writes),
    ("attribute_of_an_array_a_loop_writes", cases.attribute_holding_an_array_a_loop_writes),
    ("list_of_an_array_a_settled_loop_writes", cases.list_holding_an_array_a_loop_writes),
    ("made_zero_d_written_with_numbers_in_a_list",
     cases.made_zero_d_written_with_numbers_read_through_a_list),
    ("made_zero_d_written_with_numbers_by_name",
     cases.made_zero_d_written_with_numbers_read_through_a_name),
    ("element_held_by_an_attribute", cases.element_held_by_an_attribute_then_added_to),
]


@pytest.mark.parametrize("fn", [c[1] for c in ALLOWED], ids=[c[0] for c in ALLOWED])
def test_in_place_write_nobody_else_reads_keeps_python_meaning(fn):
    x = X.copy()
    value, _ = adc.value_and_grad(fn)(x)
    np.testing.assert_array_equal(x, X)  # the caller's array is never written
    assert value == pytest.approx(fn(X.copy()))
    adc.check_grads(fn, X.copy(), generic=fn not in RANK_DEPENDENT)


# Whether these write memory another name holds depends on the ranks (or dtypes) of the
# arguments (``acc[0]`` of a vector is a number, of a matrix a row, a view; ``acc += v``
# rebinds a number; ``astype(float64, copy=False)`` of float64 is the array itself):
# shape-generic code, which runs on any, refuses them (it compiled them as for numbers
# or copies, and gave the values from before the write where they were not).
RANK_DEPENDENT = {cases.element_copied_before_write, cases.zero_d_scalars_rebound,
                  cases.names_swapped, cases.alias_name_read_after_write,
                  cases.list_item_written_and_array_read,
                  cases.cast_without_copy_read_after_write,
                  cases.asarray_of_its_own_dtype_written,
                  cases.element_held_by_an_attribute_then_added_to,
                  cases.list_item_named_and_written, cases.buffer_filled_by_a_helper}


@pytest.mark.parametrize("fn", sorted(RANK_DEPENDENT, key=lambda f: f.__name__))
def test_a_write_whose_aliasing_depends_on_the_rank_is_refused_in_shape_generic_code(fn):
    with pytest.raises(adc.AutodiffError, match="shares memory") as err:
        adc.gradient_source(fn)
    assert "aliasing_cases.py:" in str(err.value)


def test_shape_generic_code_refuses_reading_a_name_an_unknown_rank_write_outdated():
    """``a += 1`` on a value of unknown rank may write an array: reading the other
    name for it is refused, where it silently kept the values from before (5.0 from
    the shape-generic program ``show`` and ``export`` print, for NumPy's 8.0 at
    x = [1, 2])."""
    with pytest.raises(adc.AutodiffError, match="'y' shares memory"):
        adc.gradient_source(cases.alias_read_after_write_of_unknown_rank)


def test_a_name_for_an_objects_array_written_through_and_read_keeps_its_new_value():
    """``r = self.total; r += v`` rebinds ``r`` as ``x += v`` on an argument does: the
    object's array is never written, and ``r`` holds the sum."""
    model = cases.Running()
    value, grad = adc.value_and_grad(model.alias_written_and_read)(X.copy())
    assert value == pytest.approx(np.sum(X[0] * X[1]))
    np.testing.assert_allclose(grad, np.stack([X[1], X[0]]))
    np.testing.assert_array_equal(model.total, np.zeros(3))


def test_augmented_assignment_to_an_argument_rebinds_it_as_mindspore_does():
    """``x += 1`` on an argument: the gradient of ``sum((x + 1) ** 2)``, and the caller's
    array unchanged (a MindSpore Tensor's ``+=`` makes a new tensor too)."""
    x = X.copy()
    value, grad = adc.value_and_grad(cases.argument_written_in_place)(x)
    np.testing.assert_array_equal(x, X)
    assert value == pytest.approx(np.sum((X + 1.0) ** 2))
    np.testing.assert_allclose(grad, 2 * (X + 1.0), rtol=1e-12)


def test_augmented_assignment_keeps_the_arrays_dtype():
    """``acc += v`` writes into ``acc``: a float32 array stays float32 (NumPy casts the
    float64 result back), in value and gradient."""
    fn = cases.float32_accumulator
    value, grad = adc.value_and_grad(fn)(X.copy())
    want = fn(X.copy())
    assert np.asarray(value).dtype == np.asarray(want).dtype
    assert value == pytest.approx(want, rel=1e-6)
    np.testing.assert_allclose(grad, (X * np.float32(1.0)) * 1.0, rtol=1e-6)


@pytest.mark.parametrize("fn, message", [
    (cases.accumulator_grown_by_broadcast, "cannot write into 'acc' of shape"),
    (cases.int_accumulator_given_floats, "casting rule 'same_kind'"),
    (cases.made_zero_d_grown_by_broadcast, "cannot write into 'acc' of shape"),
    (cases.made_int_array_given_floats, "casting rule 'same_kind'"),
], ids=["shape", "dtype", "made_shape", "made_dtype"])
def test_augmented_assignment_numpy_cannot_store_is_refused(fn, message):
    with pytest.raises((ValueError, TypeError)):
        fn(X.copy())  # NumPy raises too
    with pytest.raises(adc.AutodiffError, match=message):
        adc.value_and_grad(fn)(X.copy())

"""``return``/``break`` on a run-time condition in loops unrolled while compiling,
and lists and dicts changed in branches: gradients against finite differences (to
second order) on every path, values as Python gives them, and what stays refused."""
import numpy as np
import pytest
import unrolled_jump_cases as cases

import autodiff_compiler as adc
from autodiff_compiler import check_grads

ROWS = np.array([[0.1, 0.2, 0.05], [0.9, 0.5, 0.4], [2.0, 1.0, 0.3]])
LOW = np.array([[0.1, 0.2, 0.05], [0.3, -0.5, 0.1], [0.2, 0.1, -0.5]])
MIXED = np.array([[-0.4, -0.2, 0.1], [0.3, 0.2, 0.1], [1.0, 0.6, 0.4]])
X = np.array([0.3, 0.4, -0.1])

CASES = [
    ("early_return_taken", cases.early_return_building_list, ROWS),
    ("early_return_not_taken", cases.early_return_building_list, LOW),
    ("early_return_first_row", cases.early_return_building_list, ROWS[::-1]),
    ("reads_list_taken", cases.early_return_reads_list, ROWS),
    ("reads_list_not_taken", cases.early_return_reads_list, LOW),
    ("tuple_taken", cases.early_return_tuple_building_list, ROWS),
    ("tuple_not_taken", cases.early_return_tuple_building_list, LOW),
    ("break_early", cases.break_building_list, X * 3.0),
    ("break_late", cases.break_building_list, X),
    ("break_never", cases.break_building_list, -X),
    ("break_skips_else", cases.break_with_else, X * 4.0),
    ("else_runs", cases.break_with_else, -X),
    ("counted_while_returns", cases.return_in_counted_while, X * 3.0),
    ("counted_while_ends", cases.return_in_counted_while, -X),
    ("nested_returns_inner", cases.return_in_nested_unrolled, ROWS),
    ("nested_ends", cases.return_in_nested_unrolled, LOW),
    ("return_then_continue", cases.return_then_continue, MIXED),
    ("return_then_continue_no_return", cases.return_then_continue, LOW),
    ("breaks_in_nested_walked_loops", cases.breaks_in_nested_walked_loops, X),
    ("breaks_in_nested_walked_loops_never", cases.breaks_in_nested_walked_loops, X * 0.01),
    ("continue_then_break_continues", cases.continue_then_break, MIXED),
    ("continue_then_break_else", cases.continue_then_break, LOW),
    ("continue_then_break_breaks", cases.continue_then_break, ROWS),
    ("return_then_inner_break_returns", cases.return_then_inner_break, ROWS),
    ("return_then_inner_break_breaks", cases.return_then_inner_break, MIXED),
    ("return_then_inner_break_ends", cases.return_then_inner_break, LOW),
    ("break_concatenating_list_early", cases.break_concatenating_list, X * 3.0),
    ("break_concatenating_list_never", cases.break_concatenating_list, -X),
    ("append_both_branches_pos", cases.append_in_both_branches, X),
    ("append_both_branches_neg", cases.append_in_both_branches, -X),
    ("dict_in_branches_pos", cases.dict_set_in_branches, X),
    ("dict_in_branches_neg", cases.dict_set_in_branches, -X),
]


@pytest.mark.parametrize("name,fn,x", CASES, ids=[c[0] for c in CASES])
def test_jump_in_unrolled_loop_matches_finite_differences(name, fn, x):
    check_grads(fn, x, order=2, modes=("rev",))


@pytest.mark.parametrize("name,fn,x", CASES, ids=[c[0] for c in CASES])
def test_jump_in_unrolled_loop_value_is_pythons(name, fn, x):
    got, _ = adc.value_and_grad(fn)(x)
    want = fn(x)
    for g, w in zip(got if isinstance(want, tuple) else [got],
                    want if isinstance(want, tuple) else [want]):
        np.testing.assert_allclose(g, w)


@pytest.mark.parametrize("x", [ROWS, -ROWS * 0.01, -ROWS], ids=["in_loop", "after", "end"])
def test_return_after_unrolled_loop_with_return_is_lowered_outside_it(x):
    """What follows the loop, in the branch that did not return, is not in the loop."""
    y = np.array(0.4)
    check_grads(lambda a, b: cases.returns_in_and_after_walked_rows(a, b)[0], x, y, order=2,
                modes=("rev",))
    value, _ = adc.value_and_grad(cases.returns_in_and_after_walked_rows, has_aux=True)(x, y)
    np.testing.assert_allclose(value[0], cases.returns_in_and_after_walked_rows(x, y)[0])


def test_branches_change_their_own_copy_of_a_dict():
    """Both branches used to write into one dict: the last one lowered won on both paths."""
    g = adc.grad(cases.dict_set_in_branches)(X)
    np.testing.assert_allclose(g, 8.0 * X)


def test_list_appended_on_one_path_only_refused():
    with pytest.raises(adc.AutodiffError, match=r"'parts' of different structure "
                                                r"\(list of 1 and list of 0\)"):
        adc.grad(cases.append_in_one_branch)(X)


@pytest.mark.parametrize("fn", [cases.return_in_unrolled_in_run_time_loop,
                                cases.continue_then_return],
                         ids=["inside_run_time_loop", "after_run_time_continue"])
def test_return_in_unrolled_loop_where_the_rest_cannot_follow_refused(fn):
    with pytest.raises(adc.AutodiffError, match=r"'return' on a run-time condition in a loop "
                                                r"unrolled while compiling"):
        adc.grad(fn)(MIXED if fn is cases.continue_then_return else X)


def test_breaks_lower_what_follows_the_loop_once():
    """A break under a run-time condition used to take what follows its loop into both
    branches: the code doubled at every break, 5 ** 6 copies here."""
    source = adc.gradient_source(cases.breaks_in_nested_walked_loops, args=(X,))
    assert source.count("\n") < 2000, source.count("\n")

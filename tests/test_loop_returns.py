"""A ``return`` inside a loop run at run time, in a function whose result is a tuple,
list or dict: the gradients against finite differences on both sides of the jump,
and the structures that Python itself would give different types refused."""
import loop_return_cases as cases
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads

X = np.array([0.3, 0.8, -0.2])
TAKEN = np.array([[0.1, 0.2, 0.05], [1.5, -0.5, 0.4], [2.0, 1.0, 0.3]])
NOT_TAKEN = np.array([[0.1, 0.2, 0.05], [0.3, -0.5, 0.1]])

CASES = [
    ("tuple_from_rows_taken", cases.tuple_from_rows, (TAKEN,)),
    ("tuple_from_rows_not_taken", cases.tuple_from_rows, (NOT_TAKEN,)),
    ("nested_taken", cases.nested_from_rows, (TAKEN,)),
    ("nested_not_taken", cases.nested_from_rows, (NOT_TAKEN,)),
    ("while_returns", cases.tuple_from_while, (X,)),
    ("while_returns_first_pass", cases.tuple_from_while, (X * 4.0,)),
    ("while_ends", cases.tuple_from_while_else_path, (X,)),
    ("while_ends_returning", cases.tuple_from_while_else_path, (X * 100.0,)),
]


@pytest.mark.parametrize("name,fn,args", CASES, ids=[c[0] for c in CASES])
def test_return_of_structure_in_run_time_loop_matches_finite_differences(name, fn, args):
    check_grads(fn, *args, order=2, modes=("rev",))


@pytest.mark.parametrize("name,fn,args", CASES, ids=[c[0] for c in CASES])
def test_return_of_structure_in_run_time_loop_value_is_pythons(name, fn, args):
    got, _ = adc.value_and_grad(fn)(*args)
    _assert_same_tree(got, fn(*args))


def _assert_same_tree(got, want):
    assert type(got) is type(want)
    if isinstance(want, dict):
        assert got.keys() == want.keys()
        for k in want:
            _assert_same_tree(got[k], want[k])
    elif isinstance(want, tuple | list):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same_tree(g, w)
    else:
        np.testing.assert_allclose(got, want)


@pytest.mark.parametrize("n", [0, 2], ids=["zero_iterations", "two_iterations"])
def test_return_of_tuple_in_for_of_run_time_length_with_aux(n):
    x = np.array([0.5, -1.0, 2.0])
    (value, aux), g = adc.value_and_grad(cases.tuple_from_for, has_aux=True)(x, np.array(n))
    expected = np.sum(x) if n else np.max(x)
    assert value == expected
    np.testing.assert_allclose(aux, x * 2.0)
    np.testing.assert_allclose(g, np.ones(3) if n else [0.0, 0.0, 1.0])


@pytest.mark.parametrize("xs", [TAKEN, NOT_TAKEN], ids=["taken", "not_taken"])
def test_return_in_run_time_loop_with_aux_tuple(xs):
    g, ((peak, row),) = adc.grad(cases.aux_from_rows, has_aux=True)(xs)
    _, (want_peak, want_row) = cases.aux_from_rows(xs)
    assert peak == want_peak
    np.testing.assert_allclose(row, want_row)
    check_grads(lambda a: cases.aux_from_rows(a)[0], xs, order=2, modes=("rev",))
    eps, num = 1e-6, np.zeros_like(xs)
    for i in np.ndindex(xs.shape):
        d = np.zeros_like(xs)
        d[i] = eps
        num[i] = (cases.aux_from_rows(xs + d)[0] - cases.aux_from_rows(xs - d)[0]) / (2 * eps)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("fn,kinds", [
    (cases.structure_differs, r"tuple of 2 and array or number"),
    (cases.falls_off_after_loop, r"tuple of 2 and None"),
], ids=["tuple_or_array", "tuple_or_none"])
def test_return_in_run_time_loop_of_different_structures_refused(fn, kinds):
    with pytest.raises(adc.AutodiffError, match=rf"different structure \({kinds}\)"):
        adc.grad(fn)(TAKEN)


NESTED = [
    ("while_for_returns_at_once", cases.return_in_nested_run_time_loops, (X * 4.0,)),
    ("while_for_returns_later", cases.return_in_nested_run_time_loops, (X + 0.3,)),
    ("while_for_never_runs", cases.return_in_nested_run_time_loops, (X * 20.0,)),
    ("unconditional_inner_runs", cases.return_unconditional_in_inner_loop, (X, np.array(2))),
    ("unconditional_inner_empty", cases.return_unconditional_in_inner_loop, (X, np.array(0))),
    ("for_for_returns", cases.return_in_nested_for_ranges, (X + 0.5, np.array(3))),
    ("for_for_ends", cases.return_in_nested_for_ranges, (X - 2.0, np.array(2))),
]


@pytest.mark.parametrize("name,fn,args", NESTED, ids=[c[0] for c in NESTED])
def test_return_in_loop_nested_in_run_time_loop(name, fn, args):
    check_grads(lambda *a: fn(*a)[0], *args, order=2, modes=("rev",))
    (value, aux), _ = adc.value_and_grad(fn, has_aux=True)(*args)
    want, want_aux = fn(*args)
    np.testing.assert_allclose(value, want)
    _assert_same_tree(aux, want_aux)

"""A ufunc's methods (``np.add.reduce``, ``np.multiply.accumulate``, ``np.<f>.outer``)
against NumPy's values and finite differences. The meta-tests of test_rules.py count
these rows: one per method registered."""
from __future__ import annotations

import numpy as np
import pytest
from test_rules import Row, names

import autodiff_compiler as adc
from autodiff_compiler import check_grads
from autodiff_compiler.ir.surface import ufunc_methods

M = np.linspace(0.6, 1.9, 6).reshape(2, 3)


def reduce_of(ufunc):
    def fn(m):
        return ufunc.reduce(m) * 1.5 + ufunc.reduce(m, axis=1, keepdims=True).sum()
    return fn


def accumulate_of(ufunc):
    def fn(m):
        return ufunc.accumulate(m, axis=1) + ufunc.accumulate(m)
    return fn


def outer_of(ufunc):
    def fn(a, b):
        return ufunc.outer(a, b)
    return fn


def reduce_all_axes(m):
    return np.add.reduce(m, axis=None) + np.maximum.reduce([m[0, 0], m[1, 2]])


REDUCE = [Row(f"{u.__name__}_reduce", reduce_of(u), surface=u.reduce)
          for u in ufunc_methods.REDUCE]
# maximum/minimum/logaddexp.accumulate are NumPy definitions (numpy_definitions.py)
ACCUMULATE = [Row(f"{u.__name__}_accumulate", accumulate_of(u), surface=u.accumulate)
              for u in [*ufunc_methods.ACCUMULATE, np.maximum, np.minimum, np.logaddexp]]
OUTER = [Row(f"{u.__name__}_outer", outer_of(u), surface=u.outer) for u in ufunc_methods.OUTER]
ALL_ROWS = REDUCE + ACCUMULATE + OUTER  # for test_rules' meta-tests


def _differentiable(value) -> bool:
    return all(np.asarray(v).dtype.kind == "f" for v in (value if isinstance(value, tuple)
                                                          else (value,)))


@pytest.mark.parametrize("row", REDUCE + ACCUMULATE, ids=names(REDUCE + ACCUMULATE))
def test_reduce_and_accumulate_match_numpy_and_finite_differences(row):
    m = M > 1.0 if row.name.startswith("logical") else M
    expected = row.fn(m)
    value = adc.jvp(row.fn, (M,), (np.zeros_like(M),))[0] if m is M else None
    if value is not None:
        np.testing.assert_array_equal(value, expected)
        check_grads(row.fn, M, order=2)


@pytest.mark.parametrize("row", OUTER, ids=names(OUTER))
def test_outer_matches_numpy_and_finite_differences(row):
    a, b = M, M[0] * 0.77 + 0.05  # no ratio a whole number: mod and // jump there
    if row.name == "ldexp_outer":
        b = np.array([1, -2, 3])
    try:
        expected = row.fn(a, b)
    except TypeError:  # bitwise ones of floats: NumPy refuses, and so does the compiler
        with pytest.raises(TypeError):
            adc.jvp(row.fn, (a, b), tuple(np.zeros_like(v) for v in (a, b)))
        return
    if not _differentiable(expected):  # comparisons: values only
        np.testing.assert_array_equal(adc.value_and_grad(
            lambda u, v: np.sum(row.fn(u, v)) * np.sum(u))(a, b)[0],
            np.sum(expected) * np.sum(a))
        return
    value = adc.jvp(row.fn, (a, b), tuple(np.zeros_like(v) for v in (a, b)))[0]
    np.testing.assert_allclose(value, expected, rtol=1e-15)  # (pow's loops: an ulp)
    check_grads(row.fn, a, b, generic=False)


def test_reduce_along_every_axis_and_of_a_list():
    value, grad = adc.value_and_grad(reduce_all_axes)(M)
    assert value == reduce_all_axes(M)
    expected = np.ones_like(M)
    expected[1, 2] += 1.0  # the larger of the two entries the maximum reads
    np.testing.assert_array_equal(grad, expected)


def running_maximum_weighted(x):
    return np.sum(np.maximum.accumulate(x) * np.array([1.0, 2.0, 3.0, 4.0, 5.0]))


def test_running_extremes_send_each_entry_the_weights_of_the_places_it_holds():
    """x = [1, 3, 2, 0.5, 5]: the running maximum is [1, 3, 3, 3, 5], so x[1] holds
    places 1 to 3 (weights 2 + 3 + 4), x[4] place 4; the running minimum is x[0] at
    places 0 to 2 (1 + 2 + 3), then x[3] (4 + 5)."""
    x = np.array([1.0, 3.0, 2.0, 0.5, 5.0])
    np.testing.assert_array_equal(adc.grad(running_maximum_weighted)(x), [1, 9, 0, 0, 5])
    g = adc.grad(lambda v: np.sum(np.minimum.accumulate(v) * np.arange(1.0, 6.0)))(x)
    np.testing.assert_array_equal(g, [6, 0, 0, 9, 0])
    _, tangent = adc.jvp(running_maximum_weighted, (x,), (np.arange(5.0),))
    assert tangent == 1 * 0 + (2 + 3 + 4) * 1 + 5 * 4
    holder = [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 1, 0, 0, 0], [0, 1, 0, 0, 0],
              [0, 0, 0, 0, 1]]  # [place, entry]: the entry holding each place
    for jacobian in (adc.jacrev, adc.jacfwd):
        np.testing.assert_array_equal(jacobian(running_maximum)(x), holder)


def running_maximum(x):
    return np.maximum.accumulate(x)


@pytest.mark.parametrize("ufunc", [np.maximum, np.minimum, np.logaddexp],
                         ids=lambda u: u.__name__)
def test_running_extremes_and_logaddexp_accumulate_equal_numpy_on_edges(ufunc):
    def scaled(m, s):
        return ufunc.accumulate(m, axis=1) * s
    x = np.array([[2.0, np.nan, 1.0, 7.0, -np.inf, 3.0, 3.0, 9.0, 0.0]])
    ints = [] if ufunc is np.logaddexp else [np.array([[4, 1, 5, 1, 9, 2]])]  # no int loop
    for a in [x, x[:, :1], x[:, 2:], *ints]:
        got = adc.jvp(scaled, (a, 1.0), (np.zeros_like(a, dtype=float), 0.0))[0]
        np.testing.assert_array_equal(got, ufunc.accumulate(a, axis=1))

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
ACCUMULATE = [Row(f"{u.__name__}_accumulate", accumulate_of(u), surface=u.accumulate)
              for u in ufunc_methods.ACCUMULATE]
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

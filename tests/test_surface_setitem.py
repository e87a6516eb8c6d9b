"""Functional subscript assignment (``P.setitem``), which lowering binds for
``y[index] = v``; here reached through ``surface_cases.assigned``, a stand-in mapped
to it."""
from __future__ import annotations

import numpy as np
import pytest
from surface_cases import assigned

import autodiff_compiler as adc
from autodiff_compiler import check_grads


def set_slice(x, v):
    return assigned(x, (slice(1, 3), 0), v) * x


def set_rows(x, i, v):
    return assigned(x, i, v) ** 2


def set_mixed(x, i, v):
    return assigned(x, (slice(None), i), v) ** 2


def set_mask(x, m, v):
    return assigned(x, m, v) * 3.0


def add_at_rows(x, i, v):
    return assigned(x, i, x[i] + v) ** 2  # x[i] += v


def set_row_with_leading_axes(x, v):
    """A value with leading unit axes more than the place (NumPy drops them): its
    adjoint summed into the slot's shape raised IndexError inside the compiler."""
    y = np.zeros((5, 4))
    y[4] = v[None, :] * 2.0
    y[1, 1:3] = np.reshape(v[:2], (1, 1, 2))
    return np.sum(y * x)


X = np.random.RandomState(0).uniform(-1, 1, (3, 4))
CASES = [
    ("slice", set_slice, (X, np.array([0.5, -0.5]))),
    ("broadcast_value", set_slice, (X, 0.25)),
    ("rows", set_rows, (X, np.array([2, 0]), np.ones((2, 4)))),
    ("repeated_rows", set_rows, (X, np.array([2, 0, 2]), np.arange(12.0).reshape(3, 4))),
    ("mixed", set_mixed, (X, np.array([1, 1, 3]), np.array([1.0, 2.0, 3.0]))),
    ("mask", set_mask, (X, X > 0, 0.5)),
    ("augmented", add_at_rows, (X, np.array([1, 1]), np.ones((2, 4)))),
    ("leading_unit_axes", set_row_with_leading_axes,
     (np.random.RandomState(1).uniform(-1, 1, (5, 4)), np.array([0.5, -1.0, 2.0, 0.25]))),
]


@pytest.mark.parametrize("fn, args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_setitem_matches_finite_differences(fn, args):
    check_grads(fn, *args)


def test_repeated_indices_give_the_gradient_to_the_last_write():
    v = np.arange(12.0).reshape(3, 4)
    _, vjp_fn = adc.vjp(set_rows, X, np.array([2, 0, 2]), v)
    gx, gv = vjp_fn(np.ones((3, 4)))
    np.testing.assert_array_equal(gv[0], 0.0)  # overwritten by the later write to row 2
    np.testing.assert_array_equal(gv[2], 2 * v[2])
    np.testing.assert_array_equal(gx[[0, 2]], 0.0)
    np.testing.assert_array_equal(gx[1], 2 * X[1])

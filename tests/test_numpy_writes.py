"""NumPy calls made for what they write into an array (``frontend/numpy_writes``):
``np.copyto``, ``np.fill_diagonal``, ``np.putmask``, ``np.place``, a ufunc's ``out=``,
``y.fill(v)`` and ``y.sort()``, and ``np.resize``, which ``np.putmask`` repeats its values
with.

Each case's value must equal NumPy's, run eagerly on the same arguments (which stay
unchanged), and its derivatives must match central finite differences (reverse and
forward mode), on several shapes. Writes NumPy would make visible elsewhere (into the
caller's array, a view, an array another name holds) are refused at the user's line.
"""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads

RNG = np.random.default_rng(11)


def copyto(x):
    z = np.zeros(np.shape(x))
    np.copyto(z, x ** 2)
    return np.sum(z * x)


def copyto_broadcast_where(x):
    z = x * 1.0
    np.copyto(z, np.sin(x[..., :1]), where=x > 0.2)
    return np.sum(z ** 2)


def copyto_into_a_row(x):
    z = np.ones((2, np.shape(x)[-1]))
    np.copyto(z[1], x[0] * 3.0)
    return np.sum(z * z)


def copyto_float32(x):
    z = np.zeros(np.shape(x), dtype=np.float32)
    np.copyto(z, x * 2.0, casting="unsafe")
    return np.sum(z.astype(np.float64) * x)


def fill_diagonal(x):
    z = x * 2.0
    np.fill_diagonal(z, 0.0)
    return np.sum(z ** 2)


def fill_diagonal_values(x):
    z = x * 1.0
    np.fill_diagonal(z, np.cos(x[0, :2]))
    return np.sum(z * x)


def fill_diagonal_wrapped(x):
    z = np.zeros((7, 3))
    np.fill_diagonal(z, x[0, 0] + 1.0, wrap=True)
    return np.sum(z * np.arange(21.0).reshape(7, 3)) * x[1, 1]


def putmask(x):
    z = x * 1.0
    np.putmask(z, x > 0, np.array([10.0, -1.0, 2.0]) * x.flatten()[:3])
    return np.sum(z ** 2)


def place(x):
    z = np.exp(x)
    np.place(z, x < 0.5, x.flatten()[:2] * 4.0)
    return np.sum(z * x)


def ufunc_out(x):
    z = np.empty(np.shape(x))
    np.multiply(x, np.sin(x), out=z)
    np.exp(z, out=z)
    return np.sum(z)


def ufunc_out_where(x):
    z = x * 3.0
    np.add(x, 1.0, out=z, where=x > 0)
    return np.sum(z ** 2)


def ufunc_out_tuple(x):
    z = x + 0.0
    np.tanh(x * 2.0, out=(z,))
    return np.sum(z * x)


def fill_method(x):
    z = np.empty(np.shape(x))
    z.fill(np.sum(x))
    return np.sum(z * x)


def sort_method(x):
    z = x ** 3
    z.sort(axis=0)
    return np.sum(z * np.arange(z.size).reshape(z.shape))


def write_in_a_loop(x):
    z = np.zeros(np.shape(x))
    for k in range(3):
        np.copyto(z, z * 0.5 + x * k)
    return np.sum(z ** 2)


def resize(x):
    return np.sum(np.resize(x, (3, 5)) * np.arange(15.0).reshape(3, 5))


def flat_every_other(x):
    """``y.flat[...] = v`` writes y's entries in row-major order (it was refused as a
    write into a view)."""
    y = x * 1.0
    y.flat[::2] = np.ravel(x)[::2] ** 3
    return np.sum(y ** 2)


def flat_entry_seen_by_another_name(x):
    y = x * 1.0
    z = y
    y.flat[1] = 5.0 * np.ravel(x)[0]
    return np.sum(z * x)


def held_twice(x):
    z = x * 1.0
    w = z
    np.exp(x, out=z)
    return np.sum(w)


CASES = [
    (copyto, [(3, 4), (5,)]),
    (copyto_broadcast_where, [(3, 4), (2, 2, 3)]),
    (copyto_into_a_row, [(2, 4)]),
    (copyto_float32, [(3,)]),
    (fill_diagonal, [(3, 4), (4, 3), (3, 3, 3)]),
    (fill_diagonal_values, [(4, 4), (5, 4)]),
    (fill_diagonal_wrapped, [(2, 2)]),
    (putmask, [(3, 4), (7,)]),
    (place, [(3, 4), (6,)]),
    (ufunc_out, [(3, 4), (5,)]),
    (ufunc_out_where, [(3, 4)]),
    (ufunc_out_tuple, [(2, 3)]),
    (fill_method, [(3, 4)]),
    (sort_method, [(3, 4), (5,)]),
    (write_in_a_loop, [(3, 4)]),
    (resize, [(4,), (2, 3), (20,)]),
    (held_twice, [(4,), (2, 3)]),  # another name for the array written sees the write
    (flat_every_other, [(5,), (2, 3)]),
    (flat_entry_seen_by_another_name, [(4,), (2, 3)]),
]
SHAPED = [(fn, shape) for fn, shapes in CASES for shape in shapes]


def _ids(case):
    return case.__name__ if callable(case) else str(case)


@pytest.mark.parametrize(("fn", "shape"), SHAPED, ids=_ids)
def test_values_are_numpys(fn, shape):
    x = RNG.uniform(-2.0, 2.0, shape)
    kept = x.copy()
    value, _ = adc.value_and_grad(fn)(x)
    np.testing.assert_array_equal(x, kept)
    np.testing.assert_allclose(value, fn(x), rtol=1e-6 if fn is copyto_float32 else 1e-12)


@pytest.mark.parametrize(("fn", "shape"), [c for c in SHAPED if c[0] is not copyto_float32],
                         ids=_ids)
def test_derivatives_match_finite_differences(fn, shape):
    check_grads(fn, RNG.uniform(-2.0, 2.0, shape), generic=False)


def test_a_float32_destination_rounds_the_values_written():
    x = np.array([0.1, 1.0 / 3.0, 2.7])
    got = adc.grad(copyto_float32)(x)
    z = (x * 2.0).astype(np.float32).astype(np.float64)
    # d/dx sum(z x) = z + 2 x, the cast to float32 passing the cotangent (x) back
    # rounded to float32 as any cast does
    np.testing.assert_allclose(got, z + 2.0 * x.astype(np.float32), rtol=1e-15)


def into_the_argument(x):
    np.copyto(x, x ** 2)
    return np.sum(x)


def into_a_view(x):
    z = x * 1.0
    v = z[0]
    np.fill_diagonal(v.reshape(2, 2), 1.0)
    return np.sum(z)


def float_into_int(x):
    z = np.zeros(3, dtype=np.int64)
    np.copyto(z, x)
    return np.sum(x)


def diagonal_of_a_vector(x):
    z = x * 1.0
    np.fill_diagonal(z, 0.0)
    return np.sum(z)


def two_outputs(x):
    z = x * 1.0
    w = x * 1.0
    np.modf(x, out=(z, w))
    return np.sum(z)


@pytest.mark.parametrize(("fn", "message"), [
    (into_the_argument, r"test_numpy_writes\.py:\d+.*(caller|argument|copy it first)"),
    (into_a_view, r"test_numpy_writes\.py:\d+"),
    (float_into_int, r"test_numpy_writes\.py:\d+.*cannot cast float64 into int64"),
    (diagonal_of_a_vector, r"test_numpy_writes\.py:\d+.*at least 2 dimensions"),
    (two_outputs, r"test_numpy_writes\.py:\d+.*2 outputs"),
], ids=lambda c: c.__name__ if callable(c) else "")
def test_writes_numpy_would_show_elsewhere_are_refused_at_the_users_line(fn, message):
    x = np.linspace(0.5, 1.5, 4)
    kept = x.copy()
    with pytest.raises(adc.AutodiffError, match=message):
        adc.grad(fn)(x)
    np.testing.assert_array_equal(x, kept)


def out_in_an_expression(x):
    z = np.zeros(np.shape(x))
    w = np.exp(x, out=z) * 2.0  # the call's value is z, written
    return np.sum(w * z)


def test_out_in_an_expression_writes_and_gives_the_array_written():
    x = RNG.uniform(-1.0, 1.0, (3, 4))
    value, grad = adc.value_and_grad(out_in_an_expression)(x)
    np.testing.assert_allclose(value, out_in_an_expression(x), rtol=1e-13)
    np.testing.assert_allclose(grad, 4.0 * np.exp(2.0 * x), rtol=1e-13)


def held_after_out(x):
    z = x * 1.0
    w = np.tanh(x, out=z)
    w += 1.0  # w is z: NumPy changes both
    return np.sum(z)


def test_a_write_into_the_result_of_out_shows_in_the_array_it_is():
    """``w`` is the very array ``z`` (not a view): the write shows through ``z`` (it
    was refused as a read of a shared array)."""
    x = np.array([0.3, -0.5, 1.2])
    value, grad = adc.value_and_grad(held_after_out)(x)
    assert value == pytest.approx(held_after_out(x.copy()), rel=1e-14)
    np.testing.assert_allclose(grad, 1.0 - np.tanh(x) ** 2, rtol=1e-13)

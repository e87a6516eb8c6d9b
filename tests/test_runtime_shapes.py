# ruff: noqa: RUF005  (joining shapes with + is what these tests are about)
"""A shape known only at run time (after a boolean mask, a slice with run-time bounds)
is a Python tuple when the code runs, and the operators written on it are the tuple's:
``+`` joins, ``*`` repeats, ``==`` compares the whole. Computed as an array's, ``y.shape +
(n,)`` added ``n`` to every entry: a wrong value and gradient, and no error."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

X = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -0.5]])  # four positive entries


def _masked(body):
    def loss(x):
        y = x[x > 0]            # (n,): n known at run time only
        return body(y, np.outer(y, y))
    return loss


def _joined_in_place(y, z):
    s = y.shape
    s += (1,)
    return np.sum(y.reshape(s))


def _rows_of_a_run_time_slice(k):  # convnet.py's convolution, then its pooling shape
    out = np.zeros((4, 8))
    for i in range(3):
        out = out + X4[:, i:i + 8] * k[i]
    dims = out.shape[:1] + (out.shape[1] // 2, 2)
    return np.sum(np.max(out.reshape(dims), axis=2) ** 2) / np.prod(dims)


X4 = np.random.default_rng(3).uniform(-1, 1, (4, 10))
CASES = {
    "joined": lambda y, z: np.sum(z.reshape(z.shape[:1] + (z.shape[1],))) * len(y.shape + z.shape),
    "prepended": lambda y, z: np.sum((np.zeros((1,) + y.shape) + y) ** 2),
    "repeated": lambda y, z: np.sum(y) * len(y.shape * 3),
    "repeated from the left": lambda y, z: np.sum(y) * len(2 * y.shape),
    "equal": lambda y, z: np.sum(y) * (2.0 if z.shape == (y.shape[0], y.shape[0]) else 1.0),
    "not equal": lambda y, z: np.sum(y ** 2) * (2.0 if z.shape != (4, 4) else 1.0),
    "equal to a slice": lambda y, z: np.sum(y) * (3.0 if y.shape == z.shape[:1] else 1.0),
    "product": lambda y, z: np.sum(y) * np.prod(z.shape + y.shape),
    "reversed": lambda y, z: np.sum(z.reshape(z.shape[::-1]) * y),
    "joined in place": _joined_in_place,
    "zeros of a joined shape": lambda y, z: np.sum(np.zeros(z.shape + (2,)) + z[..., None]),
    # ``*shape`` in a tuple display joins as ``+`` does (it was refused as unpacking)
    "starred": lambda y, z: np.sum(y.reshape((*y.shape, 1)) * np.ones((1, 2)) * y[:, None]),
    "starred between items": lambda y, z: np.sum(np.ones((2, *z.shape, 1)) * z[..., None]),
    "starred twice": lambda y, z: np.sum(y) * len((*y.shape, *z.shape, 3)),
    "starred slice": lambda y, z: np.sum(np.broadcast_to(y, (*z.shape[:1], *y.shape)) * z),
}


@pytest.mark.parametrize("body", CASES.values(), ids=CASES.keys())
def test_a_run_time_shape_keeps_the_tuples_operators(body):
    loss = _masked(body)
    value, grad = adc.value_and_grad(loss)(X)
    np.testing.assert_allclose(value, loss(X), rtol=1e-12)
    np.testing.assert_allclose(grad, central_differences(loss, X), rtol=1e-6, atol=1e-8)


def test_a_shape_after_a_loop_of_run_time_slices_is_joined():
    k = np.array([1.0, 2.0, 3.0])
    value, grad = adc.value_and_grad(_rows_of_a_run_time_slice)(k)
    np.testing.assert_allclose(value, _rows_of_a_run_time_slice(k), rtol=1e-12)
    np.testing.assert_allclose(grad, central_differences(_rows_of_a_run_time_slice, k),
                               rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("body", [lambda y, z: np.sum(y) * (y.shape - 1),
                                  lambda y, z: np.sum(y) * len(y.shape * 1.5)],
                         ids=["minus", "times a float"])
def test_other_operators_on_a_run_time_shape_raise_as_pythons_do(body):
    with pytest.raises(adc.AutodiffError, match="not supported on these operands"):
        adc.grad(_masked(body))(X)


def test_unpacking_a_run_time_shape_says_why_and_what_to_write():
    def loss(x):
        y = x[x > 0]
        n, = y.shape
        return np.sum(y) * n

    with pytest.raises(adc.AutodiffError, match="known only when the code runs") as info:
        adc.grad(loss)(X)
    assert "test_runtime_shapes.py:" in str(info.value) and "x[0], x[1]" in str(info.value)


N = np.prod((2, 3))  # an np.int64, as autograd's convnet WeightsParser computes its sizes


def _sized_by_a_numpy_integer(v):
    q = np.reshape(np.reshape(v, (N,)), (2, 3))
    rows, cols = q.shape
    return np.sum(q ** 2) * rows + cols


def _masked_then_reshaped(x):
    q = np.reshape(x[np.abs(x) > 0], (2, 3))  # every entry kept: the shape is (2, 3)
    rows, cols = q.shape
    return np.sum(np.sin(q)) * rows * cols


@pytest.mark.parametrize("fn", [_sized_by_a_numpy_integer, _masked_then_reshaped])
def test_a_shape_known_when_compiling_stays_known(fn):
    """A NumPy integer global is a constant (guarded as an int is), and a reshape to
    lengths known when compiling has them whatever is known of its operand: unpacking
    the shape was refused as if it were known only at run time."""
    v = np.arange(1.0, 7.0)
    np.testing.assert_allclose(adc.grad(fn)(v), central_differences(fn, v), rtol=1e-6)
    jac = adc.jacrev(fn)(v)
    np.testing.assert_allclose(jac, central_differences(fn, v), rtol=1e-6)

"""Rules at NumPy's broadcasting edges, each once silently wrong or an internal error:
``np.triu``/``np.tril`` of a 1-d array (broadcast to a square), ``np.einsum`` with a
label of size 1 in one operand, ``cumsum``/``cumprod``/``repeat`` along an axis of a
0-d value (run as shape (1,)), and ``jacfwd`` of a Python float whose tangent is its
seed. Against central differences in float64."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads

RNG = np.random.default_rng(11)


def triu_of_vector(x):
    return np.sum(np.triu(x) ** 2) + np.sum(np.tril(x, -1) * x)


def einsum_broadcast_dot(a, b):
    return np.einsum("i,i->", a, b)


def einsum_broadcast_matmul(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b) ** 2)


def running_of_scalar(y):
    return np.sum(np.cumsum(y, axis=-1) ** 2) + np.sum(np.cumprod(np.exp(y), axis=0))


def repeat_of_scalar(y):
    return np.sum(np.repeat(y, 2, axis=0) ** 2)


def norm_then_cumsum(y):
    return np.sum(np.cumsum(np.linalg.norm(y, axis=0), axis=-1))


CASES = [
    (triu_of_vector, (RNG.standard_normal(3),)),
    (triu_of_vector, (RNG.standard_normal(1),)),
    (einsum_broadcast_dot, (RNG.standard_normal(1), RNG.standard_normal(3))),
    (einsum_broadcast_dot, (RNG.standard_normal(3), RNG.standard_normal(1))),
    (einsum_broadcast_matmul, (RNG.standard_normal((1, 2)), RNG.standard_normal((1, 3)))),
    (einsum_broadcast_matmul, (RNG.standard_normal((2, 1)), RNG.standard_normal((3, 4)))),
    (running_of_scalar, (np.array(0.3),)),
    (running_of_scalar, (RNG.standard_normal(3),)),
    (repeat_of_scalar, (np.array(0.5),)),
    (norm_then_cumsum, (RNG.standard_normal(3),)),
]


@pytest.mark.parametrize("fn, args", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in
                                                 enumerate(CASES)])
def test_gradients_match_central_differences_with_the_arguments_shapes(fn, args):
    grads = adc.grad(fn, grad_position=tuple(range(len(args))))(*args)
    grads = grads if isinstance(grads, tuple) else (grads,)
    for g, a in zip(grads, args):
        assert np.shape(g) == np.shape(a)
    check_grads(fn, *args, modes=("rev", "fwd"))


def plus_zero(x):
    return x + 0.0


def identity(x):
    return x


def positive(x):
    return np.positive(x)


def modulo(x):
    return x % 0.7


def floor_plus(x):
    return np.floor(x) + x


def pair(x):
    return x, 2.0 * x


@pytest.mark.parametrize("fn", [plus_zero, identity, positive, modulo, floor_plus])
def test_jacfwd_of_a_python_float_whose_tangent_is_the_seed(fn):
    """The seed of one input entry is the constant 1, so such a tangent is a constant;
    it was taken for a missing one and gave 0."""
    jac = adc.jacfwd(fn)(0.3)
    assert isinstance(jac, float) and jac == pytest.approx(1.0)
    assert adc.jacfwd(pair)(0.3) == pytest.approx((1.0, 2.0))


def zero_when_negative(x):
    if np.sum(x) > 0:
        return np.sum(x * x)
    return 0


@pytest.mark.parametrize("x", [np.array([-0.5, 0.2]), np.array([0.5, 0.2])])
def test_a_jacobian_through_a_path_returning_an_int_is_float(x):
    """The zero tangent of a Python int was int zeros: jacfwd gave an int64 Jacobian
    where jacrev gives float64 (found by a stress round)."""
    forward, reverse = adc.jacfwd(zero_when_negative)(x), adc.jacrev(zero_when_negative)(x)
    assert forward.dtype == reverse.dtype == np.float64
    np.testing.assert_array_equal(forward, reverse)

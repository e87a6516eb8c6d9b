"""``mint``'s functions of ``mint/more.py``: outputs, dtypes and gradients against
MindSpore 2.10's on the same draws (``data/mindspore_mint_more.json``, written by
``data/measure_mindspore_mint_more.py`` from ``mint_more_cases``); gradients against
central finite differences in float64 (in both modes, through ``check_grads``); the
functions MindSpore's CPU build cannot run (``equal``, ``kthvalue``, ``multinomial``,
``triangular_solve``, ``vdot``) against their definitions; ``multinomial``'s draws
against their distribution."""
from __future__ import annotations

import mint_more_cases
import numpy as np
import pytest
from measured_cases import assert_measured, compared, load_measured
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, mint, ops

MEASURED = load_measured("mint_more")

# MindSpore 2.10's CPU ``mint.index_add`` writes the sum into ``input`` as well as
# returning it; ``mint`` documents (and PyTorch's ``index_add`` gives) a new Tensor,
# ``input`` left as it was, which ours keeps.
NOT_COMPARED = {"index_add_leaves_input.value"}

ours = measured_fixture(lambda: mint_more_cases.measure(ms))


@pytest.mark.parametrize("name", compared(MEASURED, NOT_COMPARED))
def test_matches_mindspore(ours, name):
    if name.rsplit(".", 1)[1] in ("value", "type", "shape"):
        assert ours[name] == MEASURED[name]
    else:
        assert_measured(ours, MEASURED, name, rtol=2e-4, atol=2e-5)


def test_every_case_was_measured(ours):
    assert sorted(ours) == compared(MEASURED)


def test_index_add_leaves_its_input():
    x = Tensor(np.zeros((2, 3), np.float32))
    out = mint.index_add(x, 1, Tensor(np.array([0, 0], np.int64)), Tensor(np.ones((2, 2),
                                                                                   np.float32)))
    np.testing.assert_array_equal(x.asnumpy(), np.zeros((2, 3)))
    np.testing.assert_array_equal(out.asnumpy(), [[2, 0, 0], [2, 0, 0]])
    assert isinstance(out, Tensor) and out.dtype == ms.float32


# ---------------------------------------------------------------- finite differences

RNG = np.random.default_rng(5)
W = np.linspace(-1.0, 2.0, 200)


def weigh(y):
    """A weighted sum of ``y`` that differs per entry (so no gradient cancels)."""
    return ops.sum(y * np.reshape(W[:y.size], y.shape))


def normal(*shape):
    return RNG.standard_normal(shape)


UPPER = np.triu(normal(3, 3)) + 3.0 * np.eye(3)
INDEX = np.array([2, 0, 2, 1])

GRADIENTS = [  # (name, loss, arguments): float64, no ties (cummax, kthvalue)
    ("cummax", lambda x: weigh(mint.cummax(x, 1)[0]), (normal(3, 4),)),
    ("cummax_dim0", lambda x: weigh(mint.cummax(x, -2)[0] ** 2), (normal(4, 3),)),
    ("cummin", lambda x: weigh(mint.cummin(x, -1)[0]), (normal(3, 4),)),
    ("cummin_3d", lambda x: weigh(mint.cummin(x, 1)[0]), (normal(2, 3, 2),)),
    ("index_add", lambda x, s: weigh(mint.index_add(x, 1, INDEX, s, alpha=-1.5) ** 2),
     (normal(2, 3), normal(2, 4))),
    ("index_add_dim0", lambda x, s: weigh(mint.index_add(x, 0, INDEX, s * x[0])),
     (normal(3, 2), normal(4, 2))),
    ("addbmm", lambda a, b, c: weigh(mint.addbmm(a, b, c, beta=0.5, alpha=2.0)),
     (normal(3, 5), normal(2, 3, 4), normal(2, 4, 5))),
    ("dstack", lambda a, b: weigh(mint.dstack([a, b, a * b])), (normal(3, 2), normal(3, 2))),
    ("dstack_vectors", lambda a, b: weigh(mint.dstack([a, b ** 2])), (normal(3), normal(3))),
    ("hstack", lambda a, b: weigh(mint.hstack([a, b * a])), (normal(2, 3), normal(2, 3))),
    ("hstack_vectors", lambda a, b: weigh(mint.hstack([a, b, a])), (normal(2), normal(3))),
    ("divide", lambda a, b: weigh(mint.divide(a, b * b + 0.5)), (normal(2, 3), normal(2, 3))),
    ("divide_broadcast", lambda a, b: weigh(mint.divide(a, np.exp(b))), (normal(2, 3),
                                                                         normal(3))),
    ("vdot", lambda a, b: mint.vdot(a, b) * mint.vdot(a, a), (normal(4), normal(4))),
    ("polar", lambda r, a: weigh(mint.real(mint.polar(r, a)) + mint.imag(mint.polar(r, a)) ** 2),
     (normal(2, 3), normal(2, 3))),
    ("real_imag", lambda a, b: weigh(mint.real((a + 1j * b) ** 2) * mint.imag((a + 1j * b) * a)),
     (normal(3), normal(3))),
    ("real_of_real", lambda a: weigh(mint.real(a) ** 3), (normal(2, 2),)),
    ("erfinv", lambda u: weigh(mint.erfinv(u)), (np.array([-0.9, -0.3, 0.0, 0.4, 0.8]),)),
    ("inverse", lambda a: weigh(mint.inverse(a)), (normal(3, 3) + 3.0 * np.eye(3),)),
    ("inverse_batched", lambda a: weigh(mint.inverse(a)), (normal(2, 3, 3) + 3.0 * np.eye(3),)),
    ("kthvalue", lambda x: weigh(mint.kthvalue(x, 2)[0]), (normal(3, 4),)),
    ("kthvalue_dim0_keepdim", lambda x: weigh(mint.kthvalue(x, 3, 0, True)[0] ** 2),
     (normal(4, 3),)),
    ("triangular_solve", lambda b, a: weigh(mint.triangular_solve(b, a)[0]),
     (normal(3, 2), UPPER)),
    ("triangular_solve_lower_t", lambda b, a: weigh(mint.triangular_solve(
        b, a, upper=False, transpose=True)[0]), (normal(2, 3, 2), UPPER.T + normal(2, 3, 3)
                                                 * np.triu(np.ones((3, 3)), 1))),
    ("triangular_solve_unit", lambda b, a: weigh(mint.triangular_solve(
        b, a, unitriangular=True)[0]), (normal(3, 2), UPPER)),
]


@pytest.mark.parametrize("name,loss,args", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_match_finite_differences(name, loss, args):
    ms.check_grads(loss, *args, generic=False)


def test_cummax_gradient_goes_to_the_place_of_its_index():
    """At a tie, to the last place, the one ``cummax`` and ``cummin`` give."""
    x = np.array([1.0, 3.0, 2.0, 3.0, 0.0])
    grad = ms.grad(lambda x: weigh(mint.cummax(x, 0)[0]))(x)
    index = np.asarray(mint.cummax(x, 0)[1])
    np.testing.assert_array_equal(index, [0, 1, 1, 3, 3])
    np.testing.assert_allclose(grad, np.bincount(index, W[:5], 5))
    np.testing.assert_array_equal(mint.cummin(-x, 0)[1], index)
    grad = ms.grad(lambda x: weigh(mint.cummin(x, 0)[0]))(-x)
    np.testing.assert_allclose(grad, np.bincount(index, W[:5], 5))


# ---------------------------------------------------------------- against definitions


def test_kthvalue_is_the_kth_of_the_sorted_entries():
    x = normal(3, 5).astype(np.float32)
    for k, dim, keepdim in ((1, -1, False), (3, 1, True), (2, 0, False), (3, -2, True)):
        values, index = mint.kthvalue(Tensor(x), k, dim, keepdim)
        expected = np.take(np.sort(x, axis=dim), [k - 1], axis=dim)
        assert values.dtype == ms.float32 and index.dtype == ms.int64
        assert values.shape == (expected.shape if keepdim else np.squeeze(expected, dim).shape)
        np.testing.assert_array_equal(values.asnumpy().reshape(expected.shape), expected)
        picked = np.take_along_axis(x, index.asnumpy().reshape(expected.shape), axis=dim)
        np.testing.assert_array_equal(picked, expected)
    values, index = mint.kthvalue(Tensor(np.array([2.0, 1.0, 2.0, 2.0], np.float32)), 3)
    assert float(values) == 2.0 and int(index) == 2  # of ties, the k-th in a stable sort
    with pytest.raises(RuntimeError, match="'k' must be in"):
        mint.kthvalue(Tensor(x), 6)


def test_triangular_solve_solves_with_one_triangle():
    b, a = normal(2, 3, 2), normal(3, 3) + 3.0 * np.eye(3)
    x, coefficient = mint.triangular_solve(b, a)
    np.testing.assert_allclose(np.triu(a) @ x, b, atol=1e-12)
    np.testing.assert_array_equal(coefficient, a)
    x, _ = mint.triangular_solve(b, a, upper=False, transpose=True)
    np.testing.assert_allclose(np.tril(a).T @ x, b, atol=1e-12)
    unit = np.tril(a, -1) + np.eye(3)
    x, _ = mint.triangular_solve(b, a, False, False, True)
    np.testing.assert_allclose(unit @ x, b, atol=1e-12)
    x, _ = mint.triangular_solve(Tensor(b.astype(np.float32)), Tensor(a.astype(np.float32)))
    assert isinstance(x, Tensor) and x.dtype == ms.float32


def test_vdot_conjugates_its_first_argument():
    a = np.array([1 + 2j, 3 - 1j], np.complex64)
    b = np.array([2 - 1j, 1j], np.complex64)
    np.testing.assert_allclose(mint.vdot(Tensor(a), Tensor(b)).asnumpy(), np.vdot(a, b))
    out = mint.vdot(Tensor(np.array([1.0, 2.0], np.float32)),
                    Tensor(np.array([3.0, 4.0], np.float32)))
    assert out.dtype == ms.float32 and out.shape == () and float(out) == 11.0
    with pytest.raises(ValueError, match="1-d"):
        mint.vdot(Tensor(np.ones((2, 2), np.float32)), Tensor(np.ones((2, 2), np.float32)))


def test_equal_compares_shapes_and_entries():
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    assert mint.equal(x, x) is True
    assert mint.equal(x, x + 1) is False
    assert mint.equal(x, x[0]) is False  # no broadcasting
    assert mint.equal(x, Tensor(np.array([[1, 2], [3, 4]], np.int32))) is True


def test_searchsorted_out_int32():
    seq = Tensor(np.array([-1.0, 0.5, 0.5, 2.0], np.float32))
    out = mint.searchsorted(seq, Tensor(np.array([0.5, 3.0], np.float32)), out_int32=True)
    assert out.dtype == ms.int32
    np.testing.assert_array_equal(out.asnumpy(), [1, 4])


def test_item_of_more_than_one_entry_is_refused():
    with pytest.raises(RuntimeError, match="2 elements"):
        mint.item(Tensor(np.ones(2, np.float32)))


def test_empty_is_zeros():
    assert not mint.empty(2, 3).asnumpy().any()
    assert not mint.empty_like(Tensor(np.ones((2, 2), np.int32))).asnumpy().any()


def test_bitwise_with_a_python_int_and_bools():
    i = Tensor(np.array([5, -7, 12], np.int32))
    for fn, expected in ((mint.bitwise_and, [1, 1, 0]), (mint.bitwise_or, [7, -5, 15]),
                         (mint.bitwise_xor, [6, -6, 15])):
        out = fn(i, 3)
        assert out.dtype == ms.int32
        np.testing.assert_array_equal(out.asnumpy(), expected)
    flags = mint.bitwise_not(Tensor(np.array([True, False])))
    assert flags.dtype == ms.bool_
    np.testing.assert_array_equal(flags.asnumpy(), [False, True])


# ---------------------------------------------------------------- multinomial


def test_multinomial_shape_dtype_and_certain_rows():
    certain = Tensor(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]], np.float32))
    out = mint.multinomial(certain, 4, True)
    assert out.dtype == ms.int64 and out.shape == (2, 4)
    np.testing.assert_array_equal(out.asnumpy(), [[1] * 4, [2] * 4])
    one = mint.multinomial(Tensor(np.array([0.0, 3.0, 1.0], np.float32)), 2)
    assert one.shape == (2,) and sorted(one.asnumpy().tolist()) == [1, 2]
    with pytest.raises(ValueError, match="num_samples"):
        mint.multinomial(certain, 4)  # without replacement, at most 3
    with pytest.raises(NotImplementedError):
        mint.multinomial(certain, 1, generator=object())


def test_multinomial_draws_follow_the_weights():
    """Frequencies of 20000 draws within 5 standard errors of the probabilities; without
    replacement each row is a permutation-free choice of distinct classes."""
    ms.set_seed(0)
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    drawn = mint.multinomial(Tensor(weights.astype(np.float32)), 20000, True).asnumpy()
    p = weights / weights.sum()
    frequencies = np.bincount(drawn, minlength=4) / drawn.size
    assert np.all(np.abs(frequencies - p) < 5 * np.sqrt(p * (1 - p) / drawn.size))
    rows = mint.multinomial(Tensor(np.tile(weights.astype(np.float32), (3000, 1))), 2).asnumpy()
    assert np.all(rows[:, 0] != rows[:, 1]) and rows.min() >= 0 and rows.max() <= 3
    first = np.bincount(rows[:, 0], minlength=4) / rows.shape[0]
    assert np.all(np.abs(first - p) < 5 * np.sqrt(p * (1 - p) / rows.shape[0]))


# ---------------------------------------------------------------- in a compiled function


def test_integer_results_inside_a_differentiated_function():
    """Indices, counts and bools computed along the way take no gradient."""
    def loss(x):
        values, index = mint.cummax(x, 0)
        kth, _ = mint.kthvalue(x, 2)
        places = mint.searchsorted(mint.cummax(x, 0)[0], x)
        return ops.sum(values * index) + kth + ops.sum(places * x) + mint.vdot(x, x)

    x = np.array([0.5, -1.0, 2.0, 1.5])
    ms.check_grads(loss, x, generic=False)

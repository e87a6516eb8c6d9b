"""``ops.lstsq``, ``ops.rrelu``, ``ops.multinomial``, ``ops.random_categorical`` and
``nn.SyncBatchNorm``: values against MindSpore 2.10's (``data/mindspore_small_gaps.json``,
written by ``data/measure_mindspore_small_gaps.py`` from ``small_gap_cases``);
``lstsq``'s gradient (MindSpore has none) against finite differences in float64; the
draws' frequencies against their probabilities; refusals."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import small_gap_cases
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_small_gaps.json").read_text())


ours = measured_fixture(lambda: small_gap_cases.measure(ms))


def test_every_case_is_measured(ours):
    assert set(ours) == set(MEASURED) - {"mindspore"}


@pytest.mark.parametrize("name", sorted(k for k in MEASURED if k != "mindspore"))
def test_matches_mindspore(ours, name):
    np.testing.assert_allclose(ours[name], MEASURED[name], rtol=2e-5, atol=2e-5)


RNG = np.random.default_rng(5)


@pytest.mark.parametrize("x_shape, a_shape", [((5, 3), (5, 2)), ((4, 4), (4, 1)),
                                              ((2, 4), (2, 3)), ((3, 2), (3,))], ids=str)
def test_lstsq_gradient_matches_finite_differences(x_shape, a_shape):
    ms.check_grads(lambda x, a: ops.lstsq(x, a), RNG.standard_normal(x_shape),
                   RNG.standard_normal(a_shape), generic=False)


def test_lstsq_solves_the_normal_equations_or_gives_the_minimum_norm_solution():
    tall, a = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))
    solution = ops.lstsq(tall, a)
    np.testing.assert_allclose(tall.T @ (tall @ solution - a), 0, atol=1e-12)
    wide = RNG.standard_normal((2, 4))
    solution = ops.lstsq(wide, a[:2])
    np.testing.assert_allclose(wide @ solution, a[:2], atol=1e-12)
    np.testing.assert_allclose(solution, wide.T @ np.linalg.solve(wide @ wide.T, a[:2]),
                               atol=1e-12)  # in the row space: the least norm


def test_rrelu_draws_one_slope_per_negative_entry_and_differentiates_through_it():
    x = -np.ones((400,))
    y = ops.rrelu(x, 0.1, 0.3)
    assert -y.max() >= 0.1 and -y.min() <= 0.3 and len(np.unique(y)) > 300
    np.random.seed(1)
    gx = ms.grad(lambda x: ops.sum(ops.rrelu(x, 0.1, 0.3)))(np.array([-2.0, 3.0]))
    np.random.seed(1)
    slope = -ops.rrelu(np.array([-1.0, 3.0]), 0.1, 0.3)[0]
    np.testing.assert_allclose(gx, [slope, 1.0])


def test_multinomial_and_random_categorical_draw_in_proportion():
    np.random.seed(0)
    weights = np.array([[1.0, 3.0, 0.0, 4.0]])
    draws = ops.multinomial(Tensor(weights), 20000).asnumpy()
    assert draws.dtype == np.int32 and draws.shape == (1, 20000)
    np.testing.assert_allclose(np.bincount(draws[0], minlength=4) / 20000, weights[0] / 8,
                               atol=0.01)
    without = ops.multinomial(Tensor(weights[0]), 3, False).asnumpy()
    assert sorted(without) == [0, 1, 3]  # every class of positive weight, once
    logits = np.log(np.array([[0.2, 0.8], [0.5, 0.5]]))
    picked = ops.random_categorical(Tensor(logits), 20000, dtype=ms.int32).asnumpy()
    assert picked.dtype == np.int32 and picked.shape == (2, 20000)
    np.testing.assert_allclose(picked.mean(axis=1), [0.8, 0.5], atol=0.01)
    np.testing.assert_array_equal(ops.random_categorical(Tensor(logits), 5, seed=3),
                                  ops.random_categorical(Tensor(logits), 5, seed=3))


def test_sync_batch_norm_names_its_statistics_as_mindspore_and_keeps_its_ranks():
    bn = nn.SyncBatchNorm(3, process_groups=[[0]])
    assert [p.name for p in bn.get_parameters()] == ["mean", "variance", "gamma", "beta"]
    with pytest.raises(ValueError, match="2 or 4 dimensions"):
        bn(Tensor(np.ones((2, 3, 4), np.float32)))


REFUSALS = {
    "lstsq_batched": (lambda: ops.lstsq(np.ones((2, 3, 2)), np.ones((2, 3, 1))),
                      "dimension of x must be equal to 2"),
    "lstsq_rows": (lambda: ops.lstsq(np.ones((3, 2)), np.ones((4, 1))), "3 rows"),
    "rrelu_bounds": (lambda: ops.rrelu(np.ones(2), 0.5, 0.2), "greater than or equal"),
    "multinomial_too_many": (lambda: ops.multinomial(Tensor(np.ones(3)), 4, False),
                             "less than the last dimension"),
    "multinomial_negative": (lambda: ops.multinomial(Tensor(np.array([1.0, -1.0])), 1),
                             ">= 0"),
    "random_categorical_1d": (lambda: ops.random_categorical(Tensor(np.ones(3)), 2),
                              "only support 2D"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_bad_arguments_are_refused(name):
    call, message = REFUSALS[name]
    with pytest.raises(ValueError, match=message):
        call()

"""Every batching rule against a Python loop, one row per NumPy spelling.

The rows are the derivative-rule tables of test_rules.py and test_surface_rules.py:
each function is mapped over a batch of three examples with ``vmap`` and must give
``np.stack([f(*example) for example in batch])``; its gradient, mapped likewise
(``vmap(grad(f))``), must give the gradients of the examples one by one. A rule that
does not cover a case leaves it to the per-example loop, which must be right too.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import test_rules as R
import test_surface_rules as SR

import autodiff_compiler as adc

SIZE = 3
RNG = np.random.default_rng(5)


def assert_tree_close(got: Any, want: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    if isinstance(want, tuple | list):
        assert isinstance(got, tuple | list) and len(got) == len(want), (got, want)
        for g, w in zip(got, want):
            assert_tree_close(g, w, rtol, atol)
        return
    assert np.shape(got) == np.shape(want), (np.shape(got), np.shape(want))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def stacked(outs: list[Any]) -> Any:
    """Per-example results stacked as vmap stacks them (tuples element by element)."""
    if isinstance(outs[0], tuple | list):
        return type(outs[0])(stacked([o[i] for o in outs]) for i in range(len(outs[0])))
    return np.stack([np.asarray(o) for o in outs])


def batch_of(args: tuple, batched: list[bool]) -> tuple[list[tuple], tuple]:
    """Examples near ``args`` (batched float arrays moved a little each) and the batch."""
    examples = []
    for i in range(SIZE):
        examples.append(tuple(
            a * (1 + 0.05 * i) + 0.01 * i if flag else a for a, flag in zip(args, batched)))
    batch = tuple(np.stack([np.asarray(e[j]) for e in examples]) if flag else a
                  for j, (a, flag) in enumerate(zip(args, batched)))
    return examples, batch


def is_float_array(a: Any) -> bool:
    """A value mapped over: a float array, or a Python float (batched as an array)."""
    return isinstance(a, float) or (isinstance(a, np.ndarray | np.generic) and
                                    np.issubdtype(np.asarray(a).dtype, np.floating))


def check_vmap(fn: Any, args: tuple, grad: bool = True) -> None:
    batched = [is_float_array(a) for a in args]
    examples, batch = batch_of(args, batched)
    in_axes = tuple(0 if flag else None for flag in batched)
    with np.errstate(all="ignore"):
        want = stacked([fn(*e) for e in examples])
    assert_tree_close(adc.vmap(fn, in_axes=in_axes)(*batch), want)
    positions = tuple(i for i, flag in enumerate(batched) if flag)
    if not grad or not positions:
        return
    gradient = adc.grad(fn, grad_position=positions)
    want = stacked([gradient(*e) for e in examples])
    assert_tree_close(adc.vmap(gradient, in_axes=in_axes)(*batch), want)


def rows_with_shapes(rows: list, shapes: list) -> list:
    return [pytest.param(row, s, id=f"{row.name}-{R.shapes_id(s if isinstance(s, tuple) and s and isinstance(s[0], tuple | str) else (s,))}")  # noqa: E501
            for row in rows for s in shapes]


UNARY_SHAPES = [(), (4,), (2, 3)]


@pytest.mark.parametrize("row, shape", rows_with_shapes(R.UNARY, UNARY_SHAPES))
def test_unary(row, shape):
    fn = row.fn
    check_vmap(R.scaled(fn, 1), (R.sample(row.lims, shape),))


BINARY_SHAPES = [s for s in R.BINARY_SHAPES if R.PY_FLOAT not in s]


@pytest.mark.parametrize("row, shapes", rows_with_shapes(R.BINARY, BINARY_SHAPES))
def test_binary(row, shapes):
    check_vmap(R.scaled(row.fn, 2), tuple(R.sample_args(row, shapes)))


@pytest.mark.parametrize("row", R.REDUCTIONS, ids=R.names(R.REDUCTIONS))
@pytest.mark.parametrize("shape, axis, keepdims", R.AXES, ids=R.AXES_IDS)
def test_reduction(row, shape, axis, keepdims):
    fn = row.fn

    def reduced(a):
        return fn(a, axis=axis, keepdims=keepdims) * 3.0

    check_vmap(reduced, (R.sample(row.lims, shape),))


@pytest.mark.parametrize("row, shapes", rows_with_shapes(R.MATMUL, R.MATMUL_SHAPES))
def test_matmul(row, shapes):
    check_vmap(R.scaled(row.fn, 2), tuple(R.sample_args(row, shapes)))


TABLE = R.OUTER + R.REDUCTION_SPELLINGS + R.SHAPE_OPS + R.SHAPE_QUERIES + R.CONSTRUCTORS + \
    R.INDEXING


@pytest.mark.parametrize("row", TABLE, ids=R.names(TABLE))
def test_table_row(row):
    fn = row.fn
    arity = len(row.shapes)
    check_vmap(R.scaled(fn, arity), tuple(R.sample_args(row, row.shapes)))


@pytest.mark.parametrize("row, shapes", SR.PRODUCT_CASES,
                         ids=[f"{r.name}-{R.shapes_id(s, '.')}" for r, s in SR.PRODUCT_CASES])
def test_product(row, shapes):
    check_vmap(R.scaled(row.fn, 2), tuple(R.sample_args(row, shapes)))


# (comparison_mask selects a different number of entries per example: the rows are
# kept per example up to the sum that gives each one a shape.)
@pytest.mark.parametrize("case", SR.FIXED, ids=R.names(SR.FIXED))
def test_fixed_argument_spelling(case):
    check_vmap(R.scaled(case.fn, len(case.args)), case.args, grad="rev" in case.modes)


def _reductions_of_a_value_of_either_rank(x, c):
    y = x[None] * 2.0 if c > 0.0 else np.sin(x)  # its rank known at run time only
    return np.sum(y ** 2) + np.max(y) + np.mean(y) * np.prod(np.cos(y)) - np.var(y)


@pytest.mark.parametrize("c", [1.0, -1.0])
def test_a_full_reduction_of_examples_of_unknown_rank_is_batched(c):
    """Each example's values flattened and reduced along one axis, in one program: such
    reductions ran example by example, in a loop (the rank said which axes to reduce)."""
    xs = RNG.standard_normal((SIZE, 4))
    mapped = adc.vmap(_reductions_of_a_value_of_either_rank, in_axes=(0, None))
    assert "for example" not in mapped.source(xs, c)
    assert_tree_close(mapped(xs, c),
                      stacked([_reductions_of_a_value_of_either_rank(x, c) for x in xs]))
    gradient = adc.grad(_reductions_of_a_value_of_either_rank)
    assert_tree_close(adc.vmap(gradient, in_axes=(0, None))(xs, c),
                      stacked([gradient(x, c) for x in xs]))

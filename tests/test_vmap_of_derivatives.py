"""``vmap`` of derivatives whose programs call functions and keep rows per example.

A gradient through a checkpointed block calls its forward and backward halves, the
second reading a tape the first packs; a loop whose carried value's shape is known at
run time only (a slice at the loop's index that is no window: ``frontend.windows``)
keeps an inner ``vmap``'s examples as rows,
and a loop over such a loop lists lists of them. ``vmap`` of such programs was refused
("vmap cannot batch 'call'"), or failed at run time (``list ** int``: a list of rows
read back as an array). Each batched result is checked against its examples computed
one at a time, and those against finite differences.
"""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError

W = np.array([[0.5, -0.2], [0.1, 0.4]])


def checkpointed_steps(x):
    h = np.zeros(2) + 0.1
    for t in range(3):
        h = adc.checkpoint(lambda h, u: np.tanh(W @ h + u))(h, x[t:t + 2])
    return np.sum(h ** 3)


def one_checkpointed_step(x):
    h = adc.checkpoint(lambda h, u: np.tanh(W @ h + u))(x[:2], x[2:])
    return np.sum(h ** 3)


def checkpointed_loop_of_windows(x):
    h = np.zeros(2) + 0.1
    for t in adc.checkpointed(range(3)):
        h = np.tanh(W @ h + x[t:t + 2])
    return np.sum(h ** 3)


def long_loop_of_windows(x):  # (too long to unroll)
    h = np.zeros(2) + 0.1
    for t in range(20):
        h = np.tanh(W @ h + x[t:t + 2])
    return np.sum(h ** 3)


# The same with a bound no window is proven for (``min`` of the index): the carry's
# shape is known at run time only
def checkpointed_loop_of_clamped_slices(x):
    h = np.zeros(2) + 0.1
    for t in adc.checkpointed(range(3)):
        s = min(t, 2)
        h = np.tanh(W @ h + x[s:s + 2])
    return np.sum(h ** 3)


def long_loop_of_clamped_slices(x):
    h = np.zeros(2) + 0.1
    for t in range(20):
        s = min(t, 20)
        h = np.tanh(W @ h + x[s:s + 2])
    return np.sum(h ** 3)


def _square_of_gradient(fn):
    grad_fn = adc.grad(fn)
    return lambda x: np.sum(grad_fn(x) ** 2)


def _finite_difference_gradient(fn, x, eps=1e-6):
    return np.array([(fn(x + eps * e) - fn(x - eps * e)) / (2 * eps)
                     for e in np.eye(x.size)])


CHECKPOINTED = [checkpointed_steps, one_checkpointed_step, checkpointed_loop_of_windows,
                checkpointed_loop_of_clamped_slices]


@pytest.mark.parametrize("fn", CHECKPOINTED)
def test_vmap_of_a_second_derivative_through_a_checkpoint(fn):
    xs = np.random.default_rng(3).normal(size=(3, 4)) * 0.5
    outer = _square_of_gradient(fn)
    for x in xs:  # each example's against finite differences
        np.testing.assert_allclose(adc.grad(outer)(x), _finite_difference_gradient(outer, x),
                                   rtol=1e-6, atol=1e-9)
    transforms = [adc.hessian(fn), adc.grad(outer)]
    if fn is checkpointed_loop_of_windows:  # the backward segment's recomputed tape,
        with pytest.raises(AutodiffError, match="record that every example shares"):
            adc.vmap(transforms.pop())(xs)  # packed for its own gradient with the loop's
    if fn is checkpointed_loop_of_clamped_slices:  # ... that tape of rows, packed
        with pytest.raises(AutodiffError, match="shape is known only at run time"):
            adc.vmap(transforms.pop())(xs)
    for transform in transforms:
        np.testing.assert_allclose(adc.vmap(transform)(xs),
                                   np.stack([transform(x) for x in xs]), rtol=1e-12,
                                   atol=1e-15)


def _sum_of_vmap(fn):
    return lambda xs: np.sum(adc.vmap(fn)(xs))


@pytest.mark.parametrize("fn", [checkpointed_loop_of_windows, long_loop_of_windows,
                                checkpointed_loop_of_clamped_slices, long_loop_of_clamped_slices])
def test_vmap_of_the_gradient_and_its_tangent_through_an_inner_vmaps_rows(fn):
    rng = np.random.default_rng(5)
    n = 22 if fn in (long_loop_of_windows, long_loop_of_clamped_slices) else 4
    batches, tangents = rng.normal(size=(2, 3, n)) * 0.5, rng.normal(size=(2, 3, n))
    grad_fn = adc.grad(_sum_of_vmap(fn))
    np.testing.assert_allclose(adc.vmap(grad_fn)(batches),
                               np.stack([grad_fn(b) for b in batches]), rtol=1e-12)
    np.testing.assert_allclose(grad_fn(batches[0]),
                               np.stack([adc.grad(fn)(x) for x in batches[0]]), rtol=1e-12)

    def tangent(u):
        return adc.jvp(grad_fn, (batches[0],), (u,))[1]
    want = np.stack([adc.hvp(fn, (x,), (u,)) for x, u in zip(batches[0], tangents[1])])
    np.testing.assert_allclose(adc.vmap(tangent)(tangents)[1], want, rtol=1e-10, atol=1e-14)
    one = _finite_difference_gradient(adc.grad(fn), batches[0][0]) @ tangents[1][0]
    np.testing.assert_allclose(want[0], one, rtol=1e-6, atol=1e-9)


def early_return_before_rows_are_read(x, c):
    s = np.sum(x.astype(np.float32)) if c > 0.0 else np.sum(x)  # its dtype: at run time
    v = np.pad(np.broadcast_to(s, (3,)) * 2.0 + x, 1)  # so each example's row is kept
    if np.sum(x) > 0.5:
        return np.sum(x[0])
    return np.sum(v[np.where(v < 0.5)]) + np.min(v)


@pytest.mark.parametrize("xs", [np.array([[0.3, 0.4, 0.2], [0.5, 0.4, 0.3]]),
                                np.array([[0.3, -0.4, 0.2], [-0.5, 0.4, 0.3]])],
                         ids=["every example returns", "one does"])
@pytest.mark.parametrize("c", [1.0, -1.0])
def test_the_gradient_through_vmap_where_every_example_returns_before_its_rows_are_read(xs, c):
    """The rows kept per example before an ``if`` that returns are read after it only:
    where every example returned, the branch reading them gave their cotangent as None
    ('NoneType' is not subscriptable, fuzz seed 830410), which the loop that made them
    read; it is zeros."""
    def total(xs, c):
        return np.sum(adc.vmap(early_return_before_rows_are_read, (0, None))(xs, c))
    want = np.stack([adc.grad(early_return_before_rows_are_read)(x, c) for x in xs])
    np.testing.assert_allclose(adc.grad(total)(xs, c), want, rtol=1e-12)
    if c < 0.0:  # (in float64: the other computes in float32)
        one = _finite_difference_gradient(lambda x: early_return_before_rows_are_read(x, c),
                                          xs[1])
        np.testing.assert_allclose(want[1], one, rtol=1e-6, atol=1e-8)

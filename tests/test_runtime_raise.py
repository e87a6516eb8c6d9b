"""``raise`` under a condition known only at run time: the generated code raises it
there, when the condition holds, and otherwise computes the gradient as if the check
were not there. (A raise reached while compiling is the user's error for those
arguments, reported then: ``test_lowering``.)"""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc


class OutOfRangeError(Exception):
    """An exception class of the user's own."""


def too_big(x):
    if np.sum(x) > 10.0:
        raise ValueError("too big")
    return np.sum(x ** 2)


def with_the_value_in_the_message(x):
    total = np.sum(x)
    if total > 10.0:
        limit = 10.0
        raise ValueError(f"sum {total} is over {limit}")
    return np.sum(np.sin(x) * total)


def raised_in_else(x):
    if np.min(x) > -5.0:
        y = x * 2.0
    else:
        raise OutOfRangeError("a value is below -5")
    return np.sum(y ** 2)


def elif_chain(x):
    if np.max(x) > 10.0:
        raise ValueError("too big")
    elif np.min(x) < -10.0:
        raise OutOfRangeError("too small")
    else:
        y = np.exp(x * 0.1)
    return np.sum(y * x)


def inside_a_branch(x):
    if np.sum(x) > 0:
        if np.max(x) > 10.0:
            raise ValueError("too big")
        y = x ** 3
    else:
        y = -x
    return np.sum(y)


def inside_a_loop(x):
    acc = 0.0
    for i in range(3):
        if np.sum(x) * i > 20.0:
            raise RuntimeError("diverged")
        acc = acc + np.sum(np.tanh(x * i))
    return acc


def instance_raised(x):
    if np.sum(x) > 10.0:
        raise OutOfRangeError
    return np.sum(x * x * x)


CASES = [too_big, with_the_value_in_the_message, raised_in_else, elif_chain, inside_a_branch,
         inside_a_loop, instance_raised]
FAILING = [
    (too_big, np.full(3, 5.0), ValueError, "too big"),
    (with_the_value_in_the_message, np.full(3, 5.0), ValueError, "sum 15.0 is over 10.0"),
    (raised_in_else, np.full(3, -6.0), OutOfRangeError, "below -5"),
    (elif_chain, np.full(3, 11.0), ValueError, "too big"),
    (elif_chain, np.full(3, -11.0), OutOfRangeError, "too small"),
    (inside_a_branch, np.full(3, 12.0), ValueError, "too big"),
    (inside_a_loop, np.full(3, 4.0), RuntimeError, "diverged"),
    (instance_raised, np.full(3, 5.0), OutOfRangeError, ""),
]


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_a_check_that_passes_leaves_the_gradient_as_it_is(fn):
    x = np.array([0.3, -1.2, 0.8])
    value, _ = adc.value_and_grad(fn)(x)
    assert value == pytest.approx(fn(x), rel=1e-12)
    adc.check_grads(fn, x)


@pytest.mark.parametrize(("fn", "x", "kind", "message"), FAILING,
                         ids=[f"{c[0].__name__}-{c[2].__name__}" for c in FAILING])
def test_a_check_that_fails_raises_the_users_exception_at_run_time(fn, x, kind, message):
    with pytest.raises(kind, match=message):
        fn(x)  # as Python raises it
    grad_fn = adc.grad(fn)
    grad_fn(np.array([0.3, -1.2, 0.8]))  # compiled for this shape, passing
    with pytest.raises(kind, match=message):
        grad_fn(x)
    with pytest.raises(kind, match=message):
        adc.jvp(fn, (x,), (np.ones_like(x),))


def test_the_generated_code_raises_as_the_user_wrote_it():
    source = adc.grad(too_big).source(np.ones(3))
    assert "if x.sum() > 10.0:\n        raise ValueError('too big')" in source


def test_vmap_runs_a_check_for_the_whole_batch():
    batch = np.array([[0.3, -1.2, 0.8], [1.0, 2.0, 0.5]])
    np.testing.assert_allclose(adc.vmap(too_big)(batch), [too_big(b) for b in batch])
    with pytest.raises(ValueError, match="too big"):
        adc.vmap(too_big)(np.array([[0.3, -1.2, 0.8], [5.0, 5.0, 5.0]]))


def prints_then_raises(x):
    if np.sum(x) > 10.0:
        print("about to fail")  # not a check: the print must not run unconditionally
        raise ValueError("too big")
    return np.sum(x)


def test_a_branch_that_does_more_than_compute_its_message_is_not_a_check(capsys):
    with pytest.raises(adc.AutodiffError, match=r"test_runtime_raise\.py:\d+"):
        adc.grad(prints_then_raises)(np.ones(3))
    assert "about to fail" not in capsys.readouterr().out


def early_return_then_check(x, y):
    """Seed 2368 in small: a branch with a check is batched example by example, and the
    other branch does not record the loop's tape (a None there)."""
    if np.sum(x) > -0.5:
        return np.sum(y) + 1.5
    if np.abs(np.mean(y)) > 1e6:
        raise ValueError(f"diverged: {np.mean(y)}")
    acc = 1.0
    count = 0
    while count < 3:
        acc = acc * 0.5 + np.sum(x)
        count += 1
    return np.sin(acc)


def test_vmap_of_a_gradient_through_a_check_in_one_branch():
    x = np.array([[0.3, 0.4], [-1.0, -0.2], [0.1, -0.9]])
    y = np.array([[0.5, 1.5], [2.0, -1.0], [0.2, 0.3]])
    grad_fn = adc.grad(early_return_then_check, (0, 1))
    got = adc.vmap(grad_fn)(x, y)
    for k in range(3):
        want = grad_fn(x[k], y[k])
        np.testing.assert_allclose(got[0][k], want[0], rtol=1e-12)
        np.testing.assert_allclose(got[1][k], want[1], rtol=1e-12)

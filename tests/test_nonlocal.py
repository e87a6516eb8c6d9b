"""``nonlocal`` in a ``def`` inside the differentiated function: the enclosing
function's name, written back when the call ends; a loop or branch whose body makes
the call carries or merges the name as one it assigns (its syntax does not show it).
Values against plain Python, gradients against differences. ``global`` declarations of
names only read, and the refusal of one assigned."""
import sys

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError
from autodiff_compiler.testing import check_grads


def accumulates(x):
    total = 0.0

    def add(v, w=1.0):
        nonlocal total
        total = total + np.sum(np.sin(v)) * w

    add(x)
    add(x ** 2, w=0.5)
    return total


def counts_and_scales_in_a_loop(x):
    scale, calls = 1.0, 0

    def step(v):
        nonlocal scale, calls
        scale = scale * np.tanh(np.sum(v) + 1.0)
        calls += 1
        return v * scale

    y = x
    for _ in range(3):
        y = step(y)
    return np.sum(y) * calls + scale


def in_a_loop_of_runtime_length(x):
    total = x * 0.0

    def add(v):
        nonlocal total
        total = total + v

    while np.sum(total) < 2.0:
        add(np.exp(x))
    return np.sum(total * x)


def on_a_runtime_branch(x):
    best = np.sum(x)

    def consider(v):
        nonlocal best
        best = best * 0.5 + np.sum(v * v)

    for i in range(3):
        if np.sum(x) * (i - 1) > 0:
            consider(x * i)
    return best


def nested_closures(x):
    total = 0.0

    def outer(v):
        def inner(u):
            nonlocal total
            total = total + np.sum(u * u)
        inner(v)
        inner(v * 2.0)

    outer(x)
    return total


CASES = [(accumulates, (np.array([0.1, 0.2, 0.3]),)),
         (counts_and_scales_in_a_loop, (np.array([0.3, -0.2]),)),
         (in_a_loop_of_runtime_length, (np.array([0.3, -0.2]),)),
         (on_a_runtime_branch, (np.array([0.4, 0.3]),)),
         (on_a_runtime_branch, (np.array([-0.4, 0.3]),)),
         (nested_closures, (np.array([0.4, 0.3]),))]
IDS = [f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(CASES)]


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_nonlocal_writes_reach_the_enclosing_function(fn, args):
    value, _ = adc.value_and_grad(fn)(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-12)
    check_grads(fn, *args, order=2)


def apply(fn, v):
    fn(v)


def handed_to_another_function(x):
    total = 0.0

    def add(v):
        nonlocal total
        total = total + np.sum(v)

    apply(add, x)
    return total


def returns_from_a_block(x):
    total = 0.0

    def add(v):
        nonlocal total
        if v > 0:
            return v
        total = total + v
        return v

    add(np.sum(x))
    return total


def make_counter():
    count = 0.0

    def bump(x):
        nonlocal count
        count = count + np.sum(x)
        return count

    return bump


@pytest.mark.parametrize("fn, match", [
    (handed_to_another_function, "is called from another function than the one that "
                                 "defined it"),
    (returns_from_a_block, "returns from inside a block"),
    (make_counter(), "'nonlocal' in the function being differentiated"),
], ids=["called_elsewhere", "returns_in_a_block", "the_function_itself"])
def test_nonlocal_writes_that_cannot_be_given_back_are_refused_at_the_line(fn, match):
    with pytest.raises(AutodiffError, match=match) as info:
        adc.grad(fn)(np.array([0.1, 0.2]))
    assert "test_nonlocal.py" in str(info.value)


def in_a_while_test(x):
    total = 0.0

    def add(v):
        nonlocal total
        total = total + v
        return total

    while add(x) < 3.0:
        pass
    return total


def in_a_skipped_operand(x):
    total = 0.0

    def add(v):
        nonlocal total
        total = total + v
        return total

    r = (x > 1.0) and add(x * x)
    return total + r


def in_a_conditional_expression(x):
    seen = []
    y = seen.append(x) if x > 1.0 else None
    return x * len(seen) if y is None else x


@pytest.mark.parametrize("fn, match", [
    (in_a_while_test, "a call in this loop's condition sets 'total'"),
    (in_a_skipped_operand, "a call that may not run .* sets 'total'"),
    (in_a_conditional_expression, "a call that may not run .* sets 'seen'"),
], ids=["while_test", "and_operand", "conditional_expression"])
def test_a_write_a_condition_would_lose_is_refused_at_the_line(fn, match):
    """Their writes were dropped (a while test's after the first, an operand's or a
    branch's of an expression: values and gradients of the code without them)."""
    with pytest.raises(AutodiffError, match=match) as info:
        adc.grad(fn)(1.3)
    assert "test_nonlocal.py" in str(info.value)


def by_a_comprehension_statement(x):
    total = 0.0

    def add(v):
        nonlocal total
        total = total + v

    [add(x * i) for i in range(3)]
    return total


def test_a_comprehension_as_a_statement_runs_its_calls():
    assert adc.value_and_grad(by_a_comprehension_statement)(0.7) == \
        pytest.approx((2.1, 3.0), rel=1e-12)


SCALE = 3.0


def reads_a_declared_global(x):
    global SCALE
    return np.sum(np.sin(x) * SCALE)


def declares_a_global_its_inner_def_shadows(x):
    global SCALE

    def twice(v):
        SCALE = 2.0  # noqa: N806 (the inner def's own local, not the module's)
        return v * SCALE

    return np.sum(twice(x) * SCALE)


def assigns_a_declared_global(x):
    global SCALE
    SCALE = 2.0
    return np.sum(x * SCALE)


def test_a_global_declaration_of_names_only_read_is_a_module_read(monkeypatch):
    """(It was refused as an unsupported statement.) The value read is the module's at
    each call, as an undeclared name's is."""
    x = np.array([0.3, -1.2])
    np.testing.assert_allclose(adc.grad(reads_a_declared_global)(x), 3.0 * np.cos(x))
    monkeypatch.setattr(sys.modules[__name__], "SCALE", 5.0)
    np.testing.assert_allclose(adc.grad(reads_a_declared_global)(x), 5.0 * np.cos(x))
    np.testing.assert_allclose(adc.grad(declares_a_global_its_inner_def_shadows)(x),
                               np.full(2, 2.0 * 5.0))


def test_assigning_a_declared_global_is_refused_at_the_assignment():
    with pytest.raises(AutodiffError, match="'SCALE' is declared global and assigned") as info:
        adc.grad(assigns_a_declared_global)(np.ones(2))
    assert "test_nonlocal.py" in str(info.value) and "SCALE = 2.0" in str(info.value)
    assert SCALE == 3.0  # the module's variable untouched

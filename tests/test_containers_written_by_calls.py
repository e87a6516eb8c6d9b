"""A list or dict the function built, written by a call inside a loop: a helper or a
closure handed the container (``add(acc, v)`` writing ``acc[0]``, ``push(xs, v)``
appending). The loop's body names only what it assigns, so such a container is found
by lowering the body and seeing which came out changed; it is then carried like a
name the body assigns: a loop of known length is unrolled, one of run-time length is
refused at its line, as it is where the body writes the container itself. Values
against plain Python, gradients against differences."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError
from autodiff_compiler.testing import check_grads


def add_into(items, v):
    items[0] = items[0] + v


def set_entry(table, key, v):
    table[key] = table[key] * 0.5 + v


def push(items, v):
    items.append(v)


def helper_in_a_counted_loop(x):
    acc = [0.0]
    for i in range(3):
        add_into(acc, x * i)
    return acc[0]


def closure_in_a_counted_loop(x):
    acc = [0.0]

    def add(v):
        acc[0] = acc[0] + v

    for _ in range(3):
        add(np.sin(x))
    add(x)  # and once after the loop
    return acc[0]


def helper_on_an_array_entry(x):
    acc = [np.zeros(2), 1.0]
    for _ in range(3):
        add_into(acc, x * acc[1])
        acc[1] = acc[1] * 1.5
    return np.sum(acc[0] ** 2)


def dict_entry_in_a_loop_over_rows(xs):
    table = {"s": 0.0, "n": 1.0}
    for i in range(3):
        set_entry(table, "s", np.sum(np.tanh(xs[i])))
    return table["s"] * table["n"]


def helper_on_a_runtime_branch(x):
    acc = [0.0, 0.0]
    for i in range(4):
        if np.sum(x) * (i - 1.5) > 0:
            add_into(acc, np.sum(x ** 2))
        else:
            acc[1] = acc[1] + np.sum(x)
    return acc[0] + acc[1]


def nested_helpers(x):
    acc = [x * 0.0]

    def twice(v):
        add_into(acc, v)
        add_into(acc, v * v)

    for _ in range(2):
        twice(x)
    return np.sum(acc[0])


def appended_by_a_helper(x):
    items = []
    for i in range(3):
        push(items, x * i)
    return sum(items)


CASES = [
    (helper_in_a_counted_loop, (0.7,)),
    (closure_in_a_counted_loop, (0.7,)),
    (helper_on_an_array_entry, (np.array([0.4, -0.3]),)),
    (dict_entry_in_a_loop_over_rows, (np.array([[0.2, 0.5], [-0.4, 0.1], [0.3, 0.3]]),)),
    (helper_on_a_runtime_branch, (np.array([0.4, 0.2]),)),
    (helper_on_a_runtime_branch, (np.array([-0.4, 0.2]),)),
    (nested_helpers, (np.array([0.4, -0.3]),)),
    (appended_by_a_helper, (0.7,)),
]
IDS = [f"{fn.__name__}-{i}" for i, (fn, _) in enumerate(CASES)]


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_the_value_is_what_python_computes(fn, args):
    value, _ = adc.value_and_grad(fn)(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-12)


@pytest.mark.parametrize("fn, args", CASES, ids=IDS)
def test_the_gradient_matches_finite_differences(fn, args):
    check_grads(fn, *args, order=2)


def test_per_example_gradients_through_a_helper_written_list():
    xs = np.array([[0.4, -0.3], [0.1, 0.9], [-0.5, 0.2]])
    got = adc.vmap(adc.grad(helper_on_a_runtime_branch))(xs)
    want = np.stack([adc.grad(helper_on_a_runtime_branch)(x) for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-12)


def helper_in_a_while_of_runtime_length(x):
    acc = [x * 0.0]
    while acc[0] < 2.0:
        add_into(acc, np.exp(x))
    return acc[0] * x


def test_a_loop_of_runtime_length_writing_through_a_call_is_refused_at_its_line():
    with pytest.raises(AutodiffError, match="'acc' changes in a loop whose length is known "
                                            "only at run time") as info:
        adc.grad(helper_in_a_while_of_runtime_length)(0.3)
    assert "test_containers_written_by_calls.py" in str(info.value)

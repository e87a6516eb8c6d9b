"""A list's methods in a differentiated function: ``stack.pop()`` and the others run
while compiling on the lists the function built (tangent's ``stack_pushing``,
``useless_stack_ops`` and ``redefining_var_as_list`` pop what they pushed), and are
refused, at the user's line, on lists it did not build or where a position or a
comparison needs a value only known at run time."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError
from autodiff_compiler.testing import check_grads


def stack_pushing(a):
    stack = []
    y = a * a
    stack.append(a)
    top = stack.pop()
    return np.sum(y * top * top)


def useless_stack_ops(a):
    stack = []
    stack.append(a)
    stack.pop()
    return np.sum(a * a)


def redefining_var_as_list(a):
    b = a * 2.0
    b = [b]
    return np.sum(b.pop() * a)


def pop_by_position(a, b):
    s = [a, np.sin(b), a * b]
    first = s.pop(0)
    last = s.pop(-1)
    s.insert(0, last)
    return np.sum(s[0] * first + s[1] * 2.0)


def pop_in_a_loop(a):
    pushed = []
    h = a
    for t in range(3):
        h = np.tanh(h + t)
        pushed.append(h)
    total = 0.0
    while pushed:
        total = total + np.sum(pushed.pop() ** 2)
    return total


def copy_then_change(a):
    xs = [a, 2.0 * a]
    ys = xs.copy()
    ys.reverse()
    ys.extend([np.exp(a)])
    return np.sum(ys[0] * xs[0] + ys[2])


def pop_of_a_constant(a):
    s = [1.5, 2.0]
    k = s.pop()
    return np.sum(k * a + len(s))


def extended_through_another_name(a):  # xs += ys changes the list itself
    xs = [a]
    ys = xs
    ys += [np.sin(a)]
    ys *= 2
    return np.sum(sum(xs) * len(xs))


def table_of_repeated_rows(a):  # a dynamic programme's table (Soft-DTW, Viterbi)
    table = [[0.0] * 3 for _ in range(2)]
    for i in range(2):
        for j in range(3):
            left = table[i][j - 1] if j else 1.0
            table[i][j] = np.sum(np.exp(-a * (i + j))) + 0.5 * left
    row = table[1]
    row[0] = row[0] * 2.0
    return table[1][0] + table[1][2] + table[0][1]


def list_repeated_then_assigned(a):
    items = [a] * 3 + [a * 2.0]
    items[1] = np.cos(a)
    shared = [[a] * 2] * 2  # one row twice: a write into it shows in both
    shared[0][0] = a * a
    return np.sum(items[1] + items[2] + items[3] + shared[1][0])


CASES = [stack_pushing, useless_stack_ops, redefining_var_as_list, pop_in_a_loop,
         copy_then_change, pop_of_a_constant, extended_through_another_name,
         table_of_repeated_rows, list_repeated_then_assigned]
SHAPES = [(), (3,), (2, 3)]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_list_methods_match_finite_differences(fn, shape):
    a = np.random.default_rng(0).uniform(0.3, 1.2, shape)
    assert adc.value_and_grad(lambda a: np.sum(fn(a)))(a)[0] == pytest.approx(np.sum(fn(a)))
    check_grads(fn, a, order=2)


def test_pop_and_insert_at_known_positions_broadcast():
    rng = np.random.default_rng(1)
    check_grads(pop_by_position, rng.uniform(0.3, 1.2, (2, 3)), rng.uniform(0.3, 1.2, 3))


def test_a_popped_python_float_is_the_value_pushed():
    assert adc.grad(stack_pushing)(1.5) == pytest.approx(4 * 1.5 ** 3)


def pop_from_argument(xs):
    top = xs.pop()
    return np.sum(top)


def pop_at_run_time_position(a, i):
    s = [a, a * 2.0]
    return np.sum(s.pop(i))


def index_of_an_array(a):
    s = [a, a * 2.0]
    return np.sum(s[s.index(a)])


def extend_argument(a, xs):
    xs += [a]
    return np.sum(xs[-1])


def pop_from_empty(a):
    s = []
    return np.sum(s.pop() * a)


@pytest.mark.parametrize("fn, args, message", [
    (pop_from_argument, ([np.ones(2), np.ones(2)],), "did not create"),
    (pop_at_run_time_position, (np.ones(2), np.int64(1)), "run time"),
    (index_of_an_array, (np.ones(2),), "compares a list's items"),
    (pop_from_empty, (np.ones(2),), "pop from empty list"),
    (extend_argument, (np.ones(2), [np.ones(2)]), r"did not create \(\+= or \*=\)"),
], ids=["argument", "position", "index", "empty", "extend_argument"])
def test_list_methods_that_cannot_run_while_compiling_are_refused_at_the_line(fn, args,
                                                                             message):
    with pytest.raises(AutodiffError, match=message) as err:
        adc.grad(fn)(*args)
    assert "test_list_methods.py" in str(err.value)


def test_the_callers_list_is_left_alone():
    xs = [np.ones(2), np.full(2, 3.0)]
    with pytest.raises(AutodiffError):
        adc.grad(pop_from_argument)(xs)
    assert len(xs) == 2


def rows_listed(x):
    rows = list(x)
    rows.append(rows.pop(0) * 2.0)
    return np.array(rows) ** 2


def rows_tupled(x):
    first, *rest = tuple(x)
    return np.sum(first * np.stack(rest))


@pytest.mark.parametrize("fn", [rows_listed, rows_tupled])
def test_list_and_tuple_of_an_array_are_its_rows(fn):
    """JAX's testJacobianIssue54 builds ``np.array(list(xs))``: ``list(x)`` was refused
    as a call with no derivative rule."""
    x = np.random.default_rng(5).standard_normal((3, 2))
    check_grads(lambda v: np.sum(np.sin(fn(v))), x, generic=False)  # rows: a known count
    if fn is rows_listed:
        np.testing.assert_allclose(adc.jacrev(fn)(x), adc.jacfwd(fn)(x))

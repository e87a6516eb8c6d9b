"""A loop whose carried value changes shape or dtype in its first iteration
(``acc = 0.0`` and then arrays added to it; tangent's ``iter_third_pow1`` starts from
``out = 1``): lowered as that iteration, then a loop over the rest, so the value
keeps the shape and dtype a Jacobian or a Hessian needs (they were refused, saying
the shapes were unknown)."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads


def power_from_a_python_one(a):
    out = 1
    for _ in range(3):
        out = out * a
    return out


def sum_from_a_python_zero(xs):
    acc = 0.0
    for t in range(1, 6, 2):
        acc = acc + np.sin(xs[t]) * t
    return acc


def total_of_powers(a):
    return np.sum(power_from_a_python_one(a))


X = np.array([0.5, -1.0, 2.0])
XS = np.random.default_rng(0).uniform(-1.0, 1.0, (6, 3))


IMAGE = np.random.default_rng(1).uniform(-1.0, 1.0, (4, 10))


def windows_by_the_index(k):  # autograd's convnet: a convolution by slices of the data
    out = np.zeros((4, 8))
    for i in range(3):
        out = out + IMAGE[:, i:i + 8] * k[i]
    return np.sum(out ** 2, axis=0) / np.prod(out.shape)  # of shape (8,), for Jacobians


@pytest.mark.parametrize("fn, x, want", [
    (power_from_a_python_one, X, np.diag(3 * X ** 2)),
    (sum_from_a_python_zero, XS, None),
    (windows_by_the_index, X, None),
], ids=["power", "sum_of_rows", "windows_by_the_index"])
def test_jacobians_of_a_loop_whose_carry_settles_after_one_iteration(fn, x, want):
    rows = [adc.vjp(fn, x)[1](e)[0] for e in np.eye(fn(x).size)]
    want = np.array(rows) if want is None else want
    np.testing.assert_allclose(adc.jacrev(fn)(x), want, rtol=1e-12)
    np.testing.assert_allclose(adc.jacfwd(fn)(x), want, rtol=1e-12)
    check_grads(lambda v: np.sum(fn(v) ** 2), x, order=2)


@pytest.mark.parametrize("x, want", [(0.5, 3.0), (X, np.diag(6 * X))], ids=["float", "vector"])
def test_hessian_of_a_loop_from_a_python_number(x, want):
    fn = power_from_a_python_one if np.ndim(x) == 0 else total_of_powers
    np.testing.assert_allclose(adc.hessian(fn)(x), want, rtol=1e-12)


def test_the_first_iteration_is_lowered_on_its_own_and_the_rest_loops():
    source = adc.gradient_source(sum_from_a_python_zero, args=(XS,))
    loops = [line.strip() for line in source.splitlines() if line.strip().startswith("for ")]
    assert len(loops) == 2 and all("range(2)" in line for line in loops), source


def once(x):
    acc = 0.0
    for _ in range(1):
        acc = acc + np.sin(x)
    return acc


def over_rows(x):
    acc = 0.0
    for i, row in enumerate(x):
        acc = acc + np.sin(row) * (i + 1)
    v = x * 1.0
    if np.linalg.norm(acc) > 1.0:
        v = v * 0.5 + np.tanh(acc)
    return np.sum(v)


def zipped_rows(x):
    acc = 0.0
    for row, other in zip(x, x[::-1]):
        acc = acc + row * other
    return np.median(acc) + np.sum(acc)


def per_example(xs):
    return adc.vmap(over_rows)(xs).sum()


ROWS = np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6], [0.9, 0.2, 0.3]])


@pytest.mark.parametrize("fn, x", [(once, X), (over_rows, ROWS), (zipped_rows, ROWS),
                                   (per_example, np.stack([ROWS, ROWS[::-1] * 2.0]))],
                         ids=["one_trip", "rows", "zipped_rows", "vmap_of_rows"])
def test_loops_of_one_trip_and_over_rows_settle_too(fn, x):
    """A loop of one trip is its body; a loop over an array's rows is lowered as its
    first row, then the rest (Jacobians, vmap and shape-dependent functions such as
    np.median were refused: the accumulator's shape was known only at run time)."""
    check_grads(fn, x, generic=False)
    jac = adc.jacrev(fn)(x)
    np.testing.assert_allclose(jac, adc.jacfwd(fn)(x), rtol=1e-10, atol=1e-12)
    if fn is over_rows:
        per = adc.vmap(adc.grad(fn))(np.stack([x, 2.0 * x]))
        np.testing.assert_allclose(per[1], adc.grad(fn)(2.0 * x), rtol=1e-12)


def numbered_from_one(x):
    total = 0.0
    for i, row in enumerate(x, start=1):
        total += np.sum(np.tanh(row)) / i
    for i, (a, b) in enumerate(zip(x, x[::-1]), 2):
        total += np.sum(a * b) / i
    for i, c in enumerate([0.5, 1.5], start=3):
        total += c * np.sum(x) / i
    return total


def test_enumerate_from_a_start():
    """enumerate(xs, start=n) (it was refused as a call with no derivative rule)."""
    check_grads(numbered_from_one, ROWS, generic=False)
    assert adc.value_and_grad(numbered_from_one)(ROWS)[0] == \
        pytest.approx(numbered_from_one(ROWS))


def descent_until_converged(theta):
    """A while loop whose test starts known (``done = False``), writing a history."""
    x, history, k, done = np.zeros(3), np.zeros(10), 0, False
    while not done:
        g = x - theta
        x = x - 0.3 * g
        history[k] = np.sqrt(g @ g)
        k += 1
        done = history[k - 1] < 1e-8 or k >= 10
    return np.sum(history) + np.sum(x ** 2)


def descent_from_infinity(theta, tol=1e-8, max_iter=10):
    x, history, k, gnorm = np.zeros(3), np.zeros(max_iter), 0, np.inf
    while gnorm > tol and k < max_iter:
        g = x - theta
        x = x - 0.3 * g
        gnorm = np.sqrt(g @ g)
        history[k] = gnorm
        k += 1
    return np.sum(history)


def last_write_wins(theta):
    x, slot, gnorm, k = np.zeros(3), np.zeros(4), np.inf, 0
    while gnorm > 1e-8 and k < 10:
        g = x - theta
        x = x - 0.3 * g
        gnorm = np.sqrt(g @ g)
        slot[k % 4] = gnorm * slot[(k + 3) % 4] + gnorm
        k += 1
    return np.sum(slot * np.arange(1.0, 5.0))


@pytest.mark.parametrize("fn", [descent_until_converged, descent_from_infinity,
                                last_write_wins], ids=lambda f: f.__name__)
def test_a_while_loop_whose_test_starts_known_writes_arrays_in_place(fn):
    """The body was lowered again once the test's value settled (a Python bool or inf,
    then a run-time one), and the write the first attempt made outdated the array for
    the second: refused, "'history' shares memory with an array written in place"."""
    check_grads(fn, np.array([1.0, 2.0, 0.5]))


def long_loop_beside_another_name(x):
    out = np.zeros(3000)
    alias = out  # noqa: F841 (another name for what the loop writes, never read)
    for i in range(3000):
        out[i] = x[i % 3] * i
    return np.sum(out)


def test_a_long_loop_outdating_another_name_stays_one_loop():
    """A loop of known length that outdates a holder is unrolled only where short (64
    iterations): 3000 unrolled took as long to compile as to run."""
    sums = np.array([sum(range(k, 3000, 3)) for k in range(3)], dtype=float)
    np.testing.assert_allclose(adc.grad(long_loop_beside_another_name)(np.ones(3)), sums)


def returns_early_from_a_settling_while(x, y):
    """Fuzz seed 660448, shrunk: the while loop is unrolled (its ``return``), and its
    iterations resume inside the branch the run-time test of the ``return`` makes."""
    acc = y * 1.0
    k, gap = 0, np.inf
    history = np.zeros(4)
    while k < 3 and gap > 1e-3:
        if np.max(x) > 0.3:
            return np.sum(acc)
        history[k] = np.var(acc)
        gap = np.abs(history[k]) + 0.5
        k += 1
    total = x * 1.0
    first = None
    for _ in acc.T:
        if first is None:
            first = total * 1.0
        else:
            total = total + first * 0.25
    return np.sum(total) + np.sum(history)


def test_a_while_test_run_time_where_its_iterations_resume_is_refused_not_a_crash():
    """Shape-generic code (``show``'s) resumed the iterations with a run-time test and
    asked its truth: an internal error. Shape-specialised code is exact."""
    x, y = np.array([0.3, 0.5]), np.array([[0.1, 0.2], [0.3, 0.4]])
    gx, gy = adc.grad(returns_early_from_a_settling_while, (0, 1))(x, y)
    np.testing.assert_array_equal(gx, np.zeros(2))
    np.testing.assert_array_equal(gy, np.ones((2, 2)))
    with pytest.raises(adc.AutodiffError, match="while condition became a run-time value"):
        adc.gradient_source(returns_early_from_a_settling_while, (0, 1))


def lists_in_a_settling_while(x):
    rows, k, gap = [], 0, np.inf
    while k < 3 and gap > 1e-3:
        rows.append(x * k)
        gap = np.abs(np.sum(x)) + 0.5
        k += 1
    return np.sum(np.stack(rows))


def test_a_list_built_in_a_while_whose_test_turns_run_time_is_the_readmes_refusal():
    """Unrolled for its list, then refused as "the condition became a run-time value",
    which named neither the list nor the README's limitation (fuzz seed 690120)."""
    with pytest.raises(adc.AutodiffError, match="building a Python list in a while loop"):
        adc.grad(lists_in_a_settling_while)(np.array([0.3, -0.2]))

"""User code with branches and loops, for the control-flow tests."""
import numpy as np


def branch(x):
    if np.sum(x) > 0:
        y = np.sin(x) * 2.0
    else:
        y = np.cos(x)
    return np.sum(y * x)


def elif_chain(x):
    s = np.sum(x)
    if s > 1.0:
        y = x ** 2
    elif s > -1.0:
        y = np.exp(x)
    else:
        y = -x
    return np.sum(y)


def early_return(x):
    if np.sum(x) > 0.5:
        return np.sum(x ** 3)
    z = np.tanh(x)
    return np.sum(z * x)


def conditional_expression(x):
    scale = 2.0 if np.mean(x) > 0 else -3.0
    return np.sum(x * scale + (x if np.sum(x) > 0 else x * x))


def boolean_condition(x, y):
    if np.sum(x) > 0 and not np.sum(y) > 2.0:
        return np.sum(x * y)
    return np.sum(x + y)


def loop_range(x, w):
    h = x
    for _ in range(4):
        h = np.tanh(h * w + 0.1)
    return np.sum(h)


def loop_rows(xs, w):
    total = 0.0
    for row in xs:
        total = total + np.sum(np.sin(row * w))
    return total


def loop_enumerate_reversed(xs):
    acc = np.zeros(xs.shape[1])
    for i, row in enumerate(xs):
        acc = acc * 0.5 + row * (i + 1.0)
    for i in reversed(range(xs.shape[0])):
        acc = acc + xs[i] ** 2
    return np.sum(acc ** 2)


def nested_loops(x):
    out = x
    for i in range(3):
        for j in range(2):
            out = out * np.cos(out + i - j)
    return np.sum(out)


def while_loop(x):
    y = x
    while np.sum(y ** 2) < 10.0:
        y = y * 1.5 + 0.1
    return np.sum(y)


def fibonacci_like(x):
    a, b = x, x * 0.5
    for _ in range(5):
        a, b = b, a + b * 0.1
    return np.sum(a * b)


def loop_in_branch_in_helper(x):
    return np.sum(_helper(x) * x)


def _helper(x):
    if np.sum(x) > 0:
        for _ in range(3):
            x = np.sin(x) + x
    return x


def calls_helper_in_loop(x):
    out = x
    for _ in range(2):
        out = loop_in_branch_in_helper(out) * out
    return np.sum(out)


def static_unrolled_lists(x):
    hs = []
    h = x
    for t in range(3):
        h = np.tanh(h + t)
        hs.append(h)
    return np.sum(hs[0] * hs[2]) + np.sum(sum(hs)) + len(hs)


def break_and_continue(x):
    total = x * 0.0
    for k in range(6):
        if k == 1:
            continue
        if k == 4:
            break
        total = total + np.sin(x * k)
    return np.sum(total)


def rnn(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def nested_def_and_lambda(x, y):
    scale = 2.0

    def inner(v, power=2, *, shift=0.0):
        return (v * scale + shift) ** power

    square = lambda v: v * v
    return np.sum(inner(x) + inner(y, 3, shift=1.0) + square(x * y))


def star_args(x, y):
    def total(*values):
        out = 0.0
        for v in values:
            out = out + np.sum(v ** 2)
        return out
    return total(x, y, x * y)


def power(x, n):
    """Recursion that ends on an int known when compiling."""
    if n == 0:
        return x * 0.0 + 1.0
    return x * power(x, n - 1)


def calls_power(x):
    return np.sum(power(x, 4))


class Polynomial:
    def __init__(self, coefficients):
        self.coefficients = coefficients

    def __call__(self, x):
        return self.evaluate(x)

    def evaluate(self, x):
        out = x * 0.0
        for c in self.coefficients:
            out = out * x + c
        return out


POLY = Polynomial([1.0, -2.0, 0.5])


def uses_method(x):
    return np.sum(POLY.evaluate(x) * POLY(x))


def runaway(x, depth=0):
    """Recursion on an int that never ends: unrolling it cannot finish."""
    return runaway(x * 2.0, depth + 1)


def halve_until_small(x):
    """Recursion that ends on array values: compiled once, called, differentiated."""
    if np.sum(x ** 2) < 1.0:
        return np.sin(x)
    return halve_until_small(x * 0.5) * 2.0


def uses_recursion(x):
    return np.sum(halve_until_small(x) * x)


def converge(x):
    """Iterate until the update is small: a run-time break, with an else clause."""
    y = x
    for _ in range(20):
        step = np.tanh(y) * 0.3
        if np.sum(step ** 2) < 1e-3:
            break
        y = y - step
    else:
        y = y * 2.0
    return np.sum(y ** 2)


def grow_in_steps_until_large(x):
    """A run-time break after a nested loop: on the iterations that break, the inner
    loop's record exists; on the last one, which ends without a break, it does not."""
    s = x
    for _ in range(6):
        for _ in range(2):
            s = s * 1.1 + 0.3 * np.sin(s)
        if np.sum(s ** 2) > 2.0:
            break
    return np.sum(s * x)


def skip_negative_steps(x):
    total = x * 0.0
    for t in range(4):
        z = x * (t - 1.5)
        if np.sum(z) < 0:
            continue
        total = total + np.sin(z)
    return np.sum(total)


def while_with_break(x):
    y = x
    n = 0
    while np.sum(y) < 50.0:
        y = y * 1.7
        n = n + 1
        if n >= 3:
            break
    return np.sum(y * y)


def first_large(xs):
    """Return from inside a loop on a run-time condition."""
    for row in xs:
        if np.sum(row ** 2) > 1.0:
            return np.sum(np.sin(row) * row)
    return np.sum(xs) * 0.5


def fills_a_buffer(x):
    out = np.zeros((3, x.shape[0]))
    for i in range(3):
        out[i] = np.sin(x * (i + 1))
    out[0, :2] += x[:2] * 2.0
    out[1:, 1] *= 3.0
    return np.sum(out ** 2)


def writes_into_argument(x):
    x[0] = 1.0
    return np.sum(x)


def writes_into_view(x):
    z = np.zeros((2, 3)) + x
    row = z[0]
    row[1] = 5.0
    return np.sum(z)


def writes_into_alias(x):
    z = x * 2.0
    w = z
    w[0] = 0.0
    return np.sum(z * w)


def list_and_dict_items(x):
    parts = [x, x * 2.0]
    parts[1] = np.sin(x)
    table = {"a": x}
    table["b"] = x ** 2
    return np.sum(parts[1] + table["b"] * parts[0])


def zipped_rows(xs, ys):
    total = 0.0
    for x, y in zip(xs, ys):
        total = total + np.sum(np.sin(x) * y)
    return total


def zipped_rows_strictly(xs, ys):
    total = 0.0
    for x, y in zip(xs, ys, strict=True):
        total = total + np.sum(np.sin(x) * y)
    return total


def zipped_rows_of_other_lengths(xs, ys):
    return sum(np.sum(x * y) for x, y in zip(xs, ys[1:], strict=True))


def while_rnn(x, w):
    h = x
    while np.sum(h ** 2) > 0.05:
        h = np.tanh(h * w)
    return np.sum(h * h * w)


def reversed_rnn(xs, w):
    h = np.zeros(xs.shape[1])
    for t in reversed(range(xs.shape[0])):
        h = np.tanh(h * w + xs[t])
    return np.sum(h ** 2)


def two_states(x, w):
    a, b = x, x * 0.5
    for _ in range(4):
        a, b = np.tanh(a * w + b), np.sin(b * a)
    return np.sum(a * b)


SHADOWED = 10.0  # a global of the name the loop binds: the function's own name wins


def bound_in_the_loop_read_after(x):
    for row in x:
        last = np.sum(np.sin(row))
    return np.sum(x ** 2) * last


def global_shadowed_by_the_loop(x):
    for row in x:
        SHADOWED = np.sum(row)  # noqa: N806 (the point of the case)
    return np.sum(x) * SHADOWED


def bound_in_nested_loops(x):
    for _ in range(2):
        for row in x:
            inner = np.sum(row ** 2)
        after = inner * 2.0
    return after + inner


# ``break``/``continue``/``return`` on a run-time condition nested in blocks that are not
# the loop's body (an ``if`` known when compiling, a ``with``): the rest of every
# enclosing block, up to the loop's body, runs only on the paths that do not jump.
# Scaled by ``scale`` so one function takes both paths; a row list walks unrolled.
VERBOSE = True


def continue_in_static_if(x):
    acc = x
    for _ in range(3):
        if VERBOSE:
            if np.sum(acc) > 0.0:
                continue
            acc = acc + 1.0
        acc = acc * 2.0
    return np.sum(acc ** 2)


def break_in_static_if(x):
    acc = x
    for _ in range(3):
        if VERBOSE:
            if np.sum(acc) > 0.0:
                break
            acc = acc + 1.0
        acc = acc * 2.0
    return np.sum(acc ** 2)


def continue_in_with(x):
    acc = x
    for _ in range(3):
        with np.errstate(all="ignore"):
            if np.sum(acc) > 0.0:
                continue
            acc = acc + np.sin(acc)
        acc = acc * 2.0
    return np.sum(acc ** 2)


def continue_in_static_if_walking_rows(x):
    acc = x[0]
    for row in [x[1], -x[1], x[0] * 0.5]:
        if VERBOSE:
            if np.sum(row) > 0.0:
                continue
            acc = acc + row
        acc = acc * 1.5
    return np.sum(acc ** 2)


def nested_loop_return_in_static_if(x, n):
    acc = x
    for _ in range(n):
        if VERBOSE:
            for _ in range(2):
                if np.sum(acc) > 5.0:
                    return np.sum(acc * 3.0)
                acc = acc + 1.0
            acc = acc * 1.5
        acc = acc * 2.0
    return np.sum(acc)


def break_on_data_behind_a_check(x):
    """A ``break`` on each example's data in a loop that also raises: under vmap the
    loop's branches run example by example, and the gradient's record of an iteration
    an example skipped is None (vmap of grad once failed on it, fuzz seed 60855)."""
    acc = np.zeros_like(x)
    for k in range(4):
        if np.max(np.abs(acc)) > 1e6:
            raise ValueError("diverged")
        if np.sum(acc) > 2.0:
            break
        acc = acc + np.tanh(x * (k + 1)) * x * 0.5
    return np.sum(acc * x)


def float_or_array_indexed(x, y):  # the fuzzer's seed 120276: v[None] of a Python float
    v = y * 2.0 if x > 0 else np.exp(x)
    return np.sum(np.tanh(v[None]))


def decayed(x, n):  # a recursion on an int known when compiling: unrolled then
    if n == 0:
        return x
    return decayed(x * 1.001, n - 1)

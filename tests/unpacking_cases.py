"""Functions using Python's unpacking, assignment expressions and reductions
(``max``, ``min``, ``sum``, ``functools.reduce``) on run-time values, for
test_unpacking_and_builtins.py. The compiler reads them from source."""
import contextlib
import functools
import threading

import numpy as np

# ---------------------------------------------------------------------------- unpacking


def starred_first(x):
    a, *rest = x
    return a * sum(rest)


def starred_last(x):
    *init, last = x
    return last * init[0] + len(init)


def starred_middle(x):
    first, *middle, last = x
    return first * last + np.sum(np.stack(middle) ** 2)


def starred_only(x):
    *items, = x
    return items[0] * items[-1]


def starred_rows(m):
    first, *rest = m
    return np.sum(first) * np.sum(np.stack(rest))


def rows(m):
    a, b, c = m
    return np.sum(a * b - c)


def starred_tuple_of_arrays(x, y):
    a, *rest = (x, y, x * y)
    return np.sum(a * rest[0] + rest[1])


def starred_list_grows(x):
    a, *b = x
    b.append(a * 3.0)
    return np.sum(np.array(b) ** 2)


def starred_loop_target(x):
    total = 0.0
    for a, *rest in [(x[0], x[1]), (x[2], x[3])]:
        total = total + a * rest[0]
    return total


def star_in_display(x):
    return np.sum(np.stack([*x, *x[::-1]]) ** 2)


def three(a, b, c):
    return a * b + c


def star_in_call(m):
    return np.sum(three(*m))


def double_star_in_call(x):
    options = {"a": x[0], "b": x[1]}
    return three(**options, c=x[2])


def double_star_in_dict(x):
    base = {"a": x[0], "b": 2.0}
    merged = {**base, "b": x[1] ** 2}
    return merged["a"] * merged["b"]


def dict_of_keywords(x):
    options = dict({"b": x[1]}, a=x[0] * 2.0, c=x[2])
    return three(**options) * dict(a=x[2])["a"]


# ---------------------------------------------------------------------------- :=


def walrus_in_if(x):
    out = 0.0
    if (total := np.sum(x)) > 0:
        out = total * 2.0
    return out + total


def walrus_in_comprehension(x):
    doubled = [(last := v * 2.0) for v in x]
    return last * doubled[0]


def walrus_in_expression(x):
    return np.sum((s := np.sin(x)) * s)


# ---------------------------------------------------------------------------- builtins


def max_min_of_two(x):
    return max(x[0], x[1]) + min(x[2], 1.0) * max(x[3], x[0], x[1])


def max_min_of_array(x):
    return max(x) * min(x)


def max_with_key(x):
    return max([x[0] ** 2, x[1], x[2]], key=lambda v: -v)


def min_of_dict_values(x):
    scores = {"a": x[0], "b": x[1] * 3.0}
    return min(scores.values())


def max_default(x):
    return max([], default=x[0]) * 2.0


def max_at_a_tie(x):
    return max(x[0], x[0] * 1.0)


def sum_of_array(x):
    return sum(x) + sum(x ** 2, 1.0)


def sum_of_rows(m):
    return np.sum(sum(m) ** 2)


def sum_of_generator(x):
    return sum(v ** 2 for v in x)


def reduce_product(x):
    return functools.reduce(lambda a, b: a * b, x)


def reduce_with_initial(x):
    return functools.reduce(lambda a, b: a + b * b, x, 0.5)


def tuple_indexed_in_a_loop(x):
    parts = (x[0] * 2.0, x[1] ** 2, np.sin(x[2]))
    total = 0.0
    for i in range(3):
        total = total + parts[i]
    return total


# ---------------------------------------------------------------------------- refused


def walrus_in_while_test(x):
    y = x
    while (s := np.sum(y * y)) > 1.0:
        y = y * 0.5
    return s


def walrus_in_run_time_branch(x):
    out = (y := x[0]) if x[1] > 0 else (y := x[2])
    return out * y


def walrus_after_run_time_and(x):
    big = np.sum(x) > 0 and (y := x[0]) > 0
    return y if big else 0.0


def unpack_too_many(x):
    a, b = x
    return a * b


def unpack_zero_d(x):
    a, b = x[0]
    return a * b


def double_star_array(x):
    return three(**x)


def max_of_arrays(m):
    return np.sum(max(m[0], m[1]))


def tuple_indexed_by_argument(x, i):
    parts = (x[0] * 2.0, x[1] ** 2)
    return parts[i]


# ---------------------------------------------------------------------------- comparisons


def chained_comparison(x):
    if 0.0 < x[0] < 1.0:
        return x[0] * x[1]
    return x[1] ** 2


def chained_three(x):
    return x[0] * 2.0 if x[1] < x[0] <= x[2] < 5.0 else x[3] ** 2


def item_in_tuple(x):
    return x[1] * 2.0 if x[0] in (x[2], 0.3) else x[1] ** 3


def item_not_in_array(x):
    return x[1] * 2.0 if x[0] not in x[1:] else x[1] ** 3


def any_of_list(x):
    return x[0] * 2.0 if any([x[0] > 1.0, x[1] > 0.0]) else x[1] ** 2


def all_of_array(x):
    return x[0] * 2.0 if all(x > -1.5) else x[1] ** 2


def truth_of_a_value(x):
    return x[0] * 2.0 if bool(x[1] > 0.5) else x[1] ** 2


# ---------------------------------------------------------------------------- ufunc.at


INDEX = np.array([0, 0, 1, 3])


def add_at_repeated(x):
    y = np.zeros(4)
    np.add.at(y, [0, 0, 1], x[:3])
    return np.sum(y ** 2)


def subtract_at_array_index(x):
    y = x * 1.0
    np.subtract.at(y, INDEX, x ** 2)
    return np.sum(np.sin(y))


def add_at_rows(m):
    y = np.zeros((4, 2))
    np.add.at(y, INDEX[:3], m)
    return np.sum(np.tanh(y) * np.arange(8.0).reshape(4, 2))


def add_at_diagonal_assembly(x):
    """Finite-element style: values added on a diagonal by index arrays computed in
    the function (a tuple of them: the gradient's x[index] lost their shapes)."""
    k = np.zeros((4, 4))
    idx = np.arange(3)
    np.add.at(k, (idx, idx + 1), x[:3])
    np.add.at(k, (idx + 1, idx), x[1:])
    return np.sum(k ** 3)


def add_at_into_argument(x):
    np.add.at(x, [0], 1.0)
    return np.sum(x)


def add_at_into_view(x):
    y = np.zeros((2, 4))
    np.add.at(y[0], INDEX, x)
    return np.sum(y)


def multiply_at(x):
    y = np.ones(3)
    np.multiply.at(y, [0], 2.0)
    return np.sum(y * x[:3])


# ---------------------------------------------------------------------------- with


def errstate_around_a_log(x):
    with np.errstate(divide="ignore", invalid="ignore"):
        y = np.log(np.abs(x) + 0.5)
    return np.sum(y ** 2)


def errstate_returning(x):
    with np.errstate(all="ignore"):
        return np.sum(np.sqrt(np.abs(x) + 1.0))


def errstate_in_a_loop_with_break(x):
    total = 0.0
    for v in x:
        with np.errstate(over="ignore"):
            if v > 1.5:
                break
            total = total + np.exp(v)
    return total


def nullcontext_binding(x):
    with contextlib.nullcontext(x * 2.0) as doubled:
        s = np.sum(doubled ** 2)
    return s


def errstate_that_raises(x):
    with np.errstate(divide="raise"):
        return np.sum(x)


def with_a_lock(x):
    with threading.Lock():
        return np.sum(x)


def keyword_given_twice(x):
    options = {"c": x[2]}
    return three(x[0], x[1], **options, c=x[3])


# ------------------------------------------------------------------ reading containers and types


def dict_get_with_a_run_time_default(x):
    options = {"a": x * 2.0}
    return np.sum(options.get("a", x) * options.get("b", x ** 2))


def sorted_keys_of_a_dict(x):
    parts = {"b": x * 2.0, "a": x[::-1]}
    return sum(np.sum(parts[k]) * (i + 1) for i, k in enumerate(sorted(parts)))


def isinstance_of_an_array(x):
    return np.sum(x * 3.0) if isinstance(x, np.ndarray) else np.sum(x)


def isinstance_of_an_item(x):
    return np.sum(x) if isinstance(x[0], np.ndarray) else 1.0


def range_of_a_run_time_count(x):
    return sum(list(range(int(np.sum(x > 0))))) * np.sum(x)


def reversed_rows(x):
    total = 0.0
    for v in reversed(x):  # Horner's rule, last coefficient first
        total = total * 0.5 + v
    return total


def _halves(m):
    return m[0], m[1] * 2.0


def zip_of_starred_call(m):  # gmm.py's zip(*unpack_params(params))
    total = 0.0
    for u, v in zip(*_halves(m)):
        total = total + u * v
    return total


def _flattened(value):  # autograd.misc.flatten's recursion through map
    if isinstance(value, list | tuple):
        return np.concatenate(list(map(_flattened, value)))
    return np.ravel(value)


def map_of_a_recursion(m):
    v = _flattened([(m, m[0]), (np.sin(m[1]),)])
    return np.dot(v, v)


def map_of_two_sequences(m):
    return sum(map(lambda a, b: np.sum(a * b), m, [m[1], m[0], m[2]]))


def enumerate_beside_rows(m):  # enumerate as a value, not a loop's own iterable
    total = 0.0
    for row, (i, other) in zip(m, enumerate(m[::-1], start=1)):
        total = total + i * np.sum(row * other)
    return total


def enumerate_listed(m):
    pairs = list(enumerate([np.sin(m[0]), m[1] * m[2]]))
    return sum(np.sum(v) * (i + 1) for i, v in pairs) + dict(enumerate(m))[2][1]


def rows_sorted_by_a_key(m):  # sorted() of an array: its rows
    rows = sorted(m, key=lambda r: r[0])
    return np.sum(rows[0] * 2.0 + rows[-1] ** 2)


def entries_sorted(m):
    return sorted(m[:, 0])[0] * np.sum(m) + sorted(m[0], reverse=True)[0]


def rows_through_iter_and_next(m):
    rows = iter(m)
    first = next(rows)
    second = next(rows)
    return np.sum(first * second) + sum(np.sum(r) for r in rows)


LAYERS = [(1, 2), (2, 1)]


def _unpack_layers(weights):  # autograd's bayesian_neural_net.py
    for m, n in LAYERS:
        yield weights[:m * n].reshape((m, n)), weights[m * n:m * n + n]
        weights = weights[(m + 1) * n:]


def _rows_then_rest(m):
    yield from (np.sin(row) for row in m)
    if np.ndim(m) == 2:
        return
    yield m  # never reached: the return ends the iteration


def generator_of_layers(m):
    x = np.ones((2, 1)) * 0.5
    for w, b in _unpack_layers(np.ravel(m)[:7]):
        x = np.tanh(x @ w + b)
    return np.sum(x)


def generator_with_yield_from(m):
    return sum(np.sum(r * r) for r in _rows_then_rest(m)) + len(list(_rows_then_rest(m)))

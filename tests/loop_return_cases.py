"""Functions that return from inside loops run at run time, their result a structure
(tuples, lists, dicts): the result carried by the loop takes the structure of the
first ``return`` met, with ``None`` leaves until one runs."""
import numpy as np


def tuple_from_for(x, n):
    for _ in range(n):
        return np.sum(x), x * 2.0
    return np.max(x), x * 2.0


def tuple_from_rows(xs):
    for row in xs:
        if np.sum(row ** 2) > 1.0:
            return np.sum(np.sin(row) * row), row * 3.0
    return np.sum(xs) * 0.5, xs[0] * 2.0


def nested_from_rows(xs):
    for row in xs:
        if np.sum(row) > 0.5:
            return {"loss": np.sum(row ** 2), "parts": (row * 2.0, [np.tanh(row)])}
    return {"loss": np.sum(np.cos(xs)), "parts": (xs[0], [xs[1] * 0.5])}


def tuple_from_while(x):
    y = x
    while np.sum(y ** 2) < 10.0:
        y = y * 1.5 + 0.1
        if np.max(y) > 2.0:
            return np.sum(y), y
    return np.sum(y) * 0.5, -y


def tuple_from_while_else_path(x):
    k = 0.0
    while k < 3.0:
        k = k + 1.0
        if np.sum(x) * k > 100.0:
            return np.sum(x) * k, x * k
    return np.sum(x ** 2), x


def aux_from_rows(xs):
    for row in xs:
        if np.sum(row) > 0.5:
            return np.sum(row ** 2), (np.max(row), row)
    return np.sum(np.cos(xs)), (np.min(xs), xs[0])


def structure_differs(xs):
    for row in xs:
        if np.sum(row) > 0.5:
            return np.sum(row ** 2), row
    return np.sum(xs)


def falls_off_after_loop(xs):
    for row in xs:
        if np.sum(row) > 0.5:
            return np.sum(row ** 2), row


def return_in_nested_run_time_loops(x):
    y = x
    while np.sum(y) < 6.0:
        for r in y * np.ones((2, 3)):
            if np.sum(r) > 3.0:
                return np.sum(np.cos(r)), r
        y = y * 1.3 + 0.2
    return np.sum(y ** 2), y


def return_unconditional_in_inner_loop(x, n):
    c = 1.0 + np.tanh(np.sum(x))
    while c < 3.0:
        for _ in range(n):
            return np.sum(np.cos(x * c)), x * c
        c = c + 0.75
    return np.sum(x ** 2), x


def return_in_nested_for_ranges(x, n):
    acc = x
    for i in range(n):
        for j in range(n):
            acc = np.sin(acc) + 0.5 + 0.01 * (i - j)
            if np.sum(acc) > 2.5:
                return np.sum(acc ** 2), {"at": acc}
        acc = acc * 1.1
    return np.sum(acc), {"at": acc * 2.0}

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

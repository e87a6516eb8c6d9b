"""Loops whose carried value is 0-d: a Python float, a NumPy scalar, a 0-d array —
the loop people write most (``acc = 0.0; for row in X: acc = acc + ...``)."""
import numpy as np


def halve_float(x):
    s = x
    for _ in range(3):
        s = s * 0.5
    return s


def sum_of_cubed_rows(xs):
    acc = 0.0
    for row in xs:
        acc = acc + np.sum(row ** 3)
    return acc


def numpy_scalar_accumulator(xs):
    acc = np.float64(0.0)
    for row in xs:
        acc = acc + np.sum(np.sin(row))
    return acc


def zero_d_array_accumulator(xs):
    acc = np.zeros(())
    for row in xs:
        acc = acc + np.sum(row * row)
    return acc


def float32_accumulator(xs):
    acc = np.float32(0.0)
    for row in xs:
        acc = acc + np.sum(row) * np.float32(0.5)
    return acc


def float_and_array_carried(xs):
    acc, h = 0.0, np.zeros(xs.shape[1])
    for row in xs:
        h = np.tanh(h + row)
        acc = acc + np.sum(h) * 0.5
    return acc * np.sum(h)


def zipped_products(xs, ys):
    acc = 0.0
    for x, y in zip(xs, ys):
        acc = acc + np.sum(x * y)
    return acc


def enumerated_weights(xs):
    acc = 0.0
    for i, row in enumerate(xs):
        acc = acc + (i + 1.0) * np.sum(np.cos(row))
    return acc


def while_halving(x):
    s = x
    while s > 0.1:
        s = s * 0.5
    return s * s


def float_with_break_and_continue(xs):
    acc = 0.0
    for i in range(xs.shape[0]):
        if np.sum(xs[i]) < 0:
            continue
        acc = acc + np.sum(xs[i] ** 2)
        if acc > 2.0:
            break
    return acc


def float_with_early_return(xs):
    acc = 0.0
    for row in xs:
        acc = acc + np.sum(np.exp(row))
        if acc > 3.0:
            return acc * 2.0
    return acc


def scalar_argument_power_series(x):
    term, total = 1.0, 0.0
    for k in range(1, 6):
        term = term * x / k
        total = total + term
    return total


def float_carried_over_runtime_range(xs):
    acc = 0.0
    for i in range(xs.shape[0]):
        acc = acc * 0.9 + np.sum(xs[i])
    return acc


def enumerated_zip(xs, ys):
    acc = np.float64(0.0)
    for i, (a, b) in enumerate(zip(xs, ys)):
        acc = acc + i * np.sum(a * b) + np.sum(np.exp(a))
    return acc


def nested_float_loops(xs):
    acc = 0.0
    for row in xs:
        inner = 0.0
        for v in row:
            inner = inner + v * v
        acc = acc + inner * np.sum(row)
    return acc


def while_in_for(xs):
    acc = 0.0
    for row in xs:
        s = np.sum(row ** 2)
        while s > 0.1:
            s = s * 0.5
        acc = acc + s
    return acc


def branch_in_counted_while(x):
    s = np.sum(x)
    k = 0
    while k < 4:
        if s > 0:
            s = s * np.sum(x)
        else:
            s = s - np.sum(x * x)
        k += 1
    return s

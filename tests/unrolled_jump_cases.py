"""Loops unrolled while compiling (they build Python lists, or walk one) that
``return`` or ``break`` on a run-time condition: the iterations still to come, and what
follows the loop, are lowered into the branch that does not jump. And lists and dicts
changed in branches on a run-time condition, each branch changing its own copy."""
import numpy as np


def early_return_building_list(xs):
    parts = []
    for i in range(3):
        row = xs[i]
        if np.sum(row) > 1.0:
            return np.sum(row ** 2) * (len(parts) + 1)
        parts.append(np.sin(row))
    return np.sum(np.stack(parts))


def early_return_reads_list(xs):
    parts = [xs[0] * 0.5]
    for i in range(3):
        row = xs[i]
        parts.append(np.tanh(row))
        if np.sum(row) > 1.0:
            return np.sum(np.stack(parts) ** 2)
    return np.sum(np.concatenate(parts))


def early_return_tuple_building_list(xs):
    parts = []
    for i in range(3):
        row = xs[i]
        if np.max(row) > 1.2:
            return np.sum(row ** 2), np.stack(parts + [row])  # noqa: RUF005
        parts.append(row * 2.0)
    return np.sum(np.stack(parts)), np.stack(parts)


def break_building_list(x):
    parts = []
    for i in range(4):
        parts.append(x * (i + 1.0))
        if np.sum(np.stack(parts)) > 2.0:
            break
    return np.sum(np.stack(parts) ** 2) + len(parts)


def break_with_else(x):
    parts = []
    for i in range(3):
        parts.append(np.sin(x * i))
        if np.sum(x) * i > 1.0:
            break
    else:
        parts.append(x ** 2)
    return np.sum(np.stack(parts))


def return_in_counted_while(x):
    parts = []
    c = 0
    while c < 3:
        parts.append(x * c)
        if np.sum(x) * c > 1.0:
            return np.sum(np.stack(parts) ** 2)
        c += 1
    return np.sum(np.stack(parts)) + np.sum(x ** 3)


def return_in_nested_unrolled(xs):
    parts = []
    for i in range(3):
        row = xs[i]
        for v in [row, row * 2.0]:
            if np.sum(v) > 2.0:
                return np.sum(v ** 2) + len(parts)
            parts.append(np.cos(v))
    return np.sum(np.stack(parts))


def continue_then_return(xs):
    parts = []
    for i in range(3):
        row = xs[i]
        if np.sum(row) < 0.0:
            continue
        if np.sum(row) > 1.5:
            return np.sum(np.exp(row)) + len(parts)
        parts.append(row ** 2)
    return np.sum(np.stack(parts + [xs[0]]))  # noqa: RUF005


def return_then_continue(xs):
    parts = []
    acc = xs[0] * 0.0
    for i in range(3):
        row = xs[i]
        parts.append(row ** 2)
        if np.sum(row) > 1.5:
            return np.sum(np.exp(row)) + np.sum(acc)
        if np.sum(row) < 0.0:
            continue
        acc = acc + np.sin(row)
    return np.sum(np.stack(parts)) + np.sum(acc)


def append_in_both_branches(x):
    parts = []
    for i in range(3):
        if np.sum(x) * i > 0.5:
            parts.append(np.sin(x) * i)
        else:
            parts.append(x ** 2)
    return np.sum(np.stack(parts))


def dict_set_in_branches(x):
    d = {"a": x}
    if np.sum(x) > 0.0:
        d["a"] = x * 2.0
    else:
        d["a"] = x * 3.0
    return np.sum(d["a"] ** 2)


def append_in_one_branch(x):
    parts = []
    for i in range(3):
        if np.sum(x) * i > 0.5:
            parts.append(x * i)
    return np.sum(np.stack(parts + [x]))  # noqa: RUF005


def return_in_unrolled_in_run_time_loop(x):
    y = x
    while np.sum(y) < 5.0:
        for v in (y, y * 2.0):
            if np.sum(v) > 3.0:
                return np.sum(v)
        y = y + 1.0
    return np.sum(y ** 2)


def returns_in_and_after_walked_rows(x, y):
    for row in x / (1.5 + np.cos(y)):
        if np.sum(row) > 0.0:
            return np.sum(row ** 2), x * 2.0
    if np.sum(x) > -0.5:
        return np.sum(np.sin(x * y)), x * 2.0
    return np.sum(x), x * 2.0


def breaks_in_nested_walked_loops(x):
    """Six iterations of a loop each ending an inner loop at any of five places: what
    follows each inner loop is lowered once, not once per path (5 ** 6 of them)."""
    acc = x * 0.0
    for k in range(6):
        for v in [x, x * 0.5, np.sin(x), x * x, np.cos(x)]:
            if np.sum(v * (k - 2.5)) > 0.4:
                break
            acc = acc + v * 0.1
        acc = np.tanh(acc + 0.2)
    return np.sum(acc ** 2)


def continue_then_break(xs):
    acc = xs[0] * 0.0
    for row in [xs[0], xs[1], xs[2]]:
        if np.sum(row) < 0.0:
            continue
        if np.sum(row) > 1.5:
            break
        acc = acc + np.sin(row)
    else:
        acc = acc * 2.0
    return np.sum(acc ** 2)


def return_then_inner_break(xs):
    acc = xs[0] * 0.0
    for row in [xs[0], xs[1], xs[2]]:
        if np.sum(row) > 1.5:
            return np.sum(np.exp(row)) + np.sum(acc)
        for v in [row, row * 2.0, row * 3.0]:
            if np.sum(v) < -0.35:
                break
            acc = acc + np.sin(v)
        acc = acc * 0.5
    return np.sum(acc ** 2)


def break_concatenating_list(x):
    parts = [x]
    for i in range(4):
        parts = parts + [x * (i + 1.0)]  # noqa: RUF005 (no .append: seen only when merging)
        if np.sum(np.stack(parts)) > 2.0:
            break
    return np.sum(np.stack(parts) ** 2) + len(parts)

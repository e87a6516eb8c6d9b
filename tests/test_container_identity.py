"""A list or dict held twice (two names, a list in a list or a tuple, a helper's
parameter and its caller's name), changed on the paths of a run-time branch: every
holder shares the one object afterwards, as in Python. Each path changed its own copy,
and the merged value was a new object per name, so a change through one holder after
the branch was lost to the other (found by a stress round: 0.2 for Python's 0.6).
Values against plain Python on both paths, gradients against differences."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.testing import check_grads


def appended_through_an_alias(x):
    a = []
    b = a
    if x[0] > 0:
        b.append(x)
    else:
        b.append(-x)
    b.append(x * 2.0)
    return np.sum(np.stack(a))


def item_set_through_an_alias(x):
    a = [x[0], x[1]]
    b = a
    if x[0] > 0:
        b[0] = x[1] * 5.0
    else:
        b[0] = x[1]
    b[1] = x[0]
    return a[0] * a[1] + b[0]


def inner_list_named(x):
    rows = [[]]
    r0 = rows[0]
    if x[0] > 0:
        r0.append(x[0] * 3.0)
    else:
        r0.append(x[0])
    rows[0].append(x[1])
    return sum(r0) + sum(rows[0])


def list_in_a_tuple_over_two_branches(x):
    a = []
    pair = (a, 1.0)
    if x[0] > 0:
        pair[0].append(x[0] * 3.0)
    else:
        pair[0].append(x[0])
    if x[1] < 0:
        pair[0].append(x[1])
    else:
        pair[0].append(-x[1])
    return sum(a) * pair[1]


def dict_through_an_alias(x):
    d = {"k": x}
    e = d
    if x[0] > 0:
        e["k"] = x * 3.0
    else:
        e["k"] = x
    e["k"] = e["k"] + 1.0
    return np.sum(d["k"] * x)


def _push(items, v):
    if v[0] > 0:
        items.append(v * 2.0)
    else:
        items.append(v)


def _put(table, key, t):
    if t > 0:
        table[key] = t * 2.0
    else:
        table[key] = t


def changed_by_a_helper_in_its_branch(x):
    acc = [x]
    _push(acc, x)
    d = {"k": 0.0}
    _put(d, "k", x[0])
    fresh = []
    _push(fresh, x)
    return np.sum(np.stack(acc)) + d["k"] * x[1] + np.sum(np.stack(fresh))


def reset_on_one_path(x):
    """Nothing else holds the list: a new one on one path is fine."""
    items = [x[0]]
    if x[1] > 0:
        items = [x[1] * 2.0]
    items.append(x[1])
    return sum(items) * x[0]


CASES = [appended_through_an_alias, item_set_through_an_alias, inner_list_named,
         list_in_a_tuple_over_two_branches, dict_through_an_alias,
         changed_by_a_helper_in_its_branch, reset_on_one_path]
POINTS = [np.array([0.5, -0.3]), np.array([-0.4, 0.7])]  # each branch's path


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", POINTS, ids=["first_path", "second_path"])
def test_every_holder_shares_the_container_after_a_branch(fn, x):
    value = adc.value_and_grad(fn)(x)[0]
    assert value == pytest.approx(fn(x.copy()), rel=1e-12)
    check_grads(fn, x, modes=("rev",), generic=False)


def rebound_on_one_path(x):
    a = [x[0]]
    b = a
    if x[1] > 0:
        b = [x[1]]
    b.append(x[0])
    return sum(a) * 10.0 + sum(b)


def test_a_name_that_is_another_names_list_on_some_paths_only_is_refused_when_used():
    """Whether ``b.append`` reaches ``a`` is decided at run time."""
    with pytest.raises(adc.AutodiffError, match="another name's on some paths") as err:
        adc.grad(rebound_on_one_path)(np.array([0.5, -0.3]))
    assert "test_container_identity.py:" in str(err.value)
    assert "b.append(x[0])" in str(err.value)


class Box:
    def __init__(self):
        self.items = []


def attribute_list_named_and_changed_in_a_loop(x):
    box = Box()
    named = box.items
    for i in range(2):
        if x[i] > 0:
            named.append(x[i] * 3.0)
        else:
            named.append(x[i])
    return sum(box.items) * x[0]


@pytest.mark.parametrize("x", POINTS, ids=["first_path", "second_path"])
def test_an_attributes_list_named_and_changed_on_branches_stays_the_attributes(x):
    """The attribute kept the first iteration's path copy, and the appends of the
    second reached only the name (1.5 for Python's 1.2)."""
    fn = attribute_list_named_and_changed_in_a_loop
    assert adc.value_and_grad(fn)(x)[0] == pytest.approx(fn(x.copy()), rel=1e-12)
    check_grads(fn, x, modes=("rev",), generic=False)

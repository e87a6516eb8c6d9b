"""``match`` statements: each case's pattern, guard and captures as Python takes them,
values against plain Python, gradients against central differences, with subjects known
when compiling and at run time; the patterns not supported refused at the statement."""
import match_cases as C
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler.errors import UnsupportedSyntaxError

X = np.array([0.3, -1.2, 0.8])
M = np.array([[0.3, -1.2], [0.8, 0.5]])

CASES = [
    (C.by_rank, (X,)),
    (C.by_rank, (M,)),
    (C.by_rank, (np.array(0.4),)),
    (C.by_name, (X,)),
    (C.by_name, (X, "relu")),
    (C.by_name, (X, "sigmoid")),
    (C.by_name, (X, "linear")),
    (C.by_shape, (X,)),
    (C.by_shape, (X, (5,))),
    (C.by_shape, (X, [3, 2, 1])),
    (C.by_shape, (X, (3, 2))),
    (C.by_ends, (X,)),
    (C.by_ends, (X, [2.0, 3.0])),
    (C.by_keys, (X,)),
    (C.by_keys, (X, {"act": "cos"})),
    (C.by_keys, (X, {"act": "tan", "k": 1.0})),
    (C.by_class, (X,)),
    (C.by_class, (X, C.Config("sin", 0.5))),
    (C.by_class, (X, C.Config("cos", 0.5))),
    (C.by_enum, (X,)),
    (C.by_enum, (X, C.Mode.FAST)),
    (C.by_none, (X,)),
    (C.by_none, (X, 2.5)),
    (C.by_sign_per_item, (X,)),
    (C.numpy_bool_is_never_true, (X,)),
    (C.by_count, (X,)),
    (C.by_count, (-np.abs(X),)),
    (C.by_count, (np.abs(X),)),
    (C.in_an_inner_def, (X,)),
    (C.capture_rebinding_the_subject, (X,)),
    (C.capture_kept_after_the_loop, (X,)),
]


def _id(case):
    fn, args = case
    return fn.__name__ + "".join(f"-{a!r}"[:12] for a in args[1:])


@pytest.mark.parametrize(("fn", "args"), CASES, ids=[_id(c) for c in CASES])
def test_values_and_gradients_are_pythons(fn, args):
    value, grad = adc.value_and_grad(fn)(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-14)
    want = central_differences(lambda a: fn(a, *args[1:]), args[0])
    np.testing.assert_allclose(grad, want, rtol=1e-6, atol=1e-8)


def test_a_run_time_subject_branches_per_call():
    grad = adc.grad(C.by_count)
    for x in (X, -np.abs(X), np.abs(X)):  # one compiled chain, three cases taken
        np.testing.assert_allclose(grad(x), central_differences(C.by_count, x),
                                   rtol=1e-6, atol=1e-8)


def test_vmap_takes_each_examples_case():
    xs = np.array([[0.3, -1.2, 0.8], [-0.1, -0.2, -0.3], [1.0, 2.0, 0.5]])
    got = adc.vmap(adc.grad(C.by_count))(xs)
    for x, g in zip(xs, got):
        np.testing.assert_allclose(g, central_differences(C.by_count, x), rtol=1e-6,
                                   atol=1e-8)


@pytest.mark.parametrize("fn", [C.mapping_rest, C.positional_class_pattern,
                                C.alternatives_capturing])
def test_patterns_not_supported_are_refused_at_the_statement(fn):
    with pytest.raises(UnsupportedSyntaxError, match="a pattern of this 'match' statement") \
            as info:
        adc.grad(fn)(X)
    assert "match_cases.py" in str(info.value) and "if/elif" in str(info.value)


def with_key_test(params):
    total = np.sum(params["w"] ** 2)
    if "b" in params:
        total = total + np.sum(params["b"])
    if "c" not in params:
        total = total * 2.0
    return total


def test_a_key_tested_in_a_dict_of_arrays():
    """(``"b" in params`` of arrays was refused: 'in' of a run-time value and a dict.)"""
    params = {"w": X, "b": M}
    grads = adc.grad(with_key_test)(params)
    np.testing.assert_allclose(grads["w"], 4.0 * X)
    np.testing.assert_allclose(grads["b"], np.full((2, 2), 2.0))
    np.testing.assert_allclose(adc.grad(with_key_test)({"w": X})["w"], 4.0 * X)

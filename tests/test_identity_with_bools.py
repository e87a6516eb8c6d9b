"""``flag is True`` of a run-time value, as Python answers it: a Python bool (``bool(...)``,
``not``, a comparison of Python numbers) is ``True`` exactly when it is true; a NumPy bool
never is. It was taken as never identical whatever the value, so ``bool(s > 0) is True``
chose the wrong branch, silently. Where the kind is not known when compiling, refused."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler.errors import AutodiffError


def of_a_python_comparison(x, a):
    if (a > 0.5) is True:
        return np.sum(x) * 2.0
    return np.sum(x)


def of_bool(x):
    flag = bool(np.sum(x) > 0)
    if flag is True:
        return np.sum(x ** 2) * 2.0
    return np.sum(x)


def of_not(x):
    flag = not (np.sum(x) > 0)
    if flag is False:
        return np.sum(x ** 2) * 3.0
    return np.sum(x)


def of_a_numpy_comparison(x):
    flag = np.sum(x) > 0  # np.bool_: never identical to True
    if flag is not True:
        return np.sum(x ** 2) * 3.0
    return np.sum(x)


def of_each_item(x):
    total = 0.0
    for v in x:
        if bool(v > 0) is not False:
            total = total + v ** 2
    return total


X = np.array([0.3, 1.2, -0.8])
CASES = [
    (of_a_python_comparison, (X, 0.7)),
    (of_a_python_comparison, (X, 0.2)),
    (of_bool, (X,)),
    (of_bool, (-X,)),
    (of_not, (X,)),
    (of_not, (-X,)),
    (of_a_numpy_comparison, (X,)),
    (of_each_item, (X,)),
]


@pytest.mark.parametrize(("fn", "args"), CASES,
                         ids=[f"{f.__name__}-{i}" for i, (f, _) in enumerate(CASES)])
def test_values_and_gradients_are_pythons(fn, args):
    value, grad = adc.value_and_grad(fn)(*args)
    np.testing.assert_allclose(value, fn(*args), rtol=1e-14)
    want = central_differences(lambda a: fn(a, *args[1:]), args[0])
    np.testing.assert_allclose(grad, want, rtol=1e-6, atol=1e-8)


def either_kind(x, a):
    flag = (a > 0.5) and (np.sum(x) > 0)  # a Python bool or a NumPy one, by the run
    return np.sum(x) * 2.0 if flag is True else np.sum(x)


def test_a_value_of_either_kind_is_refused_at_the_line():
    with pytest.raises(AutodiffError, match="'is True' of a run-time value that may be") \
            as info:
        adc.grad(either_kind)(X, 0.7)
    assert "test_identity_with_bools.py" in str(info.value)

"""``try`` statements: decided while compiling (``frontend.exceptions``). An exception
of the program's own values raised while compiling (a missing key, a missing
attribute, an import, the function's ``raise``), matched by a handler, runs that
handler, as Python does at every call; otherwise the body runs, then ``else``, and
``finally`` after either. What the run decides is never caught: an exception on a path
a run-time value picks stays refused, and so does an error of the compiler's own."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

X = np.array([0.3, -0.7, 1.1])


class Settings:
    scale = 2.0


def body_runs(x):
    try:
        y = np.sin(x) * 2.0
    except ValueError:
        y = x
    else:
        y = y + x
    finally:
        y = y * 1.5
    return np.sum(y ** 2)


def missing_key_falls_back(x, table={"w": 3.0}):  # noqa: B006 (read only)
    try:
        v = table["scale"] * x
    except KeyError as err:
        v = x * len(str(err))  # the handler reads the exception: len("'scale'") = 7
    return np.sum(v ** 2)


def present_key_is_used(x, table={"scale": 3.0}):  # noqa: B006 (read only)
    try:
        v = table["scale"] * x
    except KeyError:
        v = x
    return np.sum(v ** 2)


def missing_attribute_falls_back(x):
    try:
        k = Settings.offset
    except AttributeError:
        k = Settings.scale
    return np.sum(np.tanh(x * k))


def optional_import(x):
    try:
        from autodiff_compiler import no_such_module  # noqa: F401
        k = 10.0
    except ImportError:
        k = 0.5
    return np.sum(np.exp(x * k))


def own_raise_caught(x):
    try:
        if x.ndim == 1:  # known when compiling
            raise ValueError("vectors are scaled")
        y = x
    except (TypeError, ValueError):
        y = x * 3.0
    return np.sum(np.sin(y))


def return_in_body_then_finally(x):
    total = np.sum(x ** 2)
    try:
        return total * 2.0
    finally:
        total = total * 100.0  # after the value returned: it does not change it


def return_in_finally(x):
    try:
        return np.sum(x)
    finally:
        return np.sum(x ** 3)  # noqa: B012, SIM107 (Python returns this one)


CASES = [body_runs, missing_key_falls_back, present_key_is_used,
         missing_attribute_falls_back, optional_import, own_raise_caught,
         return_in_body_then_finally, return_in_finally]


@pytest.mark.parametrize("fn", CASES, ids=lambda f: f.__name__)
def test_a_try_runs_what_python_runs(fn):
    value, grad = adc.value_and_grad(fn)(X)
    assert value == pytest.approx(fn(X), rel=1e-14)
    np.testing.assert_allclose(grad, central_differences(fn, X), rtol=1e-7, atol=1e-9)


def raised_on_a_run_time_path(x, table={"w": 3.0}):  # noqa: B006 (read only)
    try:
        if np.sum(x) > 10.0:  # Python raises KeyError only on runs taking it
            x = x * table["missing"]
    except KeyError:
        x = x * 0.0
    return np.sum(x)


def not_caught_by_its_handler(x):
    try:
        raise KeyError("w")
    except ValueError:
        pass
    return np.sum(x)


@pytest.mark.parametrize("fn, message", [
    (raised_on_a_run_time_path, "indexing failed: KeyError"),
    (not_caught_by_its_handler, "raised while compiling, for these arguments: KeyError"),
], ids=["on a run-time path", "no matching handler"])
def test_what_a_try_cannot_decide_stays_refused_at_the_line(fn, message):
    with pytest.raises(adc.AutodiffError, match=message) as info:
        adc.grad(fn)(X)
    assert "test_try_statements.py" in str(info.value)


def break_in_a_try(x):
    for _ in range(3):
        try:
            x = x * 2.0
            break
        except ValueError:
            pass
    return np.sum(x)


def test_a_jump_out_of_a_try_in_a_loop_is_refused():
    with pytest.raises(adc.AutodiffError, match="break or continue"):
        adc.grad(break_in_a_try)(X)

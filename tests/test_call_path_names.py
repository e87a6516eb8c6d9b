"""The generated call path is immune to the user's parameter names.

Every name the fast call path uses for itself (and every builtin it calls) is tried as
a parameter name, under ``grad`` and ``value_and_grad(has_aux=True)``, with the
parameter changing between calls: the second call must see the new value.
"""
import importlib
import sys

import numpy as np
import pytest

import autodiff_compiler as adc

INTERNAL = ["fn", "c0", "c1", "s0", "s1", "d0", "t0", "t1", "v0", "v1", "v15", "n", "M",
            "self", "note", "finish", "holds", "guards", "guards_hold", "code", "default",
            "general", "ndarray", "type", "float", "list", "Exception", "err", "rest",
            "kwargs", "a", "a0", "a1", "k", "v", "np", "x_"]
X = np.array([1.0, 2.0])


@pytest.fixture(scope="module")
def module(tmp_path_factory):
    path = tmp_path_factory.mktemp("names")
    lines = ["import numpy as np", "W = np.array([3.0, 4.0])", ""]
    for i, name in enumerate(INTERNAL):
        scale = "1.0" if name == "np" else "np.float64(1.0)"  # `np` shadows NumPy itself
        lines += [f"def f{i}(x, {name}, *, q=2):",
                  f"    return {scale} * (x * {name}).sum() + (W * x).sum() * q, x", ""]
    (path / "name_table.py").write_text("\n".join(lines))
    sys.path.insert(0, str(path))
    yield importlib.import_module("name_table")
    sys.path.remove(str(path))
    sys.modules.pop("name_table", None)


@pytest.mark.parametrize("name", INTERNAL)
@pytest.mark.parametrize("value", [2.0, 2])
def test_parameter_named_like_the_call_path_gets_its_own_value(module, name, value):
    fn = getattr(module, f"f{INTERNAL.index(name)}")
    w = module.W
    grad = adc.grad(fn)
    with_aux = adc.value_and_grad(fn, has_aux=True)
    for k in (value, value + 1, value):
        np.testing.assert_allclose(grad(X, k), k + 2 * w + 1)
        np.testing.assert_allclose(grad(X, k, q=3), k + 3 * w + 1)
        (out, aux), g = with_aux(X, k)
        np.testing.assert_allclose(g, k + 2 * w)
        np.testing.assert_allclose(out, np.sum(X * k) + 2 * np.sum(w * X))
        np.testing.assert_allclose(aux, X)


W0 = adc.Parameter(np.array([1.0, 2.0]), name="w0")


def takes_nothing():
    return np.sum(W0 * W0)


def test_function_of_no_arguments_takes_the_fast_path_twice():
    grad = adc.grad(takes_nothing, None, weights=[W0])
    for _ in range(3):
        (g,) = grad()
        np.testing.assert_allclose(g, 2 * W0)


def takes_any(*xs):
    return np.sum(W0 * W0) * (len(xs) + 1)


def test_varargs_function_called_with_no_arguments_takes_the_fast_path():
    # Its entry has no parameter of its own besides the receiver: ``(self, /, *rest,
    # **kwargs)`` (the text once written for it was ``(self, , /, ...``, not Python).
    grad = adc.grad(takes_any, None, weights=[W0])
    for _ in range(3):
        (g,) = grad()
        np.testing.assert_allclose(g, 2 * W0)
    assert type(grad).__call__ is not adc.GradFunction.__call__  # the entry is in place

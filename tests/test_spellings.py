"""The NumPy backend's spellings against the primitives' own implementations.

A primitive carries its reference implementation (``impl``); the NumPy backend says
how generated code writes it. Both must be the same function, or constant folding
(which runs ``impl``) and the generated code (which runs the spelling) could disagree.
"""
import operator

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import scipy_rules
from autodiff_compiler.backends.numpy import BACKEND as NUMPY
from autodiff_compiler.backends.numpy.runtime import NAMESPACE
from autodiff_compiler.backends.numpy.spellings import own_spelling
from autodiff_compiler.ir.primitives import REGISTRY

OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "**": operator.pow, "@": operator.matmul, "//": operator.floordiv,
             "%": operator.mod, "<": operator.lt, "<=": operator.le, ">": operator.gt,
             ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
UNARY = {"-": operator.neg, "not": operator.not_}
if scipy_rules.installed():  # SciPy's primitives, registered when first used: the table
    scipy_rules.load()  # must not depend on what other modules ran while collecting
APPLIED = sorted(name for name, prim in REGISTRY.items() if prim.form == "apply")


def _resolve(text):
    target = NAMESPACE[text.split(".")[0]]
    for part in text.split(".")[1:]:
        target = getattr(target, part)
    return target


@pytest.mark.parametrize("name", APPLIED)
def test_spelling_runs_the_primitives_own_implementation(name):
    prim = REGISTRY[name]
    kind, text = own_spelling(prim)
    if kind == "call":
        assert _resolve(text) is prim.impl, f"{name}: {text} is not its impl"
    elif kind == "binop":
        assert OPERATORS[text] is prim.impl
    elif kind == "unaryop":
        assert UNARY[text] is prim.impl
    elif kind in ("method", "attr"):
        x = np.arange(6.0).reshape(2, 3)
        args = (np.float32,) if kind == "method" else ()
        expected = getattr(x, text)(*args) if kind == "method" else getattr(x, text)
        got = prim.impl(x, *args)
        assert type(got) is type(expected) and np.array_equal(got, expected)
    elif kind == "draw":  # the method its parameter names, of the state it is given
        ours, theirs = np.random.RandomState(0), np.random.RandomState(0)
        np.testing.assert_array_equal(prim.impl(ours, 3, method="randn"), theirs.randn(3))
    elif kind == "call_operand":  # a call of the callable that is its first operand
        assert prim.impl(lambda *v: v[::-1], 1.0, 2.0, results=2) == (2.0, 1.0)
    elif kind == "window":  # x[:, t:t + k]: the syntax the emitter writes, run
        x, written = np.arange(24.0).reshape(4, 6), _window_written(3, 1)
        np.testing.assert_array_equal(written(x, 2), prim.impl(x, 2, length=3, axis=1))
    else:
        assert kind in ("index", "tuple", "boolop"), f"{name}: unexpected spelling {kind}"


def _window_written(length, axis):
    """``lambda x, t: x[...]`` with the window's index as the emitter writes it."""
    import ast

    import gast

    from autodiff_compiler.backends.python.expressions import emit_window
    names = [gast.Name(n, gast.Load(), None, None) for n in ("x", "t")]
    node = emit_window(None, "", names, {"length": length, "axis": axis})
    return eval(f"lambda x, t: {ast.unparse(gast.gast_to_ast(node))}")


def test_every_structural_primitive_has_a_form_the_generator_knows():
    forms = {prim.form for prim in REGISTRY.values()}
    assert forms <= {"apply", "region", "call", "accumulate", "check", "effect", "alias"}


def test_the_numpy_backend_writes_in_place_only_through_ufuncs():
    assert NUMPY.in_place and NUMPY.python_floats
    assert "np" in NUMPY.reserved


# NumPy's ufuncs give a NumPy scalar of a Python float, which indexes and transposes;
# the generated code computes on the float itself (``math.tanh``), which does neither.
NUMPY_SCALAR_USES = {
    "index by ()": lambda t: np.tanh(t)[()] * t,
    "index by a mask": lambda t: np.sum(np.multiply(t, t)[np.multiply(t, t) > 0.1]),
    "index by None": lambda t: np.sum(np.sin(t)[None] * t),
    "index by ...": lambda t: np.cos(t)[...] * 2.0,
    ".T": lambda t: np.sin(t).T * t,
    "np.transpose": lambda t: np.sum(np.transpose(np.sin(t) * t)),
    "np.column_stack": lambda t: np.sum(np.column_stack([np.sin(t), t]) ** 2),
}


@pytest.mark.parametrize("t", [0.7, -1.3])
@pytest.mark.parametrize("fn", NUMPY_SCALAR_USES.values(), ids=NUMPY_SCALAR_USES.keys())
def test_a_python_float_argument_indexes_and_transposes_as_numpys_scalar(fn, t):
    got = adc.grad(fn)(t)
    np.testing.assert_allclose(got, central_differences(fn, np.float64(t)), rtol=1e-6,
                               atol=1e-9)


def test_a_python_float_is_made_an_array_only_where_it_is_indexed():
    source = adc.grad(NUMPY_SCALAR_USES["index by ()"]).source(0.7)
    assert "math.tanh(t)" in source and "np.asarray(" in source, source

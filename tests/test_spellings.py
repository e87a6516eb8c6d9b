"""The NumPy backend's spellings against the primitives' own implementations.

A primitive carries its reference implementation (``impl``); the NumPy backend says
how generated code writes it. Both must be the same function, or constant folding
(which runs ``impl``) and the generated code (which runs the spelling) could disagree.
"""
import operator

import pytest

from autodiff_compiler.backends.numpy import BACKEND as NUMPY
from autodiff_compiler.backends.numpy.runtime import NAMESPACE
from autodiff_compiler.backends.numpy.spellings import own_spelling
from autodiff_compiler.ir.primitives import REGISTRY

OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
             "**": operator.pow, "@": operator.matmul, "//": operator.floordiv,
             "%": operator.mod, "<": operator.lt, "<=": operator.le, ">": operator.gt,
             ">=": operator.ge, "==": operator.eq, "!=": operator.ne}
UNARY = {"-": operator.neg, "not": operator.not_}
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
        import numpy as np
        x = np.arange(6.0).reshape(2, 3)
        args = (np.float32,) if kind == "method" else ()
        expected = getattr(x, text)(*args) if kind == "method" else getattr(x, text)
        got = prim.impl(x, *args)
        assert type(got) is type(expected) and np.array_equal(got, expected)
    else:
        assert kind in ("index", "tuple", "boolop"), f"{name}: unexpected spelling {kind}"


def test_every_structural_primitive_has_a_form_the_generator_knows():
    forms = {prim.form for prim in REGISTRY.values()}
    assert forms <= {"apply", "region", "call", "accumulate", "check", "effect", "alias"}


def test_the_numpy_backend_writes_in_place_only_through_ufuncs():
    assert NUMPY.in_place and NUMPY.python_floats
    assert "np" in NUMPY.reserved

"""A compiler bug is reported as one, at the user's line being compiled when it
happened, in every stage: lowering, the transform, the passes, codegen, the verifier.
Each stage is broken on purpose here (a patched rule, pass or emitter)."""
import gast
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.backends.python import expressions
from autodiff_compiler.errors import AutodiffError, IRVerificationError
from autodiff_compiler.frontend.lowering import Lowering
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.opt import passes, simplify


def f(x):
    y = np.sin(x)
    z = y * 3.0
    return np.sum(z)


def _line(text):
    """The file:line of ``text`` in ``f`` above."""
    import inspect
    lines, start = inspect.getsourcelines(f)
    offset = next(i for i, line in enumerate(lines) if text in line)
    return rf"test_internal_errors\.py:{start + offset}: "


def _boom(*args, **kwargs):
    raise KeyError("boom")


def _breaks_assign(monkeypatch):
    original = Lowering.statements[gast.Assign]

    def assign(scope, node):
        if isinstance(node.value, gast.BinOp):  # z = y * 3.0
            raise KeyError("boom")
        return original(scope, node)
    monkeypatch.setitem(Lowering.statements, gast.Assign, assign)


def _breaks_sin_rule(monkeypatch):
    monkeypatch.setattr(P.sin, "vjp", (_boom,))


def _breaks_a_pass(monkeypatch):
    def fold(eqn):
        if eqn.prim.name == "mul":
            raise KeyError("boom")
        return None
    monkeypatch.setattr(simplify, "_fold", fold)


def _breaks_codegen(monkeypatch):
    original = expressions.EMITTERS["call"]

    def call(em, text, args, params):
        if "cos" in text:  # the derivative of sin
            raise KeyError("boom")
        return original(em, text, args, params)
    monkeypatch.setitem(expressions.EMITTERS, "call", call)


@pytest.mark.parametrize("breaks, line", [
    (_breaks_assign, "z = y * 3.0"),
    (_breaks_sin_rule, "y = np.sin(x)"),
    (_breaks_a_pass, "z = y * 3.0"),
    (_breaks_codegen, "y = np.sin(x)"),
], ids=["lowering", "transform", "passes", "codegen"])
def test_internal_error_names_the_user_line_being_compiled(monkeypatch, breaks, line):
    breaks(monkeypatch)
    with pytest.raises(AutodiffError, match=_line(line) + "internal compiler error: "
                                            "KeyError: 'boom'") as info:
        adc.grad(f)(np.ones(3))
    assert "bug in autodiff_compiler" in info.value.hint
    assert line in str(info.value)  # the source line quoted, with a caret


def test_internal_error_hint_names_the_compiler_line(monkeypatch):
    _breaks_codegen(monkeypatch)
    with pytest.raises(AutodiffError) as info:
        adc.grad(f)(np.ones(2))
    assert "(raised at" in info.value.hint


def test_ir_verification_error_names_the_offending_equation_line(monkeypatch):
    def scramble(fn):
        return fn.__class__(fn.name, fn.invars, tuple(reversed(fn.eqns)), fn.outvars, fn.loc)
    monkeypatch.setattr(passes, "PIPELINE", [scramble])
    with pytest.raises(IRVerificationError, match=_line("y = np.sin(x)")):
        adc.grad(f)(np.ones(4))


def test_value_error_while_compiling_carries_a_note_with_the_line(monkeypatch):
    def reject(fn):
        raise ValueError("no")
    monkeypatch.setattr(passes, "PIPELINE", [reject])
    with pytest.raises(ValueError, match="no") as info:
        adc.grad(f)(np.ones(5))
    assert any("raised compiling" in note and "test_internal_errors.py" in note
               for note in info.value.__notes__)


def scaled_by_quotient(x, n):
    return np.sum(x) * (1 // n)


def test_arithmetic_error_on_compile_time_values_is_the_users_located_error():
    """``1 // n`` with n = 0 raises in Python too: the user's error at their line, not
    an internal one."""
    with pytest.raises(AutodiffError, match=r"test_internal_errors\.py:\d+: this raises "
                                            r"ZeroDivisionError") as info:
        adc.grad(scaled_by_quotient)(np.ones(2), 0)
    assert "internal compiler error" not in str(info.value)
    np.testing.assert_array_equal(adc.grad(scaled_by_quotient)(np.ones(2), 1), [1.0, 1.0])

"""The IR printer (golden text, determinism) and the verifier."""
import golden_functions
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.errors import IRVerificationError
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.core import Aval, Eqn, Function, Var, verify
from autodiff_compiler.ir.printer import pretty

GOLDEN_F = """\
{ lambda x y. let
    a = mul x y                           # golden_functions.py:6  a = x * y
    b = sin a                             # golden_functions.py:7  b = np.sin(a)
    reduce_sum = reduce_sum b             # golden_functions.py:8  return np.sum(b)
    g_reduce_sum = ones_like reduce_sum
    shape = shape b                       # grad of golden_functions.py:8  return np.sum(b)
    g_b = broadcast_to g_reduce_sum shape  # grad of golden_functions.py:8  return np.sum(b)
    cos = cos a                           # grad of golden_functions.py:7  b = np.sin(a)
    g_a = mul g_b cos                     # grad of golden_functions.py:7  b = np.sin(a)
    mul = mul g_a y                       # grad of golden_functions.py:6  a = x * y
    g_x = unbroadcast mul x               # grad of golden_functions.py:6  a = x * y
    mul_1 = mul g_a x                     # grad of golden_functions.py:6  a = x * y
    g_y = unbroadcast mul_1 y             # grad of golden_functions.py:6  a = x * y
  in (g_x, g_y) }"""

GOLDEN_REGIONS = """\
{ lambda x w p. let
    cond = cond p
      branches[0] captures x w { lambda . let
          mul = mul x w
        in (mul,) }
      branches[1] captures x { lambda . let
          neg = neg x
        in (neg,) }
  in (cond,) }"""


@pytest.fixture(autouse=True)
def _run_in_tests_dir(monkeypatch):
    """Locations print relative to the working directory: make it this folder."""
    monkeypatch.chdir(golden_functions.__file__.rsplit("/", 1)[0])


def test_gradient_ir_matches_golden_text():
    assert adc.gradient_ir(golden_functions.f, (0, 1)) == GOLDEN_F


def test_printing_is_deterministic_across_compilations():
    first = adc.gradient_ir(golden_functions.fanout)
    assert adc.gradient_ir(golden_functions.fanout) == first
    assert "0x" not in first  # no id()s leak into names


def test_params_print_in_brackets():
    x = Var(Aval((2, 3), np.dtype("float64")), "x")
    from autodiff_compiler.ir.builder import building
    with building() as b:
        s = P.reduce_sum(x, axis=1, keepdims=True)
    text = pretty(Function("f", (x,), tuple(b.eqns), (s,)), comments=False)
    assert text.splitlines()[1].strip() == "reduce_sum = reduce_sum[axis=1, keepdims=True] x"


def test_a_region_lists_the_outer_values_it_reads():
    f64 = np.dtype("float64")
    x, w, p = Var(Aval((3,), f64), "x"), Var(Aval((3,), f64), "w"), Var(Aval((), np.bool_), "p")
    prod, minus, out = Var(Aval((3,), f64)), Var(Aval((3,), f64)), Var(Aval((3,), f64))
    then = Function("then", (), (_eqn([prod], P.mul, x, w),), (prod,))
    other = Function("else", (), (_eqn([minus], P.neg, x),), (minus,))
    branch = Eqn((out,), P.cond, (p,), {"branches": (then, other)}, None)
    text = pretty(Function("f", (x, w, p), (branch,), (out,)), comments=False)
    assert text == GOLDEN_REGIONS


def test_ir_names_unnamed_values_as_generated_code_does():
    """An unnamed value prints under the name generated code gives it: its primitive's."""
    ir = adc.gradient_ir(golden_functions.f, (0, 1))
    source = adc.gradient_source(golden_functions.f, (0, 1))
    assert "g_reduce_sum = ones_like reduce_sum" in ir
    assert "g_reduce_sum = np.ones_like(" in source


def _eqn(out, prim, *args):
    return Eqn(tuple(out), prim, tuple(args), {}, None)


def test_verify_rejects_use_before_definition():
    x, a, b = Var(hint="x"), Var(hint="a"), Var(hint="b")
    fn = Function("bad", (x,), (_eqn([b], P.sin, a), _eqn([a], P.cos, x)), (b,))
    with pytest.raises(IRVerificationError, match="used before it is defined") as err:
        verify(fn)
    assert "--> " in str(err.value) and "b = sin a" in str(err.value)


def test_verify_rejects_double_assignment():
    x, a = Var(hint="x"), Var(hint="a")
    fn = Function("bad", (x,), (_eqn([a], P.sin, x), _eqn([a], P.cos, x)), (a,))
    with pytest.raises(IRVerificationError, match="assigned twice"):
        verify(fn)


def test_verify_rejects_undefined_output():
    x, ghost = Var(hint="x"), Var(hint="ghost")
    with pytest.raises(IRVerificationError, match="never defined"):
        verify(Function("bad", (x,), (), (ghost,)))


def test_verify_accepts_compiled_gradients():
    ir = adc.grad(golden_functions.fanout).compiled_for((np.ones(3),)).ir
    assert verify(ir) is ir


@pytest.mark.parametrize("known", [np.float64, np.float32, np.int64, np.bool_])
def test_an_unknown_dtype_is_no_known_one(known):
    """NumPy reads ``None`` as the default dtype (``np.dtype('float64') == None`` is
    true): avals compared that way, an unknown dtype equalled float64, and an ``if``
    merging a float64 array with one whose dtype the run decides took float64 for both
    (fuzz seed 1010073)."""
    from autodiff_compiler.frontend.merging import join_avals
    dtype = np.dtype(known)
    assert Aval((2, 3), dtype) != Aval((2, 3), None)
    assert Aval((2, 3), None) != Aval((2, 3), dtype)
    assert Aval((2, 3), dtype) == Aval((2, 3), np.dtype(known))
    assert Aval((2, 3), None) == Aval((2, 3), None)
    assert join_avals([Aval((2, 3), dtype), Aval((2, 3), None)]).dtype is None
    assert join_avals([Aval((2, 3), None), Aval((2, 3), dtype)]).dtype is None
    assert join_avals([Aval((2, 3), dtype), Aval((2, 3), dtype)]).dtype == dtype

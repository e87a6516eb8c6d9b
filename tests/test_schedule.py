"""Scheduling: a reordering of pure code computes the same values, and it lets large
arrays die before new ones are made."""
import numpy as np
import pytest
import test_buffers
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler.backends.numpy import BACKEND as NUMPY
from autodiff_compiler.backends.python import codegen
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.builder import building
from autodiff_compiler.ir.core import Aval, Function, Var
from autodiff_compiler.opt import buffers, passes
from autodiff_compiler.opt.schedule import schedule
from autodiff_compiler.pipeline import compiler

F64 = np.dtype("float64")
LARGE = Aval((buffers.LARGE,), F64)
UNARY = [P.sin, P.tanh, P.neg, P.cos]
BINARY = [P.add, P.sub, P.mul]


def _run(fn, *args):
    return compiler._load(fn.name, codegen.generate(fn, backend=NUMPY), NUMPY)(*args)


def _build(steps, terms, aval):
    """A program of ``steps`` on one input, returning a gradient-like sum of ``terms``
    (a chain of additions all named ``g_x``) and the last value computed."""
    x = Var(aval, "x")
    with building() as b:
        values = [x]
        for op, i, j in steps:
            a, c = values[int(i * len(values))], values[int(j * len(values))]
            values.append(UNARY[op % 4](a) if op < 4 else BINARY[op % 3](a, c))
        picked = [values[int(t * len(values))] for t in terms]
        total = picked[0]
        for term in picked[1:]:
            total = total + term
            total.hint = "g_x"
    return Function("p", (x,), tuple(b.eqns), (total, values[-1]))


def _peak_live(fn):
    """The most large values alive at once, in ``fn``'s order."""
    last = {}
    for i, eqn in enumerate(fn.eqns):
        for v in eqn.invars:
            last[v] = i
    live, peak = set(), 0
    for i, eqn in enumerate(fn.eqns):
        live |= {v for v in eqn.outvars if buffers.large(v)}
        peak = max(peak, len(live))
        live -= {v for v in live if last.get(v, -1) <= i and v not in fn.outvars}
    return peak


STEPS = st.lists(st.tuples(st.integers(0, 6), st.floats(0, 0.999), st.floats(0, 0.999)),
                 min_size=1, max_size=12)
TERMS = st.lists(st.floats(0, 0.999), min_size=3, max_size=6)


@settings(max_examples=40, deadline=None)
@given(steps=STEPS, terms=TERMS)
def test_scheduled_program_computes_the_same_values(steps, terms):
    fn = passes.dce(_build(steps, terms, LARGE))
    scheduled = schedule(fn)
    assert sorted(e.prim.name for e in scheduled.eqns) == sorted(e.prim.name for e in fn.eqns)
    x = np.linspace(-1.0, 1.0, buffers.LARGE)
    for got, want in zip(_run(scheduled, x), _run(fn, x)):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(steps=STEPS, terms=TERMS)
def test_small_programs_keep_their_order(steps, terms):
    fn = passes.dce(_build(steps, terms, Aval((3,), F64)))
    assert schedule(fn) is fn


def test_terms_of_a_gradient_are_added_as_they_come_so_fewer_arrays_live_at_once():
    def build(x):
        t = P.sin(x)
        u = P.cos(x)
        v = P.tanh(x)
        w = P.exp(P.neg(x))  # each term is made, then added: one array at a time
        g = t * 2.0 + u * 3.0
        g.hint = "g_x"
        g = g + v * 4.0
        g.hint = "g_x"
        g = g + w * 5.0
        g.hint = "g_x"
        return g
    x = Var(LARGE, "x")
    with building() as b:
        out = build(x)
    fn = Function("p", (x,), tuple(b.eqns), (out,))
    scheduled = schedule(fn)
    assert _peak_live(scheduled) < _peak_live(fn)
    values = np.linspace(-1.0, 1.0, buffers.LARGE)
    np.testing.assert_allclose(_run(scheduled, values), _run(fn, values), rtol=1e-14, atol=1e-14)


def test_values_read_twice_are_not_summed_out_of_order():
    x = Var(LARGE, "x")
    with building() as b:
        a = P.sin(x) + P.cos(x)
        a.hint = "g_x"
        c = a + P.tanh(x)
        c.hint = "g_x"
        d = a * c  # a is read twice: no chain through it
    fn = Function("p", (x,), tuple(b.eqns), (d,))
    values = np.linspace(-1.0, 1.0, buffers.LARGE)
    np.testing.assert_allclose(_run(schedule(fn), values), _run(fn, values), rtol=1e-14)


@pytest.mark.parametrize("name", ["chain", "loop_tape", "branch"])
def test_whole_gradients_agree_with_the_unscheduled_ones(name, monkeypatch):
    fn = getattr(test_buffers, name)
    x = np.linspace(-2.0, 2.0, buffers.LARGE + 3)
    want = adc.grad(fn)(x)
    monkeypatch.setattr(passes, "PIPELINE", [p for p in passes.PIPELINE if p is not schedule])
    adc.api._CACHE.clear()
    adc.api._ENTRIES.clear()
    # the same sum, added in another order: equal to rounding
    np.testing.assert_allclose(adc.grad(fn)(x), want, rtol=1e-13, atol=1e-14)
    adc.api._CACHE.clear()
    adc.api._ENTRIES.clear()

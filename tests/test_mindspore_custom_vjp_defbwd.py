"""MindSpore's functional custom gradient: ``@custom_vjp`` (imported from
``mindspore.ops.function.grad.grad_func``, its only path) then ``fn.defbwd(bprop)`` with
``bprop(*inputs, out, dout)``. The rule replaces the function's derivative as a Cell's
``bprop`` does; rules here are deliberately not the true derivatives, so that only the
rule can give the values, which are MindSpore 2.10's (CPU, GRAPH and PYNATIVE mode)."""
from __future__ import annotations

import numpy as np
import pytest
from autodiff_compiler.ops import composite as C
from autodiff_compiler.ops.function.grad.grad_func import custom_vjp
from autodiff_compiler.ops.functional import vjp

from autodiff_compiler import Tensor, jit, ops

grad_all = C.GradOperation(get_all=True)
ONES = np.ones((2, 2), np.float32)


def mul_add_rule():
    @custom_vjp
    def mul_add(x, y):
        return 2 * x + y

    def bprop(x, y, out, dout):
        return 2 * dout, 2 * y

    mul_add.defbwd(bprop)
    return mul_add


def vjp_of_mul_add(x, y, v):
    _, fn = vjp(mul_add_rule(), x, y)
    return fn(v)


def vjp_inline(x, y, v):
    mul_add = mul_add_rule()

    @jit
    def inline(x, y):
        return mul_add(x, y) + x + 2 * y

    _, fn = vjp(inline, x, y)
    return fn(v)


def vjp_one_input(x, v):
    @custom_vjp
    def relu(x):
        return ops.relu(x)

    def bprop(x, out, dout):
        return (5 * x,)

    relu.defbwd(bprop)
    _, fn = vjp(relu, x)
    return fn(v)


def vjp_mixed(x, y, v):
    @custom_vjp
    def two(x, y):
        return x * y

    def bprop(x, y, out, dout):
        return 5 * x, 8 * y

    two.defbwd(bprop)

    def total(x, y):
        return two(x, y) + x * y + (1 + x) * y + two(x, y)

    _, fn = vjp(total, x, y)
    return fn(v)


def grad_in_rule(x, y):
    """The rule reads the function's output and takes a gradient itself."""
    def relu_of_first(a, b):
        return ops.relu(a)

    @custom_vjp
    def outer(a, b):
        g = grad_all(relu_of_first)(a, b)
        return relu_of_first(a, b), g[0], g[1]

    def bprop(a, b, out, dout):
        g = grad_all(relu_of_first)(a, b)
        return out[1], g[1]

    outer.defbwd(bprop)

    @jit
    def caller(a, b):
        return outer(a, b)

    _, fn = vjp(caller, x, y)
    v = Tensor(ONES)
    return fn(v, v, v)


T1, T2 = Tensor(np.float32(1.0)), Tensor(np.float32(2.0))
# (name, thunk, MindSpore 2.10's gradients)
CASES = [
    ("mul_add", lambda: vjp_of_mul_add(T1, T2, T1), [2.0, 4.0]),
    ("inline", lambda: vjp_inline(T1, T2, T1), [3.0, 6.0]),
    ("one_input", lambda: vjp_one_input(Tensor(ONES), Tensor(ONES)), [5 * ONES]),
    ("mixed", lambda: vjp_mixed(Tensor(ONES), Tensor(ONES), Tensor(ONES)),
     [12 * ONES, 19 * ONES]),
    ("grad_in_rule", lambda: grad_in_rule(Tensor(ONES), Tensor(ONES)), [ONES, 0 * ONES]),
]


@pytest.mark.parametrize("thunk, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_defbwd_rule_gives_mindspores_gradients(thunk, expected):
    got = thunk()
    assert isinstance(got, tuple) and len(got) == len(expected)
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.asarray(g.asnumpy()), e)


def test_grad_through_a_defbwd_function_inside_a_cell():
    fn = mul_add_rule()
    g = grad_all(fn)(Tensor(np.array([1.0, 3.0], np.float32)),
                     Tensor(np.array([2.0, 5.0], np.float32)))
    np.testing.assert_allclose(g[0].asnumpy(), [2.0, 2.0])
    np.testing.assert_allclose(g[1].asnumpy(), [4.0, 10.0])


def test_a_second_rule_is_refused():
    fn = mul_add_rule()
    with pytest.raises(Exception, match="already given"):
        fn.defbwd(lambda x, y, out, dout: (dout, dout))

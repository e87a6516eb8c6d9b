"""Second derivatives and forward mode through custom gradients.

Cell.bprop: expected values measured in MindSpore 2.10 (CPU), identical in PyNative
and GRAPH_MODE (/tmp script, recorded here):

- grad of grad differentiates the bprop's body, and the output ``out`` it reads
  reaches the Cell's rule again: bprop ``dout * out + x`` (construct x*x) gives
  x^2 + x + 1 = [3, 7, 13] at x = [1, 2, 3] (through construct it would be 2x + 1);
  ``dout * 100`` gives 0; ``dout * x**3`` gives 3x^2 = [3, 12, 27].
- jvp is MindSpore's double vjp (u = ones, then the derivative in u with v as the
  cotangent): the transpose of the bprop in dout. ``dout * out + x`` with tangent
  ones gives out = [1, 4, 9]; jvp of ``cell(2x) + 1`` gives 8x^2 = [8, 32, 72]; of
  ``sin(cell(x))`` cos(x^2) x^2 = [0.5403, -2.6146, -8.2002]; a two-input bprop
  ``(2y dout, 3x dout)`` with tangents (1, 0) gives 2y, with (0, 1) 3x. A bprop not
  linear in dout (``dout * dout * x``) gives answers that depend on the whole function
  (jvp of the cell: 2x; of 3 * cell: 18x): refused here.
- grad of grad with the Cell's Parameter among the inner weights (construct x * w,
  bprop ``dout * 7``, loss sum(cell(x)^2), outer sum(gx^2)): PyNative gives
  [5488, 16464, 32928] = 2744 x w (out reaches the rule again); GRAPH_MODE raises
  "The params of function 'bprop' of Primitive or Cell requires the forward inputs as
  well as the 'out' and 'dout'" (a TypeError). We give PyNative's answer.

custom_vjp: test_custom_vjp_higher_order.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from custom_cases import ReadsOut, TwoOutputs, Weighted, X, Y

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, nn, ops

ONES = np.ones(3)
EPS = 1e-6


def numeric_grad(f, *args, position=0):
    """Central differences of a scalar ``f`` in ``args[position]``."""
    x = np.asarray(args[position], dtype=float)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = EPS
        up = list(args)
        up[position] = x + e
        down = list(args)
        down[position] = x - e
        out[i] = (f(*up) - f(*down)) / (2 * EPS)
    return out


class Scaled(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * 100.0,)


class Cubed(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * x * x * x,)


class SinRule(nn.Cell):
    """The true derivative: finite differences must agree at every order."""

    def construct(self, x):
        return np.sin(x)

    def bprop(self, x, out, dout):
        return (dout * np.cos(x),)


class Two(nn.Cell):
    def construct(self, x, y):
        return x * y

    def bprop(self, x, y, out, dout):
        return (dout * 2.0 * y, dout * 3.0 * x)


class SquaredDout(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * dout * x,)


READS_OUT, SCALED, CUBED, SIN_RULE = ReadsOut(), Scaled(), Cubed(), SinRule()
WEIGHTED, TWO_OUTPUTS = Weighted(), TwoOutputs()
TWO, SQUARED_DOUT = Two(), SquaredDout()


def second_derivative(cell):
    """d/dx sum(grad(sum(cell(x)))): grad of grad."""
    def loss(x):
        return ops.sum(cell(x))
    inner = adc.grad(loss)

    def summed(x):
        return ops.sum(inner(x))
    return adc.grad(summed)


@pytest.mark.parametrize("cell, want", [
    (READS_OUT, X ** 2 + X + 1),  # MindSpore: [3, 7, 13]
    (SCALED, np.zeros(3)),
    (CUBED, 3 * X ** 2),  # MindSpore: [3, 12, 27]
    (SQUARED_DOUT, np.ones(3)),  # dout is ones, a constant: d/dx x = 1, as MindSpore
    (SIN_RULE, -np.sin(X)),
], ids=["reads_out", "scaled", "cubed", "squared_dout", "sin"])
def test_grad_of_grad_through_a_bprop_is_mindspores(cell, want):
    np.testing.assert_allclose(second_derivative(cell)(X), want, rtol=1e-12)


def test_grad_of_grad_of_the_cell_itself():
    inner = adc.grad(READS_OUT)  # the Cell is the differentiated function

    def summed(x):
        return ops.sum(inner(x))
    np.testing.assert_allclose(adc.grad(summed)(X), X ** 2 + X + 1)


def branchy(x, flag):
    if flag > 0:  # noqa: SIM108 -- a statement: the branch region is what is tested
        y = SIN_RULE(x) * 2.0
    else:
        y = x * 3.0
    return ops.sum(y * y)


def test_grad_of_grad_through_a_bprop_in_a_branch_agrees_with_finite_differences():
    g = adc.grad(branchy)

    def squared(x, flag):
        return ops.sum(g(x, flag) ** 2)
    for flag in (1.0, -1.0):
        np.testing.assert_allclose(adc.grad(squared)(X, flag),
                                   numeric_grad(squared, X, flag), rtol=1e-6)


def weighted_loss(x):
    return ops.sum(WEIGHTED(x) ** 2)


def test_grad_of_grad_with_the_cells_parameter_among_the_weights_is_pynatives():
    inner = adc.grad(weighted_loss, grad_position=0, weights=WEIGHTED.trainable_params())
    gx, (gw,) = inner(X)
    np.testing.assert_allclose(gx, 14.0 * X * WEIGHTED.w)  # MindSpore: [28, 84, 168]
    np.testing.assert_allclose(gw, np.zeros(3))

    def squared(x):
        gx, _ = inner(x)
        return ops.sum(gx * gx)
    # MindSpore PyNative: [5488, 16464, 32928]; out's derivative is the rule's 7
    np.testing.assert_allclose(adc.grad(squared)(X), 2744.0 * X * WEIGHTED.w)


def rnn_like(x):
    h = x
    for _ in range(3):
        h = SIN_RULE(h) * 1.5
    return ops.sum(h * h)


def counted(x, n):
    h = x
    i = 0
    while i < n:
        h = SIN_RULE(h)
        i += 1
    return ops.sum(h)


def test_grad_of_grad_through_a_bprop_in_loops_agrees_with_finite_differences():
    weights = np.array([1.0, 2.0, 3.0])
    g = adc.grad(rnn_like)

    def weighted(x):
        return ops.sum(g(x) * weights)
    np.testing.assert_allclose(adc.grad(weighted)(X), numeric_grad(weighted, X), rtol=1e-6)
    gw = adc.grad(counted)

    def squared(x, n):
        return ops.sum(gw(x, n) ** 2)
    np.testing.assert_allclose(adc.grad(squared)(X, 3), numeric_grad(squared, X, 3),
                               rtol=1e-6, atol=1e-9)


def scaled_plus_one(x):
    return READS_OUT(2.0 * x) + 1.0


def sin_of(x):
    return np.sin(READS_OUT(x))


@pytest.mark.parametrize("fn, want", [
    (READS_OUT, X ** 2),  # MindSpore: [1, 4, 9]
    (SCALED, 100.0 * ONES),
    (scaled_plus_one, 8 * X ** 2),  # MindSpore: [8, 32, 72]
    (sin_of, np.cos(X ** 2) * X ** 2),  # MindSpore: [0.5403, -2.6146, -8.2002]
], ids=["reads_out", "scaled", "inside", "outside"])
def test_jvp_through_a_bprop_transposes_it_as_mindspore(fn, want):
    out, tangent = adc.jvp(fn, X, ONES)
    np.testing.assert_allclose(out, fn(X))
    np.testing.assert_allclose(tangent, want, rtol=1e-12)


def test_jvp_through_a_two_input_bprop():
    np.testing.assert_allclose(adc.jvp(TWO, (X, Y), (ONES, 0 * ONES))[1], 2 * Y)
    np.testing.assert_allclose(adc.jvp(TWO, (X, Y), (0 * ONES, ONES))[1], 3 * X)


def test_jvp_through_a_bprop_with_two_outputs_gives_each_its_tangent():
    (a, b), (ta, tb) = adc.jvp(TWO_OUTPUTS, X, ONES)
    np.testing.assert_allclose(a, 2 * X)
    np.testing.assert_allclose(b, np.exp(X))
    np.testing.assert_allclose(ta, 2 * ONES)  # the transpose of dout[0] * 2
    np.testing.assert_allclose(tb, np.exp(X))  # of dout[1] * out[1]


def test_jvp_through_a_true_rule_agrees_with_finite_differences():
    v = np.array([0.3, -1.0, 2.0])
    _, tangent = adc.jvp(rnn_like, X, v)
    assert tangent == pytest.approx(numeric_grad(rnn_like, X) @ v, rel=1e-6)
    hvp = adc.jvp(adc.grad(rnn_like), X, v)[1]  # forward over reverse, both rules
    g = adc.grad(rnn_like)
    np.testing.assert_allclose(hvp, (g(X + EPS * v) - g(X - EPS * v)) / (2 * EPS), rtol=1e-5)


def test_jvp_through_a_bprop_not_linear_in_dout_is_refused_at_the_call():
    def calls(x):
        return 3.0 * SQUARED_DOUT(x)
    with pytest.raises(AutodiffError, match="this rule is not linear in it") as info:
        adc.jvp(calls, X, ONES)
    assert "SQUARED_DOUT(x)" in info.value.loc.source


def test_jvp_source_shows_the_transposed_bprop():
    from autodiff_compiler.directional import forward_program
    _, compiled = forward_program(sin_of, (X,), (0,))
    assert "# grad of: return (dout * out + x,)" in compiled.source  # transposed in dout
    assert "t_ReadsOut_construct_out = t_x * ReadsOut_construct_out" in compiled.source


def test_second_derivative_source_differentiates_the_rule():
    inner = adc.grad(reads_out_sum)

    def summed(x):
        return ops.sum(inner(x))
    source = adc.gradient_source(summed)
    assert "grad of: return (dout * out + x,)" in source  # the bprop's line, differentiated


def reads_out_sum(x):
    return ops.sum(READS_OUT(x))

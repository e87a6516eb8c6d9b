"""Custom gradients: a Cell's ``bprop`` is honoured as MindSpore honours it.

Expected values are MindSpore 2.x's, measured in GRAPH_MODE, and each is derived here
from what the ``bprop`` returns: differentiating ``construct`` instead would be a
silently wrong gradient. What MindSpore does:

- grad of a function calling the Cell, and grad of the Cell itself: the bprop's
  gradient (``dout * 100`` with dout = ones -> 100 everywhere);
- the Cell's own Parameters get zeros (bprop gives only the inputs' gradients);
- too few gradients: "The output size of the 'bprop' must match the number of
  parameters in its corresponding primal function" (a RuntimeError); a result that is
  not a tuple: a TypeError. MindSpore drops extra gradients silently; we refuse them
  too, since a miscounted rule is a likely bug. MindSpore returns a gradient of
  another shape than its input as it is (a scalar for a (3,) input); we refuse it;
- None for an input: MindSpore's grad returns None there; we return zeros (our grad
  always returns arrays).

Second derivatives and forward mode through a custom gradient are in
test_custom_higher_order.py.
"""
from __future__ import annotations

import numpy as np
import pytest
from custom_cases import ReadsOut, TwoOutputs, Weighted, X, Y, sin_times, sin_times_loss

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, Parameter, nn, ops


class Scaled(nn.Cell):
    """``construct`` is x*x, but the declared gradient is 100 * dout."""

    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * 100.0,)


class TrueRule(nn.Cell):
    """bprop is the true derivative of construct: finite differences must agree."""

    def construct(self, x, y):
        return np.sin(x) * y

    def bprop(self, x, y, out, dout):
        return (dout * np.cos(x) * y, dout * np.sin(x))


class UsesWeight(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(np.array([2.0, 3.0, 4.0]), name="w")

    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * self.w,)


class TooFew(nn.Cell):
    def construct(self, x, y):
        return x * y

    def bprop(self, x, y, out, dout):
        return (dout * 3.0,)


class TooMany(nn.Cell):
    def construct(self, x):
        return x * 2.0

    def bprop(self, x, out, dout):
        return (dout, dout)


class NotATuple(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return dout * 5.0


class NoneForY(nn.Cell):
    def construct(self, x, y):
        return x * y

    def bprop(self, x, y, out, dout):
        return (dout * 3.0, None)


class Plain(nn.Cell):
    def construct(self, x):
        return x * x


SCALED, WEIGHTED, READS_OUT, TRUE_RULE = Scaled(), Weighted(), ReadsOut(), TrueRule()
TWO_OUTPUTS, USES_WEIGHT, PLAIN = TwoOutputs(), UsesWeight(), Plain()
TOO_FEW, TOO_MANY, NOT_A_TUPLE, NONE_FOR_Y = TooFew(), TooMany(), NotATuple(), NoneForY()


def calls_scaled(x):
    return ops.sum(SCALED(x))


def test_grad_of_function_calling_the_cell_is_the_bprops():
    # sum's dout is ones, so bprop gives 100 * ones; construct's 2x would be wrong
    np.testing.assert_allclose(adc.grad(calls_scaled)(X), 100.0 * np.ones(3))


def test_grad_of_the_cell_itself_is_the_bprops():
    np.testing.assert_allclose(adc.grad(SCALED)(X), 100.0 * np.ones(3))


def test_value_is_constructs():
    value, g = adc.value_and_grad(calls_scaled)(X)
    np.testing.assert_allclose(value, np.sum(X * X))
    np.testing.assert_allclose(g, 100.0 * np.ones(3))


def test_generated_source_shows_the_bprop():
    # the rule's body, bound on the output's cotangent; construct's 2x appears nowhere
    source = adc.gradient_source(calls_scaled)
    assert "g_Scaled_construct_out * 100.0" in source
    assert "g_Scaled_construct_out * x" not in source


def calls_weighted(x):
    return ops.sum(WEIGHTED(x))


def test_cells_own_parameters_get_zero_gradient():
    # MindSpore: (7 * ones, (zeros,)): bprop gives x's gradient only
    gx, (gw,) = adc.grad(calls_weighted, grad_position=0,
                         weights=WEIGHTED.trainable_params())(X)
    np.testing.assert_allclose(gx, 7.0 * np.ones(3))
    np.testing.assert_allclose(gw, np.zeros(3))


def test_bprop_reads_out_and_dout():
    # dout * out + x with out = x*x: dout = ones gives x^2 + x, dout = 2 gives 2x^2 + x
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(READS_OUT(x)))(X), X ** 2 + X)
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(READS_OUT(x) * 2.0))(X),
                               2 * X ** 2 + X)


def true_rule_loss(x, y):
    return ops.sum(TRUE_RULE(x, y) ** 2)


def test_true_rule_agrees_with_finite_differences():
    adc.check_grads(true_rule_loss, X, Y, modes=("rev",))
    gx, gy = adc.grad(true_rule_loss, grad_position=(0, 1))(X, Y)
    out = np.sin(X) * Y
    np.testing.assert_allclose(gx, 2 * out * np.cos(X) * Y)
    np.testing.assert_allclose(gy, 2 * out * np.sin(X))


def two_outputs_loss(x):
    a, b = TWO_OUTPUTS(x)
    return ops.sum(a * 3.0 + b)


def test_tuple_output_gets_a_tuple_dout():
    # dout = (3, 1): 3*2 + exp(x), the true derivative
    np.testing.assert_allclose(adc.grad(two_outputs_loss)(X), 6.0 + np.exp(X))
    adc.check_grads(two_outputs_loss, X, modes=("rev",))


def test_bprop_reads_the_cells_parameter():
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(USES_WEIGHT(x)))(X), USES_WEIGHT.w)


def twice(x):
    return ops.sum(SCALED(SCALED(x)) + PLAIN(x))


def test_two_calls_chain_their_rules():
    # the outer call's bprop gives 100, the inner's multiplies by 100; plain gives 2x
    np.testing.assert_allclose(adc.grad(twice)(X), 100.0 * 100.0 + 2 * X)


def test_too_few_gradients_is_a_located_error():
    with pytest.raises(AutodiffError, match="returned 1 gradients for 2 inputs") as info:
        adc.grad(lambda x, y: ops.sum(TOO_FEW(x, y)), grad_position=(0, 1))(X, Y)
    assert "def bprop" in info.value.loc.source
    assert info.value.loc.file.endswith("test_custom_gradients.py")


def test_too_many_gradients_is_refused():
    with pytest.raises(AutodiffError, match="returned 2 gradients for 1 inputs"):
        adc.grad(lambda x: ops.sum(TOO_MANY(x)))(X)


def test_result_not_a_tuple_is_refused():
    with pytest.raises(AutodiffError, match="must return a tuple"):
        adc.grad(lambda x: ops.sum(NOT_A_TUPLE(x)))(X)


def test_none_gradient_is_zeros():
    gx, gy = adc.grad(lambda x, y: ops.sum(NONE_FOR_Y(x, y)), grad_position=(0, 1))(X, Y)
    np.testing.assert_allclose(gx, 3.0 * np.ones(3))
    np.testing.assert_allclose(gy, np.zeros(3))


def test_cell_without_bprop_is_still_differentiated():
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(PLAIN(x)))(X), 2 * X)


# ---------------------------------------------------------------------- custom_vjp


@adc.custom_vjp
def halved(x):
    return x * 2.0


def halved_fwd(x):
    return x * 2.0, ()


def halved_bwd(res, g):
    return (g * 0.5,)  # deliberately not the derivative (2): the rule must win


halved.defvjp(halved_fwd, halved_bwd)


@adc.custom_vjp
def undefined_rule(x):
    return x * 2.0


def test_custom_vjp_true_rule_agrees_with_finite_differences():
    adc.check_grads(sin_times_loss, X, Y, modes=("rev",))
    gx, gy = adc.grad(sin_times_loss, grad_position=(0, 1))(X, Y)
    out = np.sin(X) * Y
    np.testing.assert_allclose(gx, 2 * out * np.cos(X) * Y)
    np.testing.assert_allclose(gy, 2 * out * np.sin(X))


def test_custom_vjp_rule_wins_and_shows_in_the_source():
    # d/dx sum(halved(x)) by the rule is 0.5 (x * 2's true derivative, 2, is ignored)
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(halved(x)))(X), 0.5 * np.ones(3))
    np.testing.assert_allclose(adc.grad(halved)(X), 0.5 * np.ones(3))
    assert "g * 0.5" in adc.gradient_source(lambda x: ops.sum(halved(x)))


@adc.custom_vjp
def log_sum_exp(x):
    m = np.max(x)
    return m + np.log(np.sum(np.exp(x - m)))


def log_sum_exp_fwd(x):
    ans = log_sum_exp(x)  # JAX's spelling: the value by calling the function
    return ans, (ans, x)


def log_sum_exp_bwd(res, g):
    ans, x = res
    return (g * np.exp(x - log_sum_exp(x) + (ans - ans)),)  # and the rule calling it too


log_sum_exp.defvjp(log_sum_exp_fwd, log_sum_exp_bwd)


def log_sum_exp_of_squares(y):
    return log_sum_exp(y ** 2)


def test_custom_vjp_rules_may_call_the_function_itself():
    """In fwd and bwd the function is itself, not its rule again: the nested call
    recursed into the rule and came back as an opaque call ('fwd must return (out,
    residuals)'). First and second derivatives against finite differences."""
    y = np.array([0.1, 0.5, -0.3])
    softmax = np.exp(y ** 2) / np.sum(np.exp(y ** 2))
    np.testing.assert_allclose(adc.grad(log_sum_exp_of_squares)(y), 2 * y * softmax,
                               rtol=1e-12)
    np.testing.assert_allclose(adc.hessian(log_sum_exp_of_squares)(y),
                               central_jacobian(adc.grad(log_sum_exp_of_squares), y),
                               rtol=1e-6, atol=1e-8)


def central_jacobian(fn, x, eps=1e-6):
    return np.stack([(fn(x + eps * e) - fn(x - eps * e)) / (2 * eps)
                     for e in np.eye(x.size)], axis=-1)


def test_custom_vjp_called_outside_a_gradient_is_the_function():
    np.testing.assert_allclose(sin_times(X, Y), np.sin(X) * Y)


def test_custom_vjp_without_rule_is_refused():
    with pytest.raises(AutodiffError, match="before its rule is given"):
        adc.grad(lambda x: ops.sum(undefined_rule(x)))(X)


class WrongShape(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (ops.sum(dout),)


WRONG_SHAPE = WrongShape()


def test_gradient_of_another_shape_is_refused():
    # broadcasting a scalar here would silently be a wrong gradient
    with pytest.raises(AutodiffError, match=r"shape \(\) for an input of shape \(3,\)"):
        adc.grad(lambda x: ops.sum(WRONG_SHAPE(x)))(X)


@adc.custom_vjp
def summed_forward(x):
    return np.sin(x)


def _summed_fwd(x):  # out of shape () where the function's is (3,)
    return np.sum(np.sin(x)), np.cos(x)


summed_forward.defvjp(_summed_fwd, lambda cos, g: (g * cos,))


def test_forward_rule_output_of_another_shape_is_refused():
    """The program computes on with ``fwd``'s output: of another shape it gave another
    value (13.91 for 5.15), and a gradient to match, silently."""
    with pytest.raises(AutodiffError, match=r"forward rule's output has shape \(\) where "
                                            r"the function's has \(3,\)"):
        adc.value_and_grad(lambda x: np.sum(summed_forward(x) * np.arange(3.0)))(X)


class Dup(nn.Cell):
    def construct(self, x, y):
        return x * y

    def bprop(self, x, y, out, dout):
        return (dout * 2.0, dout * 3.0)


DUP = Dup()


def test_array_passed_twice_gets_both_gradients():
    # x at both positions: 2 (first input's rule) + 3 (second's), as MindSpore gives
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(DUP(x, x)))(X), 5.0 * np.ones(3))


def test_custom_vjp_rule_given_twice_is_refused():
    # a gradient compiled with the first rule is cached: a second would be ignored
    with pytest.raises(AutodiffError, match="already given"):
        halved.defvjp(halved_fwd, halved_bwd)


def _square(x):
    return x * x


def _rule(x, out, dout):
    return (dout * 3.0 * x,)  # not the derivative: the rule's numbers show it was used


def _scaled(x, y):
    return x * np.sin(y)


def test_ops_custom_pyfunc_runs_its_function_and_differentiates_by_its_bprop():
    """MindSpore 2.10's ``ops.Custom(func, ..., func_type="pyfunc", bprop=...)``: the value
    is ``func``'s, the gradient ``bprop``'s (``func`` differentiated as written without
    one); other function types compile native kernels and are refused."""
    x = np.array([1.0, 2.0])
    op = ops.Custom(_square, out_shape=lambda x: x, out_dtype=lambda x: x, func_type="pyfunc",
                    bprop=_rule)
    np.testing.assert_array_equal(op(x), [1.0, 4.0])
    np.testing.assert_array_equal(adc.grad(lambda v: op(v).sum())(x), [3.0, 6.0])
    plain = ops.Custom(_scaled, None, None, "pyfunc")
    y = np.array([0.3, -0.4])
    gx, gy = adc.grad(lambda a, b: plain(a, b).sum(), (0, 1))(x, y)
    np.testing.assert_allclose(gx, np.sin(y))
    np.testing.assert_allclose(gy, x * np.cos(y))
    with pytest.raises(ValueError, match="pyfunc"):
        ops.Custom(_square, None, None, "aot")


@adc.custom_vjp
def badly_ruled(x):
    return np.sin(x)


badly_ruled.defvjp(lambda x: (np.sin(x), np.cos(x)), lambda g: (g,))  # bwd: (res, g)


def test_a_rule_of_the_wrong_parameters_says_what_they_are():
    with pytest.raises(AutodiffError, match="bad call to '<lambda>': too many positional") \
            as err:
        adc.grad(lambda x: np.sum(badly_ruled(x)))(X)
    assert "its parameters are <lambda>(g)" in str(err.value)

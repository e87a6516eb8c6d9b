"""Second and third derivatives (grad of grad, jvp of grad: Hessian-vector products,
grad of grad of grad) through every construct first-order grad supports, against
finite differences of the derivative one order below.

The gradient of a loop reads its forward values back from tapes; differentiating it
again differentiates through the tapes: a tape's cotangent is the list of its
elements' cotangents, which the adjoint of the loop reading it lists, and the adjoint
of the loop writing it reads back, one element an iteration. At third order the loop
reading a tape walks it from its start (the adjoint of an adjoint loop), so its own
adjoint lists the cotangents last element first, and two loops may read one tape."""
import control_cases as cases
import numpy as np
import pytest
import scalar_loop_cases as scalar_cases

import autodiff_compiler as adc
from autodiff_compiler import check_grads
from autodiff_compiler.options import grad_spec
from autodiff_compiler.pipeline.kinds import abstract


def prefixes_written_by_index(x):
    """A slice of run-time bounds taped by the gradient, and read back: its zero
    cotangent, and the adjoint's ``gather_add`` at it, once refused at second order."""
    y = np.zeros(3)
    for i in range(3):
        y[i] = np.sum(x[: i + 1] ** 2)
    return np.sum(y * y)


def windows_of_a_checkpointed_loop(x):
    h = np.zeros(2) + 0.1
    for t in adc.checkpointed(range(2)):
        h = np.tanh(np.array([[0.5, -0.2], [0.1, 0.4]]) @ h + x[t:t + 2])
    return np.sum(h ** 3)


POS = np.array([0.3, 0.8, -0.2])
NEG = np.array([-0.9, 0.1, -0.4])
ROWS = np.array([[0.2, -0.5, 0.9], [0.4, 0.1, -0.3]])
W = np.array([0.5, -1.2, 0.7])

CASES = [
    ("if_true", cases.branch, (POS,)),
    ("if_false", cases.branch, (NEG,)),
    ("elif", cases.elif_chain, (POS * 0.1,)),
    ("early_return", cases.early_return, (POS,)),
    ("conditional_expression", cases.conditional_expression, (NEG,)),
    ("boolean_condition", cases.boolean_condition, (POS, NEG)),
    ("for_range", cases.loop_range, (POS, W)),
    ("for_rows", cases.loop_rows, (ROWS, W)),
    ("for_enumerate_and_reversed", cases.loop_enumerate_reversed, (ROWS,)),
    ("for_zip", cases.zipped_rows, (ROWS, ROWS[::-1] * 2.0)),
    ("nested_loops", cases.nested_loops, (POS,)),
    ("while", cases.while_loop, (POS,)),
    ("while_rnn", cases.while_rnn, (POS * 2, np.array([0.9, -0.8, 0.7]))),
    ("reversed_rnn", cases.reversed_rnn, (ROWS, W)),
    ("two_states", cases.two_states, (POS, W)),
    ("loop_in_branch_in_helper", cases.loop_in_branch_in_helper, (POS,)),
    ("helper_called_from_loop", cases.calls_helper_in_loop, (POS * 0.3,)),
    ("static_break_and_continue", cases.break_and_continue, (POS,)),
    ("runtime_break", cases.converge, (POS * 0.05,)),
    ("runtime_break_else_clause", cases.converge, (POS * 3,)),
    ("runtime_continue", cases.skip_negative_steps, (POS,)),
    ("while_with_break", cases.while_with_break, (POS,)),
    ("return_in_loop", cases.first_large,
     (np.array([[0.1, 0.2], [1.5, -0.5], [2.0, 1.0]]),)),
    ("static_recursion", cases.calls_power, (POS,)),
    ("method_calls", cases.uses_method, (POS,)),
    ("float_accumulator", scalar_cases.sum_of_cubed_rows, (ROWS,)),
    ("float_and_array_carried", scalar_cases.float_and_array_carried, (ROWS,)),
    ("float_while", scalar_cases.while_halving, (3.0,)),
    ("float_early_return", scalar_cases.float_with_early_return, (ROWS + 0.8,)),
    ("power_series_of_float", scalar_cases.scalar_argument_power_series, (0.7,)),
    ("float32_accumulator", scalar_cases.float32_accumulator, (ROWS.astype(np.float32),)),
    ("enumerate_zip", scalar_cases.enumerated_zip, (ROWS, ROWS * 2.0)),
    ("nested_float_loops", scalar_cases.nested_float_loops, (ROWS,)),
    ("while_in_for", scalar_cases.while_in_for, (ROWS,)),
    ("branch_in_counted_while", scalar_cases.branch_in_counted_while, (np.array([0.3, 0.4]),)),
    ("run_time_slices_written_by_index", prefixes_written_by_index, (POS,)),
]
# (a third derivative through a checkpointed loop is refused: its segments recompute by
# a recursion on run-time values)
SECOND_ONLY = [
    ("run_time_slices_in_a_checkpointed_loop", windows_of_a_checkpointed_loop, (POS,)),
]


@pytest.mark.parametrize("fn, args", [c[1:] for c in CASES + SECOND_ONLY],
                         ids=[c[0] for c in CASES + SECOND_ONLY])
def test_second_derivative_through_control_flow_matches_finite_differences(fn, args):
    check_grads(fn, *args, order=2)


def _gradient(fn, args, order):
    """``fn`` differentiated ``order`` times with respect to its float arguments."""
    positions = tuple(i for i, a in enumerate(args) if not isinstance(a, int))
    for _ in range(order):
        fn = adc.grad(fn, grad_position=positions)
    return fn


@pytest.mark.parametrize("fn, args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_third_derivative_through_control_flow_matches_finite_differences(fn, args):
    """The derivatives of grad(grad(fn)), in both modes, against its differences
    (``check_grads`` at order 1: the orders below are the test above's)."""
    check_grads(_gradient(fn, args, 2), *args)


@pytest.mark.parametrize("name", ["for_range", "while_rnn", "runtime_break", "return_in_loop",
                                  "nested_float_loops"])
def test_fourth_derivative_through_loops_matches_finite_differences(name):
    fn, args = next(c[1:] for c in CASES if c[0] == name)
    check_grads(_gradient(fn, args, 3), *args, modes=("rev",), generic=False, rtol=1e-4)


def test_third_derivative_of_a_loop_is_the_closed_form():
    def sine_of_sine(x):
        for _ in range(2):
            x = np.sin(x)
        return x

    x = 0.5
    u = np.sin(x)  # f = sin(u): f''' = -cos u cos^3 x + 3 sin u sin x cos x - cos u cos x
    third = -np.cos(u) * np.cos(x) ** 3 + 3 * np.sin(u) * u * np.cos(x) - np.cos(u) * np.cos(x)
    assert adc.grad(adc.grad(adc.grad(sine_of_sine)))(x) == pytest.approx(third, rel=1e-12)
    jacobian = adc.jacrev(adc.jacrev(adc.jacrev(sine_of_sine)))(np.array([x]))
    assert jacobian.item() == pytest.approx(third, rel=1e-12)


def _gradient_difference(f, args, i, direction, eps=1e-6):
    """(grad f(x + eps d) - grad f(x - eps d)) / 2 eps at argument ``i``: H d."""
    def at(step):
        moved = list(args)
        moved[i] = args[i] + step * direction
        return adc.grad(f, tuple(range(len(args))))(*moved)
    return [(p - m) / (2 * eps) for p, m in zip(at(eps), at(-eps))]


def test_rnn_hessian_vector_product_matches_finite_differences():
    rng = np.random.default_rng(3)
    xs, w, u = rng.normal(size=(5, 2, 3)), rng.normal(size=(4, 4)) * 0.5, rng.normal(size=(3, 4))
    direction = rng.normal(size=w.shape)
    grad_rnn = adc.grad(cases.rnn, (0, 1, 2))
    zeros = (np.zeros_like(xs), direction, np.zeros_like(u))
    _, hvp = adc.jvp(grad_rnn, (xs, w, u), zeros)
    for got, expected in zip(hvp, _gradient_difference(cases.rnn, (xs, w, u), 1, direction)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def test_grad_of_grad_of_a_float_loop_is_the_second_derivative():
    def cube_sum(x):
        s = 0.0
        for _ in range(3):
            s = s + x * x * x
        return s
    assert adc.grad(adc.grad(cube_sum))(0.5) == pytest.approx(18 * 0.5)
    assert adc.grad(adc.grad(adc.grad(cube_sum)))(0.5) == pytest.approx(18.0)


def test_second_derivative_source_differentiates_the_tape():
    source = adc.gradient_source(adc.grad(cases.loop_rows), args=(ROWS, W))
    assert "g_mul_tape = []" in source and "g_mul_tape.append(" in source


def test_second_derivative_through_runtime_recursion_is_a_located_error():
    x = np.array([3.0, -2.0, 1.5])
    with pytest.raises(adc.AutodiffError, match="recursion that ends on run-time") as err:
        adc.grad(lambda x: np.sum(adc.grad(cases.uses_recursion)(x)))(x)
    assert "control_cases.py" in str(err.value)
    with pytest.raises(adc.AutodiffError, match="recursion that ends on run-time"):
        adc.jvp(adc.grad(cases.uses_recursion), (x,), (x,))


def test_tape_read_only_for_its_shape_gets_zero_cotangents():
    """In shape-generic code the adjoint reads a tape's elements for their shapes only
    (``unbroadcast(g, x)``): no cotangent reaches that tape, and the adjoint of the
    loop that wrote it (in a branch) reads zeros instead."""
    vjp = adc.api.compile_gradient(
        adc.grad(cases.loop_in_branch_in_helper),
        grad_spec((0,), None, False, False, False, cotangent_inputs=True),
        [abstract(POS, specialize=False)])
    assert "zeros_like_tape(" in vjp.source
    check_grads(cases.loop_in_branch_in_helper, POS, order=2)


@pytest.mark.parametrize("tape, expected", [
    ([np.ones(2), np.ones(2)], [np.zeros(2), np.zeros(2)]),
    ([[1.5, np.ones(3)], None], [[0.0, np.zeros(3)], None]),
    (None, None),
], ids=["arrays", "nested_and_branch_not_taken", "tape_of_a_branch_not_taken"])
def test_zeros_like_tape_keeps_the_tape_structure(tape, expected):
    from autodiff_compiler.ir.reference import zeros_like_tape
    assert _same(zeros_like_tape(tape), expected)


def _same(a, b) -> bool:
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(map(_same, a, b))
    if b is None:
        return a is None
    return np.shape(a) == np.shape(b) and np.array_equal(a, b)


def summed_rows_until_large(x):
    acc = 0.0
    for row in x:
        acc = acc + np.sum(np.sin(row) * row)
        if np.sum(row) > 1.0:
            break
    return acc


THIRD_IN_FORWARD = [("rows_until_large", summed_rows_until_large,
                     (np.array([[0.3, 0.2], [0.9, 0.4], [0.1, 0.2]]),))] + [
    c for c in CASES if c[0] in ("runtime_break", "return_in_loop", "while_with_break",
                                 "runtime_continue", "for_rows")]


@pytest.mark.parametrize("fn, args", [c[1:] for c in THIRD_IN_FORWARD],
                         ids=[c[0] for c in THIRD_IN_FORWARD])
def test_forward_jacobian_of_a_hessian_is_the_third_derivative(fn, args):
    """jacfwd(hessian(f)) batches a loop whose branches tape residuals that only one
    side builds: forward mode gave such a stand-in a zero tangent, which the batched
    branch then tried to select against the other side's (a NumPy broadcast error)."""
    x, rest = args[0], args[1:]
    hessian = adc.hessian(lambda u: fn(u, *rest))
    third = adc.jacfwd(hessian)(x)
    np.testing.assert_allclose(third, adc.jacrev(adc.jacrev(adc.jacrev(
        lambda u: fn(u, *rest))))(x), rtol=1e-9, atol=1e-12)
    eps, differences = 1e-5, np.zeros_like(third)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = eps
        differences[(..., *idx)] = (hessian(x + step) - hessian(x - step)) / (2 * eps)
    np.testing.assert_allclose(third, differences, rtol=1e-5, atol=1e-6)

"""``ops.assign`` inside a differentiated function (issue 12): the write happens on the
forward pass, once per call, in program order; reads after it see the new value, as
when the code runs eagerly, and everything computed from the old value (a temporary,
an adjoint reading a forward value) keeps it."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops

X = Tensor(np.array([1.0, 2.0], np.float32))


class Decaying(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.p = Parameter(Tensor(np.array([2.0, 3.0], np.float32)), requires_grad=False)

    def construct(self, x):
        before = self.p * 3.0  # read before the write: the old value
        y = x * self.p
        ops.assign(self.p, self.p * 0.5)
        z = x * self.p  # after: the new value
        return (y + z * z + x * before).sum()


def _expected(p):
    new = p * 0.5
    x = np.asarray(X)
    value = np.sum(x * p + (x * new) ** 2 + x * p * 3)
    return value, p + 2 * x * new * new + 3 * p


@pytest.mark.parametrize("compiled", [True, False])
def test_reads_before_and_after_the_write(compiled):
    net = Decaying()
    p = np.array(net.p)
    value, grad = ms.value_and_grad(net)(X) if compiled else (net(X), None)
    want_value, want_grad = _expected(p)
    assert float(value) == pytest.approx(want_value, rel=1e-6)
    if compiled:
        np.testing.assert_allclose(grad, want_grad, rtol=1e-6)
    np.testing.assert_allclose(net.p, p * 0.5)  # written once per call


def test_each_call_writes_once_and_a_second_call_reads_the_new_value():
    net = Decaying()
    step = ms.value_and_grad(net)
    step(X)
    p = np.array(net.p)
    value, grad = step(X)
    want_value, want_grad = _expected(p)
    assert float(value) == pytest.approx(want_value, rel=1e-6)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-6)
    np.testing.assert_allclose(net.p, [0.5, 0.75])


def test_the_old_value_is_copied_only_when_read_after_the_write():
    source = ms.gradient_source(Decaying(), args=(X,))
    assert source.count("np.copyto(") == 1
    assert "p_before = np.array(p)" in source
    assert source.index("p_before") < source.index("np.copyto(")


class ListedBefore(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.p = Parameter(Tensor(np.array([2.0, 3.0], np.float32)), requires_grad=False)

    def construct(self, x):
        vals = [self.p * 3.0]  # an unnamed temporary, used only after the write
        ops.assign(self.p, self.p * 0.5)
        return (x * vals[0]).sum()


def test_a_temporary_of_the_old_value_is_computed_before_the_write():
    net = ListedBefore()
    value, grad = ms.value_and_grad(net)(X)
    assert float(value) == pytest.approx(24.0)
    np.testing.assert_allclose(grad, [6.0, 9.0])
    np.testing.assert_allclose(net.p, [1.0, 1.5])
    source = ms.gradient_source(ListedBefore(), args=(X,))
    assert source.index("p * 3.0") < source.index("np.copyto(")


SHARED = Parameter(Tensor(np.array([1.0, 1.0], np.float32)), name="shared")


def reads_written_parameter(x):
    ops.assign(SHARED, x * 2)
    return (SHARED * 3).sum()


def uses_assign_result(x):
    y = ops.assign(SHARED, x * 2)
    return (y * 3).sum()


@pytest.mark.parametrize("fn, line", [(reads_written_parameter, "ops.assign(SHARED, x * 2)"),
                                      (uses_assign_result, "y = ops.assign(SHARED, x * 2)")])
def test_a_gradient_through_the_written_value_raises_where_mindspore_gives_zero(fn, line):
    # MindSpore 2.10: grad of both is [0, 0] (the Parameter is a leaf after the write)
    with pytest.raises(ms.AutodiffError, match=r"gradient would flow through ops\.assign") as err:
        ms.grad(fn)(X)
    assert line in str(err.value) and "ops.stop_gradient" in str(err.value)


def test_a_stopped_written_value_is_a_constant_as_in_mindspore():
    def loss(x):
        ops.assign(SHARED, ops.stop_gradient(x * 2))
        return (SHARED * 3 * x).sum()

    np.testing.assert_allclose(ms.grad(loss)(X), [6.0, 12.0])  # MindSpore 2.10: the same
    np.testing.assert_allclose(SHARED, [2.0, 4.0])


def _doubles(p):
    return ops.assign(p, p * 2.0)


def _doubles_twice(p):
    _doubles(p)
    _doubles(p)


def written_by_a_helper(a, q):
    _doubles(q)  # writes into the caller's q: reading q afterwards sees the new values
    return ops.sum(a * q)


def written_two_calls_deep(a, q):
    alias = q
    _doubles_twice(q)
    return ops.sum(a * q) + ops.sum(alias)


@pytest.mark.parametrize(("fn", "factor"), [(written_by_a_helper, 2.0),
                                            (written_two_calls_deep, 4.0)],
                         ids=["one_call", "two_calls_deep"])
def test_a_write_into_an_argument_inside_a_called_function_is_seen_by_the_caller(fn, factor):
    a = np.array([1.0, -2.0, 0.5])
    values = np.array([1.0, 2.0, 3.0], np.float32)
    eager_q = Tensor(values.copy())
    eager = fn(a, eager_q)
    q = Tensor(values.copy())
    value, grad = ms.value_and_grad(fn)(a, q)
    np.testing.assert_allclose(value, eager, rtol=1e-6)
    np.testing.assert_allclose(grad, factor * values, rtol=1e-6)
    np.testing.assert_allclose(q.asnumpy(), eager_q.asnumpy())  # written once, as eagerly


def written_twice(a, q):
    ops.assign(q, q * 2.0)
    ops.assign(q, q * 2.0)  # into q's array again, not into the first value's
    return ops.sum(a * q)


def test_a_second_write_into_a_parameter_writes_into_its_array():
    values = np.array([1.0, 2.0, 3.0], np.float32)
    q = Tensor(values.copy())
    value, grad = ms.value_and_grad(written_twice)(np.ones(3), q)
    np.testing.assert_allclose(q.asnumpy(), 4.0 * values)
    np.testing.assert_allclose(grad, 4.0 * values)
    assert value == pytest.approx(24.0)


ONE = Tensor(np.ones(2, np.float32))
FIVE_AT_0 = (Tensor(np.array([0], np.int32)), Tensor(np.array([5.0], np.float32)))
# two writes into one Parameter in one call, the second adding to (or partly keeping)
# what the first left: MindSpore 2.10's values of the Parameter afterwards, from [1, 1]
TWICE = {
    "assign_then_assign": (lambda p: (ops.assign(p, p + 1.0), ops.assign(p, p * 3.0)),
                           [6.0, 6.0]),
    "assign_add_twice": (lambda p: (ops.assign_add(p, ONE), ops.assign_add(p, ONE)),
                         [3.0, 3.0]),
    "assign_then_assign_add": (lambda p: (ops.assign(p, p * 2.0), ops.assign_add(p, ONE)),
                               [3.0, 3.0]),
    "assign_then_assign_sub": (lambda p: (ops.assign(p, p * 0.5 + 1.0),
                                          ops.assign_sub(p, ONE * 0.25)), [1.25, 1.25]),
    "scatter_update_then_assign_add": (
        lambda p: (ops.scatter_update(p, *FIVE_AT_0), ops.assign_add(p, ONE)), [6.0, 2.0]),
}


class WrittenTwice(nn.Cell):
    def __init__(self, writes):
        super().__init__()
        self.writes = writes
        self.state = Parameter(Tensor(np.ones(2, np.float32)), name="state",
                               requires_grad=False)

    def construct(self, x):
        self.writes(self.state)
        return (x * self.state).sum()


@pytest.mark.parametrize("name", TWICE)
def test_a_second_write_computes_from_what_the_first_left(name):
    """The second write took the Parameter's value from before the call: two
    assign_add of 1 gave 2 for MindSpore's 3, and the loss and gradients read it too,
    silently (the eager call was right)."""
    writes, want = TWICE[name]
    x = Tensor(np.array([3.0, -2.0], np.float32))
    net = WrittenTwice(writes)
    loss, grad = ms.value_and_grad(net)(x)
    np.testing.assert_allclose(net.state.asnumpy(), want)
    np.testing.assert_allclose(grad.asnumpy(), want)
    assert float(loss) == pytest.approx(float(np.dot([3.0, -2.0], want)))
    net.state.set_data(Tensor(np.ones(2, np.float32)))
    assert float(net(x)) == pytest.approx(float(loss))  # as the eager call


class AddedInALoop(nn.Cell):
    def __init__(self, steps):
        super().__init__()
        self.steps = steps
        self.p = Parameter(Tensor(np.ones(2, np.float32)), name="p", requires_grad=False)

    def construct(self, x):
        for _ in range(self.steps):
            ops.assign(self.p, self.p * 2.0 + ops.stop_gradient(x))
        for _ in range(self.steps):
            ops.assign_add(self.p, ops.ones(2, ms.float32))
        return (x * self.p).sum()


class AddedWhileSmall(nn.Cell):
    def __init__(self):
        super().__init__()
        self.p = Parameter(Tensor(np.ones(2, np.float32)), name="p", requires_grad=False)

    def construct(self, x):
        while (x * self.p).sum() < 10.0:
            ops.assign_add(self.p, ops.ones(2, ms.float32))
        return (x * self.p).sum()


def test_a_parameter_written_in_a_loop_of_known_length_carries_each_write():
    """ops.assign in a for loop in construct was an IR verification error (the loop's
    body wrote the Parameter, which it did not carry); such a loop is unrolled: each
    iteration reads what the last wrote, as eagerly (MindSpore 2.10: 99, p [29, -6] for
    three steps at x = [3, -2]; then three assign_add of 1: [4, 4] from [1, 1])."""
    x = Tensor(np.array([3.0, -2.0], np.float32))
    eager = AddedInALoop(3)
    eager(x)
    net = AddedInALoop(3)
    loss, grad = ms.value_and_grad(net)(x)
    np.testing.assert_allclose(net.p.asnumpy(), eager.p.asnumpy())
    np.testing.assert_allclose(net.p.asnumpy(), [32.0, -3.0])
    assert float(loss) == pytest.approx(102.0)
    np.testing.assert_allclose(grad.asnumpy(), [32.0, -3.0])


def test_a_parameter_written_in_a_loop_of_run_time_length_is_refused_at_the_line():
    with pytest.raises(ms.AutodiffError, match=r"writing into a Parameter .* inside a loop"):
        ms.value_and_grad(AddedWhileSmall())(Tensor(np.array([3.0, -2.0], np.float32)))

"""A Parameter a ``construct`` writes on one path of a run-time ``if`` (``self.b -= 3``,
``ops.assign``), read after it: the value read is the path's taken, in the gradient as
in the forward pass. Under a gradient it was the write's value whatever the path, read
outside the branch that made it: an internal error ("used before it is defined"), as
in MindSpore's own test ``test_if_after_for_in_if_break``. Values are MindSpore 2.10's
(CPU, GRAPH mode): the gradient, the output and the Parameter after each call.
"""
from __future__ import annotations

import numpy as np
import pytest
from autodiff_compiler.ops import GradOperation

from autodiff_compiler import Parameter, Tensor, nn, ops


def _t(v):
    return Tensor(np.array(v, np.float32))


class AugmentedInABranch(nn.Cell):
    def __init__(self):
        super().__init__()
        self.b = Parameter(_t(4), name="b")

    def construct(self, x):
        if x > 1:
            self.b -= 3
        return x * self.b


class AssignedInABranch(nn.Cell):
    def __init__(self):
        super().__init__()
        self.b = Parameter(_t(4), name="b")

    def construct(self, x):
        if x > 1:
            ops.assign(self.b, self.b - 3)
        return x * self.b


class BreakAfterWrites(nn.Cell):
    """An unrolled loop writing before a ``break`` on a run-time value."""

    def __init__(self):
        super().__init__()
        self.b = Parameter(_t(4), name="b")

    def construct(self, x):
        for _ in range(4):
            self.b -= 3
            if x * self.b > 6:
                break
        return x * self.b


class TwoParametersAndABreak(nn.Cell):
    """MindSpore's ``test_if_after_for_in_if_break``, reduced."""

    def __init__(self):
        super().__init__()
        self.a = Parameter(_t(5), name="a")
        self.b = Parameter(_t(4), name="b")

    def construct(self, x):
        for _ in range(4):
            self.a += 1
            self.b -= 3
            if self.a > 6:
                break
        return x * self.b


class WrittenBeforeAndInABranch(nn.Cell):
    """A second write, in a branch: it went into the copy kept of the first write's old
    value, and the Parameter kept the first write's value (3 where MindSpore has 0)."""

    def __init__(self):
        super().__init__()
        self.b = Parameter(_t(4), name="b")

    def construct(self, x):
        self.b -= 1
        if x > 1:
            self.b -= 3
        return x * 2


# (cell, x, gradient with respect to x, b after the call), measured on MindSpore 2.10
CASES = [(AugmentedInABranch, 2.0, 1.0, 1.0), (AugmentedInABranch, 0.5, 4.0, 4.0),
         (AssignedInABranch, 2.0, 1.0, 1.0), (AssignedInABranch, 0.5, 4.0, 4.0),
         (BreakAfterWrites, 2.0, -8.0, -8.0), (TwoParametersAndABreak, 2.0, -2.0, -2.0),
         (WrittenBeforeAndInABranch, 2.0, 2.0, 0.0)]


@pytest.mark.parametrize("cell, x, want, b_after", CASES,
                         ids=[f"{c.__name__}-{x}" for c, x, _, _ in CASES])
def test_a_parameter_written_on_one_path_is_read_as_the_path_taken_left_it(cell, x, want,
                                                                           b_after):
    net = cell()
    (grad,) = GradOperation(get_all=True)(net)(_t(x))
    np.testing.assert_allclose(grad.asnumpy(), want)
    np.testing.assert_allclose(net.b.asnumpy(), b_after)
    fresh = cell()
    value = fresh(_t(x)).asnumpy()
    np.testing.assert_allclose(value, 2 * x if cell is WrittenBeforeAndInABranch else x * b_after)

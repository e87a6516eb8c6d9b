"""Custom gradients: a Cell's ``bprop`` is never silently ignored.

MindSpore differentiates a Cell that defines ``bprop(self, *inputs, out, dout)`` with
the user's rule, not with ``construct``'s ordinary derivative. Until that rule is
honoured, differentiating through such a Cell must be refused at the user's line: the
ordinary gradient would be a silently wrong answer."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, nn, ops


class Scaled(nn.Cell):
    """``construct`` is x*x, but the declared gradient is 100 * dout."""

    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * 100.0,)


class Plain(nn.Cell):
    def construct(self, x):
        return x * x


NET = Scaled()
PLAIN = Plain()
X = np.array([1.0, 2.0, 3.0])


def calls_the_cell(x):
    return ops.sum(NET(x))


def test_call_to_cell_with_bprop_is_refused_at_the_call_line():
    with pytest.raises(AutodiffError, match="Cell 'Scaled' defines bprop") as info:
        adc.grad(calls_the_cell)(X)
    loc = info.value.loc
    assert loc.file.endswith("test_custom_gradients.py")
    assert "NET(x)" in loc.source


def test_differentiating_the_cell_itself_is_refused_at_its_bprop():
    with pytest.raises(AutodiffError, match="custom bprop is not supported") as info:
        adc.grad(NET)(X)
    loc = info.value.loc
    assert loc.file.endswith("test_custom_gradients.py")
    assert "def bprop" in loc.source


def test_cell_without_bprop_is_still_differentiated():
    np.testing.assert_allclose(adc.grad(lambda x: ops.sum(PLAIN(x)))(X), 2 * X)

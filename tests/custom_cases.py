"""Custom gradients the tests share: Cells with a ``bprop`` and a ``custom_vjp``
function, with the arguments they are called on."""
from __future__ import annotations

import numpy as np

import autodiff_compiler as adc
from autodiff_compiler import Parameter, nn, ops

X = np.array([1.0, 2.0, 3.0])
Y = np.array([0.5, -1.0, 2.0])


class ReadsOut(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout * out + x,)


class Weighted(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(np.array([2.0, 3.0, 4.0]), name="w")

    def construct(self, x):
        return x * self.w

    def bprop(self, x, out, dout):
        return (dout * 7.0,)


class TwoOutputs(nn.Cell):
    def construct(self, x):
        return x * 2.0, np.exp(x)

    def bprop(self, x, out, dout):
        return (dout[0] * 2.0 + dout[1] * out[1],)


@adc.custom_vjp
def sin_times(x, y):
    return np.sin(x) * y


def sin_times_fwd(x, y):
    return np.sin(x) * y, (np.cos(x), np.sin(x), y)


def sin_times_bwd(res, g):
    cos_x, sin_x, y = res
    return (g * cos_x * y, g * sin_x)


sin_times.defvjp(sin_times_fwd, sin_times_bwd)


def sin_times_loss(x, y):
    return ops.sum(sin_times(x, y) ** 2)

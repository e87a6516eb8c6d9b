"""The MindSpore autograd tutorial's functions and model, imported by the tests."""
import numpy as np

import autodiff_compiler as mindspore
from autodiff_compiler import Parameter, nn, ops


def make_inputs(source: str):
    """x, y, w, b as the issue's reference run (``rng``) or the tutorial (``seed42``)."""
    x = ops.ones(5, mindspore.float32)
    y = ops.zeros(3, mindspore.float32)
    if source == "rng":
        rng = np.random.default_rng(0)
        w_data = rng.standard_normal((5, 3)).astype(np.float32)
        b_data = rng.standard_normal(3).astype(np.float32)
    else:
        np.random.seed(42)
        w_data = np.random.randn(5, 3).astype(np.float32)
        b_data = np.random.randn(3).astype(np.float32)
    w = Parameter(mindspore.Tensor(w_data, mindspore.float32), name="w")
    b = Parameter(mindspore.Tensor(b_data, mindspore.float32), name="b")
    return x, y, w, b


def function(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss


def function_with_logits(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss, z


def function_stop_gradient(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss, ops.stop_gradient(z)


class Network(nn.Cell):
    def __init__(self, w, b):
        super().__init__()
        self.w = w
        self.b = b

    def construct(self, x):
        z = ops.matmul(x, self.w) + self.b
        return z


def make_forward_fn(model, loss_fn):
    def forward_fn(x, y):
        z = model(x)
        loss = loss_fn(z, y)
        return loss
    return forward_fn

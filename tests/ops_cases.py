"""Functions over the MindSpore-style ``ops`` surface, for the ops/nn tests."""
import numpy as np

from autodiff_compiler import ops


def bce_plain(z, t):
    return ops.binary_cross_entropy_with_logits(z, t)


def bce_weighted(z, t, w, p):
    return ops.binary_cross_entropy_with_logits(z, t, w, p, reduction="sum")


def bce_none(z, t):
    return ops.binary_cross_entropy_with_logits(z, t, reduction="none") * 2.0


def reductions(x):
    return ops.sum(x, 1, keepdim=True) + ops.mean(x, axis=0, keep_dims=True) + ops.reduce_sum(x) \
        + ops.reduce_mean(x, axis=1, keep_dims=True)


def elementwise(x):
    return ops.sum(ops.exp(x) + ops.log(ops.sigmoid(x)) + ops.matmul(x, ops.ones((3, 2))).sum())


def shapes(x):
    y = ops.reshape(x, (3, 2)) * ops.ones_like(ops.transpose(x, (1, 0)))
    return ops.sum(y * y) + ops.sum(ops.zeros_like(x) + ops.zeros(3))


def naive_bce(z, t, w=1.0, p=1.0):
    s = 1 / (1 + np.exp(-z))
    return -w * (p * t * np.log(s) + (1 - t) * np.log(1 - s))


def bce_bad_reduction(z, t):
    return ops.binary_cross_entropy_with_logits(z, t, reduction="average")

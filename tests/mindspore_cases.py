"""Functions over MindSpore's ``ops`` and ``nn`` surface, for test_surface_mindspore.py."""
import numpy as np

from autodiff_compiler import nn, ops


def softmax_last(x):
    return ops.softmax(x) * np.arange(4.0)


def softmax_axis0(x):
    return ops.softmax(x, axis=0) * np.arange(4.0)


def log_softmax_fn(x):
    return ops.log_softmax(x, 1) * np.arange(4.0)


def logsumexp_fn(x):
    return ops.logsumexp(x, 1)


def logsumexp_keep(x):
    return ops.logsumexp(x, (0, 1), keep_dims=True)


def activations(x):
    return (ops.relu(x) + ops.sigmoid(x) + ops.tanh(x) + ops.softplus(x) + ops.silu(x)
            + ops.leaky_relu(x) + ops.elu(x) + ops.softsign(x) + ops.relu6(3.0 * x))


def softplus_beta(x):
    return ops.softplus(x, beta=2.0)


def arithmetic(x, y):
    return (ops.square(x) + ops.sqrt(ops.abs(y) + 1.0) + ops.pow(ops.abs(x) + 1.0, y)
            + ops.maximum(x, y) * ops.minimum(x, y) + ops.where(x > y, x, y)
            + ops.div(x, ops.exp(y)) + ops.mul(ops.add(x, y), ops.sub(x, y)) + ops.neg(x)
            + ops.clamp(x, -0.5, 0.5) + ops.clamp(y, min=0.0) + ops.rsqrt(ops.abs(x) + 1.0))


def reductions(x):
    values, _ = ops.max(x, axis=1)
    return (ops.sum(x, 1) + ops.mean(x, 1) + ops.prod(x, 1) + ops.amax(x, 1)
            + ops.amin(x, 1) + values + ops.var(x, 1) + ops.std(x, 1, ddof=1)
            + ops.norm(x, dim=1) + ops.reduce_max(x, 1) + ops.sum(ops.cumsum(x, 1), 1))


def shapes(x):
    y = ops.concat([x, ops.reshape(x, (4, 3)).T], axis=0)
    z = ops.stack([x, x * 2.0], axis=1)
    parts = ops.split(ops.flatten(z), 4, axis=1)
    return (ops.sum(y * y) + ops.sum(ops.permute(z, (2, 0, 1))[0]) + ops.sum(parts[1])
            + ops.sum(ops.squeeze(ops.unsqueeze(x, 0), 0) ** 2)
            + ops.sum(ops.expand_dims(x, -1) * ops.ones((3, 4, 2)))
            + ops.sum(ops.flip(x, 0) * y[:3]))


def gather_fn(x):
    return ops.gather(x, np.array([0, 2, 2]), 1)


def one_hot_weighted(x):
    return x * ops.one_hot(np.array([0, 2, 1]), 4, 1.0, 0.0)


def dense_fn(x, w, b):
    return ops.dense(x, w, b)


def mse(x, y):
    return ops.mse_loss(x, y)


def l1_sum(x, y):
    return ops.l1_loss(x, y, reduction="sum")


def bce(p, y, w):
    return ops.binary_cross_entropy(p, y, w)


def cross_entropy_indices(logits, labels):
    return ops.cross_entropy(logits, labels)


def cross_entropy_weighted(logits, labels, weight):
    return ops.cross_entropy(logits, labels, weight, ignore_index=1, reduction="sum")


def cross_entropy_smoothed(logits, labels):
    return ops.cross_entropy(logits, labels, label_smoothing=0.1)


def cross_entropy_probabilities(logits, target):
    return ops.cross_entropy(logits, target, reduction="none")


def nll(logits, labels):
    return ops.nll_loss(ops.log_softmax(logits, 1), labels)


class MLP(nn.Cell):
    def __init__(self):
        super().__init__()
        self.body = nn.SequentialCell(nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2, activation="tanh"))
        self.loss = nn.MSELoss()

    def construct(self, x, y):
        return self.loss(self.body(x), y)


class Classifier(nn.Cell):
    def __init__(self, loss):
        super().__init__()
        self.dense = nn.Dense(3, 4)
        self.loss = loss

    def construct(self, x, labels):
        return self.loss(self.dense(x), labels)


def naive_cross_entropy(logits, labels, weight=None):
    p = np.exp(logits) / np.sum(np.exp(logits), axis=1, keepdims=True)
    w = np.ones(logits.shape[1]) if weight is None else weight
    picked = -np.log(p[np.arange(len(labels)), labels]) * w[labels]
    return picked, w[labels]

"""A small recurrent network's loss, to profile by source line:

    autodiff-compiler profile examples/profile_rnn.py:loss --grad-position 1,2,3 \\
        --example "*example()"

prints, for each line of ``loss``, the time its forward and adjoint code take in the
gradient, the bytes the forward pass keeps for the adjoint, and its share of the time.
"""
import numpy as np


def loss(xs, w_in, w_rec, w_out, target):
    h = np.zeros((xs.shape[1], w_rec.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ w_in + h @ w_rec)
    out = h @ w_out
    return np.mean((out - target) ** 2)


def example(steps=50, batch=64, n_in=32, n_hidden=128, n_out=10, seed=0):
    """Arguments for ``loss``: a sequence of inputs, the three weights and a target."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(steps, batch, n_in)),
            rng.normal(size=(n_in, n_hidden)) / np.sqrt(n_in),
            rng.normal(size=(n_hidden, n_hidden)) / np.sqrt(n_hidden),
            rng.normal(size=(n_hidden, n_out)) / np.sqrt(n_hidden),
            rng.normal(size=(batch, n_out)))

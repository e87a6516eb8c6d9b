"""Benchmark a two-layer MLP's gradient: generated code vs hand-written NumPy.

Run from the repository root::

    python benchmarks/bench_mlp.py                   # full run, ~5 s (~20 s with the peers)
    python benchmarks/bench_mlp.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_mlp.py --json benchmarks/results_mlp.json
    python benchmarks/bench_mlp.py --source          # also print the generated code

The workload: a batch of 256 inputs of 784 features, float32 (an MNIST-sized
minibatch), a tanh hidden layer of 256 units, 10 logits, and the mean softmax
cross-entropy against one-hot labels, with the log-softmax made stable by subtracting
each row's maximum; gradients with respect to W1, b1, W2 and b2. Before timing
anything it checks the loss, the hand-written gradient (in float64, against central
differences) and every other gradient (against the hand-written one: float32, so rtol
1e-4 plus an absolute 1e-5 of each array's largest entry) and exits with status 1 on a
mismatch. autograd, JAX and PyTorch are timed too where they are installed (never
required). See benchmarks/README.md.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as adc

# ---------------------------------------------------------------------------- the workload

BATCH, INPUTS, HIDDEN, CLASSES = 256, 784, 256, 10
DTYPE = np.float32
POSITIONS = (2, 3, 4, 5)


def mlp(x, labels, w1, b1, w2, b2):
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    s = z - np.max(z, axis=1, keepdims=True)
    logp = s - np.log(np.sum(np.exp(s), axis=1, keepdims=True))
    return -np.mean(np.sum(labels * logp, axis=1))


def hand_grad(x, labels, w1, b1, w2, b2):
    """d loss / d (W1, b1, W2, b2) by backpropagation, as written by hand.

    d loss / dz = (softmax(z) - labels) / n, because each row of one-hot labels sums
    to 1 (and the subtracted maximum passes no gradient). The softmax is computed in
    place in the shifted logits' buffer; tanh's derivative is 1 - h**2 from its output.
    """
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z, out=z)
    p /= p.sum(axis=1, keepdims=True)
    p -= labels
    p *= 1.0 / len(x)  # in place: stays float32
    dz = p
    dh = dz @ w2.T
    dh *= 1.0 - h * h
    return x.T @ dh, dh.sum(axis=0), h.T @ dz, dz.sum(axis=0)


def loss_with(xp: Any):
    """The workload for a NumPy-like module (autograd.numpy, jax.numpy)."""
    def loss(x, labels, w1, b1, w2, b2):
        h = xp.tanh(x @ w1 + b1)
        z = h @ w2 + b2
        s = z - xp.max(z, axis=1, keepdims=True)
        logp = s - xp.log(xp.sum(xp.exp(s), axis=1, keepdims=True))
        return -xp.mean(xp.sum(labels * logp, axis=1))
    return loss


def torch_loss_with(torch: Any):
    """The workload in PyTorch, as one writes it there: ``cross_entropy`` takes the
    one-hot labels as class probabilities (the same mean softmax cross-entropy)."""
    cross_entropy = torch.nn.functional.cross_entropy

    def loss(x, labels, w1, b1, w2, b2):
        return cross_entropy(torch.tanh(x @ w1 + b1) @ w2 + b2, labels)
    return loss


def hand_loss(x, labels, w1, b1, w2, b2):
    """The loss, written separately (for the checks only): log-sum-exp per row."""
    z = np.tanh(x @ w1 + b1) @ w2 + b2
    m = z.max(axis=1)
    lse = m + np.log(np.exp(z - m[:, None]).sum(axis=1))
    return np.mean(lse - (labels * z).sum(axis=1))


def make_inputs(seed: int = 0, dtype: Any = DTYPE) -> tuple[np.ndarray, ...]:
    """x ~ N(0, 1), random classes; W1 ~ N(0, 1/784), W2 ~ N(0, 1/256) (so tanh is
    neither saturated nor linear), b1, b2 ~ N(0, 0.1^2)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, INPUTS))
    labels = np.eye(CLASSES)[rng.integers(0, CLASSES, BATCH)]
    w1 = rng.standard_normal((INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    b1 = 0.1 * rng.standard_normal(HIDDEN)
    w2 = rng.standard_normal((HIDDEN, CLASSES)) / np.sqrt(HIDDEN)
    b2 = 0.1 * rng.standard_normal(CLASSES)
    return tuple(a.astype(dtype) for a in (x, labels, w1, b1, w2, b2))


# ---------------------------------------------------------------------------- correctness

RTOL, ATOL_REL = 1e-4, 1e-5  # float32
ARGS = "x, labels, w1, b1, w2, b2"
NAMES = ("dW1", "db1", "dW2", "db2")


def assert_grads(what: str, got: Any, want: tuple) -> None:
    harness.assert_grads(what, got, want, NAMES, RTOL, ATOL_REL)


def check(grad_fn: Any, args: tuple) -> None:
    """Check the forward loss, the baseline and the API's gradients."""
    want = hand_grad(*args)
    harness.assert_same("forward loss", mlp(*args), np.float32(hand_loss(*args)), RTOL)
    wide = make_inputs(dtype=np.float64)  # the baseline's maths, checked in float64
    harness.check_directional("hand-written gradient (float64)", hand_loss,
                              hand_grad(*wide), wide, POSITIONS)
    assert_grads(f"grad_fn({ARGS})", grad_fn(*args), want)
    assert_grads(f"adc.grad(mlp, {POSITIONS})({ARGS})", adc.grad(mlp, POSITIONS)(*args), want)
    other = make_inputs(seed=1)  # same shapes and dtypes, so the same compiled code
    assert_grads("grad_fn on other inputs", grad_fn(*other), hand_grad(*other))


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    grad_fn = adc.grad(mlp, POSITIONS)  # created once; compiled by its first call
    check(grad_fn, args)
    want = hand_grad(*args)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    suite = Suite(
        name="bench_mlp", cases=[], baseline="hand",
        namespace={"mlp": mlp, "hand_grad": hand_grad},
        notes=[f"batch {BATCH}, {INPUTS} -> {HIDDEN} (tanh) -> {CLASSES}, float32"],
        extra={"shape": {"batch": BATCH, "inputs": INPUTS, "hidden": HIDDEN,
                         "classes": CLASSES, "dtype": "float32"}},
        source=grad_fn.source(*args))
    suite.case("forward", "(a) forward: mlp(...)", f"mlp({ARGS})")
    suite.case("hand", "(b) hand-written NumPy gradient", f"hand_grad({ARGS})")
    generated = harness.add_generated_cases(suite, stack, mlp, grad_fn, args, ARGS,
                                            check_want, "import numpy as np\n\n\n")
    harness.add_standard_peers(suite, loss_with, torch_loss_with, args, POSITIONS, check_want)
    harness.add_memory_cases(suite, generated, grad_fn, args, hand_grad)
    return suite


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_mlp", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

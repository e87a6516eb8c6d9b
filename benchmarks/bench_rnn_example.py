"""Benchmark a vanilla RNN's gradient over one example's sequence (a Python for-loop, no
batch axis): generated code vs hand-written BPTT.

Run from the repository root::

    python benchmarks/bench_rnn_example.py            # full run
    python benchmarks/bench_rnn_example.py --quick    # seconds-long smoke run (CI)
    python benchmarks/bench_rnn_example.py --json benchmarks/results_rnn_example.json
    python benchmarks/bench_rnn_example.py --source   # also print the generated code

The workload: T = 100 steps, input size 32, hidden size 64, float64, one example (the
hidden state is a vector), ``h = tanh(x[t] @ W + h @ U)`` from ``h = 0``, loss
``sum(h ** 2)`` of the last state, gradients with respect to W and U. Every step is a
vector-matrix product, so the time goes into per-step overhead rather than arithmetic.
Before timing anything it checks the loss, the hand-written BPTT (against central
differences) and every generated gradient (against the hand-written one, rtol 1e-6) and
exits with status 1 on a mismatch. Then it times the cases interleaved round-robin,
reports the median time per call and its ratio to the hand-written BPTT's, and measures
the peak memory of one gradient call with ``tracemalloc``. autograd, JAX and PyTorch
are timed too where they are installed (never required). See benchmarks/README.md.
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

STEPS, INPUTS, HIDDEN = 100, 32, 64
POSITIONS = (1, 2)


def rnn_example(xs, w, u):
    h = np.zeros(w.shape[1])
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ w + h @ u)
    return np.sum(h ** 2)


def hand_grad(xs, w, u):
    """d loss / d (W, U) by backpropagation through time, as written by hand for one
    example.

    The forward pass stores every hidden state in one preallocated (T + 1, H) array
    (hs[0] = 0, tanh writes into hs[t + 1]); one reverse loop then accumulates dW and dU
    in place, one outer product each per step. With z_t = x_t W + h_{t-1} U and
    h_t = tanh(z_t): dz_t = dh_t * (1 - h_t**2), dW += x_t ⊗ dz_t, dU += h_{t-1} ⊗ dz_t,
    dh_{t-1} = dz_t U^T (U^T laid out once, before the loop).
    """
    steps = xs.shape[0]
    hs = np.empty((steps + 1, w.shape[1]))
    hs[0] = 0.0
    for t in range(steps):
        np.tanh(xs[t] @ w + hs[t] @ u, out=hs[t + 1])
    dh = 2.0 * hs[steps]
    dw = np.zeros_like(w)
    du = np.zeros_like(u)
    ut = np.ascontiguousarray(u.T)
    for t in range(steps - 1, -1, -1):
        h = hs[t + 1]
        dz = dh * (1.0 - h * h)
        dw += np.outer(xs[t], dz)
        du += np.outer(hs[t], dz)
        dh = dz @ ut
    return dw, du


def hand_grad_stacked(xs, w, u):
    """``hand_grad`` with its outer products summed at once: the reverse loop keeps each
    step's dz in a (T, H) array, and dW = xs^T dZ, dU = hs[:-1]^T dZ are one product each
    after it (xs @ W too, before the forward loop) -- what the compiler's code does."""
    steps = xs.shape[0]
    hs = np.empty((steps + 1, w.shape[1]))
    hs[0] = 0.0
    xw = xs @ w
    for t in range(steps):
        np.tanh(xw[t] + hs[t] @ u, out=hs[t + 1])
    dh = 2.0 * hs[steps]
    dz = np.empty((steps, w.shape[1]))
    ut = np.ascontiguousarray(u.T)
    for t in range(steps - 1, -1, -1):
        h = hs[t + 1]
        np.multiply(dh, 1.0 - h * h, out=dz[t])
        dh = dz[t] @ ut
    return xs.T @ dz, hs[:-1].T @ dz


def loss_with(xp: Any):
    """The workload for a NumPy-like module (autograd.numpy, jax.numpy)."""
    def loss(xs, w, u):
        h = xp.zeros(w.shape[1], dtype=xs.dtype)
        for t in range(xs.shape[0]):
            h = xp.tanh(xs[t] @ w + h @ u)
        return xp.sum(h ** 2)
    return loss


def torch_loss_with(torch: Any):
    """The workload in PyTorch."""
    def loss(xs, w, u):
        h = torch.zeros(w.shape[1], dtype=xs.dtype)
        for t in range(xs.shape[0]):
            h = torch.tanh(xs[t] @ w + h @ u)
        return torch.sum(h ** 2)
    return loss


def hand_loss(xs, w, u):
    """The forward loss, written separately (for the correctness checks only)."""
    h = np.zeros(w.shape[1])
    for x in xs:
        h = np.tanh(x @ w + h @ u)
    return np.sum(h * h)


def make_inputs(seed: int = 0) -> tuple[np.ndarray, ...]:
    """xs ~ N(0, 1); W ~ N(0, 1/I) and U ~ N(0, 1/H), so tanh is neither saturated nor
    linear (the hidden state's entries have a standard deviation of about 0.7) and the
    gradient does not vanish over the 100 steps."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((STEPS, INPUTS))
    w = rng.standard_normal((INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    u = rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)
    return xs, w, u


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-6
ARGS = "xs, w, u"


def assert_grads(what: str, got: Any, want: tuple[np.ndarray, np.ndarray]) -> None:
    harness.assert_grads(what, got, want, ("dW", "dU"), RTOL)


def check(grad_fn: Any, args: tuple[np.ndarray, ...]) -> None:
    """Check the forward loss, the baseline and the generated gradients."""
    want = hand_grad(*args)
    harness.assert_same("forward loss", rnn_example(*args), hand_loss(*args), RTOL)
    harness.check_directional("hand-written BPTT", hand_loss, want, args, POSITIONS)
    assert_grads("hand_grad_stacked", hand_grad_stacked(*args), want)
    assert_grads(f"grad_fn({ARGS})", grad_fn(*args), want)
    assert_grads(f"adc.grad(rnn_example, {POSITIONS})({ARGS})",
                 adc.grad(rnn_example, POSITIONS)(*args), want)
    other = make_inputs(seed=1)  # same shapes and dtypes, so the same compiled code
    assert_grads("grad_fn on other inputs", grad_fn(*other), hand_grad(*other))


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    grad_fn = adc.grad(rnn_example, POSITIONS)  # created once; compiled by its first call
    check(grad_fn, args)
    want = hand_grad(*args)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    suite = Suite(
        name="bench_rnn_example", cases=[], baseline="hand",
        namespace={"rnn_example": rnn_example, "hand_grad": hand_grad,
                   "hand_grad_stacked": hand_grad_stacked},
        notes=[f"T={STEPS}, one example, input={INPUTS}, hidden={HIDDEN}, float64"],
        extra={"shape": {"steps": STEPS, "inputs": INPUTS, "hidden": HIDDEN,
                         "dtype": "float64"}},
        source=grad_fn.source(*args))
    suite.case("forward", "(a) forward: rnn_example(xs, w, u)", "rnn_example(xs, w, u)")
    suite.case("hand", "(b) hand-written BPTT in NumPy", "hand_grad(xs, w, u)")
    suite.case("hand_stacked", "(b2) the same, products summed after the loop",
               "hand_grad_stacked(xs, w, u)")
    generated = harness.add_generated_cases(suite, stack, rnn_example, grad_fn, args, ARGS,
                                            check_want, "import numpy as np\n\n\n")
    harness.add_standard_peers(suite, loss_with, torch_loss_with, args, POSITIONS, check_want)
    harness.add_memory_cases(suite, generated, grad_fn, args, hand_grad)
    return suite


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_rnn_example", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

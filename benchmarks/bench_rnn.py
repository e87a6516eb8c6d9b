"""Benchmark a vanilla RNN's gradient (a Python for-loop): generated code vs hand-written BPTT.

Run from the repository root::

    python benchmarks/bench_rnn.py                   # full run, ~5 s (~45 s with the peers)
    python benchmarks/bench_rnn.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_rnn.py --json benchmarks/results_rnn.json
    python benchmarks/bench_rnn.py --source          # also print the generated code

The workload: T = 50 steps, batch 32, input size 16, hidden size 64, float64,
``h = tanh(h @ W + x[t] @ U)`` from ``h = 0``, loss ``sum(h ** 2)`` of the last state,
gradients with respect to W and U. Before timing anything it checks the loss, the
hand-written BPTT (against central differences) and every generated gradient (against
the hand-written one, rtol 1e-6) and exits with status 1 on a mismatch. Then it times
the cases interleaved round-robin, reports the median time per call and its ratio to
the hand-written BPTT's, and measures the peak memory of one gradient call with
``tracemalloc``. autograd, JAX and PyTorch are timed too where they are installed
(never required). See benchmarks/README.md.
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

STEPS, BATCH, INPUTS, HIDDEN = 50, 32, 16, 64
POSITIONS = (1, 2)


def rnn(xs, w, u):
    T = xs.shape[0]  # noqa: N806 (the issue's notation)
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(T):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def hand_grad(xs, w, u):
    """d loss / d (W, U) by backpropagation through time, as written by hand.

    The forward pass stores every hidden state in one preallocated (T + 1, B, H) array
    (hs[0] = 0, tanh writes into hs[t + 1]); one reverse loop then accumulates dW and dU
    in place. With z_t = h_{t-1} W + x_t U and h_t = tanh(z_t):
    dz_t = dh_t * (1 - h_t**2), dW += h_{t-1}^T dz_t, dU += x_t^T dz_t, dh_{t-1} = dz_t W^T.
    """
    steps, batch, _ = xs.shape
    hs = np.empty((steps + 1, batch, w.shape[0]))
    hs[0] = 0.0
    for t in range(steps):
        np.tanh(hs[t] @ w + xs[t] @ u, out=hs[t + 1])
    dh = 2.0 * hs[steps]
    dw = np.zeros_like(w)
    du = np.zeros_like(u)
    wt = w.T
    for t in range(steps - 1, -1, -1):
        h = hs[t + 1]
        dz = dh * (1.0 - h * h)
        dw += hs[t].T @ dz
        du += xs[t].T @ dz
        dh = dz @ wt
    return dw, du


def loss_with(xp: Any):
    """The workload for a NumPy-like module (autograd.numpy, jax.numpy)."""
    def loss(xs, w, u):
        h = xp.zeros((xs.shape[1], w.shape[0]), dtype=xs.dtype)
        for t in range(xs.shape[0]):
            h = xp.tanh(h @ w + xs[t] @ u)
        return xp.sum(h ** 2)
    return loss


def torch_loss_with(torch: Any):
    """The workload in PyTorch."""
    def loss(xs, w, u):
        h = torch.zeros((xs.shape[1], w.shape[0]), dtype=xs.dtype)
        for t in range(xs.shape[0]):
            h = torch.tanh(h @ w + xs[t] @ u)
        return torch.sum(h ** 2)
    return loss


def hand_loss(xs, w, u):
    """The forward loss, written separately (for the correctness checks only)."""
    h = np.zeros((xs.shape[1], w.shape[0]))
    for x in xs:
        h = np.tanh(h @ w + x @ u)
    return np.sum(h * h)


def make_inputs(seed: int = 0) -> tuple[np.ndarray, ...]:
    """xs ~ N(0, 1); W ~ N(0, 1/H) and U ~ N(0, 1/I), so tanh is neither saturated nor
    linear and the gradient does not vanish over the 50 steps."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((STEPS, BATCH, INPUTS))
    w = rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)
    u = rng.standard_normal((INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    return xs, w, u


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-6
ARGS = "xs, w, u"


def assert_grads(what: str, got: Any, want: tuple[np.ndarray, np.ndarray]) -> None:
    harness.assert_grads(what, got, want, ("dW", "dU"), RTOL)


def check_hand_grad(args: tuple[np.ndarray, ...]) -> None:
    """The baseline itself: directional derivatives by central differences."""
    xs, w, u = args
    dw, du = hand_grad(*args)
    rng = np.random.default_rng(2)
    for name, vw, vu in (("W", rng.standard_normal(w.shape), 0 * u),
                         ("U", 0 * w, rng.standard_normal(u.shape))):
        eps = 1e-6
        numeric = (hand_loss(xs, w + eps * vw, u + eps * vu)
                   - hand_loss(xs, w - eps * vw, u - eps * vu)) / (2 * eps)
        analytic = np.sum(dw * vw) + np.sum(du * vu)
        if not np.isclose(analytic, numeric, rtol=1e-5):
            raise harness.BenchmarkError(
                f"hand-written BPTT: derivative along a random d{name} is {analytic!r}, "
                f"central differences give {numeric!r}")


def check(grad_fn: Any, args: tuple[np.ndarray, ...]) -> None:
    """Check the forward loss, the baseline and the generated gradients."""
    want = hand_grad(*args)
    harness.assert_same("forward loss", rnn(*args), hand_loss(*args), RTOL)
    check_hand_grad(args)
    assert_grads(f"grad_fn({ARGS})", grad_fn(*args), want)
    assert_grads(f"adc.grad(rnn, {POSITIONS})({ARGS})", adc.grad(rnn, POSITIONS)(*args), want)
    other = make_inputs(seed=1)  # same shapes and dtypes, so the same compiled code
    assert_grads("grad_fn on other inputs", grad_fn(*other), hand_grad(*other))


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    grad_fn = adc.grad(rnn, POSITIONS)  # created once; compiled by its first call
    check(grad_fn, args)
    want = hand_grad(*args)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    suite = Suite(
        name="bench_rnn", cases=[], baseline="hand",
        namespace={"rnn": rnn, "hand_grad": hand_grad},
        notes=[f"T={STEPS}, batch={BATCH}, input={INPUTS}, hidden={HIDDEN}, float64"],
        extra={"shape": {"steps": STEPS, "batch": BATCH, "inputs": INPUTS, "hidden": HIDDEN,
                         "dtype": "float64"}},
        source=grad_fn.source(*args))
    suite.case("forward", "(a) forward: rnn(xs, w, u)", "rnn(xs, w, u)")
    suite.case("hand", "(b) hand-written BPTT in NumPy", "hand_grad(xs, w, u)")
    generated = harness.add_generated_cases(suite, stack, rnn, grad_fn, args, ARGS,
                                            check_want, "import numpy as np\n\n\n")
    harness.add_standard_peers(suite, loss_with, torch_loss_with, args, POSITIONS, check_want)
    harness.add_memory_cases(suite, generated, grad_fn, args, hand_grad)
    return suite


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_rnn", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

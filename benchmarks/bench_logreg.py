"""Benchmark logistic regression's gradient: generated code vs hand-written NumPy.

Run from the repository root::

    python benchmarks/bench_logreg.py                   # full run, ~5 s (~20 s with the peers)
    python benchmarks/bench_logreg.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_logreg.py --json benchmarks/results_logreg.json
    python benchmarks/bench_logreg.py --source          # also print the generated code

The workload: X of shape 1000 x 100 and y in {0, 1}, float64; parameters w (100,) and
a Python float b; the mean log-loss ``mean(logaddexp(0, z) - y * z)`` with
``z = X @ w + b`` (the numerically stable form of binary cross-entropy on logits);
gradients with respect to w and b. Before timing anything it checks the loss, the
hand-written gradient (against central differences) and every other gradient (against
the hand-written one, rtol 1e-6) and exits with status 1 on a mismatch. autograd, JAX
and PyTorch are timed too where they are installed (never required). See
benchmarks/README.md.
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

SAMPLES, FEATURES = 1000, 100
POSITIONS = (2, 3)


def logreg(X, y, w, b):  # noqa: N803 (the usual notation)
    z = X @ w + b
    return np.mean(np.logaddexp(0, z) - y * z)


def hand_grad(X, y, w, b):  # noqa: N803
    """d loss / d (w, b), as written by hand.

    d loss / dz = (sigmoid(z) - y) / n. sigmoid(z) = 0.5 * tanh(0.5 * z) + 0.5 never
    overflows, and at this size it is the fastest form measured (about 25 % faster
    than exp(-logaddexp(0, -z)), which wins only on tiny arrays). Then dw = dz @ X and
    db = sum(dz).
    """
    z = X @ w + b
    dz = (0.5 * np.tanh(0.5 * z) + 0.5 - y) / y.size
    return dz @ X, dz.sum()


def loss_with(xp: Any):
    """The workload for a NumPy-like module (autograd.numpy, jax.numpy)."""
    def loss(X, y, w, b):  # noqa: N803
        z = X @ w + b
        return xp.mean(xp.logaddexp(0.0, z) - y * z)
    return loss


def torch_loss_with(torch: Any):
    """The workload in PyTorch, as one writes it there (the same mean log-loss)."""
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def loss(X, y, w, b):  # noqa: N803
        return bce(X @ w + b, y)
    return loss


def hand_loss(X, y, w, b):  # noqa: N803
    """The loss, written separately (for the checks only): softplus(z) - y z."""
    z = X @ w + b
    return np.mean(np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z))) - y * z)


def make_inputs(seed: int = 0) -> tuple[Any, ...]:
    """X ~ N(0, 1); labels drawn from a logistic model so both classes occur and the
    loss is neither 0 nor saturated; w ~ N(0, 0.1^2), b = 0.1 (a Python float)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((SAMPLES, FEATURES))  # noqa: N806
    true_w = rng.standard_normal(FEATURES) / np.sqrt(FEATURES)
    y = (rng.uniform(size=SAMPLES) < 1 / (1 + np.exp(-(X @ true_w)))).astype(np.float64)
    w = 0.1 * rng.standard_normal(FEATURES)
    return X, y, w, 0.1 + seed


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-6
ARGS = "X, y, w, b"


def assert_grads(what: str, got: Any, want: tuple) -> None:
    harness.assert_grads(what, got, want, ("dw", "db"), RTOL)


def check(grad_fn: Any, args: tuple) -> None:
    """Check the forward loss, the baseline and the API's gradients."""
    want = hand_grad(*args)
    harness.assert_same("forward loss", logreg(*args), hand_loss(*args), RTOL)
    harness.check_directional("hand-written gradient", hand_loss, want, args, POSITIONS)
    assert_grads(f"grad_fn({ARGS})", grad_fn(*args), want)
    assert_grads(f"adc.grad(logreg, {POSITIONS})({ARGS})",
                 adc.grad(logreg, POSITIONS)(*args), want)
    other = make_inputs(seed=1)  # same shapes and dtypes, so the same compiled code
    assert_grads("grad_fn on other inputs", grad_fn(*other), hand_grad(*other))


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    grad_fn = adc.grad(logreg, POSITIONS)  # created once; compiled by its first call
    check(grad_fn, args)
    want = hand_grad(*args)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    suite = Suite(
        name="bench_logreg", cases=[], baseline="hand",
        namespace={"logreg": logreg, "hand_grad": hand_grad},
        notes=[f"X {SAMPLES}x{FEATURES}, float64, b a Python float"],
        extra={"shape": {"samples": SAMPLES, "features": FEATURES, "dtype": "float64"}},
        source=grad_fn.source(*args))
    suite.case("forward", f"(a) forward: logreg({ARGS})", f"logreg({ARGS})")
    suite.case("hand", "(b) hand-written NumPy gradient", f"hand_grad({ARGS})")
    generated = harness.add_generated_cases(suite, stack, logreg, grad_fn, args, ARGS,
                                            check_want, "import numpy as np\n\n\n")
    harness.add_standard_peers(suite, loss_with, torch_loss_with, args, POSITIONS, check_want)
    harness.add_memory_cases(suite, generated, grad_fn, args, hand_grad)
    return suite


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_logreg", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

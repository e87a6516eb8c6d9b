"""Benchmark the MindSpore tutorial's gradient: generated code vs hand-written NumPy.

Run from the repository root::

    python benchmarks/bench_tutorial.py                   # full run, ~5 s (~20 s with the peers)
    python benchmarks/bench_tutorial.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_tutorial.py --json benchmarks/results.json
    python benchmarks/bench_tutorial.py --source          # also print the generated code

Before timing anything it checks that the compiled gradient equals a hand-written
NumPy gradient (rtol 1e-5) and exits with status 1 if it does not. Then it times, in
one process and interleaved round-robin (each round takes one sample of every case,
starting at a different case each round), the cases that ``build`` below registers,
and reports the median time per call and its ratio to the hand-written gradient's
median. autograd, JAX and PyTorch are timed too where they are installed (never
required). The timing machinery is in harness.py; see benchmarks/README.md for what
each case measures.
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as adc
from autodiff_compiler import ops

# ---------------------------------------------------------------------------- the workload


def function(x, y, w, b):
    z = ops.matmul(x, w) + b
    loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), ops.ones_like(z))
    return loss


def hand_grad(x, y, w, b):
    """d loss / d (w, b) for mean BCE-with-logits, weight = pos_weight = 1, by hand.

    d loss / dz = (sigmoid(z) - y) / z.size; sigmoid(z) = exp(-logaddexp(0, -z)) never
    overflows (the form the package's own runtime uses, and the fastest overflow-free
    form measured here). z = x @ w + b with 1-D x, so dw = outer(x, dz) and db = dz.
    """
    z = x @ w + b
    dz = (np.exp(-np.logaddexp(0, -z)) - y) / z.size
    return np.outer(x, dz), dz


def loss_with(xp: Any):
    """The workload for a NumPy-like module (autograd.numpy, jax.numpy): mean
    BCE-with-logits with unit weights, as softplus(z) - y z."""
    def loss(x, y, w, b):
        z = x @ w + b
        return xp.mean(xp.logaddexp(0.0, z) - y * z)
    return loss


def torch_loss_with(torch: Any):
    """The workload in PyTorch: its own BCE-with-logits, unit weights."""
    bce = torch.nn.functional.binary_cross_entropy_with_logits

    def loss(x, y, w, b):
        return bce(x @ w + b, y)
    return loss


def hand_loss(x, y, w, b):
    """The forward loss by hand (for the correctness check only)."""
    z = x @ w + b
    return np.mean(np.logaddexp(0, z) - y * z)


def make_inputs() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    # float32, as in the tutorial; plain arrays, as the other inputs: ops.ones gives a
    # Tensor (an ndarray subclass), and every NumPy call on one goes through the
    # subclass's Python hooks, which would slow the hand-written gradient and the raw
    # generated function (the API's entry views Tensors as ndarrays before calling it)
    x = np.asarray(ops.ones(5))
    y = np.asarray(ops.zeros(3))
    w = rng.standard_normal((5, 3), dtype=np.float32)
    b = rng.standard_normal((3,), dtype=np.float32)
    return x, y, w, b


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-5
POSITIONS = (2, 3)
ARGS = "x, y, w, b"


def assert_grads(what: str, got: Any, want: tuple[np.ndarray, np.ndarray]) -> None:
    harness.assert_grads(what, got, want, ("dw", "db"), RTOL)


def check(grad_fn: Any, args: tuple[np.ndarray, ...]) -> None:
    """Check the forward loss and every timed gradient against the hand-written ones."""
    want = hand_grad(*args)
    harness.assert_same("forward loss", function(*args), hand_loss(*args), RTOL)
    assert_grads("grad_fn(x, y, w, b)", grad_fn(*args), want)
    assert_grads(f"adc.grad(function, {POSITIONS})(x, y, w, b)",
                 adc.grad(function, POSITIONS)(*args), want)
    # y = 0 multiplies half of the loss's derivative by zero; check a general y too
    # (same shapes and dtypes, so the same compiled code).
    rng = np.random.default_rng(1)
    other = (rng.standard_normal(5, dtype=np.float32), rng.uniform(size=3).astype(np.float32),
             *args[2:])
    assert_grads("grad_fn with random x and y in [0, 1]", grad_fn(*other), hand_grad(*other))


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    grad_fn = adc.grad(function, POSITIONS)  # created once; compiled by its first call
    check(grad_fn, args)
    want = hand_grad(*args)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    suite = Suite(
        name="bench_tutorial", cases=[], baseline="hand",
        namespace={"function": function, "hand_grad": hand_grad, "adc": adc},
        source=grad_fn.source(*args))
    suite.case("forward", "(a) forward: function(x, y, w, b)", "function(x, y, w, b)")
    suite.case("hand", "(b) hand-written NumPy gradient", "hand_grad(x, y, w, b)")
    # (d) is exactly what the wrapper runs: Compiled.run calls fn(*array leaves of the
    # args, *captured arrays), and this function captures no arrays. (f) gets a new
    # function object per sample (same source, own module file): the gradient cache
    # misses and ops.py's source is re-parsed, as on a first call.
    harness.add_generated_cases(suite, stack, function, grad_fn, args, ARGS, check_want,
                                "from autodiff_compiler import ops\n\n\n")
    # A GradFunction built on every call (its compiled code comes from the module cache).
    suite.cases.insert(3, harness.Case("fresh", "(c2) adc.grad(function, (2, 3))(...)",
                                       statement="adc.grad(function, (2, 3))(x, y, w, b)"))
    harness.add_standard_peers(suite, loss_with, torch_loss_with, args, POSITIONS, check_want)
    return suite


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_tutorial", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark the gradient of 20 scalar operations on Python floats: generated vs by hand.

Run from the repository root::

    python benchmarks/bench_scalar.py                   # full run, ~5 s (~20 s with the peers)
    python benchmarks/bench_scalar.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_scalar.py --json benchmarks/results_scalar.json
    python benchmarks/bench_scalar.py --source          # also print the generated code

The workload: a 20-operation expression (5 transcendental functions, 15 arithmetic
operations) in three Python floats, gradient with respect to all three. Everything
here is per-operation overhead: a NumPy ufunc on a Python float costs about 1 us, a
``math`` function or a float operator tens of ns. The compiler refuses ``math.sin``
and the like (no derivative rules), so the function is written with ``np.sin`` etc.
on floats; the hand-written gradient is written with ``math``, as an expert writes
scalar code. Before timing anything it checks the loss, the hand-written gradient
(against central differences) and every other gradient (against the hand-written one,
rtol 1e-6) and exits with status 1 on a mismatch. autograd, JAX and PyTorch are timed
too where they are installed (never required). See benchmarks/README.md.
"""
from __future__ import annotations

import contextlib
import math
import sys
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as adc

# ---------------------------------------------------------------------------- the workload

POSITIONS = (0, 1, 2)


# 20 operations: 3 on the first line, then 6, 5 and 6.
def scalar(x, y, z):
    a = x * y + np.sin(z)
    b = np.exp(-a * a) / (1.0 + y * y)
    c = np.log1p(x * x) + np.sqrt(z + 1.0)
    return a * b + np.tanh(c) * x - y / z


def hand_grad(x, y, z):
    """d f / d (x, y, z) with ``math``, as written by hand. With b = e^(-a^2) / q,
    q = 1 + y^2, t = tanh(c): df/da = b (1 - 2 a^2), df/dc = x (1 - t^2),
    db/dy = -2 y b / q, dc/dx = 2 x / (1 + x^2), dc/dz = 1 / (2 sqrt(z + 1))."""
    a = x * y + math.sin(z)
    q = 1.0 + y * y
    b = math.exp(-a * a) / q
    r = math.sqrt(z + 1.0)
    t = math.tanh(math.log1p(x * x) + r)
    fa = b * (1.0 - 2.0 * a * a)
    fc = x * (1.0 - t * t)
    return (fa * y + fc * 2.0 * x / (1.0 + x * x) + t,
            fa * x - 2.0 * a * b * y / q - 1.0 / z,
            fa * math.cos(z) + fc * 0.5 / r + y / (z * z))


def hand_grad_np(x, y, z):
    """``hand_grad`` with NumPy's ufuncs instead of ``math`` (what a ufunc on a Python
    float costs, for reading the generated code's time)."""
    a = x * y + np.sin(z)
    q = 1.0 + y * y
    b = np.exp(-a * a) / q
    r = np.sqrt(z + 1.0)
    t = np.tanh(np.log1p(x * x) + r)
    fa = b * (1.0 - 2.0 * a * a)
    fc = x * (1.0 - t * t)
    return (fa * y + fc * 2.0 * x / (1.0 + x * x) + t,
            fa * x - 2.0 * a * b * y / q - 1.0 / z,
            fa * np.cos(z) + fc * 0.5 / r + y / (z * z))


def loss_with(xp: Any):
    """The workload for a NumPy-like module (autograd.numpy, jax.numpy)."""
    def loss(x, y, z):
        a = x * y + xp.sin(z)
        b = xp.exp(-a * a) / (1.0 + y * y)
        c = xp.log1p(x * x) + xp.sqrt(z + 1.0)
        return a * b + xp.tanh(c) * x - y / z
    return loss


def torch_loss_with(torch: Any):
    """The workload in PyTorch, on 0-d float64 tensors."""
    return loss_with(torch)


def hand_loss(x, y, z):
    """The function with ``math`` (for the checks only)."""
    a = x * y + math.sin(z)
    b = math.exp(-a * a) / (1.0 + y * y)
    c = math.log1p(x * x) + math.sqrt(z + 1.0)
    return a * b + math.tanh(c) * x - y / z


def make_inputs(seed: int = 0) -> tuple[float, float, float]:
    """Three Python floats where every term matters (z > 0 for y / z and sqrt(z + 1))."""
    rng = np.random.default_rng(seed)
    return (float(rng.uniform(0.2, 1.0)), float(rng.uniform(0.2, 1.0)),
            float(rng.uniform(0.5, 1.5)))


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-6
ARGS = "x, y, z"


def assert_grads(what: str, got: Any, want: tuple) -> None:
    harness.assert_grads(what, got, want, ("dx", "dy", "dz"), RTOL)


def check(grad_fn: Any, args: tuple) -> None:
    """Check the function, the baseline and the API's gradients."""
    want = hand_grad(*args)
    harness.assert_same("function value", scalar(*args), hand_loss(*args), RTOL)
    harness.check_directional("hand-written gradient", hand_loss, want, args, POSITIONS)
    assert_grads("hand-written gradient with np ufuncs", hand_grad_np(*args), want)
    assert_grads(f"grad_fn({ARGS})", grad_fn(*args), want)
    assert_grads(f"adc.grad(scalar, {POSITIONS})({ARGS})",
                 adc.grad(scalar, POSITIONS)(*args), want)
    other = make_inputs(seed=1)  # Python floats again, so the same compiled code
    assert_grads("grad_fn on other inputs", grad_fn(*other), hand_grad(*other))


# ---------------------------------------------------------------------------- cases


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    args = make_inputs()
    grad_fn = adc.grad(scalar, POSITIONS)  # created once; compiled by its first call
    check(grad_fn, args)
    want = hand_grad(*args)

    def check_want(what: str, out: Any) -> None:
        assert_grads(what, out, want)

    suite = Suite(
        name="bench_scalar", cases=[], baseline="hand",
        namespace={"scalar": scalar, "hand_grad": hand_grad, "hand_grad_np": hand_grad_np},
        notes=["three Python floats, 20 operations"],
        extra={"shape": {"arguments": "three Python floats", "operations": 20}},
        source=grad_fn.source(*args))
    suite.case("forward", f"(a) forward: scalar({ARGS})", f"scalar({ARGS})")
    suite.case("hand", "(b) hand-written gradient, math.*", f"hand_grad({ARGS})")
    suite.case("hand_np", "(b2) the same with np.* ufuncs", f"hand_grad_np({ARGS})")
    harness.add_generated_cases(suite, stack, scalar, grad_fn, args, ARGS, check_want,
                                "import numpy as np\n\n\n")
    harness.add_standard_peers(suite, loss_with, torch_loss_with, args, POSITIONS, check_want)
    return suite


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_scalar", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark loop checkpointing: a 10,000-step RNN's gradient, full tape vs √T segments.

Run from the repository root::

    python benchmarks/bench_checkpoint.py            # full run, about a minute
    python benchmarks/bench_checkpoint.py --quick    # seconds-long smoke run (CI)
    python benchmarks/bench_checkpoint.py --json benchmarks/results_checkpoint.json

The workload: T = 10,000 steps, batch 8, input size 16, hidden size 128, float64,
``h = tanh(h @ W + x[t] @ U)`` from ``h = 0``, loss ``sum(h ** 2)`` of the last state,
gradients with respect to W and U (``--quick``: T = 400). Three gradients of it:

- (b) full tape: ``for t in range(T)``, today's default (the tape holds every
  iteration's hidden state: T states);
- (c) ``for t in checkpointed(range(T))``: k = ⌈√T⌉ = 100 iterations per segment; the
  forward pass keeps 100 snapshots of ``h`` and each segment is recomputed with a tape
  of its 100 states in the backward pass;
- (d) ``checkpointed(range(T), snapshots=10)``: 10 snapshots, segments of 1,000;
- (e) ``checkpointed(range(T), levels=2)``: 22 segments of 465, each recomputed in
  the backward pass as 22 segments of 22 (about 66 states alive; each step runs 3
  times).

Before timing it checks (b) against central differences along a random direction and
(c), (d), (e) against (b) (rtol 1e-10), exiting with status 1 on a mismatch. Peak memory is
measured twice: with ``tracemalloc`` for one call in this process (what NumPy
allocates: tapes, temporaries, results), and as the resident-set high-water mark of a
fresh interpreter per configuration that makes one gradient call (``VmHWM`` of
/proc/self/status, reset after compiling where the kernel allows, else the process's
whole high-water mark), printed after the timing table.
"""
from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as adc

STEPS, QUICK_STEPS, BATCH, INPUTS, HIDDEN = 10_000, 400, 8, 16, 128
POSITIONS = (1, 2)
RTOL = 1e-10


def rnn(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def rnn_sqrt(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in adc.checkpointed(range(xs.shape[0])):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def rnn_10(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in adc.checkpointed(range(xs.shape[0]), snapshots=10):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def rnn_levels2(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in adc.checkpointed(range(xs.shape[0]), levels=2):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


CONFIGS = {"full": rnn, "sqrt": rnn_sqrt, "snapshots10": rnn_10, "levels2": rnn_levels2}
_RSS: list[dict[str, Any]] = []  # measured by build, printed after the timing table


def make_inputs(steps: int, seed: int = 0) -> tuple[np.ndarray, ...]:
    """W ~ N(0, 1/H), U ~ N(0, 1/I): tanh neither saturated nor linear."""
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((steps, BATCH, INPUTS))
    w = rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN)
    u = rng.standard_normal((INPUTS, HIDDEN)) / np.sqrt(INPUTS)
    return xs, w, u


def check(grads: dict[str, Any], args: tuple) -> None:
    """(b) against central differences; every checkpointed gradient against (b)."""
    xs, w, u = args
    dw, du = grads["full"](*args)
    rng = np.random.default_rng(3)
    vw, vu = rng.standard_normal(w.shape), rng.standard_normal(u.shape)
    eps = 1e-6
    numeric = (rnn(xs, w + eps * vw, u + eps * vu) - rnn(xs, w - eps * vw, u - eps * vu)) \
        / (2 * eps)
    analytic = np.sum(dw * vw) + np.sum(du * vu)
    if not np.isclose(analytic, numeric, rtol=1e-5):
        raise harness.BenchmarkError(f"full tape: derivative along a random direction is "
                                     f"{analytic!r}, central differences give {numeric!r}")
    for name in ("sqrt", "snapshots10", "levels2"):
        harness.assert_grads(name, grads[name](*args), (dw, du), ("dW", "dU"), RTOL)


def rss_of(name: str, steps: int) -> dict[str, Any]:
    """In this (fresh) process: compile one configuration, reset the high-water mark
    where the kernel allows, make one gradient call; bytes and how it was measured."""
    args = make_inputs(steps)
    grad_fn = adc.grad(CONFIGS[name], POSITIONS)
    grad_fn.source(*args)  # compiled, not run
    reset = True
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        reset = False
    before = _status("VmRSS")
    grad_fn(*args)
    return {"config": name, "hwm_bytes": _status("VmHWM"), "rss_before_bytes": before,
            "reset": reset}


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def measure_rss(steps: int) -> list[dict[str, Any]]:
    out = []
    for name in CONFIGS:
        result = subprocess.run([sys.executable, __file__, "--rss-of", name, str(steps)],
                                capture_output=True, text=True, timeout=600)
        if result.returncode != 0:
            raise harness.BenchmarkError(f"RSS of {name}: {result.stderr.strip()[-500:]}")
        out.append(json.loads(result.stdout))
    return out


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    steps = QUICK_STEPS if quick else STEPS
    args = make_inputs(steps)
    grads = {name: adc.grad(fn, POSITIONS) for name, fn in CONFIGS.items()}
    check(grads, args)
    rss = _RSS[:] = measure_rss(steps)
    k = int(np.ceil(np.sqrt(steps)))
    suite = Suite(
        name="bench_checkpoint", cases=[], baseline="full",
        namespace={"rnn": rnn, "args": args, **{f"grad_{n}": g for n, g in grads.items()}},
        notes=[f"T={steps}, batch={BATCH}, input={INPUTS}, hidden={HIDDEN}, float64"],
        extra={"shape": {"steps": steps, "batch": BATCH, "inputs": INPUTS, "hidden": HIDDEN,
                         "dtype": "float64"}, "rss": rss},
        source=grads["sqrt"].source(*args))
    suite.case("forward", "(a) forward: rnn(xs, w, u)", "rnn(*args)")
    suite.case("full", "(b) gradient, full tape", "grad_full(*args)")
    suite.case("sqrt", f"(c) checkpointed: {k} segments of {k}", "grad_sqrt(*args)")
    suite.case("snapshots10", "(d) checkpointed: snapshots=10", "grad_snapshots10(*args)")
    suite.case("levels2", "(e) checkpointed: levels=2", "grad_levels2(*args)")
    suite.memory = [harness.MemoryCase(n, label, lambda g=grads[n]: g(*args)) for n, label in (
        ("full", "(b) full tape"), ("sqrt", f"(c) {k} snapshots"),
        ("snapshots10", "(d) 10 snapshots"), ("levels2", "(e) levels=2"))]
    return suite


def rss_table(rss: list[dict[str, Any]]) -> str:
    base = max(rss[0]["hwm_bytes"] - rss[0]["rss_before_bytes"], 1)
    lines = ["", f"{'RSS high-water of one call (own process)':<40} {'above start':>12} "
                 f"{'whole':>10} {'vs full':>8}"]
    for r in rss:
        grew = max(r["hwm_bytes"] - r["rss_before_bytes"], 0)
        lines.append(f"{r['config']:<40} {harness.fmt_bytes(grew):>12} "
                     f"{harness.fmt_bytes(r['hwm_bytes']):>10} {grew / base:>7.2f}x")
    if not all(r["reset"] for r in rss):
        lines.append("(the kernel refused to reset the high-water mark: 'above start' "
                     "includes compiling)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--rss-of"]:  # one configuration, in its own interpreter
        print(json.dumps(rss_of(argv[1], int(argv[2]))))
        return 0
    status = harness.main("bench_checkpoint", __doc__, build, argv)
    if _RSS:
        print(rss_table(_RSS))
    return status


if __name__ == "__main__":
    sys.exit(main())

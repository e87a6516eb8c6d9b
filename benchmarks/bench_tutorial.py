"""Benchmark the MindSpore tutorial's gradient: generated code vs hand-written NumPy.

Run from the repository root::

    python benchmarks/bench_tutorial.py                   # full run, about five seconds
    python benchmarks/bench_tutorial.py --quick           # seconds-long smoke run (CI)
    python benchmarks/bench_tutorial.py --json benchmarks/results.json
    python benchmarks/bench_tutorial.py --source          # also print the generated code

Before timing anything it checks that the compiled gradient equals a hand-written
NumPy gradient (rtol 1e-5) and exits with status 1 if it does not. Then it times, in
one process and interleaved round-robin (each round takes one sample of every case,
starting at a different case each round), the cases in ``CASES`` below, and reports
the median time per call and its ratio to the hand-written gradient's median.
See benchmarks/README.md for what each case measures.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import inspect
import json
import os
import platform
import statistics
import sys
import tempfile
import textwrap
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

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


def hand_loss(x, y, w, b):
    """The forward loss by hand (for the correctness check only)."""
    z = x @ w + b
    return np.mean(np.logaddexp(0, z) - y * z)


def make_inputs() -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(0)
    x = ops.ones(5)  # float32, as in the tutorial
    y = ops.zeros(3)
    w = rng.standard_normal((5, 3), dtype=np.float32)
    b = rng.standard_normal((3,), dtype=np.float32)
    return x, y, w, b


# ---------------------------------------------------------------------------- correctness

RTOL = 1e-5


class BenchmarkError(SystemExit):
    """A failed check: printed to stderr, exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bench_tutorial: FAILED: {message}")


def assert_same(what: str, got: Any, want: Any) -> None:
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        raise BenchmarkError(f"{what}: got shape {got.shape} dtype {got.dtype}, "
                             f"expected shape {want.shape} dtype {want.dtype}")
    try:
        np.testing.assert_allclose(got, want, rtol=RTOL)
    except AssertionError as err:
        raise BenchmarkError(f"{what} differs from the hand-written value:\n{err}") from None


def assert_grads(what: str, got: Any, want: tuple[np.ndarray, np.ndarray]) -> None:
    if not isinstance(got, tuple) or len(got) != 2:
        raise BenchmarkError(f"{what}: expected a tuple (dw, db), got {type(got).__name__} "
                             f"of length {len(got) if isinstance(got, tuple) else '?'}")
    assert_same(f"{what}: dw", got[0], want[0])
    assert_same(f"{what}: db", got[1], want[1])


def check(grad_fn: Any, args: tuple[np.ndarray, ...]) -> tuple[Callable | None, str]:
    """Check every timed variant against the hand-written gradient; return the raw
    generated function (or None) and a note on how it was reached."""
    want = hand_grad(*args)
    assert_same("forward loss", function(*args), hand_loss(*args))
    assert_grads("grad_fn(x, y, w, b)", grad_fn(*args), want)
    assert_grads("adc.grad(function, (2, 3))(x, y, w, b)",
                 adc.grad(function, (2, 3))(*args), want)
    # y = 0 multiplies half of the loss's derivative by zero; check a general y too
    # (same shapes and dtypes, so the same compiled code).
    rng = np.random.default_rng(1)
    other = (rng.standard_normal(5, dtype=np.float32), rng.uniform(size=3).astype(np.float32),
             *args[2:])
    assert_grads("grad_fn with random x and y in [0, 1]", grad_fn(*other), hand_grad(*other))
    return raw_function(grad_fn, args)


def raw_function(grad_fn: Any, args: tuple) -> tuple[Callable | None, str]:
    """The generated function itself, called with the flat inputs ``x, y, w, b``.

    ``Compiled.run`` calls ``fn(*array_leaves_of_args, *captured_arrays)``; this function
    captures no arrays, so ``fn(x, y, w, b)`` is exactly what the wrapper runs.
    """
    try:
        compiled = grad_fn.compiled_for(args)
        raw = compiled.fn
    except AttributeError as err:
        return None, f"not reachable ({err})"
    if getattr(compiled, "capture_objects", ()):
        return None, "not timed: the generated function takes captured arrays as extra inputs"
    try:
        out = raw(*args)
    except TypeError as err:
        return None, f"not timed: calling it with (x, y, w, b) failed ({err})"
    assert_grads("generated function called directly", tuple(out), hand_grad(*args))
    return raw, "grad_fn.compiled_for((x, y, w, b)).fn"


# ---------------------------------------------------------------------------- timing

# name, label, statement (timed with timeit, so no closure call is added per iteration)
CASES = [
    ("forward", "(a) forward: function(x, y, w, b)", "function(x, y, w, b)"),
    ("hand", "(b) hand-written NumPy gradient", "hand_grad(x, y, w, b)"),
    ("cached", "(c) cached grad_fn(x, y, w, b)", "grad_fn(x, y, w, b)"),
    ("fresh", "(d) adc.grad(function, (2, 3))(...)",
     "adc.grad(function, (2, 3))(x, y, w, b)"),
    ("raw", "(e) generated function, no wrapper", "raw(x, y, w, b)"),
]
COMPILE = ("compile", "(f) first call: compile + run", None)


def calibrate(timer: timeit.Timer, target_ns: int) -> int:
    """Loops per sample so that one sample takes about ``target_ns`` (1, 2, 5, 10, ...)."""
    loops = 1
    while True:
        for factor in (1, 2, 5):
            n = loops * factor
            if timer.timeit(n) >= target_ns:
                return n
        loops *= 10


class FreshFunctions:
    """A new ``function`` object per compile sample: the same source, written to its own
    module file in a temporary directory and imported, so neither the gradient cache
    (keyed on the code object and globals) nor the parse cache has seen it."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.source = "from autodiff_compiler import ops\n\n\n" + \
            textwrap.dedent(inspect.getsource(function))
        self.count = 0
        self.parse_cache_cleared = False

    def new(self) -> Callable:
        self.count += 1
        name = f"bench_tutorial_fresh_{self.count}"
        path = self.directory / f"{name}.py"
        path.write_text(self.source)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module.function


def clear_parse_cache() -> bool:
    """Forget parsed source (including ops.py's), as in a fresh process."""
    try:
        from autodiff_compiler import source
        source._parse_code.cache_clear()
    except (ImportError, AttributeError):
        return False
    return True


def time_compile(fresh: FreshFunctions, args: tuple, want: tuple) -> int:
    fn = fresh.new()  # not timed: writing and importing the module
    fresh.parse_cache_cleared = clear_parse_cache()
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()  # as timeit does for the other cases
    try:
        t0 = time.perf_counter_ns()
        grads = adc.grad(fn, (2, 3))(*args)
        elapsed = time.perf_counter_ns() - t0
    finally:
        if was_enabled:
            gc.enable()
    assert_grads("freshly compiled gradient", grads, want)
    return elapsed


def summarize(samples: list[float]) -> dict[str, float]:
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return {"median_ns": statistics.median(samples), "p25_ns": q1, "p75_ns": q3,
            "min_ns": min(samples), "max_ns": max(samples)}


def run(samples: int, target_ns: int, quick: bool) -> dict[str, Any]:
    args = make_inputs()
    x, y, w, b = args
    grad_fn = adc.grad(function, (2, 3))  # created once; compiled by its first call
    raw, raw_note = check(grad_fn, args)
    want = hand_grad(*args)
    namespace = {"function": function, "hand_grad": hand_grad, "grad_fn": grad_fn,
                 "adc": adc, "raw": raw, "x": x, "y": y, "w": w, "b": b}
    cases = [c for c in CASES if c[0] != "raw" or raw is not None]
    timers = {name: timeit.Timer(stmt, timer=time.perf_counter_ns, globals=namespace)
              for name, _, stmt in cases}
    loops = {name: calibrate(t, target_ns) for name, t in timers.items()}  # also warms up
    per_call: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    per_call[COMPILE[0]] = []
    order = [name for name, _, _ in cases] + [COMPILE[0]]
    with tempfile.TemporaryDirectory(prefix="bench_tutorial_") as tmp:
        fresh = FreshFunctions(tmp)
        time_compile(fresh, args, want)  # warm-up: first compile also imports lazily
        for r in range(samples):
            for name in order[r % len(order):] + order[:r % len(order)]:
                if name == COMPILE[0]:
                    per_call[name].append(time_compile(fresh, args, want))
                else:
                    per_call[name].append(timers[name].timeit(loops[name]) / loops[name])
            gc.collect()
        parse_cache_cleared = fresh.parse_cache_cleared
    hand_median = statistics.median(per_call["hand"])
    labels = {name: label for name, label, _ in [*cases, COMPILE]}
    stmts = {name: stmt for name, _, stmt in cases}
    results = []
    for name in order:
        stats = summarize(per_call[name])
        results.append({
            "case": name, "label": labels[name], "statement": stmts.get(name),
            "loops_per_sample": loops.get(name, 1), **stats,
            "ratio_to_hand": stats["median_ns"] / hand_median,
            "samples_ns": per_call[name],
        })
    return {
        "benchmark": "bench_tutorial",
        "quick": quick,
        "samples": samples,
        "target_sample_ms": target_ns / 1e6,
        "raw_function": raw_note,
        "parse_cache_cleared": parse_cache_cleared,
        "machine": machine(),
        "results": results,
        "generated_source": grad_fn.source(*args),
    }


# ---------------------------------------------------------------------------- reporting


def machine() -> dict[str, Any]:
    try:
        nproc = len(os.sched_getaffinity(0))  # what `nproc` prints
    except AttributeError:
        nproc = os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"nproc": nproc, "cpu": cpu, "python": platform.python_version(),
            "python_implementation": platform.python_implementation(),
            "numpy": np.__version__, "autodiff_compiler": getattr(adc, "__version__", "?"),
            "platform": platform.platform()}


def fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        f"machine: nproc={m['nproc']}, CPU {m['cpu']}, {m['python_implementation']} "
        f"{m['python']}, NumPy {m['numpy']}",
        f"{report['samples']} interleaved samples per case, ~{report['target_sample_ms']:g} ms "
        f"each (compile: one first call per sample); raw function: {report['raw_function']}",
        "",
        f"{'case':<40} {'median':>10} {'p25 .. p75':>21} {'vs hand':>9}",
    ]
    for r in report["results"]:
        spread = f"{fmt_ns(r['p25_ns'])} .. {fmt_ns(r['p75_ns'])}"
        lines.append(f"{r['label']:<40} {fmt_ns(r['median_ns']):>10} {spread:>21} "
                     f"{r['ratio_to_hand']:>8.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="seconds-long smoke run: few short samples, same checks")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--samples", type=int, help="samples per case (default 25; quick 5)")
    parser.add_argument("--target-ms", type=float,
                        help="time per sample in ms (default 20; quick 2)")
    parser.add_argument("--source", action="store_true", help="print the generated code")
    opts = parser.parse_args(argv)
    samples = opts.samples or (5 if opts.quick else 25)
    target_ms = opts.target_ms or (2.0 if opts.quick else 20.0)
    if samples < 2:
        parser.error("--samples must be at least 2")
    report = run(samples, int(target_ms * 1e6), opts.quick)
    if opts.source:
        print(report["generated_source"])
    print(table(report))
    if opts.json:
        Path(opts.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {opts.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

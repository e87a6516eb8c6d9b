"""Timing machinery shared by the ``bench_*.py`` workloads.

A workload file defines a ``build(stack, quick)`` function that checks its gradients
(raising :class:`BenchmarkError` on a mismatch) and returns a :class:`Suite`: the cases
to time, the namespace their statements run in, the baseline case the ratios are taken
to, and optional peak-memory cases. Its ``main`` is then ``harness.main(NAME, __doc__,
build)``, which gives it the common flags::

    --quick            seconds-long smoke run: 5 samples of ~2 ms, the same checks
    --json PATH        also write the results (every sample, machine facts) as JSON
    --samples N        samples per case (default 25; quick 5)
    --target-ms T      length of one sample in ms (default 20; quick 2)
    --source           also print the generated code

How it times (as ``timeit`` does, see benchmarks/README.md):

- A statement case is a ``timeit.Timer`` over ``time.perf_counter_ns`` with the call
  inlined, so no extra closure call is timed; ``timeit`` turns garbage collection off
  during a sample.
- Before sampling, each statement case gets the loops per sample (1, 2, 5, 10, ...) that
  make one sample last at least the target; this also warms it up. A *sample* case
  (a callable returning the nanoseconds of one call, used for first-call compile time)
  runs once as a warm-up instead.
- All cases are sampled in one process, interleaved round-robin: each round takes one
  sample of every case and starts at a different case; ``gc.collect()`` runs between
  rounds.
- The report gives, per case, the median time per call, p25, p75, min, max and the
  median divided by the baseline's median.

Nothing is timed before ``build`` has returned, so a failed check exits with status 1
(``--quick`` included) before any timing.
"""
from __future__ import annotations

import argparse
import contextlib
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
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

# ---------------------------------------------------------------------------- suites


@dataclass
class Case:
    """One timed case: either ``statement`` (run by ``timeit`` in the suite's namespace,
    calibrated loops per sample) or ``sample`` (a callable that performs one call and
    returns its duration in ns; one call per sample, e.g. a first call that compiles)."""

    name: str
    label: str
    statement: str | None = None
    sample: Callable[[], int] | None = None

    def __post_init__(self) -> None:
        if (self.statement is None) == (self.sample is None):
            raise ValueError(f"case {self.name!r}: give exactly one of statement and sample")


@dataclass
class MemoryCase:
    """Peak memory of one call of ``call()``, measured with ``tracemalloc``."""

    name: str
    label: str
    call: Callable[[], Any]


@dataclass
class Suite:
    name: str                                  # e.g. "bench_tutorial" (JSON "benchmark")
    cases: list[Case]
    namespace: dict[str, Any]                  # globals for the statements
    baseline: str = "hand"                     # ratios are to this case's median
    notes: list[str] = field(default_factory=list)       # appended to the settings line
    memory: list[MemoryCase] = field(default_factory=list)
    source: str | None = None                  # the generated code, for --source and JSON
    extra: dict[str, Any] = field(default_factory=dict)  # more JSON fields

    def case(self, name: str, label: str, statement: str) -> None:
        self.cases.append(Case(name, label, statement=statement))


# ---------------------------------------------------------------------------- checks


class BenchmarkError(SystemExit):
    """A failed check: printed to stderr, exit status 1."""

    prefix = "bench"

    def __init__(self, message: str) -> None:
        super().__init__(f"{BenchmarkError.prefix}: FAILED: {message}")


def assert_same(what: str, got: Any, want: Any, rtol: float, atol: float = 0.0) -> None:
    """Same shape, dtype and (``assert_allclose``) value, or a BenchmarkError."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape or got.dtype != want.dtype:
        raise BenchmarkError(f"{what}: got shape {got.shape} dtype {got.dtype}, "
                             f"expected shape {want.shape} dtype {want.dtype}")
    try:
        np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)
    except AssertionError as err:
        raise BenchmarkError(f"{what} differs from the hand-written value:\n{err}") from None


def assert_grads(what: str, got: Any, want: tuple, names: tuple[str, ...], rtol: float) -> None:
    """``got`` is a tuple like ``want`` whose entries match (named ``names``)."""
    if not isinstance(got, tuple) or len(got) != len(want):
        raise BenchmarkError(
            f"{what}: expected a tuple ({', '.join(names)}), got {type(got).__name__} "
            f"of length {len(got) if isinstance(got, tuple) else '?'}")
    for name, g, w in zip(names, got, want):
        assert_same(f"{what}: {name}", g, w, rtol)


def raw_function(grad_fn: Any, args: tuple, arg_names: str,
                 check: Callable[[str, Any], None]) -> tuple[Callable | None, str]:
    """The generated function itself (``grad_fn.compiled_for(args).fn``), or None, and a
    note on how it was reached; ``check(what, tuple_of_outputs)`` checks its result.

    ``Compiled.run`` calls ``fn(*array_leaves_of_args, *captured_arrays)``; when nothing
    is captured and the args are plain arrays, ``fn(*args)`` is exactly what the wrapper
    runs.
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
        return None, f"not timed: calling it with ({arg_names}) failed ({err})"
    check("generated function called directly", tuple(out))
    return raw, f"grad_fn.compiled_for(({arg_names})).fn"


# ---------------------------------------------------------------------------- compile time


class FreshFunctions:
    """A new object per call of :meth:`new` for the module-level function ``function``:
    the same source, written to its own module file in a temporary directory and
    imported, so neither the gradient cache (keyed on the code object and globals) nor
    the parse cache has seen it. Writing and importing are for the caller not to time."""

    def __init__(self, stack: contextlib.ExitStack, function: Callable, preamble: str,
                 prefix: str) -> None:
        self.directory = Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix=f"{prefix}_")))
        self.source = preamble + textwrap.dedent(inspect.getsource(function))
        self.attr = function.__name__
        self.prefix = prefix
        self.count = 0

    def new(self) -> Callable:
        self.count += 1
        name = f"{self.prefix}_fresh_{self.count}"
        path = self.directory / f"{name}.py"
        path.write_text(self.source)
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return getattr(module, self.attr)


def clear_parse_cache() -> bool:
    """Forget parsed source (including ops.py's), as in a fresh process."""
    try:
        from autodiff_compiler import source
        source._parse_code.cache_clear()
    except (ImportError, AttributeError):
        return False
    return True


def first_call_case(name: str, label: str, fresh: FreshFunctions,
                    call: Callable[[Callable], Any], check: Callable[[Any], None]) -> Case:
    """A sample case timing ``call(f)`` on a new function ``f`` from ``fresh`` with the
    parse cache cleared (a first call in a warm process); ``check`` is not timed."""

    def sample() -> int:
        fn = fresh.new()  # not timed: writing and importing the module
        clear_parse_cache()
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()  # as timeit does for the other cases
        try:
            t0 = time.perf_counter_ns()
            result = call(fn)
            elapsed = time.perf_counter_ns() - t0
        finally:
            if was_enabled:
                gc.enable()
        check(result)
        return elapsed

    return Case(name, label, sample=sample)


# ---------------------------------------------------------------------------- memory


def peak_memory(call: Callable[[], Any], repeat: int = 3) -> int:
    """Peak bytes allocated during one ``call()`` above what was allocated before it (the
    smallest of ``repeat`` measurements), as ``tracemalloc`` sees it. NumPy reports its
    array buffers to ``tracemalloc``, so this counts temporaries, tapes and results."""
    call()  # warm-up: caches, lazy imports
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    best = None
    try:
        for _ in range(repeat):
            gc.collect()
            tracemalloc.reset_peak()
            before = tracemalloc.get_traced_memory()[0]
            result = call()
            peak = tracemalloc.get_traced_memory()[1] - before
            del result
            best = peak if best is None else min(best, peak)
    finally:
        if not was_tracing:
            tracemalloc.stop()
    return best


# ---------------------------------------------------------------------------- timing


def calibrate(timer: timeit.Timer, target_ns: int) -> int:
    """Loops per sample so that one sample takes about ``target_ns`` (1, 2, 5, 10, ...)."""
    loops = 1
    while True:
        for factor in (1, 2, 5):
            n = loops * factor
            if timer.timeit(n) >= target_ns:
                return n
        loops *= 10


def summarize(samples: list[float]) -> dict[str, float]:
    q1, _, q3 = statistics.quantiles(samples, n=4, method="inclusive")
    return {"median_ns": statistics.median(samples), "p25_ns": q1, "p75_ns": q3,
            "min_ns": min(samples), "max_ns": max(samples)}


def sample_all(suite: Suite, samples: int, target_ns: int) -> tuple[dict, dict]:
    """Per-call times (ns) of every case, interleaved round-robin; and loops per sample."""
    timers = {c.name: timeit.Timer(c.statement, timer=time.perf_counter_ns,
                                   globals=suite.namespace)
              for c in suite.cases if c.statement is not None}
    loops = {name: calibrate(t, target_ns) for name, t in timers.items()}  # also warms up
    for c in suite.cases:
        if c.sample is not None:
            c.sample()  # warm-up: the first compile also imports lazily
            loops[c.name] = 1
    per_call: dict[str, list[float]] = {c.name: [] for c in suite.cases}
    order = suite.cases
    for r in range(samples):
        for c in order[r % len(order):] + order[:r % len(order)]:
            if c.sample is not None:
                per_call[c.name].append(c.sample())
            else:
                per_call[c.name].append(timers[c.name].timeit(loops[c.name]) / loops[c.name])
        gc.collect()
    return per_call, loops


def run(suite: Suite, samples: int, target_ns: int, quick: bool) -> dict[str, Any]:
    """Time ``suite`` (and measure its memory cases); the report as a JSON-able dict."""
    names = [c.name for c in suite.cases]
    if suite.baseline not in names:
        raise ValueError(f"baseline {suite.baseline!r} is not among the cases {names}")
    per_call, loops = sample_all(suite, samples, target_ns)
    base = statistics.median(per_call[suite.baseline])
    ratio_key = f"ratio_to_{suite.baseline}"
    results = []
    for c in suite.cases:
        stats = summarize(per_call[c.name])
        results.append({
            "case": c.name, "label": c.label, "statement": c.statement,
            "loops_per_sample": loops[c.name], **stats,
            ratio_key: stats["median_ns"] / base,
            "samples_ns": per_call[c.name],
        })
    report: dict[str, Any] = {
        "benchmark": suite.name,
        "quick": quick,
        "samples": samples,
        "target_sample_ms": target_ns / 1e6,
        "baseline": suite.baseline,
        "notes": suite.notes,
        **suite.extra,
        "machine": machine(),
        "results": results,
    }
    if suite.memory:
        peaks = {m.name: peak_memory(m.call) for m in suite.memory}
        base_mem = peaks.get(suite.baseline)
        report["memory"] = [
            {"case": m.name, "label": m.label, "peak_bytes": peaks[m.name],
             ratio_key: peaks[m.name] / base_mem if base_mem else None}
            for m in suite.memory]
    if suite.source is not None:
        report["generated_source"] = suite.source
    return report


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
    try:
        import autodiff_compiler
        version = getattr(autodiff_compiler, "__version__", "?")
    except ImportError:
        version = None
    return {"nproc": nproc, "cpu": cpu, "python": platform.python_version(),
            "python_implementation": platform.python_implementation(),
            "numpy": np.__version__, "autodiff_compiler": version,
            "blas": blas(), "blas_threads_env": {
                k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                           "MKL_NUM_THREADS") if k in os.environ},
            "platform": platform.platform()}


def blas() -> str | None:
    """The BLAS NumPy calls for ``@`` (matters for matmul-bound workloads)."""
    try:
        config = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        return f"{info.get('name')} {info.get('version', '')}".strip()
    except Exception:  # older NumPy, or a layout this does not know
        return None


def fmt_ns(ns: float) -> str:
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def fmt_bytes(n: float) -> str:
    if n >= 1 << 20:
        return f"{n / (1 << 20):.2f} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):.1f} KiB"
    return f"{n:.0f} B"


def table(report: dict[str, Any]) -> str:
    m = report["machine"]
    settings = (f"{report['samples']} interleaved samples per case, "
                f"~{report['target_sample_ms']:g} ms each")
    if any(r["statement"] is None for r in report["results"]):
        settings += " (compile: one first call per sample)"
    settings = "; ".join([settings, *report["notes"]])
    base = report["baseline"]
    ratio_key = f"ratio_to_{base}"
    lines = [
        f"machine: nproc={m['nproc']}, CPU {m['cpu']}, {m['python_implementation']} "
        f"{m['python']}, NumPy {m['numpy']}",
        settings,
        "",
        f"{'case':<40} {'median':>10} {'p25 .. p75':>21} {'vs ' + base:>9}",
    ]
    for r in report["results"]:
        spread = f"{fmt_ns(r['p25_ns'])} .. {fmt_ns(r['p75_ns'])}"
        lines.append(f"{r['label']:<40} {fmt_ns(r['median_ns']):>10} {spread:>21} "
                     f"{r[ratio_key]:>8.2f}x")
    if report.get("memory"):
        lines += ["", f"{'peak memory of one call (tracemalloc)':<40} {'peak':>10} "
                      f"{'vs ' + base:>9}"]
        for r in report["memory"]:
            ratio = "" if r[ratio_key] is None else f"{r[ratio_key]:.2f}x"
            lines.append(f"{r['label']:<40} {fmt_bytes(r['peak_bytes']):>10} {ratio:>9}")
    return "\n".join(lines)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true",
                   help="seconds-long smoke run: few short samples, same checks")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--samples", type=int, help="samples per case (default 25; quick 5)")
    p.add_argument("--target-ms", type=float,
                   help="time per sample in ms (default 20; quick 2)")
    p.add_argument("--source", action="store_true", help="print the generated code")
    return p


def main(name: str, doc: str | None,
         build: Callable[[contextlib.ExitStack, bool], Suite],
         argv: list[str] | None = None) -> int:
    """Parse the common flags, build (and so check) the suite, time it, print the table,
    and write the JSON if asked."""
    p = parser((doc or name).split("\n\n")[0])
    opts = p.parse_args(argv)
    samples = opts.samples or (5 if opts.quick else 25)
    target_ms = opts.target_ms or (2.0 if opts.quick else 20.0)
    if samples < 2:
        p.error("--samples must be at least 2")
    BenchmarkError.prefix = name
    with contextlib.ExitStack() as stack:
        suite = build(stack, opts.quick)  # runs the correctness checks
        report = run(suite, samples, int(target_ms * 1e6), opts.quick)
    if opts.source and report.get("generated_source"):
        print(report["generated_source"])
    print(table(report))
    if opts.json:
        Path(opts.json).write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {opts.json}")
    sys.stdout.flush()
    return 0

"""Run every benchmarks/bench_*.py in turn and print all their tables.

Run from the repository root::

    python benchmarks/run_all.py                       # every benchmark, full runs
    python benchmarks/run_all.py --quick               # smoke run of every benchmark
    python benchmarks/run_all.py --json benchmarks/results_all.json
    python benchmarks/run_all.py rnn                   # only bench_rnn.py
    python benchmarks/run_all.py --wait-idle 600       # on a shared machine

Each benchmark runs in its own fresh interpreter (``sys.executable``), one after the
other, so that one workload's compiled-gradient and parse caches, allocations and
imports do not colour another's first-call and memory figures. ``--quick``,
``--samples``, ``--target-ms``, ``--source`` and ``--no-peers`` are passed on to each;
``--json`` writes one file holding every benchmark's report (``{"benchmarks": [...]}``).
The exit status is 1 if any benchmark failed its checks (the others still run).
``--wait-idle SECONDS`` waits before each benchmark until other processes leave the CPUs
idle (at most 10 % busy over two seconds), or until SECONDS have passed.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Scripts that start dask clusters of their own and report in their own form: run alone.
STANDALONE = frozenset(["bench_dask.py"])


def discover(names: list[str]) -> list[Path]:
    """bench_*.py in this directory but ``STANDALONE``, sorted; only those whose name
    contains one of ``names`` if any are given."""
    scripts = sorted(s for s in HERE.glob("bench_*.py") if s.name not in STANDALONE)
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    return scripts


def cpu_busy(interval: float = 2.0) -> float | None:
    """The fraction of all CPUs' time that was busy over ``interval`` seconds, from
    /proc/stat (None where there is none)."""
    def read() -> tuple[int, int]:
        with open("/proc/stat") as f:
            ticks = [int(v) for v in f.readline().split()[1:]]
        return sum(ticks), ticks[3] + ticks[4]  # all, idle + iowait

    try:
        total0, idle0 = read()
        time.sleep(interval)
        total1, idle1 = read()
    except (OSError, ValueError, IndexError):
        return None
    return 1.0 - (idle1 - idle0) / max(total1 - total0, 1)


def wait_for_idle(limit: float, threshold: float = 0.1) -> str:
    """Wait (up to ``limit`` seconds) until the CPUs are at most ``threshold`` busy over
    two seconds; say how it went. On a small shared machine another process's load
    stalls every multithreaded BLAS call (see benchmarks/README.md)."""
    start = time.perf_counter()
    while True:
        busy = cpu_busy()
        waited = time.perf_counter() - start
        if busy is None:
            return "CPU load unknown"
        if busy <= threshold:
            return f"CPUs {busy:.0%} busy before it started, after waiting {waited:.0f} s"
        if waited >= limit:
            return f"CPUs still {busy:.0%} busy after waiting {waited:.0f} s: started anyway"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only bench_*.py whose name contains one")
    parser.add_argument("--quick", action="store_true", help="smoke run of each benchmark")
    parser.add_argument("--json", metavar="PATH", help="write all reports to one JSON file")
    parser.add_argument("--samples", type=int, help="samples per case, passed on")
    parser.add_argument("--target-ms", type=float, help="time per sample in ms, passed on")
    parser.add_argument("--source", action="store_true", help="print the generated code")
    parser.add_argument("--no-peers", action="store_true",
                        help="leave out autograd, JAX and PyTorch even where installed")
    parser.add_argument("--wait-idle", type=float, metavar="SECONDS", default=0.0,
                        help="before each benchmark, wait up to SECONDS for the CPUs to be "
                             "at most 10%% busy")
    opts = parser.parse_args(argv)
    scripts = discover(opts.names)
    if not scripts:
        parser.error(f"no benchmarks/bench_*.py matches {opts.names}")
    flags = (["--quick"] if opts.quick else []) + (["--source"] if opts.source else [])
    flags += ["--no-peers"] if opts.no_peers else []
    if opts.samples is not None:
        flags += ["--samples", str(opts.samples)]
    if opts.target_ms is not None:
        flags += ["--target-ms", str(opts.target_ms)]
    reports, failed = [], []
    with tempfile.TemporaryDirectory(prefix="bench_run_all_") as tmp:
        for i, script in enumerate(scripts):
            if i:
                print()
            print(f"== {script.name} ==", flush=True)
            if opts.wait_idle > 0:
                print(f"== {wait_for_idle(opts.wait_idle)}", flush=True)
            out = Path(tmp) / f"{script.stem}.json"
            t0 = time.perf_counter()
            to_json = ["--json", str(out)] if opts.json else []
            result = subprocess.run([sys.executable, str(script), *flags, *to_json])
            took = time.perf_counter() - t0
            if result.returncode != 0:
                failed.append(script.name)
                print(f"== {script.name} FAILED (exit status {result.returncode})", flush=True)
                continue
            print(f"== {script.name}: {took:.1f} s", flush=True)
            if opts.json:
                reports.append(json.loads(out.read_text()))
    if opts.json:
        Path(opts.json).write_text(json.dumps({"benchmarks": reports}, indent=2) + "\n")
        print(f"wrote {opts.json}")
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

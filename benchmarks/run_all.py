"""Run every benchmarks/bench_*.py in turn and print all their tables.

Run from the repository root::

    python benchmarks/run_all.py                       # every benchmark, full runs
    python benchmarks/run_all.py --quick               # smoke run of every benchmark
    python benchmarks/run_all.py --json benchmarks/results_all.json
    python benchmarks/run_all.py rnn                   # only bench_rnn.py

Each benchmark runs in its own fresh interpreter (``sys.executable``), one after the
other, so that one workload's compiled-gradient and parse caches, allocations and
imports do not colour another's first-call and memory figures. ``--quick``,
``--samples``, ``--target-ms`` and ``--source`` are passed on to each; ``--json`` writes
one file holding every benchmark's report (``{"benchmarks": [...]}``). The exit status
is 1 if any benchmark failed its checks (the others still run).
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


def discover(names: list[str]) -> list[Path]:
    """bench_*.py in this directory, sorted; only those whose name contains one of
    ``names`` if any are given."""
    scripts = sorted(HERE.glob("bench_*.py"))
    if names:
        scripts = [s for s in scripts if any(n in s.stem for n in names)]
    return scripts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="run only bench_*.py whose name contains one")
    parser.add_argument("--quick", action="store_true", help="smoke run of each benchmark")
    parser.add_argument("--json", metavar="PATH", help="write all reports to one JSON file")
    parser.add_argument("--samples", type=int, help="samples per case, passed on")
    parser.add_argument("--target-ms", type=float, help="time per sample in ms, passed on")
    parser.add_argument("--source", action="store_true", help="print the generated code")
    opts = parser.parse_args(argv)
    scripts = discover(opts.names)
    if not scripts:
        parser.error(f"no benchmarks/bench_*.py matches {opts.names}")
    flags = (["--quick"] if opts.quick else []) + (["--source"] if opts.source else [])
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

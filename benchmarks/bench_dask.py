"""Benchmark the dask backend: a gradient over a dataset larger than any worker's memory.

Run from the repository root::

    python benchmarks/bench_dask.py            # full run: 2e7 x 100 float64 (16 GB), a few minutes
    python benchmarks/bench_dask.py --quick    # smoke run, ~15 s (mostly starting clusters)
    python benchmarks/bench_dask.py --json benchmarks/results_dask.json

The workload: the gradient of logistic regression's mean log-loss
``mean(logaddexp(0, z) - y * z)``, ``z = X @ w``, with respect to w, on X of
``--rows`` x ``--features`` float64 generated lazily on the workers from a seed
(``da.random.default_rng``: no data crosses the network) in chunks of
``--chunk-rows`` rows, with labels drawn from X's first column. The gradient is
``adc.grad(logreg, backend="dask")`` computed by a ``LocalCluster`` of one, then two,
worker processes with one thread each and ``--memory-limit`` bytes each, smaller than
the dataset. Reported: the wall time of the computation (data generation included:
the data exists only chunk by chunk), the speed-up from one worker to two, each
worker's peak resident memory (sampled every 10 ms by a worker plugin) against its
limit, each worker's CPU time (on a shared machine, wall time shows the other
processes' load as much as ours; the busiest worker's CPU time is what wall time
would be with a core per worker), and, for comparison, the NumPy backend on one
process for as many rows as fit comfortably (``--numpy-rows``), generation and
gradient timed apart.

Checks: before the timed run on two workers, the dask gradient of a small dataset
equals the NumPy backend's (rtol 1e-10); after both runs, the one- and two-worker
gradients of the full dataset agree (rtol 1e-12). A failed check exits with status
1. This script is not run by ``run_all.py`` (it starts clusters of its own); see
benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from typing import Any

import dask.array as da
import harness
import numpy as np
import psutil
import run_all
from distributed import Client, LocalCluster, WorkerPlugin

import autodiff_compiler as adc

GIB = 1 << 30


def logreg(w, X, y):  # noqa: N803 (the usual notation)
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def dataset(rows: int, features: int, chunk_rows: int, seed: int) -> tuple[Any, Any]:
    """X and labels as dask arrays whose chunks are drawn on the workers from ``seed``."""
    x = da.random.default_rng(seed).standard_normal((rows, features),
                                                    chunks=(chunk_rows, features))
    noise = da.random.default_rng(seed + 1).logistic(size=rows, chunks=chunk_rows)
    y = (x[:, 0] + noise > 0).astype(np.float64)
    return x, y


class PeakRSS(WorkerPlugin):
    """Samples its worker process's resident memory every ``interval`` seconds and
    keeps the largest figure (reset by ``reset``)."""

    name = "peak-rss"

    def __init__(self, interval: float = 0.01) -> None:
        self.interval = interval

    def setup(self, worker: Any) -> None:
        self.process = psutil.Process()
        self.peak = self.process.memory_info().rss
        self.stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def _sample(self) -> None:
        while not self.stop.wait(self.interval):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def teardown(self, worker: Any) -> None:
        self.stop.set()


def _reset(dask_worker: Any) -> tuple[int, float]:
    """Start a measurement: the resident memory now, and CPU seconds used so far."""
    plugin = dask_worker.plugins["peak-rss"]
    plugin.peak = plugin.process.memory_info().rss
    times = plugin.process.cpu_times()
    return plugin.peak, times.user + times.system


def _peak(dask_worker: Any) -> tuple[int, float]:
    """The peak resident memory since ``_reset``, and CPU seconds used so far."""
    plugin = dask_worker.plugins["peak-rss"]
    times = plugin.process.cpu_times()
    return plugin.peak, times.user + times.system


def _cluster(workers: int, memory_limit: int) -> LocalCluster:
    return LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                        memory_limit=memory_limit, dashboard_address=None)


def check_against_numpy(client: Client, seed: int) -> float:
    """The dask gradient of a small dataset against the NumPy backend's on the same
    numbers; returns the largest relative difference."""
    x, y = dataset(100_000, 20, 12_500, seed)
    w = np.linspace(-0.1, 0.1, 20)
    lazy = adc.grad(logreg, backend="dask")(w, x, y)
    got, xn, yn = client.compute([lazy, x, y], sync=True)
    want = adc.grad(logreg)(w, xn, yn)
    if not np.allclose(got, want, rtol=1e-10, atol=0):
        raise harness.BenchmarkError(f"bench_dask: FAILED: dask gradient differs from "
                                     f"NumPy's by {np.max(np.abs(got - want))}")
    return float(np.max(np.abs(got - want) / np.abs(want)))


def run_cluster(workers: int, opts: argparse.Namespace) -> dict[str, Any]:
    """One timed gradient on a fresh cluster of ``workers`` processes."""
    with _cluster(workers, opts.memory_limit) as cluster, Client(cluster) as client:
        client.register_plugin(PeakRSS())
        checked = check_against_numpy(client, opts.seed) if workers == 2 else None
        x, y = dataset(opts.rows, opts.features, opts.chunk_rows, opts.seed)
        w = np.full(opts.features, 0.01)
        t0 = time.perf_counter()
        lazy = adc.grad(logreg, backend="dask")(w, x, y)
        build = time.perf_counter() - t0
        if opts.wait_idle:
            print(f"bench_dask: {run_all.wait_for_idle(opts.wait_idle)}", flush=True)
        load = harness.machine()["load_average"]
        before = client.run(_reset)
        t0 = time.perf_counter()
        grad = client.compute(lazy).result()
        took = time.perf_counter() - t0
        after = client.run(_peak)
    print(f"bench_dask: {workers} worker(s): {took:.1f} s", flush=True)
    return {"workers": workers, "seconds": took, "build_seconds": build,
            "tasks": len(lazy.__dask_graph__()), "load_average_before": load,
            "idle_rss": [before[k][0] for k in before], "peak_rss": [after[k][0] for k in before],
            "cpu_seconds": [after[k][1] - before[k][1] for k in before],
            "max_rel_diff_vs_numpy": checked, "grad": grad}


def run_numpy(rows: int, features: int, seed: int) -> dict[str, Any]:
    """The NumPy backend on one process: the whole dataset in memory."""
    process = psutil.Process()
    before = process.memory_info().rss
    t0, c0 = time.perf_counter(), time.process_time()
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, features))
    y = (x[:, 0] + rng.logistic(size=rows) > 0).astype(np.float64)
    generate, generate_cpu = time.perf_counter() - t0, time.process_time() - c0
    w = np.full(features, 0.01)
    grad = adc.grad(logreg)
    grad(w, x[:1000], y[:1000])  # compiled for another shape: a warm-up, not timed
    t0, c0 = time.perf_counter(), time.process_time()
    grad(w, x, y)
    took, took_cpu = time.perf_counter() - t0, time.process_time() - c0
    return {"rows": rows, "generate_seconds": generate, "grad_seconds": took,
            "generate_cpu_seconds": generate_cpu, "grad_cpu_seconds": took_cpu,
            "rss_growth": process.memory_info().rss - before}


def _fmt(n: float) -> str:
    return f"{n / GIB:.2f} GiB" if n >= GIB else harness.fmt_bytes(n)


def table(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [f"bench_dask: grad of logistic regression, X {s['rows']:,} x {s['features']} "
             f"float64 = {_fmt(s['dataset_bytes'])} in {s['chunks']} chunks of "
             f"{_fmt(s['chunk_bytes'])}, generated on the workers; memory limit "
             f"{_fmt(s['memory_limit'])} per worker",
             f"machine: nproc {report['machine']['nproc']}, {report['machine']['cpu']}, "
             f"load {report['machine']['load_average']}", "",
             f"{'run':<18}{'time':>8}{'CPU time':>10}   peak RSS of each worker "
             f"(idle before the run)"]
    for r in report["dask"]:
        peaks = ", ".join(f"{_fmt(p)} ({_fmt(i)})" for p, i in zip(r["peak_rss"], r["idle_rss"]))
        name = f"dask, {r['workers']} worker" + "s" * (r["workers"] > 1)
        lines.append(f"{name:<18}{r['seconds']:>7.1f}s{sum(r['cpu_seconds']):>9.1f}s   {peaks}")
    lines.append(f"speed-up 1 -> 2 workers: {report['speedup']:.2f}x in wall time, "
                 f"{report['speedup_cpu']:.2f}x in the busiest worker's CPU time (what "
                 f"wall time would show with a core per worker and nothing else running)")
    lines.append(f"graph of {report['dask'][0]['tasks']} tasks; first call (compile and "
                 f"graph) {report['dask'][0]['build_seconds'] * 1e3:.0f} ms, again "
                 f"{report['dask'][1]['build_seconds'] * 1e3:.0f} ms")
    n = report["numpy"]
    lines.append(f"numpy backend, one process, {n['rows']:,} rows: generate "
                 f"{n['generate_seconds']:.1f}s + gradient {n['grad_seconds']:.2f}s (CPU "
                 f"{n['generate_cpu_seconds']:.1f}s + {n['grad_cpu_seconds']:.2f}s), "
                 f"RSS +{_fmt(n['rss_growth'])}; per {s['rows']:,} rows (scaled): "
                 f"{(n['generate_seconds'] + n['grad_seconds']) * s['rows'] / n['rows']:.1f}s "
                 f"and {_fmt(s['dataset_bytes'])} in one process")
    lines.append(f"dask vs NumPy gradient on 10^5 x 20: max relative difference "
                 f"{report['dask'][-1]['max_rel_diff_vs_numpy']:.1e}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small dataset: seconds")
    parser.add_argument("--rows", type=int, help="rows of X (default 2e7; quick 1e5)")
    parser.add_argument("--features", type=int, default=100)
    parser.add_argument("--chunk-rows", type=int,
                        help="rows per chunk (default 5e4; quick 12,500)")
    parser.add_argument("--memory-limit", type=int, help="bytes per worker (default 1 GiB; "
                        "quick 256 MiB)")
    parser.add_argument("--numpy-rows", type=int, help="rows for the NumPy comparison "
                        "(default 2e6; quick 1e5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the report as JSON")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="before each timed run, wait until the CPUs are at most 10%% "
                             "busy, or SECONDS have passed")
    opts = parser.parse_args(argv)
    if opts.wait_idle:  # the NumPy comparison first, before the clusters are started
        print(f"bench_dask: {run_all.wait_for_idle(opts.wait_idle)}", flush=True)
    numpy_run = run_numpy(opts.numpy_rows or (100_000 if opts.quick else 2_000_000),
                          opts.features, opts.seed)
    opts.rows = opts.rows or (100_000 if opts.quick else 20_000_000)
    opts.chunk_rows = opts.chunk_rows or (12_500 if opts.quick else 50_000)
    opts.memory_limit = opts.memory_limit or (GIB // 4 if opts.quick else GIB)
    try:
        runs = [run_cluster(1, opts), run_cluster(2, opts)]
    except harness.BenchmarkError as err:
        print(err, file=sys.stderr)
        return 1
    one, two = (r.pop("grad") for r in runs)
    if not np.allclose(one, two, rtol=1e-12, atol=0):
        print("bench_dask: FAILED: one and two workers disagree", file=sys.stderr)
        return 1
    dataset_bytes = opts.rows * opts.features * 8
    report = {"benchmark": "bench_dask", "quick": opts.quick, "machine": harness.machine(),
              "settings": {"rows": opts.rows, "features": opts.features,
                           "chunk_rows": opts.chunk_rows,
                           "chunks": -(-opts.rows // opts.chunk_rows),
                           "chunk_bytes": opts.chunk_rows * opts.features * 8,
                           "dataset_bytes": dataset_bytes,
                           "memory_limit": opts.memory_limit, "seed": opts.seed},
              "dask": runs, "speedup": runs[0]["seconds"] / runs[1]["seconds"],
              "speedup_cpu": max(runs[0]["cpu_seconds"]) / max(runs[1]["cpu_seconds"]),
              "numpy": numpy_run}
    print(table(report))
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(report, f, indent=2)
        print(f"wrote {opts.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

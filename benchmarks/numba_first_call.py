"""What the numba backend's first call costs, with and without its kernels cached.

For each of the six workloads, in fresh interpreters: the first call of
``adc.grad(f, positions, backend="numba")`` with an empty kernel directory (the
compiler generates the kernels and numba compiles them), then again in a new process
with the directory the first left behind (numba loads the machine code it saved), and
the NumPy backend's first call for comparison. Run from the repository root::

    python benchmarks/numba_first_call.py          # about a minute
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

WORKLOADS = {"tutorial": "function", "logreg": "logreg", "mlp": "mlp",
             "elementwise": "chain", "rnn": "rnn", "scalar": "scalar"}

PROBE = """\
import sys, time
sys.path.insert(0, {benchmarks!r})
import bench_{name} as bench
import autodiff_compiler as adc
args = bench.make_inputs()
start = time.perf_counter()
adc.grad(bench.{function}, bench.POSITIONS, backend={backend!r})(*args)
print(time.perf_counter() - start)
"""


def first_call(name: str, backend: str, cache: Path) -> float:
    here = Path(__file__).resolve().parent
    code = PROBE.format(benchmarks=str(here), name=name, function=WORKLOADS[name],
                        backend=backend)
    env = {**os.environ, "AUTODIFF_COMPILER_CACHE": str(cache),
           "PYTHONPATH": os.pathsep.join([str(here.parent), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> int:
    print(f"{'workload':<12} {'numpy':>10} {'numba, compiling':>18} {'numba, cached':>15}")
    for name in WORKLOADS:
        with tempfile.TemporaryDirectory(prefix="adc_kernels_") as cache:
            numpy = first_call(name, "numpy", Path(cache))
            cold = first_call(name, "numba", Path(cache))
            warm = first_call(name, "numba", Path(cache))
        print(f"{name:<12} {numpy * 1e3:>8.0f} ms {cold * 1e3:>15.0f} ms {warm * 1e3:>12.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

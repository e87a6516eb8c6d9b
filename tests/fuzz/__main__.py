"""``python -m tests.fuzz --programs 10000 --seed 0``: the differential fuzzer.

Checks the programs of seeds ``seed .. seed + programs - 1``, prints each failure
shrunk to a minimal program with its seed, and a count of outcomes. Exit status 1
if any failure is not a known one (``tests/fuzz/known.py``).
"""
from __future__ import annotations

import argparse
import sys
import time

from . import checker
from .generator import generate
from .runner import run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--programs", type=int, default=1000, help="how many programs")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first program")
    parser.add_argument("--show", action="store_true", help="print each program's source")
    parser.add_argument("--no-shrink", action="store_true", help="report failures as found")
    parser.add_argument("--quiet-known", action="store_true",
                        help="do not print failures with a known cause")
    parser.add_argument("--backend", action="append", default=[], metavar="NAME",
                        help="also check this backend's gradient against NumPy's "
                             "(numba, dask, array_api)")
    opts = parser.parse_args(argv)
    checker.OTHER_BACKENDS[:] = opts.backend
    seeds = range(opts.seed, opts.seed + opts.programs)
    if opts.show:
        for seed in seeds:
            print(f"# seed {seed}\n{generate(seed).source()}")
    start = time.perf_counter()
    summary = run(seeds, do_shrink=not opts.no_shrink,
                  report=lambda f: (opts.quiet_known and f.known) or print(f.report(), flush=True))
    print(f"{opts.programs} programs from seed {opts.seed} in "
          f"{time.perf_counter() - start:.0f} s: {summary.line()}")
    return 1 if summary.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())

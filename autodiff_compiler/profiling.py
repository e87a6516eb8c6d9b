"""``profile``: what each line of the user's function costs in its generated gradient.

The code generator keeps, for each generated line, the user's line it came from and
whether it is forward or adjoint code (``Compiled.line_locs``). The profiler builds
instrumented copies of the generated function (``instrument``), runs them on the
user's arguments, and adds the cost up per user line:

- *forward* and *adjoint* time: the median over ``repeat`` calls of the time the
  line's forward (resp. adjoint) statements take in one call, the clock's own cost
  per statement (measured on empty statements) subtracted. Statements inside loops
  count once per iteration; a loop's own stepping and the test of a ``while`` are not
  timed (they are in the uninstrumented call time only).
- *taped* bytes: the values a line's forward statements compute and the backward
  pass keeps: every object an adjoint statement reads that a forward statement of
  that line made (a residual, e.g. ``b`` for ``b = np.exp(a)``, whose adjoint is
  ``g_b * b``), plus every value appended to a loop tape for it (summed over the
  iterations). Each object counts once, for the line that made it, with its
  ``nbytes`` (8 for a Python float). The function's arguments are not counted: the
  caller holds them anyway.
- *share*: the line's forward plus adjoint time over the total of all rows.

Code no user line maps to counts for the loop or branch it is in (a loop's row holds
its tape appends and reads, its carry moves, the sums of its gradients over the
iterations); outside any (creating tape lists, ``del`` of dead temporaries, the
``return``) it is one more row, so the rows add up to the total.

On the dask backend, which builds a task graph and computes nothing, the times are
those of building the graph and the bytes those the arrays will hold.
"""
from __future__ import annotations

import numbers
import statistics
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from . import instrument
from .errors import AutodiffError, Loc, display_path
from .pipeline.compiler import Compiled, note_user_line

CALIBRATION_WINDOWS = 200


@dataclass(frozen=True)
class LineCost:
    """One row: a line of the user's source and what it costs per call."""

    file: str
    line: int  # 0 for the bookkeeping and total rows
    function: str
    source: str
    forward_ns: float
    adjoint_ns: float
    taped_bytes: int
    share: float  # of the total time, 0..1

    @property
    def total_ns(self) -> float:
        return self.forward_ns + self.adjoint_ns


@dataclass(frozen=True)
class Profile:
    """A gradient's cost by the user's source line; ``str()`` is the table."""

    name: str  # the generated function
    where: str  # file:line of the user's function
    repeat: int
    rows: list[LineCost]  # in source order
    other: LineCost  # code no user line maps to
    call_ns: float  # median time of a call to the real (uninstrumented) gradient
    overhead_ns: float  # the clock's cost per timed statement, subtracted
    total: LineCost = field(init=False)

    def __post_init__(self) -> None:
        every = [*self.rows, self.other]
        object.__setattr__(self, "total", LineCost(
            "", 0, "", "total", sum(r.forward_ns for r in every),
            sum(r.adjoint_ns for r in every), sum(r.taped_bytes for r in every),
            1.0 if sum(r.total_ns for r in every) else 0.0))

    def to_dict(self) -> dict[str, Any]:
        """The profile as plain data (for ``json.dumps``)."""
        return asdict(self)

    def __str__(self) -> str:
        head = (f"{self.name} ({self.where}): median of {self.repeat} calls; "
                f"{_us(self.call_ns)} µs per call unprofiled, {self.overhead_ns:.0f} ns "
                "of clock per statement subtracted")
        main = self.rows[0].file if self.rows else ""
        table = [("line", "forward µs", "adjoint µs", "taped", "share", "source")]
        for r in [*self.rows, self.other, self.total]:
            line = "" if not r.line else str(r.line) if r.file == main else \
                f"{display_path(r.file)}:{r.line}"
            table.append((line, _us(r.forward_ns), _us(r.adjoint_ns), _bytes(r.taped_bytes),
                          f"{100 * r.share:.1f}%", r.source))
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        lines = [head]
        for row in table:
            cells = [row[0].rjust(widths[0]), *(c.rjust(w) for c, w in zip(row[1:5],
                                                                         widths[1:]))]
            lines.append("  ".join([*cells, row[5]]).rstrip())
        return "\n".join(lines)


def _us(ns: float) -> str:
    return f"{ns / 1000:.2f}"


def _bytes(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    size, unit = n / 1024, "KiB"
    for bigger in ("MiB", "GiB"):
        if size >= 1024:
            size, unit = size / 1024, bigger
    return f"{size:.1f} {unit}"


def profile(fn: Any, /, *args: Any, repeat: int = 30, **kwargs: Any) -> Profile:
    """Run ``fn`` (made by ``grad`` or ``value_and_grad``; or the one program of
    ``jacrev``, ``jacfwd``, ``hessian`` or ``vmap``) on these arguments
    ``repeat`` times and report, for each line of the user's function, the time its
    forward and adjoint code take per call, the bytes taped for it and its share of
    the total (see the module docstring for the exact definitions)."""
    program = getattr(fn, "_program", None)  # jacrev, jacfwd, hessian, vmap: one program
    fn = program if program is not None and not hasattr(fn, "compiled_for") else fn
    if not hasattr(fn, "compiled_for"):
        raise AutodiffError(f"profile takes a compiled gradient, not {fn!r}",
                            hint="pass grad(f) or value_and_grad(f) (or jacrev, jacfwd, "
                                 "hessian, vmap of f): profile(grad(f), x)")
    if not isinstance(repeat, int) or repeat < 1:
        raise AutodiffError(f"profile: repeat must be a positive int, not {repeat!r}")
    bind = getattr(fn, "_bind", None)
    args = bind(args, kwargs) if bind is not None else args
    if kwargs and bind is None:
        raise AutodiffError(f"profile: {fn!r} takes positional arguments only here")
    compiled = fn.compiled_for(args)
    inputs = compiled.inputs(args)
    if len(inputs) != len(compiled.ir.invars):
        raise AutodiffError(f"profile cannot run {compiled.ir.name} on its own: it takes "
                            "cotangent or tangent inputs too",
                            hint="profile a gradient made by grad or value_and_grad")
    return _Run(compiled, inputs).profile(repeat)


class _Run:
    """The instrumented copies of one compiled gradient, run on one set of inputs."""

    def __init__(self, compiled: Compiled, inputs: Sequence[Any]) -> None:
        self.compiled, self.inputs = compiled, list(inputs)
        locs = compiled.line_locs or {}
        home = _home(compiled, locs)
        keys = sorted({(loc.file, loc.line) for loc in locs.values()},
                      key=lambda k: (k[0] != home, k))
        self.row_of = {k: i for i, k in enumerate(keys)}
        self.locs = locs
        self.first: dict[int, Loc] = {}  # a Loc for each row, forward ones first
        for loc in sorted(locs.values(), key=lambda lc: lc.adjoint):
            self.first.setdefault(self.row_of[(loc.file, loc.line)], loc)
        self.p = instrument.prefix_for(compiled.source)
        self.n_slots = 1 + 2 * len(keys)

    def where(self, lineno: int) -> tuple[int, bool] | None:
        loc = self.locs.get(lineno)
        return None if loc is None else (self.row_of[(loc.file, loc.line)], loc.adjoint)

    def _load(self, module: Any, extra: dict[str, Any]) -> Any:
        real = self.compiled.fn
        namespace = dict(real.__globals__, **extra)
        exec(compile(module, real.__code__.co_filename, "exec"), namespace)
        return namespace[self.compiled.ir.name]

    def _call(self, fn: Any) -> None:
        try:
            fn(*self.inputs)
        except Exception as err:
            note_user_line(err)
            raise

    def profile(self, repeat: int) -> Profile:
        taped = self.taped()  # also the first, warming call
        times, counts = [0] * self.n_slots, [0] * self.n_slots
        p = self.p
        clocks = {f"{p}clock": time.perf_counter_ns, f"{p}time": times, f"{p}count": counts}
        overhead = _calibrate(p, clocks)
        timed = self._load(instrument.timed(self.compiled.source, self.where, p), clocks)
        plain: list[int] = []
        runs: list[list[float]] = []
        for _ in range(repeat):  # in turns, so a change in the machine's load hits both
            start = time.perf_counter_ns()
            self._call(self.compiled.fn)
            plain.append(time.perf_counter_ns() - start)
            times[:], counts[:] = [0] * self.n_slots, [0] * self.n_slots
            self._call(timed)
            runs.append([max(0.0, t - c * overhead) for t, c in zip(times, counts)])
        per_slot = [statistics.median(run[i] for run in runs) for i in range(self.n_slots)]
        return self._report(per_slot, taped, repeat, statistics.median(plain), overhead)

    def taped(self) -> list[int]:
        """The bytes each row tapes, from one call of the taping copy."""
        made: dict[str, int] = {}
        kept: dict[int, tuple[Any, int]] = {}
        taping = self._load(instrument.taping(self.compiled.source, self.where, self.p),
                            instrument.namespace(self.p, made, kept, self.inputs))
        self._call(taping)
        out = [0] * len(self.row_of)
        for value, row in kept.values():
            out[row] += _nbytes(value)
        return out

    def _report(self, per_slot: list[float], taped: list[int], repeat: int, call_ns: float,
                overhead: float) -> Profile:
        total = sum(per_slot) or 1.0
        rows = []
        for (file, line), row in self.row_of.items():
            loc = self.first[row]
            fwd = per_slot[instrument.slot(row, False)]
            adj = per_slot[instrument.slot(row, True)]
            rows.append(LineCost(file, line, loc.function, loc.source.strip(), fwd, adj,
                                 taped[row], (fwd + adj) / total))
        other_ns = per_slot[instrument.OTHER]
        other = LineCost("", 0, "", "(generated code outside the lines: tapes, frees, return)",
                         other_ns, 0.0, 0, other_ns / total)
        where = str(self.compiled.ir.loc) if self.compiled.ir.loc else "?"
        return Profile(self.compiled.ir.name, where, repeat, rows, other, call_ns, overhead)


def _home(compiled: Compiled, locs: dict[int, Loc]) -> str:
    """The file of the user's function (its rows come first)."""
    if compiled.ir.loc is not None:
        return compiled.ir.loc.file
    return next((loc.file for loc in locs.values()), "")


def _calibrate(p: str, clocks: dict[str, Any]) -> float:
    """The clock's cost inside one timed window: the median over runs of empty windows."""
    namespace = dict(clocks)
    exec(compile(instrument.calibration(CALIBRATION_WINDOWS, p), "<calibration>", "exec"),
         namespace)
    empty, times, counts = namespace[f"{p}empty"], clocks[f"{p}time"], clocks[f"{p}count"]
    samples = []
    for _ in range(25):
        times[0] = counts[0] = 0
        empty()
        samples.append(times[0] / counts[0])
    times[0] = counts[0] = 0
    return statistics.median(samples)


def _nbytes(value: Any) -> int:
    """The bytes of data ``value`` holds: an array's ``nbytes``, a Python number's as
    the NumPy scalar it stands for (a float: 8)."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, numbers.Integral):
        return int(nbytes)
    if isinstance(value, bool | int | float | complex):
        return np.asarray(value).nbytes
    if isinstance(value, tuple | list):
        return sum(_nbytes(v) for v in value)
    return 0

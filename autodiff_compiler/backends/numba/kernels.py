"""A kernel's source: the plan of ``fusion`` written as explicit loops numba compiles.

Each stage of the plan is a loop nest over its shape (or straight-line code for a
scalar stage). An equation evaluated per element assigns a local; a value read after
its stage is also stored into an array allocated before the nest. Operands broadcast
by indexing: an axis of length 1 is read at index 0. Shapes are constants (code is
generated per shape), so loops have known trip counts.

Numerics, stated so tests can hold them: every operand is converted to the dtype the
equation computes in, as NumPy converts it, and the result to the equation's dtype;
elementwise results agree with NumPy's within a few ulp (both call the platform's
maths library, NumPy sometimes its own SIMD versions; a loop's float64 ``sin``, ``cos``
and ``exp`` are ``runtime``'s, within 2 ulp of the C library's, its ``tanh`` within 4,
its ``sigmoid`` within 4 of the true value). Sums accumulate in float64 sequentially,
or in four interleaved partial sums (``_split_sums``; NumPy sums pairwise in the
operand's dtype): within ``n * eps(float64)`` of the exact sum, times the sum of
magnitudes.

A kernel whose loops use ``runtime``'s functions counts the arguments outside their
range (huge, infinite or nan) as it goes, and if there was one it returns what
its twin ``<name>_exact``, the same loops with the C library's functions, computes:
the fast kernel is right on every input, and as fast as it can be on the usual ones.
"""
from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...errors import Loc
from ...ir.core import Const, Eqn, Var, python_name
from . import ops, runtime
from .fusion import REDUCTIONS, VIEWS, Plan, Stage, array_operands, reduced_axes

# Loop nests of at least this many elements run their outer loop on every core
# (``prange``) where each iteration writes only its own elements. Measured here on a
# loop of cheap arithmetic and a sine: on an idle machine threads win from a few
# thousand elements (4,096: 22 us against 34 us serial; 2^18: 1.4 ms against 2.8 ms),
# but a parallel loop waits for its slowest thread, and with the other core busy that
# thread may be descheduled for a time slice (65,536 elements: 7.6 ms against 0.9 ms
# serial). From 2^18 elements the idle gain is worth the busy loss.
PARALLEL_MIN = 1 << 18
# A nest whose innermost loop is at most this long is split where it sums (``_splits``):
# its rows of terms stay in the first-level cache.
SPLIT_MAX = 4096


@dataclass(frozen=True)
class Written:
    """A kernel's source and how it is called: its parameters' order, whether it runs
    in parallel, and which results come back as 0-d arrays (NumPy scalars)."""

    name: str
    source: str
    parallel: bool
    boxed: tuple[bool, ...]  # per result: returned as a 0-d array


_LOOP_INDEX = re.compile(r"i\d+")  # the loops' counters (``_stage``): never a value's name


class _Names:
    """Each value's name in the kernel: the user's, else what computed it (``exp``)."""

    def __init__(self, made_by: dict[Var, str]) -> None:
        # What the kernel's own code calls (``abs`` in its range check, ``float``,
        # ``max``...) is never shadowed by a value named after the user's variable.
        self.taken = {*dir(builtins), "np", "numba", "prange", "p", "outside",
                      *ops.RUNTIME_NAMES}
        self.of: dict[Var, str] = {}
        self.made_by = made_by

    def fresh(self, hint: str) -> str:
        base = python_name(hint or "t", "t")
        name, n = base, 1
        while name in self.taken or _LOOP_INDEX.fullmatch(name):
            name, n = f"{base}_{n}", n + 1
        self.taken.add(name)
        return name

    def __call__(self, v: Var) -> str:
        if v not in self.of:
            self.of[v] = self.fresh(v.hint or self.made_by.get(v, "t"))
        return self.of[v]


class _Writer:
    def __init__(self, plan: Plan, name: str, made_by: dict[Var, str], fast: bool) -> None:
        self.plan, self.name, self.fast = plan, name, fast
        self.counts_outside = False  # uses a fast function with a limited range
        own = {v: e.prim.name for stage in plan.stages for e in stage.eqns for v in e.outvars}
        self.names = _Names({**made_by, **own})
        self.lines: list[str] = []
        self.element: dict[Var, str] = {}  # values of the nest being written, per element
        self.stored = self._stored()
        self.accumulators: dict[Var, str] = {}
        self.split = False  # the nest being written is split (``_splits``)
        self.deferred: list[Eqn] = []  # its reductions, whose terms wait in rows
        self.terms: dict[Var, str] = {}  # each sum's row of terms, as "row[" to index
        self.own_rows: set[Var] = set()  # the sums whose terms are written to a row
        self.ranged: dict[str, str] = {}  # the nest's fast functions' arguments, each
        # with the limit of its magnitude

    def _stored(self) -> set[Var]:
        """Values read outside the stage that computes them: kept in arrays."""
        outside: set[Var] = set(self.plan.outvars)
        for stage in self.plan.stages:
            for eqn in stage.eqns:
                mine = stage.elements
                inner = [] if stage.shape is None else array_operands(eqn)
                for a in eqn.invars:
                    if isinstance(a, Var) and (a not in mine or a in inner):
                        outside.add(a)
        return outside

    def add(self, depth: int, text: str) -> None:
        self.lines.append("    " * depth + text)

    # ------------------------------------------------------------------ operands

    def operand(self, a: Any, want: np.dtype, index: Sequence[str] | None) -> str:
        """``a`` as an expression of dtype ``want``: a literal, a local, or an array
        read at the element's indices broadcast to ``a``'s shape."""
        if isinstance(a, Const):
            return ops.literal(a.value, want)
        if a in self.element:
            return ops.converted(self.element[a], a.aval.dtype, want)
        name = self.names(a)
        if not a.aval.shape or index is None:
            return ops.converted(name, a.aval.dtype, want)
        lead = len(index) - a.aval.ndim
        at = [index[lead + d] if n != 1 else "0" for d, n in enumerate(a.aval.shape)]
        return ops.converted(f"{name}[{', '.join(at)}]", a.aval.dtype, want)

    # ------------------------------------------------------------------ stages

    def write(self) -> Written:
        params = [self.names(v) for v in self.plan.invars]
        parallel = any(self._parallel(s) for s in self.plan.stages)
        flags = ", parallel=True" if parallel else ""
        self.add(0, f'@numba.njit(cache=True, error_model="numpy"{flags})')
        self.add(0, f"def {self.name}({', '.join(params)}):")
        for v in self.plan.invars:
            # a NumPy scalar or a 0-d array; so may a Python float's value be, where it
            # is a running sum (np.zeros_like(y) for a float y is a 0-d array)
            if v.aval.shape == ():
                self.add(1, f"{self.names(v)} = item({self.names(v)})")
        start = len(self.lines)
        loc = None
        for stage in self.plan.stages:
            loc = self._stage(stage, loc)
        if self.counts_outside:
            self.lines.insert(start, "    outside = 0  # arguments beyond fast functions' range")
            self.add(1, "if outside:")
            self.add(2, f"return {self.name}_exact({', '.join(params)})")
        boxed = tuple(v.aval.shape == () and not v.aval.weak for v in self.plan.outvars)
        results = []
        for v, box in zip(self.plan.outvars, boxed):
            results.append(f"np.full((), {self.names(v)}, {ops.dtype_name(v.aval.dtype)})"
                           if box else self.names(v))
        self.add(1, f"return {', '.join(results)}")
        return Written(self.name, "\n".join(self.lines) + "\n", parallel, boxed)

    def _comment(self, depth: int, eqn: Eqn, last: Loc | None) -> Loc | None:
        """``# grad of: <your line>  (file:line)`` where the line an equation comes from
        changes, as the Python code generator writes it."""
        loc = eqn.loc
        if loc is None or not loc.source:
            return last
        if last is not None and (loc.file, loc.line, loc.adjoint) == \
                (last.file, last.line, last.adjoint):
            return last
        what = "grad of: " if loc.adjoint else ""
        self.add(depth, f"# {what}{loc.source.strip()}  ({loc})")
        return loc

    def _stage(self, stage: Stage, loc: Loc | None) -> Loc | None:
        if stage.shape is None:
            for eqn in stage.eqns:
                loc = self._comment(1, eqn, loc)
                self._scalar(eqn)
            return loc
        shape = stage.shape
        index = [f"i{d}" for d in range(len(shape))]
        parallel = self._parallel(stage)
        self.split = self.fast and not parallel and self._splits(stage)
        for eqn in stage.eqns:  # arrays and accumulators, before the loops
            self._before(eqn, shape)
        for d, n in enumerate(shape):
            loop = "prange" if parallel and d == 0 else "range"
            self.add(1 + d, f"for {index[d]} in {loop}({n}):")
        depth = 1 + len(shape)
        self.element, self.ranged, self.deferred = {}, {}, []
        for eqn in stage.eqns:
            before = len(self.lines)
            commented = self._comment(depth, eqn, loc)
            self._per_element(eqn, index, depth)
            if len(self.lines) == before + (commented is not loc):
                del self.lines[before:]  # a comment over no code (a sum read later)
            else:
                loc = commented
        if self.ranged:  # one update a pass: numba's parallel reductions allow no more
            inside = " & ".join(f"(abs({a}) <= {limit})" for a, limit in self.ranged.items())
            self.add(depth, f"outside += not {inside}" if len(self.ranged) == 1 else
                     f"outside += not ({inside})")  # nan is outside too
        if self.deferred:
            self._split_sums(index, shape[-1], depth)
        self.element = {}
        for eqn in stage.eqns:  # what reductions leave to do once summed
            self._after(eqn, shape)
        return loc

    def _splits(self, stage: Stage) -> bool:
        """Whether the innermost loop of ``stage`` is split in two: the first computes
        each element, the second adds the terms of its sums, stored by the first in a
        row of their own. A float sum in a loop chains its iterations one after
        another (its order is fixed), which keeps the compiler from evaluating the
        loop several elements at a time: split, the first loop's ``runtime`` functions
        run in SIMD registers again (logistic regression's kernel took 16.5 us for
        1,000 values in one loop, 4.5 us split)."""
        return stage.shape[-1] <= SPLIT_MAX and \
            any(ops.fast_spelling(e) for e in stage.eqns) and \
            any(e.prim.name in REDUCTIONS or e.prim.name == "unbroadcast" for e in stage.eqns)

    def _split_sums(self, index: list[str], n: int, depth: int) -> None:
        """The second loop of a split nest: each reduction adds its row of terms. A sum
        over the innermost axis adds them in four interleaved partial sums (what
        NumPy's pairwise sum starts with), which the compiler keeps in one SIMD
        register: a quarter of the chain of one running sum, and a smaller error
        bound. The others (a sum keeping the innermost axis, a maximum) go in order."""
        last = index[-1]
        across = [eqn for eqn in self.deferred if n >= 8 and last not in
                  self._kept_index(eqn, index) and eqn.prim.name not in ("reduce_max",
                                                                         "reduce_min")]
        ordered = [eqn for eqn in self.deferred if eqn not in across]
        if ordered:
            self.add(depth - 1, f"for {last} in range({n}):")
            for eqn in ordered:
                self._add_to(eqn, f"{self.terms[eqn.outvars[0]]}{last}]", index, depth)
        if not across:
            return
        parts = {eqn: [self.names.fresh(f"{self._accumulator(eqn.outvars[0])}{k}")
                       for k in range(4)] for eqn in across}
        for names in parts.values():
            self.add(depth - 1, f"{' = '.join(names)} = 0.0")
        self.add(depth - 1, f"for {last} in range(0, {n - n % 4}, 4):")
        for eqn, names in parts.items():
            terms = self.terms[eqn.outvars[0]]
            for k, part in enumerate(names):
                self.add(depth, f"{part} += {terms}{last}{f' + {k}' if k else ''}]")
        if n % 4:
            self.add(depth - 1, f"for {last} in range({n - n % 4}, {n}):")
            for eqn, names in parts.items():
                self.add(depth, f"{names[0]} += {self.terms[eqn.outvars[0]]}{last}]")
        for eqn, (p0, p1, p2, p3) in parts.items():
            self._add_to(eqn, f"({p0} + {p1}) + ({p2} + {p3})", index, depth - 1)

    def _parallel(self, stage: Stage) -> bool:
        """Threads pay off on large nests, and are safe where no two iterations of the
        outer loop write one element: sums into a scalar (numba's reductions) and
        reductions that keep the outer axis."""
        if stage.shape is None or int(np.prod(stage.shape)) < PARALLEL_MIN:
            return False
        for eqn in stage.eqns:
            if eqn.prim.name in REDUCTIONS or eqn.prim.name == "unbroadcast":
                axes = reduced_axes(eqn)
                full = eqn.outvars[0].aval.shape == () or \
                    len(axes) == eqn.invars[0].aval.ndim
                summing = eqn.prim.name in ("reduce_sum", "reduce_mean", "unbroadcast")
                if (full and not summing) or (not full and 0 in axes):
                    return False
                if full and eqn.outvars[0].aval.shape != ():
                    return False
        return True

    # ------------------------------------------------------------------ equations

    def _scalar(self, eqn: Eqn) -> None:
        out = eqn.outvars[0]
        name = self.names(out)
        if eqn.prim.name in VIEWS:
            x = self.names(eqn.invars[0])
            view = f"{x}.T" if eqn.prim.name == "T" else \
                f"np.expand_dims({x}, {eqn.params['axis']})"
            self.add(1, f"{name} = {view}")
            return
        if eqn.prim.name in ("matmul", "dot"):  # a vector's inner product
            self._product(eqn, [], 1, name)
            return
        self.add(1, f"{name} = {self._expression(eqn, None)}")

    def _expression(self, eqn: Eqn, index: Sequence[str] | None) -> str:
        want = ops.compute_dtype(eqn)
        operands = ops.value_operands(eqn)
        wants = [np.dtype(bool) if eqn.prim.name == "where" and i == 0 else
                 want or ops.own_dtype(a) for i, a in enumerate(operands)]
        args = [self.operand(a, w, index) for a, w in zip(operands, wants)]
        power = ops.power_spelling(eqn)  # x ** 2 as x * x: reads x alone
        expr = power(args[:1]) if power else ops.SCALAR[eqn.prim.name](args)
        out = eqn.outvars[0].aval.dtype
        if out == np.float64 or out.kind != "f" or eqn.prim.name in ops.KEEPS_DTYPE:
            return expr
        return f"{ops.dtype_name(out)}({expr})"

    def _before(self, eqn: Eqn, shape: tuple[int, ...]) -> None:
        out = eqn.outvars[0]
        if eqn.prim.name in REDUCTIONS or eqn.prim.name == "unbroadcast":
            start = {"reduce_max": "-np.inf", "reduce_min": "np.inf"}.get(eqn.prim.name, "0.0")
            acc = self._accumulator(out)
            self.add(1, f"{acc} = {start}" if out.aval.shape == () else
                     f"{acc} = np.full({out.aval.shape}, {start})")
            if self.split:
                self.terms[out] = self._row_of_terms(eqn, shape, acc)
        elif out in self.stored:
            self.add(1, f"{self.names(out)} = np.empty({shape}, {ops.dtype_name(out.aval.dtype)})")

    def _row_of_terms(self, eqn: Eqn, shape: tuple[int, ...], acc: str) -> str:
        """Where a split sum reads its terms: the array its operand is kept in anyway
        (indexed by the outer loops' counters), or a row of its own."""
        summed = eqn.invars[0]
        if isinstance(summed, Var) and summed.aval.shape == shape and \
                summed.aval.dtype == np.float64 and \
                (summed in self.stored or summed in self.plan.invars):
            outer = "".join(f"i{d}, " for d in range(len(shape) - 1))
            return f"{self.names(summed)}[{outer}"
        terms = self.names.fresh(f"{acc}_terms")
        self.add(1, f"{terms} = np.empty({shape[-1]})")
        self.own_rows.add(eqn.outvars[0])
        return f"{terms}["

    def _accumulator(self, out: Var) -> str:
        """A reduction's running value, in float64 until its stage ends."""
        if out not in self.accumulators:
            self.accumulators[out] = self.names.fresh(f"{self.names(out)}_acc")
        return self.accumulators[out]

    def _per_element(self, eqn: Eqn, index: list[str], depth: int) -> None:
        out = eqn.outvars[0]
        name = eqn.prim.name
        if name in REDUCTIONS or name == "unbroadcast":
            self._accumulate(eqn, index, depth)
            return
        local = self.names.fresh(f"{self.names(out)}_i") if out in self.stored \
            else self.names(out)
        if name in ("matmul", "dot"):
            self._product(eqn, index, depth, local)
        elif self.fast and (fast := ops.fast_spelling(eqn)):
            function, limit = fast
            argument = self.operand(eqn.invars[0], np.dtype(np.float64), index)
            self.counts_outside = True
            known = self.ranged.get(argument)  # one check an argument: the tightest
            if known is None or getattr(runtime, limit) < getattr(runtime, known):
                self.ranged[argument] = limit
            self.add(depth, f"{local} = {function}({argument})")
        elif name == "outer":
            a, b = (self.names(v) for v in eqn.invars)
            self.add(depth, f"{local} = {a}[{index[0]}] * {b}[{index[1]}]")
        else:
            self.add(depth, f"{local} = {self._expression(eqn, index)}")
        self.element[out] = local
        if out in self.stored:
            self.add(depth, f"{self.names(out)}[{', '.join(index)}] = {local}")

    def _product(self, eqn: Eqn, index: list[str], depth: int, local: str) -> None:
        """One element of a matrix or vector product, summed in float64 over ``p``."""
        a, b = eqn.invars
        k = a.aval.shape[-1]
        rows = index[:1] if a.aval.ndim == 2 else []
        cols = index[-1:] if b.aval.ndim == 2 else []
        left = f"{self.names(a)}[{', '.join([*rows, 'p'])}]"
        right = f"{self.names(b)}[{', '.join(['p', *cols])}]"
        acc = self.names.fresh(f"{local}_acc")
        self.add(depth, f"{acc} = 0.0")
        self.add(depth, f"for p in range({k}):")
        self.add(depth + 1, f"{acc} += {left} * {right}")
        dtype = eqn.outvars[0].aval.dtype
        self.add(depth, f"{local} = {ops.converted(acc, np.dtype(np.float64), dtype)}")

    def _accumulate(self, eqn: Eqn, index: list[str], depth: int) -> None:
        value = self.operand(eqn.invars[0], np.dtype(np.float64), index)
        if self.split:
            if eqn.outvars[0] in self.own_rows:
                self.add(depth, f"{self.terms[eqn.outvars[0]]}{index[-1]}] = {value}")
            self.deferred.append(eqn)
        else:
            self._add_to(eqn, value, index, depth)

    def _add_to(self, eqn: Eqn, value: str, index: list[str], depth: int) -> None:
        out = eqn.outvars[0]
        target = self._accumulator(out)
        if out.aval.shape != ():
            target += f"[{', '.join(self._kept_index(eqn, index))}]"
        if eqn.prim.name in ("reduce_max", "reduce_min"):
            local = self.names.fresh("v")
            better = ">" if eqn.prim.name == "reduce_max" else "<"
            self.add(depth, f"{local} = {value}")
            self.add(depth, f"if {local} {better} {target} or {local} != {local}:")
            self.add(depth + 1, f"{target} = {local}")
        else:
            self.add(depth, f"{target} += {value}")

    def _kept_index(self, eqn: Eqn, index: list[str]) -> list[str]:
        axes = reduced_axes(eqn)
        out_shape = eqn.outvars[0].aval.shape
        if eqn.prim.name == "unbroadcast":
            lead = len(index) - len(out_shape)
            return [index[lead + d] if lead + d not in axes else "0"
                    for d in range(len(out_shape))]
        if eqn.params.get("keepdims"):
            return [("0" if d in axes else i) for d, i in enumerate(index)]
        return [i for d, i in enumerate(index) if d not in axes]

    def _after(self, eqn: Eqn, shape: tuple[int, ...]) -> None:
        if eqn.prim.name not in REDUCTIONS and eqn.prim.name != "unbroadcast":
            return
        out = eqn.outvars[0]
        value = self.accumulators[out]
        if eqn.prim.name == "reduce_mean":
            value = f"{value} / {int(np.prod(shape)) // max(1, int(np.prod(out.aval.shape)))}"
            value = f"({value})" if out.aval.shape else value
        if out.aval.dtype != np.float64:
            value = f"{ops.dtype_name(out.aval.dtype)}({value})" if out.aval.shape == () else \
                f"{value}.astype({ops.dtype_name(out.aval.dtype)})"
        self.add(1, f"{self.names(out)} = {value}")


def write(plan: Plan, name: str, made_by: dict[Var, str] | None = None) -> Written:
    """The source of ``plan`` as a numba kernel called ``name``; ``made_by`` names the
    primitive that computed each of its inputs (for the names of unnamed ones). If it
    uses a fast function of limited range, its exact twin follows it."""
    writer = _Writer(plan, name, made_by or {}, fast=True)
    written = writer.write()
    if not writer.counts_outside:
        return written
    exact = _Writer(plan, f"{name}_exact", made_by or {}, fast=False).write()
    twin = f"# {name} with the C library's functions, for arguments beyond runtime's range\n"
    return Written(name, f"{written.source}\n\n{twin}{exact.source}", written.parallel,
                   written.boxed)

"""Which equations become one kernel, and in which loop nest each runs.

A run of consecutive equations a kernel can evaluate (elementwise maths, the
reductions that end it, small matrix products, index remappings such as ``.T``, and
scalar code) becomes one ``fused`` equation: one call from the generated code, one
pass over memory. Inside a kernel, equations whose results have the same shape share
one loop nest (a *stage*), each evaluated per element into a local variable; only
values read outside their stage are stored in arrays. A reduction accumulates while its
stage runs, so what reads its result goes to a later stage. Each equation goes to the
earliest stage that can evaluate it (see ``_Planner``).

Runs end at what a kernel cannot evaluate: a large matrix product (BLAS does it
better), control flow, calls, anything with a shape or dtype not known when compiling.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...ir.core import Eqn, Function, Var, map_regions, reads, substitute_function
from . import ops

# A product of at most this many multiply-adds is written as loops in the kernel; a
# larger one is a NumPy (BLAS) call between kernels. Measured here (float64, square
# operands): 8^3 take 0.9 us as loops against 1.7 us for BLAS and a second kernel,
# 16^3 2.1 us against 1.9 us, 32^3 14 us against 3 us.
SMALL_PRODUCT = 1 << 12
# A vector times a matrix reads the matrix down its columns, a stride of a row per
# multiply-add, which no SIMD lane shares: measured here (float64, then tanh), 32x32
# takes 1.8 us as loops against 2.0 us for BLAS and a kernel, 48x48 2.9 against 2.3,
# 64x64 4.6 against 2.6.
SMALL_VECTOR_PRODUCT = 1 << 11

# Functions NumPy evaluates with SIMD code of its own, 4 to 80 times faster per element
# than the C library's scalar version a kernel calls (measured here, float64 and
# float32): beyond a few elements, a NumPy call between kernels costs less than fusing
# them. In float64 NumPy's ``sin`` and ``cos`` are the C library's (11 ns a value on
# normal deviates): a kernel takes them, in SIMD code of its own (``runtime``), as it
# takes float64 ``exp``, ``tanh`` and ``sigmoid``, whose SIMD code of its own is about as
# fast as NumPy's and spares the call and the array between kernels.
NUMPY_SIMD = frozenset(["exp", "log", "tan", "tanh", "sinh", "cosh", "arcsin", "arccos",
                        "arctan", "arcsinh", "arctanh", "log1p", "expm1", "log2", "log10",
                        "exp2", "cbrt", "sigmoid"])
NUMPY_SIMD_FLOAT32 = frozenset(["sin", "cos"])
# Up to this many elements, a NumPy call costs more than the slower maths saves.
SIMD_SMALL = 32

REDUCTIONS = ("reduce_sum", "reduce_mean", "reduce_max", "reduce_min")
# Views of a whole array (numba makes them without copying), run once.
VIEWS = ("T", "expand_dims")


@dataclass(eq=False)
class Stage:
    """Equations run together: a loop nest over ``shape``, or (``shape`` None) scalar
    and whole-array statements run once."""

    shape: tuple[int, ...] | None
    eqns: list[Eqn] = field(default_factory=list)
    elements: set[Var] = field(default_factory=set)  # evaluated per element
    results: set[Var] = field(default_factory=set)  # whole once the stage is done


@dataclass(eq=False)
class Plan:
    """One kernel: what it reads, what it returns, its stages in order."""

    invars: list[Var]
    outvars: list[Var]
    stages: list[Stage]


def role(eqn: Eqn) -> tuple[str, tuple[int, ...]] | None:
    """How a kernel evaluates ``eqn`` and over which shape: ``("map", S)`` per element
    of its result, ``("reduce", S)`` accumulating over its operand's elements,
    ``("scalar", ())`` or ``("view", S)`` once; None if it cannot."""
    name = eqn.prim.name
    if eqn.prim.form != "apply" or not all(v.aval.known for v in eqn.outvars):
        return None
    out = eqn.outvars[0].aval
    if ops.computes(eqn):
        if out.shape == ():
            return ("scalar", ())
        return None if _faster_in_numpy(eqn) else ("map", out.shape)
    if name in REDUCTIONS or name == "unbroadcast":
        return _reduction_role(eqn)
    if name in ("matmul", "dot"):
        return _product_role(eqn)
    if name == "outer" and _floats(eqn.invars) and _remap_params_ok(eqn):
        return ("map", out.shape)
    if name in VIEWS and _floats(eqn.invars[:1]) and _remap_params_ok(eqn):
        return ("view", out.shape)
    return None


def _faster_in_numpy(eqn: Eqn) -> bool:
    out = eqn.outvars[0].aval
    simd = eqn.prim.name in NUMPY_SIMD or (
        eqn.prim.name in NUMPY_SIMD_FLOAT32 and out.dtype == np.float32)
    return simd and not ops.fast_spelling(eqn) and int(np.prod(out.shape)) > SIMD_SMALL


def _floats(atoms: Sequence[Any]) -> bool:
    """Non-empty float32 or float64 arrays, shapes known."""
    return all(isinstance(a, Var) and a.aval.known and a.aval.dtype in (np.float32, np.float64)
               and a.aval.shape and 0 not in a.aval.shape for a in atoms)


def _remap_params_ok(eqn: Eqn) -> bool:
    if eqn.prim.name == "outer":
        return all(a.aval.ndim == 1 for a in eqn.invars) and \
            len({a.aval.dtype for a in eqn.invars}) == 1
    if eqn.prim.name == "expand_dims":
        return isinstance(eqn.params.get("axis"), int)
    return not eqn.params


def _reduction_role(eqn: Eqn) -> tuple[str, tuple[int, ...]] | None:
    x = eqn.invars[0]
    if not _floats([x]) or eqn.outvars[0].aval.dtype.kind != "f":
        return None
    if eqn.prim.name == "unbroadcast":
        like = eqn.invars[1]
        ok = isinstance(like, Var) and _floats([like])
        return ("reduce", x.aval.shape) if ok else None
    if set(eqn.params) - {"axis", "keepdims"} or len(eqn.invars) != 1:
        return None
    return ("reduce", x.aval.shape) if reduced_axes(eqn) is not None else None


def reduced_axes(eqn: Eqn) -> tuple[int, ...] | None:
    """The axes of its operand a reduction sums over (normalised), or None if unknown."""
    x = eqn.invars[0]
    ndim = x.aval.ndim
    if eqn.prim.name == "unbroadcast":
        like = eqn.invars[1].aval.shape
        lead = ndim - len(like)
        return tuple(range(lead)) + tuple(
            lead + i for i, n in enumerate(like) if n == 1 and x.aval.shape[lead + i] != 1)
    axis = eqn.params.get("axis")
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, int) else axis
    if not isinstance(axes, tuple) or not all(isinstance(a, int) for a in axes):
        return None
    return tuple(sorted(a % ndim for a in axes))


def _product_role(eqn: Eqn) -> tuple[str, tuple[int, ...]] | None:
    a, b = eqn.invars[:2] if len(eqn.invars) == 2 else (None, None)
    if eqn.params or a is None or not _floats([a, b]) or a.aval.dtype != b.aval.dtype:
        return None
    if a.aval.ndim > 2 or b.aval.ndim > 2:
        return None
    k = a.aval.shape[-1]
    if b.aval.shape[0] != k:
        return None
    out = eqn.outvars[0].aval.shape
    limit = SMALL_VECTOR_PRODUCT if a.aval.ndim == 1 and b.aval.ndim == 2 else SMALL_PRODUCT
    if int(np.prod(out, dtype=np.int64)) * k > limit:
        return None
    return ("scalar", ()) if out == () else ("map", out)


def array_operands(eqn: Eqn) -> list[Var]:
    """Operands a kernel reads as whole arrays (at indices other than the element's
    own): a product's, a remap's, and any broadcast to a larger shape."""
    name = eqn.prim.name
    if name in ("matmul", "dot", "outer"):
        return [a for a in eqn.invars if isinstance(a, Var)]
    if name in REDUCTIONS or name == "unbroadcast":
        return []
    shape = eqn.outvars[0].aval.shape
    return [a for a in ops.value_operands(eqn)
            if isinstance(a, Var) and a.aval.shape not in (shape, ())]


def read_operands(eqn: Eqn) -> list[Var]:
    """The values a kernel reads for ``eqn`` (``unbroadcast`` reads only the shape of
    its second operand, known when compiling)."""
    atoms = eqn.invars[:1] if eqn.prim.name == "unbroadcast" else eqn.invars
    return [a for a in atoms if isinstance(a, Var)]


class _Planner:
    """Assigns the equations of one run to stages, each as early as its operands allow.

    An equation evaluated per element joins a loop nest of its shape whose every
    operand it can read there: computed before the nest, or an element of the nest
    itself (not one of its sums, which are complete only once it ends, nor one read
    at other indices). Of those nests, it joins the one holding most of its operands,
    else a new nest at the end. A statement run once (scalar maths, a view such as
    ``.T``) goes right after the stage its last operand comes from.
    """

    def __init__(self) -> None:
        self.stages: list[Stage] = []
        self.source: dict[Var, Stage] = {}  # the stage computing each value

    def add(self, eqn: Eqn, kind: str, shape: tuple[int, ...]) -> None:
        operands = read_operands(eqn)
        if kind in ("scalar", "view"):
            stage = self._once_stage(self._after(operands))
            stage.results.update(eqn.outvars)
        else:
            stage = self._nest(eqn, shape, operands)
            (stage.results if kind == "reduce" else stage.elements).update(eqn.outvars)
        stage.eqns.append(eqn)
        for v in eqn.outvars:
            self.source[v] = stage

    def _after(self, operands: Sequence[Var]) -> int:
        """The first position after every stage computing one of ``operands``."""
        return max((self.stages.index(self.source[a]) + 1 for a in operands
                    if a in self.source), default=0)

    def _nest(self, eqn: Eqn, shape: tuple[int, ...], operands: Sequence[Var]) -> Stage:
        whole = set(array_operands(eqn))
        best, best_shared = None, -1
        for at, stage in enumerate(self.stages):
            if stage.shape == shape and all(self._readable_in(a, stage, at, whole)
                                            for a in operands):
                shared = sum(a in stage.elements for a in operands)
                if shared >= best_shared:
                    best, best_shared = stage, shared
        if best is None:
            best = Stage(shape)
            self.stages.append(best)
        return best

    def _readable_in(self, a: Var, stage: Stage, at: int, whole: set[Var]) -> bool:
        """Whether an equation in ``stage`` (at position ``at``) can read ``a``."""
        source = self.source.get(a)
        if source is None:
            return True
        if source is stage:
            return a in stage.elements and a not in whole
        return self.stages.index(source) < at

    def _once_stage(self, at: int) -> Stage:
        """A stage of statements run once at position ``at`` (or just before it)."""
        if at > 0 and self.stages[at - 1].shape is None:
            return self.stages[at - 1]
        if at < len(self.stages) and self.stages[at].shape is None:
            return self.stages[at]
        stage = Stage(None)
        self.stages.insert(at, stage)
        return stage


def plan(run: Sequence[Eqn], read_after: set[Var]) -> Plan:
    """The kernel evaluating ``run``; ``read_after``: values read once it is done."""
    planner = _Planner()
    for eqn in run:
        kind, shape = role(eqn)
        planner.add(eqn, kind, shape)
    defined = {v for e in run for v in e.outvars}
    invars: dict[Var, None] = {}
    for e in run:
        for a in read_operands(e):
            if a not in defined:
                invars[a] = None
    outvars = [v for e in run for v in e.outvars if v in read_after]
    return Plan(list(invars), outvars, planner.stages)


def worth_a_kernel(plan: Plan) -> bool:
    """A kernel pays where it saves NumPy calls and passes over memory: it evaluates
    more equations than it returns arrays (NumPy would write one per equation), or
    its work is small enough that calls are the cost."""
    eqns = [e for stage in plan.stages for e in stage.eqns]
    if len(eqns) < 2 or not plan.outvars:
        return False
    elements = max((int(np.prod(s.shape)) for s in plan.stages if s.shape), default=0)
    return len(eqns) > len(plan.outvars) or elements <= SIMD_SMALL


def trimmed(run: Sequence[Eqn]) -> tuple[list[Eqn], list[Eqn]]:
    """``run`` without the views nothing in it reads (``g.T`` made for a product
    outside), which follow the kernel instead: a kernel would only hand them back."""
    kept = list(run)
    while True:
        read = {a for e in kept for a in read_operands(e)}
        unread = [e for e in kept if role(e)[0] == "view" and not set(e.outvars) & read]
        if not unread:
            break
        kept = [e for e in kept if e not in unread]
    return kept, [e for e in run if e not in kept]


def gathered(fn: Function) -> Function:
    """``fn`` with equations a kernel can evaluate moved as late as what reads them
    allows, past pure NumPy calls that do not need them, so runs grow: in
    ``s = sin(x); t = exp(-x**2); g = s * t`` the sine waits for the product's kernel
    instead of being a NumPy call of its own. Only data decides: an equation with an
    effect, a region or a call is passed by nothing, nor is one that draws random
    numbers or writes into an array."""
    out: list[Eqn] = []
    waiting: list[Eqn] = []  # kernel equations not yet needed, in order
    for eqn in fn.eqns:
        if role(eqn) is not None:
            waiting.append(eqn)
            continue
        prim = eqn.prim
        movable = prim.form == "apply" and not prim.random and prim.writes is None
        needed = _needed(waiting, set(reads(eqn))) if movable else set(map(id, waiting))
        out.extend(e for e in waiting if id(e) in needed)
        waiting = [e for e in waiting if id(e) not in needed]
        out.append(eqn)
    out.extend(waiting)
    return Function(fn.name, fn.invars, tuple(out), fn.outvars, fn.loc)


def _needed(waiting: Sequence[Eqn], values: set[Var]) -> set[int]:
    """The waiting equations (by ``id``) that compute ``values``, and what they need;
    then those that go on from their results and need nothing else still waiting (a
    gradient's sum over the batch stays in the kernel that makes the gradient)."""
    needed: set[int] = set()
    for eqn in reversed(waiting):
        if values & set(eqn.outvars):
            needed.add(id(eqn))
            values |= set(reads(eqn))
    made = {v for e in waiting if id(e) in needed for v in e.outvars}
    pending = {v for e in waiting if id(e) not in needed for v in e.outvars}
    for eqn in waiting:
        operands = set(reads(eqn))
        if id(eqn) not in needed and operands & made and not operands & pending:
            needed.add(id(eqn))
            made.update(eqn.outvars)
            pending.difference_update(eqn.outvars)
    return needed


def runs(fn: Function) -> list[tuple[int, int]]:
    """``(start, stop)`` of each maximal run of equations a kernel can evaluate."""
    found, start = [], None
    for i, eqn in enumerate(fn.eqns):
        if role(eqn) is not None:
            start = i if start is None else start
            continue
        if start is not None:
            found.append((start, i))
            start = None
    if start is not None:
        found.append((start, len(fn.eqns)))
    return found


def read_after(fn: Function, stop: int) -> set[Var]:
    """Values read by the equations from ``stop`` on, or returned."""
    out = {a for a in fn.outvars if isinstance(a, Var)}
    for eqn in fn.eqns[stop:]:
        out.update(reads(eqn))
    return out


def without_aliases(fn: Function) -> Function:
    """``fn`` with each ``alias`` equation (``stop_gradient``'s identity, which code
    generation writes as nothing) replaced by its operand, so it splits no run."""
    mapping: dict[Var, Any] = {}
    eqns = []
    for eqn in fn.eqns:
        if eqn.prim.form == "alias":
            source = eqn.invars[0]
            mapping[eqn.outvars[0]] = mapping.get(source, source) \
                if isinstance(source, Var) else source
        else:
            eqns.append(map_regions(eqn, without_aliases))
    body = Function(fn.name, fn.invars, tuple(eqns), fn.outvars, fn.loc)
    return substitute_function(body, mapping) if mapping else body



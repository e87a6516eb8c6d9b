"""The numba backend: NumPy code in which runs of elementwise work, the reductions that
end them, small products and scalar code are fused into kernels numba compiles.

``prepare`` finds the runs (``fusion``), writes each as a kernel (``kernels``) and
replaces it by one call; what is left (large products, which BLAS does better, control
flow, anything not fused) is spelled as the NumPy backend spells it. Kernels are files
on disk that numba caches (``cache``), so a process pays for compiling a kernel once
per machine, not once per run. ``show --backend numba`` prints the kernels above the
function that calls them.
"""
from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

from ...ir.core import (
    Aval,
    Const,
    Eqn,
    Function,
    Var,
    map_regions,
    reads,
    regions,
    substitute_function,
)
from ...ir.primitives import REGISTRY, Primitive
from ..base import Backend
from ..numpy import ufunc_name
from ..numpy.runtime import NAMESPACE as NUMPY_NAMESPACE
from ..numpy.spellings import spell as numpy_spell
from . import cache, fusion, kernels

# Generated code calls each kernel as ``kernels.<name>``.
KERNELS = types.SimpleNamespace()


class Kernel:
    """A fused kernel as the generated code calls it: its name, source and dispatcher."""

    def __init__(self, written: kernels.Written) -> None:
        self.name, self.source, self.boxed = written.name, written.source, written.boxed
        self.fn = cache.load(self.name, self.source)
        setattr(KERNELS, self.name, self.fn)

    def __repr__(self) -> str:
        return f"Kernel({self.name})"


def _run(*args: Any, kernel: Kernel) -> Any:
    return kernel.fn(*args)


FUSED = Primitive("fused", _run, n_out=None, foldable=False, registered=False)


def fuse(fn: Function) -> Function:
    """``fn`` with each run worth a kernel replaced by a call of one (in regions too)."""
    fn = fusion.without_aliases(fn)
    eqns = [map_regions(e, fuse) for e in fn.eqns]
    fn = fusion.gathered(Function(fn.name, fn.invars, tuple(eqns), fn.outvars, fn.loc))
    out: list[Eqn] = []
    renamed: dict[Var, Var] = {}  # a kernel's unnamed results, named for the reader
    made_by = {v: e.prim.name for e in fn.eqns for v in e.outvars}
    done = 0
    for start, stop in fusion.runs(fn):
        out.extend(fn.eqns[done:start])
        done = stop
        run, after = fusion.trimmed(fn.eqns[start:stop])
        read_after = fusion.read_after(fn, stop) | {a for e in after for a in reads(e)}
        plan = fusion.plan(run, read_after) if run else None
        if plan is None or not fusion.worth_a_kernel(plan):
            out.extend(fn.eqns[start:stop])
            continue
        out.extend(_kernel_call(plan, run, renamed, made_by))
        out.extend(after)
    out.extend(fn.eqns[done:])
    return substitute_function(Function(fn.name, fn.invars, tuple(out), fn.outvars, fn.loc),
                               renamed)


def _kernel_call(plan: fusion.Plan, run: Sequence[Eqn], renamed: dict[Var, Var],
                 made_by: dict[Var, str]) -> list[Eqn]:
    """The call of ``plan``'s kernel; a result the kernel boxes as a 0-d array (to keep
    its NumPy dtype: numba returns float32 scalars as Python floats) is unboxed after.
    A result with no name of the user's is named after what computed it (``exp``),
    through ``renamed``."""
    producer = {v: e.prim.name for e in run for v in e.outvars}
    for v in plan.outvars:
        if not v.hint:
            renamed[v] = Var(v.aval, producer[v], made_up=True)
    first = renamed.get(plan.outvars[0], plan.outvars[0]) if plan.outvars else None
    prefix = "k_" + (first.hint if first is not None and first.hint else "fused")
    draft = kernels.write(plan, "KERNEL", made_by)
    kernel = Kernel(kernels.write(plan, cache.content_name(prefix, draft.source), made_by))
    results, unbox = [], []
    for v, boxed in zip((renamed.get(v, v) for v in plan.outvars), kernel.boxed):
        if boxed:
            box = Var(Aval(v.aval.shape, v.aval.dtype), v.hint + "_0d", made_up=True)
            unbox.append(Eqn((v,), REGISTRY["getitem"], (box, Const(())), {}, run[-1].loc))
            results.append(box)
        else:
            results.append(v)
    loc = next((e.loc for e in run if e.loc is not None), None)
    call = Eqn(tuple(results), FUSED, tuple(plan.invars), {"kernel": kernel}, loc)
    return [call, *unbox]


def spell(eqn: Eqn, python_floats: bool = True) -> tuple[str, str]:
    if eqn.prim is FUSED:
        return ("call", f"kernels.{eqn.params['kernel'].name}")
    return numpy_spell(eqn, python_floats)


def _keywords(eqn: Eqn) -> dict[str, Any]:
    return {} if eqn.prim is FUSED else dict(eqn.params)


def support(fn: Function) -> str:
    """The kernels ``fn`` calls, as source shown above it."""
    found: dict[str, str] = {}

    def visit(body: Function) -> None:
        for eqn in body.eqns:
            if eqn.prim is FUSED:
                found.setdefault(eqn.params["kernel"].name, eqn.params["kernel"].source)
            for _, region in regions(eqn):
                visit(region)

    visit(fn)
    return "\n\n".join(found.values())


BACKEND = Backend("numba", spell, {**NUMPY_NAMESPACE, "kernels": KERNELS},
                  out_function=ufunc_name, python_floats=True, keywords=_keywords,
                  prepare=fuse, support=support, fuses=True, numpy_arrays=True,
                  description="NumPy with elementwise work fused into numba kernels")

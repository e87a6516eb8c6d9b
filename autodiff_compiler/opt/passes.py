"""Optimisation passes, each ``Function -> Function``, and the pipeline they form.

``small_sigmoids`` (``small.py``) writes out a sigmoid of a few values, whose calls
are its cost; ``simplify`` (its own module) applies algebraic identities that rules
and seeds leave behind; ``scatter_sums`` (``scatters.py``) adds a slice's adjoint into
the running sum instead of into zeros, ``running_scatter_sums`` a loop's row's into
its running sum in place, and ``rows_written_back`` makes a place zeroed and added to
one write; ``rows_written_in_place`` (``row_writes.py``) writes the rows of an array a
loop owns in place; ``distribute`` (``factoring.py``) takes common
factors out of sums; ``float_literals`` spells an integer beside a float as a float;
``hoist_loop_products`` (``hoisting.py``) makes a loop's products of its step's row and
an unchanging matrix for all rows at once, before the loop, and
``products_summed_after_loops`` (``loop_sums.py``) a loop's running sum of small
products of its steps' operands once, after it;
``row_major_loop_operands`` (``layout.py``) copies a matrix a loop multiplies by
transposed into row-major order once, before the loop;
``cse`` merges repeated computations; ``dce`` then removes equations nothing
needs (and a loop's per-step records nothing reads): all primitives are pure but the
few marked ``effect`` (an assert, a print), which stay, with the regions and calls
holding them; ``keep_overwritten``
(``writes.py``) copies a value ``ops.assign`` overwrites where something reads the old
one after the write; ``fresh_outputs`` (``fresh.py``) copies any output that shares
memory with an argument, a constant or another output.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ..ir import primitives as P
from ..ir.core import (
    Atom,
    Eqn,
    Function,
    Var,
    map_regions,
    reads,
    regions,
    substitute_eqn,
    verify,
)
from .factoring import distribute
from .fresh import fresh_outputs
from .hoisting import hoist_loop_products
from .layout import row_major_loop_operands
from .loop_sums import products_summed_after_loops
from .row_writes import rows_written_in_place
from .scatters import rows_written_back, running_scatter_sums, scatter_sums
from .schedule import schedule
from .shapes import shape_sources
from .simplify import float_literals, simplify
from .small import small_sigmoids
from .writes import keep_overwritten, written_targets


def dce(fn: Function) -> Function:
    """Dead-code elimination: keep only equations the outputs depend on (region
    bodies are cleaned inside; a loop runs whole if any of its results is used, a
    branch computes only the results used)."""
    live = {a for a in fn.outvars if isinstance(a, Var)}
    kept = []
    for eqn in reversed(fn.eqns):
        if any(v in live for v in eqn.outvars) or has_effect(eqn):
            if eqn.prim is P.cond:
                eqn = _used_results(eqn, live)
            elif eqn.prim is P.loop:
                eqn = _used_records(eqn, live)
            eqn = map_regions(eqn, dce)
            kept.append(eqn)
            live.update(reads(eqn))
    return replace(fn, eqns=tuple(reversed(kept)))


def _used_results(eqn: Eqn, live: set[Var]) -> Eqn:
    """A ``cond`` giving only its results that are used (a merged name nothing reads
    after the ``if``, such as the loop variable of a loop a ``break`` left)."""
    used = [i for i, v in enumerate(eqn.outvars) if v in live]
    if len(used) == len(eqn.outvars):
        return eqn
    branches = tuple(select_outputs(b, used) for b in eqn.params["branches"])
    return replace(eqn, outvars=tuple(eqn.outvars[i] for i in used),
                   params={**eqn.params, "branches": branches})


def _used_records(eqn: Eqn, live: set[Var]) -> Eqn:
    """A ``loop`` recording only the per-step values that are used (a tape whose reader
    a rewrite removed). Its carried values all stay: each step reads the last."""
    n_ys = eqn.params["n_ys"]
    carried = len(eqn.outvars) - n_ys
    used = [i for i in range(carried, len(eqn.outvars)) if eqn.outvars[i] in live]
    if len(used) == n_ys:
        return eqn
    body = eqn.params["body"]
    keep = [*range(carried), *used]
    return replace(eqn, outvars=tuple(eqn.outvars[i] for i in keep),
                   params={**eqn.params, "n_ys": len(used),
                           "body": replace(body, outvars=tuple(body.outvars[i] for i in keep))})


def has_effect(eqn: Eqn, seen: frozenset[int] = frozenset()) -> bool:
    """Whether running ``eqn`` (a region's body, a function it calls) does something
    beyond its results: an assert, a print."""
    if eqn.prim.effect or any(has_effect(e, seen) for _, body in regions(eqn)
                              for e in body.eqns):
        return True
    callee = eqn.params.get("callee")
    if callee is None or getattr(callee, "fn", None) is None or id(callee) in seen:
        return False
    return any(has_effect(e, seen | {id(callee)}) for e in callee.fn.eqns)


def select_outputs(fn: Function, indices: list[int]) -> Function:
    """The same program returning only some of its outputs (then run ``dce``)."""
    return replace(fn, outvars=tuple(fn.outvars[i] for i in indices))


def cse(fn: Function) -> Function:
    """Common-subexpression elimination: an equation that repeats an earlier one (same
    primitive, operands and params) reuses its result. Within a body, and into the
    regions it holds (a region may reuse what its enclosing body computed)."""
    return _cse(fn, {})


def _cse(fn: Function, seen: dict[tuple, tuple[Var, ...]],
         own_arrays: set[Var] | None = None) -> Function:
    seen = dict(seen)
    subst: dict[Var, Atom] = {}
    eqns: list[Eqn] = []
    if own_arrays is None:  # an array written in place is never merged with another
        own_arrays = written_targets(fn)
    for eqn in fn.eqns:
        eqn = substitute_eqn(eqn, subst) if subst else eqn
        if regions(eqn):
            eqns.append(map_regions(eqn, lambda body: _cse(body, seen, own_arrays)))
            continue
        key = None if own_arrays.intersection(eqn.outvars) else _cse_key(eqn)
        if key is not None and key in seen:
            subst.update(zip(eqn.outvars, seen[key]))
            continue
        if key is not None:
            seen[key] = eqn.outvars
        eqns.append(eqn)
    outs = tuple(subst.get(a, a) if isinstance(a, Var) else a for a in fn.outvars)
    return replace(fn, eqns=tuple(eqns), outvars=outs)


def _cse_key(eqn: Eqn) -> tuple | None:
    # Only computations merge: not calls, in-place sums, aliases, checks or regions
    # (below), and not new arrays, each its own object as a running sum may be
    # accumulated into it (add_into).
    if eqn.prim.form not in ("apply", "region") or "callee" in eqn.params \
            or eqn.prim.unique:
        return None
    try:
        operands = tuple(a if isinstance(a, Var) else ("const", type(a.value), repr(a.value))
                         for a in eqn.invars)
        return (eqn.prim, operands, repr(sorted(eqn.params.items())))
    except Exception:  # operands or params that do not print: never merged
        return None


# float_literals before cse too: a rule's ``1 - t`` and the user's ``1.0 - t`` are then
# the same equation (and again at the end, for the literals distribute writes)
PIPELINE: list[Callable[[Function], Function]] = [small_sigmoids, simplify, float_literals, cse,
                                                  dce, shape_sources, scatter_sums,
                                                  rows_written_back, distribute,
                                                  hoist_loop_products, products_summed_after_loops,
                                                  row_major_loop_operands,
                                                  running_scatter_sums, dce,
                                                  rows_written_in_place, float_literals,
                                                  keep_overwritten, schedule]
NUMPY_ONLY = (products_summed_after_loops, row_major_loop_operands, running_scatter_sums,
              rows_written_in_place)


def optimize(fn: Function, *, check: bool = True, fused: bool = False,
             numpy_arrays: bool = True) -> Function:
    """The default pipeline, verifying the IR after every pass; outputs come out fresh.
    ``fused``: for a backend that fuses elementwise work, where fewer calls save nothing
    (``small_sigmoids`` is left out). ``numpy_arrays``: arrays are NumPy's, in memory
    and writable (else the passes for those, ``NUMPY_ONLY``, are left out)."""
    for pass_ in [*PIPELINE, fresh_outputs]:
        if (fused and pass_ is small_sigmoids) or \
                (not numpy_arrays and pass_ in NUMPY_ONLY):
            continue
        fn = pass_(fn)
        if check:
            verify(fn)
    return fn


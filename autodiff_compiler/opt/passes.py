"""Optimisation passes, each ``Function -> Function``, and the pipeline they form.

``small_sigmoids`` (``small.py``) writes out a sigmoid of a few values, whose calls
are its cost; ``simplify`` (its own module) applies algebraic identities that rules
and seeds leave behind; ``scatter_sums`` (``scatters.py``) adds a slice's adjoint into
the running sum instead of into zeros; ``distribute`` factors common scalars out of
sums; ``cse`` merges repeated computations; ``dce`` then removes equations nothing
needs: all primitives are pure but the few marked ``effect`` (an assert, a print),
which stay, with the regions and calls holding them; ``keep_overwritten``
(``writes.py``) copies a value ``ops.assign`` overwrites where something reads the old
one after the write.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace

from ..ir import primitives as P
from ..ir.core import (
    Atom,
    Const,
    Eqn,
    Function,
    Var,
    map_regions,
    reads,
    regions,
    substitute,
    verify,
)
from .scatters import scatter_sums
from .schedule import schedule
from .simplify import is_float_scalar, same_aval_values, simplify
from .small import small_sigmoids
from .writes import keep_overwritten


def dce(fn: Function) -> Function:
    """Dead-code elimination: keep only equations the outputs depend on (region
    bodies are cleaned inside; a region runs whole if any of its results is used)."""
    live = {a for a in fn.outvars if isinstance(a, Var)}
    kept = []
    for eqn in reversed(fn.eqns):
        if any(v in live for v in eqn.outvars) or has_effect(eqn):
            eqn = map_regions(eqn, dce)
            kept.append(eqn)
            live.update(reads(eqn))
    return replace(fn, eqns=tuple(reversed(kept)))


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


def distribute(fn: Function) -> Function:
    """``k a + k b`` is ``k (a + b)``, and ``k a - k b``, ``-k a + k b`` likewise, also
    when ``k`` sits deeper in a product (``(k a) c`` is ``k (a c)``): one multiplication
    fewer; and ``a + a`` (the adjoint of ``x * x``) is ``a * 2``. Gradients meet such
    sums wherever a scaled seed (a mean's ``1/n``) reaches a value along two paths. Only
    where every product is used there alone, ``k`` is the same scalar constant, and
    every new value keeps the aval of the one it replaces."""
    uses = Counter(v for eqn in fn.eqns for v in reads(eqn))
    uses.update(a for a in fn.outvars if isinstance(a, Var))
    producers: dict[Var, Eqn] = {}
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, distribute)
        factored = _factor(eqn, producers, uses) if eqn.prim in (P.add, P.sub) else None
        for new in factored or (eqn,):
            producers.update((v, new) for v in new.outvars)
            eqns.append(new)
    return replace(fn, eqns=tuple(eqns))


def _scaled(atom: Atom, producers: dict[Var, Eqn],
            uses: Counter) -> tuple[Const, Atom, list[Eqn]] | None:
    """``(k, a, eqns)`` if ``atom`` is ``k * a`` for a scalar float constant ``k`` and
    ``eqns`` computing ``a``, when every product on the way is read once."""
    eqn = producers.get(atom) if isinstance(atom, Var) else None
    if eqn is None or eqn.prim is not P.mul or uses[atom] != 1:
        return None
    for k, a in (eqn.invars, reversed(eqn.invars)):
        if is_float_scalar(k):
            return k, a, []
    for inner, other in (eqn.invars, reversed(eqn.invars)):
        found = _scaled(inner, producers, uses)
        if found is not None:
            k, a, made = found
            rest = Eqn((Var(atom.aval, ""),), P.mul, (a, other), {}, eqn.loc)
            if same_aval_values(P.mul.abstract_eval(rest.invars, {})[0], atom.aval):
                return k, rest.outvars[0], [*made, rest]
    return None


def _factor(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> list[Eqn] | None:
    a, b = eqn.invars
    if a is b and eqn.prim is P.add and isinstance(a, Var) and a.aval.is_float:
        return [Eqn(eqn.outvars, P.mul, (a, Const(2)), {}, eqn.loc)]  # a + a is a * 2
    left, right = (_scaled(a, producers, uses) for a in eqn.invars)
    if left is None or right is None or type(left[0].value) is not type(right[0].value):
        return None
    (k, a, made_a), (k2, b, made_b) = left, right
    sign = 1 if eqn.prim is P.add else -1
    if k2.value * sign == k.value:
        inner_prim = P.add
    elif k2.value * sign == -k.value and k.value != 0:
        inner_prim = P.sub
    else:
        return None
    (aval,) = inner_prim.abstract_eval((a, b), {})
    if not same_aval_values(aval, eqn.outvars[0].aval):
        return None  # the sum must already have the result's dtype: True + True is True
    inner = Eqn((Var(aval, ""),), inner_prim, (a, b), {}, eqn.loc)
    return [*made_a, *made_b, inner, Eqn(eqn.outvars, P.mul, (k, inner.outvars[0]), {}, eqn.loc)]


def fresh_outputs(fn: Function) -> Function:
    """Outputs are handed to users, who may update them in place: none may be an
    input, a constant, a read-only ``broadcast_to`` view, or another output (a
    gradient equal to the auxiliary value it came from); ``np.array`` copies."""
    views = {v for e in fn.eqns if e.prim is P.broadcast_to for v in e.outvars}
    inputs = set(fn.invars)
    eqns, outs, seen = list(fn.eqns), [], set()
    for a in fn.outvars:
        repeated = a in seen and not a.aval.weak  # a Python float is never updated in place
        if isinstance(a, Const) or a in inputs or a in views or repeated:
            copy = Var(a.aval, a.hint if isinstance(a, Var) else "")
            eqns.append(Eqn((copy,), P.copy, (a,), {}, None))
            a = copy
        seen.add(a)
        outs.append(a)
    return replace(fn, eqns=tuple(eqns), outvars=tuple(outs))


def cse(fn: Function) -> Function:
    """Common-subexpression elimination: an equation that repeats an earlier one (same
    primitive, operands and params) reuses its result. Within a body, and into the
    regions it holds (a region may reuse what its enclosing body computed)."""
    return _cse(fn, {})


def _cse(fn: Function, seen: dict[tuple, tuple[Var, ...]]) -> Function:
    seen = dict(seen)
    subst: dict[Var, Atom] = {}
    eqns: list[Eqn] = []
    for eqn in substitute(fn.eqns, {}):
        eqn = substitute([eqn], subst)[0] if subst else eqn
        if regions(eqn):
            eqns.append(map_regions(eqn, lambda body: _cse(body, seen)))
            continue
        key = _cse_key(eqn)
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


PIPELINE: list[Callable[[Function], Function]] = [small_sigmoids, simplify, cse, dce,
                                                  scatter_sums, distribute, dce,
                                                  keep_overwritten, schedule]


def optimize(fn: Function, *, check: bool = True, fused: bool = False) -> Function:
    """The default pipeline, verifying the IR after every pass; outputs come out fresh.
    ``fused``: for a backend that fuses elementwise work, where fewer calls save nothing
    (``small_sigmoids`` is left out)."""
    for pass_ in [*PIPELINE, fresh_outputs]:
        if fused and pass_ is small_sigmoids:
            continue
        fn = pass_(fn)
        if check:
            verify(fn)
    return fn


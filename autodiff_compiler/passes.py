"""Optimisation passes, each ``Function -> Function``.

``simplify`` applies algebraic identities that rules and seeds leave behind
(``x * 1``, ``x ** 1``, ``a + -b``, products with ``ones_like``), only where the
compiler knows the result has exactly the shape and dtype of what replaces it.
``dce`` then removes equations nothing needs: all primitives are pure.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from . import primitives as P
from .ir import Atom, Const, Eqn, Function, Var, verify


def dce(fn: Function) -> Function:
    """Dead-code elimination: keep only equations the outputs depend on."""
    live = {a for a in fn.outvars if isinstance(a, Var)}
    kept = []
    for eqn in reversed(fn.eqns):
        if any(v in live for v in eqn.outvars):
            kept.append(eqn)
            live.update(a for a in eqn.invars if isinstance(a, Var))
    return replace(fn, eqns=tuple(reversed(kept)))


def select_outputs(fn: Function, indices: list[int]) -> Function:
    """The same program returning only some of its outputs (then run ``dce``)."""
    return replace(fn, outvars=tuple(fn.outvars[i] for i in indices))


# ---------------------------------------------------------------------------- simplify


def _is_scalar(atom: Atom, value: float) -> bool:
    if not isinstance(atom, Const) or isinstance(atom.value, bool):
        return False
    v = atom.value
    if isinstance(v, int | float):
        return v == value
    return getattr(v, "shape", None) == () and bool(v == value)


def _same_aval(a: Atom, b: Var) -> bool:
    """``a`` can stand for ``b``: same known shape and dtype."""
    aa, ab = a.aval, b.aval
    return aa.known and ab.known and aa.shape == ab.shape and aa.dtype == ab.dtype \
        and aa.weak == ab.weak


def _identity_operand(eqn: Eqn, producers: dict[Var, Eqn]) -> Atom | None:
    """The operand ``eqn`` merely reproduces, if any (``x * 1`` is ``x``)."""
    prim, args, out = eqn.prim, eqn.invars, eqn.outvars[0]
    candidates: list[Atom] = []
    if prim in (P.mul,):
        for i, j in ((0, 1), (1, 0)):
            if _is_scalar(args[j], 1) or _is_ones(args[j], producers):
                candidates.append(args[i])
    elif prim in (P.add,):
        candidates += [args[i] for i, j in ((0, 1), (1, 0)) if _is_scalar(args[j], 0)]
    elif prim in (P.sub, P.div, P.power):
        if _is_scalar(args[1], 0 if prim is P.sub else 1):
            candidates.append(args[0])
    elif prim is P.broadcast_to and isinstance(args[1], Const):
        candidates.append(args[0])
    return next((c for c in candidates if _same_aval(c, out)), None)


def _is_ones(atom: Atom, producers: dict[Var, Eqn]) -> bool:
    eqn = producers.get(atom) if isinstance(atom, Var) else None
    return eqn is not None and eqn.prim is P.ones_like and not eqn.params


def _rewrite(eqn: Eqn, producers: dict[Var, Eqn]) -> Eqn:
    """``a + -b`` is ``a - b``; ``-a + b`` is ``b - a``."""
    if eqn.prim is P.add:
        a, b = eqn.invars
        for x, y in ((a, b), (b, a)):
            neg = producers.get(y) if isinstance(y, Var) else None
            if neg is not None and neg.prim is P.neg:
                return Eqn(eqn.outvars, P.sub, (x, neg.invars[0]), {}, eqn.loc)
    return eqn


def simplify(fn: Function) -> Function:
    """Algebraic identities, each only where shapes and dtypes provably agree."""
    subst: dict[Var, Atom] = {}
    producers: dict[Var, Eqn] = {}
    eqns: list[Eqn] = []

    def sub(a: Atom) -> Atom:
        return subst.get(a, a) if isinstance(a, Var) else a

    for eqn in fn.eqns:
        eqn = replace(eqn, invars=tuple(sub(a) for a in eqn.invars))
        if len(eqn.outvars) == 1:
            same = _identity_operand(eqn, producers)
            if same is not None:
                _inherit_hint(same, eqn.outvars[0])
                subst[eqn.outvars[0]] = same
                continue
            eqn = _rewrite(eqn, producers)
        producers.update((v, eqn) for v in eqn.outvars)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns), outvars=tuple(sub(a) for a in fn.outvars))


def _inherit_hint(kept: Atom, dropped: Var) -> None:
    if isinstance(kept, Var) and not kept.hint:
        kept.hint = dropped.hint


PIPELINE: list[Callable[[Function], Function]] = [simplify, dce]


def optimize(fn: Function, *, check: bool = True) -> Function:
    """The default pipeline, verifying the IR after every pass."""
    for pass_ in PIPELINE:
        fn = pass_(fn)
        if check:
            verify(fn)
    return fn


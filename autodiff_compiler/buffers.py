"""Buffer reuse: which results generated code writes into a dead operand's array.

A fresh array of hundreds of kilobytes costs more than a pass of arithmetic over it:
the allocator maps new pages and the kernel zeroes each on first touch. So an expert
writes ``np.exp(t, out=t)`` and ``t *= x`` rather than ``t = np.exp(t)`` once ``t``
is large. Generated code does the same, where doing so provably changes nothing
anybody can see. The result of a ufunc is written into an operand's array when:

- the operand is large (``LARGE`` elements) and has the result's exact shape and dtype;
- its array belongs to the generated function alone: a ufunc made it in the same body
  (not an argument, a constant, a captured array, a loop's carried value or a view);
- every reader of it is a ufunc, so no view of it and no copy-free alias exists, and
  nothing outside the body (a loop's tape, a region) holds it;
- this is its last reader, and it is not returned.

The IR is not changed: this is a decision of code generation, like a register
allocation, and a gradient inlined into another function (``grad(grad(f))``) is
inlined as the pure program it is.
"""
from __future__ import annotations

import numpy as np

from .ir import Atom, Eqn, Function, Var, reads, regions

LARGE = 1 << 16  # elements: at this size a fresh array costs more than the arithmetic

_BINOP_UFUNCS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
                 "**": np.power, "//": np.floor_divide, "%": np.remainder}
_UNARYOP_UFUNCS = {"-": np.negative}
# Besides ufuncs, what returns an array of its own that nothing else refers to.
_FRESH_CALLS = frozenset(["sigmoid"])


def ufunc_name(eqn: Eqn) -> str | None:
    """``"np.multiply"`` if ``eqn`` is a plain call of a NumPy ufunc (which takes ``out=``)."""
    kind, text = eqn.prim.spelling
    if eqn.params or len(eqn.outvars) != 1:
        return None
    ufunc = (_BINOP_UFUNCS.get(text) if kind == "binop" else
             _UNARYOP_UFUNCS.get(text) if kind == "unaryop" else
             eqn.prim.impl if kind == "call" else None)
    return f"np.{ufunc.__name__}" if isinstance(ufunc, np.ufunc) else None


def _makes_own_array(eqn: Eqn) -> bool:
    kind, text = eqn.prim.spelling
    return ufunc_name(eqn) is not None or (kind == "call" and text in _FRESH_CALLS)


def large(var: Var) -> bool:
    """An array of at least ``LARGE`` elements: reused in place, freed once dead."""
    aval = var.aval
    return aval.known and not aval.weak and int(np.prod(aval.shape)) >= LARGE


def reusable(fn: Function, alias: dict[Var, Atom]) -> dict[int, int]:
    """For equations (by ``id``) whose result may overwrite an operand, that operand's
    index; bodies of regions are searched too, each on its own."""
    found: dict[int, int] = {}
    _search(fn, alias, found)
    return found


def _search(fn: Function, alias: dict[Var, Atom], found: dict[int, int]) -> None:
    def resolved(a: Atom) -> Atom:
        return alias.get(a, a) if isinstance(a, Var) else a

    owned: set[Var] = set()
    readers: dict[Var, list[Eqn]] = {}
    for eqn in fn.eqns:
        for v in {resolved(a) for a in reads(eqn)}:
            if isinstance(v, Var):
                readers.setdefault(v, []).append(eqn)
        if len(eqn.outvars) == 1 and _makes_own_array(eqn) and eqn.outvars[0] not in alias:
            owned.add(eqn.outvars[0])
        for _, body in regions(eqn):
            _search(body, alias, found)
    returned = {resolved(a) for a in fn.outvars}
    for eqn in fn.eqns:
        if ufunc_name(eqn) is None or not large(eqn.outvars[0]):
            continue
        for i, a in enumerate(eqn.invars):
            a = resolved(a)
            if a in owned and a not in returned and a.aval == eqn.outvars[0].aval \
                    and readers[a][-1] is eqn \
                    and all(ufunc_name(r) is not None for r in readers[a]):
                found[id(eqn)] = i
                break

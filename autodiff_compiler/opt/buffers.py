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

from collections.abc import Callable

import numpy as np

from ..ir.core import Atom, Eqn, Function, Var, reads, regions

LARGE = 1 << 16  # elements: at this size a fresh array costs more than the arithmetic

# Names the function that writes an equation's result into ``out=`` (None: none does).
OutFunction = Callable[[Eqn], "str | None"]


def _makes_own_array(eqn: Eqn, out_function: OutFunction) -> bool:
    """A result that is a new array nothing else refers to."""
    return out_function(eqn) is not None or eqn.prim.allocates


def large(var: Var) -> bool:
    """An array of at least ``LARGE`` elements: reused in place, freed once dead."""
    aval = var.aval
    return aval.known and not aval.weak and int(np.prod(aval.shape)) >= LARGE


def reusable(fn: Function, alias: dict[Var, Atom], out_function: OutFunction) -> dict[int, int]:
    """For equations (by ``id``) whose result may overwrite an operand, that operand's
    index; bodies of regions are searched too, each on its own. ``out_function`` is
    the backend's: which function writes an equation's result into ``out=``."""
    found: dict[int, int] = {}
    _search(fn, alias, found, out_function)
    return found


def _search(fn: Function, alias: dict[Var, Atom], found: dict[int, int],
            out_function: OutFunction) -> None:
    def resolved(a: Atom) -> Atom:
        return alias.get(a, a) if isinstance(a, Var) else a

    owned: set[Var] = set()
    readers: dict[Var, list[Eqn]] = {}
    for eqn in fn.eqns:
        for v in {resolved(a) for a in reads(eqn)}:
            if isinstance(v, Var):
                readers.setdefault(v, []).append(eqn)
        if len(eqn.outvars) == 1 and _makes_own_array(eqn, out_function) \
                and eqn.outvars[0] not in alias:
            owned.add(eqn.outvars[0])
        for _, body in regions(eqn):
            _search(body, alias, found, out_function)
    returned = {resolved(a) for a in fn.outvars}
    for eqn in fn.eqns:
        if out_function(eqn) is None or not large(eqn.outvars[0]):
            continue
        for i, a in enumerate(eqn.invars):
            a = resolved(a)
            if a in owned and a not in returned and a.aval == eqn.outvars[0].aval \
                    and readers[a][-1] is eqn \
                    and all(out_function(r) is not None for r in readers[a]):
                found[id(eqn)] = i
                break

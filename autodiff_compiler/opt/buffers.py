"""Buffer reuse: which results generated code writes into an array that has died.

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

Failing that, the result goes into the array of a *dead* value of the same shape and
dtype, one that meets the same conditions, whose last reader came earlier and which
code generation named (a value folded into its one use never had an array of its
own): ``tanh = np.tanh(x, out=t)``. That is what an expert does with a scratch
buffer, and it saves the fresh pages an allocation would touch.

The IR is not changed: this is a decision of code generation, like a register
allocation, and a gradient inlined into another function (``grad(grad(f))``) is
inlined as the pure program it is.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..ir.core import Atom, Aval, Eqn, Function, Var, reads, regions

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


def reusable(fn: Function, alias: dict[Var, Atom], out_function: OutFunction,
             folded: Callable[[Eqn], bool] = lambda eqn: False) -> dict[int, int | Var]:
    """For equations (by ``id``) whose result may overwrite another array: the index of
    the operand it overwrites, or the dead value whose array it takes. Bodies of
    regions are searched too, each on its own. ``out_function`` is the backend's:
    which function writes an equation's result into ``out=``; ``folded`` is code
    generation's: whether an equation not listed here is folded into its one use, so
    that its result is never a named array."""
    found: dict[int, int | Var] = {}
    _search(fn, alias, found, out_function, folded)
    return found


def _search(fn: Function, alias: dict[Var, Atom], found: dict[int, int | Var],
            out_function: OutFunction, folded: Callable[[Eqn], bool]) -> None:
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
            _search(body, alias, found, out_function, folded)
    returned = {resolved(a) for a in fn.outvars}

    def overwritable(a: Atom, eqn: Eqn) -> bool:
        """``a``'s array is the body's alone and ``eqn`` is the last to read it."""
        return isinstance(a, Var) and a in owned and a not in returned and large(a) \
            and readers[a][-1] is eqn and all(out_function(r) is not None for r in readers[a])

    dead: dict[Aval, list[Var]] = {}  # arrays free for reuse, the latest freed last
    named: set[Var] = set()
    for eqn in fn.eqns:
        if out_function(eqn) is not None and large(eqn.outvars[0]):
            aval = eqn.outvars[0].aval
            slot = next((i for i, a in enumerate(map(resolved, eqn.invars))
                         if isinstance(a, Var) and a.aval == aval and overwritable(a, eqn)),
                        None)
            if slot is not None:
                found[id(eqn)] = slot
            elif dead.get(aval):
                found[id(eqn)] = dead[aval].pop()
        if len(eqn.outvars) == 1 and (id(eqn) in found or not folded(eqn)):
            named.add(eqn.outvars[0])
        slot = found.get(id(eqn))
        taken = resolved(eqn.invars[slot]) if isinstance(slot, int) else None
        for v in dict.fromkeys(resolved(a) for a in reads(eqn)):
            if v is not taken and v in named and overwritable(v, eqn):
                dead.setdefault(v.aval, []).append(v)

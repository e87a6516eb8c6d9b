"""Outputs handed out fresh: no returned array shares memory with anything else.

Users may update what a call returned (``g -= lr * ...`` on a gradient, a value
scribbled on). So no output may be, or be a view of, an argument (``x.T`` as the
gradient of ``sum(x * y.T)`` would let the user write into ``x``), a constant of the
program (every later call would return what was written), a read-only ``broadcast_to``
view, or another output. ``np.array`` copies those. A Python float is never written
into, so it is handed out as it is: the gradient of ``a * b`` at floats is the float
``b``, not a 0-d array.

Memory is followed as ``frontend.aliasing`` follows it: through the primitives that
may return a view of their first operand (``Primitive.view``), through the branches
of a ``cond`` (an output is borrowed if either branch's is), and through the carried
values of loops (borrowed if the initial value is, or if the body hands on a borrowed
one: a loop that runs no times returns its initial values). A function ``call`` is
assumed to return borrowed memory.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..ir import primitives as P
from ..ir.core import Atom, Const, Eqn, Function, Var


def fresh_outputs(fn: Function) -> Function:
    """``fn`` with each output that shares memory copied by ``np.array``."""
    borrowed = _borrowed(fn, {v for v in fn.invars if not _python_scalar(v)})
    eqns, outs, seen = list(fn.eqns), [], set()
    for a in fn.outvars:
        if _python_scalar(a) and a not in borrowed:
            outs.append(a)
            continue
        if isinstance(a, Const) or a in borrowed or a in seen:
            copy = Var(a.aval, a.hint if isinstance(a, Var) else "")
            eqns.append(Eqn((copy,), P.copy, (a,), {}, None))
            a = copy
        seen.add(a)
        outs.append(a)
    return replace(fn, eqns=tuple(eqns), outvars=tuple(outs))


def _python_scalar(a: Atom) -> bool:
    """``a`` is a Python float (or int, bool, complex): immutable, shared safely. (A
    branch's result is typed a Python float where either branch gives one: the other
    may give a 0-d array, so ``fresh_outputs`` copies it all the same if borrowed.)"""
    if isinstance(a, Const):
        return type(a.value) in (float, int, bool, complex)
    return a.aval.weak and a.aval.shape == ()


def _borrowed(fn: Function, outer: set[Var]) -> set[Var]:
    """The values of ``fn``'s body (with ``outer``, the borrowed values it can read
    from enclosing bodies) that may share memory the function does not own."""
    borrowed = set(outer)
    for eqn in fn.eqns:
        prim = eqn.prim
        view_of_borrowed = prim.view and eqn.invars and _shared(eqn.invars[0], borrowed)
        if prim is P.broadcast_to or prim is P.call or view_of_borrowed:
            borrowed.update(eqn.outvars)
        elif prim is P.cond:
            for branch in eqn.params["branches"]:
                inside = _borrowed(branch, borrowed)
                borrowed.update(v for v, a in zip(eqn.outvars, branch.outvars)
                                if _shared(a, inside))
        elif prim in (P.loop, P.while_loop):
            borrowed.update(_carried(eqn, borrowed))
    return borrowed


def _carried(eqn: Eqn, borrowed: set[Var]) -> list[Var]:
    """The outputs of a loop that may be borrowed: a carried value whose initial value
    is, or that the body makes borrowed, until nothing changes; a collected output
    whose per-iteration value is."""
    body = eqn.params["body"]
    counted = eqn.prim is P.loop  # loop[body](n, *init): the body takes (k, *carry)
    init = eqn.invars[1:] if counted else eqn.invars
    carry_in = body.invars[1:] if counted else body.invars
    n = len(init)

    carried = [_shared(a, borrowed) for a in init]
    while True:
        inside = _borrowed(body, borrowed | {v for v, b in zip(carry_in, carried) if b})
        after = [c or _shared(a, inside) for c, a in zip(carried, body.outvars[:n])]
        if after == carried:
            break
        carried = after
    collected = [_shared(a, inside) for a in body.outvars[n:]]
    # (a while loop's last output, its trip count, is a Python int)
    return [v for v, b in zip(eqn.outvars, carried + collected) if b]


def _shared(a: Atom, borrowed: set[Var]) -> bool:
    return a in borrowed if isinstance(a, Var) else _mutable_constant(a)


def _mutable_constant(a: Atom) -> bool:
    """A constant array baked into the program (a Python number is immutable)."""
    return isinstance(a, Const) and isinstance(a.value, np.ndarray)

"""``scatter_sums``: a sum of scatter-adds into zeros adds each into the sum directly.

The adjoint of ``x[s]`` is ``index_add(zeros_like(x), s, g)``: an array of zeros the
size of ``x`` with ``g`` added at ``s``. A value read through several slices (a
convolution's shifted windows, ``x[1:] - x[:-1]``, the parts of a stack) gets one such
array per slice, and the adjoint sums them: ``k`` arrays of zeros, ``k`` scatter-adds
and ``k - 1`` additions over the whole of ``x``. ``a + index_add(zeros_like(x), s, v)``
is ``index_add(a, s, v)``: the sum's running value copied once and ``v`` added at ``s``,
which is all the arithmetic there is.

A loop that reads ``xs[t]`` accumulates the cotangent of ``xs`` over its iterations:
``acc += index_add(zeros_like(xs), t, g)``, an array the size of ``xs`` made, filled and
added at every step, so the loop costs its count times the size of ``xs`` (quadratic in
the length of a sequence). ``index_add_into(acc, t, g)``, written ``acc[t] += g``, adds
the row alone.

The adjoint of ``y[s] += v`` zeroes the cotangent at ``s`` and adds back what it read
there: ``index_add(index_update(g, s, 0), s, g[s])``, which is ``g``; and
``index_add(index_update(g, s, 0), s, v)`` is ``index_update(g, s, v)``
(``rows_written_back``), one write where there were two; the same of a window at a
loop's index (``y[t:t + k] += v``: ``window_update``, ``window_add``).

Exact where each entry of ``a`` gets at most one ``v`` added, as ``a + (0 + v)`` and
``a + v`` are the same float (up to the sign of a zero): only basic indices (ints,
slices, None, Ellipsis, and an integer computed at run time; an index holding arrays
may repeat an entry and its sums would be reassociated), only where ``a``, ``v`` and
the result share their dtype (no cast in between), and only where the scatter-add is
used by the sum alone.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from ..ir import primitives as P
from ..ir.core import (
    Atom,
    Const,
    Eqn,
    Function,
    Var,
    map_regions,
    reads,
    same_dtype,
    substitute_eqn,
)
from .simplify import same_aval_values


def scatter_sums(fn: Function) -> Function:
    """Rewrite ``a + index_add(zeros_like(x), s, v)`` (either order) as
    ``index_add(a, s, v)`` where that is exact (see the module's docstring); the
    scatter-add and its zeros are left for ``dce``."""
    return _rewritten(fn, P.add, scatter_sums)


def running_scatter_sums(fn: Function) -> Function:
    """Rewrite a running sum's ``acc += index_add(zeros_like(x), s, v)`` as
    ``index_add_into(acc, s, v)``, ``acc[s] += v``, where that is exact; for arrays that
    can be written in place."""
    return _rewritten(fn, P.add_into, running_scatter_sums)


def rows_written_back(fn: Function) -> Function:
    """Rewrite ``index_add(index_update(x, s, 0), s, v)`` (a place zeroed, then added
    to: the adjoint of ``y[s] += v`` leaves it) as ``index_update(x, s, v)``, and
    ``index_update(x, s, x[s])`` as ``x``. Exact up to the sign of a zero (``0 + v``
    of ``v = -0.0``), for a basic ``s`` and ``v`` of ``x``'s dtype, where the zeroed
    array is used by the addition alone."""
    uses = Counter(v for eqn in fn.eqns for v in reads(eqn))
    uses.update(a for a in fn.outvars if isinstance(a, Var))
    producers: dict[Var, Eqn] = {}
    same: dict[Var, Atom] = {}
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(substitute_eqn(eqn, same), rows_written_back)
        if eqn.prim is P.index_add:
            zeroed = _zeroed(eqn, producers, uses)
            if zeroed is not None:
                eqn = Eqn(eqn.outvars, P.index_update, (zeroed.invars[0], *eqn.invars[1:]),
                          eqn.params, eqn.loc)
        elif eqn.prim is P.window_add:
            zeroed = _window_zeroed(eqn, producers, uses)
            if zeroed is not None:
                eqn = Eqn(eqn.outvars, P.window_update, (zeroed.invars[0], *eqn.invars[1:]),
                          eqn.params, eqn.loc)
        if (eqn.prim is P.index_update and _reads_itself(eqn, producers)) or \
                (eqn.prim is P.window_update and _window_reads_itself(eqn, producers)):
            same[eqn.outvars[0]] = eqn.invars[0]
            continue
        producers.update((v, eqn) for v in eqn.outvars)
        eqns.append(eqn)
    outvars = tuple(same.get(a, a) if isinstance(a, Var) else a for a in fn.outvars)
    return replace(fn, eqns=tuple(eqns), outvars=outvars)


def _zeroed(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> Eqn | None:
    """The ``index_update(x, s, 0)`` that ``eqn``, ``index_add(_, s, v)``, adds into,
    if nothing else reads it."""
    base, index, v = eqn.invars
    made = producers.get(base) if isinstance(base, Var) else None
    if made is None or made.prim is not P.index_update or uses[base] != 1 \
            or not _same_index(made.invars[1], index) or not basic(index) \
            or not isinstance(made.invars[2], Const) or not _is_zero(made.invars[2].value):
        return None
    out = eqn.outvars[0]
    return made if isinstance(v, Var) and same_dtype(v.aval.dtype, out.aval.dtype) \
        and same_dtype(made.outvars[0].aval.dtype, out.aval.dtype) else None


def _window_zeroed(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> Eqn | None:
    """``_zeroed`` of windows: the ``window_update(x, 0, t)`` that ``eqn``,
    ``window_add(_, v, t)``, adds into, at the same window, if nothing else reads it."""
    base, v, start = eqn.invars
    made = producers.get(base) if isinstance(base, Var) else None
    if made is None or made.prim is not P.window_update or uses[base] != 1 \
            or made.invars[2] is not start or made.params != eqn.params \
            or not isinstance(made.invars[1], Const) or not _is_zero(made.invars[1].value):
        return None
    out = eqn.outvars[0]
    return made if isinstance(v, Var) and same_dtype(v.aval.dtype, out.aval.dtype) \
        and same_dtype(made.outvars[0].aval.dtype, out.aval.dtype) else None


def _window_reads_itself(eqn: Eqn, producers: dict[Var, Eqn]) -> bool:
    """``eqn`` is ``window_update(x, window(x, t), t)``."""
    x, v, start = eqn.invars
    read = producers.get(v) if isinstance(v, Var) else None
    return read is not None and read.prim is P.window and read.invars[0] is x \
        and read.invars[1] is start and read.params == eqn.params \
        and same_aval_values(x.aval, eqn.outvars[0].aval)


def _reads_itself(eqn: Eqn, producers: dict[Var, Eqn]) -> bool:
    """``eqn`` is ``index_update(x, s, x[s])``, at a basic ``s``."""
    x, index, v = eqn.invars
    read = producers.get(v) if isinstance(v, Var) else None
    return read is not None and read.prim is P.getitem and read.invars[0] is x \
        and _same_index(read.invars[1], index) and basic(index) \
        and same_aval_values(x.aval, eqn.outvars[0].aval)


def _same_index(a: Atom, b: Atom) -> bool:
    if isinstance(a, Var) or isinstance(b, Var):
        return a is b
    try:
        return type(a.value) is type(b.value) and bool(a.value == b.value)
    except Exception:  # values that do not compare: not known to be the same
        return False


def _is_zero(value: Any) -> bool:
    return type(value) in (int, float) and value == 0


def _rewritten(fn: Function, sum_: P.Primitive, again: Any) -> Function:
    uses = Counter(v for eqn in fn.eqns for v in reads(eqn))
    uses.update(a for a in fn.outvars if isinstance(a, Var))
    producers: dict[Var, Eqn] = {}
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, again)
        if eqn.prim is sum_:
            eqn = _merged(eqn, producers, uses) or eqn
        producers.update((v, eqn) for v in eqn.outvars)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


def _merged(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> Eqn | None:
    out = eqn.outvars[0]
    into = eqn.prim is P.add_into  # a running sum (its first operand), added in place
    for a, b in (eqn.invars,) if into else (eqn.invars, reversed(eqn.invars)):
        scatter = _scatter_into_zeros(b, producers, uses)
        if scatter is None or not isinstance(a, Var):
            continue
        window = scatter.prim is P.window_add  # (zeros, v, start) rather than (zeros, s, v)
        v = scatter.invars[1 if window else 2]
        if all(same_aval_values(x.aval, out.aval) for x in (a, scatter.outvars[0])) \
                and same_dtype(v.aval.dtype, out.aval.dtype):
            if window:
                prim, operands = P.window_add_into if into else P.window_add, \
                    (a, *scatter.invars[1:])
            else:
                prim, operands = P.index_add_into if into else P.index_add, \
                    (a, *scatter.invars[1:])
            return Eqn(eqn.outvars, prim, operands, scatter.params, eqn.loc)
    return None


def _scatter_into_zeros(atom: Atom, producers: dict[Var, Eqn], uses: Counter) -> Eqn | None:
    """The ``index_add(zeros_like(x), s, v)`` with a basic ``s`` (or the
    ``window_add(zeros_like(x), v, t)``, a slice too) that ``atom`` is, if nothing else
    reads it."""
    eqn = producers.get(atom) if isinstance(atom, Var) else None
    if eqn is None or uses[atom] != 1 or not (
            eqn.prim is P.window_add or (eqn.prim is P.index_add and basic(eqn.invars[1]))):
        return None
    zeros = producers.get(eqn.invars[0]) if isinstance(eqn.invars[0], Var) else None
    return eqn if zeros is not None and zeros.prim is P.zeros_like else None


def basic(index: Atom) -> bool:
    """An index known when compiling, of ints, slices, None and Ellipsis only; or one
    integer known at run time (a loop's step)."""
    if isinstance(index, Var):
        dtype = index.aval.dtype
        return index.aval.shape == () and dtype is not None and dtype.kind in "iu"
    if not isinstance(index, Const):
        return False
    parts = index.value if isinstance(index.value, tuple) else (index.value,)
    return all(p is None or p is Ellipsis or type(p) is int
               or (type(p) is slice and all(type(b) in (int, type(None))
                                            for b in (p.start, p.stop, p.step)))
               for p in parts)

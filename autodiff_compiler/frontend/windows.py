"""``x[t:t + 2]`` in a loop over a range known when compiling: a window of known length.

A slice whose bounds are computed selects a number of entries known only when the code
runs, in general: ``x[t:t + 2]`` selects one entry when ``t`` is the last index, and
``x[t - 1:t + 1]`` none at ``t = 0`` (the start wraps around to the end). Code after
such a read is shape-generic (a loop's carry, its tape, its adjoint's sums back to
shapes), and vmap batches a carry of unknown shape example by example.

Inside a loop whose step count is known, a bound that is an affine function of the
loop's counter (``t = k + 1``, ``2 * t``, ``t + 2``) takes values known when compiling.
Where, for every step, the slice selects the same number of entries starting at its
start, it is that many entries from ``start``: ``window(x, start, length, axis)`` (JAX's
``dynamic_slice``), whose shape is known. Anything else keeps NumPy's slicing at run
time (``gather``): this only ever proves, never assumes. A write through such a slice
(``y[t:t + 2] = v``, ``+=``) is ``window_update``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir import primitives as P
from ..ir.builder import active
from ..ir.core import Const, Eqn, Var

# Steps checked one by one; a longer loop keeps the run-time slice.
_MOST_STEPS = 1 << 16

Affine = tuple[Var | None, int, int]  # a * counter + b (no counter: the constant b)


def windowed(counted: dict[Var, int], x: Any, index: Any) -> Any | None:
    """``x[index]`` made of windows where each slice with computed bounds is proven to
    select a known number of entries; ``None`` where one is not (or none is there)."""
    if not isinstance(x, Var) or x.aval.shape is None or not counted:
        return None
    parts = index if isinstance(index, tuple) else (index,)
    if len(parts) > len(x.aval.shape) or not any(_computed(p) for p in parts) or \
            not all(_plain(p) for p in parts):
        return None
    producers = {v: e for b in active() for e in b.eqns for v in e.outvars}
    sizes = [_window_size(p, n, counted, producers) if _computed(p) else None
             for p, n in zip(parts, x.aval.shape)]
    if any(s is None for p, s in zip(parts, sizes) if _computed(p)):
        return None
    out = x
    for axis, (part, size) in enumerate(zip(parts, sizes)):
        if size is not None:
            start = 0 if part.start is None else part.start
            out = P.window(out, start, length=size, axis=axis)
    rest = [slice(None) if s is not None else p for p, s in zip(parts, sizes)]
    while rest and rest[-1] == slice(None):  # (``x[t, s:s + 2]``: ``window(...)[t]``, an
        rest.pop()  # index of one run-time int, not a gather of a tuple holding one)
    if not rest:
        return out
    return P.getitem(out, tuple(rest) if len(rest) > 1 else rest[0])


def window_written(counted: dict[Var, int], x: Any, index: Any, v: Any) -> Any | None:
    """``x`` with ``x[index] = v`` as ``window_update`` where ``index`` is one slice with
    computed bounds proven a window, along whole axes (``y[t:t + 2]``,
    ``y[:, t:t + 2]``); ``None`` otherwise."""
    if not isinstance(x, Var) or x.aval.shape is None or not counted:
        return None
    parts = index if isinstance(index, tuple) else (index,)
    computed = [i for i, p in enumerate(parts) if _computed(p)]
    if len(computed) != 1 or len(parts) > len(x.aval.shape) or \
            any(p != slice(None) for i, p in enumerate(parts) if i != computed[0]):
        return None
    (axis,) = computed
    producers = {w: e for b in active() for e in b.eqns for w in e.outvars}
    part = parts[axis]
    size = _window_size(part, x.aval.shape[axis], counted, producers)
    if size is None:
        return None
    return P.window_update(x, v, 0 if part.start is None else part.start, length=size,
                           axis=axis)


def _computed(part: Any) -> bool:
    return isinstance(part, slice) and any(isinstance(b, Var)
                                           for b in (part.start, part.stop, part.step))


def _plain(part: Any) -> bool:
    """An index part a window leaves in place: an int (known or not) or a slice;
    ``None``, ``...`` and arrays would renumber the axes."""
    if isinstance(part, Var):
        return part.aval.shape == () and part.aval.dtype is not None and \
            part.aval.dtype.kind in "iu"
    return isinstance(part, slice) or (isinstance(part, int | np.integer)
                                       and not isinstance(part, bool))


def _window_size(part: slice, n: int, counted: dict[Var, int],
                 producers: dict[Var, Eqn]) -> int | None:
    """The number of entries ``part`` selects on an axis of ``n``, where it is the same
    at every step of the loop whose counter its bounds follow, and each step's
    selection starts at its start (no wrapping, no clipping of the start)."""
    if part.step not in (None, 1):
        return None
    bounds = [(None, 0, 0) if b is None else _affine(b, counted, producers)
              for b in (part.start, part.stop)]
    if any(b is None for b in bounds):
        return None
    counters = {c for c, _, _ in bounds if c is not None}
    if len(counters) != 1:
        return None
    (counter,) = counters
    steps = counted[counter]
    if steps > _MOST_STEPS:
        return None
    size = None
    for k in range(steps):
        start, stop = (None if b is None else a * k + c
                       for b, (_, a, c) in zip((part.start, part.stop), bounds))
        picked = range(n)[slice(start, stop)]
        first = 0 if start is None else start
        if picked.start != first or (size is not None and len(picked) != size):
            return None
        size = len(picked)
    return size


def _affine(v: Any, counted: dict[Var, int], producers: dict[Var, Eqn]) -> Affine | None:
    """``v`` as ``a * counter + b`` for one loop counter, or a constant; ``None`` where it
    is anything else (read from an array, a loop's carry, a product of counters)."""
    if isinstance(v, Const):
        v = v.value
    if isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_):
        return None, 0, int(v)
    if not isinstance(v, Var) or v.aval.shape != () or v.aval.dtype is None or \
            v.aval.dtype.kind not in "iu":
        return None
    if v in counted:
        return v, 1, 0
    eqn = producers.get(v)
    if eqn is None or eqn.params:
        return None
    if eqn.prim is P.neg:
        inner = _affine(eqn.invars[0], counted, producers)
        return None if inner is None else (inner[0], -inner[1], -inner[2])
    if eqn.prim not in (P.add, P.sub, P.mul) or len(eqn.invars) != 2:
        return None
    left, right = (_affine(a, counted, producers) for a in eqn.invars)
    if left is None or right is None:
        return None
    if eqn.prim is P.mul:
        if left[0] is not None and right[0] is not None:
            return None
        (c, a, b), k = (left, right[2]) if right[0] is None else (right, left[2])
        return c, a * k, b * k
    sign = 1 if eqn.prim is P.add else -1
    if left[0] is not None and right[0] is not None and left[0] is not right[0]:
        return None
    return left[0] if left[0] is not None else right[0], \
        left[1] + sign * right[1], left[2] + sign * right[2]

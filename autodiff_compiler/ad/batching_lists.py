"""Batching lists: a loop's tape, the tuple a call packs for its backward half, and the
rows ``vmap`` keeps per example.

A batched list is one each of whose elements is batched. An element read back at an
unbatched position is a batched value; a list of rows (``Batch.row_lists``: an inner
loop's record of values kept as each example's row) gives its rows, stacked where
something needs one array, and a list of such lists gives lists of rows. The tape's
own operations (reversing it, its zeros, adding two) keep that depth; anything else on
a list of rows is refused (``batching.per_example`` says why). Rows a branch records
leave it as rows (``rows_out_of_branches``).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import as_atom, current
from ..ir.core import Atom, Aval, Const, Eqn, Function, Var
from ..ir.primitives.batching import NotBatchableError, broadcast_batch
from .batching import Batch, is_list


def on_lists(eqn: Eqn, st: Batch) -> bool:
    """Whether ``eqn`` is a list's, batched here (else the primitive's rule applies)."""
    return _read_list(eqn, st) or _on_row_lists(eqn, st) or _packed_tape(eqn, st)


def _read_list(eqn: Eqn, st: Batch) -> bool:
    """``tape[i]`` of a batched list at an unbatched position: a batched element."""
    if eqn.prim is not P.getitem or not is_list(st.read(eqn.invars[0])) or \
            st.is_batched(st.read(eqn.invars[1])):
        return False
    old = eqn.outvars[0]
    depth = st.row_lists.get(st.read(eqn.invars[0]))
    if depth == 1:  # an element listing rows: kept so
        rows = Var(Aval(None, np.dtype(object)), f"{old.hint or 'saved'}_rows")
        current().eqns.append(Eqn((rows,), P.getitem, tuple(st.read(a) for a in eqn.invars),
                                  eqn.params, eqn.loc))
        st.bind(old, P.stack_rows(rows), True)
        st.rows[st.read(old)] = rows
        return True
    new = st.batched_var(old) if not is_list(old) else Var(old.aval, old.hint)
    st.batched.add(new)
    current().eqns.append(Eqn((new,), P.getitem, tuple(st.read(a) for a in eqn.invars),
                              eqn.params, eqn.loc))
    st.env[old] = new
    if depth is not None:  # a list of lists of rows: its element lists rows
        st.row_lists[new] = depth - 1
    return True


def _packed_tape(eqn: Eqn, st: Batch) -> bool:
    """A tape packed as a tuple (a called function's residuals, for its backward half)
    from some batched values: a list, each of whose elements is then batched."""
    if eqn.prim is not P.make_tuple or not is_list(eqn.outvars[0]):
        return False
    items = [st.read(a) for a in eqn.invars]
    if any(a in st.row_lists for a in items):
        raise NotBatchableError  # (its elements' rows would be taken for arrays)
    if any(is_list(a) and not st.is_batched(a) for a in items):
        raise AutodiffError(
            "vmap cannot batch the tape a gradient packs for its backward half where it "
            "holds a loop's record that every example shares (a checkpointed loop's "
            "segments, differentiated again): its elements would need the batch axis "
            "one by one", eqn.loc,
            hint="batch outside the function (a Python loop over the examples), or loop "
                 "without adc.checkpointed there")
    items = [a if st.is_batched(a) else as_atom(broadcast_batch(_value(a), st.size))
             for a in items]
    old = eqn.outvars[0]
    new = Var(old.aval, old.hint)
    current().eqns.append(Eqn((new,), P.make_tuple, tuple(items), {}, eqn.loc))
    st.bind(old, new, True)
    return True


def _value(a: Atom) -> Any:
    return a.value if isinstance(a, Const) else a


_TAPE_OPS = frozenset([P.reversed_tape, P.zeros_like_tape, P.add_tapes])


def _on_row_lists(eqn: Eqn, st: Batch) -> bool:
    """A tape's operation on lists of rows (``Batch.row_lists``) gives a list of rows as
    deep. Two are added row by row, as are a list of rows and a batched list (its
    elements' first axis); an unbatched tape's elements would be zipped with the rows,
    and any other operation but stacking would take a list of rows for an array: one at
    a time."""
    ins = [st.read(a) for a in eqn.invars]
    depths = [st.row_lists.get(a) for a in ins]
    if not any(depths):
        return False
    depth = max(d for d in depths if d)
    if eqn.prim is P.stack_rows and depth == 1:
        return False  # each row list stacked (``reference.stack_rows`` says if they differ)
    if eqn.prim not in _TAPE_OPS or not all(
            d == depth or (d is None and depth == 1 and st.is_batched(a))
            for a, d in zip(ins, depths)):
        raise NotBatchableError
    old = eqn.outvars[0]
    new = Var(old.aval, old.hint)
    current().eqns.append(Eqn((new,), eqn.prim, tuple(ins), eqn.params, eqn.loc))
    st.bind(old, new, True)
    st.row_lists[new] = depth
    return True


def rows_out_of_branches(bodies: list[Function], scopes: list[Batch],
                         stand_ins: list[list[bool]]) -> tuple[list[Function], set[int]]:
    """Branches on a condition all examples share, where a result is kept as its
    examples' rows (a selection of run-time length, ``batching.per_example``) in the
    branches giving it and is the stand-in ``None`` in the others (a gradient's record
    only one branch makes): the branches give the rows themselves, which a loop's tape
    lists as they are. Stacked, rows of different lengths would fail when the program
    runs although the gradient reads each example's row on its own. ``stand_ins[i][j]``:
    branch ``i`` gives ``None`` for result ``j``. The branches, and the positions so."""
    as_rows = set()
    for j in range(len(bodies[0].outvars)):
        kept = [inner.rows.get(fn.outvars[j]) if isinstance(fn.outvars[j], Var) else None
                for fn, inner in zip(bodies, scopes)]
        if any(r is not None for r in kept) and all(
                r is not None or stand_in[j] for r, stand_in in zip(kept, stand_ins)):
            as_rows.add(j)
            bodies = [fn if r is None else replace(
                fn, outvars=(*fn.outvars[:j], r, *fn.outvars[j + 1:]))
                for fn, r in zip(bodies, kept)]
    return bodies, as_rows

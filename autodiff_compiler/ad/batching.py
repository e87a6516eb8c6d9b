"""Batching (``vmap``): the program that runs a ``Function`` on a batch of examples at once.

``batch(fn, in_batched, size)`` maps a program written for one example to one whose
batched inputs carry a leading batch axis of ``size`` (the one place the batch axis
lives; the API moves the user's ``in_axes`` there and the result's to ``out_axes``).
Values stay unbatched for as long as nothing batched reaches them: an equation reading
only unbatched values is copied as it is, so work that is the same for every example
(a weight matrix transposed) is done once.

An equation that reads a batched value is rewritten by its primitive's batching rule
(``ir.primitives.batching``: registered with ``defbatch``, derived for elementwise
primitives), and regions by the rules in ``batching_control`` (an ``if`` on a batched
value evaluates both branches and selects; loops run until every example is done).
Every rule's result is checked against the shape the example's value had; a rule that
does not apply, or gives another shape, leaves the equation to the fallback, which
evaluates that one equation per example in a loop over the batch (visible in the
generated code as a ``for`` loop). So a primitive without a rule is slower, never wrong.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import AutodiffError, internal_errors_at
from ..ir import primitives as P
from ..ir.builder import as_atom, building, current
from ..ir.core import (
    LOOP_INDEX,
    Atom,
    Aval,
    Const,
    Eqn,
    Function,
    Var,
    reads,
    regions,
    renamed,
    substitute,
)
from ..ir.primitives.batching import (
    NotBatchableError,
    Unbatched,
    elementwise_rule,
)


class Batch:
    """What batching knows while it walks a program: the batch size, the value each
    original ``Var`` became (only where it changed), and which new values are batched."""

    def __init__(self, size: int, env: dict[Var, Atom] | None = None,
                 batched: set[Var] | None = None, draws: bool = True,
                 rows: dict[Var, Var] | None = None, active: Var | None = None,
                 selecting: set[Eqn] | None = None, row_lists: dict[Var, int] | None = None,
                 own_states: set[Var] | None = None) -> None:
        self.size = size
        # In a branch on a batched predicate: which examples take it (``None``: all),
        # and the branches made so, which read their examples' values
        # (``batching_control._on_taking_values``). Held, not by ``id``: a batching pass
        # discarded (a loop's carries found to a fixed point) frees its equations, and a
        # later equation given a freed one's ``id`` was taken for a selecting branch.
        self.active = active
        self.selecting: set[Eqn] = selecting if selecting is not None else set()
        self.env: dict[Var, Atom] = dict(env or {})
        self.batched: set[Var] = batched if batched is not None else set()
        # A batched value of run-time shape, stacked from the list of its examples' rows:
        # the rows, which equations that read the value take one by one (so examples of
        # different lengths are stacked only where something needs them as one array).
        self.rows: dict[Var, Var] = rows if rows is not None else {}
        # A loop's list (a gradient's tape) of such values: each element the rows
        # themselves, as they may differ in shape (``batching_control._rows_listed``),
        # with its depth: 1 lists rows, 2 lists such lists (a loop's tape of a nested
        # loop's), and so on.
        self.row_lists: dict[Var, int] = row_lists if row_lists is not None else {}
        # A random draw is one per example (``vmap``: as a loop over the examples would
        # draw), or one for the whole batch (a Jacobian's basis vectors share a mask).
        self.draws = draws
        # Random states the program makes itself from a seed the same for every example
        # (``np.random.RandomState(0)`` in the function): each example's call would make
        # its own and draw the same numbers from it, so their draws are made once.
        self.own_states: set[Var] = own_states if own_states is not None else set()

    def child(self) -> Batch:
        """A scope for a region body: sees this one's values, adds its own."""
        return Batch(self.size, self.env, self.batched, self.draws, self.rows, self.active,
                     self.selecting, self.row_lists, self.own_states)

    def draws_from_own_state(self, eqn: Eqn) -> bool:
        """``eqn`` draws from a random state the function made itself (``own_states``)."""
        if not (eqn.prim.random and self.draws):
            return False
        state = None if eqn.params.get("global_state") or not eqn.invars else eqn.invars[0]
        return self.read(state) in self.own_states

    def draws_per_example(self, eqn: Eqn) -> bool:
        """``eqn`` draws random numbers each example draws for itself: from NumPy's global
        state or a state made outside the function, not one it makes itself."""
        return eqn.prim.random and self.draws and not self.draws_from_own_state(eqn)

    def read(self, a: Atom) -> Atom:
        return self.env.get(a, a) if isinstance(a, Var) else a

    def is_batched(self, a: Any) -> bool:
        return isinstance(a, Var) and a in self.batched

    def reads_batched(self, eqn: Eqn) -> bool:
        return any(self.is_batched(self.read(v)) for v in reads(eqn))

    def reads_rows(self, eqn: Eqn) -> bool:
        """``eqn`` reads a value kept as its examples' rows (see ``rows``)."""
        return any(self.read(v) in self.rows for v in reads(eqn))

    def bind(self, old: Var, new: Any, batched: bool) -> None:
        new = as_atom(new)
        self.env[old] = new
        if batched:
            if not isinstance(new, Var):
                raise NotBatchableError
            self.batched.add(new)

    def batched_var(self, like: Var, hint: str = "") -> Var:
        """A new batched value of the per-example aval of ``like``."""
        aval = like.aval
        shape = None if aval.shape is None else (self.size, *aval.shape)
        new = Var(Aval(shape, aval.dtype), hint or like.hint)
        self.batched.add(new)
        return new


def batch(fn: Function, in_batched: Sequence[bool], size: int, *,
          draws: bool = True) -> tuple[Function, list[bool]]:
    """``fn`` on a batch: inputs flagged in ``in_batched`` get a leading axis of
    ``size``; returns the program and which of its outputs are batched. ``draws``: each
    example draws its own random numbers."""
    if draws:  # (vmap's examples; a Jacobian's basis runs the function once)
        _refuse_attribute_stores(fn)
    st = Batch(size, draws=draws)
    invars = []
    for v, flag in zip(fn.invars, in_batched):
        if flag and v.aval.shape is None:
            raise AutodiffError("vmap needs the shapes of its batched arguments",
                                fn.loc, hint="call the vmapped function on arrays "
                                             "(shape-generic source is not supported)")
        invars.append(st.batched_var(v) if flag else v)
        if flag:
            st.env[v] = invars[-1]
    with building(fn.loc) as b:
        batch_eqns(fn.eqns, st)
        outs = [st.read(a) for a in fn.outvars]
    return (Function(f"vmap_{fn.name}", tuple(invars), tuple(b.eqns), tuple(outs), fn.loc),
            [st.is_batched(o) for o in outs])


def _refuse_attribute_stores(fn: Function) -> None:
    """``obj.name = value`` on an object made outside (``report`` with ``sets``): each
    example would set it from the value the call began with, where a loop over the
    examples reads the one before's (a counter counts to 1, not to the batch's size)."""
    for eqn in fn.eqns:
        if eqn.prim is P.report and eqn.params.get("sets"):
            raise AutodiffError(
                f"vmap of a function that sets '.{eqn.params['sets']}' on an object made "
                "outside it: each example would set it from the value the call began with, "
                "where a loop over the examples reads each one's", eqn.loc,
                hint="set the attribute outside vmap, from the batched result")
        for _, body in regions(eqn):
            _refuse_attribute_stores(body)


def batch_eqns(eqns: Sequence[Eqn], st: Batch) -> None:
    """Emit ``eqns`` batched into the current builder, recording the new values."""
    b = current()
    for eqn in eqns:
        if not st.reads_batched(eqn) and not st.draws_per_example(eqn):
            mapping = {v: st.env[v] for v in reads(eqn) if v in st.env}
            b.eqns.append(substitute([eqn], mapping)[0] if mapping else eqn)
            if eqn.prim in (P.random_state, P.default_rng):
                st.own_states.add(b.eqns[-1].outvars[0])
            continue
        if st.draws_from_own_state(eqn):  # (and reads a batched value)
            raise AutodiffError(
                "vmap of a draw whose parameters differ between examples, from a random "
                "state the function makes itself: each example's call would draw from its "
                "own state, which one state for the batch cannot give it", eqn.loc,
                hint="draw standard numbers and scale them (rng.standard_normal(shape) * "
                     "scale + loc, rng.uniform(size=shape) < p), or loop over the examples "
                     "in Python")
        with b.at(eqn.loc), internal_errors_at(eqn.loc):
            region = REGION_BATCH.get(eqn.prim)
            mark = len(b.eqns)
            try:
                if st.reads_rows(eqn) and region is None and eqn.prim not in _SHOWING \
                        and eqn.prim is not P.unstack_rows:  # (rows as one array: stacked)
                    raise NotBatchableError  # rows of different shapes: one at a time
                if region is not None:
                    region(eqn, st)
                else:
                    _apply_rule(eqn, st)
            except NotBatchableError:
                del b.eqns[mark:]
                per_example(eqn, st)


# Equations that only show their operands (a message's text, a print): rows kept per
# example are shown as the list they are, rather than stacked or taken one at a time.
_SHOWING = frozenset([P.format_text, P.format_batch, P.print_])


def is_list(v: Any) -> bool:
    """A Python list of per-iteration values (a loop's tape): batched, each of its
    elements is."""
    return isinstance(v, Var) and v.aval.dtype == np.dtype(object)


def _rule_of(prim: P.Primitive) -> Callable[..., Any] | None:
    if prim.batch is not None:
        return prim.batch
    if prim.elementwise:
        return elementwise_rule(prim)
    return None


def _apply_rule(eqn: Eqn, st: Batch) -> None:
    if on_lists(eqn, st):
        return
    rule = _rule_of(eqn.prim)
    if rule is None or eqn.prim.form not in ("apply", "alias", "accumulate", "check", "effect"):
        raise NotBatchableError
    ins = [st.read(a) for a in eqn.invars]
    dims = tuple(st.is_batched(a) for a in ins)
    if eqn.prim in _SHOWING:
        ins = [st.rows.get(a, a) if isinstance(a, Var) else a for a in ins]
    args = [a.value if isinstance(a, Const) else a for a in ins]
    result = rule(st.size, dims, *args, **eqn.params)
    if eqn.prim.form in ("check", "effect"):
        return  # an assertion or a print: it defines nothing
    results = (result,) if eqn.prim.n_out == 1 else tuple(result)
    for old, new in zip(eqn.outvars, results):
        if isinstance(new, Unbatched):
            st.bind(old, new.value, False)
            continue
        if not _fits(new, old, st.size):
            raise NotBatchableError  # a rule's gap: the per-example loop is right by construction
        st.bind(old, _in_example_dtype(new, old), True)


def _in_example_dtype(new: Var, old: Var) -> Var:
    """A batched result in the float dtype the example's value has: a Python float
    given a batch axis is a float64 array, which NumPy's promotion no longer treats
    as a Python float (``x * y`` of a float32 ``x`` and a ``y`` chosen per example
    between two Python floats is float32 for each example, float64 batched)."""
    want, have = old.aval.dtype, new.aval.dtype
    if want is None or have is None or want == have or want.kind != "f" or have.kind != "f":
        return new
    return P.astype(new, want)


def _fits(new: Any, old: Var, size: int) -> bool:
    """A batched result is the example's value with a leading batch axis."""
    if not isinstance(new, Var):
        return False
    have, want = new.aval.shape, old.aval.shape
    if have is None or want is None:
        return have is None and want is None
    return have == (size, *want)


# ---------------------------------------------------------------------------- fallback


# The optimiser's writes in place and the functional primitives they stand for.
FUNCTIONAL = {P.add_into: P.add, **P.FUNCTIONAL_FORM}


def per_example(eqn: Eqn, st: Batch) -> None:
    """One equation evaluated per example, in a loop over the batch writing each
    result into its row: for primitives without a rule, and cases a rule leaves out.
    (Written rows, rather than a list stacked after the loop, keep it differentiable:
    ``grad(vmap(f))`` differentiates this loop.)"""
    if eqn.prim in FUNCTIONAL:  # a write in place would go into one example's view
        eqn = Eqn(eqn.outvars, FUNCTIONAL[eqn.prim], eqn.invars, eqn.params, eqn.loc)
    listed = [st.read(v) for v in reads(eqn) if is_list(st.read(v)) and st.is_batched(st.read(v))]
    if any(v in st.row_lists for v in listed):
        raise AutodiffError(
            f"vmap cannot batch '{eqn.prim.name}' on a loop's record of values whose shape "
            "is known only at run time (each example's kept apart)", eqn.loc,
            hint="give the loop's values shapes known when compiling (a slice of bounds "
                 "known then), or batch outside it (a Python loop over the examples)")
    if listed:
        raise AutodiffError(
            f"vmap cannot batch '{eqn.prim.name}' on a list of batched values (a loop's "
            "record, kept per example when its number of iterations differs between "
            "examples)", eqn.loc,
            hint="batch outside the loop (a Python loop over the examples), or give every "
                 "example the same number of iterations")
    for o in eqn.outvars:
        if o.aval.dtype == np.dtype(object):
            raise AutodiffError(
                f"vmap cannot batch '{eqn.prim.name}' here: it has no batching rule for "
                "these operands, and its result is not an array", eqn.loc,
                hint="move this computation out of the vmapped function, or write it "
                     "with array operations")
    statement = eqn.prim.form in ("check", "effect")  # an assertion or a print: no value
    known = statement or all(o.aval.shape is not None and o.aval.dtype is not None
                             for o in eqn.outvars)
    if not known and _gives_none(eqn):  # a gradient's residual, None on one path
        raise AutodiffError(
            f"vmap cannot batch '{eqn.prim.name}' here: a value it gives on one path only "
            "(the gradient's record of a branch) is not an array", eqn.loc,
            hint="move this computation out of the vmapped function, or write it with "
                 "array operations")
    if known and _gives_none(eqn):  # each example's row is an array: zeros stand in
        eqn = _zeros_for_none(eqn)
    k = Var(LOOP_INDEX, "example")
    outvars = () if statement else eqn.outvars
    carry = [Var(Aval((st.size, *o.aval.shape), o.aval.dtype), o.hint or "rows")
             for o in outvars] if known else []
    local: dict[Var, Atom] = {}
    with building(eqn.loc) as body:
        for v in reads(eqn):
            value = st.read(v)
            value = st.rows.get(value, value) if isinstance(value, Var) else value
            local[v] = P.getitem(value, k) if st.is_batched(st.read(v)) else value
        body.eqns.extend(renamed([eqn], local))
        results = [as_atom(local[o]) for o in outvars]
        if known:  # each row written into an array of the batch's shape
            results = [as_atom(P.index_update(c, k, r)) for c, r in zip(carry, results)]
    fn = Function("per_example", (k, *carry), tuple(body.eqns), tuple(results))
    b = current()
    if known:
        inits = [as_atom(P.zeros((st.size, *o.aval.shape), o.aval.dtype)) for o in outvars]
        outs = [st.batched_var(o) for o in outvars]
        b.eqns.append(Eqn(tuple(outs), P.loop, (Const(st.size), *inits),
                          {"body": fn, "n_ys": 0, "reverse": False}, eqn.loc))
        st.env.update(zip(outvars, outs))
        return
    # a shape known only at run time: the rows collected in a list, and stacked where
    # something needs one array (rows that differ in shape are refused there, when the
    # program runs, at the user's line; unused, the stacking is dead code)
    lists = [Var(Aval(None, np.dtype(object)), f"{o.hint or eqn.prim.name}_rows")
             for o in eqn.outvars]
    b.eqns.append(Eqn(tuple(lists), P.loop, (Const(st.size),),
                      {"body": fn, "n_ys": len(lists), "reverse": False}, eqn.loc))
    for old, rows in zip(eqn.outvars, lists):
        st.bind(old, P.stack_rows(rows), True)
        st.rows[st.read(old)] = rows


def _gives_none(eqn: Eqn) -> bool:
    """A branch of ``eqn``, or of an ``if`` nested in one, gives ``None`` for one of its
    results (a stand-in for a tape that branch does not record): rows of it would mix
    arrays and ``None``."""
    return any(any(isinstance(a, Const) and a.value is None for a in body.outvars)
               or any(_gives_none(inner) for inner in body.eqns)
               for body in eqn.params.get("branches", ()))


def _zeros_for_none(eqn: Eqn) -> Eqn:
    """``eqn`` with each ``None`` a branch gives (nested ``if``s' included) replaced by
    zeros of that result's shape and dtype where it is known: the value stands in for a
    record the branch does not make, which only the examples that took the other
    branch read."""
    if "branches" not in eqn.params:
        return eqn

    def filled(body: Function) -> Function:
        outs = tuple(Const(np.zeros(o.aval.shape, o.aval.dtype))
                     if isinstance(a, Const) and a.value is None
                     and o.aval.shape is not None and o.aval.dtype is not None else a
                     for a, o in zip(body.outvars, eqn.outvars))
        return replace(body, eqns=tuple(_zeros_for_none(e) for e in body.eqns), outvars=outs)
    branches = tuple(filled(b) for b in eqn.params["branches"])
    return replace(eqn, params={**eqn.params, "branches": branches})


REGION_BATCH: dict[P.Primitive, Callable[[Eqn, Batch], None]] = {}  # batching_control

from .batching_lists import on_lists  # noqa: E402  (built on Batch, above)

"""Batching rules of the control-flow regions (``if``, ``for``, ``while``; calls are
``batching_calls``').

* ``cond`` on an unbatched predicate stays one ``if``: each branch is batched, and an
  output batched in one branch is batched in both. On a batched predicate each example
  may take another branch: both branches are evaluated (they are pure: the IR has no
  effects but assertions) and every output selected with ``where``. A branch with an
  effect (an assertion, a print, a write) is not evaluated for examples that do not
  take it: such a ``cond`` (and a loop with one while its trip count or predicate is
  batched) runs once per example.
* ``loop`` with an unbatched trip count stays one loop; a carried value is batched when
  its initial value or its next value is (found by iterating to a fixed point). With a
  batched trip count (a gradient's loop over a ``while``'s iterations) it runs the
  largest count and each example keeps its carried values once its own count is spent.
* ``while_loop`` with an unbatched predicate stays one loop likewise; with a batched one
  it runs while any example is still going, and an example that has stopped keeps its
  carried values (``where``). Its iteration count, a carried value in a gradient's
  forward loop, is thus each example's own, and the lists it collects hold the longest
  run's iterations, of which each example's adjoint reads its own.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import as_atom, building, current, inline
from ..ir.core import (
    Atom,
    Aval,
    Const,
    Eqn,
    Function,
    Var,
    free_vars,
    has_effect,
    reads,
    regions,
    substitute_function,
)
from ..ir.primitives.batching import NotBatchableError, broadcast_batch, lift, rank
from .batching import REGION_BATCH, Batch, batch_eqns
from .batching_lists import rows_out_of_branches


def _refuse_own_draws(body: Function, st: Batch, why: str) -> None:
    """A region run for some examples only (or a different number of times for each)
    that draws from a random state the function makes itself: each example's own call
    would draw from its own state, taking the numbers its own path takes; one state for
    the batch gives them other numbers (silently), so it is refused."""
    for inner in body.eqns:
        state = None if inner.params.get("global_state") or not inner.invars \
            else inner.invars[0]
        if inner.prim.random and st.draws and st.read(state) in st.own_states:
            raise AutodiffError(
                f"vmap of {why} that draws from a random state the function makes itself: "
                "each example's call draws from its own state along its own path, which "
                "one program for the batch cannot follow", inner.loc,
                hint="draw the numbers before the branch or loop (they are the same for "
                     "every example), or loop over the examples in Python")
        for _, nested in regions(inner):
            _refuse_own_draws(nested, st, why)


def _owned_batch(x: Any, size: int) -> Any:
    """An unbatched value given the batch axis as an array of its own (a carried value
    may be written in place, which a broadcast view cannot take)."""
    return P.copy(broadcast_batch(x, size))


def batch_body(body: Function, st: Batch, in_flags: Sequence[bool],
               force: Sequence[int] = ()) -> tuple[Function, list[bool], Batch]:
    """``body`` batched inside ``st``'s scope, its inputs batched where flagged; outputs
    at ``force`` are given the batch axis when they have none."""
    inner = st.child()
    invars = []
    for v, flag in zip(body.invars, in_flags):
        new = inner.batched_var(v) if flag else v
        if flag:
            inner.env[v] = new
        invars.append(new)
    with building(None) as b:
        batch_eqns(body.eqns, inner)
        outs: list[Atom] = [inner.read(a) for a in body.outvars]
        for j in force:
            if not inner.is_batched(outs[j]):
                value = outs[j].value if isinstance(outs[j], Const) else outs[j]
                try:
                    outs[j] = as_atom(broadcast_batch(value, st.size))
                except NotBatchableError:  # of a shape unknown here: a stand-in for a
                    if not _stands_in(body, body.outvars[j]):  # residual (a tangent's
                        raise  # zero tape) stays one, as it is never read
                    continue
                inner.batched.add(outs[j])
    flags = [inner.is_batched(o) for o in outs]
    return Function(body.name, tuple(invars), tuple(b.eqns), tuple(outs)), flags, inner


def out_var(old: Var, new_out: Atom, batched: bool, st: Batch) -> Var:
    if batched:
        return st.batched_var(old)
    return Var(old.aval, old.hint)


def _select(active: Any, new: Any, old: Any) -> Any:
    """``new`` where an example is active, else ``old`` (both batched)."""
    return P.where(lift(active, rank(new, True)), new, old)


# ---------------------------------------------------------------------------- cond


def cond_rule(eqn: Eqn, st: Batch) -> None:
    pred = st.read(eqn.invars[0])
    if st.is_batched(pred):
        _cond_both(eqn, st, pred)
        return
    branches = eqn.params["branches"]
    if any(body.invars for body in branches):
        raise NotBatchableError
    flags = [False] * len(eqn.outvars)
    for body in branches:
        flags = [a or b for a, b in zip(flags, batch_body(body, st, [])[1])]
    force = [j for j, f in enumerate(flags) if f]
    if any(f and _is_list(o) for f, o in zip(flags, eqn.outvars)):
        force = [j for j in force if not _is_list(eqn.outvars[j])]
    bodies, outs_flags, scopes = [], [], []
    for body in branches:
        fn, f, inner = batch_body(body, st, [], force)
        bodies.append(fn)
        outs_flags.append(f)
        scopes.append(inner)
    stand_ins = [[_stands_in(b, a) for a in b.outvars] for b in branches]
    bodies, as_rows = rows_out_of_branches(bodies, scopes, stand_ins)
    for j, col in enumerate(zip(*outs_flags)):
        # a list batched in one branch only: fine where the other gives the stand-in
        # for a record it does not keep (``None``, never read after that branch)
        if len(set(col)) > 1 and not all(
                batched or _stands_in(body, body.outvars[j])
                for batched, body in zip(col, bodies)):
            raise NotBatchableError
    outs = [Var(Aval(None, np.dtype(object)), f"{o.hint or 'value'}_rows") if j in as_rows
            else out_var(o, None, flag, st)
            for j, (o, flag) in enumerate(zip(eqn.outvars, flags))]
    current().eqns.append(Eqn(tuple(outs), P.cond, (pred,),
                              {**eqn.params, "branches": tuple(bodies)}, eqn.loc))
    for j, (old, new) in enumerate(zip(eqn.outvars, outs)):
        if j in as_rows:  # (as ``batching.per_example`` keeps them: stacked if needed)
            st.bind(old, P.stack_rows(new), True)
            st.rows[st.read(old)] = new
        else:
            st.env[old] = new
        depths = {st.row_lists[a] for a in (fn.outvars[j] for fn in bodies)
                  if isinstance(a, Var) and a in st.row_lists}
        if len(depths) > 1:
            raise NotBatchableError  # (lists of rows of different depths)
        if depths:  # an inner loop's record of rows, out of the branch that made it
            st.row_lists[new] = depths.pop()


def _is_list(v: Any) -> bool:
    return isinstance(v, Var) and v.aval.dtype == np.dtype(object)


def _cond_both(eqn: Eqn, st: Batch, pred: Var) -> None:
    """Both branches evaluated (each only if some example takes it), every output
    selected by ``pred``. A value only one branch gives (a gradient's residual: ``None``
    in the other) is that branch's; lists cannot be selected between."""
    then_body, else_body = eqn.params["branches"]
    for body in (then_body, else_body):
        _refuse_own_draws(body, st, "an if on a condition that differs between examples")
    if then_body.invars or else_body.invars or has_effect(then_body.eqns) \
            or has_effect(else_body.eqns):
        raise NotBatchableError
    one_sided = [_stands_in(then_body, t) or _stands_in(else_body, e)
                 for t, e in zip(then_body.outvars, else_body.outvars)]
    def taking(side: Any) -> Callable[[], Any]:  # (inside a branch: of its examples)
        return (lambda: side()) if st.active is None else \
            (lambda: P.logical_and(side(), st.active))

    results = [_if_taken(then_body, st, taking(lambda: pred), eqn, "then", one_sided),
               _if_taken(else_body, st, taking(lambda: P.logical_not(pred)), eqn, "else",
                         one_sided)]
    stand_ins = [(_stands_in(then_body, t), _stands_in(else_body, e))
                 for t, e in zip(then_body.outvars, else_body.outvars)]
    if any(v in st.rows for (t, _), (e, _), alone in zip(*results, stand_ins)
           if not any(alone) for v in (t, e) if isinstance(v, Var)):
        raise NotBatchableError  # rows of different shapes: selected example by example
    for old, (t, tb), (e, eb), (t_none, e_none) in zip(eqn.outvars, *results, stand_ins):
        if e_none:
            st.bind(old, t, tb)
        elif t_none:
            st.bind(old, e, eb)
        elif _is_list(old) or old.aval.shape is None:
            raise NotBatchableError
        else:
            tv = t.value if isinstance(t, Const) else t
            ev = e.value if isinstance(e, Const) else e
            top = len(old.aval.shape)
            cond = lift(pred, top)
            st.bind(old, P.where(cond, tv, ev), True)


def _is_none(a: Atom) -> bool:
    return isinstance(a, Const) and a.value is None


def _stands_in(body: Function, a: Atom) -> bool:
    """``a``, an output of ``body``, is ``None``: the stand-in for a residual the branch
    does not build, or that stand-in given a batch axis (``np.broadcast_to(None, ...)``,
    the rows a loop over examples reads) by an earlier batching (a Hessian's basis), or
    the zero tangent forward mode gave such a stand-in (``zeros_like_tape``: a third
    derivative's)."""
    if _is_none(a):
        return True
    made = next((e for e in body.eqns if a in e.outvars), None)
    return made is not None and made.prim in (P.broadcast_to, P.zeros_like_tape) and \
        _stands_in(body, made.invars[0])


def _if_taken(body: Function, st: Batch, taking: Callable[[], Any], eqn: Eqn,
              side: str, one_sided: list[bool]) -> list[tuple[Atom, bool]]:
    """``body``'s outputs for every example, and whether each is batched, computed only
    if some example takes the branch (``taking()``: which do). A branch no example takes
    may not be valid for these arguments at all (``np.max(x) @ x`` raises only on the
    path that runs), and skipping it saves its work. Where some take it, the others
    run it on the values of the first that does (``_on_taking_values``): what it
    computes for them is never picked, and so never a NaN or an error that only their
    values would give (``log(x)`` of an ``x`` the branch excludes), which a gradient
    would otherwise multiply by their zero cotangent and keep (0 * nan).

    When skipped, what it computes is never picked, but must still be something the
    select accepts without changing the other side's dtype: zeros of its shape and
    dtype, boolean zeros where the dtype is known only at run time (``bool`` promotes to
    anything), ``False`` where the shape is too (it also broadcasts against anything). A
    value only this branch gives (``one_sided``: a residual that only this
    branch's gradient reads, skipped with it) and a list are never selected: ``None``,
    so that a read by anything else would fail loudly rather than compute (one ``None``
    per example where each example's row has a shape of its own: the adjoint, run
    example by example, takes each one's row before its branch)."""
    with building(eqn.loc) as b:
        mask = taking()
    current().eqns.extend(b.eqns)
    branch = st.child()
    branch.active = mask
    fn, flags, inner = batch_body(body, branch, [])
    fn = _on_taking_values(fn, st, mask)
    made = {v for e in fn.eqns for v in e.outvars}
    avals = _known_avals(fn.outvars, flags, eqn.outvars, st.size)

    def role(a: Var, alone: bool) -> tuple[Var, bool]:
        """A value of run-time shape both selected and read by the adjoint example by
        example (a residual that is also a result) needs one stand-in for each: two
        outputs (fuzz seed 670156: ``False`` indexed per example)."""
        return a, alone and avals[a].shape is None and not _is_list(a)

    computed = list(dict.fromkeys(role(a, alone) for a, alone in zip(fn.outvars, one_sided)
                                  if a in made))
    if not computed:
        current().eqns.extend(fn.eqns)
        return list(zip(fn.outvars, flags))

    def never_picked(a: Var, per_example: bool) -> Atom:
        if _is_list(a):
            return Const(None)
        if per_example:  # rows of its own shape each: an example's adjoint reads its row
            return Const((None,) * st.size)  # (seed 390330)
        aval = avals[a]
        if aval.shape is None:
            return Const(False)
        return as_atom(P.zeros(aval.shape, aval.dtype or np.dtype(bool)))

    # a residual only this branch gives, kept as its examples' rows (a selection of
    # run-time length): the rows themselves leave the branch, as from an ``if`` all
    # examples take (``batching_lists.rows_out_of_branches``); stacked, they would
    # have to agree
    rows_of = {a: inner.rows[a] for (a, per_example) in computed
               if per_example and a in inner.rows}
    with building(None) as b:
        fill = tuple(never_picked(*k) for k in computed)
    branches = (Function(fn.name, (), fn.eqns, tuple(rows_of.get(a, a) for a, _ in computed)),
                Function(fn.name, (), tuple(b.eqns), fill))
    hints = {a: old.hint for a, old in zip(fn.outvars, eqn.outvars)}
    outs = {k: Var(Aval(None, np.dtype(object)) if k[0] in rows_of else avals[k[0]],
                   f"{hints[k[0]]}_{side}" if hints[k[0]] else "", True)
            for k in computed}
    st.batched.update(v for (a, _), v in outs.items() if a in inner.batched
                      and a not in rows_of)
    with building(eqn.loc) as b:
        value = P.reduce_any(mask)
    *before, last = b.eqns
    some_take = Var(value.aval, f"{side}_taken", True)
    current().eqns.extend([*before, replace(last, outvars=(some_take,))])
    made = Eqn(tuple(outs.values()), P.cond, (some_take,),
               {**eqn.params, "branches": branches}, eqn.loc)
    st.selecting.add(made)
    current().eqns.append(made)
    for k in computed:
        if k[0] in st.row_lists:  # an inner loop's record of rows: as deep out of it
            st.row_lists[outs[k]] = st.row_lists[k[0]]
        if k[0] in rows_of:  # (stacked where something needs one array, as rows are)
            rows = outs[k]
            outs[k] = as_atom(P.stack_rows(rows))
            st.batched.add(outs[k])
            st.rows[outs[k]] = rows
    return [(outs.get(role(a, alone), a), flag)
            for a, flag, alone in zip(fn.outvars, flags, one_sided)]


def _known_avals(outs: Sequence[Atom], flags: Sequence[bool], old: Sequence[Var],
                 size: int) -> dict[Atom, Aval]:
    """Each batched branch output's aval, its shape taken from the unbatched program's
    where only that one knows it (a value made example by example and stacked, whose
    rows all have the shape the unbatched program gave): a branch no example takes
    then leaves zeros of that shape, as its readers expect (fuzz seed 990363: the
    per-example ``None``s it left, given to ``zeros_like`` by the adjoint of the adjoint,
    made zeros no select would broadcast)."""
    avals: dict[Atom, Aval] = {}
    for a, batched, o in zip(outs, flags, old):
        aval = a.aval
        if aval.shape is None and o.aval.shape is not None:
            shape = (size, *o.aval.shape) if batched else o.aval.shape
            aval = Aval(shape, aval.dtype or o.aval.dtype)
        avals.setdefault(a, aval)
    return avals


def _on_taking_values(fn: Function, st: Batch, mask: Var) -> Function:
    """``fn`` (a batched branch) reading, for each example that does not take it
    (``mask``), the batched values it reads as the first taking example has them (held
    constant: they are never picked, so no gradient reaches them through this path).

    A value that only a branch nested in ``fn`` reads, one made so too (``selecting``),
    is left to it: it selects among the examples taking both (``Batch.active``), and
    only if some do. A gradient's residual taped in a forward branch that no example
    took is ``None``, and only the adjoint's branch mirroring it reads it: selected
    here, it failed where that branch does not run."""
    direct = set(fn.outvars)
    for e in fn.eqns:
        direct.update(e.invars if e in st.selecting else reads(e))
    outer = [v for v in free_vars(fn) if v in st.batched and v.aval.shape is not None
             and not _is_list(v) and v in direct]
    if not outer:
        return fn
    with building(None) as b:
        first = P.argmax(mask)
        safe = {v: P.where(lift(mask, rank(v, True)), v,
                           P.stop_gradient(P.getitem(v, first))) for v in outer}
    body = substitute_function(fn, safe)
    return Function(fn.name, fn.invars, (*b.eqns, *body.eqns), body.outvars, fn.loc)


# ---------------------------------------------------------------------------- loops


def _carry_flags(body: Function, st: Batch, lead: list[bool], flags: list[bool],
                 n_carry: int, cond: Function | None = None) -> list[bool]:
    """Which carried values are batched: those batched initially, and those the body
    makes batched from them (to a fixed point); with ``cond``, all once it is."""
    while True:
        _, out, _ = batch_body(body, st, lead + flags)
        new = [a or b for a, b in zip(flags, out[:n_carry])]
        if cond is not None and batch_body(cond, st, new)[1][0]:
            new = [True] * n_carry
        if new == flags:
            return flags
        flags = new


def loop_rule(eqn: Eqn, st: Batch) -> None:
    body = eqn.params["body"]
    n, inits = st.read(eqn.invars[0]), [st.read(a) for a in eqn.invars[1:]]
    n_carry = len(inits)
    counted = st.is_batched(n)
    if counted:
        _refuse_own_draws(body, st, "a loop whose number of iterations differs between "
                                         "examples")
    if counted and has_effect(body.eqns):
        raise NotBatchableError
    flags = [True] * n_carry if counted else \
        _carry_flags(body, st, [False], [st.is_batched(a) for a in inits], n_carry)
    force = [j for j in range(n_carry) if flags[j]]
    fn, out_flags, _ = batch_body(body, st, [False, *flags], force)
    fn, listed = _rows_listed(fn, n_carry, st)
    inits = [_owned_batch(_value(a), st.size) if f and not st.is_batched(a) else a
             for a, f in zip(inits, flags)]
    if counted:
        fn = _masked(fn, n_carry, lambda k: P.less(k, n), st)
        n = P.reduce_max(n)
    outs = [out_var(o, None, f, st) for o, f in zip(eqn.outvars, out_flags)]
    st.row_lists.update({outs[j]: depth for j, depth in listed.items()})
    current().eqns.append(Eqn(tuple(outs), P.loop, (as_atom(n), *map(as_atom, inits)),
                              {**eqn.params, "body": fn}, eqn.loc))
    for old, new in zip(eqn.outvars, outs):
        st.env[old] = new


def _rows_listed(fn: Function, n_carry: int, st: Batch) -> tuple[Function, dict[int, int]]:
    """A loop body listing (a gradient's tape) a value kept as its examples' rows (of a
    run-time shape, ``batching.per_example``) lists the rows themselves: stacked, they
    would have to agree in shape, and the examples' selections differ in length (the
    gradient reads each example's row back one at a time). The positions listed so,
    with the depth of the list each makes (``Batch.row_lists``): one more than that of
    a list of rows it lists (a nested loop's tape)."""
    listed = {j: 1 if o in st.rows else st.row_lists[o] + 1
              for j, o in enumerate(fn.outvars) if j >= n_carry and isinstance(o, Var)
              and (o in st.rows or o in st.row_lists)}
    if not listed:
        return fn, {}
    outs = [st.rows[o] if j in listed and o in st.rows else o
            for j, o in enumerate(fn.outvars)]
    return Function(fn.name, fn.invars, fn.eqns, tuple(outs)), listed


def _value(a: Atom) -> Any:
    return a.value if isinstance(a, Const) else a


def _masked(fn: Function, n_carry: int, active_of: Any, st: Batch,
            lead: int = 1) -> Function:
    """A loop body whose carried values change only for the examples ``active_of``
    (given the body's leading inputs) says are still running."""
    carry = fn.invars[lead:]
    with building(None) as b:
        b.eqns.extend(fn.eqns)
        active = active_of(*fn.invars[:lead]) if lead else active_of(*carry)
        nexts = [as_atom(_select(active, _value(new), old))
                 for new, old in zip(fn.outvars[:n_carry], carry)]
    return Function(fn.name, fn.invars, tuple(b.eqns), (*nexts, *fn.outvars[n_carry:]))


def while_rule(eqn: Eqn, st: Batch) -> None:
    body, cond = eqn.params["body"], eqn.params["cond"]
    inits = [st.read(a) for a in eqn.invars]
    n_carry = len(inits)
    flags = _carry_flags(body, st, [], [st.is_batched(a) for a in inits], n_carry, cond)
    force = [j for j in range(n_carry) if flags[j]]
    new_cond, pred_flags, _ = batch_body(cond, st, flags)
    fn, out_flags, _ = batch_body(body, st, flags, force)
    fn, listed = _rows_listed(fn, n_carry, st)
    if pred_flags[0]:
        _refuse_own_draws(body, st, "a while loop on a condition that differs between "
                                         "examples")
        if has_effect(body.eqns):
            raise NotBatchableError
        fn = _masked_while(fn, cond, n_carry, st)
        with building(None) as b:
            b.eqns.extend(new_cond.eqns)
            going = as_atom(P.reduce_any(_value(new_cond.outvars[0])))
        new_cond = Function(new_cond.name, new_cond.invars, tuple(b.eqns), (going,))
    inits = [_owned_batch(_value(a), st.size) if f and not st.is_batched(a) else a
             for a, f in zip(inits, flags)]
    outs = [out_var(o, None, f, st) for o, f in zip(eqn.outvars, out_flags)]
    st.row_lists.update({outs[j]: depth for j, depth in listed.items()})
    current().eqns.append(Eqn(tuple(outs), P.while_loop, tuple(map(as_atom, inits)),
                              {**eqn.params, "body": fn, "cond": new_cond}, eqn.loc))
    for old, new in zip(eqn.outvars, outs):
        st.env[old] = new


def _masked_while(fn: Function, cond: Function, n_carry: int, st: Batch) -> Function:
    """The body of a while loop on a batched predicate: the predicate is evaluated
    again on the carried values, and only the examples it holds for move on."""
    def active_of(*carry: Var) -> Any:
        again = batch_body(cond, st, [True] * n_carry)[0]
        return inline(again, carry)[0]
    return _masked(fn, n_carry, active_of, st, lead=0)


REGION_BATCH.update({P.cond: cond_rule, P.loop: loop_rule, P.while_loop: while_rule})

from . import batching_calls as _calls  # noqa: E402,F401  (registers the call rule)

"""Reverse mode through control-flow regions (``cond``, ``loop``, ``while_loop``);
forward mode is in ``control_forward``, calls in ``calls``.

Reverse mode records only what the adjoint reads (DESIGN decision 4):

* ``cond``: each branch's adjoint is built with ``vjp_split``; the values it reads
  from the forward branch leave the forward ``cond`` as extra outputs (``None`` from
  the branch not taken), and the adjoint is a ``cond`` on the same predicate.
* ``loop`` / ``while_loop``: the body's adjoint reads some values computed in the
  body; the forward loop collects exactly those, one list per value (its tape), and
  the adjoint is a loop running the other way that reads them back by index. A
  ``while`` also counts its iterations. Cotangents of the carried values are the
  adjoint loop's carried values; cotangents of values the body captures accumulate in
  carried sums. Where the adjoint reads a carried value both as it enters an iteration
  and as it leaves (an RNN's ``h``), only the entering one is taped: the leaving one
  is the next iteration's entering one, so the adjoint loop carries it back, starting
  from the forward loop's result.
* tapes, when a gradient is differentiated again: the adjoint loop reads a tape
  backwards, one element an iteration, so its own adjoint (running forwards) lists
  the elements' cotangents in the tape's order — the tape's cotangent; the adjoint of
  the loop that wrote the tape reads that list back at the position it wrote.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import adjoint_loc, as_atom, building, current
from ..ir.core import (
    LOOP_INDEX,
    Const,
    Eqn,
    Function,
    Var,
    free_vars,
    reads,
    substitute,
    substitute_eqn,
)
from . import reverse as R
from .reverse import TAPE, vjp_split


def body_residuals(defined: set[Var], adjoint: Sequence[Eqn], cts: Sequence[Any]) -> list[Var]:
    """Values computed in a forward body that its adjoint reads."""
    needed: dict[Var, None] = {}
    for eqn in adjoint:
        needed.update((a, None) for a in reads(eqn) if a in defined)
    needed.update((c, None) for c in cts if isinstance(c, Var) and c in defined)
    return list(needed)


def defined_in(fn: Function, eqns: Sequence[Eqn]) -> set[Var]:
    return set(fn.invars) | {v for e in eqns for v in e.outvars}


def as_cotangent(value: Any, like: Var, mapping: dict[Var, Any]) -> Any:
    """A cotangent for ``like`` inside an adjoint body: zeros where none flowed (for a
    tape, ``None``, as the branch that did not build it holds: nothing reads it). It
    leaves the region with ``like``'s aval (``cotangent_var``), so a float32 value's
    cotangent is made float32 where its dtype is not known to be (a float64 sum of
    float32 terms, through a branch or a loop, would otherwise leave as float64 and
    break the dtype its readers were compiled for)."""
    if value is None:
        if R.is_tape(like):
            return None
        if like.aval.weak and like.aval.shape == () and like.aval.dtype is not None:
            return Const(like.aval.dtype.type(0).item())  # a Python float's: 0.0
        return P.zeros_like(like)
    if isinstance(value, Var):
        value = mapping.get(value, value)
        want = like.aval.dtype
        if isinstance(value, Var) and want is not None and want.kind == "f" \
                and want.itemsize < 8 and value.aval.dtype != want:
            return P.astype(value, want)
        return value
    return P.zeros_like(like) + value


def _captured(body: Function | Sequence[Function], active: set[Var]) -> list[Var]:
    bodies = [body] if isinstance(body, Function) else list(body)
    return list(dict.fromkeys(v for b in bodies for v in free_vars(b) if v in active))


def cotangent_var(v: Var) -> Var:
    return Var(v.aval, f"g_{v.hint or 'out'}")


# ---------------------------------------------------------------------------- cond


@dataclass
class _CondTape:
    placeholders: list[Var | None]  # stand-ins for the outputs' cotangents
    captured: list[Var]
    branches: list[tuple[list[Eqn], list[Any], dict[Var, Var]]]  # adjoint, cts, residuals


class CondRule:
    @staticmethod
    def forward(eqn: Eqn, active: set[Var]) -> _CondTape:
        branches = eqn.params["branches"]
        placeholders = [cotangent_var(o) if o in active else None for o in eqn.outvars]
        captured = _captured(branches, active)
        splits, residuals = [], []
        for body in branches:
            fwd, bwd, cts = vjp_split(body, captured, placeholders)
            splits.append((fwd, bwd, cts))
            residuals.append(body_residuals(defined_in(body, fwd), bwd, cts))
        made_by = {v: e.prim.name for fwd, _, _ in splits for e in fwd for v in e.outvars}
        res_outs = [[Var(r.aval, r.hint or made_by.get(r, "")) for r in rs] for rs in residuals]
        new_bodies = []
        for i, (body, (fwd, _, _)) in enumerate(zip(branches, splits)):
            extra = [a for j, rs in enumerate(residuals)
                     for a in (rs if j == i else [Const(None)] * len(rs))]
            new_bodies.append(Function(body.name, body.invars, tuple(fwd),
                                       body.outvars + tuple(extra)))
        outs = eqn.outvars + tuple(v for vs in res_outs for v in vs)
        current().eqns.append(Eqn(outs, P.cond, eqn.invars,
                                  {**eqn.params, "branches": tuple(new_bodies)}, eqn.loc))
        return _CondTape(placeholders, captured, [
            (bwd, cts, dict(zip(rs, vs))) for (_, bwd, cts), rs, vs in
            zip(splits, residuals, res_outs)])

    @staticmethod
    def backward(eqn: Eqn, tape: _CondTape, adjoints: Any) -> None:
        if not tape.captured:
            return
        incoming = {p: adjoints.get_or_zeros(o)
                    for p, o in zip(tape.placeholders, eqn.outvars) if p is not None}
        # a tape no branch gave a cotangent gets none (rather than None at run time)
        captured = [(k, w) for k, w in enumerate(tape.captured)
                    if not R.is_tape(w) or any(cts[k] is not None for _, cts, _ in tape.branches)]
        bodies = []
        for bwd, cts, residuals in tape.branches:
            mapping = {**incoming, **residuals}
            with building(None) as b:
                b.eqns.extend(substitute(bwd, mapping))
                # a tape made before the ``if`` that this branch does not read: zeros, as
                # the loop that made it reads its cotangent (None is a branch's own tape)
                outs = [as_atom(P.zeros_like_tape(w) if cts[k] is None and R.is_tape(w)
                                else as_cotangent(cts[k], w, mapping)) for k, w in captured]
            bodies.append(Function("grad_branch", (), tuple(b.eqns), tuple(outs)))
        grads = [cotangent_var(w) for _, w in captured]
        current().eqns.append(Eqn(tuple(grads), P.cond, eqn.invars[:1],
                                  {"branches": tuple(bodies)}, adjoint_loc(eqn.loc)))
        for (_, w), g in zip(captured, grads):
            adjoints.add(w, g)


# ---------------------------------------------------------------------------- loops


@dataclass
class _LoopTape:
    carried: list[int]  # positions of carried values that get cotangents
    captured: list[Var]
    placeholders: list[Var]  # cotangents of the carried values: the adjoint's carry
    adjoint: list[Eqn]
    cts: list[Any]
    residuals: list[Var]
    tapes: list[Var]
    shifted: list[tuple[int, Var, Var]]  # (j, leaving, entering) of carried value j
    index: Var | None  # the forward body's loop index, re-derived in the adjoint
    count: Any  # trip count of the adjoint loop
    forward_reversed: bool
    ys: list[tuple[Var, Var, Var]]  # (cotangent stand-in, body value, list) per active y
    reads: list[tuple[Var, Var, bool]]  # (tape, value read this iteration, in_order)


def active_carries(body: Function, carry: Sequence[Var], inits: Sequence[Any],
                    captured: Sequence[Var], differentiated: Any) -> list[int]:
    """Carried values that vary with what is differentiated (values starting so, or
    becoming so through the body's use of ``captured`` ones), to a fixed point."""
    chosen = {j for j, init in enumerate(inits) if isinstance(init, Var) and init in
              differentiated}
    while True:
        varied = R.varied_values(body, [carry[j] for j in chosen] + list(captured))
        grown = chosen | {j for j, out in enumerate(body.outvars[:len(carry)])
                          if out in varied and R.differentiable_value(carry[j])}
        if grown == chosen:
            return sorted(chosen)
        chosen = grown


def _reached_carries(eqn: Eqn, body: Function, carry: Sequence[Var], carried: list[int],
                     active: set[Var]) -> list[int]:
    """Of the ``carried`` values, those a cotangent reaches: whose result leaving the
    loop is active, or that the body turns into one that is (to a fixed point). A carry
    read only by code with no derivative (``float(x) > 0`` picking a branch) is left
    out, so its body's adjoint is never asked for a derivative it has not got."""
    outs = eqn.outvars
    listed = [y for y, lst in zip(body.outvars[len(carry):], outs[len(carry):])
              if lst in active and isinstance(y, Var)]
    reached = {j for j in carried if outs[j] in active}
    while True:
        seeds = [body.outvars[j] for j in sorted(reached)] + listed
        on_path = R.reaching(body, seeds)
        grown = reached | {j for j in carried if carry[j] in on_path}
        if grown == reached:
            return sorted(reached)
        reached = grown


def _tape_reads(eqn: Eqn, body: Function, index: Var | None, active: set[Var]
                ) -> list[tuple[Var, Var, bool]]:
    """``(tape, value, in_order)`` for each active tape the body reads, one element an
    iteration.

    Only gradients' loops read tapes, each at the iteration's index or at the position
    that walks it backwards (``n - 1 - index``). The adjoint of such a loop runs the
    other way and lists the elements' cotangents in the order it meets them: the
    tape's own order where the loop walks the tape from its end (an adjoint loop),
    the reverse where it walks it from its start (``in_order``: the adjoint of an
    adjoint loop, at third order)."""
    made = {v: e for e in body.eqns for v in e.outvars}
    reverse = eqn.params.get("reverse", False)
    out = []
    for e in body.eqns:
        if not (e.prim is P.getitem and R.is_tape(e.invars[0]) and e.invars[0] in active):
            continue
        position = e.invars[1]
        at_index = position is index
        from_end = position in made and made[position].prim is P.sub and \
            made[position].invars[1] is index
        if index is None or not (at_index or from_end):
            if body.name == "per_example":  # batching's loop over rows of run-time shape
                raise R.through_ragged_rows(eqn.loc)
            raise AutodiffError("differentiating through a loop that reads a tape out of "
                                "order is not supported", eqn.loc,
                                hint="differentiate the original function to this order "
                                     "directly")
        out.append((e.invars[0], e.outvars[0], at_index != reverse))
    if len({t for t, _, _ in out}) < len(out):
        raise AutodiffError("a loop reads one tape twice an iteration; differentiating "
                            "through it is not supported", eqn.loc)
    return out


def _split_loop(eqn: Eqn, body: Function, carry: Sequence[Var], inits: Sequence[Any],
                active: set[Var], index: Var | None) -> dict[str, Any]:
    reads_ = _tape_reads(eqn, body, index, active)
    read_values = [r for _, r, _ in reads_]
    # a tape read by the body's own equations gets its cotangent listed per iteration;
    # one a region inside the body reads (vmap's rows of a run-time shape, read by the
    # loop over examples) is captured like any value, its cotangents summed over
    # iterations element by element (fuzz seed 700042: dropped, a zero gradient)
    read_tapes = {t for t, _, _ in reads_}
    captured = [w for w in _captured(body, active) if w not in read_tapes]
    carried = active_carries(body, carry, inits, captured + read_values, active)
    carried = _reached_carries(eqn, body, carry, carried, active)
    placeholders = [cotangent_var(carry[j]) for j in carried]
    ct_out: list[Any] = [None] * len(body.outvars)
    for j, p in zip(carried, placeholders):
        ct_out[j] = p
    ys = []  # a tape this loop writes (a gradient's loop, differentiated again)
    for k, (y, lst) in enumerate(zip(body.outvars[len(carry):], eqn.outvars[len(carry):])):
        if lst in active and isinstance(y, Var):
            ct_out[len(carry) + k] = p = Var(y.aval, f"g_{y.hint or 'y'}")
            ys.append((p, y, lst))
    fwd, bwd, cts = vjp_split(body, [carry[j] for j in carried] + captured + read_values,
                              ct_out)
    residuals = [r for r in body_residuals(defined_in(body, fwd), bwd, cts) if r is not index]
    recomputed, fresh = _copies(_recomputable(fwd, residuals, index, carry))
    bwd = recomputed + substitute(bwd, fresh)
    cts = [fresh.get(c, c) if isinstance(c, Var) else c for c in cts]
    residuals = [r for r in body_residuals(defined_in(body, fwd), bwd, cts) if r is not index]
    shifted = _shifted(body, carry, residuals)
    leaving = {out for _, out, _ in shifted}
    residuals = [r for r in residuals if r not in leaving]
    producer = {v: e.prim.name for e in fwd for v in e.outvars}
    tapes = [Var(TAPE, f"{r.hint or producer.get(r, 'saved')}_tape") for r in residuals]
    return dict(carried=carried, captured=captured, placeholders=placeholders, fwd=fwd,
                adjoint=bwd, cts=cts, residuals=residuals, tapes=tapes, shifted=shifted,
                ys=ys, reads=reads_)


def _loop_tape(split: dict[str, Any], index: Var | None, count: Any, reverse: bool
               ) -> _LoopTape:
    keep = ("carried", "captured", "placeholders", "adjoint", "cts", "residuals", "tapes",
            "shifted")
    return _LoopTape(*(split[k] for k in keep), index, count, reverse, split["ys"],
                     split["reads"])


def _shifted(body: Function, carry: Sequence[Var], residuals: list[Var]
             ) -> list[tuple[int, Var, Var]]:
    """Carried values the adjoint reads both entering and leaving an iteration: the
    leaving one need not be taped (it enters the next iteration)."""
    taped, entering = set(residuals), set(carry)
    return [(j, out, carry[j]) for j, out in enumerate(body.outvars[:len(carry)])
            if isinstance(out, Var) and out in taped and carry[j] in taped
            and out not in entering and body.outvars.count(out) == 1]


def _copies(eqns: list[Eqn]) -> tuple[list[Eqn], dict[Var, Var]]:
    """The equations again, defining fresh values (SSA across the two loops)."""
    fresh: dict[Var, Var] = {}
    out = []
    for eqn in eqns:
        eqn = substitute_eqn(eqn, fresh)
        outs = tuple(Var(v.aval, v.hint) for v in eqn.outvars)
        fresh.update(zip(eqn.outvars, outs))
        out.append(Eqn(outs, eqn.prim, eqn.invars, eqn.params, eqn.loc))
    return out, fresh


def _recomputable(fwd: Sequence[Eqn], residuals: list[Var], index: Var | None,
                  carry: Sequence[Var]) -> list[Eqn]:
    """Equations the adjoint can re-run instead of reading a tape: cheap views of values
    from outside the loop (``xs[t]``), so the tape holds only what must be kept. A view
    of a carried value (``y[t]`` of the array a loop fills) is taped: re-run, it would
    need the whole array as it was at every step, where the tape keeps one row."""
    local = {*carry, *(v for e in fwd for v in e.outvars)}
    producer = {v: e for e in fwd for v in e.outvars}
    chosen: dict[Eqn, None] = {}

    def cheap(v: Var) -> bool:
        eqn = producer.get(v)
        if eqn is None or not eqn.prim.cheap:
            return False
        if all(a not in local or cheap(a) for a in reads(eqn) if a is not index):
            chosen[eqn] = None
            return True
        return False

    wanted = [r for r in residuals if cheap(r)]
    order = {e: i for i, e in enumerate(fwd)}
    return sorted(chosen, key=order.__getitem__) if wanted else []


class LoopRule:
    @staticmethod
    def forward(eqn: Eqn, active: set[Var]) -> _LoopTape:
        body, n, inits = eqn.params["body"], eqn.invars[0], eqn.invars[1:]
        index, carry = body.invars[0], body.invars[1:]
        split = _split_loop(eqn, body, carry, inits, active, index)
        residuals = split["residuals"]
        new_body = Function(body.name, body.invars, tuple(split["fwd"]),
                            body.outvars + tuple(residuals))
        params = {**eqn.params, "body": new_body, "n_ys": eqn.params["n_ys"] + len(residuals)}
        current().eqns.append(Eqn(eqn.outvars + tuple(split["tapes"]), P.loop, eqn.invars,
                                  params, eqn.loc))
        count = n.value if isinstance(n, Const) else n
        return _loop_tape(split, index, count, eqn.params.get("reverse", False))

    @staticmethod
    def backward(eqn: Eqn, tape: _LoopTape, adjoints: Any) -> None:
        _adjoint_loop(eqn, tape, eqn.invars[1:], eqn.params["body"].invars[1:], adjoints)


class WhileRule:
    @staticmethod
    def forward(eqn: Eqn, active: set[Var]) -> _LoopTape:
        body, cond, inits = eqn.params["body"], eqn.params["cond"], eqn.invars
        carry = body.invars
        split = _split_loop(eqn, body, carry, inits, active, None)
        residuals = split["residuals"]
        count_in, count_c = Var(LOOP_INDEX, "n_iter"), Var(LOOP_INDEX, "n_iter")
        with building(None) as b:
            b.eqns.extend(split["fwd"])
            count_next = count_in + 1
        n_carry = len(carry)
        new_body = Function(body.name, (*carry, count_in), tuple(b.eqns),
                            (*body.outvars[:n_carry], count_next, *body.outvars[n_carry:],
                             *residuals))
        new_cond = Function(cond.name, (*cond.invars, count_c), cond.eqns, cond.outvars)
        count = Var(LOOP_INDEX, "n_iter")
        outs = (*eqn.outvars[:n_carry], count, *eqn.outvars[n_carry:], *split["tapes"])
        params = {**eqn.params, "body": new_body, "cond": new_cond,
                  "n_ys": eqn.params["n_ys"] + len(residuals)}
        current().eqns.append(Eqn(outs, P.while_loop, (*eqn.invars, Const(0)), params, eqn.loc))
        return _loop_tape(split, None, count, False)

    @staticmethod
    def backward(eqn: Eqn, tape: _LoopTape, adjoints: Any) -> None:
        _adjoint_loop(eqn, tape, eqn.invars, eqn.params["body"].invars, adjoints)


def _read_back(lst: Var, like: Var, position: Any) -> Var:
    """The element of a list (a tape, or a list of cotangents) for this iteration."""
    value = Var(like.aval, like.hint)
    current().eqns.append(Eqn((value,), P.getitem, (lst, as_atom(position)), {}, None))
    return value


def _ys_cotangents(tape: _LoopTape, adjoints: Any, position: Any) -> dict[Var, Any]:
    """This iteration's cotangent of each value the forward loop listed (a tape it
    wrote): read from the list of cotangents, or zeros where none flowed."""
    out = {}
    for p, y, lst in tape.ys:
        cts = adjoints.ct.get(lst)
        if cts is not None:
            out[p] = _read_back(cts, p, position)
            continue
        # (an element that is a tape itself, an inner loop's per iteration, gets a
        # tape's zeros: np.zeros_like of its list stacked it, or raised where ragged)
        element = _read_back(lst, y, position)
        out[p] = P.zeros_like_tape(element) if R.is_tape(y) else P.zeros_like(element)
    return out


def _summed(total: Var, contribution: Any, captured: Var) -> Any:
    """A captured value's cotangent summed over iterations: a tape's element by element."""
    if R.is_tape(captured):
        return total if contribution is None else P.add_tapes(total, contribution)
    return P.add_into(total, contribution)


def _adjoint_loop(eqn: Eqn, tape: _LoopTape, inits: Sequence[Any], carry: Sequence[Var],
                  adjoints: Any) -> None:
    """The loop that runs the body's adjoint, last iteration first."""
    ct_final = [as_atom(adjoints.get_or_zeros(eqn.outvars[j])) for j in tape.carried]
    # (of a value whose dtype only the run decides, an int where Python's sum of no
    # items is 0: its zeros made float, as the cotangents added in place are; seed 390423;
    # not in shape-generic code, where no dtype is known)
    sums_init = [P.zeros_like_tape(w) if R.is_tape(w)
                 else P.zeros_like(w) + 0.0 if w.aval.dtype is None and w.aval.shape is not None
                 else P.zeros_like(w) for w in tape.captured]
    named = tape.index is not None and tape.index.hint not in ("", "_")
    index = Var(LOOP_INDEX, tape.index.hint if named else "i")  # the tape is read at it
    sums = [cotangent_var(w) for w in tape.captured]
    # a carried value as it left each iteration, carried back from the loop's result
    leaving = [Var(out.aval, out.hint) for _, out, _ in tape.shifted]
    with building(None) as b:
        # the forward body saw this same index; its tape is in iteration order
        position = (tape.count - 1) - index if tape.forward_reversed else index
        mapping: dict[Var, Any] = {} if tape.index is None else {tape.index: index}
        mapping.update((out, v) for (_, out, _), v in zip(tape.shifted, leaving))
        for r, t in zip(tape.residuals, tape.tapes):
            mapping[r] = _read_back(t, r, position)
        mapping.update(_ys_cotangents(tape, adjoints, position))
        b.eqns.extend(substitute(tape.adjoint, mapping))
        n, m = len(tape.carried), len(tape.carried) + len(tape.captured)
        # zeros where no cotangent flowed: of the incoming one's shape (the carried
        # value itself is the forward body's, not in scope here)
        carry_out = [as_cotangent(c, p, mapping) for c, p in zip(tape.cts[:n], tape.placeholders)]
        entering = [mapping[into] for _, _, into in tape.shifted]
        sums_out = [s if c is None else _summed(s, as_cotangent(c, w, mapping), w)
                    for s, c, w in zip(sums, tape.cts[n:m], tape.captured)]
        # the cotangent of each element read from a tape, listed: the tape's cotangent
        read = [(t, mapping.get(c, c), in_order)
                for (t, _, in_order), c in zip(tape.reads, tape.cts[m:]) if c is not None]
    body = Function("grad_body", (index, *tape.placeholders, *leaving, *sums), tuple(b.eqns),
                    tuple(as_atom(v) for v in (*carry_out, *entering, *sums_out,
                                               *(c for _, c, _ in read))))
    outs = [cotangent_var(v) for v in (*(carry[j] for j in tape.carried), *tape.captured)]
    results = [eqn.outvars[j] for j, _, _ in tape.shifted]
    spent = [Var(v.aval, v.hint) for v in leaving]  # the values entering the first iteration
    listed = [Var(TAPE, f"g_{t.hint or 'tape'}") for t, _, _ in read]
    params = {"body": body, "n_ys": len(read), "reverse": not tape.forward_reversed}
    current().eqns.append(Eqn((*outs[:n], *spent, *outs[n:], *listed), P.loop,
                              (as_atom(tape.count), *ct_final, *results, *sums_init),
                              params, adjoint_loc(eqn.loc)))
    for j, g in zip(tape.carried, outs):
        adjoints.add(inits[j], g)
    # (a captured value no cotangent reaches in the body, one only the loop's test
    # reads, gets none: zeros would meet a NaN partial of it, fuzz seed 670454)
    for w, g, c in zip(tape.captured, outs[len(tape.carried):], tape.cts[n:m]):
        if c is not None:
            adjoints.add(w, g)
    for (t, _, in_order), g in zip(read, listed):
        adjoints.add(t, P.reversed_tape(g) if in_order else g)


R.REGION_RULES.update({P.cond: CondRule, P.loop: LoopRule, P.while_loop: WhileRule})

# the other region rules register themselves
from . import calls, checkpoint, control_forward  # noqa: E402, F401

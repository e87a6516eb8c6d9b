"""Checkpointing (rematerialisation) in reverse mode: recompute instead of taping.

A checkpointed block is a ``call`` of a callee marked ``derived["checkpoint"]``
(``frontend.remat``). Its forward is the plain call — nothing but its operands stays
alive for the backward pass, and those are in scope anyway (or taped by an enclosing
loop, like any operand). Its adjoint is a call of ``<name>_backward(*operands,
*cotangents)``, a function that re-runs the block's forward (taping, inside, what the
block's own adjoint reads: its loops' tapes live only while it runs) and then the
block's adjoint. Nothing crosses the call but arrays, so a gradient holding such a
call is differentiated again like any other (``_backward`` is an ordinary compiled
function), and forward mode simply runs the block.

A checkpointed loop (``for t in checkpointed(range(T))``: a ``loop`` whose params
carry ``"checkpoint"``) is rewritten, when it is differentiated, into a loop over
``S`` segments of ``k`` iterations whose body is a checkpointed call of "run the
original body ``k`` times" (the last segment runs what is left). The outer loop then
tapes, per segment, just the operands of that call — the carried values entering the
segment, its snapshots — and its adjoint recomputes one segment at a time with a
full tape of that segment only: ``S + k`` stored states instead of ``T``
iterations' intermediates, ``2·√T`` with ``k = ⌈√T⌉`` (or ``snapshots`` segments).
Each iteration is run twice in all (once forward, once recomputed). With
``levels=L`` a segment (of ``⌈T^(L/(L+1))⌉`` iterations) is itself a checkpointed loop
with ``L - 1`` levels, split again when its backward recomputes it: about
``(L+1)·T^(1/(L+1))`` states are alive at once, and each iteration runs ``L + 1``
times — multi-level checkpointing, a simpler relative of Revolve's binomial schedule
(which would choose uneven segments to recompute less for the same memory).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import adjoint_loc, as_atom, building, current
from ..ir.core import (
    LOOP_INDEX,
    Callee,
    Const,
    Eqn,
    Function,
    Var,
    free_vars,
    reads,
    regions,
    renamed,
)
from . import reverse as R
from .calls import CallRule
from .control import LoopRule, cotangent_var
from .reverse import vjp_split

# ---------------------------------------------------------------------------- blocks


def is_checkpointed(eqn: Eqn) -> bool:
    return "checkpoint" in eqn.params["callee"].derived


def backward_callee(callee: Callee, wrt: tuple[int, ...]) -> tuple[Callee, list[int]]:
    """``<name>_backward(*params, *cotangents)``: the block recomputed, then its adjoint,
    returning the cotangents of the parameters at positions ``wrt`` (floats a gradient
    flows to at the call); with the positions of the outputs whose cotangents it takes.
    Made once per callee and ``wrt``."""
    made = callee.derived.setdefault("checkpoint_vjp", {})
    if wrt in made:
        return made[wrt]
    fn = callee.fn
    suffix = "" if not made else f"_{len(made)}"
    bwd = Callee(f"{callee.name}_backward{suffix}")
    seeded = [j for j, o in enumerate(fn.outvars) if isinstance(o, Var) and o.aval.is_float]
    made[wrt] = (bwd, seeded)
    placeholders: list[Any] = [None] * len(fn.outvars)
    for j in seeded:
        placeholders[j] = Var(fn.outvars[j].aval, f"g_{fn.outvars[j].hint or 'out'}")
    forward, adjoint, cts = vjp_split(fn, [fn.invars[i] for i in wrt], placeholders)
    forward = _needed(forward, adjoint, cts)
    params = [Var(v.aval, v.hint) for v in fn.invars]
    env: dict[Var, Any] = dict(zip(fn.invars, params))
    with building(None) as b:
        b.eqns.extend(renamed([*forward, *adjoint], env))  # fresh values: SSA in the new def
        outs = [as_atom(_cotangent(c, env[fn.invars[i]], env)) for c, i in zip(cts, wrt)]
    bwd.define(Function(bwd.name, (*params, *(placeholders[j] for j in seeded)),
                        tuple(b.eqns), tuple(outs), fn.loc))
    return bwd, seeded


def _needed(forward: list[Eqn], adjoint: list[Eqn], cts: list[Any]) -> list[Eqn]:
    """The forward equations the adjoint reads from (the block's outputs themselves are
    not recomputed unless its adjoint reads them). Assertions are checked again; a
    ``print`` is not repeated (it ran on the forward pass, once per call)."""
    live = {v for e in adjoint for v in reads(e)} | {c for c in cts if isinstance(c, Var)}
    kept = []
    for eqn in reversed(forward):
        if eqn.prim.form == "check" or any(v in live for v in eqn.outvars):
            if _draws(eqn):
                raise AutodiffError(
                    "a checkpointed (recomputed) block draws random numbers that its "
                    "gradient reads: recomputing them would draw others", eqn.loc,
                    hint="draw them outside the block and pass them in (a dropout mask), "
                         "or do not checkpoint it")
            kept.append(eqn)
            live.update(reads(eqn))
    return kept[::-1]


def _draws(eqn: Eqn) -> bool:
    return eqn.prim.random or any(_draws(e) for _, body in regions(eqn) for e in body.eqns)


def _cotangent(c: Any, like: Var, env: dict[Var, Any]) -> Any:
    if c is None:
        return P.zeros_like(like)
    if isinstance(c, Var):
        return env.get(c, c)
    return P.zeros_like(like) + c


class CheckpointCallRule:
    """The ``call`` rule: checkpointed callees here, every other one as ``CallRule``."""

    @staticmethod
    def forward(eqn: Eqn, active: set[Var]) -> Any:
        if not is_checkpointed(eqn):
            return CallRule.forward(eqn, active)
        current().eqns.append(eqn)  # the plain call: only its operands are kept
        return None

    @staticmethod
    def backward(eqn: Eqn, tape: Any, adjoints: Any) -> None:
        if not is_checkpointed(eqn):
            CallRule.backward(eqn, tape, adjoints)
            return
        params = eqn.params["callee"].fn.invars
        wrt = tuple(i for i, (a, v) in enumerate(zip(eqn.invars, params))
                    if v.aval.is_float and a in adjoints.active)
        bwd, seeded = backward_callee(eqn.params["callee"], wrt)
        cts = [as_atom(adjoints.get_or_zeros(eqn.outvars[j])) for j in seeded]
        args = [eqn.invars[i] for i in wrt]
        grads = [cotangent_var(a) for a in args]
        current().eqns.append(Eqn(tuple(grads), P.call, (*eqn.invars, *cts),
                                  {"callee": bwd}, adjoint_loc(eqn.loc)))
        for a, g in zip(args, grads):
            adjoints.add(a, g)


# ---------------------------------------------------------------------------- loops


def segment_lengths(n: Any, snapshots: int | None, levels: int) -> tuple[Any, Any]:
    """``(k, S)``: iterations per segment and number of segments for ``n`` iterations
    (``n`` known when compiling, or an int value emitted into the current builder):
    ``snapshots`` segments, or segments of ``⌈n^(L/(L+1))⌉`` for ``levels=L``."""
    power = levels / (levels + 1)
    if isinstance(n, int | np.integer):
        n = max(int(n), 0)
        if snapshots:
            k = -(-n // snapshots)
        elif levels == 1:
            k = math.isqrt(max(n - 1, 0)) + 1
        else:
            k = math.ceil(n ** power - 1e-9)
        k = max(k, 1)
        return k, -(-n // k)
    if snapshots:
        k = P.maximum(P.floor_divide(n + (snapshots - 1), snapshots), 1)
    else:
        root = P.sqrt(n) if levels == 1 else P.power(n, power)
        k = P.maximum(P.astype_discrete(P.ceil(root), np.dtype(np.int64)), 1)
    n_segments = P.floor_divide(n + (k - 1), k)
    k.hint, n_segments.hint = "segment_length", "n_segments"
    return k, n_segments


def _segment_callee(eqn: Eqn, reverse: bool) -> tuple[Callee, list[Var]]:
    """``segment(first, count, *carry, *captured)``: the original body ``count`` times,
    at loop positions ``first, first ± 1, ...``; with the captured values it reads."""
    body = eqn.params["body"]
    index, carry = body.invars[0], body.invars[1:]
    captured = free_vars(body)
    first, count, j = Var(LOOP_INDEX, "first"), Var(LOOP_INDEX, "count"), Var(LOOP_INDEX, "j")
    carry_p = [Var(v.aval, v.hint) for v in carry]
    captured_p = [Var(v.aval, v.hint) for v in captured]
    env: dict[Var, Any] = dict(zip(captured, captured_p))
    inner_carry = [Var(v.aval, v.hint) for v in carry]
    env.update(zip(carry, inner_carry))
    with building(None) as b:
        env[index] = (first - j) if reverse else (first + j)
        b.eqns.extend(renamed(body.eqns, env))
        outs = tuple(env.get(o, o) if isinstance(o, Var) else o for o in body.outvars)
    inner = Function(body.name, (j, *inner_carry), tuple(b.eqns), outs)
    results = [Var(o.aval, o.hint) for o in eqn.outvars]
    params = {k: v for k, v in eqn.params.items() if k != "checkpoint"}
    _, levels = eqn.params["checkpoint"]
    if levels > 1:  # the segment is itself split when its backward recomputes it
        params["checkpoint"] = (None, levels - 1)
    loop = Eqn(tuple(results), P.loop, (count, *carry_p),
               {**params, "body": inner, "reverse": False}, eqn.loc)
    callee = Callee(f"{body.name or 'loop'}_segment")
    callee.define(Function(callee.name, (first, count, *carry_p, *captured_p), (loop,),
                           tuple(results), eqn.loc))
    callee.derived["checkpoint"] = "a checkpointed loop's segment"
    return callee, captured


def segmented(eqn: Eqn) -> Eqn:
    """The loop over segments replacing a checkpointed loop (equations computing the
    segment length go into the current builder)."""
    if eqn.params["n_ys"]:
        raise AutodiffError("a checkpointed loop cannot list values per iteration", eqn.loc)
    n = eqn.invars[0].value if isinstance(eqn.invars[0], Const) else eqn.invars[0]
    k, n_segments = segment_lengths(n, *eqn.params["checkpoint"])
    reverse = eqn.params.get("reverse", False)
    callee, captured = _segment_callee(eqn, reverse)
    carry = [Var(v.aval, v.hint) for v in eqn.params["body"].invars[1:]]
    s = Var(LOOP_INDEX, "segment")
    with building(eqn.loc) as b:
        start = s * k
        count = P.minimum(n - start, k)
        first = (n - 1) - start if reverse else start
        outs = [Var(o.aval, o.hint) for o in eqn.outvars]
        b.eqns.append(Eqn(tuple(outs), P.call, (as_atom(first), as_atom(count), *carry,
                                                  *captured), {"callee": callee}, eqn.loc))
    body = Function("segments", (s, *carry), tuple(b.eqns), tuple(outs))
    params = {k_: v for k_, v in eqn.params.items() if k_ != "checkpoint"}
    return Eqn(eqn.outvars, P.loop, (as_atom(n_segments), *eqn.invars[1:]),
               {**params, "body": body, "reverse": False}, eqn.loc)


class CheckpointLoopRule:
    """The ``loop`` rule: a checkpointed loop is differentiated as its segments."""

    @staticmethod
    def forward(eqn: Eqn, active: set[Var]) -> Any:
        if "checkpoint" not in eqn.params:
            return eqn, LoopRule.forward(eqn, active)
        outer = segmented(eqn)
        return outer, LoopRule.forward(outer, active)

    @staticmethod
    def backward(eqn: Eqn, tape: Any, adjoints: Any) -> None:
        outer, loop_tape = tape
        LoopRule.backward(outer, loop_tape, adjoints)


R.REGION_RULES.update({P.call: CheckpointCallRule, P.loop: CheckpointLoopRule})

"""The batching rule of calls: a checkpointed function, a gradient's forward and
backward halves of a function it calls rather than inlines.

A call calls its callee batched (``batching_control.batch_body``, as a loop's body is
batched), so the tape a forward half packs for its backward half is a batched list
(``batching_lists``). A callee that calls itself (recursion ending on run-time values),
or has a custom rule or a Cell's hook (written for one example), is called once per
example, as is a call reading values kept as their examples' rows where its results
are arrays.
"""
from __future__ import annotations

import numpy as np

from ..ir import primitives as P
from ..ir.builder import as_atom, current
from ..ir.core import Callee, Eqn
from ..ir.primitives.batching import NotBatchableError
from .batching import REGION_BATCH, Batch
from .batching_control import batch_body, out_var

# What a callee's ``derived`` may hold for it to be batched as any function is: versions
# derived from it (made again from the batched one where needed), and the checkpoint
# mark (the batched callee is recomputed as the example's is). Custom rules and hooks
# are written for one example: such a callee is called once per example.
_BATCHED_AS_ANY = frozenset(["vjp", "jvp", "checkpoint_vjp", "checkpoint"])
_batching: set[Callee] = set()  # callees being batched: a call of one again recurses


def call_rule(eqn: Eqn, st: Batch) -> None:
    """A call (a checkpointed function, a gradient's forward and backward halves of
    one) calls its callee batched: the tape one half gives the other is a list of
    batched values, which a loop over the examples could not stack. A callee that
    calls itself (recursion ending on run-time values) does so once per example."""
    callee = eqn.params["callee"]
    if callee in _batching or not set(callee.derived) <= _BATCHED_AS_ANY:
        raise NotBatchableError
    ins = [st.read(a) for a in eqn.invars]
    # Values kept as their examples' rows (of a shape known at run time only) are taken
    # one example at a time where the call's results are arrays; where one is a tape,
    # the rows are passed stacked (``reference.stack_rows`` says if they differ).
    one_at_a_time = all(o.aval.dtype != np.dtype(object) for o in eqn.outvars)
    if any(a in st.row_lists or (one_at_a_time and a in st.rows) for a in ins):
        raise NotBatchableError
    _batching.add(callee)
    try:
        fn, flags, inner = batch_body(callee.fn, st, [st.is_batched(a) for a in ins])
    finally:
        _batching.discard(callee)
    if any(o in inner.row_lists or (one_at_a_time and o in inner.rows) for o in fn.outvars):
        raise NotBatchableError
    batched = Callee(f"vmap_{callee.name}")
    batched.define(fn)
    if "checkpoint" in callee.derived:
        batched.derived["checkpoint"] = callee.derived["checkpoint"]
    outs = [out_var(o, None, f, st) for o, f in zip(eqn.outvars, flags)]
    current().eqns.append(Eqn(tuple(outs), P.call, tuple(map(as_atom, ins)),
                              {**eqn.params, "callee": batched}, eqn.loc))
    for old, new in zip(eqn.outvars, outs):
        st.env[old] = new


REGION_BATCH[P.call] = call_rule

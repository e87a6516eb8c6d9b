"""Calls whose gradient is the user's: a Cell's ``bprop`` and ``custom_vjp`` functions.

Such a call is not inlined. It becomes a ``call`` of its primal body compiled on its
own (an ``ir.Callee``), whose forward/backward pair (``derived["vjp"]``, the same pair
reverse mode builds for any compiled function, ``ad.calls``) is made here instead of
by differentiating the body: the forward runs the user's augmented forward and packs
its residuals into a tape; the backward is the user's backward rule lowered from its
source like any other function, so it appears in the generated code. Reverse mode
then needs nothing new. Forward mode and a second derivative through such a call are
refused at the call (``derived["custom"]`` names the rule for those errors).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Aval, Callee, Const, Eqn, Function, Var, reads

if TYPE_CHECKING:
    from .lowering import Lowering

# the residual tuple (an object, as ad.reverse's tapes are); read back by index
TAPE = Aval(None, np.dtype(object))


def _is_var(v: Any) -> bool:
    return isinstance(v, Var)


def custom_call(low: Lowering, name: str, inputs: tuple, primal: Callable[[tuple], Any],
                augmented: Callable[[tuple], tuple[Any, Any]],
                backward: Callable[[Any, Any], Any], loc: Loc | None, rule_loc: Loc,
                what: str) -> Any:
    """Emit ``call`` of ``primal(inputs)`` whose adjoint is the user's rule.

    ``augmented(inputs)`` lowers to ``(out, residuals)``; ``backward(residuals, dout)``
    lowers the user's rule and must give a tuple with one cotangent (or None) per
    input. Each callback lowers into the current builder; ``inputs`` are Vars or
    values known when compiling (only Vars get cotangents). ``what`` names the rule in
    errors (``Cell 'Net'.bprop``); ``rule_loc`` is where it is defined."""
    callee, local, dynamic = called_alone(name, inputs, primal, loc, rule_loc, what)
    fwd_eqns, fwd_outs, packed, res_skeleton = _forward(callee, local, augmented, loc)
    bwd, used = _backward(callee, local, packed, res_skeleton, backward, loc, rule_loc)
    fwd = Callee(f"{callee.name}_forward")
    fwd.derived["custom"] = what
    tape = Var(TAPE, f"{callee.name}_tape")  # only what the rule reads
    pack = Eqn((tape,), P.make_tuple, tuple(packed[i] for i in used), {}, None)
    fwd.define(Function(fwd.name, callee.fn.invars, (*fwd_eqns, pack), (*fwd_outs, tape), rule_loc))
    callee.derived["vjp"] = (fwd, bwd, [])  # no cotangent for what the body captures
    return emit_call(low, callee, dynamic, loc or rule_loc)  # else located at the rule's def


def called_alone(name: str, inputs: tuple, primal: Callable[[tuple], Any], loc: Loc | None,
                 rule_loc: Loc | None, what: str) -> tuple[Callee, tuple, list[Var]]:
    """``primal(inputs)`` lowered on its own as a ``Callee`` (its gradient is then made
    by someone other than the inliner), the inputs it takes as its parameters, and the
    caller's values passed to them. ``what`` names the special call in errors."""
    for i, value in enumerate(inputs):
        if not _is_var(value) and trees.flatten(value, _is_var)[0]:
            raise AutodiffError(f"{what}: argument {i} holds arrays inside a container; "
                                "it takes arrays as separate arguments", loc,
                                hint="pass each array as its own argument")
    dynamic = [v for v in inputs if _is_var(v)]
    # one parameter per position: an array passed twice gets a gradient at each
    local = tuple(Var(v.aval, v.hint or "x") if _is_var(v) else v for v in inputs)
    invars = tuple(v for v in local if _is_var(v))
    callee = Callee(name)
    with building(loc) as b:
        out = primal(local)
    out_leaves, out_skeleton = trees.flatten(out, _is_var)
    callee.define(Function(callee.name, invars, tuple(b.eqns), tuple(map(as_atom, out_leaves)),
                           rule_loc))
    callee.skeleton = out_skeleton
    callee.derived["custom"] = what
    return callee, local, dynamic


def emit_call(low: Lowering, callee: Callee, dynamic: list[Var], loc: Loc | None) -> Any:
    """The ``call`` of ``callee`` on ``dynamic``, its results shaped as it returns them."""
    outs = [Var(o.aval, f"{callee.name}_out") for o in callee.fn.outvars]
    low.builder.eqns.append(Eqn(tuple(outs), P.call, tuple(dynamic), {"callee": callee}, loc))
    return trees.unflatten(callee.skeleton, outs)


def _forward(callee: Callee, local: tuple, augmented: Callable, loc: Loc | None
             ) -> tuple[list[Eqn], list[Any], list[Any], Any]:
    """The augmented forward's equations and outputs, then what a tape may hold: its
    residuals and the inputs (zeros need their shapes where the rule gives None)."""
    with building(loc) as b:
        out, residuals = augmented(local)
    out_leaves, skeleton = trees.flatten(out, _is_var)
    if repr(skeleton) != repr(callee.skeleton):
        raise AutodiffError(f"{callee.derived['custom']}: the forward rule's output has "
                            "another structure than the function's", loc,
                            hint="return (out, residuals) with out as the function returns it")
    res_leaves, res_skeleton = trees.flatten(residuals, _is_var)
    packed = [*map(as_atom, res_leaves), *callee.fn.invars]
    return list(b.eqns), list(map(as_atom, out_leaves)), packed, res_skeleton


def _backward(callee: Callee, local: tuple, packed: list[Any], res_skeleton: Any,
              backward: Callable, loc: Loc | None, rule_loc: Loc) -> tuple[Callee, list[int]]:
    """The user's rule on (residuals, dout), returning one cotangent per float input,
    and which of ``packed`` it reads (the tape holds those, in that order)."""
    what = callee.derived["custom"]
    bwd = Callee(f"{callee.name}_backward")
    bwd.derived["custom"] = what
    tape_in = Var(TAPE, f"{callee.name}_tape")
    douts = [Var(o.aval, "dout") for o in callee.fn.outvars]
    unpacked = [Var(v.aval if _is_var(v) else Aval(), getattr(v, "hint", None) or "res")
                for v in packed]
    n_res = len(packed) - len(callee.fn.invars)
    inputs = dict(zip(callee.fn.invars, unpacked[n_res:]))
    with building(loc) as b:
        residuals = trees.unflatten(res_skeleton, unpacked[:n_res])
        grads = backward(residuals, trees.unflatten(callee.skeleton, douts))
        if not isinstance(grads, tuple):
            raise AutodiffError(f"{what} must return a tuple of gradients, one per input, "
                                f"but returned {type(grads).__name__}", rule_loc,
                                hint="write `return (dx,)` for a single input")
        if len(grads) != len(local):
            raise AutodiffError(f"{what} returned {len(grads)} gradients for {len(local)} "
                                f"inputs: it must return exactly one per input", rule_loc,
                                hint="return None (or zeros) for an input without gradient")
        outs = []
        for x, g in zip(local, grads):
            if not (_is_var(x) and x.aval.is_float):
                continue
            if g is None:
                g = P.zeros_like(inputs[x])
            elif not _is_var(g):
                g = P.zeros_like(inputs[x]) + g
            elif None not in (g.aval.shape, x.aval.shape) and g.aval.shape != x.aval.shape:
                raise AutodiffError(f"{what} returned a gradient of shape {g.aval.shape} for "
                                    f"an input of shape {x.aval.shape}", rule_loc,
                                    hint="return each gradient in its input's shape")
            outs.append(as_atom(g))
    read = {v for e in b.eqns for v in reads(e)} | {v for v in outs if _is_var(v)}
    used = [i for i, v in enumerate(unpacked) if v in read]
    unpack = [Eqn((unpacked[i],), P.getitem, (tape_in, Const(k)), {}, None)
              for k, i in enumerate(used)]
    bwd.define(Function(bwd.name, (tape_in, *douts), (*unpack, *b.eqns), tuple(outs),
                        rule_loc))
    return bwd, used

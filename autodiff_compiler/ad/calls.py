"""Reverse mode through calls to functions compiled once (recursion that ends on
run-time values): a forward version returning its values and a tape (a tuple of what
the adjoint reads), and a backward version taking the tape and the cotangents."""
from __future__ import annotations

from typing import Any

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import adjoint_loc, as_atom, building, current
from ..ir.core import Aval, Callee, Const, Eqn, Function, Var, substitute
from . import custom
from . import reverse as R
from .control import as_cotangent, body_residuals, cotangent_var, defined_in
from .reverse import TAPE, vjp_split


def _vjp_callee(callee: Callee) -> tuple[Callee, Callee, list[Var]]:
    """The forward (values and a tape) and backward (tape and cotangents in, cotangents
    of the arguments and captured arrays out) versions of a compiled function, made
    once; a recursive body refers to them while they are being made."""
    if "vjp" in callee.derived:
        return callee.derived["vjp"]
    fn = callee.fn
    fwd, bwd = Callee(f"{callee.name}_forward"), Callee(f"{callee.name}_backward")
    if "special" in callee.derived:  # what a second derivative through them is refused as
        fwd.derived["special"] = bwd.derived["special"] = callee.derived["special"]
    captured = [v for v in callee.free if v.aval.is_float]
    callee.derived["vjp"] = (fwd, bwd, captured)
    wrt = [v for v in fn.invars if v.aval.is_float] + captured
    placeholders = [Var(a.aval, f"g_{a.hint or 'out'}") if isinstance(a, Var) else None
                    for a in fn.outvars]
    forward_eqns, adjoint, cts = vjp_split(fn, wrt, placeholders)
    # The cotangents returned are made before the tape is chosen: a zero one is
    # ``zeros_like`` of its argument, which the backward function sees only taped.
    with building(None) as b:
        outs = [as_atom(as_cotangent(c, v, {})) for c, v in zip(cts, wrt)]
    adjoint = [*adjoint, *b.eqns]
    residuals = body_residuals(defined_in(fn, forward_eqns), adjoint, cts)
    tape = Var(TAPE, f"{callee.name}_tape")
    pack = Eqn((tape,), P.make_tuple, tuple(residuals), {}, None)
    fwd.define(Function(fwd.name, fn.invars, (*forward_eqns, pack), (*fn.outvars, tape), fn.loc))
    tape_in = Var(TAPE, f"{callee.name}_tape")
    mapping = {r: Var(r.aval, r.hint) for r in residuals}
    unpack = [Eqn((mapping[r],), P.getitem, (tape_in, Const(i)), {}, None)
              for i, r in enumerate(residuals)]
    outs = [mapping.get(o, o) if isinstance(o, Var) else o for o in outs]
    ins = [p if p is not None else Var(TAPE, "unused") for p in placeholders]
    bwd.define(Function(bwd.name, (tape_in, *ins), (*unpack, *substitute(adjoint, mapping)),
                        tuple(outs), fn.loc))
    return fwd, bwd, captured


def refuse_taped_call(eqn: Eqn) -> None:
    """A gradient's own recursive forward/backward pair passes a tape between calls:
    differentiating it again would need the tape's derivative, not built yet. So does
    the pair of a Cell with backward hooks (``derived["special"]`` names it)."""
    fn = eqn.params["callee"].fn
    special = eqn.params["callee"].derived.get("special")
    if special is not None and any(R.is_tape(v) for v in (*fn.invars, *fn.outvars)):
        raise AutodiffError(f"a second derivative through {special} is not supported yet",
                            eqn.loc, hint="differentiate once, or remove the hook")
    if any(R.is_tape(v) for v in (*fn.invars, *fn.outvars)):
        raise AutodiffError("a second derivative through recursion that ends on run-time "
                            "values is not supported yet", eqn.loc,
                            hint="write the recursion as a loop, or make it end on a value "
                                 "known when compiling (it is then unrolled)")


class CallRule:
    @staticmethod
    def forward(eqn: Eqn, active: set[Var]) -> Any:
        if custom.is_custom(eqn):  # the user's rule in the call's place
            return custom.forward(eqn, active)
        refuse_taped_call(eqn)
        fwd, bwd, captured = _vjp_callee(eqn.params["callee"])
        tape = Var(TAPE, f"{fwd.name}_tape")
        current().eqns.append(Eqn((*eqn.outvars, tape), P.call, eqn.invars, {"callee": fwd},
                                  eqn.loc))
        return bwd, captured, tape

    @staticmethod
    def backward(eqn: Eqn, tape: Any, adjoints: Any) -> None:
        if custom.is_custom(eqn):
            custom.backward(eqn, tape, adjoints)
            return
        bwd, captured, tape_var = tape
        callee = eqn.params["callee"]
        cts = [as_atom(adjoints.get_or_zeros(o)) for o in eqn.outvars]
        args = [a for a, v in zip(eqn.invars, callee.fn.invars) if v.aval.is_float]
        outs = [cotangent_var(a) if isinstance(a, Var) else Var(Aval(), "g_const") for a in args]
        outs += [cotangent_var(w) for w in captured]
        # a Cell's backward hooks: on the output's cotangents, then on the inputs'
        on_outputs, on_inputs = callee.derived.get("cotangent_hooks", (None, None))
        if on_outputs is not None:
            cts = _call(on_outputs, cts, eqn)
        current().eqns.append(Eqn(tuple(outs), P.call, (tape_var, *cts),
                                  {"callee": bwd}, adjoint_loc(eqn.loc)))
        if on_inputs is not None:
            outs[:len(args)] = _call(on_inputs, [*outs[:len(args)], *cts], eqn)
        for a, g in zip([*args, *captured], outs):
            adjoints.add(a, g)


def _call(callee: Callee, args: list, eqn: Eqn) -> list[Var]:
    """A call of ``callee`` in the adjoint of ``eqn``; its results."""
    outs = [Var(o.aval, o.hint if isinstance(o, Var) else "g") for o in callee.fn.outvars]
    current().eqns.append(Eqn(tuple(outs), P.call, tuple(args), {"callee": callee},
                              adjoint_loc(eqn.loc)))
    return outs


R.REGION_RULES[P.call] = CallRule

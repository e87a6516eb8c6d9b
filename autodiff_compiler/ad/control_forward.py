"""Forward mode through control-flow regions and calls: tangents are carried next to
the values — extra branch outputs, extra loop-carried values, and a list of tangents
next to each list a loop builds (a gradient's tape, when a gradient is pushed
forward: Hessian-vector products)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir.builder import as_atom, building, current
from ..ir.core import Callee, Eqn, Function, Var
from . import custom
from . import reverse as R
from .calls import refuse_taped_call
from .control import active_carries
from .forward import REGION_JVPS, jvp_eqns, tangent_or_zeros
from .reverse import TAPE


def _tangent_var(v: Var) -> Var:
    return Var(v.aval, f"t_{v.hint or 'out'}")


def _jvp_body(body: Function, tangents: dict[Var, Any], extra: dict[Var, Var]
              ) -> tuple[list[Eqn], dict[Var, Any]]:
    """A body's equations with its tangents; ``extra`` seeds tangents of its inputs."""
    local = {**tangents, **extra}
    with building(None) as b:
        jvp_eqns(body.eqns, local)
    return b.eqns, local


def _tangents_out(outs: Sequence[Any], local: dict[Var, Any], positions: list[int]
                  ) -> list[Any]:
    return [as_atom(tangent_or_zeros(outs[j], local)) for j in positions]


def cond_jvp(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    branches = eqn.params["branches"]
    sources = [v for v in tangents]
    positions = sorted({j for body in branches for j, o in enumerate(body.outvars)
                        if o in R.varied_values(body, sources)
                        and R.differentiable_value(eqn.outvars[j])})
    bodies = []
    for body in branches:
        eqns, local = _jvp_body(body, tangents, {})
        with building(None) as b:
            b.eqns.extend(eqns)
            touts = _tangents_out(body.outvars, local, positions)
        bodies.append(Function(body.name, body.invars, tuple(b.eqns), body.outvars + tuple(touts)))
    touts = [_tangent_var(eqn.outvars[j]) for j in positions]
    current().eqns.append(Eqn(eqn.outvars + tuple(touts), P.cond, eqn.invars,
                              {**eqn.params, "branches": tuple(bodies)}, eqn.loc))
    tangents.update((eqn.outvars[j], t) for j, t in zip(positions, touts))


def _loop_jvp_parts(body: Function, carry: Sequence[Var], inits: Sequence[Any],
                    tangents: dict[Var, Any]) -> tuple:
    carried = active_carries(body, carry, inits, list(tangents), tangents)
    t_in = [_tangent_var(carry[j]) for j in carried]
    eqns, local = _jvp_body(body, tangents, dict(zip([carry[j] for j in carried], t_in)))
    with building(None) as b:
        b.eqns.extend(eqns)
        t_next = _tangents_out(body.outvars, local, carried)
    t_init = [as_atom(tangent_or_zeros(inits[j], tangents)) for j in carried]
    # a value the loop lists (a gradient's tape) has its tangent listed alongside
    t_ys = [(k, as_atom(local[y])) for k, y in enumerate(body.outvars[len(carry):])
            if isinstance(y, Var) and y in local]
    return carried, t_in, tuple(b.eqns), t_next, t_init, t_ys


def _listed_tangents(eqn: Eqn, n: int, t_ys: list, tangents: dict[Var, Any]) -> list[Var]:
    lists = [Var(TAPE, f"t_{eqn.outvars[n + k].hint or 'tape'}") for k, _ in t_ys]
    tangents.update((eqn.outvars[n + k], t) for (k, _), t in zip(t_ys, lists))
    return lists


def loop_jvp(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    body, inits = eqn.params["body"], eqn.invars[1:]
    index, carry = body.invars[0], body.invars[1:]
    carried, t_in, eqns, t_next, t_init, t_ys = _loop_jvp_parts(body, carry, inits, tangents)
    n = len(carry)
    new_body = Function(body.name, (index, *carry, *t_in), eqns,
                        (*body.outvars[:n], *t_next, *body.outvars[n:], *(t for _, t in t_ys)))
    touts = [_tangent_var(eqn.outvars[j]) for j in carried]
    lists = _listed_tangents(eqn, n, t_ys, tangents)
    current().eqns.append(Eqn((*eqn.outvars[:n], *touts, *eqn.outvars[n:], *lists), P.loop,
                              (eqn.invars[0], *inits, *t_init),
                              {**eqn.params, "body": new_body,
                               "n_ys": eqn.params["n_ys"] + len(lists)}, eqn.loc))
    tangents.update((eqn.outvars[j], t) for j, t in zip(carried, touts))


def while_jvp(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    body, cond, inits = eqn.params["body"], eqn.params["cond"], eqn.invars
    carry = body.invars
    carried, t_in, eqns, t_next, t_init, t_ys = _loop_jvp_parts(body, carry, inits, tangents)
    n = len(carry)
    new_body = Function(body.name, (*carry, *t_in), eqns,
                        (*body.outvars[:n], *t_next, *body.outvars[n:], *(t for _, t in t_ys)))
    new_cond = Function(cond.name, (*cond.invars, *[_tangent_var(v) for v in t_in]),
                        cond.eqns, cond.outvars)
    touts = [_tangent_var(eqn.outvars[j]) for j in carried]
    lists = _listed_tangents(eqn, n, t_ys, tangents)
    current().eqns.append(Eqn((*eqn.outvars[:n], *touts, *eqn.outvars[n:], *lists),
                              P.while_loop, (*inits, *t_init),
                              {**eqn.params, "body": new_body, "cond": new_cond,
                               "n_ys": eqn.params["n_ys"] + len(lists)}, eqn.loc))
    tangents.update((eqn.outvars[j], t) for j, t in zip(carried, touts))


REGION_JVPS.update({P.cond: cond_jvp, P.loop: loop_jvp, P.while_loop: while_jvp})

def _jvp_callee(callee: Callee, tangents: dict[Var, Any]) -> Callee:
    """The tangent version of a compiled function: arguments and their tangents in,
    values and their tangents out; captured arrays' tangents are read from outside."""
    if "jvp" in callee.derived:
        return callee.derived["jvp"]
    fn = callee.fn
    jvp = callee.derived["jvp"] = Callee(f"{callee.name}_jvp")
    floats = [v for v in fn.invars if v.aval.is_float]
    t_in = [_tangent_var(v) for v in floats]
    eqns, local = _jvp_body(fn, {v: t for v, t in tangents.items() if v in callee.free},
                            dict(zip(floats, t_in)))
    with building(None) as b:
        b.eqns.extend(eqns)
        t_out = [as_atom(tangent_or_zeros(o, local)) for o in fn.outvars]
    jvp.define(Function(jvp.name, (*fn.invars, *t_in), tuple(b.eqns),
                        (*fn.outvars, *t_out), fn.loc))
    return jvp


def call_jvp(eqn: Eqn, tangents: dict[Var, Any]) -> None:
    if custom.is_custom(eqn):  # refused, or the transpose of a bprop
        custom.jvp(eqn, tangents)
        return
    refuse_taped_call(eqn)
    callee = eqn.params["callee"]
    if "cotangent_hooks" in callee.derived:  # hooks on cotangents: no tangent to act on
        raise AutodiffError(f"forward mode (jvp) through {callee.derived['special']} is not "
                            "supported: backward hooks act on cotangents", eqn.loc,
                            hint="use grad or vjp through it, or remove the hook")
    jvp = _jvp_callee(callee, tangents)
    args = [a for a, v in zip(eqn.invars, callee.fn.invars) if v.aval.is_float]
    t_args = [as_atom(tangent_or_zeros(a, tangents)) for a in args]
    touts = [_tangent_var(o) for o in eqn.outvars]
    current().eqns.append(Eqn((*eqn.outvars, *touts), P.call, (*eqn.invars, *t_args),
                              {"callee": jvp}, eqn.loc))
    tangents.update(zip(eqn.outvars, touts))


REGION_JVPS[P.call] = call_jvp

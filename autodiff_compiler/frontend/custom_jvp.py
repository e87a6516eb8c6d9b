"""Calls of ``custom_jvp`` functions: the value is the function's, the derivative the
user's JVP rule.

Such a call is not inlined. Like a ``custom_vjp`` call (``frontend.custom``) it becomes
a ``call`` of the function's body compiled on its own (an ``ir.Callee``), which carries
in ``derived``:

- ``custom``: the rule's name, for errors;
- ``custom_jvp``: the rule as one IR function, (arguments, captured values, tangents of
  the float arguments) -> (outputs, tangents of the outputs), lowered from its source
  like any user function;
- ``custom_arity``: how many of the callee's inputs are the user's arguments (the
  values it captures from the enclosing function follow them).

What forward and reverse mode make of the rule is ``ad.custom_jvp``'s business; this
module only lowers it.

A call of the function inside its own rule (JAX's ``ans = f(x)``) is the custom call
again, of the same callee (``pending``), not an inlined body: so a second derivative
uses the rule once more, as JAX's does ("each application of a differentiation
transform will use the custom JVP rule if and only if the rule calls the original f").
Lowering the rule again there would never end.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Callee, Eqn, Function, Var, free_vars
from .custom import closed, emit_call, lowered_alone

if TYPE_CHECKING:
    from .lowering import Lowering

# Lowers the user's rule into the current builder: (primals, tangents) -> its result.
RuleLowering = Callable[[tuple, tuple], Any]


@dataclass
class Pending:
    """A custom_jvp call whose rule is being lowered: a call of the function in its rule,
    on arguments of the same kinds, is a call of this callee."""

    callee: Callee
    outvars: tuple[Any, ...]
    called_again: bool = False


def _is_var(v: Any) -> bool:
    return isinstance(v, Var)


def _is_leaf(v: Any) -> bool:
    return not isinstance(v, tuple | list | dict)


def call_key(inputs: tuple) -> tuple:
    """What a compiled call depends on: the containers, each array's aval, each other
    value itself."""
    def one(v: Any) -> Any:
        if _is_var(v):
            return ("array", v.aval)
        try:
            hash(v)
        except TypeError:
            return ("object", id(v))
        return ("value", type(v), v)
    leaves, structure = trees.flatten(inputs, _is_leaf)
    return repr(structure), tuple(one(v) for v in leaves)


def custom_jvp_call(low: Lowering, name: str, inputs: tuple, primal: Callable[[tuple], Any],
                    rule: RuleLowering, pending: dict, loc: Loc | None, rule_loc: Loc,
                    what: str) -> Any:
    """Emit a ``call`` of ``primal(inputs)`` whose derivative is the user's JVP rule.

    ``rule(primals, tangents)`` lowers the rule and returns ``(out, tangent_out)``.
    ``pending`` maps ``call_key(inputs)`` to the calls whose rule is being lowered
    (kept by the caller per function and per compilation)."""
    key = call_key(inputs)
    if key in pending:
        return _call_again(low, pending[key], inputs, loc)
    callee, body, local, dynamic = lowered_alone(name, inputs, primal, loc, rule_loc, what,
                                                 containers=True)
    callee.derived["custom"] = what
    pending[key] = entry = Pending(callee, body.outvars)
    try:
        rule_fn = _lowered_rule(callee, body, local, rule, loc, rule_loc)
    finally:
        del pending[key]
    captured = list(dict.fromkeys([*free_vars(body), *free_vars(rule_fn)]))
    if captured and entry.called_again:
        raise AutodiffError(f"{what} calls the function itself, which reads values of the "
                            "enclosing function: not supported", loc or rule_loc,
                            hint="pass those values as arguments of the custom_jvp function")
    n = len(body.invars)
    callee.define(closed(body, captured, n))
    callee.derived["custom_jvp"] = closed(rule_fn, captured, n)
    callee.derived["custom_arity"] = n
    return emit_call(low, callee, [*dynamic, *captured], loc or rule_loc)


def _call_again(low: Lowering, entry: Pending, inputs: tuple, loc: Loc | None) -> Any:
    """The function called in its own rule: a call of the callee being made."""
    entry.called_again = True
    outs = [Var(o.aval, f"{entry.callee.name}_out") for o in entry.outvars]
    dynamic = tuple(trees.flatten(inputs, _is_var)[0])
    low.builder.eqns.append(Eqn(tuple(outs), P.call, dynamic, {"callee": entry.callee}, loc))
    return trees.unflatten(entry.callee.skeleton, outs)


def _lowered_rule(callee: Callee, body: Function, local: tuple, rule: RuleLowering,
                  loc: Loc | None, rule_loc: Loc) -> Function:
    """The rule as (arguments, tangents of the float ones) -> (outputs, their tangents).
    Other arguments get zero tangents made here (JAX gives them float0 zeros); an
    argument holding arrays in containers gets its tangent in the same containers."""
    t_in = [Var(v.aval, f"{v.hint or 'x'}_dot") for v in body.invars if v.aval.is_float]
    given = iter(t_in)

    def tangent_of(x: Any) -> Any:
        if _is_var(x):
            return next(given) if x.aval.is_float else P.zeros_like(x)
        if not isinstance(x, tuple | list | dict):
            return _zero_tangent(x)
        arrays, skeleton = trees.flatten(x, _is_var)
        return trees.unflatten(trees.map_leaves(skeleton, _zero_tangent),
                               [tangent_of(a) for a in arrays])

    with building(loc) as b:
        tangents = tuple(tangent_of(x) for x in local)
        out, t_out = _split(rule(local, tangents), callee.derived["custom"], rule_loc)
        outs, t_outs = _paired(callee, body, out, t_out, rule_loc)
    return Function(f"{callee.name}_jvp_rule", (*body.invars, *t_in), tuple(b.eqns),
                    (*outs, *t_outs), rule_loc)


def _zero_tangent(x: Any) -> Any:
    """The tangent of an argument nothing differentiates: an integer array's zeros, a
    constant's zero."""
    if _is_var(x):
        return P.zeros_like(x)
    if isinstance(x, bool) or not isinstance(x, int | float | complex | np.ndarray | np.number):
        return None
    return np.zeros_like(x, dtype=float) if isinstance(x, np.ndarray) else 0.0


def _split(result: Any, what: str, rule_loc: Loc) -> tuple[Any, Any]:
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise AutodiffError(f"{what} must return a pair (primal_out, tangent_out), but "
                            f"returned {type(result).__name__}", rule_loc,
                            hint="return the function's value and its tangent, as "
                                 "`return f(x), df * x_dot`")
    return result[0], result[1]


def _paired(callee: Callee, body: Function, out: Any, t_out: Any, rule_loc: Loc
            ) -> tuple[list[Any], list[Any]]:
    """The rule's outputs that are arrays, each with its tangent (zeros for ``None``)."""
    what = callee.derived["custom"]
    out_all, skeleton = trees.flatten(out, _is_leaf)
    t_all, t_skeleton = trees.flatten(t_out, _is_leaf)
    if not trees.same_structure(trees.flatten(out, _is_var)[1], callee.skeleton):
        raise AutodiffError(f"{what}: its primal output has another structure than the "
                            "function's", rule_loc,
                            hint="return the function's value as the function returns it")
    if not trees.same_structure(t_skeleton, skeleton):
        raise AutodiffError(f"{what}: its tangent output has another structure than its "
                            "primal output", rule_loc,
                            hint="return one tangent per output, in the same containers")
    outs, t_outs = [], []
    for o, t in zip(out_all, t_all):
        if not _is_var(o):
            continue
        want = body.outvars[len(outs)]
        _check_shape(what, "primal output", o.aval.shape, want.aval.shape, rule_loc)
        outs.append(as_atom(o))
        t_outs.append(_tangent(what, o, t, rule_loc))
    return outs, t_outs


def _tangent(what: str, o: Var, t: Any, rule_loc: Loc) -> Any:
    if not o.aval.is_float:
        return o  # an integer output: no tangent is read
    if t is None:
        return as_atom(P.zeros_like(o))
    if not _is_var(t):  # a constant: zero, or the same everywhere
        if np.shape(t) != ():
            _check_shape(what, "tangent", np.shape(t), o.aval.shape, rule_loc)
        return as_atom(P.zeros_like(o) + t)
    _check_shape(what, "tangent", t.aval.shape, o.aval.shape, rule_loc)
    return as_atom(t)


def _check_shape(what: str, kind: str, have: Any, want: Any, rule_loc: Loc) -> None:
    if None not in (have, want) and have != want:
        raise AutodiffError(f"{what} returned a {kind} of shape {have} for an output of "
                            f"shape {want}", rule_loc,
                            hint="give each output and its tangent the function's shape")

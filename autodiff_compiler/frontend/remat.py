"""Lowering the two ways a user asks for recomputation (checkpointing).

* A checkpointed block — ``checkpoint(fn)``, a Cell after ``cell.recompute()``,
  ``recompute(cell, *args)`` — is not inlined: its body is compiled on its own into an
  ``ir.Callee`` marked ``derived["checkpoint"]`` and called. Reverse mode
  (``ad.checkpoint``) then keeps only the call's operands on the forward pass and
  re-runs the body at the start of the call's adjoint. Every value the body reads
  from outside is made an explicit parameter (a Parameter, a captured array): the
  backward call then receives them as operands, which an enclosing loop tapes like
  any other operand, instead of reading a name that the loop may have rebound since.
* A checkpointed loop — ``for t in checkpointed(range(T))`` — is an ordinary ``loop``
  equation whose params carry ``"checkpoint": (snapshots, levels)`` (snapshots
  ``None``: segments of about √T, or ``T^(L/(L+1))`` for ``levels=L``);
  ``ad.checkpoint`` splits it into segments when it is differentiated.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import trees
from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Aval, Callee, Eqn, Function, Var, free_vars, substitute_function
from ..ir.printer import pretty


def _is_var(v: Any) -> bool:
    return isinstance(v, Var)


def checkpoint_call(low: Any, name: str, args: tuple, kwargs: dict,
                    body: Callable[[tuple, dict], Any], loc: Loc | None, what: str) -> Any:
    """Emit a ``call`` of ``body(args, kwargs)`` compiled on its own and marked for
    recomputation; return its value (in the structure ``body`` returns).

    Arrays anywhere in ``args``/``kwargs`` (nested in tuples, lists, dicts) become the
    callee's parameters; values known when compiling stay baked in. ``what`` names the
    block in errors."""
    leaves, skeleton = trees.flatten((args, kwargs), _is_var)
    local = [Var(v.aval) for v in leaves]  # named after the parameters they are bound to
    local_args, local_kwargs = trees.unflatten(skeleton, local)
    with building(loc) as b:
        out = body(local_args, local_kwargs)
    out_leaves, out_skeleton = trees.flatten(out, _is_var)
    outs = tuple(map(as_atom, out_leaves))
    fn = Function(name, tuple(local), tuple(b.eqns), outs, loc)
    outer = free_vars(fn)  # read from outside: explicit parameters of the callee
    inner = [Var(v.aval, v.hint) for v in outer]
    fn = substitute_function(fn, dict(zip(outer, inner)))
    fn = Function(name, (*local, *inner), fn.eqns, fn.outvars, loc)
    callee = _callee(low, fn, out_skeleton, what)
    results = [Var(o.aval if isinstance(o, Var) else Aval(), f"{callee.name}_out")
               for o in outs]
    low.builder.eqns.append(Eqn(tuple(results), P.call, (*leaves, *outer), {"callee": callee},
                                loc))
    return trees.unflatten(out_skeleton, results)


def _callee(low: Any, fn: Function, skeleton: Any, what: str) -> Callee:
    """The callee for ``fn``: one already made for the same code (a block called twice
    with arguments of the same kinds) is reused, so the generated code defines it once.
    The body reads nothing from outside, so any call may pass its own operands."""
    key = ("checkpoint", pretty(fn), repr(skeleton),
           tuple((v.aval.shape, v.aval.dtype, v.aval.weak) for v in fn.invars))
    callee = low.callees.get(key)
    if callee is None:
        callee = low.callees[key] = Callee(fn.name)
        callee.define(fn)
        callee.skeleton = skeleton
        callee.derived["checkpoint"] = what
    return callee


def checkpointed(iterable: Any, snapshots: int | None = None, levels: int = 1) -> Any:
    """Mark a ``for`` loop's iterable: its reverse pass keeps the loop-carried values
    entering each segment of ``k`` iterations (``k ≈ √T``, or ``T / snapshots``) instead
    of every iteration's intermediates, and recomputes each segment in the backward pass.
    ``levels=L`` nests the segments ``L`` deep (each of about ``T^(1/(L+1))`` pieces):
    ``(L+1)·T^(1/(L+1))`` states kept, each iteration run ``L+1`` times.

    Run as plain Python it returns ``iterable`` unchanged."""
    check_schedule(snapshots, levels, None)
    return iterable


def _lower_checkpointed(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
    """Met anywhere but as a ``for`` loop's iterable (``frontend.iteration`` reads it
    there): the mark would be lost, so it is refused rather than ignored."""
    raise AutodiffError("checkpointed(...) marks a for loop: write it as the loop's "
                        "iterable", loc, hint="write `for t in checkpointed(range(T)):`")


checkpointed.__checkpoint_loop__ = True  # type: ignore[attr-defined]  # frontend.iteration
checkpointed.__lower_call__ = _lower_checkpointed  # type: ignore[attr-defined]


def check_schedule(snapshots: Any, levels: Any, loc: Loc | None) -> None:
    """Refuse what is not a schedule: counts must be positive ints known when compiling."""
    for name, value in (("snapshots", snapshots), ("levels", levels)):
        if (value is not None or name == "levels") and (
                isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise AutodiffError(f"checkpointed(..., {name}={value!r}): {name} must be a "
                                "positive int known when compiling", loc,
                                hint="pass e.g. snapshots=100 or levels=2, or leave it out")
    if snapshots is not None and levels != 1:
        raise AutodiffError("checkpointed(...): give snapshots or levels, not both", loc,
                            hint="snapshots=n splits the loop once into n segments; "
                                 "levels=L nests segments L deep")


def loop_schedule(scope: Any, call: Any) -> tuple[Any, tuple[int | None, int]]:
    """The iterable node and ``(snapshots, levels)`` of ``checkpointed(it, ...)``."""
    loc = scope.loc(call)
    names = ("snapshots", "levels")
    if not call.args or len(call.args) > 3 or any(k.arg not in names for k in call.keywords):
        raise AutodiffError("checkpointed takes the loop's iterable and optionally "
                            "snapshots=<int> or levels=<int>", loc,
                            hint="write `for t in checkpointed(range(T), snapshots=100):`")
    given = {"snapshots": None, "levels": 1}
    given.update(zip(names, (scope.expr(a) for a in call.args[1:])))
    given.update((k.arg, scope.expr(k.value)) for k in call.keywords)
    check_schedule(given["snapshots"], given["levels"], loc)
    return call.args[0], (given["snapshots"], given["levels"])

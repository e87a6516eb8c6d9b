"""Calls whose gradient is the user's: a Cell's ``bprop`` and ``custom_vjp`` functions.

Such a call is not inlined. It becomes a ``call`` of its primal body compiled on its
own (an ``ir.Callee``) that carries its rule as two IR functions in ``derived``:

- ``custom_forward``: arguments -> (outputs, residual leaves). For ``custom_vjp`` it
  is the user's ``fwd``, lowered from its source; for a ``bprop`` it is the call
  itself, with the inputs and the output as residuals (``bprop`` reads both).
- ``custom_backward``: (residual leaves, arguments, douts) -> one cotangent per float
  argument: the user's backward rule lowered from its source like any other function.
- ``forward_is_the_call``: True for a ``bprop`` (its forward is the call itself),
  False for ``custom_vjp`` (``fwd``'s). Forward mode transposes the backward rule in
  its cotangent for both (``ad.custom``).

Reverse mode (``ad.custom``) binds the two functions in place of the call, so the
gradient program holds the user's rule as ordinary equations: a second derivative
differentiates the backward rule like any code, and reaches a ``bprop``'s ``out``
through the Cell's rule again (its forward is the call), as MindSpore does, and a
``custom_vjp``'s residuals through ``fwd``'s body, as JAX does.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Aval, Callee, Eqn, Function, Var, free_vars, substitute_function

if TYPE_CHECKING:
    from .lowering import Lowering


def _is_var(v: Any) -> bool:
    return isinstance(v, Var)


def custom_call(low: Lowering, name: str, inputs: tuple, primal: Callable[[tuple], Any],
                augmented: Callable[[tuple], tuple[Any, Any]] | None,
                backward: Callable[[Any, Any], Any], loc: Loc | None, rule_loc: Loc,
                what: str, containers: bool = False,
                made: Callable[[Callee, Function, tuple], None] | None = None) -> Any:
    """Emit ``call`` of ``primal(inputs)`` whose adjoint is the user's rule.

    ``augmented(inputs)`` lowers to ``(out, residuals)``; ``None`` means the rule's
    forward is the call itself with residuals ``(inputs, out)`` (a ``bprop``).
    ``backward(residuals, dout)`` lowers the user's rule and must give a tuple with one
    cotangent (or None) per input. Each callback lowers into the current builder;
    ``inputs`` are Vars or values known when compiling (only Vars get cotangents).
    ``what`` names the rule in errors (``Cell 'Net'.bprop``); ``rule_loc`` is where it
    is defined. With ``containers``, an input may hold arrays in tuples, namedtuples,
    lists or dicts (JAX's pytrees): each array is a parameter of its own, and the rule
    returns that input's cotangent in the same structure. ``made(callee, body,
    parameters)`` is told of the callee before the rule is lowered (``call_again``)."""
    callee, body, local, dynamic = lowered_alone(name, inputs, primal, loc, rule_loc, what,
                                                 containers)
    if made is not None:
        made(callee, body, local)
    invars, out_skeleton = body.invars, callee.skeleton
    callee.derived["custom"] = what
    call_outs = [Var(o.aval, f"{callee.name}_out") for o in body.outvars]
    if augmented is None:  # a bprop: the forward is the call, its residuals (inputs, out)
        fwd_eqns, fwd_outs = [], call_outs
        residuals = (local, trees.unflatten(out_skeleton, call_outs))
    else:
        fwd_eqns, fwd_outs, residuals = _forward(callee, body, local, augmented, loc)
    res_leaves, res_skeleton = trees.flatten(residuals, _is_var)
    fwd = Function(f"{callee.name}_forward", invars, tuple(fwd_eqns),
                   (*fwd_outs, *map(as_atom, res_leaves)), rule_loc)
    bwd = _backward(callee, body, local, res_leaves, res_skeleton, backward, loc, rule_loc)
    # What the three read from the enclosing function (a Cell's Parameters, captured
    # arrays) becomes trailing arguments of each, so that the call can be inlined into
    # another program (grad of grad) and its rule bound there, renamed with it.
    fwd_reads = free_vars(fwd) if augmented is not None else []  # a bprop's: the call's
    captured = list(dict.fromkeys([*free_vars(body), *fwd_reads, *free_vars(bwd)]))
    if captured and callee.derived.get("called_again"):
        raise AutodiffError(f"{what} calls the function itself, which reads values of the "
                            "enclosing function: not supported", loc or rule_loc,
                            hint="pass those values as arguments of the function")
    callee.define(closed(body, captured, len(invars)))
    fwd = closed(fwd, captured, len(invars))
    if augmented is None:
        call = Eqn(tuple(call_outs), P.call, fwd.invars, {"callee": callee}, loc or rule_loc)
        fwd = Function(fwd.name, fwd.invars, (call,), fwd.outvars, fwd.loc)
    callee.derived["custom_forward"] = fwd
    callee.derived["custom_backward"] = closed(bwd, captured,
                                                len(bwd.invars) - len(body.outvars))
    callee.derived["custom_arity"] = len(invars)  # the user's arguments, then captured ones
    callee.derived["forward_is_the_call"] = augmented is None
    outs = [Var(o.aval, f"{callee.name}_out") for o in body.outvars]
    low.builder.eqns.append(Eqn(tuple(outs), P.call, (*dynamic, *captured),
                                {"callee": callee},
                                loc or rule_loc))  # differentiated itself: the rule's def
    return trees.unflatten(out_skeleton, outs)


def call_again(low: Lowering, callee: Callee, body: Function, parameters: tuple,
               inputs: tuple, loc: Loc | None) -> Any:
    """The function called in its own rule: a call of the callee being made, so that a
    derivative of the gradient program uses the rule again, as JAX's does; None where
    the arguments are not of the kinds of its parameters (its body is inlined then)."""
    arrays, skeleton = trees.flatten(inputs, _is_var)
    params, expected = trees.flatten(parameters, _is_var)
    if not trees.same_structure(skeleton, expected) or any(
            (a.aval.shape, a.aval.dtype) != (p.aval.shape, p.aval.dtype)
            for a, p in zip(arrays, params)):
        return None
    callee.derived["called_again"] = True
    outs = [Var(o.aval, f"{callee.name}_out") for o in body.outvars]
    low.builder.eqns.append(Eqn(tuple(outs), P.call, tuple(arrays), {"callee": callee}, loc))
    return trees.unflatten(callee.skeleton, outs)


def closed(fn: Function, captured: list[Var], at: int) -> Function:
    """``fn`` taking ``captured`` as inputs (inserted at position ``at``) instead of
    reading them from the enclosing function."""
    if not captured:
        return fn
    local = [Var(v.aval, v.hint) for v in captured]
    inner = substitute_function(fn, dict(zip(captured, local)))
    return Function(fn.name, (*fn.invars[:at], *local, *fn.invars[at:]), inner.eqns,
                    inner.outvars, fn.loc)


def _forward(callee: Callee, body: Function, local: tuple, augmented: Callable,
             loc: Loc | None) -> tuple[list[Eqn], list[Any], Any]:
    """The user's augmented forward: its equations, outputs and residuals. Its outputs
    are what the program computes with from then on, so they must be the function's in
    structure and shape (else the value, and the gradient with it, would be another)."""
    with building(loc) as b:
        out, residuals = augmented(local)
    out_leaves, skeleton = trees.flatten(out, _is_var)
    if not trees.same_structure(skeleton, callee.skeleton):
        raise AutodiffError(f"{callee.derived['custom']}: the forward rule's output has "
                            "another structure than the function's", loc,
                            hint="return (out, residuals) with out as the function returns it")
    for have, want in zip(map(as_atom, out_leaves), body.outvars):
        shapes = have.aval.shape, want.aval.shape
        if None not in shapes and shapes[0] != shapes[1]:
            raise AutodiffError(f"{callee.derived['custom']}: the forward rule's output has "
                                f"shape {shapes[0]} where the function's has {shapes[1]}",
                                loc, hint="return (out, residuals) with out as the function "
                                          "returns it")
    return list(b.eqns), list(map(as_atom, out_leaves)), residuals


def _backward(callee: Callee, body: Function, local: tuple, res_leaves: list[Any],
              res_skeleton: Any, backward: Callable, loc: Loc | None, rule_loc: Loc
              ) -> Function:
    """The user's rule as a function of (residual leaves, arguments, douts), returning
    one cotangent per float argument (the arguments give zeros their shapes)."""
    what = callee.derived["custom"]
    res_in = [Var(v.aval if _is_var(v) else Aval(), getattr(v, "hint", None) or "res")
              for v in res_leaves]
    args_in = [Var(v.aval, v.hint) for v in body.invars]
    inputs = dict(zip(body.invars, args_in))
    douts = [Var(o.aval, "dout") for o in body.outvars]
    with building(loc) as b:
        residuals = trees.unflatten(res_skeleton, res_in)
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
        pairs = [pair for arg, grad in zip(local, grads)
                 for pair in _paired_leaves(arg, grad, what, rule_loc)]
        for x, g in pairs:
            if not x.aval.is_float:
                continue
            if g is None:
                g = P.zeros_like(inputs[x])
            elif not _is_var(g):
                g = P.zeros_like(inputs[x]) + g
            elif None not in (g.aval.shape, x.aval.shape) and g.aval.shape != x.aval.shape:
                if _broadcasts_to(x.aval.shape, g.aval.shape):
                    # MindSpore (PyNative) sums a gradient the rule returned in the
                    # broadcast shape down to its input's (``dout * x`` for a
                    # Parameter that ``x * w`` broadcast)
                    outs.append(as_atom(P.unbroadcast(g, inputs[x])))
                    continue
                raise AutodiffError(f"{what} returned a gradient of shape {g.aval.shape} for "
                                    f"an input of shape {x.aval.shape}", rule_loc,
                                    hint="return each gradient in its input's shape")
            outs.append(as_atom(g))
    return Function(f"{callee.name}_backward", (*res_in, *args_in, *douts), tuple(b.eqns),
                    tuple(outs), rule_loc)


def _broadcasts_to(shape: tuple, target: tuple) -> bool:
    """Whether NumPy broadcasts ``shape`` to ``target``."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def _is_leaf(v: Any) -> bool:
    return not isinstance(v, tuple | list | dict)


def _paired_leaves(x: Any, g: Any, what: str, rule_loc: Loc) -> list[tuple[Var, Any]]:
    """Each array of the input ``x`` with its part of the cotangent ``g`` (``None``:
    zeros for all), which holds them in the same containers as ``x``."""
    if _is_var(x):
        return [(x, g)]
    arrays = trees.flatten(x, _is_var)[0]
    if not arrays or g is None:
        return [(a, None) for a in arrays]
    xs, x_skeleton = trees.flatten(x, _is_leaf)
    gs, g_skeleton = trees.flatten(g, _is_leaf)
    if repr(g_skeleton) != repr(x_skeleton):
        raise AutodiffError(f"{what} returned a gradient structured as {g_skeleton!r} for an "
                            f"input structured as {x_skeleton!r}", rule_loc,
                            hint="return each input's gradient in the input's containers "
                                 "(the same namedtuple, dict keys and lengths)")
    return [(a, b) for a, b in zip(xs, gs) if _is_var(a)]


def called_alone(name: str, inputs: tuple, primal: Callable[[tuple], Any], loc: Loc | None,
                 rule_loc: Loc | None, what: str) -> tuple[Callee, tuple, list[Var]]:
    """``primal(inputs)`` lowered on its own as a ``Callee`` whose gradient someone
    other than the inliner makes (a Cell's backward hooks, ``frontend.hooks``): the
    callee, the inputs it takes as its parameters, and the caller's values passed to
    them. ``what`` names the special call in errors (``derived["special"]``)."""
    callee, body, local, dynamic = lowered_alone(name, inputs, primal, loc, rule_loc, what)
    callee.define(body)
    callee.derived["special"] = what
    return callee, local, dynamic


def lowered_alone(name: str, inputs: tuple, primal: Callable[[tuple], Any], loc: Loc | None,
                  rule_loc: Loc | None, what: str, containers: bool = False
                  ) -> tuple[Callee, Function, tuple, list[Var]]:
    """``primal(inputs)`` lowered into a body of its own: a ``Callee`` (its result's
    structure set, its body not yet defined), the body, the inputs as its parameters
    (arrays in containers too, with ``containers``; else they are refused), and the
    caller's values passed to them."""
    for i, value in enumerate(inputs):
        if not containers and not _is_var(value) and trees.flatten(value, _is_var)[0]:
            raise AutodiffError(f"{what}: argument {i} holds arrays inside a container; "
                                "it takes arrays as separate arguments", loc,
                                hint="pass each array as its own argument")
    dynamic = [a for v in inputs for a in trees.flatten(v, _is_var)[0]]
    # one parameter per position: an array passed twice gets a gradient at each
    local = tuple(_parameters(v) for v in inputs)
    callee = Callee(name)
    with building(loc) as b:
        out = primal(local)
    out_leaves, callee.skeleton = trees.flatten(out, _is_var)
    params = [a for v in local for a in trees.flatten(v, _is_var)[0]]
    body = Function(callee.name, tuple(params), tuple(b.eqns),
                    tuple(map(as_atom, out_leaves)), rule_loc)
    return callee, body, local, dynamic


def _parameters(value: Any) -> Any:
    """``value`` with each array in it replaced by a new parameter of its kind."""
    arrays, skeleton = trees.flatten(value, _is_var)
    return trees.unflatten(skeleton, [Var(a.aval, a.hint or "x") for a in arrays])


def emit_call(low: Lowering, callee: Callee, dynamic: list[Var], loc: Loc | None) -> Any:
    """The ``call`` of ``callee`` on ``dynamic``, its results shaped as it returns them."""
    outs = [Var(o.aval, f"{callee.name}_out") for o in callee.fn.outvars]
    low.builder.eqns.append(Eqn(tuple(outs), P.call, tuple(dynamic), {"callee": callee}, loc))
    return trees.unflatten(callee.skeleton, outs)

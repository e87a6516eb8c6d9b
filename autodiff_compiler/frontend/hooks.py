"""A Cell's hooks, run the same way whether the Cell is called eagerly or lowered.

The protocol (``mindspore.hooks`` keeps it; its docstring says what each hook may
return, as MindSpore 2.x's PyNative mode does): a Cell's ``__cell_hooks__`` is a tuple
of ``(kind, hook, with_kwargs, id)`` in the order they run, ``kind`` one of
``forward_pre``, ``forward``, ``backward_pre``, ``backward``. ``pre_hooked`` and
``forward_hooked`` read a hook's result once, for both paths: they take ``run(hook,
*args)``, which calls the hook eagerly or lowers the call from the hook's source.

Lowered, the forward hooks are ordinary code around the call. The backward hooks act
on cotangents, so a Cell that has them is lowered on its own (a ``call`` of its
``construct``, as a custom gradient is), and the hooks become two small functions the
call's adjoint passes its cotangents through (``Callee.derived["cotangent_hooks"]``,
applied by ``ad.calls``): one on the output's cotangents before ``construct``'s
adjoint, one on the inputs' after it.
"""
from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Callee, Function, Var
from .custom import called_alone, emit_call

if TYPE_CHECKING:
    from .lowering import Lowering

Run = Callable[..., Any]


def of_kind(hooks: tuple, kind: str) -> list[tuple[Any, bool]]:
    """The ``(hook, with_kwargs)`` pairs of one kind, in the order they run."""
    return [(h[1], h[2]) for h in hooks if h[0] == kind]


def pre_hooked(cell: Any, hooks: tuple, args: tuple, kwargs: dict, run: Run
               ) -> tuple[tuple, dict]:
    """The inputs after the forward pre-hooks: ``None`` keeps them, a tuple replaces
    them, anything else is the one input (``(args, kwargs)`` with ``with_kwargs``)."""
    for hook, with_kwargs in of_kind(hooks, "forward_pre"):
        if with_kwargs:
            result = run(hook, cell, args, kwargs)
            if result is None:
                continue
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError("a forward pre-hook registered with with_kwargs=True must "
                                "return None or (args, kwargs)")
            args, kwargs = tuple(result[0]), dict(result[1])
        else:
            result = run(hook, cell, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    return args, kwargs


def forward_hooked(cell: Any, hooks: tuple, args: tuple, kwargs: dict, output: Any,
                   run: Run) -> Any:
    """The output after the forward hooks: ``None`` keeps it, anything else replaces it."""
    for hook, with_kwargs in of_kind(hooks, "forward"):
        result = run(hook, cell, args, kwargs, output) if with_kwargs \
            else run(hook, cell, args, output)
        output = output if result is None else result
    return output


def lower_hooked(low: Lowering, cell: Any, args: tuple, kwargs: dict, loc: Loc | None,
                 lower_construct: Callable[[tuple, dict], Any]) -> Any:
    """A call of a Cell with hooks, inside a differentiated function.
    ``lower_construct(args, kwargs)`` lowers the call of ``construct`` itself."""
    hooks = cell.__cell_hooks__

    def run(hook: Any, *hook_args: Any) -> Any:
        return _lower_hook(low, hook, hook_args, loc)

    try:
        args, kwargs = pre_hooked(cell, hooks, args, kwargs, run)
    except TypeError as err:
        raise AutodiffError(str(err), loc) from None
    if of_kind(hooks, "backward_pre") or of_kind(hooks, "backward"):
        output = _with_backward_hooks(low, cell, hooks, args, kwargs, loc, lower_construct)
    else:
        output = lower_construct(args, kwargs)
    return forward_hooked(cell, hooks, args, kwargs, output, run)


def _lower_hook(low: Lowering, hook: Any, args: tuple, loc: Loc | None) -> Any:
    if isinstance(hook, types.MethodType) and isinstance(hook.__func__, types.FunctionType):
        return low.call_function(hook.__func__, args, {}, loc, self_obj=hook.__self__)
    if isinstance(hook, types.FunctionType):
        return low.call_function(hook, args, {}, loc)
    raise AutodiffError(f"cannot compile the Cell hook {hook!r}: a hook inside a "
                        "differentiated function must be a Python function or method", loc,
                        hint="register a def or a lambda as the hook")


def _with_backward_hooks(low: Lowering, cell: Any, hooks: tuple, args: tuple, kwargs: dict,
                         loc: Loc | None, lower_construct: Callable[[tuple, dict], Any]) -> Any:
    """``construct`` lowered on its own, its adjoint wrapped in the backward hooks."""
    name = type(cell).__name__
    what = f"Cell '{name}' with a backward hook"
    keys = list(kwargs)

    def primal(local: tuple) -> Any:
        return lower_construct(local[:len(args)], dict(zip(keys, local[len(args):])))

    callee, local, dynamic = called_alone(f"{name}_construct", (*args, *kwargs.values()),
                                          primal, loc, None, what)
    douts = [Var(o.aval, "dout") for o in callee.fn.outvars]
    grads = [Var(x.aval, f"g_{x.hint or 'x'}") for x in local if _is_float(x)]
    pre = post = None
    if of_kind(hooks, "backward_pre"):
        pre = _hook_callee(f"{callee.name}_grad_output", douts, loc,
                           lambda ds: _grad_output(low, cell, hooks, ds, loc))
    if of_kind(hooks, "backward"):
        post = _hook_callee(f"{callee.name}_grad_input", [*grads, *douts], loc,
                            lambda gs: _grad_input(low, cell, hooks, local, gs[:len(grads)],
                                                   gs[len(grads):], loc))
    callee.derived["cotangent_hooks"] = (pre, post)
    return emit_call(low, callee, dynamic, loc)


def _hook_callee(name: str, invars: list[Var], loc: Loc | None,
                 body: Callable[[list[Var]], list[Any]]) -> Callee:
    callee = Callee(name)
    with building(loc) as b:
        outs = body(invars)
    callee.define(Function(callee.name, tuple(invars), tuple(b.eqns),
                           tuple(map(as_atom, outs)), loc))
    return callee


def _grad_output(low: Lowering, cell: Any, hooks: tuple, douts: list[Var],
                 loc: Loc | None) -> list[Any]:
    """The output's cotangents after the backward pre-hooks."""
    current = tuple(douts)
    for hook, _ in of_kind(hooks, "backward_pre"):
        result = _lower_hook(low, hook, (cell, current), loc)
        if result is not None:
            current = _replacing(result, douts, "backward pre-hook", "grad_output", loc)
    return list(current)


def _grad_input(low: Lowering, cell: Any, hooks: tuple, local: tuple, grads: list[Var],
                douts: list[Var], loc: Loc | None) -> list[Any]:
    """The inputs' cotangents (of the float ones, in order) after the backward hooks;
    ``grad_input`` has one entry per input, zeros where an input takes no gradient."""
    it = iter(grads)
    current = tuple(next(it) if _is_float(x) else P.zeros_like(x) if isinstance(x, Var)
                    else 0.0 for x in local)
    for hook, _ in of_kind(hooks, "backward"):
        result = _lower_hook(low, hook, (cell, current, tuple(douts)), loc)
        if result is not None:
            current = _replacing(result, local, "backward hook", "grad_input", loc)
    return [g for g, x in zip(current, local) if _is_float(x)]


def _replacing(result: Any, like: tuple | list, what: str, name: str,
               loc: Loc | None) -> tuple:
    """A hook's replacement cotangents, checked against what they replace."""
    if not isinstance(result, tuple) or len(result) != len(like):
        size = len(result) if isinstance(result, tuple) else 1
        raise AutodiffError(f"the {what} returned {size} value(s) for {len(like)} "
                            f"{name} entries: it must return None or a tuple of as many",
                            loc, hint=f"return a tuple with one gradient per {name} entry")
    out = []
    for g, x in zip(result, like):
        if not isinstance(x, Var):
            out.append(g)
            continue
        g = P.zeros_like(x) if g is None else g if isinstance(g, Var) else P.zeros_like(x) + g
        if None not in (g.aval.shape, x.aval.shape) and g.aval.shape != x.aval.shape:
            raise AutodiffError(f"the {what} returned a gradient of shape {g.aval.shape} "
                                f"for a value of shape {x.aval.shape}", loc,
                                hint="return each gradient in its value's shape")
        out.append(g)
    return tuple(out)


def _is_float(x: Any) -> bool:
    return isinstance(x, Var) and x.aval.is_float


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

A forward or backward hook that cannot be compiled from its source (it prints a
Tensor, calls ``.asnumpy()``, appends to a list, is not a Python function) runs as
Python when the program runs, on the values (``host_call``), where MindSpore would run
it: a backward hook's result replaces the cotangents there, a forward hook may only
look (the gradient flows through the output it was given).
"""
from __future__ import annotations

import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Callee, Function, Var
from .custom import called_alone, emit_call

if TYPE_CHECKING:
    from .lowering import Lowering

Run = Callable[..., Any]

# Methods of an array computed at run time whose call, as a statement, gives the array
# a new value in every name that holds it (MindSpore's ``Tensor.register_hook``, which
# the ``mindspore`` layer registers): name -> ``lower(scope, node, array, args,
# kwargs)``, the new value.
RECEIVER_STATEMENTS: dict[str, Callable[..., Any]] = {}


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

    def run_on_output(hook: Any, *hook_args: Any) -> Any:  # (the output is the last)
        return _lower_hook(low, hook, hook_args, loc, replaced=hook_args[-1], observed=True)

    try:
        args, kwargs = pre_hooked(cell, hooks, args, kwargs, run)
    except TypeError as err:
        raise AutodiffError(str(err), loc) from None
    if of_kind(hooks, "backward_pre") or of_kind(hooks, "backward"):
        output = _with_backward_hooks(low, cell, hooks, args, kwargs, loc, lower_construct)
    else:
        output = lower_construct(args, kwargs)
    return forward_hooked(cell, hooks, args, kwargs, output, run_on_output)


def _lower_hook(low: Lowering, hook: Any, args: tuple, loc: Loc | None,
                replaced: Any = None, observed: bool = False) -> Any:
    """The hook's call compiled from its source; or, where it cannot be and its result
    may replace ``replaced`` (cotangents), run as Python when the program runs
    (``_hook_at_run_time``); ``observed``: a forward hook's, whose output the gradient
    flows through, so that it may look at ``replaced`` there, not replace it."""
    if replaced is None:
        return _compiled_hook(low, hook, args, loc)
    with building(loc) as b:
        try:
            result = _compiled_hook(low, hook, args, loc)
        except AutodiffError as err:
            if "internal compiler error" in err.message:
                raise
            result = _UNCOMPILED
    if result is _UNCOMPILED:
        result = _hook_at_run_time(hook, args, replaced, observed)
        return None if observed else result
    low.builder.eqns.extend(b.eqns)
    return result


_UNCOMPILED = object()


def _hook_at_run_time(hook: Any, args: tuple, replaced: Any, observed: bool) -> Any:
    """A hook that prints, logs or stores what it is given, as MindSpore's PyNative mode
    runs it: called as Python when the program runs (``host_call``), on the values (as
    the Cell's results are given: Tensors), its result replacing ``replaced`` (None
    keeps it). It is not differentiated through (a gradient of the hook's result, grad
    of grad, raises); ``observed``, it must return None, as nothing replaces the value
    the gradient flows through."""
    leaves, skeleton = trees.flatten(args, _is_var)
    kept, kept_skeleton = trees.flatten(replaced, _is_var)
    as_results = getattr(type(args[0]), "__results_as__", None) or (lambda v: v)

    def at_run_time(*values: Any) -> Any:
        given = trees.unflatten(skeleton, [as_results(v) for v in values[:len(leaves)]])
        result = hook(*given)
        old = values[len(leaves):]
        if observed and result is not None:
            raise ValueError(
                f"the forward hook {getattr(hook, '__qualname__', hook)!r} runs as Python "
                "(the compiler cannot compile it), where it may look at the Cell's output "
                "but not replace it: return None, or compute the replacement with arrays "
                "in a hook the compiler can compile")
        new = old if result is None else _run_time_replacement(result, kept_skeleton, old)
        return new[0] if len(new) == 1 else tuple(new)

    outs = P.host_call(at_run_time, *leaves, *kept, results=len(kept))
    outs = outs if isinstance(outs, tuple) else (outs,)
    return trees.unflatten(kept_skeleton, list(outs))


def _run_time_replacement(result: Any, skeleton: Any, old: tuple) -> list[Any]:
    """A hook's result at run time, as arrays in the place of ``old`` (a ``None`` entry:
    zeros), checked as ``_replacing`` checks it while compiling."""
    leaves, got = trees.flatten(result, lambda v: v is None or not isinstance(
        v, tuple | list | dict))
    if len(leaves) != len(old) or (isinstance(skeleton, tuple) and not isinstance(got, tuple)):
        raise ValueError(f"a Cell hook returned {result!r} in the place of {len(old)} "
                         "value(s): it must return None or as many, in the same structure")
    out = []
    for new, value in zip(leaves, old):
        new = np.zeros_like(value) if new is None else np.asarray(new, np.result_type(value))
        if new.shape != np.shape(value):
            raise ValueError(f"a Cell hook returned a value of shape {new.shape} in the place "
                             f"of one of shape {np.shape(value)}")
        out.append(new)
    return out


def _compiled_hook(low: Lowering, hook: Any, args: tuple, loc: Loc | None) -> Any:
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
        result = _lower_hook(low, hook, (cell, current), loc, replaced=current)
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
        result = _lower_hook(low, hook, (cell, current, tuple(douts)), loc, replaced=current)
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


def _is_var(x: Any) -> bool:
    return isinstance(x, Var)


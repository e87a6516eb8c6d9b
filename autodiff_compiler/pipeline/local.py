"""The gradient (``jvp``, ``vjp``, ``vmap``) of a ``def`` or ``lambda`` written inside
the function being compiled.

A physics-informed loss takes derivatives of a function it defines itself::

    def loss(x):
        def u(z):
            return np.sum(np.sin(z) * z)
        return np.sum(grad(u)(x) ** 2)

``u`` exists only while ``loss`` is compiled (a ``LocalFunction``: its syntax and the
scope it reads), so there is no Python function to compile on its own. Its gradient is
made where it is called instead: ``u`` is lowered with fresh inputs into a program of
its own, transformed, and that program inlined at the call. What ``u`` reads from the
enclosing function (its closure) is the enclosing program's values, read by the
inlined gradient as they are; ``u``'s gradient holds them constant, and an outer
gradient differentiates through them and the inner one alike (grad of grad). ``vmap``
batches the program ``local_program`` lowers the same way, its closure unbatched, of
``u`` or of its gradient (``vmap(grad(u))``: per-example gradients). ``jvp`` inlines
the forward-mode program made the same way, ``vjp``'s pullback the gradient of ``u``'s
outputs weighted by the cotangents (``pullbacks``), and the Jacobians batch ``u``'s
vjp or jvp program (``local_derivative``) as they batch a module-level function's.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from .. import trees
from ..errors import AutodiffError, Loc
from ..frontend.calls import has_var
from ..frontend.captures import Path
from ..frontend.partials import LocalPartial
from ..frontend.scope import LocalFunction
from ..ir.builder import as_atom, building, inline
from ..ir.core import Const, Function, Var, python_name
from .outputs import seeds_of
from .positions import position_trees, wrt_indices
from .spec import GradSpec


class LocalGradient:
    """``grad(local)`` (or ``value_and_grad``) of a local function: made when called."""

    __local__ = True  # (``is_local``)

    def __init__(self, local: LocalFunction, spec: GradSpec) -> None:
        self.local, self.spec = local, spec
        # called as the local function is (what vmap of it binds and names)
        self.name, self.signature = f"grad({local.name})", local.signature

    def __repr__(self) -> str:
        return f"<gradient of {self.local.name}>"

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
        return inline_local_gradient(low, self.local, self.spec, args, kwargs, loc)


def inline_local_gradient(low: Any, local: LocalFunction, spec: GradSpec, args: list,
                          kwargs: dict, loc: Loc | None,
                          weighted_by: Callable[[Any], Any] | None = None,
                          tangents: Sequence[Any] = ()) -> Any:
    """``grad(local)(*args, **kwargs)`` (as ``spec`` says) lowered into the program
    ``low`` is building (see the module's docstring). ``weighted_by(out)``: the value
    differentiated in place of ``local``'s output (its outputs weighted by a ``vjp``'s
    cotangents, which the gradient reads as it reads the closure). A forward ``spec``
    (``jvp``): the program's value and tangent along ``tangents``, one per argument."""
    if spec.cotangent_inputs or spec.primal or spec.forward != bool(tangents):
        raise AutodiffError(f"only grad, value_and_grad, jvp and vjp take '{local.name}', a "
                            "function defined inside the function being compiled", loc,
                            hint="define it at module level")
    compiled, outer = local_derivative(low, local, spec, bind_local(local, args, kwargs, loc),
                                       loc, weighted_by)
    return compiled.finish(inline(compiled.ir, [*outer, *tangents]))


def local_derivative(low: Any, local: Any, spec: GradSpec, values: list, loc: Loc | None,
                     weighted_by: Callable[[Any], Any] | None = None) -> tuple[Any, list]:
    """The derivative program ``spec`` asks for of ``local`` (``local_form``), lowered on
    fresh inputs, as a ``Compiled`` to inline or batch; and the values (``values``'
    leaves, bound as ``bind_local`` binds them) its inputs stand for. Its closure is the
    enclosing program's values, read as they are."""
    from .compiler import Compiled, derivative_program  # the gradient's own pipeline

    differentiated = {p % len(values) for p in spec.positions or () if -len(values) <= p
                      < len(values)}
    values = [trees.map_leaves(v, as_atom) if i in differentiated else v  # grad(u)(2.0)
              for i, v in enumerate(values)]
    fresh = [trees.map_leaves(v, _fresh) for v in values]
    with building(loc) as b:
        out = lower_local(low, local, fresh, loc)
        if weighted_by is not None:
            out = weighted_by(out)
    weights = [low.captures.array(Path.of_object(w, w.name or "weight"), w)
               for w in spec.weights or ()]
    inner = [v for a in fresh for v in trees.flatten(a, _is_var)[0]] + weights
    outer = [v for a in values for v in trees.flatten(a, _is_var)[0]] + weights
    primal = Function(python_name(local.name, "fn"), tuple(inner), tuple(b.eqns),
                      tuple(trees.flatten(out, _is_var)[0]), loc)
    seeds, aux_leaves, aux_skeleton = seeds_of(out, spec, loc)
    wrt = wrt_indices(local, fresh, spec, primal, low, loc)
    program = derivative_program(primal, spec, wrt, seeds, aux_leaves)
    return Compiled(program, "", None, spec, [], [],
                    len(primal.outvars) if spec.with_value else 0,
                    trees.flatten(out, _is_var)[1], aux_skeleton,
                    0 if spec.with_value else len(aux_leaves), None, primal=primal,
                    position_trees=position_trees(fresh, spec)), outer


def local_form(fn: Any) -> Any:
    """``fn`` as a function made where a transform of it is called: a ``def`` or
    ``lambda`` of the function being compiled, a transform of one (``__local__``:
    ``grad``, a Jacobian), or a partial holding its run-time values (``LocalPartial``);
    ``None`` for a function compiled on its own."""
    if isinstance(fn, LocalFunction) or getattr(fn, "__local__", False) is True:
        return fn
    if isinstance(fn, functools.partial) and has_var((fn.args, fn.keywords)):
        return LocalPartial(fn.func, fn.args, fn.keywords)
    return None


def lower_local(low: Any, local: Any, args: Sequence[Any], loc: Loc | None) -> Any:
    """A call of ``local`` (``local_form``) lowered into the program being built, on
    ``args`` as ``bind_local`` gives them (one per parameter: what ``*args`` and
    ``**kwargs`` gather in their places), passed as the call would pass them."""
    positional: list[Any] = []
    keywords: dict[str, Any] = {}
    for p, value in zip(local.signature.parameters.values(), args):
        if p.kind is p.VAR_POSITIONAL:
            positional.extend(value)
        elif p.kind is p.VAR_KEYWORD:
            keywords.update(value)
        elif p.kind is p.KEYWORD_ONLY:
            keywords[p.name] = value
        else:
            positional.append(value)
    if isinstance(local, LocalFunction):
        return low.call_local(local, tuple(positional), keywords, loc)
    return local.__lower_call__(low, positional, keywords, loc)


def refuse_local(fn: Any, transform: str) -> None:
    """Refuse ``transform`` of a function defined inside the one being compiled where the
    transform compiles its function on its own (not where it is called: its eager
    path)."""
    if isinstance(fn, LocalFunction):
        raise AutodiffError(
            f"{transform} of '{fn.name}', a function defined inside the function being "
            "compiled, is not supported here", None,
            hint="define it at module level, or call the transform where it is made")


def bind_local(local: Any, args: Any, kwargs: dict, loc: Loc | None) -> list:
    """The arguments of a call of ``local``, one per parameter, defaults filled in."""
    try:
        bound = local.signature.bind(*args, **kwargs)
    except TypeError as err:
        raise AutodiffError(f"bad call to '{local.name}': {err}", loc) from None
    bound.apply_defaults()
    return list(bound.arguments.values())


def local_program(low: Any, local: Any, spec: GradSpec, examples: list,
                  loc: Loc | None) -> Any:
    """``local`` (``local_form``) lowered on ``examples`` (new inputs: ``vmap``'s per-example
    stand-ins) into a program of its own, as a ``Compiled`` to batch and inline (it reads
    its closure, the enclosing program's values, as they are)."""
    from .compiler import Compiled

    with building(loc) as b:
        out = lower_local(low, local, examples, loc)  # (vmap(grad(u)): per-example ones)
    leaves, skeleton = trees.flatten(out, _is_var)
    inputs = [v for a in examples for v in trees.flatten(a, _is_var)[0]]
    primal = Function(python_name(local.name, "fn"), tuple(inputs), tuple(b.eqns),
                      tuple(leaves), loc)
    return Compiled(primal, "", None, spec, [], [], 0, skeleton, None, 0, None)


def _fresh(x: Any) -> Any:
    """A new input of the local function's program for each value its caller passes:
    a constant (``grad(u)(2.0)``) becomes one too, as a float argument would be."""
    if isinstance(x, Const):
        return Var(x.aval)
    return Var(x.aval, x.hint) if isinstance(x, Var) else x


def _is_var(x: Any) -> bool:
    return isinstance(x, Var | Const)

"""``jvp`` taken inside a compiled function: the function's forward-mode program
inlined where ``jvp`` is called, so that ``grad`` (or ``vjp``, ``vmap``) of a function
that takes a ``jvp`` is one program (reverse over forward, a Hessian-vector product).

The inputs are the program's float values, or tuples, lists and dicts of them (a
model's parameters), each with a tangent in its structure (a dict's by key). A function
defined inside the one being compiled (a ``def``, a ``lambda``, a ``partial`` of its
values) has its program made there (``pipeline.local``); any other is compiled on its
own, for these inputs' kinds, and inlined.
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from .errors import AutodiffError, Loc
from .ir import primitives as P
from .ir.builder import as_atom, inline
from .ir.core import Var
from .pipeline.compiler import compile_gradient
from .pipeline.kinds import abstract, dynamic_leaves
from .pipeline.library import as_compilable
from .pipeline.local import inline_local_gradient, local_form
from .pipeline.spec import GradSpec


def lower_jvp(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
    """``jvp(fn, inputs, v)`` inside a differentiated function: ``fn``'s forward-mode
    program inlined into it, so that ``grad`` (or ``vjp``) of a function that takes a
    ``jvp`` is one program (reverse over forward). Inputs and tangents are float arrays
    here, one tangent per input."""
    from .directional import jvp  # (which imports this)
    try:
        bound = inspect.signature(jvp).bind(*args, **kwargs)
    except TypeError as err:
        raise AutodiffError(f"jvp: {err}", loc) from None
    fn, inputs, v = (bound.arguments[k] for k in ("fn", "inputs", "v"))
    primals = tuple(inputs) if isinstance(inputs, tuple | list) else (inputs,)
    tangents = tuple(v) if isinstance(v, tuple | list) else (v,)
    if len(primals) != len(tangents):
        raise _refused(loc)
    # a tangent None holds its input constant, as the eager jvp does (no tangent is
    # computed from it: the data of a Hessian-vector product, a path's coefficients)
    moved = tuple(i for i, t in enumerate(tangents) if t is not None)
    if not moved:
        raise AutodiffError("jvp: every tangent is None, so nothing is differentiated", loc,
                            hint="give a tangent for at least one input")
    flat_tangents = _tangent_leaves(tuple(primals[i] for i in moved),
                                    tuple(tangents[i] for i in moved), loc)
    spec = GradSpec(moved, False, None, False, False, False, True, forward=True)
    local = local_form(fn)
    if local is not None:  # made where it is called (``pipeline.local``)
        out, tangent = inline_local_gradient(low, local, spec, list(primals), {}, loc,
                                             tangents=flat_tangents)
        return _with_aux(out, tangent, bound.arguments.get("has_aux", False))
    compiled = compile_gradient(as_compilable(fn), spec, [abstract(a) for a in primals])
    values = [*(leaf for a in primals for leaf in dynamic_leaves(a)),
              *(low.captures.free_value(path, obj) for path, obj in compiled.capture_objects),
              *flat_tangents]
    for guard in compiled.guards:  # what fn read, the caller guards
        low.captures.guard(guard)
    out, tangent = compiled.finish(inline(compiled.ir, values))
    return _with_aux(out, tangent, bound.arguments.get("has_aux", False))


def _tangent_leaves(primals: tuple, tangents: tuple, loc: Loc | None) -> list[Any]:
    """One tangent per float leaf of the primals (arrays, or tuples, lists and dicts of
    them: a model's parameters), in their order: each tangent in its primal's structure
    (a dict's by key), a constant one made an array of its primal's dtype."""
    def refused() -> AutodiffError:
        return _refused(loc)

    def leaves(a: Any, t: Any) -> list[Any]:
        if isinstance(a, dict):
            if not isinstance(t, dict) or set(t) != set(a):
                raise refused()
            return [x for k in a for x in leaves(a[k], t[k])]
        if isinstance(a, tuple | list):
            if not isinstance(t, tuple | list) or len(t) != len(a):
                raise refused()
            return [x for ai, ti in zip(a, t) for x in leaves(ai, ti)]
        shape = t.aval.shape if isinstance(t, Var) else np.shape(t)
        a = a if isinstance(a, Var) else as_atom(a)  # a constant point: jvp(u, (2.0,), ...)
        if not (a.aval.is_float and shape == a.aval.shape):
            raise refused()
        return [t if isinstance(t, Var) else np.asarray(t, a.aval.dtype)]

    if len(primals) != len(tangents):
        raise refused()
    return [x for a, t in zip(primals, tangents) for x in leaves(a, t)]


def _refused(loc: Loc | None) -> AutodiffError:
    return AutodiffError("inside a differentiated function jvp takes float arrays or "
                         "numbers (or tuples, lists and dicts of them) as inputs, and "
                         "tangents of the same structure and shapes (None: held constant)",
                         loc, hint="pass each input's tangent in the input's structure")


def _with_aux(out: Any, tangent: Any, has_aux: bool) -> tuple:
    """``jvp``'s ``(value, tangent)``, or ``(value, tangent, aux)`` with ``has_aux``."""
    if not has_aux:
        return out, tangent
    from .directional import split_aux  # (which imports this)
    value, aux = split_aux(out)
    return value, split_aux(tangent)[0], aux


def lower_linearize(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
    """``linearize(fn, *primals)`` inside a differentiated function: the value is
    ``jvp``'s along zero tangents (the tangent's work is dead, and goes), and the map
    inlines ``jvp`` at the point held wherever it is called."""
    if kwargs or len(args) < 2:
        raise AutodiffError("linearize takes the function and its point by position: "
                            "linearize(f, x, ...)", loc)
    fn, primals = args[0], tuple(args[1:])
    out, _ = lower_jvp(low, [fn, primals, tuple(map(_zeros_like, primals))], {}, loc)
    return out, InlinedLinearMap(fn, primals)


class InlinedLinearMap:
    """``linearize``'s map made inside a differentiated function: ``f_jvp(*tangents)``
    is ``jvp(fn, point, tangents)``'s tangent, inlined where it is called."""

    def __init__(self, fn: Any, point: tuple) -> None:
        self.fn, self.point = fn, point

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
        if kwargs or len(args) != len(self.point):
            raise AutodiffError(f"the linear map takes one tangent per primal "
                                f"({len(self.point)}), by position", loc)
        return lower_jvp(low, [self.fn, self.point, tuple(args)], {}, loc)[1]


def _zeros_like(value: Any) -> Any:
    """A zero tangent in ``value``'s structure."""
    if isinstance(value, dict):
        return {k: _zeros_like(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return type(value)(map(_zeros_like, value))
    return P.zeros_like(value) if isinstance(value, Var) else np.zeros_like(value)

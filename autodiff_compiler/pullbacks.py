"""``vjp_fn`` where a transform compiles it (``vmap(vjp_fn)(basis)``, JAX's Jacobian by
rows): the gradient of the outputs weighted by the cotangents, ``grad(lambda x: sum(f(x)
* v))``, at the inputs ``vjp`` was given, which the compiled code holds as constants. So
the cotangents are the program's only inputs, and ``vmap`` batches them as any others.
A ``vjp`` taken inside a compiled function (``lower_vjp``) gives a ``vjp_fn`` made the
same way, there at the inputs the program computes.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .api import shared_gradient
from .errors import AutodiffError, Loc
from .frontend.captures import is_array
from .ir import primitives as P
from .ir.builder import as_atom
from .ir.core import Var
from .options import grad_spec
from .pipeline.kinds import dynamic_leaves
from .pipeline.library import as_compilable
from .pipeline.local import inline_local_gradient, local_form, lower_local


def pullback_lowering(fn: Callable[..., Any], inputs: tuple, positions: tuple, out: Any,
                      has_aux: bool, weights: Any, local: bool = False) -> Callable[..., Any]:
    """How ``vjp_fn`` compiles where a transform takes it (``vmap(vjp_fn)(basis)``,
    JAX's Jacobian by rows): as the gradient, at ``inputs``, of the outputs weighted by
    the cotangents, ``grad(lambda x: sum(f(x) * v))``, the inputs held constant. ``local``:
    ``fn`` is a ``def`` or ``lambda`` of the function being compiled (``pipeline.local``
    makes its gradient where it is called)."""
    outputs = list(out) if type(out) is tuple else [out]
    single = type(out) is not tuple

    def lower(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
        if weights is not None or kwargs or not all(map(_is_float, outputs)):
            raise AutodiffError("vjp_fn inside a transform takes the cotangents of float "
                                "array outputs (an array or a tuple of them), no weights",
                                loc, hint="write the weighted gradient as a def: "
                                          "grad(lambda x: np.sum(fn(x) * v))(x)")
        cotangents = list(args[0]) if len(args) == 1 and not single and \
            isinstance(args[0], tuple | list) else list(args)
        if len(cotangents) != len(outputs):
            raise AutodiffError(f"vjp_fn takes {len(outputs)} cotangents, one per output, "
                                f"got {len(cotangents)}", loc)
        spec = grad_spec(positions, None, False, False, False)
        if local:  # a def of the function being compiled: its gradient made here
            grads = inline_local_gradient(
                low, fn, spec, list(inputs), {}, loc,
                weighted_by=lambda out: _weighted_sum(out[0] if has_aux else out,
                                                      cotangents, single))
        else:
            weighted = _weighted_outputs(fn, len(inputs), single, has_aux)
            grads = shared_gradient(weighted, spec).__lower_call__(
                low, [*inputs, *cotangents], {}, loc)
        return grads if isinstance(grads, tuple) else (grads,)

    return lower


def _is_float(output: Any) -> bool:
    """A float array or number: eager (``vjp`` called outside), or the compiler's value
    (``vjp`` taken inside a compiled function)."""
    if isinstance(output, Var):  # (a dtype a run-time branch decides: float32 on one
        return output.aval.dtype is None or output.aval.is_float  # path, a float on another)
    return (is_array(output) and np.issubdtype(np.asarray(output).dtype, np.inexact)) \
        or isinstance(output, float)


def _float_tree(value: Any) -> bool:
    """A float array the program computes or a float constant (``vjp(u, 2.0)``), or a
    tuple, list or dict holding only such (a model's parameters): what ``vjp`` inside a
    compiled function differentiates."""
    leaves = dynamic_leaves(value)
    return bool(leaves) and all(as_atom(v).aval.is_float for v in leaves)


def _weighted_outputs(fn: Callable[..., Any], n: int, single: bool, has_aux: bool
                      ) -> Callable[..., Any]:
    """``fn``'s outputs (the first, with ``has_aux``) summed, each weighted by its
    cotangent: arguments ``n`` inputs, then the cotangents."""
    def weighted(*args: Any) -> Any:
        out = fn(*args[:n])
        if has_aux:
            out = out[0]
        if single:
            return np.sum(out * args[n])
        total = 0.0
        for value, cotangent in zip(out, args[n:]):
            total = total + np.sum(value * cotangent)
        return total
    return weighted


def _weighted_sum(out: Any, cotangents: Sequence[Any], single: bool) -> Any:
    """``_weighted_outputs``' sum of the outputs, each weighted by its cotangent, of the
    values a program being built holds."""
    total = 0.0
    for value, cotangent in zip([out] if single else out, cotangents):
        total = total + P.reduce_sum(value * cotangent)
    return total


class InlinedPullback:
    """``vjp_fn`` of a ``vjp`` taken inside a compiled function: a value of the compiler
    alone, which, where the code calls it, inlines the gradient of the outputs weighted
    by the cotangents (``pullbacks``), so ``grad`` of a function that takes a ``vjp``
    is one program (reverse over reverse). It reads the enclosing program's values (the
    point of the ``vjp``): a transform of it (``vmap(vjp_fn)``, the autodiff cookbook's
    Jacobian) is made where it is called, as a local function's is (``__local__``)."""

    __local__ = True
    name = "vjp_fn"
    signature = inspect.Signature([inspect.Parameter("cotangents",
                                                     inspect.Parameter.VAR_POSITIONAL)])

    def __init__(self, lower: Callable[..., Any]) -> None:
        self.__lower_call__ = lower

    def __call__(self, *cotangents: Any) -> Any:
        raise AutodiffError("this vjp_fn was made inside a compiled function, and is called "
                            "there only")


def lower_vjp(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
    """``vjp(fn, *inputs)`` inside a differentiated function: ``fn``'s outputs, and a
    ``vjp_fn`` that is the weighted gradient at these inputs where it is called."""
    from .directional import split_aux, vjp  # (which imports this)
    try:
        bound = inspect.signature(vjp).bind(*args, **kwargs)
    except TypeError as err:
        raise AutodiffError(f"vjp: {err}", loc) from None
    fn, inputs = bound.arguments["fn"], tuple(bound.arguments.get("inputs", ()))
    local = local_form(fn)
    fn = fn if local is None else local
    has_aux = bound.arguments.get("has_aux", False)
    if bound.arguments.get("weights") is not None or not isinstance(has_aux, bool):
        raise AutodiffError("inside a differentiated function vjp takes the function and its "
                            "inputs (and has_aux=True or False), no weights", loc,
                            hint="take the gradient with respect to the weights outside")
    positions = tuple(i for i, a in enumerate(inputs) if _float_tree(a))
    if not positions:
        raise AutodiffError("vjp needs at least one float array argument (or a tuple, list "
                            "or dict of them) to differentiate", loc)
    if local is not None:
        out = lower_local(low, fn, inputs, loc)
    elif hasattr(fn, "__lower_call__"):  # a custom_vjp or custom_jvp function: its rule
        out = fn.__lower_call__(low, list(inputs), {}, loc)
    else:
        out = low.call_function(as_compilable(fn), inputs, {}, loc)
    value, aux = split_aux(out) if has_aux else (out, None)
    pullback = InlinedPullback(pullback_lowering(fn, inputs, positions, value, has_aux,
                                                 None, local=local is not None))
    return (value, pullback, aux) if has_aux else (value, pullback)

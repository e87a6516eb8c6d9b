"""``vjp_fn`` where a transform compiles it (``vmap(vjp_fn)(basis)``, JAX's Jacobian by
rows): the gradient of the outputs weighted by the cotangents, ``grad(lambda x: sum(f(x)
* v))``, at the inputs ``vjp`` was given, which the compiled code holds as constants. So
the cotangents are the program's only inputs, and ``vmap`` batches them as any others.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .api import shared_gradient
from .errors import AutodiffError, Loc
from .frontend.captures import is_array
from .ir.core import Var
from .options import grad_spec


def pullback_lowering(fn: Callable[..., Any], inputs: tuple, positions: tuple, out: Any,
                      has_aux: bool, weights: Any) -> Callable[..., Any]:
    """How ``vjp_fn`` compiles where a transform takes it (``vmap(vjp_fn)(basis)``,
    JAX's Jacobian by rows): as the gradient, at ``inputs``, of the outputs weighted by
    the cotangents, ``grad(lambda x: sum(f(x) * v))``, the inputs held constant."""
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
        weighted = _weighted_outputs(fn, len(inputs), single, has_aux)
        gradient = shared_gradient(weighted, grad_spec(positions, None, False, False, False))
        grads = gradient.__lower_call__(low, [*inputs, *cotangents], {}, loc)
        return grads if isinstance(grads, tuple) else (grads,)

    return lower


def _is_float(output: Any) -> bool:
    """A float array or number: eager (``vjp`` called outside), or the compiler's value
    (``vjp`` taken inside a compiled function)."""
    if isinstance(output, Var):
        return output.aval.dtype is not None and output.aval.is_float
    return (is_array(output) and np.issubdtype(np.asarray(output).dtype, np.inexact)) \
        or isinstance(output, float)


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

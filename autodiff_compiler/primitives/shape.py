"""Shapes, constructors, broadcasting and the adjoint of broadcasting.

Shapes are operands rather than params so that shape-generic code can compute them
at run time (``np.shape(x)``); when the compiler knows the shape, ``shape(x)`` folds
to a constant tuple at binding time and the code is specialised.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir import Aval, Var
from .core import Primitive, deflinear, defvjp, nondifferentiable

shape = Primitive("shape", ("call", "np.shape"))
size = Primitive("size", ("call", "np.size"))
ndim = Primitive("ndim", ("call", "np.ndim"))
reshape = Primitive("reshape", ("call", "np.reshape"))
broadcast_to = Primitive("broadcast_to", ("call", "np.broadcast_to"))
expand_dims = Primitive("expand_dims", ("call", "np.expand_dims"))
transpose = Primitive("transpose", ("call", "np.transpose"), defaults={"axes": None})
swapaxes = Primitive("swapaxes", ("call", "np.swapaxes"))
unbroadcast_to = Primitive("unbroadcast", ("call", "unbroadcast"))
ones_like = Primitive("ones_like", ("call", "np.ones_like"), defaults={"dtype": None})
zeros_like = Primitive("zeros_like", ("call", "np.zeros_like"), defaults={"dtype": None})
ones = Primitive("ones", ("call", "np.ones"), defaults={"dtype": None})
zeros = Primitive("zeros", ("call", "np.zeros"), defaults={"dtype": None})
stop_gradient = Primitive("stop_gradient", ("identity", ""))
copy = Primitive("copy", ("call", "np.array"))

nondifferentiable(shape, size, ndim, ones_like, zeros_like, ones, zeros, stop_gradient)


def _static(attr: str):
    """``shape``/``size``/``ndim`` of a value whose shape is known are constants."""
    def value(aval: Aval) -> Any:
        return None if aval.shape is None else getattr(np.empty(aval.shape, np.int8), attr)
    return value


shape.static_value = _static("shape")
size.static_value = _static("size")
ndim.static_value = _static("ndim")


def shape_of(x: Any) -> Any:
    """The shape of ``x``: a tuple when known, else a ``shape`` equation."""
    return shape(x)


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to ``x``'s shape: the one place broadcasting is undone.

    With both shapes known this is an explicit ``np.sum`` over the broadcast axes (or
    nothing at all); otherwise the ``unbroadcast`` runtime helper decides at run time.
    """
    gs, xs = _aval(g).shape, _aval(x).shape
    if gs is None or xs is None:
        return unbroadcast_to(g, x)
    if gs == xs:
        return g
    lead = len(gs) - len(xs)
    if lead:
        from .reductions import reduce_sum
        g = reduce_sum(g, axis=tuple(range(lead)) if lead > 1 else 0)
    kept = tuple(i for i, n in enumerate(xs) if n == 1 and gs[lead + i] != 1)
    if kept:
        from .reductions import reduce_sum
        g = reduce_sum(g, axis=kept if len(kept) > 1 else kept[0], keepdims=True)
    return g


def _aval(x: Any) -> Aval:
    return x.aval if isinstance(x, Var) else Aval.of(x)


def _vjp_transpose(g, ans, x, axes=None):
    if axes is None:
        return transpose(g)
    return transpose(g, axes=tuple(np.argsort([a % len(axes) for a in axes]).tolist()))


defvjp(reshape, lambda g, ans, x, new_shape: reshape(g, shape_of(x)), None)
defvjp(broadcast_to, lambda g, ans, x, new_shape: unbroadcast(g, x), None)
defvjp(expand_dims, lambda g, ans, x, axis: reshape(g, shape_of(x)))
defvjp(transpose, _vjp_transpose)
defvjp(swapaxes, lambda g, ans, x, axis1, axis2: swapaxes(g, axis1, axis2))
defvjp(copy, lambda g, ans, x: g)
defvjp(unbroadcast_to, lambda g, ans, x, like: broadcast_to(g, shape_of(x)), None)

for _linear in (reshape, broadcast_to, expand_dims, transpose, swapaxes, unbroadcast_to, copy):
    deflinear(_linear, 0)

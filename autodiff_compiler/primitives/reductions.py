"""Reductions: the cotangent of a reduction is broadcast back over the reduced axes.

Every reduction takes ``axis`` (None, an int or a tuple, negative counting from the
end) and ``keepdims`` as params. ``_spread`` undoes the reduction's shape, the one
place that does. Conventions where the derivative is not unique: ``max``/``min``
share the gradient equally among tied extrema; ``std`` and ``norm`` have gradient 0
where they are 0 (a subgradient, as ``abs`` has at 0); ``prod`` is exact with zeros
in the input; ``cumprod`` divides by the input, so a zero entry gets a NaN gradient
(never a silently wrong one).
"""
from __future__ import annotations

import numpy as np

from .core import Primitive, deflinear, defvjp, nondifferentiable
from .shape import (
                    astype,
                    broadcast_to,
                    dim_of,
                    dtype_of,
                    expand_dims,
                    flip,
                    moveaxis,
                    ndim_of,
                    reshape,
                    shape_of,
                    size,
)

_DEFAULTS = {"axis": None, "keepdims": False}
reduce_sum = Primitive("reduce_sum", ("call", "np.sum"), defaults=_DEFAULTS)
reduce_mean = Primitive("reduce_mean", ("call", "np.mean"), defaults=_DEFAULTS)
reduce_prod = Primitive("reduce_prod", ("call", "np.prod"), defaults=_DEFAULTS)
reduce_max = Primitive("reduce_max", ("call", "np.max"), defaults=_DEFAULTS)
reduce_min = Primitive("reduce_min", ("call", "np.min"), defaults=_DEFAULTS)
var = Primitive("var", ("call", "np.var"), defaults={**_DEFAULTS, "ddof": 0})
std = Primitive("std", ("call", "np.std"), defaults={**_DEFAULTS, "ddof": 0})
norm = Primitive("norm", ("call", "np.linalg.norm"), defaults=_DEFAULTS)
cumsum = Primitive("cumsum", ("call", "np.cumsum"), defaults={"axis": None})
cumprod = Primitive("cumprod", ("call", "np.cumprod"), defaults={"axis": None})
trace = Primitive("trace", ("call", "np.trace"), defaults={"offset": 0, "axis1": 0, "axis2": 1})
reduce_all = Primitive("reduce_all", ("call", "np.all"), defaults=_DEFAULTS)
reduce_any = Primitive("reduce_any", ("call", "np.any"), defaults=_DEFAULTS)
nondifferentiable(reduce_all, reduce_any)


def _kept(v, axis, keepdims):
    """``v`` (reduced over ``axis``) with the reduced axes restored as length 1."""
    return expand_dims(v, axis=axis) if axis is not None and not keepdims else v


def _spread(g, x, axis, keepdims):
    """Undo a reduction's shape: restore reduced axes, then broadcast to ``x``."""
    return broadcast_to(_kept(g, axis, keepdims), shape_of(x))


def _count(x, ans):
    """How many entries each result of a reduction of ``x`` summarises."""
    return size(x) / size(ans)


def _nonzero(v):
    """``v`` with zeros replaced by ones, to divide by where ``v`` may be 0."""
    from .elementwise import equal, where
    return where(equal(v, 0), 1, v)


def defreduction(prim: Primitive, partial) -> None:
    """Register both rules of a reduction from ``partial(ans, x, axis, keepdims,
    **params)``, the derivative of each result with respect to each entry it reduces
    (shaped like ``x``): the VJP is ``spread(g) * partial``, the JVP ``sum(t * partial)``."""
    def vjp(g, ans, x, axis=None, keepdims=False, **params):
        return _spread(g, x, axis, keepdims) * partial(ans, x, axis, keepdims, **params)

    def jvp(t, ans, x, axis=None, keepdims=False, **params):
        return reduce_sum(t * partial(ans, x, axis, keepdims, **params), axis=axis,
                          keepdims=keepdims)

    prim.vjp, prim.jvp = (vjp,), (jvp,)


def _prod_partial(ans, x, axis, keepdims):
    """The product of the other entries; exact when ``x`` holds zeros."""
    from .elementwise import equal, logical_and, where
    zero = equal(x, 0)
    zeros = reduce_sum(zero, axis=axis, keepdims=True)
    others = reduce_prod(where(zero, 1, x), axis=axis, keepdims=True)  # of the nonzero ones
    lone_zero = logical_and(zero, equal(zeros, 1))
    return where(equal(zeros, 0), others / _nonzero(x), where(lone_zero, others, 0))


def _extremum_partial(ans, x, axis, keepdims):
    """1/k at each of the k entries equal to the extremum, 0 elsewhere."""
    from .elementwise import equal
    hit = astype(equal(x, _kept(ans, axis, keepdims)), dtype_of(x))
    return hit / reduce_sum(hit, axis=axis, keepdims=True)


def _centred(x, axis):
    return x - reduce_mean(x, axis=axis, keepdims=True)


def _var_partial(ans, x, axis, keepdims, ddof=0):
    return _centred(x, axis) * (2 / (_count(x, ans) - ddof))


def _std_partial(ans, x, axis, keepdims, ddof=0):
    return _centred(x, axis) / ((_count(x, ans) - ddof) * _kept(_nonzero(ans), axis, keepdims))


def _norm_partial(ans, x, axis, keepdims):
    return x / _kept(_nonzero(ans), axis, keepdims)


defvjp(reduce_sum, lambda g, ans, x, axis=None, keepdims=False:
       _spread(g, x, axis, keepdims))
defvjp(reduce_mean, lambda g, ans, x, axis=None, keepdims=False:
       _spread(g, x, axis, keepdims) / _count(x, ans))
deflinear(reduce_sum, 0)
deflinear(reduce_mean, 0)
defreduction(reduce_prod, _prod_partial)
defreduction(reduce_max, _extremum_partial)
defreduction(reduce_min, _extremum_partial)
defreduction(var, _var_partial)
defreduction(std, _std_partial)
defreduction(norm, _norm_partial)

# ---------------------------------------------------------------------------- running totals


def _reverse_cumsum(g, axis):
    return flip(cumsum(flip(g, axis=axis), axis=axis), axis=axis)


def _vjp_cumsum(g, ans, x, axis=None):
    if axis is None:
        return reshape(_reverse_cumsum(g, 0), shape_of(x))
    return _reverse_cumsum(g, axis)


def _vjp_cumprod(g, ans, x, axis=None):
    return _vjp_cumsum(g * ans, ans, x, axis) / x


defvjp(cumsum, _vjp_cumsum)
defvjp(cumprod, _vjp_cumprod)
deflinear(cumsum, 0)
cumprod.jvp = (lambda t, ans, x, axis=None: cumsum(t / x, axis=axis) * ans,)

# ---------------------------------------------------------------------------- trace


def _vjp_trace(g, ans, x, offset=0, axis1=0, axis2=1):
    from .constructors import eye
    mask = eye(dim_of(x, axis1), dim_of(x, axis2), k=offset, dtype=np.bool_)
    if ndim_of(x) == 2:
        return g * mask
    return moveaxis(expand_dims(g, axis=(-2, -1)) * mask, (-2, -1), (axis1, axis2))


defvjp(trace, _vjp_trace)
deflinear(trace, 0)

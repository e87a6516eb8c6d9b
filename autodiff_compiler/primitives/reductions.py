"""Reductions: the cotangent of a reduction is broadcast back over the reduced axes."""
from __future__ import annotations

from .core import Primitive, deflinear, defvjp
from .shape import broadcast_to, expand_dims, shape_of, size

_DEFAULTS = {"axis": None, "keepdims": False}
reduce_sum = Primitive("reduce_sum", ("call", "np.sum"), defaults=_DEFAULTS)
reduce_mean = Primitive("reduce_mean", ("call", "np.mean"), defaults=_DEFAULTS)


def _spread(g, x, axis, keepdims):
    """Undo a reduction's shape: restore reduced axes, then broadcast to ``x``."""
    if axis is not None and not keepdims:
        g = expand_dims(g, axis=axis)
    return broadcast_to(g, shape_of(x))


defvjp(reduce_sum, lambda g, ans, x, axis=None, keepdims=False:
       _spread(g, x, axis, keepdims))
defvjp(reduce_mean, lambda g, ans, x, axis=None, keepdims=False:
       _spread(g, x, axis, keepdims) / (size(x) / size(ans)))
deflinear(reduce_sum, 0)
deflinear(reduce_mean, 0)

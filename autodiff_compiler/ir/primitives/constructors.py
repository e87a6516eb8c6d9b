"""New arrays: identity matrices, ranges, filled arrays.

Sizes are operands, so they may be computed at run time. ``full`` and ``linspace``
are differentiable in their values (the fill value; the end points); everything
else here only creates constants.
"""
from __future__ import annotations

import numpy as np

from .core import constructor, defelementwise, deflinear, defvjp, nondifferentiable
from .linalg import tensordot
from .shape import astype, dtype_of, unbroadcast

eye = constructor("eye", np.eye, defaults={"k": 0, "dtype": None}, sizes=(0, 1))
arange = constructor("arange", np.arange, defaults={"dtype": None}, sizes=(0, 1, 2))
linspace = constructor("linspace", np.linspace,
                       defaults={"endpoint": True, "dtype": None}, sizes=(2,))
full = constructor("full", np.full, defaults={"dtype": None}, sizes=(0,))
full_like = constructor("full_like", np.full_like, defaults={"dtype": None})

nondifferentiable(eye, arange)

# A filled array is its fill value broadcast, elementwise in it with derivative 1:
# the tangent is broadcast, the cotangent summed back.
defelementwise(full, None, lambda d, ans, shape, value, dtype=None: d)
defelementwise(full_like, None, lambda d, ans, x, value, dtype=None: d)

# linspace(start, stop, num) = start + u * (stop - start) with u = linspace(0, 1, num):
# along the new first axis each end point is weighted by 1 - u or u.


def _fraction(g, num, endpoint):
    """linspace(0, 1, num) in the cotangent's dtype."""
    return astype(linspace(0.0, 1.0, num, endpoint=endpoint), dtype_of(g))


defvjp(linspace,
       lambda g, ans, start, stop, num, endpoint=True, dtype=None:
       unbroadcast(tensordot(1 - _fraction(g, num, endpoint), g, axes=1), start),
       lambda g, ans, start, stop, num, endpoint=True, dtype=None:
       unbroadcast(tensordot(_fraction(g, num, endpoint), g, axes=1), stop), None)
# linspace is linear in both end points together: each contributes a linspace from or
# to zero.
deflinear(linspace, 0, 1, jointly=True)

"""New arrays: identity matrices, ranges, filled arrays.

Sizes are operands, so they may be computed at run time. ``full`` and ``linspace``
are differentiable in their values (the fill value; the end points); everything
else here only creates constants.
"""
from __future__ import annotations

import numpy as np

from .core import constructor, defjvp, defvjp, nondifferentiable
from .linalg import tensordot
from .shape import astype, dtype_of, unbroadcast, zeros_like

eye = constructor("eye", np.eye, defaults={"k": 0, "dtype": None})
arange = constructor("arange", np.arange, defaults={"dtype": None})
linspace = constructor("linspace", np.linspace,
                       defaults={"endpoint": True, "dtype": None})
full = constructor("full", np.full, defaults={"dtype": None})
full_like = constructor("full_like", np.full_like, defaults={"dtype": None})

nondifferentiable(eye, arange)

# A filled array is its fill value broadcast: the adjoint sums it back.
defvjp(full, None, lambda g, ans, shape, value, dtype=None: unbroadcast(g, value))
defjvp(full, None, lambda t, ans, shape, value, dtype=None: t)
defvjp(full_like, None, lambda g, ans, x, value, dtype=None: unbroadcast(g, value))
defjvp(full_like, None, lambda t, ans, x, value, dtype=None: t)

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
defjvp(linspace,
       lambda t, ans, start, stop, num, endpoint=True, dtype=None:
       linspace(t, zeros_like(stop), num, endpoint=endpoint),
       lambda t, ans, start, stop, num, endpoint=True, dtype=None:
       linspace(zeros_like(start), t, num, endpoint=endpoint), None)

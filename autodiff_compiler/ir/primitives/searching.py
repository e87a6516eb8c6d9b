"""Searching and counting: ``searchsorted``, ``nonzero``, ``flatnonzero``, ``bincount``.

``searchsorted``, ``nonzero`` and ``flatnonzero`` give integer positions, piecewise
constant in their operands: no gradient flows through them (``np.digitize`` is built on
the first, the data-dependent selections ``np.argwhere``, ``np.compress``,
``np.extract`` and ``np.unique`` on the others, by the surface).

``nonzero``, ``flatnonzero`` and ``bincount`` have results whose length is the data's
(how many entries are nonzero, the largest entry plus one), so it is unknown when
compiling, as a boolean mask's selection is, and code after them stays shape-generic.
``bincount`` is linear in its weights: the weight of entry ``i`` lands in bin ``x[i]``,
so its gradient is the bin's cotangent read back, ``g[x]``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core import Atom, Aval
from .core import Primitive, deflinear, defvjp, nondifferentiable

_INDEX = np.dtype(np.intp)

searchsorted = Primitive("searchsorted", np.searchsorted, defaults={"side": "left"})
searchsorted.scalar_result = True  # one position is a NumPy integer


def _nonzero_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """One index vector per axis, of a length known only at run time (the surface
    binds ``nonzero`` only where the rank is known and at least 2, ``flatnonzero``
    for one axis, so that one result is never a tuple of one)."""
    return [Aval(None, _INDEX)] * args[0].aval.ndim


def _bincount_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """Counts are ``intp``; weighted sums are float64 whatever the weights' dtype."""
    return [Aval(None, np.dtype(np.float64) if len(args) > 1 else _INDEX)]


nonzero = Primitive("nonzero", np.nonzero, n_out=None, aval_rule=_nonzero_avals,
                    foldable=False)
flatnonzero = Primitive("flatnonzero", np.flatnonzero,
                        aval_rule=lambda args, params: [Aval(None, _INDEX)])
bincount = Primitive("bincount", np.bincount, aval_rule=_bincount_avals,
                     defaults={"minlength": 0})
nondifferentiable(searchsorted, nonzero, flatnonzero)


def _weights_cotangent(g: Any, ans: Any, x: Any, weights: Any, minlength: int = 0) -> Any:
    from .indexing import getitem
    from .shape import astype, dtype_of
    read, wanted = getitem(g, x), dtype_of(weights)  # bincount sums in float64
    return read if wanted == np.dtype(np.float64) else astype(read, wanted)


defvjp(bincount, None, _weights_cotangent)
deflinear(bincount, 1)

__all__ = ["bincount", "flatnonzero", "nonzero", "searchsorted"]

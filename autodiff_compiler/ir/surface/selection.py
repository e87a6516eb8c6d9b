"""Selections whose length is the data's: ``np.nonzero`` (and ``np.where`` of a
condition alone), ``np.flatnonzero``, ``np.argwhere``, ``np.compress``, ``np.extract``,
``np.unique`` and ``np.bincount``.

Each is NumPy's own definition on the ``nonzero`` and ``flatnonzero`` primitives:
``argwhere`` is the indices stacked as rows, ``compress`` and ``extract`` a ``take`` of
the flat ones. Their results have a length known only at run time, like a boolean
mask's selection, and so has what is computed from them until a reduction of the whole
(0-d) makes the shapes known again; it differentiates through the gathers they are.

``np.unique`` is NumPy's ``_unique1d``: a stable sort of the flattened array, and a
mask that keeps each run's first entry (and one NaN of the NaNs, with ``equal_nan``).
The values are entries of the operand, so the gradient of each reaches the entry it
was read from: the first occurrence of that value. (At a tie the function has no
derivative, since moving one copy apart adds a value; the first copy taking the
gradient is the convention ``np.sort``'s rule follows.) The inverse is the running
count of the mask sent back through the sorting permutation, the counts a
``bincount`` of it.

An operand known when compiling (a constant array) is NumPy's own call.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import NUMPY_2, Var, ndim_of
from . import UnsupportedArgumentError, _static, register
from .composed import _known_rank
from .constructors import _asarray
from .shapes import _take


def _nonzero(a):
    if not isinstance(a, Var):
        return np.nonzero(a)
    rank = _known_rank(a, "np.nonzero (one index array per axis)")
    if rank == 0:  # NumPy 2's refusal (NumPy 1 warned and treated it as 1-d)
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "np.atleast_1d(scalar).nonzero() instead.")
    return (P.flatnonzero(a),) if rank == 1 else P.nonzero(a)


def _flat_indices(a: Any) -> Any:
    """The positions of the nonzero entries of ``a`` flattened (NumPy's, of a constant)."""
    return P.flatnonzero(a) if isinstance(a, Var) else np.flatnonzero(a)


def _flatnonzero(a):
    return _flat_indices(_asarray(a))


def _argwhere(a):
    a = _asarray(a)
    if not isinstance(a, Var):
        return np.argwhere(a)
    if ndim_of(a) == 0:  # NumPy's: the 1-d answer with its one column dropped
        return P.getitem(_argwhere(P.reshape(a, (1,))), (slice(None), slice(0, 0)))
    return P.stack(*_nonzero(a), axis=-1)


def _where_indices(condition):
    """``np.where(condition)``: ``np.asarray(condition).nonzero()``."""
    return _nonzero(_asarray(condition))


def _compress(condition, a, axis=None, out=None):
    if out is not None:
        raise UnsupportedArgumentError("np.compress(..., out=...) is not supported yet")
    condition = _asarray(condition)
    if ndim_of(condition) not in (1, None):
        raise ValueError("condition must be a 1-d array")
    if not isinstance(condition, Var) and not isinstance(a, Var):
        return np.compress(condition, a, axis)
    indices = _flat_indices(condition)
    return _take(a, indices, axis=_static(axis, "axis"))


def _extract(condition, arr):
    condition, arr = _asarray(condition), _asarray(arr)
    if not isinstance(condition, Var) and not isinstance(arr, Var):
        return np.extract(condition, arr)
    indices = _flat_indices(condition)
    return P.getitem(P.reshape(arr, -1), indices)


def _unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
            *, equal_nan=True, sorted=True):  # noqa: A002  (NumPy's keyword)
    flags = tuple(bool(_static(f, name)) for f, name in (
        (return_index, "return_index"), (return_inverse, "return_inverse"),
        (return_counts, "return_counts")))
    equal_nan = bool(_static(equal_nan, "equal_nan"))
    if axis is not None:
        raise UnsupportedArgumentError("np.unique(..., axis=...) is not supported yet")
    ar = _asarray(ar)
    if not isinstance(ar, Var):
        return np.unique(ar, *flags, equal_nan=equal_nan)
    flat = P.reshape(ar, -1)
    order = P.argsort(flat, axis=0, kind="stable")
    ordered = P.getitem(flat, order)
    later, earlier = P.getitem(ordered, slice(1, None)), P.getitem(ordered, slice(None, -1))
    differs = P.not_equal(later, earlier)
    dtype = P.dtype_of(ar)
    if equal_nan and (not isinstance(dtype, np.dtype) or dtype.kind in "fc"):
        differs = P.logical_and(differs, P.logical_not(P.logical_and(P.isnan(later),
                                                                     P.isnan(earlier))))
    first = P.ones_like(P.getitem(ordered, slice(None, 1)), dtype=np.bool_)  # none if empty
    keep = P.concatenate(first, differs, axis=0)
    results = [P.getitem(ordered, keep)]
    if flags[0]:
        results.append(P.getitem(order, keep))
    if flags[1] or flags[2]:
        rank = P.sub(P.cumsum(keep, axis=0), 1)  # each sorted entry's place among the values
        if flags[1]:
            inverse = P.index_update(P.zeros_like(order), order, rank)
            results.append(P.reshape(inverse, P.shape_of(ar)) if NUMPY_2 else inverse)
        if flags[2]:
            results.append(P.bincount(rank))
    return results[0] if len(results) == 1 else tuple(results)


def _bincount(x, weights=None, minlength=0):
    minlength = _static(minlength, "minlength")
    x = _asarray(x)
    if weights is None:
        return np.bincount(x, minlength=minlength) if not isinstance(x, Var) \
            else P.bincount(x, minlength=minlength)
    weights = _asarray(weights)
    if not isinstance(x, Var) and not isinstance(weights, Var):
        return np.bincount(x, weights, minlength)
    return P.bincount(x, weights, minlength=minlength)


register("inactive", _nonzero, np.nonzero, methods=("nonzero",))
register("inactive", _flatnonzero, np.flatnonzero)
register("inactive", _argwhere, np.argwhere)
register("indexing", _compress, np.compress)
register("indexing", lambda a, condition, axis=None, out=None: _compress(condition, a, axis, out),
         methods=("compress",))
register("indexing", _extract, np.extract)
register("indexing", _unique, np.unique)
register("reductions", _bincount, np.bincount)

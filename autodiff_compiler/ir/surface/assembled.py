"""NumPy functions assembled from the surface's other functions: ``np.ediff1d``,
``np.vander`` and ``np.block``. Each computes NumPy's values the way NumPy does
(``vander``'s powers are a running product, as ``np.multiply.accumulate`` makes
them), so they agree bit for bit, and differentiates by the functions it is built of:
``vander``'s products one by one (``x``'s powers, fewer operations than ``cumprod``'s
scan of products).

``vander`` needs the vector's length when compiling unless ``N`` is given, and
``block`` the ranks of its arrays (its result's shape depends on them): shape-generic
code is refused with a located error where it does not know them.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import ndim_of
from . import CompileTimeError, _static, register
from .composed import _known_shape, _unknown
from .constructors import _asarray


def _ediff1d(ary, to_end=None, to_begin=None):
    """The differences of consecutive values of the flattened ``ary``, with
    ``to_begin`` before and ``to_end`` after."""
    parts = [np.diff(np.ravel(_asarray(ary)))]
    if to_begin is not None:
        parts.insert(0, np.ravel(_asarray(to_begin)))
    if to_end is not None:
        parts.append(np.ravel(_asarray(to_end)))
    return np.concatenate(parts) if len(parts) > 1 else parts[0]


def _vander(x, N=None, increasing=False):  # noqa: N803 (NumPy's name)
    """The powers ``x**0 ... x**(N-1)`` of a vector as columns, highest first unless
    ``increasing``."""
    x = _asarray(x)
    if ndim_of(x) not in (None, 1):
        raise CompileTimeError("np.vander: x must be a one-dimensional array")
    n = _known_shape(x, "np.vander")[0] if N is None else _static(N, "N")
    column = np.expand_dims(x, -1)
    columns = [np.ones_like(column)]
    for _ in range(n - 1):  # x, x*x, (x*x)*x...: multiplied in NumPy's order, and so
        columns.append(columns[-1] * column if len(columns) > 1 else column)  # exact
    powers = P.getitem(np.concatenate(columns, axis=-1), (slice(None), slice(0, n)))
    return powers if _static(increasing, "increasing") else np.flip(powers, axis=-1)


def _block(arrays):
    """Nested lists of arrays joined as ``np.block`` joins them: the innermost lists
    along the last axis, the next along the one before, and so on, each array first
    given at least as many axes as the nesting is deep."""
    depth = _depth(arrays)
    leaves = _leaves(arrays)
    ranks = [ndim_of(a) for a in leaves]
    if None in ranks:
        raise _unknown("np.block", "rank")
    return _join(arrays, depth, max([depth, *ranks]))


def _depth(arrays: Any) -> int:
    if isinstance(arrays, tuple):
        raise CompileTimeError("np.block takes nested lists, not tuples")
    return 1 + _depth(arrays[0]) if isinstance(arrays, list) else 0


def _leaves(arrays: Any) -> list:
    if not isinstance(arrays, list):
        return [_asarray(arrays)]
    return [leaf for a in arrays for leaf in _leaves(a)]


def _join(arrays: Any, depth: int, rank: int) -> Any:
    if not isinstance(arrays, list):
        if depth:
            raise CompileTimeError("np.block: list depths are mismatched")
        a = _asarray(arrays)
        missing = rank - ndim_of(a)
        return np.expand_dims(a, tuple(range(missing))) if missing else a
    if not arrays:
        raise CompileTimeError("np.block: lists cannot be empty")
    return np.concatenate([_join(a, depth - 1, rank) for a in arrays], axis=-depth)


register("shapes", _ediff1d, np.ediff1d)
register("shapes", _vander, np.vander)
register("shapes", _block, np.block)

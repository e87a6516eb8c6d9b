"""More of ``np.linalg`` written with primitives: ``matrix_power``, ``multi_dot``,
``cond`` and the modes of ``qr``.

``matrix_power`` and ``multi_dot`` multiply in NumPy's order, so values are NumPy's
bit for bit: ``matrix_power`` squares by the bits of ``n`` (``n`` known when
compiling; ``inv`` first for a negative one, the identity for 0), ``multi_dot`` by the
cheapest bracketing of the chain, which it chooses from the shapes as NumPy does (the
same costs, the first split of least cost), so three or more arrays need their shapes
and shape-generic code refuses them with a located error. ``cond`` is the ratio of the
extreme singular values (``p`` None, 2, -2) or ``norm(x) * norm(inv(x))``, NaN made
infinite where ``x`` holds no NaN, as NumPy's; the singular values' rule gives its
derivative where they are distinct.

``qr`` is the reduced factorisation's primitive (``primitives.decompositions``):
``mode="r"`` its ``R``, ``"complete"`` the same factors where they are the complete
ones (no more rows than columns); a tall matrix's complete ``Q`` holds columns that
are any orthonormal completion, and ``"raw"`` LAPACK's reflectors: both refused.
``lstsq`` is NumPy's solver as a primitive (``primitives.least_squares``), its
derivative the solution's. ``eig``/``eigvals`` are not here: the rule for complex
eigenvectors is not written, so they are refused rather than approximated.
"""
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var, ndim_of
from . import CompileTimeError, UnsupportedArgumentError, _static, _unsupported, register
from .arithmetic import _norm
from .composed import _known_shape
from .constructors import _asarray

# ---------------------------------------------------------------------------- powers


def _matrix_power(a, n):
    a = _asarray(a)
    try:
        n = operator.index(_static(n, "n"))
    except TypeError as e:
        raise TypeError("exponent must be an integer") from e
    _square(a, "matrix_power")
    if n == 0:
        dtype = P.dtype_of(a)
        eye = P.eye(P.dim_of(a, -2), **({"dtype": dtype} if isinstance(dtype, np.dtype)
                                        else {}))
        return P.add(P.zeros_like(a), eye)  # exact: the identity, in a's dtype and stack
    if n < 0:
        a, n = P.inv(a), -n
    if n <= 3:
        result = a
        for _ in range(n - 1):
            result = P.matmul(result, a)
        return result
    # The bits of n from the lowest: a's powers of two, multiplied in where a bit is set.
    power = result = None
    while n > 0:
        power = a if power is None else P.matmul(power, power)
        n, bit = divmod(n, 2)
        if bit:
            result = power if result is None else P.matmul(result, power)
    return result


def _square(a: Any, what: str) -> None:
    rank = ndim_of(a)
    if rank is not None and rank < 2:
        raise np.linalg.LinAlgError(f"{rank}-dimensional array given. Array must be at "
                                    "least two-dimensional")
    shape = P.shape_of(a)
    if isinstance(shape, tuple) and shape[-1] != shape[-2]:
        raise np.linalg.LinAlgError("Last 2 dimensions of the array must be square")


register("linear algebra", _matrix_power, np.linalg.matrix_power)

# ---------------------------------------------------------------------------- chains


def _multi_dot(arrays, *, out=None):
    _unsupported("multi_dot", out=out)
    if isinstance(arrays, Var):
        raise CompileTimeError("multi_dot needs a list or tuple of arrays, not one array")
    arrays = [_asarray(a) for a in arrays]
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    if len(arrays) == 2:
        return P.dot(arrays[0], arrays[1])
    first, last = ndim_of(arrays[0]), ndim_of(arrays[-1])
    if first == 1:
        arrays[0] = P.atleast_2d(arrays[0])
    if last == 1:
        arrays[-1] = P.T(P.atleast_2d(arrays[-1]))
    shapes = [_known_shape(a, "np.linalg.multi_dot of three or more arrays") for a in arrays]
    if any(len(s) != 2 for s in shapes):
        raise np.linalg.LinAlgError(f"{min(len(s) for s in shapes if len(s) != 2)}-"
                                    "dimensional array given. Array must be two-dimensional")
    dims = [s[0] for s in shapes] + [shapes[-1][1]]
    result = _chain(arrays, _splits(dims), 0, len(arrays) - 1)
    if first == 1 and last == 1:
        return P.getitem(result, (0, 0))
    return P.reshape(result, -1) if first == 1 or last == 1 else result


def _splits(dims: list[int]) -> dict[tuple[int, int], int]:
    """Where the cheapest product of matrices ``i..j`` splits (the least number of
    scalar products; of equal costs the first split), for the chain of ``dims``."""
    n = len(dims) - 1
    if n == 3:  # NumPy compares the two orders, (AB)C winning only if strictly cheaper
        left = dims[0] * dims[2] * (dims[1] + dims[3])
        right = dims[1] * dims[3] * (dims[0] + dims[2])
        return {(0, 2): 1 if left < right else 0, (0, 1): 0, (1, 2): 1}
    cost = {(i, i): 0.0 for i in range(n)}
    split: dict[tuple[int, int], int] = {}
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i, j] = np.inf
            for k in range(i, j):
                q = cost[i, k] + cost[k + 1, j] + dims[i] * dims[k + 1] * dims[j + 1]
                if q < cost[i, j]:
                    cost[i, j], split[i, j] = q, k
    return split


def _chain(arrays: list[Any], split: dict[tuple[int, int], int], i: int, j: int) -> Any:
    if i == j:
        return arrays[i]
    k = split[i, j]
    return P.dot(_chain(arrays, split, i, k), _chain(arrays, split, k + 1, j))


register("linear algebra", _multi_dot, np.linalg.multi_dot)

# ---------------------------------------------------------------------------- condition


def _cond(x, p=None):
    x, p = _asarray(x), _static(p, "p")
    if p is None or p in (2, -2):
        s = P.svdvals(x, compute_uv=False)
        largest, smallest = P.getitem(s, (Ellipsis, 0)), P.getitem(s, (Ellipsis, -1))
        r = P.div(smallest, largest) if p == -2 else P.div(largest, smallest)
    else:
        _square(x, "cond")
        r = P.mul(_norm(x, p, (-2, -1)), _norm(P.inv(x), p, (-2, -1)))
    # NaN from 0 / 0 (a singular matrix) is infinite, unless x held a NaN.
    unfounded = P.logical_and(P.isnan(r), P.logical_not(
        P.reduce_any(P.isnan(x), axis=(-2, -1))))
    return P.where(unfounded, np.inf, r)


register("linear algebra", _cond, np.linalg.cond)


# ---------------------------------------------------------------------------- qr


def _qr(a, mode="reduced"):
    a = _asarray(a)
    mode = _static(mode, "mode")
    if mode == "complete":
        shape = _known_shape(a, "np.linalg.qr(..., mode='complete')")
        if shape[-2] > shape[-1]:
            raise CompileTimeError("np.linalg.qr(..., mode='complete') of a matrix with more "
                                   "rows than columns is not supported (its extra columns "
                                   "are any orthonormal completion): use mode='reduced'")
    elif mode not in ("reduced", "r"):
        raise UnsupportedArgumentError(f"np.linalg.qr(..., mode={mode!r}) is not supported: use "
                                       "'reduced', 'complete' or 'r'")
    q, r = P.qr(a)
    return r if mode == "r" else (q, r)


register("linear algebra", _qr, np.linalg.qr)


def _lstsq(a, b, rcond=None):
    a, b = _asarray(a), _asarray(b)
    if ndim_of(a) not in (None, 2) or ndim_of(b) not in (None, 1, 2):
        raise CompileTimeError("np.linalg.lstsq takes a matrix and a vector or a matrix")
    return tuple(P.lstsq(a, b, rcond=_static(rcond, "rcond")))


register("linear algebra", _lstsq, np.linalg.lstsq)

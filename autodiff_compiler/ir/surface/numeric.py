"""NumPy's integration, polynomial and covariance functions written with primitives:
``np.trapezoid``, ``np.polyval``, ``np.cov`` and ``np.corrcoef``.

Each follows NumPy's implementation operation by operation (the same products, sums and
divisions in the same order), so values are NumPy's bit for bit and the derivatives
are those of the primitives. What they read when compiling:

* ``trapezoid`` slices along ``axis``; with 1-D sample points ``x`` it needs ``y``'s
  rank (to lay the spacings along ``axis``).
* ``polyval`` loops over the coefficients (Horner's scheme): their number must be known
  when compiling, so shape-generic code refuses it.
* ``cov`` and ``corrcoef`` need their operand's rank (a vector is one variable); the
  number of observations is read at run time. Weights (``fweights``, ``aweights``) are
  not supported yet and are refused; so are complex operands of ``corrcoef``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import Var
from . import UnsupportedArgumentError, _static, _unsupported, register
from .composed import _along, _known_rank, _known_shape
from .constructors import _array, _asarray, _astype
from .differences import _diff

# ---------------------------------------------------------------------------- integration


def _trapezoid(y, x=None, dx=1.0, axis=-1):
    """The sum of ``d * (y[1:] + y[:-1]) / 2.0`` along ``axis``."""
    y, axis = _asarray(y), _static(axis, "axis")
    if x is None:
        d = dx
    else:
        x = _asarray(x)
        if _known_rank(x, "np.trapezoid with sample points x") == 1:
            d = _diff(x)
            shape = [1] * _known_rank(y, "np.trapezoid with 1-D sample points x")
            shape[axis] = -1
            d = P.reshape(d, tuple(shape))
        else:
            d = _diff(x, axis=axis)
    later, earlier = _along(y, axis, slice(1, None)), _along(y, axis, slice(None, -1))
    return P.reduce_sum(P.div(P.mul(d, P.add(later, earlier)), 2.0), axis=axis)


for _name in ("trapezoid", "trapz"):  # NumPy 2 names it trapezoid; < 2.4 has trapz too
    if hasattr(np, _name):
        register("reductions", _trapezoid, getattr(np, _name))

# ---------------------------------------------------------------------------- polynomials


def _polyval(p, x):
    """Horner's scheme from ``zeros_like(x)``: ``y = y * x + p[i]`` for each
    coefficient, the highest power first."""
    p, x = _asarray(p), _asarray(x)
    if isinstance(p, Var):
        shape = _known_shape(p, "np.polyval")
        if not shape:
            raise TypeError("iteration over a 0-d array: np.polyval needs a sequence of "
                            "coefficients")
        coefficients = [P.getitem(p, i) for i in range(shape[0])]
    else:
        coefficients = list(np.asarray(p))
    y = P.zeros_like(x) if isinstance(x, Var) else np.zeros_like(np.asanyarray(x))
    for pv in coefficients:
        y = P.add(P.mul(y, x), pv)
    return y


register("elementwise", _polyval, np.polyval)

# ---------------------------------------------------------------------------- covariance


def _variables(m: Any, rowvar: bool, dtype: Any, what: str) -> Any:
    """NumPy's ``array(m, ndmin=2, dtype=dtype)``, one variable per row."""
    rank = _known_rank(m, what)
    if rank > 2:
        raise ValueError(f"{'m' if what == 'np.cov' else 'x'} has more than 2 dimensions")
    X = _array(m, dtype, copy=False, ndmin=2)  # noqa: N806 (NumPy's name)
    return P.T(X) if not rowvar and rank != 1 else X


def _cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None, *,
         dtype=None):
    _unsupported("np.cov", fweights=fweights, aweights=aweights)
    m, rowvar = _asarray(m), _static(rowvar, "rowvar")
    ddof, bias = _static(ddof, "ddof"), _static(bias, "bias")
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    y = None if y is None else _asarray(y)
    dtypes = [_dtype(v) for v in (m, y) if v is not None]
    if dtype is None and all(d is not None for d in dtypes):
        dtype = np.result_type(*dtypes, np.float64)
    elif dtype is None:  # known at run time only: a product by a float64 one promotes
        m, y = (None if v is None else P.mul(v, np.float64(1.0)) for v in (m, y))
    X = _variables(m, rowvar, dtype, "np.cov")  # noqa: N806
    if y is not None:
        Y = _array(y, dtype, copy=False, ndmin=2)  # noqa: N806
        if not rowvar and _known_shape(Y, "np.cov(m, y, rowvar=False)")[0] != 1:
            Y = P.T(Y)  # noqa: N806
        X = P.concatenate(X, Y, axis=0)  # noqa: N806
    if ddof is None:
        ddof = 0 if bias else 1
    fact = _degrees_of_freedom(X, ddof)
    X = P.sub(X, P.reshape(P.reduce_mean(X, axis=1), (-1, 1)))  # noqa: N806
    real = dtype is not None and not np.issubdtype(np.dtype(dtype), np.complexfloating)
    c = P.dot(X, P.T(X) if real else P.conj(P.T(X)))
    return P.squeeze(_scaled_in_place(c, fact, None if dtype is None else np.dtype(dtype)))


def _scaled_in_place(c: Any, fact: Any, dtype: np.dtype | None) -> Any:
    """NumPy's ``c *= np.true_divide(1, fact)``: the product computed in float64 and
    stored in ``c``'s dtype."""
    if isinstance(fact, int | float):
        with np.errstate(divide="ignore"):
            factor = np.true_divide(1, fact)
    else:
        factor = P.div(1, fact)
    product = P.mul(c, factor)
    return product if dtype in (None, np.float64, np.complex128) else _astype(product, dtype)


def _dtype(v: Any) -> np.dtype | None:
    if isinstance(v, Var):
        dtype = P.dtype_of(v)
        return dtype if isinstance(dtype, np.dtype) else None
    return np.asarray(v).dtype


def _degrees_of_freedom(X: Any, ddof: int) -> Any:  # noqa: N803
    """``X.shape[1] - ddof``, or ``0.0`` where that is not positive (NumPy warns and
    divides by it: infinities and NaNs, as NumPy's)."""
    shape = P.shape_of(X)
    if isinstance(shape, tuple):
        fact = shape[1] - ddof
        return fact if fact > 0 else 0.0
    fact = P.sub(P.dim_of(X, 1), ddof)
    return P.where(P.greater(fact, 0), fact, 0.0)


def _corrcoef(x, y=None, rowvar=True, bias=np._NoValue, ddof=np._NoValue, *, dtype=None):
    """``cov`` divided by the standard deviations along each side, clipped to
    ``[-1, 1]`` (a clip whose bounds pass the gradient, where only rounding reaches
    them); ``c / c`` for a single variable."""
    c = _cov(x, y, rowvar, dtype=dtype)
    dtype = P.dtype_of(c)
    if isinstance(dtype, np.dtype) and np.issubdtype(dtype, np.complexfloating):
        raise UnsupportedArgumentError("np.corrcoef of complex arrays is not supported yet")
    if _known_rank(c, "np.corrcoef") == 0:
        return P.div(c, c)
    stddev = P.sqrt(P.diag(c))
    c = P.div(c, P.reshape(stddev, (-1, 1)))
    c = P.div(c, P.reshape(stddev, (1, -1)))
    return P.clip(c, -1, 1)


register("reductions", _cov, np.cov)
register("reductions", _corrcoef, np.corrcoef)

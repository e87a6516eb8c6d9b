"""``scipy.stats``: the densities and distribution functions of common distributions,
written in NumPy and compiled in place of SciPy's methods (``surface.DEFINITIONS``), so
their gradients flow to the data and to every parameter.

``norm.logpdf(x, loc, scale)`` here is the textbook formula in the standardised
variable ``z = (x - loc) / scale``; the distribution functions are the special
functions SciPy itself uses (``ndtr``, ``gammainc``, ``expit``), so their derivatives
come from ``special``'s rules. Values agree with SciPy's to rounding, and as SciPy's:
``-inf`` outside the support (a density), 0 or 1 beyond it (a distribution function),
nan where ``scale <= 0``. Outside the support the formula is evaluated at a point
inside it and then discarded (``np.where`` twice), so that the logarithm of a negative
number never reaches the gradient as ``0 * nan``.

Frozen distributions (``norm(loc, scale).logpdf(x)``) are not here: pass the
parameters to the method.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as sp
import scipy.stats as st

from ..ir import surface

FAMILY = "scipy.stats"
_LOG_ROOT_TWO_PI = 0.5 * math.log(2.0 * math.pi)
_LOG_PI = math.log(math.pi)


def _z(x: Any, loc: Any, scale: Any) -> Any:
    return (x - loc) / scale


def _positive_scale(value: Any, scale: Any) -> Any:
    """``value``, or nan where the scale is not positive (SciPy's answer there)."""
    return np.where(scale > 0, value, np.nan)


def _on(support: Any, value: Any, outside: float) -> Any:
    """``value`` where ``support`` holds (computed from points moved inside it where it
    does not), ``outside`` elsewhere."""
    return np.where(support, value, outside)


# ---------------------------------------------------------------------------- continuous


def norm_logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    return _positive_scale(-0.5 * z * z - np.log(scale) - _LOG_ROOT_TWO_PI, scale)


def norm_pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(norm_logpdf(x, loc, scale))


def norm_cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.ndtr(_z(x, loc, scale)), scale)


def norm_logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.log_ndtr(_z(x, loc, scale)), scale)


def norm_sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.ndtr(-_z(x, loc, scale)), scale)


def norm_logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.log_ndtr(-_z(x, loc, scale)), scale)


def norm_ppf(q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(loc + scale * sp.ndtri(q), scale)


def norm_isf(q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(loc - scale * sp.ndtri(q), scale)


def t_logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    half = 0.5 * (df + 1.0)
    value = (sp.gammaln(half) - sp.gammaln(0.5 * df) - 0.5 * (np.log(df) + _LOG_PI)
             - np.log(scale) - half * np.log1p(z * z / df))
    return _positive_scale(value, scale)


def t_pdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(t_logpdf(x, df, loc, scale))


def t_cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.stdtr(df, _z(x, loc, scale)), scale)


def t_sf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.stdtr(df, -_z(x, loc, scale)), scale)


def t_logcdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.log(t_cdf(x, df, loc, scale))


def chi2_logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return gamma_logpdf(x, 0.5 * df, loc, 2.0 * scale)


def chi2_pdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(chi2_logpdf(x, df, loc, scale))


def chi2_cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return gamma_cdf(x, 0.5 * df, loc, 2.0 * scale)


def chi2_sf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return gamma_sf(x, 0.5 * df, loc, 2.0 * scale)


def gamma_logpdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    support = z >= 0
    z = np.where(support, z, 1.0)
    value = sp.xlogy(a - 1.0, z) - z - sp.gammaln(a) - np.log(scale)
    return _positive_scale(_on(support, value, -np.inf), scale)


def gamma_pdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(gamma_logpdf(x, a, loc, scale))


def gamma_cdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    return _positive_scale(sp.gammainc(a, np.where(z > 0, z, 0.0)), scale)


def gamma_sf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    return _positive_scale(sp.gammaincc(a, np.where(z > 0, z, 0.0)), scale)


def beta_logpdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    support = (z >= 0) & (z <= 1)
    z = np.where(support, z, 0.5)
    value = sp.xlogy(a - 1.0, z) + sp.xlog1py(b - 1.0, -z) - sp.betaln(a, b) - np.log(scale)
    return _positive_scale(_on(support, value, -np.inf), scale)


def beta_pdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(beta_logpdf(x, a, b, loc, scale))


def beta_cdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.betainc(a, b, np.clip(_z(x, loc, scale), 0.0, 1.0)), scale)


def expon_logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    support = z >= 0
    return _positive_scale(_on(support, -np.where(support, z, 0.0) - np.log(scale),
                               -np.inf), scale)


def expon_pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(expon_logpdf(x, loc, scale))


def expon_cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = np.maximum(_z(x, loc, scale), 0.0)
    return _positive_scale(-np.expm1(-z), scale)


def expon_sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = np.maximum(_z(x, loc, scale), 0.0)
    return _positive_scale(np.exp(-z), scale)


def laplace_logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(-np.abs(_z(x, loc, scale)) - np.log(2.0 * scale), scale)


def laplace_pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(laplace_logpdf(x, loc, scale))


def laplace_cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    tail = 0.5 * np.exp(-np.abs(z))
    return _positive_scale(np.where(z < 0, tail, 1.0 - tail), scale)


def logistic_logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    distance = np.abs(_z(x, loc, scale))
    return _positive_scale(-distance - 2.0 * np.log1p(np.exp(-distance)) - np.log(scale),
                           scale)


def logistic_pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(logistic_logpdf(x, loc, scale))


def logistic_cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.expit(_z(x, loc, scale)), scale)


def logistic_sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(sp.expit(-_z(x, loc, scale)), scale)


def cauchy_logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    z = _z(x, loc, scale)
    return _positive_scale(-np.log1p(z * z) - np.log(scale) - _LOG_PI, scale)


def cauchy_pdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return np.exp(cauchy_logpdf(x, loc, scale))


def cauchy_cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return _positive_scale(0.5 + np.arctan(_z(x, loc, scale)) / math.pi, scale)


# ---------------------------------------------------------------------------- discrete


def poisson_logpmf(k: Any, mu: Any, loc: Any = 0) -> Any:
    k = k - loc
    support = (k >= 0) & (k == np.floor(k))
    k = np.where(support, k, 0.0)
    return _on(support, sp.xlogy(k, mu) - sp.gammaln(k + 1.0) - mu, -np.inf)


def poisson_pmf(k: Any, mu: Any, loc: Any = 0) -> Any:
    return np.exp(poisson_logpmf(k, mu, loc))


def poisson_cdf(k: Any, mu: Any, loc: Any = 0) -> Any:
    k = np.floor(k - loc)
    support = k >= 0
    return np.where(support, sp.gammaincc(np.where(support, k, 0.0) + 1.0, mu), 0.0)


# ---------------------------------------------------------------------------- multivariate


def multivariate_normal_logpdf(x: Any, mean: Any = None, cov: Any = 1,
                               allow_singular: bool = False) -> Any:
    """The density of ``x``'s rows (its last axis is the dimension; a vector is one
    point, or several of dimension 1); ``cov`` a matrix, its diagonal, or a number.
    SciPy reads a matrix's lower triangle only (its eigenvalues, ``lower=True``), so
    this does too: the gradient then flows to that triangle, as finite differences of
    SciPy's function say."""
    x = np.asarray(x)
    cov = np.asarray(cov)
    if np.ndim(cov) == 2:
        cov = np.tril(cov) + np.tril(cov, -1).T
    dim = cov.shape[0] if np.ndim(cov) > 0 else (1 if mean is None else np.size(mean))
    if dim == 1 and np.ndim(x) <= 1:
        x = np.reshape(x, (-1, 1))
    dev = x if mean is None else x - mean
    points = np.reshape(dev, (-1, dim))
    if np.ndim(cov) == 2 and allow_singular:
        out = _singular_normal_logpdf(points, cov)
        return np.squeeze(np.reshape(out, np.shape(dev)[:-1]))
    if np.ndim(cov) == 2:
        solved = np.linalg.solve(cov, points.T).T
        logdet = np.linalg.slogdet(cov)[1]
    elif np.ndim(cov) == 1:
        solved = points / cov
        logdet = np.sum(np.log(cov))
    else:
        solved = points / cov
        logdet = dim * np.log(cov)
    maha = np.sum(points * solved, axis=-1)
    out = -0.5 * (dim * 2.0 * _LOG_ROOT_TWO_PI + logdet + maha)
    return np.squeeze(np.reshape(out, np.shape(dev)[:-1]))


def _singular_normal_logpdf(points: Any, cov: Any) -> Any:
    """SciPy's density for ``allow_singular=True`` (its ``_PSD``): from ``eigh``, the
    eigenvalues above ``cond * max|s|`` (``cond`` 1e6 float64 ulps, 1e3 float32 ones)
    count, their log-product is the log pseudo-determinant, their number the rank, and
    a point off the span of their eigenvectors (by more than 1e3 times that cutoff) has
    density 0. Its gradient in ``x`` and ``mean`` is exact; in ``cov`` it flows through
    ``eigh``, whose vectors at repeated eigenvalues (the zeros of a singular matrix)
    have none: inf or NaN there."""
    s, u = np.linalg.eigh(cov)
    cond = 1e3 * np.finfo(np.float32).eps if s.dtype == np.float32 \
        else 1e6 * np.finfo(np.float64).eps
    eps = cond * np.max(np.abs(s))
    if np.min(s) < -eps:
        raise ValueError("The input matrix must be symmetric positive semidefinite.")
    kept = s > eps
    counted = np.where(kept, s, 1.0)
    whitened = points @ (u * np.where(kept, 1.0 / np.sqrt(counted), 0.0))
    out = -0.5 * (np.sum(kept) * 2.0 * _LOG_ROOT_TWO_PI + np.sum(np.log(counted))
                  + np.sum(whitened * whitened, axis=-1))
    residual = np.linalg.norm(points @ (u * ~kept), axis=-1)
    return np.where(residual < 1e3 * eps, out, -np.inf)


def multivariate_normal_entropy(mean: Any = None, cov: Any = 1) -> Any:
    """``(d log(2 pi e) + log det cov) / 2``; ``cov`` as in ``logpdf``."""
    cov = np.asarray(cov)
    if np.ndim(cov) == 2:
        dim = cov.shape[0]
        logdet = np.linalg.slogdet(np.tril(cov) + np.tril(cov, -1).T)[1]
    elif np.ndim(cov) == 1:
        dim = cov.shape[0]
        logdet = np.sum(np.log(cov))
    else:
        dim = 1 if mean is None else np.size(mean)
        logdet = dim * np.log(cov)
    return 0.5 * (dim * (1.0 + 2.0 * _LOG_ROOT_TWO_PI) + logdet)


def multivariate_normal_pdf(x: Any, mean: Any = None, cov: Any = 1,
                            allow_singular: bool = False) -> Any:
    return np.exp(multivariate_normal_logpdf(x, mean, cov, allow_singular))


def dirichlet_logpdf(x: Any, alpha: Any) -> Any:
    """The density of ``x``'s columns (its first axis holds the ``len(alpha)`` parts)."""
    log_beta = np.sum(sp.gammaln(alpha)) - sp.gammaln(np.sum(alpha))
    return np.sum(sp.xlogy(alpha - 1.0, np.asarray(x).T).T, axis=0) - log_beta


def dirichlet_pdf(x: Any, alpha: Any) -> Any:
    return np.exp(dirichlet_logpdf(x, alpha))


def _definitions() -> dict[Any, Callable[..., Any]]:
    """SciPy's bound method -> its definition here, from the names (``norm_logpdf``)."""
    found = {}
    for name, fn in globals().items():
        if not callable(fn) or name.startswith("_") or "_" not in name:
            continue
        distribution, _, method = name.rpartition("_")
        owner = getattr(st, distribution, None)
        if owner is not None and callable(getattr(owner, method, None)):
            found[getattr(owner, method)] = fn
    return found


def register() -> None:
    definitions = _definitions()
    surface.DEFINITIONS.update(definitions)
    surface.FAMILIES.setdefault(FAMILY, []).extend(
        f"scipy.stats.{fn.__name__.rpartition('_')[0]}.{fn.__name__.rpartition('_')[2]}"
        for fn in definitions.values())

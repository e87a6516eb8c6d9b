"""Matrix decompositions: ``svd``, ``eigh``, their value-only forms, ``pinv`` and
``qr`` (real matrices; for complex ones the singular values only).

The rules are the standard ones for real matrices (Townsend 2016 for the SVD; the
eigenvector formula of Magnus 1985 for ``eigh``; Golub and Pereyra 1973 for the
pseudo-inverse; for the reduced QR of a matrix with at least as many rows as
columns, ``dQ = dA R^-1 + Q (W - C)`` and ``dR = (C - W) R`` with ``C = Q^T dA R^-1``
and ``W`` the skew-symmetric part of ``C`` below the diagonal, whose transpose is
``Abar = (Qbar + Q copyltu(M)) R^-T``, ``M = R Rbar^T - Qbar^T Q`` (Walter and
Lehmann 2018)), written with primitives so that grad of grad works. A wide matrix's
QR (fewer rows than columns) has no rule here and is refused.

Where they are not defined: singular vectors at repeated singular values (and
eigenvectors at repeated eigenvalues) are not unique, and their gradients come out
inf or NaN there, as in JAX and PyTorch; a gradient through the singular values or
eigenvalues alone (``s``, ``eigvalsh``, the 2-norm, the nuclear norm) stays finite, as
the rule then leaves the vectors' terms out. ``np.linalg.svd(a)`` of a non-square
matrix with ``full_matrices=True`` (NumPy's default) returns a ``U`` or ``Vh`` with
extra vectors that are any orthonormal completion: derivatives through the first
``min(m, n)`` are exact, and NaN where they reach the others. ``eigh`` and
``eigvalsh`` read one triangle of their argument (``UPLO``), so their gradient lives
on that triangle, as for ``cholesky``.

Both rules of each are written out: they do not repeat each other (the VJP is the
JVP's transpose, and rules are not transposed automatically), and each direction has
its own cheaper formula.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...errors import AutodiffError
from .. import builder
from .constructors import eye
from .control import check
from .core import Primitive, defjvp, defjvp_all, defvjp, defvjp_all
from .elementwise import (
    conj,
    equal,
    greater_equal,
    logical_or,
    match_complex,
    not_equal,
    real,
    where,
)
from .indexing import getitem
from .inverses import solve
from .linalg import swap_last
from .reductions import reduce_any, reduce_sum
from .shape import concatenate, dim_of, dtype_of, expand_dims, shape_of, tril, triu, zeros_like

svd = Primitive("svd", np.linalg.svd, n_out=3, defaults={"full_matrices": True})
svdvals = Primitive("svdvals", np.linalg.svd)  # with compute_uv=False
eigh = Primitive("eigh", np.linalg.eigh, n_out=2, defaults={"UPLO": "L"})
eigvalsh = Primitive("eigvalsh", np.linalg.eigvalsh, defaults={"UPLO": "L"})
pinv = Primitive("pinv", np.linalg.pinv)
qr = Primitive("qr", np.linalg.qr, n_out=2)  # the reduced factors


# ---------------------------------------------------------------------------- complex input
# The singular values are real functions of conj(x) x: for a complex matrix their
# derivative is the real matrices' with conjugates (``_values_cotangent``). The rules
# for the vectors (and eigh's, pinv's) are written for real matrices; a complex one is
# refused: when compiling where its dtype is known, else by a check at run time.


def _dtype_kind(x) -> str | None:
    dtype = dtype_of(x)
    return dtype.kind if isinstance(dtype, np.dtype) else None


def _real_only(x, what: str) -> None:
    """Refuse the derivative of ``what`` of a complex ``x``."""
    kind = _dtype_kind(x)
    message = (f"the derivative of {what} of a complex matrix is not supported "
               "(its rules are written for real matrices)")
    if kind == "c":
        raise AutodiffError(message, hint="differentiate a real matrix (the real and "
                                          "imaginary parts as a real block matrix)")
    if kind is None:  # match_complex(1j, x) is 1j for complex x, 0 for real x
        check(equal(match_complex(1j, x), 0), message)


def _values_cotangent(u, g, vh, x):
    """``u diag(g) vh``: the cotangent of the singular values ``g`` of ``x``; its
    conjugate for complex ``x`` (the real part of the tangent for the JVP)."""
    total = _scaled_columns(u, g) @ vh
    return total if _dtype_kind(x) in ("f", "i", "u", "b") else conj(total)


def _absent(g: Any) -> bool:
    """A cotangent the reverse pass made up as zeros: that output is not used."""
    if not hasattr(g, "aval"):
        return isinstance(g, int | float) and g == 0
    eqn = builder.producer_of(g)
    return eqn is not None and eqn.prim is zeros_like


def _scaled_columns(a, v):
    """``a @ diag(v)`` for each matrix: column j of ``a`` times ``v[j]``.

    Spelled ``v[..., None, :]``, not ``expand_dims``: the simplifier folds an
    ``expand_dims`` of a broadcast cotangent as if it were a broadcast scalar."""
    return a * getitem(v, (Ellipsis, None, slice(None)))


def _gap_reciprocals(values, squared: bool):
    """``F[i, j] = 1 / (v_j - v_i)`` (of squares for the SVD) off the diagonal, 0 on it:
    inf where two values are equal, where the vectors are not unique."""
    if squared:
        values = values * values
    gaps = expand_dims(values, axis=-2) - expand_dims(values, axis=-1)
    diagonal = eye(dim_of(values, -1), dtype=np.bool_)
    return where(diagonal, 0.0, 1.0 / where(diagonal, 1.0, gaps))


# ---------------------------------------------------------------------------- svd
# A full SVD (full_matrices=True, NumPy's default) of a non-square matrix has k =
# min(m, n) determined singular vectors on each side; the others are any orthonormal
# completion. The rules work with the first k, and make the derivative NaN where it
# would depend on the others (where a cotangent reaches them, or their tangent).


def _first(a, k, axis: int):
    """The first ``k`` entries of ``a`` along ``axis`` (-1 or -2)."""
    index = (Ellipsis, slice(None, k)) if axis == -1 else (Ellipsis, slice(None, k), slice(None))
    return getitem(a, index)


def _rest(a, k, axis: int):
    """The entries of ``a`` from ``k`` on along ``axis`` (-1 or -2)."""
    index = (Ellipsis, slice(k, None)) if axis == -1 else (Ellipsis, slice(k, None), slice(None))
    return getitem(a, index)


def _known_square(x) -> bool:
    shape = shape_of(x)
    return isinstance(shape, tuple) and shape[-1] == shape[-2]


def _undetermined(g_u, g_vh, k):
    """NaN where a cotangent reaches the extra vectors of a full SVD, else 0."""
    reached = [reduce_any(not_equal(_rest(g, k, axis), 0))
               for g, axis in ((g_u, -1), (g_vh, -2)) if not _absent(g)]
    if not reached:
        return None
    return where(reached[0] if len(reached) == 1 else logical_or(*reached), np.nan, 0.0)


def _vjp_svd(gs, ans, x, full_matrices=True):
    g_u, g_s, g_vh = gs
    u, s, vh = ans
    values_only = _absent(g_u) and _absent(g_vh)
    if not values_only:
        _real_only(x, "np.linalg.svd's singular vectors")
    undetermined = None
    if full_matrices and not _known_square(x):
        k = dim_of(s, -1)
        undetermined = None if values_only else _undetermined(g_u, g_vh, k)
        u, vh, g_u, g_vh = _first(u, k, -1), _first(vh, k, -2), _first(g_u, k, -1), \
            _first(g_vh, k, -2)
    parts = [] if _absent(g_s) else [_values_cotangent(u, g_s, vh, x)]
    if not values_only:
        parts.append(_vjp_svd_vectors(g_u, g_vh, u, s, vh, shape_of(x)))
    if undetermined is not None:
        parts.append(undetermined)
    if not parts:
        return (None,)
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return (total,)


def _vjp_svd_vectors(g_u, g_vh, u, s, vh, shape):
    """The singular vectors' part of the SVD's cotangent (reduced SVD)."""
    v, g_v = swap_last(vh), swap_last(g_vh)
    f = _gap_reciprocals(s, squared=True)
    ut_gu, vt_gv = swap_last(u) @ g_u, vh @ g_v
    core = (f * (ut_gu - swap_last(ut_gu))) * expand_dims(s, axis=-2) \
        + expand_dims(s, axis=-1) * (f * (vt_gv - swap_last(vt_gv)))
    grad = u @ core @ vh
    m, n = shape[-2:] if isinstance(shape, tuple) else (None, None)
    if m is None or m > n:  # (I - U U^T) gU S^-1 V^T: zero when U is square
        grad = grad + ((g_u - u @ ut_gu) / expand_dims(s, axis=-2)) @ vh
    if m is None or m < n:  # U S^-1 gV^T (I - V V^T): zero when V is square
        grad = grad + u @ (swap_last(g_v - v @ vt_gv) / expand_dims(s, axis=-1))
    return grad


def _jvp_svd(ts, ans, x, full_matrices=True):
    _real_only(x, "np.linalg.svd")
    (t,) = ts
    u, s, vh = ans
    full = full_matrices and not _known_square(x)
    if full:
        k = dim_of(s, -1)
        u, vh, extra_u, extra_vh = _first(u, k, -1), _first(vh, k, -2), _rest(u, k, -1), \
            _rest(vh, k, -2)
    du, ds, dvh = _jvp_reduced_svd(t, u, s, vh, shape_of(x))
    if full:  # the extra vectors' tangent is not determined
        du = concatenate(du, np.nan * extra_u, axis=-1)
        dvh = concatenate(dvh, np.nan * extra_vh, axis=-2)
    return du, ds, dvh


def _jvp_reduced_svd(t, u, s, vh, shape):
    v = swap_last(vh)
    ds_mat = swap_last(u) @ t @ v
    ds = reduce_sum(u * (t @ v), axis=-2)
    f = _gap_reciprocals(s, squared=True)
    ds_s = _scaled_columns(ds_mat, s)  # dS S
    s_ds = expand_dims(s, axis=-1) * ds_mat  # S dS
    du = u @ (f * (ds_s + swap_last(ds_s)))
    dv = v @ (f * (s_ds + swap_last(s_ds)))
    m, n = shape[-2:] if isinstance(shape, tuple) else (None, None)
    if m is None or m > n:
        tv = t @ v
        du = du + (tv - u @ (swap_last(u) @ tv)) / expand_dims(s, axis=-2)
    if m is None or m < n:
        ttu = swap_last(t) @ u
        dv = dv + (ttu - v @ (vh @ ttu)) / expand_dims(s, axis=-2)
    return du, ds, swap_last(dv)


defvjp_all(svd, _vjp_svd)
defjvp_all(svd, _jvp_svd)


def _vjp_svdvals(g, ans, x, compute_uv=False):
    u, _, vh = svd(x, full_matrices=False)
    return _values_cotangent(u, g, vh, x)


def _jvp_svdvals(t, ans, x, compute_uv=False):
    u, _, vh = svd(x, full_matrices=False)
    if _dtype_kind(x) in ("f", "i", "u", "b"):
        return reduce_sum(u * (t @ swap_last(vh)), axis=-2)
    return real(reduce_sum(conj(u) * (t @ conj(swap_last(vh))), axis=-2))


defvjp(svdvals, _vjp_svdvals)
defjvp(svdvals, _jvp_svdvals)

# ---------------------------------------------------------------------------- eigh
# NumPy reads one triangle: the symmetric matrix is S = tril(a) + tril(a, -1)^T for
# UPLO="L", and the cotangent of that triangle is tril(S̄) + tril(S̄^T, -1).


def _on_triangle(s_bar, uplo: str):
    """The cotangent of the triangle NumPy reads, from a symmetric ``s_bar``."""
    if uplo.upper() == "L":
        return tril(s_bar) + tril(s_bar, k=-1)
    return triu(s_bar) + triu(s_bar, k=1)


def _symmetric_read(t, uplo: str):
    """The symmetric matrix NumPy reads from ``t``."""
    if uplo.upper() == "L":
        return tril(t) + swap_last(tril(t, k=-1))
    return triu(t) + swap_last(triu(t, k=1))


def _vjp_eigh(gs, ans, x, UPLO="L"):  # noqa: N803 (NumPy's name)
    _real_only(x, "np.linalg.eigh")
    g_w, g_v = gs
    w, v = ans
    inner = expand_dims(g_w, axis=-1) * eye(dim_of(w, -1), dtype=np.bool_)
    if not _absent(g_v):
        inner = inner + _gap_reciprocals(w, squared=False) * (swap_last(v) @ g_v)
    s_bar = v @ inner @ swap_last(v)
    return (_on_triangle(0.5 * (s_bar + swap_last(s_bar)), UPLO),)


def _jvp_eigh(ts, ans, x, UPLO="L"):  # noqa: N803
    _real_only(x, "np.linalg.eigh")
    (t,) = ts
    w, v = ans
    inner = swap_last(v) @ _symmetric_read(t, UPLO) @ v
    dw = reduce_sum(inner * eye(dim_of(w, -1), dtype=np.bool_), axis=-1)
    return dw, v @ (_gap_reciprocals(w, squared=False) * inner)


def _eigenvectors(x, uplo: str):
    return eigh(x, UPLO=uplo)[1]


def _vjp_eigvalsh(g, ans, x, UPLO="L"):  # noqa: N803
    _real_only(x, "np.linalg.eigvalsh")
    v = _eigenvectors(x, UPLO)
    return _on_triangle(_scaled_columns(v, g) @ swap_last(v), UPLO)


def _jvp_eigvalsh(t, ans, x, UPLO="L"):  # noqa: N803
    _real_only(x, "np.linalg.eigvalsh")
    v = _eigenvectors(x, UPLO)
    return reduce_sum(v * (_symmetric_read(t, UPLO) @ v), axis=-2)


defvjp_all(eigh, _vjp_eigh)
defjvp_all(eigh, _jvp_eigh)
defvjp(eigvalsh, _vjp_eigvalsh)
defjvp(eigvalsh, _jvp_eigvalsh)

# ---------------------------------------------------------------------------- pinv
# With X = pinv(A) of locally constant rank:
# dX = -X dA X + X X^T dA^T (I - A X) + (I - X A) dA^T X^T X.


def _vjp_pinv(g, ans, a, **params):
    _real_only(a, "np.linalg.pinv")
    x = ans
    gt_x_xt = swap_last(g) @ x @ swap_last(x)
    xt_x_gt = swap_last(x) @ x @ swap_last(g)
    return (-(swap_last(x) @ g @ swap_last(x)) + (gt_x_xt - a @ (x @ gt_x_xt))
            + (xt_x_gt - (xt_x_gt @ x) @ a))


def _jvp_pinv(t, ans, a, **params):
    _real_only(a, "np.linalg.pinv")
    x = ans
    x_xt_tt = x @ swap_last(x) @ swap_last(t)
    tt_xt_x = swap_last(t) @ swap_last(x) @ x
    return -(x @ t @ x) + (x_xt_tt - (x_xt_tt @ a) @ x) + (tt_xt_x - x @ (a @ tt_xt_x))


defvjp(pinv, _vjp_pinv)
defjvp(pinv, _jvp_pinv)

# ---------------------------------------------------------------------------- qr


def _tall_only(x) -> None:
    """Refuse the derivative of a wide matrix's QR: when compiling where the shape is
    known, else by a check at run time."""
    message = ("the derivative of np.linalg.qr of a matrix with fewer rows than columns "
               "is not supported")
    shape = shape_of(x)
    if not isinstance(shape, tuple):
        check(greater_equal(dim_of(x, -2), dim_of(x, -1)), message)
    elif shape[-2] < shape[-1]:
        raise AutodiffError(message, hint="differentiate the QR of its transpose, or of a "
                                          "tall block")


def _times_inverse(x, r):
    """``x R^-1``, ``R`` upper triangular: solved, not inverted."""
    return swap_last(solve(swap_last(r), swap_last(x)))


def _vjp_qr(gs, ans, a):
    _real_only(a, "np.linalg.qr")
    _tall_only(a)
    g_q, g_r = gs
    q, r = ans
    m = -(swap_last(g_q) @ q) if not _absent(g_q) else zeros_like(r)
    if not _absent(g_r):
        m = m + r @ swap_last(g_r)
    inner = q @ (tril(m) + swap_last(tril(m, k=-1)))
    if not _absent(g_q):
        inner = inner + g_q
    return (swap_last(solve(r, swap_last(inner))),)


def _jvp_qr(ts, ans, a):
    _real_only(a, "np.linalg.qr")
    _tall_only(a)
    (t,) = ts
    q, r = ans
    t_rinv = _times_inverse(t, r)
    c = swap_last(q) @ t_rinv
    below = tril(c, k=-1)
    skew = below - swap_last(below)
    return t_rinv + q @ (skew - c), (c - skew) @ r


defvjp_all(qr, _vjp_qr)
defjvp_all(qr, _jvp_qr)


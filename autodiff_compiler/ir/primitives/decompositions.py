"""Matrix decompositions: ``svd`` and its value-only form, ``pinv`` and ``qr`` (``eigh``
is in ``hermitian``, ``eig`` in ``eigen``). The SVD's rules take complex matrices too;
``pinv``'s and ``qr``'s real ones only.

The rules are the standard ones (Townsend 2016 for the SVD, with conjugate transposes
for a complex matrix and the phase term JAX's rule has, ``i Im diag(Uᴴ dA V) S⁻¹`` in
``dU``: LAPACK turns a pair ``u_k``, ``v_k`` by one free phase, which only a loss that
reads no phase, such as ``|U|`` or ``U Vᴴ``, does not see; Golub and Pereyra 1973 for
the pseudo-inverse; for the reduced QR of a matrix with at least as many rows as
columns, ``dQ = dA R^-1 + Q (W - C)`` and ``dR = (C - W) R`` with ``C = Q^T dA R^-1``
and ``W`` the skew-symmetric part of ``C`` below the diagonal, whose transpose is
``Abar = (Qbar + Q copyltu(M)) R^-T``, ``M = R Rbar^T - Qbar^T Q`` (Walter and
Lehmann 2018)), written with primitives so that grad of grad works. A wide matrix's
QR (fewer rows than columns) has no rule here and is refused.

Where they are not defined: singular vectors at repeated singular values are not
unique, and their gradients come out inf or NaN there, as in JAX and PyTorch; a
gradient through the singular values alone (``s``, the 2-norm, the nuclear norm)
stays finite, as the rule then leaves the vectors' terms out. ``np.linalg.svd(a)`` of
a non-square matrix with ``full_matrices=True`` (NumPy's default) returns a ``U`` or
``Vh`` with extra vectors that are any orthonormal completion: derivatives through
the first ``min(m, n)`` are exact, and NaN where they reach the others.

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
from .linalg import may_be_complex, swap_last
from .reductions import reduce_any, reduce_sum
from .shape import concatenate, dim_of, dtype_of, expand_dims, shape_of, tril, zeros_like

svd = Primitive("svd", np.linalg.svd, n_out=3, defaults={"full_matrices": True})
svdvals = Primitive("svdvals", np.linalg.svd)  # with compute_uv=False
pinv = Primitive("pinv", np.linalg.pinv)
qr = Primitive("qr", np.linalg.qr, n_out=2)  # the reduced factors


# ---------------------------------------------------------------------------- complex input
# The singular values are real functions of conj(x) x: for a complex matrix their
# derivative is the real matrices' with conjugates (``_values_cotangent``). The rules
# of pinv, qr and lstsq are written for real matrices; a complex one is refused: when
# compiling where its dtype is known, else by a check at run time.


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
    undetermined = None
    if full_matrices and not _known_square(x):
        k = dim_of(s, -1)
        undetermined = None if values_only else _undetermined(g_u, g_vh, k)
        u, vh, g_u, g_vh = _first(u, k, -1), _first(vh, k, -2), _first(g_u, k, -1), \
            _first(g_vh, k, -2)
    parts = [] if _absent(g_s) else [_values_cotangent(u, g_s, vh, x)]
    if not values_only:
        parts.append(_vjp_svd_vectors(g_u, g_vh, u, s, vh, x))
    if undetermined is not None:
        parts.append(undetermined)
    if not parts:
        return (None,)
    total = parts[0]
    for part in parts[1:]:
        total = total + part
    return (total,)


def _h(a, x):
    """``aᴴ``: ``aᵀ`` where ``x`` is known real."""
    return conj(swap_last(a)) if may_be_complex(x) else swap_last(a)


def _vjp_svd_vectors(g_u, g_vh, u, s, vh, x):
    """The singular vectors' part of the SVD's cotangent (reduced SVD): with the
    gradients ``Γ = conj(ḡ)`` (of the pairing ``Re Σ conj(Γ) ẏ``), ``J = Uᴴ Γ_U`` and
    ``K = Vᴴ Γ_V``, it is the conjugate of
    ``U ((F ∘ (J - Jᴴ)) S + S (F ∘ (K - Kᴴ)) + i Im diag(J) S⁻¹) Vᴴ`` and of the terms
    of the vectors outside ``U``'s or ``V``'s span."""
    complex_ = may_be_complex(x)
    gamma_u = conj(g_u) if complex_ else g_u
    v, gamma_v = _h(vh, x), swap_last(g_vh)
    f = _gap_reciprocals(s, squared=True)
    j, k = _h(u, x) @ gamma_u, vh @ gamma_v
    core = (f * (j - _h(j, x))) * expand_dims(s, axis=-2) \
        + expand_dims(s, axis=-1) * (f * (k - _h(k, x)))
    if complex_:  # the phase U takes from dA: LAPACK's is free (a real pair has none)
        n = dim_of(s, -1)
        core = core + (j - real(j)) * eye(n, dtype=np.bool_) / expand_dims(s, axis=-2)
    grad = u @ core @ vh
    shape = shape_of(x)
    m, n = shape[-2:] if isinstance(shape, tuple) else (None, None)
    if m is None or m > n:  # (I - U Uᴴ) Γ_U S⁻¹ Vᴴ: zero when U is square
        grad = grad + ((gamma_u - u @ j) / expand_dims(s, axis=-2)) @ vh
    if m is None or m < n:  # U S⁻¹ Γ_Vᴴ (I - V Vᴴ): zero when V is square
        grad = grad + u @ (_h(gamma_v - v @ k, x) / expand_dims(s, axis=-1))
    return conj(grad) if complex_ else grad


def _jvp_svd(ts, ans, x, full_matrices=True):
    (t,) = ts
    u, s, vh = ans
    full = full_matrices and not _known_square(x)
    if full:
        k = dim_of(s, -1)
        u, vh, extra_u, extra_vh = _first(u, k, -1), _first(vh, k, -2), _rest(u, k, -1), \
            _rest(vh, k, -2)
    du, ds, dvh = _jvp_reduced_svd(t, u, s, vh, x)
    if full:  # the extra vectors' tangent is not determined
        du = concatenate(du, np.nan * extra_u, axis=-1)
        dvh = concatenate(dvh, np.nan * extra_vh, axis=-2)
    return du, ds, dvh


def _jvp_reduced_svd(t, u, s, vh, x):
    """``dS = Uᴴ dA V``: ``ds = Re diag(dS)``, ``dU = U (F ∘ (dS S + S dSᴴ) + i Im diag(dS)
    S⁻¹)``, ``dV = V (F ∘ (S dS + dSᴴ S))``, and the parts outside ``U``'s or ``V``'s span
    (Townsend 2016; the phase term, zero for a real matrix, as JAX's rule gives it)."""
    complex_ = may_be_complex(x)
    v = _h(vh, x)
    ds_mat = _h(u, x) @ t @ v
    n = dim_of(s, -1)
    diagonal = ds_mat * eye(n, dtype=np.bool_)
    ds = reduce_sum(real(diagonal) if complex_ else diagonal, axis=-1)
    f = _gap_reciprocals(s, squared=True)
    ds_s = _scaled_columns(ds_mat, s)  # dS S
    s_ds = expand_dims(s, axis=-1) * ds_mat  # S dS
    du_core = f * (ds_s + _h(ds_s, x))
    if complex_:
        du_core = du_core + (diagonal - real(diagonal)) / expand_dims(s, axis=-2)
    du = u @ du_core
    dv = v @ (f * (s_ds + _h(s_ds, x)))
    shape = shape_of(x)
    m, n = shape[-2:] if isinstance(shape, tuple) else (None, None)
    if m is None or m > n:
        tv = t @ v
        du = du + (tv - u @ (_h(u, x) @ tv)) / expand_dims(s, axis=-2)
    if m is None or m < n:
        thu = _h(t, x) @ u
        dv = dv + (thu - v @ (vh @ thu)) / expand_dims(s, axis=-2)
    return du, ds, _h(dv, x)


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


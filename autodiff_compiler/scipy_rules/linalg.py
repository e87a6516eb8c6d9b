"""``scipy.linalg``'s solvers (banded and Sylvester ones too) and factorisations, and
``expm``, written with ``np.linalg``
and compiled in place of SciPy's (``surface.DEFINITIONS``), so they differentiate by
NumPy's rules.

SciPy's LAPACK routines read one triangle of a matrix they take as triangular or
symmetric (``lower=`` says which) and ignore the other; these read the same triangle,
so their gradient flows to it alone, as finite differences of SciPy's functions say,
and a matrix whose other triangle holds anything gives SciPy's answer. Values agree
with SciPy's to rounding. ``cho_factor`` returns the factor in its triangle and ``a``'s
values in the other, as SciPy does.
"""
from __future__ import annotations

from typing import Any

import numpy as np

FAMILY = "scipy.linalg"


def _symmetric_from(a: Any, lower: bool) -> Any:
    """The symmetric (Hermitian) matrix one triangle of ``a`` holds."""
    if lower:
        return np.tril(a) + np.conj(np.tril(a, -1)).T
    return np.triu(a) + np.conj(np.triu(a, 1)).T


def _triangle(a: Any, lower: bool) -> Any:
    return np.tril(a) if lower else np.triu(a)


def solve_triangular(a: Any, b: Any, trans: Any = 0, lower: bool = False,
                     unit_diagonal: bool = False, overwrite_b: bool = False,
                     check_finite: bool = True) -> Any:
    """``x`` with ``op(a) x = b``, ``a`` triangular (``op``: ``trans`` 0/"N", 1/"T", or
    2/"C" for the conjugate transpose)."""
    t = _triangle(a, lower)
    if unit_diagonal:
        eye = np.eye(t.shape[0])
        t = t * (1.0 - eye) + eye
    if trans in (1, "T"):
        t = t.T
    elif trans in (2, "C"):
        t = np.conj(t).T
    return np.linalg.solve(t, b)


def cholesky(a: Any, lower: bool = False, overwrite_a: bool = False,
             check_finite: bool = True) -> Any:
    """The Cholesky factor: upper (``a = U^H U``) unless ``lower``."""
    factor = np.linalg.cholesky(_symmetric_from(a, lower))
    return factor if lower else np.conj(factor).T


def cho_factor(a: Any, lower: bool = False, overwrite_a: bool = False,
               check_finite: bool = True) -> Any:
    """``(c, lower)``: the factor in one triangle of ``c``, ``a``'s values in the other."""
    factor = cholesky(a, lower)
    other = np.triu(a, 1) if lower else np.tril(a, -1)
    return factor + other, lower


def cho_solve(c_and_lower: Any, b: Any, overwrite_b: bool = False,
              check_finite: bool = True) -> Any:
    """``x`` with ``a x = b``, given ``cho_factor(a)``."""
    c, lower = c_and_lower
    factor = _triangle(c, lower)
    upper = np.conj(factor).T if lower else factor
    return np.linalg.solve(upper, np.linalg.solve(np.conj(upper).T, b))


def solve(a: Any, b: Any, lower: bool = False, overwrite_a: bool = False,
          overwrite_b: bool = False, check_finite: bool = True, assume_a: Any = None,
          transposed: bool = False) -> Any:
    """``x`` with ``a x = b``; a symmetric, Hermitian or positive definite ``assume_a``
    reads one triangle."""
    if assume_a in ("sym", "her", "pos", "symmetric", "hermitian", "positive definite"):
        a = _symmetric_from(a, lower) if assume_a not in ("sym", "symmetric") else \
            (np.tril(a) + np.tril(a, -1).T if lower else np.triu(a) + np.triu(a, 1).T)
    if transposed:
        a = a.T
    return np.linalg.solve(a, b)


def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    return np.linalg.inv(a)


def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    return np.linalg.det(a)


def solve_banded(l_and_u: Any, ab: Any, b: Any, overwrite_ab: bool = False,
                 overwrite_b: bool = False, check_finite: bool = True) -> Any:
    """``x`` with ``a x = b`` for ``a`` in LAPACK's band storage (``a[i, j]`` is
    ``ab[u + i - j, j]``): the band laid out as a dense matrix (its entries' places
    known from the shapes), then solved; the gradient reaches the band's entries only,
    as SciPy reads no other."""
    lower, upper = l_and_u
    n = np.shape(ab)[-1]
    rows, cols = _band_places(n, lower, upper)
    a = np.zeros((n, n), dtype=np.result_type(ab, b, 1.0))
    a[rows, cols] = ab[upper + rows - cols, cols]
    return np.linalg.solve(a, b)


def _band_places(n: int, lower: int, upper: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows and columns of an ``n`` by ``n`` matrix's band."""
    rows, cols = np.indices((n, n))
    inside = (cols - rows <= upper) & (rows - cols <= lower)
    return rows[inside], cols[inside]


def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """``x`` with ``a x + x b = q``, as the linear system of its entries
    (``(I (x) a + b^T (x) I) vec(x) = vec(q)``, column-major): the same solution as
    SciPy's Bartels-Stewart to rounding, for the small matrices this is written for
    (an ``n m`` by ``n m`` solve)."""
    n, m = np.shape(q)
    system = np.kron(np.eye(m), a) + np.kron(np.transpose(b), np.eye(n))
    flat = np.linalg.solve(system, np.reshape(np.transpose(q), (n * m,)))
    return np.transpose(np.reshape(flat, (m, n)))


# The [13/13] Pade approximant of exp (Higham 2005), exact to rounding in float64 for
# a matrix of 1-norm up to THETA_13; a larger one is scaled by 2^-s first, and the
# approximant squared s times.
_PADE_13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
            1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
            33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA_13 = 5.371920351148152


def expm(A: Any) -> Any:  # noqa: N803 (SciPy's name)
    """The matrix exponential (of each matrix of a stack) by scaling and squaring: the
    gradient is that of the algorithm, which is exact to the same rounding."""
    A = np.asarray(A) * 1.0  # noqa: N806
    norm = np.max(np.sum(np.abs(A), axis=-2))
    squarings = np.maximum(np.ceil(np.log2(norm / _THETA_13)), 0.0).astype(int)
    A = A / 2.0 ** squarings  # noqa: N806
    b = _PADE_13
    identity = np.eye(np.shape(A)[-1])
    A2 = A @ A  # noqa: N806
    A4 = A2 @ A2  # noqa: N806
    A6 = A4 @ A2  # noqa: N806
    U = A @ (A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2)  # noqa: N806
             + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * identity)
    V = A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2) \
        + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * identity  # noqa: N806
    R = np.linalg.solve(V - U, V + U)  # noqa: N806
    for _ in range(squarings):
        R = R @ R  # noqa: N806
    return R


DEFINED = ("solve_triangular", "cholesky", "cho_factor", "cho_solve", "solve", "inv", "det",
           "expm", "solve_banded", "solve_sylvester")

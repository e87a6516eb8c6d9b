"""``np.linalg.eigh`` and ``np.linalg.eigvalsh``: the eigen-decomposition of a real
symmetric or complex Hermitian matrix.

NumPy reads one triangle (``UPLO``) and, of a complex matrix, the real part of its
diagonal; the matrix it decomposes is that triangle mirrored with conjugates,
``S = tril(a, -1) + tril(a, -1)ᴴ + Re diag(a)`` for ``UPLO="L"``. With ``S = V Λ Vᴴ`` and
``P = Vᴴ dS V``, the eigenvalues move by ``Re diag(P)`` and the eigenvectors by
``V (F ∘ P)``, ``F[i, j] = 1 / (λ_j - λ_i)`` off the diagonal (Magnus 1985): each
stays of unit norm, and ``Vᴴ dV`` has a zero diagonal, the gauge JAX's rule takes.
LAPACK fixes no phase of a complex eigenvector (a real one's sign is its choice too),
so only a loss that does not read the vectors' phases (``|V|``, ``V diag(d) Vᴴ``) is
a function of the matrix; its derivatives are these.

Pairing a real loss's cotangent with a tangent as ``Re Σ ḡ ∘ ẏ`` (the convention of
the other complex rules), the reverse rules are the tangents transposed:
``S̄ = conj(V) (diag(ḡ_λ) + F ∘ (Vᵀ Ḡ_V)) Vᵀ``, and of the triangle NumPy reads, its own
entries' plus the conjugates of their mirror images', and the diagonal's real part.
A real matrix keeps the plain transposes. Repeated eigenvalues make the eigenvectors
not unique: their derivatives are inf or NaN there, as in JAX and PyTorch; through
the eigenvalues alone (``eigvalsh``) they stay finite.
"""
from __future__ import annotations

import numpy as np

from .constructors import eye
from .core import Primitive, defjvp, defjvp_all, defvjp, defvjp_all
from .decompositions import _absent, _gap_reciprocals, _scaled_columns
from .elementwise import conj, real
from .linalg import may_be_complex, swap_last
from .reductions import reduce_sum
from .shape import dim_of, expand_dims, tril, triu

eigh = Primitive("eigh", np.linalg.eigh, n_out=2, defaults={"UPLO": "L"})
eigvalsh = Primitive("eigvalsh", np.linalg.eigvalsh, defaults={"UPLO": "L"})


def _triangle(a, uplo: str, k: int):
    return tril(a, k=-k) if uplo.upper() == "L" else triu(a, k=k)


def _diagonal(a, n):
    return a * eye(n, dtype=np.bool_)


def _hermitian_read(t, uplo: str):
    """The matrix NumPy decomposes, from ``t``: symmetric of a real ``t``, Hermitian
    with the diagonal's real part of a complex one."""
    strict = _triangle(t, uplo, 1)
    if not may_be_complex(t):
        return _triangle(t, uplo, 0) + swap_last(strict)
    return strict + conj(swap_last(strict)) + real(_diagonal(t, dim_of(t, -1)))


def _on_triangle(s_bar, x, uplo: str):
    """The cotangent of the triangle NumPy reads, from that of the matrix it reads."""
    if not may_be_complex(x):
        return _triangle(s_bar, uplo, 0) + _triangle(swap_last(s_bar), uplo, 1)
    mirrored = _triangle(s_bar + conj(swap_last(s_bar)), uplo, 1)
    return mirrored + real(_diagonal(s_bar, dim_of(s_bar, -1)))


def _adjoint(v, x):
    """``Vᴴ``: ``Vᵀ`` of a real matrix's eigenvectors."""
    return conj(swap_last(v)) if may_be_complex(x) else swap_last(v)


def _conj(v, x):
    return conj(v) if may_be_complex(x) else v


def _vjp_eigh(gs, ans, x, UPLO="L"):  # noqa: N803 (NumPy's name)
    g_w, g_v = gs
    w, v = ans
    inner = _diagonal(expand_dims(g_w, axis=-1), dim_of(w, -1))
    if not _absent(g_v):
        inner = inner + _gap_reciprocals(w, squared=False) * (swap_last(v) @ g_v)
    return (_on_triangle(_conj(v, x) @ inner @ swap_last(v), x, UPLO),)


def _jvp_eigh(ts, ans, x, UPLO="L"):  # noqa: N803
    (t,) = ts
    w, v = ans
    inner = _adjoint(v, x) @ _hermitian_read(t, UPLO) @ v
    dw = reduce_sum(_diagonal(inner, dim_of(w, -1)), axis=-1)
    return (real(dw) if may_be_complex(x) else dw), \
        v @ (_gap_reciprocals(w, squared=False) * inner)


def _eigenvectors(x, uplo: str):
    return eigh(x, UPLO=uplo)[1]


def _vjp_eigvalsh(g, ans, x, UPLO="L"):  # noqa: N803
    v = _eigenvectors(x, UPLO)
    return _on_triangle(_scaled_columns(_conj(v, x), g) @ swap_last(v), x, UPLO)


def _jvp_eigvalsh(t, ans, x, UPLO="L"):  # noqa: N803
    v = _eigenvectors(x, UPLO)
    dw = reduce_sum(_conj(v, x) * (_hermitian_read(t, UPLO) @ v), axis=-2)
    return real(dw) if may_be_complex(x) else dw


defvjp_all(eigh, _vjp_eigh)
defjvp_all(eigh, _jvp_eigh)
defvjp(eigvalsh, _vjp_eigvalsh)
defjvp(eigvalsh, _jvp_eigvalsh)

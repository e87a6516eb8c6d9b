"""``np.linalg.eig`` and ``np.linalg.eigvals``: the eigen-decomposition of a general
(non-symmetric, or non-Hermitian) matrix.

A real matrix's eigenvalues are complex in general. NumPy returns complex arrays, or
real ones when every eigenvalue is real, so the results' dtype is known at run time
only. With ``A V = V Λ`` and ``P = V⁻¹ dA V``, distinct eigenvalues move by the
diagonal of ``P``; the eigenvectors by ``V (F ∘ P)``, ``F[i, j] = 1 / (λ_j - λ_i)``
off the diagonal, and then by what keeps each at unit norm with its largest component
real, as LAPACK normalizes them (so tangents match NumPy's own finite differences).

Pairing a real loss's cotangent ``ḡ`` with a tangent as ``Re Σ ḡ ∘ ẏ`` (the convention
of the other complex rules), the reverse rule is that tangent transposed step by step:
the two gauge steps (``_ungauged``), then ``P̄ = diag(ḡ_λ) + F ∘ (Vᵀ Ḡ)`` and
``Ā = V⁻ᵀ P̄ Vᵀ`` (Giles 2008), its real part for a real ``A``. A complex matrix
(LAPACK's zgeev, the same gauge) takes the same rules. Repeated eigenvalues give
infinities, as for ``eigh``: the eigenvectors are not unique there.

LAPACK's gauge is smooth almost everywhere but not everywhere: between two nearby
matrices it may flip a real vector's sign. A loss that does not read the vectors'
phases (moduli, ``v_i conj(v_j)`` within a column) is a smooth function everywhere
the eigenvalues are distinct; one that does is LAPACK's choice, and its derivative
is that of the choice where the choice is smooth.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core import Atom, Aval
from .constructors import eye
from .core import Primitive, defjvp, defjvp_all, defvjp, defvjp_all
from .decompositions import _absent, _dtype_kind, _gap_reciprocals, _scaled_columns
from .elementwise import abs_, conj, imag, match_complex, real
from .indexing import add_along_axis, argmax, getitem, take_along_axis
from .inverses import solve
from .linalg import swap_last
from .reductions import reduce_sum
from .shape import astype, dim_of, dtype_of, expand_dims, zeros_like


def _eig_avals(args: Sequence[Atom], params: Mapping[str, Any], vectors: bool) -> list[Aval]:
    """The eigenvalues (and vectors) of stacked square matrices: complex for a complex
    ``x``, else real or complex as the data decides (unknown until run time)."""
    x = args[0].aval
    dtype = np.dtype(np.complex128) if x.dtype is not None and x.dtype.kind == "c" else None
    values = Aval(None if x.shape is None else tuple(x.shape[:-1]), dtype)
    return [values, Aval(x.shape, dtype)] if vectors else [values]


eig = Primitive("eig", np.linalg.eig, n_out=2,
                aval_rule=lambda args, params: _eig_avals(args, params, True))
eigvals = Primitive("eigvals", np.linalg.eigvals,
                    aval_rule=lambda args, params: _eig_avals(args, params, False))


def _like_input(total, x):
    """A cotangent for ``x``: its real part in ``x``'s dtype for a real ``x`` (NumPy
    gives complex128 eigenvectors of a float32 matrix)."""
    return total if _dtype_kind(x) == "c" else astype(match_complex(total, x), dtype_of(x))


def _values_cotangent(v, g, x):
    """``V⁻ᵀ diag(g) Vᵀ``: the cotangent of ``x`` from its eigenvalues'."""
    vt = swap_last(v)
    return _like_input(solve(vt, expand_dims(g, axis=-1) * vt), x)


def _tangents(t, w, v):
    """The eigenvalues' and eigenvectors' tangents along ``t``, in LAPACK's gauge."""
    p = solve(v, t @ v)
    dw = reduce_sum(p * eye(dim_of(w, -1), dtype=np.bool_), axis=-1)
    dv = v @ (_gap_reciprocals(w, squared=False) * p)
    # unit norm: Re(v_k^H dv_k) = 0
    dv = dv - _scaled_columns(v, real(reduce_sum(conj(v) * dv, axis=-2)))
    # the largest component real: its tangent's imaginary part is turned out by i θ v_k
    largest = argmax(abs_(v), axis=-2, keepdims=True)
    theta = imag(take_along_axis(dv, largest, axis=-2)) / real(
        take_along_axis(v, largest, axis=-2))
    return dw, dv - match_complex(1j * theta * v, v)


def _vjp_eig(gs, ans, x):
    g_w, g_v = gs
    w, v = ans
    if _absent(g_v):
        return (_values_cotangent(v, g_w, x),)
    # P̄ = diag(ḡ_w) + F ∘ (Vᵀ Ḡ₁), Ḡ₁ the cotangent of V (F ∘ P), then x̄ = V⁻ᵀ P̄ Vᵀ
    inner = _gap_reciprocals(w, squared=False) * (swap_last(v) @ _ungauged(g_v, v))
    if not _absent(g_w):
        inner = inner + expand_dims(g_w, axis=-1) * eye(dim_of(w, -1), dtype=np.bool_)
    vt = swap_last(v)
    return (_like_input(solve(vt, inner @ vt), x),)


def _ungauged(g, v):
    """The transpose of ``_tangents``' two gauge steps: from the cotangent of the
    eigenvectors to that of ``V (F ∘ P)``, the tangent before them.

    Turning the largest component real subtracts ``i θ_k v_k`` with ``θ_k`` that
    component's imaginary part over ``Re v_k``: it sends ``-i Im(Σ ḡ_k v_k) / Re v_k``
    back to that component. Keeping unit norm subtracts ``Re(v_kᴴ dv_k) v_k``: it
    sends ``-Re(Σ ḡ_k v_k) conj(v_k)`` back to the whole column."""
    largest = argmax(abs_(v), axis=-2, keepdims=True)
    pairing = getitem(reduce_sum(g * v, axis=-2), (Ellipsis, None, slice(None)))
    turned = match_complex(-1j * imag(pairing), v) / real(take_along_axis(v, largest, axis=-2))
    g = g + add_along_axis(zeros_like(v), largest, turned, axis=-2)
    return g - _scaled_columns(conj(v), real(reduce_sum(g * v, axis=-2)))


def _jvp_eig(ts, ans, x):
    return _tangents(ts[0], *ans)


def _vjp_eigvals(g, ans, x):
    return _values_cotangent(eig(x)[1], g, x)


def _jvp_eigvals(t, ans, x):
    return _tangents(t, *eig(x))[0]


defvjp_all(eig, _vjp_eig)
defjvp_all(eig, _jvp_eig)
defvjp(eigvals, _vjp_eigvals)
defjvp(eigvals, _jvp_eigvals)

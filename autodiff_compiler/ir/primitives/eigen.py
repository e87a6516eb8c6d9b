"""``np.linalg.eig`` and ``np.linalg.eigvals``: the eigen-decomposition of a general
(non-symmetric) real matrix.

A real matrix's eigenvalues are complex in general. NumPy returns complex arrays, or
real ones when every eigenvalue is real, so the results' dtype is known at run time
only. With ``A V = V Λ`` and ``P = V⁻¹ dA V``, distinct eigenvalues move by the
diagonal of ``P``; the eigenvectors by ``V (F ∘ P)``, ``F[i, j] = 1 / (λ_j - λ_i)``
off the diagonal, and then by what keeps each at unit norm with its largest component
real, as LAPACK normalizes them (so tangents match NumPy's own finite differences).

Pairing a real loss's cotangent ``ḡ`` with a tangent as ``Re Σ ḡ ∘ ẏ`` (the convention
of the other complex rules), the eigenvalues' cotangent for a real ``A`` is
``Re(V⁻ᵀ diag(ḡ) Vᵀ)``. Reverse mode through the eigenvectors is refused: their
gauge (a phase per vector) makes that cotangent a long real-linear chain this module
does not write; forward mode has them. Repeated eigenvalues give infinities, as for
``eigh``. Complex matrices are refused, as for the other decompositions.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ...errors import AutodiffError
from ..core import Atom, Aval
from .constructors import eye
from .core import Primitive, defjvp, defjvp_all, defvjp, defvjp_all
from .decompositions import _absent, _gap_reciprocals, _real_only, _scaled_columns
from .elementwise import abs_, conj, imag, match_complex, real
from .indexing import argmax, take_along_axis
from .inverses import solve
from .linalg import swap_last
from .reductions import reduce_sum
from .shape import astype, dim_of, dtype_of, expand_dims


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


def _values_cotangent(v, g, x):
    """``Re(V⁻ᵀ diag(g) Vᵀ)``: the cotangent of ``x`` from its eigenvalues', in ``x``'s
    dtype (NumPy gives complex128 eigenvectors of a float32 matrix)."""
    vt = swap_last(v)
    return astype(real(solve(vt, expand_dims(g, axis=-1) * vt)), dtype_of(x))


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
    _real_only(x, "np.linalg.eig")
    g_w, g_v = gs
    if not _absent(g_v):
        raise AutodiffError(
            "the gradient through np.linalg.eig's eigenvectors is not supported (forward "
            "mode, jvp, has it)", hint="differentiate the eigenvalues, or use "
                                       "np.linalg.eigh for a symmetric matrix")
    return (_values_cotangent(ans[1], g_w, x),)


def _jvp_eig(ts, ans, x):
    _real_only(x, "np.linalg.eig")
    return _tangents(ts[0], *ans)


def _vjp_eigvals(g, ans, x):
    _real_only(x, "np.linalg.eigvals")
    return _values_cotangent(eig(x)[1], g, x)


def _jvp_eigvals(t, ans, x):
    _real_only(x, "np.linalg.eigvals")
    return _tangents(t, *eig(x))[0]


defvjp_all(eig, _vjp_eig)
defjvp_all(eig, _jvp_eig)
defvjp(eigvals, _vjp_eigvals)
defjvp(eigvals, _jvp_eigvals)

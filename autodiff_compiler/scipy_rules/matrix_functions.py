"""``scipy.linalg.sqrtm`` and ``scipy.linalg.logm`` as primitives, with the Sylvester
solver their derivatives need.

Each is a primitive whose ``impl`` is SciPy's own function, so compiled code computes
SciPy's values (generated code calls ``scipy.linalg.sqrtm``...). Stacks of matrices
need a SciPy whose ``scipy.linalg`` maps over leading axes (1.15 on).

* ``X = solve_sylvester(A, B, Q)``, ``A X + X B = Q``: ``dX`` solves the same equation
  with ``dQ - dA X - X dB`` on the right; with the pairing ``Re Σ ḡ ∘ ẏ`` of the other
  rules, ``Q̄`` solves ``Aᵀ Q̄ + Q̄ Bᵀ = X̄``, and ``Ā = -Q̄ Xᵀ``, ``B̄ = -Xᵀ Q̄``. Its
  rules are made of itself, so every order works.
* ``S = sqrtm(A)``: from ``S S = A``, ``S dS + dS S = dA``, a Sylvester equation, and
  ``Ā`` solves ``Sᵀ Ā + Ā Sᵀ = S̄``. It has a unique solution when no two eigenvalues
  of ``S`` sum to zero, which the principal root (eigenvalues in the right half-plane)
  ensures unless ``A`` is singular, where the root has no derivative: the solver then
  warns and the derivative is inf or meaningless, as the function is there.
* ``L = logm(A)``: the Fréchet derivative of a matrix function is the upper-right block
  of the function of ``[[A, E], [0, A]]`` (Higham 2008, Thm 3.6); ``logm``'s series has
  real coefficients, so its adjoint is that of ``Aᵀ`` applied to ``L̄``. Both are
  ``logm`` again (of twice the size).

A real matrix with eigenvalues on the negative axis has a complex root and logarithm;
SciPy then returns complex results, so of a real matrix the result's dtype is known
only at run time, as ``np.linalg.eig``'s is, and a real matrix's cotangent is the real
part of the complex one.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import scipy.linalg as la

from ..backends.numpy import spellings
from ..ir import surface
from ..ir.core import Atom, Aval
from ..ir.primitives import Primitive, astype, defjvp, defvjp, dim_of, dtype_of, getitem
from ..ir.primitives.batching import NotBatchableError, broadcast_batch, rank
from ..ir.primitives.core import defbatch
from ..ir.primitives.decompositions import _dtype_kind
from ..ir.primitives.elementwise import match_complex
from ..ir.primitives.linalg import swap_last
from ..ir.primitives.shape import concatenate, zeros_like
from ..ir.surface import _unsupported

FAMILY = "scipy.linalg"


def _sylvester_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """``q``'s shape; the operands' promoted dtype where all are known."""
    avals = [a.aval for a in args]
    if any(a.dtype is None for a in avals):
        return [Aval(avals[2].shape)]
    return [Aval(avals[2].shape, np.result_type(*(a.stand_in() for a in avals)))]


def _function_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """A matrix function's result: ``x``'s shape, complex for a complex ``x``, else real
    or complex as the data decides (unknown until run time)."""
    x = args[0].aval
    dtype = np.dtype(np.complex128) if x.dtype is not None and x.dtype.kind == "c" else None
    return [Aval(x.shape, dtype)]


solve_sylvester = Primitive("scipy_solve_sylvester", la.solve_sylvester,
                            aval_rule=_sylvester_avals)
sqrtm = Primitive("scipy_sqrtm", la.sqrtm, aval_rule=_function_avals)
logm = Primitive("scipy_logm", la.logm, aval_rule=_function_avals)
spellings.register(solve_sylvester, ("call", "scipy.linalg.solve_sylvester"))
spellings.register(sqrtm, ("call", "scipy.linalg.sqrtm"))
spellings.register(logm, ("call", "scipy.linalg.logm"))


def _like_input(total: Any, x: Any) -> Any:
    """A cotangent for ``x``: its real part in ``x``'s dtype for a real ``x``."""
    return total if _dtype_kind(x) == "c" else astype(match_complex(total, x), dtype_of(x))


# ---------------------------------------------------------------------------- Sylvester


def _sylvester_cotangent(g, a, b):
    """``Q̄``: the solution of ``Aᵀ Q̄ + Q̄ Bᵀ = X̄``."""
    return solve_sylvester(swap_last(a), swap_last(b), g)


defvjp(solve_sylvester,
       lambda g, ans, a, b, q: _like_input(-(_sylvester_cotangent(g, a, b) @ swap_last(ans)), a),
       lambda g, ans, a, b, q: _like_input(-(swap_last(ans) @ _sylvester_cotangent(g, a, b)), b),
       lambda g, ans, a, b, q: _like_input(_sylvester_cotangent(g, a, b), q))
defjvp(solve_sylvester,
       lambda t, ans, a, b, q: solve_sylvester(a, b, -(t @ ans)),
       lambda t, ans, a, b, q: solve_sylvester(a, b, -(ans @ t)),
       lambda t, ans, a, b, q: solve_sylvester(a, b, t))


def _batch_sylvester(size, dims, a, b, q):
    """SciPy maps over leading axes: an operand that is the same for every example is
    given the batch axis."""
    if any(rank(x, d) < 2 for x, d in zip((a, b, q), dims)):
        raise NotBatchableError
    return solve_sylvester(*(x if d else broadcast_batch(x, size)
                             for x, d in zip((a, b, q), dims)))


defbatch(solve_sylvester, _batch_sylvester)

# ---------------------------------------------------------------------------- sqrtm

defvjp(sqrtm, lambda g, ans, a: _like_input(
    solve_sylvester(swap_last(ans), swap_last(ans), g), a))
defjvp(sqrtm, lambda t, ans, a: solve_sylvester(ans, ans, t))

# ---------------------------------------------------------------------------- logm


def _frechet_logm(a, e):
    """``L(A, E)``: the upper-right block of ``logm([[A, E], [0, A]])``."""
    n = dim_of(a, -1)
    block = concatenate(concatenate(a, e, axis=-1),
                        concatenate(zeros_like(a), a, axis=-1), axis=-2)
    return getitem(logm(block), (Ellipsis, slice(None, n), slice(n, None)))


defvjp(logm, lambda g, ans, a: _like_input(_frechet_logm(swap_last(a), g), a))
defjvp(logm, lambda t, ans, a: _frechet_logm(a, t))


def _batch_function(prim: Primitive) -> Any:
    def rule(size, dims, x):
        if rank(x, True) < 2:
            raise NotBatchableError
        return prim(x)
    return rule


defbatch(sqrtm, _batch_function(sqrtm))
defbatch(logm, _batch_function(logm))


# ---------------------------------------------------------------------------- the surface


def _sqrtm(A: Any, disp: Any = None, blocksize: Any = None) -> Any:  # noqa: N803 (SciPy's)
    """SciPy's deprecated ``disp=False`` returns an error estimate too: refused."""
    _unsupported("scipy.linalg.sqrtm", disp=disp, blocksize=blocksize)
    return sqrtm(A)


def _logm(A: Any, disp: Any = None) -> Any:  # noqa: N803
    _unsupported("scipy.linalg.logm", disp=disp)
    return logm(A)


def register() -> None:
    """Make ``sqrtm`` and ``logm`` compile to their primitives (a rule the user
    registered stays theirs)."""
    for fn, build in ((la.sqrtm, _sqrtm), (la.logm, _logm)):
        if fn not in surface.USER_FUNCTIONS:
            surface.register(FAMILY, build, fn)

"""The inverse and what is computed with it: ``inv``, ``det`` (through the adjugate),
``slogdet``, ``solve`` and ``cholesky``.

Both rules of each are written out: they do not repeat each other (the VJP is the
JVP's transpose, which is not derived automatically), and each direction has its own
cheaper formula (``-(ans @ t @ ans)`` forward, transposed factors backward).

``np.linalg.cholesky`` reads only the lower triangle of its argument, so the gradient
it reports is lower-triangular; for a matrix built symmetric (``M @ M.T``) this gives
the same gradient upstream as the symmetric convention.
"""
from __future__ import annotations

import numpy as np

from .. import reference as ref
from .core import Primitive, defjvp, defjvp_all, deflinear, defvjp, defvjp_all
from .linalg import may_be_complex, swap_last
from .reductions import reduce_sum
from .shape import expand_dims, ndim_of, tril, unbroadcast

inv = Primitive("inv", np.linalg.inv)
det = Primitive("det", np.linalg.det)
adjugate = Primitive("adjugate", ref.adjugate)  # det's derivative, finite where x is singular
slogdet = Primitive("slogdet", np.linalg.slogdet, n_out=2)
solve = Primitive("solve", np.linalg.solve)
cholesky = Primitive("cholesky", np.linalg.cholesky)
as_columns = Primitive("as_columns", ref.as_columns)
from_columns = Primitive("from_columns", ref.from_columns)
for _prim in (det, slogdet):
    _prim.scalar_result = True  # of one matrix, a NumPy scalar


# ---------------------------------------------------------------------------- inv, det, slogdet


def _logdet_cotangent(g, x):
    """d logdet / d x = inv(x).T, scaled by the cotangent ``g`` of each matrix."""
    return expand_dims(g, axis=(-2, -1)) * swap_last(inv(x))


def _trace_with_inverse(t, x):
    """trace(inv(x) @ t) for each matrix: the tangent of logdet."""
    return reduce_sum(swap_last(inv(x)) * t, axis=(-2, -1))


defvjp(inv, lambda g, ans, x: -(swap_last(ans) @ g @ swap_last(ans)))
defjvp(inv, lambda t, ans, x: -(ans @ t @ ans))
# d det(x) = tr(adj(x) dx), with the adjugate, not det(x) inv(x), which fails where x is
# singular, though det is a polynomial with a finite gradient everywhere (JAX's
# testDetGradOfSingularMatrixCorank1/2). The adjugate's own derivative, for second
# order, is d adj = tr(inv(x) dx) adj - inv(x) dx adj (from adj = det inv): finite at
# repeated singular values, where the SVD's vectors (which compute adj) have none.
defvjp(det, lambda g, ans, x: expand_dims(g, axis=(-2, -1)) * swap_last(adjugate(x)))
defjvp(det, lambda t, ans, x: reduce_sum(swap_last(adjugate(x)) * t, axis=(-2, -1)))


def _vjp_adjugate(g, ans, x):
    inv_t = swap_last(inv(x))
    return (expand_dims(reduce_sum(g * ans, axis=(-2, -1)), axis=(-2, -1)) * inv_t
            - inv_t @ g @ swap_last(ans))


def _jvp_adjugate(t, ans, x):
    inv_x = inv(x)
    return (expand_dims(reduce_sum(swap_last(inv_x) * t, axis=(-2, -1)), axis=(-2, -1))
            * ans - inv_x @ t @ ans)


defvjp(adjugate, _vjp_adjugate)
defjvp(adjugate, _jvp_adjugate)
# slogdet: log det = log|det| + i theta, and d log det = t = tr(inv(x) dx); so the log
# of the magnitude moves by real(t), and the sign e^(i theta) of a complex matrix by
# sign i imag(t) (a real matrix's, +1 or -1, not at all). The VJP is that map's
# transpose, with the conventions of ``real`` and ``imag`` (no conjugate).


def _imaginary_part(z):
    """``i imag(z)``, as ``z - real(z)``: of a real ``z`` (a dtype known only at run
    time) a real zero, not a complex one."""
    from .elementwise import real
    return z - real(z)


def _vjp_slogdet(gs, ans, x):
    g_sign, g_logabs = gs
    if g_sign is None or not may_be_complex(x):
        return (_logdet_cotangent(g_logabs, x),) if g_logabs is not None else (None,)
    g_log = _imaginary_part(g_sign * ans[0])
    return (_logdet_cotangent(g_log if g_logabs is None else g_logabs + g_log, x),)


def _jvp_slogdet(ts, ans, x):
    t = _trace_with_inverse(ts[0], x)
    if not may_be_complex(x):
        return None, t
    from .elementwise import real
    return ans[0] * _imaginary_part(t), real(t)


defvjp_all(slogdet, _vjp_slogdet)
defjvp_all(slogdet, _jvp_slogdet)

# ---------------------------------------------------------------------------- solve
# solve(a, b): b is a vector only when it is 1-D; the rules treat it as a column.


def _vectors(a, b) -> bool | None:
    """Whether ``solve(a, b)`` takes ``b`` as vectors; None where the ranks that decide it
    are known only at run time (then ``as_columns`` decides there)."""
    a_rank, b_rank = ndim_of(a), ndim_of(b)
    if b_rank is None or (a_rank is None and b_rank != 1):
        return None
    return ref.solves_vectors(2 if a_rank is None else a_rank, b_rank)


def _columns(v, a, b):
    vectors = _vectors(a, b)
    if vectors is None:
        return as_columns(v, a, b)
    return expand_dims(v, axis=-1) if vectors else v


def _uncolumns(v, a, b):
    vectors = _vectors(a, b)
    if vectors is None:
        return from_columns(v, a, b)
    from .indexing import getitem
    return getitem(v, (Ellipsis, 0)) if vectors else v


def _solved_cotangent(g, a, b):
    """solve(a.T, g) with g as columns: the cotangent of b, before shaping."""
    return solve(swap_last(a), _columns(g, a, b))


defvjp(solve,
       lambda g, ans, a, b: unbroadcast(-_solved_cotangent(g, a, b)
                                        @ swap_last(_columns(ans, a, b)), a),
       lambda g, ans, a, b: unbroadcast(_uncolumns(_solved_cotangent(g, a, b), a, b), b))
defjvp(solve, lambda t, ans, a, b: _uncolumns(-solve(a, t @ _columns(ans, a, b)), a, b),
              lambda t, ans, a, b: solve(a, t))
defvjp(as_columns, lambda h, ans, v, a, b: from_columns(h, a, b), None, None)
defvjp(from_columns, lambda h, ans, v, a, b: as_columns(h, a, b), None, None)
deflinear(as_columns, 0)
deflinear(from_columns, 0)

# ---------------------------------------------------------------------------- cholesky
# Murray (2016), in the convention where a gradient is d/dRe - i d/dIm: with
# P = phi(L^H conj(G)), phi the lower triangle with its diagonal halved, the cotangent
# of the Hermitian input with all its entries taken as free is M = inv(L)^H P inv(L).
# NumPy reads only the lower triangle and the real part of its diagonal, and mirrors
# the rest; so a strictly lower entry's cotangent is conj(M) there plus M transposed,
# a diagonal entry's the real part of M's. Of a real matrix: tril(M) + tril(M.T, -1).


def _phi(x, n):
    from .constructors import eye
    return tril(x, k=-1) + 0.5 * (x * eye(n, dtype=np.bool_))


def _real_diagonal(x, n):
    from .constructors import eye
    from .elementwise import real
    return real(x) * eye(n, dtype=np.bool_)


def _herm(x):
    """The conjugate transpose of the last two axes."""
    from .elementwise import conj
    return conj(swap_last(x))


def _vjp_cholesky(g, ans, x):
    from .shape import dim_of
    n = dim_of(x, -1)
    if not may_be_complex(x):
        lt = swap_last(ans)
        p = _phi(lt @ g, n)
        m = swap_last(solve(lt, swap_last(solve(lt, p))))
        return tril(m) + tril(swap_last(m), k=-1)
    from .elementwise import conj
    lh = _herm(ans)
    p = _phi(lh @ conj(g), n)
    m = _herm(solve(lh, _herm(solve(lh, p))))
    return conj(tril(m, k=-1)) + tril(swap_last(m), k=-1) + _real_diagonal(m, n)


def _jvp_cholesky(t, ans, x):
    from .shape import dim_of
    n = dim_of(x, -1)
    if not may_be_complex(x):
        sym = tril(t) + swap_last(tril(t, k=-1))  # the symmetric matrix NumPy reads
        inner = swap_last(solve(ans, swap_last(solve(ans, sym))))
        return ans @ _phi(inner, n)
    lower = tril(t, k=-1)
    hermitian = lower + _real_diagonal(t, n) + _herm(lower)  # the matrix NumPy reads
    inner = _herm(solve(ans, _herm(solve(ans, hermitian))))
    return ans @ (tril(inner, k=-1) + 0.5 * _real_diagonal(inner, n))


defvjp(cholesky, _vjp_cholesky)
defjvp(cholesky, _jvp_cholesky)

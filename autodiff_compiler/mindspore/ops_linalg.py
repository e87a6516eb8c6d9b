"""MindSpore's linear-algebra ``ops``: factorisations (``cholesky``, ``svd``, ``qr``,
``eig``), solves and inverses (``cholesky_solve``, ``cholesky_inverse``,
``matrix_solve``, ``lu_solve``, ``pinv``, ``lstsq``), determinants
(``matrix_determinant``, ``slogdet``, ``logdet``), ``matrix_power`` and the norms
(``vector_norm``, ``matrix_norm``); the products and structured matrices
(``batch_dot``, ``cross``, ``matrix_diag``...) are in ``ops_linalg_products``. All but
``lstsq`` (one matrix, as MindSpore's) take stacks of matrices, as MindSpore's do.

Each is written with ``np.linalg``, whose functions the compiler differentiates, so
none needs a rule of its own. Where the NumPy function and MindSpore's op differ, the
op is rebuilt from the factorisation it stands on: MindSpore's ``svd`` returns
``(s, u, v)`` with ``v`` (not ``vh``), ``pinv``'s ``atol``/``rtol`` cut the singular
values by hand, ``lu_solve`` applies LAPACK's row swaps as one-hot products (the
pivots are data, not shapes), ``logdet`` is ``slogdet``'s log-magnitude made NaN where the
determinant is negative (its gradient there stays ``inv(A)ᵀ``, as MindSpore's).

``cholesky_solve`` reads only the triangle ``upper`` names, as LAPACK does, so its
gradient there is the derivative of what it computes and zero across the diagonal
(MindSpore's is dense: it differentiates ``L Lᵀ`` as if the other triangle counted).
``cholesky_inverse``, in MindSpore, uses the whole matrix (``inv(L Lᵀ)``) and so does
this one. Results of a single matrix are Tensors (``np.linalg`` gives NumPy
scalars for a determinant); ``eig``/``eigvals`` are always complex (NumPy's are real
when every eigenvalue is), with eigenvalues in LAPACK's order and eigenvectors in its
gauge (MindSpore's CPU build orders and scales them otherwise). Only the eigenvalues
have a reverse-mode gradient (the compiler's ``np.linalg.eig`` refuses the vectors').
The compiler refuses ``qr``'s gradient for a matrix wider than tall, and for
``mode="complete"`` of a taller one (its extra columns are any orthonormal completion).

MindSpore's checks (ranks, square matrices, matching batch sizes) read shapes, so the
ops compile in shape-specialised code (``grad``'s default); ``ops.matrix_exp`` is not
here (MindSpore 2.7.1's CPU build has no kernel for it).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor
from .ties import first_max, first_min

__all__ = ["lstsq", "cholesky", "cholesky_solve", "cholesky_inverse", "matrix_determinant",
           "log_matrix_determinant", "logdet", "slogdet", "matrix_power", "matrix_solve",
           "lu_solve", "pinv", "svd", "qr", "eig", "eigvals", "vector_norm", "matrix_norm",
           "adjoint"]


def _check_matrices(x: Any, name: str, ranks: tuple = ()) -> None:
    """MindSpore's refusal of what is not a stack of square matrices (or, with
    ``ranks``, of a rank it does not take)."""
    shape = np.shape(x)
    if len(shape) < 2 or (ranks and len(shape) not in ranks):
        wanted = " or ".join(str(r) for r in ranks) if ranks else "at least 2"
        raise ValueError(f"For '{name}', the rank of the input must be {wanted}, but got "
                         f"shape {shape}")
    if shape[-1] != shape[-2]:
        raise ValueError(f"For '{name}', the last two dimensions of the input must be equal "
                         f"(square matrices), but got shape {shape}")


def _mT(x: Any) -> Any:  # noqa: N802 (the transpose of each matrix)
    return np.swapaxes(x, -1, -2)


# ---------------------------------------------------------------------------- Cholesky


def cholesky(input_x: Any, upper: bool = False) -> Any:
    """The Cholesky factor of symmetric positive-definite matrices: lower ``L`` with
    ``A = L Lᵀ``, or upper ``U = Lᵀ`` with ``upper=True``. Only the lower triangle of
    ``input_x`` is read, so that is where its gradient is."""
    _check_matrices(input_x, "cholesky")
    lower = np.linalg.cholesky(input_x)  # (NumPy 1 has no upper=)
    if not upper:
        return lower
    return np.conj(_mT(lower)) if np.iscomplexobj(lower) else _mT(lower)


def cholesky_solve(input: Any, input2: Any, upper: bool = False) -> Any:  # noqa: A002
    """``x`` with ``A x = input``, ``A = L Lᵀ`` given its Cholesky factor ``input2``
    (lower; upper ``U``, ``A = Uᵀ U``, with ``upper=True``): two triangular solves.
    Both have the same rank, 2 or 3, as in MindSpore."""
    rank, rank2 = np.ndim(input), np.ndim(input2)
    if rank != rank2 or rank not in (2, 3):
        raise ValueError(f"For 'cholesky_solve', 'input' and 'input2' must both have rank 2 "
                         f"or 3, but got ranks {rank} and {rank2}")
    _check_matrices(input2, "cholesky_solve")
    factor = np.triu(input2) if upper else np.tril(input2)
    lower = _mT(factor) if upper else factor
    return np.linalg.solve(_mT(lower), np.linalg.solve(lower, input))


def cholesky_inverse(input_x: Any, upper: bool = False) -> Any:
    """``inv(A)`` from a Cholesky factor: ``inv(X Xᵀ)``, or ``inv(Xᵀ X)`` with
    ``upper=True``, of the whole matrix given (MindSpore's reads both triangles)."""
    _check_matrices(input_x, "cholesky_inverse", (2, 3))
    gram = np.matmul(_mT(input_x), input_x) if upper else np.matmul(input_x, _mT(input_x))
    return np.linalg.inv(gram)


# ---------------------------------------------------------------------------- determinants


def matrix_determinant(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """The determinants of stacked square matrices, as a Tensor."""
    _check_matrices(input, "matrix_determinant")
    return Tensor(np.linalg.det(input))


def slogdet(input: Any) -> tuple:  # noqa: A002
    """``(sign, log|det|)`` of stacked square matrices, both in the input's dtype: the
    log-magnitude stays finite where the determinant would overflow."""
    _check_matrices(input, "slogdet")
    sign, logabsdet = np.linalg.slogdet(input)
    return Tensor(sign), Tensor(logabsdet)


def log_matrix_determinant(input: Any) -> tuple:  # noqa: A002
    """``slogdet`` under its older name: ``(sign, log|det|)``."""
    return slogdet(input)


def logdet(input: Any) -> Any:  # noqa: A002
    """``log(det(input))``: NaN where the determinant is negative, ``-inf`` where it is
    0. Built on ``slogdet``, so the gradient is ``inv(input)ᵀ`` throughout."""
    sign, logabsdet = slogdet(input)
    return logabsdet + np.where(sign < 0, np.nan, 0.0).astype(logabsdet.dtype)


# ---------------------------------------------------------------------------- powers, solves


def adjoint(x: Any) -> Any:
    """The conjugate transpose of each matrix (the last two axes)."""
    swapped = np.swapaxes(x, -1, -2)
    return np.conj(swapped) if np.iscomplexobj(x) else swapped


def matrix_power(input: Any, n: int) -> Any:  # noqa: A002
    """``input`` multiplied by itself ``n`` times (repeated squaring; a negative ``n``
    powers the inverse, 0 gives identities), in the input's dtype."""
    if not isinstance(n, int | np.integer) or isinstance(n, bool):
        raise TypeError(f"For 'matrix_power', 'n' must be an int, but got {type(n).__name__}")
    _check_matrices(input, "matrix_power")
    return np.linalg.matrix_power(input, n)


def matrix_solve(matrix: Any, rhs: Any, adjoint: bool = False) -> Any:
    """``x`` with ``matrix x = rhs`` (``matrixᴴ x = rhs`` with ``adjoint=True``) for
    stacked square matrices and right-hand sides of the same rank (``(..., M, K)``)."""
    _check_matrices(matrix, "matrix_solve")
    if np.ndim(rhs) != np.ndim(matrix):
        raise ValueError(f"For 'matrix_solve', 'rhs' must have the rank of 'matrix' "
                         f"({np.ndim(matrix)}), but got shape {np.shape(rhs)}: give a vector "
                         "as a column, rhs[..., None]")
    return np.linalg.solve(np.conj(_mT(matrix)) if adjoint else matrix, rhs)


def lu_solve(b: Any, LU_data: Any, LU_pivots: Any) -> Any:  # noqa: N803 (MindSpore's names)
    """``x`` with ``A x = b`` from ``A``'s LU factorisation with partial pivoting
    (LAPACK's ``getrf``: unit lower ``L`` and upper ``U`` packed in ``LU_data``; row
    ``i`` swapped with row ``LU_pivots[i]``, counted from 1). The swaps are one-hot
    products (the pivots are data), then two triangular solves; batch axes broadcast."""
    if np.ndim(b) < 2:
        raise ValueError(f"For 'lu_solve', 'b' must have rank at least 2 (a vector as a "
                         f"column, b[..., None]), but got shape {np.shape(b)}")
    _check_matrices(LU_data, "lu_solve")
    size = np.shape(LU_data)[-1]
    if np.shape(LU_pivots)[-1:] != (size,) or np.shape(b)[-2] != size:
        raise ValueError(f"For 'lu_solve', 'LU_data' of shape {np.shape(LU_data)} needs "
                         f"'LU_pivots' of last axis {size} and 'b' of {size} rows, but got "
                         f"{np.shape(LU_pivots)} and {np.shape(b)}")
    if np.ndim(b) < np.ndim(LU_data):  # NumPy 1.x would read b of rank one less as vectors
        b = np.reshape(b, (1,) * (np.ndim(LU_data) - np.ndim(b)) + np.shape(b))
    rows = np.arange(size)
    for i in range(size):  # swap row i of b with row pivots[i] - 1
        moved = (rows == i).astype(b.dtype) - (rows == LU_pivots[..., i:i + 1] - 1).astype(b.dtype)
        b = b - np.expand_dims(moved, -1) * np.sum(np.expand_dims(moved, -1) * b, axis=-2,
                                                  keepdims=True)
    lower = np.tril(LU_data, -1) + np.eye(size, dtype=LU_data.dtype)
    return np.linalg.solve(np.triu(LU_data), np.linalg.solve(lower, b))


def pinv(x: Any, *, atol: Any = None, rtol: Any = None, hermitian: bool = False) -> Any:
    """The Moore-Penrose inverse of stacked matrices. Singular values (eigenvalue
    magnitudes with ``hermitian=True``, which reads the lower triangle) at or below
    ``max(atol, rtol * largest)`` count as 0; ``rtol`` defaults to ``eps * max(M, N)``
    unless only a positive ``atol`` is given (then 0). Differentiable where the rank
    does not change nearby."""
    if np.ndim(x) < 2:
        raise ValueError(f"For 'pinv', the rank of 'x' must be at least 2, but got shape "
                         f"{np.shape(x)}")
    if rtol is None:
        given = atol is not None and np.all(np.asarray(atol) > 0)
        rtol = 0.0 if given else np.finfo(x.dtype).eps * max(np.shape(x)[-2:])
    atol = 0.0 if atol is None else atol
    if hermitian:
        values, vectors = np.linalg.eigh(x)
        magnitudes = np.abs(values)
        left, right = vectors, _mT(vectors)
    else:
        left, magnitudes, right = np.linalg.svd(x, full_matrices=False)
    cutoff = np.maximum(atol, rtol * np.max(magnitudes, axis=-1, keepdims=True))
    keep = magnitudes > cutoff
    divisors = values if hermitian else magnitudes  # an eigenvalue keeps its sign
    scale = np.where(keep, 1.0 / np.where(keep, divisors, 1.0), 0.0)
    return np.matmul(_mT(right) * np.expand_dims(scale, -2), _mT(left)).astype(x.dtype)


# ---------------------------------------------------------------------------- factorisations


def svd(input: Any, full_matrices: bool = False, compute_uv: bool = True) -> Any:  # noqa: A002
    """``(s, u, v)`` with ``input = u diag(s) vᵀ``, singular values descending (MindSpore
    returns ``v``, not NumPy's ``vh``); ``s`` alone with ``compute_uv=False``."""
    if np.ndim(input) < 2:
        raise ValueError(f"For 'svd', the rank of 'input' must be at least 2, but got shape "
                         f"{np.shape(input)}")
    if not compute_uv:
        return np.linalg.svd(input, compute_uv=False)
    u, s, vh = np.linalg.svd(input, full_matrices=full_matrices)
    return s, u, _mT(vh)


def qr(input: Any, mode: str = "reduced") -> tuple:  # noqa: A002
    """``(Q, R)`` with ``input = Q R``, ``Q`` orthonormal columns and ``R`` upper
    triangular; ``mode="complete"`` gives a square ``Q``."""
    if mode not in ("reduced", "complete"):
        raise TypeError(f"For qr, the arg mode must be 'reduced' or 'complete', but got "
                        f"{mode!r}")
    if np.ndim(input) < 2:
        raise ValueError(f"For 'qr', the rank of 'input' must be at least 2, but got shape "
                         f"{np.shape(input)}")
    q, r = np.linalg.qr(input, mode=mode)
    return q, r


def eig(A: Any) -> tuple:  # noqa: N803 (MindSpore's name)
    """``(eigenvalues, eigenvectors)`` of stacked square matrices, complex, with
    ``A v = λ v`` for each column ``v`` (unit norm)."""
    _check_matrices(A, "eig")
    values, vectors = np.linalg.eig(A)
    return values + 0j, vectors + 0j  # complex of the input's precision (NEP 50)


def eigvals(A: Any) -> Any:  # noqa: N803
    """The eigenvalues of stacked square matrices, complex."""
    _check_matrices(A, "eigvals")
    return np.linalg.eigvals(A) + 0j


# ---------------------------------------------------------------------------- norms

_NAMED_ORDERS, _NUMBERED_ORDERS = ("fro", "nuc"), (1, -1, 2, -2, np.inf, -np.inf)


def vector_norm(x: Any, ord: Any = 2, axis: Any = None, keepdims: bool = False, *,  # noqa: A002
                dtype: Any = None) -> Any:
    """The ``ord``-norm of ``x`` over ``axis`` (an int, a tuple, or all axes): ``inf``
    and ``-inf`` the largest and smallest magnitude, 0 the count of non-zeros, any
    other order ``p`` ``(Σ|x|^p)^(1/p)``. Integers give float32; ``dtype`` casts first."""
    if dtype is not None:
        x = x.astype(dtype)
    elif x.dtype.kind not in "fc":
        x = x.astype(np.float32)
    rank = np.ndim(x)
    axes = tuple(range(rank)) if axis is None else \
        (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    if rank == 0:
        return np.abs(x) if ord != 0 else (x != 0).astype(x.dtype)
    chosen = [int(a) % rank for a in axes]
    axes = tuple(a for a in range(rank) if a in chosen)  # in order
    rest = tuple(a for a in range(rank) if a not in chosen)
    lanes = np.reshape(np.transpose(x, rest + axes),
                       (*[np.shape(x)[a] for a in rest], -1))
    if ord in (np.inf, -np.inf):  # the gradient to the first of tied magnitudes
        pick = first_max if ord == np.inf else first_min
        norms = pick(np.abs(lanes), axis=-1).astype(x.dtype)
    else:
        norms = np.linalg.norm(lanes, ord, axis=-1).astype(x.dtype)
    return Tensor(np.expand_dims(norms, axes) if keepdims else norms)


def matrix_norm(A: Any, ord: Any = "fro", axis: tuple = (-2, -1), keepdims: bool = False,  # noqa: A002, N803
                *, dtype: Any = None) -> Any:
    """The matrix ``ord``-norm over the two ``axis``: ``'fro'``, ``'nuc'`` (the sum of
    singular values), 2 and -2 (the largest and smallest), 1 and -1 (column sums of
    magnitudes), ``inf`` and ``-inf`` (row sums)."""
    named = isinstance(ord, str)
    if ord not in (_NAMED_ORDERS if named else _NUMBERED_ORDERS):
        raise ValueError(f"For matrix_norm, the ord mode must be in [2, -2, 1, -1, "
                         f"float('inf'), float('-inf'), 'fro', 'nuc'] but got {ord}.")
    matrices = A if dtype is None else A.astype(dtype)
    if np.ndim(matrices) < 2:
        raise ValueError(f"For matrix_norm, the rank of 'A' must be at least 2, but got "
                         f"shape {np.shape(A)}")
    norms = np.linalg.norm(matrices, ord, axis=tuple(axis), keepdims=keepdims)
    return Tensor(norms.astype(matrices.dtype))


def lstsq(input: Any, A: Any) -> Any:  # noqa: A002, N803 (MindSpore's names)
    """The least-squares solution ``X`` of ``input X = A`` for a full-rank (m, n)
    ``input`` and (m, k) or (m,) ``A``: the minimum-norm one when m < n. It is
    ``pinv(input) @ A`` (a 1-d ``A`` as one column, as MindSpore 2.10 returns (n, 1)),
    so it has the pseudo-inverse's gradient; MindSpore's ``Lstsq`` has none."""
    if np.ndim(input) != 2:
        raise ValueError(f"For 'Lstsq', the dimension of x must be equal to 2, but got "
                         f"x_dim: {np.ndim(input)}.")
    if np.ndim(A) not in (1, 2) or np.shape(A)[0] != np.shape(input)[0]:
        raise ValueError(f"For 'Lstsq', A must be 1-d or 2-d with {np.shape(input)[0]} "
                         f"rows, as x has, but got shape {np.shape(A)}.")
    columns = A if np.ndim(A) == 2 else np.reshape(A, (-1, 1))
    return np.linalg.pinv(input) @ columns

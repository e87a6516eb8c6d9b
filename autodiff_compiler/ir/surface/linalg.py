"""The NumPy surface, continued: linear algebra (products, einsum, decompositions).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import ndim_of
from . import (
    CompileTimeError,
    _static,
    _unsupported,
    register,
)

# ---------------------------------------------------------------------------- linear algebra


def _einsum(subscripts, *operands, out=None, optimize=False, **kw):
    _unsupported("einsum", out=out, **kw)
    if not isinstance(subscripts, str):  # the interleaved form: a, [0, 1], b, [1, 2], [0, 2]
        subscripts, operands = _interleaved_subscripts([subscripts, *operands])
    return P.einsum(P.explicit_subscripts(subscripts, [ndim_of(op) for op in operands]),
                    *operands)


def _interleaved_subscripts(args: list[Any]) -> tuple[str, list[Any]]:
    """``einsum(a, [0, 1], b, [1, 2], [0, 2])`` as ``("ab,bc->ac", [a, b])``: NumPy's
    axis numbers 0-25 are the letters A-Z and 26-51 a-z; ``...`` stays."""
    output = args.pop() if len(args) % 2 else None  # an odd count ends with the output's
    operands, sublists = args[0::2], args[1::2]
    inputs = ",".join(_sublist_letters(s) for s in sublists)
    return inputs + ("" if output is None else "->" + _sublist_letters(output)), operands


def _sublist_letters(sublist: Any) -> str:
    letters = []
    for axis in _static(sublist, "an einsum sublist"):
        if axis is Ellipsis:
            letters.append("...")
        elif isinstance(axis, int | np.integer) and 0 <= axis < 52:
            letters.append(chr(ord("A") + axis) if axis < 26 else chr(ord("a") + axis - 26))
        else:
            raise CompileTimeError(f"einsum sublists hold axis numbers in [0, 52), not {axis!r}")
    return "".join(letters)


def _matmul(x1, x2, out=None, **kw):
    _unsupported("matmul", out=out, **kw)
    return P.matmul(x1, x2)


register("linear algebra", _matmul, np.matmul)
register("linear algebra", lambda a, b, out=None: P.dot(a, b), np.dot, methods=("dot",))
register("linear algebra", P.vdot, np.vdot)
register("linear algebra", P.inner, np.inner)
register("linear algebra", P.outer, np.outer)
register("linear algebra", lambda a, b, axes=2: P.tensordot(a, b, axes=_static(axes, "axes")),
         np.tensordot)
register("linear algebra", _einsum, np.einsum)
register("linear algebra", P.inv, np.linalg.inv)
register("linear algebra", P.det, np.linalg.det)
register("linear algebra", lambda a: _SLOGDET_RESULT(*P.slogdet(a)), np.linalg.slogdet)
register("linear algebra", P.solve, np.linalg.solve)
register("linear algebra", lambda a, upper=False: _cholesky(a, upper), np.linalg.cholesky)


def _result_type(example: Any) -> Any:
    """NumPy's named result of a decomposition (``SVDResult``: ``.U``, ``.S``, ``.Vh``),
    or ``tuple`` where NumPy returns a plain tuple."""
    kind = type(example)
    return kind if hasattr(kind, "_fields") else (lambda *items: tuple(items))


_SVD_RESULT = _result_type(np.linalg.svd(np.eye(1)))
_EIGH_RESULT = _result_type(np.linalg.eigh(np.eye(1)))
_SLOGDET_RESULT = _result_type(np.linalg.slogdet(np.eye(1)))


def _svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    _unsupported("svd", hermitian=hermitian or None)
    if not _static(compute_uv, "compute_uv"):
        return P.svdvals(a, compute_uv=False)
    return _SVD_RESULT(*P.svd(a, full_matrices=bool(_static(full_matrices, "full_matrices"))))


def _eigh(a, UPLO="L"):  # noqa: N803 (NumPy's name)
    return _EIGH_RESULT(*P.eigh(a, UPLO=_static(UPLO, "UPLO")))


def _pinv(a, rcond=None, hermitian=False, *, rtol=np._NoValue):
    _unsupported("pinv", hermitian=hermitian or None, rtol=rtol)
    return P.pinv(a) if rcond is None else P.pinv(a, rcond=_static(rcond, "rcond"))


register("linear algebra", _svd, np.linalg.svd)
register("linear algebra", _eigh, np.linalg.eigh)
register("linear algebra", lambda a, UPLO="L": P.eigvalsh(a, UPLO=_static(UPLO, "UPLO")),  # noqa: N803
         np.linalg.eigvalsh)
register("linear algebra", _pinv, np.linalg.pinv)
register("linear algebra", P.eig, np.linalg.eig)
register("linear algebra", P.eigvals, np.linalg.eigvals)
if hasattr(np.linalg, "svdvals"):  # NumPy 2
    register("linear algebra", lambda x: P.svdvals(x, compute_uv=False), np.linalg.svdvals)


def _cholesky(a, upper):
    """``upper=True`` reads the upper triangle of ``a`` and gives ``U`` with
    ``U^H U = a``: the conjugate transpose of the lower factor of ``a^H`` (whose lower
    triangle is that upper one), so a gradient lands in the triangle NumPy reads."""
    if not _static(upper, "upper"):
        return P.cholesky(a)
    return _adjoint(P.cholesky(_adjoint(a)))


def _adjoint(a):
    """The conjugate transpose of the last two axes (the transpose, of real values)."""
    swapped = P.swapaxes(a, axis1=-1, axis2=-2)
    dtype = getattr(getattr(a, "aval", None), "dtype", None)
    return swapped if dtype is not None and dtype.kind != "c" else P.conj(swapped)


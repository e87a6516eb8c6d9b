"""More of MindSpore's primitive classes of one computation each: element-wise
functions (``P.Hypot``, ``P.DivNoNan``, ``P.Sinc``...), running reductions
(``P.Cummax``, ``P.CumulativeLogsumexp``), searches (``P.SearchSorted``,
``P.UpperBound``) and linear algebra (``P.Cholesky``, ``P.Svd``, ``P.Qr``...). Each is
one of the ``ops`` functions, or NumPy's, with MindSpore's settings and call order (its
2.10 signatures), so the gradient is that function's. The call conventions and result
dtypes are MindSpore 2.10's (CPU), compared on the same inputs.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .operations import PrimitiveOp, Stack, stateless_classes
from .operations_slicing import Unstack
from .ops_special import gelu_tanh
from .tensor import Tensor


def _div_no_nan(x: Any, y: Any) -> Any:
    """``x / y``, and 0 where ``y`` is 0."""
    zero = y == 0
    return np.where(zero, 0, x / np.where(zero, 1, y))


def _mul_no_nan(x: Any, y: Any) -> Any:
    """``x * y``, and 0 where ``y`` is 0 (even where ``x`` is infinite or NaN); its
    derivative in ``y`` is ``x`` there too, as MindSpore's (a ``where`` choosing 0 gave
    none)."""
    return np.where(np.isfinite(x) | (y != 0), x, 0) * y


# Operators with no settings: (class name, the function their call is).
STATELESS = [
    ("Gelu", gelu_tanh), ("FastGelu", ops.fast_gelu), ("Hypot", ops.hypot),
    ("Heaviside", ops.heaviside), ("Fmax", ops.fmax), ("Gcd", ops.gcd), ("Lcm", ops.lcm),
    ("LogicalXor", ops.logical_xor), ("Sinc", ops.sinc), ("Rint", np.rint),
    ("DivNoNan", _div_no_nan), ("MulNoNan", _mul_no_nan), ("TruncateMod", ops.truncate_mod),
    ("Conj", ops.conj), ("Real", ops.real), ("Imag", ops.imag), ("Angle", ops.angle),
    ("ComplexAbs", np.abs), ("Complex", lambda real, imag: real + imag * 1j),
    ("Expand", ops.expand), ("GatherV2", ops.gather), ("TensorAdd", np.add),
    ("IndexFill", ops.index_fill), ("MatrixBandPart", ops.matrix_band_part),
    ("DiagPart", ops.diagonal),
]


class _Shrink(PrimitiveOp):
    attributes = (("lambd", 0.5),)
    shrink: Any = None

    def apply(self, x: Any) -> Any:
        return self.shrink(x, self.lambd)


class HShrink(_Shrink):
    shrink = staticmethod(ops.hardshrink)


class SoftShrink(_Shrink):
    shrink = staticmethod(ops.softshrink)


class CeLU(PrimitiveOp):
    attributes = (("alpha", 1.0),)

    def apply(self, x: Any) -> Any:
        return ops.celu(x, self.alpha)


class GLU(PrimitiveOp):
    attributes = (("axis", -1),)

    def apply(self, x: Any) -> Any:
        return ops.glu(x, self.axis)


class Logit(PrimitiveOp):
    """``log(x / (1 - x))``, ``x`` clamped to ``[eps, 1 - eps]`` when ``eps >= 0``."""

    attributes = (("eps", -1.0),)

    def apply(self, x: Any) -> Any:
        return ops.logit(x, self.eps)


class NanToNum(PrimitiveOp):
    attributes = (("nan", None), ("posinf", None), ("neginf", None))

    def apply(self, x: Any) -> Any:
        return ops.nan_to_num(x, self.nan, self.posinf, self.neginf)


class IsClose(PrimitiveOp):
    attributes = (("rtol", 1e-05), ("atol", 1e-08), ("equal_nan", False))

    def apply(self, x1: Any, x2: Any) -> Any:
        return ops.isclose(x1, x2, self.rtol, self.atol, self.equal_nan)


class Cross(PrimitiveOp):
    """The cross product along ``dim`` (MindSpore's default, -65530: the first axis of
    length 3)."""

    attributes = (("dim", -65530),)

    def apply(self, x1: Any, x2: Any) -> Any:
        return ops.cross(x1, x2, None if self.dim == -65530 else self.dim)


class Cummax(PrimitiveOp):
    """``(values, indices)``: the running maximum along ``axis`` and where it is."""

    attributes = (("axis", None),)
    running: Any = staticmethod(ops.cummax)

    def apply(self, x: Any) -> Any:
        return self.running(x, self.axis)


class Cummin(Cummax):
    running = staticmethod(ops.cummin)


class CumulativeLogsumexp(PrimitiveOp):
    """``log(cumsum(exp(x)))`` along ``axis`` (given with the input: a 0-d Tensor, as
    MindSpore takes it, or an int, which compiled code needs), ``exclusive`` of
    each entry itself (an empty sum's log being the dtype's lowest value, as
    MindSpore's), or from the end."""

    attributes = (("exclusive", False), ("reverse", False))

    def apply(self, x: Any, axis: Any) -> Any:
        axis = axis if isinstance(axis, int) else int(axis)
        y = np.flip(x, axis) if self.reverse else x
        total = ops.logcumsumexp(y, axis)
        if self.exclusive:
            n = np.shape(y)[axis]
            first = np.full_like(np.take(y, [0], axis=axis), np.finfo(y.dtype).min)
            total = np.concatenate([first, np.take(total, np.arange(n - 1), axis=axis)],
                                   axis=axis)
        return np.flip(total, axis) if self.reverse else total


class Cdist(PrimitiveOp):
    attributes = (("p", 2.0),)

    def apply(self, x1: Any, x2: Any) -> Any:
        return ops.cdist(x1, x2, self.p)


class LpNorm(PrimitiveOp):
    """The ``p``-norm over ``axis`` (an int or a list of them)."""

    attributes = (("axis", None), ("p", 2), ("keep_dims", False), ("epsilon", 1e-12))

    def apply(self, x: Any) -> Any:
        axis = tuple(self.axis) if isinstance(self.axis, (list, tuple)) else self.axis
        return np.sum(np.abs(x) ** self.p, axis=axis, keepdims=self.keep_dims) ** (1 / self.p)


class Pack(Stack):
    """The old name of ``Stack``."""


class Unpack(Unstack):
    """The old name of ``Unstack``."""


class Range(PrimitiveOp):
    """``start, start + delta, ...`` below ``limit`` (Tensors): of their float dtype,
    or int64 for integers (as MindSpore 2.10 gives them)."""

    attributes = (("maxlen", 1000000),)

    def apply(self, start: Any, limit: Any, delta: Any) -> Any:
        dtype = np.asarray(start).dtype
        dtype = np.int64 if dtype.kind in "iu" else dtype
        return Tensor(np.arange(np.asarray(start), np.asarray(limit), np.asarray(delta),
                                dtype=dtype))


class SearchSorted(PrimitiveOp):
    attributes = (("dtype", np.int64), ("right", False))

    def apply(self, sorted_sequence: Any, values: Any) -> Any:
        found = ops.searchsorted(sorted_sequence, values, right=self.right)
        return Tensor(np.asarray(found).astype(self.dtype))


class UpperBound(PrimitiveOp):
    """Per row of ``sorted_x``, where each of that row of ``values`` would go after
    equal entries (``out_type``)."""

    attributes = (("out_type", np.int32),)
    right = True

    def apply(self, sorted_x: Any, values: Any) -> Any:
        found = ops.searchsorted(sorted_x, values, right=self.right)
        return Tensor(np.asarray(found).astype(self.out_type))


class LowerBound(UpperBound):
    right = False


class Bucketize(PrimitiveOp):
    """The bucket of each entry: ``i`` with ``boundaries[i-1] <= x < boundaries[i]``."""

    attributes = (("boundaries", ()),)

    def apply(self, x: Any) -> Any:
        return ops.bucketize(x, self.boundaries, right=True)


class NonZero(PrimitiveOp):
    def apply(self, x: Any) -> Any:
        return ops.nonzero(x)


class MatrixPower(PrimitiveOp):
    attributes = (("n", 1),)

    def apply(self, x: Any) -> Any:
        return ops.matrix_power(x, self.n)


class MatrixSolve(PrimitiveOp):
    attributes = (("adjoint", False),)

    def apply(self, matrix: Any, rhs: Any) -> Any:
        return ops.matrix_solve(matrix, rhs, self.adjoint)


class Cholesky(PrimitiveOp):
    attributes = (("upper", False),)

    def apply(self, x: Any) -> Any:
        return ops.cholesky(x, self.upper)


class CholeskySolve(Cholesky):
    def apply(self, x1: Any, x2: Any) -> Any:
        return ops.cholesky_solve(x1, x2, self.upper)


class CholeskyInverse(Cholesky):
    def apply(self, x: Any) -> Any:
        return ops.cholesky_inverse(x, self.upper)


class Svd(PrimitiveOp):
    """``(s, u, v)``, as ``ops.svd``; without ``compute_uv``, ``u`` and ``v`` are a
    single 0 each, as MindSpore's."""

    attributes = (("full_matrices", False), ("compute_uv", True))

    def apply(self, x: Any) -> Any:
        if not self.compute_uv:
            s = ops.svd(x, self.full_matrices, False)
            return s, np.zeros((1,), s.dtype), np.zeros((1,), s.dtype)
        return ops.svd(x, self.full_matrices, True)


class Qr(PrimitiveOp):
    """``(q, r)``: reduced, or complete with ``full_matrices``."""

    attributes = (("full_matrices", False),)

    def apply(self, x: Any) -> Any:
        return ops.qr(x, "complete" if self.full_matrices else "reduced")


class MatrixTriangularSolve(PrimitiveOp):
    """``x`` with ``a x = rhs`` for the ``lower`` (or upper) triangle ``a`` of
    ``matrix`` (its conjugate transpose with ``adjoint``)."""

    attributes = (("lower", True), ("adjoint", False))

    def apply(self, matrix: Any, rhs: Any) -> Any:
        a = np.tril(matrix) if self.lower else np.triu(matrix)
        if self.adjoint:
            a = np.conj(np.swapaxes(a, -1, -2))
        return np.linalg.solve(a, rhs)


_made = stateless_classes(STATELESS, __name__)
globals().update(_made)

__all__ = ["HShrink", "SoftShrink", "CeLU", "GLU", "Logit", "NanToNum", "IsClose", "Cross",
           "Cummax", "Cummin", "CumulativeLogsumexp", "Cdist", "LpNorm", "Pack", "Unpack",
           "Range", "SearchSorted", "UpperBound", "LowerBound", "Bucketize", "NonZero",
           "MatrixPower", "MatrixSolve", "Cholesky", "CholeskySolve", "CholeskyInverse",
           "Svd", "Qr", "MatrixTriangularSolve", *_made]

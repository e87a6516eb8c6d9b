"""MindSpore's ``mindspore.numpy`` (``import autodiff_compiler.numpy as mnp``).

Every function NumPy computes as MindSpore does is NumPy's own function under MindSpore's
name (``mnp.exp is np.exp``, ``mnp.concatenate is np.concatenate``): inside a
differentiated function the compiler's NumPy surface handles it, with its rules, and
called eagerly on Tensors it returns Tensors (``Tensor`` is an ``ndarray`` subclass whose
``__array_wrap__`` and ``__array_function__`` keep results Tensors; NumPy arrays in give
NumPy arrays out). The constructors, with MindSpore's float32/int32 defaults, live in
``numpy_create``; the functions whose argument order or result differs from NumPy's in
``numpy_reduce``. Aliases take NumPy's keyword names where MindSpore's differ
(``mnp.ravel(x)``, ``mnp.squeeze(a, axis)`` read the same; keywords such as
``mnp.arccos(input=x)`` do not).

Tensors mixing integers and floats follow MindSpore's promotion (``Tensor``'s
``__array_ufunc__``: ``int / int`` and ``sqrt(int)`` are float32); ``vander``, ``cov``,
``corrcoef`` and ``interp`` keep float32 as MindSpore does. Measured in MindSpore and
not copied, NumPy's result kept instead (with why): ``sign`` of ints is NumPy's int
(MindSpore: float32); ``exp``, ``log``, ``floor`` of ints work (MindSpore's CPU kernels
refuse them); ``multiply(x, 2)`` works (MindSpore wants a Tensor); ``where(condition)``
alone gives NumPy's indices (MindSpore raises); ``bincount`` and ``histogram``
counts are NumPy's int64 (MindSpore: float32); ``concatenate``/``stack`` of int and
float arrays, and ``average`` of ints with float weights, are NumPy's float64
(MindSpore: the float's type); ``result_type`` returns a MindSpore type as there, but
by NumPy's promotion (int32 arrays with float32 ones give Float64 here, Float32 there;
``promote_types`` follows MindSpore).

MindSpore 2.7.1's CPU gradient of ``mnp.flip(a, 1)`` was wrong (a first column of zeros,
the rest shifted); ``flip`` here is NumPy's, its gradient the flipped cotangent, checked
against finite differences in ``tests/test_mindspore_numpy.py``.

Left out: the submodules and helpers ``dir(mindspore.numpy)`` also shows
(``array_creations``, ``array_ops``, ``logic_ops``, ``math_ops``, ``utils``,
``utils_const``, ``dtypes``, ``fft``, ``numeric_types``, ``absolute_import`` and the
``*_module`` names), which are not part of its ``__all__``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtype as mstype
from . import numpy_create, numpy_reduce
from .dtype import (
    bool_,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)
from .numpy_create import *  # noqa: F403  (constructors)
from .numpy_reduce import *  # noqa: F403  (MindSpore's argument orders)
from .ops_select import unique as _ops_unique

float_, int_, uint = float32, int32, uint32  # MindSpore's: Float32, Int32, UInt32
pi, inf, nan = np.pi, np.inf, np.nan
PINF, NINF = np.inf, -np.inf

# ---------------------------------------------------------------------------- elementwise

abs, absolute, add, subtract, multiply = (  # noqa: A001
    np.abs, np.absolute, np.add, np.subtract, np.multiply)
divide, true_divide, floor_divide, power = np.divide, np.true_divide, np.floor_divide, np.power
float_power, mod, remainder, fmod, divmod = (  # noqa: A001
    np.float_power, np.mod, np.remainder, np.fmod, np.divmod)
negative, positive, reciprocal, square, sqrt = (np.negative, np.positive, np.reciprocal,
                                                np.square, np.sqrt)
cbrt, exp, exp2, expm1 = np.cbrt, np.exp, np.exp2, np.expm1
log, log2, log10, log1p, logaddexp, logaddexp2 = (np.log, np.log2, np.log10, np.log1p,
                                                 np.logaddexp, np.logaddexp2)
sin, cos, tan, arcsin, arccos, arctan, arctan2 = (np.sin, np.cos, np.tan, np.arcsin, np.arccos,
                                                  np.arctan, np.arctan2)
sinh, cosh, tanh, arcsinh, arccosh, arctanh = (np.sinh, np.cosh, np.tanh, np.arcsinh,
                                               np.arccosh, np.arctanh)
deg2rad, rad2deg, radians, hypot, heaviside = (np.deg2rad, np.rad2deg, np.radians, np.hypot,
                                               np.heaviside)
maximum, minimum, copysign, fabs = np.maximum, np.minimum, np.copysign, np.fabs
sign, signbit, floor, ceil, trunc, rint, fix = (np.sign, np.signbit, np.floor, np.ceil,
                                                np.trunc, np.rint, np.fix)
around = round = np.round  # noqa: A001
gcd, lcm, invert, bitwise_not = np.gcd, np.lcm, np.invert, np.bitwise_not
bitwise_and, bitwise_or, bitwise_xor = np.bitwise_and, np.bitwise_or, np.bitwise_xor
isnan, isinf, isfinite, isneginf, isposinf = (np.isnan, np.isinf, np.isfinite, np.isneginf,
                                              np.isposinf)
equal, not_equal, less, less_equal = np.equal, np.not_equal, np.less, np.less_equal
greater, greater_equal = np.greater, np.greater_equal
logical_and, logical_or, logical_xor, logical_not = (np.logical_and, np.logical_or,
                                                     np.logical_xor, np.logical_not)
isclose, where, select, choose, piecewise = (np.isclose, np.where, np.select, np.choose,
                                             np.piecewise)

# ---------------------------------------------------------------------------- shapes

ravel, squeeze, expand_dims, transpose, swapaxes = (np.ravel, np.squeeze, np.expand_dims,
                                                    np.transpose, np.swapaxes)
moveaxis, rollaxis, broadcast_to, broadcast_arrays = (np.moveaxis, np.rollaxis, np.broadcast_to,
                                                      np.broadcast_arrays)
atleast_1d, atleast_2d, atleast_3d = np.atleast_1d, np.atleast_2d, np.atleast_3d
concatenate, stack, hstack, vstack, dstack, column_stack, append = (
    np.concatenate, np.stack, np.hstack, np.vstack, np.dstack, np.column_stack, np.append)
flip, fliplr, flipud, roll, rot90, tile, repeat = (np.flip, np.fliplr, np.flipud, np.roll,
                                                   np.rot90, np.tile, np.repeat)
diag, diagflat, diagonal, tril, triu, pad = (np.diag, np.diagflat, np.diagonal, np.tril, np.triu,
                                             np.pad)
take_along_axis, ix_, mgrid, ogrid = np.take_along_axis, np.ix_, np.mgrid, np.ogrid


# MindSpore's splits give tuples of Tensors and its meshgrid a list (NumPy: the other way
# round), measured in MindSpore 2.10.
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> tuple:
    return tuple(np.split(x, indices_or_sections, axis=axis))


def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> tuple:
    return tuple(np.array_split(x, indices_or_sections, axis=axis))


def hsplit(x: Any, indices_or_sections: Any) -> tuple:
    return tuple(np.hsplit(x, indices_or_sections))


def vsplit(x: Any, indices_or_sections: Any) -> tuple:
    return tuple(np.vsplit(x, indices_or_sections))


def dsplit(x: Any, indices_or_sections: Any) -> tuple:
    return tuple(np.dsplit(x, indices_or_sections))


def meshgrid(*xi: Any, sparse: bool = False, indexing: str = "xy") -> list:
    return list(np.meshgrid(*xi, sparse=sparse, indexing=indexing))

# ---------------------------------------------------------------------------- maths

matmul, outer, kron, tensordot, cross = np.matmul, np.outer, np.kron, np.tensordot, np.cross
multi_dot = np.linalg.multi_dot
cumsum, cumprod, nancumsum, diff, ediff1d = (np.cumsum, np.cumprod, np.nancumsum, np.diff,
                                             np.ediff1d)
average, gradient = np.average, np.gradient
trapz = getattr(np, "trapezoid", None) or np.trapz  # NumPy 1.x has the old name only
convolve, correlate, unwrap = np.convolve, np.correlate, np.unwrap
matrix_power = np.linalg.matrix_power


def _computed_in(x: Any) -> Any:
    """The dtype MindSpore's statistics keep: a float input's own, float32 for others."""
    dtype = np.asarray(x).dtype
    return dtype if np.issubdtype(dtype, np.floating) else np.dtype(np.float32)


def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:
    """``np.interp`` in float32, float64 where an operand is (MindSpore 2.10's dtypes)."""
    out = np.interp(x, xp, fp, left, right, period)
    wide = any(np.asarray(a).dtype == np.float64 for a in (x, xp, fp))
    return out if wide else out.astype(np.float32)


def vander(x: Any, N: Any = None, increasing: bool = False) -> Any:  # noqa: N803 (NumPy's)
    """``np.vander`` in ``x``'s dtype, as MindSpore keeps it (NumPy widens float32)."""
    return np.vander(x, N, increasing).astype(np.asarray(x).dtype)


def cov(m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: Any = None,
        fweights: Any = None, aweights: Any = None, dtype: Any = None) -> Any:
    """``np.cov`` in ``m``'s float dtype (float32 for integers), as MindSpore keeps it."""
    out = np.cov(m, y, rowvar, bias, ddof, fweights, aweights)
    return out.astype(_computed_in(m) if dtype is None else dtype)


def corrcoef(x: Any, y: Any = None, rowvar: bool = True) -> Any:
    """``np.corrcoef`` in ``x``'s float dtype (float32 for integers)."""
    return np.corrcoef(x, y, rowvar).astype(_computed_in(x))
polyadd, polysub, polymul, polyder, polyint, polyval = (np.polyadd, np.polysub, np.polymul,
                                                        np.polyder, np.polyint, np.polyval)
bartlett, blackman, hamming, hanning = np.bartlett, np.blackman, np.hamming, np.hanning
histogram, histogram2d, histogramdd, histogram_bin_edges = (np.histogram, np.histogram2d,
                                                            np.histogramdd, np.histogram_bin_edges)
bincount = np.bincount

# ---------------------------------------------------------------------------- indices, sets, logic

argwhere, isin, setdiff1d, intersect1d = np.argwhere, np.isin, np.setdiff1d, np.intersect1d


def unique(x: Any, return_inverse: bool = False) -> Any:
    """The distinct entries of ``x`` flattened, in the order they first appear, as
    MindSpore 2.10 gives them (``ops.unique``'s; NumPy sorts), and with
    ``return_inverse`` the position of each entry's value among them (flat too)."""
    values, inverse = _ops_unique(np.reshape(x, -1))
    return (values, inverse) if return_inverse else values
diag_indices, ravel_multi_index, unravel_index = (np.diag_indices, np.ravel_multi_index,
                                                  np.unravel_index)
tril_indices, tril_indices_from = np.tril_indices, np.tril_indices_from
triu_indices, triu_indices_from = np.triu_indices, np.triu_indices_from
apply_along_axis, apply_over_axes = np.apply_along_axis, np.apply_over_axes
isscalar, size, array_str, sometrue = np.isscalar, np.size, np.array_str, np.any


def in1d(ar1: Any, ar2: Any, invert: bool = False) -> Any:
    """Whether each value of the flattened ``ar1`` is in ``ar2`` (NumPy 2 dropped it)."""
    return np.isin(np.ravel(ar1), ar2, invert=invert)


def promote_types(type1: Any, type2: Any) -> mstype.Type:
    """The type both promote to, as a MindSpore type: an integer or bool with a float is
    that float (``int32`` with ``float32`` is ``Float32``, NumPy says float64)."""
    first, second = np.dtype(type1), np.dtype(type2)
    if (first.kind == "f") != (second.kind == "f") and "c" not in first.kind + second.kind:
        return mstype.of(first if first.kind == "f" else second)
    return mstype.of(np.promote_types(first, second))


def result_type(*arrays_and_dtypes: Any) -> mstype.Type:
    return mstype.of(np.result_type(*(np.dtype(a) if isinstance(a, mstype.Type) else a
                                      for a in arrays_and_dtypes)))


__all__ = [
    *numpy_create.__all__, *numpy_reduce.__all__,
    "bool_", "float16", "float32", "float64", "float_", "int8", "int16", "int32", "int64",
    "int_", "uint", "uint8", "uint16", "uint32", "uint64", "pi", "inf", "nan", "PINF",
    "NINF",
    "abs", "absolute", "add", "subtract", "multiply", "divide", "true_divide", "floor_divide",
    "power", "float_power", "mod", "remainder", "fmod", "divmod", "negative", "positive",
    "reciprocal", "square", "sqrt", "cbrt", "exp", "exp2", "expm1", "log", "log2", "log10",
    "log1p", "logaddexp", "logaddexp2", "sin", "cos", "tan", "arcsin", "arccos", "arctan",
    "arctan2", "sinh", "cosh", "tanh", "arcsinh", "arccosh", "arctanh", "deg2rad", "rad2deg",
    "radians", "hypot", "heaviside", "maximum", "minimum", "copysign", "fabs", "sign",
    "signbit", "floor", "ceil", "trunc", "rint", "fix", "around", "round", "gcd", "lcm",
    "invert", "bitwise_not", "bitwise_and", "bitwise_or", "bitwise_xor", "isnan", "isinf",
    "isfinite", "isneginf", "isposinf", "equal", "not_equal", "less", "less_equal", "greater",
    "greater_equal", "logical_and", "logical_or", "logical_xor", "logical_not", "isclose",
    "where", "select", "choose", "piecewise",
    "ravel", "squeeze", "expand_dims", "transpose", "swapaxes", "moveaxis", "rollaxis",
    "broadcast_to", "broadcast_arrays", "atleast_1d", "atleast_2d", "atleast_3d",
    "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "append", "split",
    "array_split", "hsplit", "vsplit", "dsplit", "flip", "fliplr", "flipud", "roll", "rot90",
    "tile", "repeat", "diag", "diagflat", "diagonal", "tril", "triu", "pad", "take_along_axis",
    "meshgrid", "ix_", "mgrid", "ogrid",
    "matmul", "outer", "kron", "tensordot", "cross", "multi_dot", "matrix_power", "cumsum",
    "cumprod",
    "nancumsum", "diff", "ediff1d", "average", "cov", "corrcoef", "gradient", "trapz",
    "convolve", "correlate", "interp", "unwrap", "vander", "polyadd", "polysub", "polymul",
    "polyder", "polyint", "polyval", "bartlett", "blackman", "hamming", "hanning", "histogram",
    "histogram2d", "histogramdd", "histogram_bin_edges", "bincount",
    "argwhere", "unique", "isin", "in1d", "setdiff1d", "intersect1d", "diag_indices",
    "ravel_multi_index", "unravel_index", "tril_indices", "tril_indices_from", "triu_indices",
    "triu_indices_from", "apply_along_axis", "apply_over_axes", "isscalar", "size",
    "array_str", "sometrue", "promote_types", "result_type",
]

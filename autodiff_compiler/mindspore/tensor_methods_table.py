"""MindSpore's Tensor methods that are an ``ops`` function of the Tensor (``x.matmul(w)``,
``x.clamp(0, 1)``, ``x.masked_fill(m, 0)``, ``x.permute(0, 2, 1)``), its conversions
(``x.float()``, ``x.to(dtype)``) and queries (``x.numel()``, ``x.dim()``), and its
in-place methods (``x.add_(y)``), from one table.

Each method here is a Python function taking the Tensor first, with MindSpore 2.7.1's
argument names and order (which can differ from the ``ops`` function's:
``x.softmax(axis)``, ``x.logsumexp(dim, keepdim)``, ``x.split(split_size, dim)``), that
calls the ``ops`` function. ``tensor_methods.install_source_methods`` gives ``Tensor``
each, and inside a differentiated function compiles the call from this source: so
``x.clamp(0, 1)`` is exactly ``ops.clamp(x, 0, 1)``, eagerly and compiled, with one
definition. Only names NumPy's arrays lack are installed: compiled code sees plain
arrays, and ``x.sum``, ``x.max``, ``x.repeat``, ``x.view`` keep NumPy's meaning there.

Where MindSpore dispatches one method name on its arguments, so do these:
``x.gather(dim, index)`` (an ``int`` first: ``gather_elements``) or the older
``x.gather(input_indices, axis)``; ``x.select(dim, index)`` or ``x.select(condition,
y)``. Both are decided while compiling (an ``int`` is known then).

Eager only, refused inside a differentiated function at the user's line:
``x.unique()`` (its length is the data's) and ``x.is_contiguous()``. ``x.numpy()``
gives a NumPy array sharing memory; compiled, it is the array through which no
gradient flows (as in MindSpore, where a NumPy array leaves the graph).

In-place methods (``add_``, ``sub_``, ``mul_``, ``div_``, ``zero_``, ``fill_``,
``copy_``, ``clamp_``, ``masked_fill_``, ``exp_``, ``log_``, ``floor_``, ``sigmoid_``,
``tanh_``) write the new values into the Tensor, keeping its dtype, and return it, as
MindSpore's do. Inside a differentiated function they are refused at the user's line
(``tensor_methods.INPLACE``): a write into an input, or into an array another name
still reads, would change what that name's gradient means, and rebinding the name
alone would silently differ from Python; ``x = x.add(y)`` says the same exactly.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import integer_dtypes, ops, ties  # (integer_dtypes: partly loaded here)
from .tensor_methods import CONVERSIONS, numpy_compiled
from .tensor_methods_shapes import (  # noqa: F401  (the table below lists them)
    _splitter,
    broadcast_to,
    chunk,
    diag,
    diagflat,
    fill_diagonal,
    flip,
    gather,
    gather_elements,
    gather_indices,
    index_add,
    index_fill,
    index_select,
    masked_fill,
    masked_select,
    moveaxis,
    msort,
    narrow,
    permute,
    repeat,
    repeat_interleave,
    roll,
    rot90,
    select,
    select_slice,
    select_where,
    split,
    sum_to_size,
    swapdims,
    tensor_split,
    tile,
    top_k,
    topk,
    unbind,
    unique,
)
from .tensor_overloads import argsort_compiled, cumsum, extremum_plan, transpose

__all__ = ["SOURCE_METHODS", "COMPILED_AS", "TENSOR_COMPILED", "EAGER_ONLY", "INPLACE"]


def reshape_as(self: Any, other: Any) -> Any:
    return np.reshape(self, np.shape(other))


def expand(self: Any, *size: Any) -> Any:
    """``x.expand(4, -1)`` or ``x.expand((4, -1))``: -1 keeps an axis."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = tuple(size[0])
    return ops.expand(self, tuple(size))


# ---------------------------------------------------------------------------- arithmetic

def matmul(self: Any, tensor2: Any) -> Any:
    return ops.matmul(self, tensor2)


def outer(self: Any, vec2: Any) -> Any:
    return ops.outer(self, vec2)


def addmm(self: Any, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    return ops.addmm(self, mat1, mat2, beta=beta, alpha=alpha)


def addmv(self: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    return ops.addmv(self, mat, vec, beta=beta, alpha=alpha)


def addcmul(self: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Any:
    return ops.addcmul(self, tensor1, tensor2, value)


def addcdiv(self: Any, tensor1: Any, tensor2: Any, value: Any = 1) -> Any:
    return ops.addcdiv(self, tensor1, tensor2, value)


def divide(self: Any, other: Any, *, rounding_mode: Any = None) -> Any:
    return ops.divide(self, other, rounding_mode=rounding_mode)


def subtract(self: Any, other: Any, *, alpha: Any = 1) -> Any:
    return ops.subtract(self, other, alpha=alpha)


def norm(self: Any, ord: Any = None, dim: Any = None, keepdim: bool = False,  # noqa: A002
         *, dtype: Any = None) -> Any:
    return ops.norm(self, ord, dim, keepdim)


def add(self: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``self + alpha * other`` (an int alpha of 1, known when compiling: the sum alone)."""
    if np.result_type(alpha).kind in "iu" and alpha == 1:
        return np.add(self, other)
    return self + alpha * other


def where(self: Any, condition: Any, y: Any) -> Any:
    """``x.where(condition, y)``: ``x`` where ``condition`` holds, else ``y``."""
    return ops.where(condition, self, y)


def lerp(self: Any, end: Any, weight: Any) -> Any:
    return ops.lerp(self, end, weight)


def clamp(self: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002
    return ops.clamp(self, min, max)


def isclose(self: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Any:
    return ops.isclose(self, other, rtol, atol, equal_nan)


def allclose(self: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> Any:
    """Whether all entries are close: a Python bool, as MindSpore's."""
    return bool(np.all(ops.isclose(self, other, rtol, atol, equal_nan)))


def nan_to_num(self: Any, nan: Any = None, posinf: Any = None, neginf: Any = None) -> Any:
    return ops.nan_to_num(self, nan, posinf, neginf)


def logit(self: Any, eps: Any = None) -> Any:
    return ops.logit(self, eps)


def softmax(self: Any, axis: int, dtype: Any = None) -> Any:
    """``x.softmax(axis)``: ``axis`` is required, as in MindSpore; ``dtype`` casts first."""
    return ops.softmax(self if dtype is None else self.astype(dtype), axis)


def new_full(self: Any, size: Any, fill_value: Any, *, dtype: Any = None) -> Any:
    """A new Tensor of ``size`` filled with ``fill_value``, in this one's dtype unless
    told (``new_zeros``, ``new_ones`` and ``new_empty`` fill it with 0, 1 and 0)."""
    return ops.full(size, fill_value, dtype=self.dtype if dtype is None else dtype)


def new_zeros(self: Any, size: Any, *, dtype: Any = None) -> Any:
    return new_full(self, size, 0, dtype=dtype)


def new_ones(self: Any, size: Any, *, dtype: Any = None) -> Any:
    return new_full(self, size, 1, dtype=dtype)


def logsumexp(self: Any, dim: Any, keepdim: bool = False) -> Any:
    return ops.logsumexp(self, dim, keepdim)


# ---------------------------------------------------------------------------- reductions

def aminmax(self: Any, *, axis: Any = 0, keepdims: bool = False) -> Any:
    return ops.aminmax(self, axis=axis, keepdims=keepdims)


def count_nonzero(self: Any, axis: Any = (), keep_dims: bool = False, dtype: Any = None) -> Any:
    """Over ``axis`` (all axes by default), as int32 unless ``dtype`` says otherwise."""
    return ops.count_nonzero(self, axis, keep_dims, np.int32 if dtype is None else dtype)


def bincount(self: Any, weights: Any = None, minlength: int = 0) -> Any:
    return ops.bincount(self, weights, minlength)


def diff(self: Any, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Any:
    return ops.diff(self, n, axis, prepend, append)


def cov(self: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:
    return ops.cov(self, correction=correction, fweights=fweights, aweights=aweights)


def ptp(self: Any, axis: Any = None, keepdims: bool = False, *, out: None = None) -> Any:
    """The range, largest minus smallest. ``out`` only as NumPy 1.x's ``np.ptp(x)``
    passes it to the method of an array subclass: None."""
    if out is not None:
        raise TypeError("Tensor.ptp() writes no out= array: assign its result")
    return ops.amax(self, axis, keepdims) - ops.amin(self, axis, keepdims)


def argmax_with_value(self: Any, axis: int = 0, keep_dims: bool = False) -> Any:
    """``(values, indices)`` of the largest along ``axis`` (MindSpore 2.7's order)."""
    values, indices = ops.max(self, axis, keep_dims)
    return values, indices


def argmin_with_value(self: Any, axis: int = 0, keep_dims: bool = False) -> Any:
    values, indices = ops.min(self, axis, keep_dims)
    return values, indices


def inverse(self: Any) -> Any:
    return ops.inverse(self)


def det(self: Any) -> Any:
    return ops.det(self)


# ---------------------------------------------------------------------------- the table

def _unary(name: str) -> Any:
    def method(self: Any) -> Any:
        return getattr(ops, name)(self)
    return method


def _binary(name: str) -> Any:
    def method(self: Any, other: Any) -> Any:
        return getattr(ops, name)(self, other)
    return method


def _product(name: str) -> Any:  # x.mm(mat2), x.bmm(mat2)
    def method(self: Any, mat2: Any) -> Any:
        return getattr(ops, name)(self, mat2)
    return method


def _triangle(name: str) -> Any:  # x.tril(diagonal), x.triu(diagonal)
    def method(self: Any, diagonal: int = 0) -> Any:
        return getattr(ops, name)(self, diagonal)
    return method


def _shrink(name: str) -> Any:  # x.hardshrink(lambd), x.soft_shrink(lambd)
    def method(self: Any, lambd: float = 0.5) -> Any:
        return getattr(ops, name)(self, lambd)
    return method


def _reduce(name: str, axis: Any) -> Any:  # x.amax(axis, keepdims), x.median(axis, ...)
    def method(self: Any, axis: Any = axis, keepdims: bool = False) -> Any:
        return getattr(ops, name)(self, axis, keepdims)
    return method


def _nan_reduce(name: str) -> Any:  # x.nansum(axis, keepdims, *, dtype)
    def method(self: Any, axis: Any = None, keepdims: bool = False, *, dtype: Any = None) -> Any:
        return getattr(ops, name)(self, axis, keepdims, dtype=dtype)
    return method


def _quantile(name: str) -> Any:  # x.quantile(q, axis, keepdims)
    def method(self: Any, q: Any, axis: Any = None, keepdims: bool = False) -> Any:
        return getattr(ops, name)(self, q, axis, keepdims)
    return method


def _running(name: str) -> Any:  # x.cummax(axis)
    def method(self: Any, axis: int) -> Any:
        return getattr(ops, name)(self, axis)
    return method


_UNARY = ["acos", "asin", "atan", "acosh", "asinh", "atanh", "arccosh", "arcsinh",
          "arctanh", "log2", "log10", "rsqrt", "erf", "erfc", "trunc", "frac", "sinc",
          "positive", "signbit", "deg2rad", "rad2deg", "absolute", "isinf", "isfinite",
          "isneginf", "isposinf", "logical_not", "t", "fliplr", "flipud", "sgn"]
_BINARY = ["multiply", "true_divide", "floor_divide", "remainder", "fmod", "eq", "ne", "lt",
           "le", "gt", "ge", "equal", "not_equal", "greater", "greater_equal", "less",
           "less_equal", "logical_and", "logical_or", "logical_xor", "hypot", "atan2",
           "arctan2", "logaddexp", "xlogy", "float_power", "type_as", "view_as", "expand_as",
           "inner"]
_OPS_NAMES = {"sgn": "sign"}  # method name -> the ops function, where they differ


def _forwarded(name: str) -> Any:  # x.cholesky(upper), x.gcd(other): ops.name(x, ...)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(ops, name)(self, *args, **kwargs)
    return method


# Methods whose arguments are the ops function's after the Tensor, in its order
# (MindSpore 2.7.1's signatures, compared one by one).
_FORWARDED = ["addbmm", "addr", "angle", "argwhere", "baddbmm", "bitwise_and",
              "bitwise_left_shift", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
              "cholesky", "cholesky_inverse", "cholesky_solve", "copysign", "cross",
              "diagonal_scatter", "digamma", "eigvals", "erfinv", "fmax", "fmin", "fold",
              "gather_nd", "gcd", "ger", "heaviside", "histc", "i0", "igamma", "igammac",
              "inv", "invert", "isreal", "lcm", "ldexp", "lgamma", "log_matrix_determinant",
              "logaddexp2", "logdet", "lu_solve", "matrix_determinant", "matrix_power",
              "mvlgamma", "nextafter", "renorm", "reverse", "reverse_sequence",
              "select_scatter", "slice_scatter", "slogdet", "svd", "unfold",
              "unique_consecutive", "unsorted_segment_max", "unsorted_segment_min",
              "unsorted_segment_prod", "xdivy"]

SOURCE_METHODS: dict[str, Any] = {
    **{name: _forwarded(name) for name in _FORWARDED},
    **{name: _unary(_OPS_NAMES.get(name, name)) for name in _UNARY},
    **{name: _binary(name) for name in _BINARY},
    **CONVERSIONS,
    **{name: _product(name) for name in ("mm", "bmm")},
    **{name: _triangle(name) for name in ("tril", "triu")},
    **{name: _shrink(name) for name in ("hardshrink", "soft_shrink")},
    **{name: _reduce(name, None) for name in ("amax", "amin")},
    **{name: _reduce(name, -1) for name in ("median", "nanmedian")},
    **{name: _nan_reduce(name) for name in ("nansum", "nanmean")},
    **{name: _quantile(name) for name in ("quantile", "nanquantile")},
    **{name: _running(name) for name in ("cummax", "cummin", "logcumsumexp")},
    **{name: _splitter(name) for name in ("hsplit", "vsplit", "dsplit")},
    "reshape_as": reshape_as, "expand": expand, "matmul": matmul, "outer": outer,
    "addmm": addmm, "addmv": addmv, "addcmul": addcmul, "addcdiv": addcdiv, "divide": divide,
    "div": divide, "subtract": subtract, "sub": subtract, "add": add, "norm": norm,
    "where": where, "lerp": lerp, "clamp": clamp, "isclose": isclose,
    "allclose": allclose, "nan_to_num": nan_to_num, "logit": logit, "softmax": softmax,
    "logsumexp": logsumexp, "permute": permute, "broadcast_to": broadcast_to, "flip": flip,
    "rot90": rot90, "roll": roll, "tile": tile, "split": split, "chunk": chunk,
    "tensor_split": tensor_split, "unbind": unbind, "moveaxis": moveaxis, "movedim": moveaxis,
    "swapdims": swapdims, "narrow": narrow, "gather": gather,
    "gather_elements": gather_elements, "index_select": index_select,
    "masked_fill": masked_fill, "masked_select": masked_select, "diag": diag,
    "diagflat": diagflat, "topk": topk, "top_k": top_k, "msort": msort, "unique": unique,
    "repeat_interleave": repeat_interleave, "select": select, "index_add": index_add,
    "index_fill": index_fill, "aminmax": aminmax, "count_nonzero": count_nonzero,
    "bincount": bincount, "diff": diff, "cov": cov, "ptp": ptp,
    "argmax_with_value": argmax_with_value, "argmin_with_value": argmin_with_value,
    "inverse": inverse, "det": det, "fill_diagonal": fill_diagonal,
    "sum_to_size": sum_to_size,
    "new_full": new_full, "new_zeros": new_zeros, "new_ones": new_ones, "new_empty": new_zeros,
}

def max_compiled(self: Any, *args: Any, **kwargs: Any) -> Any:
    """A Tensor's ``x.max(...)`` inside a differentiated function, as eagerly."""
    plan = extremum_plan("max", args, kwargs)
    if plan[0] == "indices":
        return ops.max(self, plan[1], plan[2])
    return _along_an_axis(self, plan[1], ties.first_max, np.max)


def min_compiled(self: Any, *args: Any, **kwargs: Any) -> Any:
    """A Tensor's ``x.min(...)`` inside a differentiated function, as eagerly."""
    plan = extremum_plan("min", args, kwargs)
    if plan[0] == "indices":
        return ops.min(self, plan[1], plan[2])
    return _along_an_axis(self, plan[1], ties.first_min, np.min)


def _axis_only(names: tuple) -> bool:
    return set(names) <= {"axis", "keepdims"}


_axis_only.__evaluated_when_compiling__ = True


def _along_an_axis(x: Any, keywords: dict, first: Any, reduce: Any) -> Any:
    """``x.max(axis=1)``: along one axis, its gradient to the first of tied entries
    (MindSpore 2.10, measured; over the whole Tensor it is split among them, as
    ``np.max``'s)."""
    axis = keywords.get("axis")
    if isinstance(axis, int) and not isinstance(axis, bool) and _axis_only(tuple(keywords)):
        out = first(x, axis)
        return np.expand_dims(out, axis) if keywords.get("keepdims", False) else out
    return reduce(x, **keywords)


def flatten_compiled(self: Any, order: Any = "C", last: Any = None, *, start_dim: int = 0,
                     end_dim: int = -1) -> Any:
    """A Tensor's ``x.flatten(...)`` inside a differentiated function, as eagerly:
    ``x.flatten(1)`` gives ``start_dim`` by position (NumPy's ``order`` there)."""
    if isinstance(order, int):
        start_dim, end_dim, order = order, -1 if last is None else last, "C"
    if start_dim == 0 and end_dim == -1:
        return np.ravel(self, order)
    shape = np.shape(self)
    rank = len(shape) if len(shape) > 0 else 1
    return np.reshape(self, (*shape[:start_dim % rank], -1, *shape[end_dim % rank + 1:]))


# compiled so for values computed from Tensors only (``Var.tensor``): arrays keep
# NumPy's ``x.max(1)``, the values
def value_compiled(self: Any) -> Any:
    """``p.value()`` of a Parameter (model zoo BERT's embedding table): its data, through
    which the gradient flows as MindSpore 2.10's does."""
    return self


def mean_compiled(self: Any, axis: Any = None, keep_dims: bool = False, *,
                  keepdims: Any = None, dtype: Any = None) -> Any:
    """A Tensor's ``x.mean(...)`` inside a differentiated function, as eagerly: of
    integers, MindSpore's integer mean (``ops.mean``)."""
    keep = keep_dims if keepdims is None else keepdims
    if dtype is None and ops.integers(self):
        return ops.integer_mean(self, axis, keep)
    return np.mean(self, axis=axis, keepdims=keep, dtype=dtype)


def _moment_compiled(name: str) -> Any:
    def method(self: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
        """A Tensor's ``x.var``/``x.std`` inside a differentiated function, as eagerly:
        of integers, MindSpore's (``integer_dtypes.integer_moment``)."""
        if ops.integers(self):
            return integer_dtypes.integer_moment(self, axis, ddof, keepdims, name == "std")
        return getattr(np, name)(self, axis=axis, ddof=ddof, keepdims=keepdims)
    return method


TENSOR_COMPILED: dict[str, Any] = {"max": max_compiled, "min": min_compiled,
                                   "std": _moment_compiled("std"),
                                   "var": _moment_compiled("var"),
                                   "mean": mean_compiled, "repeat": repeat,
                                   "flatten": flatten_compiled,
                                   "transpose": transpose, "value": value_compiled,
                                   "argsort": argsort_compiled, "cumsum": cumsum}

# compiled differently from the eager method
COMPILED_AS: dict[str, Any] = {"numpy": numpy_compiled}

# compiled so, the eager method being ``Tensor``'s own (``x.asnumpy()``: PyNative's
# logging, ``print(loss.asnumpy())``; no gradient flows through a NumPy array)
COMPILED_ONLY: dict[str, Any] = {"asnumpy": numpy_compiled}

# eager only: refused inside a differentiated function (name -> why)
EAGER_ONLY: dict[str, str] = {
    "is_contiguous": "compiled code does not track memory layouts",
}

# in-place method -> the out-of-place method computing its new value
INPLACE: dict[str, str] = {
    "add_": "add", "sub_": "subtract", "mul_": "mul", "div_": "divide", "clamp_": "clamp",
    "masked_fill_": "masked_fill", "exp_": "exp", "log_": "log", "floor_": "floor",
    "sigmoid_": "sigmoid", "tanh_": "tanh", "zero_": "", "fill_": "", "copy_": "",
}

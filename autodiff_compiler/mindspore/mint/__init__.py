"""MindSpore's ``mint``: its PyTorch-style functions (``mint.sum(input, dim, keepdim)``,
``mint.transpose(input, dim0, dim1)``, ``mint.max`` giving values and indices along a
``dim``...), with ``mint.nn`` (layers, and ``functional``), ``mint.optim``,
``mint.linalg`` and ``mint.special``.

Each is NumPy, or a call of ``ops``, like the rest of the MindSpore surface: inside a
differentiated function it is compiled from this source, and needs no rule of its
own. Where ``mint`` and ``ops`` share a name and a signature the function is ``ops``'s
own; where they differ (``dim`` for ``axis``, ``correction`` for ``ddof``, PyTorch's
``gather`` and ``squeeze``, indices as int64) it is defined here, after the PyTorch
semantics ``mint`` documents. Functions whose result's length is the data's
(``unique``, ``nonzero``, ``masked_select``) compile to code of that shape known at run
time only, as NumPy's own ``np.unique`` and ``np.nonzero`` do.
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import ops
from ..dtype import float32

# The same in ``mint`` as in ``ops`` (name and signature).
from ..ops import (  # noqa: F401  (re-exported)
    acos,
    acosh,
    addcdiv,
    addcmul,
    addmm,
    addmv,
    arange,
    arccos,
    arccosh,
    arcsin,
    arcsinh,
    arctan,
    arctan2,
    arctanh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    baddbmm,
    bmm,
    broadcast_to,
    ceil,
    clamp,
    cos,
    cosh,
    div,
    dot,
    einsum,
    eq,
    erf,
    erfc,
    exp,
    exp2,
    expm1,
    eye,
    flip,
    float_power,
    floor,
    floor_divide,
    fmod,
    frac,
    full_like,
    ge,
    greater,
    greater_equal,
    gt,
    isclose,
    isfinite,
    isinf,
    isnan,
    isneginf,
    le,
    lerp,
    less,
    less_equal,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    logaddexp2,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_select,
    matmul,
    maximum,
    minimum,
    mm,
    mv,
    nan_to_num,
    ne,
    neg,
    negative,
    nonzero,
    not_equal,
    ones_like,
    outer,
    ravel,
    reciprocal,
    reshape,
    roll,
    rsqrt,
    sigmoid,
    sign,
    sin,
    sinc,
    sinh,
    sqrt,
    square,
    t,
    tan,
    tanh,
    trace,
    tril,
    triu,
    trunc,
    unbind,
    xlogy,
    zeros_like,
)
from ..tensor import Tensor
from . import linalg, nn, optim, special  # noqa: F401  (mint.nn, mint.optim...)
from .more import *  # noqa: F403  (every name of more.__all__)
from .random import *  # noqa: F403  (every name of random.__all__)
from .reductions import *  # noqa: F403  (every name of reductions.__all__)

abs, pow, sum = ops.abs, ops.pow, ops.sum  # noqa: A001  (mint's names)
clip = clamp
mul, remainder = np.multiply, np.remainder


# ---------------------------------------------------------------------------- shapes


def cat(tensors: Any, dim: int = 0) -> Any:
    return np.concatenate(tensors, axis=dim)


concat = cat


def stack(tensors: Any, dim: int = 0) -> Any:
    return np.stack(tensors, axis=dim)


def split(tensor: Any, split_size_or_sections: Any, dim: int = 0) -> Any:
    return ops.split(tensor, split_size_or_sections, dim)


def chunk(input: Any, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    return ops.chunk(input, chunks, dim)


def permute(input: Any, dims: Any) -> Any:  # noqa: A002
    return np.transpose(input, dims)


def transpose(input: Any, dim0: int, dim1: int) -> Any:  # noqa: A002
    """The two axes swapped (``ops.transpose`` takes a whole permutation)."""
    return np.swapaxes(input, dim0, dim1)


def swapaxes(input: Any, axis0: int, axis1: int) -> Any:  # noqa: A002
    return np.swapaxes(input, axis0, axis1)


def flatten(input: Any, start_dim: int = 0, end_dim: int = -1) -> Any:  # noqa: A002
    """The axes from ``start_dim`` to ``end_dim`` merged (by default all of them)."""
    return ops.flatten(input, start_dim=start_dim, end_dim=end_dim)


def squeeze(input: Any, dim: Any) -> Any:  # noqa: A002
    """The axes ``dim`` removed where they have length 1 (others are left, as PyTorch
    leaves them; NumPy would raise)."""
    shape = np.shape(input)
    dims = dim if isinstance(dim, tuple | list) else (dim,)
    return np.squeeze(input, axis=tuple(d % len(shape) for d in dims if shape[d] == 1))


def unsqueeze(input: Any, dim: int) -> Any:  # noqa: A002
    return np.expand_dims(input, dim)


def narrow(input: Any, dim: int, start: int, length: int) -> Any:  # noqa: A002
    return ops.narrow(input, dim, start, length)


def tile(input: Any, dims: Any) -> Any:  # noqa: A002
    return np.tile(input, dims)


def repeat_interleave(input: Any, repeats: Any, dim: Any = None) -> Any:  # noqa: A002
    return ops.repeat_interleave(input, repeats, dim)


def diff(input: Any, n: int = 1, dim: int = -1, prepend: Any = None,  # noqa: A002
         append: Any = None) -> Any:
    return ops.diff(input, n, dim, prepend, append)


def diag(input: Any, diagonal: int = 0) -> Any:  # noqa: A002
    return np.diag(input, k=diagonal)


def cross(input: Any, other: Any, dim: Any = None) -> Any:  # noqa: A002
    """The cross product along ``dim`` (the first axis of length 3 if None)."""
    if dim is None:
        dim = list(np.broadcast_shapes(np.shape(input), np.shape(other))).index(3)
    return np.cross(input, other, axis=dim)


def meshgrid(*tensors: Any, indexing: Any = None) -> tuple:
    """Coordinate grids, ``'ij'`` indexing unless told (PyTorch's default)."""
    return ops.meshgrid(*tensors, indexing="ij" if indexing is None else indexing)


# ---------------------------------------------------------------------------- selection


def where(condition: Any, input: Any, other: Any) -> Any:  # noqa: A002
    return np.where(condition, input, other)


def gather(input: Any, dim: int, index: Any) -> Any:  # noqa: A002
    """``out[i][j] = input[i][index[i][j]]`` (for ``dim=1``): ``index`` may be shorter
    than ``input`` on the other axes, whose leading part it then reads."""
    part = tuple(builtins.slice(None) if d == dim else builtins.slice(0, n)
                 for d, n in enumerate(np.shape(index)))
    return np.take_along_axis(input[part], index, axis=dim)


def index_select(input: Any, dim: int, index: Any) -> Any:  # noqa: A002
    return np.take(input, index, axis=dim)


def select(input: Any, dim: int, index: int) -> Any:  # noqa: A002
    """The slice at ``index`` along ``dim``, that axis removed."""
    return np.take(input, index, axis=dim)


def take(input: Any, index: Any) -> Any:  # noqa: A002
    """Entries of the flattened array at ``index``, shaped as ``index``."""
    return np.take(np.reshape(input, (-1,)), index)


def scatter(input: Any, dim: int, index: Any, src: Any) -> Any:  # noqa: A002
    return ops.scatter(input, dim, index, src)


def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:  # noqa: A002
    return ops.tensor_scatter_elements(input, index, src, dim, "add")


def topk(input: Any, k: int, dim: int = -1, largest: bool = True,  # noqa: A002
         sorted: bool = True) -> tuple:  # noqa: A002
    values, indices = ops.topk(input, k, dim, largest, sorted)
    return values, indices.astype(np.int64)


def sort(input: Any, *, dim: int = -1, descending: bool = False,  # noqa: A002
         stable: bool = False) -> tuple:
    values, indices = ops.sort(input, dim, descending)
    return values, indices.astype(np.int64)


def argsort(input: Any, dim: int = -1, descending: bool = False,  # noqa: A002
            stable: bool = False) -> Any:
    return sort(input, dim=dim, descending=descending)[1]


def unique(input: Any, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: Any = None) -> Any:
    """The distinct values in ascending order (``sorted=False`` allows any order, and
    gets this one), with each entry's place among them (int64, ``input``'s shape; along
    ``dim``, one per slice) and how often each occurs (int64) where asked for. With a
    ``dim``, the distinct slices along it (eagerly only)."""
    found = np.unique(input, return_inverse=return_inverse, return_counts=return_counts,
                      axis=dim)
    if not (return_inverse or return_counts):
        return found
    values, rest = found[0], [part.astype(np.int64) for part in found[1:]]
    if return_inverse and dim is None:  # NumPy 1 gives it flat
        rest[0] = rest[0].reshape(np.shape(input))
    return (values, *rest)


def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:  # noqa: A002
    """How often each value of ``input`` occurs (int64), or the sum of the ``weights``
    of its entries (in their dtype), in bins ``0 .. max(input)``, at least
    ``minlength`` of them."""
    if weights is None:
        return np.bincount(input, minlength=minlength).astype(np.int64)
    return np.bincount(input, weights, minlength).astype(weights.dtype)


# ---------------------------------------------------------------------------- arithmetic


def add(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input + alpha * other``."""
    return input + other if alpha == 1 else input + alpha * other


def sub(input: Any, other: Any, *, alpha: Any = 1) -> Any:  # noqa: A002
    """``input - alpha * other``."""
    return input - other if alpha == 1 else input - alpha * other


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001, A002
    return np.round(input, decimals)


def clone(input: Any) -> Any:  # noqa: A002
    return np.copy(input)


def cdist(x1: Any, x2: Any, p: float = 2.0,
          compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Any:
    return ops.cdist(x1, x2, p)


# ---------------------------------------------------------------------------- creation


def zeros(size: Any, *, dtype: Any = None) -> Tensor:
    return Tensor(np.zeros(size, dtype=float32 if dtype is None else dtype))


def ones(size: Any, *, dtype: Any = None) -> Tensor:
    return Tensor(np.ones(size, dtype=float32 if dtype is None else dtype))


def full(size: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    """PyTorch's ``full``, as ``mint``'s documents it: a Python float fills float32 (a
    causal mask ``triu(full((T, T), -inf), 1)`` keeps float32 scores float32)."""
    if dtype is None:  # a bool fills bool, an int int64 (not ``ops.full``'s int64 for all)
        dtype = float32 if isinstance(fill_value, float) else np.asarray(fill_value).dtype
    return ops.full(size, fill_value, dtype=dtype)


def linspace(start: Any, end: Any, steps: int, *, dtype: Any = None) -> Tensor:
    return Tensor(np.linspace(start, end, steps, dtype=float32 if dtype is None else dtype))


def softmax(input: Any, dim: int, *, dtype: Any = None) -> Any:  # noqa: A002
    return ops.softmax(input if dtype is None else np.asarray(input).astype(dtype), dim)


__all__ = sorted(name for name, value in list(globals().items())
                 if callable(value) and not name.startswith("_")
                 and name not in ("Any", "Tensor", "annotations", "float32"))

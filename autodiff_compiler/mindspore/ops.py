"""MindSpore's ``ops`` functions, written in NumPy.

Called directly they compute eagerly. Inside a function being differentiated they are
compiled from this very source like user code (or, for the ones aliased to NumPy,
map to primitives), so each has one definition and needs no rule of its own. Names
and argument names follow MindSpore 2.x (``ops.sum(input, dim, keepdim)``,
``ops.mean(input, axis, keep_dims)``).

Where MindSpore's result is piecewise, the gradient follows MindSpore: ``clamp``
passes the gradient at its bounds. Activations, losses and ``logsumexp`` live in
``ops_nn``, the scatters in ``ops_scatter``, ``interpolate`` in ``ops_resize`` (and more
in the other ``ops_*`` modules); all are re-exported here.

MindSpore 2.x also keeps its functional transforms here (``ops.grad``, ``ops.jvp``...,
the same objects as at its top level); they are imported from the API below. They stay
out of ``__all__``, which lists what compiled code may call (the README's table).
"""
from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from ..api import grad, value_and_grad  # noqa: F401  (MindSpore's ops.grad...)
from ..directional import jvp, vjp  # noqa: F401
from ..ir.reference import sigmoid
from ..ir.surface import stop_gradient
from ..jacobians import jacfwd, jacrev  # noqa: F401
from ..taylor import derivative, jet  # noqa: F401  (MindSpore's ops.jet, ops.derivative)
from ..vectorize import vmap  # noqa: F401
from . import (
    ops_activations,
    ops_conv3d,
    ops_ctc,
    ops_distances,
    ops_elementwise,
    ops_fft,
    ops_fft_windows,
    ops_image,
    ops_indexing,
    ops_indexing_in_place,
    ops_integer,
    ops_linalg,
    ops_linalg_products,
    ops_losses,
    ops_math,
    ops_misc,
    ops_nn,
    ops_nn_functional,
    ops_nn_sampling,
    ops_random,
    ops_reductions,
    ops_resize,
    ops_scatter,
    ops_select,
    ops_sequence,
    ops_shape,
    ops_special,
    ops_special_functions,
    ops_state,
    ops_stats,
)
from .composite import (  # noqa: F401  (composite)
    ForiLoop,
    HyperMap,
    Map,
    MultitypeFuncGraph,
    Partial,
    WhileLoop,
)
from .dtype import float32
from .gradop import GradOperation, get_grad  # noqa: F401  (MindSpore's ops.GradOperation)
from .integer_dtypes import in_dtype_of, integer_mean, integers  # noqa: F401  (Tensor, mint)
from .ops_activations import *  # noqa: F403  (re-exported: each module's __all__)
from .ops_conv import avg_pool2d, conv2d, max_pool2d
from .ops_conv3d import *  # noqa: F403
from .ops_ctc import *  # noqa: F403
from .ops_distances import *  # noqa: F403
from .ops_elementwise import *  # noqa: F403
from .ops_fft import *  # noqa: F403
from .ops_fft_windows import *  # noqa: F403
from .ops_functional_scalars import *  # noqa: F403  (``F.tuple_len``...: F's, not in __all__)
from .ops_image import *  # noqa: F403
from .ops_indexing import *  # noqa: F403
from .ops_indexing_in_place import *  # noqa: F403
from .ops_integer import *  # noqa: F403
from .ops_linalg import *  # noqa: F403
from .ops_linalg_products import *  # noqa: F403
from .ops_losses import *  # noqa: F403
from .ops_math import *  # noqa: F403
from .ops_misc import *  # noqa: F403
from .ops_nn import *  # noqa: F403
from .ops_nn_functional import *  # noqa: F403
from .ops_nn_sampling import *  # noqa: F403
from .ops_random import *  # noqa: F403
from .ops_reductions import *  # noqa: F403
from .ops_resize import *  # noqa: F403
from .ops_scatter import *  # noqa: F403
from .ops_select import *  # noqa: F403
from .ops_sequence import *  # noqa: F403
from .ops_shape import *  # noqa: F403
from .ops_special import *  # noqa: F403  (and of ops_special.__all__)
from .ops_special_functions import *  # noqa: F403
from .ops_state import assign, dropout  # noqa: F401
from .ops_stats import *  # noqa: F403
from .tensor import Tensor
from .tensor_methods import cast_written as _cast_written
from .transforms import linearize  # noqa: F401  (MindSpore's spelling)

__all__ = [
    "matmul", "bmm", "outer", "inner", "tensor_dot", "einsum", "trace", "det", "inverse",
    "ones", "zeros", "ones_like", "zeros_like", "full", "full_like", "eye", "arange", "linspace",
    "stop_gradient",
    "add", "sub", "mul", "div", "neg", "pow", "square", "sqrt", "rsqrt", "reciprocal", "exp",
    "log", "log1p", "expm1", "abs", "sign", "sin", "cos", "tan", "tanh", "sinh", "cosh", "atan2",
    "maximum", "minimum", "clamp", "clip", "where", "floor", "ceil", "round", "isnan", "isfinite",
    "logical_and", "logical_or", "logical_not", "equal", "not_equal", "greater", "greater_equal",
    "less", "less_equal", "gt", "ge", "lt", "le", "eq", "ne", "reshape", "transpose", "permute",
    "swapaxes", "squeeze", "expand_dims", "unsqueeze", "flatten", "broadcast_to", "concat", "cat",
    "stack", "split", "tile", "flip", "gather", "sigmoid", "cast", "fill", "select", "conv2d",
    "max_pool2d", "avg_pool2d",
    *ops_nn.__all__, *ops_activations.__all__, *ops_distances.__all__,
    *ops_select.__all__, *ops_special.__all__, *ops_state.__all__, *ops_scatter.__all__,
    *ops_resize.__all__, *ops_losses.__all__, *ops_ctc.__all__, *ops_image.__all__,
    *ops_math.__all__, *ops_misc.__all__, *ops_stats.__all__, *ops_shape.__all__,
    *ops_random.__all__, *ops_linalg.__all__, *ops_elementwise.__all__, *ops_integer.__all__,
    *ops_special_functions.__all__,
    *ops_indexing.__all__, *ops_indexing_in_place.__all__, *ops_sequence.__all__,
    *ops_linalg_products.__all__, *ops_nn_functional.__all__, *ops_nn_sampling.__all__,
    *ops_fft.__all__, *ops_fft_windows.__all__, *ops_conv3d.__all__, *ops_reductions.__all__,
    "slice",
]
slice = ops_indexing.slice_  # noqa: A001  (MindSpore's ops.slice; Python's in other modules)

# ---------------------------------------------------------------------------- aliases


def trace(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """The sum of the main diagonal: a Tensor, as MindSpore's (``np.trace`` of a Tensor
    gives a NumPy scalar), of integers in their dtype (``Tensor.trace`` widens to int64
    there, as NumPy's)."""
    return in_dtype_of(np.sum(np.diagonal(input)), input)


matmul = bmm = np.matmul
outer, inner, einsum = np.outer, np.inner, np.einsum
tensor_dot = np.tensordot
inverse = np.linalg.inv


def det(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """The determinant: a Tensor, as MindSpore's (``np.linalg.det`` of one matrix gives
    a NumPy scalar)."""
    return Tensor(np.linalg.det(input))
exp, log, log1p, expm1, tanh, sin, cos, tan = (np.exp, np.log, np.log1p, np.expm1, np.tanh,
                                               np.sin, np.cos, np.tan)
sinh, cosh, atan2 = np.sinh, np.cosh, np.arctan2
sqrt, square, reciprocal, sign, neg = np.sqrt, np.square, np.reciprocal, np.sign, np.negative
abs, maximum, minimum, where = np.abs, np.maximum, np.minimum, np.where  # noqa: A001
select = np.where
add, sub, mul = np.add, np.subtract, np.multiply
floor, ceil, isnan, isfinite = np.floor, np.ceil, np.isnan, np.isfinite
logical_and, logical_or, logical_not = np.logical_and, np.logical_or, np.logical_not
equal, not_equal, greater, greater_equal = np.equal, np.not_equal, np.greater, np.greater_equal
less, less_equal = np.less, np.less_equal
gt, ge, lt, le, eq, ne = greater, greater_equal, less, less_equal, equal, not_equal
swapaxes, tile = np.swapaxes, np.tile


def broadcast_to(input: Any, shape: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``np.broadcast_to``, where ``-1`` keeps the input's size on that axis (its axes
    aligned with the shape's last ones), as MindSpore's."""
    shape = tuple(shape)
    lead = len(shape) - np.ndim(input)
    return np.broadcast_to(input, tuple(np.shape(input)[i - lead] if s == -1 and i >= lead
                                        else s for i, s in enumerate(shape)))
sigmoid = sigmoid


# ---------------------------------------------------------------------------- constructors


def ones(shape: Any, dtype: Any = None) -> Tensor:
    return Tensor(np.ones(shape, dtype=float32 if dtype is None else dtype))


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    return Tensor(np.zeros(shape, dtype=float32 if dtype is None else dtype))


def ones_like(input: Any, *, dtype: Any = None) -> Tensor:  # noqa: A002 (MindSpore's name)
    return Tensor(np.ones_like(input, dtype=dtype))


def zeros_like(input: Any, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return Tensor(np.zeros_like(input, dtype=dtype))


def full(size: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:
    """``fill_value`` everywhere; without ``dtype``, int64 (a float rounded toward zero),
    as MindSpore 2.10 documents (``ops.full((2, 3), 1.2)`` is Int64 ones) and computes."""
    return Tensor(np.full(size, fill_value, dtype=np.int64 if dtype is None else dtype))


def fill(type: Any, shape: Any, value: Any) -> Tensor:  # noqa: A002 (MindSpore's names)
    return Tensor(np.full(shape, value, dtype=type))


def full_like(input: Any, fill_value: Any, *, dtype: Any = None) -> Tensor:  # noqa: A002
    return Tensor(np.full_like(input, fill_value, dtype=dtype))


def eye(n: int, m: Any = None, dtype: Any = None) -> Tensor:
    return Tensor(np.eye(n, m, dtype=float32 if dtype is None else dtype))


def arange(start: Any = 0, end: Any = None, step: Any = 1, *, dtype: Any = None) -> Tensor:
    """int64 from ints; from a Python float, float32 (MindSpore's default float)."""
    values = np.arange(start, dtype=dtype) if end is None else \
        np.arange(start, end, step, dtype=dtype)
    given = [v for v in (start, end, step) if v is not None]
    wide = [v for v in given if not isinstance(v, float) and np.asarray(v).dtype == np.float64]
    if dtype is None and values.dtype == np.float64 and not wide:  # (a float64 array kept)
        return Tensor(values, float32)
    return Tensor(values)


def linspace(start: Any, end: Any, steps: int) -> Tensor:
    return Tensor(np.linspace(start, end, steps, dtype=float32))


# ---------------------------------------------------------------------------- elementwise


def div(input: Any, other: Any, *, rounding_mode: Any = None) -> Any:  # noqa: A002
    if rounding_mode == "floor":
        return np.floor_divide(input, other)
    if rounding_mode == "trunc":
        return np.trunc(input / other)
    return input / other


def pow(input: Any, exponent: Any) -> Any:  # noqa: A001, A002
    return np.power(input, exponent)


def rsqrt(input: Any) -> Any:  # noqa: A002
    return 1 / np.sqrt(input)


def round(input: Any) -> Any:  # noqa: A001, A002
    return np.round(input)


def clamp(input: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002
    """``input`` limited to ``[min, max]``; a bound of ``None`` is no bound. A value on
    a bound gets the gradient, as in MindSpore."""
    return np.clip(input, min, max)


clip = clamp

# ---------------------------------------------------------------------------- shapes


def reshape(input: Any, shape: Any) -> np.ndarray:  # noqa: A002
    return np.reshape(input, shape)


def transpose(input: Any, input_perm: Any) -> np.ndarray:  # noqa: A002
    return np.transpose(input, input_perm)


def permute(input: Any, axis: Any) -> np.ndarray:  # noqa: A002
    return np.transpose(input, axis)


def squeeze(input: Any, axis: Any = None) -> np.ndarray:  # noqa: A002
    return np.squeeze(input, axis=axis)


def expand_dims(input_x: Any, axis: int) -> np.ndarray:
    return np.expand_dims(input_x, axis)


def unsqueeze(input: Any, dim: int) -> np.ndarray:  # noqa: A002
    return np.expand_dims(input, dim)


def flatten(input: Any, order: str = "C", *, start_dim: int = 1,  # noqa: A002
            end_dim: int = -1) -> Any:
    """Merge the axes from ``start_dim`` to ``end_dim`` (by default all but the first)."""
    return np.reshape(input, _merged(np.shape(input), start_dim, end_dim))


def _merged(shape: tuple, start: int, end: int) -> tuple:
    """``shape`` with the axes from ``start`` to ``end`` merged into one (``-1``)."""
    end = end % len(shape) + 1 if shape else 1
    return (*shape[:start], -1, *shape[end:])


_merged.__evaluated_when_compiling__ = True  # a pure function of a shape known when compiling


def concat(tensors: Any, axis: int = 0) -> np.ndarray:
    return np.concatenate(tensors, axis=axis)


cat = concat


def stack(tensors: Any, axis: int = 0) -> np.ndarray:
    return np.stack(tensors, axis=axis)


def split(tensor: Any, split_size_or_sections: Any, axis: int = 0) -> Any:
    """Pieces of ``split_size_or_sections`` entries each (an int), or of the sizes
    listed, along ``axis``."""
    return tuple(np.split(tensor, _cuts(split_size_or_sections, np.shape(tensor)[axis]),
                          axis=axis))  # a tuple, as MindSpore's


def _cuts(sizes: Any, n: int) -> tuple:
    """Where pieces of ``sizes`` (one size for all, or each listed) start, but the first."""
    if isinstance(sizes, int):
        return tuple(builtins.range(sizes, n, sizes))  # (this module's range is MindSpore's)
    return tuple(int(c) for c in np.cumsum(sizes)[:-1])


_cuts.__evaluated_when_compiling__ = True  # a pure function of sizes known when compiling


def flip(input: Any, dims: Any) -> np.ndarray:  # noqa: A002
    return np.flip(input, axis=dims)


def gather(input_params: Any, input_indices: Any, axis: int, batch_dims: int = 0) -> Any:
    """The entries of ``input_params`` at ``input_indices`` along ``axis``; with
    ``batch_dims``, the leading axes both share are batch axes, each batch gathering with
    its own indices (shape ``params[:axis] + indices[batch_dims:] + params[axis + 1:]``)."""
    if not batch_dims:
        return np.take(input_params, input_indices, axis=axis)
    batch = np.shape(input_params)[:batch_dims]
    n = int(np.prod(batch))
    params = np.reshape(input_params, (n, *np.shape(input_params)[batch_dims:]))
    indices = np.reshape(input_indices, (n, *np.shape(input_indices)[batch_dims:]))
    along = axis % np.ndim(input_params) - batch_dims + 1  # its axis once batches are one
    params = np.moveaxis(params, along, 1)
    rows = np.reshape(np.arange(n), (n, *(1,) * (np.ndim(indices) - 1)))
    out = params[rows, indices]  # (n, *indices' own axes, *the rest of params')
    k, before = np.ndim(indices) - 1, along - 1
    if k and before:  # the params' axes before the gathered one come first
        out = np.moveaxis(out, tuple(builtins.range(1, 1 + k)),
                          tuple(builtins.range(1 + before, 1 + before + k)))
    return np.reshape(out, (*batch, *np.shape(out)[1:]))


def cast(input: Any, dtype: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``input`` as ``dtype`` (``mstype.float32`` or a NumPy dtype); a float cast carries
    the gradient, cast back to the input's dtype (an integer one's truncated, as
    MindSpore casts it)."""
    return _cast_written(input.astype(dtype), input)


# MindSpore's ops.range(start, end, step): its length is its values', so it is eager
# only and stays out of __all__ (what compiled code may call).
range = ops_shape.range  # noqa: A001


# MindSpore's primitive classes (``ops.MatMul()``...; ``ops.operations as P``) call the
# functions above, so they come last; ``from mindspore.ops import constexpr`` (a
# function of values known when compiling: any function here) with them.
from . import operations  # noqa: E402, F401
from .context import constexpr  # noqa: E402, F401
from .operations import *  # noqa: E402, F403  (every class of operations.__all__)


def __getattr__(name: str) -> Any:
    """``ops.Custom``, ``ops.HookBackward``, ``ops.InsertGradientOf`` and
    ``ops.max_unpool2d``, made on first use (they are Cells or make one, and ``nn``
    imports this module)."""
    if name == "Custom":
        from .custom_op import Custom
        return Custom
    if name in ("HookBackward", "InsertGradientOf"):
        from . import gradient_hooks
        return getattr(gradient_hooks, name)
    if name == "max_unpool2d":  # (the Cell MaxUnpool2d's)
        from .layers_functional import max_unpool2d
        return max_unpool2d
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""MindSpore's ``ops`` beyond arithmetic and shapes: ``erf`` and the exact ``gelu``,
masking, clipping by value and by global norm, ordering (``topk``, ``sort``), gathering
along an axis, padding, ``kl_div``, ``depend`` and ``shape``; re-exported by ``ops``.

NumPy has no ``erf``, so it is a primitive of its own (registered through ``extend``,
as a user registers a function the compiler cannot read): SciPy's ufunc where SciPy is
installed, else Python's ``math.erf`` per value, the dtype kept either way; its
derivative is ``2 / sqrt(pi) exp(-x^2)``.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import extend
from ..ir.surface import stop_gradient
from .integer_dtypes import int_param
from .ops_nn import reduce

__all__ = ["erf", "erfc", "gelu", "masked_fill", "clip_by_value", "clip_by_global_norm",
           "topk", "sort", "gather_elements", "gather_d", "pad", "kl_div", "depend", "shape"]

_TWO_OVER_ROOT_PI = 2.0 / math.sqrt(math.pi)
_math_erf = np.frompyfunc(math.erf, 1, 1)


def _in_dtype_of(out: Any, input: Any) -> Any:  # noqa: A002
    """``out`` in ``input``'s float dtype (SciPy has no float16 loops)."""
    dtype = getattr(input, "dtype", None)
    return out.astype(dtype) if dtype is not None and dtype.kind == "f" and \
        out.dtype != dtype else out


def _erfc_values(input: Any) -> Any:  # noqa: A002
    """``erfc`` of every value, by SciPy's (exact where ``1 - erf`` cancels: 1e-5 at 3.1
    is 0 in float16 that way); where SciPy is missing, ``1 - erf``."""
    try:
        from scipy.special import erfc as scipy_erfc
    except ImportError:
        return 1.0 - _erf_values(input)
    return _in_dtype_of(scipy_erfc(input), input)


def _erf_values(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``erf`` of every value of ``input``, in its float dtype (float64 for integers;
    SciPy has no float16 loop: its float32 result is cast back, as MindSpore keeps
    float16). SciPy's is a ufunc, so other arrays (dask's) stay lazy through it."""
    try:
        from scipy.special import erf as scipy_erf
    except ImportError:
        if hasattr(input, "map_blocks"):  # a dask array: block by block, lazily
            return input.map_blocks(_erf_values)
        values = np.asarray(input)
        dtype = values.dtype if values.dtype.kind == "f" else np.dtype(np.float64)
        out = np.asarray(_math_erf(values), dtype=dtype)
        return out[()] if out.ndim == 0 else out
    return _in_dtype_of(scipy_erf(input), input)


_erf = extend.defprimitive(_erf_values, "ops_erf", elementwise=True)
extend.defelementwise(_erf, lambda d, ans, x: d * (_TWO_OVER_ROOT_PI * np.exp(-(x * x))))
_erfc = extend.defprimitive(_erfc_values, "ops_erfc", elementwise=True)
extend.defelementwise(_erfc, lambda d, ans, x: d * (-_TWO_OVER_ROOT_PI * np.exp(-(x * x))))


def erf(input: Any) -> Any:  # noqa: A002
    """The error function, ``2 / sqrt(pi)`` times the integral of ``exp(-t^2)`` from 0."""
    return _erf_values(input)


def erfc(input: Any) -> Any:  # noqa: A002
    return _erfc_values(input)


def gelu(input_x: Any, approximate: str = "none") -> Any:
    """``x P(X <= x)`` for a standard normal ``X``: ``x (1 + erf(x / sqrt 2)) / 2``;
    ``approximate="tanh"`` is the tanh form MindSpore's ``nn.GELU()`` uses by default."""
    if approximate == "tanh":
        if getattr(input_x, "dtype", None) == np.float16:  # in float32, rounded once at
            # the end (MindSpore's; float16 steps cancel 1 + tanh to 0)
            return _gelu_tanh(input_x.astype(np.float32)).astype(np.float16)
        return _gelu_tanh(input_x)
    if approximate != "none":
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', not {approximate!r}")
    return 0.5 * input_x * (1.0 + _erf_values(input_x * 0.7071067811865476))


def _gelu_tanh(x: Any) -> Any:
    inner = 0.7978845608028654 * (x + 0.044715 * x * x * x)
    return 0.5 * x * (1.0 + np.tanh(inner))


def gelu_tanh(input_x: Any) -> Any:
    """``gelu(x, approximate="tanh")``: MindSpore's ``GeLU`` operator object."""
    return gelu(input_x, "tanh")


def masked_fill(input_x: Any, mask: Any, value: Any) -> Any:
    """``value`` where ``mask`` holds, ``input_x`` elsewhere, in ``input_x``'s dtype."""
    return np.where(mask, value, input_x).astype(input_x.dtype)


def clip_by_value(x: Any, clip_value_min: Any = None, clip_value_max: Any = None) -> Any:
    """``x`` limited to the bounds (``None``: no bound), as ``maximum`` then ``minimum``:
    a value on a bound gets half the gradient, as in MindSpore 2.7. A tuple or list of
    Tensors (gradients, usually) is clipped tensor by tensor into a tuple, as
    MindSpore 2.10 does."""
    if isinstance(x, tuple | list):
        return tuple([_clip_one(t, clip_value_min, clip_value_max) for t in x])
    return _clip_one(x, clip_value_min, clip_value_max)


def _clip_one(x: Any, clip_value_min: Any, clip_value_max: Any) -> Any:
    if clip_value_min is not None:  # (of integers, the bound in their dtype: -0.5 is 0)
        x = np.maximum(x, int_param(clip_value_min, x))
    if clip_value_max is not None:
        x = np.minimum(x, int_param(clip_value_max, x))
    return x


def clip_by_global_norm(x: Any, clip_norm: float = 1.0, use_norm: Any = None) -> Any:
    """The tensors of ``x`` (gradients, usually) scaled by ``clip_norm / max(norm,
    clip_norm)``, ``norm`` the 2-norm of all their values together (or ``use_norm``):
    unchanged when that norm is at most ``clip_norm``."""
    if use_norm is None:
        use_norm = np.sqrt(sum([np.sum(np.square(t)) for t in x]))
    scale = clip_norm / np.maximum(use_norm, clip_norm)
    return tuple([(t * scale).astype(t.dtype) for t in x])


def topk(input: Any, k: int, dim: Any = None, largest: bool = True,  # noqa: A002
         sorted: bool = True) -> tuple:  # noqa: A002
    """``(values, indices)`` of the ``k`` largest (smallest) along ``dim`` (the last),
    in order, the first of equal values first; indices int32. The values' gradient
    goes to the places they came from."""
    axis = -1 if dim is None else dim
    order = np.argsort(-input if largest else input, axis=axis, kind="stable")
    indices = np.take(order, np.arange(k), axis=axis)
    return np.take_along_axis(input, indices, axis=axis), indices.astype(np.int32)


def sort(input_x: Any, axis: int = -1, descending: bool = False) -> tuple:
    """``(values, indices)`` sorted along ``axis`` (stably); indices int32."""
    order = np.argsort(-input_x if descending else input_x, axis=axis, kind="stable")
    return np.take_along_axis(input_x, order, axis=axis), order.astype(np.int32)


def gather_elements(input: Any, dim: int, index: Any) -> Any:  # noqa: A002
    return np.take_along_axis(input, index, axis=dim)


def gather_d(x: Any, dim: int, index: Any) -> Any:
    """``gather_elements`` under its older name."""
    return np.take_along_axis(x, index, axis=dim)


_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(input_x: Any, padding: Any, mode: str = "constant", value: Any = None) -> Any:
    """``padding`` pairs (before, after) from the last axis backwards, as MindSpore
    (and PyTorch) list them; ``constant`` pads with ``value`` (0), ``reflect``,
    ``replicate`` and ``circular`` as their names say. A negative width crops that
    many entries off that end, as MindSpore's does."""
    widths = _pad_widths(np.ndim(input_x), tuple(padding))
    if any(w < 0 for pair in widths for w in pair):
        input_x = input_x[_cropped(widths, np.shape(input_x))]
        widths = tuple((max(before, 0), max(after, 0)) for before, after in widths)
    if mode == "constant":
        return np.pad(input_x, widths, constant_values=0 if value is None else value)
    return np.pad(input_x, widths, mode=_PAD_MODES[mode])


def _pad_widths(ndim: int, padding: tuple) -> tuple:
    """NumPy's ``pad_width``: a (before, after) pair per axis, first axis first."""
    pairs = {ndim - 1 - i // 2: (padding[i], padding[i + 1])
             for i in range(0, len(padding), 2)}
    return tuple(pairs.get(axis, (0, 0)) for axis in range(ndim))


_pad_widths.__evaluated_when_compiling__ = True  # a pure function of numbers known then


def _cropped(widths: tuple, shape: tuple) -> tuple:
    """The slices keeping what negative widths do not crop."""
    return tuple(slice(max(-before, 0), size - max(-after, 0))
                 for (before, after), size in zip(widths, shape))


_cropped.__evaluated_when_compiling__ = True


def kl_div(logits: Any, labels: Any, reduction: str = "mean") -> Any:
    """``labels (log labels - logits)``, ``0 log 0`` taken as 0, with ``logits`` the
    log-probabilities; ``batchmean`` divides the sum by the first axis's length. No
    gradient reaches ``labels``: MindSpore's ``KLDivLoss`` gives them zero (2.10,
    measured), as it does the labels of its other cross-entropies."""
    labels = stop_gradient(labels)
    positive = labels > 0
    entropy = np.where(positive, labels * np.log(np.where(positive, labels, 1.0)), 0.0)
    loss = entropy - labels * logits
    if reduction == "batchmean":
        return np.sum(loss) / np.shape(logits)[0]
    return reduce(loss, reduction)


def depend(value: Any, expr: Any) -> Any:
    """``value``, once ``expr`` has run: graph mode's way to order a side effect (an
    optimizer's update) before a result. Python runs ``expr`` first anyway."""
    return value


def shape(input_x: Any) -> tuple:
    return np.shape(input_x)

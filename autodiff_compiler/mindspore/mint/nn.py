"""``mint.nn``: PyTorch-style layers (``Linear(in_features, out_features)``,
``LayerNorm`` with ``weight`` and ``bias``, ``Conv2d`` with ``padding``...) and losses,
each a ``Cell`` whose ``construct`` calls ``mint.nn.functional``. Parameters are named
as PyTorch and ``mint`` name them (``weight``, ``bias``), so checkpoints match."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import layers, layers_image
from ..dtype import float32
from ..initializer import HeUniform, Normal, Uniform, initializer
from ..layers_1d import AdaptiveAvgPool1d, AdaptiveAvgPool2d, ZeroPad2d
from ..layers_image import (
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    PixelShuffle,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
)
from ..nn import Cell, Dense, Flatten
from ..tensor import Parameter
from . import functional

F = functional  # (``mint.nn.F``, as mint has it)


class Linear(Dense):
    """``x @ weight.T + bias``, ``weight`` shaped (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 weight_init: Any = None, bias_init: Any = None, dtype: Any = None) -> None:
        super().__init__(in_features, out_features, weight_init, bias_init, has_bias=bias,
                         dtype=float32 if dtype is None else dtype)
        self.in_features, self.out_features = in_features, out_features


class Identity(layers.Identity):
    def __init__(self, *args: Any, **kwargs: Any) -> None:  # (PyTorch ignores them too)
        super().__init__()


class _Activation(Cell):
    """A layer applying ``functional.<name>`` with the options it was made with."""

    function = "relu"
    options: tuple[str, ...] = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        kwargs.pop("inplace", None)
        self.settings = dict(zip(self.options, args)) | kwargs

    def construct(self, x: Any) -> Any:
        return getattr(functional, self.function)(x, **self.settings)


def _activation(name: str, function: str, *options: str) -> type:
    return type(name, (_Activation,), {"function": function, "options": options,
                                       "__doc__": f"``mint.nn.functional.{function}`` as a "
                                                  "layer.", "__module__": __name__})


ReLU, ReLU6, SiLU = _activation("ReLU", "relu"), _activation("ReLU6", "relu6"), \
    _activation("SiLU", "silu")
Sigmoid, Tanh, Mish = _activation("Sigmoid", "sigmoid"), _activation("Tanh", "tanh"), \
    _activation("Mish", "mish")
SELU, LogSigmoid = _activation("SELU", "selu"), _activation("LogSigmoid", "logsigmoid")
Hardsigmoid, Hardswish = _activation("Hardsigmoid", "hardsigmoid"), \
    _activation("Hardswish", "hardswish")
GELU = _activation("GELU", "gelu", "approximate")
ELU = _activation("ELU", "elu", "alpha")
Hardtanh = _activation("Hardtanh", "hardtanh", "min_val", "max_val")
Threshold = _activation("Threshold", "threshold", "threshold", "value")
Softshrink = _activation("Softshrink", "softshrink", "lambd")
Hardshrink = _activation("Hardshrink", "hardshrink", "lambd")
GLU = _activation("GLU", "glu", "dim")
Softmax = _activation("Softmax", "softmax", "dim")
LogSoftmax = _activation("LogSoftmax", "log_softmax", "dim")


class PReLU(Cell):
    """``max(0, x) + weight * min(0, x)``: one learned slope, or one per channel."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, dtype: Any = None) -> None:
        super().__init__()
        self.weight = Parameter(np.full((num_parameters,), init, float32 if dtype is None
                                        else dtype), name="weight")

    def construct(self, x: Any) -> Any:
        return functional.prelu(x, self.weight)


class Dropout(layers.Dropout):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__(p=p)


class LayerNorm(Cell):
    """Normalised over the last ``len(normalized_shape)`` axes, then ``* weight + bias``."""

    def __init__(self, normalized_shape: Any, eps: float = 1e-05,
                 elementwise_affine: bool = True, bias: bool = True, dtype: Any = None) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) \
            else tuple(normalized_shape)
        self.normalized_shape, self.eps = shape, eps
        dtype = float32 if dtype is None else dtype
        self.weight = Parameter(np.ones(shape, dtype), name="weight") \
            if elementwise_affine else None
        self.bias = Parameter(np.zeros(shape, dtype), name="bias") \
            if elementwise_affine and bias else None

    def construct(self, x: Any) -> Any:
        return functional.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)


class Embedding(Cell):
    """Rows of ``weight`` (num_embeddings, embedding_dim), drawn from N(0, 1), picked by
    integer ids; the row ``padding_idx`` starts at zero and gets no gradient."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: Any = None,
                 max_norm: Any = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False, _weight: Any = None,
                 _freeze: bool = False, dtype: Any = None) -> None:
        super().__init__()
        dtype = float32 if dtype is None else dtype
        table = np.asarray(initializer(Normal(1.0), (num_embeddings, embedding_dim), dtype)) \
            if _weight is None else np.array(_weight, dtype)
        if padding_idx is not None:
            table[padding_idx] = 0
        self.padding_idx, self.max_norm = padding_idx, max_norm
        self.weight = Parameter(table, name="weight", requires_grad=not _freeze)

    def construct(self, ids: Any) -> Any:
        return functional.embedding(ids, self.weight, self.padding_idx, self.max_norm)


class Conv2d(Cell):
    """A 2-d convolution of NCHW input, PyTorch's arguments (``padding`` a number, a
    pair, ``'valid'`` or ``'same'``; ``groups``), PyTorch's initialisation."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", dtype: Any = None) -> None:
        super().__init__()
        if padding_mode != "zeros":
            raise ValueError(f"Conv2d: padding_mode {padding_mode!r} is not supported; pad "
                             "with mint.nn.functional.pad first")
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        dtype = float32 if dtype is None else dtype
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)),
                                            (out_channels, in_channels // groups, kh, kw), dtype),
                                name="weight")
        bound = 1 / math.sqrt(in_channels // groups * kh * kw)
        self.bias = Parameter(initializer(Uniform(bound), (out_channels,), dtype), name="bias") \
            if bias else None

    def construct(self, x: Any) -> Any:
        return functional.conv2d(x, self.weight, self.bias, self.stride, self.padding,
                                 self.dilation, self.groups)


class _Pool(Cell):
    function = "max_pool2d"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.args, self.kwargs = args, kwargs

    def construct(self, x: Any) -> Any:
        return getattr(functional, self.function)(x, *self.args, **self.kwargs)


class MaxPool2d(_Pool):
    function = "max_pool2d"


class AvgPool2d(_Pool):
    function = "avg_pool2d"


class AvgPool1d(_Pool):
    function = "avg_pool1d"


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class ZeroPad3d(ConstantPad3d):
    def __init__(self, padding: Any) -> None:
        super().__init__(padding, 0.0)


class Upsample(Cell):
    """``functional.interpolate`` to ``size``, or to the spatial sizes times
    ``scale_factor`` (rounded down): a factor becomes the size it gives, which for a
    whole factor samples as PyTorch does (``ops.interpolate`` refuses a factor in
    ``nearest`` mode of 4-d input, as MindSpore's does)."""

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: Any = None, recompute_scale_factor: Any = None) -> None:
        super().__init__()
        self.size, self.scale_factor, self.mode = size, scale_factor, mode
        self.align_corners = align_corners

    def construct(self, x: Any) -> Any:
        size = self.size
        if size is None:
            spatial = x.shape[2:]
            factors = self.scale_factor if isinstance(self.scale_factor, tuple | list) \
                else (self.scale_factor,) * len(spatial)
            size = tuple(int(n * f) for n, f in zip(spatial, factors))
        return functional.interpolate(x, size, None, self.mode, self.align_corners)


class Dropout2d(layers_image.Dropout2d):
    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__(p)


class Conv1d(Cell):
    """A 1-d convolution of ``(N, C, L)`` input, PyTorch's arguments and initialisation."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: Any = 1,
                 padding: Any = 0, dilation: Any = 1, groups: int = 1, bias: bool = True,
                 padding_mode: str = "zeros", dtype: Any = None) -> None:
        super().__init__()
        square = Conv2d(in_channels, out_channels, (1, kernel_size), 1, 0, 1, groups, bias,
                        padding_mode, dtype)
        self.weight = Parameter(np.asarray(square.weight)[:, :, 0, :], name="weight")
        self.bias = Parameter(np.asarray(square.bias), name="bias") if bias else None
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def construct(self, x: Any) -> Any:
        return functional.conv1d(x, self.weight, self.bias, self.stride, self.padding,
                                 self.dilation, self.groups)


class _Loss(Cell):
    """A loss layer: ``functional.<name>(input, target, **options)``."""

    function = "mse_loss"
    options: tuple[str, ...] = ("reduction",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.settings = dict(zip(self.options, args)) | kwargs

    def construct(self, input: Any, target: Any) -> Any:  # noqa: A002
        return getattr(functional, self.function)(input, target, **self.settings)


def _loss(name: str, function: str, *options: str) -> type:
    return type(name, (_Loss,), {"function": function, "options": options or ("reduction",),
                                 "__doc__": f"``mint.nn.functional.{function}`` as a layer.",
                                 "__module__": __name__})


MSELoss, L1Loss = _loss("MSELoss", "mse_loss"), _loss("L1Loss", "l1_loss")
SoftMarginLoss = _loss("SoftMarginLoss", "soft_margin_loss")
SmoothL1Loss = _loss("SmoothL1Loss", "smooth_l1_loss", "reduction", "beta")
CrossEntropyLoss = _loss("CrossEntropyLoss", "cross_entropy", "weight", "ignore_index",
                         "reduction", "label_smoothing")
NLLLoss = _loss("NLLLoss", "nll_loss", "weight", "ignore_index", "reduction")
BCELoss = _loss("BCELoss", "binary_cross_entropy", "weight", "reduction")
BCEWithLogitsLoss = _loss("BCEWithLogitsLoss", "binary_cross_entropy_with_logits", "weight",
                          "reduction", "pos_weight")
KLDivLoss = _loss("KLDivLoss", "kl_div", "reduction", "log_target")


from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm  # noqa: E402

__all__ = ["Linear", "Identity", "Flatten", "ReLU", "ReLU6", "SiLU", "Sigmoid", "Tanh", "Mish",
           "SELU", "LogSigmoid", "Hardsigmoid", "Hardswish", "GELU", "ELU", "Hardtanh",
           "Threshold", "Softshrink", "Hardshrink", "GLU", "Softmax", "LogSoftmax", "PReLU",
           "Dropout", "LayerNorm", "Embedding", "Conv2d", "MaxPool2d", "AvgPool2d",
           "AdaptiveAvgPool2d", "AvgPool1d", "AdaptiveAvgPool1d", "Conv1d", "ZeroPad1d",
           "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
           "ReplicationPad2d", "ReplicationPad3d", "Upsample", "PixelShuffle", "Dropout2d",
           "BatchNorm1d", "BatchNorm2d", "BatchNorm3d",
           "GroupNorm", "MSELoss", "L1Loss", "SoftMarginLoss", "SmoothL1Loss",
           "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]

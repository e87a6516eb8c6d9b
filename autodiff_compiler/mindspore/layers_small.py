"""MindSpore's small Cells, each one function of ``ops`` wrapped: ``nn.Linear``,
``Softmax2d``, ``HShrink``, ``SoftShrink``, ``FastGelu``, ``Tril``, ``Triu``, ``Roll``,
``OneHot``, ``Norm``, ``ClipByNorm``, ``MatMul``, ``Range``, ``CosineSimilarity``;
re-exported by ``nn``.

``Linear(in_features, out_features, bias=True)`` is ``Dense`` under PyTorch's argument
names, as MindSpore 2.7.1 has it: ``weight`` (out, in) from HeUniform(sqrt(5)), ``bias``
from U(-1/sqrt(in), 1/sqrt(in)), float32 unless ``dtype``. ``Softmax2d`` is a softmax
over the channels (axis -3). ``Norm(axis=(), keep_dims=False)`` is the square root of
the sum of squares over ``axis`` (``()``: every axis). ``Tril``/``Triu`` take the
diagonal ``k`` at the call, ``Range(start, limit, delta)`` none at all (MindSpore's
deprecated forms, still used).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import ops, ops_image, ops_nn, ops_select
from .dtype import float32
from .initializer import HeUniform, Uniform, initializer
from .nn import Cell
from .tensor import Parameter

__all__ = ["Linear", "Softmax2d", "HShrink", "SoftShrink", "FastGelu", "Tril", "Triu",
           "Roll", "OneHot", "Norm", "ClipByNorm", "MatMul", "Range", "BiDense",
           "CosineSimilarity"]


class Linear(Cell):
    """``x @ weight.T + bias``, ``weight`` shaped (out_features, in_features)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 weight_init: Any = None, bias_init: Any = None, dtype: Any = None) -> None:
        super().__init__()
        dtype = float32 if dtype is None else dtype
        self.in_features, self.out_features, self.has_bias = in_features, out_features, bias
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)) if weight_init is None
                                            else weight_init, (out_features, in_features),
                                            dtype), name="weight")
        bound = 1 / math.sqrt(in_features)
        self.bias = Parameter(initializer(Uniform(bound) if bias_init is None else bias_init,
                                          (out_features,), dtype), name="bias") \
            if bias else None

    def extend_repr(self) -> str:
        return (f"input_features={self.in_features}, output_features={self.out_features}, "
                f"has_bias={self.has_bias}")

    def construct(self, x: Any) -> Any:
        return ops_nn.dense(x, self.weight, self.bias)


class Softmax2d(Cell):
    def construct(self, x: Any) -> Any:
        return ops_nn.softmax(x, -3)


class HShrink(Cell):
    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def construct(self, input_x: Any) -> Any:
        return ops_image.hardshrink(input_x, self.lambd)


class SoftShrink(HShrink):
    def construct(self, input_x: Any) -> Any:
        return ops_image.softshrink(input_x, self.lambd)


class FastGelu(Cell):
    def construct(self, x: Any) -> Any:
        return ops_image.fast_gelu(x)


class Tril(Cell):
    def construct(self, x: Any, k: int = 0) -> Any:
        return ops_select.tril(x, k)


class Triu(Cell):
    def construct(self, x: Any, k: int = 0) -> Any:
        return ops_select.triu(x, k)


class Roll(Cell):
    def __init__(self, shift: Any, axis: Any) -> None:
        super().__init__()
        self.shift, self.axis = shift, axis

    def construct(self, input_x: Any) -> Any:
        return ops_select.roll(input_x, self.shift, self.axis)


class OneHot(Cell):
    """``on_value`` where axis ``axis`` of the result equals ``indices``, ``off_value``
    elsewhere (so a row of ``off_value`` for an index outside ``[0, depth)``)."""

    def __init__(self, axis: int = -1, depth: int = 1, on_value: float = 1.0,
                 off_value: float = 0.0, dtype: Any = float32) -> None:
        super().__init__()
        self.axis, self.depth, self.dtype = axis, depth, dtype
        self.on_value, self.off_value = on_value, off_value

    def construct(self, indices: Any) -> Any:
        hot = ops_nn.one_hot(indices, self.depth, self.on_value, self.off_value, self.axis)
        return hot.astype(self.dtype)


class Norm(Cell):
    def __init__(self, axis: Any = (), keep_dims: bool = False) -> None:
        super().__init__()
        self.axis = None if axis == () else axis
        self.keep_dims = keep_dims

    def construct(self, x: Any) -> Any:
        return np.sqrt(np.sum(x * x, axis=self.axis, keepdims=self.keep_dims))


class ClipByNorm(Cell):
    """``x`` scaled so that its L2 norm over ``axis`` (every axis by default) is at most
    ``clip_norm``: ``x * clip_norm / max(norm, clip_norm)``, where a zero norm leaves
    ``x`` as it is (MindSpore's ``nn.ClipByNorm``, as documented). With an ``axis``
    MindSpore 2.10's CPU kernel scales only the first slice by its own norm and the
    others by unrelated factors (measured: rows of norms 3.04, 2.32, 1.52 clipped to 0.5
    come out with norms 0.5, 0.37, 0.24); here every slice is clipped by its norm."""

    def __init__(self, axis: Any = None) -> None:
        super().__init__()
        self.axis = axis

    def construct(self, x: Any, clip_norm: Any) -> Any:
        squares = np.sum(x * x, axis=self.axis, keepdims=True)
        norm = np.where(squares > 0, np.sqrt(np.where(squares > 0, squares, 1)), 0)
        return (x * clip_norm / np.maximum(norm, clip_norm)).astype(x.dtype)


class MatMul(Cell):
    """``x1 @ x2`` (broadcast over leading axes), either transposed first."""

    def __init__(self, transpose_x1: bool = False, transpose_x2: bool = False) -> None:
        super().__init__()
        self.transpose_x1, self.transpose_x2 = transpose_x1, transpose_x2

    def construct(self, x1: Any, x2: Any) -> Any:
        if self.transpose_x1:
            x1 = np.swapaxes(x1, -1, -2)
        if self.transpose_x2:
            x2 = np.swapaxes(x2, -1, -2)
        return np.matmul(x1, x2)


class Range(Cell):
    """``start, start + delta, ...`` below ``limit`` (from 0 below ``start`` if no
    ``limit``); int32 when all three are ints, float32 otherwise."""

    def __init__(self, start: Any, limit: Any = None, delta: Any = 1) -> None:
        super().__init__()
        if limit is None:
            start, limit = 0, start
        self.start, self.limit, self.delta = start, limit, delta
        ints = all(isinstance(v, int) for v in (start, limit, delta))
        self.dtype = np.int32 if ints else float32

    def construct(self) -> Any:
        return ops.arange(self.start, self.limit, self.delta, dtype=self.dtype)


class BiDense(Cell):
    """``x1ᵀ W x2 + b`` for each output: ``weight`` (out, in1, in2) and ``bias`` (out,),
    both from U(-1/sqrt(in1), 1/sqrt(in1)) unless given, as MindSpore 2.7.1 makes them."""

    def __init__(self, in1_channels: int, in2_channels: int, out_channels: int,
                 weight_init: Any = None, bias_init: Any = None, has_bias: bool = True,
                 dtype: Any = float32) -> None:
        super().__init__()
        self.in1_channels, self.in2_channels = in1_channels, in2_channels
        self.out_channels, self.has_bias = out_channels, has_bias
        bound = Uniform(1 / math.sqrt(in1_channels))
        self.weight = Parameter(initializer(bound if weight_init is None else weight_init,
                                            (out_channels, in1_channels, in2_channels),
                                            dtype), name="weight")
        self.bias = Parameter(initializer(bound if bias_init is None else bias_init,
                                          (out_channels,), dtype), name="bias") \
            if has_bias else None

    def extend_repr(self) -> str:
        return (f"in1_channels={self.in1_channels}, in2_channels={self.in2_channels}, "
                f"output_channels={self.out_channels}, has_bias={self.has_bias}")

    def construct(self, input1: Any, input2: Any) -> Any:
        out = np.einsum("...i,oij,...j->...o", input1, self.weight, input2)
        return out if self.bias is None else out + self.bias


class CosineSimilarity(Cell):
    """``ops.cosine_similarity(x1, x2, dim, eps)``: the norms' product kept from below
    at ``eps``, as MindSpore's Cell computes it."""

    def __init__(self, dim: int = 1, eps: float = 1e-08) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def construct(self, x1: Any, x2: Any) -> Any:
        return ops.cosine_similarity(x1, x2, self.dim, self.eps)

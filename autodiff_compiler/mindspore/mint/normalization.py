"""``mint.nn``'s normalisation layers with PyTorch's arguments and parameter names:
``BatchNorm1d/2d/3d`` (``weight``, ``bias``, ``running_mean``, ``running_var``) and
``GroupNorm``.

While training, a batch is normalised with its own statistics (the biased variance)
and the running ones move towards them, PyTorch's way round:
``running = (1 - momentum) * running + momentum * batch``, the batch's *unbiased*
variance for ``running_var``. In eval mode, or with ``track_running_stats=False``
never, the running statistics normalise. The update is ``ops.assign``, an effect of the
compiled forward pass that no gradient flows through (as ``nn.BatchNorm2d``'s)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..dtype import float32
from ..nn import Cell
from ..operations_nn import move_running_statistics
from ..tensor import Parameter
from . import functional


class _BatchNorm(Cell):
    _ranks: tuple[int, ...] = ()  # the input ranks the layer takes

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: Any = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: Any = None) -> None:
        super().__init__()
        if momentum is None:
            raise ValueError(f"{type(self).__name__}: momentum=None (a cumulative average) is "
                             "not supported; give a momentum in [0, 1]")
        dtype = float32 if dtype is None else dtype
        shape = (num_features,)
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.weight = Parameter(np.ones(shape, dtype), name="weight") if affine else None
        self.bias = Parameter(np.zeros(shape, dtype), name="bias") if affine else None
        self.running_mean = Parameter(np.zeros(shape, dtype), name="running_mean",
                                      requires_grad=False) if track_running_stats else None
        self.running_var = Parameter(np.ones(shape, dtype), name="running_var",
                                     requires_grad=False) if track_running_stats else None

    def construct(self, x: Any) -> Any:
        if x.ndim not in self._ranks:
            raise ValueError(f"{type(self).__name__}: the input must have "
                             f"{' or '.join(map(str, self._ranks))} dimensions, not {x.ndim}")
        axes = tuple(i for i in range(x.ndim) if i != 1)
        shape = tuple(-1 if i == 1 else 1 for i in range(x.ndim))
        if self.training or self.running_mean is None:
            mean, var = x.mean(axis=axes), x.var(axis=axes)
            if self.training and self.running_mean is not None:
                move_running_statistics(self.running_mean, self.running_var, mean, var,
                                        x.size // self.num_features, self.momentum)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + self.eps)
        if self.weight is None:
            return y
        return y * self.weight.reshape(shape) + self.bias.reshape(shape)


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs over all but ``C``."""

    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    _ranks = (4,)


class BatchNorm3d(_BatchNorm):
    _ranks = (5,)


class GroupNorm(Cell):
    """Each sample's channels in ``num_groups`` groups, each normalised over its
    channels and positions, then ``* weight + bias`` per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, dtype: Any = None) -> None:
        super().__init__()
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels ({num_channels}) must be divisible by "
                             f"num_groups ({num_groups})")
        dtype = float32 if dtype is None else dtype
        self.num_groups, self.eps = num_groups, eps
        self.weight = Parameter(np.ones((num_channels,), dtype), name="weight") \
            if affine else None
        self.bias = Parameter(np.zeros((num_channels,), dtype), name="bias") if affine else None

    def construct(self, x: Any) -> Any:
        return functional.group_norm(x, self.num_groups, self.weight, self.bias, self.eps)

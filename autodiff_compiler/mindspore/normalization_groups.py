"""MindSpore's ``nn.GroupNorm`` and ``nn.InstanceNorm1d/2d/3d``: normalisation over
groups of channels, or over each channel of each sample, with the sample's own
statistics (the biased variance); re-exported by ``nn``.

As MindSpore 2.7.1 has them: ``GroupNorm(num_groups, num_channels)`` has ``gamma`` and
``beta`` per channel (ones and zeros; ``requires_grad=affine``) and ``eps`` 1e-5, and
calls ``ops.group_norm``. ``InstanceNorm`` uses each instance's statistics in training
*and* in eval mode; it has no ``use_batch_statistics``. Its ``momentum`` and its
moving statistics, Parameters named ``mean`` and ``variance`` (``requires_grad=False``),
exist because MindSpore's GPU kernel keeps them; they never affect the output, and
here they are not updated (MindSpore's CPU build has no InstanceNorm kernel to measure
an update against, so the layer is checked against the formula and finite
differences).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_image
from .dtype import float32
from .initializer import initializer
from .nn import Cell
from .tensor import Parameter

__all__ = ["GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d"]


class GroupNorm(Cell):
    """The channels (axis 1) in ``num_groups`` groups, each normalised over its channels
    and positions, then scaled by ``gamma`` and shifted by ``beta`` per channel."""

    def __init__(self, num_groups: int, num_channels: int, eps: float = 1e-5,
                 affine: bool = True, gamma_init: Any = "ones", beta_init: Any = "zeros",
                 dtype: Any = float32) -> None:
        super().__init__()
        for name, value in (("num_groups", num_groups), ("num_channels", num_channels)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"GroupNorm: {name} must be a positive int, not {value!r}")
        if num_channels % num_groups:
            raise ValueError(f"GroupNorm: num_channels {num_channels} must be a multiple of "
                             f"num_groups {num_groups}")
        self.num_groups, self.num_channels, self.eps, self.affine = \
            num_groups, num_channels, eps, affine
        self.gamma = Parameter(initializer(gamma_init, (num_channels,), dtype), name="gamma",
                               requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, (num_channels,), dtype), name="beta",
                              requires_grad=affine)

    def extend_repr(self) -> str:
        return f"num_groups={self.num_groups}, num_channels={self.num_channels}"

    def construct(self, x: Any) -> Any:
        if x.shape[1] != self.num_channels:
            raise ValueError(f"GroupNorm: the input has {x.shape[1]} channels, not "
                             f"num_channels {self.num_channels}")
        return ops_image.group_norm(x, self.num_groups, self.gamma, self.beta, self.eps)


class _InstanceNorm(Cell):
    _rank = 4  # of the input

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, gamma_init: Any = "ones", beta_init: Any = "zeros",
                 dtype: Any = float32) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(num_features, int) or isinstance(num_features, bool) \
                or num_features < 1:
            raise ValueError(f"{name}: num_features must be a positive int, "
                             f"not {num_features!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"{name}: momentum must be in [0, 1], not {momentum}")
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.name = name
        shape = (num_features,)
        self.moving_mean = Parameter(initializer("zeros", shape, dtype), name="mean",
                                     requires_grad=False)
        self.moving_variance = Parameter(initializer("ones", shape, dtype), name="variance",
                                         requires_grad=False)
        self.gamma = Parameter(initializer(gamma_init, shape, dtype), name="gamma",
                               requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, shape, dtype), name="beta",
                              requires_grad=affine)

    def extend_repr(self) -> str:
        return (f"num_features={self.num_features}, eps={self.eps}, "
                f"momentum={self.momentum}, gamma={self.gamma!r}, beta={self.beta!r}, "
                f"moving_mean={self.moving_mean!r}, moving_variance={self.moving_variance!r}")

    def construct(self, x: Any) -> Any:
        if x.ndim != self._rank or x.shape[1] != self.num_features:
            raise ValueError(f"{self.name}: the input must have {self._rank} "
                             f"dimensions and {self.num_features} channels, not shape "
                             f"{x.shape}")
        axes = tuple(range(2, x.ndim))
        mean = np.mean(x, axis=axes, keepdims=True)
        centred = x - mean
        var = np.mean(centred * centred, axis=axes, keepdims=True)
        along = ops_image._along_channels(x.ndim)
        return centred / np.sqrt(var + self.eps) * self.gamma.reshape(along) \
            + self.beta.reshape(along)


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of (N, C, L) input."""

    _rank = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of (N, C, H, W) input."""

    _rank = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance normalisation of (N, C, D, H, W) input."""

    _rank = 5

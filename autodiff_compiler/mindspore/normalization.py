"""MindSpore's ``nn.BatchNorm1d``, ``nn.BatchNorm2d``, ``nn.BatchNorm3d`` and
``nn.LayerNorm``.

While training (``set_train()``), a batch is normalised with its own statistics (the
biased variance) and the moving statistics are updated, as MindSpore 2.10 does:
``moving = momentum * moving + (1 - momentum) * batch``, with the batch's *unbiased*
variance for ``moving_variance`` (measured: ``tests/data/mindspore_batchnorm.json``).
In eval mode the moving statistics normalise. ``use_batch_statistics`` forces either
whatever the mode, as MindSpore's does: ``True`` normalises with the batch *and* moves
the statistics (in eval mode too), ``False`` normalises with the moving statistics and
leaves them.

``construct`` calls the layer's ``bn_train`` or ``bn_infer``, MindSpore's
``ops.BatchNorm`` primitives (``operations_nn``): ordinary code, compiled like any
Cell's inside a differentiated function. The update is ``ops.assign`` into the
moving-statistics Parameters, an effect of the compiled forward pass (``ops_state``):
it happens once per call of the gradient, after the statistics are computed, and no
gradient flows through it; the moving statistics have ``requires_grad=False``, so they
are never among ``trainable_params()``. ``gamma`` and ``beta`` are trainable (unless
``affine=False``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .dtype import float32
from .initializer import initializer
from .nn import Cell
from .tensor import Parameter


class _BatchNorm(Cell):
    _ranks: tuple[int, ...] = ()  # the input ranks the layer takes

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.9,
                 affine: bool = True, gamma_init: Any = "ones", beta_init: Any = "zeros",
                 moving_mean_init: Any = "zeros", moving_var_init: Any = "ones",
                 use_batch_statistics: bool | None = None, data_format: str = "NCHW",
                 dtype: Any = float32) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(num_features, int) or isinstance(num_features, bool) \
                or num_features < 1:
            raise ValueError(f"For '{name}', num_features must be a positive int, "
                             f"not {num_features!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"For '{name}', momentum must be in [0, 1], not {momentum}")
        if use_batch_statistics is not None and not isinstance(use_batch_statistics, bool):
            raise ValueError(f"For '{name}', the 'use_batch_statistics' must be a boolean "
                             f"value or None, but got {use_batch_statistics}.")
        if data_format not in ("NCHW", "NHWC"):
            raise ValueError(f"For '{name}', data_format must be 'NCHW' or 'NHWC', "
                             f"not {data_format!r}")
        self.num_features, self.eps, self.affine = num_features, eps, affine
        self.momentum = 1.0 - momentum  # as MindSpore keeps it: the batch's weight
        self.use_batch_statistics, self.format = use_batch_statistics, data_format
        shape = (num_features,)
        self.moving_mean = Parameter(initializer(moving_mean_init, shape, dtype),
                                     requires_grad=False)
        self.moving_variance = Parameter(initializer(moving_var_init, shape, dtype),
                                         requires_grad=False)
        self.gamma = Parameter(initializer(gamma_init, shape, dtype), requires_grad=affine)
        self.beta = Parameter(initializer(beta_init, shape, dtype), requires_grad=affine)
        # MindSpore's: what construct calls (and subclasses may), settings fixed here
        self.bn_train = ops.BatchNorm(True, eps, self.momentum, data_format)
        self.bn_infer = ops.BatchNorm(False, eps, data_format=data_format)

    def extend_repr(self) -> str:
        return (f"num_features={self.num_features}, eps={self.eps}, "
                f"momentum={1.0 - self.momentum}, gamma={self.gamma!r}, beta={self.beta!r}, "
                f"moving_mean={self.moving_mean!r}, moving_variance={self.moving_variance!r}")

    def construct(self, x: Any) -> Any:
        if x.ndim not in self._ranks:
            raise ValueError(f"For '{type(self).__name__}', the input must have "
                             f"{' or '.join(map(str, self._ranks))} dimensions, not {x.ndim}")
        use_batch = self.training if self.use_batch_statistics is None \
            else self.use_batch_statistics
        normalise = self.bn_train if use_batch else self.bn_infer
        return normalise(x, self.gamma, self.beta, self.moving_mean, self.moving_variance)[0]


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs over all but ``C``."""

    _ranks = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` images over all but the channels."""

    _ranks = (4,)


class BatchNorm3d(Cell):
    """Batch normalisation of ``(N, C, D, H, W)`` volumes over all but the channels.
    As MindSpore's, it holds a ``BatchNorm2d`` named ``bn2d`` (so its Parameters are
    ``bn2d.gamma``... in checkpoints) and runs it on the input seen as
    ``(N, C, D * H, W)``: the same statistics, over the same entries."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.9,
                 affine: bool = True, gamma_init: Any = "ones", beta_init: Any = "zeros",
                 moving_mean_init: Any = "zeros", moving_var_init: Any = "ones",
                 use_batch_statistics: bool | None = None, dtype: Any = float32) -> None:
        super().__init__()
        self.bn2d = BatchNorm2d(num_features, eps, momentum, affine, gamma_init, beta_init,
                                moving_mean_init, moving_var_init, use_batch_statistics,
                                "NCHW", dtype)

    def construct(self, x: Any) -> Any:
        if x.ndim != 5:
            raise ValueError(f"For 'BatchNorm3d', the in_shape must have 5 dims, but got "
                             f"{x.ndim}.")
        n, c, d, h, w = x.shape
        return self.bn2d(x.reshape(n, c, d * h, w)).reshape(n, c, d, h, w)


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, H, W)`` inputs synchronised across
    devices; on one device (all this package runs on) that is ``BatchNorm``, with
    MindSpore's names for the moving statistics, ``mean`` and ``variance``.
    ``process_groups`` names device groups, and so changes nothing here."""

    _ranks = (2, 4)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.9,
                 affine: bool = True, gamma_init: Any = "ones", beta_init: Any = "zeros",
                 moving_mean_init: Any = "zeros", moving_var_init: Any = "ones",
                 use_batch_statistics: bool | None = None, process_groups: Any = None,
                 dtype: Any = float32) -> None:
        super().__init__(num_features, eps, momentum, affine, gamma_init, beta_init,
                         moving_mean_init, moving_var_init, use_batch_statistics,
                         dtype=dtype)
        self.process_groups = process_groups
        self.moving_mean.name, self.moving_variance.name = "mean", "variance"


__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"]


class LayerNorm(Cell):
    """Each sample normalised over the axes from ``begin_norm_axis`` on (its mean and
    biased variance, ``epsilon`` 1e-7 as MindSpore's), then scaled by ``gamma`` and
    shifted by ``beta``, both shaped ``normalized_shape``, laid along the axes from
    ``begin_params_axis`` on. No running statistics: training and eval agree."""

    def __init__(self, normalized_shape: Any, begin_norm_axis: int = -1,
                 begin_params_axis: int = -1, gamma_init: Any = "ones",
                 beta_init: Any = "zeros", epsilon: float = 1e-7, dtype: Any = float32) -> None:
        super().__init__()
        if not isinstance(normalized_shape, tuple | list):
            raise TypeError(f"LayerNorm: normalized_shape must be a tuple or list, not "
                            f"{normalized_shape!r}")
        self.normalized_shape = tuple(normalized_shape)
        self.begin_norm_axis, self.begin_params_axis = begin_norm_axis, begin_params_axis
        self.epsilon = epsilon
        self.gamma = Parameter(initializer(gamma_init, self.normalized_shape, dtype),
                               name="gamma")
        self.beta = Parameter(initializer(beta_init, self.normalized_shape, dtype), name="beta")
        # MindSpore's primitive, which subclasses call: ``y, mean, variance =
        # self.layer_norm(x, self.gamma, self.beta)`` (mindcv's ConvNeXt)
        self.layer_norm = ops.LayerNorm(begin_norm_axis, begin_params_axis, epsilon)

    def construct(self, input_x: Any) -> Any:
        axes = _axes_from(self.begin_norm_axis, input_x.ndim)
        mean = np.mean(input_x, axis=axes, keepdims=True)
        centred = input_x - mean
        variance = np.mean(centred * centred, axis=axes, keepdims=True)
        normalised = centred / np.sqrt(variance + self.epsilon)
        shape = _params_shape(self.begin_params_axis, input_x.ndim, self.normalized_shape)
        return normalised * self.gamma.reshape(shape) + self.beta.reshape(shape)


def _axes_from(begin: int, ndim: int) -> tuple:
    return tuple(range(begin % ndim, ndim))


def _params_shape(begin: int, ndim: int, normalized_shape: tuple) -> tuple:
    """``normalized_shape`` laid along the axes from ``begin`` on of an ``ndim``-d input."""
    begin = begin % ndim
    return normalized_shape + (1,) * (ndim - begin - len(normalized_shape))


_axes_from.__evaluated_when_compiling__ = True  # pure functions of numbers known then
_params_shape.__evaluated_when_compiling__ = True

"""MindSpore's ``mindspore.train``: ``Model``, callbacks, metrics and checkpoints.

The loss-scale managers and ``build_train_network``, which MindSpore also exports here, live
in ``mindspore.amp``, which imports ``nn`` (and ``nn`` this package): they are read from
it on first use.
"""
from __future__ import annotations

from typing import Any

from .callbacks import (
    Callback,
    History,
    LossMonitor,
    RunContext,
    SummaryCollector,
    TimeMonitor,
)
from .callbacks_fit import EarlyStopping, LearningRateScheduler, ReduceLROnPlateau
from .checkpoints import CheckpointConfig, LambdaCallback, ModelCheckpoint
from .metrics import MAE, MSE, Accuracy, Loss, Metric
from .metrics_extra import *  # noqa: F403  (every metric of metrics_extra.__all__)
from .metrics_extra import __all__ as _METRICS_EXTRA
from .model import Model
from .serialization import load_checkpoint, load_param_into_net, save_checkpoint

_FROM_AMP = ("LossScaleManager", "FixedLossScaleManager", "DynamicLossScaleManager",
             "build_train_network")

__all__ = ["MAE", "MSE", "Accuracy", "Callback", "History", "Loss", "LossMonitor", "Metric",
           "Model", "RunContext", "TimeMonitor", "load_checkpoint", "load_param_into_net",
           "save_checkpoint", "CheckpointConfig", "ModelCheckpoint", "LambdaCallback",
           "EarlyStopping", "ReduceLROnPlateau", "LearningRateScheduler", "SummaryCollector",
           *_METRICS_EXTRA, *_FROM_AMP]


def __getattr__(name: str) -> Any:
    if name in _FROM_AMP:
        from .. import amp
        return getattr(amp, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

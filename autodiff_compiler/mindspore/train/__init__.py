"""MindSpore's ``mindspore.train``: ``Model``, callbacks, metrics and checkpoints."""
from __future__ import annotations

from .callbacks import Callback, History, LossMonitor, RunContext, TimeMonitor
from .metrics import MAE, MSE, Accuracy, Loss, Metric
from .model import Model
from .serialization import load_checkpoint, load_param_into_net, save_checkpoint

__all__ = ["MAE", "MSE", "Accuracy", "Callback", "History", "Loss", "LossMonitor", "Metric",
           "Model", "RunContext", "TimeMonitor", "load_checkpoint", "load_param_into_net",
           "save_checkpoint"]

"""MindSpore's metrics: ``clear()``, ``update(...)`` per batch, ``eval()`` at the end.

As MindSpore 2.10 computes them (measured): ``Accuracy`` compares the argmax of the
predictions with class labels or one-hot rows; ``MAE``/``MSE`` sum the absolute/squared
errors of each sample and average over samples; ``Loss`` averages the losses given;
``eval()`` before any ``update`` is a RuntimeError.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class Metric:
    """Accumulates over batches; ``eval()`` gives the value so far."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.total, self.count = 0.0, 0

    def eval(self) -> float:
        if self.count == 0:
            raise RuntimeError(f"The '{type(self).__name__}' can not be calculated, because "
                               "the number of samples is 0: call update() before eval()")
        return self.total / self.count

    def update(self, *inputs: Any) -> None:
        raise NotImplementedError


class Accuracy(Metric):
    def __init__(self, eval_type: str = "classification") -> None:
        if eval_type != "classification":
            raise ValueError("Accuracy: only eval_type='classification' is supported")
        super().__init__()

    def update(self, y_pred: Any, y: Any) -> None:
        y_pred, y = np.asarray(y_pred), np.asarray(y)
        labels = y.argmax(-1) if y.ndim == y_pred.ndim else y
        self.total += float(np.sum(y_pred.argmax(-1) == labels))
        self.count += len(labels)


class MAE(Metric):
    def update(self, y_pred: Any, y: Any) -> None:
        error = np.abs(np.asarray(y_pred) - np.asarray(y)).reshape(len(np.asarray(y)), -1)
        self.total += float(error.sum())
        self.count += len(error)


class MSE(Metric):
    def update(self, y_pred: Any, y: Any) -> None:
        error = np.square(np.asarray(y_pred) - np.asarray(y)).reshape(len(np.asarray(y)), -1)
        self.total += float(error.sum())
        self.count += len(error)


class Loss(Metric):
    def update(self, loss: Any) -> None:
        self.total += float(np.mean(loss))
        self.count += 1


NAMES = {"accuracy": Accuracy, "acc": Accuracy, "loss": Loss, "mae": MAE, "mse": MSE}


def metrics_of(metrics: Any) -> dict[str, Metric]:
    """Model's ``metrics``: a set of names, or a dict of name to Metric."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        return dict(metrics)
    unknown = [m for m in metrics if m not in NAMES]
    if unknown:
        raise ValueError(f"unknown metrics {unknown}: choose from {sorted(NAMES)} or pass "
                         "a dict of name to Metric")
    return {name: NAMES[name]() for name in sorted(metrics)}

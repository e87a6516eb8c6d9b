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
    """Accumulates over batches; ``eval()`` gives the value so far. A custom metric
    (the tutorial's) uses ``_convert_data`` and ``set_indexes`` with
    ``@rearrange_inputs``."""

    _indexes: list[int] | None = None

    def __init__(self) -> None:
        self.clear()

    @property
    def indexes(self) -> list[int] | None:
        return self._indexes

    def set_indexes(self, indexes: list[int]) -> Metric:
        """``update`` then takes the inputs at ``indexes``, in that order."""
        if not isinstance(indexes, list) or not all(isinstance(i, int) for i in indexes):
            raise ValueError("For 'set_indexes', the argument 'indexes' must be a list and all "
                             "its elements must be int, please check whether it is correct.")
        self._indexes = indexes
        return self

    @staticmethod
    def _convert_data(data: Any) -> np.ndarray:
        """A Tensor, a list or an ndarray as a NumPy array."""
        if isinstance(data, np.ndarray | list):
            return np.asarray(data)
        raise TypeError(f"The input data type must be a tensor, list or numpy.ndarray, but got "
                        f"{type(data)}.")

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
    """``"classification"``: the argmax of the predictions against class labels or
    one-hot rows; ``"multilabel"``: 0/1 predictions, a sample right where every label
    is (MindSpore's)."""

    def __init__(self, eval_type: str = "classification") -> None:
        if eval_type not in ("classification", "multilabel"):
            raise ValueError("The argument 'eval_type' must be 'classification' or "
                             f"'multilabel', but got {eval_type!r}.")
        self.eval_type = eval_type
        super().__init__()

    def update(self, y_pred: Any, y: Any) -> None:
        y_pred, y = np.asarray(y_pred), np.asarray(y)
        if self.eval_type == "multilabel":
            if y_pred.shape != y.shape:
                raise ValueError("For 'Accuracy.update' (multilabel), the predicted value and "
                                 f"the true value must have one shape, got {y_pred.shape} "
                                 f"and {y.shape}.")
            if not (np.isin(y_pred, (0, 1)).all() and np.isin(y, (0, 1)).all()):
                raise ValueError("In multilabel case, all elements in y_pred (predicted value) "
                                 "and y (true value) should be 0 or 1.")
            right = np.all(np.moveaxis(y_pred, 1, -1).reshape(-1, y.shape[1])
                           == np.moveaxis(y, 1, -1).reshape(-1, y.shape[1]), axis=1)
            self.total += float(np.sum(right))
            self.count += len(right)
            return
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

"""MindSpore 2.7.1's classification metrics, and the names ``Model(metrics={...})`` takes.

``Precision``, ``Recall``, ``Fbeta``/``F1``, ``TopKCategoricalAccuracy`` (``Top1``,
``Top5``), ``ConfusionMatrix``, ``Perplexity`` and ``Dice`` keep MindSpore's numbers
exactly (measured, tests/test_mindspore_training_surface.py), including its corners,
because scripts compare them with published results:

- a class index of the predictions is their argmax over axis 1; labels are class
  indices or one-hot rows (turned into indices when every row sums to 1);
- a ratio with an empty denominator is 0, not nan: MindSpore adds the smallest float
  (``sys.float_info.min``) to every denominator;
- ``eval_type="multilabel"`` counts per *sample* (MindSpore swaps the axes before
  summing over axis 0), so ``eval()`` gives one number per sample seen and
  ``eval(average=True)`` the mean of the per-sample ratios;
- ``Perplexity`` floors probabilities at 1e-10 and counts an ``ignore_label`` entry as
  probability 1; ``Dice`` averages one coefficient per *batch* over the samples seen
  (MindSpore's: the sum of per-batch coefficients divided by the number of samples).

``ConfusionMatrixMetric`` (the segmentation statistics) is not provided. ``names()`` and
``get_metric_fn`` list and make the metrics provided, under MindSpore's names.
"""
from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from .metrics import MAE, MSE, Accuracy, Loss, Metric

__all__ = ["Precision", "Recall", "Fbeta", "F1", "TopKCategoricalAccuracy",
           "Top1CategoricalAccuracy", "Top5CategoricalAccuracy", "ConfusionMatrix",
           "Perplexity", "Dice", "rearrange_inputs", "names", "get_metric_fn", "get_metrics"]

_EPS = sys.float_info.min  # MindSpore's guard against 0/0: the ratio is then 0


def rearrange_inputs(func: Callable) -> Callable:
    """``update`` sees the inputs ``set_indexes`` picked, in that order."""

    @functools.wraps(func)
    def wrapper(self: Any, *inputs: Any) -> Any:
        indexes = getattr(self, "_indexes", None)
        return func(self, *(inputs if not indexes else [inputs[i] for i in indexes]))
    return wrapper


class _Indexed(Metric):
    """MindSpore's Metric protocol beyond ``metrics.Metric``: ``metric(y_pred, y)``,
    which clears, updates once and evaluates."""

    def __call__(self, *inputs: Any) -> Any:
        self.clear()
        self.update(*inputs)
        return self.eval()

    def _pair(self, inputs: tuple, name: str) -> tuple[np.ndarray, np.ndarray]:
        if len(inputs) != 2:
            raise ValueError(f"For '{name}.update', it needs 2 inputs (predicted value, true "
                             f"value), but got {len(inputs)}.")
        return _array(inputs[0]), _array(inputs[1])

    def _no_samples(self) -> RuntimeError:
        return RuntimeError(f"The '{type(self).__name__}' can not be calculated, because the "
                            "number of samples is 0: call update() before eval()")


def _array(data: Any) -> np.ndarray:
    if isinstance(data, np.ndarray | list):
        return np.asarray(data)
    raise TypeError("For 'Metric' and its derived classes, the input data type must be tensor, "
                    f"list or numpy.ndarray, but got {type(data)}.")


def _one_hot_labels(y_pred: np.ndarray, y: np.ndarray) -> np.ndarray:
    """One-hot rows (0/1, each summing to 1 over axis 1) as class indices."""
    if y_pred.ndim == y.ndim and y.ndim > 1 and np.all(y ** 2 == y) and \
            np.all(y.sum(axis=1) == 1):
        return y.argmax(axis=1)
    return y


def _class_counts(y_pred: np.ndarray, y: np.ndarray, classes: int, name: str
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per class: predicted positives, actual positives, true positives."""
    if y.max() + 1 > classes:
        raise ValueError(f"For '{name}.update', predicted value (input[0]) should have the "
                         f"same classes number as true value (input[1]), but got predicted "
                         f"value classes {classes}, true value classes {y.max() + 1}.")
    eye = np.eye(classes)
    actual, predicted = eye[y.reshape(-1)], eye[y_pred.argmax(axis=1).reshape(-1)]
    return predicted.sum(axis=0), actual.sum(axis=0), (actual * predicted).sum(axis=0)


class _PrecisionRecall(_Indexed):
    """Precision and Recall differ only in the denominator: predicted or actual."""

    _predicted = True

    def __init__(self, eval_type: str = "classification") -> None:
        if eval_type not in ("classification", "multilabel"):
            raise TypeError("The argument 'eval_type' must be in {'classification', "
                            f"'multilabel'}}, but got {eval_type}")
        self._type = eval_type
        self.eps = _EPS
        super().__init__()

    def clear(self) -> None:
        self._class_num = 0
        self._true = np.empty(0) if self._type == "multilabel" else 0
        self._base = np.empty(0) if self._type == "multilabel" else 0
        self._ratio_sum, self._ratio_count = 0.0, 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        name = type(self).__name__
        y_pred, y = self._pair(inputs, name)
        if self._type == "classification":
            y = _one_hot_labels(y_pred, y)
            if y_pred.ndim != y.ndim + 1 or y.shape != (y_pred.shape[0], *y_pred.shape[2:]):
                raise ValueError(f"In classification case, y_pred shape {y_pred.shape} and y "
                                 f"shape {y.shape} do not match: y's shape is y_pred's without "
                                 "axis 1")
        elif y_pred.shape != y.shape or not (np.all(y_pred ** 2 == y_pred) and
                                             np.all(y ** 2 == y)):
            raise ValueError("In multilabel case, y_pred and y must have the same shape and "
                             "all their elements must be 0 or 1")
        if self._class_num == 0:
            self._class_num = y_pred.shape[1]
        elif y_pred.shape[1] != self._class_num:
            raise ValueError(f"For '{name}.update', class number not match, last input "
                             f"predicted data contain {self._class_num} classes, but current "
                             f"predicted data contain {y_pred.shape[1]} classes")
        if self._type == "classification":
            predicted, actual, true = _class_counts(y_pred, y, self._class_num, name)
            self._true = self._true + true
            self._base = self._base + (predicted if self._predicted else actual)
            return
        classes = self._class_num  # per sample, as MindSpore sums after swapping axes
        y_pred = y_pred.swapaxes(1, 0).reshape(classes, -1)
        y = y.swapaxes(1, 0).reshape(classes, -1)
        base = (y_pred if self._predicted else y).sum(axis=0)
        true = (y * y_pred).sum(axis=0)
        self._ratio_sum += float(np.sum(true / (base + self.eps)))
        self._ratio_count += len(base)
        self._true = np.concatenate((self._true, true))
        self._base = np.concatenate((self._base, base))

    def eval(self, average: bool = False) -> Any:
        if self._class_num == 0:
            raise self._no_samples()
        if not isinstance(average, bool):
            raise TypeError(f"For '{type(self).__name__}', the type of 'average' must be bool")
        result = self._true / (self._base + self.eps)
        if not average:
            return result
        if self._type == "multilabel":
            return np.float64(self._ratio_sum / (self._ratio_count + self.eps))
        return result.mean()


class Precision(_PrecisionRecall):
    """True positives over predicted positives, per class (``eval(average=True)``: the
    mean over classes)."""

    _predicted = True


class Recall(_PrecisionRecall):
    """True positives over actual positives, per class."""

    _predicted = False


class Fbeta(_Indexed):
    """``(1 + beta**2) tp / (beta**2 (tp + fn) + tp + fp)`` per class."""

    def __init__(self, beta: float) -> None:
        if not beta > 0:
            raise ValueError(f"For 'Fbeta', the argument 'beta' must be greater than 0, but "
                             f"got {beta}.")
        self.beta, self.eps = beta, _EPS
        super().__init__()

    def clear(self) -> None:
        self._true, self._actual, self._predicted, self._class_num = 0, 0, 0, 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        y_pred, y = self._pair(inputs, "Fbeta")
        y = _one_hot_labels(y_pred, y)
        if self._class_num == 0:
            self._class_num = y_pred.shape[1]
        elif y_pred.shape[1] != self._class_num:
            raise ValueError(f"For 'Fbeta.update', class number not match, last input predicted "
                             f"data contain {self._class_num} classes, but current predicted "
                             f"data contain {y_pred.shape[1]} classes")
        predicted, actual, true = _class_counts(y_pred, y, self._class_num, "Fbeta")
        self._true = self._true + true
        self._predicted = self._predicted + predicted
        self._actual = self._actual + actual

    def eval(self, average: bool = False) -> Any:
        if not isinstance(average, bool):
            raise TypeError("For 'Fbeta', the type of 'average' must be bool")
        if self._class_num == 0:
            raise self._no_samples()
        b2 = self.beta ** 2
        result = (1.0 + b2) * self._true / (b2 * self._actual + self._predicted + self.eps)
        return result.mean() if average else result


class F1(Fbeta):
    """``Fbeta(1.0)``."""

    def __init__(self) -> None:
        super().__init__(1.0)


class TopKCategoricalAccuracy(_Indexed):
    """The share of samples whose label is among the ``k`` largest predictions (ties
    broken by the lower index, as MindSpore's stable argsort of the negated scores)."""

    def __init__(self, k: int) -> None:
        if not isinstance(k, int):
            raise TypeError("For 'TopKCategoricalAccuracy', the type of the argument 'k' should "
                            f"be int, but got 'k' type: {type(k)}.")
        if k < 1:
            raise ValueError("For 'TopKCategoricalAccuracy', the argument 'k' must be at least "
                             f"1, but got 'k' value: {k}.")
        self.k = k
        super().__init__()

    def clear(self) -> None:
        self._correct_num, self._samples_num = 0, 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        y_pred, y = self._pair(inputs, "TopKCategoricalAccuracy")
        y = _one_hot_labels(y_pred, y)
        if self.k > y_pred.shape[1]:  # MindSpore's comparison fails to broadcast then
            raise ValueError(f"For 'TopKCategoricalAccuracy', k={self.k} is more than the "
                             f"{y_pred.shape[1]} classes of the predictions")
        top = np.argsort(-y_pred, axis=1)[:, :self.k]
        labels = y.reshape(-1, 1)
        self._correct_num += int((top == labels).sum())
        self._samples_num += labels.shape[0]

    def eval(self) -> float:
        if self._samples_num == 0:
            raise self._no_samples()
        return self._correct_num / self._samples_num


class Top1CategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self) -> None:
        super().__init__(1)


class Top5CategoricalAccuracy(TopKCategoricalAccuracy):
    def __init__(self) -> None:
        super().__init__(5)


class ConfusionMatrix(_Indexed):
    """Counts of (label, prediction) pairs; rows are labels. Predictions of one axis more
    than the labels are scores (their argmax over axis 1 is the class); float predictions
    of the labels' shape are thresholded at ``threshold``. ``normalize``: ``"target"``
    (rows sum to 1), ``"prediction"`` (columns), ``"all"``, or ``"no_norm"``."""

    def __init__(self, num_classes: int, normalize: str = "no_norm",
                 threshold: float = 0.5) -> None:
        if not isinstance(num_classes, int) or isinstance(num_classes, bool):
            raise TypeError(f"For 'ConfusionMatrix', 'num_classes' must be an int, not "
                            f"{type(num_classes).__name__}")
        if normalize not in ("target", "prediction", "all", "no_norm"):
            raise ValueError("For 'ConfusionMatrix', the argument 'normalize' must be in "
                             f"['all', 'prediction', 'target', 'no_norm'], but got {normalize}.")
        if not isinstance(threshold, float):
            raise TypeError(f"For 'ConfusionMatrix', 'threshold' must be a float, not "
                            f"{type(threshold).__name__}")
        self.num_classes, self.normalize, self.threshold = num_classes, normalize, threshold
        super().__init__()

    def clear(self) -> None:
        self.confusion_matrix = np.zeros((self.num_classes, self.num_classes))
        self._is_update = False

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        y_pred, y = self._pair(inputs, "ConfusionMatrix")
        if y_pred.ndim not in (y.ndim, y.ndim + 1):
            raise ValueError("For 'ConfusionMatrix.update', predicted value and true value should "
                             "have the same dimensions, or the predicted value one more, but got "
                             f"{y_pred.ndim} and {y.ndim}.")
        if y_pred.ndim == y.ndim + 1:
            y_pred = np.argmax(y_pred, axis=1)
        elif y_pred.dtype in (np.float16, np.float32, np.float64):
            y_pred = (y_pred >= self.threshold).astype(int)
        n = self.num_classes
        pairs = (y.reshape(-1) * n + y_pred.reshape(-1)).astype(int)
        self.confusion_matrix += np.bincount(pairs, minlength=n * n).reshape(n, n)
        self._is_update = True

    def eval(self) -> np.ndarray:
        if not self._is_update:
            raise RuntimeError("Please call the 'update' method before calling 'eval' method.")
        counts = self.confusion_matrix.astype(float)
        if self.normalize == "no_norm":
            return counts
        total = {"target": counts.sum(axis=1, keepdims=True),
                 "prediction": counts.sum(axis=0, keepdims=True),
                 "all": counts.sum()}[self.normalize]
        with np.errstate(invalid="ignore", divide="ignore"):
            matrix = counts / total
        return np.where(np.isnan(matrix), 0.0, matrix)


class Perplexity(_Indexed):
    """``exp`` of the mean negative log-probability of the labels; predictions are
    probabilities ``(N, C)``, labels ``N`` class indices."""

    def __init__(self, ignore_label: int | None = None) -> None:
        if ignore_label is not None and (not isinstance(ignore_label, int) or
                                         isinstance(ignore_label, bool)):
            raise TypeError(f"For 'Perplexity', 'ignore_label' must be an int, not "
                            f"{type(ignore_label).__name__}")
        self.ignore_label = ignore_label
        super().__init__()

    def clear(self) -> None:
        self._sum_metric, self._num_inst = 0.0, 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        if len(inputs) != 2:
            raise ValueError("For 'Perplexity.update', it needs 2 inputs (predicted value, "
                             f"label), but got {len(inputs)}.")
        pred, label = _array(inputs[0]), _array(inputs[1])
        if label.size != pred.size / pred.shape[-1]:
            raise RuntimeError("For 'Perplexity.update', predicted value (input[0]) and label "
                               "(input[1]) should have the same shape, but got predicted value "
                               f"shape {pred.shape}, label shape {label.shape}.")
        label = label.reshape(-1)
        picked = np.squeeze(pred[np.arange(label.size)[:, None], label.astype(int)[:, None]])
        num = 0
        if self.ignore_label is not None:
            ignore = (label == self.ignore_label).astype(picked.dtype)
            num -= np.sum(ignore)
            picked = picked * (1 - ignore) + ignore
        self._sum_metric -= np.sum(np.log(np.maximum(1e-10, picked)))
        self._num_inst += num + picked.size

    def eval(self) -> float:
        if self._num_inst == 0:
            raise self._no_samples()
        return math.exp(self._sum_metric / self._num_inst)


class Dice(_Indexed):
    """``2 <p, y> / (<p, p> + <y, y> + smooth)`` for each batch, summed, over the number
    of samples."""

    def __init__(self, smooth: float = 1e-5) -> None:
        if not isinstance(smooth, float) or smooth <= 0:
            raise ValueError(f"For 'Dice', 'smooth' must be a positive float, but got {smooth}")
        self.smooth = smooth
        super().__init__()

    def clear(self) -> None:
        self._dice_coeff_sum, self._samples_num = 0.0, 0

    @rearrange_inputs
    def update(self, *inputs: Any) -> None:
        y_pred, y = self._pair(inputs, "Dice")
        self._samples_num += y.shape[0]
        if y_pred.shape != y.shape:
            raise ValueError("For 'Dice.update', predicted value (input[0]) and true value "
                             "(input[1]) should have same shape, but got predicted value shape: "
                             f"{y_pred.shape}, true value shape: {y.shape}.")
        p, t = y_pred.ravel(), y.ravel()
        union = float(np.dot(p, p) + np.dot(t, t))
        self._dice_coeff_sum += 2 * float(np.dot(p, t)) / (union + self.smooth)

    def eval(self) -> float:
        if self._samples_num == 0:
            raise self._no_samples()
        return self._dice_coeff_sum / float(self._samples_num)


_FACTORY: dict[str, Callable[..., Metric]] = {
    "accuracy": Accuracy, "acc": Accuracy, "precision": Precision, "recall": Recall,
    "F1": F1, "dice": Dice, "topk": TopKCategoricalAccuracy,
    "top_1_accuracy": Top1CategoricalAccuracy, "top_5_accuracy": Top5CategoricalAccuracy,
    "mae": MAE, "mse": MSE, "loss": Loss, "perplexity": Perplexity,
    "confusion_matrix": ConfusionMatrix,
}


def names() -> list[str]:
    """The metric names ``get_metric_fn`` and ``Model(metrics={...})`` take, sorted."""
    return sorted(_FACTORY)


def get_metric_fn(name: str, *args: Any, **kwargs: Any) -> Metric:
    """A new metric by MindSpore's name for it (``"precision"``, ``"F1"``, ``"topk"``...)."""
    if name not in _FACTORY:
        raise KeyError(f"For 'get_metric_fn', unsupported metric {name}; supported: "
                       f"{', '.join(names())}")
    return _FACTORY[name](*args, **kwargs)


def get_metrics(metrics: Any) -> dict[str, Metric]:
    """``Model``'s ``metrics``: None, a set of names, or a dict of name to Metric."""
    if metrics is None:
        return {}
    if isinstance(metrics, dict):
        for name, metric in metrics.items():
            if not isinstance(name, str) or not isinstance(metric, Metric):
                raise TypeError("For 'get_metrics', if 'metrics' is dict, the key in 'metrics' "
                                "must be string and value in 'metrics' must be Metric, but got "
                                f"key:{type(name)}, value:{type(metric)}.")
        return dict(metrics)
    if isinstance(metrics, set):
        return {name: get_metric_fn(name) for name in metrics}
    raise TypeError("For 'get_metrics', the argument 'metrics' must be None, dict or set, but "
                    f"got {metrics}")

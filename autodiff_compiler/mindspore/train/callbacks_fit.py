"""Callbacks that act on a run's progress, as MindSpore 2.10's do: ``EarlyStopping``
and ``ReduceLROnPlateau`` watch a value at the end of each epoch (``"loss"``, the
last step's, or a key of the ``eval_results`` that ``Model.fit`` evaluates:
``"eval_loss"``, a metric's name); ``LearningRateScheduler`` sets the rate after each
step from a function of the rate and the step.

As MindSpore's: an improvement is a change past ``min_delta`` in the direction
``mode`` says (``"auto"``: down for losses and distances, up otherwise); a value
missing (an epoch ``fit`` did not evaluate), or zero, is skipped.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Parameter, Tensor
from .callbacks import Callback, RunContext, loss_value

__all__ = ["EarlyStopping", "ReduceLROnPlateau", "LearningRateScheduler"]

# the values MindSpore's mode="auto" takes as better when smaller
_SMALLER_BETTER = ("hausdorff_distance", "mae", "mse", "loss", "perplexity",
                   "mean_surface_distance", "root_mean_square_distance", "eval_loss")


class _Watching(Callback):
    """Tracks the best value of ``monitor`` seen since the run began."""

    runs_in_fit_eval = False

    def __init__(self, monitor: str, min_delta: float, mode: str) -> None:
        if not isinstance(monitor, str):
            raise TypeError(f"The argument 'monitor' must be a str, but got {type(monitor)}.")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode should be 'auto', 'min' or 'max', but got {mode}.")
        self.monitor, self.min_delta, self.mode = monitor, abs(min_delta), mode
        self.smaller_is_better = mode == "min" or (mode == "auto" and monitor in _SMALLER_BETTER)
        self.best = math.inf if self.smaller_is_better else -math.inf

    def _restart(self) -> None:
        self.best = math.inf if self.smaller_is_better else -math.inf

    def is_improvement(self, value: float, reference: float) -> bool:
        if self.smaller_is_better:
            return bool(value < reference - self.min_delta)
        return bool(value > reference + self.min_delta)

    def _current(self, run_context: RunContext) -> float | None:
        cb = run_context.original_args()
        if self.monitor == "loss":
            value = loss_value(cb.get("net_outputs"))
            candidates: dict = {}
        else:
            candidates = cb.get("eval_results") or {}
            value = candidates.get(self.monitor)
        if value is None:
            warnings.warn(f"{type(self).__name__} is conditioned on {self.monitor}, which is "
                          f"not available. Available choices are: "
                          f"{sorted({'loss', *candidates})}", stacklevel=3)
            return None
        if np.ndim(value) != 0:
            raise ValueError(f"{type(self).__name__} only supports scalar monitor now.")
        return float(value) if value else None  # (MindSpore skips a zero too)


class EarlyStopping(_Watching):
    """Stop training once ``monitor`` has not improved for ``patience`` epochs (nor
    beaten ``baseline``, if given); ``restore_best_weights`` loads the best epoch's."""

    def __init__(self, monitor: str = "eval_loss", min_delta: float = 0, patience: int = 0,
                 verbose: bool = False, mode: str = "auto", baseline: float | None = None,
                 restore_best_weights: bool = False) -> None:
        super().__init__(monitor, min_delta, mode)
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"patience must be a non-negative int, but got {patience!r}")
        self.patience, self.verbose = patience, verbose
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.wait = self.stopped_epoch = 0
        self.best_weights: dict[str, np.ndarray] | None = None

    def on_train_begin(self, run_context: RunContext) -> None:
        self.wait = self.stopped_epoch = 0
        self.best_weights = None
        self._restart()

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        current = self._current(run_context)
        if current is None:
            return
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = _weights(cb.train_network)
        self.wait += 1
        if self.is_improvement(current, self.best):
            self.best = current
            if self.restore_best_weights:
                self.best_weights = _weights(cb.train_network)
            if self.baseline is None or self.is_improvement(current, self.baseline):
                self.wait = 0
        if self.wait >= self.patience:
            self.stopped_epoch = cb.cur_epoch_num
            run_context.request_stop()
            if self.restore_best_weights and self.best_weights is not None:
                if self.verbose:
                    print("Restoring model weights from the end of the best epoch.")
                for param in cb.train_network.get_parameters():
                    if param.name in self.best_weights:
                        param.set_data(Tensor(self.best_weights[param.name]))

    def on_train_end(self, run_context: RunContext) -> None:
        if self.stopped_epoch > 0 and self.verbose:
            print(f"Epoch {self.stopped_epoch:05d}: early stopping")


class ReduceLROnPlateau(_Watching):
    """Multiply the optimizer's learning rate by ``factor`` (down to ``min_lr``) once
    ``monitor`` has not improved for ``patience`` epochs; then wait ``cooldown`` epochs
    before counting again."""

    def __init__(self, monitor: str = "eval_loss", factor: float = 0.1, patience: int = 10,
                 verbose: bool = False, mode: str = "auto", min_delta: float = 1e-4,
                 cooldown: int = 0, min_lr: float = 0) -> None:
        super().__init__(monitor, min_delta, mode)
        if not 0.0 < factor < 1.0:
            raise ValueError(f"factor must be in (0.0, 1.0), but got {factor}")
        self.factor, self.patience, self.verbose = factor, patience, verbose
        self.cooldown, self.min_lr = cooldown, min_lr
        self.cooldown_counter = self.wait = 0

    def on_train_begin(self, run_context: RunContext) -> None:
        self.cooldown_counter = self.wait = 0
        self._restart()

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        rate = cb.optimizer.learning_rate
        if not isinstance(rate, Parameter):
            raise ValueError("ReduceLROnPlateau does not support dynamic learning rate and "
                             "group learning rate now.")
        current = self._current(run_context)
        if current is None:
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.is_improvement(current, self.best):
            self.best, self.wait = current, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                if float(rate) > self.min_lr:
                    new = max(float(rate) * self.factor, self.min_lr)
                    rate.set_data(Tensor(np.asarray(new, rate.dtype)))
                    if self.verbose:
                        print(f"Epoch {cb.cur_epoch_num:05d}: ReduceLROnPlateau reducing "
                              f"learning rate to {new}.")
                self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """After each step, the learning rate ``learning_rate_function(rate, step)`` gives."""

    runs_in_fit_eval = False

    def __init__(self, learning_rate_function: Callable[[float, int], float]) -> None:
        self.learning_rate_function = learning_rate_function

    def on_train_step_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        rate = cb.optimizer.learning_rate
        current = float(np.float32(rate))
        new = self.learning_rate_function(current, cb.cur_step_num)
        if not math.isclose(current, new, rel_tol=1e-10):
            rate.set_data(Tensor(np.asarray(new, np.float32)))


def _weights(network: Any) -> dict[str, np.ndarray]:
    return {p.name: np.array(p) for p in network.get_parameters()}

"""The two schedulers of ``mindspore.experimental.optim.lr_scheduler`` that do not follow
the epoch count alone: ``CyclicLR`` (a triangle wave between two rates, stepped per
batch) and ``ReduceLROnPlateau`` (stepped with a metric, cutting the rate when it stops
improving). Re-exported by ``lr_scheduler_experimental`` (the module MindSpore's path names), whose
base ``CyclicLR`` builds on.

Both are MindSpore 2.10's, measured (tests/test_mindspore_experimental_optim.py):

- ``CyclicLR`` puts each group's rate to ``base_lr`` when made (``last_epoch`` -1), so
  the optimizer's own ``lr`` is overwritten; the wave's position is
  ``x = 1 + t / (up + down) - cycle`` with ``cycle = floor(1 + t / (up + down))``, and the
  scale ``scale_fn`` is applied to ``cycle`` (``triangular``, ``triangular2``, a custom
  function with ``scale_mode='cycle'``) or to ``t`` itself (``exp_range``, a custom
  function with any other ``scale_mode``).
- ``ReduceLROnPlateau`` compares in float32 (its ``best`` is a float32 Parameter in
  MindSpore): an improvement resets ``wait``, otherwise ``wait`` grows; in cooldown
  ``wait`` stays 0; when ``wait`` passes ``patience`` every group's rate becomes
  ``max(lr * factor, min_lr)`` unless that changes it by ``eps`` or less. It is not an
  ``LRScheduler`` (no ``base_lrs``), as in MindSpore.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .lr_scheduler_experimental import LRScheduler
from .optim_experimental import Optimizer
from .tensor import Tensor

__all__ = ["CyclicLR", "ReduceLROnPlateau"]


def _per_group(optimizer: Any, value: Any, name: str) -> list[float]:
    if isinstance(value, list | tuple):
        if len(value) != len(optimizer.param_groups):
            raise ValueError(f"Expected {len(optimizer.param_groups)} values for {name}, "
                             f"got {len(value)}")
        return [float(v) for v in value]
    return [float(value)] * len(optimizer.param_groups)


class CyclicLR(LRScheduler):
    """Cyclical learning rates (Smith 2017) between ``base_lr`` and ``max_lr``."""

    def __init__(self, optimizer: Any, base_lr: Any, max_lr: Any,
                 step_size_up: int = 2000, step_size_down: int | None = None,
                 mode: str = "triangular", gamma: float = 1.0,
                 scale_fn: Callable[[Any], float] | None = None,
                 scale_mode: str = "cycle", last_epoch: int = -1) -> None:
        base_lrs = _per_group(optimizer, base_lr, "base_lr")
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"].view(np.ndarray)[...] = np.float32(lr)
        self.max_lrs = _per_group(optimizer, max_lr, "max_lr")
        up = float(step_size_up)
        down = up if step_size_down is None else float(step_size_down)
        self.total_step_size = up + down
        self.step_up_ratio = up / self.total_step_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError("mode is invalid and scale_fn is None")
        self.mode, self.gamma, self.scale_mode = mode, gamma, scale_mode
        self._scale_fn_custom = scale_fn
        if scale_fn is None:
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        # (the first step, made by the base, reads ``base_lrs`` as the groups' initial rates)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        if self._scale_fn_custom is not None:
            return float(self._scale_fn_custom(x))
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self) -> list:
        cycle = math.floor(1 + self.last_epoch / self.total_step_size)
        x = 1.0 + self.last_epoch / self.total_step_size - cycle
        if x <= self.step_up_ratio:
            scale_factor = x / self.step_up_ratio
        else:
            scale_factor = (x - 1) / (self.step_up_ratio - 1)
        at = cycle if self.scale_mode == "cycle" else self.last_epoch
        return [b + (m - b) * scale_factor * self.scale_fn(at)
                for b, m in zip(self.base_lrs, self.max_lrs)]


class ReduceLROnPlateau:
    """Cut every group's rate by ``factor`` once ``metrics`` (given to ``step``) has not
    improved for more than ``patience`` steps."""

    def __init__(self, optimizer: Any, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr: Any = 0, eps: float = 1e-8) -> None:
        if factor >= 1.0:
            raise ValueError("The lr factor should be less than 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"Expected an `Optimizer`, but got type {type(optimizer).__name__}")
        if isinstance(min_lr, list | tuple) and len(min_lr) != len(optimizer.param_groups):
            raise ValueError(f"Expected {len(optimizer.param_groups)} min_lrs, got "
                             f"{len(min_lr)}")
        if mode not in ("min", "max"):
            raise ValueError(f"`mode` should be 'min' or 'max', but got {mode}.")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"`threshold mode` should be 'rel' or 'abs', but got "
                             f"{threshold_mode}.")
        self.optimizer, self.factor, self.mode = optimizer, factor, mode
        self.min_lrs = [np.float32(v) for v in _per_group(optimizer, min_lr, "min_lr")]
        self.patience, self.threshold, self.threshold_mode = patience, threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.last_epoch, self.cooldown_counter, self.wait = 0, 0, 0
        self.best = np.float32(np.inf if mode == "min" else -np.inf)
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def _is_improvement(self, current: np.float32) -> bool:
        f, best = np.float32, self.best
        if self.threshold_mode == "rel":
            sign = -1.0 if self.mode == "min" else 1.0
            benchmark = best * f(1.0 + sign * self.threshold)
        else:
            benchmark = best - f(self.threshold) if self.mode == "min" else best + f(
                self.threshold)
        return bool(current < benchmark if self.mode == "min" else current > benchmark)

    def step(self, metrics: Any) -> bool:
        current = np.float32(np.asarray(metrics))
        self.last_epoch += 1
        if self._is_improvement(current):
            self.best, self.wait = current, 0
        else:
            self.wait += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self.wait > self.patience:
            for holder, floor in zip(self._last_lr, self.min_lrs):
                old = np.float32(holder)
                new = max(old * np.float32(self.factor), floor)
                if old > new + self.eps:
                    holder.view(np.ndarray)[...] = new
            self.cooldown_counter, self.wait = self.cooldown, 0
        return True

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def get_last_lr(self) -> list:
        return [Tensor(np.float32(lr)) for lr in self._last_lr]

"""MindSpore's learning rates: schedules called per step, and lists computed ahead.

``nn.ExponentialDecayLR(...)`` and its siblings are Cells taking the global step; an
optimizer calls one each step. ``nn.exponential_decay_lr(...)`` and its siblings return
a Python list with one rate per step, counted in epochs (``step // step_per_epoch``).
The formulas are MindSpore 2.10's as it computes them (measured; see
tests/test_optimizers.py), including two places where its docstrings say otherwise:
``NaturalExpDecayLR`` decays by ``exp(-rate * step)``, ``decay_steps`` counting only
with ``is_stair`` (then ``step`` is rounded down to a multiple of it), and
``natural_exp_decay_lr`` likewise in epochs.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .nn import Cell
from .tensor import Tensor


class LearningRateSchedule(Cell):
    """A learning rate as a function of the global step (``construct(global_step)``).

    ``construct`` is given the step as it was passed: an optimizer passes its
    ``global_step``, an int32 Tensor of shape [1], as MindSpore's does, so a
    schedule written for MindSpore can use Tensor methods on it
    (``global_step.astype(ms.float32)``, ``ops.cast``). The schedules here read it
    with ``step_number``, so they take a Python int as well."""

    def __call__(self, global_step: Any) -> Tensor:
        """The rate at ``global_step``: a float32 Tensor of the step's shape, as
        MindSpore's (shape () for a number, [1] for an optimizer's ``global_step``),
        when ``construct`` gives one number; what it gives otherwise."""
        rate = np.asarray(self.construct(global_step), np.float32)
        if rate.ndim == 0:
            rate = np.full(np.shape(global_step), rate, np.float32)
        return Tensor(rate)

    def construct(self, global_step: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define construct()")


def step_number(global_step: Any) -> float:
    """The step a schedule is at, from a number or a Tensor of one element. A float
    step (a fractional epoch: ``Tensor(epoch + i / n, ms.float32)``) stays fractional,
    as MindSpore's schedules cast the step to float32 and use it as it is (measured);
    an integer one is an int."""
    step = np.asarray(global_step)
    if step.size != 1:
        raise ValueError(f"a learning-rate schedule takes one global step, not {step.size}")
    if np.issubdtype(step.dtype, np.floating):
        return float(step.reshape(()))
    return int(step.reshape(()))


def _progress(step: float, steps: float, stair: bool) -> float:
    return math.floor(step / steps) if stair else step / steps


class ExponentialDecayLR(LearningRateSchedule):
    """``lr * rate ** (step / decay_steps)`` (the exponent rounded down with
    ``is_stair``)."""

    def __init__(self, learning_rate: float, decay_rate: float, decay_steps: int,
                 is_stair: bool = False) -> None:
        super().__init__()
        _check_decay(learning_rate, decay_rate, is_stair, type(self).__name__,
                     decay_steps=decay_steps)
        self.lr, self.rate, self.steps, self.stair = learning_rate, decay_rate, decay_steps, \
            is_stair

    def construct(self, global_step: Any) -> float:
        return self.lr * self.rate ** _progress(step_number(global_step), self.steps,
                                                self.stair)


class NaturalExpDecayLR(ExponentialDecayLR):
    """``lr * exp(-rate * step)``, ``step`` rounded down to a multiple of
    ``decay_steps`` with ``is_stair``."""

    def construct(self, global_step: Any) -> float:
        step = step_number(global_step)
        p = math.floor(step / self.steps) * self.steps if self.stair else step
        return self.lr * math.exp(-self.rate * p)


class InverseDecayLR(ExponentialDecayLR):
    """``lr / (1 + rate * step / decay_steps)`` (rounded down with ``is_stair``)."""

    def construct(self, global_step: Any) -> float:
        return self.lr / (1 + self.rate * _progress(step_number(global_step), self.steps,
                                                    self.stair))


class CosineDecayLR(LearningRateSchedule):
    """From ``max_lr`` down to ``min_lr`` along half a cosine over ``decay_steps``."""

    def __init__(self, min_lr: float, max_lr: float, decay_steps: int) -> None:
        super().__init__()
        _check_cosine(min_lr, max_lr, "CosineDecayLR", "CosineDecayLR", decay_steps=decay_steps)
        self.min_lr, self.max_lr, self.steps = min_lr, max_lr, decay_steps

    def construct(self, global_step: Any) -> float:
        return _cosine(self.min_lr, self.max_lr, step_number(global_step), self.steps)


class PolynomialDecayLR(LearningRateSchedule):
    """``(lr - end) * (1 - step / decay_steps) ** power + end``, held at ``end`` after
    ``decay_steps``; with ``update_decay_steps`` the horizon grows to the next multiple
    of ``decay_steps`` instead."""

    def __init__(self, learning_rate: float, end_learning_rate: float, decay_steps: int,
                 power: float, update_decay_steps: bool = False) -> None:
        super().__init__()
        _float(learning_rate=learning_rate)
        _float(allow_zero=True, owner="PolynomialDecayLR", end_learning_rate=end_learning_rate)
        _positive_int("PolynomialDecayLR", decay_steps=decay_steps)
        _bool("PolynomialDecayLR", update_decay_steps=update_decay_steps)
        _float(prim="PolynomialDecayLR", power=power)
        self.lr, self.end, self.steps, self.power = learning_rate, end_learning_rate, \
            decay_steps, power
        self.update = update_decay_steps

    def construct(self, global_step: Any) -> float:
        return _polynomial(self.lr, self.end, step_number(global_step), self.steps, self.power,
                           self.update)


class WarmUpLR(LearningRateSchedule):
    """``lr * min(step, warmup_steps) / warmup_steps``."""

    def __init__(self, learning_rate: float, warmup_steps: int) -> None:
        super().__init__()
        _float(allow_zero=True, owner="WarmUpLR", learning_rate=learning_rate)
        _positive_int("WarmUpLR", warmup_steps=warmup_steps)
        self.lr, self.steps = learning_rate, warmup_steps

    def construct(self, global_step: Any) -> float:
        return self.lr * min(step_number(global_step), self.steps) / self.steps


def _cosine(min_lr: float, max_lr: float, step: float, steps: float) -> float:
    return min_lr + 0.5 * (max_lr - min_lr) * (1 + math.cos(math.pi * min(step, steps) / steps))


def _polynomial(lr: float, end: float, step: float, steps: float, power: float,
                update: bool) -> float:
    if update:
        steps = steps * max(1, math.ceil(step / steps))
    else:
        step = min(step, steps)
    return (lr - end) * (1 - step / steps) ** power + end


# ---------------------------------------------------------------------------- lists


def _epochs(total_step: int, step_per_epoch: int) -> list[int]:
    return [i // step_per_epoch for i in range(total_step)]


# MindSpore checks the arguments of the schedules and the lists (``_checkparam``'s checks,
# its messages; ``prim`` names the class where its check does); without them an integer
# rate or milestones out of order would give a silently different rate.
def _the(prim: str) -> str:
    return f"For '{prim}', the" if prim else "The"


def _positive_int(prim: str = "", **values: Any) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{_the(prim)} '{name}' must be int, but got "
                            f"'{type(value).__name__}'")
        if value <= 0:
            raise ValueError(f"{_the(prim)} '{name}' must be int and must > 0, but got "
                             f"'{value}' with type 'int'.")


def _float(allow_zero: bool = False, owner: str = "", prim: str = "", **values: Any) -> None:
    """A float (above 0, or at least 0 with ``allow_zero``); ``owner`` names the function
    in the TypeError where MindSpore's own check does (its ``min_lr``-like arguments)."""
    for name, value in values.items():
        if not isinstance(value, float):
            if owner:
                raise TypeError(f"For '{owner}', the argument '{name}' must be type of float, "
                                f"but got '{name}' type: {type(value)}.")
            raise TypeError(f"{_the(prim)} '{name}' must be float, but got "
                            f"'{type(value).__name__}'")
        if value < 0 or (value == 0 and not allow_zero):
            raise ValueError(f"{_the(prim)} '{name}' must be float and must "
                             f"{'>=' if allow_zero else '>'} 0, but got '{value}' with type "
                             "'float'.")


def _bool(prim: str = "", **values: Any) -> None:
    for name, value in values.items():
        if not isinstance(value, bool):
            raise TypeError(f"{_the(prim)} type of '{name}' should be 'bool', but got type "
                            f"'{type(value).__name__}'.")


def _check_decay(learning_rate: Any, decay_rate: Any, is_stair: Any, prim: str = "",
                 **steps: Any) -> None:
    """The checks of the exponential, natural-exponential and inverse decays: a Cell's
    (``prim``, ``decay_steps``) or a list's (``total_step``, ``step_per_epoch``,
    ``decay_epoch``)."""
    _positive_int(prim, **steps)
    _float(prim=prim, learning_rate=learning_rate, decay_rate=decay_rate)
    _bool(prim, is_stair=is_stair)


def _check_cosine(min_lr: Any, max_lr: Any, prim: str, owner: str, **steps: Any) -> None:
    _float(allow_zero=True, owner=owner, min_lr=min_lr)
    _float(prim=prim, max_lr=max_lr)
    _positive_int(prim, **steps)
    if max_lr <= min_lr:
        raise ValueError(f"For '{owner}', the 'max_lr' must be greater than the 'min_lr', but "
                         f"got 'max_lr' value: {max_lr}, 'min_lr' value: {min_lr}.")


def piecewise_constant_lr(milestone: list[int], learning_rates: list[float]) -> list[float]:
    """``learning_rates[k]`` for the steps before ``milestone[k]`` (and after the one
    before it)."""
    if len(milestone) != len(learning_rates):
        raise ValueError(f"For 'piecewise_constant_lr', the size of 'milestone' must be same "
                         f"with the size of 'learning_rates', but got 'milestone' size: "
                         f"{len(milestone)}, 'learning_rates' size: {len(learning_rates)}.")
    for i, (end, lr) in enumerate(zip(milestone, learning_rates)):
        _positive_int(**{f"milestone[{i}]": end})
        if not isinstance(lr, float):
            raise TypeError(f"The type of 'learning_rates[{i}]' must be 'float', but got "
                            f"'{type(lr).__name__}'.")
        if i and end <= milestone[i - 1]:
            raise ValueError(f"For 'piecewise_constant_lr', the value of milestone[{i}] must be "
                             f"greater than milestone[{i - 1}], but got milestone[{i}]: {end}, "
                             f"milestone[{i - 1}]: {milestone[i - 1]}.")
    out: list[float] = []
    for end, lr in zip(milestone, learning_rates):
        out += [lr] * (end - len(out))
    return out


def exponential_decay_lr(learning_rate: float, decay_rate: float, total_step: int,
                         step_per_epoch: int, decay_epoch: int,
                         is_stair: bool = False) -> list[float]:
    _check_decay(learning_rate, decay_rate, is_stair, total_step=total_step,
                 step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    return [learning_rate * decay_rate ** _progress(e, decay_epoch, is_stair)
            for e in _epochs(total_step, step_per_epoch)]


def natural_exp_decay_lr(learning_rate: float, decay_rate: float, total_step: int,
                         step_per_epoch: int, decay_epoch: int,
                         is_stair: bool = False) -> list[float]:
    _check_decay(learning_rate, decay_rate, is_stair, total_step=total_step,
                 step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    return [learning_rate * math.exp(-decay_rate * (math.floor(e / decay_epoch) * decay_epoch
                                                    if is_stair else e))
            for e in _epochs(total_step, step_per_epoch)]


def inverse_decay_lr(learning_rate: float, decay_rate: float, total_step: int,
                     step_per_epoch: int, decay_epoch: int, is_stair: bool = False) -> list[float]:
    _check_decay(learning_rate, decay_rate, is_stair, total_step=total_step,
                 step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    return [learning_rate / (1 + decay_rate * _progress(e, decay_epoch, is_stair))
            for e in _epochs(total_step, step_per_epoch)]


def cosine_decay_lr(min_lr: float, max_lr: float, total_step: int, step_per_epoch: int,
                    decay_epoch: int) -> list[float]:
    _check_cosine(min_lr, max_lr, "", "cosine_decay_lr", total_step=total_step,
                  step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    return [_cosine(min_lr, max_lr, e, decay_epoch) for e in _epochs(total_step, step_per_epoch)]


def polynomial_decay_lr(learning_rate: float, end_learning_rate: float, total_step: int,
                        step_per_epoch: int, decay_epoch: int, power: float,
                        update_decay_epoch: bool = False) -> list[float]:
    _float(learning_rate=learning_rate, power=power)
    _float(allow_zero=True, owner="polynomial_decay_lr", end_learning_rate=end_learning_rate)
    _positive_int(total_step=total_step, step_per_epoch=step_per_epoch, decay_epoch=decay_epoch)
    return [_polynomial(learning_rate, end_learning_rate, e, decay_epoch, power,
                        update_decay_epoch) for e in _epochs(total_step, step_per_epoch)]


def warmup_lr(learning_rate: float, total_step: int, step_per_epoch: int,
              warmup_epoch: int) -> list[float]:
    _float(allow_zero=True, owner="warmup_lr", learning_rate=learning_rate)
    _positive_int(warmup_epoch=warmup_epoch, total_step=total_step,
                  step_per_epoch=step_per_epoch)
    return [learning_rate * min(e, warmup_epoch) / warmup_epoch
            for e in _epochs(total_step, step_per_epoch)]


SCHEDULES = ["LearningRateSchedule", "ExponentialDecayLR", "NaturalExpDecayLR",
             "InverseDecayLR", "CosineDecayLR", "PolynomialDecayLR", "WarmUpLR"]
LISTS = ["piecewise_constant_lr", "exponential_decay_lr", "natural_exp_decay_lr",
         "inverse_decay_lr", "cosine_decay_lr", "polynomial_decay_lr", "warmup_lr"]
__all__ = SCHEDULES + LISTS

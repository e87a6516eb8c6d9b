"""MindSpore's ``nn.AdaFactor`` (Shazeer and Stern, 2018): Adam's second moment kept
factored, as a row and a column running mean for each matrix.

The step is MindSpore 2.10's CPU one (``FusedAdaFactor``, which its ``AdaFactor`` runs
on CPU), in float32:

- ``beta2t = 1 - t^-decay_rate`` at step ``t`` (from 1, so the first step keeps no
  history); with ``relative_step`` (and a number for a learning rate) the rate is
  ``min(1e-2, 1/sqrt(t))`` (``1e-6 t`` for the first with ``warmup_init``);
- ``u = g^2 + eps[0]``; a Parameter of rank >= 2 keeps ``row = beta2t row + (1-beta2t)
  mean(u, -1)`` and ``col = beta2t col + (1-beta2t) mean(u, -2)`` and divides the
  gradient by ``sqrt(row / mean(row, -1)) sqrt(col)``; a vector keeps ``v = beta2t v +
  (1-beta2t) u`` and divides by ``sqrt(v)`` (running means and the divisor at least
  1e-30);
- with ``scale_parameter`` the rate is times ``max(eps[1], rms(p))``; the update is
  divided by ``max(1, rms(update) / clip_threshold)`` and times the rate; with ``beta1``
  it is averaged into ``exp_avg`` first; ``p -= update + weight_decay lr p``.

``weight_decay`` is this decoupled decay (the gradients are not decayed), and a rate
that is a list or a schedule turns ``scale_parameter`` off, as in MindSpore.
``loss_scale`` divides the gradients as the documentation says (MindSpore 2.10's
``AdaFactor`` does not use it). State is named as MindSpore names it: ``exp_avg.w``,
``exp_avg_sq_row_w``, ``exp_avg_sq_col_w``, ``exp_avg_sq_w`` and ``afactor_step``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .optim import Optimizer
from .tensor import Parameter, ParameterTuple

__all__ = ["AdaFactor"]

_TINY = np.float32(1e-30)


def _rms(values: np.ndarray) -> np.float32:
    return np.sqrt(np.mean(np.square(values, dtype=np.float32), dtype=np.float32))


class AdaFactor(Optimizer):
    """The factored second-moment optimizer (module docstring)."""

    def __init__(self, params: Any, learning_rate: Any = None, eps: tuple = (1e-30, 1e-3),
                 clip_threshold: float = 1.0, decay_rate: float = 0.8, beta1: float = 0.9,
                 weight_decay: float = 0.0, scale_parameter: bool = True,
                 relative_step: bool = True, warmup_init: bool = False,
                 compression: bool = False, loss_scale: float = 1.0) -> None:
        if learning_rate is not None and relative_step:
            raise ValueError("Cannot combine manual lr and relative_step options", learning_rate)
        if warmup_init and not relative_step:
            raise ValueError("warmup_init requires relative_step=True")
        if learning_rate is None and not relative_step:
            raise ValueError("Cannot learning_rate is None and relative_step=False")
        learning_rate = 0.0 if learning_rate is None else learning_rate
        beta1 = 0.0 if beta1 is None else beta1
        super().__init__(learning_rate, params, 0.0, loss_scale)
        if not isinstance(eps, list | tuple) or len(eps) != 2 or any(e < 0 for e in eps):
            raise ValueError("eps must have 2 non-negative values: (eps1, eps2).")
        if clip_threshold <= 0 or not 0 < decay_rate < 1 or not 0 <= weight_decay < 1 \
                or beta1 < 0:
            raise ValueError("AdaFactor: clip_threshold must be positive, decay_rate in "
                             "(0, 1), weight_decay in [0, 1) and beta1 non-negative")
        self.scale_lr = isinstance(learning_rate, float | int)
        self.eps, self.clip_threshold = tuple(np.float32(e) for e in eps), clip_threshold
        self.decay_rate, self.beta1, self.factor_decay = decay_rate, beta1, weight_decay
        self.scale_parameter = scale_parameter and self.scale_lr
        self.relative_step, self.warmup_init = relative_step, warmup_init
        self.compression, self.use_first_moment = compression, beta1 > 0
        self._hold_state()

    def _hold_state(self) -> None:
        """The running means, named and shaped as MindSpore's (unused ones of shape
        [1])."""
        def state(name: str, shape: tuple, dtype: Any) -> Parameter:
            return self._state(Parameter(np.zeros(shape, dtype), name=name,
                                         requires_grad=False))

        if self.use_first_moment:
            self.exp_avg = self.clone_state("exp_avg")
        else:  # one unused scalar for all, as MindSpore holds it
            unused = Parameter(np.zeros((), np.float32), name="Parameter", requires_grad=False)
            self.exp_avg = ParameterTuple([unused] * len(self.parameters))
        rows, cols, squares = [], [], []
        for p in self.parameters:
            factored = len(p.shape) > 1
            rows.append(state(f"exp_avg_sq_row_{p.name}", p.shape[:-1] if factored else (1,),
                              p.dtype))
            cols.append(state(f"exp_avg_sq_col_{p.name}",
                              p.shape[:-2] + p.shape[-1:] if factored else (1,), p.dtype))
            squares.append(state(f"exp_avg_sq_{p.name}", (1,) if factored else p.shape,
                                 np.float16 if self.compression and not factored else p.dtype))
        self.exp_avg_sq_row, self.exp_avg_sq_col = ParameterTuple(rows), ParameterTuple(cols)
        self.exp_avg_sq = ParameterTuple(squares)
        self.step = state("afactor_step", (1,), np.float32)

    def begin_step(self) -> None:
        step = self.step.view(np.ndarray)
        step[0] += 1
        t = step[0]
        self._beta2t = np.float32(1) - np.power(t, np.float32(-self.decay_rate))
        self._relative = None
        if self.scale_lr and self.relative_step:
            low = np.float32(1e-6) * t if self.warmup_init else np.float32(1e-2)
            self._relative = np.minimum(low, np.float32(1) / np.sqrt(t))

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        f32 = np.float32
        grad = grad.astype(f32)
        lr = f32(self._relative if self._relative is not None else lr)
        beta2t = self._beta2t
        squared = grad * grad + self.eps[0]
        if param.ndim > 1:
            row, col = self.exp_avg_sq_row[i].view(np.ndarray), \
                self.exp_avg_sq_col[i].view(np.ndarray)
            row[...] = row * beta2t + squared.mean(-1) * (1 - beta2t)
            row_mean = np.maximum(row.mean(-1, keepdims=True), _TINY)
            col[...] = np.maximum(col * beta2t + squared.mean(-2) * (1 - beta2t), _TINY)
            norm = np.sqrt(row / row_mean)[..., None] * np.sqrt(col)[..., None, :]
            step = grad / np.maximum(norm, _TINY)
        else:
            square = self.exp_avg_sq[i].view(np.ndarray)
            kept = np.maximum(square.astype(f32) * beta2t + squared * (1 - beta2t), _TINY)
            square[...] = kept
            step = grad / np.sqrt(kept)
        if self.scale_parameter:
            lr = lr * max(self.eps[1], _rms(param))
        step = step * (lr / max(_rms(step) / f32(self.clip_threshold), f32(1)))
        if self.use_first_moment:
            moment = self.exp_avg[i].view(np.ndarray)
            moment[...] = moment * f32(self.beta1) + step * (1 - f32(self.beta1))
            step = moment.astype(f32)
        if self.factor_decay:
            step = step + param * f32(self.factor_decay) * lr
        param -= step.astype(param.dtype)

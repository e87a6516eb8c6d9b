"""The other optimizers of ``mindspore.experimental.optim``: ``Adadelta``, ``Adagrad``,
``Adamax``, ``ASGD``, ``NAdam``, ``RAdam``, ``RMSprop`` and ``Rprop``, on the base of
``optim_experimental`` (parameter groups whose ``lr`` a scheduler writes), which
re-exports them.

Each step is the one MindSpore 2.10's code takes (measured: tests/
test_mindspore_experimental_optim.py), which is not always PyTorch's:

- ``weight_decay`` adds ``wd * param`` to the gradient first (``Rprop`` has none);
  ``maximize`` negates the gradient (``NAdam`` and ``RAdam`` have no ``maximize``);
- ``Adadelta`` is the ``ApplyAdadelta`` kernel (``eps`` inside both roots), ``Adagrad``
  the ``ApplyAdagradV2`` one (``eps`` outside the root) at ``lr / (1 + k * lr_decay)``
  where ``k`` counts the steps taken *before* this one;
- ``Adamax`` adds ``eps`` to ``|g|`` inside the maximum, ``exp_inf = max(b2 exp_inf,
  |g| + eps)``;
- ``ASGD`` steps with ``eta`` (``lr`` at the first step), then sets ``eta = lr / (1 +
  lambd lr t)^alpha`` and ``mu = 1 / max(1, t - t0)`` for the next;
- ``RMSprop`` with momentum accumulates ``g / avg`` and steps ``lr`` times it;
- ``Rprop`` starts every step size at ``lr`` and, where the gradient's sign flipped,
  skips that step and forgets the gradient.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .optim_experimental import Optimizer
from .tensor import Parameter, Tensor

__all__ = ["Adadelta", "Adagrad", "Adamax", "ASGD", "NAdam", "RAdam", "RMSprop", "Rprop"]


def _above(value: float, name: str, owner: str, limit: float = 0.0) -> None:
    if value <= limit:
        raise ValueError(f"For {owner}, the {name} must be greater than {limit}, but got "
                         f"{value}.")


def _at_least(value: float, name: str, owner: str) -> None:
    if value < 0.0:
        raise ValueError(f"For {owner}, the {name} must be greater than or equal to 0.0, "
                         f"but got {value}.")


def _betas(betas: tuple, owner: str) -> None:
    for k in (0, 1):
        if not 0.0 <= betas[k] < 1.0:
            raise ValueError(f"For '{owner}', the 'betas[{k}]' must be in range of [0.0, 1.0), "
                             f"but got {betas[k]} with type '{type(betas[k]).__name__}'.")


def _decayed(param: np.ndarray, grad: np.ndarray, group: dict) -> np.ndarray:
    wd = group.get("weight_decay", 0.0)
    return grad + param.dtype.type(wd) * param if wd else grad


class _Counted(Optimizer):
    """An optimizer that counts its steps in ``step_t`` (an int32 Parameter)."""

    def count_steps(self) -> None:
        self.step_t = Parameter(Tensor(np.int32(0)), name="step_t", requires_grad=False)

    def begin_step(self) -> None:
        self.step_t.view(np.ndarray)[...] += 1

    @property
    def steps(self) -> int:
        return int(self.step_t)


class Adadelta(Optimizer):
    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        _above(lr, "lr", "Adadelta")
        _above(eps, "eps", "Adadelta")
        _at_least(weight_decay, "weight_decay", "Adadelta")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"For 'Adadelta', the 'rho' must be in range of [0.0, 1.0], but "
                             f"got {rho} with type '{type(rho).__name__}'.")
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize})
        self.accum, self.accum_update = self.clone_state("accum"), self.clone_state("accum_update")

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        grad = _decayed(param, grad, group)
        rho, eps = f(group["rho"]), f(group["eps"])
        accum, accum_update = self.accum[i].view(np.ndarray), self.accum_update[i].view(np.ndarray)
        accum[...] = rho * accum + (1 - rho) * grad * grad
        step = np.sqrt(accum_update + eps) / np.sqrt(accum + eps) * grad
        accum_update[...] = rho * accum_update + (1 - rho) * step * step
        param -= f(group["lr"]) * step


class Adagrad(_Counted):
    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0,
                 eps: float = 1e-10, *, maximize: bool = False) -> None:
        _above(lr, "lr", "Adagrad")
        _above(eps, "eps", "Adagrad")
        for value, name in ((lr_decay, "lr_decay"), (weight_decay, "weight_decay"),
                            (initial_accumulator_value, "initial_accumulator_value")):
            _at_least(value, name, "Adagrad")
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize,
                                  "initial_accumulator_value": initial_accumulator_value})
        self.accum = self.clone_state("accum", initial_accumulator_value)
        self.count_steps()

    def begin_step(self) -> None:
        """(the step count advances after the step: the first step's rate is ``lr``)"""

    def construct(self, gradients: Any) -> bool:
        super().construct(gradients)
        self.step_t.view(np.ndarray)[...] += 1
        return True

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        grad = _decayed(param, grad, group)
        lr = f(group["lr"]) / (1 + f(self.steps) * f(group["lr_decay"]))
        accum = self.accum[i].view(np.ndarray)
        accum += grad * grad
        param -= lr * grad / (np.sqrt(accum) + f(group["eps"]))


class Adamax(_Counted):
    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, *, maximize: bool = False) -> None:
        _above(lr, "lr", "Adamax")
        _above(eps, "eps", "Adamax")
        _at_least(weight_decay, "weight_decay", "Adamax")
        _betas(betas, "Adamax")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "maximize": maximize})
        self.count_steps()
        self.exp_avg, self.exp_inf = self.clone_state("exp_avg"), self.clone_state("exp_inf")

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        grad = _decayed(param, grad, group)
        b1, b2 = f(group["betas"][0]), f(group["betas"][1])
        m, u = self.exp_avg[i].view(np.ndarray), self.exp_inf[i].view(np.ndarray)
        m[...] = m * b1 + grad * (1 - b1)
        u[...] = np.maximum(u * b2, np.abs(grad) + f(group["eps"]))
        param -= f(group["lr"]) / (1 - b1 ** f(self.steps)) * m / u


class ASGD(_Counted):
    def __init__(self, params: Any, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0.0, maximize: bool = False) -> None:
        _above(lr, "lr", "ASGD")
        _at_least(weight_decay, "weight_decay", "ASGD")
        for value, name in ((lambd, "lambd"), (t0, "t0")):
            if not isinstance(value, float):
                raise TypeError(f"For 'ASGD', the type of {name} must be float, but got "
                                f"{type(value)}.")
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                                  "weight_decay": weight_decay, "maximize": maximize})
        self.mu = [Parameter(Tensor(np.float32(1.0)), name=f"mu_{p.name}", requires_grad=False)
                   for p in self.parameters]
        self.eta = [Parameter(Tensor(np.float32(0.0)), name=f"eta_{p.name}", requires_grad=False)
                    for p in self.parameters]
        self.ax = self.clone_state("ax")
        self.count_steps()

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f, t = param.dtype.type, self.steps
        grad = _decayed(param, grad, group)
        lr, lambd = f(group["lr"]), f(group["lambd"])
        eta, mu, ax = (self.eta[i].view(np.ndarray), self.mu[i].view(np.ndarray),
                       self.ax[i].view(np.ndarray))
        if t == 1:
            eta[...] = lr
        param[...] = param * (1 - lambd * eta) - eta * grad
        ax[...] = ax + (param - ax) * mu if mu != 1 else param
        eta[...] = lr / (1 + lambd * lr * f(t)) ** f(group["alpha"])
        mu[...] = 1 / max(f(1.0), f(t) - f(group["t0"]))


class NAdam(_Counted):
    def __init__(self, params: Any, lr: float = 2e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum_decay: float = 4e-3) -> None:
        _above(lr, "lr", "NAdam")
        _above(eps, "eps", "NAdam")
        _at_least(weight_decay, "weight_decay", "NAdam")
        _at_least(momentum_decay, "momentum_decay", "NAdam")
        _betas(betas, "NAdam")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "momentum_decay": momentum_decay})
        self.count_steps()
        self.exp_avg, self.exp_avg_sq = self.clone_state("exp_avg"), self.clone_state("exp_avg_sq")
        self.mu_product = [Parameter(Tensor(np.float32(1.0)), name=f"mu_product_{p.name}",
                                     requires_grad=False) for p in self.parameters]

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f, t = param.dtype.type, self.steps
        grad = _decayed(param, grad, group)
        b1, b2, lr = f(group["betas"][0]), f(group["betas"][1]), f(group["lr"])
        decay = f(group["momentum_decay"])
        mu = b1 * (1 - f(0.5) * f(0.96) ** (f(t) * decay))
        mu_next = b1 * (1 - f(0.5) * f(0.96) ** (f(t + 1) * decay))
        product = self.mu_product[i].view(np.ndarray)
        product *= mu
        m, v = self.exp_avg[i].view(np.ndarray), self.exp_avg_sq[i].view(np.ndarray)
        m[...] = m * b1 + grad * (1 - b1)
        v[...] = v * b2 + grad * grad * (1 - b2)
        denom = np.sqrt(v / (1 - b2 ** f(t))) + f(group["eps"])
        param -= lr * (1 - mu) / (1 - product) * grad / denom
        param -= lr * mu_next / (1 - product * mu_next) * m / denom


class RAdam(_Counted):
    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        _above(lr, "lr", "RAdam")
        _above(eps, "eps", "RAdam")
        _at_least(weight_decay, "weight_decay", "RAdam")
        _betas(betas, "RAdam")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay})
        self.count_steps()
        self.exp_avg, self.exp_avg_sq = self.clone_state("exp_avg"), self.clone_state("exp_avg_sq")

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        t = f(self.steps)
        grad = _decayed(param, grad, group)
        b1, b2, lr = f(group["betas"][0]), f(group["betas"][1]), f(group["lr"])
        m, v = self.exp_avg[i].view(np.ndarray), self.exp_avg_sq[i].view(np.ndarray)
        m[...] = m * b1 + grad * (1 - b1)
        v[...] = v * b2 + grad * grad * (1 - b2)
        correction1, correction2 = 1 - b1 ** t, 1 - b2 ** t
        rho_inf = 2 / (1 - group["betas"][1]) - 1
        rho_t = f(rho_inf) - 2 * t * b2 ** t / correction2
        corrected = m / correction1
        if rho_t > 5.0:
            rect = np.sqrt((rho_t - 4) * (rho_t - 2) * f(rho_inf)
                           / (f((rho_inf - 4) * (rho_inf - 2)) * rho_t))
            param -= corrected * lr * (np.sqrt(correction2) / (np.sqrt(v) + f(group["eps"]))) * rect
        else:
            param -= corrected * lr


class RMSprop(Optimizer):
    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0, momentum: float = 0.0, centered: bool = False,
                 maximize: bool = False) -> None:
        _above(lr, "lr", "RMSprop")
        _above(eps, "eps", "RMSprop")
        for value, name in ((alpha, "alpha"), (momentum, "momentum"),
                            (weight_decay, "weight_decay")):
            _at_least(value, name, "RMSprop")
        super().__init__(params, {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                                  "centered": centered, "weight_decay": weight_decay,
                                  "maximize": maximize})
        self.mean_grad, self.mean_square = self.clone_state("mean_grad"), self.clone_state(
            "mean_square")
        self.moment = self.clone_state("moment")

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        grad = _decayed(param, grad, group)
        alpha, eps, lr = f(group["alpha"]), f(group["eps"]), f(group["lr"])
        square = self.mean_square[i].view(np.ndarray)
        square[...] = square * alpha + grad * grad * (1 - alpha)
        if group["centered"]:
            mean = self.mean_grad[i].view(np.ndarray)
            mean[...] = mean * alpha + grad * (1 - alpha)
            avg = np.sqrt(square - mean * mean) + eps
        else:
            avg = np.sqrt(square) + eps
        if group["momentum"] > 0:
            mom = self.moment[i].view(np.ndarray)
            mom[...] = mom * f(group["momentum"]) + grad / avg
            param -= mom * lr
        else:
            param -= lr * grad / avg


class Rprop(_Counted):
    def __init__(self, params: Any, lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, maximize: bool = False) -> None:
        _above(lr, "lr", "Rprop")
        _above(etas[1], "etas[1]", "Rprop", 1.0)
        if not 0.0 < etas[0] < 1.0:
            raise ValueError(f"For 'Rprop', the 'etas[0]' must be in range of (0.0, 1.0), but "
                             f"got {etas[0]} with type '{type(etas[0]).__name__}'.")
        super().__init__(params, {"lr": lr, "etas": etas, "step_sizes": step_sizes,
                                  "maximize": maximize})
        self.prev, self.step_size = self.clone_state("prev"), self.clone_state("step_size")
        self.count_steps()

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        minus, plus = f(group["etas"][0]), f(group["etas"][1])
        prev, size = self.prev[i].view(np.ndarray), self.step_size[i].view(np.ndarray)
        if self.steps == 1:
            size[...] = f(group["lr"])
        sign = np.sign(grad * prev)
        factor = np.where(sign > 0, plus, np.where(sign < 0, minus, f(1.0)))
        size[...] = np.clip(size * factor, f(group["step_sizes"][0]), f(group["step_sizes"][1]))
        prev[...] = np.where(factor == minus, f(0.0), grad)
        param -= np.sign(prev) * size

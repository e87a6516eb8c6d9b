"""MindSpore's ``mindspore.experimental.optim``: PyTorch-style optimizers whose
parameter groups hold their own learning rate, which the schedulers of
``lr_scheduler_experimental`` change between steps.

``optimizer.param_groups`` is a list of dicts (``params``, ``lr``, ``weight_decay`` and the
optimizer's other settings, a group's own where it gives them); each group's ``lr`` is
a float32 Parameter of shape () named ``learning_rate_group_<i>`` (``optimizer.lrs``
lists them), read at every step. Called as MindSpore calls an optimizer,
``optimizer(grads)`` with one gradient per Parameter of ``optimizer.parameters``.
The updates are MindSpore 2.10's, measured:

- ``Adam``: ``weight_decay`` adds ``wd * param`` to the gradient, then the ``Adam``
  kernel: ``param -= lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)`` (``eps``
  outside the bias correction, unlike PyTorch's); ``amsgrad`` steps along the running
  maximum of ``v`` (``max_exp_avg_sq``) in the same kernel form, as its documentation
  describes AMSGrad -- MindSpore 2.10 accepts ``amsgrad=True`` and silently trains plain
  Adam (measured: same Parameters either way), which we do not copy;
- ``AdamW``: ``param *= 1 - lr * wd``, then ``param -= lr / (1 - b1^t) * m /
  (sqrt(v) / sqrt(1 - b2^t) + eps)`` (``amsgrad``: the running maximum of ``v``);
- ``SGD``: the ``SGD`` kernel: ``g + wd * param``; with momentum, the first step's
  velocity is that gradient, then ``v = momentum * v + (1 - dampening) * g``; Nesterov
  steps along ``g + momentum * v``.

``maximize`` negates the gradients. The other optimizers MindSpore has there
(``Adadelta``... ``Rprop``) are in ``optim_experimental_more``, re-exported here.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .nn import Cell
from .tensor import Parameter, ParameterTuple, Tensor

__all__ = ["Optimizer", "Adam", "AdamW", "SGD", "Adadelta", "Adagrad", "Adamax", "ASGD", "NAdam",
           "RAdam", "RMSprop", "Rprop"]


def _rate(value: Any, name: str) -> Parameter:
    if isinstance(value, bool) or not isinstance(value, int | float | np.ndarray):
        raise TypeError("For 'Optimizer', the argument 'learning_rate' must be int, float or "
                        f"Tensor, but got {type(value)}.")
    if np.ndim(value) != 0:
        raise ValueError("For 'Optimizer', if 'learning_rate' is a Tensor, then it should be "
                         "scalar Tensor")
    return Parameter(Tensor(np.float32(value)), name=name, requires_grad=False)


class Optimizer(Cell):
    """The base: ``param_groups``, ``lrs``, ``parameters``, ``defaults``; a subclass
    gives ``update(param, grad, group, i)`` for the ``i``-th Parameter."""

    def __init__(self, params: Any, defaults: dict) -> None:
        super().__init__(auto_prefix=False)
        if params is None:
            raise ValueError("For 'Optimizer', the argument params can not be None.")
        if not isinstance(params, Iterable):
            raise TypeError(f"For 'Optimizer', the argument params must be Iterable type, but "
                            f"got {type(params)}.")
        groups = list(params)
        if not groups:
            raise ValueError("For 'Optimizer', the argument params must not be empty.")
        self.defaults, self.param_groups, self.lrs = defaults, [], []
        self.group_start_id, self._all = [0], []
        for group in groups if isinstance(groups[0], dict) else [{"params": groups}]:
            self.add_param_group(group)
        self.parameters = ParameterTuple(self._all)

    def add_param_group(self, param_group: dict) -> None:
        if not isinstance(param_group, dict):
            raise TypeError("Param group must be a dict.")
        params = param_group["params"]
        if isinstance(params, set):
            raise TypeError("Optimizer parameters need to be organized in ordered "
                            "collections, but the ordering of tensors in sets will change "
                            "between runs. Please use a list instead.")
        params = [params] if isinstance(params, Parameter) else list(params)
        if any(not isinstance(p, Parameter) for p in params):
            raise TypeError("Optimizer can only optimize Parameters")
        group = {**self.defaults, **param_group, "params": params}
        group["lr"] = _rate(group["lr"], f"learning_rate_group_{len(self.param_groups)}")
        group["weight_decay"] = float(group.get("weight_decay", 0.0))
        self.lrs.append(group["lr"])
        self.param_groups.append(group)
        self._all.extend(params)
        self.group_start_id.append(self.group_start_id[-1] + len(params))

    def clone_state(self, prefix: str, value: float = 0.0) -> ParameterTuple:
        """One state array per Parameter, named ``<prefix>.<name>``."""
        return ParameterTuple(Parameter(np.full(p.shape, value, p.dtype), name=f"{prefix}.{p.name}",
                                        requires_grad=False) for p in self.parameters)

    def construct(self, gradients: Any) -> bool:
        grads = tuple(gradients)
        if len(grads) != len(self.parameters):
            raise ValueError(f"{type(self).__name__} holds {len(self.parameters)} Parameters "
                             f"but was given {len(grads)} gradients")
        self.begin_step()
        for g_id, group in enumerate(self.param_groups):
            for i in range(self.group_start_id[g_id], self.group_start_id[g_id + 1]):
                param = self.parameters[i].view(np.ndarray)
                grad = np.asarray(grads[i], param.dtype)
                self.update(param, -grad if group.get("maximize") else grad, group, i)
        return True

    def begin_step(self) -> None:
        """Work done once per step (the step count)."""

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        raise NotImplementedError


def _check_adam(lr: float, betas: tuple, eps: float, weight_decay: float) -> None:
    if lr < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if eps < 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    for k in (0, 1):
        if not 0.0 <= betas[k] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {k}: {betas[k]}")
    if weight_decay < 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class _Moments(Optimizer):
    """Adam and AdamW: the moments, and the step count ``state_step``."""

    def __init__(self, params: Any, lr: float, betas: tuple, eps: float, weight_decay: float,
                 amsgrad: bool, maximize: bool) -> None:
        _check_adam(lr, betas, eps, weight_decay)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps,
                                  "weight_decay": weight_decay, "amsgrad": amsgrad,
                                  "maximize": maximize})
        self.exp_avg, self.exp_avg_sq = self.clone_state("exp_avg"), self.clone_state("exp_avg_sq")
        self.max_exp_avg_sq = self.clone_state("max_exp_avg_sq")
        self.state_step = Parameter(Tensor(np.int32(0)), name="state_step", requires_grad=False)

    def begin_step(self) -> None:
        self.state_step.view(np.ndarray)[...] += 1

    def moments(self, grad: np.ndarray, group: dict, i: int) -> tuple:
        f = grad.dtype.type
        b1, b2 = f(group["betas"][0]), f(group["betas"][1])
        m, v = self.exp_avg[i].view(np.ndarray), self.exp_avg_sq[i].view(np.ndarray)
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad * grad
        t = int(self.state_step)
        return m, v, 1 - b1 ** f(t), 1 - b2 ** f(t)


class Adam(_Moments):
    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        if group["weight_decay"]:
            grad = grad + f(group["weight_decay"]) * param
        m, v, correction1, correction2 = self.moments(grad, group, i)
        if group["amsgrad"]:
            v = np.maximum(self.max_exp_avg_sq[i].view(np.ndarray), v,
                           out=self.max_exp_avg_sq[i].view(np.ndarray))
        lr = f(group["lr"]) * np.sqrt(correction2) / correction1
        param -= lr * m / (np.sqrt(v) + f(group["eps"]))


class AdamW(_Moments):
    def __init__(self, params: Any, lr: float = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize)

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        lr = f(group["lr"])
        param *= 1 - lr * f(group["weight_decay"])
        m, v, correction1, correction2 = self.moments(grad, group, i)
        if group["amsgrad"]:
            v = np.maximum(self.max_exp_avg_sq[i].view(np.ndarray), v,
                           out=self.max_exp_avg_sq[i].view(np.ndarray))
        denom = np.sqrt(v) / np.sqrt(correction2) + f(group["eps"])
        param -= m / denom * (lr / correction1)


class SGD(Optimizer):
    def __init__(self, params: Any, lr: float, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0.0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        super().__init__(params, {"lr": lr, "momentum": float(momentum),
                                  "dampening": dampening, "weight_decay": weight_decay,
                                  "nesterov": nesterov, "maximize": maximize,
                                  "grad_centralization": False})
        if nesterov and (momentum <= 0.0 or dampening != 0.0):
            raise ValueError("For 'SGD', if 'nesterov' is true, 'momentum' must be > 0.0 and "
                             "'dampening' must equal to 0.0, but got 'momentum' "
                             f"{momentum}, 'dampening' {dampening}")
        self.accum, self.stat = self.clone_state("accum"), self.clone_state("stat", 1.0)

    def update(self, param: np.ndarray, grad: np.ndarray, group: dict, i: int) -> None:
        f = param.dtype.type
        if group["weight_decay"]:
            grad = grad + f(group["weight_decay"]) * param
        momentum = f(group["momentum"])
        if momentum > 0:
            accum, stat = self.accum[i].view(np.ndarray), self.stat[i].view(np.ndarray)
            if np.all(stat > 0):
                accum[...] = grad
                stat[...] = 0
            else:
                accum[...] = momentum * accum + (1 - f(group["dampening"])) * grad
            grad = grad + momentum * accum if group["nesterov"] else accum
        param -= f(group["lr"]) * grad


# MindSpore's other optimizers live in their own module, which builds on ``Optimizer`` above
# (hence imported last).
from .optim_experimental_more import (  # noqa: E402
    ASGD,
    Adadelta,
    Adagrad,
    Adamax,
    NAdam,
    RAdam,
    RMSprop,
    Rprop,
)

"""MindSpore's optimizers: ``optimizer(grads)`` updates the Parameters in place.

An optimizer is a Cell holding its Parameters (``optimizer.parameters``, in order) and
one state array per Parameter and moment (``moment1.w``...). Calling it with one
gradient per Parameter, as ``grad(..., weights=optimizer.parameters)`` returns them,
applies one step, in the Parameters' dtype, and advances the global step that
learning-rate schedules read. The update is NumPy on the arrays themselves, so a
compiled gradient that reads the Parameters sees the new values at its next call.

What MindSpore 2.10 does and this follows (measured; tests/test_optimizers.py):

- ``learning_rate``: a float, a list with one rate per step (a step past its end is an
  error), or a ``LearningRateSchedule`` called with the global step;
- ``weight_decay`` adds ``weight_decay * param`` to the gradient (``AdamWeightDecay``:
  to the update) for Parameters whose names hold neither ``beta`` nor ``gamma`` (the
  norms' scales and shifts); in grouped parameters each group's ``weight_decay``
  applies to all of its Parameters;
- grouped parameters: a list of dicts with ``params`` and optionally ``lr`` and
  ``weight_decay`` (the optimizer's own otherwise), and ``order_params`` for the order
  the gradients come in;
- gradients are divided by ``loss_scale`` first;
- ``SGD`` with momentum takes the first gradient as its first velocity, then
  ``v = momentum * v + (1 - dampening) * g``; ``Momentum`` accumulates
  ``v = momentum * v + g`` from zero; ``Adam`` corrects the bias of both moments and adds
  ``eps`` to the corrected root; ``AdamWeightDecay`` corrects neither.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .lr import LearningRateSchedule
from .nn import Cell
from .tensor import Parameter, ParameterTuple, Tensor


class Optimizer(Cell):
    """The base of optimizers: Parameters, learning rates, weight decay, global step."""

    def __init__(self, learning_rate: Any, parameters: Any, weight_decay: float = 0.0,
                 loss_scale: float = 1.0) -> None:
        super().__init__()
        if loss_scale <= 0:
            raise ValueError(f"loss_scale must be positive, not {loss_scale}")
        params, lrs, decays = _groups(parameters, learning_rate, weight_decay)
        object.__setattr__(self, "parameters", ParameterTuple(params))
        object.__setattr__(self, "learning_rate", learning_rate)
        self._lrs, self._decays, self.loss_scale = lrs, decays, loss_scale
        object.__setattr__(self, "_step", self._state(
            Parameter(np.zeros(1, np.int32), name="global_step", requires_grad=False)))

    # The optimizer's state -- the step count and each moment -- is its own Parameters
    # (the ones it updates are the network's), so ``save_checkpoint(optimizer)`` keeps
    # it and ``load_param_into_net(optimizer, ...)`` resumes training where it stopped,
    # named as MindSpore names them (``global_step``, ``moment1.fc.weight``).

    @property
    def global_step(self) -> int:
        """Steps taken so far (what learning-rate schedules read)."""
        return int(self._step[0])

    @global_step.setter
    def global_step(self, value: int) -> None:
        self._step.view(np.ndarray)[0] = value

    def _state(self, param: Parameter) -> Parameter:
        self._params[param.name] = param
        return param

    def clone_state(self, prefix: str) -> ParameterTuple:
        """One state array per Parameter, named ``<prefix>.<name>`` as MindSpore names
        them (``moment1.w``)."""
        return ParameterTuple(self._state(Parameter(np.zeros(p.shape, p.dtype),
                                                    name=f"{prefix}.{p.name}",
                                                    requires_grad=False))
                              for p in self.parameters)

    def get_lr(self) -> Any:
        """The learning rate of the current step (a tuple of them with grouped rates)."""
        rates = {id(lr): _rate(lr, self.global_step) for lr in self._lrs}
        values = tuple(Tensor(np.float32(rates[id(lr)])) for lr in self._lrs)
        return values[0] if len(set(map(id, self._lrs))) == 1 else values

    def construct(self, gradients: Sequence[Any]) -> tuple:
        grads = tuple(gradients)
        if len(grads) != len(self.parameters):
            raise ValueError(f"{type(self).__name__} holds {len(self.parameters)} Parameters "
                             f"but was given {len(grads)} gradients")
        for p, g in zip(self.parameters, grads):
            if np.shape(g) != p.shape:
                raise ValueError(f"the gradient of Parameter '{p.name}' has shape "
                                 f"{np.shape(g)}, the Parameter {p.shape}")
        rates = {id(lr): _rate(lr, self.global_step) for lr in self._lrs}
        self.global_step += 1
        for i, (p, g) in enumerate(zip(self.parameters, grads)):
            g = np.asarray(g, dtype=p.dtype)
            if self.loss_scale != 1.0:
                g = g / p.dtype.type(self.loss_scale)
            self.update(i, p.view(np.ndarray), g, p.dtype.type(rates[id(self._lrs[i])]),
                        p.dtype.type(self._decays[i]))
        return tuple(True for _ in self.parameters)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        """One step for Parameter ``i``: write the new value into ``param``."""
        raise NotImplementedError


def _groups(parameters: Any, learning_rate: Any, weight_decay: float
            ) -> tuple[list[Parameter], list[Any], list[float]]:
    """The Parameters in gradient order, and each one's learning rate and weight decay."""
    items = list(parameters)
    if not items:
        raise ValueError("an optimizer needs at least one Parameter")
    if not all(isinstance(item, dict) for item in items):
        for p in items:
            if not isinstance(p, Parameter):
                raise TypeError(f"an optimizer takes Parameters or group dicts, not "
                                f"{type(p).__name__}")
        return items, [learning_rate] * len(items), \
            [weight_decay if _decays(p) else 0.0 for p in items]
    params, lrs, decays, order = [], [], [], None
    for group in items:
        unknown = set(group) - {"params", "lr", "weight_decay", "grad_centralization",
                                "order_params"}
        if unknown:
            raise KeyError(f"unknown keys in a parameter group: {sorted(unknown)}")
        if "order_params" in group:
            order = list(group["order_params"])
            continue
        for p in group["params"]:
            params.append(p)
            lrs.append(group.get("lr", learning_rate))
            decays.append(group.get("weight_decay", weight_decay))
    if order is not None:
        index = {id(p): i for i, p in enumerate(params)}
        missing = [p.name for p in order if id(p) not in index]
        if missing:
            raise ValueError(f"order_params names Parameters in no group: {missing}")
        params, lrs, decays = ([seq[index[id(p)]] for p in order] for seq in (params, lrs, decays))
    return params, lrs, decays


def _decays(p: Parameter) -> bool:
    name = p.name or ""
    return "beta" not in name and "gamma" not in name


def _rate(lr: Any, step: int) -> float:
    if isinstance(lr, LearningRateSchedule):
        return float(lr(step))
    if isinstance(lr, list | tuple) or (isinstance(lr, np.ndarray) and lr.ndim == 1):
        if step >= len(lr):
            raise ValueError(f"the learning-rate list has {len(lr)} steps; step {step + 1} "
                             "asks for one more")
        return float(lr[step])
    return float(lr)


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, dampening and Nesterov's variant."""

    def __init__(self, params: Any, learning_rate: Any = 0.1, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 loss_scale: float = 1.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if momentum < 0 or (nesterov and (momentum <= 0 or dampening != 0)):
            raise ValueError("SGD: momentum must be at least 0, and Nesterov's variant needs "
                             "momentum > 0 and no dampening")
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov
        self.accum = self.clone_state("accum")
        self.stat = self.clone_state("stat")  # 1 until a Parameter's first step
        for started in self.stat:
            started.view(np.ndarray)[...] = 1

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        if self.momentum == 0:
            param -= lr * grad
            return
        v = self.accum[i].view(np.ndarray)
        u = param.dtype.type(self.momentum)
        first = self.stat[i].view(np.ndarray)
        if first.any():
            v[...] = grad
            first[...] = 0
        else:
            v *= u
            v += (1 - param.dtype.type(self.dampening)) * grad
        param -= lr * (grad + u * v if self.nesterov else v)


class Momentum(Optimizer):
    """Gradient descent with momentum: ``v = momentum * v + g``, ``p -= lr * v``."""

    def __init__(self, params: Any, learning_rate: Any, momentum: float,
                 weight_decay: float = 0.0, loss_scale: float = 1.0,
                 use_nesterov: bool = False) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if not isinstance(momentum, float) or momentum < 0:
            raise ValueError(f"Momentum: momentum must be a float of at least 0.0, not "
                             f"{momentum!r}")
        self.momentum, self.use_nesterov = momentum, use_nesterov
        self.moments = self.clone_state("moments")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        v = self.moments[i].view(np.ndarray)
        u = param.dtype.type(self.momentum)
        v *= u
        v += grad
        param -= lr * (grad + u * v) if self.use_nesterov else lr * v


class Adam(Optimizer):
    """Adam with bias-corrected moments (and AMSGrad, Nesterov's variant)."""

    def __init__(self, params: Any, learning_rate: Any = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, use_locking: bool = False,
                 use_nesterov: bool = False, weight_decay: float = 0.0, loss_scale: float = 1.0,
                 use_amsgrad: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        _check_betas(beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.use_nesterov, self.use_amsgrad = use_nesterov, use_amsgrad
        self.moment1, self.moment2 = self.clone_state("moment1"), self.clone_state("moment2")
        self.vhat = self.clone_state("vhat") if use_amsgrad else None

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        b1, b2, t = f(self.beta1), f(self.beta2), self.global_step
        m, v = self.moment1[i].view(np.ndarray), self.moment2[i].view(np.ndarray)
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad * grad
        if self.vhat is not None:
            vhat = self.vhat[i].view(np.ndarray)
            np.maximum(vhat, v, out=vhat)
            v = vhat
        lr_t = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
        step = (b1 * m + (1 - b1) * grad) if self.use_nesterov else m
        param -= lr_t * step / (np.sqrt(v) + f(self.eps))


class AdamWeightDecay(Optimizer):
    """Adam without bias correction, its weight decay added to the update (decoupled)."""

    def __init__(self, params: Any, learning_rate: Any = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-6, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay)
        _check_betas(beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.moments1, self.moments2 = self.clone_state("adam_m"), self.clone_state("adam_v")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        f = param.dtype.type
        b1, b2 = f(self.beta1), f(self.beta2)
        m, v = self.moments1[i].view(np.ndarray), self.moments2[i].view(np.ndarray)
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad * grad
        step = m / (np.sqrt(v) + f(self.eps))
        param -= lr * (step + decay * param if decay else step)


class RMSProp(Optimizer):
    """Root-mean-square propagation: a running mean of squared gradients ``s`` (from
    ones) scales the step, ``m = momentum m + lr g / sqrt(s + eps)``, ``p -= m``;
    ``centered`` subtracts the square of the running mean gradient from ``s``."""

    def __init__(self, params: Any, learning_rate: Any = 0.1, decay: float = 0.9,
                 momentum: float = 0.0, epsilon: float = 1e-10, use_locking: bool = False,
                 centered: bool = False, loss_scale: float = 1.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if decay < 0 or momentum < 0 or epsilon <= 0:
            raise ValueError("RMSProp: decay and momentum must be at least 0, epsilon positive")
        self.decay, self.momentum, self.epsilon, self.centered = decay, momentum, epsilon, centered
        self.mean_square = self.clone_state("mean_square")
        for s in self.mean_square:
            s.view(np.ndarray)[...] = 1
        self.moment = self.clone_state("moment")
        self.mean_grad = self.clone_state("mean_grad") if centered else None

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        rho = f(self.decay)
        s, m = self.mean_square[i].view(np.ndarray), self.moment[i].view(np.ndarray)
        s[...] = rho * s + (1 - rho) * grad * grad
        spread = s
        if self.mean_grad is not None:
            mg = self.mean_grad[i].view(np.ndarray)
            mg[...] = rho * mg + (1 - rho) * grad
            spread = s - mg * mg
        m[...] = f(self.momentum) * m + lr * grad / np.sqrt(spread + f(self.epsilon))
        param -= m


class Adagrad(Optimizer):
    """Steps scaled by the root of the running sum of squared gradients (from
    ``accum``): ``h += g^2``, ``p -= lr g / sqrt(h)``."""

    def __init__(self, params: Any, accum: float = 0.1, learning_rate: Any = 0.001,
                 update_slots: bool = True, loss_scale: float = 1.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if accum < 0:
            raise ValueError(f"Adagrad: accum must be at least 0, not {accum}")
        self.update_slots = update_slots
        self.accum = self.clone_state("accum")
        for h in self.accum:
            h.view(np.ndarray)[...] = accum

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        h = self.accum[i].view(np.ndarray)
        if self.update_slots:
            h += grad * grad
        param -= lr * grad / np.sqrt(h)


def _check_betas(beta1: float, beta2: float, eps: float) -> None:
    if not (0 <= beta1 < 1 and 0 <= beta2 < 1 and eps > 0):
        raise ValueError("beta1 and beta2 must be in [0, 1) and eps positive")


# MindSpore's other optimizers, on the base class above (``nn.optim.Adadelta`` too).
from . import optim_extra  # noqa: E402
from .optim_extra import *  # noqa: E402, F403

OPTIMIZERS = ["Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay", "RMSProp",
              "Adagrad", *optim_extra.__all__]
__all__ = OPTIMIZERS

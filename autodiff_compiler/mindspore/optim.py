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
  applies to all of its Parameters; a ``weight_decay`` that is a Cell (MindSpore's
  dynamic weight decay) is called with the global step before the step advances it;
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

from .nn import Cell
from .optim_helpers import OptimizerHelpers
from .optim_rates import decays_at, exact_scalar, rate_at, rate_holder, scalar_value, split_groups
from .tensor import Parameter, ParameterTuple, Tensor


class Optimizer(OptimizerHelpers, Cell):
    """The base of optimizers: Parameters, learning rates, weight decay, global step,
    and the helpers MindSpore gives optimizers written on it (``optim_helpers``).

    It holds what MindSpore's holds, under MindSpore's names, so ``save_checkpoint``
    writes the same entries and ``load_param_into_net`` reads them back either way:
    ``global_step`` (an int32 Parameter of shape [1], which a schedule may be called
    with: ``opt.learning_rate(opt.global_step)``), the learning rate
    (``optim_rates``), the network's Parameters it updates, under their own names (so
    ``update_parameters_name`` renames them too, as MindSpore's does), and its state
    -- each moment a Parameter named ``moment1.fc.weight`` and the like."""

    def __init__(self, learning_rate: Any, parameters: Any, weight_decay: float = 0.0,
                 loss_scale: float = 1.0) -> None:
        super().__init__(auto_prefix=False)
        if loss_scale <= 0:
            raise ValueError(f"loss_scale must be positive, not {loss_scale}")
        if isinstance(learning_rate, int | float) and learning_rate < 0:
            # (a negative rate would ascend the loss; MindSpore refuses it, these words)
            raise ValueError(f"For '{type(self).__name__}', the 'learning rate' must be float "
                             f"and must >= 0, but got '{learning_rate}' with type "
                             f"'{type(learning_rate).__name__}'.")
        parameters = list(parameters)  # (a generator is read twice)
        params, lrs, decays = split_groups(parameters, learning_rate, weight_decay)
        self.global_step = Parameter(np.zeros(1, np.int32), name="global_step",
                                     requires_grad=False)
        groups = list({id(lr): lr for lr in lrs if lr is not learning_rate}.values())
        for holder in groups:
            if isinstance(holder, Parameter):
                self._state(holder)
        own = rate_holder(learning_rate, "learning_rate")
        self.learning_rate = own
        if groups:
            rates = [*groups, own] if len(groups) < len(lrs) else groups
            object.__setattr__(self, "learning_rate", tuple(rates) if not all(
                isinstance(r, Parameter) for r in rates) else ParameterTuple(rates))
        self._lrs = [own if lr is learning_rate else lr for lr in lrs]
        self._decays, self.loss_scale = decays, loss_scale
        self.parameters = ParameterTuple(params)  # registered under their own names
        self.hold_helpers(parameters, learning_rate, weight_decay)

    @property
    def steps_taken(self) -> int:
        """The global step as a Python int (what the update rules read)."""
        return int(self.global_step[0])

    def _advance(self) -> None:
        self.global_step.view(np.ndarray)[0] += 1

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

    def scalar_state(self, name: str, value: float) -> Parameter:
        """A float32 Parameter of shape () (``momentum``, ``beta1_power``), as MindSpore
        keeps its hyperparameters and running products."""
        return self._state(exact_scalar(value, name))

    def get_lr(self) -> Any:
        """The learning rate of the current step (a tuple of them with grouped rates)."""
        rates = {id(lr): rate_at(lr, self.steps_taken) for lr in self._lrs}
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
        rates = {id(lr): rate_at(lr, self.steps_taken) for lr in self._lrs}
        decays = decays_at(self._decays, self.global_step)
        self._advance()
        self.begin_step()
        for i, (p, g) in enumerate(zip(self.parameters, grads)):
            g = np.asarray(g, dtype=p.dtype)
            if self.loss_scale != 1.0:
                g = g / p.dtype.type(self.loss_scale)
            self.update(i, p.view(np.ndarray), g, p.dtype.type(rates[id(self._lrs[i])]),
                        p.dtype.type(decays[i]))
        return tuple(True for _ in self.parameters)

    def begin_step(self) -> None:
        """Work done once per step before the Parameters' updates (``Adam``'s powers)."""

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        """One step for Parameter ``i``: write the new value into ``param``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with momentum, dampening and Nesterov's variant."""

    def __init__(self, params: Any, learning_rate: Any = 0.1, momentum: float = 0.0,
                 dampening: float = 0.0, weight_decay: float = 0.0, nesterov: bool = False,
                 loss_scale: float = 1.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if momentum < 0 or (nesterov and (momentum <= 0 or dampening != 0)):
            raise ValueError("SGD: momentum must be at least 0, and Nesterov's variant needs "
                             "momentum > 0 and no dampening")
        if self.dynamic_weight_decay:  # as MindSpore 2.10's SGD
            raise TypeError("For 'SGD', dynamic weight decay is currently not supported: "
                            "'weight_decay' (also in grouped 'params') must be a float or int")
        self.dampening, self.nesterov = dampening, nesterov
        self.momentum = self.scalar_state("momentum", momentum)
        self.accum = self.clone_state("accum")
        self.stat = self.clone_state("stat")  # 1 until a Parameter's first step
        for started in self.stat:
            started.view(np.ndarray)[...] = 1

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        if scalar_value(self.momentum) == 0:
            param -= lr * grad
            return
        v = self.accum[i].view(np.ndarray)
        u = param.dtype.type(scalar_value(self.momentum))
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
        self.use_nesterov = use_nesterov
        self.momentum = self.scalar_state("momentum", momentum)
        self.moments = self.clone_state("moments")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        v = self.moments[i].view(np.ndarray)
        u = param.dtype.type(scalar_value(self.momentum))
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
        self.beta1_power = self.scalar_state("beta1_power", 1.0)  # beta1 ** step, as
        self.beta2_power = self.scalar_state("beta2_power", 1.0)  # MindSpore keeps them
        self.moment1, self.moment2 = self.clone_state("moment1"), self.clone_state("moment2")
        self.vhat = self.clone_state("vhat") if use_amsgrad else None

    def begin_step(self) -> None:
        for power, beta in ((self.beta1_power, self.beta1), (self.beta2_power, self.beta2)):
            power.view(np.ndarray)[...] = power * np.float32(beta)

    def _powers(self, f: Any) -> tuple:
        """``beta ** step``: the float32 products kept (MindSpore's), or for Parameters
        of another precision the powers in it, from the step count."""
        if f is np.float32:
            return f(self.beta1_power), f(self.beta2_power)
        return f(self.beta1) ** self.steps_taken, f(self.beta2) ** self.steps_taken

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        b1, b2 = f(self.beta1), f(self.beta2)
        c1, c2 = f(1 - self.beta1), f(1 - self.beta2)  # as MindSpore rounds them
        m, v = self.moment1[i].view(np.ndarray), self.moment2[i].view(np.ndarray)
        m[...] = b1 * m + c1 * grad
        v[...] = b2 * v + c2 * grad * grad
        if self.vhat is not None:
            vhat = self.vhat[i].view(np.ndarray)
            np.maximum(vhat, v, out=vhat)
            v = vhat
        p1, p2 = self._powers(f)
        lr_t = lr * np.sqrt(1 - p2) / (1 - p1)
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
        self.mean_grad = self.clone_state("mean_grad") if centered else None
        self.mean_square = self.clone_state("mean_square")
        for s in self.mean_square:
            s.view(np.ndarray)[...] = 1
        self.moment = self.clone_state("moment")

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
    ``accum``): ``h += g^2``, ``p -= lr g / sqrt(h)``; ``update_slots=False`` keeps ``h``
    at ``accum``, as documented (MindSpore 2.10's CPU kernel ignores the flag and
    updates ``h``: measured)."""

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
from .optim_adafactor import AdaFactor  # noqa: E402, F401
from .optim_extra import *  # noqa: E402, F403

OPTIMIZERS = ["Optimizer", "SGD", "Momentum", "Adam", "AdamWeightDecay", "RMSProp",
              "Adagrad", *optim_extra.__all__, "AdaFactor"]
__all__ = OPTIMIZERS

"""MindSpore's less common optimizers: ``Adadelta``, ``AdaMax``, ``Rprop``, ``ASGD``,
``FTRL``, ``Lamb``, ``ProximalAdagrad``, ``LazyAdam`` and the ``LARS`` wrapper.

Each is an ``optim.Optimizer`` (same Parameters, groups, learning rates, weight decay
and ``loss_scale`` handling) whose ``update`` is the step of MindSpore's CPU kernel, in
the Parameter's dtype. State arrays are named as MindSpore names them, since they show
in checkpoints: ``accum.w``/``accum_update.w`` (Adadelta), ``moment1.w``/``moment2.w``
and one ``beta1_power`` (AdaMax, LazyAdam, which also keeps ``beta2_power``),
``prev.w``/``step_size.w`` (Rprop), ``mu_w``/``eta_w``/``ax_.w`` (ASGD),
``moments.w``/``linear.w`` (FTRL), ``accum.w`` (ProximalAdagrad), ``lamb_m.w``/``lamb_v.w``
(Lamb). Three steps of each agree with MindSpore 2.7.1's (``tests/test_mindspore_loss_optim.py``).

Where MindSpore departs from the optimizers' papers this follows MindSpore (measured):
``FTRL`` decays every Parameter, ``beta``/``gamma`` too, unless groups say otherwise,
and takes no schedule nor group learning rates; with ``l1 > 0`` its CPU kernel computes
``(l1 - z) / q`` where ``z < -l1`` too, not the documented ``(sign(z) l1 - z) / q`` (the
l1 penalty would then push negative weights up, by ``2 l1 / q``): that is a bug, and
here the documented, symmetric step is taken (tested against it); ``Lamb`` adds its
weight decay to the update before the trust ratio, not to the gradient; ``LazyAdam``
with dense gradients is ``Adam``; ``LARS`` scales the gradients of the Parameters its
``lars_filter`` accepts by ``coefficient |w| / (|g| + weight_decay |w| + epsilon)`` (1
where either norm is 0), moving the wrapped optimizer's weight decay and loss scale into that step.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .optim import Optimizer, _check_betas
from .tensor import Parameter, ParameterTuple

__all__ = ["Adadelta", "AdaMax", "Rprop", "ASGD", "FTRL", "Lamb", "ProximalAdagrad",
           "LazyAdam", "LARS"]


def _filled(tuple_: ParameterTuple, value: float) -> ParameterTuple:
    for state in tuple_:
        state.view(np.ndarray)[...] = value
    return tuple_


def _power(name: str) -> Parameter:
    """A running power of a beta, as MindSpore keeps it: float32, shape [1], from 1."""
    return Parameter(np.ones((1,), np.float32), name=name)


class Adadelta(Optimizer):
    """``a = rho a + (1 - rho) g^2``, ``u = sqrt(a_u + eps) / sqrt(a + eps) g``,
    ``a_u = rho a_u + (1 - rho) u^2``, ``p -= lr u``."""

    def __init__(self, params: Any, learning_rate: Any = 1.0, rho: float = 0.9,
                 epsilon: float = 1e-6, loss_scale: float = 1.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if not 0.0 <= rho <= 1.0 or epsilon <= 0:
            raise ValueError("Adadelta: rho must be in [0, 1] and epsilon positive")
        self.rho, self.epsilon = rho, epsilon
        self.accum, self.accum_update = self.clone_state("accum"), \
            self.clone_state("accum_update")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        rho, eps = f(self.rho), f(self.epsilon)
        a, au = self.accum[i].view(np.ndarray), self.accum_update[i].view(np.ndarray)
        a[...] = rho * a + (1 - rho) * grad * grad
        step = np.sqrt(au + eps) / np.sqrt(a + eps) * grad
        au[...] = rho * au + (1 - rho) * step * step
        param -= lr * step


class AdaMax(Optimizer):
    """Adam with the infinity norm: ``v = max(beta2 v, |g|)``, ``p -= lr / (1 -
    beta1^t) m / (v + eps)``."""

    def __init__(self, params: Any, learning_rate: Any = 0.001, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-08, weight_decay: float = 0.0,
                 loss_scale: float = 1.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        _check_betas(beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.beta1_power = _power("beta1_power")
        self.moment1, self.moment2 = self.clone_state("moment1"), self.clone_state("moment2")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        if i == 0:
            self.beta1_power.view(np.ndarray)[...] *= np.float32(self.beta1)
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        b1, b2 = f(self.beta1), f(self.beta2)
        m, v = self.moment1[i].view(np.ndarray), self.moment2[i].view(np.ndarray)
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = np.maximum(b2 * v, np.abs(grad))
        power = f(self.beta1_power.view(np.ndarray)[0])
        param -= lr / (1 - power) * m / (v + f(self.eps))


class Rprop(Optimizer):
    """Resilient propagation: each entry's step size grows by ``etas[1]`` while its
    gradient keeps its sign and shrinks by ``etas[0]`` when it flips (that step then
    moves nothing and forgets the gradient), within ``step_sizes``; the first step
    size is the learning rate."""

    def __init__(self, params: Any, learning_rate: Any = 0.1, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50.), weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay)
        if not isinstance(etas, tuple) or len(etas) != 2:
            raise TypeError(f"For Rprop, etas must be a tuple of 2, but got {etas!r}.")
        if not isinstance(step_sizes, tuple) or len(step_sizes) != 2:
            raise TypeError(f"For Rprop, step_sizes must be a tuple of 2, but got {step_sizes!r}.")
        if step_sizes[0] > step_sizes[1]:
            raise ValueError("For Rprop, maximal step size should not be less than minimal "
                             f"step size, but got {step_sizes[0]} > {step_sizes[1]}.")
        if not 0.0 < etas[0] < 1.0 or etas[1] <= 1.0:
            raise ValueError(f"For Rprop, etas must be in (0, 1) and above 1, but got {etas}.")
        self.etaminus, self.etaplus = etas
        self.step_size_min, self.step_size_max = step_sizes
        self.prev, self.step_size = self.clone_state("prev"), self.clone_state("step_size")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        prev, size = self.prev[i].view(np.ndarray), self.step_size[i].view(np.ndarray)
        if self.steps_taken == 1:
            size[...] = lr
        same = np.sign(grad * prev)
        factor = np.where(same > 0, f(self.etaplus), np.where(same < 0, f(self.etaminus), f(1)))
        size[...] = np.clip(size * factor, f(self.step_size_min), f(self.step_size_max))
        grad = np.where(same < 0, f(0), grad)
        param -= np.sign(grad) * size
        prev[...] = grad


class ASGD(Optimizer):
    """Averaged SGD: ``p = p (1 - lambd eta) - eta g``, the average ``ax`` of the
    Parameters after step ``t0``; ``eta = lr / (1 + lambd lr t)^alpha``."""

    def __init__(self, params: Any, learning_rate: Any = 0.1, lambd: float = 1e-4,
                 alpha: float = 0.75, t0: float = 1e6, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay)
        for name, value in (("lambd", lambd), ("alpha", alpha), ("t0", t0)):
            if not isinstance(value, float):
                raise TypeError(f"For 'ASGD', the type of '{name}' must be float, but got "
                                f"{type(value).__name__}.")
        self.lambd, self.alpha, self.t0 = lambd, alpha, t0
        names = [p.name for p in self.parameters]
        self.mu = ParameterTuple(Parameter(np.float32(1.0), name=f"mu_{n}") for n in names)
        self.eta = ParameterTuple(Parameter(np.float32(0.0), name=f"eta_{n}") for n in names)
        self.ax = self.clone_state("ax_")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f, t = param.dtype.type, self.steps_taken
        mu, eta = self.mu[i].view(np.ndarray), self.eta[i].view(np.ndarray)
        if t == 1:
            eta[...] = lr
        e = f(eta)
        param[...] = param * (1 - f(self.lambd) * e) - e * grad
        ax = self.ax[i].view(np.ndarray)
        if mu != 1:
            ax += (param - ax) * f(mu)
        else:
            ax[...] = param
        eta[...] = lr / (1 + f(self.lambd) * lr * f(t)) ** f(self.alpha)
        mu[...] = 1 / max(1.0, t - self.t0)


class FTRL(Optimizer):
    """Follow the regularised leader: ``n += g^2``, ``z += g - (n_new^-lr_power -
    n^-lr_power) / lr p``, ``p = (sign(z) l1 - z) / (n^-lr_power / lr + 2 l2)`` where
    ``|z| > l1``, else 0."""

    def __init__(self, params: Any, initial_accum: float = 0.1, learning_rate: float = 0.001,
                 lr_power: float = -0.5, l1: float = 0.0, l2: float = 0.0,
                 use_locking: bool = False, loss_scale: float = 1.0,
                 weight_decay: float = 0.0) -> None:
        params = list(params)
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if not isinstance(learning_rate, float | int) or \
                len({id(lr) for lr in self._lrs}) != 1:
            raise ValueError("For 'FTRL', dynamic learning rate and group learning rate are "
                             "currently not supported in FTRL")
        if initial_accum < 0 or lr_power > 0 or l1 < 0 or l2 < 0:
            raise ValueError("FTRL: initial_accum, l1 and l2 must be at least 0, lr_power at "
                             "most 0")
        if not any(isinstance(p, dict) for p in params):  # MindSpore decays every one
            self._decays = [weight_decay] * len(self.parameters)
        self.lr_power, self.l1, self.l2 = lr_power, l1, l2
        self.moments = _filled(self.clone_state("moments"), initial_accum)
        self.linear = self.clone_state("linear")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        n, z = self.moments[i].view(np.ndarray), self.linear[i].view(np.ndarray)
        power = f(-self.lr_power)
        new_n = n + grad * grad
        z += grad - (new_n ** power - n ** power) / lr * param
        quadratic = new_n ** power / lr + 2 * f(self.l2)
        l1 = f(self.l1)
        param[...] = np.where(np.abs(z) > l1, (np.sign(z) * l1 - z) / quadratic, f(0))
        n[...] = new_n


class Lamb(Optimizer):
    """Adam's bias-corrected direction ``r`` plus ``weight_decay p``, scaled per
    Parameter by the trust ratio ``|p| / |r|`` (1 where either is 0)."""

    def __init__(self, params: Any, learning_rate: Any, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-6, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay)
        _check_betas(beta1, beta2, eps)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.moments1, self.moments2 = self.clone_state("lamb_m"), self.clone_state("lamb_v")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        f, t = param.dtype.type, self.steps_taken
        b1, b2 = f(self.beta1), f(self.beta2)
        m, v = self.moments1[i].view(np.ndarray), self.moments2[i].view(np.ndarray)
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad * grad
        m_hat, v_hat = m / (1 - b1 ** f(t)), v / (1 - b2 ** f(t))
        r = m_hat / (np.sqrt(v_hat) + f(self.eps)) + decay * param
        w_norm, r_norm = np.linalg.norm(param), np.linalg.norm(r)
        trust = w_norm / r_norm if w_norm > 0 and r_norm > 0 else f(1)
        param -= lr * trust * r


class ProximalAdagrad(Optimizer):
    """``a += g^2``, ``r = lr / sqrt(a)``, ``v = p - r g``, then the proximal step of
    the ``l1`` and ``l2`` penalties at the same rate: ``p = sign(v) max(|v| - r l1, 0) /
    (1 + r l2)`` (MindSpore's kernel, measured; its docstring writes ``lr`` for ``r`` in
    the proximal step)."""

    def __init__(self, params: Any, accum: float = 0.1, learning_rate: Any = 0.001,
                 l1: float = 0.0, l2: float = 0.0, use_locking: bool = False,
                 loss_scale: float = 1.0, weight_decay: float = 0.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        if accum < 0 or l1 < 0 or l2 < 0:
            raise ValueError("ProximalAdagrad: accum, l1 and l2 must be at least 0")
        self.l1, self.l2 = l1, l2
        self.accum = _filled(self.clone_state("accum"), accum)

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        a = self.accum[i].view(np.ndarray)
        a += grad * grad
        rate = lr / np.sqrt(a)
        moved = param - rate * grad
        param[...] = np.sign(moved) * np.maximum(np.abs(moved) - rate * f(self.l1), f(0)) / \
            (1 + rate * f(self.l2))


class LazyAdam(Optimizer):
    """Adam that, given sparse gradients, would update only the rows they touch;
    gradients here are dense arrays, for which MindSpore runs its ``Adam`` kernel."""

    def __init__(self, params: Any, learning_rate: Any = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, use_locking: bool = False,
                 use_nesterov: bool = False, weight_decay: float = 0.0,
                 loss_scale: float = 1.0) -> None:
        super().__init__(learning_rate, params, weight_decay, loss_scale)
        _check_betas(beta1, beta2, eps)
        self.beta1, self.beta2, self.eps, self.use_nesterov = beta1, beta2, eps, use_nesterov
        self.beta1_power, self.beta2_power = _power("beta1_power"), _power("beta2_power")
        self.moment1, self.moment2 = self.clone_state("moment1"), self.clone_state("moment2")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        if i == 0:
            self.beta1_power.view(np.ndarray)[...] *= np.float32(self.beta1)
            self.beta2_power.view(np.ndarray)[...] *= np.float32(self.beta2)
        grad = grad + decay * param if decay else grad
        f = param.dtype.type
        b1, b2 = f(self.beta1), f(self.beta2)
        m, v = self.moment1[i].view(np.ndarray), self.moment2[i].view(np.ndarray)
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad * grad
        p1, p2 = f(self.beta1_power.view(np.ndarray)[0]), f(self.beta2_power.view(np.ndarray)[0])
        lr_t = lr * np.sqrt(1 - p2) / (1 - p1)
        step = (b1 * m + (1 - b1) * grad) if self.use_nesterov else m
        param -= lr_t * step / (np.sqrt(v) + f(self.eps))


class LARS(Optimizer):
    """Wraps ``optimizer``: rescales each gradient by its layer's trust ratio (see the
    module docstring), then lets ``optimizer`` step; the wrapped optimizer's weight
    decay and loss scale are applied here instead of there."""

    def __init__(self, optimizer: Optimizer, epsilon: float = 1e-05, coefficient: float = 0.001,
                 use_clip: bool = False,
                 lars_filter: Any = lambda x: "LayerNorm" not in x.name and "bias" not in x.name
                 ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"For 'LARS', 'optimizer' must be an Optimizer, not "
                            f"{type(optimizer).__name__}")
        for name, value in (("epsilon", epsilon), ("coefficient", coefficient)):
            if not isinstance(value, float):
                raise TypeError(f"For 'LARS', the type of '{name}' must be float, but got "
                                f"{type(value).__name__}.")
        super().__init__(0.0, list(optimizer.parameters))
        self.opt, self.epsilon, self.coefficient, self.use_clip = \
            optimizer, epsilon, coefficient, use_clip
        self.lars_flag = tuple(bool(lars_filter(p)) for p in self.parameters)
        self._wrapped_decays, self._wrapped_scale = list(optimizer._decays), optimizer.loss_scale
        optimizer._decays = [0.0] * len(optimizer._decays)
        optimizer.loss_scale = 1.0

    def get_lr(self) -> Any:
        return self.opt.get_lr()

    def construct(self, gradients: Any) -> tuple:
        scaled = []
        lrs = self.opt.get_lr()
        for i, (p, g) in enumerate(zip(self.parameters, gradients)):
            g = np.asarray(g, dtype=p.dtype)
            if self._wrapped_scale != 1.0:
                g = g / p.dtype.type(self._wrapped_scale)
            if self.lars_flag[i]:
                lr = lrs[i] if isinstance(lrs, tuple) else lrs
                g = self._scaled(p.view(np.ndarray), g, self._wrapped_decays[i], lr)
            scaled.append(g)
        self._advance()
        return self.opt(tuple(scaled))

    def _scaled(self, w: np.ndarray, g: np.ndarray, decay: float, lr: Any) -> np.ndarray:
        f = w.dtype.type
        decay = f(decay / self._wrapped_scale)
        w_norm, g_norm = np.sqrt(np.sum(w * w)), np.sqrt(np.sum(g * g))
        if w_norm > 0 and g_norm > 0:
            ratio = f(self.coefficient) * w_norm / (g_norm + decay * w_norm + f(self.epsilon))
        else:
            ratio = f(1)
        if self.use_clip:
            ratio = min(ratio / lr, f(1))
        return ratio * (g + decay * w)

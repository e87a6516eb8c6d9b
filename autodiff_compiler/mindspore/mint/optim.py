"""``mint.optim``: ``SGD``, ``Adam`` and ``AdamW`` after PyTorch's algorithms (bias-
corrected moments with ``eps`` outside the square root; AdamW's decay decoupled from
the gradient; ``maximize``; ``amsgrad``), called as MindSpore calls an optimizer:
``optimizer(grads)``. Parameter groups are dicts that may set any hyperparameter."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..optim import Optimizer


class _PyTorchOptimizer(Optimizer):
    """Hyperparameters per Parameter, from its group over the optimizer's own."""

    def __init__(self, params: Any, **defaults: Any) -> None:
        items = list(params)
        groups = items if items and all(isinstance(i, dict) for i in items) \
            else [{"params": items}]
        flat, self.settings = [], []
        for group in groups:
            unknown = set(group) - {"params", *defaults}
            if unknown:
                raise KeyError(f"{type(self).__name__}: unknown keys in a parameter group: "
                               f"{sorted(unknown)}")
            settings = defaults | {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                flat.append({"params": [p], "lr": settings["lr"],
                             "weight_decay": settings["weight_decay"]})
                self.settings.append(settings)
        super().__init__(defaults["lr"], flat, defaults["weight_decay"])

    def state(self, i: int, name: str) -> np.ndarray:
        return getattr(self, name)[i].view(np.ndarray)


class SGD(_PyTorchOptimizer):
    def __init__(self, params: Any, lr: Any, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False) -> None:
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum needs momentum > 0 and no dampening")
        super().__init__(params, lr=lr, momentum=momentum, dampening=dampening,
                         weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        self.momentum_buffer = self.clone_state("momentum_buffer")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        s, f = self.settings[i], param.dtype.type
        grad = -grad if s["maximize"] else grad
        grad = grad + decay * param if decay else grad
        if s["momentum"]:
            buf = self.state(i, "momentum_buffer")
            if self.global_step == 1:
                buf[...] = grad
            else:
                buf[...] = f(s["momentum"]) * buf + (1 - f(s["dampening"])) * grad
            grad = grad + f(s["momentum"]) * buf if s["nesterov"] else buf
        param -= lr * grad


class Adam(_PyTorchOptimizer):
    """Adam; ``weight_decay`` is added to the gradient (L2), as PyTorch's Adam does."""

    decoupled = False

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1 and eps >= 0):
            raise ValueError(f"{type(self).__name__}: betas must be in [0, 1) and eps at "
                             f"least 0, not {betas}, {eps}")
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                         amsgrad=amsgrad, maximize=maximize)
        self.exp_avg, self.exp_avg_sq = self.clone_state("exp_avg"), self.clone_state("exp_avg_sq")
        self.max_exp_avg_sq = self.clone_state("max_exp_avg_sq")

    def update(self, i: int, param: np.ndarray, grad: np.ndarray, lr: Any, decay: Any) -> None:
        s, f, t = self.settings[i], param.dtype.type, self.global_step
        grad = -grad if s["maximize"] else grad
        if decay and self.decoupled:
            param *= 1 - lr * decay
        elif decay:
            grad = grad + decay * param
        b1, b2 = f(s["betas"][0]), f(s["betas"][1])
        m, v = self.state(i, "exp_avg"), self.state(i, "exp_avg_sq")
        m[...] = b1 * m + (1 - b1) * grad
        v[...] = b2 * v + (1 - b2) * grad * grad
        if s["amsgrad"]:
            v = np.maximum(self.state(i, "max_exp_avg_sq"), v, out=self.state(i, "max_exp_avg_sq"))
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** t) + f(s["eps"])
        param -= lr / (1 - b1 ** t) * m / denom


class AdamW(Adam):
    """Adam with decoupled weight decay: ``param *= 1 - lr * weight_decay`` first."""

    decoupled = True

    def __init__(self, params: Any, lr: Any = 1e-3, betas: tuple = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)

"""What ``nn.Optimizer`` gives the optimizers users write on it (MindSpore's tutorial on
customising optimizers, models-zoo optimizers), under MindSpore's names:

    def construct(self, gradients):
        gradients = self.flatten_gradients(gradients)
        gradients = self.decay_weight(gradients)
        gradients = self.gradients_centralization(gradients)
        gradients = self.scale_grad(gradients)
        lr = self.get_lr()
        ...

The helpers return new gradients and touch no state, as MindSpore's do (its
``get_lr`` does not advance ``global_step`` either: a subclass that wants schedules
to move calls ``self.assignadd(self.global_step, self.global_step_increase_tensor)``).
What they read is set once, after the optimizer has split its groups, and follows
MindSpore 2.10's ``Optimizer.__init__``: ``decay_flags`` (without groups: Parameters
whose names hold neither ``beta`` nor ``gamma``; with groups: a group's decay above
0), ``weight_decay`` (a float32 Tensor, or one per Parameter with groups, times
``loss_scale``, as it is added to gradients not yet divided by it),
``grad_centralization_flags`` from the groups' ``grad_centralization``,
``reciprocal_scale`` of ``loss_scale``, and the flags ``is_group``, ``is_group_lr``,
``dynamic_lr``, ``exec_weight_decay`` and ``need_scale``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import operations as P
from .composite import HyperMap, Map
from .lr import LearningRateSchedule
from .nn import Cell
from .tensor import Parameter, Tensor


class OptimizerHelpers:
    """Mixed into ``Optimizer``: the helpers and the attributes they read."""

    def hold_helpers(self, parameters: Any, learning_rate: Any, weight_decay: float) -> None:
        """Set what MindSpore's optimizer holds for its subclasses; the arguments as the
        optimizer was given them."""
        groups = [g for g in parameters if isinstance(g, dict) and "params" in g]
        self.is_group, self.is_group_lr = bool(groups), any("lr" in g for g in groups)
        self.dynamic_lr = isinstance(learning_rate, LearningRateSchedule) \
            or np.ndim(learning_rate) > 0
        self.dynamic_weight_decay = any(isinstance(d, Cell) for d in self._decays) \
            or isinstance(weight_decay, Cell)
        self._parameters, self.param_length = self.parameters, len(self.parameters)
        decays, scale = self._decays, self.loss_scale
        if self.is_group:
            self.decay_flags = tuple(isinstance(d, Cell) or d > 0 for d in decays)
            self.weight_decay = tuple(d if isinstance(d, Cell) else Tensor(np.float32(d * scale))
                                      for d in decays)
            self.exec_weight_decay = any(self.decay_flags)
        else:
            self.decay_flags = tuple("beta" not in p.name and "gamma" not in p.name
                                     for p in self.parameters)
            self.weight_decay = weight_decay if isinstance(weight_decay, Cell) \
                else Tensor(np.float32(weight_decay * scale))
            self.exec_weight_decay = isinstance(weight_decay, Cell) or weight_decay > 0
        centralized = {id(p): bool(g.get("grad_centralization", False))
                       for g in groups for p in g["params"]}
        self.grad_centralization_flags = tuple(centralized.get(id(p), False)
                                               for p in self.parameters)
        self.reciprocal_scale = Tensor(np.float32(1.0 / self.loss_scale))
        self.need_scale = self.loss_scale != 1.0
        self.global_step_increase_tensor = Tensor(np.array([1], np.int32))
        self.assignadd = P.AssignAdd()
        self.map_, self.map_reverse = Map(), Map(None, True)
        self.hyper_map, self.hyper_map_reverse = HyperMap(), HyperMap(None, True)

    def flatten_gradients(self, gradients: Any) -> Any:
        """The gradients as they are: Parameters are never flattened into one buffer."""
        return gradients

    def decay_weight(self, gradients: Any) -> Any:
        """``grad + weight_decay * param`` for the Parameters ``decay_flags`` marks."""
        if not self.exec_weight_decay:
            return gradients
        decays = self.get_weight_decay()
        decays = decays if self.is_group else (decays,) * self.param_length
        return tuple(g + p * np.asarray(d, p.dtype) if flag else g for g, p, d, flag
                     in zip(gradients, self.parameters, decays, self.decay_flags))

    def gradients_centralization(self, gradients: Any) -> Any:
        """With groups asking for it, each gradient of two or more axes whose second
        axis is a multiple of 16 (MindSpore's condition) minus its mean over all axes
        but the first."""
        if not self.is_group:
            return gradients
        return tuple(_centralized(g) if flag else g
                     for g, flag in zip(gradients, self.grad_centralization_flags))

    def scale_grad(self, gradients: Any) -> Any:
        """The gradients divided by ``loss_scale`` (times ``reciprocal_scale``)."""
        if not self.need_scale:
            return gradients
        return tuple(g * np.asarray(self.reciprocal_scale, g.dtype) for g in gradients)

    def get_weight_decay(self) -> Any:
        """The weight decay of the current step (one per Parameter with groups): a Cell
        given as ``weight_decay`` called with the global step, times ``loss_scale``."""
        if not self.dynamic_weight_decay:
            return self.weight_decay
        decays = self.weight_decay if self.is_group else (self.weight_decay,)
        step = Tensor(np.asarray(self.global_step, np.int32).reshape(1))
        now = tuple(d(step) * np.float32(self.loss_scale) if isinstance(d, Cell) else d
                    for d in decays)
        return now if self.is_group else now[0]

    def get_lr_parameter(self, param: Any) -> Any:
        """The learning rate of a Parameter (or of each of a list): its group's
        Parameter, the optimizer's, or the schedule that computes it."""
        params = param if isinstance(param, list) else [param]
        ids = [id(p) for p in self.parameters]
        rates = []
        for p in params:
            if not isinstance(p, Parameter) or id(p) not in ids:
                raise ValueError(f"For 'get_lr_parameter', the parameter "
                                 f"{getattr(p, 'name', p)} is not in optimizer")
            rate = self._lrs[ids.index(id(p))]
            rates.append(rate if isinstance(rate, Parameter | LearningRateSchedule)
                         else rate.learning_rate)
        return rates if isinstance(param, list) else rates[0]


def _centralized(grad: Any) -> Any:
    if np.ndim(grad) < 2 or np.shape(grad)[1] % 16:
        return grad
    return grad - np.mean(grad, axis=tuple(range(1, np.ndim(grad))), keepdims=True)

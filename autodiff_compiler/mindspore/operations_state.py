"""MindSpore's primitive classes that write into Parameters: the optimizer updates
(``ops.ApplyMomentum``, the official customising-optimizers tutorial's, called inside
``HyperMap``; ``ApplyGradientDescent``, ``ApplyRMSProp``, ``ApplyAdagrad``, ``Adam``)
and the scatters (``ScatterUpdate``, ``ScatterNdUpdate``, ``ScatterAdd``: MoCo queues,
memory banks).

Each writes its new values with ``ops.assign`` (the scatters with the ``ops``
functions of the same name), so eagerly it changes the Parameters' arrays, and inside
a compiled function the writes are effects of the forward pass (``ops_state``). The
formulas are MindSpore's documented ones and agree with what MindSpore 2.10 (CPU)
leaves in the Parameters (measured). What they return is the documented result, the
updated Parameters: MindSpore 2.10's CPU kernels return that for ``ApplyMomentum``,
``ApplyGradientDescent`` and ``ApplyAdagrad`` but zeros or stale memory from ``ApplyRMSProp``
and ``Adam``, and ignore ``use_nesterov`` in ``ApplyMomentum`` (measured).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_indexing_in_place, ops_scatter
from .operations import PrimitiveOp
from .ops_state import assign


class ApplyMomentum(PrimitiveOp):
    """``accum = momentum accum + grad``; ``var -= lr accum`` (Nesterov's:
    ``var -= lr grad + lr momentum accum``). Returns ``var``."""

    attributes = (("use_locking", False), ("use_nesterov", False), ("gradient_scale", 1.0))

    def apply(self, variable: Any, accumulation: Any, learning_rate: Any, gradient: Any,
              momentum: Any) -> Any:
        grad = gradient * self.gradient_scale if self.gradient_scale != 1.0 else gradient
        accum = assign(accumulation, accumulation * momentum + grad)
        if self.use_nesterov:
            return assign(variable, variable - (grad * learning_rate
                                                + accum * momentum * learning_rate))
        return assign(variable, variable - learning_rate * accum)


class ApplyGradientDescent(PrimitiveOp):
    """``var -= alpha delta``; returns ``var``."""

    def apply(self, var: Any, alpha: Any, delta: Any) -> Any:
        return assign(var, var - alpha * delta)


class ApplyRMSProp(PrimitiveOp):
    """``ms = decay ms + (1 - decay) grad^2``; ``mom = momentum mom + lr grad /
    sqrt(ms + epsilon)``; ``var -= mom``. Returns ``var``."""

    attributes = (("use_locking", False),)

    def apply(self, var: Any, mean_square: Any, moment: Any, learning_rate: Any, grad: Any,
              decay: Any, momentum: Any, epsilon: Any) -> Any:
        ms = assign(mean_square, decay * mean_square + (1 - decay) * grad * grad)
        mom = assign(moment, momentum * moment + learning_rate * grad / np.sqrt(ms + epsilon))
        return assign(var, var - mom)


class ApplyAdagrad(PrimitiveOp):
    """``accum += grad^2`` (with ``update_slots``); ``var -= lr grad / sqrt(accum)``.
    Returns ``(var, accum)``."""

    attributes = (("update_slots", True),)

    def apply(self, var: Any, accum: Any, lr: Any, grad: Any) -> Any:
        held = assign(accum, accum + grad * grad) if self.update_slots else accum
        return assign(var, var - lr * grad / np.sqrt(held)), held


class Adam(PrimitiveOp):
    """Adam's step with the bias correction from the powers given: ``m`` and ``v``
    moved towards ``grad`` and ``grad^2``, ``lr_t = lr sqrt(1 - beta2_power) /
    (1 - beta1_power)``, ``var -= lr_t m / (sqrt(v) + epsilon)`` (Nesterov's: ``m``
    replaced by ``beta1 m + (1 - beta1) grad``). Returns ``(var, m, v)``."""

    attributes = (("use_locking", False), ("use_nesterov", False))

    def apply(self, var: Any, m: Any, v: Any, beta1_power: Any, beta2_power: Any, lr: Any,
              beta1: Any, beta2: Any, epsilon: Any, gradient: Any) -> Any:
        m_new = assign(m, beta1 * m + (1 - beta1) * gradient)
        v_new = assign(v, beta2 * v + (1 - beta2) * gradient * gradient)
        lr_t = lr * np.sqrt(1 - beta2_power) / (1 - beta1_power)
        step = beta1 * m_new + (1 - beta1) * gradient if self.use_nesterov else m_new
        return assign(var, var - lr_t * step / (np.sqrt(v_new) + epsilon)), m_new, v_new


class _Scatter(PrimitiveOp):
    """``op(input_x, indices, updates)`` into the Parameter ``input_x``; returns it."""

    attributes = (("use_locking", True),)


class ScatterUpdate(_Scatter):
    def apply(self, input_x: Any, indices: Any, updates: Any) -> Any:
        return ops_indexing_in_place.scatter_update(input_x, indices, updates)


class ScatterNdUpdate(_Scatter):
    def apply(self, input_x: Any, indices: Any, updates: Any) -> Any:
        return ops_indexing_in_place.scatter_nd_update(input_x, indices, updates)


class ScatterAdd(_Scatter):
    attributes = (("use_locking", False),)

    def apply(self, input_x: Any, indices: Any, updates: Any) -> Any:
        return ops_scatter.scatter_add(input_x, indices, updates)


__all__ = ["ApplyMomentum", "ApplyGradientDescent", "ApplyRMSProp", "ApplyAdagrad", "Adam",
           "ScatterUpdate", "ScatterNdUpdate", "ScatterAdd"]

"""MindSpore's loss scaling for mixed-precision training: ``FixedLossScaleUpdateCell``,
``DynamicLossScaleUpdateCell`` and ``TrainOneStepWithLossScaleCell``.

``TrainOneStepWithLossScaleCell(network, optimizer, scale_sense)`` computes the loss
and its gradient with respect to the optimizer's Parameters in one compiled program
(``value_and_grad``), scales the gradients and divides them by the scale again, and
checks them: if any entry is not finite the step is
skipped (the Parameters and the optimizer's state and step are left as they are),
otherwise the optimizer steps. It returns ``(loss, overflow, scale)`` as MindSpore does,
``overflow`` a bool Tensor and ``scale`` the ``scale_sense`` Parameter (float32),
after the update cell has moved it. The scale multiplies the gradients the compiled
program returns, in their dtype, so a scaled gradient that overflows is caught as in
MindSpore (which passes the scale in as the loss's cotangent). ``scale_sense`` is an
update cell or a Tensor of shape ``()`` or ``(1,)`` (a fixed scale, changed with
``set_sense_scale``).

Subclasses (models-zoo BERT, GPT, Transformer train cells) write their own ``construct``
around MindSpore's helpers, which are here with MindSpore's signatures and results:
``start_overflow_check(pre_cond, compute_input)`` returns ``(status, compute_input)``,
the status eight int32 zeros; ``get_overflow_status(status, grads)`` is a bool Tensor,
True when any gradient has an entry that is not finite (what MindSpore's GPU check
computes; its Ascend status registers have no CPU kernel, so no other meaning applies
here); ``process_loss_scale(overflow)`` moves the scale through the update cell and
returns ``overflow``. ``construct`` uses the same three, so a subclass computes what the
cell does. The primitives MindSpore's cell holds (``hyper_map``, ``less_equal``,
``reduce_sum``...) are held too; on one device ``allreduce`` is the identity.

``DynamicLossScaleUpdateCell`` moves the scale as MindSpore's does (measured): on an
overflow it divides it by ``scale_factor`` (never below 1); after ``scale_window``
steps without one it multiplies it by ``scale_factor``. Its step counters are
MindSpore's Parameters ``current_iterator_step`` and ``last_overflow_iterator_step``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import operations as P
from .composite import HyperMap
from .dtype import float32, int32
from .nn import Cell
from .ops_misc import identity
from .tensor import Parameter, Tensor, as_tensor
from .wrappers import TrainOneStepCell

__all__ = ["FixedLossScaleUpdateCell", "DynamicLossScaleUpdateCell",
           "TrainOneStepWithLossScaleCell"]


class FixedLossScaleUpdateCell(Cell):
    """A scale that never changes; ``construct(scale, overflow)`` returns ``overflow``."""

    def __init__(self, loss_scale_value: float) -> None:
        super().__init__()
        self.loss_scale_value = loss_scale_value

    def get_loss_scale(self) -> float:
        return self.loss_scale_value

    def construct(self, _: Any, overflow: Any) -> Any:
        return overflow


class DynamicLossScaleUpdateCell(Cell):
    """Halves (by ``scale_factor``) the scale Parameter passed in on an overflow, grows it
    after ``scale_window`` clean steps; returns ``overflow``."""

    def __init__(self, loss_scale_value: float, scale_factor: float, scale_window: int) -> None:
        super().__init__()
        self.loss_scale_value, self.scale_factor = loss_scale_value, scale_factor
        self.scale_window = scale_window
        self.cur_iter = Parameter(np.int32(1), name="current_iterator_step")
        self.last_overflow_iter = Parameter(np.int32(0), name="last_overflow_iterator_step")

    def get_loss_scale(self) -> float:
        return self.loss_scale_value

    def construct(self, loss_scale: Any, overflow: Any) -> Any:
        scale = loss_scale.view(np.ndarray)
        factor = np.float32(self.scale_factor)
        now, last = int(self.cur_iter), int(self.last_overflow_iter)
        grow = self.scale_window <= now - last
        if bool(overflow):
            scale[...] = np.maximum(scale / factor, np.float32(1.0))
        elif grow:
            scale[...] = scale * factor
        if bool(overflow) or grow:
            self.last_overflow_iter.view(np.ndarray)[...] = now
        self.cur_iter.view(np.ndarray)[...] = now + 1
        return overflow

    def __call__(self, *args: Any) -> Any:  # a state update, eager: never compiled
        return self.construct(*args)


class TrainOneStepWithLossScaleCell(TrainOneStepCell):
    def __init__(self, network: Cell, optimizer: Any, scale_sense: Any) -> None:
        super().__init__(network, optimizer)
        self.loss_scaling_manager = None
        if isinstance(scale_sense, Cell):
            self.loss_scaling_manager = scale_sense
            value = np.float32(scale_sense.get_loss_scale())
        elif isinstance(scale_sense, np.ndarray):
            if np.shape(scale_sense) not in ((), (1,)):
                raise ValueError("For 'TrainOneStepWithLossScaleCell', the shape of "
                                 f"'scale_sense' must be (1,) or (), but got {scale_sense.shape}.")
            value = np.array(scale_sense)
        else:
            raise TypeError("For 'TrainOneStepWithLossScaleCell', the 'scale_sense' must be "
                            f"Cell or Tensor, but got 'scale_sense' type: {type(scale_sense)}.")
        self.scale_sense = Parameter(value, name="scale_sense")
        self._hold_primitives()

    def _hold_primitives(self) -> None:
        """The operators and constants MindSpore's cell holds, which subclasses call."""
        self.hyper_map = HyperMap()
        self.base, self.base0 = Tensor(1, float32), Tensor(0, int32)
        self.reduce_sum, self.reduce_all = P.ReduceSum(False), P.ReduceAll(False)
        self.less_equal, self.equal, self.logic_not = P.LessEqual(), P.Equal(), P.LogicalNot()
        self.allreduce, self.is_distributed, self.gpu_target = identity, False, False

    def start_overflow_check(self, pre_cond: Any, compute_input: Any) -> tuple[Any, Any]:
        """``(status, compute_input)``: MindSpore clears its device's overflow flags here;
        there are none to clear in NumPy, and the status is eight int32 zeros."""
        return Tensor(np.zeros(8, np.int32)), compute_input

    def get_overflow_status(self, status: Any, compute_output: Any) -> Tensor:
        """Whether any array of ``compute_output`` (the gradients) is not finite."""
        arrays = compute_output if isinstance(compute_output, tuple | list) \
            else (compute_output,)
        return as_tensor(np.bool_(not all(np.all(np.isfinite(g)) for g in arrays)))

    def process_loss_scale(self, overflow: Any) -> Any:
        """The update cell moves the scale for ``overflow``, which is returned."""
        if self.loss_scaling_manager is not None:
            return self.loss_scaling_manager(self.scale_sense, overflow)
        return overflow

    def set_sense_scale(self, sens: Any) -> None:
        """A new fixed scale, of the shape of the one given at construction."""
        self.scale_sense.set_data(sens)

    def construct(self, *inputs: Any) -> tuple[Any, Any, Any]:
        scale = self.scale_sense.view(np.ndarray).copy()
        loss, grads = self.grad_fn(*inputs)
        dtype = np.result_type(loss)
        # the gradient of loss * scale, then unscaled, in the dtype the gradients have
        # (as Tensors, which a subclass's get_overflow_status computes on with ops)
        grads = tuple(as_tensor(np.asarray(g * scale.astype(dtype).reshape(()), g.dtype) /
                                np.asarray(scale.reshape(()), g.dtype)) for g in grads)
        status, _ = self.start_overflow_check(loss, scale)
        overflow = self.get_overflow_status(status, grads)
        self.process_loss_scale(overflow)
        if not overflow:
            self.optimizer(grads)
        return loss, overflow, self.scale_sense

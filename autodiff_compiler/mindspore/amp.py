"""MindSpore's ``mindspore.amp``: loss scaling, and the mixed-precision levels.

Loss scaling is exact: the managers ``FixedLossScaleManager`` and
``DynamicLossScaleManager`` (``get_loss_scale``, ``update_loss_scale``,
``get_drop_overflow_update``, ``get_update_cell``), the functional scalers
``StaticLossScaler``/``DynamicLossScaler`` (``scale``, ``unscale``, ``adjust``) and
``all_finite`` compute MindSpore 2.7.1's numbers (measured): ``unscale`` multiplies by
the float32 reciprocal of the scale, cast to each value's dtype, as MindSpore does;
``DynamicLossScaler.adjust`` divides the scale by ``scale_factor`` (never below 1) on an
overflow and multiplies it after ``scale_window`` finite steps (unless that overflows
float32). ``scale``/``unscale`` compile inside a differentiated function (the usual
``loss = loss_scaler.scale(loss)`` in a forward function); ``adjust`` and
``all_finite`` are state updates and checks, run eagerly.

``build_train_network`` (what ``Model`` calls) follows MindSpore: the network with its
loss, then ``TrainOneStepCell(network, optimizer, loss_scale)`` or, when the manager has
an update cell, ``TrainOneStepWithLossScaleCell``. MindSpore on CPU refuses an update
cell (``FixedLossScaleManager(drop_overflow_update=True)`` or a dynamic manager); here
it runs as MindSpore does on GPU and Ascend, skipping steps that overflow.

Mixed precision (``precision``): ``auto_mixed_precision`` at O1 runs the white list's
Cells (Dense, the convolutions, the RNN cells) in float16, at O2 all but the black
list's (BatchNorm, LayerNorm), at O3 all, each with float32 outputs; Parameters stay
float32, read as float16 inside the Cells, as MindSpore casts them in the Cell's graph.
``build_train_network`` (and so ``Model(amp_level=...)``) sets the network up as
MindSpore's does (``cast_model_type``, ``keep_batchnorm_fp32``): a float16 network
keeps its float16 output (``Model.predict``'s), and its loss cell casts the output and
a floating label to float32, as MindSpore's ``_add_loss_network`` does. ``"auto"`` casts per
operator and bfloat16 does not exist in NumPy: both are refused.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtype as mstype
from . import (
    nn,  # noqa: F401  (first: nn re-exports loss_scale, which reads nn.Cell)
    precision,
)
from .layers_1d import Conv1d
from .layers_3d import Conv3d, Conv3dTranspose
from .layers_image import Conv1dTranspose, Conv2dTranspose
from .loss_scale import TrainOneStepWithLossScaleCell
from .nn import Cell, Conv2d, Dense, LayerNorm
from .normalization import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .recurrent import GRUCell, LSTMCell, RNNCell
from .tensor import Parameter, as_tensor
from .wrappers import TrainOneStepCell, WithLossCell

__all__ = ["DynamicLossScaleManager", "LossScaleManager", "FixedLossScaleManager",
           "build_train_network", "DynamicLossScaler", "StaticLossScaler", "LossScaler",
           "auto_mixed_precision", "all_finite", "custom_mixed_precision",
           "get_white_list", "get_black_list"]

# ---------------------------------------------------------------------------- managers


class LossScaleManager:
    """What ``Model`` asks of a loss-scale manager."""

    def get_loss_scale(self) -> float:
        raise NotImplementedError

    def update_loss_scale(self, overflow: bool) -> None:
        raise NotImplementedError

    def get_update_cell(self) -> Cell | None:
        raise NotImplementedError


class FixedLossScaleManager(LossScaleManager):
    """A constant scale. With ``drop_overflow_update`` (the default) a step whose
    gradients overflow is skipped (``TrainOneStepWithLossScaleCell``); without, the
    gradients are scaled by ``TrainOneStepCell``'s ``sens`` and the optimizer's
    ``loss_scale`` must divide them again."""

    def __init__(self, loss_scale: float = 128.0, drop_overflow_update: bool = True) -> None:
        if loss_scale < 1:
            raise ValueError(f"The argument 'loss_scale' must be >= 1, but got {loss_scale}")
        self._loss_scale, self._drop_overflow_update = loss_scale, drop_overflow_update

    def get_loss_scale(self) -> float:
        return self._loss_scale

    def get_drop_overflow_update(self) -> bool:
        return self._drop_overflow_update

    def update_loss_scale(self, overflow: bool) -> None:
        """A fixed scale does not move."""

    def get_update_cell(self) -> Cell | None:
        from .loss_scale import FixedLossScaleUpdateCell
        return FixedLossScaleUpdateCell(self._loss_scale) if self._drop_overflow_update \
            else None


class DynamicLossScaleManager(LossScaleManager):
    """A scale divided by ``scale_factor`` (not below 1) on an overflow and multiplied by
    it after ``scale_window`` steps without one."""

    def __init__(self, init_loss_scale: float = 2 ** 24, scale_factor: float = 2,
                 scale_window: int = 2000) -> None:
        if init_loss_scale < 1.0:
            raise ValueError(f"The argument 'init_loss_scale' must be > 1, but got "
                             f"{init_loss_scale}")
        if not isinstance(scale_window, int) or isinstance(scale_window, bool) or \
                scale_window <= 0:
            raise ValueError(f"For 'DynamicLossScaleManager', 'scale_window' must be a "
                             f"positive int, but got {scale_window}")
        if scale_factor <= 0:
            raise ValueError(f"The argument 'scale_factor' must be > 0, but got {scale_factor}")
        self.loss_scale, self.scale_window, self.scale_factor = \
            init_loss_scale, scale_window, scale_factor
        self.increase_ratio, self.decrease_ratio = scale_factor, 1 / scale_factor
        self.cur_iter, self.last_overflow_iter = 1, 0
        self.bad_step_max, self.bad_step = 1000, 0

    def get_loss_scale(self) -> float:
        return self.loss_scale

    def update_loss_scale(self, overflow: bool) -> None:
        if overflow:
            self.loss_scale = max(self.loss_scale * self.decrease_ratio, 1)
            self.last_overflow_iter = self.cur_iter
            self.bad_step += 1
        else:
            if (self.cur_iter - self.last_overflow_iter) % self.scale_window == 0:
                self.loss_scale *= self.increase_ratio
            self.bad_step = 0
        if self.bad_step > self.bad_step_max:
            raise RuntimeError(f"Dynamic loss scale Continuous overflow {self.bad_step} times, "
                               "has exceeded maximum threshold.")
        self.cur_iter += 1

    def get_drop_overflow_update(self) -> bool:
        return True

    def get_update_cell(self) -> Cell:
        from .loss_scale import DynamicLossScaleUpdateCell
        return DynamicLossScaleUpdateCell(self.loss_scale, self.scale_factor, self.scale_window)


# ---------------------------------------------------------------------------- scalers


def _scaled(x: Any, scale: Any) -> Any:
    return x * scale.astype(x.dtype)


def _unscaled(x: Any, scale: Any) -> Any:
    return x * (np.float32(1.0) / scale).astype(x.dtype)


class LossScaler:
    """The functional loss scalers' interface: ``scale``, ``unscale``, ``adjust``."""

    def scale(self, inputs: Any) -> Any:
        raise NotImplementedError

    def unscale(self, inputs: Any) -> Any:
        raise NotImplementedError

    def adjust(self, grads_finite: Any) -> Any:
        raise NotImplementedError


class StaticLossScaler(LossScaler):
    """Multiplies by ``scale_value`` (a float32 Parameter); ``unscale`` divides again."""

    def __init__(self, scale_value: float) -> None:
        if not isinstance(scale_value, float | int) or isinstance(scale_value, bool):
            raise TypeError(f"The argument 'scale_value' must be float or int, not "
                            f"{type(scale_value).__name__}")
        if scale_value < 1.0:
            raise ValueError(f"The argument 'scale_value' must be > 1, but got {scale_value}")
        self.scale_value = Parameter(np.float32(scale_value), name="scale_value")

    def scale(self, inputs: Any) -> Any:
        """``inputs`` (a Tensor, or a tuple or list of them) times the scale, each in its
        own dtype."""
        if isinstance(inputs, tuple | list):
            return tuple(_scaled(x, self.scale_value) for x in inputs)
        return _scaled(inputs, self.scale_value)

    def unscale(self, inputs: Any) -> Any:
        """``inputs`` times the reciprocal of the scale."""
        if isinstance(inputs, tuple | list):
            return tuple(_unscaled(x, self.scale_value) for x in inputs)
        return _unscaled(inputs, self.scale_value)

    def adjust(self, grads_finite: Any) -> bool:
        return False


class DynamicLossScaler(StaticLossScaler):
    """A scale that ``adjust`` moves after each step, as MindSpore's does."""

    def __init__(self, scale_value: float, scale_factor: int, scale_window: int) -> None:
        super().__init__(scale_value)
        for name, value in (("scale_window", scale_window), ("scale_factor", scale_factor)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"For 'DynamicLossScaler', '{name}' must be a positive int, "
                                 f"but got {value}")
        self.scale_window, self.scale_factor = scale_window, scale_factor
        self.counter = Parameter(np.int32(0), name="counter")

    def adjust(self, grads_finite: Any) -> bool:
        """Move the scale after a step whose gradients were (not) all finite; returns
        True."""
        finite = bool(np.asarray(grads_finite))
        scale = self.scale_value.view(np.ndarray)
        counter = self.counter.view(np.ndarray)
        grown = scale * np.float32(self.scale_factor)
        if not finite:
            scale[...] = np.maximum(np.float32(1.0), scale / np.float32(self.scale_factor))
        elif counter == self.scale_window - 1 and np.isfinite(grown):
            scale[...] = grown
        counter[...] = (counter + 1) % self.scale_window * finite
        return True


def all_finite(inputs: Any) -> Any:
    """A bool Tensor: whether every entry of every Tensor in ``inputs`` is finite."""
    values = inputs if isinstance(inputs, tuple | list) else (inputs,)
    return as_tensor(np.bool_(all(np.all(np.isfinite(np.asarray(v))) for v in values)))


# ---------------------------------------------------------------------------- precision


_LEVELS = ("O0", "O1", "O2", "O3", "auto")
# MindSpore's lists, of the Cells this package has
_WHITE_LIST = [Conv1d, Conv2d, Conv3d, Conv1dTranspose, Conv2dTranspose, Conv3dTranspose,
               Dense, LSTMCell, RNNCell, GRUCell]
_BLACK_LIST = [BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm]
_CONFIG = {"O0": (False, mstype.float32, None), "O1": (False, mstype.float32, None),
           "O2": (True, mstype.float16, "dynamic"), "O3": (False, mstype.float16, None),
           "auto": (False, mstype.float32, None)}


def get_white_list() -> list[type]:
    """The Cells MindSpore's level O1 runs in float16 (those this package has)."""
    return list(_WHITE_LIST)


def get_black_list() -> list[type]:
    """The Cells MindSpore's level O2 keeps in float32."""
    return list(_BLACK_LIST)


def auto_mixed_precision(network: Any, amp_level: str = "O0", dtype: Any = mstype.float16
                         ) -> Any:
    """``network`` set up to compute in float16 at ``amp_level`` (``precision``): O1
    the white list's Cells, O2 all but the black list's, O3 all, each with float32
    outputs; ``"O0"`` (and ``"auto"``, whose per-operator lists have no Cell form
    here) leave it in float32. NumPy has no bfloat16."""
    if not isinstance(network, Cell) and not (amp_level == "auto" and callable(network)):
        raise TypeError(f"For amp_level '{amp_level}', the network type should be Cell.")
    if dtype != mstype.float16 and str(dtype) != "BFloat16":
        raise ValueError("The dtype should be one of (mstype.float16, mstype.bfloat16), but "
                         f"got {dtype}.")
    if amp_level not in _LEVELS:
        raise ValueError(f"The amp level {amp_level} is not supported")
    if amp_level == "O0":
        return network
    if dtype != mstype.float16:
        raise NotImplementedError("mixed precision in bfloat16: NumPy has no bfloat16; "
                                  "use dtype=mstype.float16")
    if amp_level == "auto":
        raise NotImplementedError(
            "auto_mixed_precision(amp_level='auto') casts per operator, which this package "
            "does not: use 'O1' (the Dense and convolution Cells in float16) or 'O2'")
    return precision.apply_level(network, amp_level, tuple(_WHITE_LIST), tuple(_BLACK_LIST))


def custom_mixed_precision(network: Any, *, white_list: Any = None, black_list: Any = None,
                           dtype: Any = mstype.float16) -> Any:
    """``network`` with the Cells of ``white_list`` in float16 (float32 outputs), or all
    but those of ``black_list`` (kept float32, float16 outputs); exactly one is given."""
    if (white_list is None) == (black_list is None):
        raise ValueError("For custom_mixed_precision, one of white_list and black_list must "
                         "be provided.")
    if dtype != mstype.float16:
        raise NotImplementedError("mixed precision in bfloat16: NumPy has no bfloat16")
    cells = tuple(c for c in (white_list or black_list) if isinstance(c, type))
    level = "O1" if white_list is not None else "O2"
    return precision.apply_level(network, level, cells, cells)


class _LossCellTo32(Cell):
    """MindSpore's loss cell of a float16 model: its floating output and label cast to
    float32 for the loss."""

    def __init__(self, backbone: Cell, loss_fn: Cell) -> None:
        super().__init__(auto_prefix=False)
        self._backbone, self._loss_fn = backbone, loss_fn

    def construct(self, data: Any, label: Any) -> Any:
        out = self._backbone(data)
        return self._loss_fn(precision.float32_if_floating(out),
                             precision.float32_if_floating(label))


def build_train_network(network: Cell, optimizer: Any, loss_fn: Any = None, level: str = "O0",
                        boost_level: str = "O0", **kwargs: Any) -> Cell:
    """The training step ``Model`` runs: ``network`` with ``loss_fn`` and one optimizer
    step, with the loss scaling of ``kwargs["loss_scale_manager"]``."""
    if not isinstance(level, str) or level not in _LEVELS:
        raise ValueError(f"The argument `level` must be a string in {list(_LEVELS)}, but got "
                         f"{level!r}.")
    if boost_level not in ("O0", "O1", "O2"):
        raise ValueError(f"The argument `boost_level` must be in ['O0', 'O1', 'O2'], but got "
                         f"{boost_level!r}.")
    for key in kwargs:
        if key not in ("cast_model_type", "keep_batchnorm_fp32", "loss_scale_manager"):
            raise ValueError(f"Unsupported arg '{key}'")
    keep_bn, cast_type, manager = _CONFIG[level]
    keep_bn = kwargs.get("keep_batchnorm_fp32", keep_bn)
    cast_type = kwargs.get("cast_model_type", cast_type)
    if "loss_scale_manager" in kwargs:
        manager = kwargs["loss_scale_manager"]
    elif manager == "dynamic":
        manager = DynamicLossScaleManager()
    if manager is not None and not isinstance(manager, LossScaleManager):
        raise TypeError("For 'build_train_network', 'loss_scale_manager' must be a "
                        f"LossScaleManager, not {type(manager).__name__}")
    # As MindSpore's: a float16 model, its BatchNorm kept float32 if asked; else the
    # level's own setting up (O1's white list); the loss then takes float32 outputs.
    float16 = cast_type == mstype.float16 or (level == "O2" and not keep_bn)
    if float16:  # the network's output stays float16 (Model.predict's), as MindSpore's
        precision.apply_level(network, "O2", (), tuple(_BLACK_LIST), outputs_to32=False)
    elif level not in ("O2", "O3"):
        network = auto_mixed_precision(network, level)
    if loss_fn is not None:
        network = _LossCellTo32(network, loss_fn) if float16 else WithLossCell(network, loss_fn)
    loss_scale = None
    if manager is not None:
        loss_scale = manager.get_loss_scale()
        update_cell = manager.get_update_cell()
        if update_cell is not None:
            return TrainOneStepWithLossScaleCell(network, optimizer, update_cell).set_train()
    return TrainOneStepCell(network, optimizer, loss_scale).set_train()

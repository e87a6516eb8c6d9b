"""MindSpore's other network wrappers: ``ForwardValueAndGrad``, ``WithGradCell``,
``GradAccumulationCell``, ``MicroBatchInterleaved``, ``TimeDistributed`` and
``CellDict``, as MindSpore 2.7.1 runs them on one CPU (measured):

- ``ForwardValueAndGrad(network, weights, get_all, get_by_list, sens_param)(*inputs)``
  is ``(network(*inputs), gradient)``, the gradient as ``ops.GradOperation`` with the
  same options gives it (with ``sens_param`` the last input is the cotangent).
- ``WithGradCell(network, loss_fn=None, sens=None)(*inputs)``: the gradients of
  ``loss_fn(network(data), label)`` (or of ``network`` itself) with respect to the
  network's trainable Parameters; ``sens`` is the loss's cotangent.
- ``GradAccumulationCell(network, micro_size)`` and ``MicroBatchInterleaved(network,
  interleave_num)`` are pipeline and parallel devices, but their ``construct`` is
  observable on one device: each input is split along axis 0 into that many equal
  slices, the network runs on each, and the outputs are summed (not averaged). So they
  are not the identity, and they compute exactly that here.
  The slices (and ``TimeDistributed``'s steps) are worked out from the shapes while
  compiling, so shape-generic code refuses them at the call, by name.
- ``TimeDistributed(layer, time_axis, reshape_with_axis=None)`` runs ``layer`` on each
  step along ``time_axis`` and stacks the results there; with ``reshape_with_axis``
  the time axis is merged into that axis for one call of ``layer`` and split again.
- ``CellDict``: named sub-Cells (their Parameters named ``<key>.<name>``), a mapping.
  Its ``keys()``, ``values()`` and ``items()`` run while compiling, as iterating it
  does, so a ``construct`` may loop over ``self.heads.items()``; the listing is
  guarded like a CellList's, so adding or removing a Cell recompiles.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from ..ir.surface import evaluated_when_compiling
from .gradop import GradOperation
from .layers import CellList
from .nn import Cell, SequentialCell
from .ops_scatter import known_shape

__all__ = ["ForwardValueAndGrad", "WithGradCell", "GradAccumulationCell",
           "MicroBatchInterleaved", "TimeDistributed", "CellDict"]


class ForwardValueAndGrad(Cell):
    def __init__(self, network: Any, weights: Any = None, get_all: bool = False,
                 get_by_list: bool = False, sens_param: bool = False) -> None:
        super().__init__(auto_prefix=False)
        if not callable(network):
            raise TypeError("For 'ForwardValueAndGrad', the argument 'network' must be cell, "
                            f"function type or method type, but got '{type(network)}'")
        for name, value in (("get_all", get_all), ("get_by_list", get_by_list)):
            if not isinstance(value, bool):
                raise TypeError(f"For 'ForwardValueAndGrad', the type of '{name}' must be bool, "
                                f"but got '{type(value)}'")
        if get_by_list and not isinstance(weights, list | tuple):
            raise TypeError("For 'ForwardValueAndGrad', when 'get_by_list' is set to True, the "
                            "argument 'weights' must be Parameters array, but got "
                            f"'{type(weights)}'")
        self.network, self.weights = network, weights
        self.get_all, self.get_by_list, self.sens_param = get_all, get_by_list, sens_param
        self.grad = GradOperation(get_all, get_by_list, sens_param)

    def construct(self, *inputs: Any) -> tuple[Any, Any]:
        loss = self.network(*(inputs[:-1] if self.sens_param else inputs))
        made = self.grad(self.network, self.weights) if self.get_by_list \
            else self.grad(self.network)
        return loss, made(*inputs)

    def __call__(self, *inputs: Any) -> Any:  # two programs run eagerly, never compiled
        return self.construct(*inputs)


class WithGradCell(Cell):
    def __init__(self, network: Cell, loss_fn: Any = None, sens: Any = None) -> None:
        super().__init__(auto_prefix=False)
        from .wrappers import WithLossCell
        self.network, self.loss_fn, self.sens = network, loss_fn, sens
        self.weights = tuple(network.trainable_params())
        self.network_with_loss = network if loss_fn is None else WithLossCell(network, loss_fn)
        self.network_with_loss.set_train()
        self.grad = GradOperation(get_by_list=True, sens_param=sens is not None)

    def construct(self, *inputs: Any) -> Any:
        made = self.grad(self.network_with_loss, self.weights)
        return made(*inputs) if self.sens is None else made(*inputs, self.sens)

    def __call__(self, *inputs: Any) -> Any:
        return self.construct(*inputs)


def _slice(inputs: tuple, parts: int, i: int, name: str) -> tuple:
    """The ``i``-th of ``parts`` equal slices of each input along axis 0."""
    out = []
    for x in inputs:
        shape = known_shape(x, f"nn.{name} (the slices of its inputs)")
        if shape[0] % parts:
            raise ValueError(f"For '{name}', the shape of the input on axis 0 must be divisible "
                             f"by {parts}, but got {shape}.")
        size = shape[0] // parts
        out.append(x[size * i:size * (i + 1)])
    return tuple(out)


class GradAccumulationCell(Cell):
    """The sum of ``network``'s outputs on ``micro_size`` equal slices of the batch."""

    def __init__(self, network: Cell, micro_size: int) -> None:
        super().__init__(auto_prefix=False)
        if not isinstance(network, Cell):
            raise TypeError("For 'GradAccumulationCell', the argument 'network' must cell "
                            f"type, but got the type : {type(network)}.")
        if not isinstance(micro_size, int) or isinstance(micro_size, bool):
            raise TypeError("For 'GradAccumulationCell', the argument 'micro_size' must be "
                            f"integer, but got the type : {type(micro_size)}.")
        if micro_size <= 0:
            raise ValueError("For 'GradAccumulationCell', the argument 'micro_size' must be "
                             f"large than 0, but got {micro_size}.")
        self.network, self.micro_size = network, micro_size

    def construct(self, *inputs: Any) -> Any:
        out = self.network(*_slice(inputs, self.micro_size, 0, "GradAccumulationCell"))
        for i in range(1, self.micro_size):
            out = out + self.network(*_slice(inputs, self.micro_size, i,
                                             "GradAccumulationCell"))
        return out


class MicroBatchInterleaved(Cell):
    """``0.0`` plus ``network``'s outputs on ``interleave_num`` equal slices of the
    batch."""

    def __init__(self, network: Cell, interleave_num: int = 2) -> None:
        super().__init__(auto_prefix=False)
        if not isinstance(interleave_num, int) or isinstance(interleave_num, bool):
            raise TypeError("For 'MicroBatchInterleaved', the argument 'interleave_num' must "
                            f"be integer, but got the type : {type(interleave_num)}.")
        if interleave_num <= 0:
            raise ValueError("For 'MicroBatchInterleaved', the argument 'interleave_num' must "
                             f"be large than 0, but got {interleave_num}.")
        self.network, self.interleave_num = network, interleave_num

    def construct(self, *inputs: Any) -> Any:
        out = 0.0
        for i in range(self.interleave_num):
            out = out + self.network(*_slice(inputs, self.interleave_num, i,
                                             "MicroBatchInterleaved"))
        return out


class TimeDistributed(Cell):
    def __init__(self, layer: Any, time_axis: int, reshape_with_axis: int | None = None) -> None:
        if not callable(layer):
            raise TypeError("For 'TimeDistributed', the 'layer' must be Cell or Primitive "
                            f"instance, but got type: {type(layer).__name__}.")
        super().__init__()
        for name, value in (("time_axis", time_axis), ("reshape_with_axis", reshape_with_axis)):
            if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
                raise TypeError(f"For 'TimeDistributed', '{name}' must be an int, not "
                                f"{type(value).__name__}")
        self.layer, self.time_axis, self.reshape_with_axis = layer, time_axis, reshape_with_axis

    def construct(self, inputs: Any) -> Any:
        shape = known_shape(inputs, "nn.TimeDistributed (its steps)")
        ndim = len(shape)
        if ndim < 3:
            raise ValueError(f"For 'TimeDistributed', the inputs shape must be at least 3D, but "
                             f"got {ndim}.")
        time_axis = self.time_axis % ndim
        if self.reshape_with_axis is None:
            steps = [self.layer(np.take(inputs, t, axis=time_axis))
                     for t in range(shape[time_axis])]
            return np.stack(steps, axis=time_axis)
        # the time axis moves next to reshape_with_axis, the two are merged for one call
        # of the layer and split again; the batch axis of the result is inferred (-1)
        axis = self.reshape_with_axis % ndim
        moved = ndim - 2 if axis == ndim - 1 else (axis + 1 if time_axis > axis else axis - 1)
        pos = min(moved, axis)
        x = np.moveaxis(inputs, time_axis, moved)
        merged = x.reshape((*x.shape[:pos], -1, *x.shape[pos + 2:]))
        y = self.layer(merged)
        if pos >= y.ndim or merged.shape[pos] != y.shape[pos]:
            raise ValueError("For 'TimeDistributed', the 'reshape_with_axis' is invalid in the "
                             f"input and output: input shape {merged.shape}, output shape "
                             f"{y.shape}. You may try pass parameters without "
                             "'reshape_with_axis'.")
        shape = (*y.shape[:pos], *x.shape[pos:pos + 2], *y.shape[pos + 1:])
        return y.reshape((-1, *shape[1:]))


class CellDict(Cell):
    """Sub-Cells by key; a CellDict has no ``construct`` of its own."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(kwargs.get("auto_prefix", True))
        if len(args) == 1:
            self.update(args[0])

    def __getitem__(self, key: str) -> Cell:
        return self._cells[key]

    def __setitem__(self, key: str, cell: Cell) -> None:
        name = type(self).__name__
        if not isinstance(key, str):
            raise TypeError(f"For '{name}', the type of key should be string but got "
                            f"{type(key).__name__}.")
        if hasattr(self, key) and key not in self._cells:
            raise KeyError(f"For '{name}', the key can not be same with the attributes of "
                           f"Cell, but got key {key}.")
        if "." in key or not key:
            raise KeyError(f"For '{name}', key can not contain \".\" or be empty, but got "
                           f"key {key}")
        if not isinstance(cell, Cell):
            raise TypeError(f"For '{name}', the type of cell should be Cell, but got "
                            f"{type(cell).__name__}.")
        if isinstance(cell, CellDict | CellList | SequentialCell):
            raise TypeError(f"For '{name}', the type of cell can not be CellDict, CellList or "
                            f"SequentialCell, but got {type(cell).__name__}.")
        setattr(self, key, cell)

    def __delitem__(self, key: str) -> None:
        del self._cells[key]
        object.__delattr__(self, key)

    def __len__(self) -> int:
        return len(self._cells)

    def __iter__(self) -> Iterator[str]:
        return iter(self._cells)

    def __contains__(self, key: object) -> bool:
        return key in self._cells

    def clear(self) -> None:
        for key in list(self._cells):
            del self[key]

    def pop(self, key: str) -> Cell:
        value = self[key]
        del self[key]
        return value

    @evaluated_when_compiling
    def keys(self) -> Any:
        return self._cells.keys()

    @evaluated_when_compiling
    def values(self) -> Any:
        return self._cells.values()

    @evaluated_when_compiling
    def items(self) -> Any:
        return self._cells.items()

    def update(self, cells: Any) -> None:
        if isinstance(cells, Mapping | CellDict | OrderedDict):
            for key, cell in cells.items():
                self[key] = cell
            return
        if not isinstance(cells, Iterable):
            raise TypeError("CellDict.update() should be called with an iterable of key-value "
                            f"pairs, but got {type(cells).__name__}")
        for i, pair in enumerate(cells):
            if len(pair) != 2:
                raise ValueError(f"CellDict update sequence element #{i}, length should be 2; "
                                 f"but has length {len(pair)}")
            self[pair[0]] = pair[1]

    def construct(self, *inputs: Any) -> Any:
        raise NotImplementedError

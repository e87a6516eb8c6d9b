"""MindSpore's ``nn.Cell`` and the loss cells, in NumPy.

A ``Cell`` registers the Parameters and sub-Cells assigned to its attributes, in
order, so ``trainable_params()`` lists them as MindSpore does (a sub-Cell's
parameters are named ``<attribute>.<name>``). Calling a Cell runs ``construct``;
inside a differentiated function the call is compiled from ``construct``'s source.
"""
from __future__ import annotations

from typing import Any

from . import ops
from .tensor import Parameter, ParameterTuple


class Cell:
    """Base class of models: subclass it and write ``construct``."""

    def __init__(self, auto_prefix: bool = True, flags: Any = None) -> None:
        object.__setattr__(self, "_params", {})
        object.__setattr__(self, "_cells", {})

    def __setattr__(self, name: str, value: Any) -> None:
        if "_params" not in self.__dict__:
            Cell.__init__(self)
        if isinstance(value, Parameter):
            if value.name is None:
                value.name = name
            self._params[name] = value
        elif isinstance(value, Cell):
            for param in value.get_parameters():
                param.name = f"{name}.{param.name}"
            self._cells[name] = value
        object.__setattr__(self, name, value)

    def construct(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define construct()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.construct(*args, **kwargs)

    def get_parameters(self, expand: bool = True) -> list[Parameter]:
        params = list(self.__dict__.get("_params", {}).values())
        for cell in self.__dict__.get("_cells", {}).values():
            params.extend(cell.get_parameters())
        return params

    def trainable_params(self, recurse: bool = True) -> ParameterTuple:
        """The Parameters with ``requires_grad``, in definition order."""
        return ParameterTuple(p for p in self.get_parameters() if p.requires_grad)


class BCEWithLogitsLoss(Cell):
    """Binary cross-entropy on logits; see ``ops.binary_cross_entropy_with_logits``."""

    def __init__(self, reduction: str = "mean", weight: Any = None,
                 pos_weight: Any = None) -> None:
        super().__init__()
        self.reduction, self.weight, self.pos_weight = reduction, weight, pos_weight

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.binary_cross_entropy_with_logits(logits, labels, self.weight,
                                                    self.pos_weight, self.reduction)

"""``vmap`` over an ``nn.CellList``: MindSpore's model ensembling.

MindSpore documents ``vmap(fn)`` with ``fn`` a ``CellList`` of Cells of one structure as
running cell ``i`` on example ``i`` of each batched argument (``in_axes=None``: every
cell on the whole argument) and stacking their results along ``out_axes``; the number
of cells must equal the mapped axis's size. MindSpore stacks the cells' Parameters
and batches one program; here the ensemble is a Cell whose ``construct`` calls each
member on its slice and stacks the results, so the values and the gradients with
respect to each member's own Parameters are the same, and it compiles, differentiates
and runs eagerly as any Cell does. The members stay the CellList's (they are not made
children of the ensemble): their Parameters keep their names.
"""
from __future__ import annotations

from typing import Any

from . import ops
from .nn import Cell


def _axes(in_axes: Any, count: int) -> tuple:
    """One axis (an int or None) per positional argument."""
    if isinstance(in_axes, tuple | list):
        if len(in_axes) != count:
            raise ValueError(f"vmap in_axes has {len(in_axes)} entries, but {count} "
                             "arguments were given")
        return tuple(in_axes)
    return (in_axes,) * count


def _check_axis(axis: Any, what: str) -> None:
    if axis is not None and (isinstance(axis, bool) or not isinstance(axis, int)):
        raise ValueError(f"vmap over a CellList takes an int or None per {what}, not "
                         f"{axis!r}")


def _slice(value: Any, axis: Any, i: int) -> Any:
    """Example ``i`` of ``value`` along ``axis`` (each array of a tuple or list)."""
    if axis is None:
        return value
    if isinstance(value, tuple | list):
        return type(value)(_leaf_slice(v, axis, i) for v in value)
    return _leaf_slice(value, axis, i)


def _leaf_slice(value: Any, axis: int, i: int) -> Any:
    index = (slice(None),) * (axis % value.ndim) + (i,)
    return value[index]


def _size(value: Any, axis: Any) -> Any:
    if axis is None:
        return None
    first = value[0] if isinstance(value, tuple | list) else value
    return first.shape[axis]


def _stack(outs: list, out_axes: Any) -> Any:
    """The members' results stacked along ``out_axes`` (per output if a tuple)."""
    first = outs[0]
    if isinstance(first, tuple | list):
        axes = out_axes if isinstance(out_axes, tuple | list) else (out_axes,) * len(first)
        return tuple(ops.stack([o[k] for o in outs], axes[k]) for k in range(len(first)))
    return ops.stack(outs, out_axes)


class CellListMap(Cell):
    """``vmap(cell_list, in_axes, out_axes)``: member ``i`` on example ``i`` (the module
    docstring)."""

    def __init__(self, cells: Any, in_axes: Any = 0, out_axes: Any = 0) -> None:
        super().__init__()
        members = tuple(cells)
        if not members:
            raise ValueError("vmap over an empty CellList")
        for axis in in_axes if isinstance(in_axes, tuple | list) else (in_axes,):
            _check_axis(axis, "argument")
        for axis in out_axes if isinstance(out_axes, tuple | list) else (out_axes,):
            if axis is None:
                raise ValueError("vmap over a CellList stacks each output of the cells: "
                                 "out_axes cannot be None")
            _check_axis(axis, "output")
        object.__setattr__(self, "members", members)  # not children: names unchanged
        self.in_axes, self.out_axes = in_axes, out_axes

    def construct(self, *args: Any) -> Any:
        axes = _axes(self.in_axes, len(args))
        count = len(self.members)
        for arg, axis in zip(args, axes):
            size = _size(arg, axis)
            if size is not None and size != count:
                raise ValueError(f"vmap over a CellList of {count} cells: the mapped axis "
                                 f"has size {size}, but it must equal the number of cells")
        outs = []
        for i in range(count):
            outs.append(self.members[i](*[_slice(a, ax, i) for a, ax in zip(args, axes)]))
        return _stack(outs, self.out_axes)

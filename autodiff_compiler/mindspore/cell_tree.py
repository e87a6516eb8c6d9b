"""What a Cell holds, listed and named as MindSpore 2.10 does it: ``set_train``,
``get_parameters``, ``trainable_params``, ``parameters_and_names``, ``cells_and_names``,
``name_cells``, ``insert_child_to_cell`` and ``print(cell)``.

``nn.Cell`` keeps its Parameters and sub-Cells, by attribute name and in definition
order, in ``_params`` and ``_cells``; a Parameter's name carries the names of the
sub-Cells it was assigned through (``fc.weight``, ``seq.0.bias``). The methods here only
read those two tables (``set_train`` writes ``training`` and ``phase``), so a Cell's
calling and compiling stay in ``nn``. Called inside a compiled function, the listing
methods run while compiling; the Parameters they list are read at each call and
differentiated like ``self.weight`` (``frontend.captures``).
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

from ..ir.surface import evaluated_when_compiling
from .cell_methods import CellMethods
from .tensor import STRUCTURE, Parameter


class Listing(dict):
    """A Cell's ``_params`` or ``_cells``: a change to either is a change to what the
    listing methods give (``STRUCTURE``), which compiled code listed while compiling."""

    __slots__ = ()

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        STRUCTURE.changed()

    def __delitem__(self, key: Any) -> None:
        super().__delitem__(key)
        STRUCTURE.changed()

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self:  # (Cell.__setattr__ pops every name it sets: no change)
            STRUCTURE.changed()
        return super().pop(key, *default)

    def popitem(self) -> Any:
        STRUCTURE.changed()
        return super().popitem()

    def clear(self) -> None:
        STRUCTURE.changed()
        super().clear()

    def update(self, *args: Any, **kwargs: Any) -> None:
        STRUCTURE.changed()
        super().update(*args, **kwargs)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            STRUCTURE.changed()
        return super().setdefault(key, default)


class CellTree(CellMethods):
    """The listing and naming half of ``nn.Cell``."""

    __structure__ = STRUCTURE  # what a listing of a Cell, compiled, is guarded on

    training = False  # set_train's mode
    phase = "predict"  # "train" after set_train(True), as MindSpore names it

    def set_train(self, mode: bool = True) -> CellTree:
        """Set ``training`` (and ``phase``) on this Cell and every sub-Cell; returns self."""
        for _, cell in self.cells_and_names():
            object.__setattr__(cell, "training", bool(mode))
            object.__setattr__(cell, "phase", "train" if mode else "predict")
        return self

    @evaluated_when_compiling
    def get_parameters(self, expand: bool = True) -> Iterator[Parameter]:
        """The Parameters, in definition order (``expand=False``: this Cell's own only),
        each once; a generator, as MindSpore's is."""
        seen: set[int] = set()
        cells = [cell for _, cell in self.cells_and_names()] if expand else [self]
        for cell in cells:
            for param in cell.__dict__.get("_params", {}).values():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield param

    @evaluated_when_compiling
    def trainable_params(self, recurse: bool = True) -> list[Parameter]:
        """The Parameters with ``requires_grad``, in definition order, as a list."""
        return [p for p in self.get_parameters(recurse) if p.requires_grad]

    @evaluated_when_compiling
    def untrainable_params(self, recurse: bool = True) -> list[Parameter]:
        """The Parameters without ``requires_grad``, as a list."""
        return [p for p in self.get_parameters(recurse) if not p.requires_grad]

    @evaluated_when_compiling
    def parameters_and_names(self, name_prefix: str = "", expand: bool = True
                             ) -> Iterator[tuple[str, Parameter]]:
        """``(name, Parameter)`` pairs named by where they sit (``seq.0.weight``, after
        ``name_prefix.``), each Parameter once, as MindSpore names them."""
        seen: set[int] = set()
        cells = self.cells_and_names(name_prefix=name_prefix) if expand \
            else [(name_prefix, self)]
        for cell_name, cell in cells:
            for attr, param in cell.__dict__.get("_params", {}).items():
                if id(param) not in seen:
                    seen.add(id(param))
                    yield (f"{cell_name}.{attr}" if cell_name else attr), param

    @evaluated_when_compiling
    def parameters_dict(self, recurse: bool = True) -> OrderedDict[str, Parameter]:
        return OrderedDict((p.name, p) for p in self.get_parameters(recurse))

    @evaluated_when_compiling
    def cells_and_names(self, cells: Any = None, name_prefix: str = ""
                        ) -> Iterator[tuple[str, CellTree]]:
        """``(name, Cell)`` for this Cell (named ``name_prefix``) and every sub-Cell
        below it (``seq.0``), each once, depth first."""
        seen = set() if cells is None else cells
        if id(self) in seen:
            return
        seen.add(id(self))
        yield name_prefix, self
        for name, cell in self.__dict__.get("_cells", {}).items():
            yield from cell.cells_and_names(seen, f"{name_prefix}.{name}" if name_prefix
                                            else name)

    @evaluated_when_compiling
    def name_cells(self) -> OrderedDict[str, CellTree]:
        """The direct sub-Cells by attribute name."""
        return OrderedDict(self.__dict__.get("_cells", {}))

    @evaluated_when_compiling
    def cells(self) -> Any:
        return self.name_cells().values()

    def insert_child_to_cell(self, child_name: str, child_cell: CellTree) -> None:
        """Add a sub-Cell under ``child_name`` (its Parameters keep their names, as in
        MindSpore)."""
        if not isinstance(child_name, str) or not child_name or "." in child_name:
            raise KeyError(f"child_name must be a non-empty str without '.', "
                           f"not {child_name!r}")
        if not isinstance(child_cell, CellTree):
            raise TypeError(f"child_cell must be a Cell, not {type(child_cell).__name__}")
        if "_cells" not in self.__dict__:
            object.__setattr__(self, "_params", Listing())
            object.__setattr__(self, "_cells", Listing())
        self._cells[child_name] = child_cell
        object.__setattr__(self, child_name, child_cell)

    def extend_repr(self) -> str:
        """What ``repr`` shows in the parentheses after the class name."""
        return ""

    def __repr__(self) -> str:
        children = self.__dict__.get("_cells", {})
        head = f"{type(self).__name__}({self.extend_repr()}"
        if not children:
            return head + ")"
        lines = [f"  ({name}): " + repr(cell).replace("\n", "\n  ")
                 for name, cell in children.items()]
        return head + "\n" + "\n".join(lines) + "\n)"

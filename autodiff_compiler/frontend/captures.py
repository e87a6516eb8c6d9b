"""Free values of compiled code: how to reach them again, and when to recompile.

A compiled gradient is reused across calls, but the globals, closure cells and
``Cell`` attributes it read may change. Arrays it reads (weights, data) become extra
inputs, fetched along their ``Path`` at every call, so updating ``model.w`` is seen at
once. Everything else it read (helper functions, Python numbers, strings, Cells) was
baked into the code; a *guard* (``guards``) re-reads each at call time and a changed
value triggers recompilation, so a cached gradient is never stale.
"""
from __future__ import annotations

import builtins
import types
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..ir import surface
from ..ir.arrays import array_library
from ..ir.core import Aval, Var

MISSING = object()


@dataclass(frozen=True, eq=False)
class Path:
    """A root (a module-globals entry, a closure cell, or a fixed object) then steps."""

    root: Any
    name: str | None = None  # set for a globals dict: the key
    steps: tuple[tuple[str, Any], ...] = ()
    label: str = ""

    @staticmethod
    def of_global(globals_: dict[str, Any], name: str) -> Path:
        return Path(globals_, name, label=name)

    @staticmethod
    def of_cell(cell: types.CellType, name: str) -> Path:
        return Path(cell, label=name)

    @staticmethod
    def of_object(obj: Any, label: str = "") -> Path:
        return Path(obj, label=label)

    def attr(self, name: str) -> Path:
        return Path(self.root, self.name, (*self.steps, ("attr", name)), name)

    def has(self, name: str) -> Path:
        """Whether the object has the attribute ``name`` (``hasattr``): a truth value
        guarded as any value read (a lazy ``if not hasattr(self, "w"): self.w = ...``
        sets it at run time, and the next call takes the other path)."""
        return Path(self.root, self.name, (*self.steps, ("has", name)), f"has_{name}")

    def item(self, key: Any) -> Path:
        return Path(self.root, self.name, (*self.steps, ("item", key)), f"{self.label}_{key}")

    def key(self) -> tuple:
        return (id(self.root), self.name, tuple((kind, repr(k)) for kind, k in self.steps))

    def resolve(self) -> Any:
        if self.name is not None:
            obj = self.root.get(self.name, MISSING)
            if obj is MISSING:
                obj = getattr(builtins, self.name, MISSING)
        elif isinstance(self.root, types.CellType):
            obj = self.root.cell_contents
        else:
            obj = self.root
        for kind, key in self.steps:
            obj = getattr(obj, key) if kind == "attr" else hasattr(obj, key) \
                if kind == "has" else obj[key]
        return obj


@dataclass(frozen=True, eq=False)
class Guard:
    """``path`` must still lead to what it led to when compiling (``expected``); what
    "the same" means for each kind of value is ``guards``' business."""

    path: Path
    expected: Any
    array: bool = False  # a captured array: only its type, shape and dtype matter

    def key(self) -> tuple:
        return (*self.path.key(), self.array)


def is_array(value: Any) -> bool:
    """A NumPy array or scalar, or another library's array (``ir.arrays``)."""
    return array_library(value) is not None


class Captures:
    """The arrays a compilation reads from outside its arguments, and its guards."""

    def __init__(self) -> None:
        self.vars: dict[int, Var] = {}
        self.arrays: list[tuple[Path, Any, Var]] = []
        self._guards: dict[tuple, Guard] = {}
        self.paths: dict[int, Path] = {}  # by ``id``: see ``name``
        self._named: list[Any] = []
        self.before_writes: dict[int, Var] = {}  # what ``vars`` held before ops.assign

    def rebind(self, old: Var, new: Var) -> None:
        """Reads of the object ``old`` was read from give ``new`` from now on (what
        ``ops.assign`` wrote into it); the value it was first read as stays the one a
        gradient with respect to it is taken at (``input_of``)."""
        for key, var in list(self.vars.items()):
            if var is old:
                self.before_writes.setdefault(key, old)
                self.vars[key] = new

    def saved_writes(self) -> tuple[dict, dict]:
        """What ``rebind`` changes, to put back where a lowering attempt is dropped."""
        return dict(self.vars), dict(self.before_writes)

    def restore_writes(self, saved: tuple[dict, dict]) -> None:
        """Reads give again what they gave before a dropped attempt's writes; a value
        first read in the attempt, what it entered the program as (its input)."""
        for key, first in self.before_writes.items():
            if key not in saved[1]:
                self.vars[key] = first
        self.vars.update(saved[0])
        self.before_writes = dict(saved[1])

    def input_of(self, obj: Any) -> Var:
        """The value ``obj`` (a Parameter) entered the program as."""
        return self.before_writes.get(id(obj), self.vars[id(obj)])

    def free_value(self, path: Path, value: Any) -> Any:
        """What compiled code sees for a value read along ``path``. A NumPy integer or
        bool scalar is immutable, and a count or a size (``n = np.prod(shape)``): a
        constant, guarded as an int is, so that the shapes it makes are known."""
        if is_array(value) and not isinstance(value, np.integer | np.bool_):
            return self.array(path, value)
        if not _never_changes(path, value):
            self.guard(Guard(path, value))
        if not isinstance(value, bool | int | float | str | type(None)):
            self.name(value, path)
        return self._with_captured_items(path, value)

    def _with_captured_items(self, path: Path, value: Any) -> Any:
        """A list, tuple or dict read from outside, with each array in it (at any depth)
        as the captured value it is, reached again along its own path. Iterating over
        ``self.weights``, unpacking ``w, b = self.layer``, or ``np.stack(self.rows)``
        then reads the arrays as they are at each call, and a Parameter among them is
        differentiated: left in place, they would be constants of the program."""
        if isinstance(value, dict):  # an OrderedDict too: a plain dict in compiled code
            if not any(holds_arrays(v) for v in value.values()):
                return value
            return {k: self._item(path.item(k), v) for k, v in value.items()}
        if isinstance(value, list | tuple) and not hasattr(value, "_fields"):  # no namedtuple
            if not any(holds_arrays(v) for v in value):
                return value
            items = [self._item(path.item(i), v) for i, v in enumerate(value)]
            return items if isinstance(value, list) else tuple(items)
        return value

    def _item(self, path: Path, value: Any) -> Any:
        if is_array(value) and not isinstance(value, np.integer | np.bool_):  # (free_value)
            return self.array(path, value)
        if not isinstance(value, bool | int | float | str | type(None)):
            self.name(value, path)
        return self._with_captured_items(path, value)

    def guard(self, guard: Guard) -> None:
        self._guards.setdefault(guard.key(), guard)

    def array(self, path: Path, value: Any) -> Var:
        if id(value) not in self.vars:
            var = Var(Aval.of(value), path.label or "captured",
                      tensor=getattr(type(value), "__plain_array__", False) is True)
            self.vars[id(value)] = var
            self.arrays.append((path, value, var))
            self.guard(Guard(path, value, array=True))
        return self.vars[id(value)]

    def listed(self, *objs: Any) -> None:
        """``objs`` were listed while compiling (iterated, measured, or given to a
        method run then): guard the version of what their library's containers hold
        (``surface.Structure``), so a change to the listing recompiles."""
        for obj in objs:
            structure = surface.structure_of(obj)
            if structure is not None:
                self.guard(Guard(Path.of_object(structure, "structure").attr("version"),
                                 structure.version))

    def captured_object(self, var: Var) -> tuple[Path, Any] | None:
        """The object read from outside (a Parameter) whose array ``var`` is, as read or
        as last written, and its path; ``None`` for a value the program computes."""
        for path, value, first in self.arrays:
            if first is var or self.vars.get(id(value)) is var:
                return path, value
        return None

    @property
    def guards(self) -> list[Guard]:
        return list(self._guards.values())

    def name(self, obj: Any, path: Path, *, again: bool = False) -> None:
        """Reach ``obj`` along ``path`` (``again``: even if it has a path already). The
        object is held for the compilation: keyed by ``id``, one freed (a temporary a
        property made) would lend its path to the next object given its address."""
        if again or id(obj) not in self.paths:
            self.paths[id(obj)] = path
            self._named.append(obj)

    def path_of(self, obj: Any) -> Path:
        return self.paths.get(id(obj)) or Path.of_object(obj)


def holds_arrays(value: Any) -> bool:
    """An array, or a plain list, tuple or dict with one in it (at any depth)."""
    if is_array(value):
        return True
    if isinstance(value, dict):
        return any(holds_arrays(v) for v in value.values())
    if isinstance(value, list | tuple) and not hasattr(value, "_fields"):
        return any(holds_arrays(v) for v in value)
    return False


# Modules whose attributes (and the globals naming them) are taken as constant.
LIBRARIES = frozenset(["numpy", "math", "cmath", "builtins", "autodiff_compiler"])


def _never_changes(path: Path, value: Any) -> bool:
    """This package's own globals, library modules (``np``) and their attributes
    (``np.pi``, ``np.linalg.norm``) are fixed; a user's module and its attributes
    (``cfg.SCALE``) are not."""
    if isinstance(path.root, dict) and _library(path.root.get("__name__")):
        return True
    if isinstance(value, types.ModuleType) and _library(value.__name__):
        return True
    if not path.steps:
        return False
    root = Path(path.root, path.name).resolve()
    return isinstance(root, types.ModuleType) and _library(root.__name__)


def _library(name: Any) -> bool:
    return isinstance(name, str) and name.partition(".")[0] in LIBRARIES

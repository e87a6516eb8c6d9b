"""The protocol through which the compiler knows the MindSpore surface's classes.

The compiler sits below ``mindspore/`` and never imports it. A class takes part by
declaring a class attribute:

- ``__calls_construct__ = True``: calling an instance runs ``construct`` (a Cell); the
  compiler compiles ``type(obj).construct`` from its source with ``obj`` as ``self``.
- ``__plain_array__ = True``: an ``ndarray`` subclass (a Parameter) that generated code
  receives as a plain ``ndarray``, so arithmetic on it is NumPy's and its results are
  plain arrays.

A Cell whose class defines ``bprop(self, *inputs, out, dout)`` asks for its own
gradient; ``custom_bprop`` finds it so that no caller differentiates ``construct`` in
its place (that would be a silently wrong gradient).
"""
from __future__ import annotations

import types
from typing import Any

from ..errors import AutodiffError, Loc
from .source import definition_loc


def is_cell(obj: Any) -> bool:
    """``obj`` is an instance whose call is its class's ``construct``."""
    return not isinstance(obj, type) and getattr(type(obj), "__calls_construct__", False) is True


def is_plain_array_subclass(obj: Any) -> bool:
    """``obj`` is an instance of an array subclass that asks to be seen as ``ndarray``."""
    return getattr(type(obj), "__plain_array__", False) is True


def custom_bprop(cell: Any) -> types.FunctionType | None:
    """The ``bprop`` a Cell's class defines, or None."""
    bprop = getattr(type(cell), "bprop", None)
    return bprop if isinstance(bprop, types.FunctionType) else None


def refuse_custom_bprop(cell: Any, loc: Loc | None) -> None:
    """Raise at ``loc`` (or at the ``bprop`` def) when ``cell`` defines ``bprop``: its
    gradient must be the user's, never ``construct``'s ordinary one."""
    bprop = custom_bprop(cell)
    if bprop is None:
        return
    name = type(cell).__name__
    raise AutodiffError(
        f"Cell '{name}' defines bprop, and a custom bprop is not supported yet: "
        f"differentiating '{name}.construct' would silently ignore it",
        loc or definition_loc(bprop),
        hint="write the gradient rule with autodiff_compiler.extend, or remove bprop to "
             "differentiate construct itself")

"""The protocol through which the compiler knows the MindSpore surface's classes.

The compiler sits below ``mindspore/`` and never imports it. A class takes part by
declaring a class attribute:

- ``__calls_construct__ = True``: calling an instance runs ``construct`` (a Cell); the
  compiler compiles ``type(obj).construct`` from its source with ``obj`` as ``self``.
- ``__plain_array__ = True``: an ``ndarray`` subclass (a Parameter) that generated code
  receives as a plain ``ndarray``, so arithmetic on it is NumPy's and its results are
  plain arrays.

A Cell whose class defines ``bprop(self, *inputs, out, dout)`` asks for its own
gradient: every place that lowers a Cell call asks ``custom_bprop`` first and lowers
it with ``lower_cell_with_bprop`` (``frontend.custom``), never by differentiating
``construct`` in the rule's place, which would be a silently wrong gradient.
"""
from __future__ import annotations

import inspect
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


def lower_cell_with_bprop(low: Any, cell: Any, args: tuple, kwargs: dict,
                          loc: Loc | None) -> Any:
    """A call of a Cell that defines ``bprop``, as MindSpore differentiates it: the
    value is ``construct``'s; the gradient of the inputs is
    ``bprop(*inputs, out, dout)``, and the Cell's own Parameters get none from it."""
    from .custom import custom_call  # custom lowers through the Lowering, above this
    construct, bprop = type(cell).construct, custom_bprop(cell)
    name = type(cell).__name__
    try:
        bound = inspect.signature(construct).bind(cell, *args, **kwargs)
    except TypeError as err:
        raise AutodiffError(f"bad call to '{name}': {err}", loc) from None
    bound.apply_defaults()
    inputs = tuple(bound.arguments.values())[1:]

    def primal(ins: tuple) -> Any:
        return low.call_function(construct, ins, {}, loc, self_obj=cell)

    def backward(residuals: Any, dout: Any) -> Any:
        ins, out = residuals
        return low.call_function(bprop, (*ins, out, dout), {}, loc, self_obj=cell)

    return custom_call(low, f"{name}_construct", inputs, primal, None, backward, loc,
                       definition_loc(bprop), f"Cell '{name}'.bprop")

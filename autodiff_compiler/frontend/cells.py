"""The protocol through which the compiler knows the MindSpore surface's classes.

The compiler sits below ``mindspore/`` and never imports it. A class takes part by
declaring a class attribute:

- ``__calls_construct__ = True``: calling an instance runs ``construct`` (a Cell); the
  compiler compiles ``type(obj).construct`` from its source with ``obj`` as ``self``.
- ``__plain_array__ = True``: an ``ndarray`` subclass (a Parameter) that generated code
  receives as a plain ``ndarray``, so arithmetic on it is NumPy's and its results are
  plain arrays.
"""
from __future__ import annotations

from typing import Any


def is_cell(obj: Any) -> bool:
    """``obj`` is an instance whose call is its class's ``construct``."""
    return not isinstance(obj, type) and getattr(type(obj), "__calls_construct__", False) is True


def is_plain_array_subclass(obj: Any) -> bool:
    """``obj`` is an instance of an array subclass that asks to be seen as ``ndarray``."""
    return getattr(type(obj), "__plain_array__", False) is True

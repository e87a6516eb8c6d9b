"""MindSpore's ``ops.Custom`` of ``func_type="pyfunc"``: a Python function as an
operator, with the backward rule ``bprop`` given beside it.

``Custom(func, out_shape, out_dtype, "pyfunc", bprop)`` is a Cell whose ``construct``
calls ``func`` and whose ``bprop`` (when given) is ``bprop(*inputs, out, dout)``, as a
Cell's own ``bprop``: inside a differentiated function ``func`` is compiled as any code
is, and the gradient is the rule's. ``out_shape``/``out_dtype`` describe ``func``'s
result to MindSpore's graph compiler; ``func`` computes it here, so they are not read.
The other function types (AOT, Akg, TBE kernels) compile native code and are refused.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .nn import Cell

__all__ = ["Custom"]


class _Custom(Cell):
    """``ops.Custom``: ``func`` and its ``bprop``, each called with the inputs one by one
    (a Cell's ``construct`` and ``bprop`` take named inputs: one class per count)."""

    def __init__(self, func: Callable[..., Any], bprop: Callable[..., Any] | None) -> None:
        super().__init__()
        object.__setattr__(self, "func", func)
        object.__setattr__(self, "custom_bprop", bprop)


class _Custom1(_Custom):
    def construct(self, x: Any) -> Any:
        return self.func(x)


class _Custom2(_Custom):
    def construct(self, x: Any, y: Any) -> Any:
        return self.func(x, y)


class _Custom3(_Custom):
    def construct(self, x: Any, y: Any, z: Any) -> Any:
        return self.func(x, y, z)


class _Custom1WithBprop(_Custom1):
    def bprop(self, x: Any, out: Any, dout: Any) -> Any:
        return self.custom_bprop(x, out, dout)


class _Custom2WithBprop(_Custom2):
    def bprop(self, x: Any, y: Any, out: Any, dout: Any) -> Any:
        return self.custom_bprop(x, y, out, dout)


class _Custom3WithBprop(_Custom3):
    def bprop(self, x: Any, y: Any, z: Any, out: Any, dout: Any) -> Any:
        return self.custom_bprop(x, y, z, out, dout)


_CLASSES = {1: (_Custom1, _Custom1WithBprop), 2: (_Custom2, _Custom2WithBprop),
            3: (_Custom3, _Custom3WithBprop)}


def Custom(func: Callable[..., Any], out_shape: Any = None, out_dtype: Any = None,  # noqa: N802
           func_type: str = "hybrid", bprop: Callable[..., Any] | None = None,
           reg_info: Any = None) -> Cell:
    """MindSpore's ``ops.Custom`` (``func_type="pyfunc"``; see the module docstring)."""
    if func_type != "pyfunc":
        raise ValueError(f"ops.Custom with func_type={func_type!r} compiles a native kernel; "
                         "only func_type='pyfunc' (a Python function) runs here")
    if not callable(func):
        raise TypeError(f"ops.Custom needs a Python function, not {func!r}")
    try:
        n = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                for p in inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        n = 0
    if n not in _CLASSES:
        raise ValueError(f"ops.Custom takes a function of 1 to 3 inputs here, not {n}")
    plain, with_bprop = _CLASSES[n]
    return with_bprop(func, bprop) if bprop is not None else plain(func, None)

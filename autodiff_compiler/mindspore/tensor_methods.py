"""MindSpore's Tensor methods that NumPy's arrays lack (``x.tanh()``, ``x.neg()``,
``x.pow(2)``), from one table: each is the NumPy function that computes it; and
``Tensor(...)`` itself inside a differentiated function.

``install`` gives ``Tensor`` each as a method (computed eagerly by that function) and
registers the function's builder for the method name in the NumPy surface, so the same
call inside a differentiated function compiles to the same primitive. Methods NumPy
already has (``sum``, ``reshape``, ``transpose``, ``max``) keep NumPy's meaning.

Methods written in Python over ``ops`` (``x.scatter(...)``, installed by the ``ops``
module defining them with ``install_source_methods``) are compiled from their source,
as the ``ops`` function is: inside a differentiated function ``x.scatter`` is an
attribute of the array that, called, compiles the method with ``x`` as ``self`` (the
``__lower_call__`` protocol of ``frontend.calls``).

``Tensor(data, dtype)`` in a differentiated function is ``np.array`` with MindSpore's
dtype rules: constant data becomes a constant array (Python floats float32), a
computed array is copied (cast to ``dtype`` if given), a list of computed arrays
stacked; compiled code computes on plain arrays, so no Tensor is built there.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ir import surface
from ..ir.builder import producer_of
from ..ir.core import Var
from ..ir.reference import sigmoid

# method name -> the NumPy function computing it (its first argument the Tensor)
METHODS: dict[str, Callable[..., Any]] = {
    "abs": np.abs, "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1,
    "sqrt": np.sqrt, "square": np.square, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "arcsin": np.arcsin,
    "arccos": np.arccos, "arctan": np.arctan, "sigmoid": sigmoid, "neg": np.negative,
    "negative": np.negative, "reciprocal": np.reciprocal, "pow": np.power, "add": np.add,
    "sub": np.subtract, "mul": np.multiply, "div": np.divide, "maximum": np.maximum,
    "minimum": np.minimum, "expand_dims": np.expand_dims, "unsqueeze": np.expand_dims,
    "floor": np.floor, "ceil": np.ceil, "sign": np.sign, "isnan": np.isnan,
}
FAMILY = "MindSpore Tensor"


def _method(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"MindSpore's ``Tensor.{name}``: ``{surface.display_name(fn)}(x, ...)``."
    return method


def install(cls: type) -> None:
    """Give ``cls`` the methods of ``METHODS`` it lacks, and compile them inside
    differentiated functions as their NumPy functions."""
    for name, fn in METHODS.items():
        if not hasattr(np.ndarray, name):
            setattr(cls, name, _method(name, fn))
            builder = surface.FUNCTIONS.get(fn)
            if builder is not None and name not in surface.METHODS:
                surface.register(FAMILY, builder, methods=(name,))


def install_source_methods(cls: type, methods: dict[str, Callable[..., Any]]) -> None:
    """Give ``cls`` these methods (name -> a Python function taking ``self`` first), and
    compile their calls inside differentiated functions from the functions' source."""
    for name, fn in methods.items():
        setattr(cls, name, fn)
        surface.ATTRIBUTES[name] = _SourceMethod.binder(fn)
        surface.USER_METHODS.add(name)  # tested with the ops defining them, not as rules
        surface.FAMILIES.setdefault(FAMILY, []).append(f"x.{name}()")


class _SourceMethod:
    """``x.<name>`` of an array inside a differentiated function: calling it compiles
    ``fn(x, ...)`` from ``fn``'s source."""

    def __init__(self, fn: Callable[..., Any], array: Var) -> None:
        self.fn, self.array = fn, array

    @classmethod
    def binder(cls, fn: Callable[..., Any]) -> Callable[[Var], _SourceMethod]:
        return lambda array: cls(fn, array)

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        return low.call_function(self.fn, (self.array, *args), kwargs, loc)


def install_constructor(cls: type, as_array: Callable[[Any, Any], np.ndarray]) -> None:
    """Compile ``cls(data, dtype)`` as ``np.array`` would be, constant data converted by
    ``as_array`` (MindSpore's dtype rules)."""
    array, stack = surface.FUNCTIONS[np.array], surface.FUNCTIONS[np.stack]

    def build(input_data: Any = None, dtype: Any = None, **kwargs: Any) -> Any:
        if isinstance(input_data, list | tuple) and any(isinstance(v, Var) for v in input_data):
            input_data = stack(list(input_data))
        if not isinstance(input_data, Var):
            return as_array(input_data, dtype)
        if dtype is None and _new_array(input_data):
            return input_data  # ``Tensor(np.ones(n))``: nothing else holds it to copy from
        return array(input_data, None if dtype is None else np.dtype(dtype))

    surface.register(FAMILY, build, cls)


def _new_array(value: Var) -> bool:
    """``value`` is an array just made (by a primitive that allocates) that no name holds."""
    eqn = None if value.hint else producer_of(value)
    return eqn is not None and eqn.prim.allocates

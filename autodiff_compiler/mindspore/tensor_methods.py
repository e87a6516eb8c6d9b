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

``install_table`` adds MindSpore's other methods NumPy's arrays lack, from
``tensor_methods_table`` (each an ``ops`` call, compiled from source) and the
conversions and queries below (``x.float()``, ``x.to(dtype)``, ``x.numel()``); the
in-place ones (``x.add_(y)``) and eager-only ones (``x.unique()``) run eagerly and are
refused at the user's line inside a differentiated function.

``Tensor(data, dtype)`` in a differentiated function is ``np.array`` with MindSpore's
dtype rules: constant data becomes a constant array (Python floats float32), a
computed array is copied (cast to ``dtype`` if given), a list of computed arrays
stacked; compiled code computes on plain arrays, so no Tensor is built there.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import surface
from ..ir.builder import mark_cast, producer_of
from ..ir.core import Var
from ..ir.reference import sigmoid
from ..ir.surface import stop_gradient
from . import dtype as mstype

# method name -> the NumPy function computing it (its first argument the Tensor)
METHODS: dict[str, Callable[..., Any]] = {
    "abs": np.abs, "exp": np.exp, "log": np.log, "log1p": np.log1p, "expm1": np.expm1,
    "sqrt": np.sqrt, "square": np.square, "sin": np.sin, "cos": np.cos, "tan": np.tan,
    "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh, "arcsin": np.arcsin,
    "arccos": np.arccos, "arctan": np.arctan, "sigmoid": sigmoid, "neg": np.negative,
    "negative": np.negative, "reciprocal": np.reciprocal, "pow": np.power,
    "mul": np.multiply, "maximum": np.maximum,
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
        if not _numpy_compiles(name):
            setattr(cls, name, _method(name, fn))
            builder = surface.FUNCTIONS.get(fn)
            if builder is not None and name not in surface.METHODS:
                surface.register(FAMILY, builder, methods=(name,))


def install_source_methods(cls: type, methods: dict[str, Callable[..., Any]],
                           compiled: dict[str, Callable[..., Any]] | None = None) -> None:
    """Give ``cls`` these methods (name -> a Python function taking ``self`` first), and
    compile their calls inside differentiated functions from the functions' source (or
    from that of ``compiled[name]``, where the compiled form differs)."""
    for name, fn in methods.items():
        setattr(cls, name, fn)
        surface.ATTRIBUTES[name] = _SourceMethod.binder((compiled or {}).get(name, fn))
        surface.USER_METHODS.add(name)  # tested with the ops defining them, not as rules
        surface.FAMILIES.setdefault(FAMILY, []).append(f"x.{name}()")


def _numpy_compiles(name: str) -> bool:
    """NumPy's arrays have the method and compiled code knows it as theirs (NumPy 1.x's
    arrays have a few that NumPy 2 dropped, ``x.ptp()``: MindSpore's serves there)."""
    return hasattr(np.ndarray, name) and (name in surface.METHODS or name in surface.ATTRIBUTES)


def install_table(cls: type) -> None:
    """Give ``cls`` MindSpore's methods of ``tensor_methods_table`` that NumPy's arrays
    lack: the ones compiled from source, the eager-only ones and the in-place ones
    (both refused in compiled code). Imported here, not at the top: the table calls
    ``ops``, whose modules import ``Tensor``."""
    from . import tensor_methods_table as table

    for name, fn in table.SOURCE_METHODS.items():
        if _numpy_compiles(name):
            continue  # NumPy's meaning stays (compiled code sees plain arrays)
        setattr(cls, name, _eager(fn, cls))
        if name not in table.EAGER_ONLY:
            surface.ATTRIBUTES[name] = _SourceMethod.binder(table.COMPILED_AS.get(name, fn))
            surface.USER_METHODS.add(name)
            surface.FAMILIES.setdefault(FAMILY, []).append(f"x.{name}()")
    for name, fn in table.TENSOR_COMPILED.items():
        surface.TENSOR_ATTRIBUTES[name] = _SourceMethod.binder(fn)
    for name, fn in table.COMPILED_ONLY.items():
        surface.ATTRIBUTES[name] = _SourceMethod.binder(fn)
        surface.USER_METHODS.add(name)
    for name, why in table.EAGER_ONLY.items():
        _refuse(name, f"x.{name}() runs eagerly only: {why}",
                "call it outside the differentiated function")
    for name, computes in table.INPLACE.items():
        setattr(cls, name, _in_place(name, computes))
        instead = f"x = x.{computes}(...)" if computes else "build the new array"
        _refuse(name, f"x.{name}() writes into x in place, which a differentiated function "
                      "cannot do to an array it reads", f"compute a new array: {instead}")


def _refuse(name: str, message: str, hint: str) -> None:
    surface.ATTRIBUTES[name] = lambda array: _Refused(message, hint)
    surface.USER_METHODS.add(name)


class _Refused:
    """A method of an array that compiled code cannot call: calling it is an error at
    the user's line."""

    def __init__(self, message: str, hint: str) -> None:
        self.message, self.hint = message, hint

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        raise AutodiffError(self.message, loc, hint=self.hint)


def _in_place(name: str, computes: str) -> Callable[..., Any]:
    """MindSpore's in-place ``x.<name>(...)``: the new values (of ``x.<computes>(...)``;
    for ``zero_``, ``fill_`` and ``copy_`` the zeros, the value, the source) written
    into ``x``, cast to its dtype; returns ``x``."""
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        if name == "zero_":
            new: Any = 0
        elif name in ("fill_", "copy_"):
            new = args[0] if args else next(iter(kwargs.values()))
        else:
            new = getattr(self, computes)(*args, **kwargs)
        self.view(np.ndarray)[...] = np.asarray(new)
        return self

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"MindSpore's in-place ``Tensor.{name}``."
    return method


class _SourceMethod:
    """``x.<name>`` of an array inside a differentiated function: calling it compiles
    ``fn(x, ...)`` from ``fn``'s source."""

    def __init__(self, fn: Callable[..., Any], array: Var) -> None:
        self.fn, self.array = fn, array

    @classmethod
    def binder(cls, fn: Callable[..., Any]) -> Callable[[Var], _SourceMethod]:
        return lambda array: cls(fn, array)

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        # a method whose form depends on its arguments' kinds (``x.gather(dim, index)``
        # or ``x.gather(indices, axis)``) names the function to compile for them
        pick = getattr(self.fn, "__compiled_form__", None)
        fn = self.fn if pick is None else pick(args, kwargs)
        return low.call_function(fn, (self.array, *args), kwargs, loc)


def _eager(fn: Callable[..., Any], cls: type) -> Callable[..., Any]:
    """``fn`` as an eager method: NumPy scalars it gives (``np.linalg.det`` of a
    matrix) come back as 0-d Tensors, as MindSpore's results are Tensors."""
    @functools.wraps(fn)
    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = fn(self, *args, **kwargs)
        if isinstance(result, tuple):
            return tuple(np.asarray(r).view(cls) if isinstance(r, np.generic) else r
                         for r in result)
        return np.asarray(result).view(cls) if isinstance(result, np.generic) else result
    return method


def install_constructor(cls: type, as_array: Callable[[Any, Any], np.ndarray]) -> None:
    """Compile ``cls(data, dtype)`` as ``np.array`` would be, constant data converted by
    ``as_array`` (MindSpore's dtype rules). The result is a Tensor, as it is eagerly: a
    constant one of ``cls`` (the builder computes with a plain view of it), a run-time
    one marked (``Var.tensor``), so that arithmetic on it follows MindSpore's promotion
    (``Tensor(np.arange(T)) / T`` is float32)."""
    array, stack = surface.FUNCTIONS[np.array], surface.FUNCTIONS[np.stack]

    def build(input_data: Any = None, dtype: Any = None, **kwargs: Any) -> Any:
        if isinstance(input_data, list | tuple) and any(isinstance(v, Var) for v in input_data):
            input_data = stack(list(input_data))
        if not isinstance(input_data, Var):
            return as_array(input_data, dtype).view(cls)
        if dtype is None and _new_array(input_data):
            made = input_data  # ``Tensor(np.ones(n))``: nothing else holds it to copy from
        else:
            made = array(input_data, None if dtype is None else np.dtype(dtype))
        if isinstance(made, Var):
            made.tensor = True
        return made

    surface.register(FAMILY, build, cls)


def _new_array(value: Var) -> bool:
    """``value`` is an array just made (by a primitive that allocates) that no name holds."""
    eqn = None if value.hint else producer_of(value)
    return eqn is not None and eqn.prim.allocates


# ---------------------------------------------------------------------------- conversions
# MindSpore's conversions and queries of a Tensor, written in NumPy (compiled from this
# source, as the table's methods are: ``tensor_methods_table``).
# MindSpore's ``x.float()`` & co. are casts to a fixed dtype (a new Tensor).

def cast_written(cast: Any, x: Any) -> Any:
    """``cast``, ``x`` cast to another dtype: in compiled code marked as MindSpore's
    ``Cast`` of an integer Tensor to a float type (``builder.mark_cast``), which its
    gradient goes back through cast to the integer type (``ops.cast``, ``x.float()``)."""
    return cast


def _lower_cast_written(low: Any, args: list, kwargs: dict, loc: Any) -> Any:
    return mark_cast(args[1], args[0], written=True)


cast_written.__lower_call__ = _lower_cast_written  # type: ignore[attr-defined]


def _cast(dtype: Any) -> Any:
    def method(self: Any) -> Any:
        return cast_written(self.astype(dtype), self)
    return method


def to(self: Any, dtype: Any = None, non_blocking: bool = False, copy: bool = False) -> Any:
    """``x.to(dtype)``; a device name (``"cpu"``) leaves the Tensor as it is."""
    if dtype is None or isinstance(dtype, str):
        return self
    return cast_written(self.astype(dtype), self)


def type_(self: Any, dtype: Any = None) -> Any:
    """``x.type()``: the dtype's MindSpore name (``"Float32"``); ``x.type(dtype)``: a cast."""
    if dtype is None:
        return str(mstype.of(self.dtype))
    return cast_written(self.astype(dtype), self)


def numpy_(self: Any) -> Any:
    """The data as a NumPy array sharing memory (``asnumpy``)."""
    return self.view(np.ndarray)


def numpy_compiled(self: Any) -> Any:
    """``x.numpy()`` compiled: no gradient flows through a NumPy array."""
    return stop_gradient(self)


def clone(self: Any) -> Any:
    return np.copy(self)


def contiguous(self: Any) -> Any:
    """The Tensor itself: NumPy copies what it must when it computes."""
    return self


def is_contiguous(self: Any) -> bool:
    return bool(self.flags["C_CONTIGUOUS"])


def numel(self: Any) -> int:
    return int(np.size(self))


def dim(self: Any) -> int:
    return int(np.ndim(self))


def is_floating_point(self: Any) -> bool:
    return bool(np.issubdtype(self.dtype, np.floating))


def is_complex(self: Any) -> bool:
    return bool(np.issubdtype(self.dtype, np.complexfloating))


def is_signed(self: Any) -> bool:
    """Signed integers and floating types (not ``bool`` or ``uint8``)."""
    return bool(np.issubdtype(self.dtype, np.signedinteger)
                or np.issubdtype(self.dtype, np.inexact))


CONVERSIONS: dict[str, Callable[..., Any]] = {
    "float": _cast(np.float32), "double": _cast(np.float64), "half": _cast(np.float16),
    "int": _cast(np.int32), "long": _cast(np.int64), "short": _cast(np.int16),
    "bool": _cast(np.bool_), "byte": _cast(np.uint8), "to": to, "type": type_,
    "numpy": numpy_, "clone": clone, "contiguous": contiguous, "is_contiguous": is_contiguous,
    "numel": numel, "nelement": numel, "dim": dim, "ndimension": dim,
    "is_floating_point": is_floating_point, "is_complex": is_complex, "is_signed": is_signed,
}

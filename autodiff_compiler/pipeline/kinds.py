"""What compiled code is specialised on: each argument's kind (an array's shape and
dtype, a float, a static value), the abstract value lowering sees for it, and which
arrays each backend's code computes on. The API keys its cache on these."""
from __future__ import annotations

import types
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import trees
from ..errors import AutodiffTypeError
from ..frontend.captures import is_array
from ..frontend.source import definition_loc
from ..ir.arrays import array_library, is_foreign_array, shape_and_dtype
from ..ir.core import Aval, Var


def kind_of(value: Any) -> Any:
    """What compiled code is specialised on: array shape and dtype, or the static value."""
    if type(value) is np.ndarray:  # the hot path, before the general checks
        return (value.shape, value.dtype)
    if isinstance(value, np.ndarray):  # a subclass (a Tensor): its own specialisation,
        # since the API hands results back in its type (``Compiled.wrap``)
        return (value.shape, np.dtype(value.dtype), type(value))
    if isinstance(value, float | complex):
        return type(value)
    if isinstance(value, np.generic):
        return ((), value.dtype.str, "scalar")
    if isinstance(value, tuple | list):
        return (type(value), tuple(kind_of(v) for v in value))
    if isinstance(value, dict):  # a pytree (an OrderedDict too): its keys, in order,
        return (type(value), tuple(value), tuple(kind_of(v) for v in value.values()))
    if isinstance(value, bool | int | str | type(None)):
        return (type(value), value)
    if isinstance(value, Var):
        return ("symbolic", value.aval)
    if is_foreign_array(value):  # another library's (dask's too): its own specialisation
        return (type(value), *shape_and_dtype(value))
    # any other object (a function, a config object, often a default): a compile-time
    # constant by identity, guarded like a global the function reads (compiler)
    return ("object", id(value))


def is_object(value: Any) -> bool:
    """An argument that is a constant by identity (see ``_kind``)."""
    return not isinstance(value, bool | int | float | complex | str | tuple | list | type(None)
                          | np.ndarray | np.generic | dict) \
        and not is_foreign_array(value)


def objects_in(value: Any) -> list[Any]:
    """The constants by identity in an argument, in its tuples, lists and dicts too: the
    cache key holds their ids, so the entry keeps them alive (an id is reused once its
    object is gone)."""
    if isinstance(value, tuple | list):
        return [o for v in value for o in objects_in(v)]
    if isinstance(value, dict):
        return [o for v in value.values() for o in objects_in(v)]
    return [value] if is_object(value) else []


def dynamic_leaves(value: Any) -> list[Any]:
    if isinstance(value, tuple | list):
        return [leaf for v in value for leaf in dynamic_leaves(v)]
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in dynamic_leaves(v)]
    return [value] if is_dynamic(value) else []


def is_dynamic(value: Any) -> bool:
    return isinstance(value, Var) or is_array(value) or isinstance(value, float | complex)


# Which arrays each backend's code computes on, and the backend to ask for otherwise.
_TAKES = {"numpy": ("numpy",), "numba": ("numpy",), "dask": ("numpy", "dask"),
          "array_api": ("numpy", "array_api")}


def check_library(fn: Any, args: Sequence[Any], backend: str) -> None:
    """Each backend takes the arrays its code computes on: NumPy code would compute a
    dask array on the caller (or write into it), and cannot run on another library's.
    The backend is the caller's choice, never guessed from the arguments, so the same
    ``grad`` never silently changes what it returns."""
    for i, value in enumerate(args):
        for leaf in dynamic_leaves(value):
            _refuse_foreign(fn, leaf, f"argument {i}", backend)


def check_captured_library(fn: Any, captured: Sequence[tuple[Any, Any]],
                           backend: str) -> None:
    """The arrays a function reads from outside (globals, closures, ``self``), as
    ``(path, array)``, are held to the backend as its arguments are."""
    for path, value in captured:
        _refuse_foreign(fn, value, f"'{path.label or 'an array it reads'}'", backend)


def _refuse_foreign(fn: Any, value: Any, what: str, backend: str) -> None:
    library = array_library(value)
    if library is None or library in _TAKES[backend]:
        return
    target = getattr(fn, "__func__", fn)
    loc = definition_loc(target) if isinstance(target, types.FunctionType) else None
    kind = "dask array" if library == "dask" else \
        f"{type(value).__module__.partition('.')[0]}.{type(value).__name__}"
    raise AutodiffTypeError(
        f"{what} of {getattr(target, '__qualname__', 'the function')} is a {kind}, but "
        f"its gradient is compiled for the {backend} backend", loc,
        hint=f"pass backend={library!r} to grad/value_and_grad, or convert the array "
             f"with np.asarray")


def abstract(value: Any, specialize: bool = True) -> Any:
    """The argument as lowering sees it: a ``Var`` for each runtime value, whose shape
    and dtype are known when specialising."""
    if isinstance(value, Var):
        return Var(value.aval if specialize else Aval(), tensor=value.tensor)
    if isinstance(value, tuple | list):
        return trees.like(value, [abstract(v, specialize) for v in value])
    if isinstance(value, dict):
        return {k: abstract(v, specialize) for k, v in value.items()}
    if is_dynamic(value):
        return Var(Aval.of(value) if specialize else Aval(),
                   tensor=getattr(type(value), "__plain_array__", False) is True)
    return value

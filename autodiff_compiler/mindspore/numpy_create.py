"""``mindspore.numpy``'s constructors, with MindSpore's default dtypes.

MindSpore makes 32-bit arrays where NumPy makes 64-bit ones: ``mnp.ones(3)``,
``mnp.eye(2)``, ``mnp.linspace(0, 1, 5)`` are float32; ``mnp.arange(3)``,
``mnp.array([1, 2])``, ``mnp.full(3, 1)`` int32; Python floats float32, bools bool
(each measured in MindSpore 2.7.1: ``tests/mindspore_numpy_cases.py``). A given
``dtype`` wins, and arrays passed in keep theirs (``mnp.array(t)``, ``mnp.ones_like(t)``).
MindSpore refuses NumPy arrays in ``mnp.array``; here they keep their dtype, as in
``Tensor(a)``. Every constructor returns a Tensor, for any input.

Inside a differentiated function these compile from this source like user code: the
dtype helpers run while compiling (on constants) and ``Tensor(...)`` is ``np.array``
(``tensor.install_constructor``). ``rand``, ``randn`` and ``randint`` draw from NumPy's
global state (``set_seed``), so their numbers are not MindSpore's.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.core import Var
from .dtype import bool_, float32, int32
from .tensor import Tensor

__all__ = [
    "array", "asarray", "asfarray", "copy", "ones", "zeros", "empty", "full", "ones_like",
    "zeros_like", "empty_like", "full_like", "arange", "linspace", "logspace", "geomspace",
    "eye", "identity", "tri", "indices", "rand", "randn", "randint",
]


class _ScalarDtype:
    """MindSpore's dtype for a Python number or a (nested) list of them: bool, int32 or
    float32; ``None`` (keep the dtype, or NumPy's promotion) for arrays, NumPy scalars
    and lists holding them. Compiled code asks it while compiling (``__lower_call__``):
    a run-time array among the values is an array, whose dtype is kept."""

    def __call__(self, value: Any) -> Any:
        kinds = set()
        todo = [value]
        while todo:
            item = todo.pop()
            if isinstance(item, list | tuple):
                todo.extend(item)
            elif item is None:  # an argument not given (``arange(3.0)``'s ``stop``)
                continue
            elif isinstance(item, np.generic):  # np.float64 is a float: keep its dtype
                return None
            elif isinstance(item, bool):
                kinds.add("b")
            elif isinstance(item, int):
                kinds.add("i")
            elif isinstance(item, float):
                kinds.add("f")
            else:
                return None  # an array or a NumPy scalar
        if "f" in kinds:
            return float32
        return int32 if "i" in kinds else (bool_ if kinds else None)

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        return self(*(None if _holds_var(a) else a for a in args))


def _holds_var(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(_holds_var(v) for v in value)
    return isinstance(value, Var)


_scalar_dtype = _ScalarDtype()


def array(obj: Any, dtype: Any = None, copy: bool = True, ndmin: int = 0) -> Tensor:
    """A new Tensor of ``obj`` (int32 for Python ints, float32 for floats), with at least
    ``ndmin`` axes."""
    out = Tensor(np.array(obj), _scalar_dtype(obj) if dtype is None else dtype)
    if ndmin == 1:
        out = np.atleast_1d(out)
    elif ndmin == 2:
        out = np.atleast_2d(out)
    elif ndmin:  # needs the rank when compiling: shape-specialised code
        out = np.expand_dims(out, _leading_axes(np.ndim(out), ndmin))
    return out


def _leading_axes(rank: int, ndmin: int) -> tuple:
    """The new leading axes that give an array of ``rank`` axes ``ndmin`` of them."""
    return tuple(range(ndmin - rank))


_leading_axes.__evaluated_when_compiling__ = True  # of a rank known when compiling


def asarray(a: Any, dtype: Any = None) -> Tensor:
    """``a`` as a Tensor: a Tensor of the same dtype is returned as it is."""
    if isinstance(a, Tensor) and (dtype is None or np.dtype(dtype) == a.dtype):
        return a
    return Tensor(a, _scalar_dtype(a) if dtype is None else dtype)


def asfarray(a: Any, dtype: Any = float32) -> Tensor:
    """``a`` as a float Tensor (float32 unless ``dtype`` is another float type)."""
    if np.dtype(dtype).kind != "f":
        dtype = float32
    return Tensor(a, dtype)


def copy(a: Any) -> Tensor:
    return Tensor(np.copy(a))


def ones(shape: Any, dtype: Any = float32) -> Tensor:
    return Tensor(np.ones(shape, dtype=dtype))


def zeros(shape: Any, dtype: Any = float32) -> Tensor:
    return Tensor(np.zeros(shape, dtype=dtype))


def empty(shape: Any, dtype: Any = float32) -> Tensor:
    """Zeros, as MindSpore fills them (NumPy's ``empty`` leaves memory as it was)."""
    return Tensor(np.zeros(shape, dtype=dtype))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """``fill_value`` everywhere: int32 for a Python int, float32 for a float."""
    if dtype is None:
        dtype = _scalar_dtype(fill_value)
    return Tensor(np.full(shape, fill_value, dtype=dtype))


def ones_like(a: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """Ones of ``a``'s dtype and shape (or the ``dtype`` and ``shape`` given)."""
    if shape is None:
        return Tensor(np.ones_like(a, dtype=dtype))
    return Tensor(np.ones(shape, dtype=np.asarray(a).dtype if dtype is None else dtype))


def zeros_like(a: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    if shape is None:
        return Tensor(np.zeros_like(a, dtype=dtype))
    return Tensor(np.zeros(shape, dtype=np.asarray(a).dtype if dtype is None else dtype))


def empty_like(prototype: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """Zeros, as MindSpore fills them."""
    return zeros_like(prototype, dtype, shape)


def full_like(a: Any, fill_value: Any, dtype: Any = None, shape: Any = None) -> Tensor:
    """``fill_value`` in ``a``'s dtype (``mnp.full_like(ints, 2.5)`` holds 2s)."""
    if shape is None:
        return Tensor(np.full_like(a, fill_value, dtype=dtype))
    return Tensor(np.full(shape, fill_value,
                          dtype=np.asarray(a).dtype if dtype is None else dtype))


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """``start, start + step, ...`` below ``stop``: int32 for ints, float32 if any is a
    float."""
    if dtype is None:
        dtype = _scalar_dtype([start, stop, step]) or int32
    if stop is None:
        start, stop = 0, start
    return Tensor(np.arange(start, stop, 1 if step is None else step, dtype=dtype))


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             retstep: bool = False, dtype: Any = None, axis: int = 0) -> Any:
    """``num`` evenly spaced values, float32 unless ``dtype``; ``retstep`` also returns the
    spacing (a 0-d Tensor)."""
    values = np.linspace(start, stop, num, endpoint=endpoint, axis=axis)
    out = Tensor(values, float32 if dtype is None else dtype)
    if retstep:
        div = num - 1 if endpoint else num
        return out, Tensor(np.asarray((stop - start) / div), float32)
    return out


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
             base: float = 10.0, dtype: Any = None, axis: int = 0) -> Tensor:
    """``base`` to the powers ``linspace(start, stop, num)`` (float32 unless ``dtype``)."""
    exponents = np.linspace(start, stop, num, endpoint=endpoint, axis=axis)
    return Tensor(np.power(base, exponents), float32 if dtype is None else dtype)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True,
              dtype: Any = None, axis: int = 0) -> Tensor:
    """``num`` values from ``start`` to ``stop`` evenly spaced on a log scale (float32
    unless ``dtype``); ``start`` and ``stop`` of one sign."""
    logs = np.linspace(np.log(np.abs(start)), np.log(np.abs(stop)), num, endpoint=endpoint,
                       axis=axis)
    signs = np.linspace(np.sign(start), np.sign(start), num, axis=axis)  # laid out as logs
    return Tensor(signs * np.exp(logs), float32 if dtype is None else dtype)


def eye(N: int, M: Any = None, k: int = 0, dtype: Any = float32) -> Tensor:  # noqa: N803
    return Tensor(np.eye(N, M, k, dtype=dtype))


def identity(n: int, dtype: Any = float32) -> Tensor:
    return Tensor(np.eye(n, dtype=dtype))


def tri(N: int, M: Any = None, k: int = 0, dtype: Any = float32) -> Tensor:  # noqa: N803
    return Tensor(np.tri(N, M, k, dtype=dtype))


def indices(dimensions: Any, dtype: Any = int32, sparse: bool = False) -> Any:
    """The index grids of an array of shape ``dimensions`` (int32): one Tensor per axis
    (MindSpore returns a tuple, NumPy one array)."""
    grids = np.indices(dimensions, dtype=dtype, sparse=sparse)
    return tuple(Tensor(g) for g in grids)


def rand(*shape: Any, dtype: Any = float32) -> Tensor:
    """Uniform draws in [0, 1) from NumPy's global state. Eager only."""
    size = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple | list) else shape
    return Tensor(np.random.random_sample(size).astype(dtype))


def randn(*shape: Any, dtype: Any = float32) -> Tensor:
    """Standard normal draws from NumPy's global state. Eager only."""
    size = shape[0] if len(shape) == 1 and isinstance(shape[0], tuple | list) else shape
    return Tensor(np.random.standard_normal(size).astype(dtype))


def randint(minval: int, maxval: Any = None, shape: Any = None, dtype: Any = int32) -> Tensor:
    """Integers in ``[minval, maxval)`` (``[0, minval)`` without ``maxval``), from the
    global state at each call, inside a gradient too (data no gradient reaches)."""
    if maxval is None:
        minval, maxval = 0, minval
    return Tensor(np.random.randint(minval, maxval, shape).astype(dtype))

"""MindSpore's Tensor, Parameter and dtypes, as plain NumPy.

``Tensor(...)`` returns an ``ndarray`` and ``Parameter`` is an ``ndarray`` subclass that
carries a ``name`` and ``requires_grad``. Arithmetic on a Parameter returns a plain
``ndarray``, and compiled code sees plain arrays: nothing dispatches through a wrapper.
"""
from __future__ import annotations

from typing import Any

import numpy as np

float16, float32, float64 = np.float16, np.float32, np.float64
int8, int16, int32, int64, uint8 = np.int8, np.int16, np.int32, np.int64, np.uint8
bool_ = np.bool_


def Tensor(data: Any = None, dtype: Any = None) -> np.ndarray:  # noqa: N802 (MindSpore's name)
    """A new array holding ``data`` (copied), optionally cast to ``dtype``."""
    return np.array(data, dtype=dtype)


class Parameter(np.ndarray):
    """A trainable array: an ``ndarray`` with a ``name`` and ``requires_grad``."""

    name: str | None
    requires_grad: bool

    def __new__(cls, default_input: Any, name: str | None = None,
                requires_grad: bool = True) -> Parameter:
        obj = np.array(default_input).view(cls)
        obj.name, obj.requires_grad = name, requires_grad
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.name = getattr(obj, "name", None)
        self.requires_grad = getattr(obj, "requires_grad", True)

    def __array_wrap__(self, array: np.ndarray, context: Any = None,
                       return_scalar: bool = False) -> Any:
        """Results of arithmetic are plain arrays, not new Parameters."""
        array = array.view(np.ndarray)
        return array[()] if return_scalar else array

    def __repr__(self) -> str:
        return (f"Parameter (name={self.name}, shape={self.shape}, "
                f"dtype={self.dtype.name.capitalize()}, requires_grad={self.requires_grad})")

    def __hash__(self) -> int:  # Parameters are used as identities (weights=[w, b])
        return id(self)

    @property
    def data(self) -> np.ndarray:  # type: ignore[override]
        return self.view(np.ndarray)


class ParameterTuple(tuple):
    """A tuple of Parameters, as ``Cell.trainable_params()`` would give."""

    def __new__(cls, params: Any = ()) -> ParameterTuple:
        params = tuple(params)
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"ParameterTuple holds Parameters, got {type(p).__name__}")
        return super().__new__(cls, params)

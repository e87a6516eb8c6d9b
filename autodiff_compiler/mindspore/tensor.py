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

    __plain_array__ = True  # generated code sees a plain ndarray (frontend.cells)
    __parameter__ = True  # what weights= takes (frontend.cells)

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


# ---------------------------------------------------------------------------- initializers
# MindSpore's ``mindspore.common.initializer``: each draws from NumPy's global random
# state (``np.random.seed`` makes it repeatable); the distributions and their
# parameters are MindSpore's.


class Initializer:
    """A rule for the initial values of a Parameter of a given shape."""

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        raise NotImplementedError


class Zero(Initializer):
    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.zeros(shape)


class One(Initializer):
    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.ones(shape)


class Constant(Initializer):
    def __init__(self, value: float) -> None:
        self.value = value

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.full(shape, self.value)


class Normal(Initializer):
    """N(mean, sigma**2); MindSpore's default ``sigma`` is 0.01."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0) -> None:
        self.sigma, self.mean = sigma, mean

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.random.normal(self.mean, self.sigma, shape)


class Uniform(Initializer):
    """U(-scale, scale); MindSpore's default ``scale`` is 0.07."""

    def __init__(self, scale: float = 0.07) -> None:
        self.scale = scale

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.random.uniform(-self.scale, self.scale, shape)


def _fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel)."""
    if len(shape) < 2:
        return (shape[0] if shape else 1,) * 2
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive


def _gain(nonlinearity: str, negative_slope: float) -> float:
    if nonlinearity == "leaky_relu":
        return float(np.sqrt(2.0 / (1 + negative_slope ** 2)))
    return {"relu": float(np.sqrt(2.0)), "tanh": 5.0 / 3, "linear": 1.0,
            "sigmoid": 1.0}[nonlinearity]


class HeUniform(Initializer):
    """U(-b, b) with b = gain * sqrt(3 / fan); with MindSpore's ``Dense`` default
    (``negative_slope=sqrt(5)``, fan_in) that is b = 1 / sqrt(fan_in)."""

    def __init__(self, negative_slope: float = 0, mode: str = "fan_in",
                 nonlinearity: str = "leaky_relu") -> None:
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        fan = _fans(shape)[0 if self.mode == "fan_in" else 1]
        bound = _gain(self.nonlinearity, self.negative_slope) * np.sqrt(3.0 / fan)
        return np.random.uniform(-bound, bound, shape)


class HeNormal(HeUniform):
    """N(0, std**2) with std = gain / sqrt(fan)."""

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        fan = _fans(shape)[0 if self.mode == "fan_in" else 1]
        return np.random.normal(0.0, _gain(self.nonlinearity, self.negative_slope)
                                / np.sqrt(fan), shape)


class XavierUniform(Initializer):
    """U(-b, b) with b = gain * sqrt(6 / (fan_in + fan_out))."""

    def __init__(self, gain: float = 1) -> None:
        self.gain = gain

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        bound = self.gain * np.sqrt(6.0 / (fan_in + fan_out))
        return np.random.uniform(-bound, bound, shape)


_NAMED = {"zeros": Zero, "ones": One, "normal": Normal, "uniform": Uniform,
          "he_uniform": HeUniform, "he_normal": HeNormal, "xavier_uniform": XavierUniform}


def initializer(init: Any, shape: Any, dtype: Any = float32) -> np.ndarray:
    """Initial values of ``shape``: from an ``Initializer``, its name (``"normal"``), a
    number (filled with it) or an array (copied; its shape must match)."""
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if isinstance(init, str):
        init = _NAMED[init.lower()]()
    if isinstance(init, Initializer):
        return np.asarray(init(shape), dtype=dtype)
    value = np.asarray(init)
    if value.ndim == 0:
        return np.full(shape, value, dtype=dtype)
    if value.shape != shape:
        raise ValueError(f"initial value of shape {value.shape} for a Parameter of shape {shape}")
    return np.array(value, dtype=value.dtype)

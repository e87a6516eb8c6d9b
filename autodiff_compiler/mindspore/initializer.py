"""MindSpore's ``mindspore.common.initializer``: the rules a Parameter's first values
are drawn by.

Each draws from NumPy's global random state (``mindspore.set_seed`` seeds it, so the
draws repeat); the distributions and their default parameters are MindSpore's.
``initializer(...)`` returns a Tensor, as MindSpore's does once its data is read.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import dtype as mstype
from .tensor import Tensor


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


class TruncatedNormal(Initializer):
    """N(mean, sigma**2) cut to [a, b] (redrawn outside); MindSpore's defaults."""

    def __init__(self, sigma: float = 0.01, mean: float = 0.0, a: float = -2.0,
                 b: float = 2.0) -> None:
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        out = np.random.normal(self.mean, self.sigma, shape)
        outside = (out < self.a) | (out > self.b)
        while np.any(outside):
            out[outside] = np.random.normal(self.mean, self.sigma, int(outside.sum()))
            outside = (out < self.a) | (out > self.b)
        return out


class XavierNormal(XavierUniform):
    """N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        return np.random.normal(0.0, self.gain * np.sqrt(2.0 / (fan_in + fan_out)), shape)


_NAMED = {"zeros": Zero, "ones": One, "normal": Normal, "uniform": Uniform,
          "he_uniform": HeUniform, "he_normal": HeNormal, "xavier_uniform": XavierUniform,
          "xavier_normal": XavierNormal, "truncatednormal": TruncatedNormal,
          "truncated_normal": TruncatedNormal}


def initializer(init: Any, shape: Any = None, dtype: Any = mstype.float32) -> Tensor:
    """Initial values of ``shape``, as a Tensor: from an ``Initializer``, its name
    (``"normal"``), a number (filled with it) or an array (copied; its shape must match)."""
    shape = () if shape is None else (shape,) if isinstance(shape, int) else tuple(shape)
    if isinstance(init, str):
        try:
            init = _NAMED[init.lower()]()
        except KeyError:
            raise ValueError(f"unknown initializer {init!r}; known: {sorted(_NAMED)}") from None
    if isinstance(init, Initializer):
        return np.asarray(init(shape), dtype=np.dtype(dtype)).view(Tensor)
    value = np.asarray(init)
    if value.ndim == 0:
        return np.full(shape, value, dtype=np.dtype(dtype)).view(Tensor)
    if value.shape != shape:
        raise ValueError(f"initial value of shape {value.shape} for a Parameter of shape {shape}")
    return np.array(value, dtype=value.dtype).view(Tensor)


__all__ = ["Initializer", "Zero", "One", "Constant", "Normal", "Uniform", "HeUniform",
           "HeNormal", "XavierUniform", "XavierNormal", "TruncatedNormal", "initializer"]

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


class Identity(Initializer):
    """A 2-D Tensor's identity: ones on the diagonal (of a rectangle too), zeros off it."""

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) != 2:
            raise ValueError("For Identity initializer, the dimension of the initialized "
                             f"tensor should be 2, but got {len(shape)}.")
        return np.eye(*shape)


class Orthogonal(Initializer):
    """``gain`` times a random orthogonal matrix (rows or columns orthonormal, whichever
    are fewer), the Tensor flattened to ``(shape[0], rest)``: the Q of a normal draw's QR
    decomposition, its columns' signs fixed by R's diagonal so Q is uniformly drawn."""

    def __init__(self, gain: float = 1.0) -> None:
        self.gain = gain

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) < 2:
            raise ValueError("For Orthogonal initializer, the dimension of the initialized "
                             f"tensor should be no less than 2, but got {len(shape)}.")
        rows, cols = shape[0], int(np.prod(shape[1:]))
        flat = np.random.normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(flat)
        q = q * np.sign(np.diag(r))
        return self.gain * (q.T if rows < cols else q).reshape(shape)


class Dirac(Initializer):
    """A convolution's weight (3-, 4- or 5-D) that passes its input channels through: in
    each of ``groups`` groups of output channels, output ``d`` reads input ``d`` at the
    kernel's centre."""

    def __init__(self, groups: int = 1) -> None:
        self.groups = groups

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) not in (3, 4, 5) or shape[0] % self.groups:
            raise ValueError("For Dirac initializer, only support to initialize tensor with "
                             "dimension of 3, 4 or 5, whose first dimension is divisible by "
                             f"groups ({self.groups}), but got shape {shape}.")
        out = np.zeros(shape)
        per_group = shape[0] // self.groups
        centre = tuple(k // 2 for k in shape[2:])
        for g in range(self.groups):
            for d in range(min(per_group, shape[1])):
                out[(g * per_group + d, d, *centre)] = 1.0
        return out


class VarianceScaling(Initializer):
    """Variance ``scale / n``, ``n`` the fan of ``mode`` (``fan_in``, ``fan_out`` or their
    mean ``fan_avg``): a normal cut at two deviations (widened so the cut one has that
    variance), a plain normal (``untruncated_normal``) or a uniform. MindSpore 2.10
    (measured) draws its ``truncated_normal`` from the uniform of that variance (values
    never beyond ``sqrt(3 scale / n)``); here it is the truncated normal documented."""

    def __init__(self, scale: float = 1.0, mode: str = "fan_in",
                 distribution: str = "truncated_normal") -> None:
        if scale <= 0 or mode not in ("fan_in", "fan_out", "fan_avg") or distribution not in (
                "truncated_normal", "untruncated_normal", "uniform"):
            raise ValueError(f"VarianceScaling: scale must be positive, mode fan_in, fan_out "
                             f"or fan_avg, distribution truncated_normal, untruncated_normal "
                             f"or uniform; got {scale!r}, {mode!r}, {distribution!r}")
        self.scale, self.mode, self.distribution = scale, mode, distribution

    def __call__(self, shape: tuple[int, ...]) -> np.ndarray:
        fan_in, fan_out = _fans(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            limit = np.sqrt(3.0 * variance)
            return np.random.uniform(-limit, limit, shape)
        if self.distribution == "untruncated_normal":
            return np.random.normal(0.0, np.sqrt(variance), shape)
        std = np.sqrt(variance) / 0.87962566103423978  # (a N(0, 1) cut at +-2: std 0.8796)
        return TruncatedNormal(std, 0.0, -2 * std, 2 * std)(shape)


_NAMED = {"zeros": Zero, "ones": One, "normal": Normal, "uniform": Uniform,
          "he_uniform": HeUniform, "he_normal": HeNormal, "xavier_uniform": XavierUniform,
          "xavier_normal": XavierNormal, "truncatednormal": TruncatedNormal,
          "truncated_normal": TruncatedNormal, "identity": Identity, "orthogonal": Orthogonal,
          "dirac": Dirac, "variancescaling": VarianceScaling}


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
           "HeNormal", "XavierUniform", "XavierNormal", "TruncatedNormal", "Identity",
           "Orthogonal", "Dirac", "VarianceScaling", "initializer"]

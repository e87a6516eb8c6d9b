"""MindSpore's ``nn.probability.distribution``: ``Normal``, ``Categorical`` and
``Bernoulli``, as policy-gradient and variational programs use them
(``msd.Normal(dtype=ms.float32).log_prob(a, mu, sd)`` inside a loss).

Each is a Cell whose methods are NumPy, compiled from this source inside a
differentiated function: ``prob``, ``log_prob``, ``cdf``, ``log_cdf``,
``survival_function``, ``log_survival``, ``mean``, ``mode``, ``sd``, ``var``, ``entropy``,
``kl_loss``, ``cross_entropy`` and ``sample``, each taking the distribution's parameters
after its own arguments (``None``: those given when it was made, else a ``TypeError``);
calling the Cell with a method's name (``dist("log_prob", x)``) calls that method.
Formulas, shapes and dtypes are MindSpore 2.10's, measured: parameters are float32;
``Categorical``'s ``entropy`` and ``kl_loss`` squeeze every axis of length 1 (MindSpore's
``Squeeze()``), its ``mean`` and ``var`` keep the class axis (length 1), ``log_prob`` of
a value outside ``[0, classes)`` is NaN and a value in ``(-1, 0)`` counts as 0;
``Bernoulli.log_prob`` clips the probability to ``[eps, 1 - eps]`` (float32's eps);
``mode`` and ``sample`` have the distribution's ``dtype``. Samples come from NumPy's
global random state (``set_seed`` repeats them, but not MindSpore's draws); a Normal
sample is ``mean + sd * z``, differentiable in both as MindSpore's is.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .nn import Cell
from .ops_nn import log_softmax, softmax
from .ops_special import erf

__all__ = ["Distribution", "Normal", "Categorical", "Bernoulli"]

_HALF_LOG_TWO_PI = 0.5 * math.log(2.0 * math.pi)
_HALF_LOG_TWO_PI_E = 0.5 * math.log(2.0 * math.pi * math.e)
_EPS = float(np.finfo(np.float32).eps)


def _float(value: Any) -> Any:
    """A parameter given when the distribution is made, as a float32 array."""
    return None if value is None else np.asarray(value, np.float32)


def _in_dtype_of(v: Any, like: Any) -> Any:
    """``v`` in ``like``'s float dtype: under NumPy 1.x a 0-d float32 beside a Python
    float computes in float64 (value-based casting), where MindSpore keeps float32."""
    return np.asarray(v, dtype=np.result_type(like, np.float32))


def _given(value: Any, default: Any, name: str) -> Any:
    if value is not None:
        return value
    if default is None:
        raise TypeError(f"the type {name} must be subclass of Tensor. It can not be None "
                        "since it is not specified during initialization.")
    return default


def _check_probabilities(probs: Any) -> None:
    if not np.all(probs > 0):
        raise ValueError("Probabilities must be greater than zero")
    if not np.all(probs < 1):
        raise ValueError("Probabilities must be less than one")


class Distribution(Cell):
    """The base: its name, dtype, seed and parameters; ``construct(name, *args)`` calls
    the method of that name."""

    _count = 1  # how many parameters the distribution has

    def __init__(self, seed: Any, dtype: Any, name: str, param: dict) -> None:
        super().__init__()
        self._seed = 0 if seed is None else seed
        self._dtype, self._name = dtype, name
        self._parameters = {k: v for k, v in param.items() if k not in ("self", "__class__")}

    @property
    def name(self) -> str:
        return self._name

    @property
    def dtype(self) -> Any:
        return self._dtype

    @property
    def seed(self) -> Any:
        return self._seed

    @property
    def parameters(self) -> dict:
        return self._parameters

    def construct(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return getattr(self, name)(*args, **kwargs)

    def prob(self, value: Any, *args: Any) -> Any:
        return np.exp(self.log_prob(value, *args))

    def log_cdf(self, value: Any, *args: Any) -> Any:
        return np.log(self.cdf(value, *args))

    def survival_function(self, value: Any, *args: Any) -> Any:
        return 1.0 - self.cdf(value, *args)

    def log_survival(self, value: Any, *args: Any) -> Any:
        return np.log(1.0 - self.cdf(value, *args))

    def cross_entropy(self, dist: str, *args: Any) -> Any:
        """``H(a) + KL(a || b)``: ``b``'s parameters first, then ``a``'s (if given)."""
        return self.entropy(*args[self._count:]) + self.kl_loss(dist, *args)

    def get_dist_type(self) -> str:
        return type(self).__name__


def _check_name(dist: str, expected: str) -> None:
    if dist != expected:
        raise ValueError(f"Distribution should be {expected}.")


class Normal(Distribution):
    """The normal distribution of ``mean`` and standard deviation ``sd``."""

    _count = 2

    def __init__(self, mean: Any = None, sd: Any = None, seed: Any = None,
                 dtype: Any = np.float32, name: str = "Normal") -> None:
        super().__init__(seed, dtype, name, dict(mean=mean, sd=sd))
        self._mean_value, self._sd_value = _float(mean), _float(sd)
        if self._sd_value is not None and not np.all(self._sd_value > 0):
            raise ValueError("Standard deviation must be greater than zero.")

    def _args(self, mean: Any, sd: Any) -> tuple[Any, Any]:
        return (_given(mean, self._mean_value, "mean"), _given(sd, self._sd_value, "sd"))

    def log_prob(self, value: Any, mean: Any = None, sd: Any = None) -> Any:
        mean, sd = self._args(mean, sd)
        z = (value - mean) / sd
        return -0.5 * (z * z) + (-_HALF_LOG_TWO_PI - np.log(sd))

    def cdf(self, value: Any, mean: Any = None, sd: Any = None) -> Any:
        mean, sd = self._args(mean, sd)
        return 0.5 * (1.0 + erf((value - mean) / (sd * math.sqrt(2.0))))

    def mean(self, mean: Any = None, sd: Any = None) -> Any:
        mean, sd = self._args(mean, sd)
        return np.broadcast_to(mean, np.shape(mean + sd))

    def mode(self, mean: Any = None, sd: Any = None) -> Any:
        return self.mean(mean, sd)

    def sd(self, mean: Any = None, sd: Any = None) -> Any:
        mean, sd = self._args(mean, sd)
        return np.broadcast_to(sd, np.shape(mean + sd))

    def var(self, mean: Any = None, sd: Any = None) -> Any:
        scale = self.sd(mean, sd)
        return scale * scale

    def entropy(self, mean: Any = None, sd: Any = None) -> Any:
        return _HALF_LOG_TWO_PI_E + np.log(self.sd(mean, sd))

    def kl_loss(self, dist: str, mean_b: Any, sd_b: Any, mean: Any = None,
                sd: Any = None) -> Any:
        """``KL(a || b)`` of Normal ``a`` (this one's, or ``mean``, ``sd``) and ``b``."""
        _check_name(dist, "Normal")
        mean, sd = self._args(mean, sd)
        diff_log_scale = np.log(sd) - np.log(sd_b)
        squared = (mean / sd_b - mean_b / sd_b) ** 2
        return 0.5 * squared + 0.5 * np.expm1(2.0 * diff_log_scale) - diff_log_scale

    def sample(self, shape: tuple = (), mean: Any = None, sd: Any = None) -> Any:
        mean, sd = self._args(mean, sd)
        z = np.random.standard_normal(tuple(shape) + np.shape(mean + sd)).astype(np.float32)
        return mean + sd * z


class Categorical(Distribution):
    """The categorical distribution of the class probabilities ``probs`` (last axis)."""

    def __init__(self, probs: Any = None, seed: Any = None, dtype: Any = np.int32,
                 name: str = "Categorical") -> None:
        super().__init__(seed, dtype, name, dict(probs=probs))
        self._probs = _float(probs)
        if self._probs is not None:
            if self._probs.ndim == 0:
                raise ValueError("probs for Categorical distribution must have rank >= 1.")
            _check_probabilities(self._probs)
            total = np.sum(self._probs, axis=-1)
            if not np.allclose(total, 1.0, rtol=_EPS * 10, atol=_EPS):
                raise ValueError("Probabilities for each category should sum to one for "
                                 "Categorical distribution.")

    @property
    def probs(self) -> Any:
        return self._probs

    def _index(self, value: Any, probs: Any) -> tuple[Any, Any]:
        """The value as a class index (``(-1, 0)`` counts as 0), and its one-hot mask."""
        value = np.asarray(value, np.float32)
        value = np.where((value < 0.0) & (value > -1.0), 0.0, np.floor(value))
        classes = np.arange(np.shape(probs)[-1])
        return value, np.expand_dims(value, -1) == classes

    def log_prob(self, value: Any, probs: Any = None) -> Any:
        probs = _given(probs, self._probs, "probs")
        value, hot = self._index(value, probs)
        picked = np.sum(np.where(hot, np.log(probs), 0.0), axis=-1)
        outside = (value < 0.0) | (value > np.shape(probs)[-1] - 1)
        return _in_dtype_of(np.where(outside, np.nan, picked), probs)

    def cdf(self, value: Any, probs: Any = None) -> Any:
        probs = _given(probs, self._probs, "probs")
        value, _ = self._index(value, probs)
        classes = np.shape(probs)[-1]
        below = np.expand_dims(np.clip(value, 0.0, classes - 1), -1) >= np.arange(classes)
        cdf = np.sum(np.where(below, probs, 0.0), axis=-1)
        return _in_dtype_of(np.where(value < 0.0, 0.0, cdf), probs)

    def mean(self, probs: Any = None) -> Any:
        probs = _given(probs, self._probs, "probs")
        index = np.arange(np.shape(probs)[-1], dtype=np.float32)
        return np.sum(index * probs, axis=-1, keepdims=True)

    def var(self, probs: Any = None) -> Any:
        probs = _given(probs, self._probs, "probs")
        index = np.arange(np.shape(probs)[-1], dtype=np.float32)
        mean = np.sum(index * probs, axis=-1, keepdims=True)
        return np.sum(index * index * probs, axis=-1, keepdims=True) - mean * mean

    def sd(self, probs: Any = None) -> Any:
        return np.sqrt(self.var(probs))

    def mode(self, probs: Any = None) -> Any:
        probs = _given(probs, self._probs, "probs")
        return np.argmax(probs, axis=-1).astype(self._dtype)

    def entropy(self, probs: Any = None) -> Any:
        probs = _given(probs, self._probs, "probs")
        return np.squeeze(-np.sum(np.log(probs) * probs, axis=-1, keepdims=True))

    def kl_loss(self, dist: str, probs_b: Any, probs: Any = None) -> Any:
        _check_name(dist, "Categorical")
        logits_a = np.log(_given(probs, self._probs, "probs"))
        logits_b = np.log(probs_b)
        terms = softmax(logits_a, -1) * (log_softmax(logits_a, -1) - log_softmax(logits_b, -1))
        return np.squeeze(np.sum(terms, axis=-1, keepdims=True))

    def sample(self, shape: tuple = (), probs: Any = None) -> Any:
        probs = np.asarray(_given(probs, self._probs, "probs"), np.float64)
        rows = probs.reshape(-1, probs.shape[-1])
        count = int(np.prod(shape))
        draws = np.stack([np.random.choice(len(row), count, p=row / row.sum())
                          for row in rows], axis=0)
        return np.transpose(draws).reshape(tuple(shape) + probs.shape[:-1]).astype(self._dtype)


class Bernoulli(Distribution):
    """The Bernoulli distribution: 1 with probability ``probs``, else 0."""

    def __init__(self, probs: Any = None, seed: Any = None, dtype: Any = np.int32,
                 name: str = "Bernoulli") -> None:
        super().__init__(seed, dtype, name, dict(probs=probs))
        self._probs = _float(probs)
        if self._probs is not None:
            _check_probabilities(self._probs)

    @property
    def probs(self) -> Any:
        return self._probs

    def log_prob(self, value: Any, probs1: Any = None) -> Any:
        probs1 = np.clip(_given(probs1, self._probs, "probs1"), _EPS, 1.0 - _EPS)
        value = np.asarray(value, np.float32)
        return _in_dtype_of(np.log(probs1) * value + np.log(1.0 - probs1) * (1.0 - value),
                            probs1)

    def cdf(self, value: Any, probs1: Any = None) -> Any:
        probs1 = _given(probs1, self._probs, "probs1")
        value = np.floor(np.asarray(value, np.float32))
        probs0 = np.broadcast_to(1.0 - probs1, np.shape(value * probs1))
        return _in_dtype_of(np.where(value < 1.0, np.where(value < 0.0, 0.0, probs0), 1.0),
                            probs1)

    def mean(self, probs1: Any = None) -> Any:
        return _given(probs1, self._probs, "probs1")

    def mode(self, probs1: Any = None) -> Any:
        return (_given(probs1, self._probs, "probs1") > 0.5).astype(self._dtype)

    def var(self, probs1: Any = None) -> Any:
        probs1 = _given(probs1, self._probs, "probs1")
        return _in_dtype_of(np.exp(np.log(1.0 - probs1) + np.log(probs1)), probs1)

    def sd(self, probs1: Any = None) -> Any:
        return np.sqrt(self.var(probs1))

    def entropy(self, probs1: Any = None) -> Any:
        probs1 = _given(probs1, self._probs, "probs1")
        probs0 = 1.0 - probs1
        return _in_dtype_of(-(probs0 * np.log(probs0)) - probs1 * np.log(probs1), probs1)

    def kl_loss(self, dist: str, probs1_b: Any, probs1: Any = None) -> Any:
        _check_name(dist, "Bernoulli")
        probs1_a = _given(probs1, self._probs, "probs1")
        return (probs1_a * np.log(probs1_a / probs1_b)
                + (1.0 - probs1_a) * np.log((1.0 - probs1_a) / (1.0 - probs1_b)))

    def sample(self, shape: tuple = (), probs1: Any = None) -> Any:
        probs1 = _given(probs1, self._probs, "probs1")
        draws = np.random.random(tuple(shape) + np.shape(probs1))
        return (draws < probs1).astype(self._dtype)

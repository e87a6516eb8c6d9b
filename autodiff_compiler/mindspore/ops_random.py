"""MindSpore's random ops, drawn from NumPy's global random state (``set_seed`` repeats
them; a ``seed`` argument starts a generator of its own, eager only).

Inside a differentiated function the global-state draws compile to the random
primitives (``np.random.random``, ``np.random.standard_normal``): fresh at each call, on
the forward pass, constants of the adjoint, so ``z = mu + exp(logvar / 2) *
ops.randn(mu.shape)`` differentiates as a VAE's reparameterisation does. Dtypes are
MindSpore 2.7.1's (measured): float32 draws, int64 ``randint`` and ``randperm``, the
input's dtype for ``rand_like``/``randn_like`` (int32 for ``randint_like`` of ints).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .dtype import float32
from .tensor import Tensor

__all__ = ["randn", "rand", "uniform", "normal", "standard_normal", "randint", "randperm",
           "bernoulli", "rand_like", "randn_like", "randint_like", "shuffle", "multinomial",
           "random_categorical", "rrelu"]


def _generator(seed: Any) -> Any:
    """NumPy's global random state, or a generator of ``seed``'s own."""
    return np.random if seed is None else np.random.default_rng(seed)


def randn(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Standard normal draws (float32 unless ``dtype``)."""
    shape = size[0] if len(size) == 1 and isinstance(size[0], tuple | list) else size
    rng = _generator(seed)
    return Tensor(rng.standard_normal(shape).astype(dtype or np.float32))


def rand(*size: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Uniform draws in [0, 1), as ``randn``."""
    shape = size[0] if len(size) == 1 and isinstance(size[0], tuple | list) else size
    rng = _generator(seed)
    return Tensor(rng.random(shape).astype(dtype or np.float32))


def uniform(shape: Any, minval: Any, maxval: Any, seed: Any = None,
            dtype: Any = float32) -> Tensor:
    """Uniform draws in [minval, maxval), as ``randn``."""
    rng = _generator(seed)
    return Tensor(rng.uniform(np.asarray(minval), np.asarray(maxval), shape).astype(dtype))


def normal(shape: Any, mean: Any, stddev: Any, seed: Any = None) -> Tensor:
    """Normal draws (float32), as ``randn``."""
    rng = _generator(seed)
    return Tensor(rng.normal(np.asarray(mean), np.asarray(stddev), shape).astype(float32))


def standard_normal(shape: Any, seed: Any = None) -> Tensor:
    """Standard normal draws of ``shape`` (float32)."""
    return Tensor(_generator(seed).standard_normal(shape).astype(np.float32))


def randint(low: int, high: int, size: Any, seed: Any = None, *, dtype: Any = None) -> Tensor:
    """Integers in ``[low, high)`` (int64 unless ``dtype``). Eager only: the draw is
    data no gradient reaches."""
    rng = _generator(seed)
    draws = rng.randint(low, high, size) if seed is None else rng.integers(low, high, size)
    return Tensor(np.asarray(draws).astype(dtype or np.int64))


def randperm(n: int, seed: int = 0, offset: int = 0, dtype: Any = np.int64) -> Tensor:
    """A random permutation of ``0 .. n - 1`` (MindSpore's default seed 0 draws from the
    global state here)."""
    rng = np.random if not seed else np.random.default_rng(seed + offset)
    return Tensor(rng.permutation(n).astype(dtype))


def bernoulli(input: Any, p: Any = 0.5, seed: Any = None) -> Any:  # noqa: A002
    """1 with probability ``p`` (a number or per entry), else 0, in ``input``'s shape and
    dtype."""
    draws = _generator(seed).random(np.shape(input))
    return (draws < p).astype(input.dtype)


def rand_like(input: Any, seed: Any = None, *, dtype: Any = None) -> Any:  # noqa: A002
    """Uniform draws in [0, 1) shaped like ``input``, in its dtype unless ``dtype``."""
    return _generator(seed).random(np.shape(input)).astype(dtype or input.dtype)


def randn_like(input: Any, seed: Any = None, *, dtype: Any = None) -> Any:  # noqa: A002
    """Standard normal draws shaped like ``input``, in its dtype unless ``dtype``."""
    return _generator(seed).standard_normal(np.shape(input)).astype(dtype or input.dtype)


def randint_like(input: Any, low: int, high: int, seed: Any = None, *,  # noqa: A002
                 dtype: Any = None) -> Tensor:
    """Integers in ``[low, high)`` shaped like ``input``, in its dtype unless ``dtype``."""
    return randint(low, high, np.shape(input), seed, dtype=dtype or input.dtype)


def shuffle(x: Any, seed: Any = None) -> Tensor:
    """``x`` with its rows (first axis) in a random order."""
    return Tensor(x[_generator(seed).permutation(np.shape(x)[0])])


def _categorical(rng: Any, probabilities: np.ndarray, count: int, replacement: bool) -> Any:
    """``count`` class indices per row of ``probabilities`` (rows summing to 1)."""
    return np.stack([rng.choice(probabilities.shape[-1], count, replace=replacement, p=row)
                     for row in probabilities])


def multinomial(input: Any, num_samples: int, replacement: bool = True,  # noqa: A002
                seed: Any = None) -> Tensor:
    """``num_samples`` class indices for each row of ``input`` (1-d or 2-d), drawn with
    probabilities proportional to the row's entries; int32, as MindSpore 2.10's. A
    draw is data: no gradient passes through it."""
    weights = np.asarray(input, np.float64)
    if weights.ndim not in (1, 2):
        raise ValueError(f"For 'multinomial', the dimension of input must be 1 or 2, but "
                         f"got {weights.ndim}.")
    if np.any(weights < 0) or np.any(weights.sum(-1) <= 0):
        raise ValueError("For 'multinomial', every entry of input must be >= 0 and every "
                         "row must have a positive sum.")
    if not replacement and num_samples > weights.shape[-1]:
        raise ValueError(f"For 'multinomial', the 'num_samples' must be less than the last "
                         f"dimension of input without 'replacement', but got 'num_samples': "
                         f"{num_samples} and 'replacement': {replacement}")
    rows = np.atleast_2d(weights)
    drawn = _categorical(_generator(seed), rows / rows.sum(-1, keepdims=True), num_samples,
                         replacement)
    return Tensor(drawn.reshape((*weights.shape[:-1], num_samples)).astype(np.int32))


def random_categorical(logits: Any, num_sample: int, seed: int = 0,
                       dtype: Any = np.int64) -> Tensor:
    """``num_sample`` class indices for each row of the 2-d ``logits``, drawn from
    ``softmax`` of the row (with replacement); seed 0 draws from the global state."""
    values = np.asarray(logits, np.float64)
    if values.ndim != 2:
        raise ValueError("For 'random_categorical', logits shape size only support 2D, but "
                         f"got shape {values.shape}.")
    if not isinstance(num_sample, int) or num_sample < 1:
        raise ValueError(f"For 'random_categorical', num_sample must be a positive int, not "
                         f"{num_sample!r}.")
    shifted = np.exp(values - values.max(-1, keepdims=True))
    rng = np.random if not seed else np.random.default_rng(seed)
    drawn = _categorical(rng, shifted / shifted.sum(-1, keepdims=True), num_sample, True)
    return Tensor(drawn.astype(dtype))


def rrelu(input: Any, lower: float = 1.0 / 8, upper: float = 1.0 / 3) -> Any:  # noqa: A002
    """``x`` where it is >= 0, else ``a x`` with ``a`` drawn from ``U(lower, upper)`` for
    each entry at each call (as MindSpore's ``ops.rrelu``, in training and eval alike).
    The gradient is the drawn slope below 0 and 1 above it."""
    if upper < lower:
        raise ValueError(f"For 'rrelu', the value of 'upper' must be greater than or equal "
                         f"to 'lower', but got upper: {upper}, lower: {lower}. ")
    slope = np.random.uniform(lower, upper, np.shape(input))
    return np.where(input >= 0, input, input * slope.astype(input.dtype))

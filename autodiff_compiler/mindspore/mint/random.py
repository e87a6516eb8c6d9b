"""``mint``'s random functions with PyTorch's signatures, drawn as ``ops``' are: from
NumPy's global random state (``set_seed`` repeats them), fresh at each call of a
compiled function, constants of its adjoint. ``normal`` of array ``mean`` and ``std`` is
``mean + std * randn(...)``, so its gradient flows to both (the reparameterisation
trick). A ``generator`` other than None is refused: draw from the global state."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops_random
from ..tensor import Tensor

__all__ = ["rand", "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm",
           "normal", "bernoulli"]


def _global_state_only(generator: Any) -> None:
    if generator is not None:
        raise NotImplementedError("a mint generator is not supported; seed NumPy's global "
                                  "random state with set_seed instead")


def rand(*size: Any, generator: Any = None, dtype: Any = None) -> Tensor:
    """Uniform draws in [0, 1) (float32 unless ``dtype``)."""
    _global_state_only(generator)
    return ops_random.rand(*size, dtype=dtype)


def randn(*size: Any, generator: Any = None, dtype: Any = None) -> Tensor:
    _global_state_only(generator)
    return ops_random.randn(*size, dtype=dtype)


def rand_like(input: Any, *, dtype: Any = None) -> Any:  # noqa: A002 (mint's name)
    return ops_random.rand_like(input, dtype=dtype)


def randn_like(input: Any, *, dtype: Any = None) -> Any:  # noqa: A002
    return ops_random.randn_like(input, dtype=dtype)


def randint(*args: Any, generator: Any = None, dtype: Any = None) -> Tensor:
    """``randint(high, size)`` or ``randint(low, high, size)``: ints in [low, high)."""
    _global_state_only(generator)
    low, high, size = (0, *args) if len(args) == 2 else args
    return ops_random.randint(low, high, size, dtype=dtype)


def randint_like(input: Any, *args: Any, dtype: Any = None) -> Tensor:  # noqa: A002
    """``randint_like(input, high)`` or ``randint_like(input, low, high)``."""
    low, high = (0, *args) if len(args) == 1 else args
    return ops_random.randint(low, high, np.shape(input),
                              dtype=np.asarray(input).dtype if dtype is None else dtype)


def randperm(n: int, *, generator: Any = None, dtype: Any = np.int64) -> Tensor:
    _global_state_only(generator)
    return Tensor(np.random.permutation(n).astype(dtype))


def normal(mean: Any = 0.0, std: Any = 1.0, size: Any = None, generator: Any = None) -> Any:
    """``mean + std * z``, ``z`` standard normal of ``size`` (else of the shape ``mean``
    and ``std`` broadcast to)."""
    _global_state_only(generator)
    shape = np.broadcast_shapes(np.shape(mean), np.shape(std)) if size is None else size
    return mean + std * ops_random.randn(tuple(shape))


def bernoulli(input: Any, *, generator: Any = None) -> Any:  # noqa: A002
    """1 with probability ``input``, else 0, in ``input``'s dtype."""
    _global_state_only(generator)
    return (np.random.random(np.shape(input)) < input).astype(np.asarray(input).dtype)

"""MindSpore's ``sens_param``: the output's cotangent (a "sensitivity") given as a last
argument, for ``GradOperation(sens_param=True)`` and ``ops.grad`` / ``ops.value_and_grad``
``(..., sens_param=True)``.

The gradient with a sensitivity is the vector-Jacobian product with it, which is the
gradient of the output weighted by the (constant) sensitivity and summed: so no new
transform is needed, only a function whose output is that weighted sum (``weighted``).
What MindSpore 2.10 gives, measured:

- the sensitivity weighs the differentiated output: the whole output, or the first one
  with ``has_aux`` (the rest are returned as they are);
- a tuple of outputs takes a tuple of sensitivities, a dict a dict with its keys;
- ``value_and_grad`` returns the function's own output as the value, not the weighted
  sum: the output rides along as an auxiliary value and is put back in place
  (``SensValueAndGrad``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .ir.surface import stop_gradient


def weighted(fn: Any, has_aux: bool = False, keep_output: bool = False) -> Any:
    """``fn`` whose output is weighted by a last, constant argument and summed. With
    ``has_aux`` only the first output is weighted and the others follow it;
    ``keep_output``: ``fn``'s whole output follows the sum (``value_and_grad``'s value)."""
    def weighted_fn(*args):
        out, sens = fn(*args[:-1]), args[-1]
        total = _weighted_sum(out[0] if has_aux else out, sens)
        if keep_output:
            return total, out
        if has_aux:
            return (total, *out[1:])
        return total
    name = getattr(fn, "__name__", type(fn).__name__)
    weighted_fn.__name__ = weighted_fn.__qualname__ = name
    return weighted_fn


def _weighted_sum(out: Any, sens: Any) -> Any:
    """``sum(out * sens)`` over every output, ``sens`` held constant."""
    if isinstance(out, dict):
        if not isinstance(sens, dict) or not _same_keys(tuple(out), tuple(sens)):
            raise TypeError("the network returns a dict: sens must be a dict with its "
                            "keys, a cotangent for each value")
        total = 0.0
        for key in out:
            total = total + np.sum(out[key] * stop_gradient(sens[key]))
        return total
    if isinstance(out, tuple | list):
        if not isinstance(sens, tuple | list) or len(sens) != len(out):
            raise TypeError(f"the network returns {len(out)} values: sens must be a "
                            "tuple of as many, one for each")
        total = 0.0
        for value, cotangent in zip(out, sens):
            total = total + np.sum(value * stop_gradient(cotangent))
        return total
    return np.sum(out * stop_gradient(sens))


def _same_keys(keys: tuple, others: tuple) -> bool:
    """Whether two dicts' keys (known when compiling) are the same, in any order."""
    return set(keys) == set(others)


_same_keys.__evaluated_when_compiling__ = True


class SensValueAndGrad:
    """``value_and_grad(fn, ..., sens_param=True)``: the value-and-gradient of the
    weighted ``fn`` with ``fn``'s output kept as an auxiliary value, rearranged to
    ``(fn's output, gradients)``; called from Python or inside a compiled function."""

    def __init__(self, gradient: Any) -> None:
        self.gradient = gradient

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        (_, value), grads = self.gradient(*args, **kwargs)
        return value, grads

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        result = self.gradient.__lower_call__(low, args, kwargs, loc)
        return result[0][1], result[1]

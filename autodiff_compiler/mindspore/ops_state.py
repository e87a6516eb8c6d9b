"""MindSpore's ``ops`` that touch state: ``assign`` writes into a Parameter, ``dropout``
draws a random mask. Both run eagerly as written here, and compile inside a
differentiated function to the IR's effect and random primitives
(``ir.primitives.effects``):

* ``ops.assign(p, v)`` becomes an equation that writes ``v`` into ``p`` on the forward
  pass, once per call, after the values it reads. Reads of ``p`` after it see ``v``; a
  gradient that would flow from them into ``v`` raises (MindSpore gives zero there). A
  ``BatchNorm`` updates its moving statistics with it while training.
* ``ops.dropout`` draws its mask with ``np.random.random`` on the forward pass, fresh
  each call, from NumPy's global random state (``set_seed`` repeats it, and the eager
  and compiled forms draw the same numbers); the adjoint reads the mask drawn, as a
  constant: the gradient is ``mask / (1 - p)`` times the upstream one.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir import primitives as P
from ..ir import surface
from ..ir.core import Var
from .tensor import Parameter

__all__ = ["assign", "dropout"]


def assign(variable: Any, value: Any) -> Any:
    """Write ``value`` into a Parameter in place and return it."""
    variable[...] = value
    return variable


def dropout(input: Any, p: float = 0.5, training: bool = True,  # noqa: A002 (MindSpore's)
            seed: Any = None) -> Any:
    """Zero each value with probability ``p`` and scale the rest by ``1 / (1 - p)``
    while ``training``; the input itself otherwise. ``seed`` starts a generator of its
    own (eager only)."""
    if not training or p == 0:
        return input
    if not 0 <= p < 1:
        raise ValueError(f"dropout: p must be in [0, 1), not {p}")
    if seed is None:
        keep = np.random.random(np.shape(input)) >= p
    else:
        keep = np.random.default_rng(seed).random(np.shape(input)) >= p
    return input * keep / (1 - p)


def _compile_assign(variable: Any, value: Any) -> Any:
    """The write, and the value the Parameter holds after it (its shape and dtype)."""
    if not isinstance(variable, Var):
        raise ValueError("ops.assign writes into a Parameter: give it one")
    P.write_into(variable, value)
    held = P.broadcast_to(value, P.shape_of(variable))
    dtype = variable.aval.dtype
    held = P.astype(held, dtype) if dtype is not None and dtype != P.dtype_of(held) else held
    return P.written(held)


# Listed with the rest of ``ops`` (``__all__``), not in a family of the NumPy surface.
surface.FUNCTIONS[assign] = _compile_assign
surface.EFFECTS.add(assign)
# ``self.step = self.step + 1`` (or ``+=``) in a Cell sets its Parameter's values, as
# MindSpore's Cell.__setattr__ does: compiled as this assign (``frontend.cells``)
Parameter.__written_by__ = staticmethod(assign)

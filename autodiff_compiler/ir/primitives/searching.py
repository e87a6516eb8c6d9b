"""Searching sorted arrays: ``searchsorted``, where each value would be inserted.

Its result is integer positions, piecewise constant in both operands: no gradient flows
through it (``np.digitize`` is built on it, by the surface).
"""
from __future__ import annotations

import numpy as np

from .core import Primitive, nondifferentiable

searchsorted = Primitive("searchsorted", np.searchsorted, defaults={"side": "left"})
nondifferentiable(searchsorted)

__all__ = ["searchsorted"]

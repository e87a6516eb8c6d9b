"""The largest (smallest) entry along an axis whose gradient goes to the first of tied
entries, as MindSpore's pooling, ``ops.max`` with an axis and ``norm`` of order inf
send it (``np.max``'s rule, as MindSpore's ``ReduceMax`` and ``amax``, splits it
among them). Measured on MindSpore 2.10: ``max_pool2d`` of a window holding 3 twice
gives the first 3 the whole gradient, ``amax`` half to each."""
from __future__ import annotations

from typing import Any

import numpy as np


def first_max(x: Any, axis: int) -> Any:
    """``np.max(x, axis)``, its gradient to the first maximum (the entry ``argmax``
    picks, a gather, so no other entry is differentiated)."""
    at = np.expand_dims(np.argmax(x, axis=axis), axis)
    return np.squeeze(np.take_along_axis(x, at, axis=axis), axis=axis)


def first_min(x: Any, axis: int) -> Any:
    """``np.min(x, axis)``, its gradient to the first minimum."""
    at = np.expand_dims(np.argmin(x, axis=axis), axis)
    return np.squeeze(np.take_along_axis(x, at, axis=axis), axis=axis)

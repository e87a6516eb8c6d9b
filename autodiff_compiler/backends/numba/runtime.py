"""What kernels call besides NumPy: compiled by numba with them, and imported by each
kernel module by name (so numba's on-disk cache of a kernel stays valid: the kernel's
file names its version of this module, see ``cache``)."""
from __future__ import annotations

import math

import numba
import numpy as np
from numba.extending import overload


def item(x):
    """A 0-d operand's value: the element of a 0-d array, a NumPy scalar as it is
    (either reaches a kernel where the compiler knows only "a 0-d float32")."""
    return x[()] if isinstance(x, np.ndarray) else x


@overload(item)
def _item(x):
    if isinstance(x, numba.types.Array):
        return lambda x: x[()]
    return lambda x: x


@numba.njit(cache=True, error_model="numpy")
def sigmoid(x):
    """``1 / (1 + e^-x)`` never overflowing: through ``e^x`` for negative ``x``."""
    if x >= 0:
        return 1 / (1 + math.exp(-x))
    z = math.exp(x)
    return z / (1 + z)

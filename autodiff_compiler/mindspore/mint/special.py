"""``mint.special``: the same functions as ``mint``'s, and ``log_softmax``."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops
from ..ops import erfc, expm1, log1p, sinc  # noqa: F401  (re-exported)

exp2 = np.exp2


def log_softmax(input: Any, dim: int, *, dtype: Any = None) -> Any:  # noqa: A002
    return ops.log_softmax(input if dtype is None else np.asarray(input).astype(dtype), dim)


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001, A002
    return np.round(input, decimals)

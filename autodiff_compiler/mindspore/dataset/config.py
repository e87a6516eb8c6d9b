"""``mindspore.dataset.config``: the seed shuffling draws from."""
from __future__ import annotations

import numpy as np

_SEED: list[int | None] = [None]


def set_seed(seed: int) -> None:
    """Seed NumPy's global random state, which shuffling draws from."""
    _SEED[0] = int(seed)
    np.random.seed(seed)


def get_seed() -> int | None:
    return _SEED[0]

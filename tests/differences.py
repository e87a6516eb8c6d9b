"""Central finite differences in float64, the reference every gradient test checks
against."""
from __future__ import annotations

import numpy as np


def central_differences(loss, base, move=None, eps=1e-6):
    """The gradient of ``loss()`` at ``base`` by central differences, one entry at a
    time; ``move(value)`` puts the moved value in place (a Parameter's ``set_data``),
    or else ``loss`` takes it."""
    numeric = np.zeros(np.shape(base))
    for i in np.ndindex(numeric.shape):
        step = np.zeros(numeric.shape)
        step[i] = eps
        ends = []
        for value in (base + step, base - step):
            if move is None:
                ends.append(float(loss(value)))
            else:
                move(value)
                ends.append(float(loss()))
        numeric[i] = (ends[0] - ends[1]) / (2 * eps)
    if move is not None:
        move(base)
    return numeric

"""Small functions whose printed IR and generated source are pinned by golden tests."""
import numpy as np


def f(x, y):
    a = x * y
    b = np.sin(a)
    return np.sum(b)


def fanout(x):
    y = np.exp(x)
    return np.sum(y * y + x)


def masked(x):
    mask = np.ones(x.shape, dtype=bool)
    return np.sum(np.where(mask, x, 0.0) * x.astype(np.bool_))

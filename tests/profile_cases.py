"""Functions whose gradients ``test_profile`` profiles, by line."""
import numpy as np


def one_expensive_line(x, big):
    s = np.sum(x * 2.0)
    e = np.sum(np.exp(big * s))
    t = np.sum(np.tanh(x))
    return e + s + t


def residuals(x):
    h = x * 3.0
    a = np.sin(h)
    b = np.exp(a)
    return np.sum(a * b)


def tape_loop(x, w):
    h = x
    for _ in range(3):
        h = np.tanh(h @ w)
    return np.sum(h * h)


def while_and_branch(x):
    s = x
    n = 0
    while n < 4:
        s = np.sin(s) * 1.5
        n = n + 1
    if np.sum(s) > 0:
        y = s * s
    else:
        y = -s
    return np.sum(y)


def scalars(x, y):
    a = x * y
    b = np.sin(a)
    return b * a


def scaled(x):
    return x * 1.0


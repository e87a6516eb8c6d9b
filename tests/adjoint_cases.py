"""Composite functions for the adjoint tests."""
import numpy as np


def broadcast_chain(x, y):
    z = x * y + np.sin(x) / (1.0 + y ** 2)
    return np.sum(z * z - y)


def fanout(x):
    a = np.tanh(x)
    b = a * a
    c = a + b
    return np.sum(c * a)


def constant_paths(x, y):
    k = np.ones_like(x) * 3.0
    return np.sum(k * x) + np.sum(np.zeros_like(y))


def mean_of_matmul(a, b):
    return np.mean(np.exp(a @ b) * 0.5, axis=-1)


def reductions(x):
    rows = np.sum(x ** 2, axis=-1, keepdims=True)
    return np.sum(x, axis=0, keepdims=True) * np.mean(x, axis=(0, 1)) + rows

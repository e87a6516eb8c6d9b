"""float32 arrays meeting constants: NumPy scalars are strong (NumPy 2), Python's weak."""
import numpy as np


def times_float64(x):
    return x * np.float64(2.0)


def times_float32(x):
    return x * np.float32(2.0)


def times_int64(x):
    return x * np.int64(3)


def times_python_float(x):
    return x * 2.0


def plus_folded_sum(x):
    return x * (np.broadcast_to(-2.0, ()) + np.int64(3))


def python_float_plus_int64(x):
    return np.sin(x) * (0.5 + np.int64(2))


def compared_to_float64(x):
    return np.where(x > np.float64(0.1), x, -x) - np.float64(1.0)


def chain_with_folded_constants(x):
    return np.sum(np.tanh(x) * 0.5 + np.log1p(x ** 2))

"""User functions that compile but fail at run time on the arguments the tests give."""
import numpy as np


def scaled_sum(x, y):
    a = x * y
    return np.sum(np.sin(a))


def sin_twice(x):
    return np.sin(x) * 2.0


def root_sum(x):
    return np.sum(np.sqrt(x))


def log_sum(x):
    return np.sum(np.log(x))


def log_scaled(x):
    y = np.log(x) * 2.0
    return np.sum(y)


def pick(x, i):
    return x[i] * 2.0


def gather_sum(x, idx):
    return np.sum(x[idx])


def _refusing_hook(grad):
    raise ValueError("this hook refuses its gradient")


def hooked_square(x):  # the hook runs in the backward pass, called by the gradient
    from autodiff_compiler import ops
    return (ops.HookBackward(_refusing_hook)(x * x) * x).sum()

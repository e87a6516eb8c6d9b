"""Calls checked against the callee's real signature (issue 10, item 4)."""
import math

import numpy as np

# ---------------------------------------------------------------------------- refused


def arctan_with_two_arguments(x):
    return np.sum(np.arctan(x, x))


def add_with_three_arguments(x):
    return np.sum(np.add(x, x, x))


def exp_into_out(x):
    return np.sum(np.exp(x, out=x))


def math_atan_with_two_arguments(x):
    return math.atan(x[0], x[1])


def sum_with_unknown_keyword(x):
    return np.sum(x, axes=0)


def mean_with_too_many_arguments(x):
    return np.mean(x, 0, None, None, False, 1)


def cholesky_upper_given_positionally(x):
    return np.sum(np.linalg.cholesky(np.outer(x, x) + np.eye(2), True))


def reshape_method_with_unknown_keyword(x):
    return np.sum(x.reshape(2, 1, shape_of=2))


def clip_where(x):
    return np.sum(np.clip(x, 0.0, 1.0, where=x > 0))


# ---------------------------------------------------------------------------- honoured


def reshape_in_fortran_order(x):
    return np.sum(np.reshape(x, (2, 3), order="F")[0] * np.array([1.0, 2.0, 3.0]))


def reshape_method_in_fortran_order(x):
    return np.sum(x.reshape(3, 2, order="F")[:, 0] ** 3)


def ravel_in_fortran_order(x):
    return np.sum(x.reshape(2, 3).ravel(order="F") * np.arange(6.0))


def array_with_ndmin(x):
    return np.sum(np.array(x, ndmin=3)[0, 0] * np.arange(6.0))


def zeros_in_fortran_order(x):
    return np.sum(np.zeros((2, 3), order="F") + x.reshape(2, 3) ** 2)


def transpose_axes_keyword(x):
    return np.sum(np.transpose(x.reshape(2, 3), axes=(1, 0)) * np.arange(6.0).reshape(3, 2))


def reshape_shape_keyword(x):
    return np.sum(np.reshape(x, shape=(3, 2)) ** 2 * np.arange(6.0).reshape(3, 2))


def pad_constant_values_keyword(x):
    return np.sum(np.pad(x, 1, constant_values=2.0) ** 2)


def linalg_norm_keywords(x):
    return np.linalg.norm(x.reshape(2, 3), ord=1, axis=1, keepdims=True).sum()


def keywords_numpy_binds(x):
    """Arguments by the names NumPy gives them, where builders name them otherwise."""
    m = np.outer(a=x[:2], b=x[2:4])
    t = np.tile(A=x[:2], reps=2) + np.broadcast_to(array=x[0], shape=(4,))
    return np.sum(m ** 2) + np.sum(np.array(object=t) * np.linalg.inv(a=m + 3 * np.eye(2))[0, 0])


def method_keywords_numpy_takes(x):
    taken = np.sum(x.take(indices=[0, 2]) ** 2) + np.sum(x.repeat(repeats=2))
    return taken + round(x[0], ndigits=3)


def extrema_arguments_by_position(x):
    """np.max/min/all/any take (a, axis, out, keepdims): no dtype slot, unlike np.sum."""
    m = x.reshape(2, 3)
    kept = np.max(m, 0, None, True) * np.min(m, 1, None, True)
    return np.sum(kept) + np.sum(np.all(m > -9, 0, None, True) * m)

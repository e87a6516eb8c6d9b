"""Functions that pass Python lists and tuples of arrays where NumPy converts them."""
import math

import numpy as np

import autodiff_compiler as adc

C = np.array([1.0, 2.0])
W = np.array([[1.0, 2.0], [3.0, -4.0]])

# ---------------------------------------------------------------------------- functions


def mean_of_list(x):
    return np.mean([x, x + 2])


def sum_of_tuple(a):
    return np.sum((a, 2 * a))


def norm_of_list(x):
    return np.linalg.norm([x, x + 2])


def max_of_list(x):
    return np.max([x, 2 * x - 0.25])


def prod_of_list(x):
    return np.prod([x, x + 2])


def exp_of_list(x):
    return np.sum(np.exp([x, x + 2]))


def dot_of_lists(x):
    return np.sum(np.dot([x, 3 * x], [x, x + 1]))


def add_of_list(x):
    return np.sum(np.add([x, x * x], x))


def where_of_lists(x):
    return np.sum(np.where([True, False], [x[0], x[1]], [x[1] * 2, x[0] * 3]))


def sum_of_scalars_list(a):
    b = [1, a * a, 2]
    return np.sum(b)


def sum_of_nested_list(x):
    return np.sum(np.square([[x[0], x[1]], [x[1] * x[0], 1.0]]))


def mixed_zero_d_and_floats(x):
    s = np.sum(x)
    return np.sum(np.array([s, 2.5, x[0]]) ** 2)


def r_of_array_and_constant(x):
    return np.sum(np.r_[x, C] ** 2)


def c_of_arrays(x):
    return np.sum(np.c_[x, C, x] ** 3)


def r_of_scalars_and_slice(x):
    return np.sum(np.r_[x[0], 0:2, x] * np.arange(5.0))


def concatenate_of_inner_list(x):
    return np.sum(np.concatenate([[x[0], x[1]], x]) ** 2)


def einsum_of_list(x):
    return np.einsum("i,i", [x[0], x[1]], x)


def atleast_2d_of_list(x):
    return np.sum(np.atleast_2d([x[0], x[1]]) ** 2)


def sigmoid_of_list(x):
    return np.sum(adc.ops.sigmoid([x, 2 * x]))


def long_list(x):
    xs = []
    for i in range(150):
        xs.append(x[0] * i + x[1])
    return np.mean(np.array(xs) ** 2) + np.mean(xs)


# ---------------------------------------------------------------------------- dtypes


def array_and_python_float(x):
    return np.sum(np.asarray([x[0], 1.0]) * 2)


def float32_and_float64(x):
    return np.sum(np.asarray([x, np.ones(2)]) * 2)


def scalar_and_python_int(x):
    return np.sum(np.asarray([x[0], 2]) * 2)


def nested_with_ints(x):
    return np.sum(np.asarray([[x[0], 1], [2, x[1]]]) * 2)


# ---------------------------------------------------------------------------- methods, operators


def dot_method_of_list(x):
    return x.dot([x[1], x[0]])


def clip_method_of_list(x):
    return np.sum(x.clip([x[1] - 1, x[0] - 1], 5.0))


def mul_by_list(x):
    return np.sum(x * [x[0], x[1]])


def list_plus_array(x):
    return np.sum([x[0], 2 * x[1]] + x)  # noqa: RUF005 (NumPy adds, elementwise)


def list_matmul_matrix(x):
    return np.sum([x[0], x[1]] @ W)


def matrix_matmul_list(x):
    return np.sum(W @ [x[0], x[1]])


def list_plus_list_joins(x):
    return np.sum(np.array([x[0]] + [x[1], x[0]]) ** 2)  # noqa: RUF005 (Python joins)


def int_times_list_repeats(x):
    return np.sum(np.array(2 * [x[0], x[1] ** 2]))


# ---------------------------------------------------------------------------- refused


def ragged_list(x):
    return np.sum([x, x[0]])


def float_times_list(x):
    return np.sum(0.5 * [x[0]])


def math_of_list(x):
    return math.exp([x[0], x[1]])


def math_of_vector(x):
    return math.sin(x)


# ---------------------------------------------------------------------------- layouts


def materialize(x, layout):
    """A nested list from ``layout``: a tuple is a list of its items' lists, an int ``i``
    the row ``x[i]``, anything else (a number, a list of numbers) itself."""
    if isinstance(layout, tuple):
        out = []
        for item in layout:
            out.append(materialize(x, item))
        return out
    if isinstance(layout, int):
        return x[layout]
    return layout


def asarray_of(layout):
    def as_array(x):
        return np.sum(np.asarray(materialize(x, layout)) * 1.5)
    return as_array


def python_float_argument_times_list(x, s):
    return np.sum(np.array(s * [x[0], x[1]]))


def python_float_argument_below_list(x, s):
    return np.sum(np.where(s < [x[0], x[1]], x, 0.0))


def doubled(v):
    """A function the compiler cannot read (registered as a primitive by the test)."""
    return np.asarray(v) * 2.0


def registered_function_of_list(x):
    return np.sum(doubled([x[0], x[1]]))

"""User code in the shapes users write it, for the lowering tests."""
import functools
import statistics

import numpy
import numpy as np
from numpy import exp as e_to_the
from numpy import sin

import autodiff_compiler as adc
from autodiff_compiler import Parameter, nn, ops

SCALE = 3.0
OFFSET = np.array([0.5, -0.5, 1.0])
GLOBAL_W = Parameter(np.array([1.0, 2.0, -1.0]), name="global_w")


def tuple_unpacking(x, y):
    a, (b, c) = x * 2.0, (y, x + y)
    return np.sum(a * b - c)


def operators(x, y):
    return np.sum((x + y) * (x - y) / (y ** 2 + 1.0) + -x + x @ y)


def import_styles(x):
    return numpy.sum(e_to_the(x) + sin(x) + np.cos(x))


def globals_and_constants(x):
    return np.sum(x * SCALE + OFFSET)


def make_closure(k):
    shift = np.array([1.0, 2.0, 3.0])

    def closure(x):
        return np.sum((x + shift) ** 2 * k)
    return closure


def methods_and_attributes(x):
    m = x.reshape(2, 3)
    t = m.T
    n = t.shape[0] * x.ndim
    return m.sum(axis=0).mean() + t.sum() * n + x.mean()


def helper(v, power=2):
    return v ** power


def calls_helper(x):
    return np.sum(helper(x) + helper(x, power=3))


def augmented(x):
    y = x * 1.0
    y += x
    y *= x
    y -= 1.0
    return np.sum(y)


def static_branch(x, mode):
    if mode == "square":
        return np.sum(x * x)
    elif mode == "cube":
        return np.sum(x ** 3)
    return np.sum(x)


def indexing(x):
    return np.sum(x[1:, 0] * 2.0) + x[0, -1] + np.sum(x[None, ..., ::2])


def uses_global_parameter(x):
    return np.sum(x * GLOBAL_W)


class Affine(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]]), name="w")
        self.b = Parameter(np.array([0.1, -0.1]), name="b")

    def construct(self, x):
        return ops.sigmoid(ops.matmul(x, self.w) + self.b)


class TwoLayer(nn.Cell):
    def __init__(self):
        super().__init__()
        self.first = Affine()
        self.scale = Parameter(np.array(2.0), name="scale")

    def construct(self, x):
        return self.first(x) * self.scale


class Stateful:
    def __init__(self):
        self.factor = np.array([1.0, 2.0, 3.0])

    def apply(self, x):
        return np.sum(self.factor * np.tanh(x))


STATEFUL = Stateful()


def calls_method(x):
    return STATEFUL.apply(x)


def python_float_arithmetic(x, t):
    return np.sum(x * t ** 2 + np.log(t))


def uses_try(x):
    try:
        raise KeyError("w")  # not what the handler catches: it propagates
    except ValueError:
        y = x
    return np.sum(y)


def uses_with(x):
    with open(__file__):
        y = x * 2.0
    return np.sum(y)


def byte_sizes(x):  # CS231n's conv_forward_strides reads x.itemsize
    return np.sum(x) * x.itemsize + x.nbytes + x.astype(np.float32).itemsize


def numpy_scalar_methods(x):  # numpy-ml's Pool2D: np.floor(...).astype(int), constant
    rows = np.floor(1 + (x.shape[0] - 2) / 1).astype(int)
    scale = np.sqrt(4.0).item() + np.float64(2.0).astype(int) + np.exp(0.0).dtype.itemsize
    return np.sum(x[:rows] ** 2) * scale


def forwarding(fn):  # a decorator as functools documents it
    @functools.wraps(fn)
    def inner(*a, **k):
        return fn(*a, **k)
    return inner


@forwarding
def wrapped_cube(x, scale=1.0):
    return np.sum(x ** 3) * scale


def calls_wrapped(x):
    return wrapped_cube(x, scale=2.0) + wrapped_cube(x * 0.5)


def local_imports_and_del(x):
    import math
    from math import pi

    import numpy.linalg as la
    from numpy import cos
    from numpy import sin as s

    rows = [x, x * 2.0]
    del rows[0]
    scratch = {"a": x}
    del scratch["a"]
    y = la.norm(x) + np.sum(s(x) * cos(x)) * pi + math.e
    t = y * 2.0
    del y
    return np.sum(rows[0] * t) + len(scratch)


def read_after_del(x):
    y = x * 2.0
    del y
    return np.sum(y)  # noqa: F821 (Python: UnboundLocalError)


def lambdas_made_in_comprehensions(x):  # Python's closures read each variable's last value
    late = [lambda z: z * k for k in range(1, 4)]  # noqa: B023 (the point)
    bound = [lambda z, k=k: z * k for k in range(1, 4)]
    nested = [[lambda z: z * (i + j) for j in range(2)] for i in range(3)]  # noqa: B023
    return np.sum(late[0](x) + bound[0](x) * 10.0 + nested[0][0](x) * 100.0)


async def asynchronous(x):
    return np.sum(x)


def type_of_an_array(x):
    return np.sum(x) * (2.0 if type(x) is np.ndarray else 1.0)


class WithoutConstruct(nn.Cell):
    pass


def calls_a_cell_without_construct(x):
    return np.sum(WITHOUT_CONSTRUCT(x))


WITHOUT_CONSTRUCT = WithoutConstruct()

scale = 2.0  # a global of the name a local below takes


def local_read_before_assignment(x):
    y = x * scale  # noqa: F823 (Python: UnboundLocalError; compiled, it read the global)
    scale = 3.0
    return np.sum(y) * scale


def unknown_name(x):
    return np.sum(x * not_defined_anywhere)  # noqa: F821


def recursive(x, n):
    return x if n == 0 else recursive(x * x, n - 1)


def no_rule(x):
    return np.sum(np.i0(x))


def bad_reduction_axis(x):
    return np.sum(x, axis=x.shape[0] * 0 + np.sum(x))


def grad_inside(x):
    return np.sum(adc.grad(helper)(x) * x)


def side_effect(x):
    np.random.shuffle(x)
    return np.sum(x)


def library_without_a_rule(x):
    return statistics.fmean([x[0], x[1]]) * 2.0


def mutates_input(x):
    x[0] = 1.0
    return np.sum(x)


# Lambdas as entries of a dict spread over several lines: the lines of one alone do
# not parse, so each is found by its line in the whole file.
LAMBDAS_IN_A_DICT = {
    "square": lambda x: np.sum(x * x),
    "sine": (lambda x: np.sum(np.sin(x)), 2),
    "no_rule": lambda x: np.sum(np.i0(x)),
}

# Lambdas sharing a line, in a dict over several lines and on a line of their own:
# each is told apart by the columns its code comes from (Python 3.11 and later).
LAMBDAS_ON_ONE_LINE = {
    "pair": (lambda x: np.sum(x * x), lambda x: np.sum(np.sin(x))),
}
CUBE, EXP = lambda x: np.sum(x ** 3), lambda x: np.sum(np.exp(x))
# a lambda in another's text, named alike or told apart only by its *args
NESTED_ALIKE = lambda x: adc.grad(lambda x: np.sum(np.sin(x)))(x)
VARIADIC_IN_A_THUNK = lambda: adc.grad(lambda *a: np.sum(a[0] * np.cos(a[0])))


def isinstance_of_containers_and_arrays(x):
    state = (x, x * 2.0)
    first = state[0] if isinstance(state, tuple) else state  # a tuple, known when compiling
    other = x if isinstance(x, list | dict | str) else x * 3.0  # an array is none of them
    return np.sum(first * other)


def isinstance_int_of_arrays(x):
    """An array, or a NumPy scalar made from one, is no Python int: the question is
    answered when compiling (``mint.max(x, dim)`` asks it of its second argument)."""
    total = np.sum(x)  # a NumPy scalar at run time: np.float64 is a float, not an int
    scale = 2.0 if isinstance(x, int) else 3.0
    shift = 1.0 if isinstance(total, int | bool) else 0.5
    return total * scale + np.sum(x * x) * shift

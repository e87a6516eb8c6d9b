"""Python's ``operator`` module and ``sorted(..., key=...)`` in compiled code: each
operator function is the expression it names (so its gradient is that expression's),
and a sort by keys known when compiling orders the items as Python does."""
import functools
import operator

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

RNG = np.random.default_rng(7)
# (shape of a, shape of b): equal, broadcast, 0-d against an array, both 0-d
SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((), (2, 2)), ((), ())]
BINARY = [operator.add, operator.sub, operator.mul, operator.truediv, operator.pow]
UNARY = [operator.neg, operator.pos, operator.abs]


def _positive(shape):
    return RNG.uniform(0.5, 2.0, shape)


@pytest.mark.parametrize("op", BINARY, ids=lambda op: op.__name__)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_operator_function_is_its_operator(op, shapes):
    a, b = _positive(shapes[0]), _positive(shapes[1])

    def loss(a, b):
        return np.sum(np.sin(op(a, b)))

    value, (g_a, g_b) = adc.value_and_grad(loss, grad_position=(0, 1))(a, b)
    assert value == pytest.approx(loss(a, b), rel=1e-12)
    np.testing.assert_allclose(g_a, central_differences(lambda v: loss(v, b), a), rtol=1e-6)
    np.testing.assert_allclose(g_b, central_differences(lambda v: loss(a, v), b), rtol=1e-6)


@pytest.mark.parametrize("op", UNARY, ids=lambda op: op.__name__)
@pytest.mark.parametrize("shape", [(3,), (2, 2), ()], ids=str)
def test_unary_operator_function_is_its_operator(op, shape):
    a = RNG.uniform(0.5, 2.0, shape) * np.where(RNG.random(shape) < 0.5, -1.0, 1.0)

    def loss(a):
        return np.sum(op(a) ** 3)

    np.testing.assert_allclose(adc.grad(loss)(a), central_differences(loss, a), rtol=1e-6)


def test_matmul_and_getitem_functions():
    a, b = RNG.standard_normal((2, 3)), RNG.standard_normal((3, 2))

    def loss(a, b):
        return np.sum(operator.matmul(a, b) ** 2) + operator.getitem(a, (1, 2)) * 3.0

    g_a, g_b = adc.grad(loss, grad_position=(0, 1))(a, b)
    np.testing.assert_allclose(g_a, central_differences(lambda v: loss(v, b), a), rtol=1e-6)
    np.testing.assert_allclose(g_b, central_differences(lambda v: loss(a, v), b), rtol=1e-6)


def product_by_reduce(x):
    return functools.reduce(operator.mul, [x[0], x[1], x[2]])


def test_reduce_with_operator_mul_is_the_product():
    """autograd's and many a user's spelling of a product."""
    x = np.array([1.5, 2.0, -0.5])
    np.testing.assert_allclose(adc.grad(product_by_reduce)(x),
                               [x[1] * x[2], x[0] * x[2], x[0] * x[1]])


@pytest.mark.parametrize("op", [operator.mul, operator.truediv, operator.sub],
                         ids=lambda op: op.__name__)
def test_grad_of_an_operator_function_itself(op):
    """``grad(operator.mul)`` differentiates the operation, as ``grad(np.multiply)``."""
    g_a, g_b = adc.grad(op, grad_position=(0, 1))(2.0, 3.0)
    assert g_a == pytest.approx(central_differences(lambda v: op(v, 3.0), 2.0))
    assert g_b == pytest.approx(central_differences(lambda v: op(2.0, v), 3.0))


class _Point:
    def __init__(self, x):
        self.weight = x


def getters(x):
    first, last = operator.itemgetter(0, 2)(x)
    scaled = operator.attrgetter("weight")(_Point(x * 2.0))
    total = operator.methodcaller("sum", axis=0)(x)
    return first * last + np.sum(scaled ** 2) + total


def test_getters_read_what_they_name():
    x = np.array([1.5, -2.5, 0.5])
    value, grad = adc.value_and_grad(getters)(x)
    assert value == pytest.approx(getters(x))
    np.testing.assert_allclose(grad, central_differences(getters, x), rtol=1e-6)


def sorted_dict_items(d):
    return sum((i + 1) * np.sum(v ** 2)
               for i, (k, v) in enumerate(sorted(d.items(), key=operator.itemgetter(0))))


def sorted_by_length_reversed(x):
    rows = [x[:1], x[:3], x[:2]]
    return sum(np.sum(r) * i for i, r in enumerate(sorted(rows, key=len, reverse=True)))


def sorted_names_by_a_lambda(x):
    names = ["bb", "a", "ccc"]
    return sum(len(n) * x[i] for i, n in enumerate(sorted(names, key=lambda n: len(n))))


def sorted_pairs_stably(x):
    """Ties keep their order (Python's sort is stable, reversed or not)."""
    pairs = [(1, x[0]), (0, x[1]), (1, x[2])]
    ordered = sorted(pairs, key=operator.itemgetter(0), reverse=True)
    return sum(v * (i + 1) for i, (_, v) in enumerate(ordered))


@pytest.mark.parametrize("fn", [sorted_by_length_reversed, sorted_names_by_a_lambda,
                                sorted_pairs_stably])
def test_sorted_by_keys_known_when_compiling(fn):
    x = np.array([1.5, -2.5, 0.5])
    value, grad = adc.value_and_grad(fn)(x)
    assert value == pytest.approx(fn(x))
    np.testing.assert_allclose(grad, central_differences(fn, x), rtol=1e-6)


def test_sorted_dict_items_by_itemgetter():
    d = {"b": np.array([1.0, 2.0]), "a": np.array([3.0, -1.0])}
    grad = adc.grad(sorted_dict_items)(d)
    np.testing.assert_allclose(grad["a"], 2 * d["a"])  # "a" first: weight 1
    np.testing.assert_allclose(grad["b"], 4 * d["b"])


def sorted_values(x):
    return sum(r * (i + 1) for i, r in enumerate(sorted([x[0], x[1], x[2]])))


def rows_sorted_by_their_sums_reversed(x):
    rows = [x[0:2], x[1:3], x[2:4]]
    ordered = sorted(rows, key=np.sum, reverse=True)
    return sum(np.sum(r * r) * (i + 1) for i, r in enumerate(ordered))


@pytest.mark.parametrize("fn", [sorted_values, rows_sorted_by_their_sums_reversed])
def test_sorted_by_run_time_keys_orders_at_run_time(fn):
    """Keys computed at run time, numbers each, of items of one shape: their stable
    order when the code runs (the derivative follows the items to their places); it was
    refused."""
    for x in (np.array([1.5, -2.5, 0.5, 0.25]), np.array([-1.0, 2.0, 0.75, 3.0])):
        value, grad = adc.value_and_grad(fn)(x)
        assert value == pytest.approx(fn(x))
        np.testing.assert_allclose(grad, central_differences(fn, x), rtol=1e-6)


def rows_of_two_lengths_sorted(x):
    return np.sum(sorted([x[:1], x[:2]], key=np.sum)[0])


def test_sorted_items_of_other_shapes_by_run_time_keys_is_refused_at_the_line():
    with pytest.raises(adc.AutodiffError, match=r"sorted\(\) by keys known only when") as err:
        adc.grad(rows_of_two_lengths_sorted)(np.array([1.0, 2.0]))
    assert "test_operator_module.py:" in str(err.value)
    assert "np.argsort" in str(err.value)

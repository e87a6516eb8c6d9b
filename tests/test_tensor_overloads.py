"""Tensor methods NumPy has under the same name with another meaning (``sort``, ``fill``,
``resize``, ``max(dim)``, ``sum(1, True)``, ``+=``...): MindSpore's meaning on Tensors,
NumPy's inside NumPy's functions and for plain arrays.

Every expected value below was measured in MindSpore 2.10.0 (CPU, PyNative mode) by
running the same expression there, on ``X = [[1, 5, 2], [7, 0, 3]]`` (float32).
"""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor

X = [[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]
I32, I64, F32 = np.int32, np.int64, np.float32


def x() -> Tensor:
    return Tensor(np.array(X, np.float32))


# (expression of a Tensor, MindSpore's result: a (value, dtype) or a tuple of them)
CASES = [
    ("t.sort()", (([[1, 2, 5], [0, 3, 7]], F32), ([[0, 2, 1], [1, 2, 0]], I32))),
    ("t.sort(0)", (([[1, 0, 2], [7, 5, 3]], F32), ([[0, 1, 0], [1, 0, 1]], I32))),
    ("t.sort(-1, True)", (([[5, 2, 1], [7, 3, 0]], F32), ([[1, 2, 0], [0, 2, 1]], I32))),
    ("t.sort(descending=True)", (([[5, 2, 1], [7, 3, 0]], F32), ([[1, 2, 0], [0, 2, 1]], I32))),
    ("t.sort(dim=1)", (([[1, 2, 5], [0, 3, 7]], F32), ([[0, 2, 1], [1, 2, 0]], I32))),
    ("t[0].sort()", (([1, 2, 5], F32), ([0, 2, 1], I32))),
    ("t.argsort()", ([[0, 2, 1], [1, 2, 0]], I32)),
    ("t.argsort(0)", ([[0, 1, 0], [1, 0, 1]], I32)),
    ("t.argsort(-1, True)", ([[1, 2, 0], [0, 2, 1]], I32)),
    ("t.argsort(axis=0, descending=True)", ([[1, 0, 1], [0, 1, 0]], I32)),
    ("t.argsort(dim=1)", ([[0, 2, 1], [1, 2, 0]], I32)),
    ("t.fill(2.0)", ([[2, 2, 2], [2, 2, 2]], F32)),
    ("t.fill(2)", ([[2, 2, 2], [2, 2, 2]], F32)),
    ("t.fill(Tensor(3.0))", ([[3, 3, 3], [3, 3, 3]], F32)),
    ("t.resize(3, 2)", ([[1, 5], [2, 7], [0, 3]], F32)),
    ("t.resize((1, 6))", ([[1, 5, 2, 7, 0, 3]], F32)),
    ("t.resize(2, 4)", ([[1, 5, 2, 7], [0, 3, 0, 0]], F32)),
    ("t.resize(4)", ([1, 5, 2, 7], F32)),
    ("t.max()", (7, F32)),
    ("t.max(1)", (([5, 7], F32), ([1, 0], I64))),
    ("t.max(0)", (([7, 5, 3], F32), ([1, 0, 1], I64))),
    ("t.max(1, False)", (([5, 7], F32), ([1, 0], I64))),
    ("t.min(1, True)", (([[1], [0]], F32), ([[0], [1]], I64))),
    ("t.min(0)", (([1, 0, 2], F32), ([0, 1, 0], I64))),
    ("t.max(dim=0, keepdim=True)", (([[7, 5, 3]], F32), ([[1, 0, 1]], I64))),
    ("t.min(dim=1)", (([1, 0], F32), ([0, 1], I64))),
    ("t.max(axis=1)", ([5, 7], F32)),
    ("t.max(axis=0, keepdims=True)", ([[7, 5, 3]], F32)),
    ("t.max(0, keepdims=True)", ([[7, 5, 3]], F32)),
    ("t.max((0, 1))", (7, F32)),
    ("t.max(axis=(0, 1))", (7, F32)),
    ("t.min(0, return_indices=True)", (([1, 0, 2], F32), ([0, 1, 0], I64))),
    ("t.astype(ms.int32).max(1)", (([5, 7], I32), ([1, 0], I64))),
    ("t.trace()", (1, F32)),
    ("(t / 3).round()", ([[0, 2, 1], [2, 0, 1]], F32)),
    ("t.sum(1, True)", ([[8], [10]], F32)),
    ("t.sum(dim=0, keepdim=True)", ([[8, 5, 5]], F32)),
    ("t.prod(1, True)", ([[10], [0]], F32)),
    ("t.std(1, 1)", ([2.0816659927368164, 3.5118844509124756], F32)),
    ("t.var(1, 1, True)", ([[4.333333492279053], [12.333333015441895]], F32)),
    ("(t > 2).any(1, keep_dims=True)", ([[True], [True]], np.bool_)),
    ("(t > 0).all(0, True)", ([[True, False, True]], np.bool_)),
    ("t.nonzero()", ([[0, 0], [0, 1], [0, 2], [1, 0], [1, 2]], I64)),
    ("(t > 2).nonzero()", ([[0, 1], [1, 0], [1, 2]], I64)),
    ("ms.ops.softplus(t, 2, 5)", ([[1.0634640455245972, 5.0, 2.0090749263763428],
                                  [7.0, 0.3465735912322998, 3.0]], F32)),
    ("ms.ops.Fill()(ms.float32, (1, 2), 1.5)", ([[1.5, 1.5]], F32)),
    ("ms.ops.Zeros()((1, 2), ms.float32)", ([[0, 0]], F32)),
    ("ms.ops.Eye()(2, 2, ms.float32)", ([[1, 0], [0, 1]], F32)),
]


@pytest.mark.parametrize("expression, expected", CASES, ids=[c[0] for c in CASES])
def test_methods_take_mindspores_meaning_and_leave_the_tensor_as_it_was(expression, expected):
    t = x()
    result = eval(expression, {"t": t, "ms": ms, "Tensor": Tensor})
    np.testing.assert_array_equal(t.asnumpy(), np.array(X, np.float32))  # not written
    if isinstance(expected[0], tuple):
        assert isinstance(result, tuple) and len(result) == len(expected)
        pairs = list(zip(result, expected))
    else:
        pairs = [(result, expected)]
    for value, (want, dtype) in pairs:
        assert type(value) is Tensor
        assert value.dtype == dtype
        np.testing.assert_array_equal(value.asnumpy(), np.array(want, dtype))


# NumPy's functions on Tensors: NumPy's meaning, as on the plain array
NUMPY_CALLS = [
    lambda a: np.sort(a),
    lambda a: np.sort(a, axis=0),
    lambda a: np.argsort(a, axis=0),
    lambda a: np.unique(a),
    lambda a: np.unique(np.array([3.0, 1.0, 3.0, 2.0]) if type(a) is np.ndarray
                        else Tensor(np.array([3.0, 1.0, 3.0, 2.0])), return_counts=True),
    lambda a: np.median(a, axis=1),
    lambda a: np.partition(a, 1),
    lambda a: np.max(a, 1),
    lambda a: np.min(a, axis=0, keepdims=True),
    lambda a: np.nonzero(a),
    lambda a: np.resize(a, (3, 3)),
    lambda a: np.trace(a),
    lambda a: np.round(a / 3, 1),
    lambda a: np.linalg.svd(a, full_matrices=False),
    lambda a: np.percentile(a, 40),
]


@pytest.mark.parametrize("call", NUMPY_CALLS, ids=range(len(NUMPY_CALLS)))
def test_numpy_functions_keep_numpys_meaning_on_tensors(call):
    plain = np.array(X, np.float32)
    got, want = call(x()), call(plain)
    got, want = (got, want) if isinstance(want, tuple) else ((got,), (want,))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert type(g) is Tensor  # results of NumPy on Tensors are Tensors
        np.testing.assert_allclose(g.asnumpy(), w, rtol=1e-6)


def test_augmented_assignment_rebinds_a_tensor_and_leaves_other_names_alone():
    t = x()
    alias, parameter = t, ms.Parameter(x(), name="p")
    held = parameter
    t += 1
    t *= 2.0
    parameter -= 1
    np.testing.assert_array_equal(alias.asnumpy(), np.array(X, np.float32))
    np.testing.assert_array_equal(t.asnumpy(), (np.array(X, np.float32) + 1) * 2)
    np.testing.assert_array_equal(held.asnumpy(), np.array(X, np.float32))
    assert type(parameter) is Tensor and type(held) is ms.Parameter


def test_out_tensor_of_a_numpy_function_is_written():
    out = Tensor(np.zeros(3, np.float32))
    np.sum(x(), axis=0, out=out)
    np.testing.assert_array_equal(out.asnumpy(), [8.0, 5.0, 5.0])


def test_plain_arrays_keep_numpys_in_place_methods():
    a = np.array(X)
    assert a.sort() is None
    np.testing.assert_array_equal(a, np.sort(np.array(X)))


W = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])


def sorted_values(t):
    values, _ = t.sort()
    return (values * W).sum()


def sorted_in_place(t):
    y = t * 1.0
    y.sort()  # a statement: NumPy's in-place sort, as for any array
    return (y * W).sum()


def descending_values(t):
    values, indices = t.sort(axis=0, descending=True)
    return (values * W).sum() + indices.sum() * 0.0


def filled(t):
    return (t.fill(2.0) * t).sum()


def mindspore_arguments(t):
    return (t.mean(1, True) * t).sum() + (t.flatten(start_dim=0) ** 2).sum() \
        + t.std(0, 1, True).sum() + (t.sum(1, True) * t).sum()


# (function, whether its argument is a Tensor): ``y.sort()`` as a statement is NumPy's
# in-place sort, of a plain array (on a Tensor MindSpore's sort changes nothing);
# MindSpore's arguments (``x.mean(1, True)``) compile for plain arrays too, which NumPy
# itself refuses: their differences are taken on Tensors
COMPILED = [(sorted_values, True), (sorted_in_place, False), (descending_values, True),
            (filled, True), (mindspore_arguments, True), (mindspore_arguments, False)]


@pytest.mark.parametrize("fn, tensor", COMPILED,
                         ids=[f"{c[0].__name__}-{c[1]}" for c in COMPILED])
def test_compiled_methods_match_central_differences(fn, tensor):
    point = np.array(X) + np.array([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]])
    got = ms.grad(fn)(Tensor(point) if tensor else point)
    reference = np.asarray if fn is sorted_in_place else Tensor
    expected = central_differences(lambda v: fn(reference(v)), point)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


def first_of_max(t):
    return (t.max(1)[0] * Tensor(np.array([1.0, 10.0], np.float32))).sum()


def carried_then_min(t):
    h = t
    for _ in range(2):
        h = np.tanh(h * 0.5)
    if h.sum() > 0:
        h = h * 2.0
    values, _ = h.min(0, True)
    return (values * values).sum() + h.max(axis=1).sum() + h.max()


def test_a_tensors_max_by_position_inside_a_differentiated_function_is_mindspores():
    """MindSpore 2.10: (x.max(1)[0] * [1, 10]).sum() is 75, its gradient 1 at (0, 1) and
    10 at (1, 0); an array's x.max(1) stays NumPy's, the values."""
    value, grad = ms.value_and_grad(first_of_max)(x())
    assert float(value) == 75.0
    np.testing.assert_array_equal(grad, [[0, 1, 0], [10, 0, 0]])
    plain = ms.grad(lambda a: a.max(1).sum())(np.array(X))
    np.testing.assert_array_equal(plain, [[0, 1, 0], [1, 0, 0]])


def test_values_carried_through_loops_and_branches_stay_tensors():
    point = np.array(X) / 4.0 + 0.05
    got = ms.grad(carried_then_min)(Tensor(point))
    expected = central_differences(lambda v: carried_then_min(Tensor(v)), point)
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8)


CUBE = np.arange(24.0).reshape(2, 3, 4)


@pytest.mark.parametrize("axes, permutation", [
    ((0, 1), (1, 0, 2)), ((1, 2), (0, 2, 1)), ((-2, -1), (0, 2, 1)), ((2, 0), (2, 1, 0)),
    ((1, 1), (0, 1, 2)), ((), (2, 1, 0)), (((0, 2, 1),), (0, 2, 1)), ((2, 1, 0), (2, 1, 0)),
], ids=str)
def test_transpose_of_two_dimensions_swaps_them_as_mindspore_does(axes, permutation):
    """MindSpore 2.10 (as PyTorch): ``x.transpose(1, 2)`` swaps two dimensions; NumPy
    reads two numbers as a permutation (a 3-D array's raised, a matrix's ``(0, 1)``
    left it as it was, silently). A tuple, or one number per axis, permutes."""
    got = Tensor(CUBE).transpose(*axes)
    assert isinstance(got, Tensor)
    np.testing.assert_array_equal(got, np.transpose(CUBE, permutation))
    matrix = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(Tensor(matrix).transpose(0, 1), matrix.T)
    np.testing.assert_array_equal(Tensor(matrix).transpose(dim0=1, dim1=0), matrix.T)


def swapped_last_two(t):
    return (t.transpose(-2, -1) * np.arange(24.0).reshape(2, 4, 3)).sum() \
        + (t[0].transpose(0, 1) * np.arange(12.0).reshape(4, 3)).sum()


def test_transpose_of_two_dimensions_inside_a_differentiated_function():
    """Of a Tensor, MindSpore's meaning; of a plain array, NumPy's: (0, 1) of a matrix
    is itself (a permutation)."""
    point = CUBE / 10.0
    got = ms.grad(swapped_last_two)(Tensor(point))
    np.testing.assert_allclose(
        got, central_differences(lambda v: swapped_last_two(Tensor(v)), point), rtol=1e-7)
    plain = ms.grad(lambda m: (m.transpose(0, 1) * np.arange(12.0).reshape(3, 4)).sum())
    np.testing.assert_array_equal(plain(np.ones((3, 4))), np.arange(12.0).reshape(3, 4))


class _EmbeddingLookup(ms.nn.Cell):
    """Model zoo BERT's: the table itself returned too (its output projection)."""

    def __init__(self):
        super().__init__()
        self.embedding_table = ms.Parameter(Tensor(np.arange(6.0, dtype=np.float32)
                                                   .reshape(3, 2)), name="embedding_table")

    def construct(self, ids):
        return ms.ops.gather(self.embedding_table, ids, 0), self.embedding_table.value()


def test_a_parameters_value_inside_construct_carries_its_gradient():
    """``p.value()`` was refused as an unknown array attribute. MindSpore 2.10's gradient
    of ``sum(gather(t, [0, 2, 2]) ** 2) + sum(t)``: [[1, 3], [1, 1], [17, 21]]."""
    net = _EmbeddingLookup()

    def loss(ids):
        out, table = net(ids)
        return (out * out).sum() + table.sum()

    (grad,) = ms.grad(loss, None, net.trainable_params())(Tensor(np.array([0, 2, 2],
                                                                          np.int32)))
    np.testing.assert_array_equal(grad, [[1.0, 3.0], [1.0, 1.0], [17.0, 21.0]])

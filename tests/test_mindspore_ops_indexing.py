"""``ops``' gathers, scatters and sequence ops (``ops_indexing``,
``ops_indexing_in_place``, ``ops_sequence``): outputs, dtypes and gradients against
MindSpore 2.7.1's on the same draws (``data/mindspore_ops_indexing.json``, written by
``data/measure_mindspore_ops_indexing.py`` from ``ops_indexing_cases``); gradients
against central finite differences in float64 on several shapes; integer and boolean
results inactive inside a differentiated function; the in-place scatters' writes
(eager and compiled) and their refusal of a gradient through the write; and the errors
for bad input."""
from __future__ import annotations

import numpy as np
import ops_indexing_cases
import pytest
from measured_cases import assert_measured, compared, load_measured
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, check_grads, ops

MEASURED = load_measured("ops_indexing")


ours = measured_fixture(lambda: ops_indexing_cases.measure(ms))


# MindSpore 2.7.1's CPU LogSpace computes a float64 result to float16's precision.
NOT_COMPARED = {"logspace_base.out0"}


@pytest.mark.parametrize("name", compared(MEASURED, NOT_COMPARED))
def test_matches_mindspore(ours, name):
    assert_measured(ours, MEASURED, name, rtol=2e-5, atol=2e-6)


def test_every_case_was_measured(ours):
    assert sorted(ours) == compared(MEASURED)


def test_logspace_in_float64_is_exact(ours):
    np.testing.assert_allclose(ours["logspace_base.out0"], 2.0 ** np.linspace(2.0, 0.5, 3),
                               rtol=1e-15)
    np.testing.assert_allclose(MEASURED["logspace_base.out0"], ours["logspace_base.out0"],
                               rtol=1e-3)


# ---------------------------------------------------------------- finite differences

X = np.array([[-1.3, 0.2, 0.7, 1.9], [2.0, -0.4, 0.05, -0.8], [0.6, -1.7, 1.1, 0.3]])
X3 = np.concatenate((X, X[::-1] * 0.7 + 0.1)).reshape(2, 3, 4)
V = np.array([0.9, -1.1, 0.45, 1.6, -0.7])
I32 = np.int32


def first(shape, values=None):
    """The first entries of ``values`` (``X``'s by default), as many as ``shape`` holds."""
    return np.resize(X.ravel() if values is None else values, shape)


GRADIENTS = [  # name, loss, arguments (float ones differentiated)
    ("gather_nd_points", lambda x: ops.sum(ops.gather_nd(x, np.array([[0, 1], [2, 3], [0, 1]]))
                                           * np.array([1.0, -2.0, 3.0])), (X,)),
    ("gather_nd_rows", lambda x: ops.sum(ops.gather_nd(x, np.array([[1], [0], [1]])) ** 3), (X3,)),
    ("gather_nd_batch", lambda x: ops.sum(ops.gather_nd(
        x, np.array([[[0, 2], [1, 1]], [[1, 0], [0, 2]]], I32)) ** 2), (X3,)),
    ("gather_nd_vector", lambda x: ops.gather_nd(x, np.array([3])) ** 2, (V,)),
    ("take", lambda x: ops.sum(ops.take(x, np.array([[0, 11], [5, -1]])) ** 3), (X,)),
    ("take_repeated", lambda x: ops.sum(ops.take(x, np.array([2, 2, -3])) ** 2), (X3,)),
    ("take_scalar_index", lambda x: ops.take(x, np.array(4)) ** 2, (V,)),
    ("index_fill", lambda x, v: ops.sum(ops.index_fill(x, 1, np.array([0, -2], I32), v) ** 2),
     (X, np.array(1.5))),
    ("index_fill_rows", lambda x, v: ops.sum(ops.index_fill(x, 0, np.array([1], I32), v) ** 3),
     (X3, np.array(-0.5))),
    ("index_fill_vector", lambda x: ops.sum(ops.index_fill(x, 0, np.array([1, 3], I32), 2.0)
                                            * x), (V,)),
    ("diagonal_scatter", lambda x, s: ops.sum(ops.diagonal_scatter(x, s, 1) ** 2 * X),
     (X, first(3, V))),
    ("diagonal_scatter_below", lambda x, s: ops.sum(ops.diagonal_scatter(x, s, -1) ** 3),
     (X, first(2, V))),
    ("diagonal_scatter_3d", lambda x, s: ops.sum(ops.diagonal_scatter(x, s, 0, 2, 1) ** 3),
     (X3, first((2, 3), V))),
    ("diagonal_scatter_square", lambda x, s: ops.sum(ops.diagonal_scatter(x, s, 0, -1, -2) ** 3),
     (X3[:, :3, :3], first((2, 3), V))),
    ("slice_scatter", lambda x, s: ops.sum(ops.slice_scatter(x, s, 1, 0, 4, 2) ** 2 * X),
     (X, first((3, 2), V))),
    ("slice_scatter_middle", lambda x, s: ops.sum(ops.slice_scatter(x, s, -1, 1, 3) ** 3),
     (X3, first((2, 3, 2), V))),
    ("select_scatter", lambda x, s: ops.sum(ops.select_scatter(x, s, 1, 2) ** 2 * X),
     (X, first(3, V))),
    ("select_scatter_3d", lambda x, s: ops.sum(ops.select_scatter(x, s, 2, -1) ** 3),
     (X3, first((2, 3), V))),
    ("top_k", lambda x: ops.sum(ops.top_k(x, 2)[0] * np.array([1.0, -3.0])), (X,)),
    ("top_k_vector", lambda x: ops.sum(ops.top_k(x, 3)[0] ** 2), (V,)),
    ("msort", lambda x: ops.sum(ops.msort(x) * X), (X,)),
    ("msort_vector", lambda x: ops.sum(ops.msort(x) * np.arange(5.0)), (V,)),
    ("cartesian_prod", lambda a, b: ops.sum(ops.cartesian_prod(a, b) ** 3), (V[:2], V[2:])),
    ("cartesian_prod_one", lambda a: ops.sum(ops.cartesian_prod(a) ** 3), (V,)),
    ("combinations", lambda a: ops.sum(ops.combinations(a, 3) ** 2 * np.array([1.0, 2, 3])),
     (V,)),
    ("combinations_repeat", lambda a: ops.sum(ops.combinations(a, 2, True) ** 3), (V[:3],)),
    ("reverse_sequence", lambda x: ops.sum(ops.reverse_sequence(
        x, np.array([1, 2, 4], I32), 1) * X), (X,)),
    ("reverse_sequence_3d", lambda x: ops.sum(ops.reverse_sequence(
        x, np.array([2, 1, 3, 0]), 1, 2) * X3), (X3,)),
    ("mirror_pad_reflect", lambda x: ops.sum(ops.mirror_pad(
        x, Tensor(np.array([[1, 2], [3, 1]], I32)), "REFLECT") ** 3), (X,)),
    ("mirror_pad_symmetric", lambda x: ops.sum(ops.mirror_pad(
        x, Tensor(np.array([[0, 1], [3, 2], [4, 0]], I32)), "SYMMETRIC") ** 3), (X3,)),
    ("unsorted_segment_max", lambda x: ops.sum(ops.unsorted_segment_max(
        x, np.array([0, 2, 0], I32), 3)[[0, 2]] ** 3), (X,)),
    ("unsorted_segment_min", lambda x: ops.sum(ops.unsorted_segment_min(
        x, np.array([[0, 1, 0], [1, 1, 0]], I32), 2) ** 3), (X3,)),
    ("unsorted_segment_prod", lambda x: ops.sum(ops.unsorted_segment_prod(
        x, np.array([1, 1, 0, 1, 3]), 4) ** 2), (V,)),
    ("unique_consecutive", lambda x: ops.sum(ops.unique_consecutive(x) ** 3), (V,)),
    ("logspace", lambda a, b: ops.sum(ops.logspace(a, b, 4, 3, dtype=np.float64) ** 2),
     (np.array(0.3), np.array(-0.4))),
]


@pytest.mark.parametrize("name,loss,args", GRADIENTS, ids=[g[0] for g in GRADIENTS])
def test_gradients_match_finite_differences(name, loss, args):
    """Shape-specialised code only: the index tables come from shapes known then."""
    ms.check_grads(loss, *args, generic=False)


def test_index_add_gradient_matches_finite_differences():
    """``x`` is written in place, so the loss copies its argument first."""
    def loss(x, y):
        return ops.sum(ops.index_add(x.copy(), np.array([2, 0, 2], I32), y, 1) ** 2)

    ms.check_grads(loss, X, first((3, 3), V), generic=False)


def test_unique_consecutive_gives_each_run_the_gradient_of_its_first_entry():
    x = np.array([1.0, 1.0, 2.0, 3.0, 3.0, 1.0])
    grad = ms.grad(lambda a: ops.sum(ops.unique_consecutive(a) * np.arange(1.0, 5.0)))(x)
    np.testing.assert_array_equal(grad, [1.0, 0.0, 2.0, 3.0, 0.0, 4.0])


def test_index_fill_value_gets_the_cotangent_where_it_went():
    """MindSpore's ``IndexFill`` gives ``value`` no gradient; it is the sum here."""
    weights = np.arange(12.0).reshape(3, 4)
    gx, gv = ms.grad(lambda x, v: ops.sum(ops.index_fill(x, 1, np.array([0, 2], I32), v)
                                          * weights), (0, 1))(X, np.array(2.0))
    assert gv == weights[:, [0, 2]].sum()
    np.testing.assert_array_equal(gx, np.where([True, False, True, False], 0.0, weights))


# ---------------------------------------------------------------- inactive results

INACTIVE = {  # name: an integer or boolean result of x, multiplied into the loss
    "searchsorted": lambda x: ops.searchsorted(np.array([-1.0, 0.0, 0.5, 1.0]), x),
    "searchsorted_right": lambda x: ops.searchsorted(np.array([-1.0, 0.0, 0.5, 1.0]), x,
                                                     right=True),
    "bucketize": lambda x: ops.bucketize(x, [-0.5, 0.1, 1.0]),
    "sequence_mask": lambda x: ops.sequence_mask(np.array([0, 4, 2]), 4),
    "top_k_indices": lambda x: ops.top_k(x, 4)[1],
    "histc": lambda x: ops.histc(x.astype(np.float32), 4, -2.0, 2.0),
    "argwhere_count": lambda x: ops.sum(ops.argwhere(x > 0.1)),
    "unique_consecutive_counts": lambda x: ops.sum(
        ops.unique_consecutive(np.floor(x), return_counts=True)[1]),
}


@pytest.mark.parametrize("name", sorted(INACTIVE))
def test_integer_and_boolean_results_carry_no_gradient(name):
    fn = INACTIVE[name]

    def loss(x):
        return ops.sum(x * 2.0) + ops.sum(fn(x) * x)

    marks = np.broadcast_to(np.asarray(fn(X)).astype(float), X.shape)
    grad = ms.grad(loss)(X)
    np.testing.assert_array_equal(grad, 2.0 + marks)


def test_sequence_mask_of_the_longest_runs_compiled():
    def loss(x, lengths):
        return ops.sum(ops.sequence_mask(lengths)) * ops.sum(x)

    assert ms.grad(loss)(X, np.array([1, 3, 2]))[0, 0] == 6.0


# ---------------------------------------------------------------- searches

SEQUENCE = np.array([-1.5, -0.25, 0.0, 0.0, 0.5, 2.0])
QUERIES = np.array([[-2.0, -0.25, 0.0], [0.1, 0.5, 3.0]])


@pytest.mark.parametrize("options,side", [({}, "left"), ({"right": True}, "right"),
                                          ({"side": "right"}, "right"), ({"side": "left"}, "left")],
                         ids=str)
def test_searchsorted_follows_numpy(options, side):
    found = ops.searchsorted(Tensor(SEQUENCE), Tensor(QUERIES), **options)
    assert type(found) is Tensor and found.dtype == np.int64
    np.testing.assert_array_equal(found, np.searchsorted(SEQUENCE, QUERIES, side))


def test_searchsorted_sorter_rows_and_int32():
    order = np.array([5, 0, 3, 2, 1, 4])
    shuffled = np.empty_like(SEQUENCE)
    shuffled[order] = SEQUENCE
    found = ops.searchsorted(Tensor(shuffled), Tensor(QUERIES), sorter=Tensor(order),
                             out_int32=True)
    assert found.dtype == np.int32
    np.testing.assert_array_equal(found, np.searchsorted(SEQUENCE, QUERIES))
    rows = np.stack([SEQUENCE, SEQUENCE * 2])
    found = ops.searchsorted(Tensor(rows), Tensor(QUERIES), right=True)
    np.testing.assert_array_equal(found, [np.searchsorted(r, q, "right")
                                          for r, q in zip(rows, QUERIES)])


def test_bucketize_and_take_follow_numpy():
    found = ops.bucketize(Tensor(X), [-0.4, 0.2, 1.1], right=True)
    assert found.dtype == np.int32
    np.testing.assert_array_equal(found, np.digitize(X, [-0.4, 0.2, 1.1]))
    index = np.array([[0, -1], [7, 3]])
    np.testing.assert_array_equal(ops.take(Tensor(X), Tensor(index)), X.ravel()[index])


def test_top_k_unsorted_gives_the_same_entries():
    values, indices = ops.top_k(Tensor(X), 3, False)
    np.testing.assert_array_equal(values, -np.sort(-X, axis=1)[:, :3])
    np.testing.assert_array_equal(np.take_along_axis(X, indices.astype(int), 1), values)


# ---------------------------------------------------------------- in place

P_BASE = np.arange(12.0).reshape(3, 4)
IN_PLACE = [  # function, indices, updates, expected value held
    (ops.scatter_nd_update, [[0, 1], [2, 3]], [-1.0, -2.0],
     lambda x: x.__setitem__((np.array([0, 2]), np.array([1, 3])), [-1.0, -2.0])),
    (ops.scatter_nd_add, [[1], [1]], np.ones((2, 4)), lambda x: x.__setitem__(1, x[1] + 2)),
    (ops.scatter_nd_sub, [[0, 0]], [5.0], lambda x: x.__setitem__((0, 0), -5.0)),
    (ops.scatter_nd_mul, [[2, 1], [2, 1]], [2.0, 3.0], lambda x: x.__setitem__((2, 1), 54.0)),
    (ops.scatter_nd_div, [[1, 2]], [4.0], lambda x: x.__setitem__((1, 2), 1.5)),
    (ops.scatter_nd_max, [[0, 3], [0, 2]], [7.0, 0.5], lambda x: x.__setitem__((0, 3), 7.0)),
    (ops.scatter_nd_min, [[2, 0], [2, 0]], [3.0, 1.0], lambda x: x.__setitem__((2, 0), 1.0)),
    (ops.scatter_update, [2], [np.full(4, -1.0)], lambda x: x.__setitem__(2, -1.0)),
    (ops.scatter_max, [0, 0], [np.full(4, 1.5), np.full(4, 2.5)],
     lambda x: x.__setitem__(0, [2.5, 2.5, 2.5, 3.0])),
    (ops.scatter_min, [[1]], [[np.full(4, 6.0)]], lambda x: x.__setitem__(1, [4.0, 5, 6, 6])),
    (ops.scatter_mul, [1, 1], np.full((2, 4), 2.0), lambda x: x.__setitem__(1, x[1] * 4)),
    (ops.scatter_div, [0], [np.full(4, 2.0)], lambda x: x.__setitem__(0, x[0] / 2)),
]


def _expected(change):
    held = P_BASE.copy()
    change(held)
    return held


@pytest.mark.parametrize("function,indices,updates,change", IN_PLACE,
                         ids=[c[0].__name__ for c in IN_PLACE])
def test_in_place_scatters_write_their_parameter(function, indices, updates, change):
    p = ms.Parameter(Tensor(P_BASE.copy()), name="p")
    assert function(p, np.array(indices, I32), np.array(updates)) is p
    np.testing.assert_array_equal(p, _expected(change))


@pytest.mark.parametrize("function,indices,updates,change", IN_PLACE,
                         ids=[c[0].__name__ for c in IN_PLACE])
def test_compiled_in_place_scatters_write_once_and_later_reads_see_it(function, indices,
                                                                      updates, change):
    """The Parameter as an argument, read after the write: the gradient with respect
    to ``x`` is what it holds then; its array was written, once."""
    def loss(x, p):
        function(p, np.array(indices, I32), np.array(updates))
        return ops.sum(x * p)

    p = P_BASE.copy()
    np.testing.assert_array_equal(ms.grad(loss)(np.ones((3, 4)), p), _expected(change))
    np.testing.assert_array_equal(p, _expected(change))


def test_a_captured_parameter_is_written_and_the_result_is_what_it_holds():
    p = ms.Parameter(Tensor(P_BASE.copy()), name="captured")

    def loss(x):
        held = ops.scatter_nd_add(p, np.array([[0, 0]], I32), np.array([1.0]))
        return ops.sum(x * held) + ops.sum(x * p)

    grad = ms.grad(loss)(np.ones((3, 4)))
    expected = P_BASE.copy()
    expected[0, 0] += 1
    np.testing.assert_array_equal(grad, 2 * expected)
    np.testing.assert_array_equal(p, expected)


def test_no_gradient_flows_through_an_in_place_scatter():
    def through_the_write(u):
        return ops.sum(ops.scatter_nd_update(np.zeros((3, 4)), np.array([[0, 1]], I32), u))

    with pytest.raises(ms.AutodiffError, match="gradient would flow through"):
        ms.grad(through_the_write)(np.array([2.0]))
    with pytest.raises(ms.AutodiffError, match="gradient would flow through"):
        ms.jvp(through_the_write, (np.array([2.0]),), (np.array([1.0]),))


def test_index_add_writes_and_differentiates():
    """The result carries the gradient of the sum (MindSpore's); later reads of ``x``
    see the sum."""
    def loss(y, x):
        result = ops.index_add(x, np.array([0, 2, 0], I32), y, 0)
        return ops.sum(result * x)

    x = np.ones((3, 4))
    grad = ms.grad(loss)(np.ones((3, 4)), x)
    np.testing.assert_array_equal(x, [[3.0] * 4, [1.0] * 4, [2.0] * 4])
    np.testing.assert_array_equal(grad, 2 * x[[0, 2, 0]])
    p = ms.Parameter(Tensor(np.zeros((2, 3))), name="q")
    assert ops.index_add(p, np.array([2], I32), np.ones((2, 1)), -1) is p
    np.testing.assert_array_equal(p, [[0, 0, 1], [0, 0, 1]])


@pytest.mark.parametrize("temporary", [lambda w: w * 1.0, lambda w: w + 0.0, lambda w: w],
                         ids=["w * 1.0", "w + 0.0", "w itself"])
def test_index_add_writes_its_operand_and_differentiates_the_parameter(temporary):
    """As MindSpore 2.10 does: into the operand only (``w * 1.0`` was simplified to ``w``
    and the write landed in the Parameter), and with respect to a Parameter written into
    (the gradient was looked up at the value written, an internal error)."""
    w = ms.Parameter(Tensor(np.ones((3, 2))), name="w")
    index, v = Tensor(np.array([0, 2], I32)), np.full((2, 2), 0.5)

    def loss(v):
        out = ops.index_add(temporary(w), index, v, 0)
        return (out * out).sum()

    loss_value, (grad_v, (grad_w,)) = ms.value_and_grad(loss, 0, [w])(v)
    added = np.array([[1.5, 1.5], [1.0, 1.0], [1.5, 1.5]])
    np.testing.assert_allclose(loss_value, np.sum(added ** 2))
    np.testing.assert_allclose(grad_v, 2 * added[[0, 2]])
    np.testing.assert_allclose(grad_w, 2 * added)
    np.testing.assert_allclose(w.asnumpy(), added if temporary(w) is w else np.ones((3, 2)))


def test_shape_generic_code_refuses_the_in_place_scatters():
    def loss(x, p):
        ops.scatter_update(p, np.array([0], I32), x[None])
        return ops.sum(p)

    with pytest.raises(ms.AutodiffError, match="shape-generic"):
        ms.vjp(lambda x: loss(x, np.zeros((3, 4))), np.ones(4), specialize=False)


# ---------------------------------------------------------------- errors

POINTS = np.array([[0, 1]], I32)
ERRORS = [
    (lambda: ops.gather_nd(X, POINTS.astype(float)), TypeError, "int32 or int64"),
    (lambda: ops.gather_nd(X, np.array([[0, 1, 2]], I32)), ValueError, "at most the rank"),
    (lambda: ops.gather_nd(X, np.array([[3, 0]], I32)), AssertionError, "inside 'input_x'"),
    (lambda: ops.take(X, np.array([12])), AssertionError, r"in \[-12, 12\)"),
    (lambda: ops.index_fill(X, 2, np.array([0], I32), 1.0), ValueError, "'axis' must be"),
    (lambda: ops.index_fill(X, 0, np.array([0]), 1.0), TypeError, "must be int32"),
    (lambda: ops.index_fill(X, 0, np.array([0], I32), np.ones(2)), ValueError, "0-d"),
    (lambda: ops.diagonal_scatter(X, np.ones(2), 1), ValueError, r"shape of the diagonal"),
    (lambda: ops.diagonal_scatter(X, np.ones(3), 0, 1, -1), ValueError, "two different axes"),
    (lambda: ops.slice_scatter(X, np.ones((3, 3)), 1, 0, 4, 2), ValueError, "slice's shape"),
    (lambda: ops.slice_scatter(X, np.ones((3, 2)), 1, 0, 4, 0), ValueError, "'step'"),
    (lambda: ops.select_scatter(X, np.ones(3), 1, 4), ValueError, "'index' must be an int"),
    (lambda: ops.select_scatter(X, np.ones(4), 1, 0), ValueError, "must have the shape"),
    (lambda: ops.searchsorted(SEQUENCE, QUERIES, right=True, side="left"), ValueError,
     "contradicts"),
    (lambda: ops.searchsorted(SEQUENCE, QUERIES, side="up"), ValueError, "'side'"),
    (lambda: ops.searchsorted(np.ones((3, 2)), QUERIES), ValueError, "same leading axes"),
    (lambda: ops.bucketize(X, np.array([0.0, 1.0])), TypeError, "list of numbers"),
    (lambda: ops.sequence_mask(np.array([1.0, 2.0]), 3), TypeError, "int32 or int64 integers"),
    (lambda: ops.argwhere(Tensor(np.float32(1))), ValueError, "at least one axis"),
    (lambda: ops.top_k(X, 5), ValueError, r"'k' must be an int in \[0, 4\]"),
    (lambda: ops.combinations(X), ValueError, "dimension 'x' must be 1"),
    (lambda: ops.combinations(V, 0), ValueError, "'r' must be a positive int"),
    (lambda: ops.reverse_sequence(X, np.array([1, 2, 5], I32), 1), AssertionError,
     r"in \[0, 4\]"),
    (lambda: ops.reverse_sequence(X, np.array([1, 2], I32), 1), ValueError, "vector of length"),
    (lambda: ops.reverse_sequence(X, np.array([1, 2, 3], I32), 0), ValueError, "different axes"),
    (lambda: ops.mirror_pad(X, Tensor(np.array([[3, 0], [0, 0]], I32)), "REFLECT"), ValueError,
     "less than the axis length"),
    (lambda: ops.mirror_pad(X, Tensor(np.array([[1, 0], [0, 0]], I32)), "reflect"), ValueError,
     "'REFLECT' or 'SYMMETRIC'"),
    (lambda: ops.mirror_pad(X, Tensor(np.array([1, 0], I32)), "REFLECT"), ValueError,
     r"\(2, 2\) Tensor"),
    (lambda: ops.unsorted_segment_max(X, np.array([0, 3, 1], I32), 3), AssertionError,
     r"in \[0, 3\)"),
    (lambda: ops.unsorted_segment_min(X, np.array([0, 1], I32), 3), ValueError, "must begin"),
    (lambda: ops.unsorted_segment_prod(X, np.array([0, 1, 0.0]), 3), TypeError, "int32 or"),
    (lambda: ops.histc(Tensor(X), 3), TypeError, "float16, float32 or int32"),
    (lambda: ops.histc(Tensor(X.astype(np.float32)), 3, 2.0, 1.0), ValueError, "'min' should"),
    (lambda: ops.logspace(0.0, 1.0, 3, 2.5), TypeError, "'base' should be 'int'"),
    (lambda: ops.logspace(0.0, 1.0, 3, dtype=np.int32), TypeError, "'dtype' should be"),
    (lambda: ops.scatter_nd_add(X.copy(), POINTS.astype(float), np.ones(1)), TypeError,
     "For 'ScatterNdAdd', the dtype of 'indices'"),
    (lambda: ops.scatter_nd_max(X.copy(), POINTS, np.ones(2)), ValueError,
     r"For 'ScatterNdMax', updates_shape"),
    (lambda: ops.scatter_update(X.copy(), np.array([0], I32), np.ones((1, 3))), ValueError,
     r"For 'ScatterUpdate', the shape of 'updates'"),
    (lambda: ops.scatter_div(X.copy(), np.array([0], I32), np.ones((1, 4), np.float32)),
     TypeError, "same dtype"),
    (lambda: ops.index_add(X.copy(), np.array([0]), np.ones((1, 4)), 0), TypeError,
     "must be int32"),
    (lambda: ops.index_add(X.copy(), np.array([0], I32), np.ones((1, 3)), 0), ValueError,
     "'IndexAdd', 'indices' must be a vector"),
    (lambda: ops.index_add(X.copy(), np.array([0], I32), np.ones((1, 4)), 2), ValueError,
     "'axis' must be"),
]


@pytest.mark.parametrize("call,error,message", ERRORS, ids=[e[2] for e in ERRORS])
def test_bad_input_is_refused_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


PADS = Tensor(np.array([[1, 0], [0, 2]], I32))


def test_mirror_pad_refuses_paddings_known_only_at_run_time():
    def loss(x):
        return ops.sum(ops.mirror_pad(x, PADS, "SYMMETRIC"))

    with pytest.raises(ms.AutodiffError, match="'paddings' when compiling"):
        ms.grad(loss)(X)


def test_bad_shapes_are_refused_at_the_users_line_when_compiling():
    def loss(x):
        return ops.sum(ops.gather_nd(x, np.array([[0, 1, 2]], I32)))

    with pytest.raises(ms.AutodiffError, match=r"test_mindspore_ops_indexing\.py.*at most"):
        ms.grad(loss)(X)


_PARAMS = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
_TWO = np.array([[0, 2], [1, 1]], np.int32)


@pytest.mark.parametrize("axis, batch_dims, indices, shape, total", [
    # measured in MindSpore 2.10: the output's shape and sum
    (1, 1, _TWO, (2, 2, 4, 5), 4760.0),
    (2, 1, _TWO, (2, 3, 2, 5), 3420.0),
    (3, 1, _TWO, (2, 3, 4, 2), 2808.0),
    (-1, 1, np.array([[[0, 2, 1]], [[1, 1, 0]]], np.int32), (2, 3, 4, 1, 3), 4200.0),
    (2, 2, np.array([[0, 1, 3], [2, 2, 0], [1, 0, 0]] * 2, np.int32).reshape(2, 3, 3),
     (2, 3, 3, 5), 5130.0),
])
def test_gather_with_batch_dims_gathers_each_batch_with_its_own_indices(
        axis, batch_dims, indices, shape, total):
    out = ops.gather(Tensor(_PARAMS), Tensor(indices), axis, batch_dims=batch_dims)
    assert out.shape == shape and float(out.sum()) == total
    check_grads(lambda p: np.sum(ops.gather(p, indices, axis, batch_dims=batch_dims) ** 2),
                _PARAMS.astype(np.float64) / 100, generic=False)  # (batches need shapes)

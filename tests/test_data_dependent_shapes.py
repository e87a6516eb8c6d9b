"""Results as long as the data says: a mask's selection, ``np.nonzero`` and what is built
on it, ``np.unique`` and ``np.bincount``.

Their values must be NumPy's for any data (hypothesis draws it, ties, NaNs and empty
selections included), their gradients must match finite differences, and what follows
them must stay shape-specialised wherever the shape is known again: a reduction of
the whole of such a result is 0-d.
"""
from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler import check_grads, trees
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.builder import building
from autodiff_compiler.ir.core import Aval, Var

F64 = np.dtype(np.float64)
REDUCTIONS = [P.reduce_sum, P.reduce_mean, P.reduce_prod, P.reduce_max, P.reduce_min, P.var,
              P.std, P.norm, P.reduce_all, P.reduce_any]


@pytest.mark.parametrize("prim", REDUCTIONS, ids=lambda p: p.name)
def test_a_full_reduction_of_an_array_of_unknown_shape_is_0d(prim):
    x = Var(Aval(None, F64), "selected")
    with building():
        whole, kept, along = prim(x), prim(x, keepdims=True), prim(x, axis=0)
    want = np.asarray(prim.impl(np.zeros(1))).dtype
    assert whole.aval == Aval((), want)
    assert kept.aval.shape is None and along.aval.shape is None  # ranks unknown


@pytest.mark.parametrize("prim", REDUCTIONS, ids=lambda p: p.name)
def test_a_full_reduction_of_an_array_of_unknown_shape_and_dtype_is_0d(prim):
    """A selection of a branch's result whose paths give float32 and float64 (found by
    the fuzzer, seed 7284): the reduction is 0-d; only a boolean dtype is known."""
    x = Var(Aval(None, None), "selected")
    with building():
        whole = prim(x)
    want = np.dtype(np.bool_) if prim in (P.reduce_all, P.reduce_any) else None
    assert whole.aval == Aval((), want)


def after_a_selection(x):
    """Code after np.sum of a selection knows its shapes again: np.nonzero (which needs
    a rank) of an array built from it compiles."""
    total = np.zeros((3, 2)) + np.sum(x[x > 0.2])
    rows, cols = np.nonzero(total > 0.1)
    return np.sum(total[rows, cols] * (cols + 1.0)) + np.sum(x[x < 0.0] ** 2)


def test_code_after_a_reduced_selection_is_shape_specialised():
    x = np.array([0.5, -1.0, 2.0, -0.3, 0.9])
    check_grads(after_a_selection, x, generic=False)
    assert "np.nonzero(total > 0.1)" in adc.gradient_source(after_a_selection, args=(x,))


def selections(x):
    """Every data-dependent result of ``x`` (a matrix) NumPy gives."""
    values, first, inverse, counts = np.unique(x, return_index=True, return_inverse=True,
                                               return_counts=True)
    rows, cols = np.nonzero(x > 0)
    return (values, first, inverse, counts, rows, cols, np.flatnonzero(x < 0),
            np.argwhere(x != 0), np.where(x > 0.5), np.extract(x > 0, x),
            np.compress(x[:, 0] > 0, x, axis=0), np.bincount(np.ravel(cols)),
            np.bincount(np.ravel(rows), weights=np.ravel(x[rows, cols]), minlength=2),
            x[x > 0], np.sum(x[x > 0]))


ENTRIES = st.one_of(st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, np.nan]),
                    st.floats(-4, 4, allow_nan=False, width=32))


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(F64, st.tuples(st.integers(0, 4), st.integers(1, 4)), elements=ENTRIES))
def test_values_are_numpys_for_any_data(x):
    with np.errstate(all="ignore"):
        want = selections(x)
        got = adc.vjp(selections, x)[0]
    assert len(got) == len(want)
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_array_equal(g, w)


def _leaves(tree):
    return trees.flatten(tree, lambda v: not isinstance(v, tuple | list))[0]


def unique_weighted(x):
    values, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    # inverse has x's shape in NumPy 2, is flat in NumPy 1.x: reshaped, either reads x
    return np.sum(values ** 3 * counts) + np.sum(np.reshape(values[inverse], x.shape) * np.sin(x))


def bincount_of_a_permutation(x):
    return np.sum(np.bincount(np.argsort(np.ravel(x)), weights=np.ravel(x) ** 2) ** 2)


# Entries a hundredth apart and off the thresholds (0.2, 0): a finite difference never
# crosses a tie or a mask's edge, where the functions jump.
APART = st.integers(-200, 200).map(lambda k: k / 100 + 0.003)


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(F64, hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=4),
                  elements=APART, unique=True))
def test_gradients_match_finite_differences_away_from_ties(x):
    for fn in (unique_weighted, bincount_of_a_permutation, after_a_selection):
        check_grads(fn, x, generic=False)


def float32_or_float64_rows(x):
    """``rows``' dtype is known at run time only (float32 on one path, float64 on the
    other), its shape when compiling: np.var over an axis and np.nonzero after it need
    that shape (found by the fuzzer, seed 922)."""
    rows = np.stack([x, x]) if np.sum(x) > 10.0 else x * np.ones((2, 1))
    spread = np.var(rows * np.arange(1.0, 3.0)[:, None], axis=0) + rows[0]
    return np.sum(spread[np.nonzero(spread > 0.2)] ** 2)


def test_shapes_stay_known_where_only_the_dtype_is_not():
    rows = Var(Aval((2, 4), None), "rows")
    with building():  # stop_gradient is its operand (seed 697)
        assert P.stop_gradient(rows).aval == Aval((2, 4), None)
    x = np.array([0.5, -1.3, 2.1], np.float32)
    assert "np.nonzero" in adc.gradient_source(float32_or_float64_rows, args=(x,))
    check_grads(float32_or_float64_rows, x.astype(np.float64), generic=False)


def positive_squares(x):
    return x[x > 0] ** 2


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(F64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=ENTRIES))
def test_vmap_stacks_selections_when_the_examples_agree_and_says_why_not_otherwise(xs):
    """Each example computed alone; rows of one length stacked, NumPy's values, and rows
    of different lengths refused at the user's line with what to do instead."""
    rows = [positive_squares(x) for x in xs]
    if len({len(r) for r in rows}) == 1:
        np.testing.assert_array_equal(adc.vmap(positive_squares)(xs), np.array(rows))
        return
    with pytest.raises(ValueError, match=r"differ in shape \(\(\d+,\), \(\d+,\)") as info:
        adc.vmap(positive_squares)(xs)
    assert "return x[x > 0] ** 2" in "".join(info.value.__notes__)


def test_gradient_through_vmap_of_a_selection_of_one_length_is_each_examples():
    """Rows of one length are stacked: the gradient through them is each example's (it
    was refused), and where the lengths differ the stacking says so at the user's line."""
    xs = np.array([[1.0, -2.0, 3.0], [-1.0, 2.0, 4.0]])
    got = adc.grad(lambda xs: np.sum(adc.vmap(positive_squares)(xs) ** 3))(xs)
    np.testing.assert_allclose(got, np.where(xs > 0, 6 * xs ** 5, 0.0), rtol=1e-14)
    with pytest.raises(ValueError, match=r"differ in shape \(\(3,\), \(1,\)\)") as info:
        adc.grad(lambda xs: np.sum(adc.vmap(positive_squares)(xs)))(xs * [1.0, -1.0, 1.0])
    assert "return x[x > 0] ** 2" in "".join(info.value.__notes__)


def scaled_by_the_selections_length(t, x):
    y = x[x < 0.4]
    return np.sum(y * y.shape[0])


def summed_in_a_loop(t, x):
    y = x[x < 0.4]
    total = np.zeros(3)
    for row in np.zeros((2, 3)) + np.sum(np.sin(y) * y.shape[0]):
        total += row * total + row
    return np.sum(total)


def picked_in_a_branch(t, x):
    s = np.sum(np.exp(x[x < 0.4]))
    return s if t > 0.0 else 2 * s * t


def picked_in_a_loops_branch(t, x):
    """Fuzz seed 700042: the loop reads the examples' sums inside vmap's loop over
    the examples that picks each one's branch, and their cotangent was dropped (a zero
    gradient): a list a region inside a loop's body reads is summed over iterations."""
    s = np.sum(np.ravel(x)[np.ravel(x) < 0.4] ** 2)
    acc = 0.5
    for i in range(3):
        acc = acc * np.cos(acc) + (acc if t > 0.0 else s * (i + 1))
    return acc


@pytest.mark.parametrize("fn", [scaled_by_the_selections_length, summed_in_a_loop,
                                picked_in_a_branch, picked_in_a_loops_branch],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("ts", [[1.0, -1.0, -0.5], [-1.0, -2.0, -0.5]])
def test_gradient_through_vmap_of_selections_of_different_lengths_is_each_examples(fn, ts):
    """Each example keeps its own selection (lengths 2, 4 and 1 here); the gradient of
    the sum of vmap's results with respect to the batch is each example's gradient, and
    the gradient's tangent (a Hessian-vector product) each example's finite difference."""
    xs = np.array([[0.3, 0.9, -0.2, 1.4], [0.1, -0.6, 0.2, 0.35], [1.2, 0.5, 0.7, -0.8]])
    ts = np.array(ts)
    got = adc.grad(lambda t, x: np.sum(adc.vmap(fn)(t, x)), grad_position=(0, 1))(ts, xs)
    want = [adc.grad(fn, grad_position=(0, 1))(t, x) for t, x in zip(ts, xs)]
    for k in range(2):
        np.testing.assert_allclose(got[k], np.stack([w[k] for w in want]), rtol=1e-13)
    check_grads(fn, ts[1], xs[1], modes=("rev",))
    gradient = adc.grad(lambda x: np.sum(adc.vmap(fn)(ts, x)))
    direction = np.cos(np.arange(xs.size)).reshape(xs.shape)
    _, tangent = adc.jvp(gradient, xs, direction)
    eps = 1e-6
    want = (gradient(xs + eps * direction) - gradient(xs - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(tangent, want, rtol=1e-6, atol=1e-8)


def tail_if_first_positive(x):
    y = np.sin(x) * x
    if x[0] > 0:
        y = y[1:]  # of another length on this path
    return np.sum(y * y)


@pytest.mark.parametrize("xs", [np.array([[0.7, -0.3, 1.1], [0.5, 0.2, -0.4]]),
                                np.array([[0.7, -0.3, 1.1], [-0.5, 0.2, -0.4]]),
                                np.array([[-0.7, -0.3, 1.1], [-0.5, 0.2, -0.4]])])
def test_vmap_of_the_gradient_of_a_branch_giving_another_shape_is_each_examples(xs):
    """A value of another shape on a path is kept as the examples' rows; the adjoint's
    branch selects between it and the other path's example by example (NumPy's
    broadcast error, when both examples took the same path)."""
    got = adc.vmap(adc.grad(tail_if_first_positive))(xs)
    want = [adc.grad(tail_if_first_positive)(x) for x in xs]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    check_grads(tail_if_first_positive, xs[0], modes=("rev",))


def test_tangent_through_vmap_of_a_selection_matches_finite_differences():
    xs = np.array([[1.0, -2.0, 3.0], [-1.0, 2.0, 4.0]])
    v = np.array([[0.5, 1.0, -0.25], [2.0, 0.75, 0.1]])
    value, tangent = adc.jvp(adc.vmap(positive_squares), xs, v)
    eps = 1e-6
    want = (adc.vmap(positive_squares)(xs + eps * v)
            - adc.vmap(positive_squares)(xs - eps * v)) / (2 * eps)
    np.testing.assert_array_equal(value, [[1.0, 9.0], [4.0, 16.0]])
    np.testing.assert_allclose(tangent, want, rtol=1e-7)


# Sizes computed from the data: the number of classes, a count, repeats. Each result's
# shape is known only at run time, whatever the compiler's stand-ins hold (zeros once
# made every one of these empty, and the gradient silently 0).
def classes(labels):
    return int(np.max(labels)) + 1


SIZED_BY_DATA = {
    "zeros": lambda w, labels: np.sum(w) * np.zeros(classes(labels)).size,
    "ones_2d": lambda w, labels: np.sum(w) * np.ones((classes(labels), 2)).shape[0],
    "full": lambda w, labels: np.sum(np.full(classes(labels), 2.0) @ np.ones(classes(labels)))
    * np.sum(w ** 2),
    "eye": lambda w, labels: np.sum(w) * np.eye(classes(labels)).shape[0],
    "eye_nm": lambda w, labels: np.sum(w) * np.eye(2, classes(labels)).size,
    "arange": lambda w, labels: np.sum(w) * len(np.arange(classes(labels))),
    "arange_from": lambda w, labels: np.sum(w) * np.arange(1, classes(labels) + 3).size,
    "linspace": lambda w, labels: np.sum(w * np.mean(np.linspace(0.0, 1.0, classes(labels))))
    * np.linspace(0.0, 1.0, classes(labels)).shape[0],
    "count": lambda w, labels: np.sum(w) / (1 + len(np.zeros(np.sum(labels > 0)))),
    "repeat_count": lambda w, labels: np.sum(np.repeat(w, classes(labels)) ** 2),
    "repeat_each": lambda w, labels: np.sum(np.repeat(w, labels) ** 2)
    * np.size(np.repeat(w, labels)),
    "repeat_computed": lambda w, labels: np.sum(np.repeat(w, np.arange(w.size) + 1) ** 3),
    "reshape": lambda w, labels: np.sum(np.reshape(np.outer(np.ones(classes(labels)), w),
                                                   (classes(labels), -1))[-1] ** 2),
    "broadcast": lambda w, labels: np.sum(np.broadcast_to(w, (classes(labels), w.size)) ** 2),
    "one_hot": lambda w, labels: np.sum(np.eye(classes(labels))[labels][:, 0] * w ** 2),
}

LABELS = hnp.arrays(np.int64, st.integers(1, 6), elements=st.integers(0, 5))


@settings(max_examples=20, deadline=None)
@given(labels=LABELS, case=st.sampled_from(sorted(SIZED_BY_DATA)))
def test_sizes_computed_from_the_data_are_the_datas(labels, case):
    fn = SIZED_BY_DATA[case]
    w = np.linspace(-1.0, 2.0, labels.size)
    value, _ = adc.value_and_grad(fn)(w, labels)
    assert value == pytest.approx(fn(w, labels), rel=1e-12)
    check_grads(fn, w, labels, generic=False)


def test_a_primitive_sized_by_its_operands_values_is_caught_where_it_is_not_declared():
    """The ``sizes`` declarations are checked by a net: a call whose shape other stand-ins
    change has no known shape, declared or not."""
    undeclared = P.Primitive("ones_of_size", np.ones, registered=False)
    n = Var(Aval((), np.dtype(np.int64), weak=True), "n")
    x = Var(Aval((3,), F64), "x")
    with building():
        assert undeclared(n).aval == Aval(None, F64)
        assert P.arange(1, n).aval == Aval(None, np.dtype(np.int64))  # declared
        assert P.matmul(x, x).aval == Aval((), F64)  # shapes from shapes stay known
        assert P.getitem(x, n).aval == Aval((), F64)


def arange_over_the_selection(x):
    y = x[x > 0]
    return np.sum(np.arange(np.size(y)) * y) + np.sum(x)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(F64, st.tuples(st.integers(1, 4), st.integers(1, 4)), elements=ENTRIES))
def test_vmap_computes_selections_of_different_lengths_that_the_example_reduces(xs):
    """Rows of different lengths are kept as rows up to the reduction that gives each
    example one shape; they were once stacked first and refused."""
    want = [arange_over_the_selection(x) for x in xs]
    np.testing.assert_allclose(adc.vmap(arange_over_the_selection)(xs), want, rtol=1e-12)
    grads = adc.vmap(adc.grad(arange_over_the_selection))(xs)
    for x, got in zip(xs, grads):
        positions = np.flatnonzero(x > 0)
        expected = np.ones_like(x)
        expected[positions] += np.arange(len(positions))
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def selection_guarded_and_printed(x):
    y = x[x > 0]
    weighted = np.arange(np.size(y)) * y
    if np.sum(weighted) > 100.0:
        raise ValueError(f"diverged: {weighted}")
    print("weighted", weighted)
    return np.sum(weighted) + np.sum(x)


def test_a_message_or_print_of_rows_of_different_lengths_shows_each_examples_row(capsys):
    """A message or a print reads rows kept per example as the list they are (fuzz
    seed 80796: reading them one example at a time made the message an array of
    texts, and the check's loop failed in codegen)."""
    xs = np.array([[1.0, -2.0, 3.0], [-1.0, -2.0, 4.0]])
    want = [selection_guarded_and_printed(x) for x in xs]
    capsys.readouterr()
    np.testing.assert_allclose(adc.vmap(selection_guarded_and_printed)(xs), want, rtol=1e-14)
    assert capsys.readouterr().out == f"weighted {[np.array([0.0, 3.0]), np.array([0.0])]}\n"
    grads = adc.vmap(adc.grad(selection_guarded_and_printed))(xs)
    np.testing.assert_allclose(grads, [[1.0, 1.0, 2.0], [1.0, 1.0, 1.0]], rtol=1e-14)
    with pytest.raises(ValueError, match=r"diverged: \[array\(\[  0., 300.\]\), array"):
        adc.vmap(selection_guarded_and_printed)(xs * 100.0)


def test_gradient_through_vmap_of_rows_of_different_lengths_is_each_examples():
    """vmap's loop over the examples writes rows of run-time lengths into a list that
    the program reads in its order; the adjoint meets them last first and reverses the
    list of their cotangents (``reversed_tape``): it was refused."""
    xs = np.array([[1.0, -2.0, 3.0], [-1.0, -2.0, 4.0]])
    gradient = adc.grad(lambda xs: np.sum(adc.vmap(arange_over_the_selection)(xs) ** 2))
    want = np.stack([adc.grad(lambda x: arange_over_the_selection(x) ** 2)(x) for x in xs])
    np.testing.assert_allclose(gradient(xs), want, rtol=1e-14)
    # its tangent (a Hessian-vector product) reads the reversed list of the rows'
    # cotangents, whose tangent was dropped: zero
    direction = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    _, tangent = adc.jvp(gradient, xs, direction)
    eps = 1e-6
    want = (gradient(xs + eps * direction) - gradient(xs - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(tangent, want, rtol=1e-7)


def selections_summed_in_a_loop(x):
    h, total = x, 0.0
    for _ in range(2):
        total = total + np.sum(np.exp(h[h > 0.0]) * h[h > 0.0])
        h = h * 0.5 + 0.1
    return total


def cubes_of_a_selection(x):
    return np.sum(x[x > 0.1] ** 3)


def test_vmap_of_the_gradient_lists_each_examples_row_of_a_selection():
    """The gradient's tape of a loop lists each step's selection; batched, the rows of
    different lengths were stacked into the tape (a ValueError at run time, blaming
    the result's length): the tape now lists the rows. A Hessian's too."""
    xs = np.array([[0.3, -0.5, 0.7], [-0.4, -0.6, 0.2], [0.9, 0.45, 0.6]])
    for fn, transform in [(selections_summed_in_a_loop, adc.grad),
                          (cubes_of_a_selection, adc.hessian),
                          (selections_summed_in_a_loop, adc.hessian)]:
        got = adc.vmap(transform(fn))(xs)
        np.testing.assert_allclose(got, np.stack([transform(fn)(x) for x in xs]), rtol=1e-13)
    check_grads(selections_summed_in_a_loop, xs[0], modes=("rev",), order=2)


def selections_in_nested_loops(x):
    acc = 0.0
    for _ in range(2):
        for j in range(3):
            acc = acc + np.sum(x[x > 0.2 * j] ** 3)
    return acc


def per_row_selection(w, x):
    z = w @ x
    return np.sum(np.tanh(z[z > -0.3]) ** 2)


def vmap_of_selections_in_a_loop(w):
    rows = np.cos(np.arange(18.0)).reshape(6, 3)
    total = 0.0
    for k in range(2):
        total = total + np.sum(adc.vmap(per_row_selection, in_axes=(None, 0))(w * (k + 1), rows))
    return total


@pytest.mark.parametrize("fn, x", [
    (selections_in_nested_loops, np.array([0.33, -0.45, 0.52, 0.13, 0.27])),
    (vmap_of_selections_in_a_loop, np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6],
                                             [-0.3, 0.2, 0.25]]))],
    ids=["nested loops", "vmap in a loop"])
def test_reverse_over_reverse_of_loops_listing_selections(fn, x):
    """The inner loop's tape, one per outer iteration, of selections of different
    lengths: its zero cotangent was np.zeros_like of the ragged list (a ValueError)."""
    direction = np.sin(np.arange(x.size) + 1.0).reshape(x.shape)
    gradient = adc.grad(fn)
    got = adc.grad(lambda y: np.sum(gradient(y) * direction))(x)
    eps = 1e-6
    want = (gradient(x + eps * direction) - gradient(x - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)


def mean_square_of_a_selection(x):
    picked = x[x > 0.0]
    return np.sum(picked ** 2) / (1.0 + picked.shape[0])


def test_a_hessian_through_a_selections_count():
    """``picked.shape[0]`` is a Python int: known as one, the value's shape stays known
    (it was unknown, and the Hessian refused as of a value of run-time shape)."""
    x = np.array([0.3, -0.4, 0.52, 0.9, -0.15])
    want = np.diag(np.where(x > 0, 2.0 / 4.0, 0.0))
    np.testing.assert_allclose(adc.hessian(mean_square_of_a_selection)(x), want, rtol=1e-14)


def vmap_of_a_selections_mean(xs):
    return adc.vmap(mean_square_of_a_selection)(xs)


W2 = np.array([[0.5, -0.2], [0.1, 0.4]])


def windows_in_a_checkpointed_loop(x):
    h = np.zeros(2) + 0.1
    for t in adc.checkpointed(range(3)):
        h = np.tanh(W2 @ h + x[t:t + 2])
    return np.sum(h ** 3)


def sum_of_vmap_of_windows(xs):
    return np.sum(adc.vmap(windows_in_a_checkpointed_loop)(xs))


@pytest.mark.parametrize("jacobian, fn", [(adc.jacfwd, vmap_of_a_selections_mean),
                                          (adc.hessian, sum_of_vmap_of_windows)],
                         ids=["jacfwd of vmap", "hessian of vmap"])
def test_a_jacobian_batches_rows_that_vmap_kept_per_example(jacobian, fn):
    """A Jacobian batches a program already batched by vmap: its rows of one example
    each (and their transpose, the gradient's) were refused, the message speaking of
    loops whose number of iterations differs."""
    xs = np.array([[0.3, -0.5, 0.2, 0.1], [-0.4, 0.2, 0.6, -0.3], [0.9, 0.45, -0.1, 0.5]])
    v = np.array([[1.0, 0.5, 0.2, -0.4], [-0.3, 0.2, 0.1, 0.9], [0.7, -1.1, 0.3, 0.2]])
    want = adc.jvp(fn, (xs,), (v,))[1] if jacobian is adc.jacfwd else \
        adc.hvp(fn, (xs,), (v,))
    got = np.tensordot(jacobian(fn)(xs), v, axes=2)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def _masked_mean_of_one_hot_rows(logits):
    mask = logits[:, 0] > 0.0
    picked = logits[mask]
    shape = (1,) * (np.ndim(picked) - 1) + (-1,)  # the rank of a selection: run-time
    return np.sum(picked * np.reshape(np.arange(3.0), shape))


def _shape_repeated_on_the_right(logits):
    picked = logits[logits[:, 0] > 0.0]
    shape = (-1,) + (np.ndim(picked) - 3) * (1,) + (1,)  # repeated a negative time: ()
    return np.sum(np.reshape(picked, shape) ** 2)


@pytest.mark.parametrize("fn", [_masked_mean_of_one_hot_rows, _shape_repeated_on_the_right])
def test_a_tuple_sized_by_a_selections_rank_is_a_run_time_tuple(fn):
    """A masked-LM loss, ``cross_entropy(logits[mask], labels[mask])``: the library's
    loss builds a shape from the selection's rank, which is known only at run time.
    ``(1,) * n`` of such an ``n`` was refused; it is a tuple when the code runs."""
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0], [0.3, -0.7, 1.1]])
    check_grads(fn, x, generic=False)


def selection_joined_to_the_rest(x):
    return np.sum(np.sin(np.concatenate([x[x > 0.2], x * 2.0])) ** 2)


def selection_stacked_with_itself(x):
    picked = x[x > 0.0]
    return np.sum(np.stack([picked, np.cos(picked)]) ** 3)


def selection_hstacked_between_numbers(x):
    return np.sum(np.exp(np.hstack([1.5, x[x < 0.4] * x[0], x[1]])) * 0.1)


@pytest.mark.parametrize("fn", [selection_joined_to_the_rest, selection_stacked_with_itself,
                                selection_hstacked_between_numbers])
def test_a_hessian_through_a_selection_joined_to_others(fn):
    """The cotangent of a piece joined to a selection has the piece's shape, and the
    joined value its operands' dtype: the gradient's were unknown, and the Hessian
    (a Jacobian of the gradient) refused as of a value of run-time shape."""
    x = np.array([0.5, -0.3, 0.9, 0.1, 0.35])
    check_grads(fn, x, generic=False)
    grad_fn, eps = adc.grad(fn), 1e-6
    want = np.array([(grad_fn(x + eps * e) - grad_fn(x - eps * e)) / (2 * eps)
                     for e in np.eye(x.size)])
    np.testing.assert_allclose(adc.hessian(fn)(x), want, rtol=1e-6, atol=1e-8)


def test_joining_keeps_the_dtype_where_a_pieces_length_is_unknown():
    picked = Var(Aval(None, np.dtype(np.float32)), "picked")
    known = Var(Aval((3,), np.dtype(np.float32)), "known")
    g = Var(Aval(None, np.dtype(np.float32)), "g")
    with building():
        assert P.concatenate(picked, known).aval == Aval(None, np.dtype(np.float32))
        assert P.concat_part(g, picked, known, index=1, axis=0).aval == known.aval
        assert P.unbroadcast_to(g, known).aval == known.aval
        assert P.broadcast_to(known, P.shape(picked)).aval.dtype == np.float32

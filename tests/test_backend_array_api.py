"""The array API backend against the project's gradient tables, on array-api-strict.

Every row of the rule tables (test_rules, test_surface_rules, test_composed_rules; their
rows are reused, not copied) is differentiated with ``backend="array_api"`` on
array-api-strict arrays, a strict implementation that raises on anything outside the
standard. Each row either gives the NumPy backend's gradient to float64 round-off, as
arrays of array-api-strict, or is refused at compile time with an ``AutodiffError`` at
the user's ``file:line`` naming the primitive; ``test_most_rows_pass`` counts both.
"""
from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pytest

xs = pytest.importorskip("array_api_strict")
pytest.importorskip("array_api_compat")

import test_composed_rules as composed  # noqa: E402
import test_rules as rules  # noqa: E402
import test_surface_rules as surface  # noqa: E402
from test_rules import PY_FLOAT, sample, sample_args, scaled, shape_id, shapes_id  # noqa: E402

import autodiff_compiler as adc  # noqa: E402
from autodiff_compiler import ops  # noqa: E402
from autodiff_compiler.api import GradFunction  # noqa: E402
from autodiff_compiler.errors import AutodiffError  # noqa: E402


@dataclass(frozen=True)
class Case:
    """A function of the tables at fixed NumPy arguments."""

    name: str
    fn: Callable[..., Any]
    args: tuple


def _reduced(fn: Callable[..., Any], axis: Any, keepdims: bool) -> Callable[..., Any]:
    """``3 * fn(a, axis=axis, keepdims=keepdims)`` as a ``def`` the compiler can read."""

    def reduced(a):
        return fn(a, axis=axis, keepdims=keepdims) * 3.0

    return reduced


def _per_shape(table: str, rows: list, shapes: list) -> list[Case]:
    return [Case(f"{table}-{row.name}-{shapes_id(s) if _several(s) else shape_id(s)}",
                 scaled(row.fn, len(s) if _several(s) else 1),
                 tuple(sample_args(row, s)) if _several(s) else (sample(row.lims, s),))
            for row in rows for s in shapes]


def _several(shapes: Any) -> bool:
    """A tuple of argument shapes (rather than one shape)."""
    return isinstance(shapes, tuple) and bool(shapes) and isinstance(shapes[0], tuple | str)


def _own_shapes(table: str, rows: list, wrap: bool = False) -> list[Case]:
    return [Case(f"{table}-{row.name}",
                 scaled(row.fn, len(row.shapes)) if wrap else row.fn,
                 tuple(sample_args(row, row.shapes))) for row in rows]


def _fixed(table: str, rows: list) -> list[Case]:
    return [Case(f"{table}-{row.name}", scaled(row.fn, len(row.args)), tuple(row.args))
            for row in rows]


def _exact(table: str, rows: list) -> list[Case]:
    return [Case(f"{table}-{row.name}", row.fn, tuple(row.args)) for row in rows]


def _reductions(table: str, rows: list, axes: list) -> list[Case]:
    return [Case(f"{table}-{row.name}-{shape_id(s)}-axis{a}{'-keepdims' if k else ''}"
                 .replace(" ", ""), _reduced(row.fn, a, k), (sample(row.lims, s),))
            for row in rows for s, a, k in axes]


def _math() -> list[Case]:
    return [Case(f"rules-{row.name}", scaled(row.fn, 2 if isinstance(row.lims[0], tuple)
                                             else 1),
                 tuple(sample_args(row, (PY_FLOAT,) * (2 if isinstance(row.lims[0], tuple)
                                                      else 1))))
            for row in rules.MATH]


def _cases() -> list[Case]:
    np.random.seed(0)
    methods = [(row, s) for row in surface.METHODS for s in rules.UNARY_SHAPES
               if s != PY_FLOAT]
    return (
        _per_shape("rules", rules.UNARY, rules.UNARY_SHAPES) + _math()
        + _per_shape("rules", rules.BINARY, rules.BINARY_SHAPES)
        + _reductions("rules", rules.REDUCTIONS, rules.AXES)
        + _own_shapes("rules", rules.REDUCTION_SPELLINGS)
        + _per_shape("rules", rules.MATMUL, rules.MATMUL_SHAPES)
        + _own_shapes("rules", rules.OUTER, wrap=True)
        + _own_shapes("rules", rules.SHAPE_OPS + rules.SHAPE_QUERIES + rules.CONSTRUCTORS
                      + rules.INDEXING)
        + _own_shapes("rules-second-order", rules.SECOND_ORDER, wrap=True)
        + _exact("rules", rules.NONDIFFERENTIABLE + rules.CONVENTIONS)
        + _per_shape("surface", surface.UNARY, rules.UNARY_SHAPES)
        + [Case(f"surface-{row.name}-{shape_id(s)}", scaled(row.fn, 1), (sample(row.lims, s),))
           for row, s in methods]
        + _per_shape("surface", surface.BINARY, rules.BINARY_SHAPES)
        + [Case(f"surface-clip-{shapes_id(s)}", surface.CLIP.fn,
                tuple(sample_args(surface.CLIP, s))) for s in surface.CLIP_SHAPES]
        + _reductions("surface", surface.REDUCTIONS, surface.REDUCTION_AXES)
        + _own_shapes("surface", surface.REDUCTION_SPELLINGS)
        + [Case(f"surface-{row.name}-{shapes_id(s, '.')}", scaled(row.fn, 2),
                tuple(sample_args(row, s))) for row, s in surface.PRODUCT_CASES]
        + _fixed("surface", surface.FIXED)
        + _fixed("surface-second-order", surface.SECOND_ORDER)
        + _exact("surface", surface.EXACT)
        + _per_shape("composed", composed.ELEMENTWISE, rules.UNARY_SHAPES)
        + _fixed("composed", composed.SPECS)
        + _fixed("composed-second-order", composed.SECOND_ORDER)
        + _exact("composed", composed.EXACT)
    )


CASES = _cases()


def strict(value: Any) -> Any:
    """A NumPy array or number as an array-api-strict array (a 0-d one for a number)."""
    if isinstance(value, np.ndarray | np.generic | float):
        return xs.asarray(np.asarray(value))
    return value


def positions(args: tuple) -> tuple[int, ...]:
    return tuple(i for i, a in enumerate(args)
                 if isinstance(a, float) or np.issubdtype(np.asarray(a).dtype, np.inexact))


def array_api_grad(case: Case, specialize: bool = True) -> GradFunction:
    grad = adc.grad(case.fn, grad_position=positions(case.args), backend="array_api")
    return grad if specialize else GradFunction(case.fn, replace(grad.spec, specialize=False))


def numpy_grad(case: Case, specialize: bool = True) -> tuple:
    grad = adc.grad(case.fn, grad_position=positions(case.args))
    if not specialize:
        grad = GradFunction(case.fn, replace(grad.spec, specialize=False))
    return as_tuple(grad(*case.args), case)


def as_tuple(grads: Any, case: Case) -> tuple:
    """The gradients as a tuple (``grad`` gives a lone one bare)."""
    return (grads,) if len(positions(case.args)) == 1 else tuple(grads)


def outcome(case: Case, specialize: bool = True) -> str:
    """"passes" (the NumPy backend's gradient, as array-api-strict arrays) or "refused"
    (a located AutodiffError at compile time); anything else fails the test."""
    try:
        expected = numpy_grad(case, specialize)
    except AutodiffError:
        return "numpy refuses"  # shape-generic code of a shape-dependent function
    grad = array_api_grad(case, specialize)
    args = [strict(a) for a in case.args]
    try:
        source = grad.source(*args)
    except AutodiffError as err:
        assert_located_refusal(err)
        return "refused"
    assert "np" not in names_read(source), source
    got = as_tuple(grad(*args), case)
    for g, want in zip(got, expected):
        assert type(g) is type(xs.asarray(0.0)), f"a gradient of type {type(g).__name__}"
        np.testing.assert_allclose(np.from_dlpack(g), want, rtol=1e-10, atol=1e-12)
    return "passes"


def names_read(source: str) -> set[str]:
    """The names code reads (not its comments, which quote the user's NumPy lines)."""
    return {node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)}


def assert_located_refusal(err: AutodiffError) -> None:
    """Refused at a line of the user's (a .py file of the tests), naming the primitive
    and pointing to the NumPy backend."""
    assert err.loc is not None and err.loc.file.endswith(".py") and err.loc.line > 0, err
    assert re.search(r"\w+\.py:\d+: ", str(err)), err
    assert re.search(r"'\w+'", err.message), err.message
    assert "backend='numpy'" in (err.hint or ""), err.hint


OUTCOMES: dict[str, str] = {}  # each row's, for test_most_rows_pass


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_row_matches_numpy_or_is_refused_at_its_line(case):
    OUTCOMES[case.name] = "fails"
    OUTCOMES[case.name] = outcome(case)
    assert OUTCOMES[case.name] in ("passes", "refused")


# Shape-generic code calls the runtime helpers (unbroadcast, matmul_vjp_x, index_add...)
# that specialised code mostly replaces: the second-order tables exist to reach them.
GENERIC = [c for c in CASES if "second-order" in c.name or c.name.startswith("rules-mul")
           or "matmul" in c.name]


@pytest.mark.parametrize("case", GENERIC, ids=[c.name for c in GENERIC])
def test_shape_generic_row_matches_numpy_or_is_refused(case):
    assert outcome(case, specialize=False) in ("passes", "refused", "numpy refuses")


def test_most_rows_pass():
    """Elementwise functions, reductions, products, shapes, broadcasting and 0-d cases
    pass; the refused are the primitives the standard has no spelling for."""
    counts: dict[str, int] = {}
    for case in CASES:
        if case.name not in OUTCOMES:  # this test run alone
            try:
                OUTCOMES[case.name] = outcome(case)
            except Exception:  # the row's own test says why
                OUTCOMES[case.name] = "fails"
        counts[OUTCOMES[case.name]] = counts.get(OUTCOMES[case.name], 0) + 1
    print(f"array API backend on array-api-strict: {counts}")
    assert counts.get("passes", 0) > 4 * counts.get("refused", 0), counts


# ---------------------------------------------------------------------------- the API


def loss(x, w):
    return np.sum(np.tanh(x @ w) ** 2) + np.mean(w * w)


def uses_einsum(x):
    return np.einsum("ij->", x * x)


def loop_and_branch(x, n):
    s = 0.0
    for _ in range(n):
        x = np.sin(x) * 2.0 if np.sum(x) > 0 else x * x
        s = s + np.sum(x)
    return s


def test_numpy_arrays_get_numpy_gradients_through_the_same_code():
    x, w = np.random.rand(2, 3), np.random.rand(3, 4)
    grad = adc.grad(loss, grad_position=(0, 1), backend="array_api")
    got = grad(x, w)
    want = adc.grad(loss, grad_position=(0, 1))(x, w)
    for g, expected in zip(got, want):
        assert isinstance(g, np.ndarray)
        np.testing.assert_allclose(g, expected, rtol=1e-12)
    strict_got = grad(xs.asarray(x), xs.asarray(w))  # another specialisation, by type
    for g, expected in zip(strict_got, want):
        assert type(g) is type(xs.asarray(0.0))
        np.testing.assert_allclose(np.from_dlpack(g), expected, rtol=1e-12)


def test_control_flow_runs_on_strict_arrays():
    x = np.array([0.3, -0.2, 0.5])
    got = adc.grad(loop_and_branch, backend="array_api")(xs.asarray(x), 3)
    want = adc.grad(loop_and_branch)(x, 3)
    np.testing.assert_allclose(np.from_dlpack(got), want, rtol=1e-12)


def rnn(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def test_a_loop_reads_rows_of_an_array_by_its_index():
    """``xs[t]`` of a 3-d array, ``t`` the loop's index: written ``xs[t, ...]``, as the
    standard asks (``xs[t]`` raised ``IndexError`` on strict arrays)."""
    rng = np.random.default_rng(5)
    args = (rng.normal(size=(4, 3, 2)), rng.normal(size=(5, 5)) * 0.4, rng.normal(size=(2, 5)))
    got = adc.grad(rnn, (1, 2), backend="array_api")(*map(xs.asarray, args))
    for g, want in zip(got, adc.grad(rnn, (1, 2))(*args)):
        np.testing.assert_allclose(np.from_dlpack(g), want, rtol=1e-12)


def rows_read_and_written_by_the_loops_index(x, w):
    out = np.zeros((x.shape[0], 2))
    for i in range(x.shape[0]):
        out[i] = np.tanh(x[i] @ w) * x[i, :2]
    return np.sum(out ** 2) + np.sum(np.cumprod(x, axis=1))


def written_through_new_axes(x, w):
    out = np.zeros((2, 3))
    out[None, 0] = x[0] * w  # a new axis in the index: not in out, nor written
    out[..., None, 1] = np.sum(x[1] * w)  # one number for both rows
    return np.sum(out ** 2)


def windows_past_the_end(x):
    acc = np.sum(x[2:100] ** 2) + np.sum(x[-100:2]) + np.sum(x[..., 5:50] * 3.0)
    for i in range(0, 8, 3):
        acc = acc + np.sum(np.sin(x[i:i + 3]))  # the last window, x[6:9], is x[6:8]
    return acc


def test_slices_past_the_end_are_clipped_as_numpys():
    """The standard leaves bounds out of range unspecified (array-api-strict raises):
    they are clipped to the axis, known when compiling or at run time."""
    x = np.arange(8.0) / 4
    got = adc.grad(windows_past_the_end, backend="array_api")(xs.asarray(x))
    np.testing.assert_allclose(np.from_dlpack(got), adc.grad(windows_past_the_end)(x),
                               rtol=1e-12)


def test_a_write_at_an_index_with_new_axes():
    rng = np.random.default_rng(8)
    x, w = rng.normal(size=(2, 3)), rng.normal(size=3)
    got = adc.grad(written_through_new_axes, (0, 1), backend="array_api")(xs.asarray(x),
                                                                          xs.asarray(w))
    for g, expected in zip(got, adc.grad(written_through_new_axes, (0, 1))(x, w)):
        np.testing.assert_allclose(np.from_dlpack(g), expected, rtol=1e-12)


def test_the_adjoints_of_a_run_time_row_and_of_cumprod():
    """``x[i]`` and ``out[i] = v`` at a loop's index, and ``np.cumprod`` (whose
    derivative pads), were refused: an int index names one row, so its scatter-add is
    a write into a copy; the standard's missing ``pad`` is joined blocks."""
    rng = np.random.default_rng(6)
    x, w = rng.uniform(0.5, 1.5, (7, 3)), rng.normal(size=3)
    got = adc.grad(rows_read_and_written_by_the_loops_index, (0, 1),
                   backend="array_api")(xs.asarray(x), xs.asarray(w))
    want = adc.grad(rows_read_and_written_by_the_loops_index, (0, 1))(x, w)
    for g, expected in zip(got, want):
        np.testing.assert_allclose(np.from_dlpack(g), expected, rtol=1e-12)


def sum_of_a_loop_that_may_not_run(x):
    total = np.sum(x) * 0.0
    for i in range(3):
        acc = 0.0  # a Python float when the inner loop runs no step
        for j in range(i):
            acc += np.mean(x) * (j + 1)
        total = total + acc * np.cos(np.mean(x))
    return total


def a_number_on_one_path(x):
    if np.sum(x) > 100.0:
        return 0.25
    return np.sin(x)


def stack_of_python_floats(x, y):
    return np.sum(x) + np.min(np.stack([np.multiply(y * y, y) * k for k in range(3)]))


def extremes_of_truth_values(x):
    return np.sum(x) * np.min(x > -5.0) + np.sum(x * np.max(x > 0.0))


def where_on_a_python_bool(x, y, z):
    return np.sum(np.where(~np.isnan(np.sqrt(y - 0.1)), y, np.where(x > 0.1, np.min(z), y)))


def float32_item_in_a_branch(x, y):
    v = np.zeros((4, 2)) + x[2] if np.max(y) < 1.0 else y.T
    return np.var(np.sin(v))


def float64_row_written_into_float32(x):
    b = x * 1.0
    b[1] = np.zeros(2) + x[0, 0]  # NumPy casts what it stores to float32
    return np.sum(np.sin(b))


def float32_through_a_float64_loop(y):
    row = y[:, 0] * 1.0
    acc = np.zeros((2, 4))
    k = 0
    while k < 2:
        acc = acc * 0.5 + (acc - 1.0 if np.sum(y) > 100.0 else np.broadcast_to(row, (2, 4)))
        k += 1
    return np.sum(np.sin(acc))


def sigmoid_of_a_python_float(x, y):
    return adc.ops.sigmoid(x) * np.sum(y)


def where_of_python_floats_alone(x, y):
    picked = np.where(x > 0.1, x, x * 2.0)  # of numbers alone: a number
    return max(picked, np.arctan(x)) * np.sum(y) + picked


def mean_of_a_reshape(x):
    return np.sum(np.mean(np.reshape(x, (2, -1)), axis=1) ** 2)


def repeat_of_a_python_float(x):  # seed 9154: np.repeat(-0.7, 2, axis=0) reshapes -0.7
    return np.sum(np.repeat(-0.7, 2, axis=0) * x) + np.sum(np.repeat(0.5, 2, axis=0))


def cosine_of_a_loop_index(x):  # the standard's cos refused int arrays
    s = x * 0.0
    for t in range(2):
        s = s + x * math.cos(t) + np.logaddexp(0, x)
    return np.sum(s)


def softplus_of_float32(z):  # a Python float made float64 the float32 result
    return np.sum(np.logaddexp(0.0, z))


def at_least_1d_of_a_constant(x):  # seed 860083: atleast_1d took NumPy's namespace
    return np.sum(x) * np.squeeze(np.log(np.sum(np.exp(np.atleast_1d(np.sin(-1.25))),
                                                keepdims=True))) * np.atleast_2d(0.5)[0, 0]


def times_a_python_bool(x, y):  # seeds 870114, 870194: the standard promotes a Python
    # bool with bool arrays alone
    return np.sum(x * (not np.min(y) > 0.3)) + np.sum(x * (np.min(y) > 0.3 or 2.0) * True)


def an_int_or_a_float_on_run_time_paths(x):  # seed 870062: NumPy promotes an int with
    # floats, the standard leaves it undefined
    total = sum(np.sum(row) for row in x if np.sum(row) > 100.0)  # 0 where no row counts
    return np.sum(np.maximum(total, x * 2.0) * (total + x))


def cosine_of_an_int_or_a_float(x):  # seed 890149: the standard's cos takes no int
    total = sum(np.sum(row) for row in x if np.sum(row) > 100.0)  # 0 where no row counts
    return np.sum(x * np.cos(total) + np.exp(total * 0.5))


def scaled_int_or_float(x):  # seed 910105: an int on one path, scaled by floats
    total = sum(np.sum(row) for row in x if np.sum(row) > 100.0)  # 0 where no row counts
    kept = total * 0.5 + np.abs(total)
    return np.sum(x) + kept * kept + 1.0 * kept


def logaddexp_of_a_number_or_a_sum(x):  # seed 920092: a float's dtype was read of a
    acc = 0.0  # value that is a Python float when no row counts
    for row in x:
        if np.sum(row) > 100.0:
            acc = acc + np.sum(row)
    return np.sum(x * np.logaddexp(acc, acc))


def compared_with_a_float(x):  # seed 1010091: the int 0 where no row counts, compared
    total = sum(np.sum(row) for row in x if np.sum(row) > 100.0)  # with a Python float
    if np.sum(total) > 0.0:
        return np.sum(x) * total
    return np.sum(np.sin(x))


def a_float_or_what_the_run_decides_in_a_list(x):  # seed 1010073: the ``if``'s merged
    total = sum(np.sum(row) for row in x if np.sum(row) > 100.0)  # value took float64
    items = [x * 1.0]
    held = [items]
    if np.mean(x) > 0.3:
        held[0][0] = ops.stop_gradient(x * 2.0)
    else:
        held[0][0] = ops.stop_gradient(np.broadcast_to(total, x.shape))
    return np.sum(np.sin(x) * (np.stack(items) * 1.5 + np.stack(held[0])))


def joined_with_what_may_be_an_int(x):  # seed 1010436: np.array([total, -1.25]) of the
    total = sum(np.sum(row) for row in x if np.sum(row) > 100.0)  # int 0 and a float
    w = np.full((3,), 1.5) * total
    w[0] = np.array([total, -1.25])[1]
    return np.sum(w * np.sin(x))


def stack_of_a_where_of_floats(x, y):  # seed 1010540: np.where of Python floats alone
    parts = [np.where(x > 0.1, x, x) * k for k in range(3)]  # is a number here: stacked,
    return np.sum(np.stack(parts)) * np.sum(y * y)  # it was NumPy's array


# Programs the fuzzer found failing on this backend (``--backend array_api``), and a
# stress round: each is the NumPy backend's gradient too.
FOUND_BY_FUZZING = [
    Case("loop-may-not-run", sum_of_a_loop_that_may_not_run, (np.array([0.3, -0.2, 0.5]),)),
    Case("number-on-one-path", a_number_on_one_path, (np.array([60.0, 50.0, 0.5]),)),
    Case("stack-of-floats", stack_of_python_floats, (np.array([0.3, -0.2]), 0.7)),
    Case("extremes-of-truths", extremes_of_truth_values, (np.array([0.3, -0.2, 0.5]),)),
    Case("where-on-a-bool", where_on_a_python_bool, (0.3, 0.05, np.array([0.3, -0.2]))),
    Case("float32-item-in-a-branch", float32_item_in_a_branch,
         (np.linspace(-1.0, 1.0, 4, dtype=np.float32),
          np.linspace(-0.5, 0.5, 8, dtype=np.float32).reshape(2, 4))),
    Case("sigmoid-of-a-float", sigmoid_of_a_python_float, (0.3, np.array([0.3, -0.2]))),
    Case("float32-through-a-float64-loop", float32_through_a_float64_loop,
         (np.linspace(0.0, 1.0, 8, dtype=np.float32).reshape(4, 2),)),
    Case("float64-row-into-float32", float64_row_written_into_float32,
         (np.linspace(-1.0, 1.0, 6, dtype=np.float32).reshape(3, 2),)),
    Case("where-of-floats-alone", where_of_python_floats_alone,  # seed 43: NumPy's array
         (0.45, np.array([0.3, -0.2]))),
    Case("repeat-of-a-float", repeat_of_a_python_float, (np.array([0.3, -0.2]),)),
    Case("cosine-of-a-loop-index", cosine_of_a_loop_index, (np.array([0.3, -0.2]),)),
    Case("softplus-of-float32", softplus_of_float32, (np.array([0.5, -1.0], np.float32),)),
    Case("atleast-1d-of-a-constant", at_least_1d_of_a_constant, (np.array([0.3, -0.2]),)),
    Case("an-int-or-a-float", an_int_or_a_float_on_run_time_paths,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("cosine-of-an-int-or-a-float", cosine_of_an_int_or_a_float,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("scaled-int-or-float", scaled_int_or_float,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("logaddexp-of-a-number-or-a-sum", logaddexp_of_a_number_or_a_sum,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("compared-with-a-float", compared_with_a_float,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("float-or-run-time-dtype-in-a-list", a_float_or_what_the_run_decides_in_a_list,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("joined-with-an-int", joined_with_what_may_be_an_int,
         (np.array([[0.3, -0.2, 0.5], [1.0, 0.4, -0.7]]),)),
    Case("stack-of-a-where-of-floats", stack_of_a_where_of_floats,
         (-1.25, np.array([0.3, -0.2]))),
    Case("times-a-python-bool", times_a_python_bool,
         (np.array([0.3, -0.2]), np.array([0.2, 0.4]))),
]


@pytest.mark.parametrize("case", FOUND_BY_FUZZING, ids=[c.name for c in FOUND_BY_FUZZING])
def test_what_fuzzing_found_matches_numpy(case):
    """Python floats stay Python floats here (``outcome`` makes them 0-d arrays)."""
    pos = positions(case.args)
    got = adc.grad(case.fn, pos, backend="array_api")(
        *(xs.asarray(a) if isinstance(a, np.ndarray) else a for a in case.args))
    want = adc.grad(case.fn, pos)(*case.args)
    for g, w in zip(as_tuple(got, case), as_tuple(want, case)):
        g = g if isinstance(g, float) else np.from_dlpack(g)
        assert np.asarray(g).dtype == np.asarray(w).dtype
        np.testing.assert_allclose(g, w, rtol=1e-6 if np.asarray(w).dtype == np.float32
                                   else 1e-12, atol=1e-14)


def _beside_a_number(helper: str, number_first: bool) -> Callable[..., Any]:
    """``helper(-0.5, a * a)`` (or the other way round) as an auxiliary output beside a
    loss of ``x`` that reads it: the helper's result leaves as it is, dtype included."""
    fn = getattr(np, helper)

    def loss(x, a):
        made = fn(-0.5, a * a) if number_first else fn(a * a, -0.5)
        return np.sum(np.sin(x) * made), made
    return loss


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int32])
@pytest.mark.parametrize("number_first", [False, True], ids=["number-second", "number-first"])
@pytest.mark.parametrize("helper", ["fmax", "fmin", "logaddexp2"])
def test_a_helpers_python_number_takes_the_arrays_dtype_as_in_numpy(helper, number_first,
                                                                    dtype):
    """Fuzz seed 1010034: ``np.fmax(float32_x, -0.5)`` was float64 here (the helper's
    ``-0.5`` made an array by ``xp.asarray``, float64), float32 in NumPy; the value of
    an ill-conditioned program then differed from NumPy's by 1e-4. A Python number
    beside an array takes the dtype NumPy's promotion gives it (NEP 50)."""
    loss = _beside_a_number(helper, number_first)
    x = np.array([[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]])
    a = np.array([[0.25, -1.5, 0.75], [2.0, -0.125, 1.0]]).astype(dtype)
    (_, want), want_grad = adc.value_and_grad(loss, has_aux=True)(x, a)
    assert want.dtype == loss(x, a)[1].dtype  # (NumPy's own)
    (_, got), grad = adc.value_and_grad(loss, has_aux=True, backend="array_api")(
        xs.asarray(x), xs.asarray(a))
    got = np.from_dlpack(got)
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-14)
    np.testing.assert_allclose(np.from_dlpack(grad), want_grad, rtol=1e-6)


def test_a_mean_over_a_shape_known_at_run_time_counts_in_python_ints():
    """Shape-generic, the mean's adjoint divides by ``max(size(x), 1)``: two Python
    ints, which the standard's ``maximum`` does not take (seed 274)."""
    case = Case("mean-of-reshape", mean_of_a_reshape, (np.linspace(-1.0, 1.0, 6),))
    assert outcome(case, specialize=False) == "passes"


def test_generated_code_binds_xp_from_its_inputs_and_reads_no_numpy():
    source = adc.gradient_source(loss, grad_position=(0, 1), backend="array_api")
    assert source.splitlines()[2].strip() == "xp, x, w = common_namespace(x, w)"
    assert "np" not in names_read(source)
    assert "xp.tanh(" in source


def test_a_primitive_without_spelling_is_refused_at_the_users_line():
    with pytest.raises(AutodiffError) as info:
        adc.grad(uses_einsum, backend="array_api")(xs.asarray(np.ones((2, 2))))
    err = info.value
    assert err.loc.file == __file__ and err.loc.line == uses_einsum.__code__.co_firstlineno + 1
    assert "'einsum'" in err.message and "backend='numpy'" in err.hint


def test_the_numpy_backend_asks_for_the_array_api_backend_on_other_arrays():
    with pytest.raises(AutodiffError, match="backend='array_api'"):
        adc.grad(loss)(xs.asarray(np.ones((2, 3))), xs.asarray(np.ones((3, 4))))


def test_a_users_name_xp_is_renamed_not_shadowed():
    def scaled_by(x, xp):
        return np.sum(x * xp)

    x = np.random.rand(3)
    source = adc.gradient_source(scaled_by, args=(x, x), backend="array_api")
    assert "xp, x, xp_1 = common_namespace(x, xp_1)" in source
    got = adc.grad(scaled_by, backend="array_api")(xs.asarray(x), xs.asarray(2 * x))
    np.testing.assert_allclose(np.from_dlpack(got), 2 * x)


def recurse(x, k):
    if k <= 0:
        return np.sum(x)
    return recurse(np.sin(x) * (x > 0), k - 1)


def test_recursion_on_run_time_values_reads_the_callers_namespace():
    x = np.array([0.7, -0.3, 0.2])
    source = adc.gradient_source(recurse, args=(x, xs.asarray(3)), backend="array_api")
    assert source.count("common_namespace(") == 1  # nested defs read the caller's xp
    got = adc.grad(recurse, backend="array_api")(xs.asarray(x), xs.asarray(3))
    want = adc.grad(recurse)(x, np.asarray(3))
    np.testing.assert_allclose(np.from_dlpack(got), want, rtol=1e-12)


SCALES = np.array([0.5, -0.2, 1.5])
TABLE = (np.array([0.3, 0.1, -0.4]), np.array([1.0, 2.0, 0.5]))


def reads_numpy_globals(x):
    total = np.sum(np.tanh(x * SCALES))
    for row in TABLE:
        total = total + np.sum(x * row)
    return total


def test_numpy_arrays_read_from_globals_join_the_arguments_library():
    """A NumPy array a function reads from a global (or a tuple of them) meets
    array-api-strict arguments: it is moved into their library, not mixed with them."""
    x = xs.asarray([0.4, -0.9, 0.2])
    grad = adc.grad(reads_numpy_globals, backend="array_api")(x)
    assert isinstance(grad, type(x))
    x64 = np.asarray(x)
    want = (1.0 - np.tanh(x64 * SCALES) ** 2) * SCALES + TABLE[0] + TABLE[1]
    np.testing.assert_allclose(np.asarray(grad), want, rtol=1e-12)

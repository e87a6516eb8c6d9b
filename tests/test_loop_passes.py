"""The loop passes: a matrix a loop multiplies by transposed is copied into row-major
order once, before the loop (``opt/layout.py``); a loop's products of its step's row
and an unchanging matrix are made for all rows before it (``opt/hoisting.py``); a
loop's running sum of its rows' cotangents adds each in place (``opt/scatters.py``), and
its writes into rows of an array it owns are made in place (``opt/row_writes.py``).
Where each applies, where not, and that values and derivatives hold."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

RNG = np.random.default_rng(7)
XS, W = RNG.normal(size=(4, 3, 5)), RNG.normal(size=(5, 5)) * 0.4


def rnn(xs, w):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t])
    return np.sum(h ** 2)


def transposed_in_the_forward_loop(xs, w):
    h = xs[0]
    for t in range(xs.shape[0]):
        h = np.sin(h @ w.T) + xs[t]
    return np.sum(h)


def swapped_in_the_forward_loop(xs, w):
    h = xs[0]
    for t in range(xs.shape[0]):
        h = np.sin(h @ np.swapaxes(w, 0, 1)) + xs[t]
    return np.sum(h)


def nested_loops(xs, w):
    h = xs[0]
    for _ in range(2):
        for t in range(xs.shape[0]):
            h = np.tanh(h @ np.transpose(w) + xs[t])
    return np.sum(h ** 2)


def _code(fn, *args):
    lines = adc.gradient_source(fn, 1, args=args).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("fn, copy", [
    (rnn, "w_t = np.array(w.T, order='C')"),
    (transposed_in_the_forward_loop, "w_t = np.array(w.T, order='C')"),
    (swapped_in_the_forward_loop, "w_t = np.array(np.swapaxes(w, axis1=0, axis2=1), order='C')"),
    (nested_loops, "w_t = np.array(w.T, order='C')")])
def test_a_loop_multiplies_by_a_row_major_copy_made_before_it(fn, copy):
    code = _code(fn, XS, W)
    assert copy in code, code
    assert "@ w_t" in code and "@ w.T" not in code, code
    first_loop_using_it = code.index("for ", code.index(copy))
    assert code.index(copy) < first_loop_using_it
    adc.check_grads(fn, XS, W)


@pytest.mark.parametrize("fn", [rnn, transposed_in_the_forward_loop])
def test_second_derivatives_through_a_row_major_copy(fn):
    """Fuzz seed 140757: grad of grad differentiates the gradient's copy of ``w.T``
    (``order='C'``), whose rule took no ``order`` (an internal error)."""
    adc.check_grads(fn, XS, W, order=2)


def _runs_once(xs, w):
    h = xs[0]
    for t in range(1):
        h = np.tanh(h @ w.T + xs[t])
    return np.sum(h)


def _transposed_on_the_left(xs, w):
    h = xs[0].T
    for t in range(xs.shape[0]):
        h = np.tanh(w.T @ h + xs[t].T)
    return np.sum(h)


def _integer_matrix(xs, w):
    m = np.arange(25).reshape(5, 5)
    h = xs[0] * np.sum(w)
    for t in range(xs.shape[0]):
        h = np.tanh(h + (xs[t] > 0) @ m.T)
    return np.sum(h)


def _made_in_the_loop(xs, w):
    h = xs[0]
    for t in range(xs.shape[0]):
        v = w * (t + 1.0)
        h = np.tanh(h @ v.T + xs[t])
    return np.sum(h)


@pytest.mark.parametrize("fn", [_runs_once, _transposed_on_the_left, _integer_matrix,
                                _made_in_the_loop])
def test_no_copy_where_it_saves_nothing(fn):
    """A loop that runs once, a left operand (BLAS reads it in either order), integers
    (no BLAS) and a matrix the loop makes itself are multiplied as written."""
    code = _code(fn, XS, W)
    assert "order='C'" not in code, code
    adc.check_grads(fn, XS, W)


@pytest.mark.parametrize("backend", ["array_api", "dask"])
def test_backends_without_a_memory_order_multiply_as_written(backend):
    """Lazy and standard arrays have no layout to choose (and the array API standard no
    ``order=``): their code keeps the transpose."""
    pytest.importorskip("dask" if backend == "dask" else "array_api_compat")
    code = adc.gradient_source(rnn, 1, args=(XS, W), backend=backend)
    assert "order=" not in code and "@ w_t" not in code, code
    assert "g_add @ w.T" in code or "g_add @ transpose(w)" in code, code


# ---------------------------------------------------------------------------- hoisting

U = RNG.normal(size=(5, 5)) * 0.4


def input_projection(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in range(xs.shape[0]):
        h = np.tanh(h * 0.5 + xs[t] @ u)
    return np.sum(h ** 2)


def dot_of_vector_rows(xs, u):
    rows = xs[:, 0, :]
    h = np.zeros(u.shape[1])
    for t in range(rows.shape[0]):
        h = np.sin(h + np.dot(rows[t], u))
    return np.sum(h)


def backwards_over_the_rows(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in reversed(range(xs.shape[0])):
        h = np.tanh(h + xs[t] @ u) * 0.9
    return np.sum(h ** 2)


@pytest.mark.parametrize("fn, stacked", [(input_projection, "xs_u = xs @ u"),
                                         (dot_of_vector_rows, "rows @ u"),
                                         (backwards_over_the_rows, "xs_u = xs @ u")])
def test_a_loops_row_products_are_made_before_it(fn, stacked):
    code = adc.gradient_source(fn, 0, args=(XS, U))
    assert stacked in code, code
    assert code.index(stacked) < code.index("for "), code
    adc.check_grads(fn, XS, U)


def _part_of_the_rows(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in range(2):
        h = np.tanh(h + xs[t] @ u)
    return np.sum(h)


def _weights_that_change(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in range(xs.shape[0]):
        u = u * 0.9
        h = np.tanh(h + xs[t] @ u)
    return np.sum(h)


def _in_a_branch(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in range(xs.shape[0]):
        if np.sum(h) > 0.5:
            h = h + xs[t] @ u
        h = np.tanh(h + 0.1)
    return np.sum(h)


def _state_times_rows(xs, u):
    h = np.ones((xs.shape[1], xs.shape[2]))
    for t in range(xs.shape[0]):
        h = np.tanh(h + h[:, :3] @ xs[t])
    return np.sum(h)


@pytest.mark.parametrize("fn", [_part_of_the_rows, _weights_that_change, _in_a_branch,
                                _state_times_rows])
def test_row_products_that_do_not_qualify_stay_in_the_loop(fn):
    """A loop over some rows only (the product of all would be wasted), weights that
    change, a product in a branch (not every step makes it), the state times a row."""
    code = adc.gradient_source(fn, 0, args=(XS, U))
    assert "xs_u" not in code and "= xs @ " not in code, code
    adc.check_grads(fn, XS, U)


def test_products_too_large_to_hold_for_every_step_stay_in_the_loop(monkeypatch):
    from autodiff_compiler.opt import hoisting

    def projection(xs, u):  # compiled afresh (input_projection's code is cached)
        h = np.zeros((xs.shape[1], u.shape[1]))
        for t in range(xs.shape[0]):
            h = np.tanh(h + xs[t] @ u)
        return np.sum(h)

    monkeypatch.setattr(hoisting, "LIMIT", XS.shape[0] * 3 * 5 * 8 - 1)  # one byte short
    assert "xs_u" not in adc.gradient_source(projection, 0, args=(XS, U))


# ---------------------------------------------------------------------------- running sums
# A loop that reads xs[t] sums the rows' cotangents into the cotangent of xs: in place,
# acc[t] += g, where it was an array of zeros the size of xs made, filled and added at
# every step (a cost quadratic in the length of the sequence).


@pytest.mark.parametrize("fn", [input_projection, backwards_over_the_rows])
def test_a_loops_row_cotangents_are_added_in_place(fn):
    code = adc.gradient_source(fn, 0, args=(XS, U))
    adjoint_loop = code[code.index("    for t in reversed"):]
    assert "g_xs[t] += " in adjoint_loop or "g_xs[t_1] += " in adjoint_loop, code
    assert "zeros_like(xs)" not in adjoint_loop, code
    adc.check_grads(fn, XS, U)


def _window(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in range(xs.shape[0] - 1):
        h = np.tanh(h + np.sum(xs[t:t + 2], axis=0) @ u)
    return np.sum(h)


def _rows_picked(xs, u):
    h = np.zeros((xs.shape[1], u.shape[1]))
    for t in range(xs.shape[0]):
        h = np.tanh(h + np.sum(xs[[0, t]], axis=0) @ u)
    return np.sum(h)


@pytest.mark.parametrize("fn", [_window, _rows_picked])
def test_indices_that_may_repeat_an_entry_or_are_not_one_integer_keep_their_sums(fn):
    """A slice computed at run time and an array of positions (which may name an entry
    twice) keep the scatter into zeros: their derivatives are right either way."""
    code = adc.gradient_source(fn, 0, args=(XS, U))
    assert "g_xs[t] += " not in code, code
    adc.check_grads(fn, XS, U)


@pytest.mark.parametrize("written, copy, row", [("index_add_into", "index_add(", [2.0, 3.0]),
                                                ("index_update_into", "index_update(",
                                                 [1.0, 2.0])])
def test_a_write_in_place_whose_old_array_is_read_after_it_writes_into_a_copy(written, copy,
                                                                             row):
    """Where the old array is read after the write (never in the compiler's own running
    sums, nor where opt.row_writes proved it is not, but the code generator must not
    assume it), the write goes into a copy: ``acc[1] += v`` or ``y[1] = v``."""
    from autodiff_compiler.backends.numpy import BACKEND
    from autodiff_compiler.backends.python import codegen
    from autodiff_compiler.ir import primitives as P
    from autodiff_compiler.ir.builder import building
    from autodiff_compiler.ir.core import Aval, Function, Var
    from autodiff_compiler.pipeline import compiler

    f64 = np.dtype(np.float64)
    y, v = Var(Aval((3, 2), f64), "y"), Var(Aval((2,), f64), "v")
    with building() as b:
        start = P.copy(y)
        after = getattr(P, written)(start, 1, v)
    fn = Function("p", (y, v), tuple(b.eqns), (start, after))
    source = codegen.generate(fn, backend=BACKEND)
    assert copy in str(source), source
    old, new = compiler._load(fn.name, source, BACKEND)(np.ones((3, 2)), np.array([1.0, 2.0]))
    np.testing.assert_array_equal(old, np.ones((3, 2)))
    np.testing.assert_array_equal(new, [[1.0, 1.0], row, [1.0, 1.0]])


# ---------------------------------------------------------------------------- row writes
# A loop writing rows of an array it made (y[t] = h) writes each row in place, forward
# and in the adjoint (which zeroes the row's cotangent), where it copied the whole array
# at every step (quadratic in the length of the sequence). Where the array is not the
# loop's alone, or the old array is still seen after a write, it copies.

H0 = RNG.normal(size=5)


def _filled(h, w):
    y = np.zeros((6, h.shape[0]))
    for t in range(y.shape[0]):
        h = np.tanh(h @ w)
        y[t] = h
    return np.sum(y ** 2)


def _from_the_row_before(h, w):
    y = np.zeros((6, h.shape[0]))
    y[0] = h
    for t in range(1, y.shape[0]):
        y[t] = np.tanh(y[t - 1] @ w)  # a view of the row before, read before the write
    return np.sum(np.sin(y))


def _added_to(h, w):
    y = np.outer(np.ones(6), h) * 1.0
    for t in range(y.shape[0]):
        y[t] += np.sin(h @ w) * t
    return np.sum(y ** 2)


def _row_replaced_by_a_function_of_itself(h, w):
    y = np.outer(np.linspace(0.5, 1.0, 6), h) * 1.0
    for t in range(y.shape[0]):
        y[t] = np.sin(y[t] @ w)  # the tape keeps the row as it was: copied before the write
    return np.sum(y ** 2)


@pytest.mark.parametrize("fn", [_filled, _from_the_row_before, _added_to,
                                _row_replaced_by_a_function_of_itself])
def test_a_loop_writes_the_rows_of_its_own_array_in_place(fn):
    code = _code(fn, H0, W)
    forward_loop = code[code.index("for t in range("):code.index("for t in reversed")]
    assert "y[t] = " in forward_loop and "index_update(" not in forward_loop, code
    adc.check_grads(fn, H0, W)


def test_the_adjoint_zeroes_a_written_rows_cotangent_in_place():
    code = _code(_filled, H0, W)
    adjoint_loop = code[code.index("for t in reversed"):]
    assert "g_y[t] = 0" in adjoint_loop and "index_update(" not in adjoint_loop, code


def test_the_adjoint_of_a_row_added_to_leaves_its_cotangent_as_it_is():
    """``y[t] += v``: the row's cotangent zeroed and then added back is no write."""
    code = _code(_added_to, H0, W)
    adjoint_loop = code[code.index("for t in reversed"):]
    assert "g_y[t] =" not in adjoint_loop and "g_y[t] +=" not in adjoint_loop, code
    assert "index_" not in adjoint_loop, code


def _read_before_the_loop(h, w):
    y = np.zeros((5, h.shape[0]))
    for t in range(y.shape[0]):
        y[t] = np.tanh(h @ w) * (t + 1)
    y[0, :2] += h[:2] * 2.0  # in the adjoint, g_y[0, :2] is read before its loop
    return np.sum(y ** 2)


def _view_read_after_the_loop(h, w):
    y = np.zeros((5, h.shape[0]))
    for t in range(y.shape[0]):
        y[t] = np.tanh(h @ w) * (t + 1)
    y[0, :2] += h[:2]  # in the adjoint, the view g_y[0, :2] is h's gradient, after its loop
    return np.sum(y ** 2)


@pytest.mark.parametrize("fn, in_place", [(_read_before_the_loop, True),
                                          (_view_read_after_the_loop, False)])
def test_an_array_read_before_the_loop_is_the_loops_from_then_on(fn, in_place):
    """The adjoint's ``g_y`` is read (``g_y[0, :2] * 2.0``) before the loop that zeroes
    its rows: that read is done with it, so the rows are zeroed in place; a view of it
    read after the loop would see the zeros, so there the loop copies."""
    code = adc.gradient_source(fn, (0, 1), args=(H0, W))
    adjoint_loop = code[code.index("for t in reversed"):]
    assert ("g_y[t] = 0" in adjoint_loop) is in_place, code
    assert ("index_update(" in adjoint_loop) is not in_place, code
    adc.check_grads(fn, H0, W)


def _read_in_a_branch(h, w):
    y = np.zeros((4, h.shape[0]))
    for t in range(y.shape[0]):
        s = np.sum(y) * 0.1 if np.sum(h) > 0.0 else 0.5  # a region reads the array
        y[t] = np.tanh(h @ w * s + t)
    return np.sum(y ** 2)


def test_a_branch_reading_the_array_keeps_the_loops_writes_copies():
    """Fuzz seed 90332: where a region read the array, the pass reached for a position
    it had not found (``TypeError`` inside the compiler)."""
    code = _code(_read_in_a_branch, H0, W)
    assert "index_update(" in code[code.index("for t in range("):], code
    adc.check_grads(_read_in_a_branch, H0, W)


def _rows_of_the_argument(y, w):
    for t in range(y.shape[0]):
        y[t] = np.tanh(y[t] @ w)
    return np.sum(y ** 2)


def test_the_rows_of_an_argument_are_written_into_a_copy():
    """The caller's array is never written (NumPy would write it, so the differences
    below are taken of copies)."""
    fn, args = _rows_of_the_argument, (XS[0] * 0.5, W)
    before = [a.copy() for a in args]
    code = _code(fn, *args)
    assert "index_update(" in code[code.index("for t in range("):], code
    grads = adc.grad(fn, (0, 1))(*args)
    for a, b in zip(args, before):
        np.testing.assert_array_equal(a, b)
    for k, g in enumerate(grads):
        def moved(value, k=k):
            return fn(*[value.copy() if j == k else a.copy() for j, a in enumerate(args)])
        np.testing.assert_allclose(g, central_differences(moved, args[k]), rtol=1e-6,
                                   atol=1e-9)


def _recurrence(x):
    b = np.zeros((4, 2))
    for t in range(4):
        b[t] = np.tanh(b[t - 1] * 0.5 + np.sum(x) * x[:2])
    return np.sum(b ** 2)


def _rows_of_a_product(x):
    b = np.outer(x, x[:2]) + 0.1
    for t in range(3):
        b[t] = np.sin(b[t] * b[t - 1])
    return np.sum(b ** 2)


def _filled_of_one(x):
    return _filled(x[:2] * 1.0 + x[2], np.outer(x[:2], x[:2]) * 0.3)


@pytest.mark.parametrize("fn", [_recurrence, _rows_of_a_product, _filled_of_one])
def test_second_derivatives_through_rows_written_in_place(fn):
    """Fuzz seed 84485: the gradient, inlined into grad of grad, kept its writes in place,
    proven safe for it alone; the outer gradient's tape then kept a view of an array
    written afterwards. An inlined program is transformed as the pure program it is."""
    adc.check_grads(fn, np.array([0.3, -0.4, 0.5]), order=2)



def test_the_numba_backend_writes_rows_in_place_too():
    pytest.importorskip("numba")
    want = adc.grad(_filled, (0, 1))(H0, W)
    got = adc.grad(_filled, (0, 1), backend="numba")(H0, W)
    for a, b in zip(got, want):
        np.testing.assert_allclose(a, b, rtol=1e-12)

"""``opt/loop_sums.py``: a loop's running sum of small products (``acc += outer(x[t],
g_t)``, the adjoint of a per-example RNN's ``x[t] @ w``) is one product of the steps'
stacked operands after the loop. Where it applies, where not, and that values and
derivatives (first and second order, batched, other backends) hold."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as adc

RNG = np.random.default_rng(11)
XS, W, U = RNG.normal(size=(6, 3)), RNG.normal(size=(3, 4)) * 0.5, RNG.normal(size=(4, 4)) * 0.4


def per_example_rnn(xs, w, u):
    h = np.zeros(w.shape[1])
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ w + h @ u)
    return np.sum(h ** 2)


def read_backwards(xs, w, u):
    h = np.zeros(w.shape[1])
    for t in reversed(range(xs.shape[0])):
        h = np.tanh(xs[t] @ w + np.dot(h, u))
    return np.sum(np.sin(h))


def batched_rows(xs, w, u):
    h = np.zeros((2, w.shape[1]))
    for t in range(xs.shape[0]):
        h = np.tanh(np.outer(np.array([1.0, -0.5]), xs[t]) @ w + h @ u)
    return np.sum(h ** 2)


def users_own_sum(xs, w, u):
    acc = u * 1.0  # starts from a value, not zeros: added to the stacked product
    for t in range(xs.shape[0]):
        acc = acc + np.outer(np.tanh(xs[t] @ w), np.sin(xs[t] @ w))
    return np.sum(acc ** 2)


def transposed_operands(xs, w, u):
    acc = np.zeros((4, 4))
    for t in range(xs.shape[0]):
        a = np.outer(xs[t], xs[t]) @ w  # 3 x 4
        acc = acc + a.T @ np.tanh(a)
    return np.sum(acc * u)


def _code(fn, *args, position=(1, 2)):
    lines = adc.gradient_source(fn, position, args=args).splitlines()
    return "\n".join(line for line in lines if not line.lstrip().startswith("#"))


@pytest.mark.parametrize("fn", [per_example_rnn, read_backwards, batched_rows,
                                users_own_sum, transposed_operands])
def test_a_loops_sum_of_products_is_one_product_after_it(fn):
    assert "np.tensordot(" in _code(fn, XS, W, U)
    grads = adc.grad(fn, (0, 1, 2))(XS, W, U)
    for position, (got, base) in enumerate(zip(grads, (XS, W, U))):
        def moved(value, position=position):
            args = [XS, W, U]
            args[position] = value
            return fn(*args)
        np.testing.assert_allclose(got, central_differences(moved, base), rtol=1e-6,
                                   atol=1e-8)


def test_the_per_example_rnn_records_its_steps_and_multiplies_once():
    code = _code(per_example_rnn, XS, W, U)
    adjoint = code[code.index("for t in reversed"):]
    loop, after = adjoint.split("np.tensordot(", 1)
    assert "np.multiply.outer" not in loop and "+= " not in loop, code
    assert "np.tensordot(xs, " in code, code  # xs stacks its rows already: read as it is
    assert after.count("np.tensordot(") == 1, code  # w's and u's: two products in all


def _large_rows(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[1]))  # a step records 32 x 16 floats twice: 8 KiB
    for t in range(xs.shape[0]):
        h = np.tanh(xs[t] @ w + h @ u)
    return np.sum(h ** 2)


# Below, each step's sum is of a vector (not a matrix product), or read otherwise: ``w``
# is used outside the loop alone, so the loop holds no other sum that would qualify.
def _sum_read_in_the_loop(xs, w, u):
    acc, s, v = np.zeros((3, 4)), 0.0, np.tanh(w[0])
    for t in range(xs.shape[0]):
        acc = acc + np.outer(xs[t], v)
        s = s + np.sum(acc)  # the running value itself is read at every step
    return s + np.sum(u)


def _product_read_twice(xs, w, u):
    acc, v = np.zeros((3, 4)), np.tanh(w[0])
    for t in range(xs.shape[0]):
        p = np.outer(xs[t], v)
        acc = acc + p * 1.0 + p
    return np.sum(acc ** 2) + np.sum(u)


def _while(xs, w, u):
    acc, t, v = np.zeros((3, 4)), 0, np.tanh(w[0])
    while t < xs.shape[0]:
        acc = acc + np.outer(xs[t], v)
        t += 1
    return np.sum(acc ** 2) + np.sum(u)


def _integers(xs, w, u):
    acc = np.zeros((3, 3), dtype=np.int64)
    for t in range(xs.shape[0]):
        acc = acc + np.outer(np.arange(3), np.arange(3) * t)
    return np.sum(w) * np.sum(acc) + np.sum(u)


@pytest.mark.parametrize("fn", [_sum_read_in_the_loop, _product_read_twice, _while,
                                _integers])
def test_sums_that_do_not_qualify_stay_in_the_loop(fn):
    assert "np.tensordot(" not in _code(fn, XS, W, U)
    adc.check_grads(fn, XS, W, U)


def test_rows_too_large_for_their_copies_to_pay_stay_in_the_loop(monkeypatch):
    args = RNG.normal(size=(6, 32, 3)), RNG.normal(size=(3, 16)), RNG.normal(size=(16, 16))
    assert "np.tensordot(" not in _code(_large_rows, *args)
    import autodiff_compiler.opt.loop_sums as loop_sums
    monkeypatch.setattr(loop_sums, "ROW_BYTES", 1 << 16)
    assert "np.tensordot(" in _code(_large_rows, args[0][:5], *args[1:])  # a new compile


def test_second_derivatives_and_batches_through_the_stacked_products():
    adc.check_grads(per_example_rnn, XS, W, U, order=2)
    batched = adc.vmap(adc.grad(per_example_rnn, (1, 2)), in_axes=(None, 0, None))
    ws = np.stack([W, W * 0.5])
    got = batched(XS, ws, U)
    for k in range(2):
        want = adc.grad(per_example_rnn, (1, 2))(XS, ws[k], U)
        for a, b in zip(got, want):
            np.testing.assert_allclose(a[k], b, rtol=1e-12)


@pytest.mark.parametrize("backend", ["numba", "array_api", "dask"])
def test_other_backends_give_the_same_gradient(backend):
    pytest.importorskip({"array_api": "numpy", "numba": "numba", "dask": "dask"}[backend])
    want = adc.grad(per_example_rnn, (1, 2))(XS, W, U)
    got = adc.grad(per_example_rnn, (1, 2), backend=backend)(XS, W, U)
    for a, b in zip(got, want):
        np.testing.assert_allclose(np.asarray(a), b, rtol=1e-12)

"""vmap: axes as MindSpore and JAX read them, control flow, and compositions with grad,
vmap itself and the Jacobians, each against a Python loop over the examples (and
finite differences where a derivative is taken)."""
import collections
import functools
import warnings

import control_cases as cases
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler import nn, ops

RNG = np.random.default_rng(17)


def uniform(*shape):
    return RNG.uniform(-1.0, 1.0, shape)


def loop(fn, batch, in_axes):
    """``fn`` on each example: the answer vmap must give, stacked along axis 0."""
    size = next(np.shape(a)[ax] for a, ax in zip(batch, in_axes) if ax is not None)
    outs = [fn(*(a if ax is None else np.take(a, i, axis=ax)
                 for a, ax in zip(batch, in_axes))) for i in range(size)]
    if isinstance(outs[0], tuple):
        return tuple(np.stack([o[k] for o in outs]) for k in range(len(outs[0])))
    return np.stack(outs)


def assert_close(got, want, rtol=1e-10, atol=1e-12):
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_close(g, w, rtol, atol)
        return
    assert np.shape(got) == np.shape(want)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------- axes


def affine(x, w, b):
    return np.tanh(x @ w + b), np.sum(x ** 2)


def test_in_axes_none_and_tuple():
    x, w, b = uniform(5, 3), uniform(3, 2), uniform(2)
    got = adc.vmap(affine, in_axes=(0, None, None))(x, w, b)
    assert_close(got, loop(affine, (x, w, b), (0, None, None)))


def test_in_axes_not_first_and_negative():
    x, w, b = uniform(3, 5), uniform(3, 2), uniform(5, 2)
    got = adc.vmap(affine, in_axes=(1, None, 0))(x, w, b)
    assert_close(got, loop(affine, (x, w, b), (1, None, 0)))
    assert_close(adc.vmap(affine, in_axes=[-1, None, -2])(x, w, b), got)


def test_out_axes_per_output_and_not_first():
    x, w, b = uniform(5, 3), uniform(3, 2), uniform(2)
    first, second = loop(affine, (x, w, b), (0, None, None))
    got = adc.vmap(affine, in_axes=(0, None, None), out_axes=(1, 0))(x, w, b)
    assert_close(got, (first.T, second))
    got = adc.vmap(affine, in_axes=(0, None, None), out_axes=-1)(x, w, b)
    assert_close(got, (first.T, second))


def test_out_axes_none_for_an_unbatched_output():
    def scaled(x, w):
        return x * np.sum(w), np.sum(w ** 2)

    x, w = uniform(4, 3), uniform(3)
    values, total = adc.vmap(scaled, in_axes=(0, None), out_axes=(0, None))(x, w)
    assert_close(values, x * np.sum(w))
    assert np.shape(total) == () and total == pytest.approx(np.sum(w ** 2))
    # an unbatched output with an axis is broadcast along the batch
    values, totals = adc.vmap(scaled, in_axes=(0, None))(x, w)
    assert_close(totals, np.full(4, np.sum(w ** 2)))


def test_zero_dimensional_examples_and_broadcasting():
    def f(s, v):
        return np.sin(s) * v + s ** 2

    s, v = uniform(6), uniform(6, 1, 3)
    assert_close(adc.vmap(f)(s, v), loop(f, (s, v), (0, 0)))
    assert_close(adc.vmap(f, in_axes=(0, None))(s, v[0]), loop(f, (s, v[0]), (0, None)))


def test_pytree_argument_with_nested_in_axes():
    def model(params, x):
        return np.tanh(x @ params["w"] + params["b"])

    params = {"w": uniform(3, 2), "b": uniform(5, 2)}
    x = uniform(5, 3)
    got = adc.vmap(model, in_axes=({"w": None, "b": 0}, 0))(params, x)
    want = np.stack([model({"w": params["w"], "b": params["b"][i]}, x[i]) for i in range(5)])
    assert_close(got, want)


class Layer(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = adc.Parameter(uniform(3, 2), name="w")

    def construct(self, x):
        return np.tanh(x @ self.w)


def test_cell_with_parameters_and_weight_gradients_through_vmap():
    net, x = Layer(), uniform(4, 3)
    assert_close(adc.vmap(net)(x), np.tanh(x @ np.asarray(net.w)))
    batched = adc.grad(lambda x: np.sum(adc.vmap(net)(x) ** 2), grad_position=None,
                       weights=net.w)(x)
    whole = adc.grad(lambda x: np.sum(net(x) ** 2), grad_position=None, weights=net.w)(x)
    assert_close(batched, whole)


def test_mindspore_spellings_resolve_to_vmap():
    import autodiff_compiler as mindspore
    assert mindspore.vmap is adc.vmap and ops.vmap is adc.vmap


def _scaled_dot(p, n, x):
    return np.sum(p * x) * n


def _vmapped_partial_given_n_twice(p, xs):  # partial's n=2 makes n and x keyword-only
    return np.sum(adc.vmap(functools.partial(_scaled_dot, n=2), in_axes=(None, 0))(p, xs))


@pytest.mark.parametrize("call, error, message", [
    (lambda: adc.vmap(affine, in_axes=(0, None, None))(uniform(5, 3), uniform(3, 2),
                                                      uniform(2))[0], None, None),
    (lambda: adc.vmap(np.add)(uniform(4), uniform(5)), ValueError, "different batch sizes"),
    (lambda: adc.vmap(affine, in_axes=(0, None))(uniform(5, 3), uniform(3, 2), uniform(2)),
     ValueError, "2 entries but"),
    (lambda: adc.vmap(affine, in_axes="0"), TypeError, "in_axes must be"),
    (lambda: adc.vmap(affine, in_axes=(3, None, None))(uniform(5, 3), uniform(3, 2),
                                                      uniform(2)), ValueError, "out of range"),
    (lambda: adc.vmap(affine, in_axes=None)(uniform(5, 3), uniform(3, 2), uniform(2)),
     ValueError, "at least one batched argument"),
    (lambda: adc.vmap(affine, in_axes=(0, None, None), out_axes=(0, None))(
        uniform(5, 3), uniform(3, 2), uniform(2)), ValueError, "depends on the batched"),
    (lambda: adc.grad(_vmapped_partial_given_n_twice)(uniform(3), uniform(2, 3)), TypeError,
     "cannot take these arguments: too many positional"),
], ids=["fine", "sizes", "in-axes-count", "in-axes-type", "axis-range", "nothing-batched",
        "out-axes-none", "partial-bound-keyword-given-by-position"])
def test_bad_axes_raise_located_errors(call, error, message):
    if error is None:
        call()
        return
    with pytest.raises(adc.AutodiffError, match=message) as info:
        call()
    assert isinstance(info.value, error)
    assert "test_vmap.py:" in str(info.value)


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=0, max_size=3),
       size=st.integers(1, 4), data=st.data())
def test_random_shapes_and_axes(shape, size, data):
    axis = data.draw(st.integers(0, len(shape)))
    per_example = tuple(shape)
    x = np.moveaxis(RNG.normal(size=(size, *per_example)), 0, axis)
    y = RNG.normal(size=per_example[-1:] if per_example else ())

    def f(x, y):
        return np.exp(np.sin(x) * y) + np.sum(x * x) * np.mean(np.cos(x))

    assert_close(adc.vmap(f, in_axes=(axis, None))(x, y), loop(f, (x, y), (axis, None)))


# ---------------------------------------------------------------------------- control flow


def if_on_value(x):
    if np.sum(x) > 0:  # noqa: SIM108 (an if statement is what is under test)
        y = np.sin(x) * 2.0
    else:
        y = x ** 2
    return y


def branch_on_a_python_number(x):
    if float(x) > 0.0:  # a number picking the branch: no gradient goes through float()
        return x * np.tanh(x)
    return -x


def while_data_dependent(x):
    s = np.sum(x ** 2)
    n = 0
    while s < 10.0:
        s = s * 1.5 + 0.1
        n = n + 1
    return s * n + x


CONTROL = [  # (function, batch, in_axes): per-example values vary the path taken
    (if_on_value, (uniform(6, 3),), (0,)),
    (branch_on_a_python_number, (uniform(6),), (0,)),
    (cases.branch, (uniform(6, 4),), (0,)),
    (cases.elif_chain, (uniform(6, 3) * 2,), (0,)),
    (cases.early_return, (uniform(6, 3),), (0,)),
    (cases.conditional_expression, (uniform(6, 3),), (0,)),
    (cases.loop_range, (uniform(6, 3), uniform(3)), (0, None)),
    (cases.loop_rows, (uniform(6, 4, 3), uniform(3)), (0, None)),
    (cases.nested_loops, (uniform(6, 3),), (0,)),
    (cases.while_loop, (uniform(6, 3) * 0.3,), (0,)),
    (while_data_dependent, (uniform(6, 3),), (0,)),
    (cases.break_and_continue, (uniform(6, 2, 2),), (0,)),
    (cases.break_on_data_behind_a_check, (uniform(6, 3) * 2,), (0,)),
    (cases.converge, (uniform(6, 3) * 2,), (0,)),
    (cases.grow_in_steps_until_large, (uniform(6, 2) * 1.5,), (0,)),
    (cases.while_with_break, (uniform(6, 3) + 1.0,), (0,)),
    (cases.while_rnn, (uniform(6, 3), uniform(3)), (0, None)),
    (cases.rnn, (uniform(6, 3, 2, 4), uniform(5, 5) * 0.5, uniform(4, 5) * 0.5),
     (0, None, None)),
    (cases.loop_in_branch_in_helper, (uniform(6, 3),), (0,)),
    (cases.fills_a_buffer, (uniform(6, 3),), (0,)),
]
CONTROL_IDS = [f"{c[0].__name__}-{i}" for i, c in enumerate(CONTROL)]
# A return inside a loop on a condition that differs between examples: the value is
# computed example by example (its result is None until an example returns), and its
# derivatives are refused rather than guessed.
RETURN_IN_LOOP = [(cases.first_large, (uniform(6, 4, 3),), (0,))]


@pytest.mark.parametrize("fn, batch, in_axes", CONTROL + RETURN_IN_LOOP,
                         ids=[*CONTROL_IDS, "first_large"])
def test_control_flow_values(fn, batch, in_axes):
    assert_close(adc.vmap(fn, in_axes=in_axes)(*batch), loop(fn, batch, in_axes))


@pytest.mark.parametrize("fn, batch, in_axes", CONTROL, ids=CONTROL_IDS)
def test_vmap_of_grad_through_control_flow(fn, batch, in_axes):
    def loss(*args):
        return np.sum(fn(*args))

    gradient = adc.grad(loss)
    assert_close(adc.vmap(gradient, in_axes=in_axes)(*batch), loop(gradient, batch, in_axes))


@pytest.mark.parametrize("fn, batch, in_axes", CONTROL, ids=CONTROL_IDS)
def test_grad_of_vmap_through_control_flow(fn, batch, in_axes):
    def total(*args):
        return np.sum(adc.vmap(fn, in_axes=in_axes)(*args))

    positions = tuple(range(len(batch)))
    per_example = loop(adc.grad(lambda *a: np.sum(fn(*a)), grad_position=positions), batch,
                       in_axes)
    # a batched argument gets each example's gradient; a shared one, their sum
    per_example = per_example if len(batch) > 1 else (per_example,)
    want = tuple(g if ax is not None else np.sum(g, axis=0)
                 for g, ax in zip(per_example, in_axes))
    got = adc.grad(total, grad_position=positions)(*batch)
    assert_close(got if len(batch) > 1 else (got,), want)


def test_derivatives_of_a_return_in_a_loop_on_batched_conditions():
    """Per-example gradients of a function returning inside a loop, on a condition
    that differs between examples, and the gradient of its batched form: refused while
    the result stood in as None before a ``return`` ran (the branch's record was no
    array on one path)."""
    fn, (batch,), _ = RETURN_IN_LOOP[0]
    per_example = loop(adc.grad(fn), (batch,), (0,))
    assert_close(adc.vmap(adc.grad(fn))(batch), per_example)
    assert_close(adc.grad(lambda xs: np.sum(adc.vmap(fn)(xs)))(batch), per_example)


def test_assertion_holds_for_every_example():
    def checked(x):
        assert np.all(x > -2.0), "out of range"
        return np.sin(x)

    x = uniform(4, 3)
    assert_close(adc.vmap(checked)(x), np.sin(x))
    x[2, 1] = -5.0
    with pytest.raises(AssertionError, match="out of range"):
        adc.vmap(checked)(x)


def test_vmap_of_vmap():
    def f(x, y):
        return np.sin(x) * y + np.sum(x)

    x, y = uniform(4, 5, 3), uniform(5, 3)
    inner = adc.vmap(f, in_axes=(0, 0))
    got = adc.vmap(inner, in_axes=(0, None))(x, y)
    want = np.stack([np.stack([f(x[i, j], y[j]) for j in range(5)]) for i in range(4)])
    assert_close(got, want)
    got = adc.vmap(adc.vmap(cases.branch))(uniform(2, 3, 4))
    assert got.shape == (2, 3)


# ---------------------------------------------------------------------------- per-sample


def mlp_loss(params, x, y):
    w1, b1, w2, b2 = params
    h = np.tanh(x @ w1 + b1)
    out = h @ w2 + b2
    return np.mean((out - y) ** 2)


def test_per_sample_gradients_are_one_vectorised_program():
    params = (uniform(4, 8), uniform(8), uniform(8, 3), uniform(3))
    x, y = uniform(16, 4), uniform(16, 3)
    per_sample = adc.vmap(adc.grad(mlp_loss), in_axes=(None, 0, 0))
    source = per_sample.source(params, x, y)
    assert "for " not in source and "while " not in source  # no loop over the samples
    got = per_sample(params, x, y)
    want = loop(adc.grad(mlp_loss), (params, x, y), (None, 0, 0))
    assert_close(got, want)
    assert [g.shape for g in got] == [(16, *p.shape) for p in params]


def test_fallback_loop_is_visible_and_right():
    def sorted_rows(x):
        return np.diag(x) @ x  # np.diag has no batching rule

    x = uniform(5, 3)
    vf = adc.vmap(sorted_rows)
    assert "for example in range(5)" in vf.source(x)
    assert_close(vf(x), loop(sorted_rows, (x,), (0,)))


# ---------------------------------------------------------------------------- Jacobians


EPS = 1e-6


def numeric_jacobian(fn, x):
    out = np.asarray(fn(x))
    cols = []
    for k in range(x.size):
        step = np.zeros(x.size)
        step[k] = EPS
        step = step.reshape(x.shape)
        cols.append(((np.asarray(fn(x + step)) - np.asarray(fn(x - step))) / (2 * EPS)).ravel())
    return np.stack(cols, axis=-1).reshape(out.shape + x.shape)


def vector_branch(x):
    if np.sum(x) > 0:
        return np.sin(x) * x[0]
    return x ** 3


def vector_loop(x):
    h = x
    for _ in range(3):
        h = np.tanh(h * 1.5) + x[::-1]
    return h


def vector_while(x):
    h = x
    while np.sum(h ** 2) < 5.0:
        h = h * 1.3 + 0.1
    return h * x


@pytest.mark.parametrize("fn", [vector_branch, vector_loop, vector_while])
@pytest.mark.parametrize("outer, inner", [(adc.jacrev, adc.jacfwd), (adc.jacfwd, adc.jacrev),
                                          (adc.jacrev, adc.jacrev)],
                         ids=["rev-fwd", "fwd-rev", "rev-rev"])
def test_jacobian_of_jacobian_through_control_flow(fn, outer, inner):
    x = uniform(3)
    got = outer(inner(fn))(x)
    assert got.shape == (3, 3, 3)
    np.testing.assert_allclose(got, numeric_jacobian(adc.jacrev(fn), x), rtol=1e-5, atol=1e-6)


def test_jacobian_is_one_program_and_vmaps():
    x = uniform(5, 3)
    jac = adc.jacrev(vector_loop)
    assert "for " in jac.source(x[0])  # the loop of vector_loop itself, once
    assert jac.source(x[0]).count("def ") == 1
    got = adc.vmap(jac)(x)
    assert_close(got, loop(jac, (x,), (0,)))


def _filtered_after_a_loop(x):
    acc = np.zeros((4,))
    steps = 0
    while steps < 3:
        _ = acc * 2.0 if np.mean(np.sin(x)) > 0.05 else acc  # a branch on the batch
        acc = acc + np.tanh(acc)
        steps += 1
    rows = np.max(acc) * np.ones((3, 2))
    return sum([np.sum(np.tanh(r) * r) for r in rows if np.sum(r) < 0.4], 0.5)


def test_an_output_the_batch_does_not_reach_is_broadcast():
    """Found by the fuzzer (seed 5249): an output no batched value reaches, after a
    loop holding a branch on the batch, failed placing its batch axis (an internal
    TypeError); each example gives 0.5."""
    np.testing.assert_array_equal(adc.vmap(_filtered_after_a_loop)(np.ones((3, 4, 2))),
                                  [0.5, 0.5, 0.5])


def log_where_positive(x):
    if x > 0:
        return np.log(x) * x
    return x * 3.0


def index_where_in_range(x, i):
    if i < 3:
        return x[i] * 2.0
    return np.sum(x)


def total_of_vmapped(xs):
    return np.sum(adc.vmap(log_where_positive)(xs))


def test_a_branch_runs_on_the_values_of_an_example_that_takes_it():
    """Under vmap a branch some examples take runs for all of them; those that do not
    take it now run it on a taking example's values, so log(x) of a negative x never
    appears: its NaN had reached their gradient as 0 * nan (grad of a sum of vmap,
    jacrev of vmap), and an index out of range raised."""
    xs = np.array([2.0, -1.0, 0.5])
    want = np.array([np.log(2.0) + 1.0, 3.0, np.log(0.5) + 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no invalid value met on the way
        np.testing.assert_allclose(adc.grad(total_of_vmapped)(xs), want, rtol=1e-12)
        np.testing.assert_allclose(np.diag(adc.jacrev(adc.vmap(log_where_positive))(xs)), want,
                                   rtol=1e-12)
        np.testing.assert_allclose(adc.vmap(adc.grad(log_where_positive))(xs), want, rtol=1e-12)
    rows, idx = np.arange(12.0).reshape(3, 4), np.array([1, 7, 0])
    got = adc.vmap(index_where_in_range)(rows, idx)
    np.testing.assert_allclose(got, [2.0, np.sum(rows[1]), 16.0])


def scaled(x, s=None):
    return x * s


def scaled_by_default(x, s=np.array([1.0, 10.0, 100.0])):  # noqa: B008  (a default array)
    return x * s


def vmapped_with_keyword(xs, s):
    return adc.vmap(scaled)(xs, s=s)


def test_keywords_and_defaults_are_not_batched():
    """As the README says: an argument passed by keyword, or a default, is the same for
    every example. A keyword array as long as the batch was batched along axis 0 (a
    silently different result), and a float keyword was refused."""
    xs, s = np.arange(9.0).reshape(3, 3), np.array([1.0, 10.0, 100.0])
    want = np.stack([scaled(x, s=s) for x in xs])
    np.testing.assert_array_equal(adc.vmap(scaled)(xs, s=s), want)
    np.testing.assert_array_equal(adc.vmap(scaled_by_default)(xs), want)
    np.testing.assert_array_equal(adc.vmap(scaled)(xs, s=2.0), xs * 2.0)
    np.testing.assert_array_equal(vmapped_with_keyword(xs, s), want)  # inside a function
    np.testing.assert_allclose(adc.grad(lambda v: np.sum(vmapped_with_keyword(xs, v)))(s),
                               np.sum(xs, axis=0))


Pair = collections.namedtuple("Pair", ["total", "scaled"])


def pair_of(x):
    return Pair(np.sum(x), x * 2.0)


def sign_and_logdet(x):
    return np.linalg.slogdet(x @ x.T + np.eye(2))


def test_a_namedtuple_result_is_mapped_field_by_field():
    """vmap of a function returning a namedtuple (its own, or slogdet's and eigh's
    results) rebuilt it from a generator: an internal error."""
    xs = np.arange(6.0).reshape(3, 2)
    got = adc.vmap(pair_of)(xs)
    assert type(got) is Pair
    np.testing.assert_array_equal(got.total, xs.sum(axis=1))
    np.testing.assert_array_equal(got.scaled, xs * 2.0)
    mats = np.arange(12.0).reshape(3, 2, 2) / 7.0
    got = adc.vmap(sign_and_logdet)(mats)
    want = [np.linalg.slogdet(m @ m.T + np.eye(2)) for m in mats]
    assert type(got) is type(want[0])
    np.testing.assert_array_equal(got.sign, [w.sign for w in want])
    np.testing.assert_allclose(got.logabsdet, [w.logabsdet for w in want], rtol=1e-12)


def mixed_structure(x, d):
    return {"s": np.sin(x) * d["a"], "t": (np.sum(x), x[0])}


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 50])
def test_chunk_size_runs_the_batch_in_parts_with_the_same_results(chunk_size):
    """torch.func's chunk_size: at most that many examples per run of the program, the
    results joined along each output's axis (and an unbatched one the first part's)."""
    xs, a = uniform(7, 3), uniform(7, 3)
    whole = adc.vmap(mixed_structure, in_axes=(0, {"a": 0}))(xs, {"a": a})
    parts = adc.vmap(mixed_structure, in_axes=(0, {"a": 0}), chunk_size=chunk_size)(
        xs, {"a": a})
    for got, want in [(parts["s"], whole["s"]), (parts["t"][0], whole["t"][0]),
                      (parts["t"][1], whole["t"][1])]:
        np.testing.assert_array_equal(got, want)
    gradient = adc.grad(lambda x: np.sum(np.sin(x) ** 2))
    np.testing.assert_array_equal(
        adc.vmap(gradient, in_axes=1, out_axes=1, chunk_size=chunk_size)(xs.T),
        adc.vmap(gradient, in_axes=1, out_axes=1)(xs.T))
    constant = adc.vmap(lambda x: (np.sum(x), 2.0), out_axes=(0, None), chunk_size=chunk_size)
    np.testing.assert_array_equal(constant(xs)[0], xs.sum(axis=1))
    assert constant(xs)[1] == 2.0


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_chunk_size_must_be_a_positive_int(bad):
    with pytest.raises(ValueError, match="chunk_size must be a positive int"):
        adc.vmap(np.sin, chunk_size=bad)

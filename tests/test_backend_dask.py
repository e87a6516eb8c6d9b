"""The dask backend: lazy gradients computed by a two-process ``LocalCluster``.

Each gradient is checked against the NumPy backend's on the same data (10^6 rows in
8 chunks) to float64 round-off; the graph of a separable loss is checked to read one
chunk of the data per task (a map over chunks and a tree reduction, never the whole
of the data on one worker); calls are checked to compute nothing; what cannot be lazy is
refused at the user's line.
"""
import inspect

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

import autodiff_compiler as adc  # noqa: E402
from autodiff_compiler import AutodiffError, scipy_rules  # noqa: E402
from autodiff_compiler.backends.dask import runtime  # noqa: E402
from autodiff_compiler.backends.dask.spellings import dask_spelling  # noqa: E402
from autodiff_compiler.ir import reference  # noqa: E402
from autodiff_compiler.ir.primitives import REGISTRY  # noqa: E402

N, D, H, CHUNKS = 1_000_000, 10, 8, 8
RTOL = 1e-10


def logreg(w, x, y):
    z = x @ w
    return np.mean(np.logaddexp(0.0, z) - y * z)


def logreg_sigmoid(w, b, x, y):
    p = 1 / (1 + np.exp(-(x @ w + b)))
    return -np.mean(y * np.log(p) + (1 - y) * np.log1p(-p))


def mlp(w1, b1, w2, x, y):
    h = np.tanh(x @ w1 + b1)
    return np.mean((h @ w2 - y) ** 2)


def least_squares(w, x, y):
    r = x @ w - y
    return 0.5 * np.sum(r * r) / x.shape[0]


def rnn(xs, w, u):
    h = np.zeros((xs.shape[1], w.shape[0]))
    for t in range(xs.shape[0]):
        h = np.tanh(h @ w + xs[t] @ u)
    return np.sum(h ** 2)


def reshaped(x):
    return np.sum(np.mean(np.reshape(x, (2, -1)), axis=1) ** 2) + np.sum(np.reshape(x, -1))


def squeezed_log_sum_exp(x):
    return np.squeeze(np.log(np.sum(np.exp(x), keepdims=True)))


def norm_of_a_3d_array(x):
    return np.linalg.norm(x * x) + np.sum(np.linalg.norm(x, keepdims=True))


def _forbid(*args, **kwargs):
    raise AssertionError("something was computed")


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def data(client):
    """NumPy data and the same as dask arrays of 8 row chunks, held by the workers."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, D))
    y = (rng.random(N) < 1 / (1 + np.exp(-x[:, 0]))).astype(np.float64)
    xd = client.persist(da.from_array(x, chunks=(N // CHUNKS, D)))
    yd = client.persist(da.from_array(y, chunks=N // CHUNKS))
    return x, y, xd, yd


def _close(lazy, expected, client):
    got = client.compute(lazy).result() if isinstance(lazy, da.Array) else lazy
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=1e-14)


def test_logistic_regression_matches_numpy(client, data):
    x, y, xd, yd = data
    w = np.random.default_rng(1).standard_normal(D) * 0.1
    with dask.config.set(scheduler=_forbid):  # building the gradient computes nothing
        g = adc.grad(logreg, backend="dask")(w, xd, yd)
    assert isinstance(g, da.Array) and g.shape == (D,)
    _close(g, adc.grad(logreg)(w, x, y), client)


def test_value_and_grad_with_a_python_float(client, data):
    x, y, xd, yd = data
    w, b = np.full(D, 0.05), 0.3
    value, (gw, gb) = adc.value_and_grad(logreg_sigmoid, grad_position=(0, 1),
                                         backend="dask")(w, b, xd, yd)
    v0, (gw0, gb0) = adc.value_and_grad(logreg_sigmoid, grad_position=(0, 1))(w, b, x, y)
    value, gw, gb = client.compute([value, gw, gb], sync=True)
    np.testing.assert_allclose(value, v0, rtol=RTOL)
    np.testing.assert_allclose(gw, gw0, rtol=RTOL)
    np.testing.assert_allclose(gb, gb0, rtol=RTOL)


def test_mlp_loss_matches_numpy(client, data):
    x, y, xd, yd = data
    rng = np.random.default_rng(2)
    w1, b1, w2 = rng.standard_normal((D, H)) / 3, rng.standard_normal(H), rng.standard_normal(H)
    lazy = adc.grad(mlp, grad_position=(0, 1, 2), backend="dask")(w1, b1, w2, xd, yd)
    expected = adc.grad(mlp, grad_position=(0, 1, 2))(w1, b1, w2, x, y)
    for got, want in zip(client.compute(list(lazy), sync=True), expected):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-14)


def test_least_squares_matches_numpy(client, data):
    x, y, xd, yd = data
    w = np.linspace(-1, 1, D)
    _close(adc.grad(least_squares, backend="dask")(w, xd, yd),
           adc.grad(least_squares)(w, x, y), client)


def test_a_for_loop_over_steps_stays_lazy(client):
    """A Python for loop: its gradient compiled (the dask backend had no spelling for
    the loop, asked of it by a check that only concerns expressions) and built lazily."""
    rng = np.random.default_rng(3)
    seq, w, u = rng.normal(size=(6, 40, 3)), rng.normal(size=(5, 5)) * 0.4, rng.normal(size=(3, 5))
    with dask.config.set(scheduler=_forbid):
        lazy = adc.grad(rnn, grad_position=(1, 2), backend="dask")(
            da.from_array(seq, chunks=(6, 10, 3)), w, u)
    for got, want in zip(client.compute(list(lazy), sync=True), adc.grad(rnn, (1, 2))(seq, w, u)):
        np.testing.assert_allclose(got, want, rtol=RTOL)


def test_reshapes_of_any_chunking(client):
    """``np.reshape(x, -1)`` (dask takes tuples only) and a reshape across chunks of one
    element each (dask reshapes only chunks that merge or split evenly): fuzz seeds 8
    and 150 on ``--backend dask``."""
    x = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
    lazy = adc.grad(reshaped, backend="dask")(da.from_array(x, chunks=1))
    np.testing.assert_allclose(client.compute(lazy, sync=True), adc.grad(reshaped)(x),
                               rtol=RTOL)


def test_a_reshape_of_a_numpy_value_is_numpys(client):
    """The seed of a squeezed ``keepdims`` reduction is a NumPy number reshaped to
    ``(1,)``; ``da.reshape`` reads chunks, which it has not."""
    x = np.linspace(0.5, 2.0, 6)
    lazy = adc.grad(squeezed_log_sum_exp, backend="dask")(da.from_array(x, chunks=3))
    np.testing.assert_allclose(client.compute(lazy, sync=True),
                               adc.grad(squeezed_log_sum_exp)(x), rtol=RTOL)


def test_the_norm_of_an_array_of_three_axes(client):
    """``da.linalg.norm`` takes at most two axes: the norm of all values is its own
    (fuzz seed 20054 on ``--backend dask``)."""
    x = np.linspace(-1.0, 1.0, 12).reshape(2, 3, 2)
    lazy = adc.grad(norm_of_a_3d_array, backend="dask")(da.from_array(x, chunks=1))
    np.testing.assert_allclose(client.compute(lazy, sync=True),
                               adc.grad(norm_of_a_3d_array)(x), rtol=RTOL)


def _chunks_read(graph, key, x_keys):
    return {k for k in dask.core.get_dependencies(graph, key) if k in x_keys}


def test_a_separable_loss_maps_over_chunks_then_reduces():
    """No task of the gradient's graph reads more than one chunk of the data (nor rechunks
    it), and every chunk is read: a map over chunks, then a reduction of partials."""
    x = da.random.default_rng(0).standard_normal((4000, 5), chunks=(500, 5))
    y = da.random.default_rng(1).random(4000, chunks=500)
    for fn, args in [(logreg, (np.zeros(5),)), (least_squares, (np.ones(5),)),
                     (mlp, (np.ones((5, 3)), np.zeros(3), np.ones(3)))]:
        g = adc.grad(fn, grad_position=tuple(range(len(args))), backend="dask")(*args, x, y)
        graph = dict(g[0].__dask_graph__())
        assert not any("rechunk" in str(k) for k in graph)
        x_keys = set(dask.core.flatten(x.__dask_keys__()))
        readers = [_chunks_read(graph, k, x_keys) for k in graph if k not in x_keys]
        assert max(len(r) for r in readers) == 1, fn.__name__
        assert set().union(*readers) == x_keys, fn.__name__


def test_the_numpy_backend_asks_for_the_dask_one(data):
    _, _, xd, yd = data
    with pytest.raises(AutodiffError, match="backend='dask'") as err:
        adc.grad(logreg)(np.zeros(D), xd, yd)
    assert "argument 1 of logreg is a dask array" in str(err.value)
    assert err.value.loc.line == inspect.getsourcelines(logreg)[1]


def test_a_dask_array_of_unknown_shape_is_refused():
    x = da.from_array(np.arange(12.0).reshape(6, 2), chunks=3)
    picked = x[x[:, 0] > 4]  # how many rows is known only once computed
    with pytest.raises(AutodiffError, match="unknown shape") as err:
        adc.grad(least_squares, backend="dask")(np.ones(2), picked, np.ones(1))
    assert "compute_chunk_sizes" in err.value.hint


def test_numpy_inputs_and_dask_inputs_compile_separately():
    x = np.random.default_rng(3).standard_normal((64, 4))
    y = np.ones(64)
    grad = adc.grad(least_squares, backend="dask")
    on_numpy = grad(np.ones(4), x, y)
    on_dask = grad(np.ones(4), da.from_array(x, chunks=16), da.from_array(y, chunks=16))
    assert isinstance(on_dask, da.Array)
    np.testing.assert_allclose(on_dask.compute(scheduler="sync"), np.asarray(on_numpy),
                               rtol=RTOL)
    again = grad(np.ones(4), da.from_array(x, chunks=32), da.from_array(y, chunks=32))
    np.testing.assert_allclose(again.compute(scheduler="sync"), np.asarray(on_numpy),
                               rtol=RTOL)


def test_a_dask_array_read_from_a_closure_is_fetched_at_each_call():
    data = {"x": da.from_array(np.arange(12.0).reshape(6, 2), chunks=3)}

    def loss(w):
        return np.sum(np.tanh(data["x"] @ w))

    grad = adc.grad(loss, backend="dask")
    w = np.array([0.1, -0.2])
    for x in (data["x"], data["x"] * 0.5):
        data["x"] = x
        xn = x.compute(scheduler="sync")
        want = xn.T @ (1 - np.tanh(xn @ w) ** 2)
        np.testing.assert_allclose(grad(w).compute(scheduler="sync"), want, rtol=RTOL)


def test_a_dask_array_read_from_outside_needs_the_dask_backend_too():
    data = {"x": da.from_array(np.arange(12.0).reshape(6, 2), chunks=3)}

    def loss(w):
        return np.sum(np.tanh(data["x"] @ w))

    with pytest.raises(AutodiffError, match="backend='dask'") as err:
        adc.grad(loss)(np.array([0.1, -0.2]))
    assert "'data_x' of " in str(err.value) and "is a dask array" in str(err.value)
    assert err.value.loc.line == inspect.getsourcelines(loss)[1]


def _sorts(w, x):
    z = x @ w
    s = np.sort(z)
    return np.sum(s * np.arange(4.0))


def _branches(w, x):
    z = x @ w
    if np.sum(z) > 0:
        return np.sum(z * z)
    return np.sum(z)


def _masks(w, x):
    z = x @ w
    return np.sum(z[z > 0])


def _counts(w, x):
    z = x @ w
    return np.sum(np.bincount(np.array([0, 2, 2, 1]), weights=z) ** 2)


def _picks(w, x):
    z = x @ w
    return np.sum(np.tanh(z)[np.nonzero(z > 0)])


def _sized(w, x):
    z = x @ w
    return np.sum(z) * np.zeros(np.sum(z > 0)).size


def _scattered(w, x):
    z = x @ w
    return np.sum(z[np.array([0, 2, 2])] ** 2)  # an index array may repeat an entry


def _line_of(fn, text):
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("fn, text, reason", [
    (_sorts, "np.sort(z)", "dask.array has no (arg)?sort"),
    (_branches, "if np.sum(z) > 0", "'if' on an array's value"),
    (_masks, "z[z > 0]", "boolean array"),
    (_counts, "np.bincount", "largest entry plus one"),
    (_picks, "np.nonzero", "as many as the data has"),
    (_sized, "np.zeros", "np.zeros's size is an array's value"),
    (_scattered, "np.array([0, 2, 2])", r"adds into an array at indices \(np.add.at\)"),
])
def test_what_cannot_be_lazy_is_refused_at_its_line(fn, text, reason):
    x = da.ones((4, 3), chunks=2)
    with pytest.raises(AutodiffError, match=reason) as err:
        adc.grad(fn, backend="dask")(np.ones(3), x)
    assert err.value.loc.line == _line_of(fn, text)
    assert "numpy backend" in err.value.hint


# Basic indices (ints, slices, None, ...) name each entry once: their adjoints, and
# writes at them, are dask's lazy item assignment (they were refused as np.add.at).
def _column(w, x):
    return np.sum((x @ w)[:, None] * x[:, 0:1] ** 2) + np.sum(x[1:, ::-2] * w[:2])


def _rows_in_a_loop(w, x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.tanh(x[i] @ w) ** 2 + np.sum(x[i, i % 3:] * w[0])
    return s


def _written_rows(w, x):
    out = np.zeros((x.shape[0], 2))
    for i in range(x.shape[0]):
        out[i] = np.sin(x[i, :2] * w[1:])
    out[None, 0] = 0.5 * out[0]
    return np.sum(out ** 2)


def _pairwise(w, x):
    d2 = np.sum((x[:, None, :] - x[None, ::2, :] * w) ** 2, axis=-1)
    return np.sum(np.exp(-0.5 * d2))


def _counted(w, x):
    z, i = x @ w, 0
    while i < 4:  # a Python counter: no array's value is tested
        z = np.tanh(z + 0.5)
        i += 1
    return np.sum(z)


def _branch_on_the_index(w, x):
    s = 0.0
    for i in range(x.shape[0]):
        if i > 2:  # a Python number's test: nothing to compute
            s = s + np.sum(x[i - 2:i] @ w)  # (at i = 3, 4...; x[i - 2:i] of i = 0 is empty)
    return s


def _windows_from_the_start(w, x):
    s = 0.0
    for i in range(x.shape[0]):
        s = s + np.sum(np.tanh(x[i - 2:i] @ w))  # empty at i = 0 and 1 (dask refuses an
    return s  # empty write: the adjoint writes nothing there)


def _stepped_until(w, x, dt=0.25):
    t, z = 0.0, x @ w
    while t < 1.0:  # a float counter stepped by a Python number
        z = z + dt * np.cos(z)
        t = t + dt
    return np.sum(z)


def _until_a_break(w, x):
    i, z = 0, x @ w
    while True:
        z = np.sin(z) + x[i] @ w
        i += 1
        if i >= 4:
            break
    return np.sum(z)


def _tails_written_by_index(w, x):
    y = np.zeros((x.shape[0], 3))
    for i in range(x.shape[0]):
        y[i] = np.sum(x[i:] * w, axis=0)  # x[i:]: a slice the gradient tapes, read back
        y[i:i + 2] = y[i:i + 2] * 0.5  # a write at a slice of run-time bounds
    return np.sum(np.exp(0.1 * y))


def _reduced_over_the_axis_of_a_0d_value(w, x):
    s = np.sum(np.var(x @ w, axis=0))  # 0-d: NumPy lets a sum name its axis 0 or -1
    return np.sum(np.sin(s), axis=0, keepdims=True) * np.max(s, axis=-1) + np.prod(s, 0)


@pytest.mark.parametrize("fn", [_column, _rows_in_a_loop, _written_rows, _pairwise, _counted,
                                _branch_on_the_index, _windows_from_the_start,
                                _stepped_until, _until_a_break, _tails_written_by_index,
                                _reduced_over_the_axis_of_a_0d_value],
                         ids=lambda f: f.__name__.strip("_"))
@pytest.mark.parametrize("chunks", [1, 2, (1, 5, 1)], ids=["ones", "twos", "uneven"])
def test_basic_indexing_and_a_counted_while_stay_lazy(client, fn, chunks):
    rng = np.random.default_rng(5)
    w, x = rng.standard_normal(3), rng.standard_normal((7, 3))
    lazy = da.from_array(x, chunks=(chunks, -1))
    with dask.config.set(scheduler=_forbid):  # building the gradient computes nothing
        got = adc.grad(fn, grad_position=(0, 1), backend="dask")(w, lazy)
    for g, want in zip(client.compute(list(got), sync=True), adc.grad(fn, (0, 1))(w, x)):
        np.testing.assert_allclose(g, want, rtol=RTOL)


def _identity_rows(w, x):
    """Sizes counted from the data by ``int``: Python ints, so the graph can be built."""
    z = x @ w
    k = int(np.sum(z > 0)) + 1
    return np.sum(np.eye(k)[k - 1] * np.sum(np.tanh(z))) + np.sum(np.eye(2, k + 1) @ np.ones(k + 1))


def test_an_identity_of_a_size_counted_from_the_data(client):
    x = da.from_array(np.array([[1.0, -2.0, 0.5], [0.3, 0.1, -0.2], [2.0, 0.0, 1.0]]), chunks=2)
    got = adc.grad(_identity_rows, backend="dask")(np.array([0.5, -1.0, 0.25]), x)
    want = adc.grad(_identity_rows)(np.array([0.5, -1.0, 0.25]), x.compute())
    np.testing.assert_allclose(got.compute(), want, rtol=1e-12)


def test_runtime_helpers_stay_lazy_and_agree_with_the_reference():
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((6, 4)), rng.standard_normal((4, 5))
    g, wide = rng.standard_normal((6, 5)), rng.standard_normal((6, 8))
    cases = [("unbroadcast", (g, np.ones((1, 5)))), ("matmul_vjp_x", (g, a, b)),
             ("matmul_vjp_y", (g, a, b)), ("tensordot_vjp_a", (g, a, b, 1)),
             ("tensordot_vjp_b", (g, a, b, 1)), ("untile", (wide, a, (1, 2))),
             ("unpad", (wide, ((1, 1), (2, 2)))), ("sigmoid", (a * 40,)),
             ("keepdims_like", (g[:, 0], g, -1)), ("keepdims_like", (g, g[None], 0)),
             ("index_add", (a, (slice(1, 4), None, 2), np.ones((3, 1)))),
             ("index_add", (a, (slice(None, None, -2), Ellipsis), np.ones(4))),
             ("index_update", (a, (Ellipsis, 1), g[:, 0])), ("gather_add", (a, np.ones(4), 2)),
             ("gather_update", (a, g[:, :4], slice(0, 6), slice(None)))]
    for name, args in cases:
        expected = getattr(reference, name)(*args)
        lazy = [da.from_array(v, chunks=2) if isinstance(v, np.ndarray) and v.shape[0] == 6
                else v for v in args]
        with dask.config.set(scheduler=_forbid):
            out = runtime.NAMESPACE[name](*lazy)
        assert isinstance(out, da.Array), name
        np.testing.assert_allclose(out.compute(scheduler="sync"), expected, rtol=1e-14,
                                   err_msg=name)


def _resolve(text):
    target = runtime.NAMESPACE[text.split(".")[0]]
    for part in text.split(".")[1:]:
        target = getattr(target, part)
    return target


# The backend's own spellings; a primitive registered through ``extend`` (MindSpore's
# ops.gcd...) is a call of its function, whatever its arity and dtypes. SciPy's are
# registered when first used: loaded here, so the table is the same whatever ran first.
if scipy_rules.installed():
    scipy_rules.load()
ELEMENTWISE = sorted(name for name, prim in REGISTRY.items()
                     if prim.form == "apply" and prim.elementwise and name not in
                     ("where", "clip", "match_complex", "sigmoid", "round", "nan_to_num")
                     and not dask_spelling(prim)[1].startswith("ext."))
BINARY = ("maximum", "minimum", "logaddexp", "logaddexp2", "arctan2", "hypot", "fmax",
          "fmin", "fmod", "copysign", "bitwise_and", "bitwise_or", "bitwise_xor",
          "logical_and", "logical_or", "logical_xor")
BITWISE = ("bitwise_and", "bitwise_or", "bitwise_xor", "invert", "logical_not",
           "logical_and", "logical_or", "logical_xor")


def _arity(fn):
    """How many operands an elementwise function takes: a ufunc's ``nin``, or the
    parameters without defaults of a Python function (``scipy.special.polygamma``)."""
    if hasattr(fn, "nin"):
        return fn.nin
    return sum(p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD
               for p in inspect.signature(fn).parameters.values())


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_elementwise_spelling_is_lazy_and_computes_the_impl(name):
    """Each spelling, run on dask arrays with computing forbidden, gives a dask array
    equal to the primitive's own NumPy implementation."""
    prim = REGISTRY[name]
    kind, text = dask_spelling(prim)
    rng = np.random.default_rng(5)
    values = [rng.uniform(0.1, 0.9, 6), rng.uniform(1.1, 2.0, 6), rng.uniform(0.2, 0.8, 6)]
    if name in BITWISE:
        values = [np.array([1, 2, 3, 4, 5, 6]), np.array([6, 5, 4, 3, 2, 1])]
    if name == "arccosh":
        values = values[::-1]
    lazy = [da.from_array(v, chunks=3) for v in values]
    arity = 2 if kind == "binop" or name in BINARY else 1 if kind == "unaryop" \
        else _arity(prim.impl)
    args, lazy_args = values[:arity], lazy[:arity]
    with dask.config.set(scheduler=_forbid):
        if kind == "binop":
            out = eval(f"a {text} b", {"a": lazy_args[0], "b": lazy_args[1]})
        elif kind == "unaryop":
            out = eval(f"{text} a", {"a": lazy_args[0]})
        else:
            out = _resolve(text)(*lazy_args)
    assert isinstance(out, da.Array), f"{name}: {text} gave {type(out).__name__}"
    np.testing.assert_allclose(out.compute(scheduler="sync"), prim.impl(*args), rtol=1e-15,
                               err_msg=f"{name}: {text}")

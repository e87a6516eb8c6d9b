"""Generated source: golden text, names, comments, and that it runs and is inspectable."""
import inspect
import linecache
import re
import traceback

import golden_functions
import numpy as np
import pytest
import tutorial_model
from hypothesis import given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler import check_grads

GOLDEN_GENERIC = '''\
def grad_f(x, y):
    """Gradient of f (golden_functions.py:5) with respect to x, y."""
    a = x * y
    b = np.sin(a)
    g_reduce_sum = np.ones_like(np.sum(b))
    # grad of: return np.sum(b)  (golden_functions.py:8)
    g_b = np.broadcast_to(g_reduce_sum, np.shape(b))
    # grad of: b = np.sin(a)  (golden_functions.py:7)
    g_a = g_b * np.cos(a)
    # grad of: a = x * y  (golden_functions.py:6)
    g_x = unbroadcast(g_a * y, x)
    g_y = unbroadcast(g_a * x, y)
    return g_x, g_y
'''

GOLDEN_TUTORIAL = '''\
def grad_function(x, y, w, b):
    """Gradient of function (tutorial_model.py:25) with respect to w, b."""
    z = x @ w + b
    negative = 1.0 - y
    log_weight = y + negative
    # grad of: loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), \
ops.ones_like(z))  (tutorial_model.py:27)
    g_z = np.float32(0.3333333432674408) * (negative - log_weight * np.exp(-np.logaddexp(0.0, z)))
    # grad of: z = ops.matmul(x, w) + b  (tutorial_model.py:26)
    g_w = np.multiply.outer(x, g_z)
    return g_w, g_z
'''


@pytest.fixture(autouse=True)
def _run_in_tests_dir(monkeypatch):
    monkeypatch.chdir(golden_functions.__file__.rsplit("/", 1)[0])


def test_shape_generic_source_matches_golden():
    assert adc.gradient_source(golden_functions.f, (0, 1)) == GOLDEN_GENERIC


def test_tutorial_source_specialised_to_arguments_matches_golden():
    args = tutorial_model.make_inputs("rng")
    assert adc.gradient_source(tutorial_model.function, (2, 3), args=args) == GOLDEN_TUTORIAL


def test_specialised_source_drops_unbroadcast_when_shapes_match():
    source = adc.grad(golden_functions.f, (0, 1)).source(np.ones(3), np.ones(3))
    assert "unbroadcast" not in source
    assert "g_x = g_a * y" in source


def test_specialised_source_sums_broadcast_axes_explicitly():
    source = adc.grad(golden_functions.f, (0, 1)).source(np.ones((2, 3)), np.ones(3))
    assert "g_y = (g_a * x).sum(axis=0)" in source


def test_generated_function_is_registered_in_linecache():
    fn = adc.grad(golden_functions.f).compiled_for((np.ones(3), np.ones(3))).fn
    assert inspect.getsource(fn) == fn.__source__
    filename = fn.__code__.co_filename
    assert filename.startswith("<autodiff_compiler:grad_f:")
    assert linecache.getline(filename, 1).startswith("def grad_f(")


def test_runtime_error_traceback_shows_generated_line():
    grad_fn = adc.grad(golden_functions.f, (0, 1))
    fn = grad_fn.compiled_for((np.ones(3), np.ones(3))).fn
    with pytest.raises(ValueError) as err:
        fn(np.ones(3), np.ones(4))
    lines = "".join(traceback.format_tb(err.value.__traceback__))
    assert "a = x * y" in lines


def test_runtime_error_names_the_users_line():
    grad_fn = adc.grad(golden_functions.f, (0, 1))
    grad_fn(np.ones(3), np.ones(3))
    with pytest.raises(ValueError) as err:
        grad_fn.compiled_for((np.ones(3), np.ones(3))).run((np.ones(3), np.ones(4)))
    notes = "\n".join(getattr(err.value, "__notes__", []))
    assert "golden_functions.py:6" in notes and "a = x * y" in notes


def test_generated_code_is_plain_numpy():
    fn = adc.grad(golden_functions.fanout).compiled_for((np.ones(3),)).fn
    assert set(fn.__code__.co_names) <= {"np", "exp", "broadcast_to", "unbroadcast"}
    assert "autodiff_compiler" not in fn.__source__


def test_boolean_dtype_is_spelled_as_numpy_1_and_2_both_know_it():
    """``np.bool`` exists only in NumPy 2; the generated code runs on either."""
    source = adc.grad(golden_functions.masked).source(np.ones(3))
    assert "np.ones((3,), dtype=np.bool_)" in source
    assert re.search(r"np\.bool\b(?!_)", source) is None


def test_names_are_reused_only_when_dead():
    source = adc.grad(golden_functions.fanout).source(np.ones(3))
    # y is needed by the backward pass, so it keeps its name and its adjoint is g_y
    assert "y = np.exp(x)" in source and "g_y = y * 2" in source
    assert "g_x = 1.0 + g_y * y" in source
    x = np.linspace(-1, 1, 3)
    np.testing.assert_allclose(adc.grad(golden_functions.fanout)(x), 2 * np.exp(2 * x) + 1)


def test_python_float_code_calls_math():
    def f(x, y):
        return np.sin(x) * np.exp(y) + np.tanh(x * y)
    source = adc.grad(f, (0, 1)).source(0.3, 0.7)
    code = [line for line in source.splitlines()[2:] if not line.strip().startswith("#")]
    assert "math.tanh(" in source and not any("np." in line for line in code)
    gx, gy = adc.grad(f, (0, 1))(0.3, 0.7)
    assert gx == pytest.approx(np.cos(0.3) * np.exp(0.7) + 0.7 * (1 - np.tanh(0.21) ** 2))
    assert gy == pytest.approx(np.sin(0.3) * np.exp(0.7) + 0.3 * (1 - np.tanh(0.21) ** 2))
    array_code = adc.grad(f, (0, 1)).source(np.ones(2), np.ones(2)).splitlines()[2:]
    assert not any("math." in line for line in array_code)


def test_float_gradients_are_one_expression_each():
    def f(x, y):
        a = x * y
        return a * a + np.sin(a) * x - y / x
    source = adc.grad(f, (0, 1)).source(0.3, 0.7)
    assignments = [line.split(" = ")[0].strip() for line in source.splitlines()
                   if " = " in line]
    assert assignments.count("g_x") == 1 and assignments.count("g_y") == 1, source
    a = 0.21
    ga = 2 * a + np.cos(a) * 0.3
    gx, gy = adc.grad(f, (0, 1))(0.3, 0.7)
    assert gx == pytest.approx(ga * 0.7 + np.sin(a) + 0.7 / 0.09, rel=1e-14)
    assert gy == pytest.approx(ga * 0.3 - 1 / 0.3, rel=1e-14)


def test_square_of_a_python_float_is_a_product():
    def f(x):
        t = np.tanh(x)
        return t ** 2 + (x + 1.0) ** 2
    source = adc.grad(f).source(0.3)
    assert "t * t" in source and "**" not in source
    t = np.tanh(0.3)
    assert adc.grad(f)(0.3) == pytest.approx(2 * t * (1 - t * t) + 2 * 1.3, rel=1e-14)
    assert "** 2" in adc.grad(f).source(np.ones(3))  # arrays keep NumPy's own square


def test_large_dead_arrays_are_freed_after_their_last_use():
    def two_layers(x, w1, w2):
        h = np.tanh(x @ w1)
        return np.sum(np.tanh(h @ w2))
    rng = np.random.default_rng(0)
    x, w1, w2 = rng.normal(size=(300, 300)), rng.normal(size=(300, 300)) * 0.05, \
        rng.normal(size=(300, 4)) * 0.05
    source = adc.grad(two_layers, (1, 2)).source(x, w1, w2)
    assert "del " in source
    check_grads(two_layers, x[:5, :6], w1[:6, :7], w2[:7])  # small: nothing freed, same code
    g1, g2 = adc.grad(two_layers, (1, 2))(x, w1, w2)
    h = np.tanh(x @ w1)
    gz = 1 - np.tanh(h @ w2) ** 2
    np.testing.assert_allclose(g2, h.T @ gz)
    np.testing.assert_allclose(g1, x.T @ ((gz @ w2.T) * (1 - h ** 2)))


def euler_trajectory(rate, steps=300):
    y = np.array([1.0, 0.6])
    states = [y]
    for _ in range(steps):
        y = y + 0.01 * rate * y
        states.append(y)
    return np.stack(states)


def trajectory_energy(rate):
    return np.sum(euler_trajectory(rate) ** 2)


def test_a_long_recurrence_is_not_folded_past_what_python_compiles():
    """300 steps kept in a list: each step's gradient read the next once, and folding
    every such value into its use nested one expression 300 deep (RecursionError while
    writing the source)."""
    rate = np.array([1.1, 0.4])
    check_grads(trajectory_energy, rate, modes=("rev",), rtol=1e-6)
    jacobian = adc.jacrev(lambda r: euler_trajectory(r)[-1])(rate)
    np.testing.assert_allclose(jacobian, np.diag(3.0 * (1 + 0.01 * rate) ** 299
                                                 * np.array([1.0, 0.6])), rtol=1e-10)


def test_a_branch_computes_only_the_results_read_after_it():
    """``unused`` is merged by both ``if``s but never read after them: no branch
    computes it (a loop left by a ``break`` merges its loop variable so)."""
    def f(x):
        if np.sum(x) > 0.0:
            y, unused = np.sin(x), np.exp(x)
            if np.sum(x) > 1.0:
                y, unused = np.tanh(x), np.expm1(x)
        else:
            y, unused = np.cos(x), np.log1p(x * x)  # noqa: F841 (the point)
        return np.sum(y * x)
    code = [line for line in adc.grad(f).source(np.ones(3)).splitlines()
            if not line.strip().startswith("#")]
    assert not [line for line in code if "exp" in line or "log1p" in line], code
    for x in (np.array([0.3, -0.2, 0.5]), np.array([0.9, 0.2, 0.5]),
              np.array([-0.3, -0.2, 0.1])):
        check_grads(f, x)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=30),
       st.tuples(st.integers(0, 40), st.integers(1, 8)))
def test_name_spans_answer_as_a_scan_of_every_span_would(added, query):
    """Naming asks whether a name is free over a stretch of code by bisection (a loop
    unrolled 10,000 times reuses a name 10,000 times); it must agree with a scan."""
    from autodiff_compiler.backends.python.naming import _Spans
    spans, kept = _Spans(), []
    for start, length in added:
        span = (start / 2, start / 2 + length / 2)
        if not any(a < span[1] and span[0] < b for a, b in kept) or start % 3 == 0:
            spans.add(span)
            kept.append(span)
    start, length = query
    q = (start / 2, start / 2 + length / 2)
    assert spans.overlaps(q) == any(a < q[1] and q[0] < b for a, b in kept)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8)), max_size=4),
                min_size=2, max_size=12),
       st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=15))
def test_name_groups_meet_as_a_scan_of_their_members_spans_would(lifetimes, unions):
    """Coalescing asks whether two groups of values are ever alive at once, keeping
    each group's spans merged (a long unrolled loop coalesces thousands of copies);
    it must agree with a scan of every member's spans."""
    from autodiff_compiler.backends.python.naming import _Groups
    from autodiff_compiler.ir.core import Aval, Var
    values = [Var(Aval((), None)) for _ in lifetimes]
    pieces = {v: [(s / 2, s / 2 + n / 2) for s, n in spans]
              for v, spans in zip(values, lifetimes)}
    groups = _Groups(pieces)
    for a, b in unions:
        a, b = values[a % len(values)], values[b % len(values)]
        members = {v: [w for w in values if groups.find(w) is groups.find(v)] for v in (a, b)}
        scanned = any(x[0] < y[1] and y[0] < x[1] for u in members[a] for x in pieces[u]
                      for w in members[b] for y in pieces[w])
        if groups.find(a) is not groups.find(b):
            assert groups.meet(a, b) == scanned
        groups.union(a, b)


def _formula(tmp_path, terms):
    """A module whose function returns a sum of ``terms`` products (a generated
    formula, as sympy.lambdify writes), imported from ``tmp_path``."""
    import importlib.util
    import sys
    path = tmp_path / f"formula_{terms}.py"
    path.write_text("import numpy as np\n\n\ndef f(x):\n    return np.sum("
                    + " + ".join(f"x * {k % 7 + 1}.0" for k in range(terms)) + ")\n")
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))  # for Python's own compiler
    try:
        spec.loader.exec_module(module)
    finally:
        sys.setrecursionlimit(limit)
    return module.f


def test_an_expression_of_a_thousand_terms_compiles(tmp_path):
    """300 terms raised RecursionError (an internal error) parsing the source."""
    import sys
    limit = sys.getrecursionlimit()
    f = _formula(tmp_path, 1000)
    coefficients = sum(k % 7 + 1.0 for k in range(1000))
    np.testing.assert_array_equal(adc.grad(f)(np.ones(2)), np.full(2, coefficients))
    assert sys.getrecursionlimit() == limit


def test_an_expression_too_deep_to_compile_is_a_located_error(tmp_path):
    f = _formula(tmp_path, 4000)
    with pytest.raises(adc.AutodiffError, match="nests too deeply") as err:
        adc.grad(f)(np.ones(2))
    assert "formula_4000.py:4" in str(err.value) and "assign parts" in str(err.value)

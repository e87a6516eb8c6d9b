"""Buffer reuse: large temporaries are overwritten in place only where nothing else
can see them, and the gradients equal those computed with a fresh array per operation."""
import importlib.util
import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler import ops
from autodiff_compiler.opt import buffers
from autodiff_compiler.pipeline.kinds import abstract

N = buffers.LARGE + 3  # large enough to be reused, and odd


def chain(x):
    return np.sum(np.sin(x) * np.exp(-x ** 2) + np.tanh(x) * 0.5 + np.log1p(x ** 2))


def read_before_overwritten(x):
    a = np.exp(x)
    b = a * 2  # folded into its use, which comes after a's last reader
    c = a + 1
    return np.sum(b * c)


def view_of_temporary(x):
    t = np.exp(x)
    v = t.reshape(-1, 1)[:, 0]  # a view of t outlives t's last ufunc reader
    u = t * 3
    return np.sum(u * v)


def stop_gradient_alias(x):
    t = np.tanh(x)
    s = ops.stop_gradient(t)
    return np.sum((t + 1) * s)


def loop_tape(x):
    h = x
    for _ in range(3):
        h = np.tanh(h * 0.5 + 1)
    return np.sum(h)


def branch(x):
    t = np.exp(-x ** 2)
    if np.sum(x) > 0:
        t = t * np.cos(x)
    return np.sum(t * x)


def scratch_in_a_loop(x):
    h = x
    for _ in range(3):
        a = np.sin(h)
        b = np.cos(h) * a  # a dead product's array can hold tanh(b), then the sum
        h = np.tanh(b) + a * 0.5
    return np.sum(h * h)


def dead_value_read_by_a_folded_one(x):
    a = np.exp(x) * 2.0
    b = np.sin(a)  # a's last reader, folded into its use below
    c = np.cos(x)  # may take a's array once a is dead
    return np.sum(c * x + b)


FUNCTIONS = [chain, read_before_overwritten, view_of_temporary, stop_gradient_alias,
             loop_tape, branch, scratch_in_a_loop, dead_value_read_by_a_folded_one]


def _fresh_every_time(monkeypatch, fn, x):
    monkeypatch.setattr(buffers, "LARGE", 1 << 62)
    adc.api._CACHE.clear()
    adc.api._ENTRIES.clear()
    try:
        return adc.value_and_grad(fn)(x)
    finally:
        monkeypatch.undo()
        adc.api._CACHE.clear()
        adc.api._ENTRIES.clear()


@pytest.mark.parametrize("fn", FUNCTIONS, ids=lambda f: f.__name__)
def test_in_place_gradient_equals_the_one_with_fresh_arrays(fn, monkeypatch):
    x = np.linspace(-2.0, 2.0, N)
    kept = x.copy()
    value, grad = adc.value_and_grad(fn)(x)
    np.testing.assert_array_equal(x, kept)  # the argument is never written
    want_value, want_grad = _fresh_every_time(monkeypatch, fn, x)
    np.testing.assert_allclose(value, want_value, rtol=1e-13)
    # optimised sums may add their terms in another order: equal to rounding, near a
    # cancellation too
    np.testing.assert_allclose(grad, want_grad, rtol=1e-13,
                               atol=1e-14 * np.max(np.abs(want_grad)))


def test_large_temporaries_are_updated_in_place():
    source = adc.grad(chain).source(np.ones(N))
    assert "out=" in source and "*=" in source and "+=" in source
    small = adc.grad(chain).source(np.ones(5))
    assert "out=" not in small and "*=" not in small


def test_a_dead_temporary_lends_its_array_to_a_new_value():
    source = adc.grad(chain).source(np.ones(N))
    lent = re.findall(r"^ *(\w+) = np\.\w+\(.*out=(\w+)\)$", source, re.MULTILINE)
    assert any(target != buffer for target, buffer in lent), source


def test_the_gradient_of_the_chain_holds_as_few_arrays_as_the_hand_written_one():
    """Three arrays of x's size live at once, as in benchmarks/bench_elementwise.py's
    hand-written gradient: scheduling and buffer reuse together find that order."""
    x = np.linspace(-2.0, 2.0, N)
    grad_fn = adc.grad(chain)
    grad_fn(x)  # compiled outside the measurement
    tracemalloc.start()
    try:
        grad_fn(x)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3.5 * x.nbytes


def test_a_temporary_read_after_its_last_ufunc_is_computed_first():
    source = adc.value_and_grad(read_before_overwritten).source(np.ones(N))
    lines = [line.strip() for line in source.splitlines()]
    write = next(i for i, line in enumerate(lines) if line.startswith("c *=") or "out=c" in line)
    assert any("b * c" in line for line in lines[:write]), source


def test_arguments_captured_arrays_and_views_are_never_overwritten():
    w = np.linspace(0.5, 1.5, N)
    kept = w.copy()

    def uses_global(x):
        return np.sum(np.exp(x * w) * w.T)
    grad = adc.grad(uses_global)(np.ones(N))
    np.testing.assert_array_equal(w, kept)
    np.testing.assert_allclose(grad, w * w * np.exp(w), rtol=1e-13)


def test_returned_arrays_are_not_shared_with_each_other():
    def two(x):
        t = np.exp(x)
        return np.sum(t), t
    (_, aux), grad = adc.value_and_grad(two, has_aux=True)(np.zeros(N))
    grad[:] = -1.0
    np.testing.assert_array_equal(aux, np.ones(N))


def test_without_optimisation_nothing_is_written_in_place():
    x = np.linspace(-2.0, 2.0, N)
    grad_fn = adc.grad(chain)
    plain = adc.api.compile_gradient(chain, grad_fn.spec, [abstract(x)],
                                     optimize=False)
    assert "out=" not in plain.source and "*=" not in plain.source
    # the optimised sum adds its terms in another order: equal to rounding
    np.testing.assert_allclose(plain.finish(plain.run((x,))), grad_fn(x), rtol=1e-13, atol=1e-14)


# ---------------------------------------------------------------------------- random programs

UNARY_CALLS = ["np.sin({})", "np.tanh({})", "np.exp(-({}) ** 2)", "-({})", "({}) ** 2",
               "({}).reshape(-1)", "ops.stop_gradient({})", "np.cos({}) * 0.5"]
BINARY_CALLS = ["{} + {}", "{} - {}", "{} * {}", "{} / (1.0 + ({}) ** 2)"]


def _source(steps):
    """A function of x and y, one statement a step, each reading earlier values (a
    value may be a view of another, or be reassigned), summed at the end."""
    names, lines = ["x", "y"], []
    for i, (binary, op, a, b, reuse) in enumerate(steps):
        left, right = names[int(a * len(names))], names[int(b * len(names))]
        expr = BINARY_CALLS[op % 4].format(left, right) if binary else \
            UNARY_CALLS[op % 8].format(left)
        target = names[int(reuse * len(names))] if reuse > 0.7 and len(names) > 2 else f"t{i}"
        target = target if target not in ("x", "y") else f"t{i}"
        lines.append(f"    {target} = {expr}")
        names.append(target)
    terms = " + ".join(f"np.sum({n})" for n in dict.fromkeys(names[2:]))
    return "def f(x, y):\n" + "\n".join(lines) + f"\n    return {terms}\n"


STEPS = st.lists(st.tuples(st.booleans(), st.integers(0, 7), st.floats(0, 0.999),
                           st.floats(0, 0.999), st.floats(0, 0.999)), min_size=2, max_size=10)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_random_programs_give_the_unoptimised_gradient(steps, tmp_path_factory):
    folder = tmp_path_factory.mktemp("programs")
    path = folder / f"program_{abs(hash(tuple(steps)))}.py"
    path.write_text("import numpy as np\nfrom autodiff_compiler import ops\n\n\n" + _source(steps))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    x, y = np.linspace(-1.5, 1.5, N), np.linspace(0.5, -0.7, N)
    kept = x.copy(), y.copy()
    grad_fn = adc.grad(module.f, (0, 1))
    got = grad_fn(x, y)
    plain = adc.api.compile_gradient(module.f, grad_fn.spec,
                                     [abstract(x), abstract(y)],
                                     optimize=False)
    want = plain.finish(plain.run((x, y)))
    np.testing.assert_array_equal(x, kept[0])
    np.testing.assert_array_equal(y, kept[1])
    for g, w in zip(got, want):
        scale = np.max(np.abs(w)) + 1.0
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-12 * scale)

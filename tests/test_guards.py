"""A cached gradient is reused only while everything it baked in still holds.

Each test changes one thing a compiled gradient depends on, between two calls of the
same ``grad`` (and of a fresh ``grad`` of the same function), and checks the second
result against the exact gradient for the new state.
"""
import importlib
import sys

import numpy as np
import pytest

import autodiff_compiler as adc

X = np.array([1.0, 2.0])


def _both(fn, *args, **kwargs):
    """The gradient through the same GradFunction twice and through a new one."""
    held = adc.grad(fn, **kwargs)
    return held(*args), held(*args), adc.grad(fn, **kwargs)(*args)


def _assert_all(results, expected):
    for got in results:
        np.testing.assert_allclose(got, expected)


def power(x, v1):
    return np.sum(x ** v1)


@pytest.mark.parametrize("k", [2, 3, 2.0, 3.0])
def test_parameter_named_like_the_call_paths_values_is_not_shadowed(k):
    grad = adc.grad(power)
    grad(X, 5)
    np.testing.assert_allclose(grad(X, k), k * X ** (k - 1))


def _make_scaled(k):
    return lambda x, k=k: x * k


def test_default_arguments_are_part_of_the_key():
    assert adc.grad(_make_scaled(2.0))(3.0) == 2.0
    assert adc.grad(_make_scaled(5.0))(3.0) == 5.0
    assert adc.grad(_make_scaled(2))(3.0) == 2.0
    assert adc.grad(_make_scaled(7))(3.0) == 7.0


def scaled(x, k=2.0, *, m=1.0):
    return x * k * m


def test_replaced_defaults_are_read_at_the_next_call():
    grad = adc.grad(scaled)
    assert grad(3.0) == grad(3.0) == 2.0
    scaled.__defaults__ = (7.0,)
    try:
        assert grad(3.0) == adc.grad(scaled)(3.0) == 7.0
        scaled.__kwdefaults__ = {"m": 10.0}
        assert grad(3.0) == adc.grad(scaled)(3.0) == 70.0
        assert grad(3.0, 1.0, m=1.0) == 1.0
    finally:
        scaled.__defaults__, scaled.__kwdefaults__ = (2.0,), {"m": 1.0}


def doubled(v):
    return v * 2.0


def calls_doubled(x, k=1.0):
    return doubled(x) * k


def test_replaced_code_of_a_helper_recompiles():
    saved = doubled.__code__
    try:
        _assert_all(_both(calls_doubled, 3.0), 2.0)
        doubled.__code__ = (lambda v: v * 9.0).__code__
        _assert_all(_both(calls_doubled, 3.0), 9.0)
    finally:
        doubled.__code__ = saved


def helper_with_default(v, c=2.0):
    return v * c


def calls_helper_with_default(x):
    return helper_with_default(x)


def test_replaced_defaults_of_a_helper_recompile():
    try:
        _assert_all(_both(calls_helper_with_default, 3.0), 2.0)
        helper_with_default.__defaults__ = (4.0,)
        _assert_all(_both(calls_helper_with_default, 3.0), 4.0)
    finally:
        helper_with_default.__defaults__ = (2.0,)


def differentiated(x):
    return x * 2.0


def test_replaced_code_of_the_differentiated_function_recompiles():
    saved = differentiated.__code__
    grad = adc.grad(differentiated)
    try:
        assert grad(3.0) == grad(3.0) == 2.0
        differentiated.__code__ = (lambda x: x * x).__code__
        assert grad(3.0) == adc.grad(differentiated)(3.0) == 6.0
    finally:
        differentiated.__code__ = saved


COEFFICIENTS = [1.0, 2.0]
TABLE = {"a": 1.0}
NESTED = [[1.0], [2.0]]


def iterates_a_global_list(x):
    s = x * 0.0
    for c in COEFFICIENTS:
        s = s + c * x
    return s * len(COEFFICIENTS)


def iterates_a_global_dict(x):
    s = x * 0.0
    for key in TABLE:
        s = s + TABLE[key] * x
    return s


def iterates_a_nested_list(x):
    s = x * 0.0
    for row in NESTED:
        for c in row:
            s = s + c * x
    return s


@pytest.mark.parametrize("fn, change, before, after", [
    (iterates_a_global_list, lambda: COEFFICIENTS.append(3.0), 6.0, 18.0),
    (iterates_a_global_list, lambda: COEFFICIENTS.__setitem__(0, 5.0), 6.0, 14.0),
    (iterates_a_global_dict, lambda: TABLE.update(b=3.0), 1.0, 4.0),
    (iterates_a_nested_list, lambda: NESTED[1].append(4.0), 3.0, 7.0),
], ids=["list-append", "list-setitem", "dict-update", "nested-list-append"])
def test_global_container_mutated_in_place_recompiles(fn, change, before, after):
    saved = ([*COEFFICIENTS], dict(TABLE), [list(r) for r in NESTED])
    try:
        _assert_all(_both(fn, 1.0), before)
        change()
        _assert_all(_both(fn, 1.0), after)
    finally:
        COEFFICIENTS[:] = saved[0]
        TABLE.clear()
        TABLE.update(saved[1])
        NESTED[:] = saved[2]


@pytest.fixture
def config_module(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    (tmp_path / "guarded_config.py").write_text(
        "SCALE = 2.0\n\ndef helper(x):\n    return x * 2.0\n")
    (tmp_path / "guarded_model.py").write_text(
        "import guarded_config as cfg\n\n\ndef f(x):\n    return cfg.helper(x) * cfg.SCALE\n")
    config = importlib.import_module("guarded_config")
    model = importlib.import_module("guarded_model")
    yield config, model
    for name in ("guarded_config", "guarded_model"):
        sys.modules.pop(name, None)


def test_rebound_attribute_of_an_imported_module_recompiles(config_module):
    config, model = config_module
    _assert_all(_both(model.f, 1.0), 4.0)
    config.SCALE = 3.0
    _assert_all(_both(model.f, 1.0), 6.0)
    config.helper = lambda x: x * 5.0
    _assert_all(_both(model.f, 1.0), 15.0)


WEIGHTS = np.ones(3)


def reads_weights(x):
    return np.sum(WEIGHTS * x)


def test_captured_array_of_a_new_shape_recompiles():
    global WEIGHTS
    try:
        _assert_all(_both(reads_weights, np.ones(3)), np.ones(3))
        WEIGHTS = np.full(1, 4.0)  # broadcasts against x now
        _assert_all(_both(reads_weights, np.ones(3)), np.full(3, 4.0))
    finally:
        WEIGHTS = np.ones(3)


def test_unchanged_guards_do_not_recompile():
    grad = adc.grad(iterates_a_global_list)
    grad(1.0)
    compiled = grad.compiled_for((1.0,))
    grad(1.0)
    assert grad.compiled_for((2.0,)) is compiled


# ---------------------------------------------------------------------------- source


@pytest.fixture
def edited_module(tmp_path, monkeypatch):
    """``edit(name, before, after)``: a module imported from ``before``, whose file then
    holds ``after`` (as linecache sees it): the module and the code Python runs are the
    old ones."""
    import linecache
    monkeypatch.syspath_prepend(str(tmp_path))
    names = []

    def edit(name, before, after):
        path = tmp_path / f"{name}.py"
        path.write_text(before)
        module = importlib.import_module(name)
        names.append(name)
        path.write_text(after)
        linecache.checkcache(str(path))
        return module

    yield edit
    for name in names:
        sys.modules.pop(name, None)


def test_source_edited_after_import_raises_located_error(edited_module):
    module = edited_module("edited_on_disk", "def f(x):\n    return x ** 2\n",
                           "def f(x):\n    return x ** 3\n")
    with pytest.raises(adc.AutodiffError, match="changed since it was imported") as err:
        adc.grad(module.f)(3.0)
    assert "edited_on_disk.py:1" in str(err.value)
    assert "restart" in str(err.value) or "reload" in str(err.value)


def test_source_edited_elsewhere_in_its_file_still_compiles(edited_module):
    module = edited_module("edited_elsewhere",
                           "def f(x):\n    return x ** 2\n\n\ndef g(x):\n    return x\n",
                           "def f(x):\n    return x ** 2\n\n\ndef g(x):\n    return x * 5\n")
    assert adc.grad(module.f)(3.0) == pytest.approx(6.0)


class Config:
    scale = 2.0


def with_object_defaults(x, act=np.tanh, config=Config()):  # noqa: B008  (the point)
    return np.sum(act(x) * config.scale)


def test_object_defaults_are_constants_guarded_like_globals():
    x = np.array([0.1, 0.2])
    _assert_all(_both(with_object_defaults, x), 2.0 / np.cosh(x) ** 2)
    Config.scale = 3.0
    try:
        _assert_all(_both(with_object_defaults, x), 3.0 / np.cosh(x) ** 2)
        np.testing.assert_allclose(adc.grad(with_object_defaults)(x, np.sin), 3.0 * np.cos(x))
    finally:
        Config.scale = 2.0


# ---------------------------------------------------------------------------- scale


def linear(x):
    return np.sum(x * 3.0)


def test_evicted_cache_entries_take_their_linecache_lines_and_locations(monkeypatch):
    import gc
    import linecache

    from autodiff_compiler import api
    from autodiff_compiler.pipeline import compiler

    def generated():
        gc.collect()
        return ({k for k in linecache.cache if k.startswith("<autodiff_compiler:")},
                set(compiler._LINE_LOCS))

    before_lines, before_locs = generated()
    monkeypatch.setattr(api, "CACHE_SIZE", 4)
    for n in range(1, 40):
        np.testing.assert_allclose(adc.grad(linear)(np.ones(n)), np.full(n, 3.0))
    lines, locs = generated()
    assert len(lines - before_lines) <= 4 and len(locs - before_locs) <= 4
    assert len(api._CACHE) <= 4


@pytest.mark.parametrize("transform", ["vjp", "jvp"])
def test_defaults_are_arguments_under_vjp_and_jvp_too(transform):
    for k in (2.0, 5.0):
        fn = _make_scaled(k)
        if transform == "vjp":
            out, vjp_fn = adc.vjp(fn, 3.0)
            assert (out, vjp_fn(1.0)) == (3.0 * k, (k,))
        else:
            assert adc.jvp(fn, (3.0,), (1.0,)) == (3.0 * k, k)


class Scaler:
    def scaled(self, x, k=2.0):
        return x * k


def test_replaced_defaults_of_a_method_are_read_at_the_next_call():
    grad = adc.grad(Scaler().scaled)
    assert grad(3.0) == grad(3.0) == 2.0
    Scaler.scaled.__defaults__ = (5.0,)
    try:
        assert grad(3.0) == adc.grad(Scaler().scaled)(3.0) == 5.0
        Scaler.scaled.__defaults__ = None  # no default any more: a TypeError, as Python's
        with pytest.raises(TypeError):
            grad(3.0)
    finally:
        Scaler.scaled.__defaults__ = (2.0,)


SCALE = 1.0


def scaled_square(x):
    return x * x * SCALE


def test_grad_of_grad_guards_what_the_inner_function_read():
    global SCALE
    second = adc.grad(adc.grad(scaled_square))
    assert second(1.0) == 2.0
    SCALE = 5.0
    try:
        assert second(1.0) == adc.grad(adc.grad(scaled_square))(1.0) == 10.0
    finally:
        SCALE = 1.0


def asserts_positive(x):
    assert x > 0, "positive"
    return x * 2.0


def test_source_check_accepts_a_test_module_whose_asserts_pytest_rewrote():
    import inspect

    from autodiff_compiler.frontend import source
    code = asserts_positive.__code__
    text = "".join(inspect.findsource(code)[0])
    assert source._runs_this_text(code, text)
    assert not source._runs_this_text(code, text.replace('"positive"', '"negative"'))

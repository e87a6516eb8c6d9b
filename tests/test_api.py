"""grad / value_and_grad return structures (MindSpore 2.x), deviations, and the cache."""
import collections
import inspect

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import Parameter, ParameterTuple

X = np.array([0.5, -1.0, 2.0])
Y = np.array([1.5, 0.25, -0.5])
W = Parameter(np.array([0.3, -0.2, 0.1]), name="w")
B = Parameter(np.array(0.7), name="b")


def bilinear(x, y):
    return np.sum(x * y * y)


def uses_weights(x):
    return np.sum(np.sin(x * W) + B)


def two_outputs(x, y):
    return np.sum(x * y), x * 2.0


def nested_outputs(x):
    return {"a": (np.sum(x), [x * 3.0, 7]), "b": 1.0}


def with_int(x, n):
    return np.sum(x ** n)


def returns_constant(x):
    return 3.0


def unused(x, y):
    return np.sum(x ** 2)


# Analytic gradients of the functions above, to check real values.
D_BILINEAR_X, D_BILINEAR_Y = Y * Y, 2 * X * Y
D_UW_X = np.cos(X * W) * W
D_UW_W = np.cos(X * W) * X
D_UW_B = np.array(3.0)


def _same(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-12)


def test_grad_position_int_returns_bare_gradient():
    _same(adc.grad(bilinear, 1)(X, Y), D_BILINEAR_Y)


def test_grad_position_one_tuple_returns_bare_gradient():
    _same(adc.grad(bilinear, (1,))(X, Y), D_BILINEAR_Y)


def test_grad_position_tuple_returns_tuple_in_given_order():
    gy, gx = adc.grad(bilinear, (1, 0))(X, Y)
    _same(gy, D_BILINEAR_Y)
    _same(gx, D_BILINEAR_X)


@pytest.mark.parametrize("make", [list, ParameterTuple], ids=["list", "ParameterTuple"])
def test_weights_sequence_returns_tuple_even_of_one(make):
    (gw,) = adc.grad(uses_weights, None, weights=make([W]))(X)
    _same(gw, D_UW_W)


def test_single_weight_returns_bare_gradient():
    _same(adc.grad(uses_weights, None, weights=B)(X), D_UW_B)


def test_positions_and_weights_return_pair_of_parts():
    gx, (gw, gb) = adc.grad(uses_weights, 0, weights=[W, B])(X)
    _same(gx, D_UW_X)
    _same(gw, D_UW_W)
    _same(gb, D_UW_B)


def test_positions_and_weights_both_none_raise_value_error():
    with pytest.raises(ValueError, match="both be None"):
        adc.grad(bilinear, None, None)


def test_several_outputs_differentiate_their_sum():
    gx = adc.grad(two_outputs, 0)(X, Y)
    _same(gx, Y + 2.0)


def test_nested_outputs_sum_every_array_and_ignore_constants():
    _same(adc.grad(nested_outputs)(X), np.full(3, 4.0))


def test_has_aux_differentiates_first_output_and_returns_aux_tuple():
    gx, aux = adc.grad(two_outputs, 0, has_aux=True)(X, Y)
    _same(gx, Y)
    assert isinstance(aux, tuple) and len(aux) == 1
    _same(aux[0], X * 2.0)


def test_has_aux_with_single_output_raises_located_type_error():
    with pytest.raises(TypeError, match=r"test_api\.py:\d+: has_aux=True needs"):
        adc.grad(bilinear, 0, has_aux=True)(X, Y)


def test_value_and_grad_returns_full_value_unmodified():
    (value, doubled), gx = adc.value_and_grad(two_outputs, 0, has_aux=True)(X, Y)
    _same(value, np.sum(X * Y))
    _same(doubled, X * 2.0)
    _same(gx, Y)


def test_value_and_grad_keeps_nested_structure_and_constants():
    value, gx = adc.value_and_grad(nested_outputs)(X)
    assert value["b"] == 1.0 and value["a"][1][1] == 7
    _same(value["a"][1][0], X * 3.0)
    _same(gx, np.full(3, 4.0))


def test_return_ids_pairs_positions_and_weight_names():
    (ix, gx), ((iw, gw), (ib, gb)) = adc.grad(uses_weights, (0,), weights=[W, B],
                                              return_ids=True)(X)
    assert (ix, iw, ib) == (0, "w", "b")
    _same(gx, D_UW_X)
    _same(gw, D_UW_W)
    _same(gb, D_UW_B)


def test_return_ids_tuple_of_positions():
    (i0, g0), (i1, g1) = adc.grad(bilinear, (0, 1), return_ids=True)(X, Y)
    assert (i0, i1) == (0, 1)
    _same(g0, D_BILINEAR_X)
    _same(g1, D_BILINEAR_Y)


def test_non_scalar_output_uses_ones_sensitivity():
    def square(x):
        return x * x
    _same(adc.grad(square)(X), 2 * X)


def test_unused_input_gets_zeros_of_its_shape_and_dtype():
    y32 = Y.astype(np.float32)
    gy = adc.grad(unused, 1)(X, y32)
    assert gy.dtype == np.float32 and gy.shape == Y.shape and not gy.any()


def test_constant_output_gives_zero_gradient():
    _same(adc.grad(returns_constant)(X), np.zeros(3))


def saxpy(a, b, c):
    return a * b + c


def passes_on(a, b):
    return a


@pytest.mark.parametrize("call, want", [
    (lambda: adc.grad(bilinear, 0)(2.0, 3.0), 9.0),
    (lambda: adc.grad(saxpy, 0)(2.0, 3.0, 1.0), 3.0),  # the argument b itself
    (lambda: adc.grad(saxpy, (0, 1, 2))(2.0, 3.0, 1.0), (3.0, 2.0, 1.0)),
    (lambda: adc.grad(passes_on, (0, 1))(2.0, 3.0), (1.0, 0.0)),  # b unused
    (lambda: adc.vjp(saxpy, 2.0, 3.0, 1.0)[1](1.0), (3.0, 2.0, 1.0)),
    (lambda: adc.jvp(passes_on, (2.0, 3.0), (0.5, 1.0))[1], 0.5),
], ids=["product", "argument", "three", "unused", "vjp", "jvp"])
def test_python_floats_in_give_python_floats_out(call, want):
    """A gradient at Python floats is a float (``np.float64`` counts), never a 0-d
    array: not the argument copied by ``np.array``, nor ``np.zeros_like`` of one
    (tangent's tests, reading ``grad(saxpy)(2.0, 3.0, 1.0)``, saw both)."""
    got = call()
    for g, w in zip(got if isinstance(want, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        assert isinstance(g, float) and g == w


def test_a_zero_d_array_cotangent_of_a_float_output_is_not_handed_back():
    """vjp's cotangent (or jvp's tangent) given as a 0-d array, where the code was
    compiled for a Python float, is read as its scalar: the result the code passes on
    unchanged is not the caller's array (which writing into it would change)."""
    cotangent, tangent = np.array(1.0), np.array(0.5)
    g = adc.vjp(saxpy, 2.0, 3.0, 1.0)[1](cotangent)[2]
    t = adc.jvp(passes_on, (2.0, 3.0), (tangent, 1.0))[1]
    assert g == 1.0 and g is not cotangent and not isinstance(g, np.ndarray)
    assert t == 0.5 and t is not tangent and not isinstance(t, np.ndarray)


def test_same_array_at_two_positions_gets_separate_gradients():
    gx, gy = adc.grad(bilinear, (0, 1))(X, X)
    _same(gx, X * X)
    _same(gy, 2 * X * X)


@pytest.mark.parametrize("arg", [3, np.array([1, 2, 3]), True], ids=["int", "int-array", "bool"])
def test_integer_input_at_requested_position_raises_naming_argument(arg):
    with pytest.raises(adc.AutodiffError, match="argument 'n'"):
        adc.grad(with_int, 1)(X, arg)


def test_integer_input_elsewhere_is_a_compile_time_constant():
    _same(adc.grad(with_int)(X, 3), 3 * X ** 2)


def test_non_parameter_weight_raises():
    with pytest.raises(adc.AutodiffError, match="Parameters"):
        adc.grad(uses_weights, None, weights=[np.ones(3)])


def test_decorator_forms():
    @adc.grad
    def plain(x):
        return np.sum(x ** 3)

    @adc.grad(grad_position=1)
    def second(x, y):
        return np.sum(x * y)

    _same(plain(X), 3 * X ** 2)
    _same(second(X, Y), X)


def test_float32_stays_float32():
    x32, y32 = X.astype(np.float32), Y.astype(np.float32)
    gx, gy = adc.grad(bilinear, (0, 1))(x32, y32)
    assert gx.dtype == gy.dtype == np.float32


def test_inputs_are_not_mutated():
    x, y = X.copy(), Y.copy()
    adc.value_and_grad(two_outputs, (0, 1))(x, y)
    _same(x, X)
    _same(y, Y)


def test_gradients_are_writeable_arrays():
    def total(x):
        return np.sum(x)
    g = adc.grad(total)(X)
    assert g.flags.writeable
    g += 1.0


def loss_and_a_constant_array(x):
    return np.sum(np.sin(x)), np.array([1.0, 2.0])


@pytest.mark.parametrize("call", [
    lambda x: adc.grad(loss_and_a_constant_array, has_aux=True)(x)[1][0],
    lambda x: adc.value_and_grad(loss_and_a_constant_array)(x)[0][1],
    lambda x: adc.jvp(loss_and_a_constant_array, (x,), (x,))[0][1],
    lambda x: adc.vjp(loss_and_a_constant_array, x)[0][1],
], ids=["aux", "value", "jvp", "vjp"])
def test_an_array_the_function_makes_from_constants_is_a_new_array_each_call(call):
    """``np.array([1.0, 2.0])`` is made while compiling; returned as it was, every call
    handed out the same array, and updating one result changed the next."""
    first = call(X)
    first[0] = 99.0
    _same(call(X), np.array([1.0, 2.0]))


def product_with_transpose(x, y):
    return np.sum(x * y.T)  # the gradient for x is y.T, a view of the caller's y


def constant_on_a_branch(x, y):
    if np.sum(x) > 0.0:  # decided at run time: a cond whose branch returns a constant
        return np.where(np.isnan(np.sqrt(0.3)), 1.0, 0.5)  # a 0-d array made compiling
    return np.sum(x * y.T)


def carried_unchanged(x, y):
    z = y.T
    for _ in range(int(np.sum(x) > 100.0)):  # runs no times: z is still y's view
        z = z * 2.0
    return np.sum(x) * 2.0, z


@pytest.mark.parametrize("call", [
    lambda x, y: adc.grad(product_with_transpose, (0, 1))(x, y)[0],
    lambda x, y: adc.grad(lambda row, y: np.sum(row * y[0]))(x[0, :2], y),
    lambda x, y: adc.value_and_grad(constant_on_a_branch, (0, 1))(x, y)[0],
    lambda x, y: adc.value_and_grad(constant_on_a_branch, (0, 1))(-x, y)[1][0],
    lambda x, y: adc.grad(carried_unchanged, has_aux=True)(x, y)[1][0],
], ids=["transposed_argument", "row_of_argument", "constant_from_a_branch",
        "view_from_the_other_branch", "view_carried_by_a_loop"])
def test_no_output_shares_memory_with_an_argument_or_a_constant(call):
    """Writing into what a call returned changes neither the caller's arguments nor
    what the next call returns (found by the fuzzer, seed 31213: a constant handed out
    from one branch of an ``if``)."""
    x, y = np.arange(1.0, 7.0).reshape(2, 3), np.arange(6.0).reshape(3, 2) / 5.0
    x0, y0 = x.copy(), y.copy()
    first = call(x, y)
    want = np.copy(first)
    first[...] = 99.0
    _same(x, x0)
    _same(y, y0)
    _same(call(x, y), want)


def constants_of_every_kind(x):
    return np.array([1.0, 2.0]), np.float32(2.0), np.sin(x), 4


def test_jvp_tangent_of_a_constant_output_is_zero():
    """A NumPy array or scalar no input reaches has a zero tangent (it was given the
    constant's own value)."""
    _, tangents = adc.jvp(constants_of_every_kind, (X,), (Y,))
    for got, want in zip(tangents, (np.zeros(2), np.float32(0.0), np.cos(X) * Y, 0.0)):
        _same(got, want)
        assert np.asarray(got).dtype == np.asarray(want).dtype


def test_grad_of_grad_straight_line_scalar():
    def f(x):
        return x ** 3 + np.sin(x)
    for x in (0.3, -1.7):
        assert adc.grad(adc.grad(f))(x) == pytest.approx(6 * x - np.sin(x))
        assert adc.grad(adc.grad(adc.grad(f)))(x) == pytest.approx(6 - np.cos(x))


def test_grad_inside_a_compiled_function():
    def inner(x):
        return np.sum(np.exp(x))

    def outer(x):
        return np.sum(adc.grad(inner)(x) * x)

    _same(adc.grad(outer)(X), np.exp(X) * X + np.exp(X))


# ---------------------------------------------------------------------------- the cache


def test_same_kind_of_arguments_does_not_recompile():
    grad_fn = adc.grad(bilinear)
    first = grad_fn.compiled_for((X, Y))
    assert grad_fn.compiled_for((X + 1.0, Y * 2.0)) is first
    assert adc.grad(bilinear).compiled_for((X, Y)) is first  # a fresh grad() hits the cache


def test_new_shape_or_dtype_recompiles():
    grad_fn = adc.grad(bilinear)
    first = grad_fn.compiled_for((X, Y))
    assert grad_fn.compiled_for((X[:2], Y[:2])) is not first
    assert grad_fn.compiled_for((X.astype(np.float32), Y)) is not first


def test_changed_global_helper_recompiles(monkeypatch):
    x = np.array([1.0, 2.0])
    assert adc.grad(calls_helper)(x) == pytest.approx(2 * x)
    monkeypatch.setitem(globals(), "helper", lambda v: v * v * v)
    assert adc.grad(calls_helper)(x) == pytest.approx(3 * x ** 2)


def test_updated_weight_values_are_seen_without_recompiling():
    w = Parameter(np.array([1.0, 2.0, 3.0]), name="w")

    def loss(x):
        return np.sum(x * w)

    grad_fn = adc.grad(loss)
    _same(grad_fn(X), w)
    w[...] = [4.0, 5.0, 6.0]
    _same(grad_fn(X), w)


def helper(v):
    return v * v


def calls_helper(x):
    return np.sum(helper(x))


def test_edited_and_reloaded_module_recompiles(tmp_path, monkeypatch):
    import importlib
    import linecache
    monkeypatch.syspath_prepend(str(tmp_path))
    module_file = tmp_path / "edited_model.py"
    module_file.write_text("def f(x):\n    return x ** 2\n")
    module = importlib.import_module("edited_model")
    assert adc.grad(module.f)(3.0) == pytest.approx(6.0)
    module_file.write_text("def f(x):\n    return x ** 3\n")
    linecache.checkcache(str(module_file))
    module = importlib.reload(module)
    assert adc.grad(module.f)(3.0) == pytest.approx(27.0)


def test_cache_never_confuses_closures_that_reuse_memory():
    import gc
    for fn, expected in [(abs, np.sign(X)), (np.negative, -np.ones(3)), (np.exp, np.exp(X))] * 3:
        np.testing.assert_allclose(adc.grad(_make_closure(fn))(X), expected)
        gc.collect()  # the closure is gone: its cell's memory may be reused


def _make_closure(fn):
    def closure(x):
        return np.sum(fn(x))
    return closure


def test_fast_call_path_follows_the_kind_of_arguments():
    grad_fn = adc.grad(bilinear, (0, 1))
    for x in (X, X[:2], X.astype(np.float32), X, 2.0, X[:2]):
        y = Y[:np.size(x)].astype(np.asarray(x).dtype) if np.ndim(x) else 3.0
        gx, gy = grad_fn(x, y)
        np.testing.assert_allclose(gx, np.asarray(y) ** 2, rtol=1e-6)
        np.testing.assert_allclose(gy, 2 * np.asarray(x) * np.asarray(y), rtol=1e-6)
    with pytest.raises(TypeError):
        grad_fn(X)  # a missing argument is the user's error, as for the function itself


@pytest.mark.parametrize("call", [
    lambda g: g(X, y=Y), lambda g: g(x=X, y=Y), lambda g: g(X, Y), lambda g: g(y=Y, x=X)],
    ids=["one_keyword", "all_keywords", "positional", "keywords_reordered"])
def test_keyword_arguments_take_the_general_path_and_agree(call):
    grad_fn = adc.grad(bilinear, (0, 1))
    grad_fn(X, Y)  # leaves the fast path for positional arrays of this kind
    gx, gy = call(grad_fn)
    np.testing.assert_allclose(gx, Y ** 2)
    np.testing.assert_allclose(gy, 2 * X * Y)


def test_gradient_has_the_signature_of_its_function():
    assert inspect.signature(adc.grad(bilinear)) == inspect.signature(bilinear)


def test_keywords_named_like_the_fast_paths_own_parameters_bind_to_the_function():
    def scaled(a1, a0):
        return np.sum(a0 * a1 ** 2)
    grad_fn = adc.grad(scaled, (0, 1))
    grad_fn(X, Y)
    ga1, ga0 = grad_fn(a0=Y, a1=X)
    np.testing.assert_allclose(ga1, 2 * X * Y)
    np.testing.assert_allclose(ga0, X ** 2)


def starred(*xs):
    return np.sum(xs[0] * xs[1] ** 2)


def keyword_only(x, *, y):
    return np.sum(x * y ** 2)


def positional_only(x, /, y):
    return np.sum(x * y ** 2)


def with_default(x, y=Y):
    return np.sum(x * y ** 2)


@pytest.mark.parametrize("fn, call", [
    (starred, lambda g: g(X, Y)),
    (keyword_only, lambda g: g(X, y=Y)),
    (positional_only, lambda g: g(X, Y)),
    (positional_only, lambda g: g(X, y=Y)),
    (with_default, lambda g: g(X)),
    (with_default, lambda g: g(X, Y)),
], ids=["starred", "keyword_only", "positional_only", "positional_only_keyword",
        "default_omitted", "default_given"])
def test_every_kind_of_signature_is_called_the_same_twice(fn, call):
    grad_fn = adc.grad(fn, 0)
    for _ in range(3):  # the first call compiles, later ones take the fast path
        np.testing.assert_allclose(call(grad_fn), Y ** 2)


def test_a_wrong_call_is_a_type_error_on_the_fast_path_too():
    grad_fn = adc.grad(positional_only, 0)
    grad_fn(X, Y)
    with pytest.raises(TypeError):
        grad_fn(x=X, y=Y)  # x is positional-only, as for the function itself
    with pytest.raises(TypeError):
        grad_fn(X, Y, Y)


def first_of_pair(pair, y):
    return np.sum(pair[0] * y ** 2)


def test_general_call_path_works_out_the_signature_once(monkeypatch):
    """Per function, not per gradient object: ``jvp`` and ``hvp`` make one per call."""
    calls = []
    signature = inspect.signature
    monkeypatch.setattr(inspect, "signature",
                        lambda fn, **kw: calls.append(fn) or signature(fn, **kw))

    def pair_loss(pair, y):  # new here, so no signature of it is held yet
        return first_of_pair(pair, y)
    for i in range(3):
        grad_fn = adc.grad(pair_loss, 1)  # a tuple argument: no fast path for it
        np.testing.assert_allclose(grad_fn((X,), Y), 2 * X * Y)
        assert i == 0 or pair_loss not in calls  # the first call compiles
        calls.clear()


def sum_of_cast_square(x):
    return np.sum((x * x).astype(x.dtype))


@pytest.mark.parametrize("cotangent", [1.0, 1, np.float64(1.0), np.array(1.0)], ids=repr)
def test_vjp_takes_a_python_number_as_a_numpy_outputs_cotangent(cotangent):
    # the adjoint of astype called .astype on the cotangent: a Python float has none
    x = np.array(0.7)
    _, vjp_fn = adc.vjp(sum_of_cast_square, x)
    (g,) = vjp_fn(cotangent)
    assert g == pytest.approx(1.4, rel=1e-12)


def test_a_function_run_in_a_namespace_without_a_module_name_compiles(tmp_path):
    """A runner that execs a script into a bare dict gives its functions no
    ``__module__``: reading it raised an internal error."""
    path = tmp_path / "script.py"
    path.write_text("import numpy as np\n\n\ndef loss(x):\n    return np.sum(np.sin(x) * x)\n")
    namespace: dict = {}
    exec(compile(path.read_text(), str(path), "exec"), namespace)
    assert namespace["loss"].__module__ is None
    x = np.linspace(-1.0, 1.0, 4)
    np.testing.assert_allclose(adc.grad(namespace["loss"])(x), np.cos(x) * x + np.sin(x))


def scaled_after_varargs(x, *args, scale=1.0):
    return np.sum(x * scale) + sum(args) * np.sum(x)


def counted_varargs(x, *args):
    return np.sum(x) * len(args)


def gathers_keywords(x, *args, **kwargs):
    return np.sum(x * kwargs.get("scale", 1.0))


def _called_with(fn, rest, keywords):
    def call(v):
        return fn(v, *rest, **keywords)
    return call


# (function, positional arguments after x, keyword arguments, d/dx of the sum)
VARARGS_CALLS = [
    (scaled_after_varargs, (), {"scale": 3.0}, 3.0),
    (scaled_after_varargs, (2.0,), {"scale": 3.0}, 5.0),
    (scaled_after_varargs, (2.0, 0.5), {}, 3.5),  # scale is keyword-only: 1.0
    (scaled_after_varargs, (), {}, 1.0),
    (counted_varargs, (1.0, 2.0), {}, 2.0),
    (gathers_keywords, (7.0,), {}, 1.0),
]


@pytest.mark.parametrize("fn, rest, keywords, expected", VARARGS_CALLS,
                         ids=[f"{f.__name__}-{len(r)}-{sorted(k)}" for f, r, k, _ in VARARGS_CALLS])
def test_varargs_and_keyword_only_arguments_bind_as_python_binds_them(fn, rest, keywords,
                                                                       expected):
    """``f(x, *args, scale=1.0)`` called with ``scale=3.0`` compiled as if 3.0 were one
    of ``args``, and the fast path took ``f(x, 2.0, 0.5)``'s 0.5 as ``scale``: silently
    wrong gradients. Each call is checked against the same call made inside compiled
    code (bound there as Python binds it), before and after another kind of call."""
    x = np.linspace(0.5, 1.5, 3)
    grad_fn = adc.grad(fn)
    for call_rest, call_keywords in [(rest, keywords), ((4.0,), {}), (rest, keywords)]:
        inside = adc.grad(_called_with(fn, call_rest, call_keywords))(x)
        np.testing.assert_allclose(grad_fn(x, *call_rest, **call_keywords), inside)
    np.testing.assert_allclose(grad_fn(x, *rest, **keywords), np.full(3, expected))


def test_keywords_gathered_by_a_differentiated_function_are_refused_at_its_def():
    with pytest.raises(adc.AutodiffError, match=r"gathers keyword arguments in \*\*kwargs") \
            as err:
        adc.grad(gathers_keywords)(np.ones(3), scale=2.0)
    assert err.value.loc.line == gathers_keywords.__code__.co_firstlineno
    assert isinstance(err.value, TypeError)


Point = collections.namedtuple("Point", ["x", "y"])


def radius(pt):
    return np.sqrt(np.sum(pt.x ** 2 + pt[1] ** 2))


def scaled_point(a, pt):
    return Point(a * pt.x, a * pt.y)


@pytest.mark.parametrize("point", [Point(1.0, 2.0), Point(np.array([1.0, 3.0]),
                                                          np.array([2.0, -1.0]))],
                         ids=["floats", "arrays"])
def test_a_namedtuple_argument_is_a_container_of_its_fields(point):
    """A namedtuple is a pytree, as JAX's test_namedtuple_transparency has it: the
    gradient is a namedtuple of its fields' gradients; jvp and vjp take one. It raised
    TypeError (rebuilt with one iterable where a namedtuple takes its fields)."""
    r = radius(point)
    want = Point(np.asarray(point.x) / r, np.asarray(point.y) / r)
    got = adc.grad(radius)(point)
    assert type(got) is Point
    np.testing.assert_allclose(got, want, rtol=1e-12)
    tangent = Point(np.ones_like(point.x), np.zeros_like(point.y))
    np.testing.assert_allclose(adc.jvp(radius, (point,), (tangent,))[1],
                               np.sum(want.x), rtol=1e-12)
    out, vjp_fn = adc.vjp(scaled_point, 2.0, point)
    assert type(out) is Point
    ga, gpt = vjp_fn(Point(np.ones_like(out.x), np.ones_like(out.y)))
    assert type(gpt) is Point and np.sum(gpt.x) == pytest.approx(2.0 * np.size(point.x))
    assert ga == pytest.approx(np.sum(point.x) + np.sum(point.y))


def sum_of_squares(x):
    return np.sum(x * x)


def scaled_by_weight(x):
    return np.sum(x * W_HELD) * 2.0


W_HELD = Parameter(np.array([1.0, 2.0, 3.0]), name="held")


def test_a_weight_passed_as_an_argument_gets_the_gradient_through_it():
    """``value_and_grad(loss, None, [p])(p)``: the Parameter passed is the weight, so
    its gradient counts the argument's uses (MindSpore 2.10: [2, 4, 6]); it was zero.
    A call with another array at that position is compiled apart and does not."""
    p = Parameter(np.array([1.0, 2.0, 3.0]), name="p")
    value, grads = adc.value_and_grad(sum_of_squares, None, [p])(p)
    assert float(value) == 14.0
    np.testing.assert_allclose(grads[0], [2.0, 4.0, 6.0])
    g_x, (g_p,) = adc.grad(sum_of_squares, 0, [p])(p)
    np.testing.assert_allclose(g_x, [2.0, 4.0, 6.0])
    np.testing.assert_allclose(g_p, [2.0, 4.0, 6.0])
    other = Parameter(np.array([1.0, 1.0, 1.0]), name="other")
    np.testing.assert_allclose(adc.grad(sum_of_squares, None, [p])(other)[0], 0.0)
    np.testing.assert_allclose(adc.grad(sum_of_squares, None, [p])(p)[0], [2.0, 4.0, 6.0])
    # read both as the argument and as a global: both uses count
    np.testing.assert_allclose(adc.grad(scaled_by_weight, None, [W_HELD])(W_HELD)[0],
                               [4.0, 8.0, 12.0])

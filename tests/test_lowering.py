"""Each syntax form lowers to the right gradient; unsupported forms fail at the user's line."""
import sys

import lowering_cases as cases
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import check_grads

X3 = np.array([0.3, -1.2, 0.8])
Y3 = np.array([1.1, 0.4, -0.7])
X6 = np.linspace(-1.0, 1.0, 6)
M = np.array([[0.2, -0.4, 0.6], [1.0, 0.5, -0.3], [0.7, 0.1, 0.9]])

FORMS = [
    ("tuple_unpacking", cases.tuple_unpacking, (X3, Y3)),
    ("operators", cases.operators, (X3, Y3)),
    ("import_styles", cases.import_styles, (X3,)),
    ("globals_and_constants", cases.globals_and_constants, (X3,)),
    ("closure", cases.make_closure(0.5), (X3,)),
    ("methods_and_attributes", cases.methods_and_attributes, (X6,)),
    ("calls_helper_with_defaults_and_keywords", cases.calls_helper, (X3,)),
    ("augmented_assignment", cases.augmented, (X3,)),
    ("indexing", cases.indexing, (M,)),
    ("method_of_user_object", cases.calls_method, (X3,)),
    ("python_float_argument", cases.python_float_arithmetic, (X3, 1.7)),
    ("numpy_scalar_methods_of_constants", cases.numpy_scalar_methods, (X6,)),
    ("local_imports_and_del", cases.local_imports_and_del, (X3,)),
    # a functools.wraps wrapper's (*a, **k) were taken for the wrapped function's (x)
    ("decorated_with_functools_wraps", cases.wrapped_cube, (X3,)),
    ("calls_a_function_decorated_with_functools_wraps", cases.calls_wrapped, (X3,)),
    ("cell_with_sigmoid", cases.Affine(), (np.array([[0.5, -1.0, 2.0]]),)),
    ("nested_cells", cases.TwoLayer(), (np.array([0.5, -1.0, 2.0]),)),
]


@pytest.mark.parametrize("fn, args", [(f, a) for _, f, a in FORMS], ids=[n for n, _, _ in FORMS])
def test_syntax_form_gradient_matches_finite_differences(fn, args):
    check_grads(fn, *args)


@pytest.mark.parametrize("mode, expected", [("square", 2 * X3), ("cube", 3 * X3 ** 2),
                                            ("other", np.ones(3))])
def test_static_branch_takes_the_branch_of_the_argument(mode, expected):
    np.testing.assert_allclose(adc.grad(cases.static_branch)(X3, mode), expected)


def test_global_parameter_reached_as_weight():
    (g,) = adc.grad(cases.uses_global_parameter, None, weights=[cases.GLOBAL_W])(X3)
    np.testing.assert_allclose(g, X3)


def test_nested_cell_parameters_are_named_with_prefix_and_differentiated():
    net = cases.TwoLayer()
    params = net.trainable_params()
    assert [p.name for p in params] == ["scale", "first.w", "first.b"]
    x = np.array([0.5, -1.0, 2.0])
    grads = adc.grad(net, None, weights=params)(x)
    z = x @ net.first.w + net.first.b
    s = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(grads[0], np.sum(s))
    np.testing.assert_allclose(grads[2], net.scale * s * (1 - s))


ERRORS = [
    ("try", cases.uses_try, adc.AutodiffError, "raised while compiling, for these "
     "arguments: KeyError", 'raise KeyError("w")'),
    ("with", cases.uses_with, adc.AutodiffError, "'with' of open(...): only np.errstate",
     "with open(__file__):"),
    ("unknown_name", cases.unknown_name, adc.AutodiffError, "'not_defined_anywhere' is not defined",
     "not_defined_anywhere"),
    ("local_read_before_assignment", cases.local_read_before_assignment, adc.AutodiffError,
     "local variable 'scale' has no value here (Python raises UnboundLocalError)",
     "y = x * scale"),
    ("read_after_del", cases.read_after_del, adc.AutodiffError,
     "local variable 'y' has no value here", "return np.sum(y)"),
    # each was reported as something else: 'found 0 matching definitions on this line',
    # 'cannot differentiate a call to type' (twice)
    ("async_def", cases.asynchronous, adc.AutodiffError, "is an async function",
     "async def asynchronous(x):"),
    ("type_of_an_array", cases.type_of_an_array, adc.AutodiffError,
     "type() of an array computed at run time", "type(x)"),
    ("cell_without_construct", cases.calls_a_cell_without_construct, adc.AutodiffError,
     "WithoutConstruct must define construct()", "WITHOUT_CONSTRUCT(x)"),
    ("no_rule", cases.no_rule, adc.AutodiffError, "np.i0", "np.i0(x)"),
    ("axis_computed_at_run_time", cases.bad_reduction_axis, adc.AutodiffError,
     "axis must be known when compiling", "np.sum(x, axis="),
    ("call_for_side_effect", cases.side_effect, adc.UnsupportedSyntaxError, "side effects",
     "np.random.shuffle(x)"),
    ("write_into_argument", cases.mutates_input, adc.AutodiffError,
     "the caller passed in", "x[0] = 1.0"),
    # What fails inside an installed library's function is the user's call's error.
    ("library_without_a_rule", cases.library_without_a_rule, adc.AutodiffError,
     "statistics.fmean, compiled from its source, cannot be differentiated",
     "statistics.fmean([x[0], x[1]])"),
]


@pytest.mark.parametrize("fn, exc, message, source", [e[1:] for e in ERRORS],
                         ids=[e[0] for e in ERRORS])
def test_unsupported_code_raises_at_users_line(fn, exc, message, source):
    x = X3.copy()
    with pytest.raises(exc) as err:
        adc.grad(fn)(x)
    text = str(err.value)
    assert message in text
    assert "lowering_cases.py:" in text
    assert source in text and "^" in text and "hint:" in text
    np.testing.assert_array_equal(x, X3)  # the input is untouched


def test_byte_sizes_are_the_dtypes():
    """CS231n's conv_forward_strides reads x.itemsize: it was refused with a hint for
    x.sum()."""
    np.testing.assert_array_equal(adc.grad(cases.byte_sizes)(M), np.full(M.shape, 8.0))
    assert adc.value_and_grad(cases.byte_sizes)(M)[0] == pytest.approx(cases.byte_sizes(M))


def test_a_lambda_made_in_a_comprehension_reads_its_variables_as_python_does():
    """'name k is not defined' (or, with a global k, that global, silently)."""
    assert adc.value_and_grad(cases.lambdas_made_in_comprehensions)(X3)[0] == \
        pytest.approx(cases.lambdas_made_in_comprehensions(X3))
    np.testing.assert_allclose(adc.grad(cases.lambdas_made_in_comprehensions)(X3),
                               np.full(3, 313.0))


def test_recursion_on_a_static_argument_unrolls():
    np.testing.assert_allclose(adc.grad(cases.recursive)(X3, 2), 4 * X3 ** 3)


def test_source_unavailable_is_a_clear_error():
    namespace = {}
    exec("def f(x):\n    return x * 2.0\n", namespace)
    with pytest.raises(adc.AutodiffError, match="cannot read the source"):
        adc.grad(namespace["f"])(1.0)


def test_error_traceback_does_not_show_compiler_frames():
    with pytest.raises(adc.AutodiffError) as err:
        adc.grad(cases.no_rule)(X3)
    frames = [f.filename for f in __import__("traceback").extract_tb(err.value.__traceback__)]
    assert not any("/autodiff_compiler/" in f and "api.py" not in f for f in frames)


@pytest.mark.parametrize("name, want", [
    ("square", lambda x: 2 * x),
    ("sine", lambda x: np.cos(x)),
])
def test_lambda_inside_a_multi_line_expression_compiles(name, want):
    entry = cases.LAMBDAS_IN_A_DICT[name]
    fn = entry[0] if isinstance(entry, tuple) else entry
    np.testing.assert_allclose(adc.grad(fn)(X3), want(X3))


@pytest.mark.skipif(sys.version_info < (3, 11), reason="columns of code are 3.11's")
@pytest.mark.parametrize("fn, want", [
    (cases.LAMBDAS_ON_ONE_LINE["pair"][0], lambda x: 2 * x),
    (cases.LAMBDAS_ON_ONE_LINE["pair"][1], np.cos),
    (cases.CUBE, lambda x: 3 * x ** 2),
    (cases.EXP, np.exp),
], ids=["first_in_a_dict", "second_in_a_dict", "first", "second"])
def test_lambdas_sharing_a_line_are_told_apart(fn, want):
    """Two lambdas on one line were refused (found 2 matching lambdas): each is now the
    one whose columns its code comes from."""
    np.testing.assert_allclose(adc.grad(fn)(X3), want(X3), rtol=1e-12)


@pytest.mark.skipif(sys.version_info < (3, 11), reason="columns of code are 3.11's")
def test_a_lambda_in_another_lambdas_text_is_the_innermost_of_its_parameters():
    """Both the lambda passed to grad and the one around it hold its code's columns: it
    is the innermost, of the same parameters, ``*args`` and ``**kwargs`` counted (both
    were found, and refused)."""
    np.testing.assert_allclose(cases.NESTED_ALIKE(X3), np.cos(X3), rtol=1e-12)
    np.testing.assert_allclose(cases.VARIADIC_IN_A_THUNK()(X3),
                               np.cos(X3) - X3 * np.sin(X3), rtol=1e-12)


def test_lambda_inside_a_multi_line_expression_errors_at_its_line():
    with pytest.raises(adc.AutodiffError, match=r"np\.i0") as err:
        adc.grad(cases.LAMBDAS_IN_A_DICT["no_rule"])(X3)
    assert '"no_rule": lambda x: np.sum(np.i0(x)),' in str(err.value)
    assert "lowering_cases.py:" in str(err.value)


def test_isinstance_known_when_compiling_although_the_values_are_not():
    np.testing.assert_allclose(adc.grad(cases.isinstance_of_containers_and_arrays)(X3), 6 * X3)
    np.testing.assert_allclose(adc.grad(cases.isinstance_int_of_arrays)(X3), 3.0 + X3)
    with pytest.raises(adc.AutodiffError, match="isinstance of a run-time value"):
        adc.grad(lambda x: np.sum(x) * (2.0 if isinstance(np.sum(x), float) else 1.0))(X3)


def lists_an_array(x):
    values = x.tolist()
    return values[0] * values[1]


def shuffles(x):
    np.random.shuffle(x)
    return np.sum(x)


def seeds(x):
    np.random.seed(0)
    return np.sum(x * np.random.normal(size=3))


@pytest.mark.parametrize("fn, message, hint", [
    (lists_an_array, "'.tolist' is not supported", "index the array itself"),
    (shuffles, "shuffle() is called for its side effects", "np.random.permutation(x)"),
    (seeds, "seed() is called for its side effects", "seed outside"),
], ids=["tolist", "shuffle", "seed"])
def test_what_to_write_instead_is_said_for_the_call(fn, message, hint):
    """The hints were generic: 'np.sum(x) for x.sum()' for x.tolist(), 'assign its
    result' for np.random.shuffle(x) and np.random.seed(0)."""
    with pytest.raises(adc.AutodiffError) as err:
        adc.grad(fn)(X3.copy())
    assert message in str(err.value) and hint in str(err.value)
    assert "test_lowering.py:" in str(err.value)

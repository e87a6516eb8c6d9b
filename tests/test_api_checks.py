"""What grad accepts: its options (grad_position, has_aux, return_ids) and what the
differentiated function returns. A wrong kind is a TypeError naming the user's line,
as JAX and MindSpore raise, never a zero gradient."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError

X = np.array([0.5, -1.0, 2.0])


def loss(x, y=1.0):
    return np.sum(x * x) * y


def returns_none(x):
    y = x * 2.0  # noqa: F841  (no return: None)


def returns_none_explicitly(x):
    return None


def returns_int(x):
    return 3


def returns_bool(x):
    return bool(1)


def returns_str(x):
    return "loss"


def returns_int_array(x):
    return np.argmax(x)


def returns_tuple_of_ints(x):
    return 1, None


@pytest.mark.parametrize("fn, what", [
    (returns_none, "None"), (returns_none_explicitly, "None"), (returns_int, "an int"),
    (returns_bool, "a bool"), (returns_str, "a str"), (returns_int_array, "an int64 scalar"),
    (returns_tuple_of_ints, r"a tuple of \(an int, None\)"),
], ids=lambda v: getattr(v, "__name__", None))
@pytest.mark.parametrize("make", [adc.grad, adc.value_and_grad], ids=["grad", "value_and_grad"])
def test_non_float_output_raises_located_type_error(make, fn, what):
    with pytest.raises(TypeError, match=rf"test_api_checks\.py:\d+: cannot differentiate "
                                        rf"the function: it returned {what}, not a float"):
        make(fn)(X)


def pair_product(x, y):
    return np.sum(x * y)


def test_a_wrong_call_is_a_type_error_naming_the_function_and_its_def():
    with pytest.raises(TypeError, match=r"test_api_checks\.py:\d+: pair_product\(x, y\) "
                                        r"cannot take these arguments: too many positional"):
        adc.grad(pair_product)(X, X, X)


@pytest.mark.parametrize("value, what", [(None, "None"), ("x", "a str")], ids=["None", "str"])
def test_an_argument_without_arrays_is_named_before_an_operator_fails_on_it(value, what):
    """grad(f)(None) said 'operator Mult is not supported on these operands'."""
    with pytest.raises(adc.AutodiffError, match=rf"argument 'x' \(position 0\): it is {what}"):
        adc.grad(lambda x: np.sum(x * x))(value)


def test_an_int_argument_is_named_rather_than_the_int_output_it_makes():
    """An int array in makes an int output: the output was blamed ('return the loss as
    a float'), where the argument is the mistake."""
    with pytest.raises(adc.AutodiffError, match=r"argument 'x' \(position 0\): it has "
                                                r"dtype int") as err:
        adc.grad(lambda x: np.sum(x * x))(np.arange(3))
    assert "astype" in str(err.value)


def test_non_float_first_output_with_has_aux_raises_type_error():
    with pytest.raises(TypeError, match="its first output is an int"):
        adc.grad(lambda x: (3, x), has_aux=True)(X)


def test_non_float_output_error_is_an_autodiff_error_with_hint():
    with pytest.raises(AutodiffError, match="has_aux=True") as info:
        adc.grad(returns_none)(X)
    assert "np.sum" in info.value.hint


@pytest.mark.parametrize("fn, expected", [
    (lambda x: np.sum(x * x), 2 * X),                        # a 0-d array
    (lambda x: x * 3.0, np.full(3, 3.0)),                    # an array: its sum
    (lambda x: 2.0, np.zeros(3)),                            # a float constant
    (lambda x: (np.sum(x), 7), np.ones(3)),                  # constants beside: ignored
    (lambda x: [np.sum(x), None], np.ones(3)),
], ids=["0-d", "array-summed", "float-constant", "tuple-with-int", "list-with-none"])
def test_float_outputs_of_every_kind_are_differentiated(fn, expected):
    np.testing.assert_allclose(adc.grad(fn)(X), expected, rtol=1e-12)


def test_python_float_output_of_python_float_argument():
    assert adc.grad(lambda a: a * a + 1.0)(3.0) == 6.0


def test_has_aux_with_non_tuple_output_names_the_function_line():
    with pytest.raises(TypeError, match=r"test_api_checks\.py:\d+: has_aux=True needs the "
                                        r"function to return a tuple .* returned a float64"):
        adc.grad(loss, has_aux=True)(X)


@pytest.mark.parametrize("position", [0.0, "0", True, (), (0, 1.0), {0}], ids=repr)
def test_grad_position_of_wrong_type_raises_type_error(position):
    with pytest.raises(TypeError, match="grad_position must be an int or a tuple of ints"):
        adc.grad(loss, grad_position=position)


def test_grad_position_numpy_int_reads_as_int():
    np.testing.assert_allclose(adc.grad(loss, grad_position=np.int64(0))(X, 1.0), 2 * X,
                               rtol=1e-12)


@pytest.mark.parametrize("position, error, message", [
    ([0], TypeError, "not the list"),
    (-2, ValueError, "must be >= 0"),
    ((0, -2), ValueError, "must be >= 0"),
    ((0, 0), ValueError, "names a position twice"),
], ids=["list", "negative", "negative-in-tuple", "duplicate"])
def test_grad_position_refused_as_mindspore_refuses_it(position, error, message):
    """MindSpore 2.10: a list is a TypeError ("must be int or tuple"), a negative
    position a ValueError ("must be >= 0"), a repeated one a ValueError ("duplicate
    positions")."""
    with pytest.raises(error, match=message):
        adc.grad(loss, grad_position=position)


@pytest.mark.parametrize("position", [2, (0, 5)], ids=repr)
def test_grad_position_out_of_range_raises_located_value_error(position):
    with pytest.raises(ValueError, match=r"test_api_checks\.py:\d+: grad_position -?\d is "
                                         r"out of range: the function takes 2 arguments"):
        adc.grad(loss, grad_position=position)(X, 1.0)


@pytest.mark.parametrize("option", ["has_aux", "return_ids"])
@pytest.mark.parametrize("value", [1, 0, "no", None], ids=repr)
def test_non_bool_flag_raises_type_error(option, value):
    with pytest.raises(TypeError, match=f"{option} must be True or False"):
        adc.grad(loss, **{option: value})


def test_numpy_bool_flag_is_accepted():
    grads, (aux,) = adc.grad(lambda x: (np.sum(x), x), has_aux=np.bool_(True))(X)
    np.testing.assert_allclose(grads, np.ones(3))
    np.testing.assert_allclose(aux, X)


def doubled(x):
    return x * 2.0


@pytest.mark.parametrize("cotangents, error, message", [
    ((), TypeError, r"one cotangent per float output of doubled \(1\), got 0"),
    ((np.ones(3), np.ones(3)), TypeError, r"got 2"),
    ((np.ones(4),), ValueError, r"cotangent 0 has shape \(4,\), but output 0 has shape \(3,\)"),
    ((np.ones((1, 3)),), ValueError, r"cotangent 0 has shape \(1, 3\)"),
], ids=["none", "too-many", "wrong-length", "broadcastable"])
def test_vjp_cotangents_of_wrong_number_or_shape_raise(cotangents, error, message):
    _, vjp_fn = adc.vjp(doubled, X)
    with pytest.raises(error, match=message):
        vjp_fn(*cotangents)
    np.testing.assert_array_equal(vjp_fn(np.ones(3))[0], np.full(3, 2.0))


@pytest.mark.parametrize("tangent", [np.ones(4), np.ones((1, 3)), 1.0],
                         ids=["wrong-length", "broadcastable", "scalar"])
def test_jvp_tangent_of_wrong_shape_raises_value_error(tangent):
    with pytest.raises(ValueError, match=r"tangent 0 has shape .*, but float argument 0 "
                                         r"has shape \(3,\)"):
        adc.jvp(doubled, (X,), (tangent,))


def test_jvp_tangent_of_python_float_argument():
    assert adc.jvp(doubled, (1.5,), (1.0,)) == (3.0, 2.0)


@pytest.mark.parametrize("weights, what", [
    (3, "int"), (np.ones(2), "ndarray"), ([np.ones(2)], "ndarray"), ("w", "str"),
], ids=["int", "array", "list-of-array", "str"])
def test_weights_of_wrong_type_raise_type_error(weights, what):
    with pytest.raises(TypeError, match=f"weights must be Parameters, not {what}"):
        adc.grad(loss, None, weights=weights)


@pytest.mark.parametrize("options", [dict(grad_position=[0]), dict(has_aux=1),
                                     dict(grad_position=-1), dict(weights=[np.ones(2)])],
                         ids=["list", "has_aux", "negative", "weights"])
def test_a_wrong_option_names_the_users_call(options):
    """vmap's option errors named the call's line; grad's named no line at all."""
    with pytest.raises(adc.AutodiffError, match=r"test_api_checks\.py:\d+: "):
        adc.grad(pair_product, **options)(X, X)

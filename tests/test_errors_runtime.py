"""Errors raised while generated code runs point at the user's source.

The traceback shows the generated line (its source is in ``linecache``) and a note
on the exception names the user's ``file:line`` that line came from, and whether it
failed in the forward pass or in the gradient.
"""
import traceback
from pathlib import Path

import numpy as np
import pytest
import runtime_error_cases as cases

import autodiff_compiler as adc
from autodiff_compiler.errors import display_path


def line_of(fn, text: str) -> str:
    """``file:line`` (as errors print it) of the line of ``fn`` that contains ``text``."""
    file, first = fn.__code__.co_filename, fn.__code__.co_firstlineno
    lines = Path(file).read_text().splitlines()
    number = next(i for i, line in enumerate(lines, 1) if i >= first and text in line)
    return f"{display_path(file)}:{number}"


def raised(call) -> BaseException:
    with pytest.raises(Exception) as info:
        call()
    return info.value


def notes(err: BaseException) -> str:
    return "\n".join(getattr(err, "__notes__", []))


def rendered(err: BaseException) -> str:
    return "".join(traceback.format_exception(err))


def test_shape_mismatch_between_arguments_names_the_users_line():
    grad_fn = adc.grad(cases.scaled_sum, (0, 1))
    err = raised(lambda: grad_fn(np.ones(3), np.ones(4)))
    assert isinstance(err, ValueError)
    assert f"raised in the forward pass of {line_of(cases.scaled_sum, 'a = x * y')}" \
        in notes(err)
    text = rendered(err)
    assert '<autodiff_compiler:grad_scaled_sum:' in text  # the generated frame
    assert "    a = x * y\n" in text  # its line, read back from linecache


def test_shape_mismatch_in_the_gradient_names_the_users_line():
    # shape-generic code: a specialised vjp_fn checks the cotangent's shape up front
    _, vjp_fn = adc.vjp(cases.sin_twice, np.ones(3), specialize=False)
    err = raised(lambda: vjp_fn(np.ones(4)))
    assert isinstance(err, ValueError)
    where = line_of(cases.sin_twice, "return np.sin(x) * 2.0")
    assert f"raised in the gradient of {where}" in notes(err)
    assert "g_sin = unbroadcast(" in rendered(err)  # the generated line


def test_floating_point_check_in_the_gradient_names_the_users_line():
    grad_fn = adc.grad(cases.root_sum)
    with np.errstate(divide="raise"):
        err = raised(lambda: grad_fn(np.array([0.0, 2.0])))
    assert isinstance(err, FloatingPointError)
    assert f"raised in the gradient of {line_of(cases.root_sum, 'np.sqrt')}" in notes(err)


def test_floating_point_check_in_the_forward_pass_names_the_users_line():
    value_and_grad_fn = adc.value_and_grad(cases.log_scaled)
    with np.errstate(invalid="raise"):
        err = raised(lambda: value_and_grad_fn(np.array([-1.0, 2.0])))
    assert isinstance(err, FloatingPointError)
    where = line_of(cases.log_scaled, "np.log(x)")
    assert f"raised in the forward pass of {where}" in notes(err)


def test_failure_in_an_expression_folded_into_the_return_line_names_the_users_line():
    value_and_grad_fn = adc.value_and_grad(cases.log_sum)
    with np.errstate(invalid="raise"):
        err = raised(lambda: value_and_grad_fn(np.array([-1.0, 2.0])))
    assert line_of(cases.log_sum, "np.log") in notes(err)


def test_bad_index_in_the_forward_pass_names_the_users_line():
    err = raised(lambda: adc.grad(cases.pick)(np.ones(3), 5))
    assert isinstance(err, IndexError)
    assert f"raised in the forward pass of {line_of(cases.pick, 'x[i]')}" in notes(err)
    assert "x[i]" in notes(err)  # the user's line, quoted


def test_bad_index_array_in_the_gradient_names_the_users_line():
    err = raised(lambda: adc.grad(cases.gather_sum)(np.ones(3), np.array([0, 7])))
    assert isinstance(err, IndexError)
    assert f"raised in the gradient of {line_of(cases.gather_sum, 'x[idx]')}" in notes(err)


def test_the_error_is_raised_once_with_one_note():
    grad_fn = adc.grad(cases.scaled_sum, (0, 1))
    for _ in range(2):  # the cached path adds the note afresh to each new exception
        err = raised(lambda: grad_fn(np.ones(3), np.ones(4)))
        assert len(err.__notes__) == 1


def test_an_error_in_a_backward_hook_is_the_gradients():
    """The hook's own lines are compiled as forward code; the gradient calls them (the
    note said 'raised in the forward pass')."""
    err = raised(lambda: adc.grad(cases.hooked_square)(adc.Tensor(np.ones(2, np.float32))))
    assert isinstance(err, ValueError) and "refuses its gradient" in str(err)
    assert f"raised in the gradient of {line_of(cases.hooked_square, 'HookBackward')}" \
        in notes(err)

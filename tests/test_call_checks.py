"""Calls are read as NumPy reads them: against the real signature (``arguments``).

A call Python or NumPy would reject is refused at the user's line; a keyword NumPy
takes is either honoured or refused, never ignored.
"""
from __future__ import annotations

import call_check_cases as K
import numpy as np
import pytest
from numpy_version import only_on_numpy_2
from refusals import assert_refused_at_first_line

import autodiff_compiler as adc
from autodiff_compiler import check_grads

X = np.array([0.3, -0.9])
X6 = np.linspace(-1.0, 1.5, 6)

REJECTED_BY_NUMPY = [
    (K.math_atan_with_two_arguments, "math.atan: too many positional arguments"),
    (K.sum_with_unknown_keyword, "np.sum: got an unexpected keyword argument 'axes'"),
    (K.mean_with_too_many_arguments, "np.mean: too many positional arguments"),
    (K.cholesky_upper_given_positionally, "too many positional arguments"),
    (K.reshape_method_with_unknown_keyword, "unexpected keyword argument 'shape_of'"),
]
NOT_SUPPORTED = [
    (K.arctan_with_two_arguments, "arctan takes 1 input; its argument 2 would be the out= "
                                  "array it writes into, which is not supported (did you "
                                  "mean np.arctan2?)"),
    (K.add_with_three_arguments, "add takes 2 inputs; its argument 3 would be the out="),
    (K.exp_into_out, "writing into an array the caller passed in"),  # out= is a write
    (K.clip_where, "np.clip: where=... is not supported yet"),
]


def _refused(fn, reason):
    assert_refused_at_first_line(fn, reason, X)


@pytest.mark.parametrize("fn, reason", REJECTED_BY_NUMPY,
                         ids=[f.__name__ for f, _ in REJECTED_BY_NUMPY])
def test_call_numpy_rejects_is_refused_at_the_users_line(fn, reason):
    _refused(fn, reason)
    with pytest.raises(TypeError):
        fn(X.copy())


@pytest.mark.parametrize("fn, reason", NOT_SUPPORTED, ids=[f.__name__ for f, _ in NOT_SUPPORTED])
def test_call_with_unsupported_argument_is_refused_not_ignored(fn, reason):
    _refused(fn, reason)


HONOURED = [K.reshape_in_fortran_order, K.reshape_method_in_fortran_order,
            K.ravel_in_fortran_order, K.array_with_ndmin, K.zeros_in_fortran_order,
            K.transpose_axes_keyword, *only_on_numpy_2(K.reshape_shape_keyword),  # NumPy 2.1's
            K.pad_constant_values_keyword,
            K.linalg_norm_keywords, K.keywords_numpy_binds, K.method_keywords_numpy_takes,
            K.extrema_arguments_by_position]


@pytest.mark.parametrize("fn", HONOURED, ids=lambda f: f.__name__)
def test_call_keyword_is_honoured(fn):
    check_grads(fn, X6)
    value, _ = adc.value_and_grad(fn)(X6)
    np.testing.assert_allclose(value, fn(X6), rtol=1e-12)

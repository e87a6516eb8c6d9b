"""Two integer results MindSpore 2.10 gives where NumPy gives floats, measured on its CPU:
the mean of an integer Tensor (``x.mean()``, ``ops.mean``, ``ops.ReduceMean``,
``mindspore.numpy.mean``, ``mint.mean``) is an integer of its dtype, summed in that dtype
and rounded toward zero; ``ops.full`` without a dtype is Int64, a float fill rounded
toward zero (its documentation's own example). Eagerly, and inside a differentiated
function."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, mint, ops
from autodiff_compiler import numpy as mnp

MEANS = {"x.mean": lambda t: t.mean(), "ops.mean": ops.mean, "mnp.mean": mnp.mean,
         "ReduceMean": lambda t: ops.ReduceMean()(t), "mint.mean": mint.mean,
         "x.mean(0, True)": lambda t: t.mean(0, True)}

# (values, dtype, MindSpore 2.10's mean)
CASES = [
    ([1, 2], np.int32, 1), ([1, 2], np.int64, 1), ([1, 2], np.uint8, 1), ([1, 2], np.int8, 1),
    ([-1, -2], np.int32, -1), ([-1, -2], np.int64, -1), ([-1, -2], np.int8, -1),
    ([-1, -2], np.uint8, 126),  # 255 + 254 wraps to 253 in uint8, then / 2
    ([1, 2, 2], np.int32, 1), ([-3, 1], np.int32, -1), ([-3, 1], np.uint8, 127),
]


@pytest.mark.parametrize("name", sorted(MEANS))
@pytest.mark.parametrize("values, dtype, expected", CASES, ids=str)
def test_integer_mean_is_mindspores(name, values, dtype, expected):
    t = Tensor(np.array(values).astype(dtype))
    out = MEANS[name](t)
    assert np.asarray(out).dtype == dtype
    np.testing.assert_array_equal(np.asarray(out).reshape(-1), [expected])


def test_integer_mean_inside_a_differentiated_function():
    counts = Tensor(np.array([1, 2, 2], np.int32))

    def f(x):
        return (x * counts.mean() + x * ops.mean(counts)).sum()

    x = Tensor(np.array([0.5, -1.0], np.float32))
    np.testing.assert_array_equal(ms.grad(f)(x).asnumpy(), [2.0, 2.0])
    np.testing.assert_allclose(float(ms.jit(f)(x).asnumpy()), -1.0)


# (fill value, dtype given, MindSpore 2.10's values and dtype)
FULL = [
    (3, None, [3, 3], np.int64), (3.7, None, [3, 3], np.int64), (-3.7, None, [-3, -3], np.int64),
    (True, None, [1, 1], np.int64), (False, None, [0, 0], np.int64),
    (3.7, ms.float16, [3.7, 3.7], np.float16), (1.2, ms.float32, [1.2, 1.2], np.float32),
]


@pytest.mark.parametrize("fill, dtype, expected, kind", FULL, ids=str)
def test_ops_full_defaults_to_int64(fill, dtype, expected, kind):
    out = ops.full((2,), fill, dtype=dtype)
    assert out.dtype == kind
    np.testing.assert_allclose(out.asnumpy().astype(np.float64), expected, rtol=1e-3)


def test_mint_full_keeps_pytorchs_dtypes():
    assert mint.full((2,), 3.7).dtype == np.float32
    assert mint.full((2,), True).dtype == np.bool_
    assert mint.full((2,), 3).dtype == np.int64

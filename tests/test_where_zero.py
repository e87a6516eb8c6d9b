"""``where_zero``: the NumPy backend's spelling of ``np.where(c, x, 0)`` on large arrays
(a ReLU, the adjoint of every selection), which masks bits instead of selecting.

It must give what ``np.where`` gives bit for bit: +0 where a masked-out value is nan,
inf or negative (a product with the mask would give nan or -0), the same dtype, and
``np.where`` itself wherever its shortcut does not apply.
"""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.ir.reference import where_zero

SPECIALS = [np.nan, np.inf, -np.inf, -0.0, 0.0, -1.5, 2.5, 1e-300, -1e-300]


def _same_bits(got, want):
    assert type(got) is type(want) and got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "complex64",
                                   "complex128", "int8", "int32", "uint16", "int64"])
@pytest.mark.parametrize("zero", [0, 0.0], ids=["int0", "float0"])
@pytest.mark.parametrize("side", ["x", "y"])
def test_where_zero_is_np_where_bit_for_bit(dtype, zero, side):
    rng = np.random.default_rng(0)
    n = 5000
    if np.dtype(dtype).kind in "fc":
        with np.errstate(all="ignore"):
            a = np.resize(np.array(SPECIALS), n).astype(dtype)
            a[: n // 2] = rng.standard_normal(n // 2).astype(dtype)
    else:
        a = rng.integers(0, 100, n).astype(dtype)
    c = rng.random(n) < 0.5
    args = (c, a, zero) if side == "x" else (c, zero, a)
    _same_bits(where_zero(*args), np.where(*args))


@pytest.mark.parametrize("args", [
    (np.array([True, False]), np.ones((3, 2), np.float32), 0),  # broadcasting
    (np.array([1, 0]), np.ones(2), 0),  # a condition that is not boolean
    (np.array([True, False]), np.ones(2, np.int32), 0.0),  # 0.0 makes ints float64
    (np.array([True, False]), np.ones(2, np.float32), np.float64(0)),  # a strong zero
    (np.array([True, False]), np.ones(2), 1.0),  # not a zero
    (np.array([True, False]), 0, 0),
    (np.array([True, False]), np.array([True, True]), 0),  # bool + 0 is int
], ids=["broadcast", "int_cond", "int_float0", "strong_zero", "one", "scalars", "bools"])
def test_where_zero_falls_back_to_np_where(args):
    _same_bits(np.asarray(where_zero(*args)), np.asarray(np.where(*args)))


def test_where_zero_does_not_touch_its_operands():
    c = np.arange(6) % 2 == 0
    x = np.linspace(-1, 1, 6)
    kept_c, kept_x = c.copy(), x.copy()
    where_zero(c, x, 0)
    where_zero(c, 0, x)
    np.testing.assert_array_equal(c, kept_c)
    np.testing.assert_array_equal(x, kept_x)


def relu_net(x, w1, w2):
    h = np.where(x @ w1 > 0, x @ w1, 0.0)
    return np.sum(np.where(h @ w2 > 0, h @ w2, 0.0) ** 2)


def _inputs(batch, width):
    rng = np.random.default_rng(1)
    return (rng.standard_normal((batch, 8)), rng.standard_normal((8, width)),
            rng.standard_normal((width, width)))


def _code(source):
    """The generated source without its comments (which quote the user's lines)."""
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith("#"))


def test_large_relu_masks_are_written_with_where_zero_and_the_gradient_is_unchanged():
    args = _inputs(64, 128)  # 8,192 float64 values per activation
    code = _code(adc.gradient_source(relu_net, (1, 2), args=args))
    assert "where_zero(" in code and "np.where(" not in code
    got = adc.grad(relu_net, (1, 2))(*args)
    x, w1, w2 = args
    a1 = x @ w1
    h = np.where(a1 > 0, a1, 0.0)
    a2 = h @ w2
    g2 = np.where(a2 > 0, 2 * a2, 0.0)
    g1 = np.where(a1 > 0, g2 @ w2.T, 0.0)
    np.testing.assert_allclose(got[0], x.T @ g1, rtol=1e-12)
    np.testing.assert_allclose(got[1], h.T @ g2, rtol=1e-12)
    adc.check_grads(relu_net, *_inputs(4, 3))


def test_small_relu_masks_keep_np_where():
    """Below about 4,096 values a single ``np.where`` is the faster call."""
    code = _code(adc.gradient_source(relu_net, (1, 2), args=_inputs(4, 16)))
    assert "where_zero(" not in code and "np.where(" in code


def masked_product(x, s):
    return np.sum(np.where(x > 0, x, 0.0) * s)


def test_an_infinite_cotangent_where_the_mask_is_off_gives_zero_not_nan():
    """The adjoint of ``where(x > 0, x, 0)`` is ``where(x > 0, g, 0)``: +0 where ``x``
    is masked off even if ``g`` is inf there (``g * mask`` would give nan), and +0, not
    -0, where ``g`` is negative."""
    x = np.resize(np.array([1.0, -1.0, 2.0, -3.0]), 8192)
    s = np.resize(np.array([0.5, np.inf, -2.0, -1.0]), 8192)
    assert "where_zero(" in adc.gradient_source(masked_product, 0, args=(x, s))
    with np.errstate(all="ignore"):
        got = adc.grad(masked_product)(x, s)
    _same_bits(got, np.where(x > 0, s, 0.0))

"""``np.fft`` against finite differences and NumPy: every transform, with ``n``/``s``
padding and truncating, each ``norm``, real and complex inputs, odd and even lengths,
to second order in both modes. The transforms need the rank (and lengths) when
compiling, so only shape-specialised code is checked; shape-generic code is refused
at the user's line. The meta-tests of test_rules.py count these rows."""
from __future__ import annotations

import numpy as np
import pytest
from numpy_version import only_on_numpy_2
from test_rules import Row, names

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, check_grads

RNG = np.random.RandomState(3)
W = RNG.normal(size=(8, 10))  # weights, cut to each result's shape


def weighted(z):
    """A real number from a (complex) result: a weighted sum of its real part and of
    its imaginary part squared, so every output reaches it."""
    z = np.asarray(z)
    w = W[tuple(slice(0, n) for n in z.shape)] if z.ndim == 2 else W[0, :z.shape[-1]]
    return np.sum(np.real(z) * w) + np.sum(np.imag(z) ** 2 * w)


def fft_n_pad(x):
    return weighted(np.fft.fft(x, n=8))


def fft_n_truncate_axis0(x):
    return weighted(np.fft.fft(x, n=2, axis=0))


def ifft_ortho(x):
    return weighted(np.fft.ifft(x * (1.0 + 0.5j), norm="ortho"))


def fft2_s(x):
    return weighted(np.fft.fft2(x, s=(4, 5)))


def ifft2_forward(x):
    return weighted(np.fft.ifft2(x, norm="forward"))


def fftn_axes(x):
    return weighted(np.fft.fftn(x, axes=(0,)))


def ifftn_s_minus_one(x):
    return weighted(np.fft.ifftn(np.exp(1j * x), s=(-1, 4)))


def ifftn_s(x):
    return weighted(np.fft.ifftn(np.exp(1j * x), s=(3, 4)))


def rfft_even(x):
    return weighted(np.fft.rfft(x))


def rfft_odd_n(x):
    return weighted(np.fft.rfft(x, n=7, norm="ortho"))


def irfft_round_trip(x):
    return weighted(np.fft.irfft(np.fft.rfft(x) * np.exp(0.3j * np.arange(4.0))))


def irfft_odd(x):
    return weighted(np.fft.irfft(x * (1.0 - 0.5j), n=9))


def irfft_forward(x):
    return weighted(np.fft.irfft(x, n=4, norm="forward"))


def rfft2_s(x):
    return weighted(np.fft.rfft2(x, s=(3, 5)))


def irfft2_of_fft2(x):
    return weighted(np.fft.irfft2(np.fft.fft2(x), s=(3, 7)))


def rfftn_all(x):
    return weighted(np.fft.rfftn(x, norm="ortho"))


def irfftn_axes(x):
    return weighted(np.fft.irfftn(x + 0.25j * x * x, axes=(1,)))


def hfft_of_a_half_spectrum(x):
    return weighted(np.fft.hfft(x * (1.0 + 0.5j)))


def hfft_odd_ortho(x):
    return weighted(np.fft.hfft(np.exp(0.5j * x), n=7, axis=0, norm="ortho"))


def ihfft_forward(x):
    return weighted(np.fft.ihfft(x, n=5, norm="forward"))


def fftshift_all(x):
    return weighted(np.fft.fftshift(x) * x)


def ifftshift_axis(x):
    return weighted(np.fft.ifftshift(x, axes=1) * x)


def spectral_derivative(x):
    k = np.fft.rfftfreq(6, d=0.5)
    return np.sum(np.fft.irfft(1j * k * np.fft.rfft(x), n=6) ** 2) + np.sum(np.fft.fftfreq(6) * x)


ROWS = [
    Row("fft_n_pad", fft_n_pad, covers=("fftn",), surface=np.fft.fft),
    Row("fft_n_truncate_axis0", fft_n_truncate_axis0, covers=("fftn", "getitem")),
    Row("ifft_ortho", ifft_ortho, covers=("ifftn",), surface=np.fft.ifft),
    Row("fft2_s", fft2_s, covers=("fftn",), surface=np.fft.fft2),
    Row("ifft2_forward", ifft2_forward, covers=("ifftn",), surface=np.fft.ifft2),
    Row("fftn_axes", fftn_axes, covers=("fftn",), surface=np.fft.fftn),
    Row("ifftn_s", ifftn_s, covers=("ifftn",), surface=np.fft.ifftn),
    *only_on_numpy_2(Row("ifftn_s_minus_one", ifftn_s_minus_one, covers=("ifftn",))),
    # s=-1 (the whole axis) is NumPy 2's
    Row("rfft_even", rfft_even, covers=("rfftn",), surface=np.fft.rfft),
    Row("rfft_odd_n", rfft_odd_n, covers=("rfftn",)),
    Row("irfft_round_trip", irfft_round_trip, covers=("irfftn", "rfftn"), surface=np.fft.irfft),
    Row("irfft_odd", irfft_odd, covers=("irfftn",)),
    Row("irfft_forward", irfft_forward, covers=("irfftn",)),
    Row("rfft2_s", rfft2_s, covers=("rfftn",), surface=np.fft.rfft2),
    Row("irfft2_of_fft2", irfft2_of_fft2, covers=("irfftn", "fftn"), surface=np.fft.irfft2),
    Row("rfftn_all", rfftn_all, covers=("rfftn",), surface=np.fft.rfftn),
    Row("irfftn_axes", irfftn_axes, covers=("irfftn",), surface=np.fft.irfftn),
    Row("hfft", hfft_of_a_half_spectrum, covers=("irfftn", "conj"), surface=np.fft.hfft),
    Row("hfft_odd_ortho", hfft_odd_ortho, covers=("irfftn",)),
    Row("ihfft_forward", ihfft_forward, covers=("rfftn", "conj"), surface=np.fft.ihfft),
    Row("fftshift_all", fftshift_all, covers=("roll",), surface=np.fft.fftshift),
    Row("ifftshift_axis", ifftshift_axis, covers=("roll",), surface=np.fft.ifftshift),
    Row("spectral_derivative", spectral_derivative, covers=("rfftn", "irfftn"),
        surface=(np.fft.rfftfreq, np.fft.fftfreq)),
]
ALL_ROWS = ROWS  # for test_rules' meta-tests
SHAPES = [(6,), (3, 6), (2, 5)]


@pytest.mark.parametrize("shape", SHAPES, ids=["x".join(map(str, s)) for s in SHAPES])
@pytest.mark.parametrize("row", ROWS, ids=names(ROWS))
def test_transform_matches_numpy_and_finite_differences(row, shape):
    if row.fn is spectral_derivative and shape != (6,):
        pytest.skip("its frequencies are for 6 values")
    x = RNG.normal(size=shape)
    try:
        expected = row.fn(x)
    except (ValueError, IndexError):  # a 2-d transform of a vector: NumPy refuses too
        with pytest.raises(AutodiffError):
            adc.grad(row.fn)(x)
        return
    value, _ = adc.value_and_grad(row.fn)(x)
    np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-12)
    check_grads(row.fn, x, order=2, generic=False)


def test_float32_stays_single_precision():
    x = RNG.normal(size=(3, 6)).astype(np.float32)
    grad = adc.grad(rfft_even)(x)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, adc.grad(rfft_even)(x.astype(np.float64)), rtol=1e-4)


def batched_power(x):
    return np.sum(np.abs(np.fft.rfft(x, norm="ortho")) ** 2)


def test_vmap_over_a_batch_of_signals():
    xs = RNG.normal(size=(4, 6))
    per_example = adc.vmap(adc.grad(batched_power))(xs)
    np.testing.assert_allclose(per_example, np.stack([adc.grad(batched_power)(x) for x in xs]))


def repeated(x):
    return np.sum(np.abs(np.fft.fftn(x, axes=(0, 0))))


def irfft_of_one_value(x):
    return np.sum(np.fft.irfft(x))


def fft_of_no_points(x):
    return np.sum(np.abs(np.fft.fft(x, n=0)))


@pytest.mark.parametrize("fn, x", [(irfft_of_one_value, np.ones(1)),
                                   (fft_of_no_points, np.ones(3)),
                                   (irfft_of_one_value, np.ones((2, 1)))],
                         ids=["irfft_default_length_0", "n_0", "irfft_rows_of_one"])
def test_a_transform_of_no_points_is_numpys_error(fn, x):
    """NumPy refuses a transform of 0 points; it was an internal compiler error (the
    primitive had no shape to infer)."""
    with pytest.raises(ValueError):
        fn(x)
    with pytest.raises(AutodiffError, match=r"Invalid number of FFT data points \(0\)"):
        adc.grad(fn)(x)


def test_what_cannot_be_compiled_is_refused_at_the_users_line():
    with pytest.raises(AutodiffError, match="repeated axes"):
        adc.grad(repeated)(np.ones((2, 3)))
    with pytest.raises(AutodiffError, match="shape-generic") as err:
        adc.gradient_source(rfft_even)
    assert "test_fft.py" in str(err.value)

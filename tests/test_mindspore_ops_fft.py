"""``ops``' Fourier transforms, shifts, frequencies and windows (``ops_fft``,
``ops_fft_windows``): values, dtypes and gradients against MindSpore 2.7.1's on the
same draws (``data/mindspore_ops_fft.json``, written by
``data/measure_mindspore_ops_fft.py`` from ``ops_fft_cases``), gradients of real losses
of the (complex) results against central finite differences in float64 on several
shapes, the inverse Hermitian transforms against their definition, the dtypes of
eager results, MindSpore's refusals, and the frequencies and windows as constants of
a differentiated function."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import ops_fft_cases
import pytest
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, ops

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_ops_fft.json").read_text())


ours = measured_fixture(lambda: ops_fft_cases.measure(ms))


# MindSpore 2.7.1's ihfft, ihfft2 and ihfftn drop the conjugate now and then: a call
# repeated in one process gives the imaginary part with either sign, and the gradient
# of the imaginary part has the sign of the transform without the conjugate. Theirs
# are compared below with the definition (the conjugate of ``rfft``, as MindSpore
# documents and gives on a first call) instead, the real parts with MindSpore.
IHFFT_CASES = {"ihfft", "ihfft_pad_forward", "ihfft2", "ihfftn", "ihfftn_s"}
NOT_COMPARED = ({f"{case}.{key}" for case in IHFFT_CASES for key in ("out1", "grad0")}
                | {"hfft_of_ihfft.out0", "hfft_of_ihfft.grad0"})


@pytest.mark.parametrize("name", sorted(k for k in MEASURED
                                        if k != "mindspore" and k not in NOT_COMPARED))
def test_matches_mindspore(ours, name):
    if name.split(".")[1].startswith("dtype"):
        assert ours[name] == MEASURED[name]
    else:
        expected = np.asarray(MEASURED[name])
        scale = max(1.0, float(np.max(np.abs(expected)))) if expected.size else 1.0
        np.testing.assert_allclose(ours[name], expected, rtol=2e-5, atol=2e-6 * scale)


def test_every_case_was_measured(ours):
    assert set(ours) == set(MEASURED) - {"mindspore"}


def test_the_inverse_hermitian_transforms_follow_their_definition(ours):
    """``ihfftn(x) = conj(rfftn(x)) / N``, ``ihfft`` as NumPy's; ``hfft`` undoes it."""
    draws = ops_fft_cases._draws(np.random.default_rng(11))
    m, x3 = draws["m"].astype(np.float64), draws["x3"].astype(np.float64)
    pairs = {
        "ihfft": np.fft.ihfft(m), "ihfft_pad_forward": np.fft.ihfft(m, 7, norm="forward"),
        "ihfft2": np.conj(np.fft.rfft2(x3)) / 12, "ihfftn": np.conj(np.fft.rfftn(x3)) / 24,
        "ihfftn_s": np.conj(np.fft.rfftn(m, (2, 5))) / 10, "hfft_of_ihfft": m,
    }
    for case, expected in pairs.items():
        np.testing.assert_allclose(ours[f"{case}.out0"], np.real(expected), atol=2e-6)
        if np.iscomplexobj(expected):
            np.testing.assert_allclose(ours[f"{case}.out1"], np.imag(expected), atol=2e-6)
    for case in IHFFT_CASES:
        np.testing.assert_allclose(ours[f"{case}.out0"], MEASURED[f"{case}.out0"], atol=2e-6)


# ---------------------------------------------------------------- finite differences

RNG = np.random.RandomState(7)
W = RNG.normal(size=(8, 8, 12))  # weights, cut to each result's shape


def weighted(z):
    """A real number every entry of a (complex) result reaches: its real part and the
    square of its imaginary part, weighted."""
    w = W[tuple(slice(0, n) for n in np.shape(z))] if np.ndim(z) == 3 else \
        W[0][tuple(slice(0, n) for n in np.shape(z))] if np.ndim(z) == 2 else W[0, 0, :z.shape[0]]
    return ops.sum(np.real(z) * w) + ops.sum(np.imag(z) ** 2 * w)


LOSSES = {  # name: a real loss of one float array (of the shapes given)
    "fft_abs": lambda x: ops.sum(ops.abs(ops.fft(x)) * x),
    "fft_pad_weighted": lambda x: weighted(ops.fft(x, 8)),
    "fft_cut_dim0_ortho": lambda x: weighted(ops.fft(x, 2, 0, "ortho")),
    "ifft_forward": lambda x: weighted(ops.ifft(x * (1.0 + 0.5j), norm="forward")),
    "fft2": lambda x: weighted(ops.fft2(x, (3, 5))),
    "ifft2_dims": lambda x: weighted(ops.ifft2(np.exp(1j * x), None, (0, -1), "ortho")),
    "fftn": lambda x: weighted(ops.fftn(x)),
    "fftn_s_only": lambda x: weighted(ops.fftn(x, (4,))),
    "ifftn_dim_list": lambda x: weighted(ops.ifftn(x, dim=[0])),
    "rfft_real_part": lambda x: ops.sum(ops.rfft(x).real ** 2),
    "rfft_odd_ortho": lambda x: weighted(ops.rfft(x, 7, norm="ortho")),
    "irfft": lambda x: weighted(ops.irfft(x)),
    "irfft_odd_forward": lambda x: weighted(ops.irfft(x, 5, 0, "forward")),
    "irfft_product": lambda x: weighted(ops.irfft(ops.rfft(x) * ops.rfft(x * x), 4, 0)),
    "rfft2": lambda x: weighted(ops.rfft2(x, (2, 5))),
    "irfft2": lambda x: weighted(ops.irfft2(x)),
    "rfftn_dims": lambda x: weighted(ops.rfftn(x, dim=(-1, 0))),
    "irfftn_s_only": lambda x: weighted(ops.irfftn(x, (3, 4))),
    "hfft": lambda x: weighted(ops.hfft(x * (1.0 - 0.5j))),
    "hfft_odd_ortho": lambda x: weighted(ops.hfft(x, 7, 0, "ortho")),
    "ihfft": lambda x: weighted(ops.ihfft(x)),
    "ihfft_pad_forward": lambda x: weighted(ops.ihfft(x, 7, norm="forward")),
    "hfft2": lambda x: weighted(ops.hfft2(np.exp(1j * x))),
    "ihfft2": lambda x: weighted(ops.ihfft2(x, (2, 3))),
    "hfftn": lambda x: weighted(ops.hfftn(x, None, (0, -1))),
    "ihfftn": lambda x: weighted(ops.ihfftn(x)),
    "spectrum_shifted": lambda x: ops.sum(ops.fftshift(ops.abs(ops.fft(x)) ** 2) * x),
    "shifts": lambda x: weighted(ops.ifftshift(ops.fftshift(x, 0) * x, (0,))),
    "spectral_derivative": lambda x: ops.sum(
        ops.irfft(1j * ops.rfftfreq(6, 0.5) * ops.rfft(x, 6), 6) ** 2),
    "windowed": lambda x: ops.sum(ops.abs(ops.rfft(x * ops.hann_window(6, dtype=np.float64)))),
    "stft_window": lambda x: ops.sum(ops.abs(ops.stft(
        x, 8, 3, 6, ops.hann_window(6, dtype=np.float64), return_complex=True))),
    "stft_stacked": lambda x: ops.sum(ops.stft(x, 7, pad_mode="SYMMETRIC", normalized=True) ** 3),
    "stft_two_sided": lambda x: weighted(ops.stft(x * (1.0 + 0.5j), 6, 4, center=False,
                                                  return_complex=True)),
}
ONE_AXIS = [(6,), (3, 5), (2, 3, 4)]
SEVERAL_AXES = [(3, 5), (2, 3, 4)]
SIGNALS = [(16,), (2, 13)]
SHAPES = {"fft2": SEVERAL_AXES, "ifft2_dims": SEVERAL_AXES, "fft_cut_dim0_ortho": SEVERAL_AXES,
          "irfft_odd_forward": SEVERAL_AXES, "irfft_product": SEVERAL_AXES,
          "rfft2": SEVERAL_AXES, "irfft2": SEVERAL_AXES, "rfftn_dims": SEVERAL_AXES,
          "irfftn_s_only": SEVERAL_AXES, "hfft_odd_ortho": SEVERAL_AXES,
          "hfft2": SEVERAL_AXES, "ihfft2": SEVERAL_AXES, "hfftn": SEVERAL_AXES,
          "ifftn_dim_list": SEVERAL_AXES, "spectral_derivative": [(6,), (2, 6)],
          "windowed": [(6,), (3, 6)], "shifts": ONE_AXIS,
          "stft_window": SIGNALS, "stft_stacked": SIGNALS, "stft_two_sided": SIGNALS}
CASES = [(name, shape) for name in sorted(LOSSES) for shape in SHAPES.get(name, ONE_AXIS)]


@pytest.mark.parametrize(("name", "shape"), CASES, ids=[f"{n}-{s}" for n, s in CASES])
def test_gradients_match_finite_differences(name, shape):
    x = RNG.normal(size=shape)
    ms.check_grads(LOSSES[name], x, generic=False)


@pytest.mark.parametrize("name", ["fft_abs", "irfft_product", "hfft2", "ihfftn"])
def test_second_derivatives_match_finite_differences(name):
    ms.check_grads(LOSSES[name], RNG.normal(size=(3, 4)), order=2, modes=("rev",),
                   generic=False)


def test_single_precision_stays_single():
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    for name in ("fft_abs", "irfft", "hfft2", "ihfftn"):
        assert ms.grad(LOSSES[name])(x).dtype == np.float32


def test_shape_generic_code_refuses_a_transform_at_the_users_line():
    with pytest.raises(ms.AutodiffError, match=r"test_mindspore_ops_fft\.py.*ops\.rfft needs "
                                               r"the dtype"):
        ms.vjp(LOSSES["rfft_real_part"], RNG.normal(size=(5,)), specialize=False)


# ---------------------------------------------------------------- eager results

X = RNG.normal(size=(3, 4))
INPUTS = {"int32": X.astype(np.int32), "int64": X.astype(np.int64),
          "float16": X.astype(np.float16), "float32": X.astype(np.float32), "float64": X,
          "complex64": (X + 1j).astype(np.complex64), "complex128": X + 1j}
SINGLE = {"int32", "int64", "float16", "float32", "complex64"}


@pytest.mark.parametrize("dtype", sorted(INPUTS))
@pytest.mark.parametrize("name", ["fft", "ifft2", "fftn", "irfft", "irfftn", "hfft", "hfft2",
                                  "rfft", "rfftn", "ihfft", "ihfftn"])
def test_eager_results_are_tensors_in_mindspores_dtype(name, dtype):
    """Single precision in, single precision out (integers and float16 included)."""
    x = Tensor(INPUTS[dtype])
    if name.startswith(("rfft", "ihfft")) and dtype.startswith("complex"):
        with pytest.raises(TypeError, match=f"'{name}', the input must be real"):
            getattr(ops, name)(x)
        return
    result = getattr(ops, name)(x)
    complex_result = not name.startswith(("irfft", "hfft"))
    expected = {(True, True): np.complex64, (True, False): np.float32,
                (False, True): np.complex128, (False, False): np.float64}
    assert type(result) is Tensor
    assert result.dtype == expected[dtype in SINGLE, complex_result]


def test_stft_gives_mindspores_layout_and_dtypes():
    """(batch, frequency, frame), complex with ``return_complex``, else its parts last."""
    x = Tensor(np.ones((2, 16), np.float32))
    assert ops.stft(x, 8).shape == (2, 5, 9, 2) and ops.stft(x, 8).dtype == np.float32
    assert ops.stft(x[0], 8, return_complex=True).dtype == np.complex64
    assert ops.stft(Tensor(np.ones(16)), 8, return_complex=True).dtype == np.complex128
    assert ops.stft(x, 8, onesided=False, return_complex=True).shape == (2, 8, 9)
    assert ops.stft(Tensor(np.ones(16, np.complex64)), 8, return_complex=True).shape == (8, 9)


def test_values_are_numpys():
    x = Tensor(X)
    np.testing.assert_allclose(ops.fft(x, 6, 0, "ortho"), np.fft.fft(X, 6, 0, "ortho"))
    np.testing.assert_allclose(ops.irfftn(x, (2, 5)), np.fft.irfftn(X, (2, 5), (0, 1)))
    np.testing.assert_allclose(ops.hfft(x, 5), np.fft.hfft(X, 5))
    np.testing.assert_allclose(ops.ihfft(x, 3, 0, "ortho"), np.fft.ihfft(X, 3, 0, "ortho"))
    np.testing.assert_array_equal(ops.fftshift(x, [1]), np.fft.fftshift(X, 1))
    np.testing.assert_array_equal(ops.ifftshift(x), np.fft.ifftshift(X))


def test_hfftn_is_the_transform_of_the_hermitian_signal():
    """The full signal: the half given and the conjugates of its mirror image."""
    half = Tensor(X[:, :3] + 1j * RNG.normal(size=(3, 3)))
    full = np.zeros((3, 4), complex)
    full[:, :3] = half
    full[:, 3] = np.conj(half[(-np.arange(3)) % 3, 1])
    full[:, 0] = (full[:, 0] + np.conj(full[(-np.arange(3)) % 3, 0])) / 2  # Hermitian
    full[:, 2] = (full[:, 2] + np.conj(full[(-np.arange(3)) % 3, 2])) / 2
    hermitian = full[:, :3]
    np.testing.assert_allclose(ops.hfft2(Tensor(hermitian), (3, 4)), np.real(np.fft.fft2(full)),
                               atol=1e-12)
    np.testing.assert_allclose(np.imag(np.fft.fft2(full)), 0, atol=1e-12)


# ---------------------------------------------------------------- refusals

V = Tensor(np.ones((2, 4), np.float32))
REFUSED = [
    (lambda: ops.fft(Tensor(np.ones(3, bool))), TypeError, "integer, float or complex"),
    (lambda: ops.fft(Tensor(np.float32(1.0))), ValueError, "at least 1 dimension"),
    (lambda: ops.fft(V, 0), ValueError, "n must be at least 1"),
    (lambda: ops.irfft(V, 2.5), TypeError, "n must be an int"),
    (lambda: ops.fft(V, dim=2), ValueError, r"dim must be in \[-2, 2\), but got 2"),
    (lambda: ops.fft(V, dim=(0,)), TypeError, "dim must be an int"),
    (lambda: ops.ifft(V, norm="bad"), ValueError, "norm must be 'backward', 'forward' or"),
    (lambda: ops.fft2(Tensor(np.ones(4))), ValueError, "'fft2', dim must be in"),
    (lambda: ops.fftn(V, (-1, 3)), ValueError, "every length in s must be at least 1"),
    (lambda: ops.fftn(V, (2, 3), (0,)), ValueError, "s and dim must have the same length"),
    (lambda: ops.ifftn(V, None, (1, -1)), ValueError, "dims must be unique"),
    (lambda: ops.rfftn(V, (2, 2, 2)), ValueError, "s has 3 lengths"),
    (lambda: ops.rfft2(Tensor(np.ones((2, 2), np.complex64))), TypeError, "take 'fft2'"),
    (lambda: ops.ihfft(Tensor(np.ones(2, np.complex64))), TypeError, "take 'ifft'"),
    (lambda: ops.fftshift(V, 2), ValueError, "'fftshift', dim must be in"),
    (lambda: ops.stft(Tensor(np.ones((2, 2, 16))), 8), ValueError, "x must be 1-d"),
    (lambda: ops.stft(V, 8), ValueError, r"n_fft \(8\) is too long for a signal of 4"),
    (lambda: ops.stft(V, 4, center=False, hop_length=0), ValueError, "hop_length must be"),
    (lambda: ops.stft(V, 4, win_length=5), ValueError, "win_length must be at most n_fft"),
    (lambda: ops.stft(V, 4, window=Tensor(np.ones(3))), ValueError, "window must be a vector"),
    (lambda: ops.stft(V, 4, pad_mode="reflect"), ValueError, "pad_mode must be 'CONSTANT'"),
    (lambda: ops.fftfreq(0), ValueError, "n must be at least 1"),
    (lambda: ops.rfftfreq(4.0), TypeError, "length must be an int"),
    (lambda: ops.fftfreq(4, Tensor(0.5)), TypeError, "d must be a float"),
    (lambda: ops.hann_window(-1), ValueError, "must be non-negative"),
    (lambda: ops.hann_window(5.0), TypeError, "length must be an int"),
    (lambda: ops.kaiser_window(5, 1), TypeError, "periodic must be a bool"),
    (lambda: ops.hamming_window(5, dtype=np.int32), TypeError, "must be a float dtype"),
    (lambda: ops.bartlett_window(Tensor(np.array([5]))), TypeError, "0-d int32 or int64"),
    (lambda: ops.blackman_window(Tensor(np.float32(5))), TypeError, "0-d int32 or int64"),
]


@pytest.mark.parametrize(("call", "error", "message"), REFUSED, ids=[r[2] for r in REFUSED])
def test_bad_arguments_are_refused_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------- constants

@pytest.mark.parametrize("periodic", [True, False])
@pytest.mark.parametrize("length", [2, 5, 6])
def test_windows_are_numpys(length, periodic):
    """NumPy's windows are symmetric: a periodic one is the symmetric one a point longer,
    its last value dropped."""
    points = length + 1 if periodic else length
    expected = {"bartlett_window": np.bartlett(points), "blackman_window": np.blackman(points),
                "hamming_window": np.hamming(points), "hann_window": np.hanning(points),
                "kaiser_window": np.kaiser(points, 12.0)}
    for name, values in expected.items():
        window = getattr(ops, name)(length, periodic, dtype=np.float64)
        assert type(window) is Tensor and window.dtype == np.float64
        np.testing.assert_allclose(window, values[:length], atol=1e-12)
    np.testing.assert_allclose(ops.kaiser_window(length, periodic, 4.0, dtype=np.float64),
                               np.kaiser(points, 4.0)[:length], atol=1e-12)


def test_frequencies_are_numpys_in_float32():
    for n, d in [(1, 1.0), (5, 0.1), (8, 2)]:
        for name in ("fftfreq", "rfftfreq"):
            values = getattr(ops, name)(n, d)
            assert type(values) is Tensor and values.dtype == np.float32
            np.testing.assert_allclose(values, getattr(np.fft, name)(n, d), rtol=1e-6)


def test_frequencies_and_windows_are_constants_of_a_differentiated_function():
    def loss(x):
        return (ops.sum(x * ops.fftfreq(6, 0.5)) + ops.sum(x * ops.rfftfreq(10))
                + ops.sum(x * ops.hamming_window(6)) + ops.sum(x * ops.kaiser_window(6, False))
                + ops.sum(x * ops.bartlett_window(Tensor(np.array(6)), dtype=np.float64)))

    expected = (np.fft.fftfreq(6, 0.5) + np.fft.rfftfreq(10) + np.hamming(7)[:6]
                + np.kaiser(6, 12.0) + np.bartlett(7)[:6])
    np.testing.assert_allclose(ms.grad(loss)(np.ones(6)), expected, rtol=1e-6)


def test_a_window_of_length_zero_or_one_is_ones():
    assert ops.hann_window(0).shape == (0,) and ops.hann_window(0).dtype == np.float64
    assert ops.kaiser_window(1, False).tolist() == [1.0]
    assert ops.bartlett_window(Tensor(np.array(1, np.int32))).dtype == np.float32
    assert ops.hamming_window(1, dtype=np.float32).dtype == np.float32

"""``ops``' Fourier transforms, shifts, frequencies and windows (``ops_fft``) measured
against MindSpore: one table, run by MindSpore (``data/measure_mindspore_ops_fft.py``
writes ``data/mindspore_ops_fft.json``) and by this package
(``test_mindspore_ops_fft.py``) on the same draws.

A complex result is recorded as its real and imaginary parts (``ops.real``/``ops.imag``
in MindSpore, ``np.real``/``np.imag`` here), each a float output of the shared loop
(``measured_cases``), and its own dtype under ``<case>.dtype``; the gradient is that of
a weighted sum of both parts, which reaches every output. MindSpore 2.7.1's CPU build
has no gradient of a product of complex tensors (``Mul``) nor of ``stft`` (its values
are measured), and its
gradient of ``irfftn`` given ``s`` but no ``dim`` crashes the process (the value is
measured; the gradient with ``dim`` given); those are left to
``test_mindspore_ops_fft``'s finite-difference checks."""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    return {
        "m": normal(3, 4), "m5": normal(3, 5), "x3": normal(2, 3, 4), "v5": normal(5),
        "v8": normal(8), "md": rng.standard_normal((3, 4)),
        "ints": rng.integers(-5, 6, (3, 4)).astype(np.int32),
        "half": normal(3, 4).astype(np.float16), "sig": normal(2, 16),
        "sig1d": rng.standard_normal(13),
    }


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated)."""
    ops = ms.ops

    def length(n: int) -> Any:  # the windows' length as bartlett_window takes it
        return ms.Tensor(np.array(n, np.int64))

    return [
        ("fft", ops.fft, ("m",), (0,)),
        ("fft_pad", lambda a: ops.fft(a, 6), ("m",), (0,)),
        ("fft_cut_dim0_ortho", lambda a: ops.fft(a, 2, 0, "ortho"), ("m",), (0,)),
        ("fft_odd_forward", lambda a: ops.fft(a, norm="forward"), ("v5",), (0,)),
        ("fft_double", ops.fft, ("md",), (0,)),
        ("fft_int", ops.fft, ("ints",), ()),
        ("fft_half", ops.fft, ("half",), ()),
        ("ifft", ops.ifft, ("m",), (0,)),
        ("ifft_pad_dim0_forward", lambda a: ops.ifft(a, 5, 0, "forward"), ("m",), (0,)),
        ("fft2", ops.fft2, ("x3",), (0,)),
        ("fft2_s", lambda a: ops.fft2(a, (2, 5)), ("m",), (0,)),
        ("ifft2_dims_ortho", lambda a: ops.ifft2(a, None, (0, 2), "ortho"), ("x3",), (0,)),
        ("fftn", ops.fftn, ("x3",), (0,)),
        ("fftn_s_only", lambda a: ops.fftn(a, (3,)), ("x3",), (0,)),
        ("fftn_dim_list", lambda a: ops.fftn(a, dim=[0]), ("m",), (0,)),
        ("ifftn_s_dim", lambda a: ops.ifftn(a, (3, 2), (2, 0)), ("x3",), (0,)),
        ("rfft", ops.rfft, ("m",), (0,)),
        ("rfft_odd", lambda a: ops.rfft(a, 7), ("m",), (0,)),
        ("rfft_dim0_ortho", lambda a: ops.rfft(a, None, 0, "ortho"), ("m",), (0,)),
        ("rfft_int", ops.rfft, ("ints",), ()),
        ("irfft", ops.irfft, ("m",), (0,)),
        ("irfft_odd", lambda a: ops.irfft(a, 5), ("m",), (0,)),
        ("irfft_dim0_forward", lambda a: ops.irfft(a, 4, 0, "forward"), ("m",), (0,)),
        ("irfft_of_rfft", lambda a: ops.irfft(ops.rfft(a), 4), ("m",), (0,)),
        ("irfft_double", ops.irfft, ("md",), (0,)),
        ("rfft2", ops.rfft2, ("x3",), (0,)),
        ("rfft2_s", lambda a: ops.rfft2(a, (3, 5)), ("m",), (0,)),
        ("irfft2", ops.irfft2, ("m",), (0,)),
        ("irfft2_s_ortho", lambda a: ops.irfft2(a, (2, 5), norm="ortho"), ("x3",), (0,)),
        ("rfftn", ops.rfftn, ("x3",), (0,)),
        ("rfftn_dims", lambda a: ops.rfftn(a, dim=(2, 0)), ("x3",), (0,)),
        ("irfftn", ops.irfftn, ("x3",), (0,)),
        ("irfftn_s_only", lambda a: ops.irfftn(a, (4, 3)), ("m5",), ()),
        ("irfftn_s", lambda a: ops.irfftn(a, (4, 3), (0, 1)), ("m5",), (0,)),
        ("irfftn_of_rfftn", lambda a: ops.irfftn(ops.rfftn(a), (3, 5), (0, 1)), ("m5",), (0,)),
        ("hfft", ops.hfft, ("m",), (0,)),
        ("hfft_odd_ortho", lambda a: ops.hfft(a, 7, norm="ortho"), ("m",), (0,)),
        ("hfft_dim0_forward", lambda a: ops.hfft(a, 4, 0, "forward"), ("m",), (0,)),
        ("hfft_of_ihfft", lambda a: ops.hfft(ops.ihfft(a), 4), ("m",), (0,)),
        ("ihfft", ops.ihfft, ("m",), (0,)),
        ("ihfft_pad_forward", lambda a: ops.ihfft(a, 7, norm="forward"), ("m",), (0,)),
        ("hfft2", ops.hfft2, ("m",), (0,)),
        ("hfft2_s", lambda a: ops.hfft2(a, (2, 5)), ("x3",), (0,)),
        ("ihfft2", ops.ihfft2, ("x3",), (0,)),
        ("hfftn", ops.hfftn, ("x3",), (0,)),
        ("hfftn_dims_ortho", lambda a: ops.hfftn(a, None, (0, 2), "ortho"), ("x3",), (0,)),
        ("ihfftn", ops.ihfftn, ("x3",), (0,)),
        ("ihfftn_s", lambda a: ops.ihfftn(a, (2, 5)), ("m",), (0,)),
        ("fftshift", ops.fftshift, ("m5",), (0,)),
        ("fftshift_dim", lambda a: ops.fftshift(a, 1), ("m5",), (0,)),
        ("ifftshift", ops.ifftshift, ("m5",), (0,)),
        ("ifftshift_dims", lambda a: ops.ifftshift(a, (0, 2)), ("x3",), (0,)),
        ("fftshift_int", ops.fftshift, ("ints",), ()),
        ("fftshift_of_fft", lambda a: ops.fftshift(ops.fft(a)), ("v5",), (0,)),
        ("stft", lambda a: ops.stft(a, 8), ("sig",), ()),
        ("stft_complex", lambda a: ops.stft(a, 8, return_complex=True), ("sig",), ()),
        ("stft_window", lambda a: ops.stft(a, 8, 3, 6, ops.hann_window(6, dtype=ms.float32),
                                           return_complex=True), ("sig",), ()),
        ("stft_uncentred", lambda a: ops.stft(a, 8, center=False, return_complex=True),
         ("sig",), ()),
        ("stft_constant_normalized", lambda a: ops.stft(
            a, 6, 4, pad_mode="CONSTANT", normalized=True, return_complex=True), ("sig",), ()),
        ("stft_symmetric_odd", lambda a: ops.stft(a, 7, pad_mode="SYMMETRIC"), ("sig",), ()),
        ("stft_two_sided", lambda a: ops.stft(a, 8, onesided=False, return_complex=True),
         ("sig",), ()),
        ("stft_vector_double", lambda a: ops.stft(a, 8, 2, return_complex=True), ("sig1d",), ()),
        ("fftfreq", lambda: ops.fftfreq(5), (), ()),
        ("fftfreq_d", lambda: ops.fftfreq(6, 0.5), (), ()),
        ("fftfreq_double", lambda: ops.fftfreq(6, 0.25, ms.float64), (), ()),
        ("rfftfreq", lambda: ops.rfftfreq(5), (), ()),
        ("rfftfreq_d", lambda: ops.rfftfreq(8, 2.0), (), ()),
        ("bartlett", lambda: ops.bartlett_window(length(6)), (), ()),
        ("bartlett_symmetric", lambda: ops.bartlett_window(length(5), False), (), ()),
        ("bartlett_double", lambda: ops.bartlett_window(length(7), dtype=ms.float64), (), ()),
        ("bartlett_one", lambda: ops.bartlett_window(length(1)), (), ()),
        ("blackman", lambda: ops.blackman_window(length(6)), (), ()),
        ("blackman_symmetric", lambda: ops.blackman_window(length(7), False), (), ()),
        ("blackman_empty", lambda: ops.blackman_window(length(0)), (), ()),
        ("hamming", lambda: ops.hamming_window(6), (), ()),
        ("hamming_symmetric", lambda: ops.hamming_window(5, False), (), ()),
        ("hamming_coefficients", lambda: ops.hamming_window(7, True, 0.6, 0.3, dtype=ms.float64),
         (), ()),
        ("hamming_two", lambda: ops.hamming_window(2, False), (), ()),
        ("hamming_one", lambda: ops.hamming_window(1), (), ()),
        ("hann", lambda: ops.hann_window(6), (), ()),
        ("hann_symmetric", lambda: ops.hann_window(5, False), (), ()),
        ("hann_single", lambda: ops.hann_window(8, dtype=ms.float32), (), ()),
        ("hann_empty", lambda: ops.hann_window(0), (), ()),
        ("kaiser", lambda: ops.kaiser_window(6), (), ()),
        ("kaiser_symmetric_beta", lambda: ops.kaiser_window(7, False, 3.0), (), ()),
        ("kaiser_single", lambda: ops.kaiser_window(5, True, 5.0, dtype=ms.float32), (), ()),
        ("kaiser_one", lambda: ops.kaiser_window(1), (), ()),
    ]


def _parts(ms: Any, fn: Any, complex_result: bool) -> Any:
    """``fn`` with a complex result given as (real part, imaginary part)."""
    if not complex_result:
        return fn
    real = getattr(ms.ops, "real", np.real)
    imag = getattr(ms.ops, "imag", np.imag)

    def parts(*args: Any) -> tuple:
        z = fn(*args)
        return real(z), imag(z)
    return parts


def measure(ms: Any) -> dict[str, Any]:
    """Outputs (complex ones as two parts), their dtypes and gradients of each case, by
    name, computed with the library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    draws = _draws(np.random.default_rng(11))
    cases, dtypes = [], {}
    for name, fn, names, positions in _cases(ms):
        result = fn(*(ms.Tensor(draws[a]) for a in names))
        dtypes[f"{name}.dtype"] = str(result.dtype).lower()
        complex_result = dtypes[f"{name}.dtype"].startswith("complex")
        cases.append((name, _parts(ms, fn, complex_result), names, positions))
    return {**measure_cases(ms, cases, draws), **dtypes}

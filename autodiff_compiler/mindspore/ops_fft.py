"""MindSpore's Fourier transforms (``fft``... ``ihfftn``), ``fftshift``/``ifftshift`` and
``stft``; re-exported by ``ops``, as ``ops_fft_windows``'s sample frequencies
(``fftfreq``, ``rfftfreq``) and windows (``hann_window``...) are.

The transforms are ``np.fft``'s, which the compiler differentiates (``n``, ``dim`` and
``norm`` are NumPy's ``n``, ``axis``/``axes`` and ``norm``), so a real loss of a result
(``ops.abs(ops.fft(x)).sum()``, its ``.real``) has the gradient of the NumPy it calls.
NumPy has no ``hfft2``/``hfftn``: the Hermitian transforms are the real ones of the
conjugate with the normalisation's direction swapped (``hfftn(x) = irfftn(conj(x))`` times
the length), which holds in every dimension; ``ihfftn(x)`` is ``conj(rfftn(x)) / N``, as
MindSpore documents (its 2.7.1 CPU build drops the conjugate now and then, and its
gradient always). ``stft`` cuts frames by slicing and takes ``rfft``/``fft`` of them, so
it differentiates too (MindSpore's has no gradient). Each transform checks its arguments as
MindSpore does (``n`` and ``s`` at least 1, ``dim`` in range and not repeated, ``norm`` one
of the three, no bool input, no 0-d input, real input for ``rfft*``/``ihfft*``) in a
helper of plain Python values evaluated while compiling.

Dtypes as MindSpore 2.7.1 gives them (measured): integer and float16 inputs are taken
as float32, so a result is complex64 or float32 unless the input is float64 or
complex128 (then complex128 or float64); the result is cast so, whatever NumPy's own
rule (NumPy 1 computes in double precision). The checks and casts need the input's
dtype when compiling, which shape-specialised code (``grad``'s default) knows;
shape-generic code refuses a transform at the user's line.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir import primitives as P
from ..ir.core import Var

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2",
           "rfftn", "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn",
           "fftshift", "ifftshift", "stft"]

_NORMS = (None, "backward", "forward", "ortho")
_SWAPPED = {None: "forward", "backward": "forward", "forward": "backward", "ortho": "ortho"}


# ---------------------------------------------------------------------------- checks


def _dtype(input: Any, name: str) -> Any:  # noqa: A002
    """``input``'s dtype, which the checks and casts below need while compiling; in
    shape-generic code, where it is known only at run time, ``name`` is refused at the
    user's line."""
    return input.dtype


def _compile_dtype(input: Any, name: str) -> Any:  # noqa: A002
    dtype = P.dtype_of(input) if isinstance(input, Var) else np.result_type(input)
    if not isinstance(dtype, np.dtype):
        raise AutodiffError(f"ops.{name} needs the dtype of its input when compiling, which "
                            "shape-generic code knows only at run time",
                            builder.current().loc,
                            hint="differentiate shape-specialised code (grad's default, "
                                 "specialize=True)")
    return dtype


surface.FUNCTIONS[_dtype] = _compile_dtype
surface.USER_FUNCTIONS.add(_dtype)  # tested with this module


def _working_dtype(name: str, dtype: Any, ndim: int, real: bool) -> Any:
    """The dtype ``name`` computes in: float32 for integers and float16, the input's
    own for single and double floats and complex numbers (complex refused where the
    transform takes a real signal)."""
    dtype = np.dtype(dtype)
    if dtype.kind == "c" and real:
        raise TypeError(f"For '{name}', the input must be real (int16, int32, int64, "
                        f"float16, float32 or float64), but got {dtype.name}; take "
                        f"'{name.replace('rfft', 'fft').replace('ihfft', 'ifft')}' of a "
                        f"complex input")
    if dtype.kind not in "iufc":
        raise TypeError(f"For '{name}', the input must be an integer, float or complex "
                        f"tensor, but got {dtype.name}; cast it first")
    if ndim < 1:
        raise ValueError(f"For '{name}', the input must have at least 1 dimension, but got "
                         f"a 0-d tensor")
    if dtype in (np.float64, np.complex64, np.complex128):
        return dtype
    return np.dtype(np.float32)


def _result_dtype(working: Any, complex_result: bool) -> Any:
    double = np.dtype(working) in (np.float64, np.complex128)
    if complex_result:
        return np.dtype(np.complex128 if double else np.complex64)
    return np.dtype(np.float64 if double else np.float32)


def _check_norm(name: str, norm: Any) -> None:
    if norm not in _NORMS:
        raise ValueError(f"For '{name}', norm must be 'backward', 'forward' or 'ortho', "
                         f"but got {norm!r}")


def _checked_dim(name: str, dim: Any, ndim: int) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int | np.integer):
        raise TypeError(f"For '{name}', dim must be an int, but got {type(dim).__name__}")
    if not -ndim <= dim < ndim:
        raise ValueError(f"For '{name}', dim must be in [{-ndim}, {ndim}), but got {dim}")
    return int(dim) % ndim


def _one(name: str, dtype: Any, ndim: int, n: Any, dim: Any, norm: Any, real: bool) -> tuple:
    """Checked arguments of a transform along one axis: (working dtype, axis)."""
    working = _working_dtype(name, dtype, ndim, real)
    if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer)):
        raise TypeError(f"For '{name}', n must be an int or None, but got "
                        f"{type(n).__name__}")
    if n is not None and n < 1:
        raise ValueError(f"For '{name}', n must be at least 1, but got {n}")
    _check_norm(name, norm)
    return working, _checked_dim(name, dim, ndim)


def _several(name: str, dtype: Any, ndim: int, s: Any, dim: Any, norm: Any, real: bool
             ) -> tuple:
    """Checked arguments of a transform along several axes: (working dtype, lengths or
    None, axes), the axes explicit (the last ``len(s)`` when only ``s`` is given, every
    axis when neither is)."""
    working = _working_dtype(name, dtype, ndim, real)
    _check_norm(name, norm)
    if isinstance(dim, int | np.integer):
        dim = (dim,)
    if isinstance(s, int | np.integer):
        s = (s,)
    if s is not None:
        s = tuple(s)
        for length in s:
            if isinstance(length, bool) or not isinstance(length, int | np.integer):
                raise TypeError(f"For '{name}', s must be a tuple of ints, but got {s!r}")
            if length < 1:
                raise ValueError(f"For '{name}', every length in s must be at least 1, but "
                                 f"got {s!r}")
    if dim is None:
        count = ndim if s is None else len(s)
        if count > ndim:
            raise ValueError(f"For '{name}', s has {count} lengths but the input only "
                             f"{ndim} dimensions")
        axes = tuple(range(ndim - count, ndim))
    else:
        axes = tuple(_checked_dim(name, d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise ValueError(f"For '{name}', the dims must be unique, but got {tuple(dim)}")
        if s is not None and len(s) != len(axes):
            raise ValueError(f"For '{name}', s and dim must have the same length, but got "
                             f"{len(s)} and {len(axes)}")
    if not axes:
        raise ValueError(f"For '{name}', there must be at least one dim to transform")
    return working, s, axes


_working_dtype.__evaluated_when_compiling__ = True  # pure functions of values known then
_result_dtype.__evaluated_when_compiling__ = True
_one.__evaluated_when_compiling__ = True
_several.__evaluated_when_compiling__ = True


# ---------------------------------------------------------------------------- one axis


def fft(input: Any, n: Any = None, dim: int = -1, norm: Any = None) -> Any:  # noqa: A002
    """The discrete Fourier transform along ``dim``, ``input`` cut or zero-padded to
    ``n``; complex."""
    working, axis = _one("fft", _dtype(input, "fft"), np.ndim(input), n, dim, norm, False)
    out = np.fft.fft(input.astype(working), n=n, axis=axis, norm=norm)
    return out.astype(_result_dtype(working, True))


def ifft(input: Any, n: Any = None, dim: int = -1, norm: Any = None) -> Any:  # noqa: A002
    """The inverse of ``fft`` (``norm="backward"`` divides by ``n``); complex."""
    working, axis = _one("ifft", _dtype(input, "ifft"), np.ndim(input), n, dim, norm, False)
    out = np.fft.ifft(input.astype(working), n=n, axis=axis, norm=norm)
    return out.astype(_result_dtype(working, True))


def rfft(input: Any, n: Any = None, dim: int = -1, norm: Any = None) -> Any:  # noqa: A002
    """``fft`` of a real signal, its ``n // 2 + 1`` non-negative frequencies."""
    working, axis = _one("rfft", _dtype(input, "rfft"), np.ndim(input), n, dim, norm, True)
    out = np.fft.rfft(input.astype(working), n=n, axis=axis, norm=norm)
    return out.astype(_result_dtype(working, True))


def irfft(input: Any, n: Any = None, dim: int = -1, norm: Any = None) -> Any:  # noqa: A002
    """The real signal of length ``n`` (default ``2 (m - 1)``) whose ``rfft`` is
    ``input``; real."""
    working, axis = _one("irfft", _dtype(input, "irfft"), np.ndim(input), n, dim, norm, False)
    out = np.fft.irfft(input.astype(working), n=n, axis=axis, norm=norm)
    return out.astype(_result_dtype(working, False))


def hfft(input: Any, n: Any = None, dim: int = -1, norm: Any = None) -> Any:  # noqa: A002
    """The (real) ``fft`` of a signal with Hermitian symmetry given by its first half:
    ``irfft`` of the conjugate, the normalisation's direction swapped."""
    working, axis = _one("hfft", _dtype(input, "hfft"), np.ndim(input), n, dim, norm, False)
    out = np.fft.irfft(np.conj(input.astype(working)), n=n, axis=axis, norm=_SWAPPED[norm])
    return out.astype(_result_dtype(working, False))


def ihfft(input: Any, n: Any = None, dim: int = -1, norm: Any = None) -> Any:  # noqa: A002
    """The inverse of ``hfft`` for a real signal: the conjugate of ``rfft``, the
    normalisation's direction swapped."""
    working, axis = _one("ihfft", _dtype(input, "ihfft"), np.ndim(input), n, dim, norm, True)
    out = np.conj(np.fft.rfft(input.astype(working), n=n, axis=axis, norm=_SWAPPED[norm]))
    return out.astype(_result_dtype(working, True))


# ---------------------------------------------------------------------------- several axes
# Each takes the name its errors give (``fft2``'s are ``fft2``'s); the public functions
# below pass theirs.


def _fftn(name: str, input: Any, s: Any, dim: Any, norm: Any) -> Any:  # noqa: A002
    working, s, axes = _several(name, _dtype(input, name), np.ndim(input), s, dim, norm, False)
    out = np.fft.fftn(input.astype(working), s=s, axes=axes, norm=norm)
    return out.astype(_result_dtype(working, True))


def _ifftn(name: str, input: Any, s: Any, dim: Any, norm: Any) -> Any:  # noqa: A002
    working, s, axes = _several(name, _dtype(input, name), np.ndim(input), s, dim, norm, False)
    out = np.fft.ifftn(input.astype(working), s=s, axes=axes, norm=norm)
    return out.astype(_result_dtype(working, True))


def _rfftn(name: str, input: Any, s: Any, dim: Any, norm: Any) -> Any:  # noqa: A002
    working, s, axes = _several(name, _dtype(input, name), np.ndim(input), s, dim, norm, True)
    out = np.fft.rfftn(input.astype(working), s=s, axes=axes, norm=norm)
    return out.astype(_result_dtype(working, True))


def _irfftn(name: str, input: Any, s: Any, dim: Any, norm: Any) -> Any:  # noqa: A002
    working, s, axes = _several(name, _dtype(input, name), np.ndim(input), s, dim, norm, False)
    out = np.fft.irfftn(input.astype(working), s=s, axes=axes, norm=norm)
    return out.astype(_result_dtype(working, False))


def _hfftn(name: str, input: Any, s: Any, dim: Any, norm: Any) -> Any:  # noqa: A002
    working, s, axes = _several(name, _dtype(input, name), np.ndim(input), s, dim, norm, False)
    out = np.fft.irfftn(np.conj(input.astype(working)), s=s, axes=axes, norm=_SWAPPED[norm])
    return out.astype(_result_dtype(working, False))


def _ihfftn(name: str, input: Any, s: Any, dim: Any, norm: Any) -> Any:  # noqa: A002
    working, s, axes = _several(name, _dtype(input, name), np.ndim(input), s, dim, norm, True)
    out = np.conj(np.fft.rfftn(input.astype(working), s=s, axes=axes, norm=_SWAPPED[norm]))
    return out.astype(_result_dtype(working, True))


def fftn(input: Any, s: Any = None, dim: Any = None, norm: Any = None) -> Any:  # noqa: A002
    """``fft`` along each of ``dim`` (default: every axis, or the last ``len(s)``), each
    cut or zero-padded to its length in ``s``."""
    return _fftn("fftn", input, s, dim, norm)


def ifftn(input: Any, s: Any = None, dim: Any = None, norm: Any = None) -> Any:  # noqa: A002
    """``ifft`` along each of ``dim``."""
    return _ifftn("ifftn", input, s, dim, norm)


def rfftn(input: Any, s: Any = None, dim: Any = None, norm: Any = None) -> Any:  # noqa: A002
    """``rfft`` along the last of ``dim``, then ``fft`` along the others."""
    return _rfftn("rfftn", input, s, dim, norm)


def irfftn(input: Any, s: Any = None, dim: Any = None, norm: Any = None) -> Any:  # noqa: A002
    """The inverse of ``rfftn``: the last of ``dim`` is ``2 (m - 1)`` long unless ``s``
    says otherwise; real."""
    return _irfftn("irfftn", input, s, dim, norm)


def hfftn(input: Any, s: Any = None, dim: Any = None, norm: Any = None) -> Any:  # noqa: A002
    """``hfft`` in several dimensions, the last of ``dim`` the half given: ``irfftn`` of
    the conjugate, the normalisation's direction swapped; real."""
    return _hfftn("hfftn", input, s, dim, norm)


def ihfftn(input: Any, s: Any = None, dim: Any = None, norm: Any = None) -> Any:  # noqa: A002
    """The inverse of ``hfftn`` for a real signal: the conjugate of ``rfftn``, the
    normalisation's direction swapped."""
    return _ihfftn("ihfftn", input, s, dim, norm)


def fft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:  # noqa: A002
    return _fftn("fft2", input, s, dim, norm)


def ifft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:  # noqa: A002
    return _ifftn("ifft2", input, s, dim, norm)


def rfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:  # noqa: A002
    return _rfftn("rfft2", input, s, dim, norm)


def irfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:  # noqa: A002
    return _irfftn("irfft2", input, s, dim, norm)


def hfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:  # noqa: A002
    return _hfftn("hfft2", input, s, dim, norm)


def ihfft2(input: Any, s: Any = None, dim: Any = (-2, -1), norm: Any = None) -> Any:  # noqa: A002
    return _ihfftn("ihfft2", input, s, dim, norm)


# ---------------------------------------------------------------------------- shifts


def _shift_axes(name: str, ndim: int, dim: Any) -> Any:
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int | np.integer) else tuple(dim)
    return tuple(_checked_dim(name, d, max(ndim, 1)) for d in dims)


_shift_axes.__evaluated_when_compiling__ = True


def fftshift(input: Any, dim: Any = None) -> Any:  # noqa: A002
    """The zero frequency moved to the middle of each of ``dim`` (default: every axis),
    as ``fftfreq``'s order becomes ascending."""
    return np.fft.fftshift(input, axes=_shift_axes("fftshift", np.ndim(input), dim))


def ifftshift(input: Any, dim: Any = None) -> Any:  # noqa: A002
    """The inverse of ``fftshift`` (they differ for odd lengths)."""
    return np.fft.ifftshift(input, axes=_shift_axes("ifftshift", np.ndim(input), dim))


# ---------------------------------------------------------------------------- stft

_PAD_MODES = {"CONSTANT": "constant", "REFLECT": "reflect", "SYMMETRIC": "symmetric"}


def _stft_plan(dtype: Any, shape: tuple, n_fft: Any, hop_length: Any, win_length: Any,
               window_shape: Any, window_dtype: Any, center: Any, pad_mode: Any,
               onesided: Any) -> tuple:
    """Checked ``stft`` arguments: (working dtype, window dtype, hop, window length, zeros
    before the window, NumPy's pad mode, one-sided, frame count)."""
    working = _working_dtype("stft", dtype, len(shape), False)
    if len(shape) not in (1, 2):
        raise ValueError(f"For 'stft', x must be 1-d (a signal) or 2-d (a batch of them), "
                         f"but got {len(shape)} dimensions")
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    for what, value in (("n_fft", n_fft), ("hop_length", hop), ("win_length", win)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"For 'stft', {what} must be a positive int, but got {value!r}")
    if win > n_fft:
        raise ValueError(f"For 'stft', win_length must be at most n_fft ({n_fft}), but got {win}")
    if window_shape is not None and tuple(window_shape) != (win,):
        raise ValueError(f"For 'stft', window must be a vector of win_length ({win}) values, "
                         f"but got shape {tuple(window_shape)}")
    if pad_mode not in _PAD_MODES:
        raise ValueError(f"For 'stft', pad_mode must be 'CONSTANT', 'REFLECT' or 'SYMMETRIC', "
                         f"but got {pad_mode!r}")
    length = shape[-1] + (2 * (n_fft // 2) if center else 0)
    if n_fft > length or (center and pad_mode == "REFLECT" and n_fft // 2 >= shape[-1]):
        raise ValueError(f"For 'stft', n_fft ({n_fft}) is too long for a signal of "
                         f"{shape[-1]} values")
    real = np.dtype(np.float64 if working in (np.float64, np.complex128) else np.float32)
    if window_dtype is not None and np.dtype(window_dtype).kind == "c":
        real = np.result_type(real, np.complex64)
    if onesided is None:
        onesided = np.dtype(working).kind != "c" and real.kind != "c"
    return (working, real, hop, win, (n_fft - win) // 2, _PAD_MODES[pad_mode], onesided,
            1 + (length - n_fft) // hop)


_stft_plan.__evaluated_when_compiling__ = True


def stft(x: Any, n_fft: int, hop_length: Any = None, win_length: Any = None, window: Any = None,
         center: bool = True, pad_mode: str = "REFLECT", normalized: bool = False,
         onesided: Any = None, return_complex: Any = None) -> Any:
    """The short-time Fourier transform of ``x`` (a signal or a batch of them), shaped
    (batch, frequency, frame): frames of ``n_fft`` values ``hop_length`` apart
    (``n_fft // 4``), ``x`` padded by ``n_fft // 2`` at each end when ``center``, each
    frame times ``window`` (ones of ``win_length``, centred in ``n_fft``), then
    ``rfft`` (``fft`` unless ``onesided``; the default is one-sided for real ``x`` and
    window), divided by ``sqrt(n_fft)`` when ``normalized``. Complex with
    ``return_complex``, else its real and imaginary parts stacked last, as MindSpore
    2.7.1 gives by default."""
    working, real, hop, win, left, mode, onesided, count = _stft_plan(
        _dtype(x, "stft"), np.shape(x), n_fft, hop_length, win_length,
        None if window is None else np.shape(window),
        None if window is None else _dtype(window, "stft"), center, pad_mode, onesided)
    weights = np.ones(win, real) if window is None else window.astype(real)
    weights = np.pad(weights, ((left, n_fft - win - left),))
    signal = x.astype(working)
    if center:
        widths = ((0, 0),) * (np.ndim(x) - 1) + ((n_fft // 2, n_fft // 2),)
        signal = np.pad(signal, widths, mode=mode)
    frames = np.stack([signal[..., i * hop:i * hop + n_fft] for i in range(count)], -2)
    spectrum = np.fft.rfft(frames * weights) if onesided else np.fft.fft(frames * weights)
    if normalized:
        spectrum = spectrum / np.sqrt(n_fft)
    spectrum = np.swapaxes(spectrum, -1, -2).astype(_result_dtype(working, True))
    if return_complex:
        return spectrum
    return np.stack([np.real(spectrum), np.imag(spectrum)], -1)

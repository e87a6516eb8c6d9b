"""MindSpore's sample frequencies (``fftfreq``, ``rfftfreq``) and windows
(``bartlett_window``, ``blackman_window``, ``hamming_window``, ``hann_window``,
``kaiser_window``); re-exported by ``ops`` (through ``ops_fft``).

Each depends on Python numbers only, so each is evaluated while compiling: a constant
of a differentiated function, as MindSpore's are. A window of ``N`` values is the
symmetric window of ``N`` points, or with ``periodic`` (the default, for spectral
analysis) that of ``N + 1`` points without its last.

MindSpore 2.7.1's windows differ among themselves, and they are followed (measured):
``bartlett_window``/``blackman_window`` take the length as a 0-d int32/int64 Tensor (a
Python int is taken too) and give float32; ``hamming_window`` takes an int and gives
float32; ``hann_window`` and ``kaiser_window`` give float64 unless ``dtype`` says
otherwise. Of length 0 or 1, the last three give float64 when no ``dtype`` is given
(MindSpore gives float64 there even when one is; here a given ``dtype`` is honoured).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["fftfreq", "rfftfreq", "bartlett_window", "blackman_window", "hamming_window",
           "hann_window", "kaiser_window"]


def _length(name: str, n: Any, tensor: bool = False) -> int:
    """``n`` as an int, refused unless it is an int (or, with ``tensor``, a 0-d int32 or
    int64 Tensor, as ``bartlett_window`` takes)."""
    if tensor and isinstance(n, np.ndarray):
        if n.ndim != 0 or n.dtype not in (np.int32, np.int64):
            raise TypeError(f"For '{name}', window_length must be an int or a 0-d int32 or "
                            f"int64 Tensor, but got a {n.dtype} Tensor of shape {n.shape}")
        n = int(n)
    if isinstance(n, bool) or not isinstance(n, int | np.integer):
        raise TypeError(f"For '{name}', the length must be an int, but got "
                        f"{type(n).__name__}")
    return int(n)


def _frequencies(name: str, n: Any, d: Any, dtype: Any) -> Tensor:
    n = _length(name, n)
    if n < 1:
        raise ValueError(f"For '{name}', n must be at least 1, but got {n}")
    if isinstance(d, bool) or not isinstance(d, int | float | np.integer | np.floating):
        raise TypeError(f"For '{name}', d must be a float, but got {type(d).__name__}")
    freqs = np.fft.fftfreq(n, d) if name == "fftfreq" else np.fft.rfftfreq(n, d)
    return Tensor(freqs.astype(np.float32 if dtype is None else dtype))


def fftfreq(n: int, d: float = 1.0, dtype: Any = None) -> Tensor:
    """The frequencies of ``fft``'s ``n`` results for samples ``d`` apart:
    ``[0, 1, ..., -(n // 2), ..., -1] / (d n)``; float32 unless ``dtype`` says otherwise."""
    return _frequencies("fftfreq", n, d, dtype)


def rfftfreq(n: int, d: float = 1.0, dtype: Any = None) -> Tensor:
    """The frequencies of ``rfft``'s ``n // 2 + 1`` results: ``[0, 1, ..., n // 2] / (d n)``."""
    return _frequencies("rfftfreq", n, d, dtype)


def _window(name: str, window_length: Any, periodic: Any, dtype: Any, default: Any,
            shape: Any, tensor: bool = False) -> Tensor:
    """A window of ``window_length`` values: ``shape(m)`` of the symmetric window of
    ``m = window_length + 1`` points cut to its first ``window_length`` when
    ``periodic``; ``shape`` gets the positions ``n / (m - 1)`` in [0, 1]."""
    length = _length(name, window_length, tensor)
    if length < 0:
        raise ValueError(f"For '{name}', window_length must be non-negative, but got "
                         f"{length}")
    if not isinstance(periodic, bool | np.bool_):
        raise TypeError(f"For '{name}', periodic must be a bool, but got "
                        f"{type(periodic).__name__}")
    if dtype is not None and np.dtype(dtype).kind != "f":
        raise TypeError(f"For '{name}', dtype must be a float dtype (float16, float32 or "
                        f"float64), but got {dtype}")
    if length <= 1:  # float64 by default, except for the windows a Tensor measures
        return Tensor(np.ones(length, (np.float32 if tensor else np.float64)
                              if dtype is None else dtype))
    points = length + 1 if periodic else length
    values = shape(np.arange(points) / (points - 1.0))[:length]
    return Tensor(values.astype(default if dtype is None else dtype))


def bartlett_window(window_length: Any, periodic: bool = True, *, dtype: Any = None) -> Tensor:
    """The triangle ``1 - |2 t - 1|`` (``t`` from 0 to 1 along the window); float32.
    The length is a 0-d integer Tensor in MindSpore; an int is taken too."""
    return _window("bartlett_window", window_length, periodic, dtype, np.float32,
                   lambda t: 1.0 - np.abs(2.0 * t - 1.0), tensor=True)


def blackman_window(window_length: Any, periodic: bool = True, *, dtype: Any = None) -> Tensor:
    """``0.42 - 0.5 cos(2 pi t) + 0.08 cos(4 pi t)``; float32. The length as
    ``bartlett_window``'s."""
    return _window("blackman_window", window_length, periodic, dtype, np.float32,
                   lambda t: 0.42 - 0.5 * np.cos(2 * np.pi * t) + 0.08 * np.cos(4 * np.pi * t),
                   tensor=True)


def hamming_window(window_length: int, periodic: bool = True, alpha: float = 0.54,
                   beta: float = 0.46, *, dtype: Any = None) -> Tensor:
    """``alpha - beta cos(2 pi t)``; float32."""
    return _window("hamming_window", window_length, periodic, dtype, np.float32,
                   lambda t: alpha - beta * np.cos(2 * np.pi * t))


def hann_window(window_length: int, periodic: bool = True, *, dtype: Any = None) -> Tensor:
    """``(1 - cos(2 pi t)) / 2``; float64 unless ``dtype`` says otherwise."""
    return _window("hann_window", window_length, periodic, dtype, np.float64,
                   lambda t: 0.5 - 0.5 * np.cos(2 * np.pi * t))


def kaiser_window(window_length: int, periodic: bool = True, beta: float = 12.0, *,
                  dtype: Any = None) -> Tensor:
    """``I0(beta sqrt(1 - (2 t - 1)^2)) / I0(beta)``, ``I0`` the modified Bessel function
    of order 0; float64 unless ``dtype`` says otherwise."""
    return _window("kaiser_window", window_length, periodic, dtype, np.float64,
                   lambda t: np.i0(beta * np.sqrt(np.maximum(1.0 - (2.0 * t - 1.0) ** 2, 0.0)))
                   / np.i0(float(beta)))


for _constant in (fftfreq, rfftfreq, bartlett_window, blackman_window, hamming_window,
                  hann_window, kaiser_window):
    _constant.__evaluated_when_compiling__ = True  # Python numbers in, a constant out

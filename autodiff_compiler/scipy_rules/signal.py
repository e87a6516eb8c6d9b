"""``scipy.signal``'s convolutions and correlations (``convolve``, ``correlate``,
``convolve2d``, ``correlate2d``), written in NumPy and compiled in SciPy's place
(``surface.DEFINITIONS``), so their gradients follow from the operations.

The full convolution is a sum of shifted copies of the larger array, one per entry of
the smaller (each shift known when compiling), which is what SciPy's direct method
computes; above ``DIRECT_LIMIT`` entries in the smaller array it is a product of real
FFTs instead, as SciPy's ``method="auto"`` would choose for such sizes. ``valid`` and
``same`` cut the full result as SciPy does: the part where one array covers the
other, or ``in1``'s size centred.
"""
from __future__ import annotations

import itertools
from typing import Any

import numpy as np

FAMILY = "scipy.signal"
DIRECT_LIMIT = 128  # entries of the smaller array: above this, FFTs cost less


def _shifts(kernel_shape: tuple, data_shape: tuple) -> list:
    """For each entry of the kernel: its index, and the slices of the full result that
    the data lands in, shifted by it."""
    return [(k, tuple(slice(i, i + n) for i, n in zip(k, data_shape)))
            for k in itertools.product(*[range(m) for m in kernel_shape])]


def _cut(full_shape: tuple, shape: tuple) -> tuple:
    """The slices of ``shape`` centred in ``full_shape``, as SciPy centres ``same``."""
    return tuple(slice((f - s) // 2, (f - s) // 2 + s) for f, s in zip(full_shape, shape))


def _valid(shape1: tuple, shape2: tuple) -> tuple:
    """The slices of the full result where the larger array covers the smaller."""
    big, small = (shape1, shape2) if all(a >= b for a, b in zip(shape1, shape2)) \
        else (shape2, shape1)
    if not all(a >= b for a, b in zip(big, small)):
        raise ValueError("for 'valid' mode, one must be at least as large as the other "
                         "in every dimension")
    return tuple(slice(s - 1, b) for b, s in zip(big, small))


def _promoted(dtype1: Any, dtype2: Any) -> Any:
    return np.promote_types(dtype1, dtype2)


for _helper in (_shifts, _cut, _valid, _promoted):
    _helper.__evaluated_when_compiling__ = True  # pure functions of shapes known then


def _full(in1: Any, in2: Any) -> Any:
    """The full convolution of two arrays of the same number of dimensions."""
    data, kernel = (in1, in2) if np.size(in1) >= np.size(in2) else (in2, in1)
    shape = tuple(a + b - 1 for a, b in zip(np.shape(in1), np.shape(in2)))
    if np.size(kernel) > DIRECT_LIMIT and not np.iscomplexobj(data) \
            and not np.iscomplexobj(kernel):
        return np.fft.irfftn(np.fft.rfftn(data, shape) * np.fft.rfftn(kernel, shape), shape)
    out = np.zeros(shape, dtype=_promoted(data.dtype, kernel.dtype))
    for k, region in _shifts(np.shape(kernel), np.shape(data)):
        out[region] = out[region] + data * kernel[k]
    return out


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """``in1`` convolved with ``in2`` (N-dimensional), cut as ``mode`` says."""
    in1, in2 = np.asarray(in1), np.asarray(in2)
    if np.ndim(in1) != np.ndim(in2):
        raise ValueError("in1 and in2 should have the same dimensionality")
    if mode not in ("full", "valid", "same"):
        raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")
    if np.size(in1) == 0 or np.size(in2) == 0:
        return np.zeros((0,) * np.ndim(in1), dtype=_promoted(in1.dtype, in2.dtype))
    if mode == "valid":
        region = _valid(np.shape(in1), np.shape(in2))
    full = _full(in1, in2)
    if mode == "full":
        return full
    if mode == "same":
        return full[_cut(np.shape(full), np.shape(in1))]
    return full[region]


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """The cross-correlation: ``in1`` convolved with ``in2`` reversed and conjugated."""
    in2 = np.asarray(in2)
    reversed_in2 = np.conj(in2[(slice(None, None, -1),) * np.ndim(in2)])
    if mode == "valid" and not all(a >= b for a, b in zip(np.shape(in1), np.shape(in2))):
        # SciPy swaps the arrays, which reverses and conjugates the result
        swapped = convolve(in2, np.conj(np.asarray(in1)[(slice(None, None, -1),)
                                                          * np.ndim(in1)]), mode)
        return np.conj(swapped[(slice(None, None, -1),) * np.ndim(in2)])
    return convolve(in1, reversed_in2, mode)


def _two_d(name: str, in1: Any, in2: Any, boundary: str, fillvalue: Any) -> None:
    """Refuse what the zero-filled 2-d convolution is not."""
    if np.ndim(in1) != 2 or np.ndim(in2) != 2:
        raise ValueError(f"{name} inputs must both be 2-D arrays")
    if boundary not in ("fill", "pad") or fillvalue != 0:
        raise ValueError(f"{name}(boundary={boundary!r}, fillvalue={fillvalue!r}) is not "
                         "supported in a differentiated function: only the zero fill is "
                         "(np.pad the input with mode='wrap' or 'symmetric' and use "
                         "mode='valid')")


def convolve2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
               fillvalue: Any = 0) -> Any:
    """The 2-d convolution, zero outside ``in1``."""
    _two_d("convolve2d", in1, in2, boundary, fillvalue)
    return convolve(in1, in2, mode)


def correlate2d(in1: Any, in2: Any, mode: str = "full", boundary: str = "fill",
                fillvalue: Any = 0) -> Any:
    """The 2-d cross-correlation, zero outside ``in1``."""
    _two_d("correlate2d", in1, in2, boundary, fillvalue)
    return correlate(in1, in2, mode)


DEFINED = ("convolve", "correlate", "convolve2d", "correlate2d")

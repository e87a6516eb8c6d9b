"""MindSpore's ``ops.interpolate`` (and its other name ``ops.upsample``; the Cell is
``nn.Upsample``): resizing the spatial axes, all but the first two; re-exported by
``ops``.

Each mode resizes one axis after another, and every axis by a table worked out with
NumPy while compiling, since the shapes are known then: ``nearest`` (3-, 4- and 5-d)
and ``nearest-exact`` (3-, 4-d) are one gather by a table of source positions;
``linear`` (3-d), ``bilinear`` (4-d) and ``trilinear`` (5-d) are two gathers, at the
position below and above each sample, weighted by its distance to them; ``area``
averages windows, a product with a table of window weights, and ``bicubic`` (4-d) is
a product with a table of four cubic weights per sample (``bicubic_weights``). The
gradient is then that of gathers (scatter-adds of the cotangent), weighted sums and
products.

The tables are MindSpore 2.7's (measured on its CPU kernels), in float32 as it computes
them: for ``n`` samples of an axis of length ``m``, with ``r = m / n``, ``nearest``
reads ``floor(i r)`` and ``nearest-exact`` ``floor((i + 1/2) r)``; the linear modes
sample ``i (m - 1) / (n - 1)`` with ``align_corners=True`` (0 when ``n`` is 1), else
``(i + 1/2) r - 1/2``, clipped at 0 (``linear`` samples 0 when ``n`` is 1). ``area``
averages entries ``floor(i r)`` to ``ceil((i + 1) r)``. For 5-d input ``nearest`` and
``trilinear`` take ``r = 1 / scale_factor`` when a scale factor is given, and leave an
axis whose length does not change as it is.

Arguments are checked as MindSpore checks them, with its errors (``ValueError``,
``TypeError``); inside a differentiated function they are checked while compiling.
The tables need the shapes, so ``interpolate`` compiles in shape-specialised code
(``grad``'s default) only.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .ops_scatter import known_shape

__all__ = ["interpolate", "upsample"]  # (interpolate_any_scale: mint's)

# mode -> {rank of the input: the options it takes besides size}
_MODES = {
    "nearest": {3: (), 4: (), 5: ("scale_factor",)},
    "linear": {3: ("align_corners",)},
    "bilinear": {4: ("align_corners",)},
    "bicubic": {4: ("align_corners",)},
    "area": {3: ("scale_factor",), 4: ("scale_factor",), 5: ("scale_factor",)},
    "nearest-exact": {3: (), 4: ()},
    "trilinear": {5: ("align_corners", "scale_factor")},
}


def interpolate(input: Any, size: Any = None, scale_factor: Any = None,  # noqa: A002
                mode: str = "nearest", align_corners: Any = None,
                recompute_scale_factor: Any = None) -> Any:
    """``input`` (N, C, [D,] [H,] W) resized to ``size`` (an int for every spatial axis,
    or one per axis), or to ``floor(length * scale_factor)``, by ``mode``."""
    return _resized(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
                    False)


def interpolate_any_scale(input: Any, size: Any = None, scale_factor: Any = None,  # noqa: A002
                          mode: str = "nearest", align_corners: Any = None,
                          recompute_scale_factor: Any = None) -> Any:
    """``mint.nn.functional.interpolate``: PyTorch's, which takes a scale factor in every
    mode (MindSpore 2.10's mint too: ``nearest`` of 4-d input by 2.0), sampling at
    ``i / scale_factor`` as the 5-d modes here do."""
    return _resized(input, size, scale_factor, mode, align_corners, recompute_scale_factor,
                    True)


def _resized(input: Any, size: Any, scale_factor: Any, mode: str,  # noqa: A002
             align_corners: Any, recompute_scale_factor: Any, any_scale: bool) -> Any:
    plan = _plan(known_shape(input, "ops.interpolate"), input.dtype, size, scale_factor, mode,
                 align_corners, recompute_scale_factor, any_scale)
    out = input
    for axis, table in enumerate(plan):
        if table[0] == "gather":
            out = np.take(out, table[1], axis=axis)
        elif table[0] == "lerp":
            out = np.take(out, table[1], axis=axis) * table[3] + \
                np.take(out, table[2], axis=axis) * table[4]
        elif table[0] == "average":
            out = np.swapaxes(np.swapaxes(out, axis, -1) @ table[1], axis, -1)
    return out


upsample = interpolate


def resize_bilinear_v2(x: Any, size: Any, align_corners: bool = False,
                       half_pixel_centers: bool = False) -> Any:
    """``x`` (N, C, H, W) resized to ``size`` (h, w) by ``ResizeBilinearV2``'s sampling:
    ``i (m - 1) / (n - 1)`` with ``align_corners``, ``(i + 1/2) r - 1/2`` with
    ``half_pixel_centers``, else TensorFlow's older ``i r`` (``r = m / n``)."""
    shape = known_shape(x, "ResizeBilinearV2")
    out = x
    for k, (m, n) in enumerate(zip(shape[2:], tuple(size))):
        table = _v2_table(m, int(n), align_corners, half_pixel_centers, np.dtype(x.dtype),
                          len(shape) - 3 - k)
        if table[0] == "lerp":
            out = np.take(out, table[1], axis=2 + k) * table[3] + \
                np.take(out, table[2], axis=2 + k) * table[4]
    return out


def _plan(shape: tuple, dtype: Any, size: Any, scale_factor: Any, mode: Any,
          align_corners: Any, recompute_scale_factor: Any, any_scale: bool = False) -> list:
    """MindSpore's checks, then what to do along each axis: ``("keep",)`` for the first
    two and any whose length stays, ``("gather", positions)``, ``("lerp", below,
    above, w_below, w_above)`` for two weighted gathers, or ``("average", weights)``
    for window averages, a product with the ``(length, samples)`` weights."""
    size, scale_factor = _size_or_scale(len(shape), size, scale_factor)
    if not isinstance(mode, str) or mode not in _MODES:
        raise ValueError(f"For 'interpolate', 'mode' must be in '{list(_MODES)}', but got "
                         f"{mode}")
    rank, options = len(shape), _MODES[mode]
    if rank not in options:
        raise ValueError(f"For 'interpolate', {mode} only support '{list(options)}'D, but "
                         f"got {rank}D")
    if mode == "area" and size is None:
        recompute_scale_factor = True
    size, scale_factor = _recomputed(shape, size, scale_factor, recompute_scale_factor)
    if scale_factor is not None and "scale_factor" not in options[rank] and not any_scale:
        raise ValueError(f"For 'interpolate', 'scale_factor' option cannot currently be set "
                         f"with the mode = {mode} and dim = {rank}D.")
    if align_corners is not None:
        _check_bool(align_corners, "align_corners")
        if "align_corners" not in options[rank]:
            raise ValueError(f"For 'interpolate', 'align_corners' option cannot currently be "
                             f"set with the mode = {mode}, and dim = {rank}D")
    _check_kernel(shape, dtype, mode, size, scale_factor)
    sizes = size or tuple(math.floor(n * s) for n, s in zip(shape[2:], scale_factor))
    scales = scale_factor or (None,) * len(sizes)
    tables = [_table(mode, m, n, bool(align_corners), s, np.dtype(dtype), len(sizes) - 1 - k)
              for k, (m, n, s) in enumerate(zip(shape[2:], sizes, scales))]
    return [("keep",), ("keep",), *tables]


def _recomputed(shape: tuple, size: Any, scale_factor: Any, recompute: Any) -> tuple:
    """With ``recompute_scale_factor``, the size the scale factor gives instead."""
    if recompute is None or not recompute:
        return size, scale_factor
    _check_bool(recompute, "recompute_scale_factor")
    if size is not None:
        raise ValueError("For 'interpolate', it is incorrect to set 'recompute_scale_factor' "
                         "to True after specifying an explicit 'size'.")
    return tuple(math.floor(n * s) for n, s in zip(shape[2:], scale_factor)), None


def _size_or_scale(rank: int, size: Any, scale_factor: Any) -> tuple:
    """``size`` and ``scale_factor`` as tuples of one entry per spatial axis (one of
    them ``None``), checked."""
    size = tuple(size) if isinstance(size, list) else size
    scale_factor = tuple(scale_factor) if isinstance(scale_factor, list) else scale_factor
    if size is not None and scale_factor is not None:
        raise ValueError("For 'interpolate', 'size' and 'scale_factor' cannot be set "
                         "simultaneously")
    if size is not None:
        return _per_axis(rank, size, "size", int), None
    if scale_factor is not None:
        return None, _per_axis(rank, scale_factor, "scale_factor", float)
    raise ValueError("For 'interpolate', 'size' and 'scale_factor' cannot be both empty")


def _per_axis(rank: int, value: Any, name: str, kind: type) -> tuple:
    if not isinstance(value, tuple):
        _check_positive(value, name, kind)
        return (value,) * (rank - 2)
    for i, v in enumerate(value):
        _check_positive(v, f"{name}[{i}]", kind)
    if len(value) != rank - 2:
        raise ValueError(f"For 'interpolate', 'input' and '{name}' must have the same "
                         f"spatial dimensions, but got 'input' is {rank - 2}D, '{name}' is "
                         f"{len(value)}D")
    return value


def _check_positive(value: Any, name: str, kind: type) -> None:
    what = kind.__name__
    if isinstance(value, bool):
        raise TypeError(f"For 'interpolate', the '{name}' must be {what} and must > 0, but "
                        f"got '{value}' with type 'bool'.")
    if not isinstance(value, kind):
        raise TypeError(f"For 'interpolate', the '{name}' must be {what}, but got "
                        f"'{type(value).__name__}'")
    if value <= 0:
        raise ValueError(f"For 'interpolate', the '{name}' must be {what} and must > 0, but "
                         f"got '{value}' with type '{what}'.")


def _check_bool(value: Any, name: str) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"For 'interpolate', the '{name}' must be a bool, but got "
                        f"{type(value).__name__}.")


def _check_kernel(shape: tuple, dtype: Any, mode: str, size: Any, scale_factor: Any) -> None:
    """What MindSpore's kernels refuse: integer input, an empty 3- or 4-d output, and
    ``area`` on 3-d input to a length that does not divide it."""
    if not np.issubdtype(np.dtype(dtype), np.floating):
        raise TypeError(f"For 'interpolate', 'input' must be a float tensor, but got "
                        f"{np.dtype(dtype)}")
    for m, n in zip(shape[2:], size or ()):
        if n < 1 and len(shape) < 5:  # the 5-d kernels give an empty result
            raise ValueError(f"For 'interpolate', the size value must be greater than 0, but "
                             f"got {n}.")
        if mode == "area" and len(shape) == 3 and (m < n or m % n):
            raise ValueError(f"For adaptive_avg_pool1d input's last dimension must be "
                             f"greater or equal to and divisible by output size {n}, but got "
                             f"{m}.")


def _table(mode: str, m: int, n: int, align_corners: bool, scale_factor: Any,
           dtype: np.dtype, trailing: int) -> Any:
    """How ``n`` samples are read from an axis of length ``m`` followed by ``trailing``
    axes (see ``_plan``)."""
    if n == m:
        return ("keep",)
    i = np.arange(n, dtype=np.float32)
    r = np.float32(m) / np.float32(n) if scale_factor is None else \
        np.float32(1.0 / scale_factor)
    if mode in ("nearest", "nearest-exact"):
        at = np.floor((i + np.float32(0.5 if mode == "nearest-exact" else 0.0)) * r)
        return ("gather", np.minimum(at.astype(np.int64), m - 1))
    if mode == "bicubic":
        return ("average", bicubic_weights(m, n, align_corners).astype(dtype))
    if mode == "area":
        weights = np.zeros((m, n), dtype)
        for j in range(n):
            start, stop = (j * m) // n, -(-((j + 1) * m) // n)
            weights[start:stop, j] = 1.0 / (stop - start)
        return ("average", weights)
    if align_corners:
        at = i * (np.float32(m - 1) / np.float32(n - 1) if n > 1 else np.float32(0.0))
    elif n == 1 and mode == "linear":
        at = np.zeros(1, np.float32)
    else:
        at = np.maximum((i + np.float32(0.5)) * r - np.float32(0.5), np.float32(0.0))
    below = np.minimum(np.floor(at).astype(np.int64), m - 1)
    w_above = np.reshape(at - below, (-1,) + (1,) * trailing)
    return ("lerp", below, np.minimum(below + 1, m - 1), (1 - w_above).astype(dtype),
            w_above.astype(dtype))


_CUBIC_TABLE_SIZE = 1024


def bicubic_weights(m: int, n: int, align_corners: bool) -> np.ndarray:
    """The ``(m, n)`` weights by which ``ResizeBicubic`` (MindSpore's ``bicubic`` mode, as
    TensorFlow's kernel) makes ``n`` samples of an axis of length ``m``: sample ``j`` at
    ``j (m - 1) / (n - 1)`` (``align_corners``; 0 when ``n`` is 1) or ``(j + 1/2) m / n -
    1/2``, from the four entries around it, weighted by Keys' cubic with ``a = -0.75``
    (indices past the ends clamped) or, with half pixels, ``a = -0.5`` and the taps past
    the ends dropped and the rest renormalised. The cubic is read from the kernel's
    table of 1024 steps, so the weights are its (rounded) ones."""
    a = -0.75 if align_corners else -0.5
    x = np.arange(_CUBIC_TABLE_SIZE + 1, dtype=np.float32) / np.float32(_CUBIC_TABLE_SIZE)
    near = ((np.float32(a + 2) * x - np.float32(a + 3)) * x * x + 1).astype(np.float32)
    y = x + np.float32(1.0)
    far = (((np.float32(a) * y - np.float32(5 * a)) * y + np.float32(8 * a)) * y
           - np.float32(4 * a)).astype(np.float32)
    if align_corners:
        scale = np.float32(m - 1) / np.float32(n - 1) if n > 1 else np.float32(0.0)
    else:
        scale = np.float32(m) / np.float32(n)
    weights = np.zeros((m, n), np.float32)
    for j in range(n):
        at = np.float32(j) * scale if align_corners else \
            (np.float32(j) + np.float32(0.5)) * scale - np.float32(0.5)
        base = math.floor(at)
        offset = int(np.rint(np.float32(at - np.float32(base)) * _CUBIC_TABLE_SIZE))
        taps = [(base - 1, far[offset]), (base, near[offset]),
                (base + 1, near[_CUBIC_TABLE_SIZE - offset]),
                (base + 2, far[_CUBIC_TABLE_SIZE - offset])]
        if not align_corners:
            taps = [(k, w if 0 <= k < m else np.float32(0.0)) for k, w in taps]
            total = np.float32(sum(w for _, w in taps))
            taps = [(k, w / total) for k, w in taps] if abs(total) >= 1000 * np.finfo(
                np.float32).tiny else taps
        for k, w in taps:
            weights[min(max(k, 0), m - 1), j] += w
    return weights


def _v2_table(m: int, n: int, align_corners: bool, half_pixel: bool, dtype: np.dtype,
              trailing: int) -> Any:
    """``ResizeBilinearV2``'s positions along an axis, as ``_table``'s ``lerp``."""
    if n == m:
        return ("keep",)
    i = np.arange(n, dtype=np.float32)
    r = np.float32(m) / np.float32(n)
    if align_corners:
        at = i * (np.float32(m - 1) / np.float32(n - 1) if n > 1 else np.float32(0.0))
    elif half_pixel:
        at = np.maximum((i + np.float32(0.5)) * r - np.float32(0.5), np.float32(0.0))
    else:
        at = i * r
    below = np.minimum(np.floor(at).astype(np.int64), m - 1)
    w_above = np.reshape(at - below, (-1,) + (1,) * trailing)
    return ("lerp", below, np.minimum(below + 1, m - 1), (1 - w_above).astype(dtype),
            w_above.astype(dtype))


for _helper in (_plan, _recomputed, _size_or_scale, _per_axis, _check_positive, _check_bool,
                _check_kernel, _table, _v2_table, bicubic_weights):
    _helper.__evaluated_when_compiling__ = True  # pure functions of settings and shapes

"""MindSpore's sampling ``ops``: ``affine_grid`` and ``grid_sample`` (spatial
transformers) and ``gumbel_softmax``; re-exported by ``ops`` through
``ops_nn_functional``.

``grid_sample`` reads ``input`` (N, C, H, W) at the points of ``grid`` (N, Ho, Wo, 2),
``(x, y)`` in ``[-1, 1]`` across the width and height. A point is first put in pixel
units (``-1`` is the centre of the first pixel with ``align_corners``, its outer edge
without), then moved inside by ``padding_mode`` (``border`` clips it, ``reflection``
folds it back at the edges and clips), then read: ``bilinear`` weighs the four
neighbours, ``nearest`` takes the closest pixel (halves away from zero); with ``zeros`` a
neighbour outside reads 0. The reads are one ``take_along_axis`` of the flattened
planes per neighbour, so the gradient of ``input`` scatters back there and that of
``grid`` goes through the weights and the padding functions, as MindSpore 2.7.1
computes them (measured): 0 where a point is clipped, on the bound too.

``gumbel_softmax`` adds Gumbel noise ``-log(-log(u))`` (``u`` uniform, drawn from
NumPy's global random state, fresh at each call) to the logits and takes a softmax at
temperature ``tau``; ``hard`` returns the one-hot of its largest entry, with the
softmax's gradient (``one_hot - stop_gradient(y) + y``).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ir.surface import stop_gradient
from .ops_nn import softmax

__all__ = ["affine_grid", "grid_sample", "gumbel_softmax"]

_TINY = float(np.finfo(np.float32).tiny)


# ---------------------------------------------------------------------------- grids


def _base_coordinates(n: int, align_corners: bool) -> np.ndarray:
    """The ``n`` pixel positions along an axis in ``[-1, 1]`` units (0 for one)."""
    if n <= 1:
        return np.zeros(max(n, 0))
    steps = np.linspace(-1.0, 1.0, n)
    return steps if align_corners else steps * (n - 1) / n


def _base_grid(spatial: tuple, align_corners: bool) -> np.ndarray:
    """(*spatial, ndim + 1): the ``(x, y[, z], 1)`` of each output point, ``x`` along
    the last axis."""
    axes = [_base_coordinates(n, align_corners) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")  # (d,) h, w
    return np.stack([*mesh[::-1], np.ones(tuple(spatial))], axis=-1)


_base_grid.__evaluated_when_compiling__ = True  # a constant of the size asked for


def _size_tuple(size: Any) -> tuple:
    return tuple(int(n) for n in size)


_size_tuple.__evaluated_when_compiling__ = True  # a setting


def affine_grid(theta: Any, size: Any, align_corners: bool = False) -> Any:
    """The sampling grid of the affine maps ``theta`` (N, 2, 3) for an output of
    ``size`` (N, C, H, W): (N, H, W, 2); or of ``theta`` (N, 3, 4) for (N, C, D, H, W):
    (N, D, H, W, 3)."""
    size = _size_tuple(size)
    spatial = len(size) - 2
    if spatial not in (2, 3) or np.shape(theta) != (size[0], spatial, spatial + 1):
        raise ValueError(f"affine_grid: theta {np.shape(theta)} does not fit size {size}: "
                         "(N, 2, 3) with (N, C, H, W), or (N, 3, 4) with (N, C, D, H, W)")
    base = _base_grid(size[2:], align_corners).astype(theta.dtype)
    flat = np.reshape(base, (-1, spatial + 1))
    grid = np.matmul(flat, np.swapaxes(theta, 1, 2))  # (N, points, spatial)
    return np.reshape(grid, (size[0], *size[2:], spatial))


# ---------------------------------------------------------------------------- sampling


def _unnormalise(coordinate: Any, size: int, align_corners: bool) -> Any:
    if align_corners:
        return (coordinate + 1) / 2 * (size - 1)
    return ((coordinate + 1) * size - 1) / 2


def _reflect(coordinate: Any, twice_low: int, twice_high: int) -> Any:
    """``coordinate`` folded back into ``[twice_low / 2, twice_high / 2]``."""
    if twice_low == twice_high:
        return coordinate * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    distance = np.abs(coordinate - low)
    extra = np.fmod(distance, span)
    flips = np.floor(distance / span)
    return np.where(np.fmod(flips, 2) == 0, extra + low, span - extra + low)


def _inside(coordinate: Any, size: int, padding_mode: str, align_corners: bool) -> Any:
    """A pixel coordinate moved inside the image as ``padding_mode`` says."""
    if padding_mode == "border":
        return _clip(coordinate, size)
    if padding_mode == "reflection":
        if align_corners:
            return _clip(_reflect(coordinate, 0, 2 * (size - 1)), size)
        return _clip(_reflect(coordinate, -1, 2 * size - 1), size)
    return coordinate


def _clip(coordinate: Any, size: int) -> Any:
    """``coordinate`` limited to ``[0, size - 1]``, with derivative 0 on the bounds as
    MindSpore gives it (``np.clip``'s is 1 there)."""
    return np.where(coordinate <= 0, 0.0, np.where(coordinate >= size - 1, size - 1.0,
                                                   coordinate))


def _round(coordinate: Any) -> Any:
    """To the nearest integer, halves away from zero (as C's ``round``, which MindSpore's
    nearest mode uses; NumPy's ``rint`` takes halves to even)."""
    return np.sign(coordinate) * np.floor(np.abs(coordinate) + 0.5)


def _read(planes: Any, rows: Any, cols: Any, height: int, width: int) -> Any:
    """``planes`` (N, C, H W) at the integer pixels ``(rows, cols)`` (N, P), 0 outside."""
    valid = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    at = np.where(valid, rows * width + cols, 0).astype(np.int64)
    n, c = np.shape(planes)[:2]
    index = np.broadcast_to(np.expand_dims(at, 1), (n, c, np.shape(at)[1]))
    values = np.take_along_axis(planes, index, axis=2)
    return values * np.expand_dims(valid, 1).astype(planes.dtype)


def grid_sample(input: Any, grid: Any, mode: str = "bilinear",  # noqa: A002
                padding_mode: str = "zeros", align_corners: Any = None) -> Any:
    """``input`` (N, C, H, W) read at the points of ``grid`` (N, Ho, Wo, 2), ``(x, y)``
    in ``[-1, 1]``: (N, C, Ho, Wo). ``mode`` ``bilinear`` or ``nearest``;
    ``padding_mode`` ``zeros``, ``border`` or ``reflection``."""
    if mode not in ("bilinear", "nearest"):
        raise ValueError(f"grid_sample: mode must be 'bilinear' or 'nearest', not {mode!r}")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(f"grid_sample: padding_mode must be 'zeros', 'border' or "
                         f"'reflection', not {padding_mode!r}")
    if np.ndim(input) != 4 or np.ndim(grid) != 4 or np.shape(grid)[3] != 2 \
            or np.shape(grid)[0] != np.shape(input)[0]:
        raise ValueError(f"grid_sample: input must be (N, C, H, W) and grid (N, Ho, Wo, 2), "
                         f"not {np.shape(input)} and {np.shape(grid)}")
    corners = bool(align_corners)
    n, c, height, width = np.shape(input)
    out_rows, out_cols = np.shape(grid)[1:3]
    points = np.reshape(grid, (n, -1, 2))
    x = _inside(_unnormalise(points[:, :, 0], width, corners), width, padding_mode, corners)
    y = _inside(_unnormalise(points[:, :, 1], height, corners), height, padding_mode, corners)
    planes = np.reshape(input, (n, c, height * width))
    if mode == "nearest":
        out = _read(planes, _round(y).astype(np.int64), _round(x).astype(np.int64),
                    height, width)
    else:
        left, top = np.floor(x), np.floor(y)
        dx, dy = np.expand_dims(x - left, 1), np.expand_dims(y - top, 1)
        col, row = left.astype(np.int64), top.astype(np.int64)
        out = (_read(planes, row, col, height, width) * (1 - dx) * (1 - dy)
               + _read(planes, row, col + 1, height, width) * dx * (1 - dy)
               + _read(planes, row + 1, col, height, width) * (1 - dx) * dy
               + _read(planes, row + 1, col + 1, height, width) * dx * dy)
    return np.reshape(out, (n, c, out_rows, out_cols)).astype(input.dtype)


# ---------------------------------------------------------------------------- gumbel


def gumbel_softmax(logits: Any, tau: float = 1.0, hard: bool = False, dim: int = -1) -> Any:
    """A softmax of ``(logits + g) / tau`` along ``dim``, ``g`` Gumbel noise drawn anew;
    ``hard``: the one-hot of its largest entry, with the softmax's gradient."""
    if tau <= 0:
        raise ValueError(f"gumbel_softmax: tau must be positive, not {tau}")
    uniform = np.random.uniform(_TINY, 1.0, np.shape(logits))
    noise = -np.log(-np.log(uniform))
    soft = softmax((logits + noise.astype(logits.dtype)) / tau, dim)
    if not hard:
        return soft
    peak = np.argmax(soft, axis=dim)
    chosen = np.expand_dims(peak, dim) == np.reshape(
        np.arange(np.shape(logits)[dim]), _along(dim, np.ndim(logits)))
    return chosen.astype(logits.dtype) - stop_gradient(soft) + soft


def _along(axis: int, ndim: int) -> tuple:
    """The shape that lays a vector along ``axis`` of an ``ndim``-dimensional array."""
    axis = axis % ndim
    return (1,) * axis + (-1,) + (1,) * (ndim - axis - 1)


_along.__evaluated_when_compiling__ = True  # a pure function of the rank

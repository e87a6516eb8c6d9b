"""``vision.Resize`` and its interpolation modes: OpenCV's arithmetic, which MindSpore's CPU
kernels use, written in NumPy (``vision`` re-exports both; the random crops that resize
use it too)."""
from __future__ import annotations

import enum
from typing import Any

import numpy as np


class Inter(enum.Enum):
    """Interpolation modes (``BILINEAR`` is ``LINEAR``, ``BICUBIC`` ``CUBIC``)."""

    NEAREST = 0
    LINEAR = 1
    BILINEAR = 1
    CUBIC = 2
    BICUBIC = 2
    AREA = 3
    PILCUBIC = 4
    ANTIALIAS = 5


class Resize:
    """The image resized to ``size`` ((height, width); an int sets the shorter side,
    keeping the aspect ratio), as MindSpore's CPU kernel (OpenCV's) resizes:
    ``NEAREST`` takes pixel ``floor(i * scale)``, as MindSpore does bit for bit;
    ``LINEAR`` blends the two nearest of half-pixel centres: float32 images within
    2e-6 of MindSpore's, uint8 ones in OpenCV's fixed point (11-bit weights), where
    about one pixel in fifty is one level above MindSpore's (its library rounds some
    pixels otherwise; measured on 120 resizes). Other modes are not written yet."""

    def __init__(self, size: Any, interpolation: Inter = Inter.LINEAR) -> None:
        if interpolation not in (Inter.NEAREST, Inter.LINEAR):
            raise NotImplementedError(f"vision.Resize with {interpolation}: only Inter.NEAREST "
                                      "and Inter.LINEAR (BILINEAR) are written")
        self.size, self.interpolation = size, interpolation

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        (h, w), size = image.shape[:2], self.size
        if isinstance(size, int):  # the shorter side
            size = (size, int(w * size / h)) if h <= w else (int(h * size / w), size)
        (rows, y_weight), (cols, x_weight) = (_sources(n, s, self.interpolation)
                                              for n, s in zip(size, (h, w)))
        if self.interpolation is Inter.NEAREST:
            return np.ascontiguousarray(image[rows[0]][:, cols[0]])
        if image.dtype == np.uint8:
            return _linear_uint8(image, rows, cols, y_weight, x_weight)
        pixels = image.astype(np.float32)
        across = (pixels[:, cols[0]] * _along(1 - x_weight, 1, image.ndim)
                  + pixels[:, cols[1]] * _along(x_weight, 1, image.ndim))
        out = (across[rows[0]] * _along(1 - y_weight, 0, image.ndim)
               + across[rows[1]] * _along(y_weight, 0, image.ndim))
        return out.astype(image.dtype)


def _sources(size: int, length: int, mode: Inter) -> tuple[tuple, np.ndarray]:
    """For each output index: the two input indices it reads and the second's weight."""
    scale = np.float32(length / size)
    index = np.arange(size)
    if mode is Inter.NEAREST:
        nearest = np.minimum(np.floor(index * scale).astype(np.intp), length - 1)
        return (nearest, nearest), np.zeros(size, np.float32)
    centre = ((index + 0.5) * scale - 0.5).astype(np.float32)
    first = np.floor(centre).astype(np.intp)
    weight = (centre - first).astype(np.float32)
    outside = (first < 0) | (first >= length - 1)
    weight[outside] = 0
    first = np.clip(first, 0, length - 1)
    return (first, np.minimum(first + 1, length - 1)), weight


def _along(weights: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    return weights.reshape((-1,) + (1,) * (ndim - 1 - axis))


def _linear_uint8(image: np.ndarray, rows: tuple, cols: tuple, y_weight: np.ndarray,
                  x_weight: np.ndarray) -> np.ndarray:
    """OpenCV's fixed point: 11-bit weights across, then down in 16-bit products."""
    scale = 1 << 11
    wx = [np.round(w * scale).astype(np.int64) for w in (1 - x_weight, x_weight)]
    wy = [np.round(w * scale).astype(np.int64) for w in (1 - y_weight, y_weight)]
    pixels = image.astype(np.int64)
    across = (pixels[:, cols[0]] * _along(wx[0], 1, image.ndim)
              + pixels[:, cols[1]] * _along(wx[1], 1, image.ndim))
    down = (((across[rows[0]] >> 4) * _along(wy[0], 0, image.ndim)) >> 16) \
        + (((across[rows[1]] >> 4) * _along(wy[1], 0, image.ndim)) >> 16)
    return np.clip((down + 2) >> 2, 0, 255).astype(np.uint8)

"""The random geometric augmentations of CIFAR and ImageNet training scripts:
``RandomResizedCrop``, ``RandomRotation`` and ``RandomErasing``.

Their random draws come from NumPy's global state (``dataset.config.set_seed`` repeats
them), so they cannot give MindSpore's crops; what they do with a draw is MindSpore
2.10's (measured): the same parameters, the same fallbacks when nothing can be drawn,
the same pixels for a fixed angle or crop.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .resize import Inter, Resize

__all__ = ["RandomResizedCrop", "RandomRotation", "RandomErasing"]


def _pair(size: Any) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def _round(x: float) -> int:
    """C's ``round`` of a non-negative number: halves up (Python's rounds them to even)."""
    return math.floor(x + 0.5)


class RandomResizedCrop:
    """A crop of random area (``scale`` of the image's) and aspect ratio (width over
    height, drawn uniformly in log space from ``ratio``), resized to ``size``. Each of
    ``max_attempts`` draws is kept if it fits in the image: width ``round(sqrt(area *
    ratio))``, height ``round(width / ratio)``, at a uniform offset. If none fits, the
    crop is the centred largest one whose aspect ratio is within ``ratio`` (the whole
    image if its own is), the offset rounded half up: MindSpore's fallback (measured)."""

    def __init__(self, size: Any, scale: Sequence[float] = (0.08, 1.0),
                 ratio: Sequence[float] = (3 / 4, 4 / 3),
                 interpolation: Inter = Inter.BILINEAR, max_attempts: int = 10) -> None:
        if not 0 <= scale[0] <= scale[1] or not 0 < ratio[0] <= ratio[1]:
            raise ValueError(f"RandomResizedCrop: scale {scale!r} and ratio {ratio!r} must be "
                             "ordered (min, max), scale non-negative, ratio positive")
        self.size, self.scale, self.ratio = _pair(size), tuple(scale), tuple(ratio)
        self.resize = Resize(self.size, interpolation)
        self.max_attempts = max_attempts

    def crop_box(self, height: int, width: int) -> tuple[int, int, int, int]:
        """(top, left, crop height, crop width), drawn as the class docstring says."""
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(self.max_attempts):
            area = height * width * np.random.uniform(*self.scale)
            aspect = math.exp(np.random.uniform(*log_ratio))
            crop_w = _round(math.sqrt(area * aspect))
            crop_h = _round(crop_w / aspect)
            if 0 < crop_w <= width and 0 < crop_h <= height:
                return (int(np.random.randint(0, height - crop_h + 1)),
                        int(np.random.randint(0, width - crop_w + 1)), crop_h, crop_w)
        crop_h, crop_w = height, width
        if width / height < self.ratio[0]:
            crop_h = max(1, _round(width / self.ratio[0]))
        elif width / height > self.ratio[1]:
            crop_w = max(1, _round(height * self.ratio[1]))
        return _round((height - crop_h) / 2), _round((width - crop_w) / 2), crop_h, crop_w

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        top, left, crop_h, crop_w = self.crop_box(*image.shape[:2])
        return self.resize(image[top:top + crop_h, left:left + crop_w])


class RandomRotation:
    """The image turned anticlockwise by an angle drawn uniformly from ``degrees`` (a
    number ``d`` for ``[-d, d]``, or (min, max)), about ``center`` ((x, y); the image's
    centre ``((W - 1) / 2, (H - 1) / 2)`` by default); with ``expand`` the output grows
    to hold the whole turned image. Pixels come from OpenCV's ``warpAffine`` arithmetic,
    as MindSpore's: coordinates in 10-bit fixed point, ``NEAREST`` rounding them,
    ``BILINEAR`` weighing the four neighbours in 1/32 steps; what falls outside is
    ``fill_value`` (one value, or (R, G, B), which MindSpore 2.10 fills in reverse
    channel order, measured, and so does this)."""

    def __init__(self, degrees: Any, resample: Inter = Inter.NEAREST, expand: bool = False,
                 center: Sequence[float] | None = None, fill_value: Any = 0) -> None:
        if isinstance(degrees, (int, float)):
            if degrees < 0:
                raise ValueError(f"RandomRotation: degrees must be non-negative, not {degrees}")
            degrees = (-degrees, degrees)
        self.degrees = (float(degrees[0]), float(degrees[1]))
        if resample not in (Inter.NEAREST, Inter.LINEAR):
            raise NotImplementedError(f"vision.RandomRotation with {resample}: only "
                                      "Inter.NEAREST and Inter.BILINEAR are written")
        self.resample, self.expand, self.center = resample, expand, center
        self.fill_value = fill_value

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        angle = np.random.uniform(*self.degrees)
        return rotate(image, angle, self.resample, self.expand, self.center, self.fill_value)


def rotate(image: np.ndarray, angle: float, resample: Inter, expand: bool,
           center: Sequence[float] | None, fill_value: Any) -> np.ndarray:
    """``image`` turned by ``angle`` degrees (``RandomRotation`` says how)."""
    h, w = image.shape[:2]
    cx, cy = ((w - 1) / 2, (h - 1) / 2) if center is None else map(float, center)
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    forward = np.array([[cos, sin, (1 - cos) * cx - sin * cy],
                        [-sin, cos, sin * cx + (1 - cos) * cy]])
    out_h, out_w = h, w
    if expand:  # OpenCV's bounding box of the turned rectangle, in float32
        corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2],
                            [-w / 2, h / 2]], np.float32) @ np.array(
            [[cos, -sin], [sin, cos]], np.float32)
        box_w, box_h = (corners.max(axis=0) - corners.min(axis=0)).astype(np.float32)
        forward[0, 2] += box_w / 2 - w / 2
        forward[1, 2] += box_h / 2 - h / 2
        out_w, out_h = int(np.rint(box_w)), int(np.rint(box_h))
    inverse = np.linalg.inv(np.vstack([forward, [0, 0, 1]]))[:2]
    # OpenCV's fixed point: x's part and y's (with the constant) each rounded to 1/1024,
    # then, plus half a step, cut to whole pixels (nearest) or to 1/32 (bilinear)
    shift = 10 if resample is Inter.NEAREST else 5
    ys, xs = np.arange(out_h)[:, None], np.arange(out_w)[None, :]
    x, y = (((np.rint(row[0] * xs * 1024).astype(np.int64)
              + np.rint((row[1] * ys + row[2]) * 1024).astype(np.int64)
              + (1 << (shift - 1))) >> shift) for row in inverse)
    fill = np.asarray(fill_value, np.float64)
    fill = fill[::-1] if fill.ndim else fill  # MindSpore's channel order for a tuple
    pixels = image.astype(np.float64)
    if image.ndim == 2:
        pixels, fill = pixels[..., None], fill.reshape(-1)[:1]
    padded = np.empty((h + 2, w + 2, pixels.shape[2]))
    padded[...] = fill
    padded[1:-1, 1:-1] = pixels

    def at(y: np.ndarray, x: np.ndarray) -> np.ndarray:  # outside: the fill
        return padded[np.clip(y, -1, h) + 1, np.clip(x, -1, w) + 1]

    if resample is Inter.NEAREST:
        out = at(y, x)
    else:
        fx, fy = (x & 31)[..., None], (y & 31)[..., None]
        x, y = x >> 5, y >> 5
        out = ((at(y, x) * (32 - fx) + at(y, x + 1) * fx) * (32 - fy)
               + (at(y + 1, x) * (32 - fx) + at(y + 1, x + 1) * fx) * fy)
        if image.dtype == np.uint8:  # 15-bit weights: (sum + 2**14) >> 15
            out = (out.astype(np.int64) * 32 + (1 << 14)) >> 15
        else:
            out = (out / 1024).astype(np.float32)
    if image.ndim == 2:
        out = out[..., 0]
    if image.dtype == np.uint8:
        return np.clip(out, 0, 255).astype(np.uint8)
    return out.astype(image.dtype)


class RandomErasing:
    """With probability ``prob``, a rectangle of a CHW image (``ToTensor``'s output, as
    MindSpore's takes) set to ``value`` (a number, (R, G, B), or ``"random"`` for
    standard normal noise): area ``scale`` of the image's, aspect ratio ``ratio``, width
    ``round(sqrt(area * ratio))``, height ``round(width / ratio)``, drawn until it fits
    strictly inside, at most ``max_attempts`` times, else the image is left as it is;
    MindSpore 2.10's own steps (its Python source)."""

    def __init__(self, prob: float = 0.5, scale: Sequence[float] = (0.02, 0.33),
                 ratio: Sequence[float] = (0.3, 3.3), value: Any = 0, inplace: bool = False,
                 max_attempts: int = 10) -> None:
        if not 0 <= prob <= 1:
            raise ValueError(f"RandomErasing: prob must be in [0, 1], not {prob}")
        self.prob, self.scale, self.ratio = prob, tuple(scale), tuple(ratio)
        self.value, self.inplace, self.max_attempts = value, inplace, max_attempts

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        if not self.prob > np.random.random():
            return image
        channels, height, width = image.shape
        for _ in range(self.max_attempts):
            area = np.random.uniform(*self.scale) * height * width
            aspect = np.random.uniform(*self.ratio)
            erase_w = round(math.sqrt(area * aspect))  # Python's rounding, as MindSpore's
            erase_h = round(erase_w / aspect)
            if erase_h < height and erase_w < width:
                top = np.random.randint(0, height - erase_h + 1)
                left = np.random.randint(0, width - erase_w + 1)
                if isinstance(self.value, (str, bytes)):
                    value = np.random.normal(size=(channels, erase_h, erase_w))
                else:
                    value = np.asarray(self.value, np.float64)
                    value = value[:, None, None] if value.ndim else value
                out = image if self.inplace else image.copy()
                out[:, top:top + erase_h, left:left + erase_w] = value
                return out
        return image if self.inplace else image.copy()

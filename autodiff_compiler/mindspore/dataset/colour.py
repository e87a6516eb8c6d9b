"""``vision.Grayscale`` and ``vision.RandomColorAdjust``: colour operations on HWC RGB
images, in the arithmetic MindSpore 2.10's kernels (OpenCV's, and Pillow's for
``Grayscale``) use, so that a fixed factor gives MindSpore's pixels (measured; the tests
say which are exact). Random factors come from NumPy's global state, as the other random
operations' (``vision``)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["Grayscale", "RandomColorAdjust", "adjust_colour"]


def _grey_opencv(image: np.ndarray) -> np.ndarray:
    """OpenCV's RGB-to-grey: 14-bit fixed point for uint8, float32 weights otherwise."""
    if image.dtype == np.uint8:
        rgb = image.astype(np.int64)
        return ((rgb[..., 0] * 4899 + rgb[..., 1] * 9617 + rgb[..., 2] * 1868 + 8192)
                >> 14).astype(np.uint8)
    rgb = image.astype(np.float32)
    return (rgb[..., 0] * np.float32(0.299) + rgb[..., 1] * np.float32(0.587)
            + rgb[..., 2] * np.float32(0.114))


def _blend(image: np.ndarray, alpha: float, other: Any) -> np.ndarray:
    """OpenCV's ``addWeighted(image, alpha, other, 1 - alpha, 0)``: ``image * alpha`` in
    float32, then ``other * (1 - alpha)`` added in one rounding (a fused multiply-add),
    rounded half to even and saturated for uint8 (MindSpore's pixels exactly, measured)."""
    first = image.astype(np.float32) * np.float32(alpha)
    total = (np.asarray(other, np.float64) * np.float64(np.float32(1 - alpha))
             + first.astype(np.float64)).astype(np.float32)
    if image.dtype == np.uint8:
        return np.clip(np.rint(total), 0, 255).astype(np.uint8)
    return total.astype(image.dtype)


class Grayscale:
    """The image in grey: Pillow's ``convert("L")`` (``(19595 R + 38470 G + 7471 B +
    2**15) >> 16``), as MindSpore's, which takes only Pillow images. A Pillow image gives
    a Pillow image, as there; an (H, W, 3) array gives (H, W, 1) (what ``ToTensor``
    makes MindSpore's (1, H, W) of), or three equal channels with
    ``num_output_channels=3``."""

    def __init__(self, num_output_channels: int = 1) -> None:
        if num_output_channels not in (1, 3):
            raise ValueError(f"num_output_channels should be either 1 or 3, not "
                             f"{num_output_channels}")
        self.channels = num_output_channels

    def __call__(self, image: Any) -> Any:
        if hasattr(image, "convert") and hasattr(image, "mode"):  # a Pillow image
            grey = image.convert("L")
            return grey if self.channels == 1 else grey.convert("RGB")
        rgb = np.asarray(image)
        if rgb.ndim != 3 or rgb.shape[2] != 3:
            raise ValueError(f"Grayscale: the image should be (H, W, 3) RGB, not {rgb.shape}")
        wide = np.rint(rgb).astype(np.int64) if rgb.dtype != np.uint8 else rgb.astype(np.int64)
        grey = ((wide[..., 0] * 19595 + wide[..., 1] * 38470 + wide[..., 2] * 7471 + 0x8000)
                >> 16).astype(np.uint8)[..., None]
        return np.repeat(grey, self.channels, axis=2)


def _factor_range(name: str, value: Any, centre: float, bound: tuple[float, float]
                  ) -> tuple[float, float]:
    """A factor's range: ``(min, max)``, or one number ``v`` for ``[centre - v, centre +
    v]`` (clipped at the bound below), as MindSpore reads it."""
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError(f"RandomColorAdjust: {name} must be non-negative, not {value}")
        low, high = max(bound[0], centre - value), centre + value
    else:
        low, high = (float(v) for v in value)
    if not bound[0] <= low <= high <= bound[1]:
        raise ValueError(f"RandomColorAdjust: {name} range {value!r} must be ordered and "
                         f"within {bound}")
    return low, high


class RandomColorAdjust:
    """Brightness, contrast, saturation and hue, each by a factor drawn uniformly from its
    range (a fixed factor when the range is one value), applied in a random order, as
    MindSpore 2.10 applies them (measured: on uint8 images the order shows in the
    rounding and clipping between steps, and each of its results is one order's).
    Brightness scales the pixels; contrast blends with the grey image's mean (rounded,
    for uint8); saturation with the grey image; hue turns the colour round the HSV
    circle by ``hue`` of a turn. Brightness and contrast give MindSpore's uint8 pixels
    exactly, saturation all but a few in a thousand (one level off); hue is computed in
    float HSV, within a few levels of MindSpore's (which goes through 8-bit HSV); a
    factor of 1 (hue 0) leaves the image as it is."""

    def __init__(self, brightness: Any = (1, 1), contrast: Any = (1, 1),
                 saturation: Any = (1, 1), hue: Any = (0, 0)) -> None:
        inf = float("inf")
        self.brightness = _factor_range("brightness", brightness, 1, (0, inf))
        self.contrast = _factor_range("contrast", contrast, 1, (0, inf))
        self.saturation = _factor_range("saturation", saturation, 1, (0, inf))
        self.hue = _factor_range("hue", hue, 0, (-0.5, 0.5))

    def __call__(self, image: Any) -> np.ndarray:
        factors = [float(np.random.uniform(low, high)) if low != high else low
                   for low, high in (self.brightness, self.contrast, self.saturation,
                                     self.hue)]
        order = [ADJUSTMENTS[i] for i in np.random.permutation(4)]
        return adjust_colour(image, dict(zip(ADJUSTMENTS, factors)), order)


ADJUSTMENTS = ("brightness", "contrast", "saturation", "hue")


def adjust_colour(image: Any, factors: dict[str, float], order: Sequence[str]) -> np.ndarray:
    """``image`` adjusted by ``factors`` (a factor of 1, hue 0, changes nothing), one
    adjustment after another in ``order`` (``RandomColorAdjust`` draws it)."""
    image = np.asarray(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"RandomColorAdjust: the image should be (H, W, 3) RGB, not "
                         f"{image.shape}")
    for name in order:
        factor = factors.get(name, 0 if name == "hue" else 1)
        if name == "hue":
            image = image if factor == 0 else _turn_hue(image, factor)
        elif factor == 1:
            continue
        elif name == "brightness":
            image = _blend(image, factor, 0)
        elif name == "contrast":
            mean = _grey_opencv(image).mean(dtype=np.float64)
            image = _blend(image, factor, np.rint(mean) if image.dtype == np.uint8 else mean)
        else:
            image = _blend(image, factor, _grey_opencv(image)[..., None])
    return image


def _turn_hue(image: np.ndarray, hue: float) -> np.ndarray:
    """The hue turned by ``hue`` of a full turn, in HSV (float), back to the image's type."""
    rgb = image.astype(np.float64)
    value, low = rgb.max(axis=2), rgb.min(axis=2)
    spread = value - low
    safe = np.where(spread > 0, spread, 1)
    red, green, blue = np.moveaxis(rgb, 2, 0)
    sector = np.where(value == red, (green - blue) / safe,
                      np.where(value == green, 2 + (blue - red) / safe, 4 + (red - green) / safe))
    sector = np.where(spread > 0, sector, 0)
    turned = (sector / 6 + hue) % 1 * 6
    saturation = np.where(value > 0, spread / np.where(value > 0, value, 1), 0)
    i = np.floor(turned).astype(np.int64) % 6
    f = turned - np.floor(turned)
    p, q, t = (value * (1 - saturation), value * (1 - saturation * f),
               value * (1 - saturation * (1 - f)))
    choices = [(value, t, p), (q, value, p), (p, value, t), (p, q, value), (t, p, value),
               (value, p, q)]
    out = np.stack([np.choose(i, [c[k] for c in choices]) for k in range(3)], axis=2)
    if image.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return out.astype(image.dtype)

"""``mindspore.dataset.vision``: the image operations MindSpore's tutorials and training
scripts use, on images laid out height, width, channels (HWC) as the datasets give them
(``resize``, ``augment`` and ``colour`` hold the larger ones; all are exported here)."""
from __future__ import annotations

import enum
from typing import Any

import numpy as np

from .augment import RandomErasing, RandomResizedCrop, RandomRotation
from .colour import Grayscale, RandomColorAdjust
from .imagefiles import decode_image, pillow
from .resize import Inter, Resize

__all__ = ["Decode", "Rescale", "Normalize", "HWC2CHW", "ToTensor", "CenterCrop", "HorizontalFlip",
           "VerticalFlip", "RandomHorizontalFlip", "RandomVerticalFlip", "Inter", "Resize",
           "Border", "Pad", "RandomCrop", "RandomResizedCrop", "RandomRotation", "RandomErasing",
           "Grayscale", "RandomColorAdjust"]


class Decode:
    """Encoded JPEG or PNG bytes (a uint8 array or ``bytes``) to an (H, W, 3) uint8 RGB
    image, by Pillow, an optional dependency (``imagefiles`` says so). ``to_pil`` gives
    a Pillow image instead, as MindSpore's does."""

    def __init__(self, to_pil: bool = False) -> None:
        self.to_pil = to_pil

    def __call__(self, image: Any) -> Any:
        pixels = decode_image(image)
        if self.to_pil:
            return pillow().fromarray(pixels)
        return pixels


class Rescale:
    """``image * rescale + shift``, as float32."""

    def __init__(self, rescale: float, shift: float) -> None:
        self.rescale, self.shift = rescale, shift

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image, dtype=np.float32)
        return image * np.float32(self.rescale) + np.float32(self.shift)


class Normalize:
    """``(image - mean) / std`` per channel (the last axis), as float32."""

    def __init__(self, mean: Any, std: Any, is_hwc: bool = True) -> None:
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)
        self.is_hwc = is_hwc

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image, dtype=np.float32)
        if self.is_hwc:
            return (image - self.mean) / self.std
        return (image - self.mean[:, None, None]) / self.std[:, None, None]


class HWC2CHW:
    """Channels first: (H, W, C) to (C, H, W)."""

    def __call__(self, image: Any) -> np.ndarray:
        return np.ascontiguousarray(np.moveaxis(np.asarray(image), -1, 0))


class ToTensor:
    """HWC to CHW, divided by 255 (whatever the input's dtype), as ``output_type``."""

    def __init__(self, output_type: Any = np.float32) -> None:
        self.output_type = output_type

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        chw = np.moveaxis(image, -1, 0) if image.ndim == 3 else image
        return np.ascontiguousarray(chw.astype(self.output_type) / self.output_type(255))


class CenterCrop:
    """The centre ``size`` (an int for a square, or (height, width)) of an HWC image:
    the offset rounded down; a crop larger than the image pads it with zeros first,
    the larger half of the padding before (MindSpore 2.7.1's, measured)."""

    def __init__(self, size: Any) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        (h, w), (ch, cw) = image.shape[:2], self.size
        pad_h, pad_w = max(ch - h, 0), max(cw - w, 0)
        if pad_h or pad_w:
            widths = [(pad_h - pad_h // 2, pad_h // 2), (pad_w - pad_w // 2, pad_w // 2)]
            image = np.pad(image, widths + [(0, 0)] * (image.ndim - 2))
            h, w = image.shape[:2]
        top, left = (h - ch) // 2, (w - cw) // 2
        return np.ascontiguousarray(image[top:top + ch, left:left + cw])


class HorizontalFlip:
    """The image mirrored left to right."""

    def __call__(self, image: Any) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(image)[:, ::-1])


class VerticalFlip:
    """The image mirrored top to bottom."""

    def __call__(self, image: Any) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(image)[::-1])


class RandomHorizontalFlip:
    """``HorizontalFlip`` with probability ``prob``, drawn from NumPy's global state
    (``dataset.config.set_seed`` seeds it; MindSpore's own generator gives other
    draws)."""

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def __call__(self, image: Any) -> np.ndarray:
        return HorizontalFlip()(image) if np.random.random() < self.prob else np.asarray(image)


class RandomVerticalFlip:
    """``VerticalFlip`` with probability ``prob``, as ``RandomHorizontalFlip``."""

    def __init__(self, prob: float = 0.5) -> None:
        self.prob = prob

    def __call__(self, image: Any) -> np.ndarray:
        return VerticalFlip()(image) if np.random.random() < self.prob else np.asarray(image)


class Border(enum.Enum):
    """How ``Pad`` fills: with a constant, the edge pixel, or the image mirrored
    without or with its edge."""

    CONSTANT = "constant"
    EDGE = "edge"
    REFLECT = "reflect"
    SYMMETRIC = "symmetric"


class Pad:
    """The image padded on its sides: ``padding`` one int for all four, two for
    (left and right, top and bottom), or four for (left, top, right, bottom)."""

    def __init__(self, padding: Any, fill_value: Any = 0,
                 padding_mode: Border = Border.CONSTANT) -> None:
        sides = [padding] * 4 if isinstance(padding, int) else list(padding)
        if len(sides) == 2:
            sides = sides * 2
        if len(sides) != 4:
            raise ValueError(f"padding must be an int or a sequence of 2 or 4, not {padding!r}")
        self.left, self.top, self.right, self.bottom = sides
        self.fill_value, self.padding_mode = fill_value, padding_mode

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        widths = [(self.top, self.bottom), (self.left, self.right)]
        widths += [(0, 0)] * (image.ndim - 2)
        if self.padding_mode is Border.CONSTANT:
            fill = np.asarray(self.fill_value)
            if fill.ndim == 0:
                return np.pad(image, widths, constant_values=fill.astype(image.dtype))
            padded = np.pad(image, widths)  # one value per channel
            inside = np.zeros(padded.shape[:2], bool)
            inside[self.top:self.top + image.shape[0], self.left:self.left + image.shape[1]] = 1
            return np.where(inside[..., None], padded, fill.astype(image.dtype))
        return np.pad(image, widths, mode=self.padding_mode.value)


class RandomCrop:
    """A ``size`` crop (an int for a square, or (height, width)) at an offset drawn
    uniformly from NumPy's global state (as ``RandomHorizontalFlip``), after
    ``padding`` (as ``Pad``'s). An image still smaller than the crop is refused, or,
    with ``pad_if_needed``, padded on both sides by the difference first (MindSpore's
    kernel's)."""

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False,
                 fill_value: Any = 0, padding_mode: Border = Border.CONSTANT) -> None:
        self.size = (size, size) if isinstance(size, int) else tuple(size)
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill_value, self.padding_mode = fill_value, padding_mode

    def __call__(self, image: Any) -> np.ndarray:
        image = np.asarray(image)
        if self.padding is not None:
            image = Pad(self.padding, self.fill_value, self.padding_mode)(image)
        (h, w), (ch, cw) = image.shape[:2], self.size
        if ch > h or cw > w:
            if not self.pad_if_needed:
                raise ValueError(f"RandomCrop: the crop size {self.size} is greater than the "
                                 f"image's {(h, w)}; pass pad_if_needed=True to pad it")
            dh, dw = max(ch - h, 0), max(cw - w, 0)
            image = Pad((dw, dh, dw, dh), self.fill_value, self.padding_mode)(image)
            h, w = image.shape[:2]
        top, left = np.random.randint(0, h - ch + 1), np.random.randint(0, w - cw + 1)
        return np.ascontiguousarray(image[top:top + ch, left:left + cw])

"""``mindspore.dataset.vision``: the image operations MindSpore's tutorials use, on
images laid out height, width, channels (HWC) as the datasets give them."""
from __future__ import annotations

from typing import Any

import numpy as np


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

"""``mindspore.dataset.transforms``: operations ``map`` applies to a column."""
from __future__ import annotations

from typing import Any

import numpy as np


class TypeCast:
    """Cast a column to ``data_type``."""

    def __init__(self, data_type: Any) -> None:
        self.dtype = np.dtype(data_type)

    def __call__(self, value: Any) -> np.ndarray:
        return np.asarray(value).astype(self.dtype)


class Compose:
    """Several operations in order."""

    def __init__(self, transforms: list[Any]) -> None:
        self.transforms = list(transforms)

    def __call__(self, value: Any) -> Any:
        for t in self.transforms:
            value = t(value)
        return value


class OneHot:
    """Class indices to one-hot rows of ``num_classes``."""

    def __init__(self, num_classes: int) -> None:
        self.num_classes = num_classes

    def __call__(self, value: Any) -> np.ndarray:
        value = np.asarray(value)
        return (np.arange(self.num_classes) == value[..., None]).astype(value.dtype)

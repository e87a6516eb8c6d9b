"""``mindspore.dataset.transforms``: operations ``map`` applies to a column."""
from __future__ import annotations

import enum
import operator
from typing import Any

import numpy as np

from .iterators import fit_strings


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


class Relational(enum.Enum):
    """The comparisons ``Mask`` makes."""

    EQ = operator.eq
    NE = operator.ne
    GT = operator.gt
    GE = operator.ge
    LT = operator.lt
    LE = operator.le


class PadEnd:
    """The value padded at the end of each axis (with ``pad_value``) or cut, to
    ``pad_shape``; strings are padded with '' by default and widened to fit the pad
    (MindSpore 2.10's, measured)."""

    def __init__(self, pad_shape: Any, pad_value: Any = None) -> None:
        self.pad_shape, self.pad_value = list(pad_shape), pad_value

    def __call__(self, value: Any) -> np.ndarray:
        value = np.asarray(value)
        if len(self.pad_shape) != value.ndim:
            raise ValueError(f"PadEnd: pad_shape {self.pad_shape} must have the rank of the "
                             f"input, {value.ndim}")
        cut = value[tuple(slice(0, n) for n in self.pad_shape)]
        widths = [(0, n - d) for n, d in zip(self.pad_shape, cut.shape)]
        if value.dtype.kind in "US":
            fill = np.asarray("" if self.pad_value is None else self.pad_value)
            if value.dtype.kind == "S" and fill.dtype.kind == "U":
                fill = np.char.encode(fill, "utf8")
            padded = np.pad(cut.astype(np.result_type(cut, fill)), widths,
                            constant_values=fill)
            return fit_strings(padded)
        fill = 0 if self.pad_value is None else self.pad_value
        return np.pad(cut, widths, constant_values=np.asarray(fill).astype(value.dtype))


class Slice:
    """The value sliced along its first axes: each of ``slices`` an int, a list of
    indices, a ``slice``, ``None`` or ``Ellipsis`` (all of that axis)."""

    def __init__(self, *slices: Any) -> None:
        self.slices = slices

    def __call__(self, value: Any) -> np.ndarray:
        value = np.asarray(value)
        out = value
        for axis, part in enumerate(self.slices):
            if part is None or part is Ellipsis:
                continue
            index = [part] if isinstance(part, int) else part
            out = out[(slice(None),) * axis + (index,)] if isinstance(index, slice) else \
                np.take(out, index, axis=axis)
        return out


class Fill:
    """The value's shape filled with ``fill_value``, in the value's dtype."""

    def __init__(self, fill_value: Any) -> None:
        self.fill_value = fill_value

    def __call__(self, value: Any) -> np.ndarray:
        value = np.asarray(value)
        return np.full(value.shape, self.fill_value).astype(value.dtype)


class Mask:
    """Where the value compares with ``constant`` by ``operator``, as ``dtype`` (bool
    unless given)."""

    def __init__(self, operator: Relational, constant: Any, dtype: Any = np.bool_) -> None:
        self.compare, self.constant, self.dtype = operator, constant, np.dtype(dtype)

    def __call__(self, value: Any) -> np.ndarray:
        return self.compare.value(np.asarray(value), self.constant).astype(self.dtype)


class Concatenate:
    """``prepend``, the value and ``append`` joined along ``axis``."""

    def __init__(self, axis: int = 0, prepend: Any = None, append: Any = None) -> None:
        self.axis, self.prepend, self.append = axis, prepend, append

    def __call__(self, value: Any) -> np.ndarray:
        parts = [p for p in (self.prepend, value, self.append) if p is not None]
        return np.concatenate([np.asarray(p) for p in parts], axis=self.axis)


class Duplicate:
    """The value twice: two columns (``map``'s ``output_columns`` names them)."""

    def __call__(self, value: Any) -> tuple[np.ndarray, np.ndarray]:
        value = np.asarray(value)
        return value, value.copy()


class Unique:
    """The flattened value's distinct entries in order of first appearance, each
    entry's index among them, and how often each appears: three columns."""

    def __call__(self, value: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        flat = np.ravel(value)
        _, first, inverse, counts = np.unique(flat, return_index=True, return_inverse=True,
                                              return_counts=True)
        order = np.argsort(first, kind="stable")  # sorted entries back to appearance order
        rank = np.empty_like(order)
        rank[order] = np.arange(order.size)
        return (flat[first[order]], rank[np.ravel(inverse)].astype(np.int32),
                counts[order].astype(np.int32))


class RandomApply:
    """``transforms`` in order with probability ``prob``, drawn from NumPy's global
    state, as the random vision operations are."""

    def __init__(self, transforms: list[Any], prob: float = 0.5) -> None:
        self.transforms, self.prob = Compose(transforms), prob

    def __call__(self, value: Any) -> Any:
        return self.transforms(value) if np.random.random() < self.prob else value


class RandomChoice:
    """One of ``transforms``, drawn uniformly from NumPy's global state."""

    def __init__(self, transforms: list[Any]) -> None:
        self.transforms = list(transforms)

    def __call__(self, value: Any) -> Any:
        return self.transforms[np.random.randint(len(self.transforms))](value)

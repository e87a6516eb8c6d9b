"""Batching: ``batch`` and ``padded_batch``.

``padded_batch(batch_size, drop_remainder, pad_info=...)`` pads the rows of a batch to
one shape before stacking them, as MindSpore 2.10 does (measured):

- ``pad_info=None``: no padding (``batch``, which refuses rows of different shapes);
- ``pad_info={}``: every column padded to the batch's largest shape, with 0;
- ``pad_info={"col": (shape, value)}``: only the columns named, each padded at the end of
  every axis to ``shape`` (a list; ``None`` in it, or as the whole shape, means the
  batch's largest along that axis) with ``value`` (``None``: 0; cast to the column's
  dtype, so 1.5 pads an int32 column with 1). A row longer than a fixed size is cut to
  it. The other columns are batched as they are.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .engine import Dataset, Row, _Step

Pad = tuple[list[int | None] | None, Any]


def check_batch_size(batch_size: Any, name: str) -> int:
    if callable(batch_size):
        raise TypeError(f"{name}: a batch_size computed per batch (a callable) is not "
                        "supported; give an int")
    if batch_size < 1:
        raise ValueError(f"{name}: batch_size must be at least 1, not {batch_size}")
    return int(batch_size)


def check_pad_info(pad_info: Any, dataset: Dataset) -> dict[int, Pad]:
    """``pad_info`` by column index, checked as MindSpore checks it (a dict of column
    name to a 2-tuple of a list shape, or None, and a value)."""
    if pad_info is None:
        return {}
    if not isinstance(pad_info, dict):
        raise TypeError(f"padded_batch: pad_info must be a dict, not {type(pad_info).__name__}")
    if not pad_info:
        return {i: (None, 0) for i in range(len(dataset.column_names))}
    pads = {}
    for name, entry in pad_info.items():
        if not isinstance(name, str) or not isinstance(entry, tuple):
            raise TypeError("padded_batch: pad_info maps column names to (shape, value) "
                            f"tuples, not {name!r}: {entry!r}")
        if len(entry) != 2:
            raise ValueError(f"padded_batch: pad_info['{name}'] must be (shape, value), not "
                             f"{entry!r}")
        shape, value = entry
        if shape is not None and not isinstance(shape, list):
            raise TypeError(f"padded_batch: the shape of pad_info['{name}'] must be a list "
                            f"(or None), not {type(shape).__name__}")
        if any(d is not None and d < 1 for d in shape or ()):
            raise ValueError(f"padded_batch: the sizes of pad_info['{name}'] must be "
                             f"positive (or None), not {shape}")
        pads[dataset._index(name)] = (shape, 0 if value is None else value)
    return pads


def padded(values: list[Any], pad: Pad, column: str) -> list[np.ndarray]:
    """The rows of one column of a batch, padded to one shape (``pad``'s, its ``None``
    sizes the largest of the rows) and cut to its fixed sizes."""
    arrays = [np.asarray(v) for v in values]
    shape, value = pad
    rank = arrays[0].ndim
    if any(a.ndim != rank for a in arrays):
        raise ValueError(f"padded_batch: the rows of column '{column}' have different ranks")
    if shape is not None and len(shape) != rank:
        raise ValueError(f"padded_batch: pad_info['{column}'] has {len(shape)} sizes, but "
                         f"the column's rows have {rank} axes")
    sizes = [max(a.shape[k] for a in arrays) if shape is None or shape[k] is None
             else shape[k] for k in range(rank)]
    out = []
    for a in arrays:
        if isinstance(value, str) != (a.dtype.kind in "US"):
            raise ValueError(f"padded_batch: column '{column}' of {a.dtype} cannot be "
                             f"padded with {value!r}")
        full = np.full(sizes, value).astype(a.dtype)
        cut = a[tuple(slice(0, s) for s in sizes)]
        full[tuple(slice(0, s) for s in cut.shape)] = cut
        out.append(full)
    return out


class BatchInfo:
    """What ``per_batch_map`` is told of the batch it maps: its number in the epoch and
    the epoch's (from 0, as MindSpore counts them)."""

    def __init__(self, batch_num: int, epoch_num: int = 0) -> None:
        self._batch_num, self._epoch_num = batch_num, epoch_num

    def get_batch_num(self) -> int:
        return self._batch_num

    def get_epoch_num(self) -> int:
        return self._epoch_num


class Batch(_Step):
    """``batch`` and ``padded_batch``: rows stacked ``batch_size`` at a time."""

    def __init__(self, parent: Dataset, batch_size: int, drop_remainder: bool) -> None:
        super().__init__(parent)
        self.batch_size, self.drop_remainder = batch_size, drop_remainder
        # per_batch_map and the columns it takes: their lists of values go through it
        # (with a BatchInfo) before they are stacked
        self.mapped: tuple[Callable[..., Any], list[int]] | None = None
        # padded_batch: the columns to pad, by index, and their (shape, value)
        self.pads: dict[int, Pad] = {}

    def get_batch_size(self) -> int:
        return self.batch_size

    def size(self) -> int | None:
        n = self.parent.size()
        if n is None:
            return None
        return n // self.batch_size if self.drop_remainder else -(-n // self.batch_size)

    def rows(self) -> Iterator[Row]:
        pending: list[Row] = []
        made = 0
        for row in self.parent.rows():
            pending.append(row)
            if len(pending) == self.batch_size:
                yield self._stack(pending, made)
                pending, made = [], made + 1
        if pending and not self.drop_remainder:
            yield self._stack(pending, made)

    def _stack(self, rows: list[Row], number: int) -> Row:
        columns = [list(column) for column in zip(*rows)]
        if self.mapped is not None:
            fn, picks = self.mapped
            out = fn(*(columns[i] for i in picks), BatchInfo(number))
            out = out if isinstance(out, tuple) else (out,)
            if len(out) != len(picks):
                raise ValueError(f"batch: per_batch_map returned {len(out)} columns for "
                                 f"{len(picks)}")
            for i, values in zip(picks, out):
                columns[i] = values
        for i, pad in self.pads.items():
            columns[i] = padded(columns[i], pad, self.column_names[i])
        try:
            return tuple(np.stack([np.asarray(v) for v in column]) for column in columns)
        except ValueError as err:
            raise ValueError(f"batch: rows of different shapes cannot be stacked ({err}); "
                             "pad them (padded_batch) or map them to one shape first"
                             ) from None

"""``bucket_batch_by_length``: rows batched with rows of about their length, as
MindSpore 2.10 batches them (measured).

A row's length is ``element_length_function(*columns)`` of ``column_names`` (without
one: the length of the one column named, its first axis, 0 for a scalar). It goes to
bucket ``i`` where ``bucket_boundaries[i-1] <= length < bucket_boundaries[i]``; a
bucket holding ``bucket_batch_sizes[i]`` rows is batched there and then, and at the end
of the epoch what is left is batched bucket by bucket, in bucket order (not with
``drop_remainder``). With ``pad_info`` every column is padded to one shape per batch:
those it names to its ``(shape, value)`` (``None`` sizes: the batch's largest, or one
less than the bucket's boundary with ``pad_to_bucket_boundary``), the others to the
batch's largest with 0; without it the rows must have one shape.
"""
from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .batching import check_pad_info, padded
from .engine import Dataset, Row, _Step


class BucketBatch(_Step):
    def __init__(self, parent: Dataset, column_names: Any, bucket_boundaries: list,
                 bucket_batch_sizes: list, element_length_function: Callable | None,
                 pad_info: dict | None, pad_to_bucket_boundary: bool,
                 drop_remainder: bool) -> None:
        super().__init__(parent)
        if not isinstance(column_names, list):
            raise TypeError(f"Argument column_names with value {column_names} is not of type "
                            f"[<class 'list'>], but got {type(column_names)}.")
        if not isinstance(bucket_boundaries, list) or any(
                not isinstance(b, int) or isinstance(b, bool) for b in bucket_boundaries):
            raise TypeError("bucket_boundaries should be a list of int.")
        names = column_names
        if not bucket_boundaries or any(b <= 0 for b in bucket_boundaries) or any(
                b >= c for b, c in itertools.pairwise(bucket_boundaries)):
            raise ValueError("bucket_batch_by_length: bucket_boundaries must be positive and "
                             f"strictly increasing, not {bucket_boundaries}")
        if len(bucket_batch_sizes) != len(bucket_boundaries) + 1 or any(
                b <= 0 for b in bucket_batch_sizes):
            raise ValueError("bucket_batch_by_length: bucket_batch_sizes must be "
                             "len(bucket_boundaries) + 1 positive sizes")
        if element_length_function is None and len(names) != 1:
            raise ValueError("bucket_batch_by_length: without element_length_function, "
                             "column_names must name one column")
        self.picks = [parent._index(c) for c in names]
        self.boundaries, self.sizes = list(bucket_boundaries), list(bucket_batch_sizes)
        self.length = element_length_function
        # the columns pad_info names, and the others (to the batch's largest, with 0)
        self.named = check_pad_info(pad_info, parent) if pad_info else {}
        self.pads = None if pad_info is None else {
            **{i: (None, 0) for i in range(len(parent.column_names))}, **self.named}
        self.to_boundary, self.drop_remainder = pad_to_bucket_boundary, drop_remainder

    def get_batch_size(self) -> int:
        return -1  # (varies by bucket)

    def _length_of(self, row: Row) -> int:
        if self.length is not None:
            return int(self.length(*(row[i] for i in self.picks)))
        column = np.asarray(row[self.picks[0]])
        return 0 if column.ndim == 0 else column.shape[0]

    def rows(self) -> Iterator[Row]:
        buckets: list[list[Row]] = [[] for _ in self.sizes]
        for row in self.parent.rows():
            i = bisect.bisect_right(self.boundaries, self._length_of(row))
            buckets[i].append(row)
            if len(buckets[i]) == self.sizes[i]:
                yield self._batch(buckets[i], i)
                buckets[i] = []
        for i, rest in enumerate(buckets):
            if rest and not self.drop_remainder:
                yield self._batch(rest, i)

    def _batch(self, rows: list[Row], bucket: int) -> Row:
        columns = [list(column) for column in zip(*rows)]
        for i, (shape, value) in (self.pads or {}).items():
            if self.to_boundary and i in self.named and (shape is None or None in shape):
                if bucket == len(self.boundaries):
                    raise ValueError("bucket_batch_by_length: pad_to_bucket_boundary, but a "
                                     "row's length falls in the last bucket")
                rank = np.ndim(columns[i][0])
                shape = [self.boundaries[bucket] - 1 if shape is None or shape[k] is None
                         else shape[k] for k in range(rank)]
            columns[i] = padded(columns[i], (shape, value), self.column_names[i])
        try:
            return tuple(np.stack([np.asarray(v) for v in column]) for column in columns)
        except ValueError as err:
            raise ValueError(f"bucket_batch_by_length: rows of different shapes cannot be "
                             f"stacked ({err}); give pad_info to pad them") from None

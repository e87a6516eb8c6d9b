"""Datasets made of others: ``zip`` puts their columns side by side, row by row, as long
as the shortest (column names must not repeat); ``concat`` (``+``) reads one after the
other (the same columns). As MindSpore 2.7.1 does (measured). ``split``'s parts
(``Picked``) each read their share of one dataset's rows."""
from __future__ import annotations

import builtins
from collections.abc import Iterator, Sequence

from .engine import Dataset, Row, _Step


class ZipDataset(Dataset):
    def __init__(self, datasets: Sequence[Dataset]) -> None:
        names = [name for d in datasets for name in d.column_names]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"zip: the datasets share the column names {repeated}; "
                             "rename them first")
        super().__init__(names)
        self.datasets = list(datasets)

    def size(self) -> int | None:
        sizes = [d.size() for d in self.datasets]
        known = [n for n in sizes if n is not None]
        return min(known) if known else None

    def get_batch_size(self) -> int:
        return self.datasets[0].get_batch_size()

    def rows(self) -> Iterator[Row]:
        for parts in builtins.zip(*(d.rows() for d in self.datasets)):
            yield tuple(value for part in parts for value in part)


class ConcatDataset(Dataset):
    def __init__(self, datasets: Sequence[Dataset]) -> None:
        names = datasets[0].column_names
        if any(d.column_names != names for d in datasets):
            raise ValueError("concat: the datasets must have the same columns, in order")
        super().__init__(names)
        self.datasets = list(datasets)

    def size(self) -> int | None:
        sizes = [d.size() for d in self.datasets]
        return None if None in sizes else sum(sizes)

    def get_batch_size(self) -> int:
        return self.datasets[0].get_batch_size()

    def rows(self) -> Iterator[Row]:
        for d in self.datasets:
            yield from d.rows()


def zip(datasets: Sequence[Dataset]) -> Dataset:  # noqa: A001 (MindSpore's name)
    """``mindspore.dataset.zip((d1, d2, ...))``."""
    return ZipDataset(list(datasets))


def split_counts(sizes: list, n: int) -> list[int]:
    """How many rows each split gets (MindSpore's rules for fractions)."""
    if not sizes:
        raise ValueError("split: sizes must not be empty")
    if all(isinstance(s, int) and not isinstance(s, bool) for s in sizes):
        if any(s < 1 for s in sizes) or sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} must be positive and add up to the "
                             f"dataset's {n} rows")
        return sizes
    if not all(isinstance(s, float) and 0 < s <= 1 for s in sizes) \
            or abs(sum(sizes) - 1) > 1e-6:
        raise ValueError(f"split: sizes {sizes} must be all ints adding up to {n}, or all "
                         "floats in (0, 1] adding up to 1")
    counts = [round(s * n) for s in sizes]
    counts[0] += n - sum(counts)  # what rounding left over (or took too many) is the first's
    if any(c < 1 for c in counts):
        raise ValueError(f"split: sizes {sizes} of {n} rows leave a split empty")
    return counts


class Picked(_Step):
    """The rows of ``parent`` at ``indices``, in that order (a split's share)."""

    def __init__(self, parent: Dataset, indices: list[int]) -> None:
        super().__init__(parent)
        self.indices = indices

    def size(self) -> int | None:
        return len(self.indices)

    def rows(self) -> Iterator[Row]:
        rows = list(self.parent.rows())
        for i in self.indices:
            yield rows[i]

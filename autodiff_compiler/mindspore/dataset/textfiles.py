"""Rows read from text files: ``TextFileDataset`` (a line a row) and ``CSVDataset`` (a
record a row).

Both read their files in MindSpore's order, because a training script's results depend
on it and MindSpore's is not the obvious one (all measured on MindSpore 2.10): the files
are sorted by name; a shard is the ``ceil(rows / num_shards)`` rows from row
``shard_id * ceil(...)`` of the files one after another, wrapping past the end; and the
rows are then dealt out the way MindSpore's parallel readers produce them: the shard's
pieces of files go to ``num_parallel_workers`` readers in turn (piece ``i`` to reader
``i % workers``), and the readers take turns, one row each, until each has run out. So
one worker reads the files one after another, and MindSpore's default number of
workers (8, or the machine's cores if fewer) interleaves them; both are reproduced
here, though everything still runs in this process.
Shuffling (``Shuffle.GLOBAL``, the default, or ``True``: the files' order and the
rows; ``Shuffle.FILES``: the files' order; ``Shuffle.INFILE``: rows within each file)
draws from NumPy's global state, not MindSpore's generator.
"""
from __future__ import annotations

import csv
import enum
import glob
import math
import os
import re
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .engine import Dataset, Row


class Shuffle(enum.Enum):
    """What a file-based dataset shuffles: everything, the files' order, or rows within
    each file."""

    GLOBAL = "global"
    FILES = "files"
    INFILE = "infile"


def default_workers() -> int:
    """MindSpore's default number of parallel workers: 8, or the cores if fewer."""
    return max(1, min(8, os.cpu_count() or 1))


class _FileRows(Dataset):
    """Rows of several files, in MindSpore's order (the module docstring says which)."""

    KIND = "file"

    def __init__(self, names: Sequence[str], files: list[str], num_samples: int | None,
                 num_parallel_workers: int | None, shuffle: Any, num_shards: int | None,
                 shard_id: int | None) -> None:
        super().__init__(names)
        if (num_shards is None) != (shard_id is None):
            raise ValueError("num_shards and shard_id go together")
        if num_shards is not None and not 0 <= shard_id < num_shards:
            raise ValueError(f"shard_id must be in [0, {num_shards}), not {shard_id}")
        self.files, self.num_samples = files, num_samples
        self.workers = num_parallel_workers or default_workers()
        self.shuffle = Shuffle.GLOBAL if shuffle is True or shuffle is None else \
            None if shuffle is False else Shuffle(shuffle)
        self.num_shards, self.shard_id = num_shards, shard_id
        self._contents: dict[str, list[Row]] = {}

    def read(self, path: str) -> list[Row]:
        """One file's rows."""
        raise NotImplementedError

    def _rows_of(self, path: str) -> list[Row]:
        if path not in self._contents:
            self._contents[path] = self.read(path)
        return self._contents[path]

    def _pieces(self, files: list[str]) -> list[list[Row]]:
        """The shard's rows, as runs of consecutive rows of one file each."""
        contents = [self._rows_of(f) for f in files]
        if self.num_shards is None:
            return [rows for rows in contents if rows]
        total = sum(len(rows) for rows in contents)
        if total == 0:
            return []
        per = math.ceil(total / self.num_shards)
        where = [(k, i) for k, rows in enumerate(contents) for i in range(len(rows))]
        pieces: list[list[Row]] = []
        last = None
        for position in range(self.shard_id * per, (self.shard_id + 1) * per):
            k, i = where[position % total]
            if k != last or i == 0:
                pieces.append([])
            pieces[-1].append(contents[k][i])
            last = k
        return pieces

    def size(self) -> int:
        count = sum(len(piece) for piece in self._pieces(self.files))
        return min(count, self.num_samples) if self.num_samples else count

    def rows(self) -> Iterator[Row]:
        files = list(self.files)
        if self.shuffle in (Shuffle.GLOBAL, Shuffle.FILES):
            files = [files[i] for i in np.random.permutation(len(files))]
        pieces = self._pieces(files)
        if self.shuffle is Shuffle.INFILE:
            pieces = [[piece[i] for i in np.random.permutation(len(piece))] for piece in pieces]
        readers = [[row for piece in pieces[w::self.workers] for row in piece]
                   for w in range(self.workers)]
        ordered = [reader[i] for i in range(max(map(len, readers), default=0))
                   for reader in readers if i < len(reader)]
        if self.shuffle is Shuffle.GLOBAL:
            ordered = [ordered[i] for i in np.random.permutation(len(ordered))]
        yield from ordered[:self.num_samples] if self.num_samples else ordered


def _file_list(name: str, dataset_files: str | Sequence[str]) -> list[str]:
    """The files named or matched by glob patterns, sorted as MindSpore sorts them."""
    patterns = [dataset_files] if isinstance(dataset_files, str) else list(dataset_files)
    files = []
    for pattern in patterns:
        matched = glob.glob(pattern) if glob.has_magic(pattern) else [pattern]
        for path in matched:
            if not os.path.isfile(path):
                raise ValueError(f"{name}: {path} does not exist or is not a file")
            files.append(path)
    if not files:
        raise ValueError(f"{name}: no files match {dataset_files!r}")
    return sorted(files)


class TextFileDataset(_FileRows):
    """Each non-empty line of the files a row: one column ``text``, a string (a line's
    spaces are kept; empty lines are skipped, as MindSpore 2.10 does, measured)."""

    def __init__(self, dataset_files: str | Sequence[str], num_samples: int | None = None,
                 num_parallel_workers: int | None = None, shuffle: Any = Shuffle.GLOBAL,
                 num_shards: int | None = None, shard_id: int | None = None,
                 cache: Any = None) -> None:
        super().__init__(["text"], _file_list("TextFileDataset", dataset_files), num_samples,
                         num_parallel_workers, shuffle, num_shards, shard_id)

    def read(self, path: str) -> list[Row]:
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().split("\n")
        return [(np.array(line),) for line in lines if line]


class CSVDataset(_FileRows):
    """Each record of CSV files a row, a column per field. Without ``column_names`` each
    file's first line is a header, the first file's naming the columns. A column whose
    ``column_defaults`` entry is an int is int32, a float float32, otherwise (and past
    the end of ``column_defaults``) a string; as MindSpore 2.10 does (measured), a
    numeric field is read as C's ``stoi``/``stof`` read it (``"1.5"`` as the int 1) and
    an empty or non-numeric one is an error, not the default; every record must have a
    field per column."""

    def __init__(self, dataset_files: str | Sequence[str], field_delim: str = ",",
                 column_defaults: Sequence[Any] | None = None,
                 column_names: Sequence[str] | None = None, num_samples: int | None = None,
                 num_parallel_workers: int | None = None, shuffle: Any = Shuffle.GLOBAL,
                 num_shards: int | None = None, shard_id: int | None = None,
                 cache: Any = None) -> None:
        files = _file_list("CSVDataset", dataset_files)
        self.delim, self.header = field_delim, column_names is None
        if column_names is None:
            with open(files[0], encoding="utf-8", newline="") as f:
                column_names = next(csv.reader(f, delimiter=field_delim), [])
        self.kinds = [type(v) if isinstance(v, (int, float)) and not isinstance(v, bool)
                      else str for v in (column_defaults or [])]
        self.kinds += [str] * (len(column_names) - len(self.kinds))
        super().__init__(list(column_names), files, num_samples, num_parallel_workers,
                         shuffle, num_shards, shard_id)

    def read(self, path: str) -> list[Row]:
        with open(path, encoding="utf-8", newline="") as f:
            records = list(csv.reader(f, delimiter=self.delim))
        rows = []
        for line, record in enumerate(records, 1):
            if not record or (self.header and line == 1):
                continue
            if len(record) != len(self.column_names):
                raise ValueError(f"CSVDataset: {path} line {line} has {len(record)} fields, "
                                 f"not one per column ({len(self.column_names)})")
            rows.append(tuple(_field(value, kind, path, line)
                              for value, kind in zip(record, self.kinds)))
        return rows


_NUMBER = {int: (re.compile(r"\s*[+-]?\d+"), np.int32),
           float: (re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"), np.float32)}


def _field(value: str, kind: type, path: str, line: int) -> np.ndarray:
    """A field as its column's type: numbers from their leading digits, as ``stoi`` and
    ``stof`` read them."""
    if kind is str:
        return np.array(value)
    pattern, dtype = _NUMBER[kind]
    match = pattern.match(value)
    if match is None:
        raise ValueError(f"CSVDataset: {path} line {line}: {value!r} is not a "
                         f"{kind.__name__}, the type of its column's default")
    return np.array(kind(match.group()), dtype)

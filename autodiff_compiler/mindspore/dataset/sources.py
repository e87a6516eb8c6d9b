"""Where a dataset's rows come from: NumPy arrays, Python generators and sources, the
MNIST, Fashion-MNIST, CIFAR-10 and CIFAR-100 files (the package docstring says how each
behaves; ``textfiles`` and ``imagefiles`` read text and image files)."""
from __future__ import annotations

import inspect
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .engine import Dataset, Row, as_column, as_names, as_row
from .samplers import sampler_of


class NumpySlicesDataset(Dataset):
    """Rows sliced along the first axis of arrays: a tuple of columns, a dict by column
    name, or one array or list (the column ``column_0``, a list's items its rows)."""

    def __init__(self, data: Any, column_names: Sequence[str] | None = None,
                 num_samples: int | None = None, num_parallel_workers: int = 1,
                 shuffle: bool | None = None, sampler: Any = None, num_shards: int | None = None,
                 shard_id: int | None = None) -> None:
        if isinstance(data, dict):
            names, columns = list(data), [np.asarray(v) for v in data.values()]
        elif isinstance(data, tuple):
            names, columns = None, [np.asarray(c) for c in data]
        else:  # a list is one column, its items the rows (which may differ in shape)
            names, columns = None, [as_column(data)]
        names = list(column_names) if column_names is not None else \
            names or [f"column_{i}" for i in range(len(columns))]
        if len(names) != len(columns):
            raise ValueError(f"NumpySlicesDataset: {len(columns)} columns but "
                             f"{len(names)} column names")
        lengths = {len(c) for c in columns}
        if len(lengths) != 1:
            raise ValueError(f"NumpySlicesDataset: columns of different lengths {sorted(lengths)}")
        super().__init__(names)
        self.columns, self.length = columns, lengths.pop()
        self.sampler = sampler_of(sampler, shuffle, num_shards, shard_id, num_samples)

    def size(self) -> int:
        return self.sampler.count(self.length)

    def rows(self) -> Iterator[Row]:
        for i in self.sampler.indices(self.length):
            yield tuple(c[i] for c in self.columns)


class GeneratorDataset(Dataset):
    """Rows from Python: a generator function, an iterable, or a random-access source
    (``__getitem__`` and ``__len__``; shuffled by default)."""

    def __init__(self, source: Any, column_names: Sequence[str] | str | None = None,
                 column_types: Any = None, schema: Any = None, num_samples: int | None = None,
                 num_parallel_workers: int = 1, shuffle: bool | None = None, sampler: Any = None,
                 num_shards: int | None = None, shard_id: int | None = None,
                 python_multiprocessing: bool = True, max_rowsize: Any = None,
                 **kwargs: Any) -> None:
        if column_names is None:
            raise ValueError("GeneratorDataset needs column_names")
        super().__init__(as_names(column_names))
        self.source, self.num_samples = source, num_samples
        self.random_access = hasattr(source, "__getitem__") and hasattr(source, "__len__")
        if (shuffle or sampler is not None or num_shards is not None) \
                and not self.random_access:
            raise ValueError("GeneratorDataset can shuffle, sample or shard only a "
                             "random-access source (one with __getitem__ and __len__); "
                             "call .shuffle() instead")
        self.sampler = sampler_of(sampler, shuffle, num_shards, shard_id, num_samples) \
            if self.random_access else None

    def size(self) -> int | None:
        return self.sampler.count(len(self.source)) if self.random_access else None

    def rows(self) -> Iterator[Row]:
        if self.random_access:
            for i in self.sampler.indices(len(self.source)):
                yield as_row(self.source[int(i)])
            return
        items = self.source() if inspect.isgeneratorfunction(self.source) or (
            callable(self.source) and not hasattr(self.source, "__iter__")) else self.source
        for n, item in enumerate(items):
            if self.num_samples and n >= self.num_samples:
                return
            yield as_row(item)


class MnistDataset(Dataset):
    """The MNIST files (``train-images-idx3-ubyte``...) read from ``dataset_dir``:
    columns ``image`` (28, 28, 1) uint8 and ``label`` uint32. Nothing is downloaded.
    ``usage="all"`` (the default) reads the parts whose files are there, the test
    files' rows first, as MindSpore 2.10 (measured): the tutorials' ``MNIST_Data/train``
    folder holds only the training files."""

    NAME, TITLE = "MnistDataset", "MNIST"
    FILES = {"train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
             "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")}

    def __init__(self, dataset_dir: str, usage: str | None = None,
                 num_samples: int | None = None, num_parallel_workers: int | None = None,
                 shuffle: bool | None = None, sampler: Any = None, num_shards: int | None = None,
                 shard_id: int | None = None, cache: Any = None) -> None:
        usage = _local_usage(self.NAME, f"the {self.TITLE} files", dataset_dir, usage)
        parts = [usage]
        if usage == "all":  # the files there, t10k's first (MindSpore reads them sorted)
            parts = [part for part in ("test", "train") if os.path.isfile(
                os.path.join(dataset_dir, self.FILES[part][0]))] or ["train"]
        images, labels = zip(*(self._read(dataset_dir, part) for part in parts))
        super().__init__(["image", "label"])
        self.slices = NumpySlicesDataset((np.concatenate(images), np.concatenate(labels)),
                                         ["image", "label"], num_samples, shuffle=shuffle,
                                         sampler=sampler, num_shards=num_shards,
                                         shard_id=shard_id)

    def _read(self, folder: str, part: str) -> tuple[np.ndarray, np.ndarray]:
        image_file, label_file = (os.path.join(folder, f) for f in self.FILES[part])
        for path in (image_file, label_file):
            if not os.path.isfile(path):
                raise ValueError(f"{self.NAME}: {path} is missing")
        with open(image_file, "rb") as f:
            head = np.frombuffer(f.read(16), ">u4")
            if head[0] != 2051:
                raise ValueError(f"{self.NAME}: {image_file} is not an MNIST image file")
            images = np.frombuffer(f.read(), np.uint8).reshape(int(head[1]), int(head[2]),
                                                               int(head[3]), 1)
        with open(label_file, "rb") as f:
            head = np.frombuffer(f.read(8), ">u4")
            if head[0] != 2049:
                raise ValueError(f"{self.NAME}: {label_file} is not an MNIST label file")
            labels = np.frombuffer(f.read(), np.uint8).astype(np.uint32)
        return images, labels

    def size(self) -> int:
        return self.slices.size()

    def rows(self) -> Iterator[Row]:
        return self.slices.rows()


class FashionMnistDataset(MnistDataset):
    """Fashion-MNIST: MNIST's file names and format, so ``MnistDataset``'s columns, parts
    and order (MindSpore 2.10 gives the same, measured)."""

    NAME, TITLE = "FashionMnistDataset", "Fashion-MNIST"


class Cifar10Dataset(Dataset):
    """The CIFAR-10 binary files read from ``dataset_dir`` (``data_batch_1.bin`` ...
    ``data_batch_5.bin`` for ``usage="train"``, ``test_batch.bin`` for ``"test"``, those
    of them that are there, in that order, for ``"all"``, the default): columns
    ``image`` (32, 32, 3) uint8 (each record's channel planes laid out as height, width,
    channels) and ``label``, a uint32 scalar, as MindSpore 2.10 gives them (measured).
    Nothing is downloaded."""

    def __init__(self, dataset_dir: str, usage: str | None = None,
                 num_samples: int | None = None, num_parallel_workers: int | None = None,
                 shuffle: bool | None = None, sampler: Any = None, num_shards: int | None = None,
                 shard_id: int | None = None, cache: Any = None) -> None:
        usage = _local_usage("Cifar10Dataset", "the CIFAR-10 binary files", dataset_dir, usage)
        names = {"train": [f"data_batch_{i}.bin" for i in range(1, 6)],
                 "test": ["test_batch.bin"]}
        files = names[usage] if usage != "all" else [  # the files there, as MindSpore's
            n for n in names["train"] + names["test"]
            if os.path.isfile(os.path.join(dataset_dir, n))] or names["train"]
        rows, images = _cifar_records("Cifar10Dataset", dataset_dir, files, labels=1)
        super().__init__(["image", "label"])
        self.slices = NumpySlicesDataset((images,
                                          rows[:, 0].astype(np.uint32)),
                                         ["image", "label"], num_samples, shuffle=shuffle,
                                         sampler=sampler, num_shards=num_shards,
                                         shard_id=shard_id)

    def size(self) -> int:
        return self.slices.size()

    def rows(self) -> Iterator[Row]:
        return self.slices.rows()


class Cifar100Dataset(Dataset):
    """The CIFAR-100 binary files read from ``dataset_dir`` (``train.bin``, ``test.bin``;
    for ``usage="all"``, the default, those that are there, ``test.bin`` first, as
    MindSpore 2.10 reads them, measured): columns ``image`` (32, 32, 3) uint8 (as
    ``Cifar10Dataset``'s), ``coarse_label`` and ``fine_label``, uint32 scalars, from each
    record's first two bytes. MindSpore refuses files of other than 50000 and 10000
    records; this reads any whole number of records. Nothing is downloaded."""

    def __init__(self, dataset_dir: str, usage: str | None = None,
                 num_samples: int | None = None, num_parallel_workers: int | None = None,
                 shuffle: bool | None = None, sampler: Any = None, num_shards: int | None = None,
                 shard_id: int | None = None, cache: Any = None) -> None:
        usage = _local_usage("Cifar100Dataset", "the CIFAR-100 binary files", dataset_dir, usage)
        files = [f"{usage}.bin"] if usage != "all" else [
            n for n in ("test.bin", "train.bin")
            if os.path.isfile(os.path.join(dataset_dir, n))] or ["train.bin"]
        rows, images = _cifar_records("Cifar100Dataset", dataset_dir, files, labels=2)
        names = ["image", "coarse_label", "fine_label"]
        super().__init__(names)
        self.slices = NumpySlicesDataset((images,
                                          rows[:, 0].astype(np.uint32),
                                          rows[:, 1].astype(np.uint32)),
                                         names, num_samples, shuffle=shuffle, sampler=sampler,
                                         num_shards=num_shards, shard_id=shard_id)

    def size(self) -> int:
        return self.slices.size()

    def rows(self) -> Iterator[Row]:
        return self.slices.rows()


def _cifar_records(name: str, dataset_dir: str, files: list[str], labels: int
                   ) -> tuple[np.ndarray, np.ndarray]:
    """The records of CIFAR binary ``files`` (``labels`` label bytes, then the image's
    channel planes), and their images laid out as height, width, channels; a partial
    record at a file's end is left out."""
    size = labels + 32 * 32 * 3
    records = []
    for file in files:
        path = os.path.join(dataset_dir, file)
        if not os.path.isfile(path):
            raise ValueError(f"{name}: {path} is missing")
        data = np.fromfile(path, np.uint8)
        records.append(data[:len(data) - len(data) % size].reshape(-1, size))
    rows = np.concatenate(records)
    return rows, np.ascontiguousarray(rows[:, labels:].reshape(-1, 3, 32, 32)
                                      .transpose(0, 2, 3, 1))


def _local_usage(name: str, files: str, dataset_dir: str, usage: str | None) -> str:
    """A dataset's ``usage`` (``'all'`` when not given), after checking that its folder is
    there: the files are read from it, never downloaded."""
    if not os.path.isdir(dataset_dir):
        raise ValueError(f"The folder {dataset_dir} does not exist or is not a directory: "
                         f"{name} reads {files} from a local folder and downloads nothing; "
                         "download them first")
    usage = usage or "all"
    if usage not in ("train", "test", "all"):
        raise ValueError(f"{name}: usage must be 'train', 'test' or 'all', not {usage!r}")
    return usage

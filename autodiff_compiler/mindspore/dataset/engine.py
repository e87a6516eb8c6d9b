"""The dataset pipeline: a dataset and the steps over its rows (the package docstring
says what each does; ``sources`` holds where rows come from)."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from .iterators import DictIterator, TupleIterator

Row = tuple[np.ndarray, ...]


class Dataset:
    """Rows of named columns; each step returns a new dataset over this one."""

    def __init__(self, column_names: Sequence[str]) -> None:
        self.column_names = list(column_names)

    # ------------------------------------------------------------------ what subclasses give

    def rows(self) -> Iterator[Row]:
        """One epoch of rows."""
        raise NotImplementedError

    def size(self) -> int | None:
        """Rows per epoch when known without iterating."""
        return None

    # ------------------------------------------------------------------ queries

    def get_col_names(self) -> list[str]:
        return list(self.column_names)

    def get_dataset_size(self) -> int:
        """Rows (batches, once batched) per epoch."""
        known = self.size()
        return known if known is not None else sum(1 for _ in self.rows())

    def get_batch_size(self) -> int:
        return 1

    def output_shapes(self) -> list[list[int]]:
        return [list(np.shape(c)) for c in next(self.rows())]

    def output_types(self) -> list[np.dtype]:
        return [np.asarray(c).dtype for c in next(self.rows())]

    # ------------------------------------------------------------------ iterating

    def create_tuple_iterator(self, columns: Sequence[str] | None = None, num_epochs: int = -1,
                              output_numpy: bool = False, do_copy: bool = True
                              ) -> TupleIterator:
        """Rows as lists (Tensors, or NumPy arrays with ``output_numpy``), one epoch per
        pass over the iterator, for ``num_epochs`` epochs (``iterators`` says how)."""
        return TupleIterator(self, num_epochs, output_numpy, columns)

    def create_dict_iterator(self, num_epochs: int = -1, output_numpy: bool = False,
                             do_copy: bool = True) -> DictIterator:
        """Rows as dicts by column name, one epoch per pass, for ``num_epochs`` epochs."""
        return DictIterator(self, num_epochs, output_numpy)

    def __iter__(self) -> TupleIterator:
        """One epoch, as MindSpore's ``iter(dataset)`` (an iterator of one epoch)."""
        return self.create_tuple_iterator(num_epochs=1)

    # ------------------------------------------------------------------ steps

    def map(self, operations: Any, input_columns: Any = None, output_columns: Any = None,
            num_parallel_workers: int | None = None, **kwargs: Any) -> Dataset:
        """Apply ``operations`` (one or a list, in order) to ``input_columns``."""
        return _Map(self, operations, input_columns, output_columns)

    def filter(self, predicate: Callable[..., Any], input_columns: Any = None,
               num_parallel_workers: int | None = None) -> Dataset:
        """Keep the rows for which ``predicate(*columns)`` is true."""
        return _Filter(self, predicate, input_columns)

    def shuffle(self, buffer_size: int) -> Dataset:
        """Rows in random order, drawn from a buffer of ``buffer_size`` rows."""
        if buffer_size < 2:
            raise ValueError(f"shuffle: buffer_size must be at least 2, not {buffer_size}")
        return _Shuffle(self, buffer_size)

    def batch(self, batch_size: int, drop_remainder: bool = False,
              num_parallel_workers: int | None = None, **kwargs: Any) -> Dataset:
        """Rows stacked ``batch_size`` at a time (the last batch shorter unless
        ``drop_remainder``)."""
        per_batch_map = kwargs.pop("per_batch_map", None)
        input_columns = kwargs.pop("input_columns", None)
        output_columns = kwargs.pop("output_columns", None)
        unsupported = set(kwargs) - {"python_multiprocessing", "max_rowsize"}
        if unsupported:
            raise TypeError(f"batch: {sorted(unsupported)} are not supported; map the "
                            "columns before batching instead")
        from .batching import Batch, check_batch_size
        batched = Batch(self, check_batch_size(batch_size, "batch"), drop_remainder)
        if per_batch_map is None:
            return batched
        inputs = as_names(input_columns) if input_columns is not None else self.column_names
        outputs = as_names(output_columns) if output_columns is not None else inputs
        if len(outputs) != len(inputs):
            raise ValueError("batch: per_batch_map's output_columns must be as many as its "
                             "input_columns here (each replaces one)")
        batched.mapped = (per_batch_map, [self._index(c) for c in inputs])
        batched.column_names = [outputs[inputs.index(c)] if c in inputs else c
                                for c in self.column_names]
        return batched

    def padded_batch(self, batch_size: int, drop_remainder: bool = False,
                     num_parallel_workers: int | None = None,
                     pad_info: dict[str, Any] | None = None) -> Dataset:
        """Rows batched as ``batch`` does, the columns of ``pad_info`` padded first to
        one shape (``batching`` says how, as MindSpore 2.10 does it)."""
        from .batching import Batch, check_batch_size, check_pad_info
        batched = Batch(self, check_batch_size(batch_size, "padded_batch"), drop_remainder)
        batched.pads = check_pad_info(pad_info, self)
        return batched

    def bucket_batch_by_length(self, column_names: Any, bucket_boundaries: list,
                               bucket_batch_sizes: list,
                               element_length_function: Callable[..., Any] | None = None,
                               pad_info: dict | None = None, pad_to_bucket_boundary: bool = False,
                               drop_remainder: bool = False) -> Dataset:
        """Rows batched with rows of about their length (``buckets`` says how)."""
        from .buckets import BucketBatch
        return BucketBatch(self, column_names, bucket_boundaries, bucket_batch_sizes,
                           element_length_function, pad_info, pad_to_bucket_boundary,
                           drop_remainder)

    def apply(self, apply_func: Callable[[Dataset], Dataset]) -> Dataset:
        """``apply_func(self)``, which must return a dataset."""
        result = apply_func(self)
        if not isinstance(result, Dataset):
            raise TypeError("dataset should be returned by apply_func")
        return result

    def get_repeat_count(self) -> int:
        """The count of the nearest ``repeat`` on the way to the source (1 without one;
        -1: for ever)."""
        step: Any = self
        while step is not None:
            if isinstance(step, _Repeat):
                return -1 if step.count is None else step.count
            step = getattr(step, "parent", None)
        return 1

    def repeat(self, count: int | None = None) -> Dataset:
        """The epoch ``count`` times over (``None`` or -1: for ever)."""
        return _Repeat(self, None if count in (None, -1) else int(count))

    def take(self, count: int = -1) -> Dataset:
        return self if count == -1 else _Slice(self, 0, count)

    def skip(self, count: int) -> Dataset:
        return _Slice(self, count, None)

    def split(self, sizes: Sequence[int | float], randomize: bool = True) -> tuple:
        """The rows dealt into datasets of ``sizes`` rows, or of those fractions of the
        rows (floats summing to 1, rounded, the first split taking what rounding left
        over, as MindSpore's); in a random order (NumPy's global one) unless
        ``randomize=False``."""
        from .combine import Picked, split_counts
        n = self.get_dataset_size()
        order = np.random.permutation(n) if randomize else np.arange(n)
        parts, start = [], 0
        for count in split_counts(list(sizes), n):
            parts.append(Picked(self, order[start:start + count].tolist()))
            start += count
        return tuple(parts)

    def project(self, columns: Sequence[str] | str) -> Dataset:
        columns = [columns] if isinstance(columns, str) else list(columns)
        picks = [self._index(c) for c in columns]
        return _Rows(self, columns, lambda row: tuple(row[i] for i in picks))

    def rename(self, input_columns: Sequence[str] | str,
               output_columns: Sequence[str] | str) -> Dataset:
        old, new = as_names(input_columns), as_names(output_columns)
        renamed = {o: n for o, n in zip(old, new)}
        names = [renamed.get(c, c) for c in self.column_names]
        for c in old:
            self._index(c)
        return _Rows(self, names, lambda row: row)

    def zip(self, datasets: Dataset | Sequence[Dataset]) -> Dataset:
        from .combine import ZipDataset
        others = [datasets] if isinstance(datasets, Dataset) else list(datasets)
        return ZipDataset([self, *others])

    def concat(self, datasets: Dataset | Sequence[Dataset]) -> Dataset:
        from .combine import ConcatDataset
        others = [datasets] if isinstance(datasets, Dataset) else list(datasets)
        return ConcatDataset([self, *others])

    def __add__(self, other: Dataset) -> Dataset:
        return self.concat(other)

    def _index(self, column: str) -> int:
        if column not in self.column_names:
            raise ValueError(f"no column '{column}': the columns are {self.column_names}")
        return self.column_names.index(column)


def as_names(columns: Any) -> list[str]:
    return [columns] if isinstance(columns, str) else list(columns)


def as_column(data: Any) -> Any:
    try:
        return np.asarray(data)
    except ValueError:  # ragged: the rows as they are
        return [np.asarray(item) for item in data]


def as_row(item: Any) -> Row:
    items = item if isinstance(item, tuple | list) else (item,)
    return tuple(np.asarray(v) for v in items)


# ---------------------------------------------------------------------------- steps


class _Step(Dataset):
    def __init__(self, parent: Dataset, column_names: Sequence[str] | None = None) -> None:
        super().__init__(parent.column_names if column_names is None else column_names)
        self.parent = parent

    def get_batch_size(self) -> int:
        return self.parent.get_batch_size()


class _Rows(_Step):
    """Each row rearranged by ``change`` (``project``, ``rename``)."""

    def __init__(self, parent: Dataset, names: list[str], change: Callable[[Row], Row]) -> None:
        super().__init__(parent, names)
        self.change = change

    def size(self) -> int | None:
        return self.parent.size()

    def rows(self) -> Iterator[Row]:
        return map(self.change, self.parent.rows())


class _Map(_Step):
    """``operations`` over ``input_columns``, giving ``output_columns``. Where they go is
    MindSpore 2.10's rule (measured): as many outputs as inputs each take their input's
    place; otherwise the outputs come first and the columns not mapped follow, in order."""

    def __init__(self, parent: Dataset, operations: Any, input_columns: Any,
                 output_columns: Any) -> None:
        inputs = as_names(input_columns) if input_columns is not None else parent.column_names[:1]
        outputs = as_names(output_columns) if output_columns is not None else inputs
        self.picks = [parent._index(c) for c in inputs]
        rest = [i for i in range(len(parent.column_names)) if i not in self.picks]
        # where each column comes from: ("in", column of the parent) or ("out", output)
        if len(outputs) == len(inputs):
            slot = {p: k for k, p in enumerate(self.picks)}
            self.layout = [("out", slot[i]) if i in slot else ("in", i)
                           for i in range(len(parent.column_names))]
        else:
            self.layout = [("out", k) for k in range(len(outputs))] + [("in", i) for i in rest]
        names = [outputs[i] if kind == "out" else parent.column_names[i]
                 for kind, i in self.layout]
        super().__init__(parent, names)
        self.n_out = len(outputs)
        self.operations = operations if isinstance(operations, list) else [operations]

    def size(self) -> int | None:
        return self.parent.size()

    def rows(self) -> Iterator[Row]:
        for row in self.parent.rows():
            values: Any = tuple(row[i] for i in self.picks)
            for op in self.operations:
                values = as_row(op(*values))
            if len(values) != self.n_out:
                raise ValueError(f"map: the operations gave {len(values)} columns for "
                                 f"{self.n_out} output columns")
            yield tuple(values[i] if kind == "out" else row[i] for kind, i in self.layout)


class _Filter(_Step):
    def __init__(self, parent: Dataset, predicate: Callable[..., Any], input_columns: Any
                 ) -> None:
        super().__init__(parent)
        self.predicate = predicate
        names = parent.column_names if input_columns is None else as_names(input_columns)
        self.picks = [parent._index(c) for c in names]

    def rows(self) -> Iterator[Row]:
        for row in self.parent.rows():
            if bool(self.predicate(*(row[i] for i in self.picks))):
                yield row


class _Shuffle(_Step):
    def __init__(self, parent: Dataset, buffer_size: int) -> None:
        super().__init__(parent)
        self.buffer_size = buffer_size

    def size(self) -> int | None:
        return self.parent.size()

    def rows(self) -> Iterator[Row]:
        buffer: list[Row] = []
        for row in self.parent.rows():
            if len(buffer) < self.buffer_size:
                buffer.append(row)
                continue
            i = np.random.randint(len(buffer))
            yield buffer[i]
            buffer[i] = row
        for i in np.random.permutation(len(buffer)):
            yield buffer[i]


class _Repeat(_Step):
    def __init__(self, parent: Dataset, count: int | None) -> None:
        super().__init__(parent)
        self.count = count

    def size(self) -> int | None:
        n = self.parent.size()
        return None if n is None or self.count is None else n * self.count

    def rows(self) -> Iterator[Row]:
        done = 0
        while self.count is None or done < self.count:
            yield from self.parent.rows()
            done += 1


class _Slice(_Step):
    def __init__(self, parent: Dataset, start: int, stop: int | None) -> None:
        super().__init__(parent)
        self.start, self.stop = start, stop

    def size(self) -> int | None:
        n = self.parent.size()
        if n is None:
            return None
        stop = n if self.stop is None else min(n, self.stop)
        return max(0, stop - self.start)

    def rows(self) -> Iterator[Row]:
        for i, row in enumerate(self.parent.rows()):
            if self.stop is not None and i >= self.stop:
                return
            if i >= self.start:
                yield row


"""The iterators ``create_tuple_iterator``/``create_dict_iterator`` return.

As MindSpore 2.10's (measured): one iterator serves ``num_epochs`` epochs. Iterating it
is iterating itself; the end of an epoch is a ``StopIteration``, and the next ``next``
starts the next epoch, so the usual

    it = dataset.create_tuple_iterator(num_epochs=E)
    for epoch in range(E):
        for batch in it: ...

sees every epoch whole. ``num_epochs=-1`` (the default) is for ever; asking for a row
after ``num_epochs`` epochs have ended is MindSpore's RuntimeError, not an empty epoch
that would quietly end training early. An epoch left part-way carries on where it
stopped. Columns of strings come out as NumPy string arrays, with ``output_numpy`` or
without, as MindSpore's do (its Tensors hold numbers).
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import as_tensor

if TYPE_CHECKING:
    from .engine import Dataset, Row


def check_num_epochs(num_epochs: Any) -> int:
    """``num_epochs`` as MindSpore takes it: an int, -1 or at least 1."""
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int | np.integer):
        raise TypeError(f"num_epochs must be an int, not {type(num_epochs).__name__}")
    if num_epochs == 0 or num_epochs < -1:
        raise ValueError(f"num_epochs must be -1 (for ever) or at least 1, not {num_epochs}")
    return int(num_epochs)


class _Iterator:
    """Rows of ``dataset`` over ``num_epochs`` epochs, one epoch per pass."""

    def __init__(self, dataset: Dataset, num_epochs: int, output_numpy: bool,
                 columns: Sequence[str] | None = None) -> None:
        self.dataset = dataset
        self.num_epochs = check_num_epochs(num_epochs)
        self.output_numpy = output_numpy
        names = dataset.column_names if columns is None else list(columns)
        self.picks = [dataset._index(c) for c in names]
        self.col_names = names
        self.epochs_started = 0
        self._rows: Iterator[Row] | None = None

    def get_col_names(self) -> list[str]:
        return list(self.col_names)

    def __iter__(self) -> _Iterator:
        return self

    def _next_row(self) -> Row:
        if self._rows is None:
            if self.num_epochs != -1 and self.epochs_started >= self.num_epochs:
                raise RuntimeError(
                    f"this iterator was made for num_epochs={self.num_epochs} and all of "
                    "them have been read; pass create_tuple_iterator/create_dict_iterator "
                    "a larger num_epochs (or -1, for ever)")
            self._rows = iter(self.dataset.rows())
            self.epochs_started += 1
        try:
            row = next(self._rows)
        except StopIteration:
            self._rows = None
            raise
        return tuple(row[i] for i in self.picks)

    def _value(self, value: Any) -> Any:
        value = np.asarray(value)
        if value.dtype.kind in "US":
            return fit_strings(value)
        return value if self.output_numpy else as_tensor(value)


def fit_strings(value: np.ndarray) -> np.ndarray:
    """A string (or bytes) array as MindSpore gives it: a NumPy array, never a Tensor,
    its dtype just wide enough for its longest entry (MindSpore 2.10, measured)."""
    width = max(1, int(np.char.str_len(value).max(initial=0)))
    return value.astype(f"{value.dtype.kind}{width}")


class TupleIterator(_Iterator):
    """Each row as a list of its columns."""

    def __next__(self) -> list[Any]:
        return [self._value(v) for v in self._next_row()]


class DictIterator(_Iterator):
    """Each row as a dict by column name."""

    def __next__(self) -> dict[str, Any]:
        return {name: self._value(v) for name, v in zip(self.col_names, self._next_row())}

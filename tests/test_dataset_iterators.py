"""The iterators of ``mindspore.dataset``: one iterator serves ``num_epochs`` epochs, one
per pass, as MindSpore 2.10's do (measured there: 10 rows batched by 3 are 4 batches an
epoch)."""
from __future__ import annotations

import numpy as np
import pytest

from autodiff_compiler.mindspore import dataset as ds


def batched():
    return ds.NumpySlicesDataset({"x": np.arange(10, dtype=np.float32)}, shuffle=False).batch(3)


def tuple_iterator(num_epochs):
    return batched().create_tuple_iterator(num_epochs=num_epochs)


def dict_iterator(num_epochs):
    return batched().create_dict_iterator(num_epochs=num_epochs, output_numpy=True)


def passes(iterator, count):
    """Batches per pass over ``iterator``, ``count`` passes, a pass past its epochs
    recorded as the error's type."""
    seen = []
    for _ in range(count):
        try:
            seen.append(sum(1 for _ in iterator))
        except RuntimeError:
            seen.append("RuntimeError")
            break
    return seen


# (num_epochs, passes made, batches per pass) as MindSpore 2.10 gave them
EPOCHS = [
    (1, 2, [4, "RuntimeError"]),
    (2, 3, [4, 4, "RuntimeError"]),
    (3, 3, [4, 4, 4]),
    (3, 4, [4, 4, 4, "RuntimeError"]),
    (-1, 5, [4, 4, 4, 4, 4]),
]


@pytest.mark.parametrize("make", [tuple_iterator, dict_iterator])
@pytest.mark.parametrize(("num_epochs", "count", "want"), EPOCHS)
def test_an_iterator_serves_every_epoch_it_was_made_for(make, num_epochs, count, want):
    assert passes(make(num_epochs), count) == want


def test_next_ends_each_epoch_then_starts_the_next():
    it = dict_iterator(2)
    seen = []
    for _ in range(10):
        try:
            seen.append(next(it)["x"].tolist())
        except StopIteration:
            seen.append("end")
    one_epoch = [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0], [9.0], "end"]
    assert seen == one_epoch * 2
    with pytest.raises(RuntimeError, match="num_epochs=2"):
        next(it)


def test_an_epoch_left_part_way_carries_on():
    it = tuple_iterator(3)
    assert next(it)[0].asnumpy().tolist() == [0.0, 1.0, 2.0]
    assert passes(it, 2) == [3, 4]


def test_iterating_the_dataset_is_one_epoch_each_time():
    data = batched()
    assert [sum(1 for _ in data) for _ in range(3)] == [4, 4, 4]
    it = iter(data)
    assert passes(it, 2) == [4, "RuntimeError"]


def test_the_iterator_knows_its_columns():
    data = ds.NumpySlicesDataset({"a": np.arange(3), "b": np.arange(3)}, shuffle=False)
    assert data.create_tuple_iterator(columns=["b"]).get_col_names() == ["b"]
    assert data.create_dict_iterator().get_col_names() == ["a", "b"]


@pytest.mark.parametrize(("num_epochs", "error"), [
    (0, ValueError), (-2, ValueError), (2.0, TypeError), (None, TypeError)])
def test_num_epochs_must_be_minus_one_or_positive(num_epochs, error):
    with pytest.raises(error, match="num_epochs"):
        tuple_iterator(num_epochs)


def test_string_columns_are_numpy_arrays_fitted_to_their_longest_string():
    """As MindSpore 2.10's (measured): a wide dtype from the source is narrowed, bytes
    stay bytes, with ``output_numpy`` or without."""
    def rows():
        yield np.array(["a", "bb"], dtype="<U10"), np.array([b"xy", b"z"]), np.array(5)

    data = ds.GeneratorDataset(rows, ["u", "s", "n"])
    for row in (next(data.create_tuple_iterator()),
                list(next(data.create_dict_iterator()).values())):
        assert [type(v).__name__ for v in row] == ["ndarray", "ndarray", "Tensor"]
        assert [str(v.dtype) for v in row[:2]] == ["<U2", "|S2"]

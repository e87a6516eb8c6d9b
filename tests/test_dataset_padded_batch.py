"""``Dataset.padded_batch`` as MindSpore 2.10 gives it (measured on the same rows: ids
of lengths 3, 1, 4, 2, 5 counting from 1, m of (length % 3 + 1, 2) rows holding the
length, n the length; batches of 2)."""
from __future__ import annotations

import numpy as np
import pytest

from autodiff_compiler.mindspore import dataset as ds

LENGTHS = [3, 1, 4, 2, 5]


def rows():
    return ds.GeneratorDataset(
        [(np.arange(n, dtype=np.int32) + 1, np.full((n % 3 + 1, 2), n, np.float32), np.int32(n))
         for n in LENGTHS], column_names=["ids", "m", "n"], shuffle=False)


def batches(columns, **kwargs):
    data = rows().project(columns).padded_batch(2, **kwargs)
    return [[c.tolist() for c in b] for b in data.create_tuple_iterator(output_numpy=True)]


M_ALL = [[[[3, 3], [0, 0]], [[1, 1], [1, 1]]],
         [[[4, 4], [4, 4], [0, 0]], [[2, 2], [2, 2], [2, 2]]],
         [[[5, 5], [5, 5], [5, 5]]]]
IDS_ZERO = [[[1, 2, 3], [1, 0, 0]], [[1, 2, 3, 4], [1, 2, 0, 0]], [[1, 2, 3, 4, 5]]]

# (columns, pad_info, batches of each column) from MindSpore 2.10
PADDED = {
    "empty pads every column": (
        ["ids", "m", "n"], {}, [[IDS_ZERO[k], M_ALL[k], n] for k, n in
                                enumerate([[3, 1], [4, 2], [5]])]),
    "largest, with -1": (["ids"], {"ids": (None, -1)}, [
        [[[1, 2, 3], [1, -1, -1]]], [[[1, 2, 3, 4], [1, 2, -1, -1]]], [[[1, 2, 3, 4, 5]]]]),
    "to a fixed length": (["ids"], {"ids": ([6], 7)}, [
        [[[1, 2, 3, 7, 7, 7], [1, 7, 7, 7, 7, 7]]], [[[1, 2, 3, 4, 7, 7], [1, 2, 7, 7, 7, 7]]],
        [[[1, 2, 3, 4, 5, 7]]]]),
    "cut to a shorter length": (["ids"], {"ids": ([4], 7)}, [
        [[[1, 2, 3, 7], [1, 7, 7, 7]]], [[[1, 2, 3, 4], [1, 2, 7, 7]]], [[[1, 2, 3, 4]]]]),
    "value cast to the dtype": (["ids"], {"ids": ([None], 1.5)}, [
        [[[1, 2, 3], [1, 1, 1]]], [[[1, 2, 3, 4], [1, 2, 1, 1]]], [[[1, 2, 3, 4, 5]]]]),
    "value None is 0": (["ids"], {"ids": ([None], None)}, [[b] for b in IDS_ZERO]),
    "fixed last axis": (["m"], {"m": ([None, 3], 9.5)}, [
        [[[[3, 3, 9.5], [9.5, 9.5, 9.5]], [[1, 1, 9.5], [1, 1, 9.5]]]],
        [[[[4, 4, 9.5], [4, 4, 9.5], [9.5, 9.5, 9.5]], [[2, 2, 9.5], [2, 2, 9.5],
                                                         [2, 2, 9.5]]]],
        [[[[5, 5, 9.5], [5, 5, 9.5], [5, 5, 9.5]]]]]),
    "cut first axis": (["m"], {"m": ([2, 2], 1)}, [
        [[[[3, 3], [1, 1]], [[1, 1], [1, 1]]]], [[[[4, 4], [4, 4]], [[2, 2], [2, 2]]]],
        [[[[5, 5], [5, 5]]]]]),
    "a scalar column": (["n"], {"n": ([], 0)}, [[[3, 1]], [[4, 2]], [[5]]]),
    "other columns as they are": (["ids", "n"], {"ids": ([None], 0)}, [
        [IDS_ZERO[0], [3, 1]], [IDS_ZERO[1], [4, 2]], [IDS_ZERO[2], [5]]]),
}


@pytest.mark.parametrize("name", list(PADDED))
def test_padded_batch_gives_what_mindspore_gave(name):
    columns, pad_info, want = PADDED[name]
    assert batches(columns, pad_info=pad_info) == want


def test_padded_batch_keeps_dtypes_sizes_and_drops_the_remainder():
    data = rows().padded_batch(2, drop_remainder=True, pad_info={})
    assert data.get_dataset_size() == 2 and data.get_batch_size() == 2
    first = next(data.create_tuple_iterator(output_numpy=True))
    assert [c.dtype for c in first] == [np.int32, np.float32, np.int32]
    assert len(list(data.create_tuple_iterator())) == 2


@pytest.mark.parametrize(("columns", "pad_info", "error", "message"), [
    (["ids", "m"], None, ValueError, "rows of different shapes"),
    (["ids", "m"], {"ids": (None, 0)}, ValueError, "rows of different shapes"),  # m unpadded
    (["ids"], {"ids": ((None,), 0)}, TypeError, "must be a list"),
    (["ids"], {"ids": [None, 0]}, TypeError, r"\(shape, value\) tuples"),
    (["ids"], {"ids": (None,)}, ValueError, r"must be \(shape, value\)"),
    (["ids"], {1: (None, 0)}, TypeError, "column names"),
    (["ids"], [("ids", (None, 0))], TypeError, "must be a dict"),
    (["ids"], {"ids": ([0], 0)}, ValueError, "must be positive"),
    (["ids"], {"zz": (None, 0)}, ValueError, "no column 'zz'"),
    (["ids"], {"ids": ([2, 2], 0)}, ValueError, "has 2 sizes, but the column's rows have 1"),
    (["ids"], {"ids": ([None], "a")}, ValueError, "cannot be padded with 'a'"),
])
def test_bad_pad_info_is_a_clear_error(columns, pad_info, error, message):
    with pytest.raises(error, match=message):
        batches(columns, pad_info=pad_info)


def test_a_computed_batch_size_is_refused():
    with pytest.raises(TypeError, match="callable"):
        rows().padded_batch(lambda info: 2)

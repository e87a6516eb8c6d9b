"""``Dataset.bucket_batch_by_length``, ``get_repeat_count`` and ``apply`` as MindSpore 2.10
gives them (measured on the same rows)."""
from __future__ import annotations

import numpy as np
import pytest

from autodiff_compiler.mindspore import dataset as ds

LENGTHS = [3, 1, 4, 2, 5, 2, 0, 6]


def pairs():
    """MindSpore's docstring example: ([i], [0..i]) for i < 8."""
    return ds.GeneratorDataset([(np.array([i]), np.arange(i + 1)) for i in range(8)],
                               ["col1", "col2"], shuffle=False)


def ids():
    return ds.GeneratorDataset([(np.arange(n, dtype=np.int32) + 1, np.float32(n))
                                for n in LENGTHS], ["ids", "n"], shuffle=False)


def batches(data):
    return [[c.tolist() for c in b] for b in data.create_tuple_iterator(output_numpy=True)]


# (dataset, then the batches MindSpore 2.10 gave)
CASES = {
    "the docs' example, padded to the bucket boundary": (
        lambda: pairs().bucket_batch_by_length(
            ["col1", "col2"], [5, 10], [2, 1, 1], lambda a, b: max(len(a), len(b)),
            pad_info={"col2": ([None], -1)}, pad_to_bucket_boundary=True),
        [[[[0], [1]], [[0, -1, -1, -1], [0, 1, -1, -1]]],
         [[[2], [3]], [[0, 1, 2, -1], [0, 1, 2, 3]]],
         [[[4]], [[0, 1, 2, 3, 4, -1, -1, -1, -1]]], [[[5]], [[0, 1, 2, 3, 4, 5, -1, -1, -1]]],
         [[[6]], [[0, 1, 2, 3, 4, 5, 6, -1, -1]]], [[[7]], [[0, 1, 2, 3, 4, 5, 6, 7, -1]]]]),
    "full buckets first, then the rest in bucket order": (
        lambda: ids().bucket_batch_by_length(["ids"], [3, 5], [2, 2, 2], pad_info={}),
        [[[[1, 2, 3, 0], [1, 2, 3, 4]], [3.0, 4.0]], [[[1, 0], [1, 2]], [1.0, 2.0]],
         [[[1, 2], [0, 0]], [2.0, 0.0]], [[[1, 2, 3, 4, 5, 0], [1, 2, 3, 4, 5, 6]], [5.0, 6.0]]]),
    "a fixed shape, the remainders dropped": (
        lambda: ids().bucket_batch_by_length(["ids"], [2, 4], [3, 2, 1],
                                             pad_info={"ids": ([7], 9)}, drop_remainder=True),
        [[[[1, 2, 3, 4, 9, 9, 9]], [4.0]],
         [[[1, 2, 3, 9, 9, 9, 9], [1, 2, 9, 9, 9, 9, 9]], [3.0, 2.0]],
         [[[1, 2, 3, 4, 5, 9, 9]], [5.0]], [[[1, 2, 3, 4, 5, 6, 9]], [6.0]]]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_bucket_batch_by_length_gives_what_mindspore_gave(name):
    make, want = CASES[name]
    assert batches(make()) == want


def test_bucket_batch_by_length_keeps_dtypes_and_refuses_what_mindspore_refuses():
    first = next(ids().bucket_batch_by_length(["ids"], [3], [1, 1], pad_info={})
                 .create_tuple_iterator(output_numpy=True))
    assert [c.dtype for c in first] == [np.int32, np.float32]
    with pytest.raises(TypeError, match="column_names"):
        ids().bucket_batch_by_length("ids", [2], [1, 1])
    with pytest.raises(TypeError, match="list of int"):
        ids().project(["n"]).bucket_batch_by_length(["n"], [2.5], [3, 2], lambda n: int(n))


def test_repeat_count_and_apply_as_mindspore():
    def six():
        return ds.NumpySlicesDataset({"x": np.arange(6)}, shuffle=False)
    counts = [six().get_repeat_count(), six().repeat(3).get_repeat_count(),
              six().repeat(2).batch(2).get_repeat_count(),
              six().batch(2).repeat(4).skip(1).get_repeat_count()]
    assert counts == [1, 3, 2, 4]  # MindSpore 2.10's
    assert six().apply(lambda d: d.batch(4)).get_dataset_size() == 2
    with pytest.raises(TypeError, match="dataset should be returned"):
        six().apply(lambda d: 3)

"""``mindspore.dataset`` in memory: each pipeline gives what MindSpore 2.10 gave for it
(measured in PyNative mode; shuffled orders are random in both and only checked to be
permutations)."""
from __future__ import annotations

import numpy as np
import pytest

from autodiff_compiler.mindspore import dataset as ds
from autodiff_compiler.mindspore.dataset import config, transforms, vision

X = np.arange(12, dtype=np.float32).reshape(6, 2)
Y = np.arange(6, dtype=np.int32)


def slices(**kwargs):
    return ds.NumpySlicesDataset((X, Y), column_names=["data", "label"], shuffle=False, **kwargs)


def first_column(dataset):
    return [np.asarray(row[0]).tolist() for row in dataset.create_tuple_iterator()]


def gen():
    for i in range(4):
        yield np.array([i, i + 1], np.float32), np.array(i, np.int32)


class RandomAccess:
    def __getitem__(self, i):
        return np.array([i], np.float32)

    def __len__(self):
        return 5


# (pipeline, columns, dataset size, first column of every row) as MindSpore gave them
PIPELINES = {
    "slices": (lambda: slices(), ["data", "label"], 6, X.tolist()),
    "map list of operations": (
        lambda: slices().map(operations=[lambda a: a + 1, lambda a: a * 10],
                             input_columns="data"),
        ["data", "label"], 6, ((X + 1) * 10).tolist()),
    "map two columns": (
        lambda: slices().map(operations=lambda a, b: (a + b, b),
                             input_columns=["data", "label"]),
        ["data", "label"], 6, (X + Y[:, None]).tolist()),
    "map new output column": (
        lambda: slices().map(operations=lambda a: (a, a.sum()), input_columns=["data"],
                             output_columns=["data", "s"]),
        ["data", "s", "label"], 6, X.tolist()),
    "batch keeps the remainder": (lambda: slices().batch(4), ["data", "label"], 2,
                                  [X[:4].tolist(), X[4:].tolist()]),
    "batch drops the remainder": (lambda: slices().batch(4, drop_remainder=True),
                                  ["data", "label"], 1, [X[:4].tolist()]),
    "batch then repeat": (lambda: slices().batch(4).repeat(2), ["data", "label"], 4,
                          [X[:4].tolist(), X[4:].tolist()] * 2),
    "take": (lambda: slices().take(3), ["data", "label"], 3, X[:3].tolist()),
    "skip": (lambda: slices().skip(4), ["data", "label"], 2, X[4:].tolist()),
    "filter": (lambda: slices().filter(lambda a, b: b % 2 == 0, input_columns=["data", "label"]),
               ["data", "label"], 3, X[::2].tolist()),
    "project": (lambda: slices().project(["label"]), ["label"], 6, Y.tolist()),
    "rename": (lambda: slices().rename(["data"], ["x"]), ["x", "label"], 6, X.tolist()),
    "one array": (lambda: ds.NumpySlicesDataset(X, shuffle=False), ["column_0"], 6, X.tolist()),
    "dict": (lambda: ds.NumpySlicesDataset({"a": X, "b": Y}, shuffle=False), ["a", "b"], 6,
             X.tolist()),
    "generator": (lambda: ds.GeneratorDataset(gen, ["x", "y"]), ["x", "y"], 4,
                  [[i, i + 1] for i in range(4)]),
    "random access, not shuffled": (
        lambda: ds.GeneratorDataset(RandomAccess(), ["x"], shuffle=False), ["x"], 5,
        [[i] for i in range(5)]),
}


@pytest.mark.parametrize("name", list(PIPELINES))
def test_pipeline_gives_what_mindspore_gave(name):
    make, columns, size, first = PIPELINES[name]
    assert make().get_col_names() == columns
    assert make().get_dataset_size() == size
    assert first_column(make()) == first


def test_iterators_give_tensors_numpy_or_dicts():
    row = next(slices().create_tuple_iterator())
    assert isinstance(row, list) and [np.shape(v) for v in row] == [(2,), ()]
    assert [type(v) for v in next(slices().create_tuple_iterator(output_numpy=True))] == \
        [np.ndarray, np.ndarray]
    first = next(slices().create_dict_iterator(output_numpy=True))
    assert list(first) == ["data", "label"] and first["label"] == 0
    assert len(list(slices())) == 6  # iterating the dataset is the tuple iterator
    assert [r[0].tolist() for r in slices().create_tuple_iterator(columns=["label"])] == \
        Y.tolist()


@pytest.mark.parametrize("make, unshuffled", [
    (lambda: ds.NumpySlicesDataset((X, Y), ["data", "label"]), X.tolist()),
    (lambda: ds.GeneratorDataset(RandomAccess(), ["x"]), [[i] for i in range(5)]),
    (lambda: slices().shuffle(3), X.tolist()),
])
def test_shuffling_is_a_permutation_that_the_seed_repeats(make, unshuffled):
    ds.config.set_seed(3)
    first = first_column(make())
    ds.config.set_seed(3)
    assert first_column(make()) == first
    assert sorted(first) == sorted(unshuffled) and first != unshuffled


def test_list_is_one_column_of_rows():
    d = ds.NumpySlicesDataset([[1, 2], [3, 4]], shuffle=False)
    assert d.get_col_names() == ["column_0"] and first_column(d) == [[1, 2], [3, 4]]


def test_vision_and_transforms_as_mindspore():
    image = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    rescaled = vision.Rescale(2.0, 1)(image)
    assert rescaled.dtype == np.float32 and rescaled[0, 0].tolist() == [1.0, 3.0, 5.0]
    normalized = vision.Normalize(mean=(1.0, 2.0, 3.0), std=(2.0, 2.0, 2.0))(image)
    assert normalized[0, 0].tolist() == [-0.5, -0.5, -0.5]
    assert vision.HWC2CHW()(image).shape == (3, 2, 2)
    assert transforms.TypeCast(np.int32)(np.array([1.5, 2.5])).dtype == np.int32
    assert transforms.OneHot(3)(np.array(1)).tolist() == [0, 1, 0]


def _write_idx(path, magic, array):
    header = np.array([magic, *array.shape], dtype=">u4")
    path.write_bytes(header.tobytes() + array.astype(np.uint8).tobytes())


def test_mnist_reads_the_standard_files(tmp_path):
    images = np.random.default_rng(0).integers(0, 255, size=(3, 28, 28))
    _write_idx(tmp_path / "train-images-idx3-ubyte", 2051, images)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", 2049, np.array([7, 1, 4]))
    d = ds.MnistDataset(str(tmp_path), usage="train", shuffle=False)
    rows = list(d.create_tuple_iterator(output_numpy=True))
    assert d.get_col_names() == ["image", "label"] and len(rows) == 3
    assert rows[0][0].shape == (28, 28, 1) and rows[0][0].dtype == np.uint8
    assert np.array_equal(rows[1][0][..., 0], images[1]) and rows[2][1] == 4
    assert rows[0][1].dtype == np.uint32


def test_mnist_all_reads_the_parts_that_are_there_test_first(tmp_path):
    """The tutorials' ``MnistDataset("MNIST_Data/train")`` (usage "all", only the training
    files there) was refused; with both parts MindSpore 2.10 gives the t10k rows first
    (measured)."""
    train, both = tmp_path / "train", tmp_path / "both"
    train.mkdir(), both.mkdir()
    for folder in (train, both):
        _write_idx(folder / "train-images-idx3-ubyte", 2051, np.zeros((3, 28, 28)))
        _write_idx(folder / "train-labels-idx1-ubyte", 2049, np.array([7, 1, 4]))
    _write_idx(both / "t10k-images-idx3-ubyte", 2051, np.ones((2, 28, 28)))
    _write_idx(both / "t10k-labels-idx1-ubyte", 2049, np.array([9, 8]))

    def labels(folder, usage=None):
        data = ds.MnistDataset(str(folder), usage=usage, shuffle=False)
        return [int(row[1]) for row in data.create_tuple_iterator(output_numpy=True)]
    assert labels(train) == labels(train, "all") == [7, 1, 4]
    assert labels(both) == [9, 8, 7, 1, 4] and labels(both, "train") == [7, 1, 4]
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte is missing"):
        labels(train, "test")


def _write_cifar(path, file_number, count):
    records = np.zeros((count, 3073), np.uint8)
    records[:, 0] = np.arange(count) % 10  # the label
    records[:, 1] = file_number  # red at (0, 0)
    records[:, 2] = np.arange(count)  # red at (0, 1)
    records[:, 1 + 1024] = 200  # green at (0, 0)
    records[:, 1 + 2048 + 33] = 77  # blue at (1, 1)
    records.tofile(path)


def test_cifar10_reads_the_binary_files_as_mindspore(tmp_path):
    """MindSpore 2.10 on the same records (10000 a file there; MindSpore reads no other
    count, this reads any): HWC uint8 images, uint32 scalar labels, data_batch_1..5 then
    test_batch, "all" the files that are there, num_shards as a DistributedSampler."""
    for k in range(5):
        _write_cifar(tmp_path / f"data_batch_{k + 1}.bin", k, 4)
    train = list(ds.Cifar10Dataset(str(tmp_path), shuffle=False)
                 .create_tuple_iterator(output_numpy=True))
    image, label = train[1]
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    assert label.shape == () and label.dtype == np.uint32 and int(label) == 1
    assert image[0, 0].tolist() == [0, 200, 0] and image[1, 1].tolist() == [0, 0, 77]
    assert [int(row[0][0, 0, 0]) for row in train[::4]] == [0, 1, 2, 3, 4]
    with pytest.raises(ValueError, match=r"test_batch\.bin is missing"):
        ds.Cifar10Dataset(str(tmp_path), usage="test")
    _write_cifar(tmp_path / "test_batch.bin", 5, 4)
    every = ds.Cifar10Dataset(str(tmp_path), usage="all", shuffle=False)
    assert every.get_dataset_size() == 24
    shard = ds.Cifar10Dataset(str(tmp_path), usage="test", num_shards=2, shard_id=1,
                              shuffle=False)
    assert [int(row[0][0, 1, 0]) for row in shard.create_tuple_iterator(output_numpy=True)] \
        == [1, 3]


@pytest.mark.parametrize("make, error, message", [
    (lambda: ds.MnistDataset("/no/such/folder"), ValueError, "downloads nothing"),
    (lambda: ds.NumpySlicesDataset((X, Y[:3])), ValueError, "different lengths"),
    (lambda: ds.NumpySlicesDataset((X, Y), ["only"]), ValueError, "column names"),
    (lambda: ds.GeneratorDataset(gen, ["x"], shuffle=True), ValueError, "random-access"),
    (lambda: slices().project(["nope"]), ValueError, "no column 'nope'"),
    (lambda: slices().batch(0), ValueError, "at least 1"),
    (lambda: list(ds.GeneratorDataset(lambda: iter([np.ones(2), np.ones(3)]), ["x"])
                  .batch(2)), ValueError, "different shapes"),
])
def test_bad_use_is_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_mindspore_module_paths_import_the_same_modules():
    import autodiff_compiler.dataset as by_path
    import autodiff_compiler.dataset.vision as vision_by_path
    from autodiff_compiler.nn import Dense
    from autodiff_compiler.nn.optim import Adam

    import autodiff_compiler

    assert by_path is autodiff_compiler.dataset is ds and vision_by_path is vision
    assert Dense is autodiff_compiler.nn.Dense and Adam is autodiff_compiler.nn.Adam


IMAGE = np.arange(5 * 6 * 3, dtype=np.uint8).reshape(5, 6, 3)


def test_center_crop_and_flips_as_mindspore():
    """Channel 0 of MindSpore 2.7.1's results on this image (measured)."""
    np.testing.assert_array_equal(vision.CenterCrop(3)(IMAGE)[:, :, 0],
                                  [[21, 24, 27], [39, 42, 45], [57, 60, 63]])
    np.testing.assert_array_equal(vision.CenterCrop((2, 4))(IMAGE)[:, :, 0],
                                  [[21, 24, 27, 30], [39, 42, 45, 48]])
    padded = vision.CenterCrop(8)(IMAGE)[:, :, 0]
    assert padded.shape == (8, 8)
    np.testing.assert_array_equal(padded[2], [0, 0, 3, 6, 9, 12, 15, 0])
    np.testing.assert_array_equal(padded[:2], 0)
    np.testing.assert_array_equal(padded[7], 0)
    np.testing.assert_array_equal(vision.HorizontalFlip()(IMAGE)[0, :, 0], [15, 12, 9, 6, 3, 0])
    np.testing.assert_array_equal(vision.VerticalFlip()(IMAGE)[:, 0, 0], [72, 54, 36, 18, 0])


def test_to_tensor_is_chw_over_255():
    tensor = vision.ToTensor()(IMAGE[:2, :3])
    assert tensor.shape == (3, 2, 3) and tensor.dtype == np.float32
    np.testing.assert_allclose(tensor[0, 0], np.array([0, 3, 6]) / 255, rtol=1e-6)


def test_random_flips_follow_the_seeded_state():
    flips = []
    for _ in range(2):
        config.set_seed(3)
        flips.append([vision.RandomHorizontalFlip()(IMAGE)[0, 0, 0] for _ in range(8)])
    assert flips[0] == flips[1] and set(flips[0]) == {0, 15}
    assert vision.RandomVerticalFlip(prob=0.0)(IMAGE)[0, 0, 0] == 0


def test_random_crops_are_windows_of_the_padded_image_at_seeded_offsets():
    """The CIFAR-10 augmentation of MindSpore's ResNet tutorial, ``RandomCrop((32, 32),
    (4, 4, 4, 4))``: each crop is a window of the padded image, every offset occurs,
    and the seed repeats them."""
    padded = vision.Pad(2)(IMAGE)
    crops = []
    for _ in range(2):
        config.set_seed(5)
        crops.append([vision.RandomCrop((4, 3), 2)(IMAGE) for _ in range(500)])
    offsets = set()
    for crop, again in zip(*crops):
        np.testing.assert_array_equal(crop, again)
        found = [(t, s) for t in range(padded.shape[0] - 3) for s in range(padded.shape[1] - 2)
                 if np.array_equal(padded[t:t + 4, s:s + 3], crop)]
        assert crop.shape == (4, 3, 3) and found
        offsets.update(found)
    assert len(offsets) == (padded.shape[0] - 3) * (padded.shape[1] - 2)
    with pytest.raises(ValueError, match="pad_if_needed"):
        vision.RandomCrop(7)(IMAGE)
    grown = vision.RandomCrop(7, pad_if_needed=True)(IMAGE)
    assert grown.shape == (7, 7, 3) and grown.sum() <= IMAGE.sum()


class _RandomAccess:
    def __getitem__(self, i):
        return (np.array(i),)

    def __len__(self):
        return 7


def _read(dataset):
    return [int(row[0]) for row in dataset.create_tuple_iterator(output_numpy=True)]


# Rows read, as MindSpore 2.7.1 reads them (measured) from a source of 0..6.
SAMPLED = [
    ("distributed_0", {"sampler": ds.DistributedSampler(3, 0, shuffle=False)}, [0, 3, 6]),
    ("distributed_1", {"sampler": ds.DistributedSampler(3, 1, shuffle=False)}, [1, 4, 0]),
    ("shard_2_of_3", {"num_shards": 3, "shard_id": 2, "shuffle": False}, [2, 5, 1]),
    ("distributed_capped", {"sampler": ds.DistributedSampler(3, 0, False, num_samples=2)},
     [0, 3]),
    ("sequential", {"sampler": ds.SequentialSampler(start_index=2, num_samples=3)}, [2, 3, 4]),
    ("subset", {"sampler": ds.SubsetSampler([5, 1, 3])}, [5, 1, 3]),
]


@pytest.mark.parametrize("source", ["slices", "generator"])
@pytest.mark.parametrize(("kwargs", "want"), [c[1:] for c in SAMPLED],
                         ids=[c[0] for c in SAMPLED])
def test_samplers_and_shards_read_the_rows_mindspore_reads(source, kwargs, want):
    dataset = ds.NumpySlicesDataset(np.arange(7), ["x"], **kwargs) if source == "slices" \
        else ds.GeneratorDataset(_RandomAccess(), ["x"], **kwargs)
    assert _read(dataset) == want and dataset.get_dataset_size() == len(want)


def test_random_samplers_draw_from_their_rows_and_repeat_with_the_seed():
    subset = ds.SubsetRandomSampler([5, 1, 3])
    config.set_seed(3)
    first = _read(ds.NumpySlicesDataset(np.arange(7), ["x"], sampler=subset))
    config.set_seed(3)
    assert _read(ds.NumpySlicesDataset(np.arange(7), ["x"], sampler=subset)) == first
    assert sorted(first) == [1, 3, 5]
    weighted = ds.WeightedRandomSampler([0, 0, 1, 0, 0, 0, 1], num_samples=20)
    assert set(_read(ds.NumpySlicesDataset(np.arange(7), ["x"], sampler=weighted))) <= {2, 6}
    drawn = _read(ds.NumpySlicesDataset(np.arange(7), ["x"],
                                        sampler=ds.RandomSampler(replacement=True,
                                                                 num_samples=9)))
    assert len(drawn) == 9 and set(drawn) <= set(range(7))


def test_a_generator_cannot_be_sampled_or_sharded():
    def rows():
        yield (np.array(1.0),)
    with pytest.raises(ValueError, match="random-access source"):
        ds.GeneratorDataset(rows, ["x"], num_shards=2, shard_id=0)


def test_zip_and_concat_as_mindspore():
    letters = ds.NumpySlicesDataset({"a": np.arange(3)}, shuffle=False)
    tens = ds.NumpySlicesDataset({"b": np.arange(5) * 10}, shuffle=False)
    zipped = ds.zip((letters, tens))
    assert zipped.get_col_names() == ["a", "b"] and zipped.get_dataset_size() == 3
    assert [(int(a), int(b)) for a, b in zipped.create_tuple_iterator(output_numpy=True)] \
        == [(0, 0), (1, 10), (2, 20)]
    joined = letters + ds.NumpySlicesDataset({"a": np.arange(2) + 7}, shuffle=False)
    assert _read(joined) == [0, 1, 2, 7, 8] and joined.get_dataset_size() == 5
    batched = letters.zip(tens).batch(2)
    assert [b.tolist() for _, b in batched.create_tuple_iterator(output_numpy=True)] == \
        [[0, 10], [20]]
    with pytest.raises(ValueError, match="share the column names"):
        ds.zip((letters, letters))


def test_split_deals_the_rows_as_mindspore_does():
    """Measured in MindSpore 2.10: fractions are rounded and the first split takes what
    rounding left over (10 rows in thirds: 4, 3, 3); without ``randomize`` in order."""
    data = ds.NumpySlicesDataset(np.arange(10, dtype=np.float32), column_names=["v"],
                                 shuffle=False)
    train, test = data.split([0.8, 0.2], randomize=False)
    assert (train.get_dataset_size(), test.get_dataset_size()) == (8, 2)
    assert [float(r[0]) for r in test.create_tuple_iterator(output_numpy=True)] == [8.0, 9.0]
    parts = data.split([0.33, 0.33, 0.34])
    assert [p.get_dataset_size() for p in parts] == [4, 3, 3]
    dealt = sorted(float(r[0]) for p in parts for r in p.create_tuple_iterator(output_numpy=True))
    assert dealt == list(range(10))  # every row once
    assert [p.get_dataset_size() for p in data.split([3, 7], randomize=False)] == [3, 7]
    with pytest.raises(ValueError, match="add up"):
        data.split([3, 6])


def test_batch_maps_each_batchs_columns_with_per_batch_map():
    """``batch(per_batch_map=..., input_columns=...)``: the function gets each column's
    list of values and a BatchInfo, and its columns are stacked (MindSpore 2.10:
    [[0, 10, 20], [30, 40, 50]])."""
    data = ds.NumpySlicesDataset({"x": np.arange(6, dtype=np.float32)}, shuffle=False)
    tens = data.batch(3, per_batch_map=lambda x, info: ([a * 10 for a in x],),
                      input_columns=["x"])
    assert [t[0].tolist() for t in tens.create_tuple_iterator(output_numpy=True)] == [
        [0.0, 10.0, 20.0], [30.0, 40.0, 50.0]]
    two = ds.NumpySlicesDataset({"x": np.arange(5.0), "y": np.arange(5)}, shuffle=False).batch(
        2, per_batch_map=lambda x, y, info: (np.array(x) + info.get_batch_num(),
                                             [v * 2 for v in y]),
        input_columns=["x", "y"], output_columns=["a", "b"])
    assert two.get_col_names() == ["a", "b"]
    batches = [[c.tolist() for c in t] for t in two.create_tuple_iterator(output_numpy=True)]
    assert batches == [[[0.0, 1.0], [0, 2]], [[3.0, 4.0], [4, 6]], [[6.0], [8]]]

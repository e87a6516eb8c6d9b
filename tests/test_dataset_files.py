"""The file-reading sources (``FashionMnistDataset``, ``Cifar100Dataset``,
``TextFileDataset``, ``CSVDataset``, ``ImageFolderDataset``) on small files written here,
against what MindSpore 2.10 gave on the same files (measured; the expected values below
are its outputs)."""
from __future__ import annotations

import numpy as np
import pytest

from autodiff_compiler.mindspore import dataset as ds


def _rows(data, column=None):
    rows = list(data.create_dict_iterator(output_numpy=True, num_epochs=1))
    return rows if column is None else [r[column].item() for r in rows]


def _write_idx(path, magic, array):
    header = np.array([magic, *array.shape], dtype=">u4")
    path.write_bytes(header.tobytes() + array.astype(np.uint8).tobytes())


def test_fashion_mnist_reads_mnists_files_test_part_first(tmp_path):
    _write_idx(tmp_path / "train-images-idx3-ubyte", 2051, np.full((3, 28, 28), 5))
    _write_idx(tmp_path / "train-labels-idx1-ubyte", 2049, np.array([7, 1, 4]))
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", 2051, np.ones((2, 28, 28)))
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", 2049, np.array([9, 8]))
    data = ds.FashionMnistDataset(str(tmp_path), shuffle=False)
    rows = _rows(data)
    assert data.get_col_names() == ["image", "label"]
    assert [int(r["label"]) for r in rows] == [9, 8, 7, 1, 4]
    assert rows[0]["image"].shape == (28, 28, 1) and rows[0]["image"].dtype == np.uint8
    assert rows[0]["label"].dtype == np.uint32 and int(rows[2]["image"][0, 0, 0]) == 5
    with pytest.raises(ValueError, match=r"FashionMnistDataset.*downloads nothing"):
        ds.FashionMnistDataset(str(tmp_path / "nothing"))


def _write_cifar100(path, count, base):
    records = np.zeros((count, 3074), np.uint8)
    records[:, 0] = (np.arange(count) + base) % 20  # coarse label
    records[:, 1] = (np.arange(count) + 10 + base) % 100  # fine label
    records[:, 2] = 11  # red at (0, 0)
    records[:, 3] = np.arange(count)  # red at (0, 1)
    records[:, 2 + 1024] = 200  # green at (0, 0)
    records[:, 2 + 2048 + 33] = 77  # blue at (1, 1)
    records.tofile(path)


def test_cifar100_columns_and_order_as_mindspore(tmp_path):
    """MindSpore 2.10 on these records (50000 and 10000 of them: it reads no other
    count): "all" reads test.bin before train.bin; shard 1 of 2 of the test rows is rows
    1, 3, 5...; labels uint32 scalars."""
    _write_cifar100(tmp_path / "train.bin", 5, 0)
    _write_cifar100(tmp_path / "test.bin", 3, 50)
    data = ds.Cifar100Dataset(str(tmp_path), shuffle=False)
    assert data.get_col_names() == ["image", "coarse_label", "fine_label"]
    rows = _rows(data)
    assert [(int(r["coarse_label"]), int(r["fine_label"])) for r in rows] == \
        [(10, 60), (11, 61), (12, 62), (0, 10), (1, 11), (2, 12), (3, 13), (4, 14)]
    image = rows[4]["image"]
    assert image.shape == (32, 32, 3) and image.dtype == np.uint8
    assert image[0, 0].tolist() == [11, 200, 0] and image[0, 1].tolist() == [1, 0, 0]
    assert image[1, 1].tolist() == [0, 0, 77]
    assert all(r[k].dtype == np.uint32 and r[k].shape == ()
               for r in rows for k in ("coarse_label", "fine_label"))
    shard = ds.Cifar100Dataset(str(tmp_path), usage="test", shuffle=False, num_shards=2,
                               shard_id=1)
    assert _rows(shard, "coarse_label") == [11, 10]
    assert ds.Cifar100Dataset(str(tmp_path), usage="train").get_dataset_size() == 5
    (tmp_path / "test.bin").unlink()
    assert ds.Cifar100Dataset(str(tmp_path), shuffle=False).get_dataset_size() == 5
    with pytest.raises(ValueError, match=r"test\.bin is missing"):
        ds.Cifar100Dataset(str(tmp_path), usage="test")


# Files a.txt (a1..a5), b.txt (b1, b2), c.txt (c1..c3), or three of five lines each.
SHORT = {"a": 5, "b": 2, "c": 3}
EVEN = {"a": 5, "b": 5, "c": 5}
# MindSpore 2.10's rows, measured (shuffle=False; num_parallel_workers as given).
TEXT_ORDERS = [
    (SHORT, dict(num_parallel_workers=1), "a1 a2 a3 a4 a5 b1 b2 c1 c2 c3"),
    (SHORT, dict(num_parallel_workers=2), "a1 b1 a2 b2 a3 a4 a5 c1 c2 c3"),
    (SHORT, dict(num_parallel_workers=2, num_samples=7), "a1 b1 a2 b2 a3 a4 a5"),
    (SHORT, dict(num_parallel_workers=2, num_shards=2, shard_id=0), "a1 a2 a3 a4 a5"),
    (SHORT, dict(num_parallel_workers=2, num_shards=2, shard_id=1), "b1 c1 b2 c2 c3"),
    (SHORT, dict(num_parallel_workers=2, num_shards=3, shard_id=2), "c2 a1 c3 a2"),
    (SHORT, dict(num_parallel_workers=1, num_shards=3, shard_id=2), "c2 c3 a1 a2"),
    (EVEN, dict(num_parallel_workers=2),
     "a1 b1 a2 b2 a3 b3 a4 b4 a5 b5 c1 c2 c3 c4 c5"),
    (EVEN, dict(num_parallel_workers=1, num_shards=2, shard_id=0),
     "a1 a2 a3 a4 a5 b1 b2 b3"),
    (EVEN, dict(num_parallel_workers=1, num_shards=2, shard_id=1),
     "b4 b5 c1 c2 c3 c4 c5 a1"),
    (EVEN, dict(num_parallel_workers=1, num_shards=4, shard_id=3), "c3 c4 c5 a1"),
]


def _write_lines(folder, counts):
    for name, n in counts.items():
        (folder / f"{name}.txt").write_text("".join(f"{name}{i}\n" for i in range(1, n + 1)))
    return [str(folder / f"{name}.txt") for name in reversed(list(counts))]  # sorted on read


@pytest.mark.parametrize("counts, kwargs, want", TEXT_ORDERS)
def test_text_files_rows_in_mindspores_order(tmp_path, counts, kwargs, want):
    data = ds.TextFileDataset(_write_lines(tmp_path, counts), shuffle=False, **kwargs)
    assert data.get_col_names() == ["text"]
    assert _rows(data, "text") == want.split()
    assert data.get_dataset_size() == len(want.split())


def test_text_lines_keep_spaces_and_skip_empty_lines(tmp_path):
    (tmp_path / "a.txt").write_text("first line\nsecond\n\nfourth  \n")
    (tmp_path / "b.txt").write_text("b1\nb2")
    data = ds.TextFileDataset(str(tmp_path / "*.txt"), shuffle=False, num_parallel_workers=2)
    rows = _rows(data)
    assert [r["text"].item() for r in rows] == ["first line", "b1", "second", "b2", "fourth  "]
    assert rows[0]["text"].shape == () and rows[0]["text"].dtype.kind == "U"
    (tmp_path / "crlf.text").write_bytes(b"a\r\nb\r\n\r\nc")  # "\r" kept, as MindSpore's
    assert _rows(ds.TextFileDataset(str(tmp_path / "crlf.text"), shuffle=False), "text") == \
        ["a\r", "b\r", "\r", "c"]


def test_text_shuffling_permutes_and_repeats_with_the_seed(tmp_path):
    files = _write_lines(tmp_path, EVEN)
    orders = []
    for shuffle in (True, ds.Shuffle.GLOBAL, ds.Shuffle.FILES, ds.Shuffle.INFILE):
        ds.config.set_seed(3)
        first = _rows(ds.TextFileDataset(files, shuffle=shuffle, num_parallel_workers=1), "text")
        ds.config.set_seed(3)
        again = _rows(ds.TextFileDataset(files, shuffle=shuffle, num_parallel_workers=1), "text")
        assert first == again and sorted(first) == sorted(_rows(
            ds.TextFileDataset(files, shuffle=False), "text"))
        orders.append(first)
    files_order, infile_order = orders[2], orders[3]  # one worker: a file at a time
    assert all(files_order[k:k + 5] == [f"{files_order[k][0]}{i}" for i in range(1, 6)]
               for k in (0, 5, 10))
    assert [sorted(infile_order[k:k + 5]) for k in (0, 5, 10)] == [
        [f"{name}{i}" for i in range(1, 6)] for name in "abc"] and infile_order != sorted(
        infile_order)


CSV_CASES = [  # (file text, keyword arguments, the columns, the rows MindSpore 2.10 gave)
    ("1,2.5,hello,x\n3,,world,y\n5,6.25,\"q,uoted\",z\n", dict(column_names=list("ifst")),
     list("ifst"), [["1", "2.5", "hello", "x"], ["3", "", "world", "y"],
                    ["5", "6.25", "q,uoted", "z"]]),
    ("a,b,c\n1,2,3\n4,5,6\n", {}, list("abc"), [["1", "2", "3"], ["4", "5", "6"]]),
    ("a,b,c\n1,2,3\n4,5,6\n", dict(column_defaults=[0, 0, 0]), list("abc"),
     [[1, 2, 3], [4, 5, 6]]),
    ("7;8.5;b;w\n", dict(field_delim=";", column_names=list("ifst"),
                         column_defaults=[0, 0.0, "", ""]), list("ifst"), [[7, 8.5, "b", "w"]]),
    ("9,1.5,s\n", dict(column_names=list("ifs"), column_defaults=[0]), list("ifs"),
     [[9, "1.5", "s"]]),
    ("9,1.5,s\n", dict(column_names=list("ifs"), column_defaults=[0.0, 0, ""]), list("ifs"),
     [[9.0, 1, "s"]]),  # "1.5" read as an int is 1, as C's stoi reads it
    ('1,,x\n,2.5,\n3,4,"a""b"\n', dict(column_names=list("ifs")), list("ifs"),
     [["1", "", "x"], ["", "2.5", ""], ["3", "4", 'a"b']]),
    ("a,b\n,x\n", dict(column_names=list("ab"), column_defaults=["", "q"]), list("ab"),
     [["a", "b"], ["", "x"]]),
    ("1,2,3\n1,2,3\n1,2,3\n", dict(column_names=list("abc"), num_samples=2), list("abc"),
     [["1", "2", "3"]] * 2),
    ("1,2\n\n3,4\n", dict(column_names=list("ab")), list("ab"), [["1", "2"], ["3", "4"]]),
    ('x,y\n"multi\nline",5\n', {}, list("xy"), [["multi\nline", "5"]]),
    ("1,2\n3,4\n5,6\n", dict(column_names=list("ab"), num_samples=1, num_shards=2,
                              shard_id=1), list("ab"), [["5", "6"]]),
]


@pytest.mark.parametrize("text, kwargs, names, want", CSV_CASES)
def test_csv_as_mindspore(tmp_path, text, kwargs, names, want):
    (tmp_path / "f.csv").write_text(text)
    data = ds.CSVDataset([str(tmp_path / "f.csv")], shuffle=False, **kwargs)
    assert data.get_col_names() == names
    rows = _rows(data)
    assert [[r[n].item() for n in names] for r in rows] == want
    kinds = {int: np.int32, float: np.float32, str: np.str_}
    assert all(r[n].shape == () and r[n].dtype.type is kinds[type(v)]
               for r, values in zip(rows, want) for n, v in zip(names, values))


def test_csv_headers_of_every_file_are_skipped_and_files_interleave(tmp_path):
    """Each file's header is skipped; two files, two workers: MindSpore 2.10's order."""
    (tmp_path / "g.csv").write_text("a,b\n9,s\n")
    (tmp_path / "e.csv").write_text("a,b\n1,x\n2,y\n3,z\n")
    data = ds.CSVDataset([str(tmp_path / "g.csv"), str(tmp_path / "e.csv")], shuffle=False,
                         num_parallel_workers=2)
    assert _rows(data, "a") == ["1", "9", "2", "3"]


@pytest.mark.parametrize("text, kwargs, message", [
    ("1,,x\n", dict(column_names=list("ifs"), column_defaults=[7, 1.25, ""]), "not a float"),
    ("1,x\n", dict(column_names=list("ab"), column_defaults=[0, 0]), "'x' is not a int"),
    ("1,2,3,4\n", dict(column_names=list("ab")), "4 fields, not one per column"),
    ("1\n", dict(column_names=list("ab")), "1 fields, not one per column"),
])
def test_csv_fields_mindspore_refuses_are_errors(tmp_path, text, kwargs, message):
    (tmp_path / "f.csv").write_text(text)
    with pytest.raises(ValueError, match=message):
        _rows(ds.CSVDataset(str(tmp_path / "f.csv"), shuffle=False, **kwargs))


def test_file_lists_are_checked():
    with pytest.raises(ValueError, match="does not exist"):
        ds.TextFileDataset("/no/such/file.txt")
    with pytest.raises(ValueError, match="no files match"):
        ds.CSVDataset("/no/such/folder/*.csv")


def _write_folders(root, files):
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    (root / "empty").mkdir()


FOLDERS = {f"{cls}/{name}": f"{cls}:{name}".encode()
           for cls in ("dog", "cat", "bird") for name in ("1.png", "0.jpg", "notes.txt")}


@pytest.mark.parametrize("kwargs, want_files, want_labels, indexing", [
    # MindSpore 2.10 (measured): sorted folders numbered (the empty one too), files
    # sorted, every file without `extensions`; with class_indexing only its folders, still
    # in folder-name order.
    ({}, [f"{c}/{n}" for c in ("bird", "cat", "dog") for n in ("0.jpg", "1.png", "notes.txt")],
     [0, 0, 0, 1, 1, 1, 2, 2, 2], {"bird": 0, "cat": 1, "dog": 2, "empty": 3}),
    (dict(extensions=[".jpg"]), ["bird/0.jpg", "cat/0.jpg", "dog/0.jpg"], [0, 1, 2], None),
    (dict(extensions=[".jpg"], class_indexing={"cat": 5, "dog": 0, "bird": 2}),
     ["bird/0.jpg", "cat/0.jpg", "dog/0.jpg"], [2, 5, 0], {"cat": 5, "dog": 0, "bird": 2}),
    (dict(extensions=[".jpg"], class_indexing={"cat": 5}), ["cat/0.jpg"], [5], {"cat": 5}),
    (dict(extensions=[".jpg"], num_shards=2, shard_id=1), ["cat/0.jpg", "bird/0.jpg"], [1, 0],
     None),
])
def test_image_folder_rows_as_mindspore(tmp_path, kwargs, want_files, want_labels, indexing):
    _write_folders(tmp_path, FOLDERS)
    data = ds.ImageFolderDataset(str(tmp_path), shuffle=False, **kwargs)
    rows = _rows(data)
    assert data.get_col_names() == ["image", "label"] and data.get_dataset_size() == len(rows)
    assert [r["image"].tobytes() for r in rows] == [FOLDERS[f] for f in want_files]
    assert [int(r["label"]) for r in rows] == want_labels
    assert all(r["image"].dtype == np.uint8 and r["image"].ndim == 1 and
               r["label"].dtype == np.int32 and r["label"].shape == () for r in rows)
    if indexing is not None:
        assert data.get_class_indexing() == indexing


def test_image_folder_decodes_as_mindspore(tmp_path):
    """PNG (RGB, grey, RGBA) decoded to (H, W, 3) uint8: grey repeated, alpha dropped,
    as MindSpore 2.10's ``decode=True`` and ``vision.Decode`` gave (measured)."""
    image = pytest.importorskip("PIL.Image")
    pixels = np.random.default_rng(0).integers(0, 256, (4, 5, 3)).astype(np.uint8)
    (tmp_path / "c").mkdir()
    image.fromarray(pixels).save(tmp_path / "c" / "rgb.png")
    image.fromarray(pixels[..., 0]).save(tmp_path / "c" / "grey.png")
    image.fromarray(np.dstack([pixels, pixels[..., :1]])).save(tmp_path / "c" / "rgba.png")
    rows = _rows(ds.ImageFolderDataset(str(tmp_path), decode=True, shuffle=False))
    grey, rgb, rgba = (r["image"] for r in rows)
    assert rgb.shape == (4, 5, 3) and rgb.dtype == np.uint8
    np.testing.assert_array_equal(rgb, pixels)
    np.testing.assert_array_equal(rgba, pixels)
    np.testing.assert_array_equal(grey, np.repeat(pixels[..., :1], 3, axis=2))
    encoded = np.fromfile(tmp_path / "c" / "rgb.png", np.uint8)
    np.testing.assert_array_equal(ds.vision.Decode()(encoded), pixels)
    np.testing.assert_array_equal(ds.vision.Decode()(encoded.tobytes()), pixels)
    with pytest.raises(ValueError, match="not an image"):
        ds.vision.Decode()(np.frombuffer(b"x", np.uint8))


def test_decoding_without_pillow_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        ds.vision.Decode()(np.zeros(8, np.uint8))

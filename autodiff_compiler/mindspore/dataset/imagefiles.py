"""Image files: ``ImageFolderDataset`` (a folder per class) and the decoding behind it and
``vision.Decode``.

Decoding JPEG and PNG is Pillow's job, an optional dependency (the ``examples`` extra):
nothing here imports it until an image is decoded, and without it decoding says to
``pip install pillow``. Reading the files undecoded needs nothing.
"""
from __future__ import annotations

import io
import os
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from .engine import Dataset, Row
from .samplers import sampler_of


def pillow() -> Any:
    """Pillow's ``Image`` module, or an error saying how to install it."""
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("Decoding JPEG and PNG images (vision.Decode, ImageFolderDataset "
                          "with decode=True) needs Pillow: pip install pillow") from error
    return Image


def decode_image(data: Any) -> np.ndarray:
    """Encoded image bytes (``bytes`` or a uint8 array) as an (H, W, 3) uint8 RGB array:
    grey images repeated into three channels and alpha dropped, as MindSpore 2.10 decodes
    them (measured)."""
    image_module = pillow()
    raw = data if isinstance(data, bytes) else np.asarray(data, np.uint8).tobytes()
    try:
        with image_module.open(io.BytesIO(raw)) as image:
            return np.asarray(image.convert("RGB"), np.uint8).copy()
    except (OSError, SyntaxError, ValueError) as error:
        raise ValueError(f"Decode: these {len(raw)} bytes are not an image Pillow can read "
                         f"({error})") from error


class ImageFolderDataset(Dataset):
    """The images in ``dataset_dir``'s sub-folders, a folder per class: columns ``image``
    (the file's bytes, uint8 1-D, or decoded to (H, W, 3) uint8 with ``decode=True``)
    and ``label`` (int32). As MindSpore 2.10 does (measured): classes are the folders'
    sorted names numbered from 0 (empty folders too) unless ``class_indexing`` maps
    names to labels, and then only its folders are read; rows go folder by folder in
    name order, files in name order; ``extensions`` (e.g. ``[".jpg"]``) keeps only
    files ending so, and without it every file is read. Shuffled by default; a sampler
    or shards pick rows as they do for any random-access source."""

    def __init__(self, dataset_dir: str, num_samples: int | None = None,
                 num_parallel_workers: int | None = None, shuffle: bool | None = None,
                 sampler: Any = None, extensions: Sequence[str] | None = None,
                 class_indexing: dict[str, int] | None = None, decode: bool = False,
                 num_shards: int | None = None, shard_id: int | None = None,
                 cache: Any = None, decrypt: Any = None) -> None:
        if not os.path.isdir(dataset_dir):
            raise ValueError(f"ImageFolderDataset: the folder {dataset_dir} does not exist "
                             "or is not a directory")
        folders = sorted(e.name for e in os.scandir(dataset_dir) if e.is_dir())
        if class_indexing is None:
            class_indexing = {name: label for label, name in enumerate(folders)}
        missing = sorted(set(class_indexing) - set(folders))
        if missing:
            raise ValueError(f"ImageFolderDataset: class_indexing names folders that are "
                             f"not in {dataset_dir}: {missing}")
        self.class_indexing = dict(class_indexing)
        self.files: list[tuple[str, int]] = []
        for folder in sorted(class_indexing):
            path = os.path.join(dataset_dir, folder)
            for name in sorted(e.name for e in os.scandir(path) if e.is_file()):
                if extensions is None or any(name.endswith(x) for x in extensions):
                    self.files.append((os.path.join(path, name), class_indexing[folder]))
        super().__init__(["image", "label"])
        self.decode = decode
        self.sampler = sampler_of(sampler, shuffle, num_shards, shard_id, num_samples)

    def get_class_indexing(self) -> dict[str, int]:
        return dict(self.class_indexing)

    def size(self) -> int:
        return self.sampler.count(len(self.files))

    def rows(self) -> Iterator[Row]:
        for i in self.sampler.indices(len(self.files)):
            path, label = self.files[int(i)]
            data = np.fromfile(path, np.uint8)
            yield (decode_image(data) if self.decode else data), np.array(label, np.int32)

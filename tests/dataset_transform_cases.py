"""Dataset operations written to run on MindSpore or on this package (``measure(ms)``):
``vision.Resize`` (nearest and linear, uint8 and float32 images, up and down, the
shorter side set by an int), ``vision.Pad`` in each border mode, and the column
transforms of text pipelines. ``data/measure_mindspore_dataset_transforms.py``
records MindSpore's results."""
from __future__ import annotations

from typing import Any

import numpy as np

SIZES = [(16, 16), (8, 9), (3, 4), 4, (20, 5)]
SHAPES = [(5, 7, 3), (12, 10), (13, 9, 1)]


def _images() -> list[np.ndarray]:
    rng = np.random.default_rng(1)
    return [rng.integers(0, 256, size=s).astype(np.uint8) for s in SHAPES] + \
        [rng.random(s).astype(np.float32) for s in SHAPES]


def resizes(ms: Any) -> list[dict[str, Any]]:
    vision = ms.dataset.vision
    out = []
    for k, image in enumerate(_images()):
        for size in SIZES:
            for mode in ("NEAREST", "LINEAR"):
                resized = np.asarray(vision.Resize(size, getattr(vision.Inter, mode))(image))
                out.append({"image": k, "size": size, "mode": mode,
                            "dtype": str(resized.dtype), "values": resized.tolist()})
    return out


def pads_and_transforms(ms: Any) -> dict[str, Any]:
    vision, tr = ms.dataset.vision, ms.dataset.transforms
    relational = tr.Relational
    image = _images()[0][:3, :3]
    x, m = np.array([1, 2, 3], np.int32), np.array([[1, 2], [3, 4]], np.int32)
    cases = {
        "pad_all": vision.Pad(2)(image),
        "pad_two": vision.Pad([1, 2], fill_value=7)(image),
        "pad_four": vision.Pad([1, 2, 3, 0])(image[..., 0]),
        "pad_per_channel": vision.Pad(1, fill_value=(1, 2, 3))(image),
        **{f"pad_{b}": vision.Pad(1, padding_mode=getattr(vision.Border, b))(image[..., 0])
           for b in ("EDGE", "REFLECT", "SYMMETRIC")},
        "pad_end_longer": tr.PadEnd([5], 0)(x), "pad_end_shorter": tr.PadEnd([2], 0)(x),
        "pad_end_matrix": tr.PadEnd([3, 3], -1)(m),
        "slice": tr.Slice(slice(0, 2))(x), "slice_list": tr.Slice([0, 2])(x),
        "slice_int": tr.Slice(1)(x), "slice_two_axes": tr.Slice(slice(0, 1), slice(1, 2))(m),
        "fill": tr.Fill(7)(x), "fill_float_into_ints": tr.Fill(2.5)(x),
        "mask_greater": tr.Mask(relational.GT, 1)(x),
        "mask_equal_as_ints": tr.Mask(relational.EQ, 2, ms.int32)(x),
        "mask_less_equal": tr.Mask(relational.LE, 2.5)(np.array([1.0, 3.0], np.float32)),
        "concatenate": tr.Concatenate(0, np.array([9], np.int32), np.array([8], np.int32))(x),
        "duplicate": tr.Duplicate()(x),
        "unique": tr.Unique()(np.array([[3, 1], [3, 2]], np.int32)),
        "random_apply_always": tr.RandomApply([tr.Fill(1)], prob=1.0)(x),
        "random_choice_of_one": tr.RandomChoice([tr.Fill(4)])(x),
    }
    return {k: ([np.asarray(v).tolist() for v in value] if isinstance(value, tuple)
                else [np.asarray(value).tolist(), str(np.asarray(value).dtype)])
            for k, value in cases.items()}


def measure(ms: Any) -> dict[str, Any]:
    return {"resizes": resizes(ms), "others": pads_and_transforms(ms)}

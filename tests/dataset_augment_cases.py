"""The augmentations' deterministic cases, written to run on MindSpore or on this package
(``measure(ms)``): ``RandomRotation`` at fixed angles, ``RandomResizedCrop`` where no
draw fits (its fallback crop) or the crop is the whole image, ``RandomColorAdjust`` with
fixed factors, ``Grayscale`` and ``RandomErasing`` where nothing is erased.
``data/measure_mindspore_dataset_augment.py`` records MindSpore's results; each case
names how closely this package must agree (``TOLERANCE``)."""
from __future__ import annotations

from typing import Any

import numpy as np

# How a case's values may differ from MindSpore's: "exact"; "resize": uint8 linear
# resizing (``vision.Resize``: one level at a few pixels in ten); "float": float32
# rounding; "hue": within a few levels (MindSpore turns hue in 8-bit HSV).
TOLERANCE = {"rot": "exact", "rrc nearest": "exact", "rrc linear": "resize",
             "rrc float": "float", "colour": "exact", "colour sat": "saturation",
             "colour float": "float", "colour hue": "hue", "grey": "exact", "erase": "exact"}
TOLERANCE.update({f"{kind} order": TOLERANCE[kind] for kind in ("colour", "colour sat",
                                                                "colour hue")})


def _images() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    return (rng.integers(0, 256, (6, 8, 3)).astype(np.uint8),
            rng.integers(0, 256, (9, 11, 3)).astype(np.uint8),
            np.arange(35, dtype=np.uint8).reshape(7, 5))


def _cases(ms: Any) -> dict[str, tuple[str, Any]]:
    """name: (tolerance, a thunk giving the output)."""
    vision = ms.dataset.vision
    inter = vision.Inter
    small, big, grey = _images()
    cases: dict[str, tuple[str, Any]] = {}
    for degrees in (0, 90, 180, 45, -17.3, 123):
        for expand in (False, True):
            for mode in ("NEAREST", "BILINEAR"):
                for name, image in (("uint8", big), ("float", big.astype(np.float32)),
                                    ("grey", grey))[:3 if mode == "BILINEAR" else 2]:
                    op = vision.RandomRotation((degrees, degrees), getattr(inter, mode), expand)
                    cases[f"rot {degrees} {expand} {mode} {name}"] = \
                        ("rot", lambda op=op, image=image: op(image))
    for center in ((0, 0), (2.5, 1), (7, 3)):
        op = vision.RandomRotation((33, 33), center=center)
        cases[f"rot centre {center}"] = ("rot", lambda op=op: op(big))
    cases["rot fill 7"] = ("rot", lambda: vision.RandomRotation(
        (20, 20), inter.BILINEAR, fill_value=7)(big))
    cases["rot fill rgb"] = ("rot", lambda: vision.RandomRotation(
        (20, 20), fill_value=(10, 100, 200))(big))
    for ratio in ((10, 10), (0.1, 0.1), (2, 2), (0.5, 0.5), (1.6, 1.6)):  # none fits
        for name, image in (("small", small), ("big", big)):
            for mode, kind in (("NEAREST", "rrc nearest"), ("BILINEAR", "rrc linear")):
                op = vision.RandomResizedCrop((5, 9), (1, 1), ratio, getattr(inter, mode))
                cases[f"rrc {ratio} {name} {mode}"] = (kind, lambda op=op, image=image: op(image))
    whole = vision.RandomResizedCrop((5, 9), scale=(1, 1), ratio=(11 / 9, 11 / 9))
    cases["rrc whole"] = ("rrc linear", lambda: whole(big))
    cases["rrc whole float"] = ("rrc float", lambda: whole(big.astype(np.float32)))
    for factors in (dict(brightness=(0.6, 0.6)), dict(brightness=(1.4, 1.4)),
                    dict(contrast=(0.3, 0.3)), dict(contrast=(0.5, 0.5)),
                    dict(saturation=(0.4, 0.4)), dict(saturation=(2.0, 2.0)),
                    dict(brightness=(0.6, 0.6), contrast=(0.5, 0.5)),
                    dict(brightness=(1.2, 1.2), saturation=(0.3, 0.3)),
                    dict(brightness=(2.0, 2.0), contrast=(0.5, 0.5), saturation=(1.5, 1.5)),
                    dict(hue=(0.2, 0.2)), dict(hue=(-0.4, -0.4)),
                    dict(saturation=(0.5, 0.5), hue=(0.1, 0.1)),
                    dict(brightness=(1.2, 1.2), hue=(0.1, 0.1))):
        op = vision.RandomColorAdjust(**factors)
        kind = "colour hue" if "hue" in factors else \
            "colour sat" if "saturation" in factors else "colour"
        if len(factors) > 1:  # applied in a random order: the test tries each
            kind += " order"
        cases[f"colour {sorted(factors.items())}"] = (kind, lambda op=op: op(big))
        if "hue" not in factors:  # MindSpore 2.10 turns a float image's hue into nonsense
            cases[f"colour {sorted(factors.items())} float"] = (
                "colour float", lambda op=op: op(big.astype(np.float32)))
    cases["colour identity"] = ("colour", lambda: vision.RandomColorAdjust()(big))
    cases["colour hue 0"] = ("colour", lambda: vision.RandomColorAdjust(hue=0)(big))
    try:
        from PIL import Image
    except ImportError:
        pass
    else:
        for channels in (1, 3):
            cases[f"grey {channels}"] = ("grey", lambda c=channels: vision.Grayscale(c)(
                Image.fromarray(big)))
    chw = big.transpose(2, 0, 1).astype(np.float32)
    cases["erase never"] = ("erase", lambda: vision.RandomErasing(prob=0)(chw))
    cases["erase nothing fits"] = ("erase", lambda: vision.RandomErasing(
        prob=1, scale=(1, 1), ratio=(1, 1))(chw))
    return cases


def measure(ms: Any) -> dict[str, Any]:
    out = {}
    for name, (kind, thunk) in _cases(ms).items():
        value = np.asarray(thunk())
        out[name] = {"kind": kind, "dtype": str(value.dtype), "values": value.tolist()}
    return out

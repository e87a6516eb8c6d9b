"""``vision.RandomResizedCrop``, ``RandomRotation``, ``RandomColorAdjust``, ``Grayscale``
and ``RandomErasing``: their deterministic cases against MindSpore 2.10's results
(``dataset_augment_cases``, ``data/mindspore_dataset_augment.json``), and their random
draws checked for range and spread (MindSpore's own draws cannot be reproduced)."""
from __future__ import annotations

import ast
import itertools
import json
import math
from pathlib import Path

import dataset_augment_cases
import numpy as np
import pytest
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler.mindspore.dataset import config, vision
from autodiff_compiler.mindspore.dataset.colour import adjust_colour

MEASURED = json.loads(
    (Path(__file__).parent / "data" / "mindspore_dataset_augment.json").read_text())
del MEASURED["mindspore"]

ours = measured_fixture(lambda: dataset_augment_cases.measure(ms))


@pytest.mark.parametrize("name", list(MEASURED))
def test_deterministic_cases_as_mindspore(ours, name):
    if name not in ours:
        pytest.skip("Grayscale's cases take Pillow images: Pillow is not installed")
    theirs, mine = MEASURED[name], ours[name]
    want, got = np.asarray(theirs["values"], float), np.asarray(mine["values"], float)
    if theirs["kind"].endswith(" order"):  # the order MindSpore drew: the closest one
        factors = {k: v[0] for k, v in ast.literal_eval(name[len("colour "):])}
        image = dataset_augment_cases._images()[1]
        got = min((adjust_colour(image, factors, order).astype(float)
                   for order in itertools.permutations(factors)),
                  key=lambda out: np.abs(out - want).sum())
    assert mine["dtype"] == theirs["dtype"] and got.shape == want.shape
    diff = np.abs(got - want)
    tolerance = dataset_augment_cases.TOLERANCE[theirs["kind"]]
    if tolerance == "exact":
        np.testing.assert_array_equal(got, want)
    elif tolerance == "float":
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-3)
    elif tolerance == "resize":  # vision.Resize's uint8 linear (see its docstring)
        assert diff.max() <= 1 and np.mean(diff > 0) < 0.1
    elif tolerance == "saturation":  # a few pixels in a thousand one level off
        assert diff.max() <= 1 and np.mean(diff > 0) < 0.01
    else:  # hue: MindSpore's 8-bit HSV
        assert diff.max() <= 12 and diff.mean() < 1.5


def test_grayscale_of_an_array_is_pillows_of_the_image():
    image_module = pytest.importorskip("PIL.Image")
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3)).astype(np.uint8)
    want = np.asarray(image_module.fromarray(rgb).convert("L"))
    np.testing.assert_array_equal(vision.Grayscale()(rgb), want[..., None])
    np.testing.assert_array_equal(vision.Grayscale(3)(rgb), np.dstack([want] * 3))


def test_random_resized_crop_draws_within_its_ranges():
    """Every draw that fits keeps its area within ``scale`` (up to rounding) and aspect
    within ``ratio``; a fixed crop size is a window of the image; draws repeat with the
    seed and spread over the range."""
    op = vision.RandomResizedCrop(8, scale=(0.2, 0.6), ratio=(0.5, 2.0))
    config.set_seed(1)
    boxes = [op.crop_box(40, 50) for _ in range(400)]
    config.set_seed(1)
    assert boxes == [op.crop_box(40, 50) for _ in range(400)]
    areas = np.array([h * w / 2000 for _, _, h, w in boxes])
    aspects = np.array([w / h for _, _, h, w in boxes])
    assert areas.min() > 0.17 and areas.max() < 0.63 and np.ptp(areas) > 0.3
    assert aspects.min() > 0.45 and aspects.max() < 2.2 and np.ptp(np.log(aspects)) > 1
    assert all(0 <= t <= 40 - h and 0 <= left <= 50 - w for t, left, h, w in boxes)
    image = np.arange(64 * 3, dtype=np.uint8).reshape(8, 8, 3)
    window = vision.RandomResizedCrop(4, scale=(0.25, 0.25), ratio=(1, 1),
                                      interpolation=vision.Inter.NEAREST)
    for _ in range(20):
        out = window(image)
        top, left = divmod(int(out[0, 0, 0]) // 3, 8)
        np.testing.assert_array_equal(out, image[top:top + 4, left:left + 4])


def test_random_rotation_draws_its_angle_in_range():
    """A bright square off-centre turns round the centre, to an angle within
    ``degrees``; draws spread over the range."""
    image = np.zeros((41, 41), np.uint8)
    image[19:22, 34:37] = 255  # 15 pixels right of the centre
    config.set_seed(0)
    angles = []
    for _ in range(60):
        y, x = np.argwhere(vision.RandomRotation((10, 80))(image) == 255).mean(axis=0)
        assert abs(math.hypot(y - 20, x - 20) - 15) <= 1
        angles.append(math.degrees(math.atan2(20 - y, x - 20)))  # anticlockwise
    assert min(angles) >= 6 and max(angles) <= 84 and max(angles) - min(angles) > 50


def test_random_color_adjust_brightness_spreads_over_its_range():
    grey = np.full((2, 2, 3), 100, np.uint8)
    config.set_seed(0)
    values = [int(vision.RandomColorAdjust(brightness=0.4)(grey)[0, 0, 0]) for _ in range(200)]
    assert min(values) >= 60 and max(values) <= 140 and max(values) - min(values) > 60
    with pytest.raises(ValueError, match="hue"):
        vision.RandomColorAdjust(hue=(0.2, 0.7))


def test_random_erasing_erases_one_rectangle_of_its_area_half_the_time():
    config.set_seed(0)
    image = np.ones((3, 30, 40), np.float32)
    erased = 0
    for _ in range(200):
        out = vision.RandomErasing(prob=0.5, scale=(0.1, 0.2), ratio=(0.5, 2), value=0)(image)
        zero = out[0] == 0
        assert (out[1] == 0).tolist() == zero.tolist() and image.min() == 1  # a copy
        if zero.any():
            erased += 1
            rows, cols = np.flatnonzero(zero.any(1)), np.flatnonzero(zero.any(0))
            assert zero.sum() == len(rows) * len(cols)  # one rectangle
            assert 0.08 <= zero.mean() <= 0.23
    assert 70 < erased < 130
    rgb = vision.RandomErasing(prob=1, value=(1, 2, 3))(np.zeros((3, 20, 20), np.float32))
    assert {float(v) for v in np.unique(rgb[2])} == {0.0, 3.0}
    noise = vision.RandomErasing(prob=1, value="random")(np.zeros((3, 20, 20), np.float32))
    assert np.count_nonzero(noise) > 0 and noise.dtype == np.float32


@pytest.mark.parametrize("make, error, message", [
    (lambda: vision.RandomRotation(10, vision.Inter.CUBIC), NotImplementedError,
     r"Inter\.CUBIC"),
    (lambda: vision.RandomResizedCrop(4, scale=(0.9, 0.1)), ValueError, "ordered"),
    (lambda: vision.RandomErasing(prob=2), ValueError, r"\[0, 1\]"),
    (lambda: vision.Grayscale(2), ValueError, "1 or 3"),
    (lambda: vision.RandomColorAdjust()(np.zeros((2, 2))), ValueError, r"\(H, W, 3\)"),
])
def test_bad_use_is_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()

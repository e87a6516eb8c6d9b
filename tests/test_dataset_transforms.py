"""``vision.Resize``, ``vision.Pad`` and the column transforms of text pipelines
(``PadEnd``, ``Slice``, ``Fill``, ``Mask``, ``Concatenate``, ``Duplicate``, ``Unique``,
``RandomApply``, ``RandomChoice``) against MindSpore 2.10's results
(``dataset_transform_cases``, ``data/mindspore_dataset_transforms.json``)."""
from __future__ import annotations

import json
from pathlib import Path

import dataset_transform_cases
import numpy as np
import pytest
from measured_fixture import measured_fixture

import autodiff_compiler as ms

MEASURED = json.loads(
    (Path(__file__).parent / "data" / "mindspore_dataset_transforms.json").read_text())


ours = measured_fixture(lambda: dataset_transform_cases.measure(ms))


@pytest.mark.parametrize("k", range(len(MEASURED["resizes"])))
def test_resize_as_mindspore(ours, k):
    """Nearest: bit for bit. Linear: float32 within 2e-6; uint8 in OpenCV's fixed point,
    a few pixels one level above MindSpore's (see ``vision.Resize``)."""
    theirs, ours = MEASURED["resizes"][k], ours["resizes"][k]
    want, got = np.asarray(theirs["values"]), np.asarray(ours["values"])
    assert ours["dtype"] == theirs["dtype"] and got.shape == want.shape
    if theirs["mode"] == "NEAREST":
        np.testing.assert_array_equal(got, want)
    elif theirs["dtype"] == "float32":
        np.testing.assert_allclose(got, want, atol=2e-6)
    else:
        assert np.abs(got - want).max() <= 1 and np.mean(got != want) < 0.05


@pytest.mark.parametrize("name", list(MEASURED["others"]))
def test_pads_and_column_transforms_as_mindspore(ours, name):
    assert ours["others"][name] == MEASURED["others"][name]


def test_resize_refuses_modes_not_written():
    with pytest.raises(NotImplementedError, match=r"Inter\.CUBIC"):
        ms.dataset.vision.Resize(4, ms.dataset.vision.Inter.CUBIC)


# PadEnd on strings (MindSpore 2.10, measured): '' by default, the dtype widened to fit
# the pad, or narrowed to what is left after a cut.
STRING_PADS = [
    ([4], "<pad>", ["a", "bb", "<pad>", "<pad>"], "<U5"),
    ([4], None, ["a", "bb", "", ""], "<U2"),
    ([1], "x", ["a"], "<U1"),
]


@pytest.mark.parametrize(("shape", "pad", "values", "dtype"), STRING_PADS)
def test_pad_end_pads_strings_as_mindspore(shape, pad, values, dtype):
    padded = ms.dataset.transforms.PadEnd(shape, pad)(np.array(["a", "bb"]))
    assert padded.tolist() == values and str(padded.dtype) == dtype

"""``Model.fit`` and the callbacks that act on its evaluation (``EarlyStopping``,
``ReduceLROnPlateau``) or on each step (``LearningRateScheduler``), against MindSpore
2.10's runs of the same programs (``fit_cases``, ``data/mindspore_fit.json``): what
each epoch's end sees, when training stops, the learning rates and the weights."""
from __future__ import annotations

import json
from pathlib import Path

import fit_cases
import numpy as np
import pytest
from autodiff_compiler.train import EarlyStopping, Model, ReduceLROnPlateau
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import nn

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_fit.json").read_text())


ours = measured_fixture(lambda: fit_cases.measure(ms))


def _close(ours, theirs):
    """Equal structure; numbers to float32 training's rounding."""
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _close(a, b)
    elif isinstance(theirs, float):
        assert ours == pytest.approx(theirs, rel=1e-4, abs=1e-5)
    else:
        assert ours == theirs


@pytest.mark.parametrize("case", [k for k in MEASURED if k != "mindspore"])
def test_fit_runs_as_mindspores(ours, case):
    for key in ("log", "weight", "learning_rate"):
        _close(ours[case][key], MEASURED[case][key])


def test_early_stopping_stops_where_the_loss_stops_improving(ours):
    stops = [row[1] for row in ours["early_stopping_on_eval_loss"]["log"]
             if row[0] == "epoch_end"]
    assert stops == [1, 2] and len(stops) < 8


def test_fit_and_the_callbacks_refuse_bad_settings():
    model = Model(nn.Dense(4, 2), nn.SoftmaxCrossEntropyWithLogits(sparse=True),
                  nn.Momentum(nn.Dense(4, 2).trainable_params(), 0.1, 0.9))
    data = ms.dataset.NumpySlicesDataset({"x": np.zeros((4, 4), np.float32),
                                          "y": np.zeros(4, np.int32)}).batch(2)
    with pytest.raises(ValueError, match="'metrics' can not be None"):
        model.fit(1, data, data)
    with pytest.raises(ValueError, match="must bigger than"):
        model.fit(1, data, initial_epoch=1)
    with pytest.raises(ValueError, match="mode should be"):
        EarlyStopping(mode="lowest")
    with pytest.raises(ValueError, match="factor"):
        ReduceLROnPlateau(factor=1.5)

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


def test_history_records_as_mindspores():
    """``History`` after ``fit`` (evaluating after epochs 1 and 3) and a further
    ``train``: ``epoch`` is made anew per run, ``history`` kept, with each evaluation's
    metrics. Measured on MindSpore 2.10."""
    net = nn.Dense(4, 2)
    net.weight.set_data(ms.Tensor(np.linspace(-1, 1, 8).reshape(2, 4).astype(np.float32)))
    net.bias.set_data(ms.Tensor(np.zeros(2, np.float32)))
    model = Model(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"),
                  nn.Momentum(net.trainable_params(), learning_rate=0.5, momentum=0.9),
                  metrics={"acc": nn.Accuracy(), "loss": nn.Loss()})
    history = ms.train.History()
    model.fit(3, fit_cases._data(ms, 24, 8, 0), fit_cases._data(ms, 12, 6, 1),
              valid_frequency=[1, 3], callbacks=[history])
    assert history.epoch == {"epoch": [1, 2, 3]}
    model.train(1, fit_cases._data(ms, 24, 8, 0), callbacks=[history])
    assert history.epoch == {"epoch": [1]}
    measured = {"net_output": [0.37366730, 0.24307406, 0.16785537, 0.07849321],
                "acc": [0.75, 0.75], "loss": [0.40458982, 0.97540507]}
    assert sorted(history.history) == sorted(measured)
    for key, values in measured.items():
        np.testing.assert_allclose(history.history[key], values, rtol=1e-5)
    assert all(type(v) is np.float32 for v in history.history["net_output"])

"""``mindspore.experimental.optim`` (``Adam``, ``AdamW``, ``SGD`` with parameter groups)
and its ``lr_scheduler``, against MindSpore 2.10's runs of the same programs
(``experimental_optim_cases``, ``data/mindspore_experimental_optim.json``): each step's
loss and learning rates, the weights after, closed-form ``step(epoch)``."""
from __future__ import annotations

import json
from pathlib import Path

import experimental_optim_cases
import numpy as np
import pytest
from measured_fixture import measured_fixture

import autodiff_compiler as ms

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_experimental_optim.json")
                      .read_text())
RUNS = [k for k in MEASURED if isinstance(MEASURED[k], dict) and "losses" in MEASURED[k]]

ours = measured_fixture(lambda: experimental_optim_cases.measure(ms))


@pytest.mark.parametrize("case", RUNS)
def test_training_with_experimental_optim_is_mindspores(ours, case):
    for key in ("losses", "rates"):
        np.testing.assert_allclose(ours[case][key], MEASURED[case][key], rtol=1e-5, atol=1e-7)
    for mine, theirs in zip(ours[case]["weights"], MEASURED[case]["weights"]):
        np.testing.assert_allclose(mine, theirs, rtol=1e-4, atol=1e-6)


def test_closed_form_steps_and_group_settings_are_mindspores(ours):
    for mine, theirs in zip(ours["closed_forms"]["rates"], MEASURED["closed_forms"]["rates"],
                            strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=1e-6)
    assert ours["group_keys"] == MEASURED["group_keys"]


def test_the_modules_import_by_mindspores_paths():
    from autodiff_compiler.experimental import optim
    from autodiff_compiler.experimental.optim.lr_scheduler import StepLR
    assert optim.lr_scheduler.StepLR is StepLR
    net = ms.nn.Dense(2, 1)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        StepLR(ms.nn.SGD(net.trainable_params(), 0.1), 2)
    with pytest.raises(ValueError, match="Invalid beta"):
        optim.Adam(net.trainable_params(), betas=(1.0, 0.9))

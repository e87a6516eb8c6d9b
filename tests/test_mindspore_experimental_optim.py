"""``mindspore.experimental.optim`` (its optimizers, with parameter groups) and its
``lr_scheduler``, against MindSpore 2.10's runs of the same programs
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


def test_reduce_lr_on_plateau_is_mindspores(ours):
    for name, rates in MEASURED["plateau"].items():
        np.testing.assert_allclose(ours["plateau"][name], rates, rtol=1e-6, err_msg=name)


def test_cyclic_lr_checks_its_arguments():
    from autodiff_compiler.experimental import optim
    net = ms.nn.Dense(2, 1)
    opt = optim.SGD(net.trainable_params(), lr=0.1)
    with pytest.raises(ValueError, match="mode is invalid"):
        optim.lr_scheduler.CyclicLR(opt, 0.01, 0.1, mode="sine")
    with pytest.raises(ValueError, match="Expected 1 values for max_lr"):
        optim.lr_scheduler.CyclicLR(opt, 0.01, [0.1, 0.2])
    with pytest.raises(ValueError, match="factor should be less than 1"):
        optim.lr_scheduler.ReduceLROnPlateau(opt, factor=1.0)


def _amsgrad_reference(p, grads, lr, betas, eps):
    """AMSGrad in the form of MindSpore's Adam kernel (``eps`` outside the bias
    correction), stepping along the running maximum of the second moment."""
    m = v = vmax = np.zeros_like(p)
    for t, g in enumerate(grads, 1):
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        vmax = np.maximum(vmax, v)
        p = p - lr * np.sqrt(1 - betas[1] ** t) / (1 - betas[0] ** t) * m / (np.sqrt(vmax) + eps)
    return p


def test_adam_amsgrad_steps_along_the_running_maximum():
    # MindSpore 2.10 accepts amsgrad=True and trains plain Adam (measured: the same
    # Parameters); its documentation describes AMSGrad, which is what this checks.
    from autodiff_compiler.experimental import optim
    grads = [np.array([3.0, -2.0], np.float32), np.array([0.1, -0.1], np.float32),
             np.array([0.05, 0.2], np.float32), np.array([-0.1, 0.05], np.float32)]
    results = {}
    for amsgrad in (False, True):
        w = ms.Parameter(ms.Tensor(np.array([1.0, -1.0], np.float32)), name="w")
        opt = optim.Adam([w], lr=0.1, betas=(0.8, 0.9), eps=1e-6, amsgrad=amsgrad)
        for g in grads:
            opt((ms.Tensor(g),))
        results[amsgrad] = w.asnumpy()
        assert opt.max_exp_avg_sq[0].shape == (2,)
    expected = _amsgrad_reference(np.array([1.0, -1.0]), [g.astype(np.float64) for g in grads],
                                  0.1, (0.8, 0.9), 1e-6)
    np.testing.assert_allclose(results[True], expected, rtol=1e-5)
    assert np.abs(results[True] - results[False]).max() > 1e-2


# MindSpore 2.10's errors for bad settings of the other optimizers (measured).
BAD_SETTINGS = [
    ("Adagrad", {"lr": 0.0}, "For Adagrad, the lr must be greater than 0.0, but got 0.0."),
    ("Adagrad", {"lr_decay": -1.0},
     "For Adagrad, the lr_decay must be greater than or equal to 0.0, but got -1.0."),
    ("Adamax", {"betas": (1.0, 0.9)},
     "For 'Adamax', the 'betas[0]' must be in range of [0.0, 1.0), but got 1.0 with type 'float'."),
    ("RAdam", {"eps": 0.0}, "For RAdam, the eps must be greater than 0.0, but got 0.0."),
    ("RMSprop", {"alpha": -0.1},
     "For RMSprop, the alpha must be greater than or equal to 0.0, but got -0.1."),
    ("Rprop", {"etas": (1.2, 1.3)},
     "For 'Rprop', the 'etas[0]' must be in range of (0.0, 1.0), but got 1.2 with type 'float'."),
    ("Rprop", {"etas": (0.5, 0.9)},
     "For Rprop, the etas[1] must be greater than 1.0, but got 0.9."),
    ("Adadelta", {"rho": 1.5},
     "For 'Adadelta', the 'rho' must be in range of [0.0, 1.0], but got 1.5 with type 'float'."),
]


@pytest.mark.parametrize("name, settings, message", BAD_SETTINGS,
                         ids=[f"{n}-{next(iter(s))}" for n, s, _ in BAD_SETTINGS])
def test_bad_settings_raise_mindspores_errors(name, settings, message):
    from autodiff_compiler.experimental import optim
    net = ms.nn.Dense(2, 1)
    with pytest.raises(ValueError) as raised:
        getattr(optim, name)(net.trainable_params(), **settings)
    assert str(raised.value) == message
    with pytest.raises(TypeError, match="the type of lambd must be float"):
        optim.ASGD(net.trainable_params(), lambd=1)

"""Optimizers and learning rates against MindSpore's own numbers.

``data/mindspore_optim.json`` holds what MindSpore 2.10 computed (its script,
``data/measure_mindspore_optim.py``, says how to measure again): three steps of each
optimizer from the same Parameters and gradients, and each schedule and list of
learning rates. Our float32 results must agree to float32 rounding.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from data.optim_cases import G0, GRADS, W0, tables

import autodiff_compiler as adc
from autodiff_compiler import Parameter, Tensor, nn, ops

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_optim.json").read_text())
# every case measured but Momentum's Nesterov variant (its own test below)
OPTIMIZERS, SCHEDULES, LISTS = tables(nn)
OPTIMIZERS.pop("momentum_nesterov")


def _parameters():
    return [Parameter(W0.copy(), name="w"), Parameter(G0.copy(), name="bn.gamma")]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_three_steps_match_mindspore(name):
    params = _parameters()
    opt = OPTIMIZERS[name](params)
    for grads, (w, gamma) in zip(GRADS, MEASURED["trajectories"][name]):
        assert opt(tuple(grads)) == (True, True)
        np.testing.assert_allclose(params[0], w, rtol=0, atol=5e-7)
        np.testing.assert_allclose(params[1], gamma, rtol=0, atol=5e-7)
    assert all(p.dtype == np.float32 for p in params)


def test_momentum_nesterov_follows_the_documented_update():
    """MindSpore documents p -= lr * (g + u * v); on CPU its kernel ignores the flag
    (its numbers equal plain momentum's). We apply the documented update."""
    params = _parameters()
    opt = nn.Momentum(params, learning_rate=0.1, momentum=0.9, use_nesterov=True)
    w, v = W0.astype(np.float64), np.zeros_like(W0, np.float64)
    for grads in GRADS:
        opt(tuple(grads))
        v = 0.9 * v + grads[0]
        w = w - 0.1 * (grads[0] + 0.9 * v)
        np.testing.assert_allclose(params[0], w, rtol=1e-6)


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_schedules_match_mindspore(name):
    schedule = SCHEDULES[name]()
    got = [float(schedule(k)) for k in range(7)]
    np.testing.assert_allclose(got, MEASURED["schedules"][name], rtol=1e-6)


@pytest.mark.parametrize("steps", [2, 4])
def test_natural_exp_decay_in_stairs(steps):
    schedule = nn.NaturalExpDecayLR(0.1, 0.5, steps, True)
    np.testing.assert_allclose([float(schedule(k)) for k in range(6)],
                               MEASURED["natural_exp_stair"][str(steps)], atol=1e-6)


@pytest.mark.parametrize("name", list(LISTS))
def test_learning_rate_lists_match_mindspore(name):
    np.testing.assert_allclose(LISTS[name](), MEASURED["lists"][name], rtol=1e-12)


def test_get_lr_follows_the_global_step_and_states_are_named_as_mindspore():
    w = Parameter(W0.copy(), name="w")
    opt = nn.Adam([w], learning_rate=nn.ExponentialDecayLR(0.01, 0.5, 1))
    before = float(opt.get_lr())
    opt((GRADS[0][0],))
    np.testing.assert_allclose([before, float(opt.get_lr())],
                               MEASURED["get_lr_before_after_one_step"], rtol=1e-6)
    assert [p.name for p in opt.moment1] == MEASURED["state_names"]
    assert [p.name for p in opt.parameters] == ["w"]
    assert nn.optim.Adam is nn.Adam


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.dense = nn.Dense(3, 2)

    def construct(self, x):
        return self.dense(x)


def test_training_step_as_mindspore_writes_it_lowers_the_loss_and_is_seen_by_the_gradient():
    np.random.seed(0)
    net = Net()
    x = np.random.default_rng(1).normal(size=(8, 3)).astype(np.float32)
    y = x @ np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 1.0]], np.float32) + 0.5  # learnable
    loss_fn = nn.MSELoss()
    opt = nn.Adam(net.trainable_params(), learning_rate=0.05)

    def forward_fn(data, label):
        logits = net(data)
        return loss_fn(logits, label), logits

    grad_fn = adc.value_and_grad(forward_fn, None, opt.parameters, has_aux=True)
    losses = []
    for _ in range(20):
        (loss, _), grads = grad_fn(x, y)
        opt(grads)
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]
    # the compiled gradient reads the updated Parameters: its value is the loss now
    (loss, _), _ = grad_fn(x, y)
    np.testing.assert_allclose(loss, float(ops.mse_loss(net(x), y)), rtol=1e-6)


def test_float64_parameters_stay_float64():
    w = Parameter(np.ones(3), name="w")
    nn.Adam([w], learning_rate=0.1)((np.full(3, 0.5),))
    assert w.dtype == np.float64
    np.testing.assert_allclose(w, 0.9)


@pytest.mark.parametrize("make, grads, error, message", [
    (lambda p: nn.SGD(p), (GRADS[0][0],), ValueError, "holds 2 Parameters"),
    (lambda p: nn.SGD(p), (GRADS[0][0], np.ones(3, np.float32)), ValueError, "has shape"),
    (lambda p: nn.SGD(p, learning_rate=[0.1]), None, ValueError, "learning-rate list"),
    (lambda p: nn.SGD([1.0]), None, TypeError, "Parameters or group dicts"),
    (lambda p: nn.SGD([]), None, ValueError, "at least one Parameter"),
    (lambda p: nn.Momentum(p, 0.1, momentum=1), None, ValueError, "momentum must be a float"),
    (lambda p: nn.SGD(p, nesterov=True), None, ValueError, "Nesterov"),
    (lambda p: nn.Adam(p, beta1=1.0), None, ValueError, "beta1"),
    # (MindSpore 2.10's words, measured)
    (lambda p: nn.Adam(p, learning_rate=-0.1), None, ValueError,
     "For 'Adam', the 'learning rate' must be float and must >= 0, but got '-0.1'"),
])
def test_bad_use_is_a_clear_error(make, grads, error, message):
    with pytest.raises(error, match=message):
        opt = make(_parameters())
        for g in [grads] if grads is not None else [tuple(GRADS[0])] * 2:
            opt(g)


def _losses(make_optimizer, steps, tmp_path, resume_at=None):
    """Losses of ``steps`` steps of a Dense layer; at ``resume_at`` the net and its
    optimizer are saved, rebuilt from scratch and loaded from the checkpoints."""
    def build(init):
        net = nn.Dense(2, 1, weight_init=init, bias_init="zeros")
        return net, make_optimizer(net.trainable_params())
    net, opt = build("ones")
    x = Tensor(np.array([[1.0, 2.0]], np.float32))
    losses = []
    for step in range(steps):
        if step == resume_at:
            adc.save_checkpoint(net, str(tmp_path / "net.ckpt"))
            adc.save_checkpoint(opt, str(tmp_path / "opt.ckpt"))
            net, opt = build("zeros")
            adc.load_param_into_net(net, adc.load_checkpoint(str(tmp_path / "net.ckpt")))
            assert adc.load_param_into_net(
                opt, adc.load_checkpoint(str(tmp_path / "opt.ckpt"))) == ([], [])

        def loss(x, net=net):
            return (net(x) ** 2).sum()
        value, grads = adc.value_and_grad(loss, None, opt.parameters)(x)
        opt(grads)
        losses.append(float(value))
    return losses


@pytest.mark.parametrize("make_optimizer, state", [
    (lambda ps: nn.Adam(ps, 0.1), ["beta1_power", "beta2_power", "moment1.weight",
                                   "moment1.bias", "moment2.weight", "moment2.bias"]),
    (lambda ps: nn.SGD(ps, 0.1, momentum=0.9), ["momentum", "accum.weight", "accum.bias",
                                                "stat.weight", "stat.bias"]),
    (lambda ps: nn.Momentum(ps, 0.05, 0.9), ["momentum", "moments.weight", "moments.bias"]),
], ids=["Adam", "SGD-momentum", "Momentum"])
def test_an_optimizers_state_is_checkpointed_so_training_resumes_where_it_stopped(
        make_optimizer, state, tmp_path):
    """Measured in MindSpore 2.10: an optimizer holds its step, its learning rate, the
    network's Parameters it updates (under their own names) and its state, in this
    order, and a new optimizer loaded from its checkpoint continues the same
    trajectory; here the state was plain attributes and a resumed Adam restarted its
    moments."""
    opt = make_optimizer(nn.Dense(2, 1).trainable_params())
    assert [name for name, _ in opt.parameters_and_names()] == \
        ["global_step", "learning_rate", "weight", "bias", *state]
    assert [p.name for p in opt.trainable_params()] == ["weight", "bias"]
    np.testing.assert_allclose(_losses(make_optimizer, 5, tmp_path, resume_at=3),
                               _losses(make_optimizer, 5, tmp_path), rtol=1e-6)


def test_update_parameters_name_prefixes_an_optimizers_state():
    """The GAN tutorial's ``optimizer.update_parameters_name("optim_g.")``: as in
    MindSpore 2.10, the network's Parameters the optimizer holds are renamed too."""
    net = nn.Dense(2, 1)
    opt = nn.Adam(net.trainable_params(), 0.1)
    opt.update_parameters_name("optim_g.")
    assert [p.name for p in net.get_parameters()] == ["optim_g.weight", "optim_g.bias"]
    assert sorted(p.name for p in opt.get_parameters()) == [
        "optim_g.beta1_power", "optim_g.beta2_power", "optim_g.bias", "optim_g.global_step",
        "optim_g.learning_rate", "optim_g.moment1.bias", "optim_g.moment1.weight",
        "optim_g.moment2.bias", "optim_g.moment2.weight", "optim_g.weight"]


# ---------------------------------------------------------------------------- helpers for
# optimizers written on nn.Optimizer (MindSpore's customising-optimizers tutorial)


class PlainDescent(nn.Optimizer):
    def construct(self, gradients):
        gradients = self.flatten_gradients(gradients)
        gradients = self.decay_weight(gradients)
        gradients = self.gradients_centralization(gradients)
        gradients = self.scale_grad(gradients)
        lr = self.get_lr()
        lrs = lr if isinstance(lr, tuple) else (lr,) * len(self.parameters)
        for p, g, r in zip(self.parameters, gradients, lrs):
            ops.assign(p, p - r * g)
        self.assignadd(self.global_step, self.global_step_increase_tensor)
        return True


def _two_parameters():
    return (Parameter(np.arange(32, dtype=np.float32).reshape(2, 16) / 10, name="fc.weight"),
            Parameter(np.array([1.0, 2.0], np.float32), name="bn.gamma"))


# (how the optimizer is made from the two Parameters, its flags is_group, is_group_lr,
# dynamic_lr, exec_weight_decay, need_scale, and entries 0, 1, -1 of each Parameter after
# two steps): MindSpore 2.10's, measured with the same subclass and gradients
HELPER_CASES = {
    "decay_and_loss_scale": (lambda a, b: PlainDescent(0.1, [a, b], 0.5, 2.0),
                             (False, False, False, True, True),
                             [[-0.0975, 0.00492, 2.70025], [0.95, 2.05, 2.05]]),
    "groups": (lambda a, b: PlainDescent(0.1, [{"params": [a], "lr": 0.2, "weight_decay": 0.1},
                                               {"params": [b]}]),
               (True, True, False, True, False),
               [[-0.396, -0.25051, 2.58124], [0.9, 2.1, 2.1]]),
    "rate_list": (lambda a, b: PlainDescent([0.1, 0.05, 0.01], [a, b]),
                  (False, False, True, False, False),
                  [[-0.15, -0.03127, 2.95], [0.925, 2.075, 2.075]]),
}


@pytest.mark.parametrize("name", list(HELPER_CASES))
def test_optimizer_helpers_step_as_mindspores(name):
    make, flags, after = HELPER_CASES[name]
    opt = make(*_two_parameters())
    assert (opt.is_group, opt.is_group_lr, opt.dynamic_lr, opt.exec_weight_decay,
            opt.need_scale) == flags and opt.decay_flags == (True, False)
    grads = (np.linspace(-1, 1, 32, dtype=np.float32).reshape(2, 16) ** 2,
             np.array([0.5, -0.5], np.float32))
    opt(grads)
    opt(grads)
    assert opt.global_step.tolist() == [2]
    for p, want in zip(opt.parameters, after):
        np.testing.assert_allclose(p.asnumpy().ravel()[[0, 1, -1]], want, atol=6e-6)


def test_get_lr_parameter_and_centralization():
    """The group's rate Parameter or the optimizer's (MindSpore 2.10: 0.2, 0.1); gradient
    centralization (no MindSpore CPU kernel) as documented: minus the mean over all axes
    but the first, for gradients whose second axis is a multiple of 16."""
    a, b = _two_parameters()
    opt = PlainDescent(0.1, [{"params": [a], "lr": 0.2, "grad_centralization": True},
                             {"params": [b]}])
    assert [float(r) for r in opt.get_lr_parameter([a, b])] == pytest.approx([0.2, 0.1])
    assert opt.get_lr_parameter(b) is opt.learning_rate[-1]
    g = np.arange(32.0).reshape(2, 16)
    centred, unflagged = opt.gradients_centralization((g, g))
    np.testing.assert_allclose(centred, g - g.mean(1, keepdims=True))
    assert np.array_equal(unflagged, g)
    assert np.array_equal(opt.gradients_centralization((g[:, :3], g))[0], g[:, :3])
    schedule = nn.PolynomialDecayLR(0.1, 0.01, 4, 1.0)
    assert PlainDescent(schedule, [a]).get_lr_parameter(a) is schedule


class _LinearWarmup(nn.LearningRateSchedule):
    """A schedule written as MindSpore programs write one: Tensor methods on the step."""

    def __init__(self, lr, warmup, total, cast):
        super().__init__()
        self.lr, self.warmup, self.total, self.cast = lr, warmup, total, cast
        self.seen = []

    def construct(self, global_step):
        self.seen.append((type(global_step), np.dtype(global_step.dtype), global_step.shape))
        step = ops.cast(global_step, adc.float32) if self.cast else \
            global_step.astype(adc.float32)
        return ops.where(step < self.warmup, self.lr * (step + 1) / self.warmup,
                         self.lr * (self.total - step) / (self.total - self.warmup))


@pytest.mark.parametrize("cast", [False, True], ids=["astype", "ops.cast"])
def test_a_users_schedule_is_given_the_global_step_as_an_int32_tensor(cast):
    """MindSpore's optimizers call the schedule with their ``global_step``, an int32
    Tensor of shape [1] (measured in 2.10), and ``get_lr`` is a float32 scalar."""
    schedule = _LinearWarmup(0.01, 2, 6, cast)
    net = nn.Dense(2, 1)
    opt = nn.SGD(net.trainable_params(), learning_rate=schedule)
    grads = tuple(ops.ones_like(p) for p in net.trainable_params())
    rates = []
    for _ in range(3):
        opt(grads)
        rate = opt.get_lr()
        assert rate.dtype == np.float32 and rate.shape == ()
        rates.append(float(rate))
    want = [0.01 * (s + 1) / 2 if s < 2 else 0.01 * (6 - s) / 4 for s in (1, 2, 3)]
    np.testing.assert_allclose(rates, want, rtol=1e-6)
    assert set(schedule.seen) == {(Tensor, np.dtype(np.int32), (1,))}
    direct = schedule(Tensor(3, adc.int32))
    assert direct.shape == () and float(direct) == pytest.approx(0.0075)


def test_the_built_in_schedules_take_a_step_tensor_or_an_int():
    for step in (Tensor(np.array([3], np.int32)), Tensor(3, adc.int32), 3):
        rate = nn.WarmUpLR(0.1, 4)(step)
        assert rate.shape == np.shape(step)
        np.testing.assert_allclose(np.asarray(rate), 0.075, rtol=1e-6)


# Measured on MindSpore 2.10 (CPU): each schedule called with Tensor(2.5, ms.float32),
# a fractional step, which MindSpore's schedules use as it is (no rounding to 2).
FRACTIONAL_STEP = [
    (lambda: nn.ExponentialDecayLR(0.1, 0.9, 4), 0.09362709522247314),
    (lambda: nn.NaturalExpDecayLR(0.1, 0.9, 4, True), 0.10000000149011612),
    (lambda: nn.InverseDecayLR(0.1, 0.9, 4), 0.06400000303983688),
    (lambda: nn.CosineDecayLR(0.01, 0.1, 5), 0.054999999701976776),
    (lambda: nn.PolynomialDecayLR(0.1, 0.01, 5, 0.5), 0.07363960891962051),
    (lambda: nn.PolynomialDecayLR(0.1, 0.01, 2, 0.5, True), 0.06511352211236954),
    (lambda: nn.WarmUpLR(0.1, 5), 0.05000000074505806),
]


@pytest.mark.parametrize("make, rate", FRACTIONAL_STEP,
                         ids=["exponential", "natural_exp_stair", "inverse", "cosine",
                              "polynomial", "polynomial_update", "warmup"])
def test_a_fractional_step_is_not_rounded(make, rate):
    got = make()(Tensor(np.float32(2.5)))
    assert got.dtype == np.float32
    np.testing.assert_allclose(float(got), rate, rtol=1e-6)


# MindSpore 2.10 refuses these (its errors, measured); unchecked, an integer rate or
# milestones out of order gave a silently different list.
BAD_LISTS = [
    (lambda: nn.piecewise_constant_lr([1, 3], [1, 0.5]), TypeError,
     r"The type of 'learning_rates\[0\]' must be 'float', but got 'int'"),
    (lambda: nn.piecewise_constant_lr([3, 1], [0.1, 0.2]), ValueError,
     r"milestone\[1\] must be greater than milestone\[0\], but got milestone\[1\]: 1"),
    (lambda: nn.piecewise_constant_lr([3, 5], [0.1]), ValueError,
     "the size of 'milestone' must be same with the size of 'learning_rates'"),
    (lambda: nn.cosine_decay_lr(-0.1, 0.1, 5, 1, 1), ValueError,
     "The 'min_lr' must be float and must >= 0, but got '-0.1'"),
    (lambda: nn.cosine_decay_lr(0.2, 0.1, 5, 1, 1), ValueError,
     "the 'max_lr' must be greater than the 'min_lr'"),
    (lambda: nn.warmup_lr(1, 6, 2, 2), TypeError,
     "For 'warmup_lr', the argument 'learning_rate' must be type of float, but got "
     "'learning_rate' type: <class 'int'>"),
    (lambda: nn.warmup_lr(-0.1, 6, 2, 2), ValueError,
     "The 'learning_rate' must be float and must >= 0, but got '-0.1'"),
    (lambda: nn.exponential_decay_lr(0.1, 0.5, 3.0, 3, 1), TypeError,
     "The 'total_step' must be int, but got 'float'"),
    (lambda: nn.exponential_decay_lr(0.1, 0.5, 3, 3, 1, 1), TypeError,
     "The type of 'is_stair' should be 'bool', but got type 'int'"),
    (lambda: nn.piecewise_constant_lr([0, 3], [0.1, 0.2]), ValueError,
     r"The 'milestone\[0\]' must be int and must > 0, but got '0'"),
    (lambda: nn.exponential_decay_lr(0.1, 0.5, 0, 3, 1), ValueError,
     "The 'total_step' must be int and must > 0, but got '0'"),
    (lambda: nn.polynomial_decay_lr(0.1, 0.01, 6, 2, 2, 1), TypeError,
     "The 'power' must be float, but got 'int'"),
]


@pytest.mark.parametrize("make, error, message", BAD_LISTS,
                         ids=["int_rate", "milestones_order", "lengths", "negative_min",
                              "min_above_max", "warmup_int", "warmup_negative", "float_steps",
                              "int_stair", "zero_milestone", "no_steps", "int_power"])
def test_learning_rate_lists_check_their_arguments_as_mindspore(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_piecewise_rates_may_be_any_float():
    assert nn.piecewise_constant_lr([1, 3], [0.1, -0.5]) == [0.1, -0.5, -0.5]


# MindSpore 2.10's errors for the schedule Cells' arguments (measured).
BAD_SCHEDULES = [
    (lambda: nn.ExponentialDecayLR(1, 0.9, 4), TypeError,
     "For 'ExponentialDecayLR', the 'learning_rate' must be float, but got 'int'"),
    (lambda: nn.ExponentialDecayLR(0.1, 0.9, 0), ValueError,
     "For 'ExponentialDecayLR', the 'decay_steps' must be int and must > 0, but got '0'"),
    (lambda: nn.CosineDecayLR(0.2, 0.1, 5), ValueError,
     "For 'CosineDecayLR', the 'max_lr' must be greater than the 'min_lr'"),
    (lambda: nn.WarmUpLR(0.1, 0), ValueError,
     "For 'WarmUpLR', the 'warmup_steps' must be int and must > 0, but got '0'"),
    (lambda: nn.WarmUpLR(1, 3), TypeError,
     "For 'WarmUpLR', the argument 'learning_rate' must be type of float"),
    (lambda: nn.PolynomialDecayLR(0.1, 0.01, 5, 1), TypeError,
     "For 'PolynomialDecayLR', the 'power' must be float, but got 'int'"),
    (lambda: nn.InverseDecayLR(0.1, -0.5, 3), ValueError,
     "For 'InverseDecayLR', the 'decay_rate' must be float and must > 0, but got '-0.5'"),
    (lambda: nn.NaturalExpDecayLR(0.1, 0.5, 3, 1), TypeError,
     "For 'NaturalExpDecayLR', the type of 'is_stair' should be 'bool', but got type 'int'"),
]


@pytest.mark.parametrize("make, error, message", BAD_SCHEDULES,
                         ids=["int_rate", "no_steps", "min_above_max", "no_warmup",
                              "warmup_int", "int_power", "negative_rate", "int_stair"])
def test_schedules_check_their_arguments_as_mindspore(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_polynomial_decay_may_rise_to_its_end_rate():
    # MindSpore 2.10 accepts an end above the start (measured: 0.14 at step 2 of 5).
    rate = nn.PolynomialDecayLR(0.1, 0.2, 5, 1.0)(Tensor(np.int32(2)))
    np.testing.assert_allclose(float(rate), 0.14, rtol=1e-6)


def test_adagrad_without_slot_updates_keeps_its_accumulator():
    """As documented; MindSpore 2.10's CPU kernel ignores update_slots=False (measured:
    [0.8252, -1.9132, 0.3568] after these three steps, the numbers of update_slots=True)."""
    w = adc.Parameter(Tensor(np.array([1.0, -2.0, 0.5], np.float32)), name="w")
    opt = nn.Adagrad([w], accum=0.1, learning_rate=0.1, update_slots=False)
    g = np.array([0.3, -0.1, 0.2], np.float32)
    for _ in range(3):
        opt((Tensor(g),))
    np.testing.assert_allclose(w.asnumpy(), np.array([1.0, -2.0, 0.5]) - 3 * 0.1 * g / np.sqrt(0.1),
                               rtol=1e-6)
    np.testing.assert_allclose(opt.accum[0].asnumpy(), [0.1, 0.1, 0.1], rtol=1e-7)

"""The losses of ``losses_extra``/``ops_losses``, the optimizers of ``optim_extra`` and
the loss scaling of ``loss_scale`` against MindSpore 2.10's numbers on the same draws
(``data/mindspore_loss_optim.json``, written by ``data/measure_mindspore_loss_optim.py``
from ``loss_optim_cases``); the losses' gradients also against central finite
differences in float64, and what MindSpore cannot run on its CPU (``SoftMarginLoss``,
``MultilabelMarginLoss``, ``Lamb``, ``LARS``, ``FTRL`` with ``l1``) against its
documented examples and formulas."""
from __future__ import annotations

import json
from pathlib import Path

import loss_optim_cases
import numpy as np
import pytest
from loss_optim_cases import G0, GRADS, W0
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, nn, ops

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_loss_optim.json")
                      .read_text())


ours = measured_fixture(lambda: loss_optim_cases.measure(ms))


@pytest.mark.parametrize("name", sorted(k for k in MEASURED
                                        if k not in ("mindspore", "state_names")))
def test_matches_mindspore(ours, name):
    np.testing.assert_allclose(ours[name], MEASURED[name], rtol=2e-5, atol=2e-6)


def test_optimizer_states_are_named_as_mindspore_names_them():
    assert loss_optim_cases.state_names(ms) == MEASURED["state_names"]


# ---------------------------------------------------------------------------- losses

X = np.array([[-1.3, 0.2, 0.7, 0.45], [2.0, -0.4, 0.05, -0.8], [0.3, 1.1, -0.6, 0.9]])
SIGNS = np.array([[1.0, -1.0, -1.0, 1.0], [-1.0, 1.0, -1.0, 1.0], [1.0, 1.0, -1.0, -1.0]])


def _take(shape):
    return X.ravel()[:int(np.prod(shape))].reshape(shape)


def _signs(shape):
    return SIGNS.ravel()[:int(np.prod(shape))].reshape(shape)


def _classes(shape):
    """Class indices for the rows of an ``x`` of ``shape``."""
    return np.arange(shape[0]) % 3


def _ramp(shape):
    return np.linspace(0.5, 1, shape[-1])


def _calls(cell, *rest):
    """The loss of ``x``: ``cell(x, *rest)``, the Cell built outside what is compiled."""
    return lambda x: cell(x, *rest)


_POISSON_RATES, _GAUSSIAN = nn.PoissonNLLLoss(False), nn.GaussianNLLLoss(full=True)


# name: (the loss of x for an x of the shape given, built outside it; the shapes)
LOSSES = {
    "soft_margin": (lambda s: lambda x: ops.soft_margin_loss(x, _signs(s)), [(3, 4), (4,), ()]),
    "soft_margin_cell": (lambda s: _calls(nn.SoftMarginLoss("sum"), _signs(s)),
                         [(3, 4), (2, 2)]),
    "hinge_embedding": (lambda s: lambda x: ops.hinge_embedding_loss(x, _signs(s), 0.5),
                        [(3, 4), (4,), ()]),
    "multilabel_soft_margin": (lambda s: lambda x: ops.multilabel_soft_margin_loss(
        x, (_signs(s) > 0) * 1.0, _ramp(s)), [(3, 4), (2, 3)]),
    "multi_margin_p1": (lambda s: lambda x: ops.multi_margin_loss(x, _classes(s)),
                        [(3, 4), (2, 3)]),
    "multi_margin_p2": (lambda s: _calls(nn.MultiMarginLoss(2, 0.9, "sum", _ramp(s)),
                                         _classes(s)), [(3, 4), (2, 3)]),
    "multilabel_margin": (lambda s: _calls(nn.MultilabelMarginLoss("sum"), np.array(
        [[3, 0, -1, 1], [1, -1, 0, 0], [2, 1, 0, 3]])[:s[0], :s[1]]), [(3, 4), (2, 3)]),
    "focal_indices": (lambda s: _calls(nn.FocalLoss(np.linspace(0.5, 2, s[1])), np.reshape(
        _classes(s) % 2, (-1, 1) + (1,) * (len(s) - 2))), [(3, 4), (2, 3, 2)]),
    "focal_one_hot": (lambda s: _calls(nn.FocalLoss(gamma=1.5), np.eye(s[1])[_classes(s) % 2]),
                      [(3, 4), (2, 3)]),
    "dice": (lambda s: _calls(nn.DiceLoss(), (_signs(s) > 0) * 1.0), [(3, 4), (4,)]),
    "multiclass_dice": (lambda s: _calls(nn.MultiClassDiceLoss(activation="sigmoid"),
                                         (_signs(s) > 0) * 1.0), [(3, 4), (2, 3)]),
    "poisson_full": (lambda s: _calls(nn.PoissonNLLLoss(full=True), np.abs(_signs(s)) * 3),
                     [(3, 4), (4,), ()]),
    "poisson_rates": (lambda s: lambda x: _POISSON_RATES(np.abs(x) + 0.1, np.full(s, 2.0)),
                      [(3, 4), ()]),
    "gaussian_nll": (lambda s: lambda x: _GAUSSIAN(x, x * 0.5 - 0.1, x * x + 0.2),
                     [(3, 4), (4,), ()]),
    "rmse": (lambda s: _calls(nn.RMSELoss(), np.full(s, 0.3)), [(3, 4), (4,)]),
    "mae": (lambda s: _calls(nn.MAELoss("sum"), np.full(s, 0.3)), [(3, 4), ()]),
    "l1_regularizer": (lambda s: _calls(nn.L1Regularizer(0.7)), [(3, 4), ()]),
}


@pytest.mark.parametrize("name, shape", [(name, shape) for name, (_, shapes) in LOSSES.items()
                                         for shape in shapes],
                         ids=[f"{name}-{shape}" for name, (_, shapes) in LOSSES.items()
                              for shape in shapes])
def test_loss_gradients_match_finite_differences(name, shape):
    ms.check_grads(LOSSES[name][0](shape), _take(shape))


def gaussian_of_all(x, target, var):
    return ops.gaussian_nll_loss(x, target, var, False, 1e-6, "sum")


@pytest.mark.parametrize("var_shape", [(3, 4), (3,), (1, 4), ()], ids=str)
def test_gaussian_nll_broadcasts_var_as_mindspore_and_differentiates_all_inputs(var_shape):
    """A ``var`` without the last axis of ``x`` is widened to ``[..., 1]`` first."""
    var = np.abs(_take(var_shape)) + 0.3
    ms.check_grads(gaussian_of_all, X, X[::-1] * 0.5, var)
    widened = var[..., None] if var_shape == (3,) else var
    want = np.sum(0.5 * (np.log(widened) + (X - X[::-1] * 0.5) ** 2 / widened))
    np.testing.assert_allclose(gaussian_of_all(X, X[::-1] * 0.5, var), want, rtol=1e-12)


@pytest.mark.parametrize("value, make, args", [
    (0.6764238, lambda: nn.SoftMarginLoss(), ([[0.3, 0.7], [0.5, 0.5]], [[-1, 1], [1, -1]])),
    (0.325, lambda: nn.MultilabelMarginLoss(),
     ([[0.1, 0.2, 0.4, 0.8], [0.2, 0.3, 0.5, 0.7]], np.array([[1, 2, 0, 3], [2, 3, -1, 1]]))),
    (0.84693956, lambda: nn.MultiLabelSoftMarginLoss(),
     ([[0.3, 0.6, 0.6], [0.9, 0.4, 0.2]], [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]])),
    (0.54958105, lambda: nn.MultiClassDiceLoss(),
     ([[0.2, 0.5, 0.7], [0.3, 0.1, 0.5], [0.9, 0.6, 0.3]], np.eye(3, dtype=np.float32)[[1, 0, 2]])),
    (0.3652635, lambda: nn.PoissonNLLLoss(), ([[0.3, 0.7], [0.5, 0.5]], [[1.0, 2.0], [3.0, 4.0]])),
    (5.0, lambda: nn.L1Regularizer(0.5), ([[1.0, -2.0], [-3.0, 4.0]],)),
], ids=["SoftMarginLoss", "MultilabelMarginLoss", "MultiLabelSoftMarginLoss",
        "MultiClassDiceLoss", "PoissonNLLLoss", "L1Regularizer"])
def test_mindspore_documented_examples(value, make, args):
    first, *rest = args
    rest = (a if isinstance(a, np.ndarray) else np.array(a, np.float32) for a in rest)
    got = make()(Tensor(np.array(first, np.float32)), *rest)
    assert type(got) is Tensor and got.dtype == np.float32
    np.testing.assert_allclose(float(got), value, rtol=1e-6)


@pytest.mark.parametrize("make, error", [
    (lambda: nn.FocalLoss(gamma=2), TypeError),
    (lambda: nn.FocalLoss(weight=np.ones((2, 2))), ValueError),
    (lambda: nn.DiceLoss(0.0), ValueError),
    (lambda: nn.MultiClassDiceLoss(activation="gelu"), ValueError),
    (lambda: nn.GaussianNLLLoss(eps=0.0), ValueError),
    (lambda: nn.L1Regularizer(-1.0), ValueError),
    (lambda: nn.L1Regularizer(float("inf")), ValueError),
    (lambda: nn.MultiMarginLoss(p=3), ValueError),
    (lambda: nn.MAELoss("batchmean"), ValueError),
], ids=["focal_gamma_int", "focal_weight_2d", "dice_smooth", "dice_activation",
        "gaussian_eps", "l1_negative", "l1_inf", "multi_margin_p", "mae_reduction"])
def test_settings_mindspore_refuses_are_refused(make, error):
    with pytest.raises(error):
        make()


def test_focal_loss_labels_of_one_axis_are_refused_as_mindspore_refuses_them():
    # MindSpore 2.10: "For 'FocalLoss', the dimensions of 'labels' must be in [2, 4], but
    # got dimension of 'labels' 1." (class indices come as an (N, 1) column)
    logits = Tensor(np.array([[0.2, -0.7, 0.5], [0.9, 0.4, -0.3]], np.float32))
    with pytest.raises(ValueError, match="dimensions of 'labels' must be in"):
        nn.FocalLoss()(logits, Tensor(np.array([1, 2], np.int32)))
    column = nn.FocalLoss(gamma=2.0, reduction="none")(logits, Tensor(np.array([[1], [2]])))
    np.testing.assert_allclose(column.asnumpy(), [1.3909676, 1.3090539], rtol=1e-5)  # measured


# ---------------------------------------------------------------------------- optimizers


def _three_steps(make):
    params = [Parameter(W0.copy(), name="w"), Parameter(G0.copy(), name="bn.gamma")]
    opt = make(params)
    steps = []
    for grads in GRADS:
        opt(tuple(grads))
        steps.append([p.asnumpy().astype(np.float64).copy() for p in params])
    return steps


def _lamb(lrs, weight_decay=0.0, beta1=0.9, beta2=0.999, eps=1e-6):
    """The documented Lamb update in float64; ``gamma`` is not decayed."""
    params, m, v = [W0.astype(np.float64), G0.astype(np.float64)], [0, 0], [0, 0]
    steps = []
    for t, grads in enumerate(GRADS, 1):
        for i, g in enumerate(grads):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            r = m[i] / (1 - beta1 ** t) / (np.sqrt(v[i] / (1 - beta2 ** t)) + eps)
            r = r + (weight_decay if i == 0 else 0.0) * params[i]
            trust = np.linalg.norm(params[i]) / np.linalg.norm(r)
            params[i] = params[i] - lrs[t - 1] * trust * r
        steps.append([p.copy() for p in params])
    return steps


def _lars(inner, decay, scale, coefficient, epsilon, filtered):
    """LARS's documented gradient scaling before the inner step (float64); ``inner`` is
    that step: (Parameters, gradients, state) -> Parameters."""
    params, state, steps = [W0.astype(np.float64), G0.astype(np.float64)], {}, []
    for grads in GRADS:
        scaled = []
        for i, (w, g) in enumerate(zip(params, grads)):
            g = g / scale
            if filtered[i]:
                d = decay[i] / scale
                wn, gn = np.linalg.norm(w), np.linalg.norm(g)
                g = coefficient * wn / (gn + d * wn + epsilon) * (g + d * w)
            scaled.append(g)
        params = inner(params, scaled, state)
        steps.append([p.copy() for p in params])
    return steps


def _momentum(params, grads, state):
    state["v"] = [0.9 * v + g for v, g in zip(state.get("v", [0, 0]), grads)]
    return [p - 0.1 * v for p, v in zip(params, state["v"])]


def _ftrl_l1(lr=0.5, power=0.3, l1=0.05, l2=0.1, decay=0.1):
    """The documented FTRL update (every Parameter decayed), float64."""
    params, n, z, steps = [W0.astype(np.float64), G0.astype(np.float64)], [0.2, 0.2], [0, 0], []
    for grads in GRADS:
        for i, g in enumerate(grads):
            g = g + decay * params[i]
            new = n[i] + g * g
            z[i] = z[i] + g - (new ** power - n[i] ** power) / lr * params[i]
            q = new ** power / lr + 2 * l2
            params[i] = np.where(np.abs(z[i]) > l1, (np.sign(z[i]) * l1 - z[i]) / q, 0.0)
            n[i] = new
        steps.append([p.copy() for p in params])
    return steps


DOCUMENTED = {
    "lamb": lambda: _lamb([0.01] * 3),
    "lamb_wd": lambda: _lamb([0.05] * 3, 0.1),
    "lamb_schedule": lambda: _lamb([0.05, 0.025, 0.0125]),
    "lars_momentum": lambda: _lars(_momentum, [0.1, 0.0], 1.0, 0.001, 1e-5, [True, True]),
    "lars_sgd_filter": lambda: _lars(
        lambda p, g, s: [w - 0.5 * d for w, d in zip(p, g)], [0.0, 0.0], 4.0, 0.01, 1e-3,
        [True, False]),
    "ftrl_l1": _ftrl_l1,
}


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_optimizers_without_a_mindspore_cpu_kernel_follow_the_documented_update(name):
    got = _three_steps(loss_optim_cases.without_cpu_kernel(nn)[name])
    for ours, want in zip(got, DOCUMENTED[name]()):
        for a, b in zip(ours, want):
            np.testing.assert_allclose(a, b, rtol=2e-5, atol=1e-6)


def test_optimizer_settings_mindspore_refuses_are_refused():
    w = [Parameter(W0.copy(), name="w")]
    with pytest.raises(ValueError, match="dynamic learning rate"):
        nn.FTRL(w, learning_rate=nn.ExponentialDecayLR(0.1, 0.5, 1))
    with pytest.raises(ValueError):
        nn.Rprop(w, step_sizes=(1.0, 0.5))
    with pytest.raises(TypeError):
        nn.ASGD(w, lambd=1)
    with pytest.raises(TypeError):
        nn.LARS(w)


# ---------------------------------------------------------------------------- loss scaling


class Regression(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(W0.T.copy(), name="w")

    def construct(self, x, y):
        return ((ops.matmul(x, self.w) - y) ** 2).mean()


def test_an_overflowing_step_is_skipped_and_the_dynamic_scale_halves():
    net = Regression()
    opt = nn.Adam(net.trainable_params(), 0.1)
    step = nn.TrainOneStepWithLossScaleCell(net, opt, nn.DynamicLossScaleUpdateCell(8.0, 2, 3))
    x, y = np.ones((2, 3), np.float32), np.zeros((2, 2), np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        _, overflow, scale = step(x * 1e20, y)
    assert bool(overflow) and type(overflow) is Tensor and float(scale) == 4.0
    np.testing.assert_array_equal(net.w, W0.T)
    assert opt.global_step == 0 and not opt.moment1[0].any()
    _, overflow, scale = step(x, y)
    assert not bool(overflow) and float(scale) == 4.0 and opt.global_step == 1
    assert not np.array_equal(net.w, W0.T)


def test_a_tensor_scale_is_fixed_and_can_be_set():
    step = nn.TrainOneStepWithLossScaleCell(Regression(), nn.SGD(Regression().trainable_params()),
                                            Tensor(np.array([16.0], np.float32)))
    step.set_sense_scale(Tensor(np.array([2.0], np.float32)))
    assert step.scale_sense.shape == (1,) and float(step.scale_sense[0]) == 2.0
    with pytest.raises(ValueError, match="shape"):
        nn.TrainOneStepWithLossScaleCell(Regression(), nn.SGD(Regression().trainable_params()),
                                         Tensor(np.ones((2,), np.float32)))
    with pytest.raises(TypeError):
        nn.TrainOneStepWithLossScaleCell(Regression(), nn.SGD(Regression().trainable_params()),
                                         2.0)


class ZooLossScaleStep(nn.TrainOneStepWithLossScaleCell):
    """The construct models-zoo BERT/GPT train cells write around MindSpore's helpers."""

    def construct(self, x, y):
        loss = self.network(x, y)
        status, sens = self.start_overflow_check(loss, self.scale_sense)
        grads = self.grad(self.network, self.weights)(x, y, ops.cast(sens, ms.float32))
        grads = self.hyper_map(ops.partial(lambda s, g: g / s, sens), grads)
        cond = self.get_overflow_status(status, grads)
        overflow = self.process_loss_scale(cond)
        if not overflow:
            self.optimizer(grads)
        return loss, cond, sens


@pytest.mark.parametrize("scale_x", [1.0, 1e20], ids=["finite", "overflow"])
def test_a_subclass_on_the_overflow_helpers_steps_as_the_cell_does(scale_x):
    x, y = np.ones((2, 3), np.float32) * np.float32(scale_x), np.zeros((2, 2), np.float32)
    ends = []
    for cell in (nn.TrainOneStepWithLossScaleCell, ZooLossScaleStep):
        net = Regression()
        step = cell(net, nn.SGD(net.trainable_params(), 0.1),
                    nn.DynamicLossScaleUpdateCell(8.0, 2, 3))
        with np.errstate(over="ignore", invalid="ignore"):
            _, overflow, _ = step(x, y)
        ends.append((net.w.asnumpy(), bool(overflow), float(step.scale_sense)))
    np.testing.assert_allclose(ends[1][0], ends[0][0], rtol=1e-6)
    assert ends[1][1:] == ends[0][1:] == ((True, 4.0) if scale_x > 1 else (False, 8.0))


class CheckedOnTheCPU(nn.TrainOneStepWithLossScaleCell):
    """MindSpore's CPU build has no device overflow flags: programs override the check
    with ops on the gradients, which it hands over as Tensors (measured in 2.10)."""

    def get_overflow_status(self, status, compute_output):
        assert all(type(g) is Tensor for g in compute_output)
        finite = ops.stack([ops.isfinite(g).all() for g in compute_output]).all()
        return ops.logical_not(finite)


@pytest.mark.parametrize("scale_x", [1.0, 1e20], ids=["finite", "overflow"])
def test_an_overridden_overflow_check_is_given_tensors(scale_x):
    x, y = np.ones((2, 3), np.float32) * np.float32(scale_x), np.zeros((2, 2), np.float32)
    net = Regression()
    step = CheckedOnTheCPU(net, nn.SGD(net.trainable_params(), 0.1),
                           nn.DynamicLossScaleUpdateCell(8.0, 2, 3))
    with np.errstate(over="ignore", invalid="ignore"):
        loss, overflow, scale = step(x, y)
    assert type(loss) is Tensor and type(overflow) is Tensor
    assert overflow.asnumpy().item() is (scale_x > 1)
    assert float(scale) == (4.0 if scale_x > 1 else 8.0)
    assert np.array_equal(net.w, W0.T) is (scale_x > 1)


def test_overflow_helpers_return_what_mindspore_returns():
    """Measured on MindSpore 2.10 (CPU): the status is eight int32 zeros, the input comes
    back as it is, and an overflow halves a dynamic scale of 8; its GPU check (the one
    meaning a CPU has) is True when any gradient holds an inf or nan."""
    net = Regression()
    step = nn.TrainOneStepWithLossScaleCell(net, nn.SGD(net.trainable_params()),
                                            nn.DynamicLossScaleUpdateCell(8.0, 2, 2))
    status, sens = step.start_overflow_check(Tensor(1.0), step.scale_sense)
    assert status.dtype == np.int32 and status.tolist() == [0] * 8 and sens is step.scale_sense
    grads = (Tensor(np.ones(2, np.float32)), Tensor(np.array([1.0, np.inf], np.float32)))
    assert bool(step.get_overflow_status(status, grads))
    assert not bool(step.get_overflow_status(status, grads[:1]))
    assert bool(step.process_loss_scale(Tensor(True))) and float(step.scale_sense) == 4.0
    assert bool(step.less_equal(step.base, step.reduce_sum(Tensor([0.0, 2.0]))))


def test_multilabel_soft_margin_loss_stays_finite_for_a_large_logit():
    # MindSpore 2.10 (measured): inf and a NaN gradient, its log(sigmoid(-200)) underflows
    x, y = Tensor(np.array([[200.0, -3.0]], np.float32)), Tensor(np.array([[0.0, 1.0]], np.float32))
    loss_fn = nn.MultiLabelSoftMarginLoss()
    loss, grad = ms.value_and_grad(lambda x: loss_fn(x, y))(x)
    expected = (200.0 + 3.0 + np.log1p(np.exp(-3.0))) / 2
    np.testing.assert_allclose(loss.asnumpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(grad.asnumpy(), [[0.5, -0.5 / (1 + np.exp(-3.0))]], rtol=1e-5)


def test_focal_loss_of_gamma_zero_has_a_finite_gradient_where_a_class_saturates():
    # MindSpore 2.10 (measured): NaN for the first row, its (1 - p) ** 0 differentiated
    # as 0 * (1 - p) ** -1; the second row is measured there as [0.334094, -0.334094]
    logits = Tensor(np.array([[40.0, -40.0], [0.5, -0.2]], np.float32))
    labels = Tensor(np.array([[0], [1]], np.int32))
    loss_fn = nn.FocalLoss(gamma=0.0)
    loss, grad = ms.value_and_grad(lambda x: loss_fn(x, labels))(logits)
    np.testing.assert_allclose(loss.asnumpy(), 0.551593, rtol=1e-5)  # measured
    np.testing.assert_allclose(grad.asnumpy(), [[0.0, 0.0], [0.334094, -0.334094]], atol=1e-6)

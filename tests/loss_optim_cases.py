"""Losses, optimizers, loss scaling and metrics measured against MindSpore: one
definition, run by MindSpore (``data/measure_mindspore_loss_optim.py`` writes
``data/mindspore_loss_optim.json``) and by this package
(``test_mindspore_loss_optim.py``) on the same draws."""
from __future__ import annotations

from typing import Any

import numpy as np

# Cases MindSpore 2.7.1 cannot run on its CPU (no kernel): SoftMarginLoss,
# MultilabelMarginLoss. test_mindspore_loss_optim checks them against MindSpore's
# documented examples and finite differences instead.


def measure(ms: Any) -> dict[str, list]:
    """Every measured value, by name, computed with the library ``ms`` (``mindspore``
    or ``autodiff_compiler``)."""
    out = {**losses(ms), **optimizers(ms), **loss_scaling(ms), **metrics(ms)}
    return {k: np.asarray(v.asnumpy() if hasattr(v, "asnumpy") else v,
                          np.float64).reshape(-1).tolist() for k, v in out.items()}


def losses(ms: Any) -> dict[str, Any]:
    """Each loss Cell's value under each reduction, and the gradient of its mean (or
    only) value with respect to its first input."""
    nn, ops, tensor = ms.nn, ms.ops, ms.Tensor
    rng = np.random.default_rng(4)

    def f32(*shape: int, scale: float = 1.0) -> Any:
        return tensor((rng.standard_normal(shape) * scale).astype(np.float32))

    x = f32(4, 5)
    signs = tensor(np.where(rng.random((4, 5)) > 0.5, 1.0, -1.0).astype(np.float32))
    signs_with_zero = tensor(np.array([[1, -1, 1, -1, 1], [-1, -1, 1, 1, -1],
                                       [1, 1, -1, -1, 1], [-1, 1, -1, 1, -1]], np.float32))
    on_margin = tensor(np.array([[1.0, 0.5, -0.3, 1.0, 2.0]] * 4, np.float32) + 0.0)
    probs = tensor(rng.random((4, 5)).astype(np.float32))
    binary = tensor((rng.random((4, 5)) > 0.5).astype(np.float32))
    classes = tensor(np.array([1, 0, 4, 2], np.int64))
    index_labels = tensor(np.array([[1], [0], [4], [2]], np.int32))
    one_hot = tensor(np.eye(5, dtype=np.float32)[[1, 0, 4, 2]])
    x4 = f32(2, 3, 2, 2)
    labels4 = tensor(np.array([0, 2, 1, 1, 2, 0, 0, 1]).reshape(2, 1, 2, 2).astype(np.int32))
    one_hot4 = tensor(np.moveaxis(np.eye(3, dtype=np.float32)[np.asarray(labels4)[:, 0]],
                                  -1, 1).copy())
    weight5 = tensor(np.array([0.5, 1.0, 1.5, 2.0, 0.8], np.float32))
    counts = tensor(np.array(rng.integers(0, 5, (4, 5)), np.float32))
    rates = tensor(np.abs(np.asarray(x)) + 0.1)
    var = tensor(np.abs(rng.standard_normal((4, 5))).astype(np.float32) + 0.2)
    var_row = tensor(np.abs(rng.standard_normal(4)).astype(np.float32) + 0.2)
    target = f32(4, 5)
    dice_weights = tensor(np.array([[1.0], [0.5], [2.0]], np.float32))
    out: dict[str, Any] = {}

    def case(name: str, make: Any, first: Any, *rest: Any, reductions: bool = True) -> None:
        for reduction in ("mean", "sum", "none") if reductions else (None,):
            cell = make() if reduction is None else make(reduction)
            out[f"{name}.{reduction or 'value'}"] = cell(first, *rest)
        cell = make() if not reductions else make("mean")
        out[f"{name}.grad"] = ms.grad(lambda v: cell(v, *rest).sum())(first)

    case("focal_indices", lambda r: nn.FocalLoss(reduction=r), x, index_labels)
    case("focal_one_hot", lambda r: nn.FocalLoss(weight=weight5, gamma=1.5, reduction=r), x,
         one_hot)
    case("focal_indices_weighted", lambda r: nn.FocalLoss(weight=weight5, reduction=r), x,
         index_labels)
    case("focal_4d", lambda r: nn.FocalLoss(reduction=r), x4, labels4)
    case("focal_4d_one_hot", lambda r: nn.FocalLoss(gamma=0.5, reduction=r), x4, one_hot4)
    case("dice", lambda: nn.DiceLoss(), probs, binary, reductions=False)
    case("dice_smooth", lambda: nn.DiceLoss(0.5), x, binary, reductions=False)
    case("multiclass_dice", lambda: nn.MultiClassDiceLoss(), x, one_hot, reductions=False)
    case("multiclass_dice_4d", lambda: nn.MultiClassDiceLoss(
        weights=dice_weights, ignore_indiex=1, activation="sigmoid"), x4, one_hot4,
        reductions=False)
    case("multiclass_dice_relu", lambda: nn.MultiClassDiceLoss(activation="relu"), x,
         one_hot, reductions=False)
    case("multi_margin", lambda r: nn.MultiMarginLoss(reduction=r), x, classes)
    case("multi_margin_p2", lambda r: nn.MultiMarginLoss(2, 0.7, r, weight5), x, classes)
    case("multilabel_soft_margin", lambda r: nn.MultiLabelSoftMarginLoss(reduction=r), x,
         binary)
    case("multilabel_soft_margin_weighted",
         lambda r: nn.MultiLabelSoftMarginLoss(weight5, r), x, binary)
    case("poisson", lambda r: nn.PoissonNLLLoss(reduction=r), x, counts)
    case("poisson_full", lambda r: nn.PoissonNLLLoss(full=True, reduction=r), x, counts)
    case("poisson_rates", lambda r: nn.PoissonNLLLoss(log_input=False, full=True,
                                                      reduction=r), rates, counts)
    case("gaussian_nll", lambda r: nn.GaussianNLLLoss(reduction=r), x, target, var)
    case("gaussian_nll_full_row", lambda r: nn.GaussianNLLLoss(full=True, eps=0.3,
                                                               reduction=r), x, target,
         var_row)
    case("hinge_embedding", lambda r: nn.HingeEmbeddingLoss(reduction=r), x, signs)
    case("hinge_embedding_on_margin", lambda r: nn.HingeEmbeddingLoss(1.0, r), on_margin,
         signs_with_zero)
    case("hinge_embedding_margin", lambda r: nn.HingeEmbeddingLoss(0.4, r), x, signs)
    case("rmse", lambda: nn.RMSELoss(), x, target, reductions=False)
    case("mae", lambda r: nn.MAELoss(r), x, target)
    case("l1_regularizer", lambda: nn.L1Regularizer(0.3), x, reductions=False)

    def functional(name: str, fn: Any, first: Any) -> None:
        out[f"ops.{name}.value"], out[f"ops.{name}.grad"] = \
            ms.value_and_grad(lambda v: fn(v).sum())(first)

    functional("multi_margin_loss",
               lambda v: ops.multi_margin_loss(v, classes, 2, 2, weight5, "sum"), x)
    functional("multilabel_soft_margin_loss",
               lambda v: ops.multilabel_soft_margin_loss(v, binary, None, "none"), x)
    functional("gaussian_nll_loss",
               lambda v: ops.gaussian_nll_loss(x, target, v, True, 1e-6, "sum"), var)
    functional("hinge_embedding_loss",
               lambda v: ops.hinge_embedding_loss(v, signs, 0.5, "none"), x)
    return out


W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
G0 = np.array([0.5, 1.5], np.float32)
# the second gradient flips some signs of the first (Rprop's shrinking), the third not
GRADS = [[np.array([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6]], np.float32) * s,
          np.array([0.7, -0.8], np.float32) * t]
         for s, t in ((1.0, 1.0), (np.array([1.0, 2.0, -1.5], np.float32), -0.5), (1.5, 2.0))]


def optimizer_table(nn: Any) -> dict[str, Any]:
    """Optimizers of a weight ``w`` and a norm's ``bn.gamma`` (not decayed), by name."""
    return {
        "adadelta": lambda p: nn.Adadelta(p, learning_rate=0.5),
        "adadelta_wd": lambda p: nn.Adadelta(p, learning_rate=1.0, rho=0.8, epsilon=1e-4,
                                             weight_decay=0.1),
        "adamax": lambda p: nn.AdaMax(p, learning_rate=0.01),
        "adamax_wd": lambda p: nn.AdaMax(p, learning_rate=0.02, beta1=0.8, beta2=0.9,
                                         weight_decay=0.1),
        "rprop": lambda p: nn.Rprop(p, learning_rate=0.1),
        "rprop_bounds": lambda p: nn.Rprop(p, learning_rate=0.1, etas=(0.3, 1.5),
                                           step_sizes=(0.05, 0.12), weight_decay=0.1),
        "asgd": lambda p: nn.ASGD(p, learning_rate=0.1),
        "asgd_averaging": lambda p: nn.ASGD(p, learning_rate=0.1, lambd=0.1, alpha=0.5,
                                            t0=1.0, weight_decay=0.1),
        "ftrl": lambda p: nn.FTRL(p, learning_rate=0.1),
        "ftrl_l2_power": lambda p: nn.FTRL(p, initial_accum=0.2, learning_rate=0.5,
                                           lr_power=-0.3, l2=0.1, weight_decay=0.1),
        "proximal_adagrad": lambda p: nn.ProximalAdagrad(p, learning_rate=0.1),
        "proximal_adagrad_l1_l2": lambda p: nn.ProximalAdagrad(
            p, accum=0.2, learning_rate=0.3, l1=0.1, l2=0.2, weight_decay=0.1),
        "lazy_adam": lambda p: nn.LazyAdam(p, learning_rate=0.01),
        "lazy_adam_nesterov": lambda p: nn.LazyAdam(p, learning_rate=0.01, use_nesterov=True,
                                                    weight_decay=0.1, loss_scale=2.0),
        "adafactor": lambda p: nn.AdaFactor(p),
        "adafactor_lr": lambda p: nn.AdaFactor(p, learning_rate=0.1, scale_parameter=False,
                                               relative_step=False),
        "adafactor_wd_no_moment": lambda p: nn.AdaFactor(p, learning_rate=0.05, beta1=0.0,
                                                         relative_step=False,
                                                         weight_decay=0.1),
        "adafactor_clip_decay": lambda p: nn.AdaFactor(p, learning_rate=0.05, clip_threshold=0.5,
                                                       decay_rate=0.5, relative_step=False),
        "adafactor_warmup": lambda p: nn.AdaFactor(p, warmup_init=True, beta1=0.5),
        "adamax_group": lambda p: nn.AdaMax([{"params": [p[0]], "lr": 0.05,
                                              "weight_decay": 0.1},
                                             {"params": [p[1]]}], learning_rate=0.01),
    }


def without_cpu_kernel(nn: Any) -> dict[str, Any]:
    """``Lamb`` and ``LARS``, which MindSpore 2.7.1 cannot run on its CPU (no ``Lamb`` nor
    ``LARSUpdate`` kernel), and ``FTRL`` with ``l1``, whose CPU kernel has the sign of
    the l1 step wrong for negative ``z`` (``optim_extra``): checked against their
    documented updates instead."""
    return {
        "ftrl_l1": lambda p: nn.FTRL(p, initial_accum=0.2, learning_rate=0.5, lr_power=-0.3,
                                     l1=0.05, l2=0.1, weight_decay=0.1),
        "lars_momentum": lambda p: nn.LARS(nn.Momentum(p, 0.1, 0.9, weight_decay=0.1)),
        "lars_sgd_filter": lambda p: nn.LARS(nn.SGD(p, 0.5, loss_scale=4.0), epsilon=1e-3,
                                             coefficient=0.01,
                                             lars_filter=lambda q: "gamma" not in q.name),
        "lamb": lambda p: nn.Lamb(p, learning_rate=0.01),
        "lamb_wd": lambda p: nn.Lamb(p, learning_rate=0.05, weight_decay=0.1),
        "lamb_schedule": lambda p: nn.Lamb(p, nn.ExponentialDecayLR(0.05, 0.5, 1)),
    }


def optimizers(ms: Any) -> dict[str, Any]:
    """Three steps of each optimizer from the same Parameters and gradients, and the
    names of the state it keeps."""
    nn, tensor = ms.nn, ms.Tensor
    out: dict[str, Any] = {}
    for name, make in optimizer_table(nn).items():
        w = ms.Parameter(tensor(W0.copy()), name="w")
        gamma = ms.Parameter(tensor(G0.copy()), name="bn.gamma")
        opt = make([w, gamma])
        for k, grads in enumerate(GRADS):
            opt(tuple(tensor(g) for g in grads))
            out[f"optim.{name}.step{k}.w"] = w.asnumpy().copy()
            out[f"optim.{name}.step{k}.gamma"] = gamma.asnumpy().copy()
    return out


STATES = ("accum", "accum_update", "moment1", "moment2", "beta1_power", "beta2_power", "prev",
          "step_size", "mu", "eta", "ax", "moments", "linear", "moments1", "moments2", "exp_avg",
          "exp_avg_sq_row", "exp_avg_sq_col", "exp_avg_sq", "step")


def state_names(ms: Any) -> dict[str, list[str]]:
    """The names of each optimizer's state Parameters (checkpoints show them), by the
    attribute holding them (a Parameter left unnamed as ``Parameter``: MindSpore numbers
    those, ``Parameter$1``, by how many it has made)."""
    def named(p: Any) -> str:
        return "Parameter" if p.name.startswith("Parameter") else p.name

    names = {}
    for name, make in {**optimizer_table(ms.nn), **without_cpu_kernel(ms.nn)}.items():
        if name.startswith("lars"):
            continue
        opt = make([ms.Parameter(ms.Tensor(W0.copy()), name="w"),
                    ms.Parameter(ms.Tensor(G0.copy()), name="bn.gamma")])
        for attribute in STATES:
            state = getattr(opt, attribute, None)
            if isinstance(state, ms.Parameter):
                names[f"{name}.{attribute}"] = [named(state)]
            elif state is not None:
                names[f"{name}.{attribute}"] = [named(p) for p in state]
    return names


class _Regression:
    """A one-Parameter least-squares network, built over either library's ``nn``."""

    @staticmethod
    def make(ms: Any) -> Any:
        class Net(ms.nn.Cell):
            def __init__(self) -> None:
                super().__init__()
                self.w = ms.Parameter(ms.Tensor(W0.T.copy()), name="w")

            def construct(self, x: Any, y: Any) -> Any:
                return ((ms.ops.matmul(x, self.w) - y) ** 2).mean()
        return Net()


def loss_scaling(ms: Any) -> dict[str, Any]:
    """Four steps of ``TrainOneStepWithLossScaleCell`` under each way of scaling, the
    third on an input whose scaled gradient overflows float32 (the step is skipped):
    loss, overflow flag, scale and weight after each. MindSpore 2.7.1 checks overflow
    with NPU or GPU kernels only; on its CPU the check is replaced by what it computes,
    whether any gradient entry is not finite."""
    nn, tensor = ms.nn, ms.Tensor
    x = tensor(np.array([[0.5, -1.0, 0.25], [1.5, 0.5, -0.5]], np.float32))
    huge = tensor(np.array([[1e20, -1.0, 0.25], [1.5, 0.5, -0.5]], np.float32))
    y = tensor(np.array([[1.0, -1.0], [0.5, 2.0]], np.float32))
    managers = {
        "fixed": lambda: nn.FixedLossScaleUpdateCell(2.0 ** 12),
        "dynamic": lambda: nn.DynamicLossScaleUpdateCell(2.0 ** 10, 2, 2),
        "dynamic_floor": lambda: nn.DynamicLossScaleUpdateCell(1.5, 4, 1),
        "tensor": lambda: tensor(np.array([64.0], np.float32)),
    }
    out: dict[str, Any] = {}
    for name, make in managers.items():
        net = _Regression.make(ms)
        step = nn.TrainOneStepWithLossScaleCell(net, nn.Momentum(net.trainable_params(), 0.1,
                                                                 0.9), make())
        if ms.__name__ == "mindspore":  # its CPU has no overflow check: the check's meaning
            step.get_overflow_status = lambda status, grads: ms.Tensor(
                not all(np.isfinite(g.asnumpy()).all() for g in grads))
        for k, data in enumerate((x, x, huge, x)):
            loss, overflow, scale = step(data, y)
            out[f"scale.{name}.step{k}.loss"] = loss
            out[f"scale.{name}.step{k}.overflow"] = np.float32(bool(overflow))
            out[f"scale.{name}.step{k}.scale"] = scale.asnumpy().copy()
            out[f"scale.{name}.step{k}.w"] = net.w.asnumpy().copy()
    return out


def metrics(ms: Any) -> dict[str, Any]:
    return {}

"""Training runs with ``mindspore.experimental.optim`` optimizers and their
``lr_scheduler``, written to run on MindSpore or on this package (``measure(ms)``):
each step's loss and learning rates, and the weights after.
``data/measure_mindspore_experimental_optim.py`` records MindSpore's."""
from __future__ import annotations

from typing import Any

import numpy as np

RNG = np.random.RandomState(55)
X = RNG.randn(6, 6, 4).astype(np.float32)
Y = RNG.randint(0, 3, (6, 6)).astype(np.int32)


def _net(ms: Any) -> Any:
    net = ms.nn.SequentialCell(ms.nn.Dense(4, 5), ms.nn.ReLU(), ms.nn.Dense(5, 3))
    rng = np.random.RandomState(56)
    for p in net.trainable_params():
        p.set_data(ms.Tensor((rng.randn(*p.shape) * 0.3).astype(np.float32)))
    return net


def _groups(net: Any) -> list:
    return [{"params": [net[0].weight, net[2].weight], "weight_decay": 0.01},
            {"params": [net[0].bias, net[2].bias], "lr": 0.05}]


def _cases(optim: Any) -> dict[str, tuple]:
    sched = optim.lr_scheduler
    return {
        "adam_step": (lambda n: optim.Adam(n.trainable_params(), lr=0.01),
                      lambda o: [sched.StepLR(o, step_size=3, gamma=0.5)]),
        "adam_groups_multistep": (
            lambda n: optim.Adam(_groups(n), lr=0.02, weight_decay=0.001, betas=(0.8, 0.99),
                                 eps=1e-6),
            lambda o: [sched.MultiStepLR(o, [2, 4, 4], gamma=0.5)]),
        "adamw_cosine": (lambda n: optim.AdamW(n.trainable_params(), lr=0.02),
                         lambda o: [sched.CosineAnnealingLR(o, T_max=3, eta_min=0.001)]),
        "adamw_amsgrad_linear": (
            lambda n: optim.AdamW(_groups(n), lr=0.02, amsgrad=True, weight_decay=0.05),
            lambda o: [sched.LinearLR(o, start_factor=0.25, total_iters=4)]),
        "sgd_momentum_lambda": (
            lambda n: optim.SGD(n.trainable_params(), lr=0.1, momentum=0.9, weight_decay=1e-3),
            lambda o: [sched.LambdaLR(o, lambda e: 0.9 ** e)]),
        "sgd_nesterov_exponential": (
            lambda n: optim.SGD(_groups(n), lr=0.1, momentum=0.8, nesterov=True),
            lambda o: [sched.ExponentialLR(o, gamma=0.8)]),
        "sgd_constant": (lambda n: optim.SGD(n.trainable_params(), lr=0.2, dampening=0.1),
                         lambda o: [sched.ConstantLR(o, factor=0.5, total_iters=3)]),
        "adam_polynomial_maximize": (
            lambda n: optim.Adam(n.trainable_params(), lr=0.01, maximize=True),
            lambda o: [sched.PolynomialLR(o, total_iters=5, power=2.0)]),
        "sgd_multiplicative": (
            lambda n: optim.SGD(n.trainable_params(), lr=0.1, momentum=0.5, dampening=0.5),
            lambda o: [sched.MultiplicativeLR(o, lambda e: 0.95)]),
        "adam_two_schedulers": (lambda n: optim.Adam(n.trainable_params(), lr=0.01),
                                lambda o: [sched.StepLR(o, 2, 0.5), sched.ExponentialLR(o, 0.9)]),
        "adam_sequential_warmup_cosine": (
            lambda n: optim.Adam(_groups(n), lr=0.02),
            lambda o: [sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.2, total_iters=2),
                                              sched.CosineAnnealingLR(o, T_max=4)], [2])]),
        "sgd_warm_restarts_doubling": (
            lambda n: optim.SGD(n.trainable_params(), lr=0.1, momentum=0.9),
            lambda o: [sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=2, eta_min=0.001)]),
        "adamw_warm_restarts": (lambda n: optim.AdamW(n.trainable_params(), lr=0.02),
                                lambda o: [sched.CosineAnnealingWarmRestarts(o, T_0=3)]),
        "adadelta_groups_step": (
            lambda n: optim.Adadelta(_groups(n), lr=1.0, rho=0.8, weight_decay=0.01),
            lambda o: [sched.StepLR(o, step_size=2, gamma=0.5)]),
        "adagrad_lr_decay_maximize": (
            lambda n: optim.Adagrad(n.trainable_params(), lr=0.05, lr_decay=0.1,
                                    weight_decay=0.01, initial_accumulator_value=0.1,
                                    maximize=True),
            lambda o: [sched.ConstantLR(o, factor=0.5, total_iters=2)]),
        "adamax_groups": (lambda n: optim.Adamax(_groups(n), lr=0.02, betas=(0.8, 0.95)),
                          lambda o: [sched.ExponentialLR(o, gamma=0.9)]),
        "asgd_t0": (lambda n: optim.ASGD(n.trainable_params(), lr=0.05, lambd=1e-2, alpha=0.75,
                                         t0=2.0, weight_decay=0.01),
                    lambda o: [sched.StepLR(o, step_size=3, gamma=0.5)]),
        "nadam_groups": (lambda n: optim.NAdam(_groups(n), lr=0.02, momentum_decay=0.04),
                         lambda o: [sched.LinearLR(o, start_factor=0.5, total_iters=3)]),
        "radam_rectified": (lambda n: optim.RAdam(n.trainable_params(), lr=0.02, betas=(0.9, 0.9),
                                                  weight_decay=0.01),
                            lambda o: [sched.StepLR(o, step_size=4, gamma=0.5)]),
        "rmsprop_centered_momentum": (
            lambda n: optim.RMSprop(_groups(n), lr=0.01, alpha=0.9, momentum=0.5, centered=True,
                                    weight_decay=0.01),
            lambda o: [sched.CosineAnnealingLR(o, T_max=4)]),
        "rmsprop_plain_maximize": (
            lambda n: optim.RMSprop(n.trainable_params(), lr=0.01, maximize=True),
            lambda o: [sched.StepLR(o, step_size=2, gamma=0.5)]),
        "rprop": (lambda n: optim.Rprop(n.trainable_params(), lr=0.05, etas=(0.4, 1.3),
                                        step_sizes=(1e-3, 0.08)),
                  lambda o: [sched.StepLR(o, step_size=10)]),
        "sgd_cyclic_triangular": (lambda n: optim.SGD(n.trainable_params(), lr=0.5),
                                  lambda o: [sched.CyclicLR(o, 0.01, 0.1, step_size_up=3)]),
        "sgd_cyclic_triangular2_groups": (
            lambda n: optim.SGD(_groups(n), lr=0.1, momentum=0.9),
            lambda o: [sched.CyclicLR(o, [0.01, 0.02], 0.1, step_size_up=2, step_size_down=1,
                                      mode="triangular2")]),
        "adam_cyclic_exp_range": (
            lambda n: optim.Adam(n.trainable_params(), lr=0.1),
            lambda o: [sched.CyclicLR(o, 0.01, 0.1, step_size_up=2, mode="exp_range",
                                      gamma=0.9)]),
        "sgd_cyclic_scale_fn_iterations": (
            lambda n: optim.SGD(n.trainable_params(), lr=0.1),
            lambda o: [sched.CyclicLR(o, 0.01, 0.1, step_size_up=2, scale_fn=lambda x: 0.5 ** x,
                                      scale_mode="iterations")]),
    }


def _run(ms: Any, make_optimizer: Any, make_schedulers: Any) -> dict[str, list]:
    net = _net(ms)
    optimizer = make_optimizer(net)
    schedulers = make_schedulers(optimizer)
    loss = ms.nn.CrossEntropyLoss()
    grad_fn = ms.value_and_grad(lambda x, y: loss(net(x), y), None, optimizer.parameters)
    losses, rates = [], []
    for x, y in zip(X, Y):
        value, grads = grad_fn(ms.Tensor(x), ms.Tensor(y))
        optimizer(grads)
        for scheduler in schedulers:
            scheduler.step()
        losses.append(float(value.asnumpy()))
        rates.append([float(lr.asnumpy()) for lr in schedulers[0].get_last_lr()])
    return {"losses": losses, "rates": rates,
            "weights": [p.asnumpy().ravel().tolist() for p in net.trainable_params()]}


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.3, 0.5, 0.5, 0.5, 0.29995, 0.2, 0.7, 0.7]


def _plateaus(optim: Any) -> dict[str, list]:
    """Each group's rate after each ``ReduceLROnPlateau.step(metric)`` of PLATEAU_METRICS."""
    sched, rates = optim.lr_scheduler, {}
    settings = {"min_groups": ({"factor": 0.5, "patience": 1, "min_lr": [0.001, 0.03]}, True),
                "cooldown_abs": ({"factor": 0.5, "patience": 0, "cooldown": 2, "threshold": 0.5,
                                  "threshold_mode": "abs"}, False),
                "max_rel": ({"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.1},
                            False),
                "min_rel": ({"factor": 0.5, "patience": 0}, False)}
    for name, (kwargs, grouped) in settings.items():
        net = _net(__import__(optim.__name__.split(".")[0]))
        params = _groups(net) if grouped else net.trainable_params()
        plateau = sched.ReduceLROnPlateau(optim.SGD(params, lr=0.1), **kwargs)
        rates[name] = []
        for metric in PLATEAU_METRICS:
            plateau.step(metric)
            rates[name].append([float(lr.asnumpy()) for lr in plateau.get_last_lr()])
    return rates


def measure(ms: Any) -> dict[str, Any]:
    from importlib import import_module
    optim = import_module(f"{ms.__name__}.experimental.optim")
    results = {name: _run(ms, *case) for name, case in _cases(optim).items()}
    net = _net(ms)
    step = optim.lr_scheduler.StepLR(optim.Adam(net.trainable_params(), lr=0.01), 2, 0.5)
    step.step(5)
    cosine = optim.lr_scheduler.CosineAnnealingLR(optim.SGD(_groups(net), lr=0.1), 4)
    cosine.step(3)
    restarts = optim.lr_scheduler.CosineAnnealingWarmRestarts(
        optim.SGD(net.trainable_params(), lr=0.1), T_0=3, eta_min=0.01)
    restarts.step(7)
    results["closed_forms"] = {"rates": [[float(v.asnumpy()) for v in s.get_last_lr()]
                                         for s in (step, cosine, restarts)]}
    results["plateau"] = _plateaus(optim)
    group = optim.SGD(_groups(net), lr=0.1).param_groups[1]
    results["group_keys"] = sorted(k for k in group if k != "params")
    return results

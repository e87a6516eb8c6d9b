"""Measure MindSpore's optimizers and learning rates: writes mindspore_optim.json.

Run with MindSpore 2.x installed (it needs numpy<2), e.g.
``python -m venv /tmp/ms && /tmp/ms/bin/pip install "numpy<2" "mindspore>=2,<3"``, then
``/tmp/ms/bin/python tests/data/measure_mindspore_optim.py``. Not a test: the tests
read the JSON it wrote (tests/test_optimizers.py).
"""
import json
from pathlib import Path

import mindspore as ms
import numpy as np
from mindspore import Parameter, Tensor, nn

W0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], np.float32)
G0 = np.array([0.5, 1.5], np.float32)
GRADS = [[np.array([[0.1, -0.2, 0.3], [0.4, -0.5, 0.6]], np.float32) * (k + 1),
          np.array([0.7, -0.8], np.float32) / (k + 1)] for k in range(3)]
OPTIMIZERS = {
    "sgd": lambda p: nn.SGD(p, learning_rate=0.1),
    "sgd_mom": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9),
    "sgd_mom_damp": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9, dampening=0.3),
    "sgd_nesterov": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9, nesterov=True),
    "sgd_wd": lambda p: nn.SGD(p, learning_rate=0.1, momentum=0.9, weight_decay=0.01),
    "momentum": lambda p: nn.Momentum(p, learning_rate=0.1, momentum=0.9),
    "momentum_nesterov": lambda p: nn.Momentum(p, learning_rate=0.1, momentum=0.9,
                                               use_nesterov=True),
    "momentum_wd": lambda p: nn.Momentum(p, learning_rate=0.1, momentum=0.9, weight_decay=0.01),
    "adam": lambda p: nn.Adam(p, learning_rate=0.01),
    "adam_wd": lambda p: nn.Adam(p, learning_rate=0.01, weight_decay=0.1),
    "adam_nesterov": lambda p: nn.Adam(p, learning_rate=0.01, use_nesterov=True),
    "adam_amsgrad": lambda p: nn.Adam(p, learning_rate=0.01, use_amsgrad=True),
    "adamw": lambda p: nn.AdamWeightDecay(p, learning_rate=0.01, weight_decay=0.1),
    "adamw_nowd": lambda p: nn.AdamWeightDecay(p, learning_rate=0.01),
    "sgd_lr_list": lambda p: nn.SGD(p, learning_rate=[0.1, 0.05, 0.01]),
    "adam_explr": lambda p: nn.Adam(p, learning_rate=nn.ExponentialDecayLR(0.01, 0.5, 1)),
    "sgd_group": lambda p: nn.SGD([{"params": [p[0]], "lr": 0.5, "weight_decay": 0.1},
                                   {"params": [p[1]]}], learning_rate=0.1),
    "momentum_group_wd": lambda p: nn.Momentum([{"params": [p[0]], "weight_decay": 0.1},
                                                {"params": [p[1]], "weight_decay": 0.2}],
                                               learning_rate=0.1, momentum=0.9),
}
SCHEDULES = {
    "exp": lambda: nn.ExponentialDecayLR(0.1, 0.9, 2),
    "exp_stair": lambda: nn.ExponentialDecayLR(0.1, 0.9, 2, True),
    "cos": lambda: nn.CosineDecayLR(0.01, 0.1, 4),
    "poly": lambda: nn.PolynomialDecayLR(0.1, 0.01, 4, 0.5),
    "poly_upd": lambda: nn.PolynomialDecayLR(0.1, 0.01, 2, 0.5, True),
    "warmup": lambda: nn.WarmUpLR(0.1, 3),
    "inv": lambda: nn.InverseDecayLR(0.1, 0.5, 2),
    "nat": lambda: nn.NaturalExpDecayLR(0.1, 0.5, 2),
}
LISTS = {
    "piecewise": lambda: nn.piecewise_constant_lr([2, 5, 6], [0.1, 0.05, 0.01]),
    "exp": lambda: nn.exponential_decay_lr(0.1, 0.9, 6, 2, 1),
    "exp_stair": lambda: nn.exponential_decay_lr(0.1, 0.9, 6, 2, 2, True),
    "cos": lambda: nn.cosine_decay_lr(0.01, 0.1, 6, 2, 2),
    "poly": lambda: nn.polynomial_decay_lr(0.1, 0.01, 6, 2, 2, 0.5),
    "warmup": lambda: nn.warmup_lr(0.1, 6, 2, 2),
    "inv": lambda: nn.inverse_decay_lr(0.1, 0.5, 6, 2, 2),
    "nat": lambda: nn.natural_exp_decay_lr(0.1, 0.5, 6, 2, 2),
}


def trajectory(make):
    w, g = Parameter(Tensor(W0.copy()), name="w"), Parameter(Tensor(G0.copy()), name="bn.gamma")
    opt = make([w, g])
    steps = []
    for grads in GRADS:
        opt(tuple(Tensor(x) for x in grads))
        steps.append([w.asnumpy().tolist(), g.asnumpy().tolist()])
    return steps


def main():
    w = Parameter(Tensor(W0.copy()), name="w")
    opt = nn.Adam([w], learning_rate=nn.ExponentialDecayLR(0.01, 0.5, 1))
    before = float(opt.get_lr().asnumpy())
    opt((Tensor(GRADS[0][0]),))
    stair = {str(n): [round(float(nn.NaturalExpDecayLR(0.1, 0.5, n, True)(Tensor(k, ms.int32))
                                  .asnumpy()), 6) for k in range(6)] for n in (2, 4)}
    out = {
        "version": f"MindSpore {ms.__version__}, CPU, PyNative; measured by "
                   "tests/data/measure_mindspore_optim.py",
        "trajectories": {name: trajectory(make) for name, make in OPTIMIZERS.items()},
        "schedules": {name: [float(make()(Tensor(k, ms.int32)).asnumpy()) for k in range(7)]
                      for name, make in SCHEDULES.items()},
        "lists": {name: make() for name, make in LISTS.items()},
        "natural_exp_stair": stair,
        "get_lr_before_after_one_step": [before, float(opt.get_lr().asnumpy())],
        "state_names": [p.name for p in opt.moment1],
    }
    path = Path(__file__).with_name("mindspore_optim.json")
    path.write_text(json.dumps(out, separators=(",", ":")))


if __name__ == "__main__":
    main()

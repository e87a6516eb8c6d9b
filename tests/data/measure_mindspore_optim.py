"""Measure MindSpore's optimizers and learning rates: writes mindspore_optim.json.

Run with MindSpore 2.x installed (it needs numpy<2), e.g.
``python -m venv /tmp/ms && /tmp/ms/bin/pip install "numpy<2" "mindspore>=2,<3"``, then
``/tmp/ms/bin/python tests/data/measure_mindspore_optim.py``. Not a test: the tests
read the JSON it wrote (tests/test_optimizers.py).
"""
import json
from pathlib import Path

import mindspore as ms
from mindspore import Parameter, Tensor, nn
from optim_cases import G0, GRADS, W0, tables

OPTIMIZERS, SCHEDULES, LISTS = tables(nn)


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

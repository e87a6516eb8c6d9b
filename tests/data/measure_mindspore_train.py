"""Measure MindSpore's training loop: writes mindspore_train.json (see
measure_mindspore_optim.py for how to run it). A Dense(4, 2) with fixed weights is
trained by Model.train with SGD, then by TrainOneStepCell, on a fixed dataset."""
import contextlib
import io
import json
from pathlib import Path

import mindspore as ms
import mindspore.dataset as ds
import numpy as np
from mindspore import Tensor, nn
from mindspore.train import LossMonitor, Model

X = np.linspace(-1, 1, 80, dtype=np.float32).reshape(20, 4) ** 3
Y = (X.sum(1) > 0).astype(np.int32)
W = np.array([[0.1, -0.2, 0.3, -0.4], [0.5, 0.6, -0.7, 0.8]], np.float32)
B = np.array([0.05, -0.05], np.float32)


def network():
    net = nn.Dense(4, 2)
    net.weight.set_data(Tensor(W.copy()))
    net.bias.set_data(Tensor(B.copy()))
    return net


def main():
    net = network()
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    model = Model(net, loss_fn, nn.SGD(net.trainable_params(), 0.5),
                  metrics={"accuracy", "loss"})
    data = ds.NumpySlicesDataset((X, Y), ["data", "label"], shuffle=False).batch(5)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.train(2, data, callbacks=[LossMonitor(2)], dataset_sink_mode=False)
    evaluated = model.eval(data, dataset_sink_mode=False)
    step_net = network()
    step = nn.TrainOneStepCell(nn.WithLossCell(step_net, loss_fn),
                               nn.Momentum(step_net.trainable_params(), 0.1, 0.9))
    losses = [float(step(Tensor(X), Tensor(Y)).asnumpy()) for _ in range(3)]
    out = {"version": f"MindSpore {ms.__version__}, CPU, PyNative",
           "printed": printed.getvalue().splitlines(), "eval": evaluated,
           "weight_after_train": net.weight.asnumpy().tolist(),
           "names": [p.name for p in net.trainable_params()],
           "train_one_step_losses": losses}
    Path(__file__).with_name("mindspore_train.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

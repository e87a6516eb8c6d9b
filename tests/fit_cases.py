"""``Model.fit`` runs with its evaluation and the callbacks that act on it, written to
run on MindSpore or on this package (``measure(ms)``): what each epoch's end sees
(``eval_results``' keys, ``eval_loss``, the learning rate), the evaluation's stages,
and the weights after. ``data/measure_mindspore_fit.py`` records MindSpore's."""
from __future__ import annotations

from typing import Any

import numpy as np

TRUE_W = np.array([1.0, -2.0, 0.5, 3.0], np.float32)


def _data(ms: Any, rows: int, batch: int, seed: int) -> Any:
    x = np.random.default_rng(seed).normal(size=(rows, 4)).astype(np.float32)
    y = (x @ TRUE_W > 0).astype(np.int32)
    return ms.dataset.NumpySlicesDataset({"x": x, "y": y}, shuffle=False).batch(batch)


def _recorder(ms: Any) -> Any:
    class Recorder(ms.train.Callback):
        def __init__(self):
            self.log = []

        def on_train_epoch_end(self, run_context):
            cb = run_context.original_args()
            results = cb.get("eval_results")
            self.log.append(["epoch_end", cb.cur_epoch_num,
                             None if results is None else sorted(results),
                             None if results is None else float(results["eval_loss"]),
                             float(cb.optimizer.learning_rate.asnumpy())])

        def on_eval_begin(self, run_context):
            self.log.append(["eval_begin", run_context.original_args().cur_epoch_num])

        def on_eval_end(self, run_context):
            metrics = run_context.original_args().metrics
            self.log.append(["eval_end", sorted(metrics), float(metrics["acc"])])
    return Recorder()


def _run(ms: Any, callbacks: list, epochs: int, frequency: Any = 1) -> dict[str, Any]:
    net = ms.nn.Dense(4, 2)
    net.weight.set_data(ms.Tensor(np.linspace(-1, 1, 8).reshape(2, 4).astype(np.float32)))
    net.bias.set_data(ms.Tensor(np.zeros(2, np.float32)))
    optimizer = ms.nn.Momentum(net.trainable_params(), learning_rate=0.5, momentum=0.9)
    loss = ms.nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    model = ms.train.Model(net, loss, optimizer, metrics={"acc": ms.nn.Accuracy()})
    recorder = _recorder(ms)
    model.fit(epochs, _data(ms, 24, 8, 0), _data(ms, 12, 6, 1), valid_frequency=frequency,
              callbacks=[recorder, *callbacks])
    return {"log": recorder.log, "weight": net.weight.asnumpy().ravel().tolist(),
            "learning_rate": float(optimizer.learning_rate.asnumpy())}


def measure(ms: Any) -> dict[str, Any]:
    train = ms.train
    return {
        "every_second_epoch": _run(ms, [], 4, 2),
        "epochs_listed": _run(ms, [], 3, [1, 3]),
        "early_stopping_on_eval_loss": _run(ms, [train.EarlyStopping(patience=1)], 8),
        "early_stopping_restoring_the_best": _run(
            ms, [train.EarlyStopping(monitor="acc", patience=2, restore_best_weights=True)], 8),
        "reduce_lr_on_plateau": _run(ms, [train.ReduceLROnPlateau(
            monitor="eval_loss", factor=0.5, patience=0, min_delta=0.05)], 5),
        "learning_rate_scheduler": _run(ms, [train.LearningRateScheduler(
            lambda lr, step: lr * 0.9 if step % 2 == 0 else lr)], 2),
    }

"""Training as MindSpore programs write it: Model.train/eval with callbacks, the
wrappers, metrics and checkpoints, against what MindSpore 2.10 did on the same data
and weights (``data/mindspore_train.json``, measured by
``data/measure_mindspore_train.py``)."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from autodiff_compiler.train import (
    MAE,
    MSE,
    Accuracy,
    Callback,
    History,
    Loss,
    LossMonitor,
    Model,
    TimeMonitor,
)
from autodiff_compiler.train.serialization import decode, encode

import autodiff_compiler as ms
from autodiff_compiler import dataset as ds
from autodiff_compiler import nn

DATA = Path(__file__).parent / "data"
MEASURED = json.loads((DATA / "mindspore_train.json").read_text())
X = np.linspace(-1, 1, 80, dtype=np.float32).reshape(20, 4) ** 3
Y = (X.sum(1) > 0).astype(np.int32)
W = np.array([[0.1, -0.2, 0.3, -0.4], [0.5, 0.6, -0.7, 0.8]], np.float32)
B = np.array([0.05, -0.05], np.float32)


def network():
    net = nn.Dense(4, 2)
    net.weight[...] = W
    net.bias[...] = B
    return net


def loss_fn():
    return nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")


def batches():
    return ds.NumpySlicesDataset((X, Y), ["data", "label"], shuffle=False).batch(5)


def test_model_train_prints_and_learns_what_mindspore_did(capsys):
    net = network()
    model = Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.5),
                  metrics={"accuracy", "loss"})
    model.train(2, batches(), callbacks=[LossMonitor(2)], dataset_sink_mode=False)
    printed = capsys.readouterr().out.splitlines()
    assert [line.rsplit(" ", 1)[0] for line in printed] == \
        [line.rsplit(" ", 1)[0] for line in MEASURED["printed"]]
    np.testing.assert_allclose([float(line.rsplit(" ", 1)[1]) for line in printed],
                               [float(line.rsplit(" ", 1)[1]) for line in MEASURED["printed"]],
                               rtol=1e-5)
    np.testing.assert_allclose(net.weight, MEASURED["weight_after_train"], rtol=1e-5)
    assert [p.name for p in net.trainable_params()] == MEASURED["names"]
    result = model.eval(batches())
    assert result["accuracy"] == pytest.approx(MEASURED["eval"]["accuracy"])
    assert result["loss"] == pytest.approx(MEASURED["eval"]["loss"], rel=1e-5)


def test_train_one_step_cell_matches_mindspore():
    net = network()
    step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn()),
                               nn.Momentum(net.trainable_params(), 0.1, 0.9))
    losses = [float(step(X, Y)) for _ in range(3)]
    np.testing.assert_allclose(losses, MEASURED["train_one_step_losses"], rtol=1e-5)


def test_train_one_step_cell_returns_gradients_by_name_as_mindspore():
    """``return_grad=True`` with ``sens=2.0``: ``(loss, {name: gradient})``, the gradient
    of the loss times sens (MindSpore 2.10's values)."""
    net = network()
    step = nn.TrainOneStepCell(nn.WithLossCell(net, loss_fn()),
                               nn.SGD(net.trainable_params(), 0.1), sens=2.0,
                               return_grad=True)
    loss, grads = step(X, Y)
    assert float(loss) == pytest.approx(0.5476224, rel=1e-6)
    assert list(grads) == ["weight", "bias"]
    np.testing.assert_allclose(grads["weight"], [[0.160526, 0.1600686, 0.1610302, 0.1634148],
                                                 [-0.160526, -0.1600686, -0.1610301,
                                                  -0.1634148]], rtol=1e-5)
    np.testing.assert_allclose(grads["bias"], [0.0434464, -0.0434464], rtol=1e-5)


class Recorder(Callback):
    def __init__(self):
        self.seen = []

    def on_train_epoch_end(self, run_context):
        cb = run_context.original_args()
        self.seen.append(("epoch", cb.cur_epoch_num, cb.cur_step_num, cb["batch_num"]))

    def step_end(self, run_context):  # the old name is called too
        cb = run_context.original_args()
        if cb.cur_step_num == 3:
            run_context.request_stop()
        self.seen.append(("step", cb.cur_step_num))


def test_callbacks_see_the_run_and_can_stop_it():
    net = network()
    recorder, history = Recorder(), History()
    Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.1)).train(
        5, batches(), callbacks=[recorder, history])
    assert recorder.seen == [("step", 1), ("step", 2), ("step", 3), ("epoch", 1, 3, 4)]
    assert len(history.history["net_output"]) == 1


def test_time_monitor_prints_each_epoch(capsys):
    net = network()
    Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.1)).train(
        2, batches(), callbacks=TimeMonitor())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and all(line.startswith("epoch time: ") for line in lines)


@pytest.mark.parametrize("metric, updates, expected", [
    (Accuracy(), [([[0.2, 0.8], [0.9, 0.1], [0.3, 0.7]], [1, 1, 1])], 2 / 3),
    (Accuracy(), [([[0.2, 0.8], [0.9, 0.1], [0.3, 0.7]], [1, 1, 1]), ([[0.2, 0.8]], [[0, 1]])],
     0.75),
    (MAE(), [([[1.0, 2.0], [3.0, 4.0]], [[1.5, 2.0], [2.0, 4.0]])], 0.75),
    (MSE(), [([[1.0, 2.0], [3.0, 4.0]], [[1.5, 2.0], [2.0, 4.0]])], 0.625),
    (Loss(), [(2.0,), (4.0,)], 3.0),
    # MindSpore 2.10's: a sample counts where all its labels are right
    (Accuracy("multilabel"), [([[1, 0, 1], [0, 1, 1]], [[1, 0, 0], [0, 1, 1]])], 0.5),
    (Accuracy("multilabel"), [([[[1, 0], [0, 1], [1, 1]], [[0, 0], [1, 1], [1, 0]]],
                               [[[1, 0], [0, 1], [1, 0]], [[0, 0], [1, 1], [1, 0]]])], 0.75),
])
def test_metrics_as_mindspore_computes_them(metric, updates, expected):
    metric.clear()
    for args in updates:
        metric.update(*(np.asarray(a) for a in args))
    assert metric.eval() == pytest.approx(expected)


def test_multilabel_accuracy_takes_zeros_and_ones_only():
    with pytest.raises(ValueError, match="should be 0 or 1"):
        Accuracy("multilabel").update(np.array([[0.7, 0.2]]), np.array([[1, 0]]))


def test_a_custom_metric_has_mindspores_helpers():
    """The custom-metric tutorial's ``_convert_data`` and ``set_indexes`` with
    ``rearrange_inputs``, on a Metric subclass of the user's."""
    class Distance(ms.train.Metric):
        def clear(self):
            self.total, self.count = 0.0, 0

        @ms.train.rearrange_inputs
        def update(self, y_pred, y):
            y_pred, y = self._convert_data(y_pred), self._convert_data(y)
            self.total += float(np.abs(y_pred - y).sum())
            self.count += 1

        def eval(self):
            return self.total / self.count

    metric = Distance().set_indexes([1, 0])
    metric.clear()
    metric.update(ms.Tensor(np.array([1.0, 3.0])), [0.5, 1.0])
    assert metric.indexes == [1, 0] and metric.eval() == 2.5
    with pytest.raises(TypeError, match=r"tensor, list or numpy\.ndarray"):
        metric._convert_data(3.0)


def test_metric_without_samples_is_an_error():
    with pytest.raises(RuntimeError, match="number of samples is 0"):
        Accuracy().eval()


def test_checkpoints_round_trip_and_read_mindspore_files(tmp_path):
    net = network()
    ms.save_checkpoint(net, str(tmp_path / "net"))
    loaded = ms.load_checkpoint(str(tmp_path / "net.ckpt"))
    assert list(loaded) == ["weight", "bias"] and isinstance(loaded["weight"], ms.Parameter)
    other = nn.Dense(4, 2)
    assert ms.load_param_into_net(other, loaded) == ([], [])
    np.testing.assert_array_equal(other.weight, W)
    # a file MindSpore 2.10 wrote: one Float32 entry 'a' of ones(2)
    written_by_mindspore = bytes.fromhex("0a1a0a0161121508021207466c6f617433321a080000803f0000803f")
    assert encode({"a": np.ones(2, np.float32)}) == written_by_mindspore
    np.testing.assert_array_equal(decode(written_by_mindspore)["a"], np.ones(2, np.float32))
    scalar_by_mindspore = bytes.fromhex("0a140a0173120f1207466c6f617433321a0400000040")
    assert encode({"s": np.array(2.0, np.float32)}) == scalar_by_mindspore


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int32, np.int64,
                                   np.uint8, np.bool_])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_checkpoint_encoding_round_trips(dtype, shape):
    value = (np.arange(int(np.prod(shape))) % 3).astype(dtype).reshape(shape)
    back = decode(encode({"v": value}))["v"]
    assert back.dtype == value.dtype and back.shape == value.shape
    np.testing.assert_array_equal(back, value)


def test_loading_reports_what_did_not_match(tmp_path):
    ms.save_checkpoint({"weight": W, "extra": np.ones(1, np.float32)}, str(tmp_path / "a.ckpt"))
    loaded = ms.load_checkpoint(str(tmp_path / "a.ckpt"))
    assert ms.load_param_into_net(nn.Dense(4, 2), loaded) == (["bias"], ["extra"])
    with pytest.raises(RuntimeError, match="should have the same shape"):
        ms.load_param_into_net(nn.Dense(4, 3), loaded)
    with pytest.raises(ValueError, match="not a MindSpore checkpoint"):
        decode(b"\x0a\xff")


def test_model_without_an_optimizer_cannot_train():
    with pytest.raises(ValueError, match="needs an optimizer"):
        Model(network(), loss_fn()).train(1, batches())
    with pytest.raises(TypeError, match="Callback instances"):
        net = network()
        Model(net, loss_fn(), nn.SGD(net.trainable_params())).train(1, batches(), callbacks=[1])


def test_callbacks_see_the_epochs_left_after_initial_epoch():
    """``Model.train(4, ..., initial_epoch=2)``: MindSpore 2.10's ``cb_params.epoch_num``
    is the epochs this run trains (2), ``cur_epoch_num`` counts on from 3 and
    ``cur_step_num`` from 0 (measured)."""
    seen = []

    class Epochs(Callback):
        def on_train_epoch_end(self, run_context):
            cb = run_context.original_args()
            seen.append((cb.cur_epoch_num, cb.cur_step_num, cb.epoch_num))

    net = network()
    Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.1)).train(
        4, batches(), callbacks=[Epochs()], initial_epoch=2)
    assert seen == [(3, 4, 2), (4, 8, 2)]


class Keys(Callback):
    def __init__(self):
        self.seen = {}

    def on_train_begin(self, run_context):
        self.seen["begin"] = set(run_context.original_args())

    def on_train_step_end(self, run_context):
        cb = run_context.original_args()
        self.seen["train"] = set(cb)
        self.seen["element"] = [np.shape(c) for c in cb.train_dataset_element]
        self.seen["network"] = cb.network

    def on_eval_step_end(self, run_context):
        self.seen["eval"] = set(run_context.original_args())


def test_run_parameters_hold_mindspores_keys():
    """The keys MindSpore 2.10's ``cb_params`` has (measured with the same program),
    each batch's columns in ``train_dataset_element`` and the user's net in ``network``."""
    common = {"batch_num", "cur_step_num", "dataset_sink_mode", "list_callback", "mode",
              "net_outputs", "network"}
    train = common | {"cur_epoch_num", "device_number", "epoch_num", "initial_step",
                      "last_save_ckpt_step", "latest_ckpt_file", "loss_fn",
                      "loss_scale_mananger", "optimizer", "parallel_mode", "train_dataset",
                      "train_dataset_element", "train_network"}
    net, keys = network(), Keys()
    model = Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.1), metrics={"accuracy"})
    model.train(1, batches(), callbacks=[keys])
    model.eval(batches(), callbacks=[keys])
    assert keys.seen["begin"] >= train - {"net_outputs", "cur_epoch_num"}
    assert keys.seen["train"] == train
    assert keys.seen["eval"] == common | {"eval_dataset_element", "eval_network",
                                          "valid_dataset"}
    assert keys.seen["element"] == [(5, 4), (5,)] and keys.seen["network"] is net
    assert model.predict_network is net  # (as in MindSpore 2.10)


class _Reordered(nn.Cell):
    """An eval network giving (logits, label, loss): eval_indexes [2, 0, 1] say so."""

    def __init__(self, net):
        super().__init__(auto_prefix=False)
        self.net, self.loss = net, loss_fn()

    def construct(self, x, y):
        logits = self.net(x)
        return logits, y, self.loss(logits, y)


class _NoLoss(nn.Cell):
    def __init__(self, net):
        super().__init__(auto_prefix=False)
        self.net = net

    def construct(self, x, y):
        return self.net(x), y


def test_eval_network_outputs_go_to_the_metrics_by_eval_indexes():
    """MindSpore 2.10's ``_update_metrics`` (measured): with ``eval_indexes`` the Loss
    metric takes the loss and the others (outputs, label); without them every metric
    takes all the outputs. It raised TypeError inside the package (a 2-output eval
    network was unpacked as 3) and ignored the indexes."""
    net = network()
    reordered = Model(net, eval_network=_Reordered(net), metrics={"acc": Accuracy(),
                                                                  "loss": Loss()},
                      eval_indexes=[2, 0, 1]).eval(batches())
    assert reordered["acc"] == pytest.approx(0.8)
    assert reordered["loss"] == pytest.approx(0.5476224, rel=1e-6)
    assert Model(net, eval_network=_NoLoss(net), metrics={"acc": Accuracy()}).eval(
        batches()) == {"acc": pytest.approx(0.8)}
    with pytest.raises(ValueError, match="length of it must be three"):
        Model(net, eval_network=_NoLoss(net), metrics={"acc": Accuracy()}, eval_indexes=[0, 1])
    with pytest.raises(ValueError, match="must be >= 3, but got 2"):
        Model(net, eval_network=_NoLoss(net), metrics={"acc": Accuracy()},
              eval_indexes=[0, 0, 1]).eval(batches())


class _Stages(Callback):
    def __init__(self, log, stop_at=None):
        self.log, self.stop_at = log, stop_at

    def on_eval_begin(self, run_context):
        self.log.append("begin")

    def on_eval_epoch_begin(self, run_context):
        self.log.append("epoch_begin")

    def on_eval_step_end(self, run_context):
        self.log.append("step")
        if run_context.original_args().cur_step_num == self.stop_at:
            run_context.request_stop()

    def on_eval_epoch_end(self, run_context):
        self.log.append("epoch_end")

    def on_eval_end(self, run_context):
        self.log.append(sorted(run_context.original_args().metrics))


def test_evaluation_runs_every_callback_stage_and_stops_when_asked():
    """MindSpore 2.10's evaluation (measured): ``on_eval_epoch_begin``/``end`` around
    the steps (they were never called here), and ``request_stop`` in a step ends it."""
    net, log = network(), []
    model = Model(net, loss_fn(), metrics={"accuracy", "loss"})
    model.eval(batches(), callbacks=[_Stages(log)])
    assert log == ["begin", "epoch_begin", *["step"] * 4, "epoch_end", ["accuracy", "loss"]]
    log.clear()
    model.eval(batches(), callbacks=[_Stages(log, stop_at=2)])
    assert log == ["begin", "epoch_begin", "step", "step", "epoch_end", ["accuracy", "loss"]]


class _OldStyle(Callback):
    def __init__(self, log):
        self.log = log

    def step_end(self, run_context):
        out = run_context.original_args().net_outputs
        self.log.append(len(out) if isinstance(out, tuple) else 1)

    def epoch_end(self, run_context):
        self.log.append("epoch_end")


def test_old_stage_names_run_in_evaluation_and_fit_refuses_them():
    """MindSpore 2.10 (measured): ``on_eval_step_end`` and the other evaluation stages
    call the 1.x names (``step_end``...) as the training ones do, so such a callback also
    runs at each evaluation step (seeing ``(loss, outputs, label)``); ``fit`` refuses a
    user's callback that defines them."""
    net, log = network(), []
    model = Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.1), metrics={"accuracy"})
    model.train(1, batches(), callbacks=[_OldStyle(log)])
    assert log == [1, 1, 1, 1, "epoch_end"]
    log.clear()
    model.eval(batches(), callbacks=[_OldStyle(log)])
    assert log == [3, 3, 3, 3, "epoch_end"]
    with pytest.raises(ValueError, match="Use methods prefixed with 'on_train'"):
        model.fit(1, batches(), batches(), callbacks=[_OldStyle(log)])


def test_loss_monitor_stops_on_a_nan_loss_with_mindspores_message():
    net = network()
    data = ds.NumpySlicesDataset((np.full((4, 4), np.nan, np.float32), Y[:4]), ["x", "y"],
                                 shuffle=False).batch(2)
    with pytest.raises(ValueError, match=r"In epoch: 1 step: 1, loss is NAN or INF, training "
                                         r"process cannot continue, terminating training."):
        Model(net, loss_fn(), nn.SGD(net.trainable_params(), 0.1)).train(
            1, data, callbacks=[LossMonitor()])

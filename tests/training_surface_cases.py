"""Metrics, ``amp`` loss scaling, the gradient wrappers, ``nn.Cell`` methods and a
``Model`` run with loss scaling, measured the same way in MindSpore
(``data/measure_mindspore_training_surface.py`` writes
``data/mindspore_training_surface.json``) and in this package
(``test_mindspore_training_surface.py``)."""
from __future__ import annotations

import contextlib
import io
from typing import Any

import numpy as np

X = np.linspace(-1, 1, 80, dtype=np.float32).reshape(20, 4) ** 3
Y = (X.sum(1) > 0).astype(np.int32) + (X[:, 0] > 0.3).astype(np.int32)  # three classes
W = np.array([[0.1, -0.2, 0.3, -0.4], [0.5, 0.6, -0.7, 0.8], [-0.3, 0.2, 0.1, 0.4]],
             np.float32)
B = np.array([0.05, -0.05, 0.01], np.float32)


def plain(value: Any) -> Any:
    """A result as JSON holds it."""
    if isinstance(value, tuple | list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if hasattr(value, "asnumpy"):
        value = value.asnumpy()
    value = np.asarray(value)
    return value.tolist() if value.dtype != np.bool_ else value.astype(int).tolist()


def metric_inputs() -> dict[str, tuple]:
    rng = np.random.default_rng(3)
    scores = rng.random((12, 4))
    labels = rng.integers(0, 4, 12)
    labels[:2] = 3  # every class seen
    multi_pred = (rng.random((6, 3)) > 0.5).astype(np.float64)
    multi_true = (rng.random((6, 3)) > 0.4).astype(np.float64)
    probs = rng.random((8, 5))
    probs /= probs.sum(1, keepdims=True)
    return {"scores": (scores, labels), "one_hot": (scores, np.eye(4)[labels]),
            "multilabel": (multi_pred, multi_true), "probs": (probs, rng.integers(0, 5, 8)),
            "dice": (rng.random((3, 2, 4)), (rng.random((3, 2, 4)) > 0.5).astype(float)),
            "binary": (rng.random(10), rng.integers(0, 2, 10))}


def measure_metrics(ms: Any) -> dict[str, Any]:
    nn, tensor = ms.nn, ms.Tensor
    data = metric_inputs()
    out: dict[str, Any] = {"names": ms.nn.names()}

    def run(name: str, metric: Any, batches: list[tuple], **eval_kwargs: Any) -> None:
        metric.clear()
        for y_pred, y in batches:
            metric.update(tensor(y_pred), tensor(y))
        out[name] = plain(metric.eval(**eval_kwargs))

    halves = [(p[:6], y[:6]) for p, y in [data["scores"]]] + \
        [(p[6:], y[6:]) for p, y in [data["scores"]]]
    for cls in ("Precision", "Recall"):
        run(f"{cls}.classification", getattr(nn, cls)(), halves)
        run(f"{cls}.average", getattr(nn, cls)(), halves, average=True)
        run(f"{cls}.one_hot", getattr(nn, cls)("classification"), [data["one_hot"]])
        run(f"{cls}.multilabel", getattr(nn, cls)("multilabel"), [data["multilabel"]] * 2)
        run(f"{cls}.multilabel_average", getattr(nn, cls)("multilabel"),
            [data["multilabel"]], average=True)
    run("F1", nn.F1(), halves)
    run("F1.average", nn.F1(), halves, average=True)
    run("Fbeta.half", nn.Fbeta(0.5), [data["one_hot"]])
    for k in (1, 2, 3):
        run(f"topk.{k}", nn.TopKCategoricalAccuracy(k), halves)
    run("top1", nn.Top1CategoricalAccuracy(), [data["one_hot"]])
    run("top5", ms.train.Top5CategoricalAccuracy(), [data["probs"]])
    for norm in ("no_norm", "target", "prediction", "all"):
        run(f"confusion.{norm}", nn.ConfusionMatrix(4, norm), halves)
    run("confusion.threshold", nn.ConfusionMatrix(2, threshold=0.3), [data["binary"]])
    run("confusion.missing_class", nn.ConfusionMatrix(5, "target"), [data["scores"]])
    run("perplexity", nn.Perplexity(), [data["probs"]] * 2)
    run("perplexity.ignore", nn.Perplexity(ignore_label=2), [data["probs"]])
    run("dice", nn.Dice(), [data["dice"], data["dice"]])
    run("dice.smooth", nn.Dice(smooth=0.5), [data["dice"]])
    indexed = nn.Precision().set_indexes([1, 2])
    indexed.update(tensor(np.zeros(3)), *map(tensor, data["scores"]))
    out["set_indexes"] = plain(indexed.eval())
    out["call"] = plain(nn.Recall()(*map(tensor, data["scores"])))
    out["get_metric_fn"] = plain(nn.get_metric_fn("topk", 2)(*map(tensor, data["scores"])))
    return out


def measure_amp(ms: Any) -> dict[str, Any]:
    amp, tensor = ms.amp, ms.Tensor
    out: dict[str, Any] = {}
    x32 = tensor(np.array([1.5, -3.25, 1e-3], np.float32))
    x16 = tensor(np.array([0.5, 2.0], np.float16))
    scaler = amp.StaticLossScaler(3.0)
    out["static.scale"] = plain(scaler.scale((x32, x16)))
    out["static.unscale"] = plain(scaler.unscale((x32, x16)))
    out["static.unscale_one"] = plain(scaler.unscale(x32))
    out["static.adjust"] = bool(scaler.adjust(tensor(np.bool_(False))))
    dynamic = amp.DynamicLossScaler(1024, 2, 3)
    scales = []
    for finite in (True, True, True, False, True, False, False, True, True, True, True):
        dynamic.adjust(tensor(np.bool_(finite)))
        scales.append([float(dynamic.scale_value.asnumpy()), int(dynamic.counter.asnumpy())])
    out["dynamic.adjust"] = scales
    out["dynamic.unscale"] = plain(dynamic.unscale(x32))
    out["all_finite"] = [bool(amp.all_finite((x32, x16)).asnumpy()),
                         bool(amp.all_finite((x32, tensor(np.array([np.inf], np.float32))))
                              .asnumpy()),
                         bool(amp.all_finite([tensor(np.array([np.nan], np.float16))])
                              .asnumpy())]
    manager = amp.DynamicLossScaleManager(64, 4, 2)
    seen = []
    for overflow in (False, False, True, False, False, False, True, True, True, True):
        manager.update_loss_scale(overflow)
        seen.append(manager.get_loss_scale())
    out["dynamic_manager"] = seen
    fixed = amp.FixedLossScaleManager(256.0, False)
    out["fixed_manager"] = [fixed.get_loss_scale(), fixed.get_drop_overflow_update(),
                            fixed.get_update_cell() is None,
                            amp.FixedLossScaleManager().get_loss_scale(),
                            amp.FixedLossScaleManager().get_update_cell() is None]
    return out


def _dense(ms: Any, w: np.ndarray = W, b: np.ndarray = B) -> Any:
    net = ms.nn.Dense(w.shape[1], w.shape[0])
    net.weight.set_data(ms.Tensor(w.copy()))
    net.bias.set_data(ms.Tensor(b.copy()))
    return net


def measure_wrappers(ms: Any) -> dict[str, Any]:
    nn, tensor = ms.nn, ms.Tensor
    out: dict[str, Any] = {}
    x, y = tensor(X[:8]), tensor(Y[:8])
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    with_loss = nn.WithLossCell(_dense(ms), loss)
    params = with_loss.trainable_params()
    out["fvg.by_list"] = plain(nn.ForwardValueAndGrad(with_loss, params, get_by_list=True)(x, y))
    out["fvg.first"] = plain(nn.ForwardValueAndGrad(with_loss)(x, y))
    out["fvg.sens"] = plain(nn.ForwardValueAndGrad(with_loss, params, get_by_list=True,
                                                   sens_param=True)(x, y, tensor(np.float32(2))))
    out["with_grad"] = plain(nn.WithGradCell(_dense(ms), loss)(x, y))
    out["with_grad.sens"] = plain(nn.WithGradCell(_dense(ms), loss, sens=3.0)(x, y))
    out["with_grad.no_loss"] = plain(nn.WithGradCell(nn.WithLossCell(_dense(ms), loss))(x, y))
    for name, cls, k in (("grad_accumulation", nn.GradAccumulationCell, 4),
                         ("micro_batch", nn.MicroBatchInterleaved, 2)):
        wrapped = cls(nn.WithLossCell(_dense(ms), loss), k)
        out[f"{name}.value"] = plain(wrapped(x, y))
        grads = ms.value_and_grad(wrapped, None, wrapped.trainable_params())(x, y)[1]
        out[f"{name}.grads"] = plain(grads)
    seq = tensor(np.linspace(-1, 1, 2 * 5 * 4, dtype=np.float32).reshape(2, 5, 4))
    for name, cell in (("steps", nn.TimeDistributed(_dense(ms), time_axis=1)),
                       ("merged", nn.TimeDistributed(_dense(ms), time_axis=1,
                                                     reshape_with_axis=0)),
                       ("merged_last", nn.TimeDistributed(_dense(ms), time_axis=0,
                                                          reshape_with_axis=1)),
                       ("relu_axis0", nn.TimeDistributed(nn.ReLU(), time_axis=0))):
        out[f"time_distributed.{name}"] = plain(cell(seq))
        weights = ms.Tensor(np.linspace(-1, 1, cell(seq).size, dtype=np.float32)
                            .reshape(cell(seq).shape))
        out[f"time_distributed.{name}.grad"] = plain(
            ms.grad(lambda s, c=cell, w=weights: (c(s) * w).sum())(seq))
    cells = nn.CellDict({"fc": _dense(ms), "act": nn.ReLU()})
    cells["out"] = _dense(ms, W[:2, :3], B[:2])
    out["cell_dict"] = [[n for n, _ in cells.parameters_and_names()], list(cells.keys()),
                        len(cells), "act" in cells]
    return out


def measure_cell_methods(ms: Any) -> dict[str, Any]:
    nn, tensor = ms.nn, ms.Tensor
    out: dict[str, Any] = {}

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc = _dense(ms)
            self.seq = nn.SequentialCell([_dense(ms, W[:2, :3], B[:2]), nn.ReLU()])

        def construct(self, x):
            return self.seq(self.fc(x))

    net = Net()
    visited: list[str] = []
    net.apply(lambda c: visited.append(type(c).__name__))
    out["apply"] = visited
    out["cls_name"] = [net.cls_name, net.fc.cls_name, net.param_prefix]
    net.add_flags(a=1)
    net.add_flags_recursive(b=True)
    out["flags"] = [sorted(net.get_flags().items()), sorted(net.fc.get_flags().items()),
                    sorted(net.seq[0].get_flags().items())]
    net.set_boost("less_bn")
    out["boost"] = bool(net.seq[1].less_bn)
    out["set_grad"] = [net.set_grad() is net, bool(net.requires_grad)]
    net.insert_param_to_cell("w", ms.Parameter(tensor(np.ones(2, np.float32))))
    net.register_buffer("running", tensor(np.zeros(2, np.float32)))
    net.fc.register_buffer("count", tensor(np.ones(1, np.float32)), persistent=False)
    out["buffers"] = [[n for n, _ in net.named_buffers()], len(list(net.buffers())),
                      plain(net.get_buffer("fc.count"))]
    out["state_dict"] = list(net.state_dict().keys())
    out["sub_cell"] = type(net.get_sub_cell("seq.0")).__name__
    other = Net()
    other.register_buffer("running", tensor(np.ones(2, np.float32)))
    state = {k: v for k, v in net.state_dict().items() if k != "w"}
    out["load_state_dict"] = [list(other.load_state_dict(state)),
                              plain(other.running), plain(other.fc.weight)]
    partial = other.load_state_dict({"fc.weight": state["fc.weight"], "zz": state["fc.bias"]},
                                    strict=False)
    out["load_state_dict.partial"] = [list(partial.missing_keys),
                                      list(partial.unexpected_keys)]
    net.update_parameters_name("net.")
    out["update_parameters_name"] = [p.name for p in net.get_parameters()]
    fp32 = Net()
    fp32.to_float(ms.float32)
    x16 = tensor(X[:3].astype(np.float16))
    y = fp32(x16)
    out["to_float32"] = [str(y.dtype).lower(), plain(y), sorted(fp32.fc.get_flags().items())]
    out["to_float32.grad"] = plain(ms.grad(lambda x: fp32(x).sum())(tensor(X[:3])))
    return out


def train_model(ms: Any) -> dict[str, Any]:
    """A MindSpore training script: Model with metrics, amp_level O0 and a fixed loss
    scale the optimizer divides out again; two epochs, then eval."""
    nn, ds = ms.nn, ms.dataset
    net = _dense(ms)
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    optimizer = nn.Momentum(net.trainable_params(), 0.1, 0.9, loss_scale=1024.0)
    model = ms.train.Model(net, loss, optimizer,
                           metrics={"accuracy", "precision", "recall", "F1", "loss",
                                    "top_1_accuracy"},
                           amp_level="O0",
                           loss_scale_manager=ms.amp.FixedLossScaleManager(1024.0, False))
    data = ds.NumpySlicesDataset((X, Y), ["data", "label"], shuffle=False).batch(5)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model.train(2, data, callbacks=[ms.train.LossMonitor(1)], dataset_sink_mode=False)
    evaluated = model.eval(data, dataset_sink_mode=False)
    lines = printed.getvalue().splitlines()
    return {"printed": [line for line in lines if line.startswith("epoch")],
            "eval": plain(evaluated), "weight": plain(net.weight), "bias": plain(net.bias)}


def measure(ms: Any) -> dict[str, Any]:
    """Every measurement, by name."""
    out: dict[str, Any] = {}
    for part in (measure_metrics, measure_amp, measure_wrappers, measure_cell_methods):
        out.update(part(ms))
    out["model"] = train_model(ms)
    return out

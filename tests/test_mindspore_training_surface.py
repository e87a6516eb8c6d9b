"""Metrics (``nn.Precision``...), ``mindspore.amp``, the gradient wrappers
(``ForwardValueAndGrad``, ``GradAccumulationCell``, ``TimeDistributed``...), the
``nn.Cell`` methods training scripts call, and a ``Model`` trained with a loss scale:
against MindSpore 2.7.1 on the same inputs (``data/mindspore_training_surface.json``,
written by ``data/measure_mindspore_training_surface.py`` from
``training_surface_cases``), the compiled wrappers against central finite differences
in float64, and the refusals."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import training_surface_cases as cases
from differences import central_differences
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, amp, nn

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_training_surface.json")
                      .read_text())


# as JSON holds it, like MEASURED
ours = measured_fixture(lambda: json.loads(json.dumps(cases.measure(ms))))


NOT_PROVIDED = ("auc", "bleu_score", "confusion_matrix_metric", "cosine_similarity",
                "hausdorff_distance", "mean_surface_distance", "occlusion_sensitivity", "roc",
                "root_mean_square_distance")
EXACT = ("names", "apply", "cls_name", "flags", "boost", "set_grad", "buffers", "state_dict",
         "sub_cell", "update_parameters_name", "cell_dict", "load_state_dict.partial",
         "fixed_manager", "all_finite", "static.adjust")


def _close(ours, theirs, rtol=2e-6, atol=1e-6):
    if isinstance(theirs, dict):
        assert sorted(ours) == sorted(theirs)
        for key in theirs:
            _close(ours[key], theirs[key], rtol, atol)
    elif isinstance(theirs, list) and any(isinstance(t, str | list) for t in theirs):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs):
            _close(o, t, rtol, atol)
    elif isinstance(theirs, str):
        assert ours == theirs
    else:
        np.testing.assert_allclose(np.asarray(ours, float), np.asarray(theirs, float),
                                   rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", sorted(k for k in MEASURED
                                        if k not in ("mindspore", "model")))
def test_matches_mindspore(ours, name):
    if name == "names":  # MindSpore's names less the metrics not provided here
        assert ours[name] == [n for n in MEASURED[name] if n not in NOT_PROVIDED]
    elif name in EXACT:
        assert ours[name] == MEASURED[name]
    else:
        _close(ours[name], MEASURED[name])


def _losses(lines):
    return [(line.split(",")[0], float(line.rsplit(" ", 1)[1])) for line in lines]


def test_model_with_loss_scale_and_metrics_trains_as_mindspore_did(ours):
    ours, theirs = ours["model"], MEASURED["model"]  # (this test's case only)
    assert [s for s, _ in _losses(ours["printed"])] == [s for s, _ in _losses(theirs["printed"])]
    np.testing.assert_allclose([v for _, v in _losses(ours["printed"])],
                               [v for _, v in _losses(theirs["printed"])], rtol=1e-5)
    _close(ours["eval"], theirs["eval"], rtol=1e-5)
    _close(ours["weight"], theirs["weight"], rtol=1e-5, atol=1e-6)
    _close(ours["bias"], theirs["bias"], rtol=1e-5, atol=1e-6)


# ------------------------------------------------------------------ finite differences

SHAPES = {"batch4": (4, 3), "batch8": (8, 3)}


def _wrapped(kind, shape):
    rng = np.random.default_rng(1)
    dense = nn.Dense(3, 2, dtype=ms.float64)
    dense.weight.set_data(Tensor(rng.standard_normal((2, 3))))
    dense.bias.set_data(Tensor(rng.standard_normal(2)))
    net = nn.SequentialCell([dense, nn.Tanh()])
    x = rng.standard_normal(shape)
    if kind == "grad_accumulation":
        return nn.GradAccumulationCell(net, 2), x
    if kind == "micro_batch":
        return nn.MicroBatchInterleaved(net, 4), x
    if kind == "time_steps":
        return nn.TimeDistributed(net, time_axis=0), x.reshape(2, -1, 3)
    return nn.TimeDistributed(net, time_axis=1, reshape_with_axis=0), x.reshape(2, -1, 3)


@pytest.mark.parametrize("kind", ["grad_accumulation", "micro_batch", "time_steps",
                                  "time_merged"])
@pytest.mark.parametrize("shape", sorted(SHAPES), ids=str)
def test_wrapper_gradients_match_finite_differences(kind, shape):
    cell, x = _wrapped(kind, SHAPES[shape])
    weights = np.linspace(-1, 1, np.asarray(cell(Tensor(x))).size)

    def loss(x):
        y = cell(x)
        return (y * weights.reshape(y.shape)).sum()

    np.testing.assert_allclose(ms.grad(loss)(x), central_differences(loss, x), rtol=1e-6,
                               atol=1e-8)
    # the slices and steps come from the shapes: shape-generic code refuses, by name
    with pytest.raises(ms.AutodiffError, match=r"nn\.(GradAccumulationCell|MicroBatch"
                       r"Interleaved|TimeDistributed).*shape-generic"):
        ms.gradient_source(loss)


class _Heads(nn.Cell):
    """A construct that loops over a CellDict's listing, as multi-task heads do."""

    def __init__(self, listing):
        super().__init__()
        self.listing = listing
        self.heads = nn.CellDict({"a": nn.Dense(3, 2, dtype=ms.float64),
                                  "b": nn.Dense(3, 2, dtype=ms.float64)})

    def construct(self, x):
        if self.listing == "items":
            return sum((h(x) * h(x)).sum() for _, h in self.heads.items())
        if self.listing == "values":
            return sum((h(x) * h(x)).sum() for h in self.heads.values())
        return sum((self.heads[k](x) * self.heads[k](x)).sum() for k in self.heads.keys())  # noqa: SIM118


@pytest.mark.parametrize("listing", ["items", "values", "keys"])
def test_cell_dict_listings_in_construct_match_finite_differences(listing):
    net = _Heads(listing)
    x = np.linspace(-0.5, 0.7, 6).reshape(2, 3)
    np.testing.assert_allclose(ms.grad(net)(x), central_differences(net, x), rtol=1e-6,
                               atol=1e-8)
    before = float(net(x))
    net.heads["c"] = nn.Dense(3, 2, dtype=ms.float64)  # compiled code follows the change
    extra = net.heads["c"](Tensor(x))
    np.testing.assert_allclose(float(net(x)), before + float((extra * extra).sum()),
                               rtol=1e-6)
    np.testing.assert_allclose(ms.grad(net)(x), central_differences(net, x), rtol=1e-6,
                               atol=1e-8)


@pytest.mark.parametrize("shape", [(3,), (2, 3), ()], ids=str)
def test_loss_scaler_compiles_inside_a_gradient(shape):
    scaler = amp.StaticLossScaler(8.0)
    x = np.linspace(0.5, 1.5, int(np.prod(shape))).reshape(shape)

    def scaled(x):
        return scaler.scale((x * x).sum())

    ms.check_grads(scaled, x)
    np.testing.assert_allclose(ms.grad(scaled)(x), 16.0 * x)


def test_to_float32_holds_in_compiled_code():
    net = nn.Dense(3, 2)
    net.to_float(ms.float32)
    x = Tensor(np.ones((2, 3), np.float16))
    assert net(x).dtype == ms.float32
    assert ms.grad(lambda x: net(x).sum())(x).dtype == np.float16


# ------------------------------------------------------------------ refusals and errors


def test_per_operator_mixed_precision_is_refused_clearly():
    with pytest.raises(NotImplementedError, match="per operator"):
        amp.auto_mixed_precision(nn.Dense(3, 2), "auto")


def test_metric_errors_are_mindspore_s():
    with pytest.raises(RuntimeError, match="samples is 0"):
        nn.Precision().eval()
    with pytest.raises(KeyError, match="unsupported metric"):
        nn.get_metric_fn("bleu")
    with pytest.raises(TypeError, match="dict or set"):
        ms.train.Model(nn.Dense(3, 2), nn.MSELoss(), metrics=["accuracy"])
    with pytest.raises(ValueError, match="divisible"):
        nn.GradAccumulationCell(nn.Dense(3, 2), 3)(Tensor(np.ones((4, 3), np.float32)))


def test_model_tells_a_dynamic_manager_of_overflow():
    manager = amp.DynamicLossScaleManager(2.0 ** 127, 1024, 2)
    net = nn.Dense(4, 3)
    model = ms.train.Model(net, nn.SoftmaxCrossEntropyWithLogits(True, "mean"),
                           nn.SGD(net.trainable_params(), 0.1), loss_scale_manager=manager)
    data = ms.dataset.NumpySlicesDataset((cases.X * 100, cases.Y), ["data", "label"],
                                         shuffle=False).batch(5)
    before = np.array(net.weight)
    model.train(1, data)
    assert manager.get_loss_scale() < 2.0 ** 127  # the first step overflowed
    assert not np.array_equal(before, np.array(net.weight))  # later steps applied
    assert re.search("Dense", repr(model.train_network))

"""Layers and ops measured against MindSpore: one definition, run by MindSpore
(``data/measure_mindspore_layers.py`` writes ``data/mindspore_layers.json``) and by
this package (``test_mindspore_layers_measured.py``) on the same draws."""
from __future__ import annotations

from typing import Any

import numpy as np
import operation_cases
import scatter_resize_cases


def measure(ms: Any) -> dict[str, list]:
    """Outputs and gradients of each case, by name, computed with the library ``ms``
    (``mindspore`` or ``autodiff_compiler``)."""
    nn, ops, tensor = ms.nn, ms.ops, ms.Tensor
    rng = np.random.default_rng(0)
    x4 = tensor(rng.standard_normal((2, 3, 2, 2)).astype(np.float32))
    x2 = tensor(rng.standard_normal((4, 5)).astype(np.float32))
    ids = tensor(np.array([[0, 2], [3, 2]], np.int32))
    out: dict[str, Any] = {}

    def cell_case(name: str, cell: Any, x: Any) -> None:
        for p in cell.trainable_params():  # weights drawn here, the same for both
            p.set_data(tensor(rng.standard_normal(p.shape).astype(np.float32)))
        y = cell(x)
        weights = tensor(np.linspace(-1, 1, y.size).reshape(y.shape).astype(np.float32))

        def loss(x):
            return (cell(x) * weights).sum()

        params = cell.trainable_params()
        out[f"{name}.y"] = y
        if x.dtype == ms.int32:  # ids: only the table has a gradient
            grads = ms.value_and_grad(loss, None, params)(x)[1]
        elif params:
            out[f"{name}.gx"], grads = ms.value_and_grad(loss, 0, params)(x)[1]
        else:
            out[f"{name}.gx"], grads = ms.grad(loss)(x), ()
        for i, g in enumerate(grads):
            out[f"{name}.gp{i}"] = g

    cell_case("layer_norm", nn.LayerNorm((5,)), x2)
    cell_case("layer_norm_2_axes", nn.LayerNorm((2, 2), begin_norm_axis=2,
                                                begin_params_axis=2), x4)
    cell_case("embedding", nn.Embedding(5, 3), ids)
    cell_case("prelu_3_channels", nn.PReLU(3), x4)
    cell_case("gelu", nn.GELU(), x2)
    cell_case("gelu_exact", nn.GELU(False), x2)
    cell_case("elu", nn.ELU(), x2)
    cell_case("identity", nn.Identity(), x2)
    mask = tensor(np.arange(20).reshape(4, 5) % 3 == 0)
    on_bounds = tensor(np.array([-1.0, 0.2, 0.5, 2.0], np.float32))

    def smooth_l1(x):
        return ops.smooth_l1_loss(x, x * 0.3 + 0.2, 0.5, "sum")

    def masked(x):
        return (ops.masked_fill(x, mask, 0.5) ** 2).sum()

    def clipped(x):
        return ops.clip_by_value(x, -1.0, 0.5).sum()

    def erf(x):
        return ops.erf(x).sum()

    out["smooth_l1_loss"] = ms.grad(smooth_l1)(x2)
    out["masked_fill"] = ms.grad(masked)(x2)
    out["clip_by_value"] = ms.grad(clipped)(on_bounds)
    out["erf"] = ms.grad(erf)(x2)
    out["clip_by_global_norm"] = ops.clip_by_global_norm((x2, x2 * 3.0), 1.0)[1]

    # ordering, gathering, padding, kl_div
    index = tensor(np.array([[0, 0, 3], [1, 0, 2], [4, 4, 4], [2, 1, 0]], np.int32))
    picked = tensor(np.linspace(1, 2, 8).astype(np.float32).reshape(4, 2))

    def top2(x):
        return (ops.topk(x, 2)[0] * picked).sum()

    def bottom2_of_columns(x):
        return (ops.topk(x, 2, 0, False)[0] ** 2).sum()

    def sorted_descending(x):
        return (ops.sort(x, 0, True)[0] * weights_4x5).sum()

    def padded(x):
        return (ops.pad(x, (1, 2, 0, 1), value=1.0) ** 2).sum()

    def gathered(x):
        return (ops.gather_elements(x, 1, index) ** 2).sum()

    def kl(x):
        return ops.kl_div(x, ops.abs(x2) / 4.0, "batchmean")

    weights_4x5 = tensor(np.linspace(-1, 1, 20).astype(np.float32).reshape(4, 5))
    for name, fn in (("topk", top2), ("topk_smallest_dim0", bottom2_of_columns),
                     ("sort_descending", sorted_descending), ("pad", padded),
                     ("gather_elements", gathered), ("kl_div", kl)):
        out[f"{name}.value"], out[f"{name}.grad"] = ms.value_and_grad(fn)(x2)
        out[f"{name}.value"] = out[f"{name}.value"].reshape((1,))
    values, indices = ops.sort(x2)
    out["sort.values"], out["sort.indices"] = values, indices.astype(np.float32)
    out["topk.indices"] = ops.topk(x2, 3)[1].astype(np.float32)
    for reduction in ("mean", "sum", "none"):
        out[f"kl_div.{reduction}"] = ops.kl_div(x2, ops.abs(x2), reduction).reshape((-1,))
    out["pad.reflect"] = ops.pad(x2, (2, 1), mode="reflect")

    # MindSpore's operator objects
    labels = tensor(np.array([1, 0, 4, 2], np.int32))
    soft = tensor(np.eye(5, dtype=np.float32)[[1, 0, 4, 2]] * 0.8 + 0.04)
    cross_entropy = ops.SoftmaxCrossEntropyWithLogits()
    sparse = ops.SparseSoftmaxCrossEntropyWithLogits()

    def dense_loss(x):
        return cross_entropy(x, soft)[0].sum()

    def sparse_loss(x):
        return sparse(x, labels)

    def split_loss(x):
        first, second = ops.Split(2, 2)(x4)[0] * x, ops.Split(0, 2)(x2)[1]
        return (first * first).sum() + (second * x2[:2]).sum()

    def gelu_erf(x):
        return (ops.GeLU()(x) * ops.Erf()(x)).sum()

    out["softmax_cross_entropy.loss"], out["softmax_cross_entropy.dlogits"] = \
        cross_entropy(x2, soft)
    out["softmax_cross_entropy.grad"] = ms.grad(dense_loss)(x2)
    out["sparse_softmax_cross_entropy"] = sparse(x2, labels).reshape((1,))
    out["sparse_softmax_cross_entropy.grad"] = ms.grad(sparse_loss)(x2)
    out["sparse_softmax_cross_entropy.is_grad"] = \
        ops.SparseSoftmaxCrossEntropyWithLogits(is_grad=True)(x2, labels)
    out["split"] = ms.grad(split_loss)(tensor(np.float32(1.5)).reshape((1,)))
    out["gelu_erf"] = ms.grad(gelu_erf)(x2)
    out["one_hot"] = ops.OneHot()(labels, 5, tensor(np.float32(1.0)),
                                  tensor(np.float32(0.0))).astype(np.float32)
    out.update(more_ops(ms, x2, rng))
    out.update(more_layers(ms, rng))
    out.update(recurrent(ms, rng))
    out.update(scatter_resize_cases.scatter_and_resize(ms))
    out.update(operation_cases.operator_classes(ms))
    return {k: np.asarray(v.asnumpy(), np.float64).tolist() for k, v in out.items()}


def more_ops(ms: Any, x2: Any, rng: Any) -> dict[str, Any]:
    """Activations, distances and selections (``ops_activations``, ``ops_distances``,
    ``ops_select``): each value and its gradient for a weighted sum of the output.
    Activations are evaluated at their corners (-3, 0, 3, 6 and the bounds of
    ``hardtanh``), where the derivative is a choice, to check it is MindSpore's.
    (MindSpore 2.7's CPU build has no kernel for ``roll``, the functional
    ``layer_norm`` or ``triplet_margin_loss``; those are checked by finite differences
    only.)"""
    ops, tensor, out = ms.ops, ms.Tensor, {}
    corners = tensor(np.array([-3.0, 3.0, -1.0, 1.0, 0.0, 6.0, -4.5, 2.2], np.float32))
    other = tensor(rng.standard_normal((4, 5)).astype(np.float32))
    rows = tensor(rng.standard_normal((3, 5)).astype(np.float32))
    square = tensor(rng.standard_normal((5, 3)).astype(np.float32))
    signs = tensor(np.array([1.0, -1.0, -1.0, 1.0], np.float32))
    labels = tensor(np.array([1, -1, 1, -1], np.int32))
    index = tensor(np.array([4, 0, 0, 2], np.int32))

    def weighted(fn):
        def loss(x):
            y = fn(x)
            w = tensor(np.linspace(-1.0, 2.0, y.size).reshape(y.shape).astype(np.float32))
            return (y * w).sum()
        return loss

    unary = {name: getattr(ops, name) for name in (
        "celu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid")}
    cases = {f"{name}_corners": (fn, corners) for name, fn in unary.items()}
    # MindSpore's mish derivative is 1 from 6 on (the true one is 1 + 1e-4 there);
    # its selu derivative below 0 is wrong (negative): both gradients are checked by
    # finite differences, and selu's value here.
    out["selu.value"] = ops.selu(corners)
    cases.update({
        "mish": (ops.mish, corners[:5]),
        "celu_alpha": (lambda x: ops.celu(x, 2.0), corners),
        "glu": (lambda x: ops.glu(x, 0), x2),
        "cosine_similarity": (lambda x: ops.cosine_similarity(x, other), x2),
        "cdist": (lambda x: ops.cdist(x, rows), x2),
        "cdist_p1": (lambda x: ops.cdist(x, rows, 1.0), x2),
        "dist": (lambda x: ops.dist(x, other), x2),
        "huber_loss": (lambda x: ops.huber_loss(x, other, "mean", 0.5), x2),
        "margin_ranking_loss": (lambda x: ops.margin_ranking_loss(
            x, other, ops.expand_dims(signs, 1), 0.1), x2),
        "cosine_embedding_loss": (lambda x: ops.cosine_embedding_loss(
            x, other, labels, 0.2), x2),
        "tril": (lambda x: ops.tril(x, 1), x2),
        "triu": (lambda x: ops.triu(x, -1), x2),
        "narrow": (lambda x: ops.narrow(x, 1, 1, 3), x2),
        "index_select": (lambda x: ops.index_select(x, 1, index), x2),
        "repeat_interleave": (lambda x: ops.repeat_interleave(x, 2, 0), x2),
        "chunk": (lambda x: ops.chunk(x, 2, 1)[1], x2),
        "diag": (lambda x: ops.diag(x[0]), x2),
        "meshgrid": (lambda x: ops.meshgrid(x[0], x[1, :3])[0] * ops.meshgrid(
            x[0], x[1, :3], indexing="ij")[1].T, x2),
        "kron": (lambda x: ops.kron(x[:2, :2], x[2:, 3:]), x2),
        "lerp": (lambda x: ops.lerp(x, other, 0.3), x2),
        "addmm": (lambda x: ops.addmm(x[:, :3], x, square, beta=0.5, alpha=2.0), x2),
        "baddbmm": (lambda x: ops.baddbmm(x[:, :3], ops.expand_dims(x, 0),
                                          ops.expand_dims(square, 0), 0.5, 2.0), x2),
        "masked_select": (lambda x: ops.masked_select(x, other > 0), x2),
    })
    for name, (fn, x) in cases.items():
        value, grad = ms.value_and_grad(weighted(fn))(x)
        out[f"{name}.value"], out[f"{name}.grad"] = value.reshape((1,)), grad
    out["isclose"] = ops.isclose(x2, x2 + 1e-6).astype(ms.float32)
    out["nonzero"] = ops.nonzero(ops.relu(x2)).astype(ms.float32)
    values, positions = ops.unique(tensor(np.array([3, 1, 3, 2, 1, 7], np.int32)))
    out["unique.values"], out["unique.positions"] = values, positions
    return out


def more_layers(ms: Any, rng: Any) -> dict[str, Any]:
    """1-D convolution and pooling, adaptive pooling, padding, the activation and loss
    Cells of ``nn_extra``, and the RMSProp and Adagrad optimizers over three steps."""
    nn, tensor, out = ms.nn, ms.Tensor, {}
    x3 = tensor(rng.standard_normal((2, 3, 7)).astype(np.float32))
    x4 = tensor(rng.standard_normal((1, 2, 5, 7)).astype(np.float32))
    x2 = tensor(rng.standard_normal((4, 6)).astype(np.float32))

    def case(name: str, cell: Any, x: Any) -> None:
        for p in cell.trainable_params():
            p.set_data(tensor(rng.standard_normal(p.shape).astype(np.float32)))
        y = cell(x)
        w = tensor(np.linspace(-1, 1, y.size).reshape(y.shape).astype(np.float32))

        def loss(x):
            return (cell(x) * w).sum()

        out[f"{name}.y"] = y
        params = cell.trainable_params()
        if params:
            out[f"{name}.gx"], grads = ms.value_and_grad(loss, 0, params)(x)[1]
            for i, g in enumerate(grads):
                out[f"{name}.gp{i}"] = g
        else:
            out[f"{name}.gx"] = ms.grad(loss)(x)

    case("conv1d_same", nn.Conv1d(3, 4, 3, has_bias=True), x3)
    case("conv1d_pad_stride", nn.Conv1d(3, 2, 2, stride=2, pad_mode="pad", padding=1), x3)
    case("max_pool1d", nn.MaxPool1d(2, 2), x3)
    case("avg_pool1d", nn.AvgPool1d(3, 2), x3)
    case("adaptive_avg_pool1d", nn.AdaptiveAvgPool1d(7), x3)
    case("adaptive_avg_pool2d", nn.AdaptiveAvgPool2d((2, 3)), x4)
    case("adaptive_avg_pool2d_keep_rows", nn.AdaptiveAvgPool2d((None, 3)), x4)
    case("zero_pad2d", nn.ZeroPad2d((1, 2, 0, 1)), x4)
    case("unflatten", nn.Unflatten(1, (2, 3)), x2)
    for name in ("ReLU6", "HSigmoid", "HSwish", "LogSigmoid", "Softsign", "Tanhshrink"):
        case(name.lower(), getattr(nn, name)(), x2)
    case("celu", nn.CELU(0.5), x2)
    case("hardtanh", nn.Hardtanh(-0.5, 0.7), x2)
    case("glu", nn.GLU(), x2)
    case("softmin", nn.Softmin(), x2)
    target = tensor(rng.standard_normal((4, 6)).astype(np.float32))
    signs = tensor(np.array([1, -1, 1, -1], np.int32))
    for name, loss in (("huber", lambda x: nn.HuberLoss("sum", 0.6)(x, target)),
                       ("kl_div", lambda x: nn.KLDivLoss("batchmean")(x, abs(target))),
                       ("margin_ranking", lambda x: nn.MarginRankingLoss(0.2)(
                           x, target, ms.ops.ones((4, 6), ms.float32))),
                       ("cosine_embedding", lambda x: nn.CosineEmbeddingLoss(0.1)(
                           x, target, signs))):
        value, grad = ms.value_and_grad(loss)(x2)
        out[f"{name}_loss.value"], out[f"{name}_loss.grad"] = value.reshape((1,)), grad
    start = rng.standard_normal((2, 3)).astype(np.float32)
    steps = [rng.standard_normal((2, 3)).astype(np.float32) for _ in range(3)]
    for name, make in (("rmsprop", lambda ps: nn.RMSProp(ps, 0.05)),
                       ("rmsprop_centered_momentum", lambda ps: nn.RMSProp(
                           ps, 0.05, momentum=0.9, centered=True, weight_decay=0.1)),
                       ("adagrad", lambda ps: nn.Adagrad(ps, learning_rate=0.1)),
                       ("adagrad_accum", lambda ps: nn.Adagrad(ps, 0.5, 0.1))):
        weight = ms.Parameter(tensor(start.copy()), name="w")
        optimizer = make([weight])
        for g in steps:
            optimizer((tensor(g),))
        out[f"{name}.after_3_steps"] = weight.value() if hasattr(weight, "value") else weight
    return out


def recurrent(ms: Any, rng: Any) -> dict[str, Any]:
    """``nn.RNN``, ``LSTM`` and ``GRU`` (two layers, both directions, batch first; one
    direction with ``seq_length``) and their one-step cells: outputs, final states, and
    the gradients of a weighted sum of the outputs for the input and every weight."""
    nn, tensor, out = ms.nn, ms.Tensor, {}
    x = tensor(rng.standard_normal((2, 5, 3)).astype(np.float32))
    lengths = tensor(np.array([5, 3], np.int32))

    def case(name: str, cell: Any, *extra: Any) -> None:
        for p in cell.trainable_params():
            p.set_data(tensor((0.5 * rng.standard_normal(p.shape)).astype(np.float32)))
        y, state = cell(x, *extra)
        w = tensor(np.linspace(-1, 1, y.size).reshape(y.shape).astype(np.float32))

        def loss(x):
            return (cell(x, *extra)[0] * w).sum()

        out[f"{name}.y"] = y
        for i, s in enumerate(state if isinstance(state, tuple) else (state,)):
            out[f"{name}.state{i}"] = s
        out[f"{name}.gx"], grads = ms.value_and_grad(loss, 0, cell.trainable_params())(x)[1]
        for i, g in enumerate(grads):
            out[f"{name}.gp{i}"] = g

    for kind in ("RNN", "LSTM", "GRU"):
        case(kind.lower(), getattr(nn, kind)(3, 4, num_layers=2, batch_first=True,
                                             bidirectional=True))
    case("rnn_relu_no_bias", nn.RNN(3, 4, has_bias=False, batch_first=True,
                                    nonlinearity="relu"))
    zeros = tensor(np.zeros((1, 2, 4), np.float32))
    case("lstm_seq_length", nn.LSTM(3, 4, batch_first=True), (zeros, zeros), lengths)
    case("gru_seq_length", nn.GRU(3, 4, batch_first=True), zeros, lengths)
    x0 = x[:, 0]
    for kind in ("RNNCell", "LSTMCell", "GRUCell"):
        cell = getattr(nn, kind)(3, 4)
        for p in cell.trainable_params():
            p.set_data(tensor((0.5 * rng.standard_normal(p.shape)).astype(np.float32)))
        h = tensor(rng.standard_normal((2, 4)).astype(np.float32))
        state = (h, h * 0.5) if kind == "LSTMCell" else h

        def step_loss(x0, cell=cell, state=state):
            new = cell(x0, state)
            return ((new[0] if isinstance(new, tuple) else new) ** 2).sum()

        value, (gx, grads) = ms.value_and_grad(step_loss, 0, cell.trainable_params())(x0)
        out[f"{kind}.value"], out[f"{kind}.gx"] = value.reshape((1,)), gx
        for i, g in enumerate(grads):
            out[f"{kind}.gp{i}"] = g
    # Both directions with seq_length: the backward one starts at each sequence's end.
    zeros = tensor(np.zeros((4, 2, 4), np.float32))
    case("bilstm_seq_length", nn.LSTM(3, 4, num_layers=2, batch_first=True,
                                      bidirectional=True), (zeros, zeros), lengths)
    case("bigru_seq_length", nn.GRU(3, 4, batch_first=True, bidirectional=True),
         zeros[:2], lengths)
    return out

"""Convolution, pooling and the layers built on them, and Cells built inside a
differentiated function.

Values are checked elementwise against a direct reference written here (loops over
output pixels, float64), gradients against central finite differences, and the padding
and pooling conventions against MindSpore 2.10's results (``data/mindspore_conv.json``:
shape, sum and sum of squares of each output and gradient, measured by
``data/measure_mindspore_conv.py``).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, nn, ops

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_conv.json").read_text())
RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 3, 7, 6)).astype(np.float32)
W = RNG.normal(size=(4, 3, 3, 2)).astype(np.float32)


def reference_conv(x, w, stride, pads, dilation):
    """Cross-correlation by loops over output pixels (float64)."""
    x = np.pad(np.asarray(x, np.float64), ((0, 0), (0, 0), pads[0], pads[1]))
    o, _, kh, kw = w.shape
    ho = (x.shape[2] - (kh - 1) * dilation - 1) // stride + 1
    wo = (x.shape[3] - (kw - 1) * dilation - 1) // stride + 1
    out = np.zeros((x.shape[0], o, ho, wo))
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride:i * stride + (kh - 1) * dilation + 1:dilation,
                       j * stride:j * stride + (kw - 1) * dilation + 1:dilation]
            out[:, :, i, j] = np.einsum("nchw,ochw->no", window, w)
    return out


def same_pads(size, kernel, stride, dilation):
    total = max((-(-size // stride) - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


CONV_CASES = [(mode, pad, stride, dil) for mode, pad in (("valid", 0), ("same", 0), ("pad", 1))
              for stride in (1, 2) for dil in (1, 2)]


def assert_matches_finite_differences(f, *args, eps=1e-6):
    """Each gradient of ``f`` along a random direction against central differences
    (the shapes must be known: these layers have no shape-generic code)."""
    grads = adc.grad(f, tuple(range(len(args))))(*args)
    for i, (a, g) in enumerate(zip(args, grads)):
        d = RNG.normal(size=a.shape)
        up = list(args)
        down = list(args)
        up[i], down[i] = a + eps * d, a - eps * d
        numeric = (f(*up) - f(*down)) / (2 * eps)
        np.testing.assert_allclose(np.sum(g * d), numeric, rtol=1e-6, atol=1e-8)


def stats(a):
    a = np.asarray(a, np.float64)
    return [list(a.shape), float(a.sum()), float((a * a).sum())]


def assert_stats(got, expected):
    assert got[0] == expected[0]
    np.testing.assert_allclose(got[1:], expected[1:], rtol=2e-5, atol=1e-3)


@pytest.mark.parametrize("mode, pad, stride, dil", CONV_CASES)
def test_conv2d_matches_the_reference_and_mindspore(mode, pad, stride, dil):
    def loss(x, w):
        return (ops.conv2d(x, w, None, stride, mode, pad, dil) ** 2).sum()

    y = ops.conv2d(X, W, None, stride, mode, pad, dil)
    pads = [same_pads(X.shape[2 + a], W.shape[2 + a], stride, dil) if mode == "same"
            else (pad, pad) for a in (0, 1)]
    np.testing.assert_allclose(y, reference_conv(X, W, stride, pads, dil), rtol=1e-5, atol=1e-5)
    gx, gw = adc.grad(loss, (0, 1))(X, W)
    for got, expected in zip((y, gx, gw), MEASURED[f"conv-{mode}-{pad}-{stride}-{dil}"]):
        assert_stats(stats(got), expected)


@pytest.mark.parametrize("mode, stride, dil", [("same", 2, 1), ("pad", 1, 2), ("valid", 2, 2)])
def test_conv2d_gradients_match_finite_differences(mode, stride, dil):
    x = RNG.normal(size=(1, 2, 5, 6))
    w = RNG.normal(size=(3, 2, 2, 3))
    b = RNG.normal(size=(3,))

    def loss(x, w, b):
        return np.sum(np.tanh(ops.conv2d(x, w, b, stride, mode, 1, dil)))

    assert_matches_finite_differences(loss, x, w, b)


@pytest.mark.parametrize("name", [k for k in MEASURED if k.startswith(("max-", "avg-"))])
def test_pooling_matches_mindspore(name):
    kind, k, s, mode = name.split("-")
    layer = (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(int(k), int(s), mode)

    def loss(x):
        return (layer(x) ** 2).sum()

    value, gx = adc.value_and_grad(loss)(X)
    assert_stats(stats(layer(X)), MEASURED[name][0])
    assert_stats(stats(gx), MEASURED[name][1])
    assert value == pytest.approx(float((np.asarray(layer(X), np.float64) ** 2).sum()), rel=1e-5)


def test_pooling_gradients_match_finite_differences():
    x = RNG.permutation(60).reshape(1, 1, 6, 10) / 10.0  # distinct values: no ties in max
    for layer in (nn.MaxPool2d(2, 2), nn.AvgPool2d(3, 2, "same"), nn.MaxPool2d(3, 1, "same")):
        def loss(x, layer=layer):
            return np.sum(np.sin(layer(x)))

        assert_matches_finite_differences(loss, x)


def test_avg_pool2d_layer_honours_count_include_pad():
    """The layer left the flag out of its call: padded zeros were counted. MindSpore
    2.10 gives [2.5, 4, 8.5, 10] on this 4x4 range (measured); with the padding counted,
    [10/9, 24/9, 51/9, 90/9]."""
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    for counted, want in [(False, [2.5, 4.0, 8.5, 10.0]),
                          (True, [10 / 9, 24 / 9, 51 / 9, 90 / 9])]:
        layer = nn.AvgPool2d(3, 2, pad_mode="pad", padding=1, count_include_pad=counted)
        np.testing.assert_allclose(np.asarray(layer(x)).ravel(), want, rtol=1e-6)
        np.testing.assert_allclose(layer(x), ops.avg_pool2d(x, 3, 2, 1,
                                                           count_include_pad=counted))


def _avg_pool_rounded_up(x, kernel, stride, pad, counted):
    """Average pooling with ceil_mode by hand: each window clipped to the padded input,
    divided by what it covers of it (the padding counted or not)."""
    h, w = x.shape[2:]
    rows, cols = (-(-(n + 2 * p - k) // s) + 1 for n, k, s, p in
                  zip((h, w), kernel, stride, pad))
    rows -= (rows - 1) * stride[0] >= h + pad[0]
    cols -= (cols - 1) * stride[1] >= w + pad[1]
    out = np.zeros((*x.shape[:2], rows, cols))
    for i in range(rows):
        for j in range(cols):
            top, left = i * stride[0] - pad[0], j * stride[1] - pad[1]
            bottom, right = top + kernel[0], left + kernel[1]
            inside = x[:, :, max(top, 0):min(bottom, h), max(left, 0):min(right, w)]
            area = ((min(bottom, h + pad[0]) - top) * (min(right, w + pad[1]) - left)
                    if counted else inside.shape[2] * inside.shape[3])
            out[:, :, i, j] = inside.sum(axis=(2, 3)) / area
    return out


@pytest.mark.parametrize("kernel, stride, pad, counted", [
    ((3, 3), (2, 2), (1, 1), True), ((3, 3), (2, 2), (1, 1), False),
    ((2, 2), (2, 2), (0, 0), True), ((3, 3), (3, 3), (1, 1), True),
    ((2, 3), (2, 2), (0, 0), False)])
def test_avg_pool2d_ceil_mode_divides_by_what_each_window_covers(kernel, stride, pad,
                                                                 counted):
    """MindSpore 2.10 gives these (measured, all five cases equal to the reference; on
    the 5x5 range with kernel 2: [[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]); it
    was refused."""
    x = np.arange(84, dtype=np.float32).reshape(1, 2, 6, 7) / 10
    layer = nn.AvgPool2d(kernel, stride, pad_mode="pad" if any(pad) else "valid",
                         padding=pad[0], ceil_mode=True, count_include_pad=counted)
    np.testing.assert_allclose(layer(x), _avg_pool_rounded_up(x, kernel, stride, pad,
                                                              counted), rtol=1e-6)
    square = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    np.testing.assert_allclose(nn.AvgPool2d(2, 2, ceil_mode=True)(square)[0, 0],
                               [[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]])
    assert_matches_finite_differences(lambda v: ops.sum(layer(v) ** 2), x.astype(np.float64))
    line = x[:, :, 0]  # AvgPool1d is the same pooling along one axis (measured too)
    np.testing.assert_allclose(
        nn.AvgPool1d(kernel[1], stride[1], pad_mode="pad" if pad[1] else "valid",
                     padding=pad[1], ceil_mode=True, count_include_pad=counted)(line),
        _avg_pool_rounded_up(line[:, :, None], (1, kernel[1]), (1, stride[1]),
                             (0, pad[1]), counted)[:, :, 0], rtol=1e-6)


def test_conv2d_defaults_are_mindspores():
    conv = nn.Conv2d(3, 4, 3)
    assert [conv.pad_mode, conv.has_bias, [p.name for p in conv.trainable_params()],
            list(conv.weight.shape)] == MEASURED["conv2d_defaults"]
    assert conv.weight.dtype == np.float32 and np.abs(conv.weight).max() <= 1 / np.sqrt(27)


class Net(nn.Cell):
    """A small CNN as MindSpore's tutorials build one."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, has_bias=True)
        self.pool = nn.MaxPool2d(2, 2)
        self.layers = nn.CellList([nn.Flatten(), nn.Dense(4 * 4 * 4, 3)])
        self.drop = nn.Dropout(p=0.5)

    def construct(self, x):
        x = self.drop(self.pool(ops.relu(self.conv(x))))
        for layer in self.layers:
            x = layer(x)
        return x


def test_a_cnn_trains_end_to_end_with_its_weights():
    np.random.seed(0)
    net = Net()
    x = np.random.default_rng(1).normal(size=(6, 1, 8, 8)).astype(np.float32)
    y = np.array([0, 1, 2, 0, 1, 2])
    loss_fn = nn.CrossEntropyLoss()
    assert [p.name for p in net.trainable_params()] == \
        ["conv.weight", "conv.bias", "layers.1.weight", "layers.1.bias"]

    def forward(x, y):
        return loss_fn(net(x), y)

    grad_fn = adc.value_and_grad(forward, None, net.trainable_params())
    opt = nn.Adam(net.trainable_params(), learning_rate=0.05)
    first, _ = grad_fn(x, y)
    for _ in range(30):
        loss, grads = grad_fn(x, y)
        opt(grads)
    assert float(loss) < 0.2 * float(first)


def test_loss_cell_built_inside_a_differentiated_function():
    def loss(p, y):
        return nn.MSELoss()(p, y) + nn.L1Loss(reduction="sum")(p, y)

    p, y = np.array([1.0, -2.0, 0.5]), np.zeros(3)
    np.testing.assert_allclose(adc.grad(loss)(p, y), 2 * p / 3 + np.sign(p))


def test_window_larger_than_the_input_is_a_clear_error():
    def f(x):
        return ops.conv2d(x, np.ones((1, 1, 3, 3)), dilation=3).sum()

    with pytest.raises(AutodiffError, match="larger than the padded input"):
        adc.grad(f)(np.ones((1, 1, 5, 5)))
    with pytest.raises(ValueError, match="larger than the padded input"):
        f(np.ones((1, 1, 5, 5)))


def test_cell_with_parameters_built_inside_is_refused():
    def f(x):
        return nn.Dense(3, 2)(x).sum()

    with pytest.raises(AutodiffError, match="makes Parameters each time"):
        adc.grad(f)(np.ones(3, np.float32))


class Wrapped(nn.Cell):
    def __init__(self, cell, scale=2.0):
        super().__init__()
        self.cell, self.scale = cell, scale

    def construct(self, x):
        return self.cell(x) * self.scale


def test_a_cell_built_inside_around_a_cell_given_reads_its_parameters():
    """``Wrapped(inner)`` inside the function makes no Parameter: it was refused as
    if it did. Its gradient is the inner Cell's, with respect to the input and to
    the inner Cell's weights."""
    inner = nn.Dense(3, 2)
    x = np.array([[1.0, 2.0, 3.0]], np.float32)

    def wrapped(x):
        return (Wrapped(inner)(x) ** 2).sum()

    def direct(x):
        return ((inner(x) * 2.0) ** 2).sum()

    weights = inner.trainable_params()
    got = adc.value_and_grad(wrapped, 0, weights)(x)
    want = adc.value_and_grad(direct, 0, weights)(x)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    for g, w in zip([got[1][0], *got[1][1]], [want[1][0], *want[1][1]]):
        np.testing.assert_allclose(g, w, rtol=1e-6)
    with pytest.raises(AutodiffError, match="makes Parameters each time"):
        adc.grad(lambda x: Wrapped(nn.Dense(3, 2))(x).sum())(x)


def test_dropout_is_the_identity_until_training():
    drop = nn.Dropout(keep_prob=0.8)
    x = np.ones((4, 5), np.float32)
    assert drop(x) is x
    drop.training = True
    np.random.seed(0)
    kept = drop(x)
    assert set(np.unique(kept)) <= {0.0, np.float32(1.25)} and 0 < np.count_nonzero(kept) < 20


class AbsLoss(nn.LossBase):
    def construct(self, x, y):
        return self.get_loss(ops.abs(x - y))


@pytest.mark.parametrize("reduction, expected", [("mean", 2.0), ("sum", 6.0)])
def test_loss_base_reduces_as_mindspore(reduction, expected):
    x, zero = np.array([1.0, 2.0, 3.0], np.float32), np.zeros(3, np.float32)
    assert float(AbsLoss(reduction)(x, zero)) == expected  # MindSpore 2.10: 2.0, 6.0
    np.testing.assert_allclose(AbsLoss("none")(x, zero), x)
    scale = 1 / 3 if reduction == "mean" else 1.0
    np.testing.assert_allclose(adc.grad(AbsLoss(reduction))(x, zero), np.full(3, scale))


def test_fill_select_assign_and_random_draws():
    np.testing.assert_array_equal(ops.fill(np.float32, (2, 2), 3.0), np.full((2, 2), 3.0))
    np.testing.assert_array_equal(ops.select(np.array([True, False]), np.array([1.0, 2.0]),
                                             np.array([3.0, 4.0])), [1.0, 4.0])

    def f(a, b):
        return ops.select(a > 0, a * b, ops.fill(np.float32, (3,), 1.0)).sum()

    a, b = np.array([-1.0, 0.5, 2.0]), np.array([1.0, 2.0, 3.0])
    ga, gb = adc.grad(f, (0, 1))(a, b)
    np.testing.assert_allclose(ga, [0.0, 2.0, 3.0])
    np.testing.assert_allclose(gb, [0.0, 0.5, 2.0])
    p = adc.Parameter(np.zeros(2, np.float32), name="p")
    assert ops.assign(p, np.ones(2, np.float32)) is p and (p == 1).all()
    assert ops.randn(2, 3).shape == (2, 3) and ops.randn((2, 3)).dtype == np.float32
    assert np.array_equal(ops.rand(4, seed=1), ops.rand(4, seed=1))


class _Holder(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.CellList([nn.Dense(2, 2), nn.Dense(2, 3)])


def test_containers_grow_as_mindspores_do():
    """Measured in MindSpore 2.10: ``SequentialCell.append``/``extend``, ``CellList.extend``
    and ``insert`` (the names of the cells after the place move up), and an
    ``OrderedDict``'s keys naming a SequentialCell's cells."""
    from collections import OrderedDict
    seq = nn.SequentialCell()
    seq.append(nn.Dense(2, 3))
    seq.extend([nn.ReLU()])
    assert len(seq) == 2 and [n for n, _ in seq.parameters_and_names()] == ["0.weight", "0.bias"]
    named = nn.SequentialCell(OrderedDict([("dense", nn.Dense(2, 2)), ("act", nn.ReLU())]))
    assert [p.name for p in named.get_parameters()] == ["dense.weight", "dense.bias"]
    assert [n for n, _ in named.cells_and_names()] == ["", "dense", "act"]
    holder = _Holder()
    holder.layers.insert(1, nn.Dense(2, 4))
    holder.layers.extend([nn.ReLU()])
    assert len(holder.layers) == 4
    assert [p.name for p in holder.get_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "layers.2.weight", "layers.2.bias"]
    assert holder.layers[1].weight.shape == (4, 2) and holder.layers[2].weight.shape == (3, 2)
    x = adc.Tensor(np.ones((1, 2), np.float32))
    np.testing.assert_allclose(seq(x), np.maximum(seq[0](x), 0))


def test_a_sequential_cell_is_sliced_and_its_cells_replaced_or_deleted():
    """Fine-tuning lines (MindSpore 2.10, measured: a slice is a SequentialCell; item
    assignment and deletion change what runs): a backbone prefix, a head swapped."""
    seq = nn.SequentialCell(nn.Dense(2, 3), nn.ReLU(), nn.Dense(3, 1))
    x = adc.Tensor(np.ones((1, 2), np.float32))
    head = seq[0:2]
    assert isinstance(head, nn.SequentialCell) and len(head) == 2
    np.testing.assert_allclose(head(x), np.maximum(seq[0](x), 0))
    assert [p.name for p in seq.get_parameters()][:2] == ["0.weight", "0.bias"]  # kept
    seq[2] = nn.Dense(3, 4)
    assert seq(x).shape == (1, 4) and seq[2].weight.name == "2.weight"
    assert [p.shape for p in seq.trainable_params()] == [(3, 2), (3,), (4, 3), (4,)]
    del seq[1]
    assert len(seq) == 2
    np.testing.assert_allclose(seq(x), seq[1](seq[0](x)), rtol=1e-6)


def test_a_cell_list_item_is_replaced_or_deleted_and_names_follow():
    """Measured in MindSpore 2.10: the new Cell takes its index's names; after a
    deletion the Cells after it move down, and their Parameters' names with them."""
    holder = _Holder()
    holder.layers.append(nn.Dense(3, 1))
    holder.layers[1] = nn.Dense(2, 4)
    names = ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
             "layers.2.weight", "layers.2.bias"]
    assert [p.name for p in holder.get_parameters()] == names
    assert holder.layers[1].weight.shape == (4, 2)
    del holder.layers[0]
    assert [p.name for p in holder.get_parameters()] == names[:4] and len(holder.layers) == 2
    assert holder.layers[0].weight.shape == (4, 2)


SEQ = RNG.normal(size=(2, 4, 9))


@pytest.mark.parametrize("group, out_channels", [(2, 6), (4, 4), (4, 8), (1, 3)],
                         ids=["2_groups", "depthwise", "depthwise_x2", "one_group"])
@pytest.mark.parametrize("mode, pad, stride, dil", [("same", 0, 1, 1), ("valid", 0, 2, 1),
                                                    ("pad", 2, 1, 2)])
def test_grouped_conv1d_is_each_groups_own_convolution(group, out_channels, mode, pad,
                                                       stride, dil):
    """nn.Conv1d(group=g): each of g slices of the channels convolved with its own slice
    of the filters (the reference, per group, in float64), its gradients those of
    ops.conv1d (checked against finite differences in test_mindspore_nn_functional)."""
    conv = nn.Conv1d(4, out_channels, 3, stride, mode, pad, dil, group, has_bias=True,
                     dtype=adc.float64)
    assert conv.weight.shape == (out_channels, 4 // group, 1, 3)
    w, b = conv.weight.asnumpy(), conv.bias.asnumpy()
    pads = same_pads(9, 3, stride, dil) if mode == "same" else (pad, pad)
    per_in, per_out = 4 // group, out_channels // group
    want = np.concatenate([
        reference_conv(SEQ[:, None, k * per_in:(k + 1) * per_in].transpose(0, 2, 1, 3),
                       w[k * per_out:(k + 1) * per_out], stride, [(0, 0), pads], dil)
        for k in range(group)], axis=1)[:, :, 0] + b[None, :, None]
    np.testing.assert_allclose(conv(adc.Tensor(SEQ)).asnumpy(), want, rtol=1e-10, atol=1e-12)

    def loss(x):
        return (conv(x) ** 2).sum()

    def functional(x, w):
        return (ops.conv1d(x, w[:, :, 0], b, stride, mode, pad, dil, group) ** 2).sum()

    gx, (gw, _) = adc.value_and_grad(loss, 0, conv.trainable_params())(adc.Tensor(SEQ))[1]
    fx, fw = adc.grad(functional, (0, 1))(SEQ, w)
    np.testing.assert_allclose(gx.asnumpy(), fx, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(gw.asnumpy(), fw, rtol=1e-10, atol=1e-12)
    adc.check_grads(loss, SEQ, generic=False)  # (layers compile for their shapes)


def test_conv1d_groups_must_divide_the_channels():
    with pytest.raises(ValueError, match=r"multiples of group \(3\)"):
        nn.Conv1d(4, 6, 3, group=3)
    with pytest.raises(ValueError, match="positive int"):
        nn.Conv1d(4, 4, 3, group=0)

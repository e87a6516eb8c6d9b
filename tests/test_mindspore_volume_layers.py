"""The 3-D family (``layers_3d``, ``ops_conv3d``, ``nn.BatchNorm3d``): outputs, input
gradients and Parameter gradients against MindSpore 2.10's on the same draws
(``data/mindspore_volume_layers.json``, written by
``data/measure_mindspore_volume_layers.py`` from ``volume_layer_cases``); gradients
against finite differences in float64 over padding modes, strides, dilations, groups
and batches of one; the transposed convolution against its definition; Parameters,
initialisation and names; refusals with MindSpore's wording."""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import volume_layer_cases
from differences import central_differences
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

MEASURED = json.loads((Path(__file__).parent / "data" /
                       "mindspore_volume_layers.json").read_text())


ours = measured_fixture(lambda: volume_layer_cases.measure(ms))


# The gradient of the middle channel's beta is a sum of 240 weights that cancel to
# 4e-6; float32 additions in another order leave 8e-6 of it.
LOOSER = {"batch_norm3d_eval.gp.bn2d.beta": 2e-5}


def test_every_case_is_measured(ours):
    assert set(ours) == set(MEASURED) - {"mindspore"}


@pytest.mark.parametrize("name", sorted(k for k in MEASURED if k != "mindspore"))
def test_matches_mindspore(ours, name):
    # float32 sums taken in another order (the BLAS kernels differ from machine to
    # machine) differ by rounding of the order of the terms, not of the result: an
    # entry near 0 among entries near 9 is off by 4e-6 on some machines
    scale = float(np.max(np.abs(MEASURED[name]), initial=0.0))
    np.testing.assert_allclose(ours[name], MEASURED[name], rtol=2e-5,
                               atol=max(LOOSER.get(name, 2e-6), 1e-6 * scale))


RNG = np.random.default_rng(3)

# name: (function of (x, w), input shape, weight shape)
CONVOLUTIONS = {
    "valid": (lambda x, w: ops.conv3d(x, w), (2, 2, 3, 4, 4), (3, 2, 2, 2, 3)),
    "batch_of_one": (lambda x, w: ops.conv3d(x, w), (1, 2, 3, 3, 4), (2, 2, 2, 3, 2)),
    "same_stride": (lambda x, w: ops.conv3d(x, w, stride=(2, 1, 2), pad_mode="same"),
                    (1, 2, 3, 4, 5), (2, 2, 3, 2, 3)),
    "pad_per_axis": (lambda x, w: ops.conv3d(x, w, pad_mode="pad", padding=(1, 0, 2)),
                     (2, 1, 2, 3, 3), (2, 1, 3, 2, 3)),
    "dilated": (lambda x, w: ops.conv3d(x, w, dilation=(2, 1, 2)), (1, 2, 4, 3, 5),
                (2, 2, 2, 2, 2)),
    "groups": (lambda x, w: ops.conv3d(x, w, groups=2), (2, 4, 2, 3, 3), (4, 2, 2, 2, 2)),
    "bias": (lambda x, w: ops.conv3d(x, w, np.array([0.5, -1.0]), 2, "pad", 1),
             (1, 2, 3, 3, 3), (2, 2, 2, 2, 2)),
}


@pytest.mark.parametrize("name", CONVOLUTIONS)
def test_conv3d_gradients_match_finite_differences(name):
    fn, x_shape, w_shape = CONVOLUTIONS[name]
    ms.check_grads(fn, RNG.standard_normal(x_shape), RNG.standard_normal(w_shape),
                   generic=False)


POOLS = {
    "max_pool3d_pad": (lambda x: ops.max_pool3d(x, 3, 2, 1), (2, 2, 4, 5, 3)),
    "max_pool3d_tiles": (lambda x: ops.max_pool3d(x, 2), (1, 2, 4, 4, 6)),
    "max_pool3d_dilated": (lambda x: ops.max_pool3d(x, 2, 1, (1, 0, 1), 2), (1, 1, 4, 3, 4)),
    "max_pool3d_layer_same": (nn.MaxPool3d(3, 2, "same"), (2, 1, 3, 4, 5)),
    "max_pool3d_layer_unbatched": (nn.MaxPool3d((1, 2, 2), 1), (2, 3, 3, 3)),
    "avg_pool3d_pad": (lambda x: ops.avg_pool3d(x, 3, 2, 1), (1, 2, 4, 5, 3)),
    "avg_pool3d_exclude": (lambda x: ops.avg_pool3d(x, 2, 1, (1, 0, 1, 1, 0, 1),
                                                    count_include_pad=False), (2, 1, 3, 3, 4)),
    "avg_pool3d_divisor": (lambda x: ops.avg_pool3d(x, 2, 2, divisor_override=3),
                           (1, 2, 4, 4, 4)),
    "avg_pool3d_layer_same": (nn.AvgPool3d(3, 2, "same"), (1, 2, 3, 4, 5)),
    "adaptive_avg_pool3d": (lambda x: ops.adaptive_avg_pool3d(x, (2, 3, 2)), (2, 1, 3, 5, 4)),
    "adaptive_avg_pool3d_keep": (lambda x: ops.adaptive_avg_pool3d(x, (None, 2, 2)),
                                 (2, 3, 3, 4)),
    "adaptive_max_pool3d": (lambda x: ops.adaptive_max_pool3d(x, (2, 3, 2)), (1, 2, 3, 5, 4)),
}


@pytest.mark.parametrize("name", POOLS)
def test_pooling_gradients_match_finite_differences(name):
    fn, shape = POOLS[name]
    ms.check_grads(lambda x: fn(x) * 1.0, RNG.standard_normal(shape), generic=False)


def scattered(x, w, stride, groups):
    """The transposed convolution as its definition: each input voxel scatters its
    kernel into the output, within its group."""
    n, _c, *size = x.shape
    per, o, *k = w.shape[0] // groups, w.shape[1], *w.shape[2:]
    out = np.zeros((n, o * groups, *((s - 1) * st + kk for s, st, kk in zip(size, stride, k))))
    for i in np.ndindex(*size):
        for a in np.ndindex(*k):
            at = tuple(p * st + q for p, st, q in zip(i, stride, a))
            for g in range(groups):
                part = x[(slice(None), slice(g * per, (g + 1) * per), *i)]
                out[(slice(None), slice(g * o, (g + 1) * o), *at)] += \
                    part @ w[(slice(g * per, (g + 1) * per), slice(None), *a)]
    return out


@pytest.mark.parametrize("stride, group", [((1, 1, 1), 1), ((2, 1, 3), 1), ((2, 2, 1), 2)],
                         ids=["plain", "strided", "grouped"])
def test_conv3d_transpose_is_the_scatter_of_its_definition(stride, group):
    layer = nn.Conv3dTranspose(4, 2 * group, (2, 3, 2), stride, "valid", group=group,
                               dtype=ms.float64)
    layer.weight.set_data(Tensor(RNG.standard_normal(layer.weight.shape)))
    x = RNG.standard_normal((2, 4, 2, 3, 2))
    got = layer(Tensor(x)).asnumpy()
    # valid: D stride + max(k - stride, 0) entries, zeros past the full output
    assert got.shape[2:] == tuple(n * s + max(k - s, 0) for n, s, k in
                                  zip(x.shape[2:], stride, (2, 3, 2)))
    want = scattered(x, layer.weight.asnumpy(), stride, group)
    want = np.pad(want, [(0, 0), (0, 0), *((0, g - w) for g, w in zip(got.shape[2:],
                                                                       want.shape[2:]))])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


TRANSPOSED = {
    "same_bias": {"has_bias": True},
    "strided_pad_output_padding": {"stride": 2, "pad_mode": "pad", "padding": (1, 0, 0, 1, 1, 1),
                                   "output_padding": (1, 0, 1)},
    "grouped_dilated": {"group": 2, "dilation": (1, 2, 1), "stride": (1, 1, 2)},
}


@pytest.mark.parametrize("name", TRANSPOSED)
@pytest.mark.parametrize("batch", [1, 2])
def test_conv3d_transpose_gradients_match_finite_differences(name, batch):
    layer = nn.Conv3dTranspose(2, 2, 2, dtype=ms.float64, **TRANSPOSED[name])
    x = RNG.standard_normal((batch, 2, 2, 3, 2))
    weights = np.linspace(-1.0, 1.5, layer(Tensor(x)).size).reshape(layer(Tensor(x)).shape)

    def loss(x):
        return (layer(x) * weights).sum()

    params = layer.trainable_params()
    gx, grads = ms.value_and_grad(loss, 0, params)(Tensor(x))[1]
    np.testing.assert_allclose(gx, central_differences(loss, x), rtol=1e-6, atol=1e-8)
    for p, g in zip(params, grads, strict=True):
        base = p.asnumpy().copy()
        numeric = central_differences(lambda: loss(Tensor(x)), base,
                                      lambda v, p=p: p.set_data(Tensor(v)))
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)


class C3D(nn.Cell):
    """A small C3D block: Conv3d, BatchNorm3d, ReLU, MaxPool3d, Conv3dTranspose back up,
    adaptive pooling and a Dense head."""

    def __init__(self):
        super().__init__()
        f64 = ms.float64
        self.conv = nn.Conv3d(2, 4, 3, has_bias=True, dtype=f64)
        self.bn = nn.BatchNorm3d(4, dtype=f64)
        self.pool = nn.MaxPool3d((1, 2, 2), (1, 2, 2))
        self.up = nn.Conv3dTranspose(4, 2, (1, 2, 2), (1, 2, 2), group=2, dtype=f64)
        self.avg = nn.AdaptiveAvgPool3d((1, 2, 2))
        self.head = nn.Dense(8, 3, dtype=f64)

    def construct(self, x):
        y = self.pool(ops.relu(self.bn(self.conv(x))))
        return self.head(self.avg(self.up(y)).reshape(x.shape[0], -1))


@pytest.mark.parametrize("training", [False, True], ids=["eval", "training"])
def test_a_c3d_block_has_the_gradients_of_finite_differences(training):
    net = C3D()
    net.set_train(training)
    x = Tensor(RNG.standard_normal((2, 2, 3, 4, 4)))
    for p in net.trainable_params():
        p.set_data(Tensor(RNG.standard_normal(p.shape) * 0.5))
    net.bn.bn2d.use_batch_statistics = training  # the same statistics at every evaluation

    def loss():
        return (net(x) ** 2).sum()

    grads = ms.grad(lambda x: (net(x) ** 2).sum(), None, net.trainable_params())(x)
    for p, g in zip(net.trainable_params(), grads, strict=True):
        numeric = central_differences(loss, p.asnumpy().copy(),
                                      lambda v, p=p: p.set_data(Tensor(v)))
        np.testing.assert_allclose(g, numeric, rtol=1e-5, atol=1e-7, err_msg=p.name)


def test_parameters_names_shapes_and_initial_ranges_are_mindsporess():
    conv = nn.Conv3d(4, 6, (3, 2, 2), group=2, has_bias=True)
    assert conv.weight.shape == (6, 2, 3, 2, 2) and conv.bias.shape == (6,)
    bound = 1 / math.sqrt(2 * 12)
    assert 0.5 * bound < np.abs(conv.weight.asnumpy()).max() <= bound
    assert np.abs(conv.bias.asnumpy()).max() <= bound
    up = nn.Conv3dTranspose(4, 6, 3, group=2)
    assert up.weight.shape == (4, 3, 3, 3, 3) and up.bias is None
    assert np.abs(up.weight.asnumpy()).max() <= 1 / math.sqrt(3 * 27)
    bn = nn.BatchNorm3d(3)
    assert [p.name for p in bn.get_parameters()] == \
        ["bn2d.moving_mean", "bn2d.moving_variance", "bn2d.gamma", "bn2d.beta"]
    assert [p.name for p in bn.trainable_params()] == ["bn2d.gamma", "bn2d.beta"]
    assert nn.Conv3d in ms.amp.get_white_list() and nn.BatchNorm3d in ms.amp.get_black_list()
    assert "pad_mode=same" in repr(conv) and "group=2" in repr(conv)


REFUSALS = {
    "group": (lambda: nn.Conv3d(4, 6, 3, group=4), ValueError, "divisible by 'in_channels'"),
    "kernel_pair": (lambda: nn.Conv3d(4, 6, (3, 3)), ValueError, "tuple of three positive"),
    "pad_mode": (lambda: nn.Conv3d(4, 6, 3, pad_mode="full"), ValueError, "'pad_mode' must"),
    "padding_without_pad": (lambda: nn.Conv3d(4, 6, 3, padding=1), ValueError,
                            "when 'pad_mode' is not"),
    "padding_three": (lambda: nn.Conv3d(4, 6, 3, pad_mode="pad", padding=(1, 1, 1)),
                      ValueError, "'padding size' must"),
    "padding_type": (lambda: nn.Conv3d(4, 6, 3, pad_mode="pad", padding=[1] * 6), TypeError,
                     "int or tuple"),
    "data_format": (lambda: nn.Conv3d(4, 6, 3, data_format="NDHWC"), ValueError, "NCDHW"),
    "transpose_depth_dilation": (lambda: nn.Conv3dTranspose(4, 6, 3, dilation=2), ValueError,
                                 "depth of parameter 'dilation' must be 1"),
    "transpose_output_padding": (lambda: nn.Conv3dTranspose(4, 6, 3, output_padding=1),
                                 ValueError, "'output_padding' must be zero"),
    "max_pool_padding": (lambda: nn.MaxPool3d(2, 2, "pad", 2), ValueError,
                         "summation of padding"),
    "max_pool_dilation_mode": (lambda: nn.MaxPool3d(2, dilation=2), ValueError,
                               "pad_mode must be 'pad'"),
    "max_pool_pad_mode": (lambda: nn.MaxPool3d(2, pad_mode="full"), ValueError,
                          "'VALID', 'SAME', 'PAD'"),
    "max_pool_ceil": (lambda: nn.MaxPool3d(2, ceil_mode=True), ValueError, "ceil_mode"),
    "avg_pool_divisor": (lambda: nn.AvgPool3d(2, divisor_override=-1), ValueError, "> 0"),
    "avg_pool_padding": (lambda: nn.AvgPool3d(2, 1, "pad", (1, 1)), ValueError,
                         "tuple/list of 1 or 3"),
    "conv3d_rank": (lambda: ops.conv3d(np.ones((2, 3, 4, 4)), np.ones((2, 3, 1, 1, 1))),
                    ValueError, "5 dimensions"),
    "conv3d_channels": (lambda: ops.conv3d(np.ones((1, 4, 3, 3, 3)), np.ones((2, 4, 1, 1, 1)),
                                           groups=2), ValueError, "'C_in' of input"),
    "conv3d_padding": (lambda: ops.conv3d(np.ones((1, 2, 3, 3, 3)), np.ones((2, 2, 1, 1, 1)),
                                          pad_mode="pad", padding=(1, 0, 1, 1, 0, 1)),
                       ValueError, "tuple/list of 3 ints"),
    "conv3d_same_padding": (lambda: ops.conv3d(np.ones((1, 2, 3, 3, 3)),
                                               np.ones((2, 2, 1, 1, 1)), pad_mode="same",
                                               padding=1), ValueError, "must be zero"),
    "conv3d_window": (lambda: ops.conv3d(np.ones((1, 2, 2, 3, 3)), np.ones((2, 2, 3, 1, 1))),
                      ValueError, "larger than the padded input"),
    "max_pool3d_half_window": (lambda: ops.max_pool3d(np.ones((1, 1, 4, 4, 4)), 3, 2, 2),
                               ValueError, "at most half"),
    "adaptive_size": (lambda: ops.adaptive_avg_pool3d(np.ones((1, 1, 4, 4, 4)), (2, 2)),
                      ValueError, "length of output_size must be equal to 3"),
    "adaptive_rank": (lambda: nn.AdaptiveMaxPool3d(2)(Tensor(np.ones((4, 4, 4)))), ValueError,
                      "4 or 5 dimensions"),
    "batch_norm_rank": (lambda: nn.BatchNorm3d(2)(Tensor(np.ones((2, 2, 3, 3)))), ValueError,
                        "must have 5 dims"),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_bad_arguments_are_refused_with_mindsporess_reasons(name):
    call, error, message = REFUSALS[name]
    with pytest.raises(error, match=message):
        call()


def _windows_by_hand(x, kernel, stride):
    """(values, indices) of valid 3-D max pooling, each window by itself: its maximum
    and where the first is along the flattened (D, H, W) volume."""
    n, c, *sizes = x.shape
    out = [(s - k) // st + 1 for s, k, st in zip(sizes, kernel, stride)]
    values, indices = np.zeros((n, c, *out)), np.zeros((n, c, *out), np.int64)
    for b, ch, *at in np.ndindex(n, c, *out):
        lo = [a * st for a, st in zip(at, stride)]
        box = x[b, ch, lo[0]:lo[0] + kernel[0], lo[1]:lo[1] + kernel[1], lo[2]:lo[2] + kernel[2]]
        where = np.unravel_index(np.argmax(box), box.shape)
        values[(b, ch, *at)] = box[where]
        indices[(b, ch, *at)] = np.ravel_multi_index(
            tuple(w + low for w, low in zip(where, lo)), sizes)
    return values, indices


def test_max_pool3d_gives_where_each_maximum_is():
    """MindSpore runs max_pool3d and nn.MaxPool3d with return_indices (they were
    refused); values and indices against each window by hand, ties included."""
    x = np.round(np.random.default_rng(4).normal(size=(2, 2, 4, 5, 4)), 1)
    want = _windows_by_hand(x, (2, 3, 2), (2, 1, 2))
    got = ops.max_pool3d(x, (2, 3, 2), (2, 1, 2), return_indices=True)
    np.testing.assert_allclose(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])
    layer = nn.MaxPool3d((2, 3, 2), (2, 1, 2), pad_mode="pad", return_indices=True)
    np.testing.assert_array_equal(layer(Tensor(x))[1], want[1])
    ms.check_grads(lambda v: ops.sum(ops.max_pool3d(v, 2, 1, return_indices=True)[0] ** 2),
                   np.random.default_rng(5).normal(size=(1, 1, 3, 3, 3)), generic=False)


def test_max_pool1d_gives_where_each_maximum_is():
    x = Tensor(np.array([[[1.0, 0.0, 1.0, 1.0, 2.0, 0.0]]], np.float32))
    values, indices = nn.MaxPool1d(2, 1, pad_mode="pad", return_indices=True)(x)
    np.testing.assert_allclose(values, [[[1.0, 1.0, 1.0, 2.0, 2.0]]])
    np.testing.assert_array_equal(indices, [[[0, 2, 2, 4, 4]]])

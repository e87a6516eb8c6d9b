"""``nn.Conv2dTranspose``/``Conv1dTranspose``, the shuffles, padding layers, ``GroupNorm``,
``InstanceNorm``, channel dropouts, adaptive max pooling and the small Cells
(``layers_image``, ``normalization_groups``, ``layers_small``) and their ``ops``
functions (``ops_image``): outputs, input gradients and Parameter gradients against
MindSpore's on the same draws (``data/mindspore_image_layers.json``, written by
``data/measure_mindspore_image_layers.py`` from ``image_layer_cases``); the functional
forms against central finite differences in float64; Parameter names, shapes and
initialisation; a training step; refusals at the user's line."""
from __future__ import annotations

import json
from pathlib import Path

import image_layer_cases
import numpy as np
import pytest
from differences import central_differences
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops, vjp
from autodiff_compiler.errors import AutodiffError

MEASURED = json.loads((Path(__file__).parent / "data" /
                       "mindspore_image_layers.json").read_text())


ours = measured_fixture(lambda: image_layer_cases.measure(ms))


def test_every_case_is_measured(ours):
    assert set(ours) == set(MEASURED) - {"mindspore"}


@pytest.mark.parametrize("name", sorted(k for k in MEASURED if k != "mindspore"))
def test_matches_mindspore(ours, name):
    np.testing.assert_allclose(ours[name], MEASURED[name], rtol=2e-5, atol=2e-6)


RNG = np.random.default_rng(1)


def weighted(fn):
    """A scalar of ``fn``'s output that weighs every entry differently."""
    def loss(x):
        y = fn(x)
        return np.sum(y * np.linspace(-1.0, 2.0, y.size).reshape(y.shape))
    return loss


def check(fn, x):
    np.testing.assert_allclose(ms.grad(fn)(x), central_differences(fn, x), rtol=1e-6,
                               atol=1e-7)


W = RNG.standard_normal((3, 2, 3, 2))
CONV_TRANSPOSE = {
    "plain": {},
    "stride_2": {"stride": 2},
    "padding_output_padding": {"stride": (2, 3), "padding": 1, "output_padding": (1, 2)},
    "dilation": {"dilation": (2, 1), "padding": (0, 1)},
    "bias": {"bias": np.array([0.5, -1.0]), "stride": 3},
}


@pytest.mark.parametrize("kwargs", CONV_TRANSPOSE.values(), ids=CONV_TRANSPOSE.keys())
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 3, 1, 2)], ids=str)
def test_conv_transpose2d_matches_finite_differences(kwargs, shape):
    check(weighted(lambda x: ops.conv_transpose2d(x, W, **kwargs)), RNG.standard_normal(shape))


def scattered(x, w, stride, padding, output_padding, dilation):
    """The transposed convolution as its definition: each input pixel scatters its
    kernel into the output."""
    n, _c, h, wd = x.shape
    _, o, kh, kw = w.shape
    out = np.zeros((n, o, (h - 1) * stride + dilation * (kh - 1) + 1 + output_padding,
                    (wd - 1) * stride + dilation * (kw - 1) + 1 + output_padding))
    for i in range(h):
        for j in range(wd):
            for a in range(kh):
                for b in range(kw):
                    out[:, :, i * stride + a * dilation, j * stride + b * dilation] += \
                        x[:, :, i, j] @ w[:, :, a, b]
    return out[:, :, padding:out.shape[2] - padding, padding:out.shape[3] - padding]


@pytest.mark.parametrize("stride, padding, output_padding, dilation",
                         [(1, 0, 0, 1), (2, 1, 1, 1), (3, 2, 0, 2), (2, 0, 1, 3)],
                         ids=["plain", "stride_padding", "padding_dilation", "dilation"])
def test_conv_transpose2d_is_the_scatter_of_its_definition(stride, padding, output_padding,
                                                           dilation):
    x = RNG.standard_normal((2, 3, 4, 3))
    got = ops.conv_transpose2d(x, W, None, stride, padding, output_padding, 1, dilation)
    want = scattered(x, W, stride, padding, output_padding, dilation)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_the_layer_in_pad_mode_is_the_function():
    layer = nn.Conv2dTranspose(3, 2, 3, stride=2, pad_mode="pad", padding=1, has_bias=True)
    x = Tensor(RNG.standard_normal((1, 3, 4, 4)).astype(np.float32))
    np.testing.assert_allclose(layer(x), ops.conv_transpose2d(x, layer.weight, layer.bias, 2, 1),
                               rtol=1e-6, atol=1e-6)


FUNCTIONS = {
    "pixel_shuffle": (lambda x: ops.pixel_shuffle(x, 2), [(8, 2, 3), (2, 4, 1, 2),
                                                          (2, 1, 4, 2, 1)]),
    "pixel_unshuffle": (lambda x: ops.pixel_unshuffle(x, 2), [(1, 4, 2), (2, 1, 2, 4)]),
    "channel_shuffle": (lambda x: ops.channel_shuffle(x, 2), [(2, 4), (2, 6, 3), (1, 4, 2, 2)]),
    "group_norm": (lambda x: ops.group_norm(x, 2, np.arange(1.0, 5.0), np.ones(4)),
                   [(2, 4), (2, 4, 3), (1, 4, 2, 2)]),
    "layer_norm": (lambda x: ops.layer_norm(x, (x.shape[-1],), np.linspace(1, 2, x.shape[-1])),
                   [(3,), (2, 3), (2, 2, 3)]),
    "rms_norm": (lambda x: ops.rms_norm(x, np.linspace(0.5, 2, x.shape[-1])),
                 [(3,), (2, 3), (2, 2, 3)]),
    "batch_norm_eval": (lambda x: ops.batch_norm(x, np.zeros(3), np.full(3, 2.0), np.ones(3),
                                                 np.arange(3.0)), [(2, 3), (2, 3, 4)]),
    "adaptive_max_pool1d": (lambda x: ops.adaptive_max_pool1d(x, 2), [(2, 3, 4), (1, 1, 6)]),
    "adaptive_max_pool2d": (lambda x: ops.adaptive_max_pool2d(x, (2, 3)),
                            [(3, 5, 4), (1, 2, 3, 7)]),
    "hardshrink": (lambda x: ops.hardshrink(x, 0.3), [(), (3,), (2, 3)]),
    "softshrink": (lambda x: ops.softshrink(x, 0.3), [(), (3,), (2, 3)]),
    "fast_gelu": (ops.fast_gelu, [(), (3,), (2, 3)]),
    "softmax2d": (nn.Softmax2d(), [(3, 2, 2), (2, 3, 1, 2)]),
    "norm": (nn.Norm(1, True), [(2, 3), (2, 3, 2)]),
    "roll": (nn.Roll(2, 0), [(3,), (4, 2)]),
    "reflection_pad2d": (nn.ReflectionPad2d((1, 2, 2, 0)), [(2, 3, 4), (1, 2, 3, 3)]),
    "replication_pad3d": (nn.ReplicationPad3d(1), [(1, 2, 2, 2), (2, 1, 2, 1, 2)]),
    "pad_symmetric": (lambda x: nn.Pad(((1, 2),) * x.ndim, "SYMMETRIC")(x), [(3,), (2, 3)]),
}
FUNCTION_CASES = [(name, shape) for name, (_, shapes) in FUNCTIONS.items()
                  for shape in shapes]


@pytest.mark.parametrize("name, shape", FUNCTION_CASES,
                         ids=[f"{n}-{s}" for n, s in FUNCTION_CASES])
def test_functions_match_finite_differences(name, shape):
    x = RNG.standard_normal(shape)
    check(weighted(FUNCTIONS[name][0]), x)


def test_batch_norm_while_training_moves_the_running_statistics_without_a_gradient():
    mean, var = ms.Parameter(np.zeros(3), name="m"), ms.Parameter(np.ones(3), name="v")
    x = RNG.standard_normal((4, 3, 2))

    def loss(x):
        return np.sum(ops.batch_norm(x, mean, var, np.ones(3), np.zeros(3), True, 0.25) * x)

    check(lambda x: np.sum(ops.batch_norm(x, np.zeros(3), np.ones(3), np.ones(3), np.zeros(3),
                                          True) * x), x)
    ms.grad(loss)(x)
    np.testing.assert_allclose(mean, 0.25 * x.mean(axis=(0, 2)), rtol=1e-12)
    np.testing.assert_allclose(var, 0.75 + 0.25 * x.var(axis=(0, 2), ddof=1), rtol=1e-12)


@pytest.mark.parametrize("kind, shape", [("InstanceNorm1d", (2, 3, 5)),
                                         ("InstanceNorm2d", (2, 3, 2, 4)),
                                         ("InstanceNorm3d", (1, 3, 2, 2, 3))])
@pytest.mark.parametrize("training", [False, True], ids=["eval", "train"])
def test_instance_norm_uses_each_instances_statistics(kind, shape, training):
    layer = getattr(nn, kind)(3, eps=0.01)
    layer.gamma.set_data(Tensor(np.array([1.0, 2.0, -0.5], np.float32)))
    layer.beta.set_data(Tensor(np.array([0.0, 1.0, 3.0], np.float32)))
    layer.set_train(training)
    x = RNG.standard_normal(shape)
    axes = tuple(range(2, len(shape)))
    along = (1, 3) + (1,) * len(axes)
    want = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True)
                                                            + 0.01)
    want = want * np.array([1.0, 2.0, -0.5]).reshape(along) + np.array([0, 1, 3.0]).reshape(along)
    np.testing.assert_allclose(layer(x), want, rtol=1e-10, atol=1e-12)
    check(weighted(layer), x)
    np.testing.assert_array_equal(layer.moving_mean, np.zeros(3))


# Parameters as MindSpore 2.7.1 names and shapes them (name, shape, requires_grad)
PARAMETERS = {
    "Conv2dTranspose": (lambda: nn.Conv2dTranspose(3, 4, (2, 3), has_bias=True),
                        [("weight", (3, 4, 2, 3), True), ("bias", (4,), True)]),
    "Conv1dTranspose": (lambda: nn.Conv1dTranspose(3, 4, 3),
                        [("weight", (3, 4, 1, 3), True)]),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4, affine=False),
                  [("gamma", (4,), False), ("beta", (4,), False)]),
    "InstanceNorm2d": (lambda: nn.InstanceNorm2d(4),
                       [("mean", (4,), False), ("variance", (4,), False),
                        ("gamma", (4,), True), ("beta", (4,), True)]),
    "Linear": (lambda: nn.Linear(6, 4), [("weight", (4, 6), True), ("bias", (4,), True)]),
}


@pytest.mark.parametrize("kind", PARAMETERS)
def test_parameters_are_named_and_shaped_as_mindspores(kind):
    make, want = PARAMETERS[kind]
    got = [(p.name, tuple(p.shape), p.requires_grad) for p in make().get_parameters()]
    assert got == want


@pytest.mark.parametrize("make, fan_in", [
    (lambda: nn.Conv2dTranspose(8, 16, (2, 3), has_bias=True), 16 * 6),
    (lambda: nn.Conv1dTranspose(30, 5, 3, has_bias=True), 5 * 3),
    (lambda: nn.Linear(40, 30), 40),
], ids=["conv2d_transpose", "conv1d_transpose", "linear"])
def test_initialisation_is_uniform_within_one_over_root_fan_in(make, fan_in):
    ms.set_seed(0)
    bound = 1 / np.sqrt(fan_in)
    weight, bias = make().trainable_params()
    for p in (weight, bias):
        values = np.asarray(p)
        assert values.dtype == np.float32 and np.abs(values).max() <= bound
    assert np.std(np.asarray(weight)) == pytest.approx(bound / np.sqrt(3), rel=0.15)


@pytest.mark.parametrize("kind, shape", [("Dropout1d", (4, 6, 3)), ("Dropout1d", (6, 3)),
                                         ("Dropout2d", (4, 6, 2, 2)),
                                         ("Dropout3d", (2, 6, 2, 1, 2))])
def test_channel_dropout_zeroes_whole_channels_and_its_gradient_is_the_mask(kind, shape):
    layer = getattr(nn, kind)(p=0.4)
    x = np.linspace(0.5, 2.0, int(np.prod(shape))).reshape(shape)
    np.testing.assert_array_equal(layer(x), x)  # not training: the identity
    layer.set_train()

    def loss(x):
        y = layer(x)
        return np.sum(y * 2.0), y

    ms.set_seed(5)
    (_value, y), g = ms.value_and_grad(loss, has_aux=True)(x)
    batch = 1 if len(shape) == 2 else 2
    kept = np.asarray(y).reshape(*shape[:batch], -1)
    assert set(np.unique(np.all(kept == 0, axis=-1) | np.all(kept != 0, axis=-1))) == {True}
    assert 0 < np.mean(np.all(kept == 0, axis=-1)) < 1
    np.testing.assert_allclose(np.asarray(g) * x / 2.0, np.asarray(y), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(y)[np.asarray(y) != 0] / x[np.asarray(y) != 0],
                               1 / 0.6, rtol=1e-12)
    ms.set_seed(5)
    np.testing.assert_array_equal(np.asarray(layer(x)) == 0, np.asarray(y) == 0)


def test_small_cells_give_mindspores_dtypes():
    assert nn.Range(1, 9, 3)().dtype == np.int32
    assert nn.Range(0.5, 3.0)().dtype == np.float32
    assert nn.OneHot(depth=3)(Tensor(np.array([0, 2], np.int32))).dtype == np.float32


def test_a_training_step_with_conv_transpose_and_group_norm_learns():
    np.random.seed(0)
    net = nn.SequentialCell(nn.Conv2dTranspose(3, 4, 3, stride=2, has_bias=True),
                            nn.GroupNorm(2, 4), nn.PixelUnshuffle(2), nn.Flatten(),
                            nn.Linear(256, 2))
    optimizer = nn.SGD(net.trainable_params(), 0.004)
    x = Tensor(RNG.standard_normal((2, 3, 4, 4)).astype(np.float32))
    y = Tensor(np.array([[1.0, -1.0], [-0.5, 0.5]], np.float32))
    loss_fn = nn.MSELoss()
    grad_fn = ms.value_and_grad(lambda x, y: loss_fn(net(x), y), None, optimizer.parameters)
    before = [np.array(p) for p in net.trainable_params()]
    first, grads = grad_fn(x, y)
    assert len(grads) == len(before) == 6 and all(np.any(g != 0) for g in grads)
    optimizer(grads)
    assert all(np.any(np.asarray(p) != b) for p, b in zip(net.trainable_params(), before,
                                                          strict=True))
    for _ in range(20):
        optimizer(grad_fn(x, y)[1])
    assert float(grad_fn(x, y)[0]) < 0.5 * float(first)


def test_a_refusal_inside_grad_names_the_users_line():
    def loss(x):
        return ops.adaptive_max_pool1d(x, 4).sum()

    with pytest.raises(AutodiffError, match="multiple of output_size 4") as info:
        ms.grad(loss)(RNG.standard_normal((2, 3, 6)))
    assert "return ops.adaptive_max_pool1d(x, 4).sum()" in str(info.value)
    with pytest.raises(ValueError, match="dividing in_channels"):
        nn.Conv2dTranspose(4, 6, 3, group=4)  # (MindSpore 2.10: a ValueError too)


SHAPE_GENERIC = {
    "layer_norm": lambda x: ops.layer_norm(x, (4,)).sum(),
    "rms_norm": lambda x: ops.rms_norm(x, np.ones(4)).sum(),
    "fast_gelu": lambda x: ops.fast_gelu(x).sum(),
    "hardshrink": lambda x: ops.hardshrink(x).sum(),
    "softshrink": lambda x: ops.softshrink(x).sum(),
    "adaptive_max_pool2d": lambda x: ops.adaptive_max_pool2d(x, 2).sum(),
    "softmax2d": lambda x: nn.Softmax2d()(x).sum(),
}


@pytest.mark.parametrize("name", SHAPE_GENERIC)
def test_shape_free_functions_compile_shape_generic(name):
    x = RNG.standard_normal((2, 3, 4, 4))
    _, back = vjp(SHAPE_GENERIC[name], x, specialize=False)
    np.testing.assert_allclose(back(np.float64(1.0))[0], ms.grad(SHAPE_GENERIC[name])(x),
                               rtol=1e-12, atol=1e-14)


def test_shape_generic_code_refuses_shape_dependent_layers_at_the_users_line():
    def loss(x):
        return ops.pixel_shuffle(x, 2).sum()

    with pytest.raises(AutodiffError, match="shape-generic") as info:
        vjp(loss, RNG.standard_normal((1, 8, 2, 2)), specialize=False)
    assert "return ops.pixel_shuffle(x, 2).sum()" in str(info.value)

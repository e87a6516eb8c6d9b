"""Image, normalisation, padding and small layers and their ``ops`` functions measured
against MindSpore: one definition, run by MindSpore
(``data/measure_mindspore_image_layers.py`` writes ``data/mindspore_image_layers.json``)
and by this package (``test_mindspore_image_layers.py``) on the same draws.

Left out, because MindSpore 2.7.1's CPU build has no kernel for them: ``InstanceNorm``,
``ops.conv_transpose2d``, ``ops.rms_norm``, ``ops.layer_norm``, ``nn.Roll``; and the
dropouts, whose masks come from different generators. Those are checked against formulas and finite
differences in the test module."""
from __future__ import annotations

from typing import Any

import numpy as np

# name: (layer class, arguments, input name)
CELLS: dict[str, tuple[str, tuple, dict, str]] = {
    "conv2d_transpose_same_bias": ("Conv2dTranspose", (3, 4, 3), {"has_bias": True}, "x4"),
    "conv2d_transpose_same_k4_s2": ("Conv2dTranspose", (3, 2, 4), {"stride": 2}, "x4"),
    "conv2d_transpose_same_k1_s2": ("Conv2dTranspose", (3, 2, 1), {"stride": 2,
                                                                    "has_bias": True}, "x4"),
    "conv2d_transpose_valid_s2": ("Conv2dTranspose", (3, 2, (3, 2)),
                                  {"stride": 2, "pad_mode": "valid"}, "x4"),
    "conv2d_transpose_valid_k2_s3": ("Conv2dTranspose", (3, 2, 2),
                                     {"stride": 3, "pad_mode": "valid", "has_bias": True},
                                     "x4"),
    "conv2d_transpose_pad_asymmetric": ("Conv2dTranspose", (3, 2, 3),
                                        {"pad_mode": "pad", "padding": (1, 0, 2, 1),
                                         "stride": (2, 1)}, "x4"),
    "conv2d_transpose_pad_output_padding": ("Conv2dTranspose", (3, 2, 3),
                                            {"pad_mode": "pad", "padding": 1, "stride": 2,
                                             "output_padding": 1, "has_bias": True}, "x4"),
    "conv2d_transpose_dilated": ("Conv2dTranspose", (3, 2, 3),
                                 {"stride": 2, "dilation": 2, "pad_mode": "same"}, "x4"),
    "conv2d_transpose_groups": ("Conv2dTranspose", (8, 6, 3),
                                {"group": 2, "has_bias": True, "stride": 2}, "x8"),
    "conv1d_transpose_same": ("Conv1dTranspose", (3, 2, 3), {"has_bias": True}, "x3"),
    "conv1d_transpose_groups": ("Conv1dTranspose", (3, 6, 3),
                                {"group": 3, "stride": 2, "pad_mode": "valid"}, "x3"),
    "conv1d_transpose_valid_s2": ("Conv1dTranspose", (3, 2, 3),
                                  {"stride": 2, "pad_mode": "valid"}, "x3"),
    "conv1d_transpose_pad": ("Conv1dTranspose", (3, 2, 4),
                             {"stride": 2, "pad_mode": "pad", "padding": 1}, "x3"),
    "pixel_shuffle": ("PixelShuffle", (2,), {}, "x8"),
    "pixel_unshuffle": ("PixelUnshuffle", (2,), {}, "x4even"),
    "channel_shuffle": ("ChannelShuffle", (2,), {}, "x8"),
    "pad_constant": ("Pad", (((0, 0), (1, 0), (1, 2), (2, 1)),), {}, "x4"),
    "pad_reflect": ("Pad", (((0, 0), (0, 0), (1, 2), (2, 1)), "REFLECT"), {}, "x4"),
    "pad_symmetric": ("Pad", (((1, 0), (0, 0), (2, 2), (0, 3)), "SYMMETRIC"), {}, "x4"),
    "constant_pad1d": ("ConstantPad1d", ((2, 1), 0.5), {}, "x3"),
    "constant_pad2d": ("ConstantPad2d", (1, -1.0), {}, "x4"),
    "constant_pad3d": ("ConstantPad3d", ((1, 0, 0, 2, 1, 1), 0.25), {}, "x4"),
    "reflection_pad1d": ("ReflectionPad1d", ((2, 3),), {}, "x3"),
    "reflection_pad2d": ("ReflectionPad2d", ((1, 2, 0, 1),), {}, "x4"),
    "reflection_pad3d": ("ReflectionPad3d", (1,), {}, "x4"),
    "replication_pad1d": ("ReplicationPad1d", ((3, 1),), {}, "x3"),
    "replication_pad2d": ("ReplicationPad2d", ((1, 2, 0, 3),), {}, "x4"),
    "replication_pad3d": ("ReplicationPad3d", ((1, 0, 2, 1, 0, 1),), {}, "x4"),
    "group_norm": ("GroupNorm", (2, 8), {}, "x8"),
    "group_norm_one_group": ("GroupNorm", (1, 3), {"eps": 0.1}, "x3"),
    "adaptive_max_pool1d": ("AdaptiveMaxPool1d", (2,), {}, "x3even"),
    "adaptive_max_pool2d": ("AdaptiveMaxPool2d", (3,), {}, "x4"),
    "adaptive_max_pool2d_keep_rows": ("AdaptiveMaxPool2d", ((None, 2),), {}, "x4"),
    "softmax2d": ("Softmax2d", (), {}, "x4"),
    "hshrink": ("HShrink", (0.3,), {}, "x2"),
    "softshrink": ("SoftShrink", (), {}, "x2"),
    "fast_gelu": ("FastGelu", (), {}, "x2"),
    "norm": ("Norm", (), {}, "x2"),
    "norm_axis_keep": ("Norm", (1, True), {}, "x2"),
    "linear": ("Linear", (6, 3), {}, "x2"),
    "linear_no_bias": ("Linear", (6, 2), {"bias": False}, "x3even"),
}


# MindSpore 2.7.1 defines no gradient for ChannelShuffle: only its value is measured
VALUE_ONLY = {"channel_shuffle"}


def inputs(rng: Any) -> dict[str, np.ndarray]:
    return {"x4": rng.standard_normal((2, 3, 4, 5)).astype(np.float32),
            "x4even": rng.standard_normal((1, 2, 4, 6)).astype(np.float32),
            "x8": rng.standard_normal((2, 8, 3, 2)).astype(np.float32),
            "x3": rng.standard_normal((2, 3, 5)).astype(np.float32),
            "x3even": rng.standard_normal((2, 3, 6)).astype(np.float32),
            "x2": rng.standard_normal((4, 6)).astype(np.float32)}


def measure(ms: Any) -> dict[str, list]:
    """Outputs and gradients of each case, by name, computed with the library ``ms``
    (``mindspore`` or ``autodiff_compiler``)."""
    nn, tensor = ms.nn, ms.Tensor
    rng = np.random.default_rng(0)
    xs = {k: tensor(v) for k, v in inputs(rng).items()}
    out: dict[str, Any] = {}
    for name, (kind, args, kwargs, x_name) in CELLS.items():
        cell = getattr(nn, kind)(*args, **kwargs)
        cell_case(ms, out, name, cell, xs[x_name], rng)
    out.update(functional(ms, xs, rng))
    out.update(values(ms, xs))
    return {k: np.asarray(v.asnumpy(), np.float64).tolist() for k, v in out.items()}


def cell_case(ms: Any, out: dict, name: str, cell: Any, x: Any, rng: Any) -> None:
    """Every trainable Parameter set from the draws, in the order of their names; then
    the output, and the gradients of a weighted sum of it for the input and for each
    Parameter (``gp.<name>``)."""
    params = sorted(cell.trainable_params(), key=lambda p: p.name)
    for p in params:
        p.set_data(ms.Tensor(rng.standard_normal(p.shape).astype(np.float32)))
    y = cell(x)
    weights = ms.Tensor(np.linspace(-1, 1, y.size).reshape(y.shape).astype(np.float32))

    def loss(x):
        return (cell(x) * weights).sum()

    out[f"{name}.y"] = y
    if name in VALUE_ONLY:
        return
    if params:
        out[f"{name}.gx"], grads = ms.value_and_grad(loss, 0, params)(x)[1]
        for p, g in zip(params, grads, strict=True):
            out[f"{name}.gp.{p.name}"] = g
    else:
        out[f"{name}.gx"] = ms.grad(loss)(x)


def functional(ms: Any, xs: dict, rng: Any) -> dict[str, Any]:
    """The ``ops`` functions: value and gradient of a weighted sum of each."""
    ops, tensor, out = ms.ops, ms.Tensor, {}
    gamma8 = tensor(rng.standard_normal(8).astype(np.float32))
    beta8 = tensor(rng.standard_normal(8).astype(np.float32))
    mean8 = tensor(rng.standard_normal(8).astype(np.float32))
    var8 = tensor((rng.random(8) + 0.5).astype(np.float32))
    corners = tensor(np.array([-1.0, -0.5, -0.3, 0.0, 0.3, 0.5, 0.7, 2.0], np.float32))
    cases = {
        "pixel_shuffle": (lambda x: ops.pixel_shuffle(x, 2), "x8"),
        "pixel_unshuffle": (lambda x: ops.pixel_unshuffle(x, 2), "x4even"),
        "channel_shuffle": (lambda x: ops.channel_shuffle(x, 4), "x8"),
        "group_norm": (lambda x: ops.group_norm(x, 4, gamma8, beta8, 1e-3), "x8"),
        "group_norm_plain": (lambda x: ops.group_norm(x, 2), "x8"),
        "batch_norm_eval": (lambda x: ops.batch_norm(x, mean8, var8, gamma8, beta8), "x8"),
        "adaptive_max_pool1d": (lambda x: ops.adaptive_max_pool1d(x, 3), "x3even"),
        "adaptive_max_pool2d": (lambda x: ops.adaptive_max_pool2d(x, (3, 2)), "x4"),
        "hardshrink": (lambda x: ops.hardshrink(x), "x2"),
        "softshrink": (lambda x: ops.softshrink(x, 0.7), "x2"),
        "soft_shrink": (lambda x: ops.soft_shrink(x), "x2"),
        "fast_gelu": (lambda x: ops.fast_gelu(x), "x2"),
        "hardshrink_corners": (lambda x: ops.hardshrink(x, 0.5), corners),
        "softshrink_corners": (lambda x: ops.softshrink(x, 0.5), corners),
        "fast_gelu_corners": (lambda x: ops.fast_gelu(x), corners),
    }
    for name, (fn, x) in cases.items():
        x = xs[x] if isinstance(x, str) else x
        y = fn(x)
        w = tensor(np.linspace(-1.0, 2.0, y.size).reshape(y.shape).astype(np.float32))
        out[f"{name}.y"] = y
        if name in VALUE_ONLY:
            continue
        out[f"{name}.grad"] = ms.grad(lambda x, fn=fn, w=w: (fn(x) * w).sum())(x)
    # training: the batch's statistics normalise, the running ones move (in place)
    running_mean = ms.Parameter(tensor(np.zeros(8, np.float32)), name="running_mean")
    running_var = ms.Parameter(tensor(np.ones(8, np.float32)), name="running_var")
    out["batch_norm_training.y"] = ops.batch_norm(xs["x8"], running_mean, running_var,
                                                  gamma8, beta8, True, 0.2)
    out["batch_norm_training.running_mean"] = running_mean.value() \
        if hasattr(running_mean, "value") else running_mean
    out["batch_norm_training.running_var"] = running_var.value() \
        if hasattr(running_var, "value") else running_var
    return out


def values(ms: Any, xs: dict) -> dict[str, Any]:
    """The Cells without a gradient worth measuring: their results."""
    nn, tensor, out = ms.nn, ms.Tensor, {}
    ids = tensor(np.array([[0, 2, -1], [3, 1, 1]], np.int32))
    square = xs["x2"][:4, :4]
    out["one_hot"] = nn.OneHot(depth=4)(ids)
    out["one_hot_axis0"] = nn.OneHot(axis=0, depth=4, on_value=2.0, off_value=-1.0)(ids)
    out["tril"] = nn.Tril()(square, 1)
    out["triu"] = nn.Triu()(square, -1)
    out["matmul"] = nn.MatMul()(xs["x2"], xs["x2"].T)
    out["matmul_transposed"] = nn.MatMul(True, False)(xs["x2"], xs["x2"])
    out["matmul_batched"] = nn.MatMul(False, True)(xs["x3"], xs["x3"])
    out["range_int"] = nn.Range(1, 9, 3)().astype(ms.float32)
    out["range_float"] = nn.Range(0.5, 3.0, 0.75)()
    out["range_limit_only"] = nn.Range(4)().astype(ms.float32)
    return out

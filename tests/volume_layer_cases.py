"""The 3-D layers and functions (``layers_3d``, ``ops_conv3d``, ``nn.BatchNorm3d``)
measured against MindSpore: one definition, run by MindSpore 2.10
(``data/measure_mindspore_volume_layers.py`` writes ``data/mindspore_volume_layers.json``)
and by this package (``test_mindspore_volume_layers.py``) on the same draws: each
output, and the gradients of a weighted sum of it for the input and every Parameter.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from image_layer_cases import cell_case  # the same case: values and gradients

# name: (layer class, arguments, keyword arguments, input name)
CELLS: dict[str, tuple[str, tuple, dict, str]] = {
    "conv3d_same_bias": ("Conv3d", (3, 4, 3), {"has_bias": True}, "x"),
    "conv3d_same_stride2": ("Conv3d", (3, 2, (2, 3, 2)), {"stride": 2}, "x"),
    "conv3d_valid_dilated": ("Conv3d", (3, 2, 2), {"pad_mode": "valid",
                                                   "dilation": (1, 2, 2)}, "x"),
    "conv3d_pad6_strided": ("Conv3d", (3, 2, 3), {"pad_mode": "pad",
                                                  "padding": (1, 0, 2, 1, 0, 1),
                                                  "stride": (1, 2, 3), "has_bias": True}, "x"),
    "conv3d_group2_batch1": ("Conv3d", (4, 6, 3), {"group": 2, "has_bias": True}, "x4c"),
    "conv3d_depthwise": ("Conv3d", (4, 4, (1, 3, 3)), {"group": 4, "pad_mode": "valid"},
                         "x4c"),
    "conv3d_transpose_same_bias": ("Conv3dTranspose", (3, 2, 3), {"has_bias": True}, "x"),
    "conv3d_transpose_same_s2": ("Conv3dTranspose", (3, 2, (2, 3, 3)), {"stride": 2}, "x"),
    "conv3d_transpose_valid": ("Conv3dTranspose", (3, 2, 3),
                               {"stride": (1, 2, 2), "pad_mode": "valid", "has_bias": True},
                               "x"),
    "conv3d_transpose_pad_output_padding": ("Conv3dTranspose", (3, 2, 3),
                                            {"stride": 2, "pad_mode": "pad", "padding": 1,
                                             "output_padding": 1, "has_bias": True}, "x"),
    "conv3d_transpose_pad6": ("Conv3dTranspose", (3, 2, 3),
                              {"stride": 2, "pad_mode": "pad",
                               "padding": (1, 0, 2, 1, 0, 1), "output_padding": (1, 0, 1)},
                              "x"),
    "conv3d_transpose_group2": ("Conv3dTranspose", (4, 6, 2),
                                {"stride": 2, "group": 2, "pad_mode": "valid"}, "x4c"),
    "conv3d_transpose_dilated": ("Conv3dTranspose", (3, 2, 3), {"dilation": (1, 2, 2)}, "x"),
    "max_pool3d_tiles": ("MaxPool3d", (2, 2), {}, "x"),
    "max_pool3d_same": ("MaxPool3d", (3, 2), {"pad_mode": "same"}, "x"),
    "max_pool3d_pad": ("MaxPool3d", (3, 2), {"pad_mode": "pad", "padding": (1, 0, 1)}, "x"),
    "max_pool3d_dilated": ("MaxPool3d", (2, 1), {"pad_mode": "pad", "padding": 1,
                                                 "dilation": 2}, "x"),
    "max_pool3d_unbatched": ("MaxPool3d", (2, (1, 2, 2)), {}, "x_unbatched"),
    "avg_pool3d_valid": ("AvgPool3d", (2, (1, 2, 3)), {}, "x"),
    "avg_pool3d_same": ("AvgPool3d", (3, 2), {"pad_mode": "same"}, "x"),
    "avg_pool3d_pad": ("AvgPool3d", (3, 2), {"pad_mode": "pad", "padding": 1}, "x"),
    "avg_pool3d_pad_exclude": ("AvgPool3d", (3, 2), {"pad_mode": "pad",
                                                     "padding": (1, 0, 1),
                                                     "count_include_pad": False}, "x"),
    "avg_pool3d_divisor": ("AvgPool3d", (2, 1), {"pad_mode": "pad", "padding": 1,
                                                 "divisor_override": 5}, "x"),
    "avg_pool3d_unbatched": ("AvgPool3d", ((1, 2, 2), 1), {}, "x_unbatched"),
    "adaptive_avg_pool3d": ("AdaptiveAvgPool3d", ((2, 3, 4),), {}, "x"),
    "adaptive_avg_pool3d_keep_depth": ("AdaptiveAvgPool3d", ((None, 2, 3),), {}, "x"),
    "adaptive_avg_pool3d_unbatched": ("AdaptiveAvgPool3d", (2,), {}, "x_unbatched"),
    "adaptive_max_pool3d": ("AdaptiveMaxPool3d", ((3, 2, 4),), {}, "x"),
    "adaptive_max_pool3d_int": ("AdaptiveMaxPool3d", (2,), {}, "x_unbatched"),
    "batch_norm3d_eval": ("BatchNorm3d", (3,), {}, "x"),
}


def inputs(rng: Any) -> dict[str, np.ndarray]:
    return {"x": rng.standard_normal((2, 3, 4, 5, 6)).astype(np.float32),
            "x4c": rng.standard_normal((1, 4, 3, 4, 5)).astype(np.float32),
            "x_unbatched": rng.standard_normal((3, 4, 4, 5)).astype(np.float32)}


def measure(ms: Any) -> dict[str, list]:
    """Outputs and gradients of each case, by name, computed with the library ``ms``
    (``mindspore`` or ``autodiff_compiler``)."""
    nn, tensor = ms.nn, ms.Tensor
    rng = np.random.default_rng(0)
    xs = {k: tensor(v) for k, v in inputs(rng).items()}
    out: dict[str, Any] = {}
    for name, (kind, args, kwargs, x_name) in CELLS.items():
        cell_case(ms, out, name, getattr(nn, kind)(*args, **kwargs), xs[x_name], rng)
    out.update(functional(ms, xs, rng))
    out.update(batch_norm_training(ms, xs["x"]))
    return {k: np.asarray(v.asnumpy(), np.float64).tolist() for k, v in out.items()}


def functional(ms: Any, xs: dict, rng: Any) -> dict[str, Any]:
    """The ``ops`` functions: value and gradient (for the input) of a weighted sum."""
    ops, tensor, out = ms.ops, ms.Tensor, {}
    w = tensor(rng.standard_normal((2, 3, 2, 3, 2)).astype(np.float32))
    w_grouped = tensor(rng.standard_normal((6, 2, 2, 2, 3)).astype(np.float32))
    bias = tensor(rng.standard_normal(2).astype(np.float32))
    cases = {
        "conv3d_valid_bias": (lambda x: ops.conv3d(x, w, bias), "x"),
        "conv3d_pad_strided_dilated": (lambda x: ops.conv3d(x, w, None, (2, 1, 2), "pad",
                                                            (1, 2, 0), (1, 2, 1)), "x"),
        "conv3d_same_stride2": (lambda x: ops.conv3d(x, w, stride=2, pad_mode="same"), "x"),
        "conv3d_groups": (lambda x: ops.conv3d(x, w_grouped, groups=2), "x4c"),
        "max_pool3d_pad": (lambda x: ops.max_pool3d(x, 3, 2, 1), "x"),
        "max_pool3d_default_stride": (lambda x: ops.max_pool3d(x, (2, 2, 3)), "x"),
        "max_pool3d_dilated": (lambda x: ops.max_pool3d(x, 2, 1, (1, 0, 1), 2), "x"),
        "avg_pool3d_pad": (lambda x: ops.avg_pool3d(x, 3, 2, 1), "x"),
        "avg_pool3d_pad6": (lambda x: ops.avg_pool3d(x, 3, 2, (1, 0, 1, 1, 0, 1)), "x"),
        "avg_pool3d_exclude": (lambda x: ops.avg_pool3d(x, 3, 2, 1, count_include_pad=False),
                               "x"),
        "avg_pool3d_divisor": (lambda x: ops.avg_pool3d(x, 2, 1, 1, divisor_override=3), "x"),
        "adaptive_avg_pool3d": (lambda x: ops.adaptive_avg_pool3d(x, 3), "x"),
        "adaptive_avg_pool3d_none": (lambda x: ops.adaptive_avg_pool3d(x, (None, 2, 3)), "x"),
        "adaptive_max_pool3d": (lambda x: ops.adaptive_max_pool3d(x, (2, 3, 4)), "x"),
        "adaptive_max_pool3d_unbatched": (lambda x: ops.adaptive_max_pool3d(x, (3, 2, 2)),
                                          "x_unbatched"),
    }
    for name, (fn, x) in cases.items():
        y = fn(xs[x])
        weights = tensor(np.linspace(-1.0, 2.0, y.size).reshape(y.shape).astype(np.float32))
        out[f"{name}.y"] = y
        out[f"{name}.grad"] = ms.grad(lambda x, fn=fn, w=weights: (fn(x) * w).sum())(xs[x])
    return out


def batch_norm_training(ms: Any, x: Any) -> dict[str, Any]:
    """``BatchNorm3d`` in training: the output, and its moving statistics after two
    steps (momentum 0.7)."""
    bn = ms.nn.BatchNorm3d(3, momentum=0.7)
    bn.set_train()
    bn(x)
    y = bn(x * 2.0 + 1.0)
    return {"batch_norm3d_training.y": y,
            "batch_norm3d_training.moving_mean": bn.bn2d.moving_mean,
            "batch_norm3d_training.moving_variance": bn.bn2d.moving_variance}

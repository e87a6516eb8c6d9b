"""Scatters (``ops_scatter``) and resizing (``ops_resize``, ``nn.Upsample``) measured
against MindSpore: part of ``layer_cases.measure``, run by MindSpore
(``data/measure_mindspore_layers.py``) and by this package on the same draws (their own
generator, so the other cases' draws stay as they were).

Every value, and the gradient of a weighted sum of it for each differentiable input.
Indices repeat only where MindSpore defines the result (sums: ``scatter_nd``,
``tensor_scatter_add``, ``tensor_scatter_elements(..., "add")``); ``max`` is also
measured at a tie of ``input_x`` and an update, which both share."""
from __future__ import annotations

from typing import Any

import numpy as np

TENSOR_SCATTERS = ("update", "add", "sub", "max", "min", "mul", "div")


def scatter_and_resize(ms: Any) -> dict[str, Any]:
    out = scatters(ms, np.random.default_rng(7))
    out.update(resizes(ms, np.random.default_rng(8)))
    return out


def _weighted(ms: Any, fn: Any) -> Any:
    """``fn``'s output summed with fixed weights: a loss whose gradient is a VJP."""
    def loss(*args):
        y = fn(*args)
        w = ms.Tensor(np.linspace(-1.0, 2.0, y.size).reshape(y.shape).astype(np.float32))
        return (y * w).sum()
    return loss


def _case(ms: Any, out: dict, name: str, fn: Any, *args: Any) -> None:
    """``fn(*args)`` and the gradient of its weighted sum for every argument."""
    out[f"{name}.value"] = fn(*args)
    grads = ms.grad(_weighted(ms, fn), tuple(range(len(args))))(*args)
    for i, g in enumerate(grads if isinstance(grads, tuple) else (grads,)):
        out[f"{name}.grad{i}"] = g


def scatters(ms: Any, rng: Any) -> dict[str, Any]:
    ops, tensor, out = ms.ops, ms.Tensor, {}
    x = tensor(rng.standard_normal((4, 5)).astype(np.float32))
    x3 = tensor(rng.standard_normal((3, 2, 4)).astype(np.float32))
    points = tensor(np.array([[0, 1], [2, 4], [3, 0]], np.int32))
    values = tensor((rng.standard_normal(3) + 1.5).astype(np.float32))
    rows = tensor(np.array([[2], [0]], np.int64))
    row_values = tensor(rng.standard_normal((2, 2, 4)).astype(np.float32))
    for kind in TENSOR_SCATTERS:
        scatter = getattr(ops, f"tensor_scatter_{kind}")
        _case(ms, out, f"tensor_scatter_{kind}", lambda a, b, f=scatter: f(a, points, b),
              x, values)
        _case(ms, out, f"tensor_scatter_{kind}_rows", lambda a, b, f=scatter: f(a, rows, b),
              x3, row_values)
    tie = tensor(np.array([x.asnumpy()[0, 1], 9.0, -9.0], np.float32))
    _case(ms, out, "tensor_scatter_max_tie",
          lambda a, b: ops.tensor_scatter_max(a, points, b), x, tie)
    repeated = tensor(np.array([[1, 1], [3, 2], [1, 1], [0, 4]], np.int32))
    four = tensor(rng.standard_normal(4).astype(np.float32))
    _case(ms, out, "tensor_scatter_add_repeated",
          lambda a, b: ops.tensor_scatter_add(a, repeated, b), x, four)
    _case(ms, out, "scatter_nd_repeated", lambda b: ops.scatter_nd(repeated, b, (4, 5)), four)
    _case(ms, out, "scatter_nd_rows", lambda b: ops.scatter_nd(rows, b, (3, 2, 4)),
          row_values)
    along = tensor(np.array([[1, 4], [3, -1], [0, 2]], np.int32))
    src = tensor(rng.standard_normal((3, 2)).astype(np.float32))
    _case(ms, out, "scatter_axis1", lambda a, b: ops.scatter(a, 1, along, b), x, src)
    _case(ms, out, "scatter_axis0", lambda a, b: ops.scatter(
        a, 0, tensor(np.array([[3, 0, 1, 2, 2]], np.int64)), b), x, src.reshape((1, 6))[:, :5])
    _case(ms, out, "scatter_number", lambda a: ops.scatter(a, -1, along, 0.5), x)
    _case(ms, out, "scatter_method", lambda a, b: a.scatter(1, along, b), x, src)
    _case(ms, out, "scatter_method_axis", lambda a, b: a.scatter(axis=1, index=along, src=b),
          x, src)
    twice = tensor(np.array([[1, 1], [3, 3], [0, 2]], np.int32))
    _case(ms, out, "tensor_scatter_elements_add", lambda a, b: ops.tensor_scatter_elements(
        a, twice, b, 1, "add"), x, src)
    _case(ms, out, "scatter_add_method_indices", lambda a, b: a.scatter_add(repeated, b),
          x, four)
    weights = ms.Parameter(tensor(np.zeros((4, 3), np.float32)), name="scatter_add_p")
    ops.scatter_add(weights, tensor(np.array([[0, 2], [2, 2]], np.int32)),
                    tensor(rng.standard_normal((2, 2, 3)).astype(np.float32)))
    out["scatter_add_in_place"] = weights.value() if hasattr(weights, "value") else weights
    return out


RESIZES = [  # name, input shape, interpolate's arguments
    ("nearest_3d_up", (2, 2, 5), dict(size=8)),
    ("nearest_3d_down", (2, 2, 7), dict(size=(3,))),
    ("nearest_4d", (1, 2, 3, 5), dict(size=(7, 2))),
    ("nearest_4d_scale", (1, 2, 3, 5), dict(scale_factor=1.7, recompute_scale_factor=True)),
    ("nearest_5d_scale", (1, 1, 3, 2, 4), dict(scale_factor=(1.5, 2.0, 0.7))),
    ("nearest_exact_4d", (1, 2, 5, 3), dict(size=(3, 7), mode="nearest-exact")),
    ("linear_up", (2, 2, 5), dict(size=9, mode="linear")),
    ("linear_down", (2, 2, 7), dict(size=3, mode="linear")),
    ("linear_to_1", (2, 2, 4), dict(size=1, mode="linear")),
    ("linear_align_corners", (2, 2, 5), dict(size=7, mode="linear", align_corners=True)),
    ("bilinear", (2, 2, 3, 5), dict(size=(6, 4), mode="bilinear")),
    ("bilinear_align_corners", (2, 2, 3, 5), dict(size=(6, 4), mode="bilinear",
                                                   align_corners=True)),
    ("bilinear_down_to_1", (1, 2, 4, 6), dict(size=(1, 4), mode="bilinear")),
    ("bilinear_scale", (1, 2, 3, 4), dict(scale_factor=(2.5, 1.5), mode="bilinear",
                                          recompute_scale_factor=True)),
    ("trilinear", (1, 2, 2, 3, 4), dict(size=(3, 5, 2), mode="trilinear")),
    ("trilinear_scale_corners", (1, 1, 3, 2, 4), dict(
        scale_factor=(1.5, 2.0, 0.6), mode="trilinear", align_corners=True)),
    ("trilinear_scale", (1, 1, 3, 2, 4), dict(scale_factor=(1.5, 2.0, 0.6),
                                              mode="trilinear")),
    ("area_3d", (2, 2, 6), dict(size=3, mode="area")),
    ("area_4d", (1, 2, 5, 7), dict(size=(2, 3), mode="area")),
    ("area_5d_scale", (1, 1, 4, 5, 3), dict(scale_factor=0.6, mode="area")),
]


def resizes(ms: Any, rng: Any) -> dict[str, Any]:
    ops, out = ms.ops, {}
    for name, shape, kwargs in RESIZES:
        x = ms.Tensor(rng.standard_normal(shape).astype(np.float32))
        _case(ms, out, f"interpolate.{name}", lambda a, kw=kwargs: ops.interpolate(a, **kw), x)
    x = ms.Tensor(rng.standard_normal((1, 2, 3, 4)).astype(np.float32))
    for name, cell in (("nearest", ms.nn.Upsample(size=(5, 5))),
                       ("bilinear", ms.nn.Upsample(scale_factor=2.0, mode="bilinear",
                                                   recompute_scale_factor=True))):
        _case(ms, out, f"upsample.{name}", cell, x)
    return out

"""MindSpore's operator classes (``ops.CumSum(exclusive=True)(x, 1)``) measured against
MindSpore: part of ``layer_cases.measure``, run by MindSpore
(``data/measure_mindspore_layers.py``) and by this package on the same draws (a
generator of their own, so the other cases' draws stay as they were).

Every output, and for float inputs the gradient of a weighted sum of the first output
for the first input, computed in a differentiated function (the operator's call
compiled from its source)."""
from __future__ import annotations

from typing import Any

import numpy as np


def _cases(ms: Any, rng: Any) -> list[tuple[str, Any, tuple]]:
    ops, t = ms.ops, ms.Tensor
    m = rng.standard_normal((3, 4)).astype(np.float32)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    b = rng.standard_normal((3,)).astype(np.float32)
    index = np.array([[0, 1], [2, 3]], np.int32)
    return [
        ("argmin", ops.Argmin(axis=1), (t(m),)),
        ("argmax_with_value", ops.ArgMaxWithValue(axis=1, keep_dims=True), (t(m),)),
        ("argmin_with_value", ops.ArgMinWithValue(axis=0), (t(m),)),
        ("cumsum_exclusive_reverse", ops.CumSum(exclusive=True, reverse=True), (t(m), 1)),
        ("cumsum", ops.CumSum(), (t(m), 0)),
        ("topk", ops.TopK(sorted=True), (t(m), 2)),
        ("sort_descending", ops.Sort(axis=0, descending=True), (t(m),)),
        ("l2_normalize", ops.L2Normalize(axis=1, epsilon=1e-4), (t(m),)),
        ("bias_add_nchw", ops.BiasAdd(), (t(x.reshape(2, 3, 2, 2)), t(b))),
        ("bias_add_2d", ops.BiasAdd(), (t(m.T.copy()), t(b))),
        ("broadcast_to", ops.BroadcastTo((2, 3, 4)), (t(m[:1]),)),
        ("pad", ops.Pad(((1, 2), (0, 1))), (t(m),)),
        ("flatten", ops.Flatten(), (t(x),)),
        ("layer_norm", ops.LayerNorm(begin_norm_axis=1, begin_params_axis=1),
         (t(x), t(np.full((3, 4), 1.5, np.float32)), t(np.full((3, 4), 0.25, np.float32)))),
        ("layer_norm_last", ops.LayerNorm(begin_norm_axis=-1, begin_params_axis=-1),
         (t(x), t(np.ones(4, np.float32)), t(np.zeros(4, np.float32)))),
        ("round", ops.Round(), (t(m * 3),)),
        ("squared_difference", ops.SquaredDifference(), (t(m), t(m[::-1].copy()))),
        ("trace", ops.Trace(), (t(m),)),
        ("softsign", ops.Softsign(), (t(m),)),
        ("relu6", ops.ReLU6(), (t(m * 5),)),
        ("hswish", ops.HSwish(), (t(m * 3),)),
        ("hsigmoid", ops.HSigmoid(), (t(m * 3),)),
        ("selu", ops.SeLU(), (t(m),)),
        ("mish", ops.Mish(), (t(m),)),
        ("gather_d", ops.GatherD(), (t(m), 1, t(np.array([[0, 3], [1, 1], [2, 0]], np.int32)))),
        ("tensor_scatter_update", ops.TensorScatterUpdate(),
         (t(m), t(index), t(np.array([1.5, -2.0], np.float32)))),
        ("tensor_scatter_add", ops.TensorScatterAdd(),
         (t(m), t(index), t(np.array([1.5, -2.0], np.float32)))),
        ("scatter_nd", ops.ScatterNd(), (t(index), t(np.array([1.5, -2.0], np.float32)), (3, 4))),
        ("logical_and", ops.LogicalAnd(), (t(m > 0), t(m < 0.5))),
        ("logical_not", ops.LogicalNot(), (t(m > 0),)),
    ]


# MindSpore 2.7's CPU SeLU derivative is negative below 0 (it should be
# scale * alpha * exp(x)); test_mindspore_ops_extra checks ours against finite differences.
GRADIENT_NOT_MEASURED = {"selu"}


def operator_classes(ms: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, op, args in _cases(ms, np.random.default_rng(11)):
        result = op(*args)
        results = result if isinstance(result, tuple | list) else (result,)
        for i, r in enumerate(results):
            out[f"op.{name}.out{i}"] = r.astype(ms.float32) if r.dtype != ms.float32 else r
        first = args[0]
        if first.dtype == ms.float32 and results[0].dtype == ms.float32 \
                and name not in GRADIENT_NOT_MEASURED:
            weights = ms.Tensor(np.linspace(-1.0, 2.0, results[0].size)
                                .reshape(results[0].shape).astype(np.float32))

            def loss(a, op=op, rest=args[1:], weights=weights):
                y = op(a, *rest)
                return ((y[0] if isinstance(y, tuple | list) else y) * weights).sum()

            out[f"op.{name}.grad"] = ms.grad(loss)(first)
    return out

"""``ops.lstsq``, ``ops.rrelu`` (at a fixed slope), ``ops.multinomial`` and
``ops.random_categorical`` (on rows that allow one class only, so the draws are
certain) and ``nn.SyncBatchNorm``, measured against MindSpore: one definition, run by
MindSpore 2.10 (``data/measure_mindspore_small_gaps.py`` writes
``data/mindspore_small_gaps.json``) and by this package (``test_mindspore_small_gaps.py``).
MindSpore's ``Lstsq`` has no gradient, so only its values are measured."""
from __future__ import annotations

from typing import Any

import numpy as np


def measure(ms: Any) -> dict[str, list]:
    ops, nn, tensor = ms.ops, ms.nn, ms.Tensor
    rng = np.random.default_rng(0)
    out: dict[str, Any] = {}
    tall = tensor(rng.standard_normal((4, 3)).astype(np.float32))
    out["lstsq_tall"] = ops.lstsq(tall, tensor(rng.standard_normal((4, 2)).astype(np.float32)))
    out["lstsq_wide_vector"] = ops.lstsq(tensor(rng.standard_normal((2, 3)).astype(np.float32)),
                                         tensor(rng.standard_normal(2).astype(np.float32)))
    out["lstsq_float64"] = ops.lstsq(tensor(rng.standard_normal((5, 2))),
                                     tensor(rng.standard_normal((5, 3))))
    x = tensor(rng.standard_normal((3, 4)).astype(np.float32))
    out["rrelu_fixed.y"] = ops.rrelu(x, 0.2, 0.2)
    out["rrelu_fixed.grad"] = ms.grad(lambda x: (ops.rrelu(x, 0.3, 0.3) * x).sum())(x)
    certain = tensor(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]], np.float32))
    out["multinomial_certain"] = ops.multinomial(certain, 4).astype(ms.float32)
    out["multinomial_certain_1d"] = ops.multinomial(certain[1], 3).astype(ms.float32)
    logits = tensor(np.array([[0.0, 60.0, 0.0], [60.0, 0.0, 0.0]], np.float32))
    out["random_categorical_certain"] = ops.random_categorical(logits, 5).astype(ms.float32)
    for name, shape in (("sync_batch_norm_2d", (4, 3)), ("sync_batch_norm_4d", (2, 3, 2, 3))):
        bn = nn.SyncBatchNorm(3, momentum=0.8)
        bn.gamma.set_data(tensor(np.array([1.0, 2.0, 0.5], np.float32)))
        bn.set_train()
        x = tensor(rng.standard_normal(shape).astype(np.float32))
        out[f"{name}.train"] = bn(x)
        out[f"{name}.moving_mean"] = bn.moving_mean
        out[f"{name}.moving_variance"] = bn.moving_variance
        out[f"{name}.grad"] = ms.grad(lambda x, bn=bn: (bn(x) * bn(x)).sum())(x * 1.5)
        bn.set_train(False)
        out[f"{name}.eval"] = bn(x)
    return {k: np.asarray(v.asnumpy(), np.float64).tolist() for k, v in out.items()}

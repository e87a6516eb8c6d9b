"""Calls of ``nn.probability.distribution``'s ``Normal``, ``Categorical`` and
``Bernoulli``, written to run on MindSpore or on this package (``measure(ms)``): each
method's values, shapes and dtypes, parameters given when made or at the call
(broadcast), a Cell called with a method's name, the refusals, samples' shapes and
dtypes, and a gradient through them. ``data/measure_mindspore_distribution.py``
records MindSpore's."""
from __future__ import annotations

from typing import Any

import numpy as np


def _t(ms: Any, value: Any, dtype: Any = np.float32) -> Any:
    return ms.Tensor(np.array(value, dtype))


def _calls(ms: Any) -> dict[str, Any]:
    msd = ms.nn.probability.distribution
    i, t = np.int32, lambda v, d=np.float32: _t(ms, v, d)
    n = msd.Normal(t([0.0, 1.0]), t([1.0, 2.0]), dtype=ms.float32)
    n0 = msd.Normal(dtype=ms.float32)
    c = msd.Categorical(t([0.2, 0.5, 0.3]), dtype=ms.int32)
    cb = msd.Categorical(t([[0.1, 0.6, 0.3], [0.7, 0.2, 0.1]]), dtype=ms.int32)
    c0 = msd.Categorical(dtype=ms.int32)
    b, b0 = msd.Bernoulli(0.3, dtype=ms.int32), msd.Bernoulli(dtype=ms.int32)
    x, probs = t([0.5, -1.0]), t([[0.25, 0.25, 0.5], [0.1, 0.8, 0.1]])
    return {
        "normal_log_prob": lambda: n.log_prob(x),
        "normal_prob": lambda: n.prob(x),
        "normal_cdf": lambda: n.cdf(x),
        "normal_log_cdf": lambda: n.log_cdf(x),
        "normal_survival": lambda: n.survival_function(x),
        "normal_log_survival": lambda: n.log_survival(x),
        "normal_mean_var_sd_mode": lambda: (n.mean(), n.var(), n.sd(), n.mode()),
        "normal_entropy": lambda: n.entropy(),
        "normal_kl": lambda: n.kl_loss("Normal", t([0.5, 0.5]), t([1.5, 1.0])),
        "normal_cross_entropy": lambda: n.cross_entropy("Normal", t([0.5, 0.5]), t([1.5, 1.0])),
        "normal_args_override": lambda: n.log_prob(x, t([1.0]), t([[0.5], [2.0]])),
        "normal_args_broadcast_mean": lambda: n0.mean(t([1.0, 2.0]), t([[1.0], [3.0]])),
        "normal_entropy_args": lambda: n0.entropy(t([[0.0], [1.0]]), t([0.5, 2.0])),
        "normal_kl_args": lambda: n0.kl_loss("Normal", t(0.0), t(1.0), t([1.0, 2.0]),
                                             t([0.5, 3.0])),
        "normal_by_name": lambda: n("log_prob", x),
        "cat_log_prob": lambda: c.log_prob(t([0, 2, 1], i)),
        "cat_log_prob_scalar": lambda: c.log_prob(t(1, i)),
        "cat_log_prob_edges": lambda: c.log_prob(t([-0.5, 2.7, 3.0, -1.0])),
        "cat_prob": lambda: c.prob(t([1], i)),
        "cat_cdf": lambda: c.cdf(t([-1, 0, 1, 2, 5], i)),
        "cat_mean_var_mode": lambda: (c.mean(), c.var(), c.mode()),
        "cat_entropy": lambda: c.entropy(),
        "cat_kl": lambda: c.kl_loss("Categorical", t([0.3, 0.3, 0.4])),
        "cat_cross_entropy": lambda: c.cross_entropy("Categorical", t([0.3, 0.3, 0.4])),
        "catb_log_prob": lambda: cb.log_prob(t([1, 0], i)),
        "catb_log_prob_broadcast": lambda: cb.log_prob(t([[0], [2], [1]], i)),
        "catb_entropy_mean_var_mode": lambda: (cb.entropy(), cb.mean(), cb.var(), cb.mode()),
        "catb_cdf": lambda: cb.cdf(t([1, 0], i)),
        "cat_args": lambda: c0.log_prob(t([2, 1], i), probs),
        "cat_args_entropy_kl": lambda: (c0.entropy(probs),
                                        c0.kl_loss("Categorical", probs[::-1], probs)),
        "bern_log_prob": lambda: b.log_prob(t([0, 1], i)),
        "bern_prob": lambda: b.prob(t([0, 1, 1], i)),
        "bern_cdf": lambda: b.cdf(t([-1, 0, 0.5, 1, 2])),
        "bern_stats": lambda: (b.mean(), b.var(), b.sd(), b.entropy()),
        "bern_kl_ce": lambda: (b.kl_loss("Bernoulli", t(0.6)),
                               b.cross_entropy("Bernoulli", t(0.6))),
        "bern_args": lambda: (b0.log_prob(t([1, 0], i), t([0.9, 0.2])), b0.entropy(t([0.9, 0.2]))),
        "bern_log_prob_clamped": lambda: b0.log_prob(t([1, 0], i), t([1.0, 1.0])),
        "sample_shapes": lambda: tuple(np.array(s.shape, np.int32) for s in (
            n.sample(), n.sample((3,)), c.sample(), c.sample((4, 2)), cb.sample((5,)),
            b.sample((2, 3)))),
        "sample_dtypes": lambda: (c.sample((3,)), b.sample((2,))),
        "errors_none": lambda: n0.log_prob(x),
        "errors_probs": lambda: msd.Categorical(t([0.5, 0.6])),
        "errors_bern": lambda: msd.Bernoulli(1.0),
        "errors_sd": lambda: msd.Normal(0.0, -1.0),
        "grads": lambda: ms.grad(_loss(ms), grad_position=(0, 1, 2, 3))(
            t([0.1, 0.5]), t([0.8, 1.3]), t([[0.2, 0.3, 0.5], [0.6, 0.1, 0.3]]), t([0.35, 0.7])),
    }


def _loss(ms: Any) -> Any:
    msd, i = ms.nn.probability.distribution, np.int32

    def loss(mean, sd, probs, probs1):
        normal = msd.Normal(dtype=ms.float32)
        categorical = msd.Categorical(dtype=ms.int32)
        bernoulli = msd.Bernoulli(dtype=ms.int32)
        return (normal.log_prob(_t(ms, [0.3, -0.4]), mean, sd).sum()
                + normal.entropy(mean, sd).sum()
                + normal.kl_loss("Normal", _t(ms, 0.2), _t(ms, 1.5), mean, sd).sum()
                + categorical.log_prob(_t(ms, [2, 0], i), probs).sum()
                + 0.5 * categorical.entropy(probs).sum()
                + categorical.kl_loss("Categorical", _t(ms, [0.2, 0.3, 0.5]), probs).sum()
                + bernoulli.log_prob(_t(ms, [1, 0], i), probs1).sum()
                + bernoulli.entropy(probs1).sum())
    return loss


def _record(value: Any) -> list[dict[str, Any]]:
    values = value if isinstance(value, tuple) else (value,)
    arrays = [np.asarray(v.asnumpy() if hasattr(v, "asnumpy") else v) for v in values]
    return [{"v": a.tolist(), "dtype": str(a.dtype), "shape": list(a.shape)} for a in arrays]


def measure(ms: Any) -> dict[str, Any]:
    """Each call's arrays (value, dtype, shape), or its exception's type and message."""
    results = {}
    for name, call in _calls(ms).items():
        try:
            results[name] = _record(call())
        except (TypeError, ValueError) as error:
            results[name] = {"error": type(error).__name__, "message": str(error).splitlines()[0]}
    return results

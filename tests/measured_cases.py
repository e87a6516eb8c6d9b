"""The measurement loop the tables of ``ops_math_cases``, ``mindspore_numpy_cases`` and
``tensor_method_cases`` share: run by MindSpore (``data/measure_mindspore_*.py``) and
by this package on the same draws, so it needs nothing but NumPy and the library
given.

Each case is ``(name, fn, argument names, differentiated positions)``. Recorded:
every output's values and dtype (and, with ``record_type``, its Python type), and
for the differentiated positions the gradient of a weighted sum of the float outputs
(weights ``linspace(-1, 2)`` in float32, or in each output's own dtype with
``weights_like_outputs``)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np


def values(t: Any) -> list:
    return np.asarray(t.asnumpy() if hasattr(t, "asnumpy") else t, np.float64).tolist()


def weighted_sum(fn: Any, floats: list, weights: list) -> Any:
    """The loss differentiated: the float outputs of ``fn`` weighted and summed."""
    def loss(*a):
        y = fn(*a)
        ys = tuple(y) if isinstance(y, tuple | list) else (y,)
        return sum([(ys[i] * w).sum() for i, w in zip(floats, weights)])
    return loss


def measure_cases(ms: Any, cases: list, draws: dict[str, np.ndarray], *,
                  record_type: bool = False,
                  weights_like_outputs: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, fn, names, positions in cases:
        args = tuple(ms.Tensor(draws[a]) for a in names)
        result = fn(*args)
        results = tuple(result) if isinstance(result, tuple | list) else (result,)
        for i, r in enumerate(results):
            out[f"{name}.out{i}"] = values(r)
            out[f"{name}.dtype{i}"] = str(r.dtype).lower()
            if record_type:
                out[f"{name}.type{i}"] = type(r).__name__
        floats = [i for i, r in enumerate(results) if str(r.dtype).lower().startswith("float")]
        if not positions:
            continue
        weights = [ms.Tensor(np.linspace(-1.0, 2.0, results[i].size).reshape(results[i].shape)
                             .astype(results[i].asnumpy().dtype if weights_like_outputs
                                     else np.float32)) for i in floats]
        loss = weighted_sum(fn, floats, weights)
        grads = ms.grad(loss, positions)(*args) if len(positions) > 1 \
            else (ms.grad(loss, positions[0])(*args),)
        for p, g in zip(positions, grads):
            out[f"{name}.grad{p}"] = values(g)
    return out


# ---------------------------------------------------------------- comparing with MindSpore


def load_measured(name: str) -> dict[str, Any]:
    """``data/mindspore_<name>.json``: what MindSpore gave, by case and output."""
    return json.loads((Path(__file__).parent / "data" / f"mindspore_{name}.json").read_text())


def compared(measured: dict[str, Any], not_compared: frozenset | set = frozenset()) -> list:
    """The measured entries a test compares, in order: all but the version and those
    left out (each file says why)."""
    return sorted(k for k in measured if k != "mindspore" and k not in not_compared)


def assert_measured(ours: dict[str, Any], measured: dict[str, Any], name: str, rtol: float,
                    atol: float) -> None:
    """A dtype equal to MindSpore's; values and gradients close to its."""
    if name.split(".")[1].startswith("dtype"):
        assert ours[name] == measured[name]
    else:
        np.testing.assert_allclose(ours[name], measured[name], rtol=rtol, atol=atol)

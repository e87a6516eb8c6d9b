"""Primitive classes of older MindSpore code (``ops.AvgPool``, ``ops.NLLLoss``,
``ops.CumProd``...), ``ops.slice``/``ops.strided_slice`` and ``nn.Conv1d`` given a 3-D
weight: values and gradients as MindSpore 2.10.0 (CPU) gave them for the same
expressions, rounded to 5 decimals."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, ops

X = Tensor(np.random.RandomState(1).rand(1, 2, 5, 5).astype(np.float32))
M = Tensor(np.array([[0.2, 0.7, 1.5], [0.4, 0.9, 2.0]], np.float32))
LOG_P = Tensor(np.log(np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], np.float32)))
LABELS = Tensor(np.array([1, 2], np.int32))
WEIGHT = Tensor(np.array([1.0, 2.0, 3.0], np.float32))

CASES = [
    (lambda: ops.AvgPool(2, 2)(X), [[[[0.35399, 0.26119], [0.54805, 0.44541]],
                                     [[0.37478, 0.42498], [0.68476, 0.48066]]]]),
    (lambda: ops.AvgPool(3, 2, "same")(X),
     [[[[0.35399, 0.32523, 0.34617], [0.4118, 0.42364, 0.36326], [0.71419, 0.51507, 0.4768]],
       [[0.37478, 0.36768, 0.56825], [0.54308, 0.5855, 0.481], [0.77338, 0.55131, 0.32758]]]]),
    (lambda: ops.CumProd()(M, 1), [[0.2, 0.14, 0.21], [0.4, 0.36, 0.72]]),
    (lambda: ops.CumProd(True)(M, 1), [[1.0, 0.2, 0.14], [1.0, 0.4, 0.36]]),
    (lambda: ops.CumProd(False, True)(M, 1), [[0.21, 1.05, 1.5], [0.72, 1.8, 2.0]]),
    (lambda: ops.CumProd(True, True)(M, 0), [[0.4, 0.9, 2.0], [1.0, 1.0, 1.0]]),
    (lambda: ops.NLLLoss()(LOG_P, LABELS, WEIGHT), (0.41115, 5.0)),
    (lambda: ops.NLLLoss("none")(LOG_P, LABELS, WEIGHT), ([1.38629, 0.66943], 5.0)),
    (lambda: ops.NLLLoss("sum")(LOG_P, LABELS, WEIGHT), (2.05573, 5.0)),
    (lambda: ops.KLDivLoss("sum")(M, M * 0.5), -5.36967),
    (lambda: ops.SmoothL1Loss(0.5, "mean")(M, M * 2), 0.71667),
    (lambda: ops.BinaryCrossEntropy("none")(M / 3, Tensor(np.array([[0, 1, 1], [1, 0, 0]],
                                                                   np.float32))),
     [[0.06899, 1.45529, 0.69315], [2.0149, 0.35667, 1.09861]]),
    (lambda: ops.softmax(M, dtype=ms.float64), [[0.15828, 0.26096, 0.58077],
                                                [0.13155, 0.21689, 0.65156]]),
    (lambda: ops.strided_slice(M, (0, 0), (2, 3), (1, 2)), [[0.2, 1.5], [0.4, 2.0]]),
    (lambda: ops.slice(M, (1, 0), (1, -1)), [[0.4, 0.9, 2.0]]),
    (lambda: ms.grad(lambda a: ops.NLLLoss()(a, LABELS, WEIGHT)[0])(LOG_P),
     [[0.0, -0.4, 0.0], [0.0, 0.0, -0.6]]),
    (lambda: ms.grad(lambda a: (ops.CumProd(True)(a, 1) * a).sum())(M),
     [[2.75, 0.5, 0.14], [3.7, 1.2, 0.36]]),
]


@pytest.mark.parametrize("make, expected", CASES, ids=range(len(CASES)))
def test_values_are_mindspores(make, expected):
    got = make()
    got, expected = (got, expected) if isinstance(expected, tuple) else ((got,), (expected,))
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        assert type(g) is Tensor
        np.testing.assert_allclose(np.asarray(g, np.float64), e, atol=6e-6)


def test_dtype_arguments_cast_first():
    assert ops.softmax(M, dtype=ms.float64).dtype == np.float64
    assert ops.cumsum(M, 0, dtype=ms.float64).dtype == np.float64


def test_conv1d_takes_a_three_dimensional_weight_as_mindspore_does():
    """MindSpore stores Conv1d's weight as (out, in, 1, k) and takes (out, in, k)."""
    weight = Tensor(np.arange(36, dtype=np.float32).reshape(4, 3, 3))
    conv = ms.nn.Conv1d(3, 4, 3, weight_init=weight, pad_mode="valid")
    assert conv.weight.shape == (4, 3, 1, 3)
    out = conv(Tensor(np.arange(18, dtype=np.float32).reshape(1, 3, 6)))
    np.testing.assert_array_equal(out.asnumpy(), [[[366, 402, 438, 474],
                                                   [933, 1050, 1167, 1284],
                                                   [1500, 1698, 1896, 2094],
                                                   [2067, 2346, 2625, 2904]]])

"""Primitive classes of older MindSpore code (``ops.AvgPool``, ``ops.NLLLoss``,
``ops.CumProd``...), the ones built-in Cells hold for their subclasses
(``nn.LayerNorm.layer_norm``...), ``ops.slice``/``ops.strided_slice`` and ``nn.Conv1d``
given a 3-D weight: values and gradients as MindSpore 2.10.0 (CPU) gave them for the
same expressions, rounded to 5 decimals, and gradients of subclasses calling the held
primitives against central differences in float64."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops
from autodiff_compiler.mindspore import operations as P

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


XS = Tensor(np.arange(8, dtype=np.float32).reshape(2, 4) / 3)
XI = Tensor(np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4))
TABLE = Tensor(np.arange(10, dtype=np.float32).reshape(5, 2))
LN = nn.LayerNorm((4,), epsilon=1e-5)
DENSE = nn.Dense(4, 3, weight_init="ones", bias_init="ones")
CONV = nn.Conv2d(2, 3, 3, has_bias=True, weight_init="ones", bias_init="ones", pad_mode="pad",
                 padding=1)
# what the primitives MindSpore's built-in Cells hold return, called as subclasses call them
CASES += [
    (lambda: LN.layer_norm(XS, LN.gamma, LN.beta),
     ([[-1.34159, -0.4472, 0.4472, 1.34159]] * 2, [[0.5], [1.83333]], [[0.13889]] * 2)),
    (lambda: DENSE.bias_add(DENSE.matmul(XS, DENSE.weight), DENSE.bias),
     [[3.0] * 3, [8.33333] * 3]),
    (lambda: CONV.bias_add(CONV.conv2d(XI, CONV.weight), CONV.bias)[0, 1, 1],
     [151.0, 235.0, 253.0, 175.0]),
    (lambda: nn.Softmax().softmax(XS), [[0.14161, 0.19763, 0.27582, 0.38494]] * 2),
    (lambda: nn.MaxPool2d(2, 2).max_pool(XI), [[[[5.0, 7.0], [13.0, 15.0]],
                                                [[21.0, 23.0], [29.0, 31.0]]]]),
    (lambda: nn.Embedding(5, 2).gather(Tensor(np.arange(10, dtype=np.float32).reshape(5, 2)),
                                       Tensor(np.array([[1, 3]], np.int32)), 0),
     [[[2, 3], [6, 7]]]),
    (lambda: nn.Dropout(p=0.0).dropout(XS), (XS.asnumpy(), np.ones((2, 4)))),
    # the CPU lookup: rows ids - offset, zeros outside the table
    (lambda: ops.EmbeddingLookup()(TABLE, Tensor(np.array([[1, 3], [6, 0]], np.int32)), 1),
     [[[0, 1], [4, 5]], [[0, 0], [0, 0]]]),
    (lambda: nn.EmbeddingLookup(5, 2, param_init=TABLE)(Tensor(np.array([[1, 3], [4, 0]],
                                                                        np.int32))),
     [[[2, 3], [6, 7]], [[8, 9], [0, 1]]]),
]


def test_embedding_lookup_gradient_accumulates_repeated_ids():
    """The table's gradient: each id's upstream rows summed into its row, none for an id
    outside the table (against central differences in float64)."""
    emb = nn.EmbeddingLookup(4, 3, param_init=Tensor(np.random.default_rng(5).normal(size=(4, 3))),
                             dtype=ms.float64)
    ids = Tensor(np.array([[0, 2], [2, 7]], np.int32))
    probe = np.random.default_rng(6).normal(size=(2, 2, 3))

    def loss():
        return (emb(ids) ** 2 * probe).sum()

    (got,) = ms.grad(lambda i: (emb(i) ** 2 * probe).sum(), None, emb.trainable_params())(ids)
    table = emb.embedding_table
    numeric = central_differences(loss, table.asnumpy().copy(), lambda v: table.set_data(Tensor(v)))
    np.testing.assert_allclose(got, numeric, atol=1e-6)
    assert not np.asarray(got)[[1, 3]].any()


class ChannelsLastNorm(nn.LayerNorm):
    """mindcv's ConvNextLayerNorm: the held primitive on channels-last input."""

    def construct(self, x):
        y, _, _ = self.layer_norm(ops.transpose(x, (0, 2, 3, 1)), self.gamma, self.beta)
        return ops.transpose(y, (0, 3, 1, 2))


class OwnDense(nn.Dense):
    def construct(self, x):
        return self.bias_add(self.matmul(x, self.weight), self.bias)


class OwnConv(nn.Conv2d):
    def construct(self, x):
        return self.bias_add(self.conv2d(x, self.weight), self.bias)


F64 = ms.float64  # (float64 Parameters, for the differences)
SUBCLASSES = [(lambda: ChannelsLastNorm((3,), epsilon=1e-6, dtype=F64), (2, 3, 2, 2)),
              (lambda: OwnDense(3, 2, dtype=F64), (4, 3)),
              (lambda: OwnConv(2, 3, 2, has_bias=True, dtype=F64), (1, 2, 3, 3))]


@pytest.mark.parametrize("make, shape", SUBCLASSES, ids=["layer_norm", "dense", "conv2d"])
def test_subclasses_calling_held_primitives_differentiate(make, shape):
    cell = make()
    rng = np.random.default_rng(3)
    for p in cell.trainable_params():
        p.set_data(Tensor(rng.normal(size=p.shape)))
    x = Tensor(rng.normal(size=shape))
    probe = rng.normal(size=cell(x).shape)
    def loss(v=x):
        return (cell(v) * probe).sum()

    grads = ms.grad(loss, 0, cell.trainable_params())(x)
    np.testing.assert_allclose(grads[0], central_differences(loss, x.asnumpy()), atol=1e-6)
    for p, g in zip(cell.trainable_params(), grads[1]):
        base = p.asnumpy().copy()
        numeric = central_differences(loss, base, lambda v, p=p: p.set_data(Tensor(v)))
        np.testing.assert_allclose(g, numeric, atol=1e-6)


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


# MindSpore 2.10's operator classes that are one function of their inputs, against
# its values (measured, rounded to 1e-7)
X2 = Tensor(np.array([[0.3, -0.6], [0.9, 0.2]], np.float32))
Y2 = Tensor(np.array([[1.5, -2.0], [0.5, 4.0]], np.float32))
Z2 = Tensor(np.array([[0.2, 0.1], [-0.4, 0.7]], np.float32))
D2 = Tensor(np.array([[0.7, 0.7], [0.3, -1.5]], np.float32))
HALF = Tensor(np.array([0.5], np.float32))
OPERATOR_CLASSES = [
    ("AddN", lambda: P.AddN()((X2, Y2, Z2)),
     [[2.0, -2.5], [1.0, 4.8999996]]),
    ("UnsortedSegmentMin",
     lambda: P.UnsortedSegmentMin()(X2, Tensor(np.array([1, 0], np.int32)), 2),
     [[0.9, 0.2], [0.3, -0.6]]),
    ("Erfc", lambda: P.Erfc()(X2),
     [[0.6713732, 1.6038561], [0.2030918, 0.7772974]]),
    ("ACos", lambda: P.ACos()(X2),
     [[1.2661036, 2.2142975], [0.4510269, 1.3694384]]),
    ("Asin", lambda: P.Asin()(X2),
     [[0.3046927, -0.6435012], [1.1197695, 0.2013579]]),
    ("Atan", lambda: P.Atan()(Y2),
     [[0.9827937, -1.1071488], [0.4636476, 1.3258177]]),
    ("Asinh", lambda: P.Asinh()(Y2),
     [[1.1947632, -1.4436355], [0.4812118, 2.0947125]]),
    ("Acosh", lambda: P.Acosh()(Y2 * Y2 + 1),
     [[1.8472461, 2.2924316], [0.6931472, 3.5254943]]),
    ("Atanh", lambda: P.Atanh()(X2),
     [[0.3095196, -0.6931472], [1.4722193, 0.2027326]]),
    ("Trunc", lambda: P.Trunc()(Y2),
     [[1.0, -2.0], [0.0, 4.0]]),
    ("Diag", lambda: P.Diag()(Tensor(np.array([1.0, 2.0], np.float32))),
     [[1.0, 0.0], [0.0, 2.0]]),
    ("Inv", lambda: P.Inv()(Y2),
     [[0.6666667, -0.5], [2.0, 0.25]]),
    ("MatrixDeterminant", lambda: P.MatrixDeterminant()(Y2),
     7.0),
    ("LogMatrixDeterminant", lambda: P.LogMatrixDeterminant()(Y2),
     (1.0, 1.9459101)),
    ("Mod", lambda: P.Mod()(Y2, D2),
     [[0.1, -0.6], [0.2, 1.0]]),
    ("FloorMod", lambda: P.FloorMod()(Y2, D2),
     [[0.1, 0.1], [0.2, -0.5]]),
    ("TruncateDiv", lambda: P.TruncateDiv()(Y2, D2),
     [[2.0, -2.0], [1.0, -2.0]]),
    ("Xdivy", lambda: P.Xdivy()(X2, Y2),
     [[0.2, 0.3], [1.8, 0.05]]),
    ("Xlogy", lambda: P.Xlogy()(X2, Y2 * Y2),
     [[0.2432791, -0.8317767], [-1.2476649, 0.5545177]]),
    ("Lerp", lambda: P.Lerp()(X2, Y2, Z2),
     [[0.54, -0.74], [1.0599999, 2.8599999]]),
    ("Addcdiv", lambda: P.Addcdiv()(X2, Y2, Y2 + 3, HALF),
     [[0.4666667, -1.6], [0.9714286, 0.4857143]]),
    ("Addcmul", lambda: P.Addcmul()(X2, Y2, Z2, HALF),
     [[0.45, -0.7], [0.8, 1.6]]),
    ("MaskedSelect", lambda: P.MaskedSelect()(X2, Tensor(np.array([[True, False], [False, True]]))),
     [0.3, 0.2]),
]


@pytest.mark.parametrize("make, expected", [c[1:] for c in OPERATOR_CLASSES],
                         ids=[c[0] for c in OPERATOR_CLASSES])
def test_operator_classes_of_one_function_give_mindspores_values(make, expected):
    got = make()
    got, expected = (got, expected) if isinstance(expected, tuple) else ((got,), (expected,))
    for g, e in zip(got, expected):
        np.testing.assert_allclose(np.asarray(g, np.float64), e, rtol=1e-6, atol=1e-6)

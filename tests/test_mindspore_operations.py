"""MindSpore's primitive classes (``ops.MatMul()``, ``P.ReduceMean(keep_dims=True)``...)
compute what the ``ops`` functions they name compute, eagerly and inside a
differentiated function (a Cell holding them), with gradients checked against central
differences."""
from __future__ import annotations

import numpy as np
import pytest
from autodiff_compiler.ops import operations as P
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import check_grads, nn, ops

RNG = np.random.default_rng(0)
A = RNG.normal(size=(2, 3))
B = RNG.normal(size=(3, 4))
POS = RNG.uniform(0.5, 2.0, size=(2, 3))

# (operator, inputs, what it must equal)
CASES = [
    (P.MatMul(), (A, B), A @ B),
    (P.MatMul(transpose_a=True), (A.T, B), A @ B),
    (ops.MatMul(False, True), (A, B.T), A @ B),
    (P.BatchMatMul(), (A[None], B[None]), (A @ B)[None]),
    (P.ReduceMean(keep_dims=True), (A, 1), A.mean(1, keepdims=True)),
    (P.ReduceSum(), (A,), A.sum()),
    (P.ReduceMax(), (A, (0, 1)), A.max()),
    (P.ReduceProd(True), (POS, 0), POS.prod(0, keepdims=True)),
    (P.Softmax(), (A,), np.exp(A) / np.exp(A).sum(-1, keepdims=True)),
    (P.LogSoftmax(axis=0), (A,), A - np.log(np.exp(A).sum(0, keepdims=True))),
    (P.Sin(), (A,), np.sin(A)),
    (P.Sqrt(), (POS,), np.sqrt(POS)),
    (P.Rsqrt(), (POS,), 1 / np.sqrt(POS)),
    (P.Sigmoid(), (A,), 1 / (1 + np.exp(-A))),
    (P.ReLU(), (A,), np.maximum(A, 0)),
    (P.Mul(), (A, POS), A * POS),
    (P.Pow(), (POS, 1.5), POS ** 1.5),
    (P.Reshape(), (A, (3, 2)), A.reshape(3, 2)),
    (P.Transpose(), (A, (1, 0)), A.T),
    (P.ExpandDims(), (A, 0), A[None]),
    (P.Squeeze(0), (A[None],), A),
    (P.Concat(1), ((A, POS),), np.concatenate([A, POS], 1)),
    (P.Stack(), ((A, POS),), np.stack([A, POS])),
    (P.Tile(), (A, (2, 1)), np.tile(A, (2, 1))),
    (P.Select(), (A > 0, A, POS), np.where(A > 0, A, POS)),
]


@pytest.mark.parametrize("op, inputs, expected", CASES, ids=[repr(c[0]) for c in CASES])
def test_operator_computes_its_function(op, inputs, expected):
    np.testing.assert_allclose(op(*inputs), expected, rtol=1e-12)


class Holder(nn.Cell):
    """Differentiated through a Cell holding the operator, as MindSpore code does."""

    def __init__(self, op, rest):
        super().__init__()
        self.op, self.rest = op, rest

    def construct(self, x):
        return np.sum(np.sin(self.op(x, *self.rest)))


DIFFERENTIABLE = [c for c in CASES if isinstance(c[1][0], np.ndarray)
                  and c[1][0].dtype == np.float64 and not isinstance(c[0], P.Select)]


@pytest.mark.parametrize("op, inputs, expected", DIFFERENTIABLE,
                         ids=[repr(c[0]) for c in DIFFERENTIABLE])
def test_operator_gradient_inside_a_cell(op, inputs, expected):
    x, rest = inputs[0], inputs[1:]
    net = Holder(op, rest)
    got = ms.grad(net)(x)
    d = RNG.normal(size=x.shape)
    eps = 1e-6
    numeric = (net(x + eps * d) - net(x - eps * d)) / (2 * eps)
    np.testing.assert_allclose(np.sum(got * d), numeric, rtol=1e-6, atol=1e-9)


X3 = np.sin(np.arange(24.0).reshape(2, 3, 4))
LIST_AXES = [  # (spelled with a list of axes, as model zoo code writes them; with a tuple)
    (lambda x: P.ReduceSum()(x, [1, 2]), lambda x: x.sum((1, 2))),
    (lambda x: P.ReduceMean(keep_dims=True)(x, [0, 2]), lambda x: x.mean((0, 2),
                                                                          keepdims=True)),
    (lambda x: P.ReduceMax()(x, [1, 2]), lambda x: x.max((1, 2))),
    (lambda x: ops.sum(x, [1, 2]), lambda x: x.sum((1, 2))),
    (lambda x: ops.mean(x, [0, 1]), lambda x: x.mean((0, 1))),
    (lambda x: ops.amax(x, [1, 2]), lambda x: x.max((1, 2))),
    (lambda x: ops.logsumexp(x, [1, 2]), lambda x: np.log(np.exp(x).sum((1, 2)))),
    (lambda x: x.sum([1, 2]), lambda x: x.sum((1, 2))),
    (lambda x: x.sum(axis=[0, 2], keepdims=True), lambda x: x.sum((0, 2), keepdims=True)),
]


@pytest.mark.parametrize("spelled, expected", LIST_AXES, ids=range(len(LIST_AXES)))
def test_a_list_of_axes_reduces_over_them_eagerly_and_compiled(spelled, expected):
    """MindSpore takes a list of axes where NumPy takes a tuple (CRA's gradient penalty:
    ``ReduceSum()(square(g), [1, 2, 3])``); eagerly NumPy raised TypeError."""
    x = ms.Tensor(X3)
    np.testing.assert_allclose(np.asarray(spelled(x)), expected(X3), rtol=1e-12)

    def loss(x):
        return np.sum(np.sin(spelled(x)))

    numeric = central_differences(lambda v: loss(ms.Tensor(v)), X3)
    np.testing.assert_allclose(np.asarray(ms.grad(loss)(x)), numeric, rtol=1e-6, atol=1e-9)


def test_other_operators_and_settings():
    assert P.Shape()(A) == (2, 3)
    assert P.Argmax()(A).dtype == np.int32 and (P.Argmax(axis=0)(A) == A.argmax(0)).all()
    assert P.Ones()((2, 2), np.float32).dtype == np.float32
    assert (P.Fill()(np.float64, (2,), 3.0) == 3.0).all()
    assert repr(P.ReduceMean(keep_dims=True)) == "Prim[ReduceMean]<keep_dims=True>"
    with pytest.raises(TypeError, match="takes the settings"):
        P.MatMul(transpose_c=True)


def test_the_older_nn_primitives_give_mindspores_numbers():
    """``P.Conv2D``, ``P.MaxPool``, ``P.L2Loss``, ``P.SigmoidCrossEntropyWithLogits``:
    shapes and sums measured in MindSpore 2.10 on the same inputs."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 5, 5)).astype(np.float32)
    w = rng.standard_normal((3, 2, 3, 3)).astype(np.float32)
    for mode, shape, total, pooled, pooled_sum in (("valid", (1, 3, 3, 3), -9.5108,
                                                    (1, 2, 2, 2), 6.1987),
                                                   ("same", (1, 3, 5, 5), 3.0375,
                                                    (1, 2, 3, 3), 15.774)):
        out = P.Conv2D(3, 3, pad_mode=mode)(x, w)
        assert out.shape == shape and float(out.sum()) == pytest.approx(total, abs=1e-3)
        pooled_out = P.MaxPool(kernel_size=2, strides=2, pad_mode=mode)(x)
        assert pooled_out.shape == pooled
        assert float(pooled_out.sum()) == pytest.approx(pooled_sum, abs=1e-3)
    assert float(P.L2Loss()(x)) == pytest.approx(21.17, abs=1e-3)
    labels = np.full((1, 2, 5, 5), 0.3, np.float32)
    assert float(P.SigmoidCrossEntropyWithLogits()(x, labels).sum()) == pytest.approx(
        40.8232, abs=1e-3)
    check_grads(lambda z: np.sum(P.SigmoidCrossEntropyWithLogits()(z, labels) * 1.5)
                + P.L2Loss()(z), x.astype(np.float64))


@pytest.mark.parametrize("align_corners, half_pixel_centers, size, total, corner", [
    # measured in MindSpore 2.10: the second example's sum and last entry
    (False, False, (5, 7), 2739.61, 110.304), (False, False, (2, 3), 402.86, 94.301),
    (True, False, (5, 7), 2596.01, 110.304), (True, False, (2, 3), 448.75, 110.304),
    (False, True, (5, 7), 2598.41, 110.304), (False, True, (2, 3), 446.47, 102.275),
])
def test_resize_bilinear_v2_samples_as_mindspore(align_corners, half_pixel_centers, size,
                                                 total, corner):
    """TensorFlow's sampling: ``i r`` by default (no half-pixel offset, unlike
    ``ops.interpolate``), ``align_corners`` and ``half_pixel_centers`` as named."""
    x = np.arange(2 * 1 * 3 * 4, dtype=np.float32).reshape(2, 1, 3, 4) ** 1.5
    resize = P.ResizeBilinearV2(align_corners=align_corners,
                                half_pixel_centers=half_pixel_centers)
    out = resize(x, size)
    assert out.shape == (2, 1, *size)
    assert float(out[1, 0].sum()) == pytest.approx(total, abs=0.02)
    assert float(out[1, 0, -1, -1]) == pytest.approx(corner, abs=1e-3)
    check_grads(lambda z: np.sum(resize(z, size) ** 2), x.astype(np.float64) / 10,
                generic=False)


# ---------------------------------------------------------------------------- writing into
# Parameters: (operator, Parameters' start values, other inputs, what MindSpore 2.10 (CPU)
# left in the Parameters, measured; Nesterov's momentum as documented, which its CPU
# kernel ignores)
G = np.array([1.0, -2.0, 3.0], np.float32)
W = [1.0, 2.0, 3.0]
IN_PLACE = [
    (P.ApplyMomentum(), [W, [0.5] * 3], (0.1, G, 0.9),
     [[0.855, 2.155, 2.655], [1.45, -1.55, 3.45]]),
    (P.ApplyMomentum(use_nesterov=True), [W, [0.5] * 3], (0.1, G, 0.9),
     [[0.7695, 2.3395, 2.3895], [1.45, -1.55, 3.45]]),
    (P.ApplyGradientDescent(), [W], (0.1, G), [[0.9, 2.2, 2.7]]),
    (P.ApplyRMSProp(), [W, [1.0] * 3, [0.1, 0.0, -0.1]], (0.1, G, 0.9, 0.5, 1e-6),
     [[0.85, 2.17541, 2.82639], [1.0, 1.3, 1.8], [0.15, -0.17541, 0.17361]]),
    (P.ApplyAdagrad(), [W, [0.1] * 3], (0.1, G),
     [[0.90465, 2.09877, 2.90055], [1.1, 4.1, 9.1]]),
    (P.Adam(), [W, [0.1, 0.2, 0.3], [0.1] * 3], (0.9, 0.999, 0.01, 0.9, 0.999, 1e-8, G),
     [[0.99811, 2.0002, 2.99454], [0.19, -0.02, 0.57], [0.1009, 0.1039, 0.1089]]),
    (P.ScatterUpdate(), [[[0.0, 0.0]] * 3], (np.array([1], np.int32), [[7.0, 7.0]]),
     [[[0, 0], [7, 7], [0, 0]]]),
    (P.ScatterNdUpdate(), [[[0.0, 0.0]] * 3], (np.array([[2]], np.int32), [[8.0, 8.0]]),
     [[[0, 0], [0, 0], [8, 8]]]),
    (P.ScatterAdd(), [[[0.0, 0.0]] * 3], (np.array([0, 0], np.int32), [[1.0, 1.0], [2.0, 2.0]]),
     [[[3, 3], [0, 0], [0, 0]]]),
]


@pytest.mark.parametrize("op, starts, rest, after", IN_PLACE, ids=[
    f"{type(c[0]).__name__}{'_nesterov' if getattr(c[0], 'use_nesterov', False) else ''}"
    for c in IN_PLACE])
def test_operators_write_mindspores_values_into_parameters(op, starts, rest, after):
    params = [ms.Parameter(np.array(s, np.float32), name=f"p{i}") for i, s in enumerate(starts)]
    rest = tuple(np.asarray(r, np.float32) if not isinstance(r, np.ndarray) else r for r in rest)
    out = op(*params, *rest)
    for p, want in zip(params, after):
        np.testing.assert_allclose(p.asnumpy(), want, atol=6e-6)
    np.testing.assert_allclose(out[0] if isinstance(out, tuple) else out, after[0], atol=6e-6)


class MemoryBank(nn.Cell):
    """A queue written and a counter stepped by primitives inside a differentiated
    construct, as bare statements: effects of the forward pass."""

    def __init__(self):
        super().__init__()
        self.w = ms.Parameter(np.array([1.0, 2.0]), name="w")
        self.queue = ms.Parameter(np.zeros((3, 2)), name="queue", requires_grad=False)
        self.count = ms.Parameter(np.zeros(2), name="count", requires_grad=False)
        self.update, self.step = P.ScatterUpdate(), P.ApplyGradientDescent()

    def construct(self, x):
        y = x * self.w
        self.update(self.queue, np.array([1], np.int32), ops.stop_gradient(y)[None])
        self.step(self.count, 1.0, np.array([-1.0, -2.0]))
        return (y * y).sum() + self.queue.sum()


def test_writing_operators_inside_a_differentiated_cell():
    net = MemoryBank()
    x = np.array([3.0, 4.0])
    loss, grads = ms.value_and_grad(net, None, net.trainable_params())(x)
    assert float(loss) == pytest.approx(73.0 + 11.0)  # the sum read after the write
    np.testing.assert_allclose(grads[0], 2 * x * x * net.w.asnumpy())  # none through it
    np.testing.assert_allclose(net.queue.asnumpy(), [[0, 0], [3, 8], [0, 0]])
    np.testing.assert_allclose(net.count.asnumpy(), [1.0, 2.0])

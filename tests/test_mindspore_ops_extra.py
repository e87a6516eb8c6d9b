"""``ops`` activations, distances and selections (``ops_activations``,
``ops_distances``, ``ops_select``) against central finite differences in float64 on
several shapes; their values and gradients against MindSpore's are in
``test_mindspore_layers_measured``."""
from __future__ import annotations

import math

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

P = ops.operations  # (``from mindspore.ops import operations as P``)

VALUES = np.array([-3.7, 2.6, -0.4, 0.9, -1.3, 4.1, 0.3, -2.2, 1.7, 3.3, -5.2, 0.05])
OTHER = np.array([0.8, -1.1, 0.45, 2.3, -0.7, 1.2, -2.9, 0.15, 0.6, -0.35, 1.9, -1.6])


def draw(shape, values=VALUES):
    return values[:int(np.prod(shape))].reshape(shape)


ELEMENTWISE = {
    "celu": lambda x: ops.celu(x, 1.5),
    "selu": ops.selu,
    "hardsigmoid": ops.hardsigmoid,
    "hardswish": ops.hardswish,
    "hardtanh": lambda x: ops.hardtanh(x, -2.0, 3.0),
    "mish": ops.mish,
    "logsigmoid": ops.logsigmoid,
    "lerp": lambda x: ops.lerp(x, x * x, 0.3),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
@pytest.mark.parametrize("shape", [(3, 4), (5,), ()], ids=str)
def test_activation_gradients_match_finite_differences(name, shape):
    fn = ELEMENTWISE[name]
    ms.check_grads(lambda x: ops.sum(fn(x) * np.cos(x)), draw(shape))


SHAPED = [
    ("glu", lambda x: ops.sum(ops.glu(x, 0) ** 2), (4, 3)),
    ("glu_last_axis", lambda x: ops.sum(ops.glu(x) ** 2), (3, 4)),
    ("cosine_similarity", lambda x: ops.sum(ops.cosine_similarity(x, draw((3, 4), OTHER))),
     (3, 4)),
    ("cosine_similarity_dim0", lambda x: ops.sum(
        ops.cosine_similarity(x, draw((3, 4), OTHER), dim=0) ** 2), (3, 4)),
    ("cdist", lambda x: ops.sum(ops.cdist(x, draw((2, 4), OTHER)) ** 1.5), (3, 4)),
    ("cdist_batched", lambda x: ops.sum(ops.cdist(x, x[:, :1] * 0.5)), (2, 3, 2)),
    ("cdist_p1", lambda x: ops.sum(ops.cdist(x, draw((2, 4), OTHER), 1.0)), (3, 4)),
    ("cdist_p3", lambda x: ops.sum(ops.cdist(x, draw((2, 4), OTHER), 3.0)), (3, 4)),
    ("cdist_p_inf", lambda x: ops.sum(ops.cdist(x, draw((2, 4), OTHER), float("inf")) ** 2),
     (3, 4)),
    ("dist_p_inf", lambda x: ops.dist(x, draw((3, 4), OTHER), np.inf), (3, 4)),
    ("dist", lambda x: ops.dist(x, draw((3, 4), OTHER)), (3, 4)),
    ("dist_vector_p1", lambda x: ops.dist(x, draw((5,), OTHER), 1), (5,)),
    ("huber_loss", lambda x: ops.huber_loss(x, draw((3, 4), OTHER), "sum", 0.8), (3, 4)),
    ("margin_ranking_loss", lambda x: ops.margin_ranking_loss(
        x, draw((5,), OTHER), np.array([1.0, -1.0, 1.0, 1.0, -1.0]), 0.5), (5,)),
    ("cosine_embedding_loss", lambda x: ops.cosine_embedding_loss(
        x, draw((3, 4), OTHER), np.array([1, -1, -1]), 0.1), (3, 4)),
    ("triplet_margin_loss", lambda x: ops.triplet_margin_loss(
        x, x * 0.5 + 0.2, draw((3, 4), OTHER), 2.0), (3, 4)),
    ("triplet_margin_loss_swap", lambda x: ops.triplet_margin_loss(
        x, x * 0.5 + 0.2, draw((3, 4), OTHER), 2.0, swap=True, reduction="sum"), (3, 4)),
    ("tril_triu", lambda x: ops.sum(ops.tril(x, 1) * ops.triu(x, -1) + ops.tril(x)), (3, 4)),
    ("roll", lambda x: ops.sum(ops.roll(x, (1, -2), (0, 1)) * x), (3, 4)),
    ("roll_flat", lambda x: ops.sum(ops.roll(x, 5) * x), (3, 4)),
    ("narrow", lambda x: ops.sum(ops.narrow(x, 0, 1, 2) ** 2), (3, 4)),
    ("index_select", lambda x: ops.sum(ops.index_select(x, 1, np.array([3, 0, 3])) ** 2),
     (3, 4)),
    ("repeat_interleave", lambda x: ops.sum(ops.repeat_interleave(x, 2) * np.arange(24)),
     (3, 4)),
    ("diag_vector", lambda x: ops.sum(ops.diag(x) @ x), (4,)),
    ("diag_matrix", lambda x: ops.sum(ops.diag(x) * ops.diag(x * x)), (2, 3)),
    ("meshgrid", lambda x: ops.sum(ops.meshgrid(x, x[:2] * 3.0)[0] ** 2), (4,)),
    ("addmm", lambda x: ops.sum(ops.addmm(x @ x.T, x, x.T, beta=0.5, alpha=2.0)), (3, 4)),
    ("baddbmm", lambda x: ops.sum(ops.baddbmm(x[:, :, :1], x, x[:, :1].transpose(0, 2, 1))),
     (2, 3, 2)),
    ("masked_select", lambda x: ops.sum(ops.masked_select(x, x > 0) ** 2), (3, 4)),
    ("gather_d", lambda x: ops.sum(ops.gather_d(x, 1, np.array([[0, 0], [3, 1], [2, 2]])) ** 2),
     (3, 4)),
]


@pytest.mark.parametrize("fn, shape", [case[1:] for case in SHAPED],
                         ids=[case[0] for case in SHAPED])
def test_distance_and_selection_gradients_match_finite_differences(fn, shape):
    ms.check_grads(fn, draw(shape))


# Shape-dependent (the piece length, the block layout): shape-specialised code only.
SPECIALISED = [
    ("chunk", lambda x: ops.sum(ops.chunk(x, 3, 1)[1] ** 2), (3, 4)),
    ("kron", lambda x: ops.sum(ops.kron(x, x.T) ** 2), (2, 3)),
]


@pytest.mark.parametrize("fn, shape", [case[1:] for case in SPECIALISED],
                         ids=[case[0] for case in SPECIALISED])
def test_shape_dependent_gradients_match_finite_differences(fn, shape):
    x = draw(shape)
    np.testing.assert_allclose(ms.grad(fn)(x), central_differences(fn, x), rtol=1e-6,
                               atol=1e-8)


def test_bincount_is_float32_as_mindspores_and_its_weights_get_their_bins_gradient():
    """Measured on MindSpore 2.7.1: float32 counts, with or without weights."""
    x = np.array([0, 2, 2, 1])
    counts = ops.bincount(x)
    assert np.asarray(counts).dtype == np.float32
    np.testing.assert_array_equal(counts, [1.0, 1.0, 2.0])
    value, grad = ms.value_and_grad(lambda w: ops.sum(ops.bincount(x, w, 5) ** 2))(
        np.array([0.5, 1.0, 2.0, 3.0]))
    bins = np.array([0.5, 3.0, 3.0, 0.0, 0.0])  # weights summed per bin, minlength 5
    np.testing.assert_allclose(value, np.sum(bins ** 2))
    np.testing.assert_allclose(grad, 2 * bins[x])


def test_cdist_by_the_largest_and_by_the_count_of_coordinates():
    """p = inf: the largest |difference| (it was 1 everywhere, gradient NaN); p = 0:
    the number of coordinates that differ, with no gradient, as MindSpore's."""
    x1 = np.array([[[0.0, 1.0], [2.0, -1.0]]])
    x2 = np.array([[[2.0, 0.5], [0.0, 2.0], [1.0, 1.0]]])
    np.testing.assert_allclose(ops.cdist(x1, x2, float("inf")),
                               [[[2.0, 1.0, 1.0], [1.5, 3.0, 2.0]]])
    np.testing.assert_allclose(ops.cdist(x1, x2, 0.0), [[[2.0, 1.0, 1.0], [1.0, 2.0, 2.0]]])
    np.testing.assert_allclose(ms.grad(lambda a: ops.sum(ops.cdist(a, x2, 0.0)))(x1), 0.0)


def test_distance_between_equal_points_has_zero_gradient():
    """The norm has no derivative at 0: MindSpore gives 0 there, and no NaN."""
    x = np.array([[0.0, 1.0], [2.0, 2.0], [4.0, 3.0]])
    grad = ms.grad(lambda x: ops.sum(ops.cdist(x, x)))(x)
    d = x[:, None] - x[None]
    norms = np.sqrt((d * d).sum(-1))
    unit = np.divide(d, norms[..., None], out=np.zeros_like(d), where=norms[..., None] > 0)
    np.testing.assert_allclose(grad, 2 * unit.sum(1))
    np.testing.assert_array_equal(ms.grad(lambda x: ops.dist(x, x))(x), np.zeros_like(x))


def test_cosine_of_float16_rows_whose_squared_norms_multiply_past_its_range():
    """|a|^2 |b|^2 = 244 * 270 overflows float16 (largest 65504), |a| |b| = 256.7 does
    not: MindSpore divides by the norms' product (values measured there)."""
    a = Tensor(np.array([[12.0, 8.0, 6.0], [1.0, 2.0, 3.0]], np.float16))
    b = Tensor(np.array([[10.0, 11.0, 7.0], [-1.0, 0.5, 2.0]], np.float16))
    np.testing.assert_allclose(ops.cosine_similarity(a, b).asnumpy(), [0.9736, 0.7],
                               rtol=1e-3)
    loss = nn.CosineEmbeddingLoss(reduction="none")(a, b, Tensor(np.array([1, -1])))
    np.testing.assert_allclose(loss.asnumpy(), [0.02637, 0.7], rtol=1e-3)
    grad = ms.grad(lambda x: ops.cosine_similarity(x, b).sum())(a)
    np.testing.assert_allclose(grad.asnumpy(), [[-0.00894, 0.010925, 0.003326],
                                                [-0.1667, -0.04175, 0.08325]], rtol=2e-3)


def test_cosine_embedding_loss_of_a_target_neither_1_nor_minus_1_is_0():
    x1, x2 = np.array([[1.0, 2.0], [0.5, -1.0]]), np.array([[2.0, 1.0], [0.5, -1.0]])
    loss = ops.cosine_embedding_loss(x1, x2, np.array([0, -1]), 0.0, "none")
    np.testing.assert_allclose(loss, [0.0, 1.0])  # MindSpore selects only 1 and -1 rows


def test_selections_equal_numpy():
    x = draw((3, 4))
    np.testing.assert_array_equal(ops.chunk(x, 4, 1)[0], x[:, :1])
    assert [c.shape for c in ops.chunk(np.zeros((6, 2)), 4)] == [(2, 2)] * 3
    np.testing.assert_array_equal(ops.narrow(x, 1, 1, 2), x[:, 1:3])
    np.testing.assert_array_equal(ops.diag(x).reshape(12, 12), np.diag(x.ravel()))
    np.testing.assert_array_equal(ops.isclose(x, x + 1e-9), np.ones((3, 4), bool))


def test_nonzero_and_unique_run_eagerly():
    x = np.array([[0.0, 1.5], [2.0, 0.0], [0.0, -1.0]])
    np.testing.assert_array_equal(ops.nonzero(x).asnumpy(), [[0, 1], [1, 0], [2, 1]])
    rows, cols = ops.nonzero(x, as_tuple=True)
    np.testing.assert_array_equal(x[rows.asnumpy(), cols.asnumpy()], [1.5, 2.0, -1.0])
    values, positions = ops.unique(np.array([[5, 2], [5, 9]], np.int32))
    np.testing.assert_array_equal(values.asnumpy(), [5, 2, 9])
    np.testing.assert_array_equal(positions.asnumpy(), [[0, 1], [0, 2]])
    assert positions.asnumpy().dtype == np.int32


# ---------------------------------------------------------------------------- Cells

CELLS = [
    ("conv1d_same", lambda: ms.nn.Conv1d(2, 3, 3, has_bias=True, dtype=ms.float64), (2, 2, 5)),
    ("conv1d_pad_stride_dilation", lambda: ms.nn.Conv1d(
        2, 2, 2, stride=2, pad_mode="pad", padding=1, dilation=2, dtype=ms.float64), (1, 2, 6)),
    ("max_pool1d", lambda: ms.nn.MaxPool1d(2, 2), (2, 2, 6)),
    ("avg_pool1d", lambda: ms.nn.AvgPool1d(3, 1, pad_mode="same"), (1, 3, 5)),
    ("adaptive_avg_pool1d", lambda: ms.nn.AdaptiveAvgPool1d(3), (2, 2, 7)),
    ("adaptive_avg_pool2d", lambda: ms.nn.AdaptiveAvgPool2d((2, 3)), (1, 2, 5, 4)),
    ("zero_pad2d", lambda: ms.nn.ZeroPad2d(1), (1, 1, 2, 3)),
    ("unflatten", lambda: ms.nn.Unflatten(-1, (2, 2)), (3, 4)),
    ("hswish", lambda: ms.nn.HSwish(), (3, 4)),
    ("softmin", lambda: ms.nn.Softmin(0), (3, 4)),
    ("threshold", lambda: ms.nn.Threshold(0.2, -1.0), (3, 4)),
    ("glu", lambda: ms.nn.GLU(0), (4, 3)),
]


@pytest.mark.parametrize("make, shape", [case[1:] for case in CELLS],
                         ids=[case[0] for case in CELLS])
def test_cell_gradients_match_finite_differences(make, shape):
    """Shape-specialised code (layers work out windows and paddings from shapes)."""
    cell = make()
    x = np.sin(np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape) * 1.7)
    weights = np.cos(np.arange(np.size(cell(x))) * 0.9).reshape(np.shape(cell(x)))

    def loss(x):
        return np.sum(cell(x) * weights)

    np.testing.assert_allclose(np.asarray(ms.grad(loss)(x)), central_differences(loss, x),
                               rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", ["RMSProp", "Adagrad"])
def test_optimizers_reduce_a_quadratic(name):
    w = ms.Parameter(np.array([3.0, -2.0]), name="w")
    optimizer = getattr(ms.nn, name)([w], learning_rate=0.1) if name == "RMSProp" else \
        ms.nn.Adagrad([w], learning_rate=0.5)
    grad_fn = ms.value_and_grad(lambda: ops.sum(w * w), None, [w])
    first = float(grad_fn()[0])
    for _ in range(30):
        optimizer(grad_fn()[1])
    assert float(grad_fn()[0]) < 0.1 * first


# ---------------------------------------------------------------------------- recurrent

RECURRENT = [
    ("rnn_two_layers_two_ways", lambda: ms.nn.RNN(2, 3, num_layers=2, bidirectional=True,
                                                  dtype=ms.float64)),
    ("rnn_relu", lambda: ms.nn.RNN(2, 3, nonlinearity="relu", dtype=ms.float64)),
    ("lstm_two_ways_batch_first", lambda: ms.nn.LSTM(2, 3, batch_first=True,
                                                     bidirectional=True, dtype=ms.float64)),
    ("gru_two_layers", lambda: ms.nn.GRU(2, 3, num_layers=2, dtype=ms.float64)),
]


@pytest.mark.parametrize("make", [case[1] for case in RECURRENT],
                         ids=[case[0] for case in RECURRENT])
def test_recurrent_gradients_match_finite_differences(make):
    """The input's gradient and every weight's, through the whole sequence."""
    cell = make()
    x = np.sin(np.arange(1.0, 13.0).reshape(3, 2, 2) * 1.3)

    def loss(x):
        y, state = cell(x)
        h = state[0] if isinstance(state, tuple) else state
        return np.sum(y * np.cos(np.arange(y.size).reshape(y.shape))) + np.sum(h * h)

    params = cell.trainable_params()
    gx, grads = ms.value_and_grad(loss, 0, params)(x)[1]
    np.testing.assert_allclose(np.asarray(gx), central_differences(loss, x), rtol=1e-6,
                               atol=1e-8)
    for p, grad in zip(params, grads):
        numeric = central_differences(lambda: loss(x), p.asnumpy().copy(), p.set_data)
        np.testing.assert_allclose(np.asarray(grad), numeric, rtol=1e-6, atol=1e-8,
                                   err_msg=p.name)


@pytest.mark.parametrize("make", [case[1] for case in RECURRENT],
                         ids=[case[0] for case in RECURRENT])
def test_recurrent_layers_compile_to_a_loop_over_time(make):
    """A layer's steps compile to one loop: the gradient's code is the same for 4 steps
    as for 60 (appending each step's output to a list unrolled the loop, one copy of
    the step per time step: 15 s to compile a 100-step two-layer bidirectional LSTM),
    and shape-generic code, which knows no length, compiles too."""
    cell = make()

    def loss(x):
        return np.sum(cell(x)[0] ** 2)

    sources = [ms.gradient_source(loss, args=(x,)) for x in
               (np.ones((4, 2, 2)), np.ones((60, 2, 2)))]
    assert len(sources[0].splitlines()) == len(sources[1].splitlines())
    assert "def " in ms.gradient_source(loss)
    x = np.sin(np.arange(1.0, 121.0).reshape(60, 1, 2))
    np.testing.assert_allclose(np.asarray(ms.grad(loss)(x))[[0, 30, 59]],
                               central_differences(loss, x)[[0, 30, 59]], rtol=1e-6,
                               atol=1e-8)


class SentimentRNN(ms.nn.Cell):
    """MindSpore's sentiment-classification tutorial model, as the tutorial writes it:
    an embedding, a two-layer bidirectional LSTM, the last two hidden states joined."""

    def __init__(self, embeddings, hidden_dim, output_dim, n_layers, bidirectional, pad_idx):
        super().__init__()
        vocab_size, embedding_dim = embeddings.shape
        self.embedding = ms.nn.Embedding(vocab_size, embedding_dim,
                                         embedding_table=ms.Tensor(embeddings),
                                         padding_idx=pad_idx)
        self.rnn = ms.nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers,
                              bidirectional=bidirectional, batch_first=True)
        self.fc = ms.nn.Dense(hidden_dim * 2, output_dim)

    def construct(self, inputs):
        embedded = self.embedding(inputs)
        _, (hidden, _) = self.rnn(embedded)
        hidden = ops.concat((hidden[-2, :, :], hidden[-1, :, :]), axis=1)
        return self.fc(hidden)


def test_the_sentiment_tutorial_model_trains():
    rng = np.random.default_rng(0)
    model = SentimentRNN(rng.standard_normal((30, 6)).astype(np.float32), 8, 1, 2, True, 0)
    loss_fn = ms.nn.BCEWithLogitsLoss(reduction="mean")
    optimizer = ms.nn.Adam(model.trainable_params(), learning_rate=0.01)

    def forward_fn(data, label):
        return loss_fn(model(data), label)

    grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters)
    data = ms.Tensor(rng.integers(1, 30, (6, 7)).astype(np.int32))
    label = ms.Tensor((rng.random((6, 1)) > 0.5).astype(np.float32))
    losses = []
    for _ in range(12):
        loss, grads = grad_fn(data, label)
        optimizer(grads)
        losses.append(float(loss))
    assert losses[-1] < 0.8 * losses[0]
    assert all(np.any(np.asarray(g) != 0) for g in grads)  # every weight has a gradient


def leaky_total(x, alpha):
    return np.sum(ops.leaky_relu(x, alpha))


@pytest.mark.parametrize("alpha, at_zero", [(0.2, 0.6), (1.5, 1.25), (-0.5, 0.25), (0.0, 0.5)])
def test_leaky_relu_shares_its_gradient_at_zero_as_mindspore(alpha, at_zero):
    """MindSpore computes leaky_relu as maximum(alpha x, x) (minimum for alpha > 1): at
    0 (and -0) the tie's gradient is (1 + alpha) / 2, measured in MindSpore 2.10; it was
    alpha here. Elsewhere alpha below 0 and 1 above, and the values unchanged."""
    x = np.array([-1.0, 0.0, 0.5, -0.0], np.float32)
    cell = ms.nn.LeakyReLU(alpha)
    want = [alpha, at_zero, 1.0, at_zero]
    np.testing.assert_allclose(ms.grad(leaky_total)(x, alpha), want, rtol=1e-6)
    np.testing.assert_allclose(ms.grad(lambda v: np.sum(cell(v)))(x), want, rtol=1e-6)
    np.testing.assert_array_equal(ops.leaky_relu(x, alpha), np.where(x > 0, x, alpha * x))


X34 = np.arange(12, dtype=np.float32).reshape(3, 4)


@pytest.mark.parametrize("op, args, want", [
    (lambda: P.Tril(1), (X34,), np.tril(X34, 1)),
    (lambda: P.Triu(-1), (X34,), np.triu(X34, -1)),
    (lambda: P.ReverseV2(axis=[1]), (X34,), X34[:, ::-1]),
    (lambda: P.Roll(1, 0), (X34,), np.roll(X34, 1, 0)),
    (lambda: P.UnsortedSegmentSum(), (X34, np.array([0, 1, 0], np.int32), 2),
     np.stack([X34[0] + X34[2], X34[1]])),
    (lambda: P.MaskedFill(), (X34, X34 > 5, np.float32(-1.0)), np.where(X34 > 5, -1.0, X34)),
    (lambda: P.Lgamma(), (X34 + 1,), [[float(math.lgamma(v)) for v in row] for row in X34 + 1]),
], ids=["Tril", "Triu", "ReverseV2", "Roll", "UnsortedSegmentSum", "MaskedFill", "Lgamma"])
def test_older_primitive_classes_call_their_functions(op, args, want):
    """The primitive classes model-zoo code builds (MindSpore 2.10's signatures; Tril's,
    Triu's, ReverseV2's and UnsortedSegmentSum's values measured there)."""
    np.testing.assert_allclose(op()(*(ms.Tensor(a) if isinstance(a, np.ndarray) else a
                                      for a in args)), want, rtol=1e-6)


def test_scalar_to_tensor_and_tensor_div():
    assert ops.scalar_to_tensor(3).dtype == np.float32
    assert ops.scalar_to_tensor(3, ms.int32).dtype == np.int32
    np.testing.assert_allclose(ops.tensor_div(ms.Tensor(X34), 2.0), X34 / 2)


ROW_OF_TIES = np.array([[1.0, 3.0, 3.0, 0.0]], np.float32)
TIES = [  # (function, input, MindSpore 2.10's gradient, measured)
    ("max_with_axis", lambda t: ops.max(t, 1)[0].sum(), ROW_OF_TIES, [[0, 1, 0, 0]]),
    ("amax_splits", lambda t: ops.amax(t, 1).sum(), ROW_OF_TIES, [[0, 0.5, 0.5, 0]]),
    ("tensor_max_splits", lambda t: Tensor(t).max(), ROW_OF_TIES, [[0, 0.5, 0.5, 0]]),
    ("norm_inf", lambda t: ops.norm(t, float("inf"), dim=1).sum(), ROW_OF_TIES,
     [[0, 1, 0, 0]]),
    ("norm_minus_inf", lambda t: ops.norm(t, float("-inf"), dim=1).sum(),
     np.array([[1.0, -3.0, 3.0, 0.0], [0.5, 0.5, -2.0, 2.0]], np.float32),
     [[0, 0, 0, 0], [1, 0, 0, 0]]),
    ("max_pool2d", lambda t: ops.max_pool2d(t, 2, 1).sum(),
     np.array([[[[1.0, 3.0, 3.0], [2.0, 2.0, -1.0]]]], np.float32), [[[[0, 2, 0], [0, 0, 0]]]]),
    ("MaxPool1d", lambda t: nn.MaxPool1d(2, 1)(t).sum(),
     np.array([[[1.0, 3.0, 3.0, 2.0]]], np.float32), [[[0, 2, 1, 0]]]),
    ("adaptive_max_pool1d", lambda t: ops.adaptive_max_pool1d(t, 1).sum(),
     np.array([[[1.0, 3.0, 3.0, 2.0]]], np.float32), [[[0, 1, 0, 0]]]),
    ("max_pool3d", lambda t: ops.max_pool3d(t, 2, 1).sum(), np.ones((1, 1, 2, 2, 2), np.float32),
     np.eye(1, 8).reshape(1, 1, 2, 2, 2)),
    ("adaptive_max_pool2d", lambda t: ops.adaptive_max_pool2d(t, (1, 1)).sum(),
     np.ones((1, 1, 2, 2), np.float32), [[[[1, 0], [0, 0]]]]),
    ("adaptive_max_pool2d_row_major", lambda t: ops.adaptive_max_pool2d(t, 1).sum(),
     np.array([[[[0.0, 1.0], [1.0, 0.0]]]], np.float32), [[[[0, 1], [0, 0]]]]),
    ("AdaptiveMaxPool3d", lambda t: nn.AdaptiveMaxPool3d((1, 1, 1))(t).sum(),
     np.ones((1, 1, 2, 2, 2), np.float32), np.eye(1, 8).reshape(1, 1, 2, 2, 2)),
    ("tensor_max_along_an_axis", lambda t: Tensor(t).max(axis=1).sum(), ROW_OF_TIES,
     [[0, 1, 0, 0]]),
    ("tensor_min_along_an_axis", lambda t: Tensor(t).min(axis=1, keepdims=True).sum(),
     np.array([[1.0, 0.0, 0.0, 2.0]], np.float32), [[0, 1, 0, 0]]),
    ("cdist_inf_every_tie", lambda t: ops.cdist(t, np.array([[[0.0, 0.0, 0.5]]]),
                                                float("inf")).sum(),
     np.array([[[-1.0, 1.0, 0.0]]]), [[[-1, 1, 0]]]),
]


@pytest.mark.parametrize("fn, x, want", [c[1:] for c in TIES], ids=[c[0] for c in TIES])
def test_tied_maxima_get_the_gradient_as_mindspore_gives_it(fn, x, want):
    """Pooling, max with an axis and norm of order inf send it to the first of tied
    entries; amax and Tensor.max split it (both are MindSpore's, measured)."""
    np.testing.assert_allclose(ms.grad(fn)(x), want)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate"])
def test_a_negative_pad_width_crops_that_end(mode):
    """MindSpore's pad: (-1, 1, 0, -2) drops the first column and pads one after, and
    drops the last two rows (measured: [[1, 2, 3, 4, 0], [6, 7, 8, 9, 0]] in constant
    mode); the gradient of what is kept is its cotangent, zero where cropped."""
    x = np.arange(20, dtype=np.float64).reshape(1, 1, 4, 5)
    out = ops.pad(x, (-1, 1, 0, -2), mode)
    want = np.pad(x[:, :, :2, 1:], ((0, 0), (0, 0), (0, 0), (0, 1)),
                  mode={"constant": "constant", "reflect": "reflect", "replicate": "edge"}[mode])
    np.testing.assert_allclose(out, want)
    ms.check_grads(lambda v: ops.sum(ops.pad(v, (-1, 1, 0, -2), mode) ** 2), x,
                   generic=False)  # (a crop reads the shape when compiling)

"""``nn.MultiheadAttention``, ``nn.TransformerEncoderLayer``/``DecoderLayer``,
``nn.TransformerEncoder``/``Decoder`` and ``nn.Transformer``: outputs, input and
Parameter gradients, and Parameter names and shapes against MindSpore 2.7.1's on the
same draws (``data/mindspore_transformer.json``, written by
``data/measure_mindspore_transformer.py`` from ``transformer_cases``); gradients
against central finite differences in float64; a training step; dropout while
training; the refusals."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import transformer_cases
from differences import central_differences
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import AutodiffError, nn, ops
from autodiff_compiler.directional import vjp

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_transformer.json")
                      .read_text())


ours = measured_fixture(lambda: transformer_cases.measure(ms))


@pytest.mark.parametrize("key", sorted(MEASURED["values"]))
def test_matches_mindspore(ours, key):
    np.testing.assert_allclose(ours["values"][key], MEASURED["values"][key], rtol=2e-5,
                               atol=2e-6)


@pytest.mark.parametrize("case", sorted(MEASURED["params"]))
def test_parameter_names_and_shapes_are_mindspores(ours, case):
    assert ours["params"][case] == MEASURED["params"][case]


def test_every_case_is_measured(ours):
    assert set(ours["values"]) == set(MEASURED["values"])
    assert MEASURED["mindspore"] == "2.7.1"


# ---------------------------------------------------------------- finite differences

RNG = np.random.default_rng(3)
E, HEADS = 4, 2
CAUSAL = np.triu(np.ones((3, 3), bool), 1)
PADDING = np.array([[False, False, False, True, False], [False] * 5])


def f64(cell):
    """``cell`` (built in float64) with its Parameters drawn from ``RNG``."""
    for p in cell.trainable_params():
        p.set_data(0.5 * RNG.standard_normal(p.shape))
    return cell


F64 = {"dtype": ms.float64}


ATTENTION = {  # name: (layer, arguments' shapes, how it is called)
    "mha_seq_first": (lambda: nn.MultiheadAttention(E, HEADS, **F64),
                      [(3, 2, E), (5, 2, E), (5, 2, E)],
                      lambda c, q, k, v: c(q, k, v, key_padding_mask=PADDING)),
    "mha_batch_first_per_head": (lambda: nn.MultiheadAttention(E, HEADS, batch_first=True, **F64),
                                 [(2, 3, E), (2, 3, E), (2, 3, E)],
                                 lambda c, q, k, v: c(q, k, v, attn_mask=CAUSAL,
                                                      average_attn_weights=False)),
    "mha_unbatched_kdim_vdim": (lambda: nn.MultiheadAttention(E, HEADS, kdim=3, vdim=2, **F64),
                                [(3, E), (5, 3), (5, 2)],
                                lambda c, q, k, v: c(q, k, v, attn_mask=np.linspace(
                                    -1, 1, 15).reshape(3, 5))),
    "mha_bias_kv_zero_attn": (lambda: nn.MultiheadAttention(E, HEADS, add_bias_kv=True,
                                                            add_zero_attn=True, **F64),
                              [(3, 2, E), (5, 2, E), (5, 2, E)],
                              lambda c, q, k, v: c(q, k, v, key_padding_mask=PADDING)),
    "mha_no_bias_one_head": (lambda: nn.MultiheadAttention(E, 1, has_bias=False, **F64),
                             [(1, 1, E), (1, 1, E), (1, 1, E)],
                             lambda c, q, k, v: c(q, k, v)),
}


def weighted(outputs):
    return sum(np.sum(y * np.linspace(-1, 1, y.size).reshape(y.shape)) for y in outputs)


@pytest.mark.parametrize("name", sorted(ATTENTION))
def test_attention_gradients_match_finite_differences(name):
    make, shapes, call = ATTENTION[name]
    cell = f64(make())
    args = [RNG.standard_normal(shape) for shape in shapes]

    def loss(*xs):
        return weighted(call(cell, *xs))

    params = cell.trainable_params()
    gx, gp = ms.grad(loss, tuple(range(len(args))), params)(*args)
    for i, g in enumerate(gx):
        numeric = central_differences(
            lambda value, i=i: loss(*args[:i], value, *args[i + 1:]), args[i])
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)
    for p, g in zip(params, gp):
        numeric = central_differences(lambda: loss(*args), np.array(p), p.set_data)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8, err_msg=p.name)


LAYERS = {
    "encoder_post_ln": (lambda: nn.TransformerEncoderLayer(E, HEADS, 6, **F64), [(3, 2, E)],
                        lambda c, x: (c(x, src_mask=CAUSAL),)),
    "encoder_pre_ln_gelu_batch_first": (
        lambda: nn.TransformerEncoderLayer(E, HEADS, 6, activation="gelu", batch_first=True,
                                           norm_first=True, **F64),
        [(2, 5, E)], lambda c, x: (c(x, src_key_padding_mask=PADDING),)),
    "encoder_unbatched": (lambda: nn.TransformerEncoderLayer(E, HEADS, 6, **F64), [(3, E)],
                          lambda c, x: (c(x, src_mask=CAUSAL),)),
    "decoder_post_ln": (lambda: nn.TransformerDecoderLayer(E, HEADS, 6, **F64),
                        [(3, 2, E), (5, 2, E)],
                        lambda c, t, m: (c(t, m, tgt_mask=CAUSAL,
                                           memory_key_padding_mask=PADDING),)),
    "decoder_pre_ln_batch_first": (
        lambda: nn.TransformerDecoderLayer(E, HEADS, 6, batch_first=True, norm_first=True,
                                           activation=nn.GELU(), **F64),
        [(2, 3, E), (2, 5, E)], lambda c, t, m: (c(t, m, tgt_mask=CAUSAL),)),
    "transformer": (lambda: nn.Transformer(E, HEADS, 1, 1, 6, **F64), [(5, 2, E), (3, 2, E)],
                    lambda c, s, t: (c(s, t, tgt_mask=CAUSAL),)),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_layer_input_gradients_match_finite_differences(name):
    make, shapes, call = LAYERS[name]
    cell = f64(make())
    args = [RNG.standard_normal(shape) for shape in shapes]

    def loss(*xs):
        return weighted(call(cell, *xs))

    gx = ms.grad(loss, tuple(range(len(args))))(*args)
    gx = gx if isinstance(gx, tuple) else (gx,)  # one position: the array alone
    for i, g in enumerate(gx):
        numeric = central_differences(
            lambda value, i=i: loss(*args[:i], value, *args[i + 1:]), args[i])
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8)
    params = cell.trainable_params()
    gp = ms.grad(loss, None, params)(*args)
    for p, g in list(zip(params, gp))[::3]:  # every third Parameter: enough, and quick
        numeric = central_differences(lambda: loss(*args), np.array(p), p.set_data)
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-8, err_msg=p.name)


# ---------------------------------------------------------------- training


def test_a_transformer_encoder_classifier_learns_with_adam():
    class Classifier(nn.Cell):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2)
            self.head = nn.Dense(8, 3)

        def construct(self, x, padding):
            h = self.encoder(x, src_key_padding_mask=padding)
            return self.head(ops.mean(h, 1))

    np.random.seed(0)
    net = Classifier()
    net.set_train()
    x = ms.Tensor(np.random.standard_normal((6, 4, 8)).astype(np.float32))
    padding = ms.Tensor(np.arange(24).reshape(6, 4) % 4 == 3)
    labels = ms.Tensor(np.array([0, 1, 2, 0, 1, 2], np.int32))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = nn.Adam(net.trainable_params(), learning_rate=0.01)

    def forward(x, padding, labels):
        return loss_fn(net(x, padding), labels)

    grad_fn = ms.value_and_grad(forward, None, optimizer.parameters)
    losses = []
    for _ in range(30):
        loss, grads = grad_fn(x, padding, labels)
        optimizer(grads)
        losses.append(float(loss))
    net.set_train(False)
    assert float(forward(x, padding, labels)) < 0.5 * losses[0]
    assert len(net.trainable_params()) == 2 * 12 + 2


def test_dropout_while_training_draws_the_eager_mask_and_compiles():
    layer = nn.TransformerEncoderLayer(E, HEADS, 6, dropout=0.3)
    x = ms.Tensor(RNG.standard_normal((3, 2, E)).astype(np.float32))

    def loss(x):  # not the squares: a post-LN output's sum of squares is fixed
        return weighted((layer(x, src_mask=CAUSAL),))

    layer.set_train()
    assert layer.self_attn.training and layer.dropout1.training
    np.random.seed(5)
    eager = float(loss(x))
    np.random.seed(5)
    value, grad = ms.value_and_grad(loss)(x)
    assert float(value) == pytest.approx(eager, rel=1e-5)
    again = ms.value_and_grad(loss)(x)[0]
    assert float(again) != pytest.approx(eager, rel=1e-5)  # a new mask each call
    assert np.all(np.isfinite(grad)) and grad.shape == x.shape
    layer.set_train(False)
    off = ms.value_and_grad(loss)(x)
    np.testing.assert_allclose(float(off[0]), float(loss(x)), rtol=1e-6)
    np.testing.assert_array_equal(off[1], ms.value_and_grad(loss)(x)[1])


def test_attention_dropout_applies_to_the_weights_returned_while_training():
    attention = nn.MultiheadAttention(E, HEADS, dropout=0.5)
    x = RNG.standard_normal((3, 2, E)).astype(np.float32)
    np.testing.assert_allclose(attention(x, x, x)[1].sum(-1), 1.0, rtol=1e-6)
    attention.set_train()
    np.random.seed(1)
    weights = attention(x, x, x, average_attn_weights=False)[1]
    assert np.any(weights == 0) and np.any(weights > 1 / 3 * 2)


# ---------------------------------------------------------------- semantics and refusals


def test_outputs_need_weights_and_averaging():
    attention = nn.MultiheadAttention(E, HEADS)
    q, k = RNG.standard_normal((3, 2, E)), RNG.standard_normal((5, 2, E))
    out = attention(q, k, k, need_weights=False)
    assert isinstance(out, tuple) and len(out) == 1 and out[0].shape == (3, 2, E)
    per_head = attention(q, k, k, average_attn_weights=False)[1]
    averaged = attention(q, k, k)[1]
    assert per_head.shape == (2, HEADS, 3, 5) and averaged.shape == (2, 3, 5)
    np.testing.assert_allclose(averaged, per_head.mean(1), rtol=1e-12)
    unbatched = attention(q[:, 0], k[:, 0], k[:, 0], average_attn_weights=False)
    assert unbatched[0].shape == (3, E) and unbatched[1].shape == (HEADS, 3, 5)


def test_a_boolean_padding_mask_masks_beside_a_float_attention_mask():
    """MindSpore 2.7.1 adds a boolean key_padding_mask to a float attn_mask as 1.0; its
    documentation (True: ignore) is followed here."""
    attention = nn.MultiheadAttention(E, HEADS)
    q, k = RNG.standard_normal((3, 2, E)), RNG.standard_normal((5, 2, E))
    float_mask = np.linspace(-1, 1, 15).reshape(3, 5)
    mixed = attention(q, k, k, key_padding_mask=PADDING, attn_mask=float_mask)[1]
    additive = attention(q, k, k, key_padding_mask=np.where(PADDING, -np.inf, 0.0),
                         attn_mask=float_mask)[1]
    np.testing.assert_allclose(mixed, additive, rtol=1e-12)
    assert np.all(mixed[0, :, 3] == 0) and np.all(mixed[1] > 0)


def test_encoder_stacks_copies_of_a_new_layer():
    np.random.seed(2)
    layer = nn.TransformerEncoderLayer(E, HEADS, 6)
    encoder = nn.TransformerEncoder(layer, 3, nn.LayerNorm((E,)))
    first, second = (dict((p.name.split(".", 2)[2], p) for p in encoder.trainable_params()
                          if p.name.startswith(f"layers.{i}.")) for i in (0, 1))
    assert len(first) == 12 and first.keys() == second.keys()
    for name in first:
        np.testing.assert_array_equal(first[name], second[name])
        assert first[name] is not second[name]
    assert not any(np.shares_memory(p, layer.self_attn.in_proj_weight)
                   for p in encoder.trainable_params())
    assert encoder.trainable_params()[-1].name == "norm.beta"


def test_transformer_redraws_matrices_from_xavier_uniform():
    np.random.seed(4)
    model = nn.Transformer(8, 2, 1, 1, 16)
    dense = {p.name: p for p in model.trainable_params()}
    bound = np.sqrt(6 / (8 + 16))
    assert np.abs(dense["encoder.layers.0.dense1.weight"]).max() <= bound
    assert np.abs(dense["encoder.layers.0.dense1.weight"]).max() > 0.8 * bound
    np.testing.assert_array_equal(dense["encoder.layers.0.self_attn.in_proj_bias"], 0)
    np.testing.assert_array_equal(dense["decoder.norm.gamma"], 1)


@pytest.mark.parametrize("activation", ["relu", "gelu", "relu_cell", "gelu_cell", "ops_gelu"])
def test_activations_mindspore_documents(activation):
    given = {"relu_cell": nn.ReLU(), "gelu_cell": nn.GELU(), "ops_gelu": ops.gelu}.get(
        activation, activation)
    layer = nn.TransformerEncoderLayer(E, HEADS, 6, activation=given)
    x = RNG.standard_normal((3, 2, E)).astype(np.float32)
    assert ms.grad(lambda x: (layer(x) ** 2).sum())(x).shape == x.shape


@pytest.mark.parametrize("activation", ["tanh", "sigmoid_cell", "numpy_tanh", "number"])
def test_other_activations_are_mindspores_value_error(activation):
    given = {"sigmoid_cell": nn.Sigmoid(), "numpy_tanh": np.tanh, "number": 3}.get(
        activation, activation)
    with pytest.raises(ValueError, match="activation"):
        nn.TransformerEncoderLayer(E, HEADS, 6, activation=given)


def test_bad_settings_are_value_errors():
    with pytest.raises(ValueError, match="divisible"):
        nn.MultiheadAttention(6, 4)
    attention = nn.MultiheadAttention(E, HEADS)
    x = RNG.standard_normal((3, 2, E))
    with pytest.raises(ValueError, match="attn_mask` only support"):
        attention(x, x, x, attn_mask=np.zeros((3, 3), np.int32))
    with pytest.raises(ValueError, match="types of key_padding_mask"):
        attention(x, x, x, key_padding_mask=np.zeros((2, 3), np.int64))
    # inside a differentiated function: the same message, at the user's line
    with pytest.raises(AutodiffError, match="types of key_padding_mask") as info:
        ms.grad(lambda x: attention(x, x, x, key_padding_mask=np.zeros((2, 3), np.int64))[0]
                .sum())(x)
    assert "test_mindspore_transformer.py" in str(info.value)
    with pytest.raises(AutodiffError, match="2D or batched 3D"):
        ms.grad(lambda x: attention(x, x, x)[0].sum())(x[None])
    with pytest.raises(AutodiffError, match="key_padding_mask` must be `None` or 2D"):
        ms.grad(lambda x: attention(x, x, x, key_padding_mask=PADDING[0])[0].sum())(x)


def test_shape_generic_code_refuses_attention_at_the_users_line():
    attention = nn.MultiheadAttention(E, HEADS)

    def loss(x):
        return attention(x, x, x)[0].sum()

    with pytest.raises(AutodiffError, match="shape-generic") as info:
        vjp(loss, RNG.standard_normal((3, 2, E)), specialize=False)
    assert "test_mindspore_transformer.py" in str(info.value)
    assert "return attention(x, x, x)[0].sum()" in str(info.value)

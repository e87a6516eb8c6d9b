"""``nn.MultiheadAttention`` and the Transformer layers measured against MindSpore: one
definition, run by MindSpore (``data/measure_mindspore_transformer.py`` writes
``data/mindspore_transformer.json``) and by this package
(``test_mindspore_transformer.py``) on the same draws.

Each case builds a layer with MindSpore's defaults, in eval mode (dropout off), sets
every trainable Parameter by name from one shared stream of draws, and records its
outputs, the gradient of a weighted sum of them for every float input and every
Parameter (by name), and the Parameters' names and shapes."""
from __future__ import annotations

from typing import Any

import numpy as np

E, HEADS, FF = 4, 2, 6  # embedding width, heads, feed-forward width
L, S, N = 3, 5, 2  # target length, source length, batch


def masks(ms: Any) -> dict[str, Any]:
    """The masks the cases use, by name, as the library's Tensors."""
    tensor = ms.Tensor
    causal = np.triu(np.ones((L, L), bool), 1)
    padding = np.array([[False, False, False, True, True], [False] * 5])
    float_3d = np.linspace(-1.5, 1.0, N * HEADS * L * S).reshape(N * HEADS, L, S)
    return {
        "causal": tensor(causal),
        "causal_float": tensor(np.where(causal, -1e9, 0.0).astype(np.float32)),
        "padding": tensor(padding),
        "padding_float": tensor(np.where(padding, -2.0, 0.5).astype(np.float32)),
        "float_3d": tensor(float_3d.astype(np.float32)),
        "heads_3d": tensor(np.arange(HEADS * L * S).reshape(HEADS, L, S) % 4 == 1),
        "uint8": tensor((np.arange(L * S).reshape(L, S) % 3 == 2).astype(np.uint8)),
        "self_padding": tensor(np.array([[False, False, True], [False] * 3])),
        "unbatched_padding": tensor(np.array([False, True, False, False, False])),
    }


def measure(ms: Any) -> dict[str, Any]:
    """``{"values": {key: numbers}, "params": {case: [[name, shape], ...]}}`` computed
    with the library ``ms`` (``mindspore`` or ``autodiff_compiler``)."""
    nn, tensor = ms.nn, ms.Tensor
    rng = np.random.default_rng(7)
    m = masks(ms)
    values: dict[str, Any] = {}
    params: dict[str, list] = {}

    def draw(*shape: int) -> Any:
        return tensor(rng.standard_normal(shape).astype(np.float32))

    def case(name: str, cell: Any, inputs: tuple, call: Any) -> None:
        """``call(cell, *inputs)`` gives a tuple of outputs; every input is
        differentiated."""
        cell.set_train(False)
        trainable = cell.trainable_params()
        params[name] = [[p.name, list(p.shape)] for p in trainable]
        for p in sorted(trainable, key=lambda p: p.name):  # the same draws, by name
            p.set_data(tensor((0.5 * rng.standard_normal(p.shape)).astype(np.float32)))
        outputs = call(cell, *inputs)
        weights = [tensor(np.linspace(-1, 1, y.size).reshape(y.shape).astype(np.float32))
                   for y in outputs]

        def loss(*xs):
            return sum((y * w).sum() for y, w in zip(call(cell, *xs), weights))

        positions = tuple(range(len(inputs)))
        gx, gp = ms.value_and_grad(loss, positions, trainable)(*inputs)[1]
        gx = gx if isinstance(gx, tuple) else (gx,)  # one position: the array alone
        for i, y in enumerate(outputs):
            values[f"{name}.out{i}"] = y
        for i, g in enumerate(gx):
            values[f"{name}.gx{i}"] = g
        for p, g in zip(trainable, gp):
            values[f"{name}.g.{p.name}"] = g

    # MultiheadAttention: sequence first unless batch_first
    q, k, v = draw(L, N, E), draw(S, N, E), draw(S, N, E)
    x = draw(L, N, E)
    attention = nn.MultiheadAttention
    case("mha", attention(E, HEADS), (q, k, v), lambda c, q, k, v: c(q, k, v))
    case("mha_bool_masks_per_head", attention(E, HEADS), (x,), lambda c, x: c(
        x, x, x, key_padding_mask=m["self_padding"], attn_mask=m["causal"],
        average_attn_weights=False))
    case("mha_float_masks", attention(E, HEADS), (q, k, v), lambda c, q, k, v: c(
        q, k, v, key_padding_mask=m["padding_float"], attn_mask=m["float_3d"]))
    case("mha_uint8_mask", attention(E, HEADS), (q, k, v), lambda c, q, k, v: c(
        q, k, v, attn_mask=m["uint8"], key_padding_mask=m["padding"]))
    qb, kb, vb = draw(N, L, E), draw(N, S, 3), draw(N, S, 5)
    case("mha_kdim_vdim_batch_first", attention(E, HEADS, kdim=3, vdim=5, batch_first=True),
         (qb, kb, vb), lambda c, q, k, v: c(q, k, v, need_weights=False))
    case("mha_bias_kv_zero_attn", attention(E, HEADS, add_bias_kv=True, add_zero_attn=True),
         (q, k, v), lambda c, q, k, v: c(q, k, v, key_padding_mask=m["padding"],
                                         attn_mask=m["uint8"]))
    case("mha_no_bias_unbatched", attention(E, HEADS, has_bias=False),
         (q[:, 0], k[:, 0], v[:, 0]), lambda c, q, k, v: c(
             q, k, v, key_padding_mask=m["unbatched_padding"], attn_mask=m["heads_3d"],
             average_attn_weights=False))

    # the layers: post-LN and pre-LN, both layouts, boolean and float masks
    src, tgt, memory = draw(L, N, E), draw(L, N, E), draw(S, N, E)
    src_b, tgt_b, memory_b = (ms.ops.swapaxes(t, 0, 1) for t in (src, tgt, memory))
    encoder_layer = nn.TransformerEncoderLayer

    def encode(c, s):
        return (c(s, src_mask=m["causal"], src_key_padding_mask=m["self_padding"]),)

    case("encoder_layer", encoder_layer(E, HEADS, FF), (src,), encode)
    case("encoder_layer_norm_first_gelu_batch_first",
         encoder_layer(E, HEADS, FF, activation="gelu", batch_first=True, norm_first=True),
         (src_b,), lambda c, s: (c(s, src_mask=m["causal_float"]),))
    case("encoder_layer_ops_relu_unmasked", encoder_layer(E, HEADS, FF, activation=ms.ops.relu),
         (src,), lambda c, s: (c(s),))
    decoder_layer = nn.TransformerDecoderLayer

    def decode(c, t, mem):
        return (c(t, mem, tgt_mask=m["causal"], memory_key_padding_mask=m["padding"]),)

    case("decoder_layer", decoder_layer(E, HEADS, FF), (tgt, memory), decode)
    case("decoder_layer_norm_first_batch_first",
         decoder_layer(E, HEADS, FF, batch_first=True, norm_first=True), (tgt_b, memory_b),
         lambda c, t, mem: (c(t, mem, tgt_mask=m["causal"], memory_mask=m["uint8"],
                              tgt_key_padding_mask=m["self_padding"]),))
    case("encoder_2_layers_norm", nn.TransformerEncoder(
        encoder_layer(E, HEADS, FF), 2, nn.LayerNorm((E,), epsilon=1e-5)), (src,), encode)
    case("decoder_2_layers", nn.TransformerDecoder(decoder_layer(E, HEADS, FF), 2),
         (tgt, memory), decode)
    case("transformer", nn.Transformer(E, HEADS, 1, 1, FF), (memory, tgt),
         lambda c, s, t: (c(s, t, tgt_mask=m["causal"], src_key_padding_mask=m["padding"],
                            memory_key_padding_mask=m["padding"]),))
    case("transformer_batch_first_norm_first_gelu",
         nn.Transformer(E, HEADS, 2, 1, FF, activation="gelu", batch_first=True,
                        norm_first=True), (memory_b, tgt_b),
         lambda c, s, t: (c(s, t, tgt_mask=m["causal_float"]),))
    return {"values": {key: np.asarray(value.asnumpy(), np.float64).tolist()
                       for key, value in values.items()}, "params": params}

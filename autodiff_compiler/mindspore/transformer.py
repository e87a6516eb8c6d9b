"""MindSpore's Transformer layers: ``nn.TransformerEncoderLayer``,
``nn.TransformerDecoderLayer``, ``nn.TransformerEncoder``, ``nn.TransformerDecoder``
and ``nn.Transformer``, with ``nn.MultiheadAttention`` (``attention``); re-exported by
``nn``.

The layers are MindSpore 2.7.1's, Parameter by Parameter: an encoder layer holds
``self_attn``, ``dense1`` (d_model -> dim_feedforward), ``dense2`` and ``norm1``,
``norm2`` (``LayerNorm`` with ``epsilon=layer_norm_eps``); a decoder layer adds
``multihead_attn`` (attending to the encoder's ``memory``) and ``norm3``. With
``norm_first`` each block reads the normalised input and adds to the raw one (pre-LN);
without it the sum is normalised after each block (post-LN). ``dropout`` applies to the
attention weights, after the feed-forward activation and to each block's output, while
training only. MindSpore's ``TransformerEncoder(encoder_layer, num_layers)`` builds a
new layer with ``encoder_layer``'s settings (not its Parameters) and stacks
``num_layers`` copies of it, so every layer starts from the same values
(``layers.0.dense1.weight``...). ``nn.Transformer`` then redraws every Parameter of
more than one axis from XavierUniform, as MindSpore does.

``activation`` is ``"relu"`` or ``"gelu"`` (``ops.relu``, ``ops.gelu``: the exact,
erf form), those functions themselves, or an ``nn.ReLU``/``nn.GELU`` Cell, as
MindSpore's documentation lists them. (MindSpore 2.7.1 itself refuses the Cells: its
check that a callable is ``ops.relu`` or ``ops.gelu`` also catches Cells, which are
callable; we accept what it documents.)
"""
from __future__ import annotations

import copy
from typing import Any

from . import ops
from .attention import MultiheadAttention, _mask_kind
from .dtype import float32
from .initializer import initializer
from .layers import CellList, Dropout
from .nn import GELU, Cell, Dense, ReLU
from .normalization import LayerNorm

__all__ = ["MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer",
           "TransformerEncoder", "TransformerDecoder", "Transformer"]


def _activation(activation: Any) -> Any:
    """The feed-forward activation MindSpore documents: a name, a function or a Cell."""
    if isinstance(activation, str):
        functions = {"relu": ops.relu, "gelu": ops.gelu}
        if activation not in functions:
            raise ValueError(f"The activation must be relu/gelu, but get {activation}")
        return functions[activation]
    if isinstance(activation, Cell):
        if not isinstance(activation, ReLU | GELU):
            raise ValueError(f"The argument 'activation' must be nn.ReLU or nn.GELU "
                             f"instance, but get {activation}.")
        return activation
    if callable(activation):
        if activation is not ops.relu and activation is not ops.gelu:
            raise ValueError(f"The argument 'activation' must be ops.relu or ops.gelu "
                             f"instance, but get {activation}.")
        return activation
    raise ValueError(f"The argument 'activation' must be str, callable or Cell instance, "
                     f"but get {activation}.")


class _Layer(Cell):
    """What an encoder and a decoder layer share: the settings MindSpore keeps (read by
    ``TransformerEncoder``/``Decoder`` to build their copies) and the feed-forward
    block."""

    def _settings(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float,
                  activation: Any, layer_norm_eps: float, batch_first: bool,
                  norm_first: bool, dtype: Any) -> None:
        self.activation1 = activation  # as given, for the copies
        self.d_model, self.nhead, self.dim_feedforward = d_model, nhead, dim_feedforward
        self.dropout_num, self.layernorm_eps = dropout, layer_norm_eps
        self.batch_first, self.norm_first, self.dtype = batch_first, norm_first, dtype

    def _feed_forward(self, d_model: int, dim_feedforward: int, dropout: float,
                      dtype: Any) -> None:
        self.dense1 = Dense(d_model, dim_feedforward, dtype=dtype)
        self.dropout = Dropout(p=dropout)
        self.dense2 = Dense(dim_feedforward, d_model, dtype=dtype)

    def _feed(self, x: Any) -> Any:
        return self.dense2(self.dropout(self.activation(self.dense1(x))))


class TransformerEncoderLayer(_Layer):
    """Self-attention, then a feed-forward block, each with a residual connection and a
    ``LayerNorm`` (after the sum, or before the block with ``norm_first``)."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, dtype: Any = float32) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, dtype=dtype)
        self._feed_forward(d_model, dim_feedforward, dropout, dtype)
        self.norm1 = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
        self.norm2 = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
        self.dropout1 = Dropout(p=dropout)
        self.dropout2 = Dropout(p=dropout)
        self.activation = _activation(activation)
        self._settings(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                       batch_first, norm_first, dtype)

    def construct(self, src: Any, src_mask: Any = None,
                  src_key_padding_mask: Any = None) -> Any:
        if src_key_padding_mask is not None:
            _mask_kind(src_key_padding_mask.dtype, "key_padding_mask")
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Any, attn_mask: Any, key_padding_mask: Any) -> Any:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _ff_block(self, x: Any) -> Any:
        return self.dropout2(self._feed(x))


class TransformerDecoderLayer(_Layer):
    """Self-attention over the target, attention to ``memory``, then a feed-forward
    block; each with a residual connection and a ``LayerNorm``."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu",
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, dtype: Any = float32) -> None:
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                            batch_first=batch_first, dtype=dtype)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout,
                                                 batch_first=batch_first, dtype=dtype)
        self._feed_forward(d_model, dim_feedforward, dropout, dtype)
        self.norm1 = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
        self.norm2 = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
        self.norm3 = LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype)
        self.dropout1 = Dropout(p=dropout)
        self.dropout2 = Dropout(p=dropout)
        self.dropout3 = Dropout(p=dropout)
        self.activation = _activation(activation)
        self._settings(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                       batch_first, norm_first, dtype)

    def construct(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                  tgt_key_padding_mask: Any = None,
                  memory_key_padding_mask: Any = None) -> Any:
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask,
                                    memory_key_padding_mask)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x: Any, attn_mask: Any, key_padding_mask: Any) -> Any:
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x: Any, memory: Any, attn_mask: Any, key_padding_mask: Any) -> Any:
        x = self.multihead_attn(x, memory, memory, attn_mask=attn_mask,
                                key_padding_mask=key_padding_mask, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x: Any) -> Any:
        return self.dropout3(self._feed(x))


def _copies(layer: _Layer, num_layers: int) -> CellList:
    """``num_layers`` copies of a new layer with ``layer``'s settings, as MindSpore
    stacks them (all start equal; ``layer``'s own Parameters are not used)."""
    fresh = type(layer)(layer.d_model, layer.nhead, layer.dim_feedforward, layer.dropout_num,
                        layer.activation1, layer.layernorm_eps, layer.batch_first,
                        layer.norm_first, dtype=layer.dtype)
    return CellList([copy.deepcopy(fresh) for _ in range(num_layers)])


class TransformerEncoder(Cell):
    """``num_layers`` encoder layers in turn, then ``norm`` if given."""

    def __init__(self, encoder_layer: TransformerEncoderLayer, num_layers: int,
                 norm: Cell | None = None) -> None:
        super().__init__()
        self.layers = _copies(encoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm

    def construct(self, src: Any, src_mask: Any = None,
                  src_key_padding_mask: Any = None) -> Any:
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=src_mask,
                           src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Cell):
    """``num_layers`` decoder layers in turn, each attending to ``memory``, then
    ``norm`` if given."""

    def __init__(self, decoder_layer: TransformerDecoderLayer, num_layers: int,
                 norm: Cell | None = None) -> None:
        super().__init__()
        self.layers = _copies(decoder_layer, num_layers)
        self.num_layers, self.norm = num_layers, norm

    def construct(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                  tgt_key_padding_mask: Any = None,
                  memory_key_padding_mask: Any = None) -> Any:
        output = tgt
        for layer in self.layers:
            output = layer(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                           tgt_key_padding_mask=tgt_key_padding_mask,
                           memory_key_padding_mask=memory_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Cell):
    """An encoder over ``src`` and a decoder over ``tgt`` attending to its output; each
    ends in a ``LayerNorm``."""

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: Any = "relu",
                 custom_encoder: Cell | None = None, custom_decoder: Cell | None = None,
                 layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, dtype: Any = float32) -> None:
        super().__init__()
        settings = (d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                    batch_first, norm_first)
        self.encoder = custom_encoder if custom_encoder is not None else TransformerEncoder(
            TransformerEncoderLayer(*settings, dtype=dtype), num_encoder_layers,
            LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype))
        self.decoder = custom_decoder if custom_decoder is not None else TransformerDecoder(
            TransformerDecoderLayer(*settings, dtype=dtype), num_decoder_layers,
            LayerNorm((d_model,), epsilon=layer_norm_eps, dtype=dtype))
        for param in self.get_parameters():
            if param.ndim > 1:
                param.set_data(initializer("xavier_uniform", param.shape, param.dtype))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first

    def construct(self, src: Any, tgt: Any, src_mask: Any = None, tgt_mask: Any = None,
                  memory_mask: Any = None, src_key_padding_mask: Any = None,
                  tgt_key_padding_mask: Any = None,
                  memory_key_padding_mask: Any = None) -> Any:
        if src.ndim == 3 and src.shape[0 if self.batch_first else 1] \
                != tgt.shape[0 if self.batch_first else 1]:
            raise ValueError("The number of batch size for 'src' and 'tgt' must be equal.")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise ValueError("The number of features for 'src' and 'tgt' must be equal to "
                             "`d_model`.")
        memory = self.encoder(src, src_mask=src_mask, src_key_padding_mask=src_key_padding_mask)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask)

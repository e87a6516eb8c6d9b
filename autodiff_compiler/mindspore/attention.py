"""MindSpore's ``nn.MultiheadAttention``; re-exported by ``nn`` (through ``transformer``).

The Parameters are MindSpore 2.7.1's, by name, shape and first values: with the keys'
and values' widths equal to ``embed_dim``, one ``in_proj_weight`` (3 E, E) holding the
query, key and value projections in that order (XavierUniform); otherwise
``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim).
``in_proj_bias`` (3 E) starts at zero, ``out_proj`` is a ``Dense`` with ``Dense``'s
defaults, and ``add_bias_kv`` adds ``bias_k``/``bias_v`` (1, 1, E), XavierNormal, each
appended to the keys and values as one more source position.

``construct`` is plain NumPy, compiled like any Cell. It works batch first inside:
heads are split as (N, heads, L, head_dim), so each product is one batched ``matmul``.
The query and the key are each divided by ``head_dim ** 0.25`` before their product,
as MindSpore divides them (the same maths as one ``sqrt(head_dim)``, with its
rounding). Masks are added to the scores before the softmax: a float mask as it is, a
boolean (or uint8) one as ``-inf`` where it holds; ``attn_mask`` is (L, S) or
(N * heads, L, S), ``key_padding_mask`` (N, S) (unbatched: (S,)). While training,
``dropout`` drops attention weights after the softmax, and the weights returned are
those; they are averaged over the heads unless ``average_attn_weights=False``. With
``need_weights=False`` the result is a 1-tuple ``(attn_output,)``, as MindSpore
returns it (not PyTorch's ``(out, None)``).

Where MindSpore 2.7.1 differs from its documentation we follow the documentation:
its kernel adds a *boolean* ``key_padding_mask`` to a *float* ``attn_mask`` as 1.0
(masking nothing), and with a boolean ``attn_mask`` it treats a float
``key_padding_mask`` as boolean (any non-zero masks). Here each mask is turned into
its additive form on its own, then both are added. A row masked entirely is NaN in
both libraries (the softmax of only ``-inf``); no gradient is defined there.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops_nn, ops_state
from .dtype import float32
from .initializer import XavierNormal, XavierUniform, initializer
from .nn import Cell, Dense
from .ops_scatter import known_shape
from .tensor import Parameter

__all__ = ["MultiheadAttention"]

# Whether the inputs are batched is read from their rank, which shape-generic code
# learns only at run time: there the layer is refused, at the call.
_NEEDS_RANK = "nn.MultiheadAttention (whether its inputs are batched, from their rank)"


class MultiheadAttention(Cell):
    """``Concat(head_1, ..., head_h) W_out``, ``head_i = softmax(q_i k_i^T /
    sqrt(head_dim) + mask) v_i`` over projected queries, keys and values."""

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0,
                 has_bias: bool = True, add_bias_kv: bool = False,
                 add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False,
                 dtype: Any = float32) -> None:
        super().__init__()
        dtype = float32 if dtype is None else dtype
        self.embed_dim, self.num_heads = embed_dim, num_heads
        self.kdim = embed_dim if kdim is None else kdim
        self.vdim = embed_dim if vdim is None else vdim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.dropout, self.batch_first = dropout, batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise ValueError("The init argument 'embed_dim' must be divisible by 'num_heads'.")
        if not 0 <= dropout < 1:
            raise ValueError(f"For 'MultiheadAttention', dropout must be in [0, 1), "
                             f"not {dropout}")
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(initializer(
                XavierUniform(), (3 * embed_dim, embed_dim), dtype), name="in_proj_weight")
            self.q_proj_weight = self.k_proj_weight = self.v_proj_weight = None
        else:
            self.q_proj_weight = Parameter(initializer(
                XavierUniform(), (embed_dim, embed_dim), dtype), name="q_proj_weight")
            self.k_proj_weight = Parameter(initializer(
                XavierUniform(), (embed_dim, self.kdim), dtype), name="k_proj_weight")
            self.v_proj_weight = Parameter(initializer(
                XavierUniform(), (embed_dim, self.vdim), dtype), name="v_proj_weight")
            self.in_proj_weight = None
        self.in_proj_bias = Parameter(initializer("zeros", (3 * embed_dim,), dtype),
                                      name="in_proj_bias") if has_bias else None
        self.out_proj = Dense(embed_dim, embed_dim, has_bias=has_bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(initializer(XavierNormal(), (1, 1, embed_dim), dtype),
                                    name="bias_k")
            self.bias_v = Parameter(initializer(XavierNormal(), (1, 1, embed_dim), dtype),
                                    name="bias_v")
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn

    def construct(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None,
                  need_weights: bool = True, attn_mask: Any = None,
                  average_attn_weights: bool = True) -> tuple:
        batched = _check_ranks(len(known_shape(query, _NEEDS_RANK)), key.ndim, value.ndim,
                               None if key_padding_mask is None else key_padding_mask.ndim,
                               None if attn_mask is None else attn_mask.ndim)
        if not batched:  # one sequence: a batch of one, batch first
            query, key, value = query[None], key[None], value[None]
            if key_padding_mask is not None:
                key_padding_mask = key_padding_mask[None]
        elif not self.batch_first:
            query, key, value = (np.swapaxes(query, 0, 1), np.swapaxes(key, 0, 1),
                                 np.swapaxes(value, 0, 1))
        q, k, v = self._project(query, key, value)
        if self.bias_k is not None:  # one more source position, for every sequence
            k = np.concatenate([k, np.broadcast_to(self.bias_k[0], k[:, :1].shape)], axis=1)
            v = np.concatenate([v, np.broadcast_to(self.bias_v[0], v[:, :1].shape)], axis=1)
        heads = self.num_heads
        q, k, v = _split_heads(q, heads), _split_heads(k, heads), _split_heads(v, heads)
        if self.add_zero_attn:  # and one of zeros, per head
            k = np.concatenate([k, np.zeros_like(k[:, :, :1])], axis=2)
            v = np.concatenate([v, np.zeros_like(v[:, :, :1])], axis=2)
        scale = self.head_dim ** 0.25
        scores = np.matmul(q / scale, np.swapaxes(k / scale, -1, -2))  # (N, heads, L, S)
        if attn_mask is not None:
            mask = self._padded(_additive(attn_mask, scores.dtype, "attn_mask"))
            if mask.ndim == 3:  # (N * heads, L, S)
                mask = mask.reshape(scores.shape)
            scores = scores + mask
        if key_padding_mask is not None:
            mask = self._padded(_additive(key_padding_mask, scores.dtype,
                                          "key_padding_mask"))
            scores = scores + mask[:, None, None, :]
        weights = ops_nn.softmax(scores, -1)
        weights = ops_state.dropout(weights, self.dropout, self.training)
        out = np.swapaxes(np.matmul(weights, v), 1, 2)  # (N, L, heads, head_dim)
        out = self.out_proj(out.reshape(out.shape[0], out.shape[1], self.embed_dim))
        if average_attn_weights:
            weights = np.sum(weights, axis=1) / heads
        if not batched:
            out, weights = out[0], weights[0]
        elif not self.batch_first:
            out = np.swapaxes(out, 0, 1)
        if need_weights:
            return out, weights
        return (out,)

    def _padded(self, mask: Any) -> Any:
        """A mask over the sources with the positions ``bias_k`` and ``add_zero_attn``
        append, never masked."""
        if self.bias_k is not None:
            mask = _one_more(mask)
        if self.add_zero_attn:
            mask = _one_more(mask)
        return mask

    def _project(self, query: Any, key: Any, value: Any) -> tuple:
        """The queries, keys and values through their projections (N, length, E)."""
        e, b = self.embed_dim, self.in_proj_bias
        if self._qkv_same_embed_dim:
            w = self.in_proj_weight
            w_q, w_k, w_v = w[:e], w[e:2 * e], w[2 * e:]
        else:
            w_q, w_k, w_v = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
        if b is None:
            return (ops_nn.dense(query, w_q), ops_nn.dense(key, w_k),
                    ops_nn.dense(value, w_v))
        return (ops_nn.dense(query, w_q, b[:e]), ops_nn.dense(key, w_k, b[e:2 * e]),
                ops_nn.dense(value, w_v, b[2 * e:]))


def _split_heads(x: Any, heads: int) -> Any:
    """(N, length, E) as (N, heads, length, E / heads)."""
    return np.swapaxes(x.reshape(x.shape[0], x.shape[1], heads, -1), 1, 2)


def _additive(mask: Any, dtype: Any, name: str) -> Any:
    """What a mask adds to the scores: a boolean (or uint8) one ``-inf`` where it holds
    and 0 elsewhere, a float one itself; in the scores' dtype."""
    kind = _mask_kind(mask.dtype, name)
    if kind == "bool":
        return np.where(mask, -np.inf, 0.0).astype(dtype)
    return mask.astype(dtype)


def _one_more(mask: Any) -> Any:
    """The mask with one source position more (never masked) on its last axis."""
    return np.concatenate([mask, np.zeros_like(mask[..., :1])], axis=-1)


def _mask_kind(dtype: Any, name: str) -> str:
    """``"bool"`` or ``"float"``: how a mask of ``dtype`` is read; other dtypes are
    MindSpore's ValueError."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_ or (dtype == np.uint8 and name == "attn_mask"):
        return "bool"
    if np.issubdtype(dtype, np.floating):
        return "float"
    if name == "attn_mask":
        raise ValueError(f"`attn_mask` only support float, byte, and bool types, but got "
                         f"not {dtype}.")
    raise ValueError(f"only bool and floating types of {name} are supported, not {dtype}")


def _check_ranks(query: int, key: int, value: int, key_padding_mask: int | None,
                 attn_mask: int | None) -> bool:
    """Whether the inputs are batched, from their ranks; MindSpore's ValueError when
    they do not fit together."""
    if query not in (2, 3):
        raise ValueError(f"The `query` should be unbatched 2D or batched 3D tensor, but got "
                         f"`query` with {query}D.")
    batched = query == 3
    if key != query or value != query:
        raise ValueError(f"For {'batched' if batched else 'unbatched'} `query`, the `key` and "
                         f"`value` must be {query}D tensor, but got `key` with {key}D and "
                         f"`value` with {value}D.")
    if key_padding_mask is not None and key_padding_mask != query - 1:
        raise ValueError(f"For {'batched' if batched else 'unbatched'} `query`, the "
                         f"`key_padding_mask` must be `None` or {query - 1}D, but got "
                         f"`key_padding_mask` with {key_padding_mask}D.")
    if attn_mask is not None and attn_mask not in (2, 3):
        raise ValueError(f"The `attn_mask` must be `None`, 2-D or 3-D, but got `attn_mask` "
                         f"with {attn_mask}D.")
    return batched


_mask_kind.__evaluated_when_compiling__ = True  # pure functions of values known then
_check_ranks.__evaluated_when_compiling__ = True

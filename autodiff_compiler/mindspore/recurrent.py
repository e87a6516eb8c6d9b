"""MindSpore's recurrent layers: ``nn.RNN``, ``nn.LSTM``, ``nn.GRU`` and their one-step
cells ``nn.RNNCell``, ``nn.LSTMCell``, ``nn.GRUCell``; re-exported by ``nn``.

The equations, the gate order and the Parameters are MindSpore's (and PyTorch's):
``weight_ih_l{k}`` (gates x input), ``weight_hh_l{k}`` (gates x hidden), ``bias_ih_l{k}``,
``bias_hh_l{k}``, with ``_reverse`` for the backward direction, listed weights first,
then layer by layer and direction by direction; every one drawn from
``U(-1/sqrt(hidden), 1/sqrt(hidden))``. An LSTM's gates are input, forget, cell and
output; a GRU's reset, update and new, the reset gate applied to the hidden part of
the new gate. A layer runs over time as a Python loop, which the compiler reads like
the user's code (its steps written into one output array, so it compiles to a loop
rather than a copy of the step per time step); the backward direction runs the same
loop on the sequence reversed.
``seq_length``: steps past each sequence's length leave the state as it was and output
zeros; the backward direction starts each sequence at its own last step (MindSpore
2.7.1's outputs and final states, measured on a bidirectional LSTM).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..ir.reference import sigmoid
from . import ops_state
from .dtype import float32
from .initializer import Uniform, initializer
from .nn import Cell
from .tensor import Parameter, Tensor


def rnn_tanh_step(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
    return np.tanh(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh))


def rnn_relu_step(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
    pre = _affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh)
    return np.where(pre > 0, pre, 0.0)


def lstm_step(x: Any, state: tuple, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> tuple:
    h, c = state
    i, f, g, o = np.split(_affine(x, w_ih, b_ih) + _affine(h, w_hh, b_hh), 4, axis=-1)
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def gru_step(x: Any, h: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
    x_r, x_z, x_n = np.split(_affine(x, w_ih, b_ih), 3, axis=-1)
    h_r, h_z, h_n = np.split(_affine(h, w_hh, b_hh), 3, axis=-1)
    r, z = sigmoid(x_r + h_r), sigmoid(x_z + h_z)
    n = np.tanh(x_n + r * h_n)
    return (1.0 - z) * n + z * h


def _affine(x: Any, w: Any, b: Any) -> Any:
    out = x @ w.T
    return out if b is None else out + b


class _Recurrent(Cell):
    """The stacked, optionally bidirectional, recurrent layer; ``gates`` blocks of
    ``hidden_size`` rows per weight, and ``step`` the one-step function."""

    gates = 1
    has_cell_state = False

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 has_bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, dtype: Any = float32) -> None:
        super().__init__()
        if not 0 <= dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), not {dropout}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.has_bias, self.batch_first, self.dropout = has_bias, batch_first, dropout
        self.bidirectional = bidirectional
        self.num_directions = 2 if bidirectional else 1
        names = [f"l{k}{'_reverse' if d else ''}" for k in range(num_layers)
                 for d in range(self.num_directions)]
        rows, init = self.gates * hidden_size, Uniform(1 / math.sqrt(hidden_size))
        inputs = [input_size if k == 0 else hidden_size * self.num_directions
                  for k in range(num_layers) for _ in range(self.num_directions)]
        kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if has_bias else \
            ("weight_ih", "weight_hh")
        for kind in kinds:
            for name, n_in in zip(names, inputs):
                shape = {"weight_ih": (rows, n_in), "weight_hh": (rows, hidden_size)}.get(
                    kind, (rows,))
                setattr(self, f"{kind}_{name}", Parameter(initializer(init, shape, dtype),
                                                          name=f"{kind}_{name}"))
        # Per layer and direction: (w_ih, w_hh, b_ih, b_hh), read in that order.
        self.layer_weights = [tuple(getattr(self, f"{kind}_{name}", None) for kind in
                              ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
                        for name in names]

    def step(self, x: Any, state: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
        raise NotImplementedError

    def construct(self, x: Any, hx: Any = None, seq_length: Any = None) -> Any:
        if self.batch_first:
            x = np.swapaxes(x, 0, 1)  # time first
        layers, directions = self.num_layers, self.num_directions
        size = (layers * directions, x.shape[1], self.hidden_size)
        if hx is None:
            h0 = np.zeros(size, x.dtype)
            c0 = np.zeros(size, x.dtype)
        elif self.has_cell_state:
            h0, c0 = hx
        else:
            h0, c0 = hx, None
        last_h, last_c = [], []
        for layer in range(layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                state = (h0[index], c0[index]) if self.has_cell_state else h0[index]
                if direction:  # backwards: each sequence from its own last step
                    order = None if seq_length is None else \
                        _reversed_within(x.shape[0], seq_length)
                    sequence = x[::-1] if order is None else _steps(x, order)
                else:
                    sequence = x
                out, state = self._over_time(sequence, state, self.layer_weights[index],
                                             seq_length)
                if direction:  # back in time order (the reordering is its own inverse)
                    out = out[::-1] if order is None else _steps(out, order)
                outputs.append(out)
                last_h.append(state[0] if self.has_cell_state else state)
                if self.has_cell_state:
                    last_c.append(state[1])
            x = np.concatenate(outputs, axis=-1) if directions == 2 else outputs[0]
            if self.dropout and layer < layers - 1:
                x = ops_state.dropout(x, self.dropout, self.training)
        output = np.swapaxes(x, 0, 1) if self.batch_first else x
        if self.has_cell_state:
            return output, (np.stack(last_h), np.stack(last_c))
        return output, np.stack(last_h)


    def _over_time(self, sequence: Any, state: Any, weights: tuple, seq_length: Any) -> tuple:
        """The outputs at every step (time first) and the last state. The first step
        gives the outputs' shape and dtype; the rest is a loop that writes each step's
        output in place, which compiles to one loop (whatever the sequence's length),
        where appending to a list would be unrolled, one copy of the body per step."""
        state, y = self._advance(sequence[0], state, weights, seq_length, 0)
        out = Tensor(np.zeros((sequence.shape[0], *y.shape), y.dtype))  # (a Tensor eagerly)
        out[0] = y
        if self.has_cell_state:  # (a loop carries arrays, not a tuple of them)
            h, c = state
            for t in range(1, sequence.shape[0]):
                (h, c), y = self._advance(sequence[t], (h, c), weights, seq_length, t)
                out[t] = y
            return out, (h, c)
        for t in range(1, sequence.shape[0]):
            state, y = self._advance(sequence[t], state, weights, seq_length, t)
            out[t] = y
        return out, state

    def _advance(self, x: Any, state: Any, weights: tuple, seq_length: Any, t: Any) -> tuple:
        """One step: the new state and the step's output (past a sequence's length,
        the old state and zeros)."""
        new = self.step(x, state, *weights)
        if seq_length is not None:
            return _masked(new, state, t < seq_length, self.has_cell_state)
        return new, new[0] if self.has_cell_state else new


def _reversed_within(steps: int, lengths: Any) -> Any:
    """For each step and sequence, the step the backward direction reads there: the
    sequence's own steps last to first, then its padding where it was."""
    t = np.arange(steps)[:, None]
    return np.where(t < lengths, lengths - 1 - t, t)


def _steps(x: Any, order: Any) -> Any:
    """``x`` (time, batch, features) with each sequence's steps taken in ``order``."""
    return np.take_along_axis(x, np.expand_dims(order, -1), axis=0)


def _masked(new: Any, old: Any, valid: Any, with_cell: bool) -> tuple:
    """The state after a step where ``valid`` (per sequence) holds, the old one
    elsewhere; the output, zeros where not valid."""
    keep = np.expand_dims(valid, -1)
    if with_cell:
        state = (np.where(keep, new[0], old[0]), np.where(keep, new[1], old[1]))
        return state, np.where(keep, new[0], 0.0)
    return np.where(keep, new, old), np.where(keep, new, 0.0)


class RNN(_Recurrent):
    """``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (``nonlinearity="relu"``: relu)."""

    def __init__(self, *args: Any, nonlinearity: str = "tanh", **kwargs: Any) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
        super().__init__(*args, **kwargs)
        self.nonlinearity = nonlinearity

    def step(self, x: Any, state: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
        if self.nonlinearity == "relu":
            return rnn_relu_step(x, state, w_ih, w_hh, b_ih, b_hh)
        return rnn_tanh_step(x, state, w_ih, w_hh, b_ih, b_hh)


class LSTM(_Recurrent):
    gates = 4
    has_cell_state = True

    def step(self, x: Any, state: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
        return lstm_step(x, state, w_ih, w_hh, b_ih, b_hh)


class GRU(_Recurrent):
    gates = 3

    def step(self, x: Any, state: Any, w_ih: Any, w_hh: Any, b_ih: Any, b_hh: Any) -> Any:
        return gru_step(x, state, w_ih, w_hh, b_ih, b_hh)


class _StepCell(Cell):
    """One step of a recurrent layer: ``weight_ih``, ``weight_hh``, ``bias_ih``,
    ``bias_hh``."""

    gates = 1

    def __init__(self, input_size: int, hidden_size: int, has_bias: bool = True,
                 dtype: Any = float32) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.has_bias = input_size, hidden_size, has_bias
        rows, init = self.gates * hidden_size, Uniform(1 / math.sqrt(hidden_size))
        self.weight_ih = Parameter(initializer(init, (rows, input_size), dtype),
                                   name="weight_ih")
        self.weight_hh = Parameter(initializer(init, (rows, hidden_size), dtype),
                                   name="weight_hh")
        self.bias_ih = Parameter(initializer(init, (rows,), dtype), name="bias_ih") \
            if has_bias else None
        self.bias_hh = Parameter(initializer(init, (rows,), dtype), name="bias_hh") \
            if has_bias else None


class RNNCell(_StepCell):
    def __init__(self, input_size: int, hidden_size: int, has_bias: bool = True,
                 nonlinearity: str = "tanh", dtype: Any = float32) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', not {nonlinearity!r}")
        super().__init__(input_size, hidden_size, has_bias, dtype)
        self.nonlinearity = nonlinearity

    def construct(self, x: Any, hx: Any) -> Any:
        step = rnn_relu_step if self.nonlinearity == "relu" else rnn_tanh_step
        return step(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class LSTMCell(_StepCell):
    gates = 4

    def construct(self, x: Any, hx: Any) -> tuple:
        return lstm_step(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


class GRUCell(_StepCell):
    gates = 3

    def construct(self, x: Any, hx: Any) -> Any:
        return gru_step(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)


LAYERS = ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"]
__all__ = LAYERS

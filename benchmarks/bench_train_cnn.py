"""Benchmark a training step of the digits CNN written as MindSpore writes it against the
same step written by hand in NumPy.

Run from the repository root::

    python benchmarks/bench_train_cnn.py            # full run, ~10 s
    python benchmarks/bench_train_cnn.py --quick    # seconds-long smoke run (CI)
    python benchmarks/bench_train_cnn.py --source   # also print the generated code

The network is examples/digits_training.py's: two 3x3 ``same`` convolutions (1 -> 16 ->
32 channels) each followed by ReLU and 2x2 max pooling, then a dense layer (128 -> 10),
on a batch of 32 float32 8x8 images, mean softmax cross-entropy against class labels.
The step is the example's ``value_and_grad(forward_fn, None, optimizer.parameters,
has_aux=True)`` then ``optimizer(grads)``, with ``nn.SGD`` (learning rate 0.01) as in
bench_train_step.py, so that the optimizer's own cost stays small and the same on both
sides (the example trains with Adam). The hand-written step is what an expert writes:
im2col through ``sliding_window_view`` and one ``tensordot`` per convolution (its input
gradient a correlation with the flipped kernel), pooling by reshaping into 2x2 blocks,
the update in place; no Python loop over pixels. PyTorch eager is timed where it is
installed. Before timing, one step of each from the same weights must give the same loss
and new weights (float32: rtol 1e-4).
"""
from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import harness
import numpy as np
from bench_train_step import LR, tutorial_step
from harness import Suite
from numpy.lib.stride_tricks import sliding_window_view

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from digits_training import CNN

BATCH = 32


def make_inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, 1, 8, 8), dtype=np.float32)
    return x, rng.integers(0, 10, BATCH).astype(np.int32)


def mindspore_step(seed: int = 0) -> tuple[Any, list[Any], Any]:
    """The example's train_step (with SGD), its Parameters, and its gradient function."""
    np.random.seed(seed)
    model = CNN()
    train_step, grad_fn = tutorial_step(model)
    return train_step, list(model.trainable_params()), grad_fn


def _conv(x: np.ndarray, k: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A 'same' 3x3 convolution of NCHW ``x`` with ``k`` (O, C, 3, 3) plus ``c``: the
    padded input's windows (a view), contracted with the kernel in one tensordot (which
    copies them into the im2col matrix). The output and the windows, for the backward."""
    cols = sliding_window_view(np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1))), (3, 3),
                               axis=(2, 3))  # (N, C, H, W, 3, 3)
    out = np.tensordot(cols, k, axes=([1, 4, 5], [1, 2, 3]))  # (N, H, W, O)
    out += c
    return out.transpose(0, 3, 1, 2), cols


def _conv_input_grad(d: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The gradient of a 'same' 3x3 convolution's input: ``d`` (N, O, H, W) correlated
    with the kernel flipped in space, channels swapped."""
    cols = sliding_window_view(np.pad(d, ((0, 0), (0, 0), (1, 1), (1, 1))), (3, 3),
                               axis=(2, 3))  # (N, O, H, W, 3, 3)
    return np.tensordot(cols, k[:, :, ::-1, ::-1], axes=([1, 4, 5], [0, 2, 3])
                        ).transpose(0, 3, 1, 2)


def _pool(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """2x2 max pooling, stride 2: the maxima and the blocks (N, C, H/2, 2, W/2, 2)."""
    n, c, height, width = h.shape
    blocks = h.reshape(n, c, height // 2, 2, width // 2, 2)
    return blocks.max(axis=(3, 5)), blocks


def _pool_grad(d: np.ndarray, pooled: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Each block's gradient to its maximum, split evenly between tied maxima."""
    hit = blocks == pooled[:, :, :, None, :, None]
    share = d / hit.sum(axis=(3, 5))
    grad = hit * share[:, :, :, None, :, None]
    return grad.reshape(blocks.shape[0], blocks.shape[1], blocks.shape[2] * 2, -1)


def hand_step(weights: list[np.ndarray]) -> Any:
    """The same step by hand: forward, backpropagation, SGD in place. ``weights`` are
    the kernels (O, C, 3, 3) and biases of the two convolutions, then the dense layer's
    (10, 128) weight and bias, in the Cell's order."""
    k1, c1, k2, c2, w3, b3 = weights
    lr = np.float32(LR)

    def step(data, label):
        a1, cols1 = _conv(data, k1, c1)
        h1 = np.maximum(a1, 0)
        p1, blocks1 = _pool(h1)
        a2, cols2 = _conv(p1, k2, c2)
        h2 = np.maximum(a2, 0)
        p2, blocks2 = _pool(h2)
        f = p2.reshape(len(data), -1)
        z = f @ w3.T + b3
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        rows = np.arange(len(label))
        loss = -np.mean(np.log(p[rows, label]))
        p[rows, label] -= 1
        p *= np.float32(1.0 / len(label))
        d2 = _pool_grad((p @ w3).reshape(p2.shape), p2, blocks2)
        d2 *= a2 > 0
        d1 = _pool_grad(_conv_input_grad(d2, k2), p1, blocks1)
        d1 *= a1 > 0
        w, b = w3, b3  # (updated in place: names of the step's own)
        w -= lr * (p.T @ f)
        b -= lr * p.sum(axis=0)
        for k, c, d, cols in ((k2, c2, d2, cols2), (k1, c1, d1, cols1)):
            k -= lr * np.tensordot(d, cols, axes=([0, 2, 3], [0, 2, 3]))
            c -= lr * d.sum(axis=(0, 2, 3))
        return loss

    return step


def check(data: np.ndarray, label: np.ndarray) -> None:
    """One step of each from the same weights gives the same loss and new weights."""
    step, params, _ = mindspore_step()
    before = [np.array(p, copy=True) for p in params]
    loss = step(data, label)
    hand_loss = hand_step(before)(data, label)
    harness.assert_same("loss", float(loss), float(hand_loss), 1e-5)
    for p, h in zip(params, before):
        harness.assert_same(f"updated {p.name}", np.asarray(p), h, 1e-4, 1e-6)


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    data, label = make_inputs()
    check(data, label)
    step, params, grad_fn = mindspore_step()
    hand = hand_step([np.array(p, copy=True) for p in params])
    suite = Suite(
        name="bench_train_cnn", cases=[], baseline="hand",
        namespace={"step": step, "hand": hand, "data": data, "label": label},
        source=grad_fn.source(data, label),
        notes=[f"digits CNN: conv 3x3 1->16, ReLU, maxpool 2, conv 3x3 16->32, ReLU, "
               f"maxpool 2, dense 128->10; batch {BATCH} of 1x8x8, float32, "
               "cross-entropy, SGD"])
    suite.case("hand", "(a) hand-written NumPy step", "hand(data, label)")
    suite.case("mindspore", "(b) value_and_grad + nn.SGD, as MindSpore writes it",
               "step(data, label)")
    harness.add_torch_step(suite, _torch_model, data, label, LR)
    return suite


def _torch_model(tnn: Any) -> Any:
    """The same network in PyTorch."""
    return tnn.Sequential(tnn.Conv2d(1, 16, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2, 2),
                          tnn.Conv2d(16, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2, 2),
                          tnn.Flatten(), tnn.Linear(128, 10))


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_train_cnn", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

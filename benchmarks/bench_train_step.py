"""Benchmark a whole training step written as MindSpore writes it against the same step
written by hand in NumPy.

Run from the repository root::

    python benchmarks/bench_train_step.py            # full run, ~10 s
    python benchmarks/bench_train_step.py --quick    # seconds-long smoke run (CI)

The workload is MindSpore's quick-start network: 784 → 512 → 512 → 10 with ReLU, a
batch of 64 float32 images, mean softmax cross-entropy against class labels, and an SGD
step (learning rate 0.01). The MindSpore-style step is ``value_and_grad(forward_fn,
None, optimizer.parameters, has_aux=True)`` then ``optimizer(grads)`` with ``nn.SGD``
(it includes the Tensor conversions at the API's edges). The hand-written step does
the forward pass, backpropagation and the update in place, as an expert writes it.
PyTorch eager (``loss.backward(); optimizer.step()``) is timed where it is installed.
Before timing, one step of each from the same weights must give the same new weights
(float32: rtol 1e-4).
"""
from __future__ import annotations

import contextlib
import sys
from typing import Any

import harness
import numpy as np
from harness import Suite

import autodiff_compiler as mindspore
from autodiff_compiler import nn

BATCH, SIZES, LR = 64, (784, 512, 512, 10), 0.01


class Network(nn.Cell):
    """MindSpore's quick-start MLP."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.dense_relu_sequential = nn.SequentialCell(
            nn.Dense(SIZES[0], SIZES[1]), nn.ReLU(), nn.Dense(SIZES[1], SIZES[2]), nn.ReLU(),
            nn.Dense(SIZES[2], SIZES[3]))

    def construct(self, x):
        return self.dense_relu_sequential(self.flatten(x))


def make_inputs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    return x, rng.integers(0, SIZES[-1], BATCH).astype(np.int32)


def tutorial_step(model: nn.Cell) -> tuple[Any, Any]:
    """MindSpore's training step for ``model`` as its tutorials write it (cross-entropy,
    ``nn.SGD``), and the gradient function inside it."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = nn.SGD(model.trainable_params(), learning_rate=LR)

    def forward_fn(data, label):
        logits = model(data)
        return loss_fn(logits, label), logits

    grad_fn = mindspore.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)

    def train_step(data, label):
        (loss, _), grads = grad_fn(data, label)
        optimizer(grads)
        return loss

    return train_step, grad_fn


def mindspore_step(seed: int = 0) -> tuple[Any, list[Any]]:
    """The quick start's train_step, and the Parameters it updates."""
    np.random.seed(seed)
    model = Network()
    return tutorial_step(model)[0], list(model.trainable_params())


def hand_step(weights: list[np.ndarray]) -> Any:
    """The same step by hand: forward, backpropagation, SGD in place. ``weights`` are
    (W, b) pairs with W shaped (out, in), as Dense keeps them."""
    w1, b1, w2, b2, w3, b3 = weights
    lr = np.float32(LR)

    def step(data, label):
        x = data.reshape(len(data), -1)
        a1 = x @ w1.T + b1
        h1 = np.maximum(a1, 0)
        a2 = h1 @ w2.T + b2
        h2 = np.maximum(a2, 0)
        z = h2 @ w3.T + b3
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(p[np.arange(len(label)), label]))
        p[np.arange(len(label)), label] -= 1
        p *= np.float32(1.0 / len(label))
        dh2 = p @ w3
        dh2 *= a2 > 0
        dh1 = dh2 @ w2
        dh1 *= a1 > 0
        for w, b, g, inp in ((w3, b3, p, h2), (w2, b2, dh2, h1), (w1, b1, dh1, x)):
            w -= lr * (g.T @ inp)
            b -= lr * g.sum(axis=0)
        return loss

    return step


def check(data: np.ndarray, label: np.ndarray) -> None:
    """One step of each from the same weights gives the same loss and new weights."""
    step, params = mindspore_step()
    before = [np.array(p, copy=True) for p in params]
    loss = step(data, label)
    hand_loss = hand_step(before)(data, label)
    harness.assert_same("loss", float(loss), float(hand_loss), 1e-5)
    for p, h in zip(params, before):
        harness.assert_same(f"updated {p.name}", np.asarray(p), h, 1e-4, 1e-6)


def build(stack: contextlib.ExitStack, quick: bool) -> Suite:
    data, label = make_inputs()
    check(data, label)
    step, params = mindspore_step()
    hand = hand_step([np.array(p, copy=True) for p in params])
    suite = Suite(
        name="bench_train_step", cases=[], baseline="hand",
        namespace={"step": step, "hand": hand, "data": data, "label": label},
        notes=[f"quick-start MLP {' -> '.join(map(str, SIZES))}, ReLU, batch {BATCH}, "
               "float32, cross-entropy, SGD"])
    suite.case("hand", "(a) hand-written NumPy step", "hand(data, label)")
    suite.case("mindspore", "(b) value_and_grad + nn.SGD, as MindSpore writes it",
               "step(data, label)")
    harness.add_torch_step(suite, _torch_model, data, label, LR)
    return suite


def _torch_model(tnn: Any) -> Any:
    """The same network in PyTorch."""
    return tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 512), tnn.ReLU(),
                          tnn.Linear(512, 512), tnn.ReLU(), tnn.Linear(512, 10))


def main(argv: list[str] | None = None) -> int:
    return harness.main("bench_train_step", __doc__, build, argv)


if __name__ == "__main__":
    sys.exit(main())

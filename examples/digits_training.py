"""Train a small CNN and an MLP on scikit-learn's 8x8 handwritten digits, written as a
MindSpore program: only the imports name this package.

    pip install '.[examples]'        # scikit-learn for the data; tqdm, matplotlib optional
    python examples/digits_training.py [--epochs 20] [--plot digits_training.png]

The training step is MindSpore's quick-start one: ``value_and_grad`` of a forward
function with ``has_aux`` (the logits), the gradient taken with respect to the
optimizer's Parameters, then ``optimizer(grads)`` (Adam, its learning rate decaying
along a cosine over the run). The gradient is one compiled NumPy
program per model, printed by ``--show``.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

import autodiff_compiler as mindspore
from autodiff_compiler import dataset as ds
from autodiff_compiler import nn, ops


class CNN(nn.Cell):
    """Two 3x3 convolutions with 2x2 max pooling, then a dense classifier."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, pad_mode="same", has_bias=True)
        self.conv2 = nn.Conv2d(16, 32, 3, pad_mode="same", has_bias=True)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.flatten = nn.Flatten()
        self.dense = nn.Dense(32 * 2 * 2, 10)

    def construct(self, x):
        x = self.pool(ops.relu(self.conv1(x)))
        x = self.pool(ops.relu(self.conv2(x)))
        return self.dense(self.flatten(x))


class MLP(nn.Cell):
    def __init__(self):
        super().__init__()
        self.layers = nn.SequentialCell(nn.Flatten(), nn.Dense(64, 128), nn.ReLU(),
                                        nn.Dense(128, 10))

    def construct(self, x):
        return self.layers(x)


def load_digits(seed: int) -> tuple[np.ndarray, ...]:
    """The 1,797 digits as (N, 1, 8, 8) float32 in [0, 1], split 80/20 by class."""
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    digits = sklearn_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]
    return tuple(train_test_split(images, digits.target.astype(np.int32), test_size=0.2,
                                  random_state=seed, stratify=digits.target))


def train(model: nn.Cell, data: tuple[np.ndarray, ...], epochs: int, show: bool
          ) -> dict[str, list[float]]:
    x_train, x_test, y_train, y_test = data
    loss_fn = nn.CrossEntropyLoss()
    steps = -(-len(x_train) // 32)  # batches per epoch
    schedule = nn.cosine_decay_lr(min_lr=1e-4, max_lr=3e-3, total_step=epochs * steps,
                                  step_per_epoch=steps, decay_epoch=epochs)
    optimizer = nn.Adam(model.trainable_params(), learning_rate=schedule)

    def forward_fn(data, label):
        logits = model(data)
        return loss_fn(logits, label), logits

    grad_fn = mindspore.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)
    if show:
        print(mindspore.gradient_source(forward_fn, None, optimizer.parameters, has_aux=True,
                                        args=(x_train[:32], y_train[:32])))

    def train_step(data, label):
        (loss, _), grads = grad_fn(data, label)
        optimizer(grads)
        return loss

    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for epoch in range(1, epochs + 1):
        batches = ds.NumpySlicesDataset((x_train, y_train), ["image", "label"],
                                        shuffle=True).batch(32)
        losses = [float(train_step(image, label))
                  for image, label in _progress(batches, f"{type(model).__name__} "
                                                         f"epoch {epoch}")]
        accuracy = float(np.mean(np.argmax(model(x_test), axis=1) == y_test))
        history["loss"].append(float(np.mean(losses)))
        history["accuracy"].append(accuracy)
        print(f"{type(model).__name__} epoch {epoch:2d}: loss {history['loss'][-1]:.4f}, "
              f"test accuracy {accuracy:.4f}")
    return history


def _progress(dataset: ds.Dataset, label: str):
    """A tqdm bar over the batches when tqdm is installed, the batches otherwise."""
    try:
        from tqdm import tqdm
    except ImportError:
        return dataset.create_tuple_iterator()
    return tqdm(dataset.create_tuple_iterator(), total=dataset.get_dataset_size(), desc=label,
                leave=False)


def plot(histories: dict[str, dict[str, list[float]]], path: str) -> None:
    """Loss and test accuracy per epoch, one line per model (needs matplotlib)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.5))
    for name, history in histories.items():
        epochs = range(1, len(history["loss"]) + 1)
        left.plot(epochs, history["loss"], marker="o", label=name)
        right.plot(epochs, history["accuracy"], marker="o", label=name)
    left.set(xlabel="epoch", ylabel="training loss", yscale="log", title="loss")
    right.set(xlabel="epoch", ylabel="test accuracy", title="accuracy", ylim=(0.8, 1.0))
    for ax in (left, right):
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote {path}")


def main(argv: list[str] | None = None) -> dict[str, dict[str, list[float]]]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--plot", metavar="PNG", help="save the loss/accuracy plot there")
    parser.add_argument("--show", action="store_true", help="print the generated gradients")
    args = parser.parse_args(argv)
    np.random.seed(args.seed)  # Parameter initialisers and shuffling draw from it
    data = load_digits(args.seed)
    started = time.perf_counter()
    histories = {name: train(make(), data, args.epochs, args.show)
                 for name, make in (("CNN", CNN), ("MLP", MLP))}
    print(f"trained both in {time.perf_counter() - started:.1f} s")
    if args.plot:
        plot(histories, args.plot)
    return histories


if __name__ == "__main__":
    main()

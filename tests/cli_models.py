"""Functions, a Cell and a plain class that the CLI and export tests name as FILE.py:FUNC.

The CLI executes this file, so it must run with only this package and NumPy.
"""
import numpy as np

from autodiff_compiler import Parameter, nn, ops

print("cli_models.py was executed")  # the CLI sends this to stderr

rng = np.random.default_rng(0)
w = Parameter(rng.standard_normal((3, 2)), name="w")
b = Parameter(rng.standard_normal(2), name="b")
x = rng.standard_normal((4, 3))
y = (rng.standard_normal((4, 2)) > 0).astype(np.float64)


def loss(w, b, x, y):
    z = x @ w + b
    p = ops.sigmoid(z)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def loss_and_logits(w, b, x, y):
    z = x @ w + b
    return np.mean((z - y) ** 2), z


class Dense(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = w
        self.b = b

    def construct(self, x):
        return np.tanh(x @ self.w + self.b)


dense = Dense()


def dense_loss(x, y):
    return np.mean((dense(x) - y) ** 2)


class Spring:
    def __init__(self, k):
        self.k = k

    def energy(self, x):
        return 0.5 * self.k * np.sum(x * x)


spring = Spring(3.0)


def with_global_write(x):
    """A global written: a construct the compiler refuses, at the assignment (these
    tests need one)."""
    global CALLS
    CALLS = np.sum(x)
    return CALLS


def power_loop(x, n=3):
    y = x
    for _ in range(n):
        y = y * x
    return np.sum(y)


def sign_branch(x):
    if np.sum(x) > 0:
        y = x * 2.0
        y = np.sin(y)
    else:
        y = -x
    return np.sum(y)


if __name__ == "__main__":
    raise SystemExit("the CLI imports this file; it must not run it as __main__")

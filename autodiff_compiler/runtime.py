"""The few helpers generated code may call besides NumPy, written in plain NumPy.

Generated gradients run in a namespace holding ``np`` and these functions only. Each
is small and self-contained so a standalone export can copy its source verbatim.
Shape-specialised code (compiled for concrete arguments) rarely needs them: the
compiler replaces ``unbroadcast`` by an explicit ``np.sum`` when shapes are known.
"""
import numpy as np


def unbroadcast(g, x):
    """Sum ``g`` down to the shape of ``x``: the adjoint of implicit broadcasting."""
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    lead = np.ndim(g) - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and np.shape(g)[lead + i] != 1)
    return np.reshape(np.sum(g, axis=axes), shape)


def sigmoid(x):
    """Logistic function, computed without overflow for large ``|x|``."""
    return np.exp(-np.logaddexp(0, -x))


def _as_matrices(g, x, y):
    """View 1-D matmul operands (and the product) as matrices, as NumPy does."""
    g = np.expand_dims(g, -1) if np.ndim(y) == 1 else g
    g = np.expand_dims(g, -2) if np.ndim(x) == 1 else g
    x2 = np.expand_dims(x, 0) if np.ndim(x) == 1 else x
    y2 = np.expand_dims(y, -1) if np.ndim(y) == 1 else y
    return g, x2, y2


def matmul_vjp_x(g, x, y):
    """Cotangent of ``x`` in ``x @ y`` for operands of any rank."""
    g, x2, y2 = _as_matrices(g, x, y)
    return np.reshape(unbroadcast(g @ np.swapaxes(y2, -1, -2), x2), np.shape(x))


def matmul_vjp_y(g, x, y):
    """Cotangent of ``y`` in ``x @ y`` for operands of any rank."""
    g, x2, y2 = _as_matrices(g, x, y)
    return np.reshape(unbroadcast(np.swapaxes(x2, -1, -2) @ g, y2), np.shape(y))


def index_add(x, index, v):
    """A copy of ``x`` with ``v`` added at ``x[index]``; repeated indices accumulate."""
    out = np.array(x, copy=True)
    np.add.at(out, index, v)
    return out


NAMESPACE = {"np": np, "unbroadcast": unbroadcast, "sigmoid": sigmoid, "index_add": index_add,
             "matmul_vjp_x": matmul_vjp_x, "matmul_vjp_y": matmul_vjp_y}

"""``ops.vmap`` over an ``nn.CellList`` (MindSpore's model ensembling): cell ``i`` on
example ``i``. Values against MindSpore 2.10's (CPU, measured on the cells below);
gradients with respect to the members' Parameters against finite differences
(MindSpore 2.10 gives zero there: it maps copies of the Parameters stacked once,
which later ``set_data`` does not reach either)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops


class Lin(nn.Cell):
    def __init__(self, k: int) -> None:
        super().__init__()
        self.w = ms.Parameter(Tensor(np.arange(6, dtype=np.float32).reshape(3, 2) * (k + 1) / 10),
                              name="w")
        self.b = ms.Parameter(Tensor(np.full((2,), 0.1 * k, np.float32)), name="b")

    def construct(self, x):
        return ops.tanh(ops.matmul(x, self.w) + self.b)


class Shifted(nn.Cell):
    """Two arguments: one mapped, one shared."""

    def __init__(self, k: int) -> None:
        super().__init__()
        self.s = ms.Parameter(Tensor(np.float32(k + 1.0)), name="s")

    def construct(self, x, shift):
        return x * self.s + shift, x.sum()


X = np.array([[1., -1., 0.5], [0.2, 0.3, -0.4]], np.float32)
XS = np.stack([X * (i + 1) for i in range(3)])

# (in_axes, out_axes, argument, MindSpore 2.10's result)
CASES = [
    (None, 0, X, [[[0.0, 0.049958], [-0.099668, -0.089758]],
                  [[0.099668, 0.197375], [-0.099668, -0.07983]],
                  [[0.197375, 0.336376], [-0.099668, -0.069886]]]),
    (0, 0, XS, [[[0.0, 0.049958], [-0.099668, -0.089758]],
                [[0.099668, 0.291313], [-0.291313, -0.254296]],
                [[0.197375, 0.57167], [-0.604368, -0.544127]]]),
    (0, 1, XS, [[[0.0, 0.049958], [0.099668, 0.291313], [0.197375, 0.57167]],
                [[-0.099668, -0.089758], [-0.291313, -0.254296], [-0.604368, -0.544127]]]),
]


@pytest.mark.parametrize("in_axes, out_axes, arg, expected", CASES, ids=str)
def test_each_cell_maps_its_example_as_mindspore(in_axes, out_axes, arg, expected):
    cells = nn.CellList([Lin(k) for k in range(3)])
    out = ops.vmap(cells, in_axes=in_axes, out_axes=out_axes)(Tensor(arg))
    np.testing.assert_allclose(out.asnumpy(), expected, atol=2e-6)
    compiled = ms.jit(lambda a: ops.vmap(cells, in_axes, out_axes)(a))(Tensor(arg))
    np.testing.assert_allclose(compiled.asnumpy(), expected, atol=2e-6)


def test_parameters_keep_their_names_and_get_each_members_gradient():
    cells = nn.CellList([Lin(k) for k in range(3)])
    params = cells.trainable_params()
    assert [p.name for p in params] == ["0.w", "0.b", "1.w", "1.b", "2.w", "2.b"]
    xs = Tensor(XS)

    def loss(xs):
        return (ops.vmap(cells, in_axes=0)(xs) ** 2).sum()

    grads = ms.grad(loss, grad_position=None, weights=params)(xs)
    eps = 1e-3
    for param, grad in zip(params, grads):
        base = param.asnumpy().astype(np.float64)
        numeric = np.zeros_like(base)
        for idx in np.ndindex(base.shape):
            for sign in (1, -1):
                moved = base.copy()
                moved[idx] += sign * eps
                param.set_data(Tensor(moved.astype(np.float32)))
                numeric[idx] += sign * float(loss(xs).asnumpy()) / (2 * eps)
        param.set_data(Tensor(base.astype(np.float32)))
        np.testing.assert_allclose(grad.asnumpy(), numeric, rtol=2e-3, atol=2e-3)


def test_tuple_in_axes_and_several_outputs():
    cells = nn.CellList([Shifted(k) for k in range(2)])
    xs = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))
    shift = Tensor(np.array([0.5, -0.5], np.float32))
    out, total = ops.vmap(cells, in_axes=(0, None), out_axes=(1, 0))(xs, shift)
    np.testing.assert_allclose(out.asnumpy(), [[1.5, 6.5], [1.5, 7.5]])
    np.testing.assert_allclose(total.asnumpy(), [3.0, 7.0])


@pytest.mark.parametrize("in_axes, out_axes, arg, message", [
    (0, 0, np.ones((2, 3), np.float32), "must equal the number of cells"),
    (0, None, XS, "out_axes cannot be None"),
    (0.5, 0, XS, "an int or None"),
], ids=str)
def test_bad_uses_are_refused(in_axes, out_axes, arg, message):
    cells = nn.CellList([Lin(k) for k in range(3)])
    with pytest.raises(ValueError, match=message):
        ops.vmap(cells, in_axes=in_axes, out_axes=out_axes)(Tensor(arg))

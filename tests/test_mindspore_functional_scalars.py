"""``ops.functional``'s helpers on numbers and tuples (``F.tuple_len``,
``F.make_range``, ``F.scalar_*``, ``F.tensor_*``), as MindSpore's own loss-scale and
network tests use them, and ``mindspore.train.loss_scale_manager``'s path. Values are
MindSpore 2.10's (measured): ``make_range(3)`` (0, 1, 2), ``make_range(1, 7, 2)``
(1, 3, 5), ``scalar_div(4, 2)`` 2.0, ``scalar_floordiv(7, 2)`` 3, ``tuple_div((4, 6),
(2, 3))`` (2, 2), ``shape_mul((2, 3, 4))`` 24, ``tensor_mod([1, 2], 1.5)`` [1, 0.5],
``tensor_floordiv([1, 2], 1.5)`` [0, 1], ``tensor_range(0, 3, 1)`` int64 [0, 1, 2]."""
from __future__ import annotations

import math

import numpy as np

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn, ops

F, P = ops.functional, ops.operations  # (MindSpore's ``functional as F``, ``operations as P``)


def test_sequence_and_scalar_helpers_give_mindspores_values():
    assert F.tuple_len((1, 2, 3)) == F.list_len([1, 2, 3]) == 3
    assert F.make_range(3) == F.make_range(0, 3) == (0, 1, 2)
    assert F.make_range(1, 7, 2) == (1, 3, 5)
    assert F.tuple_getitem((4, 5), 1) == 5 and F.dict_getitem({"a": 1}, "a") == 1
    assert F.make_tuple(1, 2) == (1, 2) and F.make_list(1, 2) == [1, 2]
    assert F.tuple_reversed((1, 2, 3)) == (3, 2, 1)
    assert F.tuple_div((4, 6), (2, 3)) == (2, 2) and F.shape_mul((2, 3, 4)) == 24
    assert F.tuple_equal((1, 2), (1, 2)) and F.in_dict("a", {"a": 1})
    assert F.not_in_dict("b", {"a": 1}) and F.is_(None, None) and F.is_not(1, None)
    assert F.scalar_div(4, 2) == 2.0 and isinstance(F.scalar_div(4, 2), float)
    assert F.scalar_floordiv(7, 2) == 3 and F.scalar_mod(7, 3) == 1
    assert F.scalar_pow(2, 3) == 8 and F.scalar_add(1, 2.5) == 3.5 and F.scalar_usub(3) == -3
    assert F.scalar_log(2.0) == math.log(2.0) and F.scalar_max(1, 3) == 3
    assert F.scalar_gt(2, 1) and F.scalar_eq(1, 1) and not F.scalar_lt(2, 1)
    x = Tensor(np.array([1.0, 2.0], np.float32))
    np.testing.assert_allclose(F.tensor_mod(x, 1.5), [1.0, 0.5])
    np.testing.assert_allclose(F.tensor_floordiv(x, 1.5), [0.0, 1.0])
    np.testing.assert_allclose(F.tensor_pow(x, 2), [1.0, 4.0])
    np.testing.assert_array_equal(F.tensor_lt(x, 1.5), [True, False])
    r = F.tensor_range(0, 3, 1)
    assert isinstance(r, Tensor) and r.dtype == ms.int64
    np.testing.assert_array_equal(r, [0, 1, 2])


def _axes(x):
    return F.make_range(0, F.tuple_len(P.Shape()(x)))


class MSELoss(nn.Cell):
    """MindSpore's loss-scale test's loss: the mean over axes spelled with F."""

    def __init__(self):
        super().__init__()
        self.square, self.reduce_mean = P.Square(), P.ReduceMean()

    def construct(self, data, label):
        diff = data - label
        return self.reduce_mean(self.square(diff), _axes(diff))


def test_shape_helpers_inside_a_differentiated_loss():
    rng = np.random.default_rng(0)
    data, label = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    value, grad = ms.value_and_grad(MSELoss())(Tensor(data), Tensor(label))
    np.testing.assert_allclose(value, np.mean((data - label) ** 2), rtol=1e-12)
    np.testing.assert_allclose(grad, 2 * (data - label) / 12, rtol=1e-12)

    def f(x):  # the tensor_* operators carry their gradients
        return (F.tensor_pow(x, 3) + F.tensor_exp(x) * F.scalar_mul(2, 3)).sum()

    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(ms.grad(f)(Tensor(x)), 3 * x ** 2 + 6 * np.exp(x), rtol=1e-12)


def test_loss_scale_managers_import_from_their_mindspore_path():
    from autodiff_compiler.train.loss_scale_manager import (
        DynamicLossScaleManager,
        FixedLossScaleManager,
    )

    assert DynamicLossScaleManager is ms.amp.DynamicLossScaleManager
    assert FixedLossScaleManager(128.0).get_loss_scale() == 128.0

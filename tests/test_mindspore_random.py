"""MindSpore's random ops (``ops_random``): shapes and dtypes as MindSpore 2.7.1 gives
them (measured: float32 draws, int64 ``randint``/``randperm``, the input's dtype for the
``*_like`` ones), a seed repeats them, and the global-state draws compile inside a
differentiated function (``test_dropout``'s reparameterisation checks the gradient)."""
from __future__ import annotations

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import Tensor, ops

F64 = Tensor(np.ones((2, 3), np.float64))
I32 = Tensor(np.ones((2, 3), np.int32))
DRAWS = {
    "randn": (lambda: ops.randn(2, 3), (2, 3), np.float32),
    "rand": (lambda: ops.rand((2, 3)), (2, 3), np.float32),
    "standard_normal": (lambda: ops.standard_normal((2, 3)), (2, 3), np.float32),
    "uniform": (lambda: ops.uniform((2, 3), Tensor(-1.0), Tensor(1.0)), (2, 3), np.float32),
    "normal": (lambda: ops.normal((2, 3), 0.0, 2.0), (2, 3), np.float32),
    "randint": (lambda: ops.randint(0, 5, (2, 3)), (2, 3), np.int64),
    "randperm": (lambda: ops.randperm(6), (6,), np.int64),
    "bernoulli": (lambda: ops.bernoulli(F64, 0.3), (2, 3), np.float64),
    "rand_like": (lambda: ops.rand_like(F64), (2, 3), np.float64),
    "randn_like": (lambda: ops.randn_like(F64, dtype=ms.float32), (2, 3), np.float32),
    "randint_like": (lambda: ops.randint_like(I32, 0, 3), (2, 3), np.int32),
    "shuffle": (lambda: ops.shuffle(Tensor(np.arange(6.0, dtype=np.float32))), (6,),
                np.float32),
}


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_shapes_and_dtypes_are_mindspores_and_a_seed_repeats_the_draw(name):
    draw, shape, dtype = DRAWS[name]
    ms.set_seed(4)
    first = draw()
    ms.set_seed(4)
    again = draw()
    assert first.shape == shape and first.dtype == dtype
    np.testing.assert_array_equal(first, again)


def test_values_are_in_their_ranges():
    ms.set_seed(0)
    assert set(np.unique(ops.randint(2, 4, (50,))).tolist()) <= {2, 3}
    assert sorted(ops.randperm(7).tolist()) == list(range(7))
    assert sorted(ops.shuffle(Tensor(np.arange(5.0))).tolist()) == list(range(5))
    assert set(np.unique(ops.bernoulli(F64, 0.5)).tolist()) <= {0.0, 1.0}
    draws = ops.uniform((1000,), Tensor(-2.0), Tensor(3.0))
    assert draws.min() >= -2.0 and draws.max() < 3.0


@pytest.mark.parametrize("draw", [
    lambda p, logits: ops.multinomial(ops.stop_gradient(p), 2, seed=7),
    lambda p, logits: ops.random_categorical(ops.stop_gradient(logits), 2, seed=3),
], ids=["multinomial", "random_categorical"])
def test_actions_drawn_from_a_policy_are_data_to_its_gradient(draw):
    """REINFORCE: ``-log p[a]`` of actions ``a`` drawn from the policy itself."""
    def loss(logits):
        p = ops.softmax(logits, axis=-1)
        return -ops.log(ops.gather_elements(p, 1, draw(p, logits))).mean()

    logits = np.array([[0.1, 0.5, -0.3], [1.0, 0.0, 0.2]])
    value, grad = ms.value_and_grad(loss)(Tensor(logits))
    np.testing.assert_allclose(float(value), float(loss(Tensor(logits))))
    np.testing.assert_allclose(grad.asnumpy(), central_differences(
        lambda v: float(loss(Tensor(v))), logits), rtol=1e-7, atol=1e-9)

"""``vjp(f, x)`` runs ``f``; each call of its ``vjp_fn`` runs the compiled program, forward
pass and all. Where that forward pass changes state it reads — a random state it draws
from, an attribute it sets, a Parameter it assigns — each run starts from the state
the vjp call started from and leaves the state as it found it: the gradient is the
value's (the same dropout mask), and no change is made twice."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import Tensor, nn, ops

X = np.arange(1.0, 7.0)


def _generator_mask(rng):
    def loss(x):
        keep = rng.random(x.shape) > 0.5
        return np.sum(np.where(keep, x, 0.0) ** 2)
    return loss


def _global_mask(x):
    keep = np.random.random(x.shape) > 0.5
    return np.sum(np.where(keep, x, 0.0) ** 2)


@pytest.mark.parametrize("source", ["generator", "random_state", "global"])
def test_the_gradient_is_the_values_own_draws(source):
    """The value is the sum of the squares kept: the gradient is 2 x where kept."""
    if source == "global":
        np.random.seed(3)
        loss = _global_mask
    else:
        rng = np.random.default_rng(3) if source == "generator" else \
            np.random.RandomState(3)
        loss = _generator_mask(rng)
    value, pullback = adc.vjp(loss, X)
    for _ in range(2):  # each call the same, and the value's
        (grad,) = pullback(1.0)
        kept = grad != 0.0
        np.testing.assert_allclose(grad[kept], 2.0 * X[kept])
        assert value == pytest.approx(np.sum(X[kept] ** 2))


class Holder:
    pass


HELD = Holder()


def scaled_in_place(x):
    HELD.w = HELD.w * x
    return np.sum(HELD.w * x)


def test_an_attribute_the_forward_pass_sets_is_read_as_it_started():
    """``HELD.w = HELD.w * x``: d/dx sum(w0 * x * x) = 2 w0 x, and the object holds
    w0 * x afterwards, as after the plain call, however many pullbacks run."""
    w0 = np.array([0.5, -1.0, 2.0])
    HELD.w = w0.copy()
    x = np.array([1.5, 2.0, -0.5])
    value, pullback = adc.vjp(scaled_in_place, x)
    assert value == pytest.approx(np.sum(w0 * x * x))
    for _ in range(2):
        np.testing.assert_allclose(pullback(1.0)[0], 2.0 * w0 * x)
        np.testing.assert_allclose(HELD.w, w0 * x)


class Normalised(nn.Cell):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm1d(3)

    def construct(self, x):
        return ops.sum(self.bn(x) * ops.arange(3.0))


def test_a_parameter_the_forward_pass_assigns_is_assigned_once():
    """A BatchNorm while training updates its moving mean once per call: the vjp call's
    update stays, each pullback's run starts from the mean before it."""
    net = Normalised()
    net.set_train(True)
    x = Tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3) ** 2)
    _, pullback = adc.vjp(net, x)
    once = np.array(net.bn.moving_mean).copy()
    reference = Normalised()
    reference.set_train(True)
    _, want = adc.value_and_grad(reference)(x)
    for _ in range(2):
        np.testing.assert_allclose(np.asarray(pullback(Tensor(np.float32(1.0)))[0]),
                                   np.asarray(want), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(np.array(net.bn.moving_mean), once)
    np.testing.assert_allclose(once, np.array(reference.bn.moving_mean))


def test_linearize_takes_the_values_draws():
    rng = np.random.default_rng(5)
    value, f_jvp = adc.linearize(_generator_mask(rng), X)
    for _ in range(2):  # along each axis: 2 x where kept, 0 where dropped
        slopes = np.array([f_jvp(e) for e in np.eye(X.size)])
        kept = slopes != 0.0
        np.testing.assert_allclose(slopes[kept], 2.0 * X[kept])
        assert value == pytest.approx(np.sum(X[kept] ** 2))

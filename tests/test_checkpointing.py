"""Checkpointed blocks: ``checkpoint(fn)``, ``Cell.recompute()`` and
``recompute(block, *args)`` give the gradient of the program without them (and of
finite differences, to second order), while the backward pass recomputes the block
instead of taping its values; bad use is refused at the user's line. Checkpointed
loops are in test_checkpointing_loops.py."""
from __future__ import annotations

import numpy as np
import pytest
from checkpoint_cases import H0, RNG, XS, H, assert_same_gradient, u, w
from differences import central_differences

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, Parameter, nn
from autodiff_compiler.testing import check_grads

# ---------------------------------------------------------------------------- blocks


def cell_step(h, x, w, u):
    a = np.tanh(w @ h + u @ x)
    return np.sin(a) * a


step = adc.checkpoint(cell_step)


def two_layers(x, w):
    a = np.sin(w @ x) * np.exp(-x)
    return np.tanh(w.T @ a) + a


layers = adc.checkpoint(two_layers)


def helper_loss(x, w):
    return np.sum(layers(x, w) ** 2)


def helper_loss_plain(x, w):
    return np.sum(two_layers(x, w) ** 2)


def test_checkpointed_helper_matches_plain_and_finite_differences():
    assert_same_gradient(helper_loss, helper_loss_plain, H0, w, positions=(0, 1))
    check_grads(helper_loss, H0, w, order=2)


def test_checkpointed_helper_recomputes_in_its_backward():
    source = adc.gradient_source(helper_loss, (0, 1), args=(H0, w))
    backward = source.split("def two_layers_backward(")[1].split("\n    def ")[0]
    assert "np.sin(" in backward and "np.exp(" in backward  # recomputed there
    top = source.split("two_layers_out = two_layers(")[1]
    assert "np.sin(" not in top  # the caller keeps nothing of the block but its operands


def nested_inner(x):
    return np.cos(x) * x


inner = adc.checkpoint(nested_inner)


def nested_outer(x, w):
    return inner(w @ inner(x)) + x


outer = adc.checkpoint(nested_outer)


def nested_loss(x, w):
    return np.sum(outer(x, w) ** 2)


def nested_loss_plain(x, w):
    return np.sum((np.cos(w @ (np.cos(x) * x)) * (w @ (np.cos(x) * x)) + x) ** 2)


def test_nested_checkpoints():
    assert_same_gradient(nested_loss, nested_loss_plain, H0, w, positions=(0, 1))
    check_grads(nested_loss, H0, w, order=2)


def loop_of_blocks(h0, w, u, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = step(h, xs[t], w, u)
    return np.sum(h ** 2)


def loop_of_blocks_plain(h0, w, u, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = cell_step(h, xs[t], w, u)
    return np.sum(h ** 2)


def test_checkpoint_inside_a_loop():
    assert_same_gradient(loop_of_blocks, loop_of_blocks_plain, H0, w, u, XS, positions=(0, 1, 2))
    check_grads(loop_of_blocks, H0, w, u, XS[:4])


def test_checkpoint_inside_a_loop_tapes_fewer_values():
    full = adc.gradient_source(loop_of_blocks_plain, (0, 1, 2), args=(H0, w, u, XS))
    ckpt = adc.gradient_source(loop_of_blocks, (0, 1, 2), args=(H0, w, u, XS))
    caller = ckpt.split("    h_tape = []")[1]  # after the nested defs
    assert "h_tape = []" in full and full.count("_tape = []") >= 2  # h and the block's values
    assert caller.count("_tape = []") == 0  # only h: the block's operands
    assert "cell_step_backward(h, xs[t], w, u, g_h)" in caller


class Dense(nn.Cell):
    def __init__(self, seed):
        super().__init__()
        self.w = Parameter(np.random.default_rng(seed).normal(size=(H, H)), name="w")

    def construct(self, x):
        return np.tanh(self.w @ x) * x


class Net(nn.Cell):
    def __init__(self, recompute):
        super().__init__()
        self.a, self.b = Dense(1), Dense(2)
        if recompute:
            self.a.recompute()
            self.b.recompute()

    def construct(self, x):
        return np.sum(self.b(self.a(x)) ** 2)


def test_recomputed_cell_with_parameters():
    net, plain = Net(True), Net(False)
    got = adc.grad(net, 0, net.trainable_params())(H0)
    want = adc.grad(plain, 0, plain.trainable_params())(H0)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12)
    for g, v in zip(got[1], want[1]):
        np.testing.assert_allclose(g, v, rtol=1e-12)
    source = adc.gradient_source(net, 0, net.trainable_params(), args=(H0,))
    # one def for both Cells (their weights are its parameters), called once for each
    assert source.count("def Dense_construct_backward(") == 1
    assert source.count("Dense_construct_backward(") == 3
    eps, k = 1e-6, (1, 2)
    weight = net.a.w
    weight[k] += eps
    up = net(H0)
    weight[k] -= 2 * eps
    down = net(H0)
    weight[k] += eps
    np.testing.assert_allclose(got[1][0][k], (up - down) / (2 * eps), rtol=1e-6)


class Block(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(w.copy(), name="w")

    def construct(self, x):
        return np.sin(self.w @ x)


class UsesRecompute(nn.Cell):
    def __init__(self):
        super().__init__()
        self.block = Block()

    def construct(self, x):
        return np.sum(adc.recompute(self.block, x) ** 2)


def test_recompute_function_form():
    net = UsesRecompute()
    got = adc.grad(net)(H0)
    want = 2 * np.sin(w @ H0) * np.cos(w @ H0) @ w
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert "Block_backward(" in adc.gradient_source(net, args=(H0,))
    assert np.isclose(net(H0), np.sum(np.sin(w @ H0) ** 2))  # runs as plain Python too


def sine_plus_scaled(z, a):
    return np.sin(z) + a * z


def checkpointed_sine_plus_scaled(x, w):
    return np.sum(adc.checkpoint(sine_plus_scaled)(w, x) ** 2)


def checkpointed_closure_over_the_scale(x, w):
    block = lambda z: np.sin(z) + x * z
    return np.sum(adc.checkpoint(block)(w) ** 2)


@pytest.mark.parametrize("loss", [checkpointed_sine_plus_scaled,
                                  checkpointed_closure_over_the_scale])
def test_reverse_over_reverse_through_a_block_whose_gradient_skips_an_argument(loss):
    """The block's gradient ``g_out * z`` does not read ``a``: differentiated again,
    its backward returned ``zeros_like(a)`` for ``a``, a value it was not passed
    (KeyError generating code). The zero is now made from the tape."""
    x, w = np.array([0.3, 0.5, 0.7]), np.array([1.0, 2.0, -0.5])
    weights = np.array([1.0, -1.0, 0.5])

    def weighted_gradient(a):
        return np.sum(adc.grad(loss)(a, w) * weights)

    np.testing.assert_allclose(adc.grad(weighted_gradient)(x),
                               central_differences(weighted_gradient, x), rtol=1e-7)
    np.testing.assert_allclose(adc.grad(weighted_gradient)(x), 2 * w ** 2 * weights)


def test_checkpoint_in_forward_mode_and_hvp():
    check_grads(helper_loss, H0, w, modes=("fwd",))
    v = RNG.normal(size=H)
    got = adc.hvp(helper_loss, (H0, w), (v, np.zeros_like(w)))
    want = adc.hvp(helper_loss_plain, (H0, w), (v, np.zeros_like(w)))
    np.testing.assert_allclose(got, want, rtol=1e-10)


def tree_block(p, x, scale=2.0):
    return {"y": np.tanh(p["w"] @ x) * scale, "z": np.sum(x)}


tree_checkpoint = adc.checkpoint(tree_block)


def tree_loss(w, x):
    out = tree_checkpoint({"w": w}, x, scale=3.0)
    return np.sum(out["y"] ** 2) + out["z"]


def tree_loss_plain(w, x):
    out = tree_block({"w": w}, x, scale=3.0)
    return np.sum(out["y"] ** 2) + out["z"]


def test_checkpoint_takes_and_returns_containers_and_keywords():
    assert_same_gradient(tree_loss, tree_loss_plain, w, H0, positions=(0, 1))


def test_checkpoint_of_the_differentiated_function_itself():
    got = adc.grad(adc.checkpoint(helper_loss_plain), (0, 1))(H0, w)
    want = adc.grad(helper_loss_plain, (0, 1))(H0, w)
    for g, v in zip(got, want):
        np.testing.assert_allclose(g, v, rtol=1e-12)


def local_checkpoint(h, w):
    def grow(h, w):
        n = 0
        while np.sum(h * h) < 4.0 and n < 20:
            h = h * 1.3 + np.sin(w @ h)
            n += 1
        return h

    return np.sum(adc.checkpoint(grow)(h, w))


def local_checkpoint_plain(h, w):
    n = 0
    while np.sum(h * h) < 4.0 and n < 20:
        h = h * 1.3 + np.sin(w @ h)
        n += 1
    return np.sum(h)


def test_checkpoint_of_a_local_def_with_a_while_loop():
    assert_same_gradient(local_checkpoint, local_checkpoint_plain, H0 * 0.3, w, positions=(0, 1))
    check_grads(local_checkpoint, H0 * 0.3, w, modes=("rev",))


# ---------------------------------------------------------------------------- refusals


def test_checkpoint_of_a_non_function_is_refused_at_the_call():
    with pytest.raises(AutodiffError) as info:
        adc.checkpoint(3.0)
    assert "test_checkpointing.py" in str(info.value)
    assert "takes a Python function or a Cell" in str(info.value)


class WithBprop(nn.Cell):
    def construct(self, x):
        return x * x

    def bprop(self, x, out, dout):
        return (dout,)


def test_recompute_of_a_cell_with_bprop_is_refused():
    cell = WithBprop()
    cell.recompute()

    def f(x):
        return np.sum(cell(x))

    with pytest.raises(AutodiffError, match="defines bprop"):
        adc.grad(f)(H0)
    with pytest.raises(AutodiffError, match="defines bprop"):
        adc.checkpoint(WithBprop())


def test_cell_recompute_rejects_unknown_options_as_mindspore():
    with pytest.raises(ValueError, match="not recognized"):
        Dense(0).recompute(bogus=True)
    Dense(0).recompute(mp_comm_recompute=False, use_reentrant=False)

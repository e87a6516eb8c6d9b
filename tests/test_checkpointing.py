"""Checkpointing: ``checkpoint(fn)``, ``Cell.recompute()``, ``recompute(block, *args)``
and ``for t in checkpointed(range(T))`` give the gradient of the program without them
(and of finite differences), while the backward pass recomputes instead of taping."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, Parameter, nn
from autodiff_compiler.testing import check_grads

RNG = np.random.default_rng(7)
H = 4
w = RNG.normal(size=(H, H)) * 0.6
u = RNG.normal(size=(H, 3)) * 0.6
H0 = RNG.normal(size=H)
XS = RNG.normal(size=(11, 3))


def assert_same_gradient(f, plain, *args, positions=(0,)):
    got = adc.grad(f, grad_position=positions)(*args)
    want = adc.grad(plain, grad_position=positions)(*args)
    for g, w in zip(got if isinstance(got, tuple) else (got,),
                    want if isinstance(want, tuple) else (want,)):
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


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
    for g, w in zip(got[1], want[1]):
        np.testing.assert_allclose(g, w, rtol=1e-12)
    source = adc.gradient_source(net, 0, net.trainable_params(), args=(H0,))
    # one def for both Cells (their weights are its parameters), called once for each
    assert source.count("def Dense_construct_backward(") == 1
    assert source.count("Dense_construct_backward(") == 3
    eps, k = 1e-6, (1, 2)
    w = net.a.w
    w[k] += eps
    up = net(H0)
    w[k] -= 2 * eps
    down = net(H0)
    w[k] += eps
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


# ---------------------------------------------------------------------------- loops


def rnn(h0, w, u, xs):
    h = h0
    for t in adc.checkpointed(range(xs.shape[0])):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h ** 2)


def rnn_plain(h0, w, u, xs):
    h = h0
    for t in range(xs.shape[0]):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h ** 2)


def rnn_snapshots(h0, w, u, xs):
    h = h0
    for t in adc.checkpointed(range(xs.shape[0]), snapshots=3):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h ** 2)


def rnn_levels(h0, w, u, xs):
    h = h0
    for t in adc.checkpointed(range(xs.shape[0]), levels=2):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h ** 2)


def rnn_levels3(h0, w, u, xs):
    h = h0
    for t in adc.checkpointed(reversed(range(xs.shape[0])), levels=3):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h ** 2)


def rnn_reversed_plain(h0, w, u, xs):
    return rnn_plain(h0, w, u, xs[::-1])


@pytest.mark.parametrize("steps", [0, 1, 2, 9, 10, 11], ids=lambda n: f"T={n}")
@pytest.mark.parametrize("f", [rnn, rnn_snapshots, rnn_levels], ids=["sqrt", "snapshots3",
                                                                     "levels2"])
def test_checkpointed_loop_matches_full_tape(f, steps):
    assert_same_gradient(f, rnn_plain, H0, w, u, XS[:steps], positions=(0, 1, 2))


def test_checkpointed_loop_finite_differences_and_second_order():
    check_grads(rnn, H0, w, u, XS[:7], order=2)
    check_grads(rnn_levels, H0, w, u, XS[:10], order=2)


@pytest.mark.parametrize("steps", [0, 1, 7, 27, 30])
def test_nested_levels_match_full_tape(steps):
    xs = np.random.default_rng(steps).normal(size=(steps, 3))
    assert_same_gradient(rnn_levels3, rnn_reversed_plain, H0, w, u, xs, positions=(0, 1, 2))
    assert_same_gradient(rnn_levels, rnn_plain, H0, w, u, xs, positions=(0, 1, 2))


def test_nested_levels_split_the_segments_again():
    xs = np.random.default_rng(0).normal(size=(1000, 3))
    source = adc.gradient_source(rnn_levels, (0, 1, 2), args=(H0, w, u, xs))
    # 10 segments of 100 (1000^(2/3)), each recomputed as segments of 10 in its backward
    assert "for segment in range(10):" in source
    assert source.count("def body_segment_backward") == 2  # one per level
    assert "for segment in range(n_segments):" in source  # the inner split, at run time


def rnn_break(h0, w, xs, limit):
    h = h0
    for t in adc.checkpointed(range(xs.shape[0])):
        if np.sum(h * h) > limit:
            break
        h = np.tanh(w @ h + xs[t])
    return np.sum(h)


def rnn_break_plain(h0, w, xs, limit):
    h = h0
    for t in range(xs.shape[0]):
        if np.sum(h * h) > limit:
            break
        h = np.tanh(w @ h + xs[t])
    return np.sum(h)


@pytest.mark.parametrize("limit", [0.5, 1.5, 100.0])
def test_checkpointed_loop_with_break(limit):
    xs = RNG.normal(size=(10, H))
    assert_same_gradient(rnn_break, rnn_break_plain, H0, w, xs, limit, positions=(0, 1))
    check_grads(lambda h0, w: rnn_break(h0, w, xs, limit), H0, w, modes=("rev",))


def returns_early(h, w, xs):
    for t in adc.checkpointed(range(xs.shape[0]), snapshots=2):
        if np.sum(h) > 1.0:
            return np.sum(h * h) * t
        if t % 2 == 1:
            continue
        h = np.tanh(w @ h) + xs[t]
    return np.sum(h)


def returns_early_plain(h, w, xs):
    for t in range(xs.shape[0]):
        if np.sum(h) > 1.0:
            return np.sum(h * h) * t
        if t % 2 == 1:
            continue
        h = np.tanh(w @ h) + xs[t]
    return np.sum(h)


@pytest.mark.parametrize("seed", range(4))
def test_checkpointed_loop_with_return_and_continue(seed):
    rng = np.random.default_rng(seed)
    h, xs = rng.normal(size=H) * 0.3, rng.normal(size=(9, H)) * 0.5
    assert_same_gradient(returns_early, returns_early_plain, h, w, xs, positions=(0, 1, 2))


def rows_reversed(h0, w, xs):
    h = h0
    for x in adc.checkpointed(xs[::-1], snapshots=2):
        h = np.sin(w @ h) + x
    return np.sum(h * h)


def rows_reversed_plain(h0, w, xs):
    h = h0
    for x in xs[::-1]:
        h = np.sin(w @ h) + x
    return np.sum(h * h)


def test_checkpointed_loop_over_rows():
    xs = RNG.normal(size=(7, H))
    assert_same_gradient(rows_reversed, rows_reversed_plain, H0, w, xs, positions=(0, 1, 2))


class RecurrentCell(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(w.copy(), name="w")

    def construct(self, h0, xs):
        h = h0
        for t in adc.checkpointed(range(xs.shape[0])):
            h = np.tanh(self.w @ h + xs[t])
        return np.sum(h ** 2)


def test_checkpointed_loop_with_parameters():
    xs = RNG.normal(size=(9, H))
    net = RecurrentCell()
    g_h, (g_w,) = adc.grad(net, 0, net.trainable_params())(H0, xs)

    def plain(h0, w):
        h = h0
        for t in range(9):
            h = np.tanh(w @ h + xs[t])
        return np.sum(h ** 2)

    want_h, want_w = adc.grad(plain, (0, 1))(H0, w)
    np.testing.assert_allclose(g_h, want_h, rtol=1e-12)
    np.testing.assert_allclose(g_w, want_w, rtol=1e-12)


def top_loop(ir: str) -> str:
    return next(line for line in ir.splitlines() if " loop[" in line or "= loop" in line)


def test_checkpointed_loop_tapes_snapshots_not_iterations():
    xs = RNG.normal(size=(100, 3))
    full = adc.gradient_source(rnn_plain, (0, 1, 2), args=(H0, w, u, xs))
    ckpt = adc.gradient_source(rnn, (0, 1, 2), args=(H0, w, u, xs))
    assert "for t in range(100):" in full and "h_tape.append(h" in full
    # 10 segments of 10: the outer loop keeps 10 snapshots; each segment is recomputed
    assert "for segment in range(10):" in ckpt
    assert "for t in range(100)" not in ckpt
    recompute = ckpt.split("_segment_backward(")[1].split("return")[0]
    assert "np.tanh(" in recompute and ".append(" in recompute


def test_checkpointed_loop_peak_memory_is_lower():
    xs = RNG.normal(size=(3000, 3))
    w = RNG.normal(size=(64, 64)) * 0.1
    u = RNG.normal(size=(64, 3))
    h0 = RNG.normal(size=64)
    peaks = []
    for f in (rnn_plain, rnn):
        g = adc.grad(f, (0, 1, 2))
        g(h0, w, u, xs)  # compiled before measuring
        tracemalloc.start()
        g(h0, w, u, xs)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 0.3 * peaks[0], peaks


# ---------------------------------------------------------------------------- refusals


def test_checkpoint_of_a_non_function_is_refused_at_the_call():
    with pytest.raises(AutodiffError) as info:
        adc.checkpoint(3.0)
    assert "test_checkpointing.py" in str(info.value)
    assert "takes a Python function or a Cell" in str(info.value)


def bad_snapshots(h0, w, u, xs):
    h = h0
    for t in adc.checkpointed(range(xs.shape[0]), snapshots=0):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h)


def mark_elsewhere(h0, w, u, xs):
    steps = adc.checkpointed(range(xs.shape[0]))
    h = h0
    for _t in steps:
        h = np.tanh(w @ h)
    return np.sum(h)


def mark_a_list(h0, w, u, xs):
    h = h0
    for s in adc.checkpointed([1.0, 2.0]):
        h = np.tanh(w @ h) * s
    return np.sum(h)


def both_schedules(h0, w, u, xs):
    h = h0
    for t in adc.checkpointed(range(xs.shape[0]), 5, levels=2):
        h = np.tanh(w @ h + u @ xs[t])
    return np.sum(h)


@pytest.mark.parametrize("f, reason, line", [
    (bad_snapshots, "snapshots must be a positive int", 2),
    (both_schedules, "give snapshots or levels, not both", 2),
    (mark_elsewhere, "marks a for loop", 1),
    (mark_a_list, "not over a Python sequence", 2),
], ids=["snapshots=0", "snapshots-and-levels", "not-an-iterable", "python-list"])
def test_bad_loop_marks_are_refused_at_the_line(f, reason, line):
    import inspect
    with pytest.raises(AutodiffError) as info:
        adc.grad(f)(H0, w, u, XS)
    first = inspect.getsourcelines(f)[1]
    assert f"test_checkpointing.py:{first + line}:" in str(info.value)
    assert reason in str(info.value)


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

"""Checkpointed loops: ``for t in checkpointed(range(T), snapshots=None, levels=1)``
gives the full tape's gradient for any T (0, 1, not a multiple of the segment length),
with break, continue, return, Parameters, over rows, reversed, nested levels, to
second order; its tape holds snapshots, not iterations, and its peak memory is lower.
Bad marks are refused at the line."""
from __future__ import annotations

import inspect
import tracemalloc

import numpy as np
import pytest
from checkpoint_cases import H0, RNG, XS, H, assert_same_gradient, u, w

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, Parameter, nn
from autodiff_compiler.testing import check_grads

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
    big_w = RNG.normal(size=(64, 64)) * 0.1
    big_u = RNG.normal(size=(64, 3))
    h0 = RNG.normal(size=64)
    peaks = []
    for f in (rnn_plain, rnn):
        g = adc.grad(f, (0, 1, 2))
        g(h0, big_w, big_u, xs)  # compiled before measuring
        tracemalloc.start()
        g(h0, big_w, big_u, xs)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 0.3 * peaks[0], peaks


# ---------------------------------------------------------------------------- refusals


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
    with pytest.raises(AutodiffError) as info:
        adc.grad(f)(H0, w, u, XS)
    first = inspect.getsourcelines(f)[1]
    assert f"test_checkpointing_loops.py:{first + line}:" in str(info.value)
    assert reason in str(info.value)

"""``ops_nn_functional``'s functions and ``layers_functional``'s Cells measured against
MindSpore: one table, run by MindSpore (``data/measure_mindspore_nn_functional.py``
writes ``data/mindspore_nn_functional.json``) and by this package
(``test_mindspore_nn_functional.py``) on the same draws.

Each case records every output (as float64 values) and its dtype, and, for the
arguments listed as differentiated, the gradient of a weighted sum of the float
outputs, taken in a differentiated function (the op compiled from its source).
``PSNR`` and ``SSIM`` run in MindSpore's graph mode (its PyNative mode refuses a
float32 Tensor in a scalar cast there), the rest in PyNative mode.

MindSpore 2.7.1's CPU build has no kernel for ``embedding``, ``MatDet``,
``MatInverse``, ``MatrixDiag``, ``MatrixDiagPart`` and ``MatrixSetDiag``: those are left
to ``test_mindspore_nn_functional``'s finite-difference checks and to comparisons with
their documented formulas. Its ``grid_sample`` in ``nearest`` mode rounds a point
halfway between pixels away from zero going forward but to even in its gradient (it
even sends gradient to pixels its forward pass did not read): that mode's gradient is
compared where no point is halfway (``grid_random``), and checked against finite
differences. ``RReLU`` draws its slopes at random, so only its
properties are tested.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from measured_cases import measure_cases, values


def _draws(rng: Any) -> dict[str, np.ndarray]:
    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    seq = normal(2, 3, 8)
    image = normal(2, 3, 5, 6)
    points = normal(5, 3)
    return {
        "seq": seq, "seq_pos": (np.abs(seq) + 0.2).astype(np.float32),
        "w1": normal(4, 3, 3), "w1_group": normal(6, 1, 2), "b4": normal(4), "b6": normal(6),
        "image": image, "image_pos": (np.abs(image) + 0.2).astype(np.float32),
        "image4": normal(1, 4, 7, 7), "cols": normal(2, 3 * 4, 12),
        "points": points, "points_ties": np.array(
            [[0.0, 1.0, 2.0], [0.0, 1.0, 5.0], [3.0, -1.0, 2.0], [0.0, 1.0, 2.0]], np.float32),
        "m34": normal(3, 4), "x3": normal(2, 3, 4),
        "pooled1": normal(2, 3, 4), "pooled2": normal(2, 3, 2, 3),
        "unpool1_idx": np.array([[[1, 2, 5, 6], [0, 3, 4, 6], [1, 3, 5, 6]],
                                 [[0, 2, 4, 6], [1, 2, 4, 6], [0, 3, 5, 6]]], np.int64),
        "unpool2_idx": np.array([[[[0, 3, 5], [13, 14, 10]], [[6, 2, 4], [7, 15, 17]],
                                  [[1, 8, 11], [12, 9, 16]]]] * 2, np.int64),
        "repeats_idx": np.array([[[1, 1, 5, 1]]] * 1, np.int64), "row": normal(1, 1, 4),
        "anchor": normal(4, 5), "positive": normal(4, 5), "negative": normal(4, 5),
        "theta": normal(2, 2, 3), "theta3d": normal(1, 3, 4), "sampled": normal(2, 3, 4, 5),
        "grid": np.concatenate([rng.uniform(-1.6, 1.6, (2, 3, 2, 2)), np.array(
            [0.5, -0.5, 0.25, -0.25, 0.1, 0.3, 0.0, -1.0]).reshape(1, 2, 2, 2).repeat(2, 0)],
            1).astype(np.float32),
        "grid_random": rng.uniform(-1.6, 1.6, (2, 4, 3, 2)).astype(np.float32),
        "grid_edges": np.array([[[[1.0, -1.0], [-1.0, 0.0]], [[0.0, -1.25], [-1.2, 1.0]]]] * 2,
                               np.float32),
        "img_a": rng.uniform(size=(2, 3, 12, 11)).astype(np.float32),
        "img_b": rng.uniform(size=(2, 3, 12, 11)).astype(np.float32),
    }


def _sampler(ops: Any, mode: str, padding: str, corners: bool) -> Any:
    def sample(x, grid):
        return ops.grid_sample(x, grid, mode, padding, corners)
    return sample


def _cases(ms: Any) -> list[tuple[str, Any, tuple, tuple]]:
    """(name, function, argument names, positions differentiated), PyNative mode."""
    ops, nn = ms.ops, ms.nn
    return [
        # convolution
        ("conv1d", ops.conv1d, ("seq", "w1"), (0, 1)),
        ("conv1d_bias_same", lambda x, w, b: ops.conv1d(x, w, b, pad_mode="same"),
         ("seq", "w1", "b4"), (0, 1, 2)),
        ("conv1d_pad_stride", lambda x, w: ops.conv1d(x, w, pad_mode="pad", padding=2, stride=2),
         ("seq", "w1"), (0, 1)),
        ("conv1d_dilation", lambda x, w: ops.conv1d(x, w, dilation=2), ("seq", "w1"), (0, 1)),
        ("conv1d_groups", lambda x, w, b: ops.conv1d(x, w, b, groups=3),
         ("seq", "w1_group", "b6"), (0, 1, 2)),
        # pooling
        ("avg_pool1d", lambda x: ops.avg_pool1d(x, 3), ("seq",), (0,)),
        ("avg_pool1d_pad", lambda x: ops.avg_pool1d(x, 3, 2, 1), ("seq",), (0,)),
        ("avg_pool1d_exclude_pad", lambda x: ops.avg_pool1d(x, 3, 2, 1, count_include_pad=False),
         ("seq",), (0,)),
        ("avg_pool1d_ceil", lambda x: ops.avg_pool1d(x, 3, 3, ceil_mode=True), ("seq",), (0,)),
        ("avg_pool1d_ceil_pad", lambda x: ops.avg_pool1d(x, 4, 3, 1, ceil_mode=True),
         ("seq",), (0,)),
        ("avg_pool1d_ceil_exclude", lambda x: ops.avg_pool1d(
            x, 4, 3, 1, ceil_mode=True, count_include_pad=False), ("seq",), (0,)),
        ("adaptive_avg_pool1d", lambda x: ops.adaptive_avg_pool1d(x, 4), ("seq",), (0,)),
        ("lp_pool1d", lambda x: ops.lp_pool1d(x, 2, 3), ("seq",), (0,)),
        ("lp_pool1d_p3_stride", lambda x: ops.lp_pool1d(x, 3, 3, 2), ("seq_pos",), (0,)),
        ("lp_pool1d_ceil", lambda x: ops.lp_pool1d(x, 1.5, 3, ceil_mode=True), ("seq_pos",),
         (0,)),
        ("lp_pool2d", lambda x: ops.lp_pool2d(x, 2, 2), ("image",), (0,)),
        ("lp_pool2d_rect", lambda x: ops.lp_pool2d(x, 3, (2, 3), (1, 2)), ("image_pos",), (0,)),
        ("lp_pool2d_ceil", lambda x: ops.lp_pool2d(x, 1, 2, ceil_mode=True), ("image",), (0,)),
        # im2col
        ("unfold", lambda x: ops.unfold(x, 2), ("image",), (0,)),
        ("unfold_all", lambda x: ops.unfold(x, (2, 3), 2, 1, (2, 1)), ("image",), (0,)),
        ("fold", lambda c: ops.fold(c, ms.Tensor(np.array([5, 6], np.int32)), 2, 1, 1, 2),
         ("cols",), (0,)),
        ("fold_overlap", lambda c: ops.fold(c, ms.Tensor(np.array([4, 5], np.int32)), (2, 2)),
         ("cols",), (0,)),
        # distances and norms
        ("pdist", ops.pdist, ("points",), (0,)),
        ("pdist_p1", lambda x: ops.pdist(x, 1.0), ("points",), (0,)),
        ("pdist_p3", lambda x: ops.pdist(x, 3.0), ("points",), (0,)),
        ("pdist_p0", lambda x: ops.pdist(x, 0.0), ("points_ties",), ()),
        ("pdist_inf", lambda x: ops.pdist(x, float("inf")), ("points",), (0,)),
        ("pdist_zero_distance", ops.pdist, ("points_ties",), (0,)),
        ("renorm", lambda x: ops.renorm(x, 2, 0, 1.5), ("m34",), (0,)),
        ("renorm_p1_axis1", lambda x: ops.renorm(x, 1, 1, 1.0), ("m34",), (0,)),
        ("renorm_p3_last", lambda x: ops.renorm(x, 3, -1, 1.2), ("x3",), (0,)),
        ("lrn", ops.lrn, ("image4",), (0,)),
        ("lrn_settings", lambda x: ops.lrn(x, 1, 2.0, 0.3, 0.75), ("image4",), (0,)),
        ("softmin", ops.softmin, ("m34",), (0,)),
        ("softmin_axis0", lambda x: ops.softmin(x, 0), ("m34",), (0,)),
        # sampling
        ("affine_grid", lambda t: ops.affine_grid(t, (2, 3, 4, 5)), ("theta",), (0,)),
        ("affine_grid_corners", lambda t: ops.affine_grid(t, (2, 1, 3, 2), True), ("theta",),
         (0,)),
        ("affine_grid_3d", lambda t: ops.affine_grid(t, (1, 2, 2, 3, 4)), ("theta3d",), (0,)),
        *[(f"{grid}_sample_{mode}_{padding}_{corners}", _sampler(ops, mode, padding, corners),
           ("sampled", grid), {"bilinear": (0, 1), "nearest": ()}[mode])
          for mode in ("bilinear", "nearest") for padding in ("zeros", "border", "reflection")
          for corners in (False, True) for grid in ("grid", "grid_edges")],
        *[(f"grid_sample_nearest_{padding}_{corners}_gradient",
           _sampler(ops, "nearest", padding, corners), ("sampled", "grid_random"), (0,))
          for padding in ("zeros", "border", "reflection") for corners in (False, True)],
        # Cells
        ("LPPool1d", lambda x: nn.LPPool1d(2, 3, 2)(x), ("seq",), (0,)),
        ("LPPool2d", lambda x: nn.LPPool2d(2, (2, 3))(x), ("image",), (0,)),
        ("LRN", lambda x: nn.LRN(2, 1.0, 0.5, 0.75)(x), ("image4",), (0,)),
        ("Moments", lambda x: nn.Moments()(x), ("x3",), (0,)),
        ("Moments_axis", lambda x: nn.Moments(1, True)(x), ("x3",), (0,)),
        ("Moments_axes", lambda x: nn.Moments((0, 2))(x), ("x3",), (0,)),
        ("ReduceLogSumExp", lambda x: nn.ReduceLogSumExp(1)(x), ("x3",), (0,)),
        ("ReduceLogSumExp_keep", lambda x: nn.ReduceLogSumExp((0, 2), True)(x), ("x3",), (0,)),
        ("ImageGradients", lambda x: nn.ImageGradients()(x), ("image",), (0,)),
        ("CentralCrop", lambda x: nn.CentralCrop(0.5)(x), ("image",), (0,)),
        ("CentralCrop_3d", lambda x: nn.CentralCrop(0.7)(x[0]), ("image",), (0,)),
        ("MaxUnpool1d", lambda x, i: nn.MaxUnpool1d(2)(x, i), ("pooled1", "unpool1_idx"), (0,)),
        ("MaxUnpool1d_size", lambda x, i: nn.MaxUnpool1d(2, 2, 1)(x, i, (2, 3, 7)),
         ("pooled1", "unpool1_idx"), (0,)),
        ("MaxUnpool1d_repeats", lambda x, i: nn.MaxUnpool1d(2)(x, i), ("row", "repeats_idx"),
         (0,)),
        ("MaxUnpool2d", lambda x, i: nn.MaxUnpool2d(2, 2)(x, i), ("pooled2", "unpool2_idx"),
         (0,)),
        ("MaxUnpool2d_size", lambda x, i: nn.MaxUnpool2d((3, 2), (2, 2), (1, 0))(x, i, (4, 7)),
         ("pooled2", "unpool2_idx"), (0,)),
        ("TripletMarginWithDistanceLoss", lambda a, p, n: nn.TripletMarginWithDistanceLoss()(
            a, p, n), ("anchor", "positive", "negative"), (0, 1, 2)),
        ("TripletMarginWithDistanceLoss_none", lambda a, p, n: nn.TripletMarginWithDistanceLoss(
            reduction="none", margin=0.5)(a, p, n), ("anchor", "positive", "negative"),
         (0, 1, 2)),
        ("TripletMarginWithDistanceLoss_swap", lambda a, p, n: nn.TripletMarginWithDistanceLoss(
            lambda u, v: ((u - v) ** 2).sum(-1), swap=True, reduction="sum", margin=2.0)(
            a, p, n), ("anchor", "positive", "negative"), (0, 1, 2)),
    ]


def _weighted(cell: Any, weights: Any) -> Any:
    def loss(x, y):
        return (cell(x, y) * weights).sum()
    return loss


def _measure_graph_mode(ms: Any, draws: dict[str, np.ndarray]) -> dict[str, Any]:
    """``PSNR``'s and ``SSIM``'s cases, measured as ``measure_cases`` does, in a loss
    that MindSpore's graph mode can parse (one output, no ``isinstance``)."""
    out: dict[str, Any] = {}
    a, b = ms.Tensor(draws["img_a"]), ms.Tensor(draws["img_b"])
    weights = ms.Tensor(np.linspace(-1.0, 2.0, 2).astype(np.float32))
    nn = ms.nn
    for name, cell in (("PSNR", nn.PSNR()), ("PSNR_max_val", nn.PSNR(2.0)),
                       ("SSIM", nn.SSIM(filter_size=3)),
                       ("SSIM_settings", nn.SSIM(2.0, 5, 0.8, 0.05, 0.1)),
                       ("SSIM_default", nn.SSIM())):
        result = cell(a, b)
        out[f"{name}.out0"] = values(result)
        out[f"{name}.dtype0"] = str(result.dtype).lower()
        grads = ms.grad(_weighted(cell, weights), (0, 1))(a, b)
        out[f"{name}.grad0"], out[f"{name}.grad1"] = values(grads[0]), values(grads[1])
    return out


def measure(ms: Any, graph_mode: Any = None) -> dict[str, Any]:
    """Outputs, their dtypes and gradients of each case, by name, computed with the
    library ``ms`` (``mindspore`` or ``autodiff_compiler``); ``graph_mode()`` switches
    MindSpore to graph mode before the cases that need it."""
    draws = _draws(np.random.default_rng(11))
    measured = measure_cases(ms, _cases(ms), draws)
    if graph_mode is not None:
        graph_mode()
    return {**measured, **_measure_graph_mode(ms, draws)}
